//! Monte Carlo of a stopping rule from the answer distribution, for when the
//! exact programme's count vectors are too many. Batched as every Monte Carlo
//! in pathconf ([`crate::montecarlo::in_batches`]): the result does not depend
//! on the thread count.

use super::replay::replay;
use super::rule::StopRule;
use crate::montecarlo::{in_batches, Estimate, RunningStats};
use rand_distr::{weighted::WeightedAliasIndex, Distribution};

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
    let batches: Vec<(RunningStats, RunningStats)> = in_batches(trials, seed, |rng, count| {
        let (mut used, mut acc) = (RunningStats::default(), RunningStats::default());
        let mut seq = vec![0u32; l];
        for _ in 0..count {
            seq.iter_mut().for_each(|a| *a = alias.sample(rng) as u32);
            let s = replay(rule, &seq, &ok);
            used.push(s.used as f64);
            acc.push(s.credit);
        }
        (used, acc)
    });
    let (mut used, mut acc) = (RunningStats::default(), RunningStats::default());
    for (u, a) in &batches {
        used.merge(u);
        acc.merge(a);
    }
    SimulatedCost { expected_samples: used.estimate(0.0), accuracy: acc.estimate(0.0) }
}
