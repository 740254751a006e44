//! `pathconf eval`: the estimators and aggregators on a loaded [`Dataset`]
//! (accuracy and calibration over random subsets of `K` paths), or a replay
//! of stopping rules on its paths.

use super::ApiError;
use crate::eval::dataset::Part;
use crate::eval::equivalence::AnswerEquality;
use crate::eval::evaluation::Evaluation;
use crate::eval::formats::chunks::{for_each_part, reads_in_chunks};
use crate::eval::formats::{read, Format};
use crate::eval::methods::{Method, Outcome, ProbMode};
use crate::eval::prefit;
use crate::eval::protocol::{check_logprobs, evaluate_with_fits, outcomes_full, EvalConfig, EvalReport};
use crate::eval::stopping::{evaluate_stopping, PathOrder, Replay, StopConfig, StopReport};
use crate::eval::{Dataset, EvalError, RawQuestion, ReadError};
use crate::invalid::InvalidPolicy;
use crate::progress::Observer;
use crate::stopping::StopRule;
use crate::weibull::FitMemo;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

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
    /// The order in which stopping rules consume paths, and which `K` paths
    /// the methods read (the first `K`, or random subsets).
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
        Self::for_questions(&ds.questions, opts)
    }

    /// [`Self::new`], deciding from `questions` (the first of a file read in
    /// chunks) whether the file holds answers only.
    fn for_questions(questions: &[RawQuestion], opts: &EvalOptions) -> Result<Self, ApiError> {
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
        let (methods, sc_only) = match named {
            Some(m) => (m, false),
            None if answers_only(questions) => (vec![Method::Sc], true),
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
            order: opts.order,
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
                    Some(PerQuestion::InMemory(ds.questions.iter().zip(outcomes).map(|(q, outs)| question_outcomes(q, &cfg.methods, outs)).collect()))
                } else {
                    None
                };
                Ok(EvalOutcome::Methods { report, per_question })
            }
        }
    }
}

fn answers_only(questions: &[RawQuestion]) -> bool {
    questions.iter().all(|q| q.paths.iter().all(|p| p.mean_logprob.is_none()))
}

/// An observer that passes on checkpoints (cancellation) but not progress:
/// a file read in chunks reports its progress in bytes.
struct CheckpointOnly<'a>(&'a dyn Observer);

impl Observer for CheckpointOnly<'_> {
    fn checkpoint(&self) {
        self.0.checkpoint();
    }
}

