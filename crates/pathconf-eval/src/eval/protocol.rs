//! The evaluation protocol: for each `K` and each of `R` repeats, every
//! question keeps a random subset of `K` of its paths (all of them, in file
//! order, when it has at most `K`), every method runs on the same subsets,
//! and accuracy and calibration are averaged over questions; mean ± standard
//! deviation (population, as `np.std`) over repeats, like the reference's 10
//! seeds. Subsets are drawn per question from `ChaCha8Rng` seeded with
//! `--seed` on stream `(repeat << 32) | question`, so they do not depend on
//! the thread count. The reference instead uses one Python shuffle shared by
//! all questions; both are uniform random subsets.

use super::dataset::{Dataset, EvalError, Part};
use super::equivalence::AnswerEquality;
use super::evaluation::Evaluation;
use super::formats::Format;
use super::methods::{run_methods, Method, Needs, Outcome, ProbMode};
use super::metrics::{Bin, Calibration};
use crate::invalid::InvalidPolicy;
use crate::progress::Observer;
use crate::weibull::FitMemo;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
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
}

impl EvalConfig {
    /// The policy `method` runs under.
    pub fn invalid_for(&self, method: &Method) -> InvalidPolicy {
        self.invalid.unwrap_or_else(|| method.default_invalid())
    }

    /// Repeats actually run at `K = k` when the largest question has
    /// `max_paths` paths: one when every question keeps all its paths (the
    /// subsets are then all the same).
    pub fn repeats_for(&self, k: usize, max_paths: usize) -> usize {
        if max_paths <= k {
            1
        } else {
            self.repeats
        }
    }

    /// Units of work [`evaluate`] reports to its observer: one per question
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
    /// One entry per method and `K`.
    pub results: Vec<MethodResult>,
    /// Table 1 (present when several `K` and SC were evaluated).
    pub fewest_paths: Vec<FewestPaths>,
}

/// Every method but SC needs a per-path field ([`Method::needs`]): the
/// first method whose field a path lacks is a usage error naming the
/// method, the path and the missing field — never a silent fallback.
pub fn check_logprobs<'a>(ds: impl Into<Part<'a>>, methods: &[Method]) -> Result<(), EvalError> {
    let ds = ds.into();
    for method in methods {
        let who = method.name().to_lowercase();
        match method.needs() {
            None => {}
            Some(Needs::MeanLogprob) => require_logprobs(ds, &who, ProbMode::Mean)?,
            Some(need) => require_signal(ds, &who, need)?,
        }
    }
    Ok(())
}

/// `who` needs `need` on every path (not the log-probability: that is
/// [`require_logprobs`]).
pub fn require_signal<'a>(ds: impl Into<Part<'a>>, who: &str, need: Needs) -> Result<(), EvalError> {
    let ds = ds.into();
    let missing: fn(&crate::eval::dataset::RawPath) -> bool = match need {
        Needs::TokenConfidence => |p| p.signals.token_confidence.is_none(),
        Needs::SelfCertainty => |p| p.signals.self_certainty.is_none(),
        Needs::PTrue => |p| p.signals.p_true.is_none(),
        Needs::MeanLogprob => return require_logprobs(ds, who, ProbMode::Mean),
    };
    for (question, q) in ds.indexed() {
        if let Some(path) = q.paths.iter().position(missing) {
            let name = match need {
                Needs::TokenConfidence => "top_logprobs",
                Needs::SelfCertainty => "self_certainty",
                _ => "p_true",
            };
            let field = match ds.format {
                Format::Jsonl => format!("paths[{path}].{name}"),
                Format::Openai => format!("choices[{path}].logprobs.content[].{}", if name == "top_logprobs" { name } else { "(none: not in this format)" }),
                Format::RpcJson => format!("{name} (not in the rpc-json format)"),
            };
            return Err(EvalError::MissingSignal { need, file: ds.file.to_path_buf(), method: who.to_string(), question, path, field });
        }
    }
    Ok(())
}

