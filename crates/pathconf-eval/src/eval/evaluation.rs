//! The protocol of [`super::protocol`] accumulated one part of a file at a
//! time: [`Evaluation::add`] each run of consecutive questions (a whole
//! loaded dataset, or the chunks of a file read in chunks), then
//! [`Evaluation::finish`]. Every sum runs in question order and starts
//! where `Iterator::sum` starts ([`SUM_START`]), so the report of a file
//! read in chunks is the report of the file loaded whole, bit for bit.
//!
//! What is kept between parts is bounded by the number of questions, not by
//! the paths: per `K` and method, one `f64` per question (its credit, for
//! the standard error across questions) and a few running sums per repeat.
//!
//! How many repeats a `K` runs depends on the largest question (one repeat
//! when no question has more than `K` paths, [`EvalConfig::repeats_for`]),
//! known up front for a loaded dataset but only at the end of a file read
//! in chunks. Then every repeat is accumulated, the outcome of a question
//! with at most `K` paths computed once (its subsets are all its paths), and
//! its single-repeat credits kept beside until a question with more than
//! `K` paths shows they are not needed.

use super::dataset::Part;
use super::methods::{run_methods, Outcome};
use super::metrics::{CalibrationSum, SUM_START};
use super::report::{fewest_paths, mean_bins, EvalConfig, EvalReport, MeanStd, MethodResult, WqdSummary};
use super::requirements::check_logprobs;
use super::stopping::PathOrder;
use super::{EvalError, ReadError};
use crate::aggregate::Wqd;
use crate::invalid::InvalidPolicy;
use crate::montecarlo::standard_error;
use crate::progress::Observer;
use crate::weibull::FitMemo;
use rayon::prelude::*;
use std::path::Path;

/// Counts over the questions seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileStats {
    /// Questions.
    pub questions: usize,
    /// Fewest paths of a question (0 before the first).
    pub fewest_paths: usize,
    /// Most paths of a question.
    pub most_paths: usize,
    /// Paths without an answer.
    pub invalid_answers: usize,
    /// Questions with at least one such path.
    pub questions_with_invalid: usize,
}

impl FileStats {
    /// Adds the questions of `part`.
    pub fn add(&mut self, part: Part) {
        for q in part.questions {
            let (m, invalid) = (q.paths.len(), q.invalid_paths());
            self.fewest_paths = if self.questions == 0 { m } else { self.fewest_paths.min(m) };
            self.most_paths = self.most_paths.max(m);
            self.questions += 1;
            self.invalid_answers += invalid;
            self.questions_with_invalid += usize::from(invalid > 0);
        }
    }
}

/// One repeat's running sums for one method at one `K`.
#[derive(Debug, Clone)]
struct RepeatSums {
    credit: f64,
    questions: usize,
    maximum: CalibrationSum,
    average: CalibrationSum,
    /// `(pruned, drawn)`; `None` once a question's outcome lists no pruning.
    pruned: Option<(usize, usize)>,
    wqd: Option<Wqd>,
}

impl Default for RepeatSums {
    fn default() -> Self {
        Self { credit: SUM_START, questions: 0, maximum: CalibrationSum::default(), average: CalibrationSum::default(), pruned: Some((0, 0)), wqd: None }
    }
}

impl RepeatSums {
    fn add(&mut self, o: &Outcome) {
        self.credit += o.credit;
        self.questions += 1;
        let rows: Vec<(f64, bool)> = o.rows.iter().map(|r| (r.confidence, r.correct)).collect();
        self.maximum.add_maximum(&rows);
        self.average.add_average(&rows);
        self.pruned = match (self.pruned, &o.pruned) {
            (Some((p, t)), Some(list)) => Some((p + list.len(), t + o.n_paths)),
            _ => None,
        };
        if let Some(w) = o.wqd {
            self.wqd.get_or_insert_with(Default::default).add(w);
        }
    }
}

/// One method at one `K`.
#[derive(Debug, Clone, Default)]
struct MethodSums {
    repeats: Vec<RepeatSums>,
    /// Per question, `Σ_r 100 · credit_r / R` over the repeats accumulated.
    per_question: Vec<f64>,
    /// Per question, `100 · credit_0`: the same when one repeat is run in the
    /// end (kept only while that is still possible).
    single: Option<Vec<f64>>,
}

