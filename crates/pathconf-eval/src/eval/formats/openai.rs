//! OpenAI / vLLM responses saved as JSONL, one response (several `choices`)
//! per question. Choices are found at `choices`, `response.choices` or
//! `response.body.choices` (the Batch API's output). Token log-probabilities:
//! chat `choices[i].logprobs.content[].logprob` or legacy
//! `choices[i].logprobs.token_logprobs` (`null` entries, as for an echoed
//! first token, are skipped); with `top_logprobs` per token (chat layout),
//! DeepConf's token confidences are computed from them. Text: `choices[i].message.content` or
//! `choices[i].text`; the answer is extracted from it. The ground truth is
//! the record's `answer` / `ground_truth`, else looked up by `custom_id`,
//! `id` or the record index in the `--answers` file.

use super::error::ReadError;
use super::locate::json_error;
use super::record::{answer_string, records};
use crate::eval::dataset::{check_logprob, token_confidence_of, Dataset, PathSignals, RawPath, RawQuestion};
use crate::extract::math::extract_answer;
use crate::extract::INVALID;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// The `choices` array of a response record, wherever it is.
pub fn find_choices(v: &Value) -> Option<&Vec<Value>> {
    v.get("choices")
        .or_else(|| v.get("response").and_then(|r| r.get("choices")))
        .or_else(|| v.get("response").and_then(|r| r.get("body")).and_then(|b| b.get("choices")))
        .and_then(Value::as_array)
}

/// Parses OpenAI / vLLM response JSONL.
pub fn read_openai(text: &str, file: &Path, answers: Option<&HashMap<String, String>>) -> Result<Dataset, ReadError> {
    let mut questions = Vec::new();
    for (q, (line_no, line)) in records(text).enumerate() {
        let v: Value = serde_json::from_str(line).map_err(|e| json_error(file, line, &e, line_no))?;
        questions.push(openai_question(&v, q, file, answers)?);
    }
    if questions.is_empty() {
        return Err(no_records(file));
    }
    Ok(Dataset { file: file.to_path_buf(), questions, format: super::format::Format::Openai })
}

/// The error for a file without records.
pub(crate) fn no_records(file: &Path) -> ReadError {
    ReadError::File { file: file.to_path_buf(), message: "no records in the file".into() }
}

/// Question `q` from its response record `v`.
pub(crate) fn openai_question(v: &Value, q: usize, file: &Path, answers: Option<&HashMap<String, String>>) -> Result<RawQuestion, ReadError> {
    let rec = |field: &str, message: String| ReadError::Record { file: file.to_path_buf(), question: q, field: field.to_string(), message };
    let ids: Vec<String> = ["custom_id", "id"].iter().filter_map(|k| v.get(*k).and_then(answer_string)).chain([q.to_string()]).collect();
    let truth = ["answer", "ground_truth"]
        .iter()
        .find_map(|k| v.get(*k).and_then(answer_string))
        .or_else(|| answers.and_then(|m| ids.iter().find_map(|id| m.get(id).cloned())))
        .ok_or_else(|| rec("answer", format!("missing ground truth (no `answer` field; ids {ids:?} not in --answers)")))?;
    let choices = find_choices(v).ok_or_else(|| rec("choices", "missing or not an array".into()))?;
    if choices.is_empty() {
        return Err(rec("choices", "the question has no paths".into()));
    }
    let mut paths = Vec::with_capacity(choices.len());
    for (j, c) in choices.iter().enumerate() {
        let text = c
            .get("message")
            .and_then(|m| m.get("content"))
            .or_else(|| c.get("text"))
            .and_then(Value::as_str)
            .ok_or_else(|| rec(&format!("choices[{j}].message.content"), "no text in the choice".into()))?
            .to_string();
        let answer_of = |text: &str| extract_answer(text).unwrap_or_else(|| INVALID.to_string());
        // No log-probabilities (an API that returns none): an answers-only path.
        let Some(lp) = c.get("logprobs").filter(|l| !l.is_null()) else {
            let answer = answer_of(&text);
            paths.push(RawPath { text: text.into(), answer: answer.into(), mean_logprob: None, sum_logprob: None, signals: Default::default(), tokens: None });
            continue;
        };
        let (values, field): (Vec<&Value>, &str) = if let Some(content) = lp.get("content").and_then(Value::as_array) {
            (content.iter().map(|t| t.get("logprob").unwrap_or(&Value::Null)).collect(), "logprobs.content")
        } else if let Some(tl) = lp.get("token_logprobs").and_then(Value::as_array) {
            (tl.iter().filter(|x| !x.is_null()).collect(), "logprobs.token_logprobs")
        } else {
            return Err(rec(&format!("choices[{j}].logprobs"), "neither `content` nor `token_logprobs`".into()));
        };
        if values.is_empty() {
            return Err(rec(&format!("choices[{j}].{field}"), "no tokens".into()));
        }
        let mut sum = 0.0;
        for (k, x) in values.iter().enumerate() {
            let f = x.as_f64().ok_or_else(|| rec(&format!("choices[{j}].{field}[{k}]"), format!("expected a number, found {x}")))?;
            check_logprob(f).map_err(|m| rec(&format!("choices[{j}].{field}[{k}]"), m))?;
            sum += f;
        }
        let answer = answer_of(&text);
        let signals = PathSignals { token_confidence: top_confidences(lp).map_err(|(f, m)| rec(&format!("choices[{j}].{f}"), m))?, ..Default::default() };
        paths.push(RawPath {
            text: text.into(),
            answer: answer.into(),
            mean_logprob: Some(sum / values.len() as f64),
            sum_logprob: Some(sum),
            signals,
            tokens: Some(values.len() as u64),
        });
    }
    Ok(RawQuestion { id: ids[0].clone(), truth, paths })
}

