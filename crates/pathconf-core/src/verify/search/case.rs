//! Random path distributions: the generator every search and property
//! test draws from (a proptest [`Strategy`]), with shrinking toward fewer
//! answers and paths, equal masses and smaller `n`.
//!
//! A [`Case`] holds path *weights* (normalised to probabilities): small
//! integers 1–16 (equal weights, Zipf-like or one dominant path all arise)
//! and, where the [`Shape`] allows, near-zero weights. Shrinking removes
//! answers and paths, moves weights toward 1 (equal masses) and near-zero
//! weights back to integers, `n` toward 1 and RP's threshold toward 0. The
//! correct answer is the first (answers are exchangeable: the masses are
//! random), so removing another answer never changes which one is correct.

use crate::distribution::PathDistribution;
use proptest::prelude::*;
use serde::Serialize;

/// The property tests' configuration: `cases` cases from one fixed seed
/// (CI and a laptop draw the same cases), `PROPTEST_CASES=N` to search
/// longer, no failure files written into the tree.
pub fn proptest_config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(cases);
    ProptestConfig { cases, rng_seed: proptest::test_runner::RngSeed::Fixed(20251015), failure_persistence: None, ..ProptestConfig::default() }
}

/// A near-zero path weight (beside weights 1–16: probabilities ~10⁻⁶).
pub const TINY_WEIGHT: f64 = 1e-5;

/// One generated question: a path distribution, its correct answer, `n`
/// and RP's threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// Path weights per answer (positive).
    pub weights: Vec<Vec<f64>>,
    /// Index of the correct answer.
    pub correct: usize,
    /// Samples.
    pub n: u64,
    /// RP's threshold as a fraction of the largest path probability.
    pub tau_frac: f64,
}

impl Case {
    /// Total weight.
    fn total(&self) -> f64 {
        self.weights.iter().flatten().sum()
    }

    /// Path probabilities per answer.
    pub fn masses(&self) -> Vec<Vec<f64>> {
        let t = self.total();
        self.weights.iter().map(|a| a.iter().map(|w| w / t).collect()).collect()
    }

    /// The distribution (answers named `a0`, `a1`, …).
    pub fn dist(&self) -> PathDistribution {
        let groups: Vec<(String, Vec<f64>)> = self.weights.iter().enumerate().map(|(i, w)| (format!("a{i}"), w.clone())).collect();
        PathDistribution::from_weights(&groups, Some(&format!("a{}", self.correct))).expect("generated weights are positive and finite")
    }

    /// RP's threshold `τ`.
    pub fn tau(&self) -> f64 {
        self.tau_frac * self.masses().iter().flatten().cloned().fold(0.0, f64::max)
    }

    /// Whether every weight is an integer (a finite pool of paths: weight =
    /// copies).
    pub fn is_pool(&self) -> bool {
        self.weights.iter().flatten().all(|w| w.fract() == 0.0)
    }
}

/// What the generator may produce.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    /// Most answers (at least 2 are generated).
    pub max_answers: usize,
    /// Most paths per answer.
    pub max_paths: usize,
    /// Largest `n`.
    pub max_n: u64,
    /// Whether near-zero path weights appear.
    pub tiny: bool,
    /// Each answer's paths share one weight (the paper's "k equally likely
    /// paths").
    pub equal_paths: bool,
}

impl Default for Shape {
    fn default() -> Self {
        Self { max_answers: 5, max_paths: 4, max_n: 64, tiny: true, equal_paths: false }
    }
}

fn weight(tiny: bool) -> BoxedStrategy<f64> {
    let ints = (1u32..=16).prop_map(f64::from);
    if tiny {
        prop_oneof![8 => ints, 1 => Just(TINY_WEIGHT)].boxed()
    } else {
        ints.boxed()
    }
}

fn answer(shape: Shape) -> BoxedStrategy<Vec<f64>> {
    if shape.equal_paths {
        (1..=shape.max_paths, weight(shape.tiny)).prop_map(|(k, w)| vec![w; k]).boxed()
    } else {
        prop::collection::vec(weight(shape.tiny), 1..=shape.max_paths).boxed()
    }
}

/// Random cases of `shape`.
pub fn cases(shape: Shape) -> BoxedStrategy<Case> {
    let n = if shape.max_n <= 4 { (1..=shape.max_n).boxed() } else { prop_oneof![3 => 1u64..=4, 1 => 5..=shape.max_n].boxed() };
    (prop::collection::vec(answer(shape), 2..=shape.max_answers.max(2)), n, 0.0f64..1.0)
        .prop_map(|(weights, n, tau_frac)| Case { weights, correct: 0, n, tau_frac })
        .boxed()
}

/// Random count-based stopping rules (every kind that reads only answer
/// counts) using at most `max` samples; shrinking moves toward `fixed` and
/// smaller caps.
pub fn stop_rules(max: usize) -> BoxedStrategy<crate::stopping::StopRule> {
    use crate::stopping::{EscAnswer, StopRule};
    let max = max.max(1);
    let cap = 1..=max;
    prop_oneof![
        cap.clone().prop_map(|n| StopRule::Fixed { n }),
        (1..=max, 1..=max, any::<bool>()).prop_map(move |(w, m, majority)| {
            let windows = (max / w).max(1).min(m);
            StopRule::Esc { window: w, max: w * windows, answer: if majority { EscAnswer::Majority } else { EscAnswer::Window } }
        }),
        (prop::sample::select(vec![0.6, 0.75, 0.9, 0.95]), cap.clone()).prop_map(|(threshold, max)| StopRule::AscBeta { threshold, max }),
        (prop::sample::select(vec![0.6, 0.75, 0.9, 0.95]), cap.clone()).prop_map(|(threshold, max)| StopRule::AscDirichlet { threshold, max }),
        (prop::sample::select(vec![0.6, 0.8, 1.0]), cap.clone()).prop_map(|(threshold, max)| StopRule::AscMajority { threshold, max }),
        (prop::sample::select(vec![0.2, 0.5, 0.8]), cap).prop_map(|(threshold, max)| StopRule::AscEntropy { threshold, max }),
    ]
    .boxed()
}
