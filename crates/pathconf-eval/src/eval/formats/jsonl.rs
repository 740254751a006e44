//! Reading pathconf's JSONL records ([`super::record`]) one question per
//! line: the typed fast reading first ([`super::jsonl_fast`]), the general
//! reader (a `serde_json::Value` walked field by field, errors naming the
//! field) for anything it is not sure of.

use super::error::ReadError;
use super::format::Format;
use super::locate::json_error;
use super::record::{agrees, answer_string, records, DERIVED_TOL};
pub use super::record::{PathRecord, QuestionRecord};
use crate::eval::dataset::{check_logprob, token_confidence_of, Dataset, PathSignals, RawPath, RawQuestion};
use crate::extract::math::extract_answer;
use crate::extract::INVALID;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// Parses pathconf JSONL written one record per question.
pub fn read_records(text: &str, file: &Path, answers: Option<&HashMap<String, String>>) -> Result<Dataset, ReadError> {
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
    Ok(Dataset { file: file.to_path_buf(), questions, format: Format::Jsonl })
}

/// The error for a file without questions.
pub(crate) fn no_questions(file: &Path) -> ReadError {
    ReadError::File { file: file.to_path_buf(), message: "no questions in the file".into() }
}

/// A record's question id: its `id`, else its index `q`.
pub(crate) fn record_id(v: &Value, q: usize) -> String {
    v.get("id").and_then(answer_string).unwrap_or_else(|| q.to_string())
}

/// One record per question: `id` (of question `q`) must not repeat one in
/// `seen`, the ids read so far (a repeat would make two questions of one,
/// and `--answers` ambiguous).
pub(crate) fn check_new_id(id: &str, q: usize, file: &Path, seen: &mut HashMap<String, usize>) -> Result<(), ReadError> {
    match seen.insert(id.to_string(), q) {
        Some(first) => Err(ReadError::Record {
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
) -> Result<RawQuestion, ReadError> {
    let id = record_id(v, q);
    check_new_id(&id, q, file, seen)?;
    question_with_id(v, q, id, file, answers)
}

/// Question `q` from its record `v`, its id already read (and checked).
pub(crate) fn question_with_id(v: &Value, q: usize, id: String, file: &Path, answers: Option<&HashMap<String, String>>) -> Result<RawQuestion, ReadError> {
    let rec = |field: &str, message: String| ReadError::Record { file: file.to_path_buf(), question: q, field: field.to_string(), message };
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
