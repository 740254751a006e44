//! The JSON spec format of `pathconf theory` and `pathconf simulate`:
//!
//! ```json
//! {"correct": "A", "answers": {"A": [0.2, 0.1], "B": [0.3], "C": [0.4]}, "tau": 0.15}
//! ```
//!
//! `answers` maps each answer to the probabilities of its paths (object order is
//! kept); `correct` may be absent or `null`; `tau` is the optional fixed
//! reasoning-pruning threshold. Errors name the file and the field.

use crate::distribution::{DistributionError, PathDistribution};
use serde_json::Value;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why a spec could not be read.
#[derive(Debug, Error)]
pub enum SpecError {
    /// The file could not be read.
    #[error("{file}: cannot read: {error}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The file is not valid JSON.
    #[error("{file}: malformed JSON at line {line}, column {column}: {message}")]
    Json {
        /// The file.
        file: PathBuf,
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// A field is missing or has the wrong type or value.
    #[error("{file}: field `{field}`: {message}")]
    Field {
        /// The file.
        file: PathBuf,
        /// JSON path of the field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The probabilities do not form a valid distribution.
    #[error("{file}: field `answers`: {error}")]
    Distribution {
        /// The file.
        file: PathBuf,
        /// The validation error.
        error: DistributionError,
    },
}

/// A parsed spec.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The question's path distribution.
    pub distribution: PathDistribution,
    /// The fixed pruning threshold for RP, if given.
    pub tau: Option<f64>,
}

/// Reads and validates a spec file.
pub fn read_spec(file: &Path) -> Result<Spec, SpecError> {
    let text = std::fs::read_to_string(file).map_err(|error| SpecError::Io { file: file.to_path_buf(), error })?;
    parse_spec(&text, file)
}

/// Parses and validates spec text; `file` is used in error messages only.
pub fn parse_spec(text: &str, file: &Path) -> Result<Spec, SpecError> {
    let field = |field: &str, message: String| SpecError::Field { file: file.to_path_buf(), field: field.to_string(), message };
    let value: Value =
        serde_json::from_str(text).map_err(|e| SpecError::Json { file: file.to_path_buf(), line: e.line(), column: e.column(), message: e.to_string() })?;
    let obj = value.as_object().ok_or_else(|| field("$", "expected a JSON object".into()))?;
    for key in obj.keys() {
        if !matches!(key.as_str(), "correct" | "answers" | "tau") {
            return Err(field(key, "unknown field (expected `correct`, `answers`, `tau`)".into()));
        }
    }
    let correct = match obj.get("correct") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => return Err(field("correct", "empty answer".into())),
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => return Err(field("correct", format!("expected a string, found {other}"))),
    };
    let answers = obj
        .get("answers")
        .ok_or_else(|| field("answers", "missing".into()))?
        .as_object()
        .ok_or_else(|| field("answers", "expected an object {answer: [probabilities]}".into()))?;
    let mut groups = Vec::with_capacity(answers.len());
    for (name, probs) in answers {
        let arr = probs.as_array().ok_or_else(|| field(&format!("answers.{name}"), "expected an array of numbers".into()))?;
        let mut ps = Vec::with_capacity(arr.len());
        for (i, v) in arr.iter().enumerate() {
            let p = v.as_f64().ok_or_else(|| field(&format!("answers.{name}[{i}]"), format!("expected a number, found {v}")))?;
            ps.push(p);
        }
        groups.push((name.clone(), ps));
    }
    let distribution = PathDistribution::new(&groups, correct.as_deref()).map_err(|error| SpecError::Distribution { file: file.to_path_buf(), error })?;
    let tau = match obj.get("tau") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let t = v.as_f64().ok_or_else(|| field("tau", format!("expected a number, found {v}")))?;
            if !(0.0..=1.0).contains(&t) {
                return Err(field("tau", format!("{t} is outside [0, 1]")));
            }
            Some(t)
        }
    };
    Ok(Spec { distribution, tau })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example_in_order() {
        let s = parse_spec(r#"{"correct": "A", "answers": {"A": [0.2, 0.1], "B": [0.3], "C": [0.4]}, "tau": 0.15}"#, Path::new("x.json")).unwrap();
        assert_eq!(s.distribution.answers(), ["A", "B", "C"]);
        assert_eq!(s.distribution.correct(), Some(0));
        assert_eq!(s.tau, Some(0.15));
    }

    #[test]
    fn errors_name_file_and_field() {
        let e = parse_spec(r#"{"answers": {"A": [0.5, "x"], "B": [0.5]}}"#, Path::new("s.json")).unwrap_err().to_string();
        assert!(e.contains("s.json") && e.contains("answers.A[1]"), "{e}");
        let e = parse_spec(r#"{"answers": {"A": [0.5], "B": [0.4]}}"#, Path::new("s.json")).unwrap_err().to_string();
        assert!(e.contains("sum to") && e.contains("s.json"), "{e}");
        let e = parse_spec("{\"answers\": ", Path::new("s.json")).unwrap_err().to_string();
        assert!(e.contains("malformed JSON") && e.contains("line 1"), "{e}");
        let e = parse_spec(r#"{"answers": {"A": [1.0]}, "tau": 2}"#, Path::new("s.json")).unwrap_err().to_string();
        assert!(e.contains("`tau`"), "{e}");
    }
}
