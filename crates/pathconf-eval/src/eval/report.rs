//! What `pathconf eval` reports, and what it is asked: the configuration,
//! per method and `K` the accuracy, calibration and WQD over repeats, and
//! Table 1's fewest paths.

use super::dataset::Dataset;
use super::equivalence::AnswerEquality;
use super::methods::{Method, ProbMode};
use super::metrics::{Bin, Calibration};
use crate::invalid::InvalidPolicy;
use serde::Serialize;

/// What to evaluate.
#[derive(Debug, Clone)]
pub struct EvalConfig {
    /// Methods, in report order.
    pub methods: Vec<Method>,
    /// Paths per question `K` (empty: all paths).
    pub ks: Vec<usize>,
    /// Random subsets per `K`.
    pub repeats: usize,
    /// Seed of the subsets.
    pub seed: u64,
    /// Path probability.
    pub prob: ProbMode,
    /// Answer equivalence.
    pub equal: AnswerEquality,
    /// How every method treats invalid paths; `None`: as its own reference
    /// does ([`Method::default_invalid`]).
    pub invalid: Option<InvalidPolicy>,
    /// Which `K` paths a question keeps: random subsets (the protocol), or
    /// its first `K` in file order (one subset; what `plan` predicts).
    pub order: super::stopping::PathOrder,
}

impl Default for EvalConfig {
    /// No method yet; every path of each question (no `K`); one repeat, seed
    /// 0; `exp(mean log-prob)`; the default answer equivalence; each
    /// method's own invalid-answer policy; random subsets.
    fn default() -> Self {
        Self {
            methods: Vec::new(),
            ks: Vec::new(),
            repeats: 1,
            seed: 0,
            prob: ProbMode::Mean,
            equal: AnswerEquality::default(),
            invalid: None,
            order: super::stopping::PathOrder::Random,
        }
    }
}

impl EvalConfig {
    /// The policy `method` runs under.
    pub fn invalid_for(&self, method: &Method) -> InvalidPolicy {
        self.invalid.unwrap_or_else(|| method.default_invalid())
    }

    /// Repeats actually run at `K = k` when the largest question has
    /// `max_paths` paths: one when every question keeps all its paths or its
    /// first `K` (the subsets are then all the same).
    pub fn repeats_for(&self, k: usize, max_paths: usize) -> usize {
        if max_paths <= k || self.order == super::stopping::PathOrder::File {
            1
        } else {
            self.repeats
        }
    }

    /// Units of work [`super::protocol::evaluate`] reports to its observer: one per question
    /// per repeat per `K`.
    pub fn work_units(&self, ds: &Dataset) -> u64 {
        let max_paths = ds.questions.iter().map(|q| q.paths.len()).max().unwrap_or(0);
        let per_question: usize = if self.ks.is_empty() { 1 } else { self.ks.iter().map(|&k| self.repeats_for(k, max_paths)).sum() };
        (per_question * ds.questions.len()) as u64
    }
}

/// Mean and population standard deviation over repeats.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeanStd {
    /// Mean.
    pub mean: f64,
    /// Standard deviation (ddof = 0).
    pub std: f64,
}

impl MeanStd {
    /// Summarises values.
    pub fn of(v: &[f64]) -> Self {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
        Self { mean, std: var.sqrt() }
    }
}

/// One method at one `K`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodResult {
    /// The method (serialised as its name).
    pub method: Method,
    /// How it treated invalid paths.
    pub invalid: InvalidPolicy,
    /// Paths per question requested.
    pub k: Option<usize>,
    /// Repeats actually run (1 when no question has more than `K` paths).
    pub repeats: usize,
    /// Accuracy in percent.
    pub accuracy: MeanStd,
    /// ECE, "maximum" variant.
    pub ece_max: MeanStd,
    /// Brier score, "maximum" variant.
    pub brier_max: MeanStd,
    /// NLL, "maximum" variant.
    pub nll_max: MeanStd,
    /// ECE, "average" variant.
    pub ece_avg: MeanStd,
    /// Brier score, "average" variant.
    pub brier_avg: MeanStd,
    /// NLL, "average" variant.
    pub nll_avg: MeanStd,
    /// Reliability bins of the "maximum" variant, averaged over repeats.
    pub bins_max: Vec<Bin>,
    /// Reliability bins of the "average" variant, averaged over repeats.
    pub bins_avg: Vec<Bin>,
    /// Mean fraction of the paths drawn that were pruned (`rp`, `rpc`) or
    /// filtered out (`deepconf`); invalid paths dropped are not counted.
    pub pruned_fraction: Option<f64>,
    /// Standard error of the accuracy across questions (percentage points):
    /// the standard deviation of the per-question credit (averaged over
    /// repeats) over `√Q` — the uncertainty from which questions were asked.
    pub accuracy_se: f64,
    /// Within-question discrimination of the method's per-path confidence,
    /// pooled over questions and repeats (none for SC).
    pub wqd: Option<WqdSummary>,
}

