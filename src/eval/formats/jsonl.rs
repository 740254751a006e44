//! pathconf's own JSONL: one question per line,
//! `{"id", "answer", "paths": [{"text", "answer"?, "logprobs": [..] | "mean_logprob": x | "logprob_sum": x, "n_tokens": k}]}`.
//! A path without `answer` has it extracted from `text`.

use super::{answer_string, json_error};
use crate::eval::dataset::{check_logprob, Dataset, EvalError, RawPath, RawQuestion};
use crate::extract::math::extract_answer;
use crate::extract::INVALID;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// Non-blank lines with their 0-based line numbers.
pub(crate) fn records(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty())
}

/// Parses pathconf JSONL.
pub fn read_jsonl(text: &str, file: &Path, answers: Option<&HashMap<String, String>>) -> Result<Dataset, EvalError> {
    let mut questions = Vec::new();
    let mut invalid = 0;
    for (q, (line_no, line)) in records(text).enumerate() {
        let v: Value = serde_json::from_str(line).map_err(|e| json_error(file, line, &e, line_no))?;
        let rec = |field: &str, message: String| EvalError::Record { file: file.to_path_buf(), question: q, field: field.to_string(), message };
        let id = v.get("id").and_then(answer_string).unwrap_or_else(|| q.to_string());
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
            let (mean, sum) = path_logprobs(p).map_err(|(f, m)| rec(&field(&f), m))?;
            let answer = match p.get("answer").and_then(answer_string).filter(|a| !a.is_empty()).or_else(|| extract_answer(&text)) {
                Some(a) => a,
                None => {
                    invalid += 1;
                    INVALID.to_string()
                }
            };
            paths.push(RawPath { text, answer, mean_logprob: mean, sum_logprob: sum });
        }
        questions.push(RawQuestion { id, truth, paths });
    }
    if questions.is_empty() {
        return Err(EvalError::File { file: file.to_path_buf(), message: "no questions in the file".into() });
    }
    Ok(Dataset { file: file.to_path_buf(), questions, invalid_answers: invalid })
}

/// `(mean, Some(sum))` from `logprobs`, `mean_logprob` (+ `n_tokens`) or
/// `logprob_sum` + `n_tokens`; errors are `(field, message)`.
fn path_logprobs(p: &Value) -> Result<(f64, Option<f64>), (String, String)> {
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
        return Ok((sum / arr.len() as f64, Some(sum)));
    }
    if let Some(mean) = num("mean_logprob")? {
        check_logprob(mean).map_err(|m| ("mean_logprob".to_string(), m))?;
        return Ok((mean, n_tokens.map(|k| mean * k as f64)));
    }
    if let Some(sum) = num("logprob_sum")? {
        check_logprob(sum).map_err(|m| ("logprob_sum".to_string(), m))?;
        let k = n_tokens.ok_or_else(|| ("n_tokens".to_string(), "required with logprob_sum".to_string()))?;
        return Ok((sum / k as f64, Some(sum)));
    }
    Err(("logprobs".into(), "missing: give `logprobs`, `mean_logprob` or `logprob_sum` with `n_tokens`".into()))
}
