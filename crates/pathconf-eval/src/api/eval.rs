//! `pathconf eval`: the estimators and aggregators on a loaded [`Dataset`]
//! (accuracy and calibration over random subsets of `K` paths), or a replay
//! of stopping rules on its paths.

use super::ApiError;
use crate::eval::equivalence::AnswerEquality;
use crate::eval::methods::{Method, Outcome, ProbMode};
use crate::eval::protocol::{evaluate_with_fits, outcomes_full, EvalConfig, EvalReport};
use crate::eval::stopping::{evaluate_stopping, PathOrder, StopConfig, StopReport};
use crate::eval::{Dataset, EvalError};
use crate::invalid::InvalidPolicy;
use crate::progress::Observer;
use crate::stopping::StopRule;
use crate::weibull::FitMemo;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The methods `eval` runs when none are named.
pub const DEFAULT_METHODS: [&str; 4] = ["sc", "ppl", "pc", "rpc"];

/// What `eval` is asked for.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// Method names (`Method::parse` syntax); `None`: [`DEFAULT_METHODS`],
    /// or SC alone on an answers-only file.
    pub methods: Option<Vec<String>>,
    /// RP's threshold.
    pub tau: Option<f64>,
    /// Paths per question `K` (empty: all paths).
    pub ks: Vec<usize>,
    /// Random subsets per `K` (for stopping rules: random orders).
    pub repeats: usize,
    /// Seed of the subsets and orders.
    pub seed: u64,
    /// Path probability.
    pub prob: ProbMode,
    /// Answer equivalence (with the reference's equality cache, if any).
    pub equal: AnswerEquality,
    /// Add each question's outcome on all its paths.
    pub per_question: bool,
    /// Replay these stopping rules instead of the methods.
    pub stop: Vec<StopRule>,
    /// The order in which stopping rules consume paths.
    pub order: PathOrder,
    /// How every method or rule treats invalid paths; `None`: as its own
    /// reference does ([`crate::invalid`]).
    pub invalid: Option<InvalidPolicy>,
}

impl Default for EvalOptions {
    fn default() -> Self {
        Self {
            methods: None,
            tau: None,
            ks: Vec::new(),
            repeats: 10,
            seed: 0,
            prob: ProbMode::Mean,
            equal: AnswerEquality::default(),
            per_question: false,
            stop: Vec::new(),
            order: PathOrder::Random,
            invalid: None,
        }
    }
}

impl EvalOptions {
    /// The named methods, parsed, and the threshold checked (`None` when no
    /// names were given).
    pub fn parsed_methods(&self) -> Result<Option<Vec<Method>>, ApiError> {
        let parsed = match &self.methods {
            Some(names) => Some(names.iter().map(|m| Method::parse(m, self.tau)).collect::<Result<Vec<_>, _>>()?),
            None => None,
        };
        if let Some(t) = self.tau {
            if !(0.0..=1.0).contains(&t) {
                return Err(ApiError::Option(format!("--tau {t} is outside [0, 1]")));
            }
        }
        Ok(parsed)
    }

    /// Whether RPC's fits can be started before the file is read
    /// ([`crate::eval::prefit`]): RPC runs (named, or by default), on every
    /// path of a question (no `K`), with `q = exp(mean_logprob)`, and no
    /// stopping rules replace the methods.
    pub fn prefits(&self) -> bool {
        let rpc = match self.parsed_methods() {
            Ok(Some(methods)) => methods.contains(&Method::Rpc),
            Ok(None) => DEFAULT_METHODS.contains(&"rpc"),
            Err(_) => false,
        };
        rpc && self.ks.is_empty() && self.prob == ProbMode::Mean && self.stop.is_empty()
    }
}

/// A checked `eval` request on one dataset.
#[derive(Debug, Clone)]
pub enum EvalPlan {
    /// Methods over random subsets.
    Methods {
        /// The configuration.
        cfg: EvalConfig,
        /// Add per-question outcomes.
        per_question: bool,
        /// No methods were named and the file has no log-probabilities: SC alone.
        sc_only: bool,
    },
    /// Stopping rules replayed on the paths.
    Stopping {
        /// The configuration.
        cfg: StopConfig,
        /// Answer equivalence.
        equal: AnswerEquality,
    },
}

impl EvalPlan {
    /// Checks `opts` against `ds`.
    pub fn new(ds: &Dataset, opts: &EvalOptions) -> Result<Self, ApiError> {
        let named = opts.parsed_methods()?;
        if !opts.stop.is_empty() {
            // The two reports have different shapes: asking for both would
            // silently lose one.
            if opts.methods.is_some() {
                return Err(ApiError::Option("--methods and --stop cannot be combined: --stop replays stopping rules (one report per rule), --methods evaluates methods (another report); run eval twice".into()));
            }
            if !opts.ks.is_empty() {
                return Err(ApiError::Option(
                    "--k and --stop cannot be combined: a stopping rule decides how many paths it uses (give the cap in the rule, e.g. asc-beta:0.95:16)"
                        .into(),
                ));
            }
            let cfg = StopConfig {
                rules: opts.stop.clone(),
                order: opts.order,
                repeats: opts.repeats,
                seed: opts.seed,
                invalid: opts.invalid,
                per_question: opts.per_question,
            };
            return Ok(Self::Stopping { cfg, equal: opts.equal.clone() });
        }
        let answers_only = || ds.questions.iter().all(|q| q.paths.iter().all(|p| p.mean_logprob.is_none()));
        let (methods, sc_only) = match named {
            Some(m) => (m, false),
            None if answers_only() => (vec![Method::Sc], true),
            None => (DEFAULT_METHODS.iter().map(|m| Method::parse(m, opts.tau)).collect::<Result<Vec<_>, _>>()?, false),
        };
        let cfg = EvalConfig {
            methods,
            ks: opts.ks.clone(),
            repeats: opts.repeats,
            seed: opts.seed,
            prob: opts.prob,
            equal: opts.equal.clone(),
            invalid: opts.invalid,
        };
        Ok(Self::Methods { cfg, per_question: opts.per_question, sc_only })
    }