/// Pooled within-question discrimination ([`crate::aggregate::wqd`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WqdSummary {
    /// Share of pairs (one correct, one wrong path of a question) where the
    /// correct path has the higher confidence.
    pub share: f64,
    /// Share of such pairs with equal confidence.
    pub tied: f64,
    /// Number of pairs (summed over repeats).
    pub pairs: u64,
}

/// The paper's Table 1: fewest paths a method needs to match SC's best accuracy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FewestPaths {
    /// The method (serialised as its name).
    pub method: Method,
    /// Smallest `K` whose mean accuracy reaches SC's best, if any.
    pub k_needed: Option<usize>,
    /// SC's best mean accuracy (%).
    pub sc_best_accuracy: f64,
    /// The `K` at which SC attains it.
    pub sc_best_k: usize,
    /// `100 · (1 − k_needed / sc_best_k)`.
    pub reduction_pct: Option<f64>,
}

/// Everything `pathconf eval` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    /// The input file.
    pub file: String,
    /// Number of questions.
    pub questions: usize,
    /// Paths per question (min, max).
    pub paths_per_question: (usize, usize),
    /// Paths without an answer ([`crate::invalid`]), however they became so.
    pub invalid_answers: usize,
    /// Questions with at least one such path.
    pub questions_with_invalid: usize,
    /// Probability used.
    pub prob: ProbMode,
    /// Seed of the subsets.
    pub seed: u64,
    /// Which `K` paths each question kept: random subsets, or its first `K` (`file`).
    pub order: super::stopping::PathOrder,
    /// One entry per method and `K`.
    pub results: Vec<MethodResult>,
    /// Table 1 (present when several `K` and SC were evaluated).
    pub fewest_paths: Vec<FewestPaths>,
}

pub(crate) fn mean_bins(cals: &[Calibration]) -> Vec<Bin> {
    let n = cals.len() as f64;
    (0..cals[0].bins.len())
        .map(|b| Bin {
            accuracy: cals.iter().map(|c| c.bins[b].accuracy).sum::<f64>() / n,
            confidence: cals.iter().map(|c| c.bins[b].confidence).sum::<f64>() / n,
            weight: cals.iter().map(|c| c.bins[b].weight).sum::<f64>() / n,
        })
        .collect()
}

pub(crate) fn fewest_paths(results: &[MethodResult]) -> Vec<FewestPaths> {
    let sc: Vec<&MethodResult> = results.iter().filter(|r| r.method == Method::Sc && r.k.is_some()).collect();
    if sc.len() < 2 {
        return Vec::new();
    }
    let best = sc.iter().fold(sc[0], |b, r| if r.accuracy.mean > b.accuracy.mean { r } else { b });
    let (best_acc, best_k) = (best.accuracy.mean, best.k.expect("filtered"));
    let mut methods: Vec<Method> = Vec::new();
    for r in results {
        if r.method != Method::Sc && !methods.contains(&r.method) {
            methods.push(r.method);
        }
    }
    methods
        .into_iter()
        .map(|method| {
            let mut ks: Vec<(usize, f64)> = results.iter().filter(|r| r.method == method).filter_map(|r| r.k.map(|k| (k, r.accuracy.mean))).collect();
            ks.sort_by_key(|&(k, _)| k);
            let k_needed = ks.iter().find(|&&(_, a)| a >= best_acc).map(|&(k, _)| k);
            FewestPaths {
                method,
                k_needed,
                sc_best_accuracy: best_acc,
                sc_best_k: best_k,
                reduction_pct: k_needed.map(|k| 100.0 * (1.0 - k as f64 / best_k as f64)),
            }
        })
        .collect()
}
