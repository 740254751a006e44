//! `pathconf sample --endpoint`: draws requested from a server, a stopping
//! rule deciding online, each draw appended to the stream file as it is
//! decided on.
//!
//! Scheduling. `concurrency` worker threads send one request each at a
//! time. The main thread owns every question's state: it feeds each
//! question's draws to its rule in draw order (a draw that arrives early
//! waits for its predecessors), and when a question has nothing in flight
//! and its rule has not stopped, it issues the fewest further draws that
//! could let the rule stop ([`OnlineRule::decide`]: ESC's window, …). New
//! questions are started whenever a worker would otherwise idle, so many
//! questions are in flight at once and the server's batch stays full.
//!
//! Writing. A draw is written when its rule has read it, or when its
//! question has already stopped (then as `"overshoot": true`): the
//! non-overshoot draws of a question in the file are exactly those its rule
//! read, in order. Each line is flushed as it is written, so a killed run
//! loses only draws in flight (and early arrivals still waiting).
//!
//! Seeds. Draw `d` of question `q` is requested with seed
//! `derive_json(seed, [q, d])` ([`pathconf_core::seed`]), so a resumed run
//! asks for the draws a killed run did not write with the seeds the
//! uninterrupted run would have sent.
//!
//! Several draws per request. With `choices_per_request` K > 1 (checked
//! first against the server: [`crate::run`]), a window of draws goes out as
//! requests of at most K choices; the request for draws `f..f + n` carries
//! draw `f`'s seed and `n`, and choice `i` is draw `f + i` (a server that
//! honours seeds derives each choice from the seed and its index, as
//! `pathconf serve` does). Each such draw records its request
//! (`"request": {"first", "choices"}`), so a resume that finds a request's
//! draws cut short asks that request again and keeps the choices it lacks.

use crate::choice::{Completion, Drawn};
use crate::http::Endpoint;
use crate::request::{DrawError, RequestSettings};
use pathconf_core::extract::{TextRule, INVALID};
use pathconf_core::seed::derive_json;
use pathconf_core::stopping::{StopRule, Stopped};
use pathconf_eval::eval::equivalence::AnswerEquality;
use pathconf_eval::eval::formats::jsonl::{question_from_value, PathRecord};
use pathconf_eval::eval::formats::stream::{DrawRecord, LogprobKind, RequestGroup, StreamHeader, TAG};
use pathconf_eval::eval::online::{OnlineRule, Verdict};
use pathconf_eval::eval::questions::Question;
use pathconf_eval::eval::RawQuestion;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// What to sample.
#[derive(Debug, Clone)]
pub struct SampleConfig {
    /// The request every draw sends.
    pub request: RequestSettings,
    /// Most draws per question.
    pub n: usize,
    /// The stopping rule (`None`: `fixed:n`).
    pub stop: Option<StopRule>,
    /// How invalid draws are treated by the rule (`None`: as its reference does).
    pub invalid: Option<pathconf_core::invalid::InvalidPolicy>,
    /// Requests in flight.
    pub concurrency: usize,
    /// Draws asked for in one request (`n`; 1: one request per draw).
    pub choices_per_request: usize,
    /// Base seed.
    pub seed: u64,
    /// How answers are read from the text.
    pub extract: TextRule,
    /// What the log-probabilities are, when the server does not say.
    pub logprob_kind: Option<LogprobKind>,
    /// Keep draws without log-probabilities (answers only).
    pub allow_missing_logprobs: bool,
    /// Continue an existing file.
    pub resume: bool,
    /// What the server said of itself (`GET /v1/models`), recorded in the
    /// header beside what is sent (not compared on resume: a restarted
    /// server may say it differently).
    pub server: Option<Value>,
}

/// One question's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionOutcome {
    /// The question's id.
    pub id: String,
    /// Draws the rule read (its answer is theirs).
    pub samples: usize,
    /// Draws that were in flight when it stopped.
    pub overshoot: usize,
    /// The rule's outcome on its draws (credit against the truth, if known).
    #[serde(skip)]
    pub stopped: Stopped,
    /// Prompt tokens over every request of the question (`usage`).
    pub prompt_tokens: u64,
    /// Completion tokens over every request of the question, overshoot included.
    pub completion_tokens: u64,
    /// Completion tokens of each draw, in draw order (overshoot included).
    #[serde(skip)]
    pub draw_tokens: Vec<u64>,
}

