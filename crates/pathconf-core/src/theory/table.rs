//! The table of every estimator × answer (× path, for PPL) × error term at one
//! `n`, built once for `theory`, `simulate` and `verify`.
//!
//! Row order: SC for every answer, PPL for every answer (its paths folded
//! into one row, [`super::ppl::ppl_answer_summary`], and/or each listed
//! path, as [`PplRows`] asks), PC for every answer, RP (when a threshold is given) for every answer. SC is
//! undefined at `n = 0` and omitted there. `paper_formula` is the paper's
//! printed reasoning error where it has one: Proposition 2 (SC) and
//! Proposition 3 (PPL) through Proposition 1's two-term decomposition,
//! Theorem 4 for PC when the answer's paths are equally likely.

use super::{paper, pc::pc_terms, ppl::ppl_answer_summary, ppl::ppl_terms, ppl::PathSummary, rp::rp_terms, sc::sc_terms, ErrorTerms};
use crate::estimators::EstimatorId;
use crate::PathDistribution;
use rayon::prelude::*;
use serde::Serialize;

/// One estimator's exact terms for one answer (or PPL path) at one `n`.
/// Serialises to `{estimator, answer, path, n, <terms>, paper_formula}`, and
/// for a PPL row folding an answer's paths (`path` null) also `{paths,
/// worst_path, worst_reasoning_error}`.
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
    /// For a PPL row averaging an answer's paths: how it was folded.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub over_paths: Option<PathSummary>,
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
pub type PathSelection<'a> = &'a (dyn Fn(&[f64]) -> Vec<usize> + Sync);

/// Every path of the answer.
pub fn all_paths(probs: &[f64]) -> Vec<usize> {
    (0..probs.len()).collect()
}

/// No path of the answer.
pub fn no_paths(_: &[f64]) -> Vec<usize> {
    Vec::new()
}

/// Which PPL rows a table carries: one per answer folding its paths, and
/// one per path `paths` selects.
#[derive(Clone, Copy)]
pub struct PplRows<'a> {
    /// One row per answer, its paths averaged with weights `p_t / p_a`.
    pub per_answer: bool,
    /// The paths that get their own row.
    pub paths: PathSelection<'a>,
}

impl PplRows<'static> {
    /// A row per path, none per answer.
    pub const PER_PATH: Self = Self { per_answer: false, paths: &all_paths };
    /// A row per answer, none per path.
    pub const PER_ANSWER: Self = Self { per_answer: true, paths: &no_paths };
}

