//! Paths given as arrays (the Python bindings' `Paths.from_arrays`), read
//! through the same record checks as pathconf JSONL ([`super::read_jsonl`]):
//! each question becomes one JSONL record, so the errors and their messages
//! are the file readers' (with the pseudo-file name [`ARRAYS`]).

use super::error::ReadError;
use super::read_jsonl;
use crate::eval::dataset::{check_logprob, Dataset};
use serde_json::{Map, Number, Value};
use std::path::Path;

/// The file name that errors and reports give for arrays.
pub const ARRAYS: &str = "<arrays>";

/// Per-question, per-path columns; every optional column, when given, has
/// one row per question and one entry per path of that question.
#[derive(Debug, Clone, Default)]
pub struct PathArrays {
    /// Question ids (default: the index).
    pub ids: Option<Vec<String>>,
    /// Ground truth per question.
    pub truth: Vec<String>,
    /// The extracted answer of each path.
    pub answers: Vec<Vec<String>>,
    /// Mean token log-probability of each path (none: answers only, SC alone).
    pub mean_logprob: Option<Vec<Vec<f64>>>,
    /// Generated tokens of each path (with `mean_logprob`, gives the sequence log-probability).
    pub n_tokens: Option<Vec<Vec<u64>>>,
    /// The text of each path (PC and RPC tell equal paths apart by it; default: all distinct).
    pub text: Option<Vec<Vec<String>>>,
    /// Self-certainty of each path.
    pub self_certainty: Option<Vec<Vec<f64>>>,
    /// P(True) of each path.
    pub p_true: Option<Vec<Vec<f64>>>,
    /// DeepConf's token confidences of each path.
    pub token_confidence: Option<Vec<Vec<Vec<f64>>>>,
}

fn record_error(question: usize, field: &str, message: String) -> ReadError {
    ReadError::Record { file: ARRAYS.into(), question, field: field.to_string(), message }
}

/// A finite number as JSON; NaN and infinities are named (JSON has no spelling for them).
fn number(x: f64, question: usize, field: &str, logprob: bool) -> Result<Value, ReadError> {
    if logprob {
        check_logprob(x).map_err(|m| record_error(question, field, m))?;
    }
    Number::from_f64(x).map(Value::Number).ok_or_else(|| record_error(question, field, format!("{x} is not a finite number")))
}

/// Checks that `column` has one row per question and one entry per path.
fn check_shape<T>(column: &Option<Vec<Vec<T>>>, name: &str, answers: &[Vec<String>]) -> Result<(), ReadError> {
    let Some(rows) = column else { return Ok(()) };
    if rows.len() != answers.len() {
        return Err(ReadError::File { file: ARRAYS.into(), message: format!("`{name}` has {} rows for {} questions (ragged)", rows.len(), answers.len()) });
    }
    for (q, (row, a)) in rows.iter().zip(answers).enumerate() {
        if row.len() != a.len() {
            return Err(record_error(q, name, format!("{} entries for {} paths (ragged)", row.len(), a.len())));
        }
    }
    Ok(())
}

/// Builds a [`Dataset`] from arrays, with the JSONL reader's checks.
pub fn read_arrays(a: &PathArrays) -> Result<Dataset, ReadError> {
    let file = Path::new(ARRAYS);
    if a.truth.len() != a.answers.len() {
        return Err(ReadError::File {
            file: file.into(),
            message: format!("`truth` has {} entries for {} questions (ragged)", a.truth.len(), a.answers.len()),
        });
    }
    if let Some(ids) = &a.ids {
        if ids.len() != a.answers.len() {
            return Err(ReadError::File { file: file.into(), message: format!("`ids` has {} entries for {} questions (ragged)", ids.len(), a.answers.len()) });
        }
    }
    check_shape(&a.mean_logprob, "mean_logprob", &a.answers)?;
    check_shape(&a.n_tokens, "n_tokens", &a.answers)?;
    check_shape(&a.text, "text", &a.answers)?;
    check_shape(&a.self_certainty, "self_certainty", &a.answers)?;
    check_shape(&a.p_true, "p_true", &a.answers)?;
    check_shape(&a.token_confidence, "token_confidence", &a.answers)?;
    if a.n_tokens.is_some() && a.mean_logprob.is_none() {
        return Err(ReadError::File { file: file.into(), message: "`n_tokens` is given without `mean_logprob`".into() });
    }
    let mut text = String::new();
    for (q, answers) in a.answers.iter().enumerate() {
        let mut paths = Vec::with_capacity(answers.len());
        for (j, answer) in answers.iter().enumerate() {
            let field = |f: &str| format!("paths[{j}].{f}");
            let mut p = Map::new();
            if let Some(t) = &a.text {
                p.insert("text".into(), Value::String(t[q][j].clone()));
            }
            p.insert("answer".into(), Value::String(answer.clone()));
            if let Some(m) = &a.mean_logprob {
                p.insert("mean_logprob".into(), number(m[q][j], q, &field("mean_logprob"), true)?);
                if let Some(n) = &a.n_tokens {
                    // With `n_tokens` the reader also has the sequence log-probability.
                    p.insert("n_tokens".into(), Value::from(n[q][j]));
                }
            }
            if let Some(s) = &a.self_certainty {
                p.insert("self_certainty".into(), number(s[q][j], q, &field("self_certainty"), false)?);
            }
            if let Some(s) = &a.p_true {
                p.insert("p_true".into(), number(s[q][j], q, &field("p_true"), false)?);
            }
            if let Some(c) = &a.token_confidence {
                let row = c[q][j].iter().map(|&x| number(x, q, &field("token_confidence"), false)).collect::<Result<Vec<_>, _>>()?;
                p.insert("token_confidence".into(), Value::Array(row));
            }
            paths.push(Value::Object(p));
        }
        let mut rec = Map::new();
        if let Some(ids) = &a.ids {
            rec.insert("id".into(), Value::String(ids[q].clone()));
        }
        rec.insert("answer".into(), Value::String(a.truth[q].clone()));
        rec.insert("paths".into(), Value::Array(paths));
        text.push_str(&Value::Object(rec).to_string());
        text.push('\n');
    }
    read_jsonl(&text, file, None)
}