/// The protocol, accumulated; see the module docs.
pub struct Evaluation<'c> {
    cfg: EvalConfig,
    fits: &'c FitMemo,
    policies: Vec<InvalidPolicy>,
    ks: Vec<Option<usize>>,
    known_most_paths: Option<usize>,
    /// `[K][method]`.
    sums: Vec<Vec<MethodSums>>,
    stats: FileStats,
    options_checked: bool,
}

impl<'c> Evaluation<'c> {
    /// An empty evaluation; `known_most_paths`: the largest question's
    /// number of paths when known before the first part (then exactly the
    /// repeats the report needs are run).
    pub fn new(cfg: EvalConfig, fits: &'c FitMemo, known_most_paths: Option<usize>) -> Result<Self, EvalError> {
        if cfg.methods.is_empty() {
            return Err(EvalError::NoMethods);
        }
        let ks: Vec<Option<usize>> = if cfg.ks.is_empty() { vec![None] } else { cfg.ks.iter().map(|&k| Some(k)).collect() };
        let mut sums = Vec::with_capacity(ks.len());
        for &k in &ks {
            let fed = Self::repeats_fed(&cfg, k, known_most_paths);
            let single = (known_most_paths.is_none() && fed > 1).then(Vec::new);
            let m = MethodSums { repeats: vec![RepeatSums::default(); fed], per_question: Vec::new(), single };
            sums.push(vec![m; cfg.methods.len()]);
        }
        let policies = cfg.methods.iter().map(|m| cfg.invalid_for(m)).collect();
        Ok(Self { cfg, fits, policies, ks, known_most_paths, sums, stats: FileStats::default(), options_checked: false })
    }

    fn repeats_fed(cfg: &EvalConfig, k: Option<usize>, known_most_paths: Option<usize>) -> usize {
        match (k, known_most_paths) {
            (None, _) => 1,
            (Some(k), Some(most)) => cfg.repeats_for(k, most),
            (Some(_), None) if cfg.order == PathOrder::File => 1,
            (Some(_), None) => cfg.repeats,
        }
    }