/// `eval` on a file read a chunk at a time where its format allows
/// ([`crate::eval::formats::chunks`]): the outcome [`EvalPlan::run`] gives
/// on the loaded file, bit for bit, holding one chunk of questions at a
/// time (and, with `--per-question`, each question's outcome). `observer`
/// advances by bytes read, out of the file's size. Returns the outcome and
/// the number of questions.
pub fn eval_file(
    file: &Path,
    format: Option<Format>,
    answers: Option<&HashMap<String, String>>,
    opts: &EvalOptions,
    chunk_bytes: usize,
    observer: &dyn Observer,
) -> Result<(EvalOutcome, usize), ApiError> {
    let checked = EvalPlan::for_questions(&[], opts)?; // the options, before reading anything
    if !reads_in_chunks(file, format) {
        return eval_whole(file, format, answers, opts, observer);
    }
    let fits = FitMemo::default();
    let quiet = CheckpointOnly(observer);
    let mut done = 0u64;
    let mut advance = |to: u64| {
        observer.advance(to - done);
        done = to;
    };
    if let EvalPlan::Stopping { cfg, equal } = checked {
        let mut replay = Replay::new(cfg, equal)?;
        for_each_part::<EvalError>(file, format, answers, chunk_bytes, &mut |part, to| {
            replay.add(part, &quiet)?;
            advance(to);
            Ok(())
        })?;
        let questions = replay.questions();
        return Ok((EvalOutcome::Stopping(replay.finish()?), questions));
    }
    let mut state: Option<(EvalPlan, Evaluation, RawQuestion)> = None;
    let temp_error = |error| ReadError::Io { file: std::env::temp_dir(), error };
    // `--per-question`: (the unnamed file the outcomes go to, how many).
    let mut spilled = match opts.per_question {
        true => Some((std::io::BufWriter::new(tempfile::tempfile().map_err(temp_error)?), 0usize)),
        false => None,
    };
    for_each_part::<EvalError>(file, format, answers, chunk_bytes, &mut |part, to| {
        if state.is_none() {
            let plan = EvalPlan::for_questions(part.questions, opts).expect("checked before reading");
            let EvalPlan::Methods { cfg, .. } = &plan else { unreachable!("no --stop: methods") };
            let evaluation = Evaluation::new(cfg.clone(), &fits, None)?;
            state = Some((plan, evaluation, part.questions[0].clone()));
        }
        let (plan, evaluation, first) = state.as_mut().expect("set above");
        let EvalPlan::Methods { cfg, sc_only, .. } = plan else { unreachable!("no --stop: methods") };
        if *sc_only && !answers_only(part.questions) {
            // As the loaded file: not answers-only, so the default methods,
            // which need the log-probabilities the first question lacks.
            let defaults = DEFAULT_METHODS.iter().map(|m| Method::parse(m, opts.tau)).collect::<Result<Vec<_>, _>>().expect("the defaults parse");
            check_logprobs(Part { file, format: part.format, first: 0, questions: std::slice::from_ref(first) }, &defaults)?;
        }
        evaluation.add(part, &quiet)?;
        if let Some((writer, written)) = spilled.as_mut() {
            let outcomes = outcomes_full(part, &cfg.methods, cfg.prob, &cfg.equal, cfg.invalid)?;
            for (q, outs) in part.questions.iter().zip(outcomes) {
                spill(writer, &question_outcomes(q, &cfg.methods, outs), *written).map_err(temp_error)?;
                *written += 1;
            }
        }
        advance(to);
        Ok(())
    })?;
    let (_, evaluation, _) = state.expect("a file without questions is an error");
    let questions = evaluation.stats().questions;
    let report = evaluation.finish(file);
    let per_question = match spilled {
        Some((writer, questions)) => {
            let file = writer.into_inner().map_err(|e| temp_error(e.into_error()))?;
            Some(PerQuestion::Spilled { file: Arc::new(file), questions })
        }
        None => None,
    };
    Ok((EvalOutcome::Methods { report, per_question }, questions))
}

/// [`eval_file`] on a file read whole: RPC's fits start on the idle cores
/// while it is parsed ([`crate::eval::prefit`]); the observer still counts
/// bytes (the plan's units, scaled).
fn eval_whole(
    file: &Path,
    format: Option<Format>,
    answers: Option<&HashMap<String, String>>,
    opts: &EvalOptions,
    observer: &dyn Observer,
) -> Result<(EvalOutcome, usize), ApiError> {
    let (ds, fits) = rayon::join(|| read(file, format, answers), || if opts.prefits() { prefit::fits(file) } else { FitMemo::default() });
    let ds = ds?;
    let plan = EvalPlan::new(&ds, opts)?;
    let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let scaled = Scaled { inner: observer, bytes, units: plan.work_units(&ds).max(1), done: AtomicU64::new(0) };
    let outcome = plan.run_with_fits(&ds, &scaled, &fits)?;
    Ok((outcome, ds.questions.len()))
}

/// Passes `k` units of `units` on as their share of `bytes` (the shares
/// add up to `bytes` exactly).
struct Scaled<'a> {
    inner: &'a dyn Observer,
    bytes: u64,
    units: u64,
    done: AtomicU64,
}

impl Observer for Scaled<'_> {
    fn advance(&self, k: u64) {
        let before = self.done.fetch_add(k, Ordering::Relaxed);
        let share = |u: u64| (u128::from(u.min(self.units)) * u128::from(self.bytes) / u128::from(self.units)) as u64;
        self.inner.advance(share(before + k) - share(before));
    }

    fn checkpoint(&self) {
        self.inner.checkpoint();
    }
}

fn question_outcomes(q: &RawQuestion, methods: &[Method], outs: Vec<Outcome>) -> QuestionOutcomes {
    QuestionOutcomes {
        id: q.id.clone(),
        truth: q.truth.clone(),
        paths: q.paths.len(),
        invalid: q.invalid_paths(),
        methods: methods.iter().map(Method::name).zip(outs).collect(),
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
        per_question: Option<PerQuestion>,
    },
    /// Stopping rules.
    Stopping(StopReport),
}

