//! The draw-per-line layout `pathconf sample --endpoint` writes: a header
//! line, then one line per draw as it arrives (appended and flushed, so a
//! killed run loses only the draws in flight).
//!
//! ```text
//! {"pathconf": "sample-stream", "settings": {…}, "logprob_kind": "raw"|"processed"|"unknown"}
//! {"id": "q001", "draw": 0, "overshoot": false, "truth": "42", "text": …, "answer": …, "logprobs": […], …}
//! ```
//!
//! A draw line is the paths JSONL's path record ([`PathRecord`]) plus
//! `id`, `draw` (0, 1, … in the order the draws were issued for that
//! question), `overshoot` (the draw was in flight when the question's
//! stopping rule stopped), and optionally `truth` (the question's ground
//! truth, when the questions file has it), `prompt_tokens` (the server's
//! count for the request), `tokens` (the tokens' texts) and `token_ids`
//! (when the server gives them). Readers group the draws
//! by `id` (questions in order of first appearance) and order each question's
//! draws by `draw`; a repeated `(id, draw)` is an error. Overshoot draws are
//! ordinary paths for every reader: only `sample` itself counts them apart.

use super::error::ReadError;
use super::jsonl::question_from_value;
use super::locate::json_error;
use super::record::{answer_string, records, PathRecord};
use crate::eval::dataset::Dataset;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// The header's tag.
pub const TAG: &str = "sample-stream";

/// What a server's log-probabilities are (`../FIELD`: servers differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogprobKind {
    /// Before temperature, top-k, top-p and min-p: the model's own
    /// `ln p(x_t | x_<t)` (llama.cpp, vLLM's default `raw_logprobs`).
    Raw,
    /// After every sampling transformation: the log-probability of drawing
    /// the token (vLLM `processed_logprobs`, `pathconf serve`).
    Processed,
    /// Not known.
    #[default]
    Unknown,
}

pathconf_core::named_option!(LogprobKind, "logprob-kind", { LogprobKind::Raw => "raw", LogprobKind::Processed => "processed", LogprobKind::Unknown => "unknown" });

impl LogprobKind {
    /// Why log-probabilities of this kind, from paths sampled with
    /// `sampling` (`None`: not known), are not what `reader` (a method or
    /// rule that reads them as sampling probabilities) takes them to be, if so.
    pub fn caveat(self, sampling: Option<Sampling>, reader: &str) -> Option<String> {
        let untransformed = sampling.is_some_and(|s| s.is_untransformed());
        let described = sampling.map_or_else(
            || "unknown settings".to_string(),
            |s| {
                let mut d = format!("temperature {}, top-p {}", s.temperature, s.top_p);
                if let Some(k) = s.top_k {
                    d += &format!(", top-k {k}");
                }
                if let Some(p) = s.min_p {
                    d += &format!(", min-p {p}");
                }
                d
            },
        );
        match self {
            LogprobKind::Processed => None,
            LogprobKind::Raw if untransformed => None,
            LogprobKind::Raw => Some(format!(
                "{reader}: the server's log-probabilities are raw (before the sampler's transformations) and the paths were sampled at {described}: a path's product of them is the model's probability, not the probability of sampling it"
            )),
            LogprobKind::Unknown => Some(format!(
                "{reader}: the file does not say whether its log-probabilities are raw or processed (sampled at {described}); if raw, a path's product of them is not the probability of sampling it"
            )),
        }
    }
}

/// The sampling settings that decide what the log-probabilities mean.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Sampling {
    /// Softmax temperature.
    pub temperature: f64,
    /// Nucleus mass.
    pub top_p: f64,
    /// Top-k truncation, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u32>,
    /// Min-p truncation, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_p: Option<f64>,
}

impl Sampling {
    /// Whether sampling draws from the model's own distribution (T = 1, no
    /// truncation): then raw log-probabilities are sampling probabilities too.
    pub fn is_untransformed(&self) -> bool {
        self.temperature == 1.0 && self.top_p >= 1.0 && self.top_k.is_none_or(|k| k == 0) && self.min_p.is_none_or(|p| p <= 0.0)
    }
}

/// The first line of a stream file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamHeader {
    /// Always [`TAG`].
    pub pathconf: String,
    /// What `sample` was asked and what the server said of itself (free
    /// form; `sampling` is read back).
    pub settings: Value,
    /// What the log-probabilities are.
    pub logprob_kind: LogprobKind,
}

