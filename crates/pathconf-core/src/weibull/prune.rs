//! RPC's automatic pruning rule on top of the mixture fit.

use super::density::Mixture;
use super::fit::{fit, FitResult};
use super::memo::FitMemo;
use crate::estimators::{Estimator, EstimatorId, PruneRule, ReasoningPruning};
use crate::sample::Sample;

/// The reference's rule: drop path `i` when `ln((1−w) W_low(q_i)) >
/// ln(w W_high(q_i))` (low membership exceeds high) and `q_i` is below the
/// mean of all sampled `q`. If the fit is impossible (fewer than two distinct
/// values), nothing is pruned.
///
/// As a [`PruneRule`] (the theory setting, where `q` are true path
/// probabilities that can be far below the reference's `exp(mean_logprob)`
/// range), the probabilities are divided by their sample maximum before the
/// fit: the rule's mean test is scale-free, but the fit's bound `λ ≥ 0.01` is
/// not. The evaluator ([`crate::eval`]) calls [`WeibullPruning::fit_and_mask`]
/// on the raw values, as the reference does.
#[derive(Debug, Clone, Copy, Default)]
pub struct WeibullPruning;

/// RPC's decision on one sample: the fit and which paths survive.
#[derive(Debug, Clone, PartialEq)]
pub struct WeibullKeep {
    /// The fitted mixture, if the data allowed a fit (else nothing is pruned).
    pub fit: Option<FitResult>,
    /// `keep[i]` for every path of the sample, repeats included.
    pub keep: Vec<bool>,
}

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
    /// Fits the mixture to the sampled probabilities: the fit (if one could
    /// be made) and the keep mask over `sample.paths()`.
    pub fn fit_and_mask(sample: &Sample) -> WeibullKeep {
        Self::fit_and_mask_from(sample, &FitMemo::default())
    }

    /// [`Self::fit_and_mask`] with the fit taken from `memo` when it holds
    /// one for these values (the same result either way).
    pub fn fit_and_mask_from(sample: &Sample, memo: &FitMemo) -> WeibullKeep {
        let q: Vec<f64> = sample.paths().iter().map(|p| p.prob).collect();
        match memo.fit(&q) {
            Ok(f) => WeibullKeep { keep: prune_mask(&q, &f.mixture), fit: Some(f) },
            Err(_) => WeibullKeep { fit: None, keep: vec![true; q.len()] },
        }
    }
}

impl PruneRule for WeibullPruning {
    fn keep(&self, sample: &Sample, keep: &mut Vec<bool>) {
        let top = sample.paths().iter().map(|p| p.prob).fold(0.0, f64::max);
        let q: Vec<f64> = sample.paths().iter().map(|p| p.prob / top).collect();
        *keep = match fit(&q) {
            Ok(f) => prune_mask(&q, &f.mixture),
            Err(_) => vec![true; q.len()],
        };
    }
}

impl Estimator for ReasoningPruning<WeibullPruning> {
    fn id(&self) -> EstimatorId {
        EstimatorId::Rpc
    }

    fn answer_scores(&self, sample: &Sample, out: &mut [f64]) {
        let mut keep = Vec::new();
        self.scores_with_mask(sample, out, &mut keep);
    }
}
