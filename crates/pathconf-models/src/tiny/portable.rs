//! The tiny model's inference — enumeration, sampling, serving — in plain
//! `f32` arithmetic in a fixed order, so its bits are the same on every
//! x86-64 CPU (and any IEEE-754 machine).
//!
//! Why not candle's forward pass, which training uses: candle's matrix
//! product (`gemm`) picks its microkernel at run time by CPU feature
//! (AVX-512, AVX2, …) and its blocking by matrix size, and the C library's
//! `exp`/`expf`/`log` pick FMA variants at run time (measured on this
//! project's machine: with `GLIBC_TUNABLES=glibc.cpu.hwcaps=-FMA,-AVX2` some
//! arguments round differently). A model retrained or merely evaluated on
//! another CPU then gives other enumerated distributions and other
//! committed figures. Here every projection output is one fixed-order dot
//! product ([`crate::rows::dot`]: IEEE operations only; Rust never fuses
//! `a·b + c` into an FMA), and the softmax's, GELU's and log-softmax's
//! elementary functions are the `libm` crate's (musl's algorithms in
//! software). A position's output depends only on the token, its position
//! and the cache, never on other sequences — what lets `pathconf serve`
//! batch requests — nor on the thread count.
//!
//! The computation is the one [`TinyModel::forward`] trains (same
//! parameters and layout; tested close to it in `tests/tiny.rs`):
//! `h₀ = E[x_t] + P[t]`; per block `h ← h + W_o Attn(LN₁ h)`,
//! `h ← h + W₂ GELU(W₁ LN₂ h + b₁) + b₂`; logits `W_head LN_f h + b`.

use super::config::ModelConfig;
use super::error::TinyError;
use super::model::TinyModel;
use crate::rows::dot;
use std::collections::HashMap;

/// `y = W x + b` for `W [out, in]` stored row-major.
#[derive(Debug, Clone)]
struct Dense {
    w: Vec<f32>,
    b: Vec<f32>,
    inp: usize,
}

impl Dense {
    fn apply(&self, x: &[f32], y: &mut Vec<f32>) {
        y.clear();
        y.extend(self.w.chunks_exact(self.inp).zip(&self.b).map(|(row, b)| dot(x, row) + b));
    }
}

/// Layer normalisation `γ ⊙ (h − μ) / √(σ² + ε) + β`, ε = 1e-5.
#[derive(Debug, Clone)]
struct Norm {
    gain: Vec<f32>,
    bias: Vec<f32>,
}

impl Norm {
    const EPS: f32 = 1e-5;

    fn apply(&self, x: &[f32], y: &mut Vec<f32>) {
        let d = x.len() as f32;
        let mean = x.iter().sum::<f32>() / d;
        let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / d;
        let sd = (var + Self::EPS).sqrt();
        y.clear();
        y.extend(x.iter().zip(self.gain.iter().zip(&self.bias)).map(|(v, (g, b))| (v - mean) / sd * g + b));
    }
}

/// One block's parameters.
#[derive(Debug, Clone)]
struct Layer {
    ln1: Norm,
    qkv: Dense,
    out: Dense,
    ln2: Norm,
    up: Dense,
    down: Dense,
}

/// The keys and values of the positions processed so far, per block.
#[derive(Debug, Clone, Default)]
pub struct KvCache {
    keys: Vec<Vec<f32>>,
    values: Vec<Vec<f32>>,
    len: usize,
}

impl KvCache {
    /// Positions processed.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets every position from `len` on (a search backtracking).
    pub fn truncate(&mut self, len: usize, d: usize) {
        self.len = self.len.min(len);
        for v in self.keys.iter_mut().chain(self.values.iter_mut()) {
            v.truncate(self.len * d);
        }
    }
}

/// The tiny model's parameters as plain vectors, for inference.
#[derive(Debug, Clone)]
pub struct PortableModel {
    /// Shape.
    pub config: ModelConfig,
    tokens: Vec<f32>,
    positions: Vec<f32>,
    layers: Vec<Layer>,
    ln_f: Norm,
    head: Dense,
}

impl PortableModel {
    /// The parameters of `model`, copied.
    pub fn new(model: &TinyModel) -> Result<Self, TinyError> {
        let mut named: HashMap<String, Vec<f32>> = model.parameters().map_err(TinyError::Candle)?.into_iter().collect();
        let mut take = |name: String| named.remove(&name).ok_or_else(|| TinyError::Parameters(format!("parameter {name} missing")));
        let c = &model.config;
        let mut dense =
            |name: &str, inp: usize| -> Result<Dense, TinyError> { Ok(Dense { w: take(format!("{name}.weight"))?, b: take(format!("{name}.bias"))?, inp }) };
        let mut layers = Vec::with_capacity(c.n_layers);
        for i in 0..c.n_layers {
            let p = format!("block{i}");
            let (qkv, out) = (dense(&format!("{p}.attn.qkv"), c.d_model)?, dense(&format!("{p}.attn.out"), c.d_model)?);
            let (up, down) = (dense(&format!("{p}.mlp.up"), c.d_model)?, dense(&format!("{p}.mlp.down"), c.d_ff)?);
            layers.push((qkv, out, up, down));
        }
        let head = dense("head", c.d_model)?;
        let mut norm = |name: &str| -> Result<Norm, TinyError> { Ok(Norm { gain: take(format!("{name}.weight"))?, bias: take(format!("{name}.bias"))? }) };
        let mut norms = Vec::with_capacity(c.n_layers);
        for i in 0..c.n_layers {
            norms.push((norm(&format!("block{i}.ln1"))?, norm(&format!("block{i}.ln2"))?));
        }
        let ln_f = norm("ln_f")?;
        let layers = layers.into_iter().zip(norms).map(|((qkv, out, up, down), (ln1, ln2))| Layer { ln1, qkv, out, ln2, up, down }).collect();
        Ok(Self { config: c.clone(), tokens: take("embed.tok.weight".into())?, positions: take("embed.pos.weight".into())?, layers, ln_f, head })
    }

