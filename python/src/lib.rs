//! `pathconf._core`: the Python bindings' native module. Thin: every function
//! here converts its arguments, calls the library's front door
//! ([`pathconf_eval::api`], the same functions the CLI calls) with the GIL
//! released, and returns the report as the JSON text the CLI's `--json`
//! prints; `pathconf/__init__.py` turns that into Python objects.
//!
//! Errors keep the library's messages (file, record, field): a missing file
//! raises `FileNotFoundError`, anything else about the input `ValueError`.
//! Ctrl-C is honoured while a call runs (see [`detached`]).

mod interrupt;

// exp, log, pow, … from the `libm` crate, as the `pathconf` binary computes
// them (pathconf_core::elementary says why); `build.rs` links the extension
// with `-Bsymbolic` so that its own calls bind to these definitions rather
// than to the interpreter's C library: Python's numbers are the CLI's.
pathconf_core::elementary_functions!();

use interrupt::detached;
use pathconf_core::accuracy::target::Target;
use pathconf_core::invalid::InvalidPolicy;
use pathconf_core::options::UnknownOption;
use pathconf_core::plan::PlanModel;
use pathconf_core::spec::{parse_population, parse_spec, read_population, read_spec, PopulationSpec, Spec, SpecError};
use pathconf_core::stopping::StopRule;
use pathconf_eval::api::eval::{read_cache, EvalOptions, EvalPlan};
use pathconf_eval::api::plan::PlanOptions;
use pathconf_eval::api::theory::{AccuracyRequest, TheoryInput};
use pathconf_eval::api::ApiError;
use pathconf_eval::eval::equivalence::{AnswerEquality, Equivalence};
use pathconf_eval::eval::formats::arrays::{read_arrays, PathArrays};
use pathconf_eval::eval::formats::{read, read_answers, Format};
use pathconf_eval::eval::methods::ProbMode;
use pathconf_eval::eval::stopping::PathOrder;
use pathconf_eval::eval::{Dataset, ReadError};
use pyo3::exceptions::{PyFileNotFoundError, PyValueError};
use pyo3::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The name errors give to a spec passed as a dict.
const SPEC_DICT: &str = "<spec>";

/// A library error as the Python exception a user expects.
fn py_err(e: ApiError) -> PyErr {
    let not_found = match &e {
        ApiError::Read(ReadError::Io { error, .. }) | ApiError::Spec(SpecError::Io { error, .. }) => error.kind() == std::io::ErrorKind::NotFound,
        _ => false,
    };
    if not_found {
        PyFileNotFoundError::new_err(e.to_string())
    } else {
        PyValueError::new_err(e.to_string())
    }
}

fn value_err(message: String) -> PyErr {
    PyValueError::new_err(message)
}

fn to_json<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| value_err(format!("cannot serialise the report: {e}")))
}

/// Sampled paths, loaded from a file or built from arrays.
#[pyclass(module = "pathconf._core", name = "Paths", frozen)]
struct Paths {
    ds: Arc<Dataset>,
}

fn format_of(name: Option<&str>) -> PyResult<Option<Format>> {
    name.map(option).transpose()
}

#[pymethods]
impl Paths {
    /// Reads a paths file (the paper's JSON columns, pathconf JSONL, or
    /// OpenAI/vLLM JSONL; detected when `format` is None).
    #[staticmethod]
    #[pyo3(signature = (path, format = None, answers = None))]
    fn load(py: Python<'_>, path: PathBuf, format: Option<&str>, answers: Option<PathBuf>) -> PyResult<Self> {
        let format = format_of(format)?;
        let ds = detached(py, |_| {
            let answers = answers.as_deref().map(read_answers).transpose()?;
            // Detached: the Paths object may outlive the file's contents.
            let mut ds = read(&path, format, answers.as_ref())?;
            ds.detach();
            Ok(ds)
        })
        .map_err(|e| e.into_py(py_err))?;
        Ok(Self { ds: Arc::new(ds) })
    }