/// The run's totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleReport {
    /// The rule applied.
    pub rule: String,
    /// Per question, in the questions file's order.
    pub questions: Vec<QuestionOutcome>,
    /// Draws requested in this run (not those read back on resume).
    pub requested: usize,
    /// Requests sent in this run (fewer than draws with several choices each).
    pub requests: usize,
    /// Wall time of this run, seconds.
    pub seconds: f64,
    /// Completion tokens received in this run.
    pub completion_tokens: u64,
    /// Prompt tokens sent in this run.
    pub prompt_tokens: u64,
    /// What the log-probabilities are (header of the file).
    pub logprob_kind: LogprobKind,
}

/// What can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// A draw failed after its retries.
    #[error("question {id:?} (index {question}), draw {draw}: {error}")]
    Draw {
        /// The question's id.
        id: String,
        /// Its index in the questions file.
        question: usize,
        /// The draw.
        draw: usize,
        /// What failed.
        error: DrawError,
    },
    /// The output file.
    #[error("{file}: {message}")]
    File {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Interrupted (Ctrl-C): what was written stays; `--resume` goes on.
    #[error("interrupted: the draws written so far are in {0} (continue with --resume)")]
    Interrupted(PathBuf),
}

/// A question while it is sampled.
struct State {
    /// Draws the rule has read, as path records (JSON, read as `eval` reads them).
    fed: Vec<Value>,
    /// Draws arrived ahead of a predecessor.
    early: BTreeMap<usize, DrawRecord>,
    issued: usize,
    in_flight: usize,
    stopped: Option<Stopped>,
    overshoot: usize,
    prompt_tokens: u64,
    completion_tokens: u64,
    /// Completion tokens per draw.
    draw_tokens: BTreeMap<usize, u64>,
    started: bool,
}

impl State {
    fn new() -> Self {
        Self {
            fed: Vec::new(),
            early: BTreeMap::new(),
            issued: 0,
            in_flight: 0,
            stopped: None,
            overshoot: 0,
            prompt_tokens: 0,
            completion_tokens: 0,
            draw_tokens: BTreeMap::new(),
            started: false,
        }
    }
}

/// The settings a resumed run must share with the file it continues.
fn settings_json(cfg: &SampleConfig, endpoints: &[Endpoint], rule: &StopRule) -> Value {
    // One server: its URL (as files before several were possible); several: the list.
    let endpoint: Value = match endpoints {
        [one] => one.base().into(),
        many => many.iter().map(|e| Value::from(e.base())).collect(),
    };
    let mut v = serde_json::json!({
        "endpoint": endpoint,
        "request": cfg.request,
        "sampling": cfg.request.sampling,
        "n": cfg.n,
        "stop": rule.to_string(),
        "seed": cfg.seed,
        "extract": cfg.extract.to_string(),
        "invalid": cfg.invalid.map(|p| p.to_string()),
        "server": cfg.server,
    });
    // Absent at 1 (files written before the option read the same).
    if cfg.choices_per_request > 1 {
        v["choices_per_request"] = cfg.choices_per_request.into();
    }
    v
}

/// The settings a resumed run must share with its file (all but what the
/// server said of itself).
fn compared(settings: &Value) -> Value {
    let mut v = settings.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("server");
    }
    v
}

