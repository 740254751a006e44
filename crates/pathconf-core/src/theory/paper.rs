//! The paper's closed forms exactly as printed, and the bounds.
//!
//! These are *claims to audit*, not pathconf's own formulas: [`crate::verify`]
//! compares each with exhaustive enumeration and Monte Carlo and reports
//! whether it holds exactly, only as a bound, or differs.
//!
//! | function | printed statement |
//! |---|---|
//! | [`prop1_two_term`] | Prop. 1: `R = E[(p̂ − p)²] + (p − I)²` (no cross term) |
//! | [`prop2_estimation`] | Prop. 2: SC estimation error `p (1 − p) / n` |
//! | [`prop3_estimation`] | Prop. 3: PPL estimation error `(1 − p_t)^n p_t²` |
//! | [`thm4_reasoning`] | Thm. 4: `R_PC = α^n p (2I − (1 + α^n) p) + (p − I)²`, `α = 1 − p/k` |
//! | [`thm4_rate`] | Thm. 4 rate: `MSE_PC ≤ α^n p²` |
//! | [`bound_missed_mass`] | `MSE_PC ≤ p_a Σ_t p_t (1 − p_t)^n` |
//! | [`bound_pmin`] | `MSE_PC ≤ p_a² (1 − p_min)^n` |

use super::grouped::Grouped;
use super::miss;
use super::pc::missed_mass;

/// Proposition 1 as printed: reasoning error = estimation error + model error.
pub fn prop1_two_term(target: f64, indicator: f64, estimation_error: f64) -> f64 {
    estimation_error + (target - indicator).powi(2)
}

/// Proposition 2: SC estimation error `p (1 − p) / n` (`n ≥ 1`).
pub fn prop2_estimation(p: f64, n: u64) -> f64 {
    p * (1.0 - p) / n as f64
}

/// Proposition 2's reasoning error through Proposition 1: `p(1−p)/n + (p − I)²`.
pub fn prop2_reasoning(p: f64, indicator: f64, n: u64) -> f64 {
    prop1_two_term(p, indicator, prop2_estimation(p, n))
}

/// Proposition 3: PPL estimation error `(1 − p_t)^n p_t²`.
pub fn prop3_estimation(p_t: f64, n: u64) -> f64 {
    miss(p_t, n) * p_t * p_t
}

/// Proposition 3's reasoning error through Proposition 1: `(1 − p_t)^n p_t² + (p_t − I)²`.
pub fn prop3_reasoning(p_t: f64, indicator: f64, n: u64) -> f64 {
    prop1_two_term(p_t, indicator, prop3_estimation(p_t, n))
}

/// Theorem 4 as printed, for an answer of mass `p` with `k` equally likely
/// paths: `α^n p (2I − (1 + α^n) p) + (p − I)²`, `α = 1 − p/k`.
pub fn thm4_reasoning(p: f64, k: usize, indicator: f64, n: u64) -> f64 {
    let an = miss(p / k as f64, n);
    an * p * (2.0 * indicator - (1.0 + an) * p) + (p - indicator).powi(2)
}

/// Theorem 4's convergence rate read as a bound on the estimation error:
/// `α^n p²`, `α = 1 − p/k`.
pub fn thm4_rate(p: f64, k: usize, n: u64) -> f64 {
    miss(p / k as f64, n) * p * p
}

/// `p_a Σ_t p_t (1 − p_t)^n` — pathconf's first general bound on `MSE_PC`.
pub fn bound_missed_mass(probs: &[f64], n: u64) -> f64 {
    let g = Grouped::new(probs);
    g.mass() * missed_mass(&g, n)
}

/// `p_a² (1 − p_min)^n` — the second, looser bound (`p_min` over positive paths).
pub fn bound_pmin(probs: &[f64], n: u64) -> f64 {
    let g = Grouped::new(probs);
    match g.probs.first() {
        Some(&p_min) => g.mass().powi(2) * miss(p_min, n),
        None => 0.0,
    }
}

/// `Some(k)` if all `probs` are equal (the paper's assumption for Theorem 4).
pub fn equal_path_count(probs: &[f64]) -> Option<usize> {
    let first = *probs.first()?;
    probs.iter().all(|&p| p == first).then_some(probs.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The printed forms on cases worked by hand (mutation testing found
    /// the reasoning forms and the bounds' `p_a` unchecked: the properties
    /// compare the bounds only from above).
    #[test]
    fn printed_forms_on_hand_worked_cases() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-15;
        // Prop. 2 through Prop. 1: 0.3 · 0.7 / 4 + (0.3 − 1)² = 0.0525 + 0.49.
        assert!(close(prop2_reasoning(0.3, 1.0, 4), 0.5425));
        // Prop. 3 through Prop. 1: (1 − 0.2) · 0.2² = 0.032 (n = 1), plus (0.2 − 0)² = 0.04.
        assert!(close(prop3_reasoning(0.2, 0.0, 1), 0.072));
        // Theorem 4 at p = ½, one path, I = 0, n = 1: α = ½, so
        // ½ · ½ · (0 − 1.5 · ½) + ¼ = 0.0625 (the exact error is 0.125).
        assert!(close(thm4_reasoning(0.5, 1, 0.0, 1), 0.0625));
        assert!(close(thm4_rate(0.5, 1, 1), 0.125));
        // ... and with k = 2 paths (p = 0.4, I = 1, n = 1): α = 1 − 0.4/2 = 0.8,
        // 0.8 · 0.4 · (2 − 1.8 · 0.4) + 0.6² = 0.4096 + 0.36. (Mutation
        // testing: α = 1 − p, right only at k = 1, went unseen.)
        assert!(close(thm4_reasoning(0.4, 2, 1.0, 1), 0.7696));
        // Paths 0.2, 0.1, 0.1 (p_a = 0.4) at n = 2:
        // p_a Σ p_t (1 − p_t)² = 0.4 · (0.2 · 0.64 + 2 · 0.1 · 0.81) = 0.116;
        // p_a² (1 − p_min)² = 0.16 · 0.81 = 0.1296.
        assert!(close(bound_missed_mass(&[0.2, 0.1, 0.1], 2), 0.116));
        assert!(close(bound_pmin(&[0.2, 0.1, 0.1], 2), 0.1296));
        assert_eq!(equal_path_count(&[0.1, 0.1]), Some(2));
        assert_eq!(equal_path_count(&[0.1, 0.2]), None);
    }
}
