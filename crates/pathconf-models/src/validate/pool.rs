//! Real-model validation on a finite pool of sampled paths (the committed
//! SmolLM2 data): each question's pool grouped by path text ([`PoolFacts`]),
//! SC's and PC's error on the correct answer relative to the pool measured on
//! random subsets ([`measured_pool_error`]) and tested against the exact
//! finite-pool values of [`crate::theory::pool`] ([`pool_errors`]).
//!
//! Each measured error is z-tested against its exact value with the null
//! standard error bound `Var X ≤ E[X](M − E[X])` for `X ∈ [0, M]` (`M` the
//! largest squared error possible), Bonferroni over all comparisons
//! ([`crate::montecarlo::agreement`]).

use crate::estimators::EstimatorId;
use crate::eval::dataset::RawQuestion;
use crate::eval::equivalence::AnswerEquality;
use crate::montecarlo::agreement::{Checks, Family, StdError};
use crate::theory::pool::{pc_pool_error, sc_pool_error};
use rand::seq::index::sample as sample_indices;
use rayon::prelude::*;
use std::collections::HashMap;
use thiserror::Error;

/// Per-question facts about the pool.
#[derive(Debug, Clone)]
pub struct PoolFacts {
    /// Paths in the pool.
    pub paths: usize,
    /// Paths with the correct answer.
    pub hits: usize,
    /// Distinct paths (by text).
    pub distinct: usize,
    /// Distinct correct paths: `(count, exp(sequence log-prob))`.
    pub correct_paths: Vec<(usize, f64)>,
    /// `Σ exp(Σ log p)` over distinct paths.
    pub mass_sequence: f64,
    /// `Σ exp(mean log p)` over distinct paths.
    pub mass_mean: f64,
    /// Per pool path: correct?
    pub correct: Vec<bool>,
    /// Per pool path: index of its distinct path.
    pub distinct_of: Vec<usize>,
    /// Per distinct path: `exp(Σ log p)`.
    pub distinct_prob: Vec<f64>,
}

impl PoolFacts {
    /// SC's value on the whole pool: the share of correct paths.
    pub fn sc_value(&self) -> f64 {
        self.hits as f64 / self.paths as f64
    }

    /// PC's value on the whole pool: `Σ exp(Σ log p)` over distinct correct paths.
    pub fn pc_value(&self) -> f64 {
        self.correct_paths.iter().map(|&(_, p)| p).sum()
    }
}

/// A path without the sequence log-probability the pool analysis needs.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("question {question}: path {path}: field logprob_sum (or logprobs) is missing")]
pub struct MissingSequenceLogprob {
    /// The question's id.
    pub question: String,
    /// The path's index within the question.
    pub path: usize,
}

/// Groups a question's pool by path text.
pub fn pool_facts(q: &RawQuestion, equal: &AnswerEquality) -> Result<PoolFacts, MissingSequenceLogprob> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let (mut distinct_of, mut distinct_prob, mut counts, mut distinct_correct) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut mass_sequence, mut mass_mean) = (0.0, 0.0);
    let mut correct = Vec::with_capacity(q.paths.len());
    for (i, p) in q.paths.iter().enumerate() {
        let ok = equal.equal(&p.answer, &q.truth);
        correct.push(ok);
        let sum = p.sum_logprob.ok_or_else(|| MissingSequenceLogprob { question: q.id.clone(), path: i })?;
        let next = index.len();
        let d = *index.entry(p.text.as_str()).or_insert(next);
        if d == next {
            distinct_prob.push(sum.exp());
            counts.push(0);
            distinct_correct.push(ok);
            mass_sequence += sum.exp();
            // Every reader that gives a sequence log-probability gives the mean too.
            mass_mean += p.mean_logprob.map_or(0.0, f64::exp);
        }
        counts[d] += 1;
        distinct_of.push(d);
    }
    let correct_paths = (0..counts.len()).filter(|&d| distinct_correct[d]).map(|d| (counts[d], distinct_prob[d])).collect();
    Ok(PoolFacts {
        paths: q.paths.len(),
        hits: correct.iter().filter(|&&c| c).count(),
        distinct: counts.len(),
        correct_paths,
        mass_sequence,
        mass_mean,
        correct,
        distinct_of,
        distinct_prob,
    })
}

/// SC's and PC's mean squared error on the correct answer, relative to the
/// pool, measured over random subsets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasuredPoolError {
    /// SC: mean of `(share of correct paths in the subset − pool share)²`.
    pub sc: f64,
    /// PC: mean of `(Σ distinct correct subset paths' p − pool value)²`.
    pub pc: f64,
}

