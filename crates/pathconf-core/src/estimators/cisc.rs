//! CISC on a path distribution (Taubenfeld et al., 2025): each sampled path
//! votes with weight `softmax_i(p_i / T)` over the `n` sampled paths (repeats
//! included), where the confidence is the path's internal probability `p_i`
//! — the response probability of the paper's framework. The softmax
//! normaliser is common to every answer, so
//!
//! `p̂_CISC(a) = Σ_{i: g(t_i) = a} e^{p_i/T} / Σ_i e^{p_i/T}`;
//!
//! `T → ∞` is SC, `T → 0` chooses the answer of the most probable sampled
//! path (PPL). Its `n → ∞` limit and error terms are in
//! [`crate::theory::weighted`].

use super::Estimator;
use super::EstimatorId;
use crate::aggregate::cisc::softmax_weight;
use crate::sample::Sample;

/// CISC with softmax temperature `temperature` (`∞` allowed: SC).
#[derive(Debug, Clone, Copy)]
pub struct Cisc {
    /// Softmax temperature `T > 0`.
    pub temperature: f64,
}

impl Estimator for Cisc {
    fn id(&self) -> EstimatorId {
        EstimatorId::Cisc
    }

    fn answer_scores(&self, sample: &Sample, out: &mut [f64]) {
        out.iter_mut().for_each(|s| *s = 0.0);
        if sample.is_empty() {
            return;
        }
        let max = sample.paths().iter().map(|p| p.prob).fold(f64::NEG_INFINITY, f64::max);
        let mut total = 0.0;
        for p in sample.paths() {
            let w = softmax_weight(p.prob, max, self.temperature);
            out[p.answer as usize] += w;
            total += w;
        }
        out.iter_mut().for_each(|s| *s /= total);
    }
}
