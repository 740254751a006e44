//! Input formats, auto-detected (override with `--format`):
//!
//! | format | layout |
//! |---|---|
//! | `rpc-json` | the paper's released columns: one JSON object with `predict[i][j]`, `completion[i][j]`, `mean_logprob[i][j]`, `answer[i]` |
//! | `jsonl` | pathconf's own: one question per line, `{"id", "answer", "paths": [{"text", "answer"?, "logprobs": [..] \| "mean_logprob": x \| "logprob_sum": x, "n_tokens": k}]}` |
//! | `openai` | OpenAI / vLLM responses as JSONL, several `choices` each; answers extracted from the text |
//!
//! Detection: a file whose first non-blank character is `{` and that parses
//! as one object with a `predict` key is `rpc-json`; otherwise the first
//! JSONL record decides (`paths` → `jsonl`, `choices` anywhere in
//! `choices`/`response.choices`/`response.body.choices` → `openai`).

mod jsonl;
mod locate;
mod openai;
mod rpc_json;

pub use jsonl::read_jsonl;
pub use locate::json_path_at;
pub use openai::{read_answers, read_openai};
pub use rpc_json::read_rpc_json;

use super::dataset::{Dataset, EvalError};
use std::collections::HashMap;
use std::path::Path;

/// A supported input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The paper's released column layout.
    RpcJson,
    /// pathconf's JSONL.
    Jsonl,
    /// OpenAI / vLLM responses (JSONL).
    Openai,
}

/// Reads `file` in `format` (detected when `None`). `answers` supplies ground
/// truths by question id (needed by `openai` records without an answer).
pub fn read(file: &Path, format: Option<Format>, answers: Option<&HashMap<String, String>>) -> Result<Dataset, EvalError> {
    let text = std::fs::read_to_string(file).map_err(|source| EvalError::Io { file: file.to_path_buf(), source })?;
    let format = match format {
        Some(f) => f,
        None => detect(&text).ok_or_else(|| EvalError::File {
            file: file.to_path_buf(),
            message: "cannot tell the format (expected the paper's JSON columns, pathconf JSONL with `paths`, or OpenAI/vLLM JSONL with `choices`); pass --format".into(),
        })?,
    };
    match format {
        Format::RpcJson => read_rpc_json(&text, file),
        Format::Jsonl => read_jsonl(&text, file, answers),
        Format::Openai => read_openai(&text, file, answers),
    }
}

/// Guesses the format from the text.
pub fn detect(text: &str) -> Option<Format> {
    let first_line = text.lines().find(|l| !l.trim().is_empty())?;
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(first_line) {
        if v.get("paths").is_some() {
            return Some(Format::Jsonl);
        }
        if openai::find_choices(&v).is_some() {
            return Some(Format::Openai);
        }
        if v.get("predict").is_some() {
            return Some(Format::RpcJson);
        }
        return None;
    }
    // A multi-line single object (pretty-printed rpc-json).
    let head: String = text.chars().take(4096).collect();
    (head.trim_start().starts_with('{') && head.contains("\"predict\"")).then_some(Format::RpcJson)
}

/// Formats a serde_json error with its line, column and JSON path.
pub(crate) fn json_error(file: &Path, text: &str, e: &serde_json::Error, line_offset: usize) -> EvalError {
    let offset = locate::offset_of(text, e.line(), e.column());
    let path = json_path_at(text, offset);
    let at = text[offset.min(text.len())..].trim_start();
    let hint = if at.starts_with("NaN") || at.starts_with("Infinity") || at.starts_with("-Infinity") {
        " (a NaN or infinite number: log-probabilities must be finite)"
    } else {
        ""
    };
    let location = if path.is_empty() {
        format!(" at line {}, column {}", e.line() + line_offset, e.column())
    } else {
        format!(" at line {}, column {} (field `{path}`)", e.line() + line_offset, e.column())
    };
    EvalError::Json { file: file.to_path_buf(), location, message: format!("{e}{hint}") }
}

/// Reads a JSON number-or-string field as a string answer.
pub(crate) fn answer_string(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
