//! Exact error theory for a known path distribution and `n` i.i.d. samples.
//!
//! For an answer (or, for PPL, a path) with target probability `p` and
//! indicator `I = 1[a = y]`, every estimator's reasoning error splits exactly as
//! (paper, Proposition 1, plus the cross term the paper omits):
//!
//! ```text
//! R = E[(p̂ − I)²] = E[(p̂ − p)²] + (p − I)² + 2 (p − I)(E[p̂] − p)
//!                   estimation     model      cross term
//! ```
//!
//! Closed forms: [`sc`] (Proposition 2), [`ppl`] (Proposition 3), [`pc`]
//! (pathconf's exact form behind Theorem 4), [`rp`] (fixed threshold τ), the
//! paper's printed formulas and bounds in [`paper`], and brute-force
//! [`enumerate`] for checking all of them on tiny spaces; weighted votes
//! (CISC) against their own limit in [`weighted`]; [`table`] lists every
//! estimator × answer × term at one `n`. [`pool`] gives SC's
//! and PC's error relative to a finite pool of sampled paths (real data).
//!
//! ## References
//! - Zhou et al., NeurIPS 2025, Propositions 1–3, Theorem 4, Remark 6, Theorem 7.

pub mod enumerate;
pub mod grouped;
pub mod paper;
pub mod pc;
pub mod pool;
pub mod ppl;
pub mod rp;
pub mod sc;
pub mod table;
pub mod weighted;

use serde::Serialize;

/// The error terms of one estimator for one answer (or path) at one `n`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ErrorTerms {
    /// `E[p̂]`.
    pub expected_confidence: f64,
    /// `E[p̂] − p`.
    pub bias: f64,
    /// `E[(p̂ − p)²]`.
    pub estimation_error: f64,
    /// `(p − I)²`.
    pub model_error: f64,
    /// `2 (p − I)(E[p̂] − p)`.
    pub cross_term: f64,
    /// `E[(p̂ − I)²]` = estimation + model + cross.
    pub reasoning_error: f64,
}

impl ErrorTerms {
    /// Assembles the terms from the target `p`, the indicator `I`, `E[p̂]` and
    /// the estimation error `E[(p̂ − p)²]`.
    pub fn from_moments(target: f64, indicator: f64, mean: f64, mse: f64) -> Self {
        let model_error = (target - indicator).powi(2);
        let cross_term = 2.0 * (target - indicator) * (mean - target);
        Self { expected_confidence: mean, bias: mean - target, estimation_error: mse, model_error, cross_term, reasoning_error: mse + model_error + cross_term }
    }
}

/// `(1 − p)^n`, the probability that a path of probability `p` is missed by
/// `n` draws; computed as `exp(n · ln(1 − p))` for accuracy at small `p`.
#[inline]
pub fn miss(p: f64, n: u64) -> f64 {
    if n == 0 {
        1.0
    } else if p >= 1.0 {
        0.0
    } else {
        (n as f64 * (-p).ln_1p()).exp()
    }
}

/// `1 − (1 − p)^n` without cancellation.
#[inline]
pub fn hit(p: f64, n: u64) -> f64 {
    if n == 0 {
        0.0
    } else if p >= 1.0 {
        1.0
    } else {
        // `0 − x`, not `−x`: no `−0.0` when `p = 0`.
        0.0 - (n as f64 * (-p).ln_1p()).exp_m1()
    }
}

/// `(miss(p, n), hit(p, n))` with one logarithm: the same two numbers, bit
/// for bit, for the sums that need both.
#[inline]
pub fn miss_hit(p: f64, n: u64) -> (f64, f64) {
    if n == 0 {
        (1.0, 0.0)
    } else if p >= 1.0 {
        (0.0, 1.0)
    } else {
        let l = n as f64 * (-p).ln_1p();
        (l.exp(), 0.0 - l.exp_m1())
    }
}

/// `(1 − p − q)^n`, the probability that two distinct paths are both missed
/// (rounding below zero is clamped).
#[inline]
pub fn miss2(p: f64, q: f64, n: u64) -> f64 {
    miss((p + q).min(1.0), n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn miss_hit_is_miss_and_hit_bit_for_bit() {
        for p in [0.0, 1e-300, 5e-324, 1e-12, 0.001, 0.3, 0.5, 0.999_999, 1.0, 1.5] {
            for n in [0, 1, 2, 7, 64, 4096, u64::MAX / 2] {
                let (m, h) = miss_hit(p, n);
                assert_eq!((m.to_bits(), h.to_bits()), (miss(p, n).to_bits(), hit(p, n).to_bits()), "p={p} n={n}");
            }
        }
    }
}