/// The record of a draw.
fn record(q: &Question, draw: usize, d: &Drawn, extract: TextRule, usage: Option<crate::wire::Usage>) -> DrawRecord {
    let answer = extract.extract(&d.text).filter(|a| !a.is_empty()).unwrap_or_else(|| INVALID.to_string());
    let lps = d.logprobs.clone().unwrap_or_default();
    let has = !lps.is_empty();
    let sum: f64 = lps.iter().sum();
    let token_confidence = (!d.top_logprobs.is_empty() && d.top_logprobs.len() == lps.len()).then(|| {
        d.top_logprobs
            .iter()
            .map(|top| {
                let mut t = top.clone();
                pathconf_eval::eval::dataset::token_confidence_of(&mut t).unwrap_or(0.0) as f32
            })
            .collect()
    });
    DrawRecord {
        id: q.id.clone(),
        draw,
        overshoot: false,
        truth: q.answer.clone(),
        prompt_tokens: usage.map(|u| u.prompt_tokens),
        tokens: (!d.tokens.is_empty()).then(|| d.tokens.clone()),
        token_ids: d.token_ids.clone(),
        request: None,
        path: PathRecord {
            text: Some(d.text.clone()),
            answer: Some(answer),
            logprob_sum: has.then_some(sum),
            mean_logprob: has.then(|| sum / lps.len() as f64),
            n_tokens: has.then_some(lps.len() as u64),
            logprobs: has.then_some(lps),
            finished: d.finish_reason.as_deref().map(|r| r == "stop"),
            top_logprobs: None,
            token_confidence,
            self_certainty: None,
            p_true: None,
        },
    }
}

/// The stream file, appended to.
struct Out {
    file: PathBuf,
    w: std::io::BufWriter<std::fs::File>,
}

impl Out {
    fn line(&mut self, text: &str) -> Result<(), SampleError> {
        let err = |e: std::io::Error| SampleError::File { file: self.file.clone(), message: e.to_string() };
        let mut buf = String::with_capacity(text.len() + 1);
        buf.push_str(text);
        buf.push('\n');
        self.w.write_all(buf.as_bytes()).map_err(err)?;
        self.w.flush().map_err(|e| SampleError::File { file: self.file.clone(), message: e.to_string() })
    }
}

/// Opens `out`: a new file with its header, or (resume) the existing one,
/// checked against `settings`, with its draws returned.
fn open(out: &Path, resume: bool, header: &StreamHeader) -> Result<(Out, Vec<DrawRecord>), SampleError> {
    let ferr = |message: String| SampleError::File { file: out.to_path_buf(), message };
    let exists = out.exists();
    if exists && !resume {
        return Err(ferr("exists (pass --resume to continue it, or choose another --out)".into()));
    }
    let mut draws = Vec::new();
    if exists {
        let text = std::fs::read_to_string(out).map_err(|e| ferr(e.to_string()))?;
        let mut lines: Vec<(usize, &str)> = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).collect();
        // A line cut short by a kill (no newline at the end, not JSON) is
        // dropped: its draw is requested again.
        let mut keep = text.len();
        if !text.ends_with('\n') {
            if let Some(&(_, last)) = lines.last() {
                if serde_json::from_str::<Value>(last).is_err() {
                    lines.pop();
                    keep = text.len() - last.len();
                }
            }
        }
        let Some(&(_, first)) = lines.first() else { return Err(ferr("is empty: nothing to resume (remove it)".into())) };
        let old: StreamHeader = serde_json::from_str(first).map_err(|_| ferr(format!("line 1 is not a {TAG} header: not a file `sample --endpoint` wrote")))?;
        let (old_settings, new_settings) = (compared(&old.settings), compared(&header.settings));
        if old_settings != new_settings {
            let (a, b) = (old_settings.as_object(), new_settings.as_object());
            let differing: Vec<String> = match (a, b) {
                (Some(a), Some(b)) => b.iter().filter(|(k, v)| a.get(*k) != Some(v)).map(|(k, _)| k.clone()).collect(),
                _ => vec!["settings".into()],
            };
            return Err(ferr(format!("was written with other settings ({}): resume with the same options", differing.join(", "))));
        }
        for &(i, line) in &lines[1..] {
            draws.push(serde_json::from_str::<DrawRecord>(line).map_err(|e| ferr(format!("line {}: {e} (cannot resume)", i + 1)))?);
        }
        if keep < text.len() {
            let f = std::fs::OpenOptions::new().write(true).open(out).map_err(|e| ferr(e.to_string()))?;
            f.set_len(keep as u64).map_err(|e| ferr(e.to_string()))?;
        }
        let f = std::fs::OpenOptions::new().append(true).open(out).map_err(|e| ferr(e.to_string()))?;
        return Ok((Out { file: out.to_path_buf(), w: std::io::BufWriter::new(f) }, draws));
    }
    let f = std::fs::OpenOptions::new().create_new(true).write(true).open(out).map_err(|e| ferr(e.to_string()))?;
    let mut o = Out { file: out.to_path_buf(), w: std::io::BufWriter::new(f) };
    o.line(&serde_json::to_string(header).expect("headers serialise"))?;
    Ok((o, draws))
}

