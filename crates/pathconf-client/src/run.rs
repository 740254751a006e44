//! One sampling run from options to summary — what `pathconf sample
//! --endpoint` and Python's `pathconf.sample` both call: options checked,
//! the server asked what it is, the online session, the file read back as
//! `eval` reads it, each question summarised into `<out>.summary.jsonl`.

use crate::http::{Endpoint, RetryPolicy};
use crate::request::{Api, RequestSettings};
use crate::session::{sample, SampleConfig, SampleError, SampleReport};
use crate::summary::{summarise, FixedComparison, QuestionSummary};
use pathconf_core::extract::TextRule;
use pathconf_core::invalid::InvalidPolicy;
use pathconf_core::stopping::StopRule;
use pathconf_eval::eval::formats::stream::{LogprobKind, Sampling};
use pathconf_eval::eval::methods::Method;
use pathconf_eval::eval::questions::Question;
use pathconf_eval::eval::Dataset;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// The default prompt: the question and the answer format the default
/// extraction rule reads.
pub const DEFAULT_TEMPLATE: &str = "{question} Give the answer as \"The answer is N.\"";

/// Requests in flight when neither the options nor the server say.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Everything a run is given.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The servers (each `http://host:port` or `…/v1`), serving the same
    /// model: requests go to them in turn.
    pub urls: Vec<String>,
    /// The model's name on it.
    pub model: String,
    /// The API key, if any (sent only in `Authorization`).
    pub api_key: Option<String>,
    /// Chat or legacy completions.
    pub api: Api,
    /// The prompt with `{question}` (default [`DEFAULT_TEMPLATE`]).
    pub prompt_template: Option<String>,
    /// Most draws per question.
    pub n: usize,
    /// The rule (default `fixed:n`).
    pub stop: Option<StopRule>,
    /// Methods answering from the rule's draws.
    pub methods: Vec<Method>,
    /// Requests in flight (default: the server's slots, else [`DEFAULT_CONCURRENCY`]).
    pub concurrency: Option<usize>,
    /// Draws asked for in one request (`n`), used only if the server
    /// returns that many choices to a probe (else one request per draw).
    pub choices_per_request: usize,
    /// Base seed.
    pub seed: u64,
    /// Temperature, top-p, top-k, min-p.
    pub sampling: Sampling,
    /// Longest completion.
    pub max_new_tokens: usize,
    /// Alternatives per token (≤ 20).
    pub top_logprobs: usize,
    /// What the log-probabilities are, when the server does not say.
    pub logprob_kind: Option<LogprobKind>,
    /// Continue an existing file.
    pub resume: bool,
    /// Keep draws without log-probabilities.
    pub allow_missing_logprobs: bool,
    /// How answers are read.
    pub extract: TextRule,
    /// How invalid draws are treated (default: as each reference does).
    pub invalid: Option<InvalidPolicy>,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// The session's totals.
    pub report: SampleReport,
    /// Per question.
    pub rows: Vec<QuestionSummary>,
    /// The draws read back (as `eval` reads the file).
    pub paths: Dataset,
    /// Where the summary went.
    pub summary: PathBuf,
    /// The rule applied.
    pub rule: StopRule,
    /// Requests in flight.
    pub concurrency: usize,
    /// Draws per request (1 unless asked for and the server returns them).
    pub choices_per_request: usize,
    /// Whether every question had a ground truth.
    pub truth_known: bool,
    /// The rule against the fixed budgets the run's draws measure (when
    /// every question has a ground truth).
    pub fixed: Option<FixedComparison>,
    /// Things the user should know (rule cap lowered, log-probability caveats).
    pub notes: Vec<String>,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// An option out of range.
    #[error("{0}")]
    Options(String),
    /// The session.
    #[error(transparent)]
    Sample(#[from] SampleError),
    /// The server does not answer.
    #[error("cannot reach the server: {0} (is it running, and is --endpoint its address?)")]
    Unreachable(crate::http::HttpError),
    /// Reading the file back.
    #[error(transparent)]
    Read(#[from] pathconf_eval::eval::ReadError),
    /// Summarising or writing the summary.
    #[error("{0}")]
    Summary(String),
}

/// `<out without .jsonl>.summary.jsonl`.
pub fn summary_path(out: &Path) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let stem = name.strip_suffix(".jsonl").unwrap_or(&name);
    out.with_file_name(format!("{stem}.summary.jsonl"))
}

