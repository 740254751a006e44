//! Multi-head causal self-attention, for training (inference:
//! [`super::portable`]).
//!
//! `softmax(Q Kᵀ / √d_h + M) V` per head, where `M[i, j] = −∞` when key `j`
//! lies after query `i`.

use candle_core::{Device, Result, Tensor};
use candle_nn::{Linear, Module, VarBuilder};

/// Fused QKV projection, heads, output projection.
#[derive(Debug, Clone)]
pub struct Attention {
    qkv: Linear,
    out: Linear,
    n_heads: usize,
    head_dim: usize,
}

/// The additive causal mask `[t, t]`.
pub fn causal_mask(t: usize, device: &Device) -> Result<Tensor> {
    let mask: Vec<f32> = (0..t).flat_map(|i| (0..t).map(move |j| if j > i { f32::NEG_INFINITY } else { 0.0 })).collect();
    Tensor::from_vec(mask, (t, t), device)
}

impl Attention {
    /// Creates (or loads) `qkv` `[3d, d]` and `out` `[d, d]` with biases.
    pub fn new(d: usize, n_heads: usize, vb: VarBuilder) -> Result<Self> {
        Ok(Self { qkv: candle_nn::linear(d, 3 * d, vb.pp("qkv"))?, out: candle_nn::linear(d, d, vb.pp("out"))?, n_heads, head_dim: d / n_heads })
    }

    /// `x` `[b, t, d]` at positions `0..t`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (b, t, _) = x.dims3()?;
        let (q, k, v) = self.heads(&self.qkv.forward(x)?, b, t)?;
        self.out.forward(&self.attend(&q, &k, &v)?)
    }

    /// The fused projection `[b, t, 3d]` split into queries, keys and
    /// values `[b, heads, t, d_h]`.
    fn heads(&self, qkv: &Tensor, b: usize, t: usize) -> Result<(Tensor, Tensor, Tensor)> {
        let qkv = qkv.reshape((b, t, 3, self.n_heads, self.head_dim))?.permute((2, 0, 3, 1, 4))?;
        Ok((qkv.get(0)?.contiguous()?, qkv.get(1)?.contiguous()?, qkv.get(2)?.contiguous()?))
    }

    /// Causal attention of `q` over `k`, `v` (all `[b, heads, t, d_h]`):
    /// `[b, t, heads · d_h]`.
    fn attend(&self, q: &Tensor, k: &Tensor, v: &Tensor) -> Result<Tensor> {
        let (b, _, t, _) = q.dims4()?;
        let scale = 1.0 / (self.head_dim as f64).sqrt();
        let scores = (q.matmul(&k.t()?)? * scale)?;
        let scores = scores.broadcast_add(&causal_mask(t, q.device())?)?;
        let weights = candle_nn::ops::softmax(&scores, candle_core::D::Minus1)?;
        weights.matmul(v)?.transpose(1, 2)?.reshape((b, t, self.n_heads * self.head_dim))
    }
}
