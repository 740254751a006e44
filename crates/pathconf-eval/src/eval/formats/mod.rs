//! Input formats, auto-detected (override with `--format`):
//!
//! | format | layout |
//! |---|---|
//! | `rpc-json` | the paper's released columns: one JSON object with `predict[i][j]`, `completion[i][j]`, `mean_logprob[i][j]`, `answer[i]` |
//! | `jsonl` | pathconf's own: one question per line (or, after a `{"pathconf": "sample-stream"}` header, one draw per line: [`stream`]), `{"id", "answer", "paths": [{"text", "answer"?, "logprobs": [..] \| "mean_logprob": x \| "logprob_sum": x, "n_tokens": k}]}` |
//! | `openai` | OpenAI / vLLM responses as JSONL, several `choices` each; answers extracted from the text |
//!
//! Detection: a file whose first non-blank character is `{` and that parses
//! as one object with a `predict` key is `rpc-json`; otherwise the first
//! JSONL record decides (`paths` → `jsonl`, `choices` anywhere in
//! `choices`/`response.choices`/`response.body.choices` → `openai`).

pub mod arrays;
pub mod chunks;
mod error;
pub mod format;
pub mod jsonl;
pub mod jsonl_fast;
mod locate;
mod openai;
pub mod record;
mod rpc_json;
pub(crate) mod source;
pub mod stream;

pub use error::ReadError;
pub use format::{Format, PathField};
pub use locate::json_path_at;
pub use openai::{read_answers, read_openai};
pub use rpc_json::read_rpc_json;
pub use source::Source;

use super::dataset::Dataset;
use locate::json_error;
use serde::de::IgnoredAny;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Reads `file` in `format` (detected when `None`). `answers` supplies ground
/// truths by question id (needed by `openai` records without an answer).
pub fn read(file: &Path, format: Option<Format>, answers: Option<&HashMap<String, String>>) -> Result<Dataset, ReadError> {
    let source = std::sync::Arc::new(Source::open(file)?);
    let text: &str = &source;
    let format = match format {
        Some(f) => f,
        // An object that parses as rpc-json columns is read from that one
        // parse: detecting first would scan a one-line 40 MB file once more
        // (≈ 20 ms). JSONL fails this parse at its second record (cheap) and
        // goes through `detect`, as does anything malformed.
        None if text.trim_start().starts_with('{') => match rpc_json::Columns::parse(text) {
            Ok(cols) if cols.is_rpc_json() => return rpc_json::check_columns(cols, file, Some(&source)),
            _ => detect(text).ok_or_else(|| undetected(file, text))?,
        },
        None => detect(text).ok_or_else(|| undetected(file, text))?,
    };
    match format {
        Format::RpcJson => rpc_json::read_shared(&source, file),
        Format::Jsonl => read_jsonl(text, file, answers),
        Format::Openai => read_openai(text, file, answers),
    }
}

/// Why no format was recognised: malformed JSON where the file starts (the
/// parser's error with its line, column and field), else an unknown layout.
fn undetected(file: &Path, text: &str) -> ReadError {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if serde_json::from_str::<IgnoredAny>(first).is_ok() {
        return unknown(file);
    }
    // The first line alone is not JSON: a broken first record, or a document
    // over several lines — either way the whole text's parse says where.
    match serde_json::from_str::<IgnoredAny>(text) {
        Err(e) => json_error(file, text, &e, 0),
        Ok(_) => unknown(file),
    }
}

fn unknown(file: &Path) -> ReadError {
    ReadError::File {
        file: file.to_path_buf(),
        message: "cannot tell the format (expected the paper's JSON columns, pathconf JSONL with `paths`, or OpenAI/vLLM JSONL with `choices`); pass --format"
            .into(),
    }
}

/// Parses pathconf JSONL: one record per question ([`jsonl`]), or the
/// draw-per-line layout `pathconf sample --endpoint` writes ([`stream`],
/// told apart by its header line).
pub fn read_jsonl(text: &str, file: &Path, answers: Option<&HashMap<String, String>>) -> Result<Dataset, ReadError> {
    match record::records(text).next() {
        Some((_, first)) if stream::is_header(first) => stream::read_stream(text, file, answers),
        _ => jsonl::read_records(text, file, answers),
    }
}

