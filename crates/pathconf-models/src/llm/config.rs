//! A llama-architecture model's shape, read from GGUF metadata
//! (`llama.*` keys, as written by llama.cpp's converter).

use super::error::GgufError;
use candle_core::quantized::gguf_file::{Content, Value};
use serde::Serialize;

/// Shape and constants of a llama model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LlamaConfig {
    /// Transformer blocks.
    pub n_layers: usize,
    /// Model width.
    pub d_model: usize,
    /// Query heads.
    pub n_heads: usize,
    /// Key/value heads (grouped-query attention when fewer than `n_heads`).
    pub n_kv_heads: usize,
    /// Hidden width of the SwiGLU MLP.
    pub d_ff: usize,
    /// Vocabulary size.
    pub vocab: usize,
    /// RMSNorm ε.
    pub rms_eps: f64,
    /// RoPE base frequency θ.
    pub rope_theta: f64,
    /// Dimensions per head that RoPE rotates.
    pub rope_dim: usize,
    /// Trained context length.
    pub context: usize,
}

impl LlamaConfig {
    /// Width of one head.
    pub fn head_dim(&self) -> usize {
        self.d_model / self.n_heads
    }

    /// Reads the `llama.*` metadata; `arch` must be `llama`.
    pub fn from_gguf(ct: &Content) -> Result<Self, GgufError> {
        let arch = ct.metadata.get("general.architecture").and_then(|v| v.to_string().ok()).cloned().unwrap_or_default();
        if arch != "llama" {
            return Err(GgufError::Unsupported { key: "general.architecture", found: arch, supported: "the llama architecture" });
        }
        let get = |k: &str| ct.metadata.get(k).ok_or_else(|| GgufError::MissingKey { key: k.into() });
        let not = |k: &str, expected| GgufError::BadValue { key: k.into(), expected };
        let int = |k: &str| -> Result<usize, GgufError> { value_usize(get(k)?).ok_or_else(|| not(k, "an integer")) };
        let float = |k: &str, default: f64| -> Result<f64, GgufError> {
            match ct.metadata.get(k) {
                None => Ok(default),
                Some(v) => v.to_f32().map(f64::from).or_else(|_| v.to_f64()).map_err(|_| not(k, "a number")),
            }
        };
        let n_heads = int("llama.attention.head_count")?;
        let d_model = int("llama.embedding_length")?;
        let vocab = match ct.metadata.get("llama.vocab_size") {
            Some(v) => value_usize(v).ok_or_else(|| not("llama.vocab_size", "an integer"))?,
            None => ct
                .metadata
                .get("tokenizer.ggml.tokens")
                .and_then(|v| v.to_vec().ok())
                .map(Vec::len)
                .ok_or_else(|| GgufError::MissingKey { key: "llama.vocab_size (or tokenizer.ggml.tokens)".into() })?,
        };
        Ok(Self {
            n_layers: int("llama.block_count")?,
            d_model,
            n_heads,
            n_kv_heads: int("llama.attention.head_count_kv").unwrap_or(n_heads),
            d_ff: int("llama.feed_forward_length")?,
            vocab,
            rms_eps: float("llama.attention.layer_norm_rms_epsilon", 1e-5)?,
            rope_theta: float("llama.rope.freq_base", 10_000.0)?,
            rope_dim: int("llama.rope.dimension_count").unwrap_or(d_model / n_heads),
            context: int("llama.context_length").unwrap_or(2048),
        })
    }
}

fn value_usize(v: &Value) -> Option<usize> {
    v.to_u32().map(|x| x as usize).or_else(|_| v.to_u64().map(|x| x as usize)).or_else(|_| v.to_i32().map(|x| x as usize)).ok()
}
