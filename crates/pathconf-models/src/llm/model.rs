//! pathconf's own llama forward pass over GGUF weights (quantized or
//! dequantized, [`super::weights`]): batched,
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
use super::error::LlmError;
use super::weights::{Kernels, Matrix};
use candle_core::quantized::gguf_file::Content;
use candle_core::{DType, Device, Result, Tensor};
use std::path::Path;

struct Layer {
    attn_norm: Tensor,
    /// `[W_q; W_k; W_v]` stacked: one matrix product per layer and step.
    wqkv: Matrix,
    wo: Matrix,
    ffn_norm: Tensor,
    /// `[W_gate; W_up]` stacked.
    gate_up: Matrix,
    down: Matrix,
}

/// The key/value cache of a [`Llama`].
pub type LlamaCache = super::attention::KvCache;

/// A llama model.
pub struct Llama {
    /// Shape.
    pub config: LlamaConfig,
    /// Token embeddings `[vocab, d]` (row lookups).
    embed: Tensor,
    output: Matrix,
    norm: Tensor,
    layers: Vec<Layer>,
    cos: Tensor,
    sin: Tensor,
    device: Device,
}

impl Llama {
    /// Reads a llama-architecture GGUF file; `kernels` chooses how its
    /// matrices are held and multiplied.
    pub fn from_gguf(ct: &Content, file: &mut std::fs::File, path: &Path, kernels: Kernels) -> std::result::Result<Self, LlmError> {
        let config = LlamaConfig::from_gguf(ct).map_err(|source| LlmError::Metadata { path: path.to_path_buf(), source })?;
        let device = Device::Cpu;
        let get = |file: &mut std::fs::File, name: &str| -> std::result::Result<Tensor, LlmError> {
            ct.tensor(file, name, &device).and_then(|q| q.dequantize(&device)).map_err(|source| LlmError::Tensor {
                path: path.to_path_buf(),
                name: name.into(),
                source: Box::new(source),
            })
        };
        let embed = get(file, "token_embd.weight")?;
        let head = if ct.tensor_infos.contains_key("output.weight") { "output.weight" } else { "token_embd.weight" };
        let output = Matrix::load(ct, file, &[head.to_string()], kernels, path)?;
        let norm = get(file, "output_norm.weight")?;
        let mut layers = Vec::with_capacity(config.n_layers);
        for i in 0..config.n_layers {
            let p = |s: &str| format!("blk.{i}.{s}.weight");
            let matrix = |file: &mut std::fs::File, names: &[&str]| Matrix::load(ct, file, &names.iter().map(|s| p(s)).collect::<Vec<_>>(), kernels, path);
            layers.push(Layer {
                wqkv: matrix(file, &["attn_q", "attn_k", "attn_v"])?,
                wo: matrix(file, &["attn_output"])?,
                gate_up: matrix(file, &["ffn_gate", "ffn_up"])?,
                down: matrix(file, &["ffn_down"])?,
                attn_norm: get(file, &p("attn_norm"))?,
                ffn_norm: get(file, &p("ffn_norm"))?,
            });
        }
        let (cos, sin) = rope_tables(&config, config.context.min(8192), &device)?;
        Ok(Self { config, embed, output, norm, layers, cos, sin, device })
    }

    /// Opens and loads `path` with the given kernels.
    pub fn load(path: &Path, kernels: Kernels) -> std::result::Result<(Self, Content), LlmError> {
        let mut file = std::fs::File::open(path).map_err(|source| LlmError::Io { path: path.to_path_buf(), source })?;
        let ct = Content::read(&mut file).map_err(|source| LlmError::NotGguf { path: path.to_path_buf(), source: Box::new(source) })?;
        let model = Self::from_gguf(&ct, &mut file, path, kernels)?;
        Ok((model, ct))
    }

    /// Bytes the weight matrices occupy in memory (the embedding table,
    /// kept in f32 for row lookups, not included).
    pub fn matrix_bytes(&self) -> usize {
        self.output.bytes() + self.layers.iter().map(|l| l.wqkv.bytes() + l.wo.bytes() + l.gate_up.bytes() + l.down.bytes()).sum::<usize>()
    }

    /// An empty cache for batch `b` holding up to `capacity` positions.
    pub fn new_cache(&self, b: usize, capacity: usize) -> Result<LlamaCache> {
        let c = &self.config;
        Ok(LlamaCache::new(c.n_layers, b, c.n_kv_heads, capacity, c.head_dim()))
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
        if offset + t > cache.capacity() || offset + t > self.cos.dim(0)? {
            candle_core::bail!("{} positions exceed the cache capacity {} or the RoPE table", offset + t, cache.capacity());
        }
        if b != cache.batch() {
            candle_core::bail!("batch {b} but the cache holds {} paths", cache.batch());
        }
        let cos = self.cos.narrow(0, offset, t)?;
        let sin = self.sin.narrow(0, offset, t)?;
        let logits = self.blocks(ids, |layer, q, k, v| {
            let q = candle_nn::rotary_emb::rope_i(q, &cos, &sin)?;
            let k = candle_nn::rotary_emb::rope_i(k, &cos, &sin)?;
            cache.attend(layer, &q, &k, v)
        })?;
        cache.advance(t);
        Ok(logits)
    }

