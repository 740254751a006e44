//! Token plus learned absolute position embeddings: `h₀ = E[x_t] + P[t]`.

use candle_core::{Result, Tensor};
use candle_nn::{Embedding, Module, VarBuilder};

/// Token and position tables.
#[derive(Debug, Clone)]
pub struct Embeddings {
    tokens: Embedding,
    positions: Embedding,
}

impl Embeddings {
    /// Creates (or loads) `tok.weight` `[vocab, d]` and `pos.weight` `[max_len, d]`.
    pub fn new(vocab: usize, max_len: usize, d: usize, vb: VarBuilder) -> Result<Self> {
        Ok(Self { tokens: candle_nn::embedding(vocab, d, vb.pp("tok"))?, positions: candle_nn::embedding(max_len, d, vb.pp("pos"))? })
    }

    /// `ids` `[b, t]` (u32) at positions `0..t` → `[b, t, d]`.
    pub fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        let t = ids.dim(1)?;
        let pos = Tensor::arange(0u32, t as u32, ids.device())?;
        self.tokens.forward(ids)?.broadcast_add(&self.positions.forward(&pos)?)
    }
}
