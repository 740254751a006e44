//! Generating reasoning paths from a language model, shared by both
//! samplers (the tiny transformer, [`crate::tiny`], and the GGUF llama,
//! [`crate::llm`]): the settings ([`GenerationConfig`], checked before any
//! sampling), what a generated path is ([`GeneratedPath`]), and the token
//! draw with temperature and top-p ([`token_draw`]).

pub mod token_draw;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// How to sample.
///
/// | name | LLM default | tiny default | purpose | range |
/// |---|---|---|---|---|
/// | `temperature` | 1 | 1 | softmax temperature | > 0, finite |
/// | `top_p` | 0.95 | 1 | nucleus mass | (0, 1] |
/// | `max_new_tokens` | 256 | 16 | longest path (stop token included) | ≥ 1 |
/// | `batch` | 64 | 512 | paths decoded together | ≥ 1 |
/// | `ignore_eos` | false | false | keep generating after stop tokens (vLLM's `ignore_eos`; throughput runs) | |
/// | `top_logprobs` | 20 | 0 | top log-probabilities recorded per token, with `KL(U ‖ p_t)` when > 0 ([`crate::confidence`]) | ≥ 0 |
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GenerationConfig {
    /// Softmax temperature.
    pub temperature: f64,
    /// Nucleus mass.
    pub top_p: f64,
    /// Longest generation (tokens).
    pub max_new_tokens: usize,
    /// Paths decoded together.
    pub batch: usize,
    /// Keep generating after stop tokens: every path gets exactly
    /// `max_new_tokens` tokens.
    pub ignore_eos: bool,
    /// Top log-probabilities recorded per token (DeepConf's signal), and
    /// self-certainty's `KL(U ‖ p_t)` per token when `> 0`.
    #[serde(default)]
    pub top_logprobs: usize,
}

/// A setting out of range.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum GenerationError {
    /// Temperature not positive and finite.
    #[error("temperature {0} must be positive and finite")]
    Temperature(f64),
    /// `top_p` outside `(0, 1]`.
    #[error("top_p {0} must be in (0, 1]")]
    TopP(f64),
    /// Zero tokens or a zero batch.
    #[error("{0} must be at least 1")]
    Zero(&'static str),
}

impl GenerationConfig {
    /// The LLM sampler's defaults (as vLLM's common settings).
    pub fn llm() -> Self {
        Self { temperature: 1.0, top_p: 0.95, max_new_tokens: 256, batch: 64, ignore_eos: false, top_logprobs: crate::confidence::DEEPCONF_TOP_K }
    }

    /// The tiny transformer's defaults: its untruncated distribution, paths
    /// of at most 16 tokens, large batches.
    pub fn tiny() -> Self {
        Self { temperature: 1.0, top_p: 1.0, max_new_tokens: 16, batch: 512, ignore_eos: false, top_logprobs: 0 }
    }

    /// Checks the ranges in the table above.
    pub fn check(self) -> Result<Self, GenerationError> {
        if !(self.temperature > 0.0 && self.temperature.is_finite()) {
            return Err(GenerationError::Temperature(self.temperature));
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return Err(GenerationError::TopP(self.top_p));
        }
        if self.max_new_tokens == 0 {
            return Err(GenerationError::Zero("max_new_tokens"));
        }
        if self.batch == 0 {
            return Err(GenerationError::Zero("batch"));
        }
        Ok(self)
    }
}

/// One generated path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GeneratedPath {
    /// Generated token ids (the stop token included when produced).
    pub tokens: Vec<u32>,
    /// The model's own (untempered, untruncated) `ln p(x_t | x_<t)` per token.
    pub logprobs: Vec<f64>,
    /// Readable text.
    pub text: String,
    /// Extracted answer ([`crate::extract`]), if any.
    pub answer: Option<String>,
    /// Whether generation stopped on a stop token (not the length limit).
    pub finished: bool,
    /// Per token, the top log-probabilities in decreasing order
    /// ([`GenerationConfig::top_logprobs`] of them; empty when not recorded).
    pub top_logprobs: Vec<Vec<f64>>,
    /// Per token, `KL(U ‖ p_t)` over the whole vocabulary (empty when not
    /// recorded).
    pub uniform_kl: Vec<f64>,
    /// P(True): the model's probability of "1" when asked to rate its answer
    /// 0 or 1 (`crate::llm::p_true`), when computed.
    pub p_true: Option<f64>,
}

impl GeneratedPath {
    /// `Σ_t ln p(x_t | x_<t)`: the path's log sequence probability.
    pub fn logprob_sum(&self) -> f64 {
        self.logprobs.iter().sum()
    }

    /// Self-certainty (Kang et al., 2025): the mean over tokens of
    /// `KL(U ‖ p_t)`, when recorded.
    pub fn self_certainty(&self) -> Option<f64> {
        (!self.uniform_kl.is_empty()).then(|| self.uniform_kl.iter().sum::<f64>() / self.uniform_kl.len() as f64)
    }

    /// DeepConf's token confidences `C_t` from the recorded top
    /// log-probabilities, when recorded.
    pub fn token_confidences(&self) -> Option<Vec<f64>> {
        (!self.top_logprobs.is_empty()).then(|| self.top_logprobs.iter().map(|t| crate::confidence::token_confidence(t)).collect())
    }

    /// The answer, or [`crate::extract::INVALID`].
    pub fn answer_or_invalid(&self) -> &str {
        self.answer.as_deref().unwrap_or(crate::extract::INVALID)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked() {
        assert!(GenerationConfig::llm().check().is_ok() && GenerationConfig::tiny().check().is_ok());
        let bad = |c: GenerationConfig| c.check().unwrap_err();
        assert_eq!(bad(GenerationConfig { temperature: 0.0, ..GenerationConfig::llm() }), GenerationError::Temperature(0.0));
        assert_eq!(bad(GenerationConfig { top_p: 1.5, ..GenerationConfig::llm() }), GenerationError::TopP(1.5));
        assert_eq!(bad(GenerationConfig { batch: 0, ..GenerationConfig::tiny() }), GenerationError::Zero("batch"));
        assert!(GenerationConfig { temperature: f64::NAN, ..GenerationConfig::llm() }.check().is_err());
    }
}