/// `who` (a method or rule) needs every path's mean log-probability
/// ([`ProbMode::Mean`]) or sequence log-probability ([`ProbMode::Sequence`]):
/// the first path without it is a usage error naming `who`, the path and the
/// missing field.
pub fn require_logprobs<'a>(ds: impl Into<Part<'a>>, who: &str, mode: ProbMode) -> Result<(), EvalError> {
    let ds = ds.into();
    for (question, q) in ds.indexed() {
        let missing = |p: &crate::eval::dataset::RawPath| match mode {
            ProbMode::Mean => p.mean_logprob.is_none(),
            ProbMode::Sequence => p.sum_logprob.is_none(),
        };
        if let Some(path) = q.paths.iter().position(missing) {
            let field = match (ds.format, mode) {
                (Format::RpcJson, ProbMode::Mean) => format!("mean_logprob[{question}][{path}]"),
                (Format::RpcJson, ProbMode::Sequence) => format!("a sequence log-probability for path {path} (this format stores only mean_logprob)"),
                (Format::Jsonl, ProbMode::Mean) => format!("paths[{path}].logprobs (or mean_logprob, logprob_sum)"),
                (Format::Jsonl, ProbMode::Sequence) => format!("paths[{path}].logprobs (or logprob_sum)"),
                (Format::Openai, _) => format!("choices[{path}].logprobs"),
            };
            let (kind, hint) = match mode {
                ProbMode::Mean => ("mean", "an answers-only file supports sc and the count-based stopping rules only"),
                ProbMode::Sequence => ("sequence", "use a file with token log-probabilities (JSONL logprobs or logprob_sum, OpenAI logprobs), or pc-gt"),
            };
            return Err(EvalError::MissingLogprobs { kind, hint, file: ds.file.to_path_buf(), method: who.to_string(), question, path, field });
        }
    }
    Ok(())
}

/// The per-question outcomes of every method on the full path sets (no
/// subsampling) — what the faithfulness tests compare with the reference.
/// `invalid`: one policy for every method, or `None` for each method's own.
pub fn outcomes_full<'a>(
    ds: impl Into<Part<'a>>,
    methods: &[Method],
    prob: ProbMode,
    equal: &AnswerEquality,
    invalid: Option<InvalidPolicy>,
) -> Result<Vec<Vec<Outcome>>, EvalError> {
    let ds = ds.into();
    check_logprobs(ds, methods)?;
    let policies: Vec<InvalidPolicy> = methods.iter().map(|m| invalid.unwrap_or_else(|| m.default_invalid())).collect();
    ds.questions
        .par_iter()
        .enumerate()
        .map(|(i, q)| {
            run_methods(q, (0..q.paths.len()).collect(), methods, &policies, equal, prob, None).map_err(|message| EvalError::Record {
                file: ds.file.to_path_buf(),
                question: ds.first + i,
                field: "paths".into(),
                message,
            })
        })
        .collect()
}

pub(crate) fn subset(m: usize, k: usize, seed: u64, repeat: usize, question: usize) -> Vec<usize> {
    if k >= m {
        return (0..m).collect();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(((repeat as u64) << 32) | question as u64);
    let mut idx = rand::seq::index::sample(&mut rng, m, k).into_vec();
    idx.sort_unstable();
    idx
}

/// Runs the protocol. `observer` advances once per question per repeat.
pub fn evaluate(ds: &Dataset, cfg: &EvalConfig, observer: &dyn Observer) -> Result<EvalReport, EvalError> {
    evaluate_with_fits(ds, cfg, observer, &FitMemo::default())
}

/// [`evaluate`], with RPC's fits taken from `fits` where it holds them
/// (made ahead of time, e.g. by [`crate::eval::prefit`]); the report is the
/// same as without.
pub fn evaluate_with_fits(ds: &Dataset, cfg: &EvalConfig, observer: &dyn Observer, fits: &FitMemo) -> Result<EvalReport, EvalError> {
    let most = ds.questions.iter().map(|q| q.paths.len()).max().unwrap_or(0);
    let mut evaluation = Evaluation::new(cfg.clone(), fits, Some(most))?;
    evaluation.add(ds.into(), observer)?;
    Ok(evaluation.finish(&ds.file))
}

pub use crate::montecarlo::standard_error;

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
