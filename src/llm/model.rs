//! pathconf's own llama forward pass over dequantised GGUF weights: batched,
//! with a key/value cache whose prompt prefix is computed once per question
//! and shared by all its paths.
//!
//! Per block (pre-norm): `h += W_o Attn(RoPE(W_q x), RoPE(W_k x), W_v x)` with
//! `x = RMSNorm(h)`, grouped-query attention (each of the `n_kv_heads`
//! key/value heads serves `n_heads / n_kv_heads` query heads), causal mask;
//! then `h += W_down (SiLU(W_gate x) ⊙ W_up x)` with `x = RMSNorm(h)`.
//! Logits `W_out RMSNorm(h)`, where `W_out` is the token embedding when the
//! file has no `output.weight` (tied embeddings). GGUF stores `W_q`, `W_k`
//! permuted for the interleaved RoPE convention, so RoPE rotates adjacent
//! pairs (`rope_i`).
//!
//! candle-transformers' `quantized_llama` returns only the last position's
//! logits and supports batch 1 only; sampling 64 paths per question needs a
//! batch and a shared prefill, hence this module.

use super::config::LlamaConfig;
use candle_core::quantized::gguf_file::Content;
use candle_core::{DType, Device, Result, Tensor};
use std::path::Path;

struct Layer {
    attn_norm: Tensor,
    wq: Tensor,
    wk: Tensor,
    wv: Tensor,
    wo: Tensor,
    ffn_norm: Tensor,
    gate: Tensor,
    up: Tensor,
    down: Tensor,
}

/// Keys and values per layer in preallocated buffers
/// `[b, n_kv_heads, capacity, head_dim]`, filled up to `len` (appending
/// writes in place: no copy of the whole cache per token).
#[derive(Clone)]
pub struct LlamaCache {
    kv: Vec<(Tensor, Tensor)>,
    len: usize,
}

impl LlamaCache {
    /// Cached positions.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Positions the buffers hold.
    pub fn capacity(&self) -> usize {
        self.kv.first().map_or(0, |(k, _)| k.dim(2).unwrap_or(0))
    }

    /// The rows `idx` (u32) of the batch.
    pub fn select(&self, idx: &Tensor) -> Result<Self> {
        let kv = self.kv.iter().map(|(k, v)| Ok((k.index_select(idx, 0)?, v.index_select(idx, 0)?))).collect::<Result<Vec<_>>>()?;
        Ok(Self { kv, len: self.len })
    }

    /// The cache of a batch-1 prefill copied `b` times (one per path).
    pub fn expand(&self, b: usize) -> Result<Self> {
        let kv = self.kv.iter().map(|(k, v)| Ok((k.repeat((b, 1, 1, 1))?, v.repeat((b, 1, 1, 1))?))).collect::<Result<Vec<_>>>()?;
        Ok(Self { kv, len: self.len })
    }
}

/// A llama model with f32 weights.
pub struct Llama {
    /// Shape.
    pub config: LlamaConfig,
    embed: Tensor,
    output: Tensor,
    norm: Tensor,
    layers: Vec<Layer>,
    cos: Tensor,
    sin: Tensor,
    device: Device,
}

/// `x [.., in] · Wᵀ` with `W [out, in]` as stored (gemm on the transposed
/// view is 1.4–2.4× faster here than on a contiguous `Wᵀ`; measured).
fn linear(x: &Tensor, w: &Tensor) -> Result<Tensor> {
    let dims = x.dims().to_vec();
    let inner = *dims.last().expect("rank ≥ 1");
    let rows = x.elem_count() / inner;
    let y = x.reshape((rows, inner))?.matmul(&w.t()?)?;
    let mut out = dims;
    *out.last_mut().expect("rank ≥ 1") = w.dim(0)?;
    y.reshape(out)
}

impl Llama {
    /// Reads a llama-architecture GGUF file and dequantises every weight to f32.
    pub fn from_gguf(ct: &Content, file: &mut std::fs::File, path: &Path) -> anyhow::Result<Self> {
        let config = LlamaConfig::from_gguf(ct).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let device = Device::Cpu;
        let mut get = |name: &str| -> anyhow::Result<Tensor> {
            ct.tensor(file, name, &device)
                .and_then(|q| q.dequantize(&device))
                .map_err(|e| anyhow::anyhow!("{}: tensor {name}: {e}", path.display()))
        };
        let embed = get("token_embd.weight")?;
        let output = if ct.tensor_infos.contains_key("output.weight") { get("output.weight")? } else { embed.clone() };
        let norm = get("output_norm.weight")?;
        let mut layers = Vec::with_capacity(config.n_layers);
        for i in 0..config.n_layers {
            let p = |s: &str| format!("blk.{i}.{s}.weight");
            let mut wt = |s: &str| get(&p(s));
            layers.push(Layer {
                wq: wt("attn_q")?,
                wk: wt("attn_k")?,
                wv: wt("attn_v")?,
                wo: wt("attn_output")?,
                gate: wt("ffn_gate")?,
                up: wt("ffn_up")?,
                down: wt("ffn_down")?,
                attn_norm: get(&p("attn_norm"))?,
                ffn_norm: get(&p("ffn_norm"))?,
            });
        }
        let (cos, sin) = rope_tables(&config, config.context.min(8192), &device)?;
        Ok(Self { config, embed, output, norm, layers, cos, sin, device })
    }