    /// Evaluates the questions of `part` (which must follow the parts added
    /// before). `observer` advances once per question per repeat per `K`.
    pub fn add(&mut self, part: Part, observer: &dyn Observer) -> Result<(), EvalError> {
        let cfg = &self.cfg;
        check_logprobs(part, &cfg.methods)?;
        if !self.options_checked {
            if cfg.repeats == 0 {
                return Err(EvalError::BadOption { option: "--repeats", requirement: "at least 1" });
            }
            if cfg.ks.contains(&0) {
                return Err(EvalError::BadOption { option: "--k values", requirement: "at least 1" });
            }
            self.options_checked = true;
        }
        self.stats.add(part);
        for (ki, &k) in self.ks.iter().enumerate() {
            let k_eff = k.unwrap_or(usize::MAX);
            let fed = self.sums[ki][0].repeats.len();
            // [question][distinct subset][method]: one subset for a question
            // with at most K paths, else one per repeat.
            let outcomes: Vec<Vec<Vec<Outcome>>> = part
                .questions
                .par_iter()
                .enumerate()
                .map(|(i, q)| {
                    let index = part.first + i;
                    let distinct = if q.paths.len() <= k_eff { 1 } else { fed };
                    let out = (0..distinct)
                        .map(|r| {
                            observer.checkpoint();
                            let idx = match cfg.order {
                                PathOrder::File => (0..q.paths.len().min(k_eff)).collect(),
                                PathOrder::Random => subset(q.paths.len(), k_eff, cfg.seed, r, index),
                            };
                            run_methods(q, idx, &cfg.methods, &self.policies, &cfg.equal, cfg.prob, Some(self.fits)).map_err(|message| {
                                EvalError::from(ReadError::Record { file: part.file.to_path_buf(), question: index, field: "paths".into(), message })
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    observer.advance(fed as u64);
                    Ok(out)
                })
                .collect::<Result<_, EvalError>>()?;
            for (q, per_subset) in part.questions.iter().zip(&outcomes) {
                for (mi, sums) in self.sums[ki].iter_mut().enumerate() {
                    let mut x = 0.0;
                    for (r, rep) in sums.repeats.iter_mut().enumerate() {
                        let o = &per_subset[r.min(per_subset.len() - 1)][mi];
                        x += 100.0 * o.credit / fed as f64;
                        rep.add(o);
                    }
                    sums.per_question.push(x);
                    if q.paths.len() > k_eff {
                        sums.single = None;
                    }
                    if let Some(single) = &mut sums.single {
                        single.push(0.0 + 100.0 * per_subset[0][mi].credit / 1.0);
                    }
                }
            }
        }
        Ok(())
    }

    /// What was seen so far.
    pub fn stats(&self) -> FileStats {
        self.stats
    }

    /// The report (`file` as it names the input).
    pub fn finish(self, file: &Path) -> EvalReport {
        let cfg = &self.cfg;
        let most = self.known_most_paths.unwrap_or(self.stats.most_paths);
        let mut results = Vec::new();
        for (&k, per_method) in self.ks.iter().zip(self.sums) {
            let repeats = cfg.repeats_for(k.unwrap_or(usize::MAX), most);
            for ((method, &policy), sums) in cfg.methods.iter().zip(&self.policies).zip(per_method) {
                let used = &sums.repeats[..repeats];
                let per_question = if repeats == sums.repeats.len() {
                    sums.per_question
                } else {
                    sums.single.expect("one repeat in the end: every question had at most K paths")
                };
                let cal_max: Vec<_> = used.iter().map(|r| r.maximum.finish()).collect();
                let cal_avg: Vec<_> = used.iter().map(|r| r.average.finish()).collect();
                let pruned: Vec<f64> = used.iter().filter_map(|r| r.pruned.map(|(p, t)| p as f64 / t.max(1) as f64)).collect();
                let mut wqd: Option<Wqd> = None;
                for w in used.iter().filter_map(|r| r.wqd) {
                    wqd.get_or_insert_with(Default::default).add(w);
                }
                let stat =
                    |cals: &[super::metrics::Calibration], f: fn(&super::metrics::Calibration) -> f64| MeanStd::of(&cals.iter().map(f).collect::<Vec<_>>());
                results.push(MethodResult {
                    method: *method,
                    invalid: policy,
                    k,
                    repeats,
                    accuracy: MeanStd::of(&used.iter().map(|r| 100.0 * r.credit / r.questions as f64).collect::<Vec<_>>()),
                    ece_max: stat(&cal_max, |c| c.ece),
                    brier_max: stat(&cal_max, |c| c.brier),
                    nll_max: stat(&cal_max, |c| c.nll),
                    ece_avg: stat(&cal_avg, |c| c.ece),
                    brier_avg: stat(&cal_avg, |c| c.brier),
                    nll_avg: stat(&cal_avg, |c| c.nll),
                    bins_max: mean_bins(&cal_max),
                    bins_avg: mean_bins(&cal_avg),
                    pruned_fraction: (!pruned.is_empty()).then(|| pruned.iter().sum::<f64>() / pruned.len() as f64),
                    accuracy_se: standard_error(&per_question),
                    wqd: wqd.filter(|w| w.pairs() > 0).map(|w| WqdSummary { share: w.share(), tied: w.tied_share(), pairs: w.pairs() }),
                });
            }
        }
        let fewest_paths = fewest_paths(&results);
        EvalReport {
            file: file.display().to_string(),
            questions: self.stats.questions,
            paths_per_question: (self.stats.fewest_paths, self.stats.most_paths),
            invalid_answers: self.stats.invalid_answers,
            questions_with_invalid: self.stats.questions_with_invalid,
            prob: cfg.prob,
            seed: cfg.seed,
            order: cfg.order,
            results,
            fewest_paths,
        }
    }
}

/// Path indices `K` of a question's `m` keeps in `repeat`: all of them
/// when `k ≥ m`, else a uniform subset, sorted.
pub(crate) fn subset(m: usize, k: usize, seed: u64, repeat: usize, question: usize) -> Vec<usize> {
    if k >= m {
        return (0..m).collect();
    }
    let mut rng = crate::seed::rng(seed, &[crate::seed::tag("eval/subset"), repeat as u64, question as u64]);
    let mut idx = rand::seq::index::sample(&mut rng, m, k).into_vec();
    idx.sort_unstable();
    idx
}
