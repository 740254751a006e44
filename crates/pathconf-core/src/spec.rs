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
    #[error("{file}: field `{field}`: {error}")]
    Distribution {
        /// The file.
        file: PathBuf,
        /// JSON path of the distribution (`answers`, `questions[2].answers`).
        field: String,
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

/// A file's text; a byte that is not UTF-8 is named by its offset.
fn read_text(file: &Path) -> Result<String, SpecError> {
    let bytes = std::fs::read(file).map_err(|error| SpecError::Io { file: file.to_path_buf(), error })?;
    String::from_utf8(bytes).map_err(|e| SpecError::Io {
        file: file.to_path_buf(),
        error: std::io::Error::new(std::io::ErrorKind::InvalidData, format!("not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to())),
    })
}

/// Reads and validates a spec file.
pub fn read_spec(file: &Path) -> Result<Spec, SpecError> {
    let text = read_text(file)?;
    parse_spec(&text, file)
}

/// Parses and validates spec text; `file` is used in error messages only.
pub fn parse_spec(text: &str, file: &Path) -> Result<Spec, SpecError> {
    let value = parse_json(text, file)?;
    spec_from_value(&value, file, "", &[])
}

fn parse_json(text: &str, file: &Path) -> Result<Value, SpecError> {
    serde_json::from_str(text).map_err(|e| SpecError::Json { file: file.to_path_buf(), line: e.line(), column: e.column(), message: e.to_string() })
}

fn field_error(file: &Path, field: &str, message: String) -> SpecError {
    SpecError::Field { file: file.to_path_buf(), field: field.to_string(), message }
}

/// One spec object; `prefix` names its place in the file (`questions[3].`)
/// and `extra` lists further keys the caller reads itself.
fn spec_from_value(value: &Value, file: &Path, prefix: &str, extra: &[&str]) -> Result<Spec, SpecError> {
    let field = |f: &str, message: String| field_error(file, &format!("{prefix}{f}"), message);
    let obj = value
        .as_object()
        .ok_or_else(|| field_error(file, if prefix.is_empty() { "$" } else { prefix.trim_end_matches('.') }, "expected a JSON object".into()))?;
    for key in obj.keys() {
        if !matches!(key.as_str(), "correct" | "answers" | "tau") && !extra.contains(&key.as_str()) {
            let mut expected = vec!["`correct`", "`answers`", "`tau`"];
            let extra_names: Vec<String> = extra.iter().map(|e| format!("`{e}`")).collect();
            expected.extend(extra_names.iter().map(String::as_str));
            return Err(field(key, format!("unknown field (expected {})", expected.join(", "))));
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
    let distribution = PathDistribution::new(&groups, correct.as_deref()).map_err(|error| SpecError::Distribution {
        file: file.to_path_buf(),
        field: format!("{prefix}answers"),
        error,
    })?;
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

/// A population of questions with weights (`pathconf theory --population`).
#[derive(Debug, Clone)]
pub struct PopulationSpec {
    /// `(weight, question)`; weights are positive and sum to one.
    pub questions: Vec<(f64, PathDistribution)>,
    /// RP's threshold, if given at the top level.
    pub tau: Option<f64>,
    /// Chen et al.'s two-question mixture, when the file gave one.
    pub mixture: Option<BinaryMixtureSpec>,
}

/// `{"mixture": {"alpha": 0.6, "p_easy": 0.8, "p_hard": 0.3}}`: a share `alpha`
/// of easy binary questions answered correctly with probability `p_easy`, the
/// rest hard ones with `p_hard` (Chen et al., arXiv 2403.02419).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BinaryMixtureSpec {
    /// Share of easy questions.
    pub alpha: f64,
    /// `P(correct path)` on easy questions.
    pub p_easy: f64,
    /// `P(correct path)` on hard questions.
    pub p_hard: f64,
}

/// Reads a population file. Three forms:
///
/// ```json
/// {"questions": [{"weight": 2, "correct": "A", "answers": {"A": [0.5], "B": [0.5]}}, ...], "tau": 0.1}
/// {"mixture": {"alpha": 0.6, "p_easy": 0.8, "p_hard": 0.3}}
/// {"generated": {"questions": 300, "seed": 7, "difficulty_a": 2, "difficulty_b": 2, "wrong_answers": 4, "paths_per_answer": 8}}
/// ```
///
/// `weight` is optional (default 1; weights are normalised); `generated` draws
/// from [`crate::generators::Population`] (the keys shown, all optional,
/// defaults as there; Zipf splits).
pub fn read_population(file: &Path) -> Result<PopulationSpec, SpecError> {
    let text = read_text(file)?;
    parse_population(&text, file)
}

/// Parses a population file's text ([`read_population`]).
pub fn parse_population(text: &str, file: &Path) -> Result<PopulationSpec, SpecError> {
    let value = parse_json(text, file)?;
    let field = |f: &str, message: String| field_error(file, f, message);
    let obj = value.as_object().ok_or_else(|| field("$", "expected a JSON object".into()))?;
    for key in obj.keys() {
        if !matches!(key.as_str(), "questions" | "mixture" | "generated" | "tau") {
            return Err(field(key, "unknown field (expected one of `questions`, `mixture`, `generated`, and optionally `tau`)".into()));
        }
    }
    let forms = ["questions", "mixture", "generated"].iter().filter(|k| obj.contains_key(**k)).count();
    if forms != 1 {
        return Err(field("$", format!("expected exactly one of `questions`, `mixture`, `generated`, found {forms}")));
    }
    let tau = match obj.get("tau") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_f64().filter(|t| (0.0..=1.0).contains(t)).ok_or_else(|| field("tau", format!("expected a number in [0, 1], found {v}")))?),
    };
    let number = |f: &str, v: &Value| v.as_f64().ok_or_else(|| field(f, format!("expected a number, found {v}")));
    let mut mixture = None;
    let mut questions: Vec<(f64, PathDistribution)> = Vec::new();
    if let Some(list) = obj.get("questions") {
        let arr = list.as_array().ok_or_else(|| field("questions", "expected an array of specs".into()))?;
        if arr.is_empty() {
            return Err(field("questions", "empty: a population needs at least one question".into()));
        }
        for (i, q) in arr.iter().enumerate() {
            let prefix = format!("questions[{i}].");
            let spec = spec_from_value(q, file, &prefix, &["weight"])?;
            let w = match q.get("weight") {
                None => 1.0,
                Some(v) => number(&format!("{prefix}weight"), v)?,
            };
            if !(w.is_finite() && w > 0.0) {
                return Err(field(&format!("{prefix}weight"), format!("{w} is not a positive number")));
            }
            questions.push((w, spec.distribution));
        }
    } else if let Some(m) = obj.get("mixture") {
        let get = |k: &str| -> Result<f64, SpecError> {
            let f = format!("mixture.{k}");
            let v = m.get(k).ok_or_else(|| field(&f, "missing".into()))?;
            let x = number(&f, v)?;
            if (0.0..=1.0).contains(&x) {
                Ok(x)
            } else {
                Err(field(&f, format!("{x} is outside [0, 1]")))
            }
        };
        let spec = BinaryMixtureSpec { alpha: get("alpha")?, p_easy: get("p_easy")?, p_hard: get("p_hard")? };
        for (w, p) in [(spec.alpha, spec.p_easy), (1.0 - spec.alpha, spec.p_hard)] {
            if w > 0.0 {
                let d = PathDistribution::new(&[("right", vec![p]), ("wrong", vec![1.0 - p])], Some("right")).map_err(|error| SpecError::Distribution {
                    file: file.to_path_buf(),
                    field: "mixture".into(),
                    error,
                })?;
                questions.push((w, d));
            }
        }
        mixture = Some(spec);
    } else if let Some(g) = obj.get("generated") {
        let g = g.as_object().ok_or_else(|| field("generated", "expected an object".into()))?;
        let mut pop = crate::generators::Population::default();
        let mut seed = 7u64;
        for (k, v) in g {
            let f = format!("generated.{k}");
            let count = || v.as_u64().filter(|&c| c >= 1).ok_or_else(|| field(&f, format!("expected a positive integer, found {v}")));
            match k.as_str() {
                "questions" => pop.n_questions = count()? as usize,
                "seed" => seed = v.as_u64().ok_or_else(|| field(&f, format!("expected a non-negative integer, found {v}")))?,
                "difficulty_a" => pop.difficulty_a = number(&f, v)?,
                "difficulty_b" => pop.difficulty_b = number(&f, v)?,
                "wrong_answers" => pop.wrong_answers = count()? as usize,
                "paths_per_answer" => pop.paths_per_answer = count()? as usize,
                _ => return Err(field(&f, "unknown field (expected questions, seed, difficulty_a, difficulty_b, wrong_answers, paths_per_answer)".into())),
            }
        }
        use rand::SeedableRng;
        let drawn = pop.sample(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed)).map_err(|e| field("generated", e.to_string()))?;
        questions = drawn.into_iter().map(|d| (1.0, d)).collect();
    }
    let total: f64 = questions.iter().map(|q| q.0).sum();
    questions.iter_mut().for_each(|q| q.0 /= total);
    Ok(PopulationSpec { questions, tau, mixture })
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

    #[test]
    fn populations_parse_in_three_forms_and_name_bad_fields() {
        let f = Path::new("pop.json");
        let p =
            parse_population(r#"{"questions": [{"weight": 3, "correct": "A", "answers": {"A": [1.0]}}, {"answers": {"A": [0.5], "B": [0.5]}}]}"#, f).unwrap();
        assert_eq!(p.questions.len(), 2);
        assert!((p.questions[0].0 - 0.75).abs() < 1e-15 && (p.questions[1].0 - 0.25).abs() < 1e-15);
        let p = parse_population(r#"{"mixture": {"alpha": 0.9, "p_easy": 0.85, "p_hard": 0.4}}"#, f).unwrap();
        assert_eq!(p.questions.len(), 2);
        assert_eq!(p.mixture.map(|m| m.alpha), Some(0.9));
        let p = parse_population(r#"{"generated": {"questions": 5, "seed": 3}}"#, f).unwrap();
        assert_eq!(p.questions.len(), 5);
        for (text, field) in [
            (r#"{"mixture": {"alpha": 1.5, "p_easy": 0.8, "p_hard": 0.3}}"#, "mixture.alpha"),
            (r#"{"questions": [{"answers": {"A": [0.5]}}]}"#, "questions[0].answers"),
            (r#"{"questions": [{"answers": {"A": [1.0]}, "extra": 1}]}"#, "questions[0].extra"),
            (r#"{"questions": []}"#, "questions"),
            (r#"{"questions": [], "mixture": {}}"#, "$"),
            (r#"{"generated": {"questions": 0}}"#, "generated.questions"),
        ] {
            let e = parse_population(text, f).unwrap_err().to_string();
            assert!(e.contains("pop.json") && e.contains(&format!("`{field}`")), "{text}: {e}");
        }
    }
}
