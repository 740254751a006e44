//! Reasoning pruning followed by perplexity consistency (paper Section 4.2).
//!
//! A [`PruneRule`] decides which sampled paths to keep; PC then sums the
//! probabilities of the distinct kept paths. With [`FixedThreshold`] `τ`
//! (keep `p_t ≥ τ`) the exact error is
//! `MSE_RP(a) = m_a² + 2 m_a Σ_{K_a} p_t (1 − p_t)^n + MSE_PC(K_a)`
//! ([`crate::theory::rp`]). The reference's automatic rule is
//! [`crate::weibull::WeibullPruning`].

use super::{Estimator, EstimatorId};
use crate::sample::Sample;

/// Decides which sampled paths survive pruning.
pub trait PruneRule: Send + Sync {
    /// Sets `keep[i]` for every path `i` of `sample.paths()` (with repeats;
    /// `keep` is resized to the sample length).
    fn keep(&self, sample: &Sample, keep: &mut Vec<bool>);
}

/// Keep paths with `p_t ≥ τ`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FixedThreshold {
    /// The threshold `τ ∈ [0, 1]`.
    pub tau: f64,
}

impl PruneRule for FixedThreshold {
    fn keep(&self, sample: &Sample, keep: &mut Vec<bool>) {
        keep.clear();
        keep.extend(sample.paths().iter().map(|p| p.prob >= self.tau));
    }
}

/// PC over the kept paths: each distinct kept path's probability once, added
/// to its answer (`keep[i]` refers to `sample.paths()[i]`).
pub fn pc_over_kept(sample: &Sample, keep: &[bool], out: &mut [f64]) {
    out.iter_mut().for_each(|s| *s = 0.0);
    let mut seen = std::collections::HashSet::new();
    for (p, &k) in sample.paths().iter().zip(keep) {
        if k && seen.insert(p.id) {
            out[p.answer as usize] += p.prob;
        }
    }
}

/// Reasoning pruning with rule `R`, then PC over the distinct kept paths.
#[derive(Debug, Clone, Copy)]
pub struct ReasoningPruning<R> {
    /// The pruning rule.
    pub rule: R,
}

impl<R: PruneRule> ReasoningPruning<R> {
    /// RP with the given rule.
    pub fn new(rule: R) -> Self {
        Self { rule }
    }

    /// Scores and the keep mask (for reporting which paths were pruned).
    pub fn scores_with_mask(&self, sample: &Sample, out: &mut [f64], keep: &mut Vec<bool>) {
        self.rule.keep(sample, keep);
        pc_over_kept(sample, keep, out);
    }
}

impl ReasoningPruning<FixedThreshold> {
    /// RP with a fixed threshold `τ`.
    pub fn fixed(tau: f64) -> Self {
        Self::new(FixedThreshold { tau })
    }
}

impl Estimator for ReasoningPruning<FixedThreshold> {
    fn id(&self) -> EstimatorId {
        EstimatorId::Rp
    }

    fn answer_scores(&self, sample: &Sample, out: &mut [f64]) {
        // A fixed threshold is a function of p_t alone, so every occurrence of a
        // path shares the decision: filter the distinct paths directly.
        out.iter_mut().for_each(|s| *s = 0.0);
        for p in sample.distinct() {
            if p.prob >= self.rule.tau {
                out[p.answer as usize] += p.prob;
            }
        }
    }
}