    /// Builds paths from per-question lists (see `pathconf.Paths.from_arrays`).
    #[staticmethod]
    #[pyo3(signature = (answers, truth, mean_logprob = None, ids = None, n_tokens = None, text = None, self_certainty = None, p_true = None, token_confidence = None))]
    #[allow(clippy::too_many_arguments)]
    fn from_arrays(
        answers: Vec<Vec<String>>,
        truth: Vec<String>,
        mean_logprob: Option<Vec<Vec<f64>>>,
        ids: Option<Vec<String>>,
        n_tokens: Option<Vec<Vec<u64>>>,
        text: Option<Vec<Vec<String>>>,
        self_certainty: Option<Vec<Vec<f64>>>,
        p_true: Option<Vec<Vec<f64>>>,
        token_confidence: Option<Vec<Vec<Vec<f64>>>>,
    ) -> PyResult<Self> {
        let arrays = PathArrays { ids, truth, answers, mean_logprob, n_tokens, text, self_certainty, p_true, token_confidence };
        let ds = read_arrays(&arrays).map_err(|e| py_err(e.into()))?;
        Ok(Self { ds: Arc::new(ds) })
    }

    /// Where the paths came from (`<arrays>` for `from_arrays`).
    #[getter]
    fn file(&self) -> String {
        self.ds.file.display().to_string()
    }

    /// The format read (`rpc-json`, `jsonl`, `openai`).
    #[getter]
    fn format(&self) -> &'static str {
        pathconf_core::options::name_of(self.ds.format)
    }

    /// Question ids.
    #[getter]
    fn ids(&self) -> Vec<String> {
        self.ds.questions.iter().map(|q| q.id.clone()).collect()
    }

    /// Ground truths.
    #[getter]
    fn truth(&self) -> Vec<String> {
        self.ds.questions.iter().map(|q| q.truth.clone()).collect()
    }

    /// Paths without an extractable answer (answer `[invalid]`).
    #[getter]
    fn invalid_answers(&self) -> usize {
        self.ds.invalid_answers()
    }

    /// Per question, each path's answer.
    fn answers(&self) -> Vec<Vec<String>> {
        self.ds.questions.iter().map(|q| q.paths.iter().map(|p| p.answer.to_string()).collect()).collect()
    }

    /// Per question, each path's text.
    fn text(&self) -> Vec<Vec<String>> {
        self.ds.questions.iter().map(|q| q.paths.iter().map(|p| p.text.to_string()).collect()).collect()
    }

    /// Per question, each path's mean token log-probability (None: answers only).
    fn mean_logprob(&self) -> Vec<Vec<Option<f64>>> {
        self.ds.questions.iter().map(|q| q.paths.iter().map(|p| p.mean_logprob).collect()).collect()
    }

    /// Per question, each path's sequence log-probability (None where the file has none).
    fn sum_logprob(&self) -> Vec<Vec<Option<f64>>> {
        self.ds.questions.iter().map(|q| q.paths.iter().map(|p| p.sum_logprob).collect()).collect()
    }

    /// Per question, each path's self-certainty (None where absent).
    fn self_certainty(&self) -> Vec<Vec<Option<f64>>> {
        self.ds.questions.iter().map(|q| q.paths.iter().map(|p| p.signals.self_certainty).collect()).collect()
    }

    /// Per question, each path's P(True) (None where absent).
    fn p_true(&self) -> Vec<Vec<Option<f64>>> {
        self.ds.questions.iter().map(|q| q.paths.iter().map(|p| p.signals.p_true).collect()).collect()
    }

    /// Per question, each path's token confidences (None where absent).
    fn token_confidence(&self) -> Vec<Vec<Option<Vec<f32>>>> {
        self.ds.questions.iter().map(|q| q.paths.iter().map(|p| p.signals.token_confidence.clone()).collect()).collect()
    }

    fn __len__(&self) -> usize {
        self.ds.questions.len()
    }

    fn __repr__(&self) -> String {
        let counts: Vec<usize> = self.ds.questions.iter().map(|q| q.paths.len()).collect();
        let (lo, hi) = (counts.iter().min().copied().unwrap_or(0), counts.iter().max().copied().unwrap_or(0));
        let paths = if lo == hi { format!("{lo}") } else { format!("{lo}–{hi}") };
        format!("Paths({:?}: {} questions × {paths} paths, format {})", self.file(), self.ds.questions.len(), self.format())
    }
}

fn prob_of(name: &str) -> PyResult<ProbMode> {
    option(name)
}

fn equivalence_of(name: &str) -> PyResult<Equivalence> {
    option(name)
}

fn order_of(name: &str) -> PyResult<PathOrder> {
    option(name)
}

/// One of the library's option enums by name (a `ValueError` naming the
/// alternatives otherwise).
fn option<T: std::str::FromStr<Err = UnknownOption>>(name: &str) -> PyResult<T> {
    name.parse::<T>().map_err(|e| value_err(e.to_string()))
}

