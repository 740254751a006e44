//! Perplexity at path level, paper Proposition 3: `p̂(t) = p_t S_t`, so
//! `E[p̂(t)] = p_t (1 − (1 − p_t)^n)` and `E[(p̂(t) − p_t)²] = p_t² (1 − p_t)^n`;
//! the target is `p_t` and the indicator `1[g(t) = y]`.
//!
//! An answer with many paths has as many PPL rows; [`ppl_answer_summary`]
//! folds them into one: the terms of a path drawn from the answer's own
//! paths in proportion to their probability (weights `w_t = p_t / p_a`),
//!
//! ```text
//! T̄(a) = Σ_{t ∈ a} (p_t / p_a) · T(t)      for every term T of Proposition 1,
//! ```
//!
//! a linear average, so `R̄ = est̄ + model̄ + cross̄` still holds, with target
//! `Σ_t p_t² / p_a`; the worst path (largest reasoning error) is named beside it.

use super::{miss_hit, paper, ErrorTerms};
use crate::distribution::PathDistribution;
use serde::Serialize;

/// Exact terms of PPL for path `j` of answer `a` at `n` samples.
pub fn ppl_terms(dist: &PathDistribution, a: usize, j: usize, n: u64) -> ErrorTerms {
    path_terms(dist.paths_of(a)[j].prob, dist.indicator(a), n).0
}

/// The terms of one path, and its `(1 − p)^n`.
fn path_terms(p: f64, indicator: f64, n: u64) -> (ErrorTerms, f64) {
    let (miss, hit) = miss_hit(p, n);
    (ErrorTerms::from_moments(p, indicator, p * hit, p * p * miss), miss)
}

/// How an answer's PPL paths were folded into one row.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PathSummary {
    /// Number of paths averaged.
    pub paths: usize,
    /// Index (within the answer) of the path with the largest reasoning
    /// error; the first such path on ties.
    pub worst_path: usize,
    /// That path's reasoning error `E[(p̂(t) − I)²]`.
    pub worst_reasoning_error: f64,
}