/// One request: draws `first..first + choices` of a question, of which the
/// first `skip` are already in the file (a resumed, cut-short request).
#[derive(Debug, Clone, Copy)]
struct Job {
    question: usize,
    first: usize,
    choices: usize,
    skip: usize,
}

type Done = (Job, Result<Completion, DrawError>);

/// The requests for draws `from..from + m` of question `qi`, at most `k` each.
fn requests(qi: usize, from: usize, m: usize, k: usize) -> impl Iterator<Item = Job> {
    (from..from + m).step_by(k).map(move |f| Job { question: qi, first: f, choices: k.min(from + m - f), skip: 0 })
}

/// A draw's completion tokens: the response's count when it holds one draw,
/// else the choice's log-probabilities or tokens.
fn completion_tokens_of(d: &Drawn, usage: Option<crate::wire::Usage>, choices: usize) -> u64 {
    match usage {
        Some(u) if choices == 1 => u.completion_tokens,
        _ => d.logprobs.as_ref().map_or(d.tokens.len(), Vec::len).max(d.tokens.len()) as u64,
    }
}

/// A written draw's completion tokens.
fn record_tokens(d: &DrawRecord) -> u64 {
    d.path.n_tokens.unwrap_or(0).max(d.tokens.as_ref().map_or(0, Vec::len) as u64)
}