/// DeepConf's `C_t` per token from chat `logprobs.content[t].top_logprobs[].logprob`
/// (vLLM and OpenAI with `top_logprobs = k`): `None` when no token carries
/// them; an error (`(field, message)`) when only some do.
fn top_confidences(lp: &Value) -> Result<Option<Vec<f32>>, (String, String)> {
    let Some(content) = lp.get("content").and_then(Value::as_array) else { return Ok(None) };
    let has = |t: &Value| t.get("top_logprobs").and_then(Value::as_array).is_some_and(|a| !a.is_empty());
    if !content.iter().any(has) {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(content.len());
    let mut buf = Vec::new();
    for (t, tok) in content.iter().enumerate() {
        let field = format!("logprobs.content[{t}].top_logprobs");
        let list = tok
            .get("top_logprobs")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| (field.clone(), "missing or empty while other tokens carry top log-probabilities (ragged)".to_string()))?;
        buf.clear();
        for (i, e) in list.iter().enumerate() {
            let x = e.get("logprob").and_then(Value::as_f64).ok_or_else(|| (format!("{field}[{i}].logprob"), format!("expected a number, found {e}")))?;
            buf.push(x);
        }
        out.push(token_confidence_of(&mut buf).map_err(|m| (field.clone(), m))? as f32);
    }
    Ok(Some(out))
}

/// Reads a ground-truth file: JSONL of `{"id", "answer"}`, a JSON object
/// `{id: answer}`, or a JSON array of answers indexed by question.
pub fn read_answers(file: &Path) -> Result<HashMap<String, String>, ReadError> {
    let source = super::Source::open(file)?; // a bad byte is named by its offset
    let text: &str = &source;
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        match v {
            Value::Object(m) => {
                return m
                    .iter()
                    .map(|(k, a)| {
                        answer_string(a).map(|s| (k.clone(), s)).ok_or_else(|| ReadError::Record {
                            file: file.to_path_buf(),
                            question: 0,
                            field: k.clone(),
                            message: format!("expected a string or number, found {a}"),
                        })
                    })
                    .collect();
            }
            Value::Array(a) => {
                return a
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        answer_string(x).map(|s| (i.to_string(), s)).ok_or_else(|| ReadError::Record {
                            file: file.to_path_buf(),
                            question: i,
                            field: format!("[{i}]"),
                            message: format!("expected a string or number, found {x}"),
                        })
                    })
                    .collect();
            }
            _ => {}
        }
    }
    let mut out = HashMap::new();
    for (q, (line_no, line)) in records(text).enumerate() {
        let v: Value = serde_json::from_str(line).map_err(|e| json_error(file, line, &e, line_no))?;
        let id = v.get("id").and_then(answer_string).unwrap_or_else(|| q.to_string());
        let a = v.get("answer").and_then(answer_string).ok_or_else(|| ReadError::Record {
            file: file.to_path_buf(),
            question: q,
            field: "answer".into(),
            message: "missing".into(),
        })?;
        out.insert(id, a);
    }
    Ok(out)
}