impl RunOptions {
    fn check(&self) -> Result<(), RunError> {
        let bad = |m: &str| Err(RunError::Options(m.to_string()));
        if self.urls.is_empty() {
            return bad("at least one endpoint is needed");
        }
        if self.n == 0 || self.max_new_tokens == 0 {
            return bad("n and max_new_tokens must be at least 1");
        }
        if !(self.sampling.temperature >= 0.0 && self.sampling.temperature.is_finite()) {
            return bad("temperature must be ≥ 0");
        }
        if !(self.sampling.top_p > 0.0 && self.sampling.top_p <= 1.0) {
            return bad("top_p must be in (0, 1]");
        }
        if self.top_logprobs > 20 {
            return bad("top_logprobs must be at most 20 (the OpenAI API's limit)");
        }
        if self.concurrency == Some(0) {
            return bad("concurrency must be at least 1");
        }
        if self.choices_per_request == 0 {
            return bad("choices per request must be at least 1");
        }
        if self.prompt_template.as_ref().is_some_and(|t| !t.contains("{question}")) {
            return bad("the prompt template must contain {question}");
        }
        Ok(())
    }
}

/// Asks the server for `k` one-token choices to `question`: `Ok` if it
/// returns exactly `k`, each with its log-probabilities.
fn probe_choices(endpoint: &Endpoint, request: &RequestSettings, question: &str, k: usize) -> Result<(), crate::request::DrawError> {
    let one_token = RequestSettings { max_new_tokens: 1, ..request.clone() };
    one_token.draw(endpoint, question, 0, k as u32, true).map(|_| ())
}