fn rules_of(rules: &[String]) -> PyResult<Vec<StopRule>> {
    rules.iter().map(|r| r.parse::<StopRule>().map_err(|e| value_err(e.to_string()))).collect()
}

/// `eval` on loaded paths: the JSON of `pathconf eval --json`.
#[pyfunction]
#[pyo3(signature = (paths, methods = None, k = Vec::new(), repeats = 10, seed = 0, tau = None, prob = "mean", equivalence = "math", cache = None, cache_file = None, per_question = false, stop = Vec::new(), order = "random", invalid = None))]
#[allow(clippy::too_many_arguments)]
fn evaluate(
    py: Python<'_>,
    paths: &Paths,
    methods: Option<Vec<String>>,
    k: Vec<usize>,
    repeats: usize,
    seed: u64,
    tau: Option<f64>,
    prob: &str,
    equivalence: &str,
    cache: Option<HashMap<String, bool>>,
    cache_file: Option<PathBuf>,
    per_question: bool,
    stop: Vec<String>,
    order: &str,
    invalid: Option<&str>,
) -> PyResult<String> {
    let mut opts = EvalOptions {
        methods,
        tau,
        ks: k,
        repeats,
        seed,
        prob: prob_of(prob)?,
        equal: AnswerEquality { mode: equivalence_of(equivalence)?, cache: cache.unwrap_or_default() },
        per_question,
        stop: rules_of(&stop)?,
        order: order_of(order)?,
        invalid: invalid.map(option::<InvalidPolicy>).transpose()?,
    };
    let ds = Arc::clone(&paths.ds);
    let outcome = detached(py, move |observer| {
        if let Some(file) = &cache_file {
            opts.equal.cache.extend(read_cache(file)?);
        }
        let plan = EvalPlan::new(&ds, &opts)?;
        plan.run(&ds, observer)
    })
    .map_err(|e| e.into_py(py_err))?;
    to_json(&outcome.to_json())
}

/// `plan` on loaded paths: the JSON of `pathconf plan --json`.
#[pyfunction]
#[pyo3(signature = (paths, pilot = None, n = Vec::new(), methods = None, prob = "mean", stop = Vec::new(), equivalence = "math", cache = None, cache_file = None, invalid = None, model = "eb", draws = 400, seed = 0, level = 0.9, target = None, budget_tokens = None))]
#[allow(clippy::too_many_arguments)]
fn plan(
    py: Python<'_>,
    paths: &Paths,
    pilot: Option<usize>,
    n: Vec<usize>,
    methods: Option<Vec<String>>,
    prob: &str,
    stop: Vec<String>,
    equivalence: &str,
    cache: Option<HashMap<String, bool>>,
    cache_file: Option<PathBuf>,
    invalid: Option<&str>,
    model: &str,
    draws: usize,
    seed: u64,
    level: f64,
    target: Option<&str>,
    budget_tokens: Option<f64>,
) -> PyResult<String> {
    let mut opts = PlanOptions {
        pilot,
        n,
        methods,
        prob: prob_of(prob)?,
        stop: rules_of(&stop)?,
        equal: AnswerEquality { mode: equivalence_of(equivalence)?, cache: cache.unwrap_or_default() },
        invalid: invalid.map(option::<InvalidPolicy>).transpose()?,
        model: option::<PlanModel>(model)?,
        draws,
        seed,
        level,
        target: target.map(|t| t.parse::<Target>().map_err(|e| value_err(e.to_string()))).transpose()?,
        budget_tokens,
    };
    let ds = Arc::clone(&paths.ds);
    let report = detached(py, move |observer| {
        if let Some(file) = &cache_file {
            opts.equal.cache.extend(read_cache(file)?);
        }
        pathconf_eval::api::plan::plan(&ds, &opts, observer)
    })
    .map_err(|e| e.into_py(py_err))?;
    to_json(&report)
}

/// A spec from a file or from JSON text (a dict on the Python side).
fn spec_of(file: Option<PathBuf>, text: Option<String>) -> Result<Spec, ApiError> {
    Ok(match (file, text) {
        (Some(f), _) => read_spec(&f)?,
        (None, Some(t)) => parse_spec(&t, Path::new(SPEC_DICT))?,
        (None, None) => return Err(ApiError::Option("give a spec (a file name or a dict)".into())),
    })
}

fn population_of(file: Option<PathBuf>, text: Option<String>) -> Result<PopulationSpec, ApiError> {
    Ok(match (file, text) {
        (Some(f), _) => read_population(&f)?,
        (None, Some(t)) => parse_population(&t, Path::new("<population>"))?,
        (None, None) => return Err(ApiError::Option("give a population (a file name or a dict)".into())),
    })
}