/// Samples `questions` from `endpoints` (in turn, request by request) into `out`. `interrupt` (set by a
/// Ctrl-C handler) stops the run after the requests in flight; `progress`
/// is called with each draw received.
pub fn sample(
    endpoints: &[Endpoint],
    cfg: &SampleConfig,
    questions: &[Question],
    out: &Path,
    interrupt: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SampleReport, SampleError> {
    assert!(cfg.n >= 1 && cfg.concurrency >= 1 && cfg.choices_per_request >= 1 && !endpoints.is_empty(), "checked by the caller");
    let k = cfg.choices_per_request;
    let rule = cfg.stop.unwrap_or(StopRule::Fixed { n: cfg.n });
    let kind = cfg.logprob_kind.unwrap_or(LogprobKind::Unknown);
    let header = StreamHeader { pathconf: TAG.into(), settings: settings_json(cfg, endpoints, &rule), logprob_kind: kind };
    let (mut w, existing) = open(out, cfg.resume, &header)?;
    let start = Instant::now();
    let index: HashMap<&str, usize> = questions.iter().enumerate().map(|(i, q)| (q.id.as_str(), i)).collect();
    let mut states: Vec<State> = questions.iter().map(|_| State::new()).collect();
    let mut rule_state = OnlineRule::new(rule, cfg.n, cfg.invalid, AnswerEquality::default());
    let truth = |q: &Question| q.answer.clone().unwrap_or_default();
    let raw = |q: &Question, fed: &[Value]| -> RawQuestion {
        if fed.is_empty() {
            return RawQuestion { id: q.id.clone(), truth: truth(q), paths: Vec::new() };
        }
        let mut m = serde_json::Map::new();
        m.insert("id".into(), Value::String(q.id.clone()));
        m.insert("answer".into(), Value::String(truth(q)));
        m.insert("paths".into(), Value::Array(fed.to_vec()));
        question_from_value(&Value::Object(m), 0, out, None, &mut HashMap::new()).expect("draw records read back")
    };
    // Resume: every question's draws as the file has them.
    let mut resumed: Vec<Vec<DrawRecord>> = questions.iter().map(|_| Vec::new()).collect();
    for d in existing {
        let &qi = index.get(d.id.as_str()).ok_or_else(|| SampleError::File {
            file: out.to_path_buf(),
            message: format!("draw {} of question {:?}: no such question in the questions file (cannot resume)", d.draw, d.id),
        })?;
        resumed[qi].push(d);
    }
    let mut pending: VecDeque<Job> = VecDeque::new();
    for (qi, mut draws) in resumed.into_iter().enumerate() {
        if draws.is_empty() {
            continue;
        }
        draws.sort_by_key(|d| d.draw);
        let s = &mut states[qi];
        s.started = true;
        for d in &draws {
            // A request's prompt is counted once.
            if d.request.is_none_or(|g| g.first == d.draw) {
                s.prompt_tokens += d.prompt_tokens.unwrap_or(0);
            }
            s.completion_tokens += record_tokens(d);
            s.draw_tokens.insert(d.draw, record_tokens(d));
        }
        let (fed, over): (Vec<DrawRecord>, Vec<DrawRecord>) = draws.into_iter().partition(|d| !d.overshoot);
        if let Some((k, d)) = fed.iter().enumerate().find(|(k, d)| d.draw != *k) {
            return Err(SampleError::File {
                file: out.to_path_buf(),
                message: format!("question {:?}: draw {} is written but draw {k} is not (the rule reads draws in order; cannot resume)", d.id, d.draw),
            });
        }
        s.fed = fed.iter().map(|d| serde_json::to_value(&d.path).expect("serialises")).collect();
        s.overshoot = over.len();
        s.issued = fed.len().max(over.iter().map(|d| d.draw + 1).max().unwrap_or(0));
        match rule_state.decide(&raw(&questions[qi], &s.fed)).map_err(|m| SampleError::File { file: out.to_path_buf(), message: m })? {
            Verdict::Stop(st) => s.stopped = Some(st),
            Verdict::More(m) => {
                let at = s.fed.len();
                match fed.last().and_then(|d| d.request).filter(|g| g.first + g.choices > at) {
                    // A request cut short by the kill: asked again, the
                    // choices already written skipped.
                    Some(g) => {
                        pending.push_back(Job { question: qi, first: g.first, choices: g.choices, skip: at - g.first });
                        s.issued = g.first + g.choices;
                    }
                    None => {
                        pending.extend(requests(qi, at, m, k));
                        s.issued = at + m;
                    }
                }
            }
        }
    }
    // Workers.
    let (job_tx, job_rx) = mpsc::channel::<Job>();
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (done_tx, done_rx) = mpsc::channel::<Done>();
    let (mut requested, mut requests_sent) = (0usize, 0usize);
    let (mut prompt_total, mut completion_total) = (0u64, 0u64);
    let turn = std::sync::atomic::AtomicUsize::new(0);
    let result = std::thread::scope(|scope| -> Result<(), SampleError> {
        for _ in 0..cfg.concurrency {
            let (rx, tx, turn) = (job_rx.clone(), done_tx.clone(), &turn);
            scope.spawn(move || loop {
                let job = rx.lock().expect("not poisoned").recv();
                let Ok(job) = job else { break };
                let seed = derive_json(cfg.seed, &[job.question as u64, job.first as u64]);
                let endpoint = &endpoints[turn.fetch_add(1, Ordering::Relaxed) % endpoints.len()];
                let r = cfg.request.draw(endpoint, &questions[job.question].question, seed, job.choices as u32, cfg.allow_missing_logprobs);
                if tx.send((job, r)).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        let mut next_new = 0usize;
        let mut in_flight = 0usize;
        let mut failure: Option<SampleError> = None;
        loop {
            // Keep every worker busy: pending draws first, then new questions.
            while in_flight < cfg.concurrency && failure.is_none() && !interrupt.load(Ordering::Relaxed) {
                if pending.is_empty() {
                    while next_new < questions.len() && states[next_new].started {
                        next_new += 1;
                    }
                    if next_new == questions.len() {
                        break;
                    }
                    let qi = next_new;
                    let s = &mut states[qi];
                    s.started = true;
                    match rule_state.decide(&raw(&questions[qi], &[])).map_err(|m| SampleError::File { file: out.to_path_buf(), message: m })? {
                        Verdict::More(m) => {
                            pending.extend(requests(qi, 0, m, k));
                            s.issued = m;
                        }
                        Verdict::Stop(_) => unreachable!("no rule stops before its first draw"),
                    }
                }
                let Some(job) = pending.pop_front() else { break };
                states[job.question].in_flight += 1;
                job_tx.send(job).expect("workers alive");
                in_flight += 1;
                requested += job.choices - job.skip;
                requests_sent += 1;
            }
            if in_flight == 0 {
                break;
            }
            let (job, r) = match done_rx.recv_timeout(Duration::from_millis(200)) {
                Ok(x) => x,
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            let qi = job.question;
            in_flight -= 1;
            states[qi].in_flight -= 1;
            progress((job.choices - job.skip) as u64);
            let c = match r {
                Ok(c) => c,
                Err(error) => {
                    failure.get_or_insert(SampleError::Draw { id: questions[qi].id.clone(), question: qi, draw: job.first, error });
                    continue;
                }
            };
            let usage = c.usage;
            let s = &mut states[qi];
            s.prompt_tokens += usage.map_or(0, |u| u.prompt_tokens);
            prompt_total += usage.map_or(0, |u| u.prompt_tokens);
            for (i, drawn) in c.draws.iter().enumerate().skip(job.skip) {
                let d = job.first + i;
                let completion = completion_tokens_of(drawn, usage, job.choices);
                s.completion_tokens += completion;
                s.draw_tokens.insert(d, completion);
                completion_total += completion;
                let mut rec = record(&questions[qi], d, drawn, cfg.extract, usage);
                rec.request = (k > 1).then_some(RequestGroup { first: job.first, choices: job.choices });
                if s.stopped.is_some() {
                    rec.overshoot = true;
                    s.overshoot += 1;
                    w.line(&rec.to_line())?;
                } else {
                    s.early.insert(d, rec);
                }
            }
            if s.stopped.is_some() {
                continue;
            }
            // Feed the rule in draw order.
            while let Some(rec) = s.early.remove(&s.fed.len()) {
                s.fed.push(serde_json::to_value(&rec.path).expect("serialises"));
                w.line(&rec.to_line())?;
                match rule_state.decide(&raw(&questions[qi], &s.fed)).map_err(|m| SampleError::File { file: out.to_path_buf(), message: m })? {
                    Verdict::Stop(st) => {
                        s.stopped = Some(st);
                        // Early arrivals beyond the stop are overshoot.
                        for (_, mut r) in std::mem::take(&mut s.early) {
                            r.overshoot = true;
                            s.overshoot += 1;
                            w.line(&r.to_line())?;
                        }
                        break;
                    }
                    Verdict::More(m) => {
                        if s.in_flight == 0 && s.early.is_empty() && s.issued == s.fed.len() {
                            pending.extend(requests(qi, s.issued, m, k));
                            s.issued += m;
                        }
                    }
                }
            }
        }
        drop(job_tx);
        if let Some(f) = failure {
            return Err(f);
        }
        if interrupt.load(Ordering::Relaxed) {
            return Err(SampleError::Interrupted(out.to_path_buf()));
        }
        Ok(())
    });
    result?;
    let outcomes = questions
        .iter()
        .zip(states)
        .map(|(q, s)| QuestionOutcome {
            id: q.id.clone(),
            samples: s.fed.len(),
            overshoot: s.overshoot,
            stopped: s.stopped.expect("every question ran to its rule's stop"),
            prompt_tokens: s.prompt_tokens,
            completion_tokens: s.completion_tokens,
            draw_tokens: s.draw_tokens.into_values().collect(),
        })
        .collect();
    Ok(SampleReport {
        rule: rule.to_string(),
        questions: outcomes,
        requested,
        requests: requests_sent,
        seconds: start.elapsed().as_secs_f64(),
        completion_tokens: completion_total,
        prompt_tokens: prompt_total,
        logprob_kind: kind,
    })
}
