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

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-worked limits (mutation testing: a constant 1 passed — the
    /// limit was only compared with itself through the target search).
    /// Answers A (paths 0.25, 0.15), B (0.3), C (0.2, 0.1): SC and PC pick A
    /// (mass 0.4), PPL picks B (the most probable path), RP at τ = 0.2 keeps
    /// 0.25, 0.3, 0.2 and picks B (0.3 > 0.25 > 0.2).
    #[test]
    fn limits_on_a_hand_worked_case() {
        let groups = [("A", vec![0.25, 0.15]), ("B", vec![0.3]), ("C", vec![0.2, 0.1])];
        let on = |correct: &str, id: EstimatorId, tau: Option<f64>| limit_accuracy(&PathDistribution::new(&groups, Some(correct)).unwrap(), id, tau);
        for id in [EstimatorId::Sc, EstimatorId::Pc] {
            assert_eq!(on("A", id, None), Some(1.0));
            assert_eq!(on("B", id, None), Some(0.0));
        }
        assert_eq!(on("A", EstimatorId::Ppl, None), Some(0.0));
        assert_eq!(on("B", EstimatorId::Ppl, None), Some(1.0));
        assert_eq!(on("B", EstimatorId::Rp, Some(0.2)), Some(1.0));
        assert_eq!(on("A", EstimatorId::Rp, Some(0.2)), Some(0.0));
        // At τ = 0.26 only B's path is kept; above every path, all tie at 0.
        assert_eq!(on("B", EstimatorId::Rp, Some(0.26)), Some(1.0));
        assert_eq!(on("C", EstimatorId::Rp, Some(0.5)), Some(1.0 / 3.0));
        assert_eq!(on("A", EstimatorId::Rp, None), None, "RP needs its threshold");
        assert_eq!(on("A", EstimatorId::Rpc, None), None);
        // A two-way tie splits the credit.
        let tie = PathDistribution::new(&[("A", vec![0.4]), ("B", vec![0.4]), ("C", vec![0.2])], Some("A")).unwrap();
        assert_eq!(limit_accuracy(&tie, EstimatorId::Sc, None), Some(0.5));
    }
}