    /// An empty cache.
    pub fn cache(&self) -> KvCache {
        KvCache { keys: vec![Vec::new(); self.config.n_layers], values: vec![Vec::new(); self.config.n_layers], len: 0 }
    }

    /// Forgets `cache`'s positions from `len` on.
    pub fn truncate(&self, cache: &mut KvCache, len: usize) {
        cache.truncate(len, self.config.d_model);
    }

    /// Feeds `tokens` one after another (a prompt) and returns the next
    /// token's log-probabilities.
    pub fn prefill(&self, tokens: &[u32], cache: &mut KvCache) -> Result<Vec<f64>, TinyError> {
        let (last, rest) = tokens.split_last().ok_or_else(|| TinyError::Sequence("an empty prompt".into()))?;
        for &t in rest {
            self.hidden(t, cache)?;
        }
        self.push(*last, cache)
    }

    /// Appends `token` at position `cache.len()` and returns the next token's
    /// log-probabilities `ln p(· | tokens so far)` (f64, log-softmax of the
    /// f32 logits).
    pub fn push(&self, token: u32, cache: &mut KvCache) -> Result<Vec<f64>, TinyError> {
        let h = self.hidden(token, cache)?;
        let (mut normed, mut logits) = (Vec::new(), Vec::new());
        self.ln_f.apply(&h, &mut normed);
        self.head.apply(&normed, &mut logits);
        Ok(log_softmax(&logits))
    }

    /// The last block's output at the new position.
    fn hidden(&self, token: u32, cache: &mut KvCache) -> Result<Vec<f32>, TinyError> {
        let c = &self.config;
        let (d, pos) = (c.d_model, cache.len);
        if token as usize >= c.vocab || pos >= c.max_len {
            return Err(TinyError::Sequence(format!("token {token} at position {pos}: the model has {} tokens and {} positions", c.vocab, c.max_len)));
        }
        let mut h: Vec<f32> = self.tokens[token as usize * d..][..d].iter().zip(&self.positions[pos * d..][..d]).map(|(a, b)| a + b).collect();
        let (mut a, mut b, mut attn) = (Vec::new(), Vec::new(), vec![0f32; d]);
        let (heads, hd) = (c.n_heads, c.head_dim());
        let scale = (1.0 / (hd as f64).sqrt()) as f32;
        let mut weights = Vec::with_capacity(pos + 1);
        for (l, layer) in self.layers.iter().enumerate() {
            layer.ln1.apply(&h, &mut a);
            layer.qkv.apply(&a, &mut b);
            let (q, kv) = b.split_at(d);
            cache.keys[l].extend_from_slice(&kv[..d]);
            cache.values[l].extend_from_slice(&kv[d..]);
            let (keys, values) = (&cache.keys[l], &cache.values[l]);
            for head in 0..heads {
                let span = head * hd..(head + 1) * hd;
                weights.clear();
                weights.extend(keys.chunks_exact(d).map(|k| dot(&q[span.clone()], &k[span.clone()]) * scale));
                let max = weights.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                weights.iter_mut().for_each(|w| *w = libm::expf(*w - max));
                let total: f32 = weights.iter().sum();
                let out = &mut attn[span.clone()];
                out.fill(0.0);
                for (w, v) in weights.iter().zip(values.chunks_exact(d)) {
                    let w = w / total;
                    out.iter_mut().zip(&v[span.clone()]).for_each(|(o, v)| *o += w * v);
                }
            }
            layer.out.apply(&attn, &mut a);
            h.iter_mut().zip(&a).for_each(|(h, a)| *h += a);
            layer.ln2.apply(&h, &mut a);
            layer.up.apply(&a, &mut b);
            b.iter_mut().for_each(|x| *x = gelu(*x));
            layer.down.apply(&b, &mut a);
            h.iter_mut().zip(&a).for_each(|(h, a)| *h += a);
        }
        cache.len += 1;
        Ok(h)
    }
}

/// `GELU(x) = x Φ(x) = ½ x (1 + erf(x/√2))`, computed in f64.
fn gelu(x: f32) -> f32 {
    let x = f64::from(x);
    (0.5 * x * (1.0 + libm::erf(x * std::f64::consts::FRAC_1_SQRT_2))) as f32
}

/// `ℓ_i − max ℓ − ln Σ_j exp(ℓ_j − max ℓ)` in f64 with `libm`'s `exp`/`log`.
fn log_softmax(logits: &[f32]) -> Vec<f64> {
    let max = logits.iter().map(|&l| f64::from(l)).fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = logits.iter().map(|&l| libm::exp(f64::from(l) - max)).sum();
    let log_total = libm::log(total);
    logits.iter().map(|&l| f64::from(l) - max - log_total).collect()
}
