//! The field's confidence-weighted and filtered votes, as arithmetic on one
//! question's paths: per path an answer group and a confidence signal in,
//! per group a score out (the answer is the argmax with ties split,
//! [`crate::select`]; its confidence is its share of the total score).
//!
//! | file | method | paper |
//! |---|---|---|
//! | [`cisc`] | CISC: softmax / linear / tie-break weights from a confidence | Taubenfeld et al., 2025 |
//! | [`deepconf`] | DeepConf offline: keep the top η% by a trace score, then a score-weighted vote | Fu et al., 2025 |
//! | [`borda`] | self-certainty Borda: the path at rank r gets `(N − r)^p` votes | Kang et al., 2025 |
//! | [`wqd`] | within-question discrimination of a signal | Taubenfeld et al., 2025 |
//!
//! The signals themselves are computed in [`crate::confidence`]; the
//! evaluator wires them to files ([`crate::eval`]); the theory of weighted
//! votes on a path distribution is [`crate::theory::weighted`].

pub mod borda;
pub mod cisc;
pub mod deepconf;
pub mod wqd;

pub use borda::borda_votes;
pub use cisc::{cisc_weights, CiscKind};
pub use deepconf::{percentile_linear, top_eta_keep};
pub use wqd::{within_question_discrimination, Wqd};

/// Per group, the summed weight of its paths (`group[i]` is path `i`'s group,
/// `weight[i]` its weight; paths with `keep[i] = false` do not vote).
pub fn weighted_vote(group: &[u32], weight: &[f64], keep: Option<&[bool]>, n_groups: usize) -> Vec<f64> {
    let mut out = vec![0.0; n_groups];
    for (i, (&g, &w)) in group.iter().zip(weight).enumerate() {
        if keep.is_none_or(|k| k[i]) {
            out[g as usize] += w;
        }
    }
    out
}
