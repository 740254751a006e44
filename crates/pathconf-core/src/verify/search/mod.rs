//! `pathconf verify --search N`: each claim of the paper checked on `N`
//! random path distributions inside its hypothesis and `N` outside it, with
//! the smallest counterexample shrinking finds where it fails.
//!
//! Cases come from the proptest generator [`case::cases`]; each (claim,
//! hypothesis) row has its own deterministic generator (seeded from `--seed`
//! and the row), so the report does not depend on the thread count.
//! Shrinking is proptest's: from the first failing case, simplify while the
//! claim still fails (fewer answers and paths, equal masses, smaller `n`),
//! back off when it holds.

pub mod case;
pub mod claims;
pub mod theorem7;

use crate::progress::Observer;
use crate::seed::derive;
use case::{cases, Case};
use claims::{search_claims, Check, Hypothesis, SearchClaim};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use rayon::prelude::*;
use serde::Serialize;

/// Settings of a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchConfig {
    /// Cases per claim and hypothesis.
    pub cases: usize,
    /// Master seed.
    pub seed: u64,
}

/// The smallest failing case found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counterexample {
    /// Path probabilities of each answer.
    pub answers: Vec<Vec<f64>>,
    /// Index of the correct answer.
    pub correct: usize,
    /// Samples.
    pub n: u64,
    /// The threshold the claim used, if it has one (RP's `τ`; Theorem 7's
    /// `τ = p(y|x)`).
    pub tau: Option<f64>,
    /// What the paper prints.
    pub printed: f64,
    /// The exact value.
    pub exact: f64,
    /// Where in the case (answer, path, `k̂`).
    pub detail: String,
}

/// One (claim, hypothesis) row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchRow {
    /// The claim.
    pub claim: &'static str,
    /// Inside or outside its hypothesis.
    pub hypothesis: Hypothesis,
    /// Cases checked.
    pub cases: usize,
    /// Cases where the claim fails.
    pub failures: usize,
    /// `failures / cases` (0 when no case was checked).
    pub fail_share: f64,
    /// The smallest failing case shrinking found, if any failed.
    pub counterexample: Option<Counterexample>,
    /// What is claimed.
    #[serde(skip)]
    pub statement: &'static str,
    /// What this side of the hypothesis is.
    #[serde(skip)]
    pub side: &'static str,
}

/// Most shrinking steps per counterexample.
const MAX_SHRINK: usize = 20_000;
/// Failing cases shrinking starts from.
const SHRINK_STARTS: usize = 16;
/// Cases drawn per case checked, at most (a side a case may not have).
const MAX_DRAWS_PER_CASE: usize = 20;

/// How big a case is: answers, then paths, then `n`, then how far its
/// weights are from equal.
fn size(case: &Case) -> (usize, usize, u64, f64) {
    let paths = case.weights.iter().map(Vec::len).sum();
    let spread = case.weights.iter().flatten().map(|w| (w - 1.0).abs()).sum();
    (case.weights.len(), paths, case.n, spread)
}

fn counterexample(case: &Case, c: &Check) -> Counterexample {
    Counterexample { answers: case.masses(), correct: case.correct, n: case.n, tau: c.tau, printed: c.printed, exact: c.exact, detail: c.detail.clone() }
}

/// Searches one claim on one side of its hypothesis.
fn search_one(claim: &SearchClaim, h: Hypothesis, cfg: &SearchConfig, row: u64) -> SearchRow {
    let seed = derive(cfg.seed, &[row]);
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&derive(seed, &[i as u64]).to_le_bytes());
    }
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    let strategy = cases(claim.shape);
    let (mut checked, mut failures) = (0usize, 0usize);
    let mut failing = Vec::new();
    for _ in 0..cfg.cases * MAX_DRAWS_PER_CASE {
        if checked == cfg.cases {
            break;
        }
        let tree = strategy.new_tree(&mut runner).expect("the generator has no filters");
        let Some(c) = (claim.check)(&tree.current(), h) else { continue };
        checked += 1;
        if !c.holds {
            failures += 1;
            if failing.len() < SHRINK_STARTS {
                failing.push((tree, c));
            }
        }
    }
    // Shrinking is local: it starts from several failing cases and keeps
    // the smallest result.
    let counterexample = failing
        .into_iter()
        .map(|(mut tree, c)| {
            let mut best = (tree.current(), c);
            for _ in 0..MAX_SHRINK {
                if !tree.simplify() {
                    break;
                }
                match (claim.check)(&tree.current(), h) {
                    Some(c) if !c.holds => best = (tree.current(), c),
                    // Holds (or left the hypothesis): undo what can be
                    // undone and go on simplifying elsewhere.
                    _ => {
                        tree.complicate();
                    }
                }
            }
            best
        })
        .min_by(|a, b| size(&a.0).partial_cmp(&size(&b.0)).expect("sizes are finite"))
        .map(|(case, c)| counterexample(&case, &c));
    SearchRow {
        claim: claim.id,
        hypothesis: h,
        cases: checked,
        failures,
        fail_share: if checked == 0 { 0.0 } else { failures as f64 / checked as f64 },
        counterexample,
        statement: claim.statement,
        side: match h {
            Hypothesis::Inside => claim.inside,
            Hypothesis::Outside => claim.outside,
        },
    }
}

/// Every claim, inside and outside its hypothesis; `observer` advances once
/// per row.
pub fn search(cfg: &SearchConfig, observer: &dyn Observer) -> Vec<SearchRow> {
    let claims = search_claims();
    let rows: Vec<(usize, Hypothesis)> = (0..claims.len()).flat_map(|i| [(i, Hypothesis::Inside), (i, Hypothesis::Outside)]).collect();
    rows.par_iter()
        .enumerate()
        .map(|(r, &(i, h))| {
            observer.checkpoint();
            let row = search_one(&claims[i], h, cfg, r as u64);
            observer.advance(1);
            row
        })
        .collect()
}

/// Rows [`search`] reports (for a progress bar).
pub fn search_rows() -> u64 {
    2 * search_claims().len() as u64
}
