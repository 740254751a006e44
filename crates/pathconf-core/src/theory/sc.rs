//! Self-consistency, paper Proposition 2: `E[p̂_SC(a)] = p_a` and
//! `E[(p̂_SC(a) − p_a)²] = p_a (1 − p_a) / n` (binomial variance).

use super::ErrorTerms;
use crate::distribution::PathDistribution;

/// Exact terms of SC for answer `a` at `n ≥ 1` samples; `None` at `n = 0`,
/// where the vote share `0/0` is undefined.
pub fn sc_terms(dist: &PathDistribution, a: usize, n: u64) -> Option<ErrorTerms> {
    if n == 0 {
        return None;
    }
    let p = dist.answer_mass(a);
    Some(ErrorTerms::from_moments(p, dist.indicator(a), p, p * (1.0 - p) / n as f64))
}
