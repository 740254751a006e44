//! pathconf's own JSONL — the paths file `pathconf sample` and `pathconf tiny
//! sample` write and `pathconf eval` reads: one question per line. The
//! writer's schema is [`QuestionRecord`] / [`PathRecord`] (field by field
//! below); the reader ([`read_jsonl`]) accepts that and more:
//!
//! | field | type | written | read |
//! |---|---|---|---|
//! | `id` | string | always | optional (default: the line's index) |
//! | `question` | string | by `sample` (the question text) | ignored |
//! | `answer` | string | the ground truth | required unless given with `--answers` |
//! | `prompt_tokens` | integer | by `sample` | ignored |
//! | `paths` | array | always | required, non-empty |
//! | `paths[].text` | string | the decoded path | optional (default `#path{j}`); PC/RPC tell paths apart by it |
//! | `paths[].answer` | string | extracted answer, `[invalid]` if none | optional: extracted from `text` ([`crate::extract::math`]) |
//! | `paths[].logprobs` | array of numbers ≤ 0 | the model's `ln p(x_t \| x_<t)` per token | one of `logprobs`, `mean_logprob`, `logprob_sum` + `n_tokens`; none of them: an answers-only path (SC only) |
//! | `paths[].logprob_sum` | number ≤ 0 | `Σ logprobs` | with `n_tokens` |
//! | `paths[].mean_logprob` | number ≤ 0 | by `sample`: `logprob_sum / #logprobs` | (with `n_tokens`, also gives the sum) |
//! | `paths[].n_tokens` | integer ≥ 1 | generated tokens | with `logprob_sum` |
//! | `paths[].finished` | bool | by `sample`: stopped on a stop token | ignored |
//! | `paths[].top_logprobs` | array (per token) of arrays of numbers ≤ 0 | by `sample --write-top-logprobs` | optional: DeepConf's `C_t` from the top 20 of each |
//! | `paths[].token_confidence` | array of numbers ≥ 0 | by `sample`: `C_t` per token | optional (ignored when `top_logprobs` is given); as long as `logprobs` |
//! | `paths[].self_certainty` | number ≥ 0 | by `sample`: mean `KL(U ‖ p_t)` | optional |
//! | `paths[].p_true` | number in `[0, 1]` | P(True) | optional |

use super::{answer_string, json_error};
use crate::eval::dataset::{check_logprob, token_confidence_of, Dataset, EvalError, PathSignals, RawPath, RawQuestion};
use crate::extract::math::extract_answer;
use crate::extract::INVALID;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// Non-blank lines with their 0-based line numbers.
pub fn records(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter(|(_, l)| !is_blank(l))
}

/// A line with nothing but whitespace: not a record.
pub fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// Parses pathconf JSONL: one record per question, or the draw-per-line
/// layout `pathconf sample --endpoint` writes ([`super::stream`], told apart
/// by its header line).
pub fn read_jsonl(text: &str, file: &Path, answers: Option<&HashMap<String, String>>) -> Result<Dataset, EvalError> {
    if let Some(first) = records(text).next() {
        if super::stream::is_header(first.1) {
            return super::stream::read_stream(text, file, answers);
        }
    }
    let mut questions = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (q, (line_no, line)) in records(text).enumerate() {
        if let Some(question) = super::jsonl_fast::fast_question(line, q, answers) {
            check_new_id(&question.id, q, file, &mut seen)?;
            questions.push(question);
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|e| json_error(file, line, &e, line_no))?;
        questions.push(question_from_value(&v, q, file, answers, &mut seen)?);
    }
    if questions.is_empty() {
        return Err(no_questions(file));
    }
    Ok(Dataset { file: file.to_path_buf(), questions, format: super::Format::Jsonl })
}

/// The error for a file without questions.
pub(crate) fn no_questions(file: &Path) -> EvalError {
    EvalError::File { file: file.to_path_buf(), message: "no questions in the file".into() }
}

/// A record's question id: its `id`, else its index `q`.
pub(crate) fn record_id(v: &Value, q: usize) -> String {
    v.get("id").and_then(answer_string).unwrap_or_else(|| q.to_string())
}

