//! Confidence estimators over a [`Sample`] of reasoning paths.
//!
//! Every estimator maps the sampled paths to unnormalised per-answer scores
//! `p̂(a)`; the answer chosen is the argmax with ties split
//! ([`crate::select`]). One estimator per file:
//!
//! | estimator | `p̂(a)` | paper |
//! |---|---|---|
//! | [`SelfConsistency`] | `(1/n) #{i : g(t_i) = a}` | Proposition 2 |
//! | [`Perplexity`] | path level `p_t S_t`; answers with the most probable sampled path | Proposition 3 |
//! | [`PerplexityConsistency`] | `Σ_{distinct sampled t, g(t)=a} p_t` | Theorem 4 |
//! | [`ReasoningPruning`] | PC over the paths a [`PruneRule`] keeps | Section 4.2, Theorem 7 |
//! | [`Cisc`] | `Σ_{i: g(t_i)=a} e^{p_i/T} / Σ_i e^{p_i/T}` | Taubenfeld et al., 2025 |
//!
//! RPC is `ReasoningPruning<`[`crate::weibull::WeibullPruning`]`>`: the
//! reference implementation's automatic Weibull-mixture threshold. Names,
//! labels and paper references live in one place, [`registry`].

mod cisc;
mod pc;
mod ppl;
pub mod registry;
mod rp;
mod sc;

pub use cisc::Cisc;
pub use pc::PerplexityConsistency;
pub use ppl::Perplexity;
pub use registry::{EstimatorId, EstimatorInfo, REGISTRY};
pub use rp::{pc_over_kept, FixedThreshold, PruneRule, ReasoningPruning};
pub use sc::SelfConsistency;

use crate::sample::Sample;

/// A confidence estimator: sampled paths in, per-answer scores out.
pub trait Estimator: Send + Sync {
    /// Which estimator it is (its name, label and paper reference are in
    /// the [`registry`]).
    fn id(&self) -> EstimatorId;

    /// Short name (`sc`, `ppl`, `pc`, `rp`, `rpc`).
    fn name(&self) -> &'static str {
        self.id().name()
    }

    /// Writes the unnormalised score `p̂(a)` of every answer into `out`
    /// (length [`Sample::n_answers`]); answers never sampled get 0.
    fn answer_scores(&self, sample: &Sample, out: &mut [f64]);
}
