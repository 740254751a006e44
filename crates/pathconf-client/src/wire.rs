//! The OpenAI-compatible wire format, as pathconf sends and reads it (and as
//! `pathconf serve` answers): chat completions (`/v1/chat/completions`) and
//! legacy completions (`/v1/completions`), with log-probabilities as `f64`
//! (the JSON numbers a server sends, kept to the last digit: `f32` would lose
//! digits in a long path's sum).
//!
//! Requests carry only the fields pathconf means: `top_k`, `min_p` (vLLM,
//! SGLang and llama.cpp extensions) are serialised only when given, since
//! hosted APIs reject unknown fields. Responses are read leniently: vendor
//! fields are ignored, optional ones default.

use serde::{Deserialize, Serialize};

/// A chat message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// `user`, `system` or `assistant`.
    pub role: String,
    /// The text.
    pub content: String,
}

/// The sampling fields both endpoints share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SamplingFields {
    /// Softmax temperature (OpenAI's default 1).
    #[serde(default = "one")]
    pub temperature: f64,
    /// Nucleus mass (default 1).
    #[serde(default = "one")]
    pub top_p: f64,
    /// Longest completion in tokens (default 256 when a request omits it).
    #[serde(default = "default_max_tokens")]
    pub max_tokens: u32,
    /// The request's seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Choices per request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    /// Top-k truncation (an extension; sent only when given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u32>,
    /// Min-p truncation (an extension; sent only when given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_p: Option<f64>,
    /// Keep generating past the end-of-sequence token, to `max_tokens` (an
    /// extension vLLM and llama.cpp's server take; sent only when given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_eos: Option<bool>,
}

fn one() -> f64 {
    1.0
}

fn default_max_tokens() -> u32 {
    256
}

/// `POST /v1/chat/completions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// The model's name on the server.
    pub model: String,
    /// The conversation.
    pub messages: Vec<Message>,
    /// Sampling.
    #[serde(flatten)]
    pub sampling: SamplingFields,
    /// Return per-token log-probabilities.
    #[serde(default)]
    pub logprobs: bool,
    /// Alternatives per token (0–20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_logprobs: Option<u32>,
}

/// `POST /v1/completions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletionRequest {
    /// The model's name on the server.
    pub model: String,
    /// The prompt text.
    pub prompt: String,
    /// Sampling.
    #[serde(flatten)]
    pub sampling: SamplingFields,
    /// Alternatives per token (the legacy integer: 0 returns the sampled
    /// token's log-probability only; hosted APIs allow at most 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<u32>,
}

/// One alternative of a token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopLogprob {
    /// Its text.
    pub token: String,
    /// Its log-probability (−9999: outside the alternatives the server kept).
    pub logprob: f64,
}

/// One generated token of a chat choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenLogprob {
    /// Its id in the model's vocabulary (a llama.cpp extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u32>,
    /// Its text.
    pub token: String,
    /// Its log-probability.
    pub logprob: f64,
    /// Its UTF-8 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<Vec<u8>>,
    /// The most likely alternatives at this position.
    #[serde(default)]
    pub top_logprobs: Vec<TopLogprob>,
}

/// `choices[i].logprobs` of a chat response.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChatLogprobs {
    /// Per generated token (`null` when the server returned none).
    #[serde(default)]
    pub content: Option<Vec<TokenLogprob>>,
}

/// `choices[i].message` of a chat response.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChoiceMessage {
    /// `assistant`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The completion (reasoning models may put their reasoning apart).
    #[serde(default)]
    pub content: Option<String>,
    /// Reasoning kept apart from the answer (vLLM / SGLang reasoning parsers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
}

/// One choice of a chat response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatChoice {
    /// Its index in the request's `n`.
    #[serde(default)]
    pub index: u32,
    /// The message.
    #[serde(default)]
    pub message: ChoiceMessage,
    /// The log-probabilities.
    #[serde(default)]
    pub logprobs: Option<ChatLogprobs>,
    /// `stop`, `length`, …
    #[serde(default)]
    pub finish_reason: Option<String>,
    /// What the log-probabilities are, when the server says (`pathconf
    /// serve`: `processed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprob_kind: Option<String>,
}

/// Token counts of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Usage {
    /// Tokens in the prompt (per request, not per choice).
    #[serde(default)]
    pub prompt_tokens: u64,
    /// Tokens generated over all choices.
    #[serde(default)]
    pub completion_tokens: u64,
    /// Their sum.
    #[serde(default)]
    pub total_tokens: u64,
}

/// A chat response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatResponse {
    /// Response id.
    #[serde(default)]
    pub id: String,
    /// `chat.completion`.
    #[serde(default)]
    pub object: String,
    /// The model that answered.
    #[serde(default)]
    pub model: String,
    /// The choices.
    pub choices: Vec<ChatChoice>,
    /// Token counts.
    #[serde(default)]
    pub usage: Option<Usage>,
}

/// `choices[i].logprobs` of a legacy completion.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CompletionLogprobs {
    /// Generated tokens.
    #[serde(default)]
    pub tokens: Vec<String>,
    /// Their log-probabilities (`null` for a first prompt token when echoed).
    #[serde(default)]
    pub token_logprobs: Vec<Option<f64>>,
    /// Per token, alternatives by text.
    #[serde(default)]
    pub top_logprobs: Option<Vec<Option<serde_json::Map<String, serde_json::Value>>>>,
    /// Character offsets.
    #[serde(default)]
    pub text_offset: Vec<u64>,
}

/// One choice of a legacy completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletionChoice {
    /// Its index.
    #[serde(default)]
    pub index: u32,
    /// The completion.
    #[serde(default)]
    pub text: String,
    /// The log-probabilities.
    #[serde(default)]
    pub logprobs: Option<CompletionLogprobs>,
    /// `stop`, `length`, …
    #[serde(default)]
    pub finish_reason: Option<String>,
    /// What the log-probabilities are, when the server says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprob_kind: Option<String>,
}

/// A legacy completion response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletionResponse {
    /// Response id.
    #[serde(default)]
    pub id: String,
    /// `text_completion`.
    #[serde(default)]
    pub object: String,
    /// The model that answered.
    #[serde(default)]
    pub model: String,
    /// The choices.
    pub choices: Vec<CompletionChoice>,
    /// Token counts.
    #[serde(default)]
    pub usage: Option<Usage>,
}

/// The OpenAI error body: `{"error": {"message", "type", "param", "code"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The error's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// What is wrong.
    pub message: String,
    /// `invalid_request_error`, `server_error`, …
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The request field at fault.
    #[serde(default)]
    pub param: Option<String>,
    /// A short code.
    #[serde(default)]
    pub code: Option<String>,
}

/// `GET /v1/models`: one entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    /// The model's name.
    pub id: String,
    /// `model`.
    #[serde(default)]
    pub object: String,
    /// Who serves it.
    #[serde(default)]
    pub owned_by: String,
    /// What its log-probabilities are (pathconf serve).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprob_kind: Option<String>,
}

/// `GET /v1/models`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelList {
    /// `list`.
    #[serde(default)]
    pub object: String,
    /// The models.
    pub data: Vec<ModelCard>,
}
