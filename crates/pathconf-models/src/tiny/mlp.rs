//! The position-wise feed-forward layer `W₂ GELU(W₁ h + b₁) + b₂`.

use candle_core::{Result, Tensor};
use candle_nn::{Linear, Module, VarBuilder};

/// Two linear maps with a GELU between.
#[derive(Debug, Clone)]
pub struct Mlp {
    up: Linear,
    down: Linear,
}

impl Mlp {
    /// Creates (or loads) `up` `[d_ff, d]` and `down` `[d, d_ff]` with biases.
    pub fn new(d: usize, d_ff: usize, vb: VarBuilder) -> Result<Self> {
        Ok(Self { up: candle_nn::linear(d, d_ff, vb.pp("up"))?, down: candle_nn::linear(d_ff, d, vb.pp("down"))? })
    }

    /// `[b, t, d]` → `[b, t, d]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.down.forward(&self.up.forward(x)?.gelu_erf()?)
    }
}