    /// Units of work reported to an observer.
    pub fn work_units(&self, ds: &Dataset) -> u64 {
        match self {
            Self::Methods { cfg, .. } => cfg.work_units(ds),
            Self::Stopping { cfg, .. } => (ds.questions.len() * if cfg.order == PathOrder::File { 1 } else { cfg.repeats }) as u64,
        }
    }

    /// Runs it (deterministic for a seed, whatever the number of threads).
    pub fn run(&self, ds: &Dataset, observer: &dyn Observer) -> Result<EvalOutcome, ApiError> {
        self.run_with_fits(ds, observer, &FitMemo::default())
    }

    /// [`Self::run`], with RPC's fits taken from `fits` where it holds them
    /// (the outcome is the same).
    pub fn run_with_fits(&self, ds: &Dataset, observer: &dyn Observer, fits: &FitMemo) -> Result<EvalOutcome, ApiError> {
        match self {
            Self::Stopping { cfg, equal } => Ok(EvalOutcome::Stopping(evaluate_stopping(ds, cfg, equal, observer)?)),
            Self::Methods { cfg, per_question, .. } => {
                let report = evaluate_with_fits(ds, cfg, observer, fits)?;
                let per_question = if *per_question {
                    let outcomes = outcomes_full(ds, &cfg.methods, cfg.prob, &cfg.equal, cfg.invalid)?;
                    Some(
                        ds.questions
                            .iter()
                            .zip(outcomes)
                            .map(|(q, outs)| QuestionOutcomes {
                                id: q.id.clone(),
                                truth: q.truth.clone(),
                                paths: q.paths.len(),
                                invalid: q.invalid_paths(),
                                methods: cfg.methods.iter().map(Method::name).zip(outs).collect(),
                            })
                            .collect(),
                    )
                } else {
                    None
                };
                Ok(EvalOutcome::Methods { report, per_question })
            }
        }
    }
}

/// One question's outcomes on all its paths (`--per-question`).
#[derive(Debug, Clone, Serialize)]
pub struct QuestionOutcomes {
    /// Question id.
    pub id: String,
    /// Ground truth.
    pub truth: String,
    /// Number of paths.
    pub paths: usize,
    /// Paths without an answer among them ([`crate::invalid`]).
    pub invalid: usize,
    /// Each method's outcome, by method name.
    pub methods: BTreeMap<String, Outcome>,
}

/// What `eval` computed.
#[derive(Debug, Clone)]
pub enum EvalOutcome {
    /// Methods over random subsets.
    Methods {
        /// The report.
        report: EvalReport,
        /// Per-question outcomes, when asked for.
        per_question: Option<Vec<QuestionOutcomes>>,
    },
    /// Stopping rules.
    Stopping(StopReport),
}

impl EvalOutcome {
    /// The JSON that `eval --json` prints.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Self::Methods { report, per_question } => {
                let mut value = serde_json::to_value(report).expect("reports serialise");
                if let Some(per) = per_question {
                    value["per_question"] = serde_json::to_value(per).expect("outcomes serialise");
                }
                value
            }
            Self::Stopping(report) => serde_json::to_value(report).expect("reports serialise"),
        }
    }
}

/// Reads the reference's equality cache: `{"a<##>b": true|false}`.
pub fn read_cache(file: &Path) -> Result<HashMap<String, bool>, EvalError> {
    let text = std::fs::read_to_string(file).map_err(|error| EvalError::Io { file: file.to_path_buf(), error })?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| EvalError::Json {
        file: file.to_path_buf(),
        location: format!(" at line {}, column {}", e.line(), e.column()),
        message: e.to_string(),
    })?;
    let obj = v.as_object().ok_or_else(|| EvalError::File { file: file.to_path_buf(), message: "expected an object {\"a<##>b\": true|false}".into() })?;
    obj.iter()
        .map(|(k, v)| {
            if !k.contains("<##>") {
                return Err(EvalError::File { file: file.to_path_buf(), message: format!("key {k:?} is not of the form \"a<##>b\"") });
            }
            v.as_bool()
                .map(|b| (k.clone(), b))
                .ok_or_else(|| EvalError::File { file: file.to_path_buf(), message: format!("key {k:?}: expected true or false, found {v}") })
        })
        .collect()
}
