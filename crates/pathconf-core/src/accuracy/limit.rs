//! The `n → ∞` selection accuracy: once every path of positive probability has
//! been sampled (PC, PPL, RP) or the vote shares equal the answer masses (SC),
//! the choice is deterministic.
//!
//! - SC and PC choose `argmax_a p_a` (their common model, Theorem 4);
//! - PPL chooses the answers of the most probable path(s);
//! - RP(τ) chooses `argmax_a Σ_{g(t)=a, p_t ≥ τ} p_t` (all answers tie at 0 if
//!   nothing is kept).
//!
//! Ties split the credit as everywhere else. RPC's rule depends on the sample,
//! so it has no limit here.

use crate::distribution::PathDistribution;
use crate::estimators::EstimatorId;
use crate::select::{select_within, THEORY_TIE_TOL};

/// The limiting accuracy, or `None` for RPC, CISC (its limit needs a
/// temperature: [`crate::theory::weighted::cisc_limit_accuracy`]) and the
/// methods that need token-level signals.
pub fn limit_accuracy(dist: &PathDistribution, id: EstimatorId, tau: Option<f64>) -> Option<f64> {
    let na = dist.n_answers();
    let correct = |a: usize| dist.correct() == Some(a);
    let scores: Vec<f64> = match id {
        EstimatorId::Sc | EstimatorId::Pc => dist.answer_masses().to_vec(),
        EstimatorId::Ppl => (0..na).map(|a| dist.paths_of(a).iter().map(|p| p.prob).fold(0.0, f64::max)).collect(),
        EstimatorId::Rp => {
            let tau = tau?;
            (0..na).map(|a| dist.paths_of(a).iter().filter(|p| p.prob >= tau).map(|p| p.prob).sum()).collect()
        }
        EstimatorId::Rpc | EstimatorId::Cisc | EstimatorId::DeepConf | EstimatorId::SelfCertaintyBorda => return None,
    };
    Some(select_within(scores.iter().enumerate().map(|(a, &s)| (s, correct(a))), THEORY_TIE_TOL).credit)
}