/// One record per question: `id` (of question `q`) must not repeat one in
/// `seen`, the ids read so far (a repeat would make two questions of one,
/// and `--answers` ambiguous).
pub(crate) fn check_new_id(id: &str, q: usize, file: &Path, seen: &mut HashMap<String, usize>) -> Result<(), EvalError> {
    match seen.insert(id.to_string(), q) {
        Some(first) => Err(EvalError::Record {
            file: file.to_path_buf(),
            question: q,
            field: "id".into(),
            message: format!("{id:?} repeats the id of question {first} (one record per question)"),
        }),
        None => Ok(()),
    }
}

/// Question `q` from its record `v` (`{"id"?, "answer"?, "paths": [..]}`);
/// `seen` holds the ids read so far (a repeated id is an error).
pub fn question_from_value(
    v: &Value,
    q: usize,
    file: &Path,
    answers: Option<&HashMap<String, String>>,
    seen: &mut HashMap<String, usize>,
) -> Result<RawQuestion, EvalError> {
    let id = record_id(v, q);
    check_new_id(&id, q, file, seen)?;
    question_with_id(v, q, id, file, answers)
}

/// Question `q` from its record `v`, its id already read (and checked).
pub(crate) fn question_with_id(v: &Value, q: usize, id: String, file: &Path, answers: Option<&HashMap<String, String>>) -> Result<RawQuestion, EvalError> {
    let rec = |field: &str, message: String| EvalError::Record { file: file.to_path_buf(), question: q, field: field.to_string(), message };
    let truth = match v.get("answer").and_then(answer_string) {
        Some(t) => t,
        None => answers
            .and_then(|m| m.get(&id).cloned())
            .ok_or_else(|| rec("answer", format!("missing ground truth for question id {id:?} (give it in the record or with --answers)")))?,
    };
    let paths_v = v.get("paths").and_then(Value::as_array).ok_or_else(|| rec("paths", "missing or not an array".into()))?;
    if paths_v.is_empty() {
        return Err(rec("paths", "the question has no paths".into()));
    }
    let mut paths = Vec::with_capacity(paths_v.len());
    for (j, p) in paths_v.iter().enumerate() {
        let field = |f: &str| format!("paths[{j}].{f}");
        let text = match p.get("text") {
            Some(Value::String(s)) => s.clone(),
            None | Some(Value::Null) => format!("#path{j}"),
            Some(other) => return Err(rec(&field("text"), format!("expected a string, found {other}"))),
        };
        let (mean, sum) = match path_logprobs(p).map_err(|(f, m)| rec(&field(&f), m))? {
            Some((mean, sum)) => (Some(mean), sum),
            None => (None, None), // answers only
        };
        let answer = p.get("answer").and_then(answer_string).filter(|a| !a.is_empty()).or_else(|| extract_answer(&text)).unwrap_or_else(|| INVALID.to_string());
        let signals = path_signals(p).map_err(|(f, m)| rec(&field(&f), m))?;
        if let (Some(c), Some(Value::Array(lp))) = (&signals.token_confidence, p.get("logprobs")) {
            if c.len() != lp.len() {
                return Err(rec(&field("token_confidence"), format!("{} token confidences for {} logprobs (ragged)", c.len(), lp.len())));
            }
        }
        let tokens = p.get("n_tokens").and_then(Value::as_u64).or_else(|| p.get("logprobs").and_then(Value::as_array).map(|a| a.len() as u64));
        paths.push(RawPath { text: text.into(), answer: answer.into(), mean_logprob: mean, sum_logprob: sum, signals, tokens });
    }
    Ok(RawQuestion { id, truth, paths })
}

