//! RPC's automatic pruning rule on top of the mixture fit.

use super::density::Mixture;
use super::fit::{fit, FitResult};
use crate::estimators::PruneRule;
use crate::sample::Sample;

/// The reference's rule: drop path `i` when `ln((1−w) W_low(q_i)) >
/// ln(w W_high(q_i))` (low membership exceeds high) and `q_i` is below the
/// mean of all sampled `q`. If the fit is impossible (fewer than two distinct
/// values), nothing is pruned.
#[derive(Debug, Clone, Copy, Default)]
pub struct WeibullPruning;

/// The keep mask for probabilities `q` under a fitted mixture (high first).
pub fn prune_mask(q: &[f64], mixture: &Mixture) -> Vec<bool> {
    let mean = q.iter().sum::<f64>() / q.len() as f64;
    q.iter()
        .map(|&x| {
            let (high, low) = mixture.weighted_log_densities(x);
            !(high < low && x < mean)
        })
        .collect()
}

impl WeibullPruning {
    /// Fits the mixture to the sampled probabilities and returns the fit (if
    /// one could be made) with the keep mask over `sample.paths()`.
    pub fn fit_and_mask(sample: &Sample) -> (Option<FitResult>, Vec<bool>) {
        let q: Vec<f64> = sample.paths().iter().map(|p| p.prob).collect();
        match fit(&q) {
            Ok(f) => {
                let mask = prune_mask(&q, &f.mixture);
                (Some(f), mask)
            }
            Err(_) => (None, vec![true; q.len()]),
        }
    }
}

impl PruneRule for WeibullPruning {
    fn name(&self) -> &'static str {
        "rpc"
    }

    fn keep(&self, sample: &Sample, keep: &mut Vec<bool>) {
        *keep = Self::fit_and_mask(sample).1;
    }
}
