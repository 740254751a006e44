//! Self-consistency (majority vote), paper Proposition 2.
//!
//! `p̂_SC(a) = (1/n) · #{i : g(t_i) = a}` — the empirical answer frequency,
//! unbiased with estimation error `p_a (1 − p_a) / n`.

use super::Estimator;
use super::EstimatorId;
use crate::sample::Sample;

/// Self-consistency: the fraction of sampled paths that reach each answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct SelfConsistency;

impl Estimator for SelfConsistency {
    fn id(&self) -> EstimatorId {
        EstimatorId::Sc
    }

    fn answer_scores(&self, sample: &Sample, out: &mut [f64]) {
        out.iter_mut().for_each(|s| *s = 0.0);
        if sample.is_empty() {
            return;
        }
        for p in sample.paths() {
            out[p.answer as usize] += 1.0;
        }
        let n = sample.len() as f64;
        out.iter_mut().for_each(|s| *s /= n);
    }
}