/// A path's optional signals: `top_logprobs` (per token, a list of numbers
/// ≤ 0; DeepConf's `C_t` is computed from its top 20) or `token_confidence`
/// (per token, numbers ≥ 0), `self_certainty` (≥ 0), `p_true` (in `[0, 1]`).
/// Errors are `(field, message)`.
fn path_signals(p: &Value) -> Result<PathSignals, (String, String)> {
    let present = |f: &str| p.get(f).filter(|v| !v.is_null());
    let mut out = PathSignals::default();
    if let Some(top) = present("top_logprobs") {
        let rows = top.as_array().ok_or_else(|| ("top_logprobs".to_string(), "expected an array (per token) of arrays of numbers".to_string()))?;
        let mut c = Vec::with_capacity(rows.len());
        let mut buf = Vec::new();
        for (t, row) in rows.iter().enumerate() {
            let f = format!("top_logprobs[{t}]");
            let row = row.as_array().ok_or_else(|| (f.clone(), format!("expected an array of numbers, found {row}")))?;
            buf.clear();
            for x in row {
                buf.push(x.as_f64().ok_or_else(|| (f.clone(), format!("expected a number, found {x}")))?);
            }
            c.push(token_confidence_of(&mut buf).map_err(|m| (f.clone(), m))? as f32);
        }
        if c.is_empty() {
            return Err(("top_logprobs".into(), "empty: a path needs at least one token".into()));
        }
        out.token_confidence = Some(c);
    } else if let Some(tc) = present("token_confidence") {
        let arr = tc.as_array().ok_or_else(|| ("token_confidence".to_string(), "expected an array of numbers".to_string()))?;
        let mut c = Vec::with_capacity(arr.len());
        for (t, x) in arr.iter().enumerate() {
            match x.as_f64() {
                Some(v) if v.is_finite() && v >= 0.0 => c.push(v as f32),
                _ => return Err((format!("token_confidence[{t}]"), format!("expected a finite number ≥ 0, found {x}"))),
            }
        }
        if c.is_empty() {
            return Err(("token_confidence".into(), "empty: a path needs at least one token".into()));
        }
        out.token_confidence = Some(c);
    }
    if let Some(x) = present("self_certainty") {
        match x.as_f64() {
            Some(v) if v.is_finite() && v >= 0.0 => out.self_certainty = Some(v),
            _ => return Err(("self_certainty".into(), format!("expected a finite number ≥ 0 (a KL divergence), found {x}"))),
        }
    }
    if let Some(x) = present("p_true") {
        match x.as_f64() {
            Some(v) if (0.0..=1.0).contains(&v) => out.p_true = Some(v),
            _ => return Err(("p_true".into(), format!("expected a probability in [0, 1], found {x}"))),
        }
    }
    Ok(out)
}

/// A path's `(mean, sequence)` log-probabilities.
type PathLogprobs = (f64, Option<f64>);

/// `(mean, Some(sum))` from `logprobs`, `mean_logprob` (+ `n_tokens`) or
/// `logprob_sum` + `n_tokens`; `None` when the path has none of them (an
/// answers-only path); errors are `(field, message)`.
/// Relative tolerance within which a path's `logprob_sum` and `mean_logprob`
/// must equal what its `logprobs` give: another writer may sum in another
/// order (a few ulps per token), but not disagree in the ninth digit.
pub const DERIVED_TOL: f64 = 1e-9;

/// Whether a given `logprob_sum` or `mean_logprob` equals the one its
/// `logprobs` give, within [`DERIVED_TOL`].
pub(crate) fn agrees(given: f64, derived: f64) -> bool {
    (given - derived).abs() <= DERIVED_TOL * derived.abs().max(1.0)
}

fn path_logprobs(p: &Value) -> Result<Option<PathLogprobs>, (String, String)> {
    let num = |f: &str| -> Result<Option<f64>, (String, String)> {
        match p.get(f) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_f64().map(Some).ok_or_else(|| (f.to_string(), format!("expected a number, found {v}"))),
        }
    };
    let n_tokens = match p.get("n_tokens") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(k) if k > 0 => Some(k),
            _ => return Err(("n_tokens".into(), format!("expected a positive integer, found {v}"))),
        },
    };
    if let Some(arr) = p.get("logprobs").filter(|v| !v.is_null()) {
        let arr = arr.as_array().ok_or_else(|| ("logprobs".to_string(), "expected an array of numbers".to_string()))?;
        if arr.is_empty() {
            return Err(("logprobs".into(), "empty: a path needs at least one token".into()));
        }
        let mut sum = 0.0;
        for (k, v) in arr.iter().enumerate() {
            let x = v.as_f64().ok_or_else(|| (format!("logprobs[{k}]"), format!("expected a number, found {v}")))?;
            check_logprob(x).map_err(|m| (format!("logprobs[{k}]"), m))?;
            sum += x;
        }
        let mean = sum / arr.len() as f64;
        // The derived fields, when given too, must say the same: a file whose
        // summary contradicts its tokens is wrong somewhere, and silently
        // preferring one of the two would hide it.
        if let Some(k) = n_tokens.filter(|&k| k != arr.len() as u64) {
            return Err(("n_tokens".into(), format!("{k}, but `logprobs` has {} tokens", arr.len())));
        }
        for (field, given, derived) in [("logprob_sum", num("logprob_sum")?, sum), ("mean_logprob", num("mean_logprob")?, mean)] {
            if let Some(g) = given.filter(|g| !agrees(*g, derived)) {
                return Err((field.into(), format!("{g} contradicts `logprobs` (which give {derived}; relative tolerance {DERIVED_TOL:e})")));
            }
        }
        return Ok(Some((mean, Some(sum))));
    }
    if let Some(mean) = num("mean_logprob")? {
        check_logprob(mean).map_err(|m| ("mean_logprob".to_string(), m))?;
        return Ok(Some((mean, n_tokens.map(|k| mean * k as f64))));
    }
    if let Some(sum) = num("logprob_sum")? {
        check_logprob(sum).map_err(|m| ("logprob_sum".to_string(), m))?;
        let k = n_tokens.ok_or_else(|| ("n_tokens".to_string(), "required with logprob_sum".to_string()))?;
        return Ok(Some((sum / k as f64, Some(sum))));
    }
    if n_tokens.is_some() {
        return Err(("logprob_sum".into(), "missing: `n_tokens` needs `logprob_sum` or `mean_logprob`".into()));
    }
    Ok(None)
}

