//! Monte Carlo of a stopping rule from the answer distribution, for when the
//! exact programme's count vectors are too many. Batches of
//! [`crate::montecarlo::BATCH_SIZE`] trials on `ChaCha8Rng` stream `b`,
//! merged in batch order: the result does not depend on the thread count.

use super::replay::replay;
use super::rule::StopRule;
use crate::montecarlo::{Estimate, RunningStats, BATCH_SIZE};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{weighted::WeightedAliasIndex, Distribution};
use rayon::prelude::*;

/// Estimated cost and accuracy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimulatedCost {
    /// `E[samples used]`.
    pub expected_samples: Estimate,
    /// `P(answer correct)`, ties split.
    pub accuracy: Estimate,
}

/// Simulates `trials` runs of `rule` (masses positive somewhere; `trials ≥ 2`).
pub fn simulate_cost(rule: &StopRule, masses: &[f64], correct: Option<usize>, trials: u64, seed: u64) -> SimulatedCost {
    let alias = WeightedAliasIndex::new(masses.to_vec()).expect("answer masses are non-negative with a positive total");
    let ok: Vec<bool> = (0..masses.len()).map(|a| Some(a) == correct).collect();
    let l = rule.max_samples();
    let batches: Vec<(RunningStats, RunningStats)> = (0..trials.div_ceil(BATCH_SIZE))
        .into_par_iter()
        .map(|b| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(b);
            let (mut used, mut acc) = (RunningStats::default(), RunningStats::default());
            let mut seq = vec![0u32; l];
            for _ in 0..BATCH_SIZE.min(trials - b * BATCH_SIZE) {
                seq.iter_mut().for_each(|a| *a = alias.sample(&mut rng) as u32);
                let s = replay(rule, &seq, &ok);
                used.push(s.used as f64);
                acc.push(s.credit);
            }
            (used, acc)
        })
        .collect();
    let (mut used, mut acc) = (RunningStats::default(), RunningStats::default());
    for (u, a) in &batches {
        used.merge(u);
        acc.merge(a);
    }
    SimulatedCost { expected_samples: used.estimate(0.0), accuracy: acc.estimate(0.0) }
}
