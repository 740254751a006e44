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

    /// Embeddings `[m, 1, d]` of one token per row, row `r` at position
    /// `positions[r]`.
    pub fn forward_at(&self, ids: &Tensor, positions: &[u32]) -> Result<Tensor> {
        let (m, _) = ids.dims2()?;
        let pos = Tensor::from_vec(positions.to_vec(), m, ids.device())?;
        self.tokens.forward(ids)? + self.positions.forward(&pos)?.unsqueeze(1)?
    }

    /// `ids` `[b, t]` (u32) at positions `offset..offset + t` → `[b, t, d]`.
    pub fn forward(&self, ids: &Tensor, offset: usize) -> Result<Tensor> {
        let t = ids.dim(1)?;
        let pos = Tensor::arange(offset as u32, (offset + t) as u32, ids.device())?;
        self.tokens.forward(ids)?.broadcast_add(&self.positions.forward(&pos)?)
    }
}