    /// One decoding step of `b` independent sequences: `ids [b]`, the next
    /// token of each, where sequence `r` continues `caches[r]` (batch 1, any
    /// length: the sequences need not be aligned). Logits `[b, vocab]`;
    /// extends every cache by one position.
    ///
    /// Row `r` is bit for bit what [`Self::forward`] gives for that sequence
    /// alone: the matrix products are row-independent ([`Linear`]), RMSNorm,
    /// SiLU and the embedding act row by row, and each row's RoPE and
    /// attention are computed alone against its own cache, exactly as at
    /// batch 1. So a server may batch whatever requests are in flight
    /// without a request's output depending on its batch-mates.
    pub fn step(&self, ids: &[u32], caches: &mut [&mut LlamaCache]) -> Result<Tensor> {
        let b = ids.len();
        if b == 0 || caches.len() != b {
            candle_core::bail!("{b} tokens for {} caches", caches.len());
        }
        for c in caches.iter() {
            if c.batch() != 1 || c.len() + 1 > c.capacity() || c.len() + 1 > self.cos.dim(0)? {
                candle_core::bail!("a sequence's cache is full (or not batch 1): {} of {} positions", c.len(), c.capacity());
            }
        }
        let ids = Tensor::from_vec(ids.to_vec(), (b, 1), &self.device)?;
        // Each row's rotation at its own position: `rope_i` takes per-row
        // tables `[b, 1, d/2]` (the same arithmetic, element by element, as
        // one row at a time).
        let positions = Tensor::from_vec(caches.iter().map(|c| c.len() as u32).collect::<Vec<_>>(), b, &self.device)?;
        let half = self.cos.dim(1)?;
        let cos = self.cos.index_select(&positions, 0)?.reshape((b, 1, half))?;
        let sin = self.sin.index_select(&positions, 0)?.reshape((b, 1, half))?;
        let logits = self.blocks(&ids, |layer, q, k, v| {
            let q = candle_nn::rotary_emb::rope_i(q, &cos, &sin)?;
            let k = candle_nn::rotary_emb::rope_i(k, &cos, &sin)?;
            let rows = (0..b)
                .map(|r| caches[r].attend(layer, &q.narrow(0, r, 1)?.contiguous()?, &k.narrow(0, r, 1)?.contiguous()?, &v.narrow(0, r, 1)?.contiguous()?))
                .collect::<Result<Vec<_>>>()?;
            Tensor::cat(&rows, 0)
        })?;
        for c in caches.iter_mut() {
            c.advance(1);
        }
        Ok(logits)
    }

    /// The blocks over ids `[b, t]` and the last position's logits
    /// `[b, vocab]`; `rope_attend(layer, q, k, v)` (heads `[b, n, t, hd]`
    /// before RoPE) rotates the queries and keys and attends over the cache,
    /// returning `[b, t, n_heads · hd]`.
    ///
    /// The whole pass runs on one of rayon's worker threads: its parallel
    /// loops (a few hundred per token) then start from inside the pool
    /// instead of waking it from outside each time — at batch 1 those
    /// wake-ups took a quarter of the time (perf).
    fn blocks(&self, ids: &Tensor, rope_attend: impl FnMut(usize, &Tensor, &Tensor, &Tensor) -> Result<Tensor> + Send) -> Result<Tensor> {
        rayon::scope(|_| self.blocks_in_pool(ids, rope_attend))
    }

    fn blocks_in_pool(&self, ids: &Tensor, mut rope_attend: impl FnMut(usize, &Tensor, &Tensor, &Tensor) -> Result<Tensor>) -> Result<Tensor> {
        let (b, t) = ids.dims2()?;
        let c = &self.config;
        let (hd, nh, nkv, d) = (c.head_dim(), c.n_heads, c.n_kv_heads, c.d_model);
        let eps = c.rms_eps as f32;
        let kvd = nkv * hd;
        let ff = c.d_ff;
        let mut h = self.embed.index_select(&ids.flatten_all()?, 0)?.reshape((b, t, d))?;
        for (i, layer) in self.layers.iter().enumerate() {
            let x = candle_nn::ops::rms_norm(&h, &layer.attn_norm, eps)?;
            let qkv = layer.wqkv.forward(&x)?;
            let heads = |from: usize, n: usize| -> Result<Tensor> { qkv.narrow(2, from, n * hd)?.reshape((b, t, n, hd))?.transpose(1, 2)?.contiguous() };
            let y = rope_attend(i, &heads(0, nh)?, &heads(d, nkv)?, &heads(d + kvd, nkv)?)?;
            h = (h + layer.wo.forward(&y)?)?;
            let x = candle_nn::ops::rms_norm(&h, &layer.ffn_norm, eps)?;
            let gu = layer.gate_up.forward(&x)?;
            let g = candle_nn::ops::silu(&gu.narrow(2, 0, ff)?)?;
            let u = gu.narrow(2, ff, ff)?;
            h = (h + layer.down.forward(&(g * u)?)?)?;
        }
        let last = h.narrow(1, t - 1, 1)?.squeeze(1)?.contiguous()?;
        let x = candle_nn::ops::rms_norm(&last, &self.norm, eps)?;
        self.output.forward(&x)
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