/// `theory`: the JSON of `pathconf theory --json` (terms; with `accuracy`
/// or `target`, selection accuracy and samples needed; with a population,
/// population curves).
#[pyfunction]
#[pyo3(signature = (spec_file = None, spec_json = None, population_file = None, population_json = None, n = vec![1, 2, 4, 8, 16, 32, 64], tau = None, temperature = None, accuracy = false, target = None, n_max = 1024, estimators = Vec::new(), trials = 20_000, seed = 2025, per_path = false))]
#[allow(clippy::too_many_arguments)]
fn theory(
    py: Python<'_>,
    spec_file: Option<PathBuf>,
    spec_json: Option<String>,
    population_file: Option<PathBuf>,
    population_json: Option<String>,
    n: Vec<u64>,
    tau: Option<f64>,
    temperature: Option<f64>,
    accuracy: bool,
    target: Option<String>,
    n_max: u64,
    estimators: Vec<String>,
    trials: u64,
    seed: u64,
    per_path: bool,
) -> PyResult<String> {
    let target = target.map(|t| t.parse().map_err(|e: pathconf_core::accuracy::target::TargetError| value_err(e.to_string()))).transpose()?;
    let json = detached(py, move |observer| {
        pathconf_eval::api::check_spec_options(&n, tau, temperature)?;
        let input = if population_file.is_some() || population_json.is_some() {
            TheoryInput::Population(population_of(population_file, population_json)?)
        } else {
            TheoryInput::Spec(spec_of(spec_file, spec_json)?)
        };
        let req = AccuracyRequest { n, tau, temperature, estimators, accuracy, target, n_max, trials, seed, per_path };
        Ok(pathconf_eval::api::theory::theory(&input, &req, observer)?.to_json())
    })
    .map_err(|e| e.into_py(py_err))?;
    to_json(&json)
}

/// `simulate`: the JSON of `pathconf simulate --json`.
#[pyfunction]
#[pyo3(signature = (spec_file = None, spec_json = None, n = vec![1, 2, 4, 8, 16, 32, 64], trials = 100_000, seed = 0, tau = None, temperature = None))]
#[allow(clippy::too_many_arguments)]
fn simulate(
    py: Python<'_>,
    spec_file: Option<PathBuf>,
    spec_json: Option<String>,
    n: Vec<u64>,
    trials: u64,
    seed: u64,
    tau: Option<f64>,
    temperature: Option<f64>,
) -> PyResult<String> {
    let report = detached(py, move |observer| {
        let spec = spec_of(spec_file, spec_json)?;
        let req = pathconf_eval::api::simulate::SimulateRequest { n, trials, seed, tau: tau.or(spec.tau).unwrap_or(0.0), temperature };
        pathconf_eval::api::simulate::simulate_spec(&spec.distribution, &req, observer)
    })
    .map_err(|e| e.into_py(py_err))?;
    to_json(&report)
}

/// `budget`: the JSON of `pathconf budget --json`.
#[pyfunction]
#[pyo3(signature = (rules, spec_file = None, spec_json = None, trials = 200_000, seed = 2025))]
fn budget(py: Python<'_>, rules: Vec<String>, spec_file: Option<PathBuf>, spec_json: Option<String>, trials: u64, seed: u64) -> PyResult<String> {
    let rules = rules_of(&rules)?;
    let rows = detached(py, move |_| {
        let spec = spec_of(spec_file, spec_json)?;
        pathconf_eval::api::budget::budget(&spec.distribution, &rules, trials, seed)
    })
    .map_err(|e| e.into_py(py_err))?;
    to_json(&rows)
}

/// `verify`: the JSON of `pathconf verify --json`.
#[pyfunction]
#[pyo3(signature = (quick = true, trials = 100_000, seed = 20251015))]
fn verify(py: Python<'_>, quick: bool, trials: u64, seed: u64) -> PyResult<String> {
    let cfg = pathconf_core::verify::VerifyConfig { quick, trials, seed };
    let reports = detached(py, move |observer| pathconf_eval::api::verify(&cfg, observer)).map_err(|e| e.into_py(py_err))?;
    to_json(&reports)
}

/// One server's URL, or several (requests go to them in turn).
#[derive(FromPyObject)]
enum Urls {
    One(String),
    Many(Vec<String>),
}

impl Urls {
    fn into_list(self) -> Vec<String> {
        match self {
            Urls::One(u) => vec![u],
            Urls::Many(us) => us,
        }
    }
}