/// PPL's terms for answer `a`, averaged over its paths with weights
/// `p_t / p_a` (uniform when `p_a = 0`): `(terms, target Σ w_t p_t, the same
/// average of Proposition 3's printed reasoning error, summary)`. `None` for
/// an answer without paths.
pub fn ppl_answer_summary(dist: &PathDistribution, a: usize, n: u64) -> Option<(ErrorTerms, f64, f64, PathSummary)> {
    let paths = dist.paths_of(a);
    if paths.is_empty() {
        return None;
    }
    let (mass, ind) = (dist.answer_mass(a), dist.indicator(a));
    let weight = |p: f64| if mass > 0.0 { p / mass } else { 1.0 / paths.len() as f64 };
    let mut sum = [0.0; 7]; // six terms, then the target
    let mut printed = 0.0;
    let mut worst = PathSummary { paths: paths.len(), worst_path: 0, worst_reasoning_error: f64::NEG_INFINITY };
    for (j, path) in paths.iter().enumerate() {
        let (p, w) = (path.prob, weight(path.prob));
        let (t, miss) = path_terms(p, ind, n);
        if t.reasoning_error > worst.worst_reasoning_error {
            (worst.worst_path, worst.worst_reasoning_error) = (j, t.reasoning_error);
        }
        for (s, x) in sum.iter_mut().zip([t.expected_confidence, t.bias, t.estimation_error, t.model_error, t.cross_term, t.reasoning_error, p]) {
            *s += w * x;
        }
        printed += w * paper::prop1_two_term(p, ind, miss * p * p); // Proposition 3 as printed, `(1 − p_t)^n p_t²`
    }
    let [expected_confidence, bias, estimation_error, model_error, cross_term, reasoning_error, target] = sum;
    Some((ErrorTerms { expected_confidence, bias, estimation_error, model_error, cross_term, reasoning_error }, target, printed, worst))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist() -> PathDistribution {
        let groups = vec![("A".to_string(), vec![0.2, 0.1]), ("B".to_string(), vec![0.3]), ("C".to_string(), vec![0.4])];
        PathDistribution::from_weights(&groups, Some("A")).unwrap()
    }

    #[test]
    fn summary_is_the_mass_weighted_mean_of_the_path_rows() {
        let d = dist();
        for n in [0, 1, 3, 8] {
            let (t, target, printed, s) = ppl_answer_summary(&d, 0, n).unwrap();
            let (t0, t1) = (ppl_terms(&d, 0, 0, n), ppl_terms(&d, 0, 1, n));
            // weights 0.2/0.3 and 0.1/0.3, written out by hand
            let mean = |x: f64, y: f64| (2.0 * x + y) / 3.0;
            assert!((t.reasoning_error - mean(t0.reasoning_error, t1.reasoning_error)).abs() < 1e-15);
            assert!((t.estimation_error - mean(t0.estimation_error, t1.estimation_error)).abs() < 1e-15);
            assert!((target - mean(0.2, 0.1)).abs() < 1e-15);
            assert!((t.estimation_error + t.model_error + t.cross_term - t.reasoning_error).abs() < 1e-14);
            let p3 = mean(paper::prop3_reasoning(0.2, 1.0, n), paper::prop3_reasoning(0.1, 1.0, n));
            assert!((printed - p3).abs() < 1e-15);
            assert_eq!(s.paths, 2);
            // for the correct answer the less likely path is further from I = 1;
            // at n = 0 the more likely one is (its row's second moment p² is larger)
            assert_eq!(t0.reasoning_error > t1.reasoning_error, n == 0);
            assert_eq!(s.worst_path, if n == 0 { 0 } else { 1 });
            assert_eq!(s.worst_reasoning_error, t1.reasoning_error.max(t0.reasoning_error));
        }
        // one path: the summary is that path's row
        let (t, target, _, s) = ppl_answer_summary(&d, 2, 5).unwrap();
        assert_eq!((t, target, s.paths, s.worst_path), (ppl_terms(&d, 2, 0, 5), 0.4, 1, 0));
    }

    /// Paths of equal probability have equal rows; the summary names the
    /// first of them as the worst, as documented. (Mutation testing: `>=`
    /// for `>` named the last and passed unseen — the test above has no tie.)
    #[test]
    fn the_first_of_tied_paths_is_named_worst() {
        let groups = vec![("A".to_string(), vec![0.3, 0.3, 0.3]), ("B".to_string(), vec![0.1])];
        let d = PathDistribution::from_weights(&groups, Some("A")).unwrap();
        for n in [0, 1, 4] {
            for a in 0..2 {
                let (_, _, _, s) = ppl_answer_summary(&d, a, n).unwrap();
                assert_eq!(s.worst_path, 0, "answer {a}, n = {n}");
                assert_eq!(s.worst_reasoning_error, ppl_terms(&d, a, 0, n).reasoning_error);
            }
        }
    }

    /// An answer of zero mass folds its paths with uniform weights, as
    /// documented: its summary is the mean of its (equal) path rows, not
    /// 0/0. (Mutation testing: `>=` for `>` in the weight divided by the
    /// zero mass and passed unseen.)
    #[test]
    fn an_answer_of_zero_mass_is_folded_uniformly() {
        let d = PathDistribution::new(&[("A", vec![0.6, 0.4]), ("B", vec![0.0, 0.0])], Some("A")).unwrap();
        for n in [1, 4] {
            let (t, target, printed, s) = ppl_answer_summary(&d, 1, n).unwrap();
            assert_eq!(t, ppl_terms(&d, 1, 0, n), "n = {n}");
            assert_eq!((target, s.paths), (0.0, 2));
            assert_eq!(printed, paper::prop3_reasoning(0.0, 0.0, n));
        }
    }
}