/// Runs the session and summarises it (see the module docs).
pub fn run(opts: &RunOptions, questions: &[Question], out: &Path, interrupt: &AtomicBool, progress: &(dyn Fn(u64) + Sync)) -> Result<RunResult, RunError> {
    opts.check()?;
    let rule = opts.stop.unwrap_or(StopRule::Fixed { n: opts.n });
    let mut notes = Vec::new();
    if rule.max_samples() > opts.n {
        notes.push(format!("{rule} may use up to {} draws; n = {} caps it at {}", rule.max_samples(), opts.n, opts.n));
    }
    let endpoints: Vec<Endpoint> = opts.urls.iter().map(|u| Endpoint::new(u, opts.api_key.clone(), RetryPolicy::default())).collect();
    // What the log-probabilities are: the servers' word first (they must agree).
    let mut models = None;
    let mut kinds = Vec::new();
    for e in &endpoints {
        let m = crate::server_info::reachable(e).map_err(RunError::Unreachable)?;
        kinds.push(m.as_ref().and_then(|m| crate::server_info::logprob_kind(m, &opts.model)));
        models = models.or(m);
    }
    if kinds.iter().any(|k| *k != kinds[0]) {
        let said: Vec<String> = opts.urls.iter().zip(&kinds).map(|(u, k)| format!("{u}: {}", k.map_or("not said".into(), |k| k.to_string()))).collect();
        return Err(RunError::Options(format!("the servers disagree on what their log-probabilities are ({})", said.join("; "))));
    }
    let said = kinds[0];
    let kind = match (said, opts.logprob_kind) {
        (Some(k), Some(given)) if k != given => {
            notes.push(format!("the server says its log-probabilities are {k}; the given kind {given} is ignored"));
            Some(k)
        }
        (Some(k), _) => Some(k),
        (None, given) => given,
    };
    // Default: every server's parallel slots, when all report them.
    let concurrency =
        opts.concurrency.or_else(|| endpoints.iter().map(crate::server_info::parallel_slots).sum()).unwrap_or(DEFAULT_CONCURRENCY * endpoints.len());
    if rule.needs_paths() {
        notes.extend(kind.unwrap_or_default().caveat(Some(opts.sampling), &rule.to_string()));
    }
    let request = RequestSettings {
        model: opts.model.clone(),
        api: opts.api,
        prompt_template: opts.prompt_template.clone().unwrap_or_else(|| DEFAULT_TEMPLATE.into()),
        sampling: opts.sampling,
        max_new_tokens: opts.max_new_tokens as u32,
        top_logprobs: opts.top_logprobs as u32,
    };
    let choices_per_request = match (opts.choices_per_request, questions.first()) {
        (k, Some(q)) if k > 1 => match endpoints.iter().try_for_each(|e| probe_choices(e, &request, &q.question, k)) {
            Ok(()) => k,
            Err(why) => {
                notes.push(format!("one request per draw: the server did not return {k} choices to one request ({why})"));
                1
            }
        },
        _ => 1,
    };
    let cfg = SampleConfig {
        request,
        n: opts.n,
        stop: Some(rule),
        invalid: opts.invalid,
        concurrency,
        choices_per_request,
        seed: opts.seed,
        extract: opts.extract,
        logprob_kind: kind,
        allow_missing_logprobs: opts.allow_missing_logprobs,
        resume: opts.resume,
        server: models,
    };
    let report = sample(&endpoints, &cfg, questions, out, interrupt, progress)?;
    let paths = pathconf_eval::eval::formats::read(out, None, None)?;
    let truth_known = questions.iter().all(|q| q.answer.is_some());
    let policy = opts.invalid.unwrap_or_else(|| rule.default_invalid());
    let rows = summarise(&report, &paths, &rule, policy, &opts.methods, opts.invalid, truth_known).map_err(RunError::Summary)?;
    let lines: String = rows.iter().map(|r| serde_json::to_string(r).expect("serialises") + "\n").collect();
    let summary = summary_path(out);
    pathconf_core::output::write_atomic(&summary, lines.as_bytes()).map_err(|e| RunError::Summary(format!("{}: {e}", summary.display())))?;
    let fixed = truth_known.then(|| crate::summary::compare_fixed(&report, &paths, policy)).transpose().map_err(RunError::Summary)?;
    Ok(RunResult { report, rows, paths, summary, rule, concurrency, choices_per_request, truth_known, fixed, notes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A server that ignores `n`: one choice to every request; counts the
    /// completion requests it answers.
    fn one_choice_server() -> (String, Arc<AtomicUsize>) {
        let completions = Arc::new(AtomicUsize::new(0));
        let seen = completions.clone();
        let (url, _) = crate::stub::serve(move |_, url| {
            let body = r#"{"choices": [{"index": 0, "message": {"role": "assistant", "content": "The answer is 7."},
              "logprobs": {"content": [{"token": "7", "logprob": -0.5, "top_logprobs": []}]}, "finish_reason": "stop"}],
              "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}"#;
            let completion = url.ends_with("/chat/completions");
            if completion {
                seen.fetch_add(1, Ordering::SeqCst);
            }
            (if completion { 200 } else { 404 }, body.to_string(), None)
        });
        (url, completions)
    }

    fn options(urls: Vec<String>, choices_per_request: usize) -> RunOptions {
        RunOptions {
            urls,
            model: "m".into(),
            api_key: None,
            api: Api::Chat,
            prompt_template: None,
            n: 3,
            stop: None,
            methods: Vec::new(),
            concurrency: Some(2),
            choices_per_request,
            seed: 1,
            sampling: Sampling { temperature: 1.0, top_p: 1.0, top_k: None, min_p: None },
            max_new_tokens: 8,
            top_logprobs: 0,
            logprob_kind: None,
            resume: false,
            allow_missing_logprobs: false,
            extract: TextRule::default(),
            invalid: None,
        }
    }

    fn two_questions() -> Vec<Question> {
        ["a", "b"].iter().map(|id| Question { id: id.to_string(), question: "3 + 4 =".into(), answer: Some("7".into()) }).collect()
    }

    #[test]
    fn several_servers_take_requests_in_turn() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run.jsonl");
        let (a, b) = (one_choice_server(), one_choice_server());
        let r = run(&options(vec![a.0.clone(), b.0.clone()], 1), &two_questions(), &out, &AtomicBool::new(false), &|_| {}).unwrap();
        assert_eq!(r.report.requests, 6);
        assert_eq!((a.1.load(Ordering::SeqCst), b.1.load(Ordering::SeqCst)), (3, 3), "six requests in turn");
        let header: serde_json::Value = serde_json::from_str(std::fs::read_to_string(&out).unwrap().lines().next().unwrap()).unwrap();
        assert_eq!(header["settings"]["endpoint"], serde_json::json!([a.0, b.0]));
        assert!(matches!(
            run(&options(Vec::new(), 1), &two_questions(), &dir.path().join("x.jsonl"), &AtomicBool::new(false), &|_| {}),
            Err(RunError::Options(_))
        ));
    }

    #[test]
    fn a_server_returning_fewer_choices_than_asked_gets_one_request_per_draw() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run.jsonl");
        let (questions, opts) = (two_questions(), options(vec![one_choice_server().0], 4));
        let r = run(&opts, &questions, &out, &AtomicBool::new(false), &|_| {}).unwrap();
        assert_eq!((r.choices_per_request, r.report.requests, r.report.requested), (1, 6, 6));
        assert!(r.notes.iter().any(|n| n.contains("one request per draw") && n.contains("1 choices for n = 4")), "{:?}", r.notes);
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(!text.contains("choices_per_request"), "{text}");
        assert!(text.lines().skip(1).all(|l| !l.contains("\"request\"")), "{text}");
        // Fixed budgets priced on the run's own draws: every draw says 7.
        let f = r.fixed.unwrap();
        assert_eq!((f.measured_up_to, f.equivalent, f.equivalent_tokens, f.rule_tokens), (3, Some(1), Some(2), 6));
        assert_eq!(f.fixed_accuracy, [100.0; 3]);
    }
}