/// The table for `dist` at `n`; RP rows only when `tau` is given; PPL rows
/// as `ppl` asks (for each answer, its summary first, then its paths).
/// Answers are computed in parallel (each answer's rows on their own, so the
/// table does not depend on the number of threads).
pub fn term_table(dist: &PathDistribution, n: u64, tau: Option<f64>, ppl: PplRows) -> Vec<TermRow> {
    let row = |estimator, a: usize, path: Option<usize>, target: f64, terms, paper_formula| TermRow {
        estimator,
        answer: dist.answers()[a].clone(),
        path,
        n,
        terms,
        paper_formula,
        over_paths: None,
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
    // Per answer: its PPL rows, its PC row, its RP row.
    let per_answer: Vec<(Vec<TermRow>, TermRow, Option<TermRow>)> = (0..dist.n_answers())
        .into_par_iter()
        .map(|a| {
            let (p, ind) = (dist.answer_mass(a), dist.indicator(a));
            let probs = dist.probs_of(a);
            let mut ppl_rows = Vec::new();
            if ppl.per_answer {
                if let Some((terms, target, printed, summary)) = ppl_answer_summary(dist, a, n) {
                    ppl_rows.push(TermRow { over_paths: Some(summary), ..row(EstimatorId::Ppl, a, None, target, terms, Some(printed)) });
                }
            }
            for j in (ppl.paths)(&probs) {
                let pt = probs[j];
                ppl_rows.push(row(EstimatorId::Ppl, a, Some(j), pt, ppl_terms(dist, a, j, n), Some(paper::prop3_reasoning(pt, ind, n))));
            }
            let printed = paper::equal_path_count(&probs).filter(|_| p > 0.0).map(|k| paper::thm4_reasoning(p, k, ind, n));
            let pc = row(EstimatorId::Pc, a, None, p, pc_terms(dist, a, n), printed);
            let rp = tau.map(|tau| row(EstimatorId::Rp, a, None, p, rp_terms(dist, a, n, tau), None));
            (ppl_rows, pc, rp)
        })
        .collect();
    let (ppl_rows, rest): (Vec<_>, Vec<_>) = per_answer.into_iter().map(|(ppl, pc, rp)| (ppl, (pc, rp))).unzip();
    let (pc_rows, rp_rows): (Vec<_>, Vec<_>) = rest.into_iter().unzip();
    out.extend(ppl_rows.into_iter().flatten());
    out.extend(pc_rows);
    out.extend(rp_rows.into_iter().flatten());
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
                over_paths: None,
                answer_index: a,
                target: target[a],
                indicator: dist.indicator(a),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A per-answer PPL row says how it folded the answer's paths, and its
    /// worst path is the per-path table's worst. (Mutation testing: a row
    /// without its summary passed.)
    #[test]
    fn a_folded_ppl_row_names_its_worst_path() {
        let d = PathDistribution::new(&[("A", vec![0.3, 0.1, 0.2]), ("B", vec![0.4])], Some("A")).unwrap();
        let folded = term_table(&d, 3, None, PplRows::PER_ANSWER);
        let per_path = term_table(&d, 3, None, PplRows::PER_PATH);
        for a in 0..2 {
            let row = folded.iter().find(|r| r.estimator == EstimatorId::Ppl && r.answer_index == a).expect("a PPL row per answer");
            let s = row.over_paths.expect("a folded row carries its summary");
            let paths: Vec<&TermRow> = per_path.iter().filter(|r| r.estimator == EstimatorId::Ppl && r.answer_index == a).collect();
            assert_eq!(s.paths, paths.len());
            let worst = paths.iter().map(|r| r.terms.reasoning_error).fold(f64::MIN, f64::max);
            assert_eq!(s.worst_reasoning_error, worst);
            assert_eq!(paths[s.worst_path].terms.reasoning_error, worst);
        }
        // The folded table has one PPL row per answer and none per path; the
        // per-path table one per path and none folded. (Mutation testing: a
        // folded table that also carried each answer's first path went unseen.)
        let ppl = |t: &[TermRow]| t.iter().filter(|r| r.estimator == EstimatorId::Ppl).map(|r| (r.answer_index, r.path)).collect::<Vec<_>>();
        assert_eq!(ppl(&folded), vec![(0, None), (1, None)]);
        assert_eq!(ppl(&per_path), vec![(0, Some(0)), (0, Some(1)), (0, Some(2)), (1, Some(0))]);
    }

    /// PC's row carries Theorem 4's printed reasoning error where the
    /// theorem applies — an answer of positive mass whose paths are equally
    /// likely — and none elsewhere. (Mutation testing: `==` for `>` printed
    /// it for answers of zero mass only, and passed unseen.)
    #[test]
    fn pc_rows_print_theorem_4_where_it_applies() {
        let d = PathDistribution::new(&[("A", vec![0.25, 0.25]), ("B", vec![0.3, 0.2]), ("C", vec![0.0])], Some("A")).unwrap();
        let table = term_table(&d, 4, None, PplRows::PER_ANSWER);
        let pc = |name: &str| table.iter().find(|r| r.estimator == EstimatorId::Pc && r.answer == name).expect("a PC row per answer").paper_formula;
        assert_eq!(pc("A"), Some(paper::thm4_reasoning(0.5, 2, 1.0, 4)));
        assert_eq!(pc("B"), None, "unequal paths");
        assert_eq!(pc("C"), None, "no mass");
    }
}
