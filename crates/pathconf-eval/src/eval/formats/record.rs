//! pathconf's own JSONL records — the paths file `pathconf sample` and
//! `pathconf tiny sample` write and `pathconf eval` reads, one question per
//! line — and the rules every reader of them shares (blank lines, answers
//! as strings or numbers, the tolerance of derived log-probabilities). The
//! schema is one type, [`QuestionRecord`] / [`PathRecord`]: the writers
//! serialise it and the typed reader ([`super::jsonl_fast`]) deserialises it
//! with its number arrays left as raw JSON text (the type parameters), so the
//! field names and types exist once. The general reader ([`super::jsonl`])
//! accepts more than the type (a number as an id or answer, say), field by
//! field:
//!
//! | field | type | written | read |
//! |---|---|---|---|
//! | `id` | string | always | optional (default: the line's index) |
//! | `question` | string | by `sample` (the question text) | ignored |
//! | `answer` | string | the ground truth | required unless given with `--answers` |
//! | `prompt_tokens` | integer | by `sample` | ignored |
//! | `paths` | array | always | required, non-empty |
//! | `paths[].text` | string | the decoded path | optional (default `#path{j}`); PC/RPC tell paths apart by it |
//! | `paths[].answer` | string | extracted answer, `[invalid]` if none | optional: extracted from `text` ([`crate::extract::math`]) |
//! | `paths[].logprobs` | array of numbers ≤ 0 | the model's `ln p(x_t \| x_<t)` per token | one of `logprobs`, `mean_logprob`, `logprob_sum` + `n_tokens`; none of them: an answers-only path (SC only) |
//! | `paths[].logprob_sum` | number ≤ 0 | `Σ logprobs` | with `n_tokens` |
//! | `paths[].mean_logprob` | number ≤ 0 | by `sample`: `logprob_sum / #logprobs` | (with `n_tokens`, also gives the sum) |
//! | `paths[].n_tokens` | integer ≥ 1 | generated tokens | with `logprob_sum` |
//! | `paths[].finished` | bool | by `sample`: stopped on a stop token | ignored |
//! | `paths[].top_logprobs` | array (per token) of arrays of numbers ≤ 0 | by `sample --write-top-logprobs` | optional: DeepConf's `C_t` from the top 20 of each |
//! | `paths[].token_confidence` | array of numbers ≥ 0 | by `sample`: `C_t` per token | optional (ignored when `top_logprobs` is given); as long as `logprobs` |
//! | `paths[].self_certainty` | number ≥ 0 | by `sample`: mean `KL(U ‖ p_t)` | optional |
//! | `paths[].p_true` | number in `[0, 1]` | P(True) | optional |

use serde::{Deserialize, Serialize};

/// Non-blank lines with their 0-based line numbers.
pub fn records(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter(|(_, l)| !is_blank(l))
}

/// A line with nothing but whitespace: not a record.
pub fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// Relative tolerance within which a path's `logprob_sum` and `mean_logprob`
/// must equal what its `logprobs` give: another writer may sum in another
/// order (a few ulps per token), but not disagree in the ninth digit.
pub const DERIVED_TOL: f64 = 1e-9;

/// Whether a given `logprob_sum` or `mean_logprob` equals the one its
/// `logprobs` give, within [`DERIVED_TOL`].
pub(crate) fn agrees(given: f64, derived: f64) -> bool {
    (given - derived).abs() <= DERIVED_TOL * derived.abs().max(1.0)
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

/// One question of a paths file: what pathconf's writers serialise, and
/// what the typed reader deserialises a line into. `F` is how an array of
/// log-probabilities is held (`Vec<f64>` to write; `&RawValue`, unparsed,
/// to read fast), `C` likewise for the per-token confidences. Every field
/// a writer always writes (`id`, `answer`, a path's `text` and `answer`) is
/// optional to the readers, hence an `Option`. Unknown fields are refused
/// (the typed reader then hands the line to the general one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "F: Deserialize<'de>, C: Deserialize<'de>"))]
pub struct QuestionRecord<F = Vec<f64>, C = Vec<f32>> {
    /// The question's id (readers default it to the line's index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The question's text (LLM samples).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// The ground truth (readers take it from `--answers` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// Tokens in the prompt (LLM samples).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_tokens: Option<usize>,
    /// The sampled paths.
    pub paths: Vec<PathRecord<F, C>>,
}

/// One path of a [`QuestionRecord`] (and of a draw line, [`super::stream::DrawRecord`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "F: Deserialize<'de>, C: Deserialize<'de>"))]
pub struct PathRecord<F = Vec<f64>, C = Vec<f32>> {
    /// The decoded text (readers default it to `#path{j}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The extracted answer, `[invalid]` if none (readers extract it from
    /// the text when absent or empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// `ln p(x_t | x_<t)` per generated token (none for an answers-only
    /// path: a server that returned no log-probabilities).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<F>,
    /// `Σ logprobs` (none for an answers-only path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprob_sum: Option<f64>,
    /// `logprob_sum / #logprobs` (LLM samples).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_logprob: Option<f64>,
    /// Generated tokens (none for an answers-only path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_tokens: Option<u64>,
    /// Whether generation stopped on a stop token (LLM samples).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<bool>,
    /// Per token, the top log-probabilities in decreasing order (vLLM's
    /// `logprobs=k` layout; `sample --write-top-logprobs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_logprobs: Option<Vec<Vec<f32>>>,
    /// Per token, DeepConf's `C_t = −mean(top-k log-probabilities)` (what
    /// `sample` writes by default instead of the full top-k lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_confidence: Option<C>,
    /// Self-certainty: mean over tokens of `KL(U ‖ p_t)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_certainty: Option<f64>,
    /// P(True): the model's probability of "1" when asked to rate its answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_true: Option<f64>,
}

impl PathRecord {
    /// The record of a generated path; `full` adds the LLM sampler's
    /// `mean_logprob` and `finished`. Recorded top log-probabilities are
    /// written as they are when `full_top`, else as their token confidences.
    pub fn from_generated(p: &crate::generation::GeneratedPath, full: bool, full_top: bool) -> Self {
        let sum = p.logprob_sum();
        let recorded = !p.top_logprobs.is_empty();
        let f32s = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
        Self {
            text: Some(p.text.clone()),
            answer: Some(p.answer_or_invalid().to_string()),
            logprobs: (!p.logprobs.is_empty()).then(|| p.logprobs.clone()),
            logprob_sum: Some(sum),
            mean_logprob: full.then(|| sum / p.logprobs.len() as f64),
            n_tokens: Some(p.tokens.len() as u64),
            finished: full.then_some(p.finished),
            top_logprobs: (recorded && full_top).then(|| p.top_logprobs.iter().map(|t| f32s(t)).collect()),
            token_confidence: (recorded && !full_top).then(|| p.token_confidences().map(|c| f32s(&c)).unwrap_or_default()),
            self_certainty: p.self_certainty(),
            p_true: p.p_true,
        }
    }
}

impl QuestionRecord {
    /// A question's generated paths in the short form `pathconf tiny sample`
    /// writes (the paths' text, answer, log-probabilities and token counts;
    /// no question text, prompt length, mean or finish flag).
    pub fn short(id: String, answer: String, paths: &[crate::generation::GeneratedPath]) -> Self {
        Self {
            id: Some(id),
            question: None,
            answer: Some(answer),
            prompt_tokens: None,
            paths: paths.iter().map(|p| PathRecord::from_generated(p, false, false)).collect(),
        }
    }

    /// The record as one JSONL line (no newline).
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("records serialise")
    }
}