    /// Opens and loads `path`.
    pub fn load(path: &Path) -> anyhow::Result<(Self, Content)> {
        let mut file = std::fs::File::open(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let ct = Content::read(&mut file).map_err(|e| anyhow::anyhow!("{}: not a GGUF file: {e}", path.display()))?;
        let model = Self::from_gguf(&ct, &mut file, path)?;
        Ok((model, ct))
    }

    /// An empty cache for batch `b` holding up to `capacity` positions.
    pub fn new_cache(&self, b: usize, capacity: usize) -> Result<LlamaCache> {
        let c = &self.config;
        let shape = (b, c.n_kv_heads, capacity, c.head_dim());
        let kv = (0..c.n_layers)
            .map(|_| Ok((Tensor::zeros(shape, DType::F32, &self.device)?, Tensor::zeros(shape, DType::F32, &self.device)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(LlamaCache { kv, len: 0 })
    }

    /// The device (CPU).
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Logits of the last position, `[b, vocab]`, for ids `[b, t]` that
    /// continue the cached positions; extends the cache.
    pub fn forward(&self, ids: &Tensor, cache: &mut LlamaCache) -> Result<Tensor> {
        let (b, t) = ids.dims2()?;
        let offset = cache.len();
        let c = &self.config;
        let (hd, nh, nkv) = (c.head_dim(), c.n_heads, c.n_kv_heads);
        let eps = c.rms_eps as f32;
        let cos = self.cos.narrow(0, offset, t)?;
        let sin = self.sin.narrow(0, offset, t)?;
        let mask = if t > 1 { Some(crate::tiny::attention::causal_mask(t, offset, &self.device)?) } else { None };
        if offset + t > cache.capacity() || offset + t > self.cos.dim(0)? {
            candle_core::bail!("{} positions exceed the cache capacity {} or the RoPE table", offset + t, cache.capacity());
        }
        let rep = nh / nkv;
        // Query heads grouped by their key/value head: q `[b, nkv, rep·t, hd]`
        // (head i uses kv head i / rep), so K and V are never copied per head.
        let mask = match &mask {
            Some(m) if rep > 1 => Some(m.repeat((rep, 1))?),
            other => other.clone(),
        };
        let total = offset + t;
        let mut h = self.embed.index_select(&ids.flatten_all()?, 0)?.reshape((b, t, c.d_model))?;
        for (layer, (kbuf, vbuf)) in self.layers.iter().zip(cache.kv.iter()) {
            let x = candle_nn::ops::rms_norm(&h, &layer.attn_norm, eps)?;
            let q = linear(&x, &layer.wq)?.reshape((b, t, nh, hd))?.transpose(1, 2)?.contiguous()?;
            let k = linear(&x, &layer.wk)?.reshape((b, t, nkv, hd))?.transpose(1, 2)?.contiguous()?;
            let v = linear(&x, &layer.wv)?.reshape((b, t, nkv, hd))?.transpose(1, 2)?.contiguous()?;
            let q = candle_nn::rotary_emb::rope_i(&q, &cos, &sin)?;
            let k = candle_nn::rotary_emb::rope_i(&k, &cos, &sin)?;
            kbuf.slice_set(&k, 2, offset)?;
            vbuf.slice_set(&v, 2, offset)?;
            let y = if t == 1 {
                // One new token per path: the raw-buffer kernel (no per-head
                // matrix products, no copy of the cache).
                super::attention::decode_attention(&q, kbuf, vbuf, total)?
            } else {
                let k = kbuf.narrow(2, 0, total)?;
                let v = vbuf.narrow(2, 0, total)?;
                let q = q.reshape((b, nkv, rep * t, hd))?;
                let mut scores = (q.matmul(&k.t()?)? / (hd as f64).sqrt())?;
                if let Some(m) = &mask {
                    scores = scores.broadcast_add(m)?;
                }
                let w = candle_nn::ops::softmax_last_dim(&scores)?;
                w.matmul(&v)?.reshape((b, nh, t, hd))?.transpose(1, 2)?.reshape((b, t, c.d_model))?
            };
            h = (h + linear(&y, &layer.wo)?)?;
            let x = candle_nn::ops::rms_norm(&h, &layer.ffn_norm, eps)?;
            let g = candle_nn::ops::silu(&linear(&x, &layer.gate)?)?;
            let u = linear(&x, &layer.up)?;
            h = (h + linear(&(g * u)?, &layer.down)?)?;
        }
        cache.len = total;
        let last = h.narrow(1, t - 1, 1)?.squeeze(1)?;
        let x = candle_nn::ops::rms_norm(&last, &self.norm, eps)?;
        linear(&x, &self.output)
    }
}

/// `cos`, `sin` tables `[positions, rope_dim / 2]` for frequencies
/// `θ^(−2i / rope_dim)`.
fn rope_tables(c: &LlamaConfig, positions: usize, device: &Device) -> Result<(Tensor, Tensor)> {
    let half = c.rope_dim / 2;
    let inv: Vec<f32> = (0..half).map(|i| 1.0 / (c.rope_theta as f32).powf(2.0 * i as f32 / c.rope_dim as f32)).collect();
    let inv = Tensor::from_vec(inv, (1, half), device)?;
    let pos = Tensor::arange(0u32, positions as u32, device)?.to_dtype(DType::F32)?.reshape((positions, 1))?;
    let freqs = pos.broadcast_mul(&inv)?;
    Ok((freqs.cos()?, freqs.sin()?))
}
