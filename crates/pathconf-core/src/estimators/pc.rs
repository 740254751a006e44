//! Perplexity consistency, paper Theorem 4.
//!
//! `p̂_PC(a) = Σ_{t ∈ distinct sampled paths, g(t) = a} p_t`: each distinct
//! path's internal probability counted once. Exact moments are in
//! [`crate::theory::pc`].

use super::Estimator;
use super::EstimatorId;
use crate::sample::Sample;

/// Perplexity consistency: summed internal probability of distinct sampled paths.
#[derive(Debug, Clone, Copy, Default)]
pub struct PerplexityConsistency;

impl Estimator for PerplexityConsistency {
    fn id(&self) -> EstimatorId {
        EstimatorId::Pc
    }

    fn answer_scores(&self, sample: &Sample, out: &mut [f64]) {
        out.iter_mut().for_each(|s| *s = 0.0);
        for p in sample.distinct() {
            out[p.answer as usize] += p.prob;
        }
    }
}
