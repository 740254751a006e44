//! Reasoning pruning with a fixed threshold `τ`, then PC.
//!
//! Kept paths `K_a = {t : g(t) = a, p_t ≥ τ}`, pruned mass
//! `m_a = Σ_{g(t)=a, p_t<τ} p_t`. Then `p̂_RP(a) − p_a = −(m_a + Σ_{K_a} p_t M_t)`, so
//!
//! ```text
//! E[p̂_RP(a)] = Σ_{K_a} p_t (1 − (1 − p_t)^n)
//! MSE_RP(a)  = m_a² + 2 m_a Σ_{K_a} p_t (1 − p_t)^n + MSE_PC(K_a)
//! ```
//!
//! The reasoning error is piecewise constant in `τ` between consecutive path
//! probabilities, so the exact optimum `τ*(n)` is found by scanning them
//! (paper, Remark 6 and Theorem 7).

use super::grouped::Grouped;
use super::pc::{missed_mass, pc_mse_grouped, Moments};
use super::{hit, ErrorTerms};
use crate::distribution::PathDistribution;

/// Exact `E[p̂_RP]` and `MSE_RP` for one answer's path probabilities.
pub fn rp_moments(probs: &[f64], n: u64, tau: f64) -> Moments {
    let kept: Vec<f64> = probs.iter().copied().filter(|&p| p >= tau).collect();
    let pruned: f64 = probs.iter().copied().filter(|&p| p < tau).sum();
    let g = Grouped::new(&kept);
    let mean = g.iter().map(|(q, c)| c * q * hit(q, n)).sum();
    let mse = pruned * pruned + 2.0 * pruned * missed_mass(&g, n) + pc_mse_grouped(&g, n);
    Moments { mean, mse }
}

/// Exact terms of RP(τ) for answer `a` at `n` samples.
pub fn rp_terms(dist: &PathDistribution, a: usize, n: u64, tau: f64) -> ErrorTerms {
    let m = rp_moments(&dist.probs_of(a), n, tau);
    ErrorTerms::from_moments(dist.answer_mass(a), dist.indicator(a), m.mean, m.mse)
}

/// The exact optimal threshold at `n` ([`optimal_tau_total`]).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct OptimalTau {
    /// The smallest `τ` attaining the minimum (a path probability, or 0).
    pub tau: f64,
    /// Reasoning error at `τ`.
    pub reasoning_error: f64,
    /// Reasoning error without pruning (`τ = 0`, i.e. PC).
    pub reasoning_error_pc: f64,
}

/// Total reasoning error `Σ_a R_RP(a; τ)` over all answers (one threshold for
/// all answers, as RP applies it).
pub fn total_reasoning_error(dist: &PathDistribution, n: u64, tau: f64) -> f64 {
    (0..dist.n_answers()).map(|a| rp_terms(dist, a, n, tau).reasoning_error).sum()
}

/// The threshold minimising [`total_reasoning_error`] among those that keep
/// at least one path, scanning `0` and every distinct path probability (the
/// error is constant between them). A threshold above every path prunes
/// everything — RP then answers nothing, so it is not an estimator — though
/// its error, `Σ_a I_a² = 1`, can be smaller (a dominant wrong answer: paths
/// 1/3 correct, 2/3 wrong, n = 1 give PC 1.11; found by the property search).
pub fn optimal_tau_total(dist: &PathDistribution, n: u64) -> OptimalTau {
    let all: Vec<f64> = dist.paths().iter().map(|p| p.prob).collect();
    let g = Grouped::new(&all);
    let at_zero = total_reasoning_error(dist, n, 0.0);
    let mut best = OptimalTau { tau: 0.0, reasoning_error: at_zero, reasoning_error_pc: at_zero };
    for &q in &g.probs {
        let r = total_reasoning_error(dist, n, q);
        if r < best.reasoning_error {
            best.tau = q;
            best.reasoning_error = r;
        }
    }
    best
}