/// One question of a paths file, as pathconf writes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionRecord {
    /// The question's id.
    pub id: String,
    /// The question's text (LLM samples).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// The ground truth.
    pub answer: String,
    /// Tokens in the prompt (LLM samples).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt_tokens: Option<usize>,
    /// The sampled paths.
    pub paths: Vec<PathRecord>,
}

/// One path of a [`QuestionRecord`] (and of a draw line, [`super::stream::DrawRecord`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathRecord {
    /// The decoded text.
    pub text: String,
    /// The extracted answer, `[invalid]` if none.
    pub answer: String,
    /// `ln p(x_t | x_<t)` per generated token (empty for an answers-only
    /// path: a server that returned no log-probabilities).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logprobs: Vec<f64>,
    /// `Σ logprobs` (none for an answers-only path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logprob_sum: Option<f64>,
    /// `logprob_sum / #logprobs` (LLM samples).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_logprob: Option<f64>,
    /// Generated tokens (none for an answers-only path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_tokens: Option<usize>,
    /// Whether generation stopped on a stop token (LLM samples).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished: Option<bool>,
    /// Per token, the top log-probabilities in decreasing order (vLLM's
    /// `logprobs=k` layout; `sample --write-top-logprobs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_logprobs: Option<Vec<Vec<f32>>>,
    /// Per token, DeepConf's `C_t = −mean(top-k log-probabilities)` (what
    /// `sample` writes by default instead of the full top-k lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_confidence: Option<Vec<f32>>,
    /// Self-certainty: mean over tokens of `KL(U ‖ p_t)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_certainty: Option<f64>,
    /// P(True): the model's probability of "1" when asked to rate its answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_true: Option<f64>,
}

impl PathRecord {
    /// The record of a generated path; `full` adds the LLM sampler's
    /// `mean_logprob` and `finished`. Recorded top log-probabilities are
    /// written as they are when `full_top`, else as their token confidences.
    pub fn from_generated(p: &crate::generation::GeneratedPath, full: bool, full_top: bool) -> Self {
        let sum = p.logprob_sum();
        let recorded = !p.top_logprobs.is_empty();
        let f32s = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
        Self {
            text: p.text.clone(),
            answer: p.answer_or_invalid().to_string(),
            logprobs: p.logprobs.clone(),
            logprob_sum: Some(sum),
            mean_logprob: full.then(|| sum / p.logprobs.len() as f64),
            n_tokens: Some(p.tokens.len()),
            finished: full.then_some(p.finished),
            top_logprobs: (recorded && full_top).then(|| p.top_logprobs.iter().map(|t| f32s(t)).collect()),
            token_confidence: (recorded && !full_top).then(|| p.token_confidences().map(|c| f32s(&c)).unwrap_or_default()),
            self_certainty: p.self_certainty(),
            p_true: p.p_true,
        }
    }
}

impl QuestionRecord {
    /// A question's generated paths in the short form `pathconf tiny sample`
    /// writes (the paths' text, answer, log-probabilities and token counts;
    /// no question text, prompt length, mean or finish flag).
    pub fn short(id: String, answer: String, paths: &[crate::generation::GeneratedPath]) -> Self {
        Self { id, question: None, answer, prompt_tokens: None, paths: paths.iter().map(|p| PathRecord::from_generated(p, false, false)).collect() }
    }

    /// The record as one JSONL line (no newline).
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("records serialise")
    }
}