/// `sample --endpoint`: draws from an OpenAI-compatible server with a rule
/// applied online; the JSON `{"rule", "concurrency", "choices_per_request",
/// "fixed", "notes", "report",
/// "questions", "summary", "out"}` (per question the rule's and the
/// methods' answers, as `<out>.summary.jsonl` has them).
#[pyfunction]
#[pyo3(signature = (endpoint, model, questions, n, out, stop = None, methods = Vec::new(), api = "chat", prompt_template = None, concurrency = None, choices_per_request = 1, seed = 0, temperature = 1.0, top_p = 0.95, top_k = None, min_p = None, max_new_tokens = 256, top_logprobs = 20, logprob_kind = None, api_key_env = "OPENAI_API_KEY", resume = false, allow_missing_logprobs = false, extract = "word-problem", invalid = None, limit = None))]
#[allow(clippy::too_many_arguments)]
fn sample(
    py: Python<'_>,
    endpoint: Urls,
    model: String,
    questions: PathBuf,
    n: usize,
    out: PathBuf,
    stop: Option<String>,
    methods: Vec<String>,
    api: &str,
    prompt_template: Option<String>,
    concurrency: Option<usize>,
    choices_per_request: usize,
    seed: u64,
    temperature: f64,
    top_p: f64,
    top_k: Option<u32>,
    min_p: Option<f64>,
    max_new_tokens: usize,
    top_logprobs: usize,
    logprob_kind: Option<&str>,
    api_key_env: &str,
    resume: bool,
    allow_missing_logprobs: bool,
    extract: &str,
    invalid: Option<&str>,
    limit: Option<usize>,
) -> PyResult<String> {
    use pathconf_client::run::{run, RunError, RunOptions};
    use pathconf_eval::eval::formats::stream::Sampling;
    let methods = methods
        .iter()
        .map(|m| pathconf_eval::eval::methods::Method::parse(m.trim(), None).map_err(|e| value_err(e.to_string())))
        .collect::<PyResult<Vec<_>>>()?;
    let opts = RunOptions {
        urls: endpoint.into_list(),
        model,
        api_key: std::env::var(api_key_env).ok().filter(|k| !k.is_empty()),
        api: option(api)?,
        prompt_template,
        n,
        stop: stop.map(|r| r.parse::<StopRule>().map_err(|e| value_err(e.to_string()))).transpose()?,
        methods,
        concurrency,
        choices_per_request,
        seed,
        sampling: Sampling { temperature, top_p, top_k, min_p },
        max_new_tokens,
        top_logprobs,
        logprob_kind: logprob_kind.map(option).transpose()?,
        resume,
        allow_missing_logprobs,
        extract: option(extract)?,
        invalid: invalid.map(option::<InvalidPolicy>).transpose()?,
    };
    let text = std::fs::read_to_string(&questions).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            PyFileNotFoundError::new_err(format!("{}: {e}", questions.display()))
        } else {
            value_err(format!("{}: {e}", questions.display()))
        }
    })?;
    let mut qs = pathconf_eval::eval::questions::read_questions(&text, &questions).map_err(value_err)?;
    if let Some(k) = limit {
        qs.truncate(k);
    }
    let result = detached(py, move |observer| {
        let interrupt = std::sync::atomic::AtomicBool::new(false);
        // Each draw received is a checkpoint: Ctrl-C unwinds the session
        // there (the draws written so far stay; `resume=True` goes on).
        let progress = |k: u64| observer.advance(k);
        run(&opts, &qs, &out, &interrupt, &progress).map(|r| (r, out))
    })
    .map_err(|e| {
        e.into_py(|e: RunError| match e {
            RunError::Options(m) => value_err(m),
            RunError::Read(e) => py_err(ApiError::Read(e)),
            other => pyo3::exceptions::PyRuntimeError::new_err(other.to_string()),
        })
    })?;
    let (r, out) = result;
    to_json(&serde_json::json!({
        "rule": r.rule.to_string(),
        "concurrency": r.concurrency,
        "choices_per_request": r.choices_per_request,
        "fixed": r.fixed,
        "notes": r.notes,
        "report": r.report,
        "questions": r.rows,
        "summary": r.summary.display().to_string(),
        "out": out.display().to_string(),
    }))
}

/// The native module.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<Paths>()?;
    m.add_function(wrap_pyfunction!(evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(plan, m)?)?;
    m.add_function(wrap_pyfunction!(theory, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(budget, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(sample, m)?)?;
    Ok(())
}
