//! Perplexity at path level, paper Proposition 3: `p̂(t) = p_t S_t`, so
//! `E[p̂(t)] = p_t (1 − (1 − p_t)^n)` and `E[(p̂(t) − p_t)²] = p_t² (1 − p_t)^n`;
//! the target is `p_t` and the indicator `1[g(t) = y]`.

use super::{hit, miss, ErrorTerms};
use crate::distribution::PathDistribution;

/// Exact terms of PPL for path `j` of answer `a` at `n` samples.
pub fn ppl_terms(dist: &PathDistribution, a: usize, j: usize, n: u64) -> ErrorTerms {
    let p = dist.paths_of(a)[j].prob;
    ErrorTerms::from_moments(p, dist.indicator(a), p * hit(p, n), p * p * miss(p, n))
}