impl StreamHeader {
    /// The sampling settings recorded under `settings.sampling`, if any.
    pub fn sampling(&self) -> Option<Sampling> {
        self.settings.get("sampling").and_then(|v| serde_json::from_value(v.clone()).ok())
    }

    /// Why the path probabilities are not what `reader` (a method or rule
    /// that reads them as sampling probabilities) takes them to be, if so
    /// ([`LogprobKind::caveat`] with the recorded settings).
    pub fn caveat(&self, reader: &str) -> Option<String> {
        self.logprob_kind.caveat(self.sampling(), reader)
    }
}

/// One draw line (what `sample --endpoint` writes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrawRecord {
    /// The question's id.
    pub id: String,
    /// The draw's index within its question, in issue order.
    pub draw: usize,
    /// Whether the draw was in flight when the question's rule stopped.
    pub overshoot: bool,
    /// The question's ground truth, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truth: Option<String>,
    /// Prompt tokens of the request (the server's `usage`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_tokens: Option<u64>,
    /// The completion's tokens as text, as the server returned them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Vec<String>>,
    /// The completion's token ids, when the server gives them (llama.cpp).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_ids: Option<Vec<u32>>,
    /// The request the draw came from, when one request asked for several
    /// draws (`n > 1`): its first draw and how many choices it asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestGroup>,
    /// The path.
    #[serde(flatten)]
    pub path: PathRecord,
}

/// One request asking for draws `first..first + choices` of a question
/// (choice `i` is draw `first + i`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestGroup {
    /// The request's first draw.
    pub first: usize,
    /// Choices asked for (`n`).
    pub choices: usize,
}

impl DrawRecord {
    /// The record as one JSONL line (no newline).
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("records serialise")
    }
}

/// Whether `line` is a stream header.
pub fn is_header(line: &str) -> bool {
    // Cheap test first: only a line mentioning the tag is parsed.
    line.contains(TAG) && serde_json::from_str::<StreamHeader>(line).is_ok_and(|h| h.pathconf == TAG)
}

/// The header of the stream file `text`, if it is one.
pub fn header_of(text: &str) -> Option<StreamHeader> {
    let (_, first) = records(text).next()?;
    is_header(first).then(|| serde_json::from_str(first).expect("checked"))
}

/// The header of the file at `path` (its first line only), if it is a stream file.
pub fn read_header(path: &Path) -> std::io::Result<Option<StreamHeader>> {
    use std::io::BufRead;
    let f = std::fs::File::open(path)?;
    for line in std::io::BufReader::new(f).lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        return Ok(is_header(&line).then(|| serde_json::from_str(&line).expect("checked")));
    }
    Ok(None)
}

/// A draw line's key fields, checked.
fn key_of(v: &Value, file: &Path, line_no: usize) -> Result<(String, usize), ReadError> {
    let bad = |field: &str, message: String| ReadError::File { file: file.to_path_buf(), message: format!("line {}: field `{field}`: {message}", line_no + 1) };
    let id = v.get("id").and_then(answer_string).ok_or_else(|| bad("id", "missing (every draw line names its question)".into()))?;
    let draw = v.get("draw").and_then(Value::as_u64).ok_or_else(|| bad("draw", "missing or not a non-negative integer".into()))?;
    Ok((id, draw as usize))
}