/// Guesses the format from the text.
pub fn detect(text: &str) -> Option<Format> {
    let first_line = text.lines().find(|l| !l.trim().is_empty())?;
    // The first record's top-level keys, values skipped unread: a one-line
    // rpc-json file *is* its first line, and building it as a `Value` would
    // parse (and allocate) all of it twice.
    if let Ok(keys) = serde_json::from_str::<BTreeMap<String, IgnoredAny>>(first_line) {
        if keys.contains_key("paths") || keys.contains_key("pathconf") {
            return Some(Format::Jsonl);
        }
        if keys.contains_key("choices") || keys.contains_key("response") {
            let v: serde_json::Value = serde_json::from_str(first_line).ok()?;
            if openai::find_choices(&v).is_some() {
                return Some(Format::Openai);
            }
        }
        if keys.contains_key("predict") {
            return Some(Format::RpcJson);
        }
        return None;
    }
    // A multi-line single object (pretty-printed rpc-json).
    let head: String = text.chars().take(4096).collect();
    (head.trim_start().starts_with('{') && head.contains("\"predict\"")).then_some(Format::RpcJson)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(name: &str, text: &str) -> Result<Dataset, ReadError> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        read(&file, None, None)
    }

    const COLUMNS: &str = r#"{"predict": [["1", "2"], ["3"]], "completion": [["a", "b"], ["c"]], "mean_logprob": [[-0.1, -0.2], [-0.3]], "answer": ["1", 3]}"#;

    #[test]
    fn one_parse_rpc_json_reads_what_the_detected_path_reads() {
        let direct = read_text("a.json", COLUMNS).unwrap();
        let pretty = serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(COLUMNS).unwrap()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.json");
        for text in [COLUMNS.to_string(), format!("\n  {pretty}\n")] {
            std::fs::write(&file, &text).unwrap();
            assert_eq!(detect(&text), Some(Format::RpcJson));
            let detected = read_rpc_json(&text, &file).unwrap();
            let auto = read(&file, None, None).unwrap();
            assert_eq!(auto, detected);
            assert_eq!(auto.questions, direct.questions);
        }
        assert_eq!(direct.questions[1].truth, "3");
    }

    #[test]
    fn other_formats_keep_precedence_over_rpc_json() {
        // An object with rpc-json columns *and* `paths` is pathconf JSONL (as
        // `detect` decides), not rpc-json.
        let both = COLUMNS.replacen('{', r#"{"id": "q", "paths": [{"text": "x", "answer": "1", "mean_logprob": -1.0}], "#, 1);
        assert_eq!(detect(&both), Some(Format::Jsonl));
        // ... so the JSONL reader sees it, and refuses its array `answer`.
        let e = read_text("both.jsonl", &both).unwrap_err().to_string();
        assert!(e.contains("ground truth for question id \"q\""), "{e}");
        // Several JSONL records fail the one-object parse and are detected.
        let two: String = ["a", "b"]
            .iter()
            .map(|id| format!("{{\"id\": \"{id}\", \"answer\": \"1\", \"paths\": [{{\"text\": \"x\", \"mean_logprob\": -1.0, \"answer\": \"1\"}}]}}\n"))
            .collect();
        assert_eq!(read_text("two.jsonl", &two).unwrap().questions.len(), 2);
        // An OpenAI batch record is recognised from its keys (`response.body.choices`).
        let openai = r#"{"custom_id": "a", "answer": "7", "response": {"body": {"choices": [{"message": {"content": "The answer is 7."}, "logprobs": {"content": [{"token": "7", "logprob": -0.2}]}}]}}}"#;
        assert_eq!(detect(openai), Some(Format::Openai));
        assert_eq!(detect(r#"{"response": {"x": 1}}"#), None);
        // Malformed rpc-json still reports the parser's location.
        let broken = read_text("broken.json", &COLUMNS[..COLUMNS.len() - 5]).unwrap_err().to_string();
        assert!(broken.contains("broken.json") && broken.contains("malformed JSON") && broken.contains("line 1"), "{broken}");
    }

    #[test]
    fn rpc_json_texts_and_answers_share_the_file_unless_escaped() {
        let text = r#"{"predict": [["1", "2\u0030"]], "completion": [["plain path", "line\nbreak"]], "mean_logprob": [[-0.1, -0.2]], "answer": ["1"]}"#;
        let mut ds = read_text("shared.json", text).unwrap();
        let [plain, escaped] = [&ds.questions[0].paths[0], &ds.questions[0].paths[1]];
        assert!(plain.text.is_shared() && plain.answer.is_shared());
        assert!(!escaped.text.is_shared() && !escaped.answer.is_shared());
        assert_eq!((plain.text.as_str(), plain.answer.as_str()), ("plain path", "1"));
        assert_eq!((escaped.text.as_str(), escaped.answer.as_str()), ("line\nbreak", "20"));
        let shared = ds.clone();
        ds.detach();
        assert!(ds.questions[0].paths.iter().all(|p| !p.text.is_shared() && !p.answer.is_shared()));
        assert_eq!(ds, shared);
        // Read from a string (not a file), nothing is shared.
        let own = read_rpc_json(text, Path::new("s.json")).unwrap();
        assert!(own.questions[0].paths.iter().all(|p| !p.text.is_shared()));
        assert_eq!(own.questions, shared.questions);
    }
}
