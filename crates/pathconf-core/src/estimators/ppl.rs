//! Perplexity (internal probability), paper Proposition 3.
//!
//! Path level: `p̂_PPL(t) = p_t · S_t` with `S_t = 1[t sampled]`; the method
//! answers with `g` of the most probable sampled path. As an answer score we
//! report the largest sampled path probability of each answer, whose argmax is
//! that path's answer. Ties between paths are split per path, as the
//! reference does ([`crate::eval::methods`]).

use super::Estimator;
use super::EstimatorId;
use crate::sample::Sample;

/// Perplexity: confidence of the single most probable sampled path.
#[derive(Debug, Clone, Copy, Default)]
pub struct Perplexity;

impl Estimator for Perplexity {
    fn id(&self) -> EstimatorId {
        EstimatorId::Ppl
    }

    fn answer_scores(&self, sample: &Sample, out: &mut [f64]) {
        out.iter_mut().for_each(|s| *s = 0.0);
        for p in sample.paths() {
            let s = &mut out[p.answer as usize];
            *s = s.max(p.prob);
        }
    }
}