/// Each question's outcomes (`--per-question`): in memory, or — for a file
/// read in chunks — written out as they came, to an unnamed temporary file,
/// as `eval --json` prints them, so that they never sit in memory together.
#[derive(Debug, Clone)]
pub enum PerQuestion {
    /// Held in memory.
    InMemory(Vec<QuestionOutcomes>),
    /// Written out: pretty JSON, each element's lines indented for its place
    /// in the report, elements separated by `,\n`.
    Spilled {
        /// The temporary file (deleted when the last handle goes).
        file: Arc<std::fs::File>,
        /// How many questions it holds.
        questions: usize,
    },
}

/// Indentation of an element of the report's `per_question` array.
const ELEMENT_INDENT: &[u8] = b"    ";

/// Writes `q` as an element of `per_question`, after `written` others.
fn spill(w: &mut impl std::io::Write, q: &QuestionOutcomes, written: usize) -> std::io::Result<()> {
    let text = serde_json::to_vec_pretty(q).map_err(std::io::Error::other)?;
    if written > 0 {
        w.write_all(b",\n")?;
    }
    // JSON strings hold no raw newline: every line break is the formatter's.
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            w.write_all(b"\n")?;
        }
        w.write_all(ELEMENT_INDENT)?;
        w.write_all(line)?;
    }
    Ok(())
}

/// Serialises to the JSON `eval --json` prints: the report, with
/// `per_question` last when asked for. (Spilled outcomes are read back into
/// memory here; [`EvalOutcome::write_json`] copies them instead.)
impl Serialize for EvalOutcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct WithQuestions<'a, T: Serialize> {
            #[serde(flatten)]
            report: &'a EvalReport,
            per_question: T,
        }
        match self {
            Self::Methods { report, per_question: Some(PerQuestion::InMemory(per)) } => WithQuestions { report, per_question: per }.serialize(s),
            Self::Methods { report, per_question: Some(PerQuestion::Spilled { file, .. }) } => {
                let mut text = String::from("[");
                let mut f: &std::fs::File = file;
                f.seek(SeekFrom::Start(0)).and_then(|_| f.read_to_string(&mut text)).map_err(serde::ser::Error::custom)?;
                text.push(']');
                let per: serde_json::Value = serde_json::from_str(&text).map_err(serde::ser::Error::custom)?;
                WithQuestions { report, per_question: per }.serialize(s)
            }
            Self::Methods { report, per_question: None } => report.serialize(s),
            Self::Stopping(report) => report.serialize(s),
        }
    }
}

impl EvalOutcome {
    /// The JSON that `eval --json` prints, as a value.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("reports serialise")
    }

    /// Writes the JSON `eval --json` prints (pretty, no final newline)
    /// without holding it in memory: spilled per-question outcomes are
    /// copied from their file.
    pub fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        if let Self::Methods { report, per_question: Some(PerQuestion::Spilled { file, questions }) } = self {
            let head = serde_json::to_vec_pretty(report).map_err(std::io::Error::other)?;
            w.write_all(head.strip_suffix(b"\n}").expect("a pretty object ends so"))?;
            if *questions == 0 {
                w.write_all(b",\n  \"per_question\": []\n}")?;
            } else {
                w.write_all(b",\n  \"per_question\": [\n")?;
                let mut f: &std::fs::File = file;
                f.seek(SeekFrom::Start(0))?;
                std::io::copy(&mut f, w)?;
                w.write_all(b"\n  ]\n}")?;
            }
            return Ok(());
        }
        serde_json::to_writer_pretty(&mut *w, self).map_err(std::io::Error::other)
    }
}

/// Reads the reference's equality cache: `{"a<##>b": true|false}`.
pub fn read_cache(file: &Path) -> Result<HashMap<String, bool>, ReadError> {
    let text = std::fs::read_to_string(file).map_err(|error| ReadError::Io { file: file.to_path_buf(), error })?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| ReadError::Json {
        file: file.to_path_buf(),
        location: format!(" at line {}, column {}", e.line(), e.column()),
        message: e.to_string(),
    })?;
    let obj = v.as_object().ok_or_else(|| ReadError::File { file: file.to_path_buf(), message: "expected an object {\"a<##>b\": true|false}".into() })?;
    obj.iter()
        .map(|(k, v)| {
            if !k.contains("<##>") {
                return Err(ReadError::File { file: file.to_path_buf(), message: format!("key {k:?} is not of the form \"a<##>b\"") });
            }
            v.as_bool()
                .map(|b| (k.clone(), b))
                .ok_or_else(|| ReadError::File { file: file.to_path_buf(), message: format!("key {k:?}: expected true or false, found {v}") })
        })
        .collect()
}
