//! One pre-norm transformer block: `h ← h + Attn(LN₁ h)`, `h ← h + MLP(LN₂ h)`.

use super::attention::Attention;
use super::mlp::Mlp;
use super::norm::LayerNorm;
use candle_core::{Result, Tensor};
use candle_nn::VarBuilder;

/// Attention and MLP sublayers with their layer norms.
#[derive(Debug, Clone)]
pub struct Block {
    ln1: LayerNorm,
    attn: Attention,
    ln2: LayerNorm,
    mlp: Mlp,
}

impl Block {
    /// Creates (or loads) the block's parameters under `vb`.
    pub fn new(d: usize, n_heads: usize, d_ff: usize, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            ln1: LayerNorm::new(d, 1e-5, vb.pp("ln1"))?,
            attn: Attention::new(d, n_heads, vb.pp("attn"))?,
            ln2: LayerNorm::new(d, 1e-5, vb.pp("ln2"))?,
            mlp: Mlp::new(d, d_ff, vb.pp("mlp"))?,
        })
    }

    /// `[b, t, d]` → `[b, t, d]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let x = (x + self.attn.forward(&self.ln1.forward(x)?)?)?;
        &x + self.mlp.forward(&self.ln2.forward(&x)?)?
    }
}
