//! The model's shape and how it was trained, stored as `config.json` next to
//! the weights.

use serde::{Deserialize, Serialize};

/// Shape of the decoder-only transformer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ModelConfig {
    /// Vocabulary size.
    pub vocab: usize,
    /// Model width `d`.
    pub d_model: usize,
    /// Attention heads (`d_model` must be divisible by it).
    pub n_heads: usize,
    /// Transformer blocks.
    pub n_layers: usize,
    /// Hidden width of each MLP.
    pub d_ff: usize,
    /// Longest sequence (learned positions).
    pub max_len: usize,
}

impl Default for ModelConfig {
    fn default() -> Self {
        Self { vocab: super::task::VOCAB, d_model: 64, n_heads: 4, n_layers: 2, d_ff: 128, max_len: 32 }
    }
}

impl ModelConfig {
    /// Width of one head.
    pub fn head_dim(&self) -> usize {
        self.d_model / self.n_heads
    }
}