/// Mean squared error relative to the pool of SC and PC (correct answer)
/// over `trials` random `n`-subsets drawn from `rng`.
pub fn measured_pool_error(facts: &PoolFacts, n: usize, trials: usize, rng: &mut impl rand::Rng) -> MeasuredPoolError {
    let (f_pool, pc_pool) = (facts.sc_value(), facts.pc_value());
    let mut seen = vec![false; facts.distinct];
    let (mut sc, mut pc) = (0.0, 0.0);
    for _ in 0..trials {
        let s = sample_indices(rng, facts.paths, n);
        seen.iter_mut().for_each(|x| *x = false);
        let mut hits = 0;
        let mut est = 0.0;
        for i in s.iter() {
            if facts.correct[i] {
                hits += 1;
                let d = facts.distinct_of[i];
                if !seen[d] {
                    seen[d] = true;
                    est += facts.distinct_prob[d];
                }
            }
        }
        sc += (hits as f64 / n as f64 - f_pool).powi(2);
        pc += (est - pc_pool).powi(2);
    }
    MeasuredPoolError { sc: sc / trials as f64, pc: pc / trials as f64 }
}

/// One comparison of a measured pool error with its exact value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PoolErrorRow {
    /// Index of the question in the data set.
    pub question: usize,
    /// SC or PC.
    pub estimator: EstimatorId,
    /// Subset size.
    pub n: usize,
    /// The estimator's value on the whole pool.
    pub pool_value: f64,
    /// Exact mean squared error relative to the pool.
    pub exact: f64,
    /// Measured over random subsets.
    pub measured: f64,
    /// Standard error of the measurement under the null.
    pub null_se: f64,
    /// `(measured − exact) / null_se` (0 or ∞ when the null allows no spread).
    pub z: f64,
    /// Within the family's critical value.
    pub agrees: bool,
}

/// All comparisons of a data set.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolErrorReport {
    /// Questions whose pool has at least one correct path (elsewhere both
    /// errors are identically 0).
    pub used: Vec<usize>,
    /// The family of z-tests.
    pub family: Family,
    /// In order of question, `n`, then SC before PC.
    pub rows: Vec<PoolErrorRow>,
}

/// Measures SC's and PC's error relative to the pool at each `n` (each
/// smaller than the pool) with `trials` random subsets and tests it against
/// the exact finite-pool value. Each `(question, n)` has its own RNG stream
/// from `seed`, so results do not depend on the number of threads.
pub fn pool_errors(facts: &[PoolFacts], ns: &[usize], trials: usize, seed: u64) -> PoolErrorReport {
    let used: Vec<usize> = (0..facts.len()).filter(|&i| facts[i].hits > 0).collect();
    let measured: Vec<Vec<MeasuredPoolError>> = used
        .par_iter()
        .map(|&qi| {
            ns.iter()
                .map(|&n| {
                    let mut rng = crate::seed::rng(seed, &[crate::seed::tag("validate/pool"), qi as u64, n as u64]);
                    measured_pool_error(&facts[qi], n, trials, &mut rng)
                })
                .collect()
        })
        .collect();
    let mut checks = Checks::new();
    let mut cells = Vec::new();
    for (u, &qi) in used.iter().enumerate() {
        let fa = &facts[qi];
        let (f_pool, pc_pool) = (fa.sc_value(), fa.pc_value());
        for (j, &n) in ns.iter().enumerate() {
            let exact = [sc_pool_error(fa.paths, fa.hits, n), pc_pool_error(&fa.correct_paths, fa.paths, n)];
            let got = [measured[u][j].sc, measured[u][j].pc];
            // Largest possible squared error: SC max(f, 1 − f)²; PC (pool value)².
            let m = [f_pool.max(1.0 - f_pool).powi(2), pc_pool * pc_pool];
            for k in 0..2 {
                let estimator = [EstimatorId::Sc, EstimatorId::Pc][k];
                let se = (exact[k] * (m[k] - exact[k])).max(0.0).sqrt() / (trials as f64).sqrt();
                // A null without spread: the measurement must equal the exact
                // value up to rounding (the floor, relative to the largest error).
                checks.equal(format!("question {qi} {estimator:?} n={n}"), got[k], exact[k], StdError::AtLeast { se, floor: 1e-12 * m[k].max(1e-300) });
                cells.push((qi, estimator, n, [f_pool, pc_pool][k], exact[k], got[k], se));
            }
        }
    }
    let judged = checks.judge();
    let rows = cells
        .into_iter()
        .zip(&judged.checks)
        .map(|((question, estimator, n, pool_value, exact, measured, null_se), c)| PoolErrorRow {
            question,
            estimator,
            n,
            pool_value,
            exact,
            measured,
            null_se,
            z: c.z,
            agrees: c.agrees,
        })
        .collect();
    PoolErrorReport { used, family: judged.family, rows }
}
