//! Layer normalisation `γ ⊙ (h − μ) / √(σ² + ε) + β` over the last
//! dimension, written with candle's differentiable tensor ops.
//!
//! candle-nn's `LayerNorm` takes a fused kernel for contiguous inputs that
//! has no backward pass (`apply_op3_no_bwd`): gradients silently stop there
//! and everything below the first norm never trains. This module keeps the
//! same parameters (`weight`, `bias`) but always takes the differentiable
//! path.

use candle_core::{Result, Tensor, D};
use candle_nn::{Init, VarBuilder};

/// Affine layer norm.
#[derive(Debug, Clone)]
pub struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
    eps: f64,
}

impl LayerNorm {
    /// Creates (or loads) `weight` (init 1) and `bias` (init 0) of size `d`.
    pub fn new(d: usize, eps: f64, vb: VarBuilder) -> Result<Self> {
        Ok(Self { weight: vb.get_with_hints(d, "weight", Init::Const(1.0))?, bias: vb.get_with_hints(d, "bias", Init::Const(0.0))?, eps })
    }

    /// Normalises `[…, d]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let d = x.dim(D::Minus1)? as f64;
        let centred = x.broadcast_sub(&(x.sum_keepdim(D::Minus1)? / d)?)?;
        let var = (centred.sqr()?.sum_keepdim(D::Minus1)? / d)?;
        centred.broadcast_div(&(var + self.eps)?.sqrt()?)?.broadcast_mul(&self.weight)?.broadcast_add(&self.bias)
    }
}
