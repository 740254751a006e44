//! Where in a JSON document an error occurred, as a JSON path such as
//! `mean_logprob[3][17]` — so errors in the one-line column format can name
//! the question index and the field — and serde_json's errors told so.

use super::error::ReadError;
use std::path::Path;

/// Byte offset of (1-based line, 1-based column) in `text`.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut off = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return off + column.saturating_sub(1).min(l.len());
        }
        off += l.len();
    }
    text.len()
}

enum Frame {
    Object { key: Option<String>, reading_key: bool },
    Array { index: usize },
}

/// The JSON path of the innermost value containing byte `offset`.
pub fn json_path_at(text: &str, offset: usize) -> String {
    let bytes = text.as_bytes();
    let end = offset.min(bytes.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if let Some(Frame::Object { key, reading_key }) = stack.last_mut() {
                    if *reading_key {
                        *key = Some(String::from_utf8_lossy(&bytes[start..i.min(bytes.len())]).into_owned());
                        *reading_key = false;
                    }
                }
            }
            b'{' => stack.push(Frame::Object { key: None, reading_key: true }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { reading_key, .. }) => *reading_key = true,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    let mut out = String::new();
    for f in &stack {
        match f {
            Frame::Object { key: Some(k), .. } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

/// Formats a serde_json error with its line, column and JSON path.
pub(crate) fn json_error(file: &Path, text: &str, e: &serde_json::Error, line_offset: usize) -> ReadError {
    let offset = offset_of(text, e.line(), e.column());
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
    ReadError::Json { file: file.to_path_buf(), location, message: format!("{e}{hint}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_paths() {
        let t = r#"{"predict": [["1","2"]], "mean_logprob": [[-0.1, -0.2], [-0.3, NaN]]}"#;
        let at = t.find("NaN").unwrap();
        assert_eq!(json_path_at(t, at), "mean_logprob[1][1]");
        let t = r#"{"a": {"b,c": [1, {"d": x}]}}"#;
        assert_eq!(json_path_at(t, t.find('x').unwrap()), "a.b,c[1].d");
    }
}
