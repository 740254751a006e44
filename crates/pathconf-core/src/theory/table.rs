//! The table of every estimator × answer (× path, for PPL) × error term at one
//! `n`, built once for `theory`, `simulate` and `verify`.
//!
//! Row order: SC for every answer, PPL for every answer and each listed path,
//! PC for every answer, RP (when a threshold is given) for every answer. SC is
//! undefined at `n = 0` and omitted there. `paper_formula` is the paper's
//! printed reasoning error where it has one: Proposition 2 (SC) and
//! Proposition 3 (PPL) through Proposition 1's two-term decomposition,
//! Theorem 4 for PC when the answer's paths are equally likely.

use super::{paper, pc::pc_terms, ppl::ppl_terms, rp::rp_terms, sc::sc_terms, ErrorTerms};
use crate::estimators::EstimatorId;
use crate::PathDistribution;
use serde::Serialize;

/// One estimator's exact terms for one answer (or PPL path) at one `n`.
/// Serialises to `{estimator, answer, path, n, <terms>, paper_formula}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermRow {
    /// The estimator.
    pub estimator: EstimatorId,
    /// The answer's name.
    pub answer: String,
    /// Index of the path within the answer (PPL rows only).
    pub path: Option<usize>,
    /// Sample size.
    pub n: u64,
    /// The terms.
    #[serde(flatten)]
    pub terms: ErrorTerms,
    /// The paper's printed reasoning error, if it has one.
    pub paper_formula: Option<f64>,
    /// The answer's index in the distribution.
    #[serde(skip)]
    pub answer_index: usize,
    /// What `p̂` estimates: `p_a`, or `p_t` for a PPL path.
    #[serde(skip)]
    pub target: f64,
    /// `1[a = y]`.
    #[serde(skip)]
    pub indicator: f64,
}

/// Which PPL paths of an answer get a row, given the answer's path
/// probabilities.
pub type PathSelection<'a> = &'a dyn Fn(&[f64]) -> Vec<usize>;

/// Every path of the answer.
pub fn all_paths(probs: &[f64]) -> Vec<usize> {
    (0..probs.len()).collect()
}

/// The table for `dist` at `n`; RP rows only when `tau` is given; PPL rows
/// for the paths `ppl_paths` selects.
pub fn term_table(dist: &PathDistribution, n: u64, tau: Option<f64>, ppl_paths: PathSelection) -> Vec<TermRow> {
    let row = |estimator, a: usize, path: Option<usize>, target: f64, terms, paper_formula| TermRow {
        estimator,
        answer: dist.answers()[a].clone(),
        path,
        n,
        terms,
        paper_formula,
        answer_index: a,
        target,
        indicator: dist.indicator(a),
    };
    let mut out = Vec::new();
    for a in 0..dist.n_answers() {
        let (p, ind) = (dist.answer_mass(a), dist.indicator(a));
        if let Some(t) = sc_terms(dist, a, n) {
            out.push(row(EstimatorId::Sc, a, None, p, t, Some(paper::prop2_reasoning(p, ind, n))));
        }
    }
    for a in 0..dist.n_answers() {
        let (probs, ind) = (dist.probs_of(a), dist.indicator(a));
        for j in ppl_paths(&probs) {
            let pt = probs[j];
            out.push(row(EstimatorId::Ppl, a, Some(j), pt, ppl_terms(dist, a, j, n), Some(paper::prop3_reasoning(pt, ind, n))));
        }
    }
    for a in 0..dist.n_answers() {
        let (p, ind) = (dist.answer_mass(a), dist.indicator(a));
        let printed = paper::equal_path_count(&dist.probs_of(a)).filter(|_| p > 0.0).map(|k| paper::thm4_reasoning(p, k, ind, n));
        out.push(row(EstimatorId::Pc, a, None, p, pc_terms(dist, a, n), printed));
    }
    if let Some(tau) = tau {
        for a in 0..dist.n_answers() {
            out.push(row(EstimatorId::Rp, a, None, dist.answer_mass(a), rp_terms(dist, a, n, tau), None));
        }
    }
    out
}

/// CISC's rows at temperature `t` (one per answer; target `p̃(a)`, the
/// weighted vote's limit, [`super::weighted`]), by enumeration of count
/// vectors; `None` when the space is too large to enumerate.
pub fn cisc_rows(dist: &PathDistribution, n: u64, t: f64) -> Option<Vec<TermRow>> {
    let e = super::weighted::cisc_exact(dist, n, t).ok()?;
    let target = super::weighted::cisc_limit(dist, t);
    Some(
        e.terms
            .iter()
            .enumerate()
            .map(|(a, &terms)| TermRow {
                estimator: EstimatorId::Cisc,
                answer: dist.answers()[a].clone(),
                path: None,
                n,
                terms,
                paper_formula: None,
                answer_index: a,
                target: target[a],
                indicator: dist.indicator(a),
            })
            .collect(),
    )
}