/// Reads a stream file: draws grouped into questions (see the module docs).
pub fn read_stream(text: &str, file: &Path, answers: Option<&HashMap<String, String>>) -> Result<Dataset, ReadError> {
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Vec<(usize, usize, Value)>> = HashMap::new();
    for (line_no, line) in records(text).skip(1) {
        let v: Value = serde_json::from_str(line).map_err(|e| json_error(file, line, &e, line_no))?;
        let (id, draw) = key_of(&v, file, line_no)?;
        let g = groups.entry(id.clone()).or_insert_with(|| {
            order.push(id.clone());
            Vec::new()
        });
        if let Some(&(_, first, _)) = g.iter().find(|(d, _, _)| *d == draw) {
            return Err(ReadError::File {
                file: file.to_path_buf(),
                message: format!("line {}: draw {draw} of question {id:?} repeats line {} (each draw is written once)", line_no + 1, first + 1),
            });
        }
        g.push((draw, line_no, v));
    }
    let mut seen = HashMap::new();
    let mut questions = Vec::with_capacity(order.len());
    for (q, id) in order.iter().enumerate() {
        let mut draws = groups.remove(id).expect("grouped");
        draws.sort_by_key(|d| d.0);
        let truth = draws.iter().find_map(|(_, _, v)| v.get("truth").and_then(answer_string));
        let mut record = serde_json::Map::new();
        record.insert("id".into(), Value::String(id.clone()));
        if let Some(t) = truth {
            record.insert("answer".into(), Value::String(t));
        }
        record.insert("paths".into(), Value::Array(draws.into_iter().map(|d| d.2).collect()));
        questions.push(question_from_value(&Value::Object(record), q, file, answers, &mut seen)?);
    }
    if questions.is_empty() {
        return Err(ReadError::File { file: file.to_path_buf(), message: "no draws in the file (only its header)".into() });
    }
    Ok(Dataset { file: file.to_path_buf(), questions, format: super::format::Format::Jsonl })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = r#"{"pathconf": "sample-stream", "settings": {"sampling": {"temperature": 0.6, "top_p": 1.0}}, "logprob_kind": "raw"}"#;

    fn draw(id: &str, d: usize, answer: &str, lp: f64) -> String {
        format!(
            r#"{{"id": "{id}", "draw": {d}, "overshoot": false, "truth": "7", "text": "t{answer}", "answer": "{answer}", "logprobs": [{lp}], "logprob_sum": {lp}, "n_tokens": 1}}"#
        )
    }

    #[test]
    fn draws_are_grouped_by_id_in_draw_order() {
        let text = [HEADER.to_string(), draw("b", 1, "3", -0.5), draw("a", 0, "7", -0.1), draw("b", 0, "7", -0.2)].join("\n");
        let ds = read_jsonl_text(&text).unwrap();
        assert_eq!(ds.questions.iter().map(|q| q.id.as_str()).collect::<Vec<_>>(), ["b", "a"]);
        let b = &ds.questions[0];
        assert_eq!((b.truth.as_str(), b.paths[0].answer.as_str(), b.paths[1].answer.as_str()), ("7", "7", "3"));
        assert_eq!(b.paths[1].sum_logprob, Some(-0.5));
        let h = header_of(&text).unwrap();
        assert_eq!(h.logprob_kind, LogprobKind::Raw);
        assert!(h.caveat("PC").unwrap().contains("temperature 0.6"));
    }

    #[test]
    fn a_repeated_draw_and_a_missing_key_are_errors() {
        let text = [HEADER.to_string(), draw("a", 0, "7", -0.1), draw("a", 0, "3", -0.2)].join("\n");
        let e = read_jsonl_text(&text).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("draw 0 of question \"a\" repeats line 2"), "{e}");
        let text = format!("{HEADER}\n{}", draw("a", 0, "7", -0.1).replace(r#""draw": 0, "#, ""));
        let e = read_jsonl_text(&text).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("`draw`"), "{e}");
    }

    #[test]
    fn records_round_trip() {
        let line = draw("a", 3, "7", -0.25);
        let r: DrawRecord = serde_json::from_str(&line).unwrap();
        assert_eq!((r.draw, r.path.logprob_sum, r.path.n_tokens), (3, Some(-0.25), Some(1)));
        let again: DrawRecord = serde_json::from_str(&r.to_line()).unwrap();
        assert_eq!(again, r);
    }

    fn read_jsonl_text(text: &str) -> Result<Dataset, ReadError> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.jsonl");
        std::fs::write(&file, text).unwrap();
        super::super::read(&file, None, None)
    }

    #[test]
    fn a_stream_cut_or_mutated_anywhere_is_read_or_refused_never_a_panic() {
        let text = [HEADER.to_string(), draw("b", 1, "3", -0.5), draw("a", 0, "7", -0.1), draw("b", 0, "7", -0.2)].join("\n");
        let file = Path::new("s.jsonl");
        let bytes = text.as_bytes();
        let mut refused = 0;
        for cut in 0..=bytes.len() {
            let t = String::from_utf8_lossy(&bytes[..cut]);
            if let Err(e) = super::super::read_jsonl(&t, file, None) {
                refused += 1;
                assert!(e.to_string().contains("s.jsonl"), "{e}");
            }
        }
        for i in (0..bytes.len()).step_by(3) {
            for b in [b'"', b'}', b'-', b'x', b'\n'] {
                let mut m = bytes.to_vec();
                m[i] = b;
                if let Err(e) = super::super::read_jsonl(&String::from_utf8_lossy(&m), file, None) {
                    assert!(e.to_string().contains("s.jsonl"), "{e}");
                }
            }
        }
        assert!(refused > bytes.len() / 2, "{refused} of {} cuts refused", bytes.len());
    }
}
