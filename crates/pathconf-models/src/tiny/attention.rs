//! Multi-head causal self-attention with an optional key/value cache.
//!
//! `softmax(Q Kᵀ / √d_h + M) V` per head, where `M[i, j] = −∞` when key `j`
//! lies after query `i` (positions counted from the start of the sequence, so
//! a query at offset `o + i` sees keys `0..=o + i`).

use candle_core::{Device, Result, Tensor};
use candle_nn::{Linear, Module, VarBuilder};

/// The keys and values of earlier positions, `[b, heads, t, d_h]` each.
#[derive(Debug, Clone, Default)]
pub struct LayerCache {
    kv: Option<(Tensor, Tensor)>,
}

impl LayerCache {
    /// Number of cached positions.
    pub fn len(&self) -> usize {
        self.kv.as_ref().map_or(0, |(k, _)| k.dim(2).unwrap_or(0))
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Fused QKV projection, heads, output projection.
#[derive(Debug, Clone)]
pub struct Attention {
    qkv: Linear,
    out: Linear,
    n_heads: usize,
    head_dim: usize,
}

/// The additive causal mask `[t, offset + t]` for `t` new queries.
pub fn causal_mask(t: usize, offset: usize, device: &Device) -> Result<Tensor> {
    let total = offset + t;
    let mask: Vec<f32> = (0..t).flat_map(|i| (0..total).map(move |j| if j > offset + i { f32::NEG_INFINITY } else { 0.0 })).collect();
    Tensor::from_vec(mask, (t, total), device)
}

impl Attention {
    /// Creates (or loads) `qkv` `[3d, d]` and `out` `[d, d]` with biases.
    pub fn new(d: usize, n_heads: usize, vb: VarBuilder) -> Result<Self> {
        Ok(Self { qkv: candle_nn::linear(d, 3 * d, vb.pp("qkv"))?, out: candle_nn::linear(d, d, vb.pp("out"))?, n_heads, head_dim: d / n_heads })
    }

    /// One new position for each of `x`'s rows `[m, 1, d]`, row `r`
    /// attending over `caches[r]` (extended). Projections row by row ([`crate::rows::linear`]); each row's
    /// attention alone, as a batch-1 decoding step computes it.
    pub fn step(&self, x: &Tensor, caches: &mut [&mut LayerCache]) -> Result<Tensor> {
        let (m, t, _) = x.dims3()?;
        assert_eq!(t, 1, "one new position per row");
        if caches.len() != m {
            candle_core::bail!("{m} rows for {} caches", caches.len());
        }
        let (q, k, v) = self.heads(&crate::rows::linear(x, &self.qkv)?, m, 1)?;
        let rows = caches
            .iter_mut()
            .enumerate()
            .map(|(r, cache)| self.attend(&q.narrow(0, r, 1)?.contiguous()?, k.narrow(0, r, 1)?.contiguous()?, v.narrow(0, r, 1)?.contiguous()?, Some(cache)))
            .collect::<Result<Vec<_>>>()?;
        crate::rows::linear(&Tensor::cat(&rows, 0)?, &self.out)
    }

    /// `x` `[b, t, d]` at positions `offset..offset + t`, where `offset` is the
    /// cache length (0 without a cache). Appends this call's keys and values to
    /// `cache` when given.
    pub fn forward(&self, x: &Tensor, cache: Option<&mut LayerCache>) -> Result<Tensor> {
        let (b, t, _) = x.dims3()?;
        let (q, k, v) = self.heads(&self.qkv.forward(x)?, b, t)?;
        self.out.forward(&self.attend(&q, k, v, cache)?)
    }

    /// The fused projection `[b, t, 3d]` split into queries, keys and
    /// values `[b, heads, t, d_h]`.
    fn heads(&self, qkv: &Tensor, b: usize, t: usize) -> Result<(Tensor, Tensor, Tensor)> {
        let qkv = qkv.reshape((b, t, 3, self.n_heads, self.head_dim))?.permute((2, 0, 3, 1, 4))?;
        Ok((qkv.get(0)?.contiguous()?, qkv.get(1)?.contiguous()?, qkv.get(2)?.contiguous()?))
    }

    /// Causal attention of `q` over the cached keys and values followed by
    /// `k`, `v` (all `[b, heads, t, d_h]`), appending `k`, `v` to `cache`
    /// when given: `[b, t, heads · d_h]`.
    fn attend(&self, q: &Tensor, mut k: Tensor, mut v: Tensor, cache: Option<&mut LayerCache>) -> Result<Tensor> {
        let (b, _, t, _) = q.dims4()?;
        let mut offset = 0;
        if let Some(cache) = cache {
            if let Some((pk, pv)) = &cache.kv {
                offset = pk.dim(2)?;
                k = Tensor::cat(&[pk, &k], 2)?;
                v = Tensor::cat(&[pv, &v], 2)?;
            }
            cache.kv = Some((k.clone(), v.clone()));
        }
        let scale = 1.0 / (self.head_dim as f64).sqrt();
        let scores = (q.matmul(&k.t()?)? * scale)?;
        let scores = scores.broadcast_add(&causal_mask(t, offset, q.device())?)?;
        let weights = candle_nn::ops::softmax(&scores, candle_core::D::Minus1)?;
        weights.matmul(&v)?.transpose(1, 2)?.reshape((b, t, self.n_heads * self.head_dim))
    }
}
