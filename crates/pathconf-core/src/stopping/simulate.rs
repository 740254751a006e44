//! Monte Carlo of a stopping rule from a path distribution, for when no exact
//! programme applies. Count-based rules draw answers from the answer masses;
//! the path rules draw paths. Batched as every Monte Carlo in pathconf
//! ([`crate::montecarlo::in_batches`]): the result does not depend on the
//! thread count.

use super::pc_stop::PathDraws;
use super::replay::replay_with_paths;
use super::rule::{StopCache, StopRule};
use crate::montecarlo::{in_batches, Estimate, RunningStats};
use crate::select::THEORY_TIE_TOL;
use crate::PathDistribution;
use rand_distr::{weighted::WeightedAliasIndex, Distribution};

/// Estimated cost and accuracy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimulatedCost {
    /// `E[samples used]`.
    pub expected_samples: Estimate,
    /// `P(answer correct)`, ties split.
    pub accuracy: Estimate,
}

/// Simulates `trials ≥ 2` runs of `rule` on `d`.
pub fn simulate_cost(rule: &StopRule, d: &PathDistribution, trials: u64, seed: u64) -> SimulatedCost {
    let ok: Vec<bool> = (0..d.n_answers()).map(|a| Some(a) == d.correct()).collect();
    let l = rule.max_samples();
    let paths = rule.needs_paths();
    let weights: Vec<f64> = if paths { d.paths().iter().map(|p| p.prob).collect() } else { d.answer_masses().to_vec() };
    let alias = WeightedAliasIndex::new(weights).expect("a validated distribution has a positive total");
    let probs: Vec<f64> = d.paths().iter().map(|p| p.prob).collect();
    let answer_of: Vec<u32> = d.paths().iter().map(|p| p.answer as u32).collect();
    let batches: Vec<(RunningStats, RunningStats)> = in_batches(trials, seed, |rng, count| {
        let (mut used, mut acc) = (RunningStats::default(), RunningStats::default());
        let (mut ids, mut seq) = (vec![0u32; l], vec![0u32; l]);
        let mut cache = StopCache::default();
        for _ in 0..count {
            ids.iter_mut().for_each(|a| *a = alias.sample(rng) as u32);
            if paths {
                seq.iter_mut().zip(&ids).for_each(|(a, &t)| *a = answer_of[t as usize]);
            } else {
                seq.copy_from_slice(&ids);
            }
            let s = replay_with_paths(rule, &seq, &ok, &PathDraws { ids: &ids, probs: &probs }, THEORY_TIE_TOL, &mut cache);
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
