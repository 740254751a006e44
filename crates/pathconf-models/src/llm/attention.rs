//! Causal attention over a key/value cache held in plain buffers.
//!
//! For each path `r`, query head `h` (key/value head `g = h / rep`) and new
//! position `p = offset + i`: `s_j = q · k_j / √d_h` for `j ≤ p`,
//! `w = softmax(s)`, `y = Σ_j w_j v_j`. candle would run this as
//! `b · n_kv` small matrix products per layer and token (192 at batch 64)
//! whose call overhead dominates; here it is one pass over the cache,
//! parallel over (path, position) pairs.
//!
//! The cache stores each path in a *slot*; the batch rows map to slots, so
//! dropping finished paths from the batch only shortens that map (no copy of
//! the cache, which at batch 64 and 350 positions is 1 GB over 30 layers).
//!
//! Every output element is computed sequentially in a fixed order (the dot
//! products use eight fixed lanes), so results do not depend on the thread
//! count.

use super::with_f32;
use crate::rows::dot;
use candle_core::{Result, Tensor};
use rayon::prelude::*;

/// Keys and values of every layer, `[slot, n_kv, capacity, head_dim]` per
/// layer, for `len` positions; batch row `r` is slot `rows[r]`.
#[derive(Clone)]
pub struct KvCache {
    k: Vec<Vec<f32>>,
    v: Vec<Vec<f32>>,
    rows: Vec<usize>,
    nkv: usize,
    cap: usize,
    hd: usize,
    len: usize,
}

impl KvCache {
    /// An empty cache of `slots` paths.
    pub fn new(layers: usize, slots: usize, nkv: usize, cap: usize, hd: usize) -> Self {
        let size = slots * nkv * cap * hd;
        Self { k: vec![vec![0.0; size]; layers], v: vec![vec![0.0; size]; layers], rows: (0..slots).collect(), nkv, cap, hd, len: 0 }
    }

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
        self.cap
    }

    /// Paths in the current batch.
    pub fn batch(&self) -> usize {
        self.rows.len()
    }

    /// Keeps batch rows `keep` (in that order); no data moves.
    pub fn select(&mut self, keep: &[usize]) {
        self.rows = keep.iter().map(|&r| self.rows[r]).collect();
    }

    /// The batch-1 cache copied into `b` slots (one per path).
    pub fn expand(&self, b: usize) -> Self {
        assert_eq!(self.rows.len(), 1, "expand takes a batch-1 cache");
        let slot = self.nkv * self.cap * self.hd;
        let src = self.rows[0] * slot;
        let copy = |bufs: &Vec<Vec<f32>>| -> Vec<Vec<f32>> {
            bufs.iter()
                .map(|buf| {
                    let one = &buf[src..src + slot];
                    let mut out = Vec::with_capacity(b * slot);
                    for _ in 0..b {
                        out.extend_from_slice(one);
                    }
                    out
                })
                .collect()
        };
        Self { k: copy(&self.k), v: copy(&self.v), rows: (0..b).collect(), nkv: self.nkv, cap: self.cap, hd: self.hd, len: self.len }
    }

    /// Marks `t` more positions as cached (after every layer wrote them).
    pub(crate) fn advance(&mut self, t: usize) {
        self.len += t;
    }

    /// Writes `k, v [b, n_kv, t, hd]` (contiguous) of layer `layer` at
    /// positions `len..len + t`, then runs attention of `q [b, n_heads, t,
    /// hd]` over positions `0..=len + i`; returns `[b, t, n_heads · hd]`.
    pub(crate) fn attend(&mut self, layer: usize, q: &Tensor, k: &Tensor, v: &Tensor) -> Result<Tensor> {
        let (b, nh, t, hd) = q.dims4()?;
        let (nkv, cap, offset) = (self.nkv, self.cap, self.len);
        if b != self.rows.len() || hd != self.hd || k.dims4()? != (b, nkv, t, hd) || v.dims4()? != (b, nkv, t, hd) {
            candle_core::bail!("attention: shapes do not match the cache");
        }
        if offset + t > cap {
            candle_core::bail!("{} positions exceed the cache capacity {cap}", offset + t);
        }
        let slot = nkv * cap * hd;
        for (src, buf) in [(k, &mut self.k[layer]), (v, &mut self.v[layer])] {
            with_f32(src, |s| {
                for (r, &sl) in self.rows.iter().enumerate() {
                    for g in 0..nkv {
                        let from = &s[(r * nkv + g) * t * hd..][..t * hd];
                        let at = sl * slot + (g * cap + offset) * hd;
                        buf[at..at + t * hd].copy_from_slice(from);
                    }
                }
            })?;
        }
        let rep = nh / nkv;
        let scale = 1.0 / (hd as f32).sqrt();
        let (ks, vs, rows) = (&self.k[layer], &self.v[layer], &self.rows);
        let mut y = vec![0f32; b * t * nh * hd];
        with_f32(&q.contiguous()?, |qs| {
            y.par_chunks_mut(nh * hd).enumerate().for_each(|(ri, yb)| {
                let (r, i) = (ri / t, ri % t);
                let total = offset + i + 1;
                let mut s = vec![0f32; total];
                for h in 0..nh {
                    let base = rows[r] * slot + (h / rep) * cap * hd;
                    let qh = &qs[((r * nh + h) * t + i) * hd..][..hd];
                    let mut max = f32::NEG_INFINITY;
                    for (j, sj) in s.iter_mut().enumerate() {
                        *sj = dot(qh, &ks[base + j * hd..][..hd]) * scale;
                        max = max.max(*sj);
                    }
                    let mut z = 0f32;
                    for sj in s.iter_mut() {
                        *sj = (*sj - max).exp();
                        z += *sj;
                    }
                    let yh = &mut yb[h * hd..][..hd];
                    for (j, &w) in s.iter().enumerate() {
                        let w = w / z;
                        for (o, x) in yh.iter_mut().zip(&vs[base + j * hd..][..hd]) {
                            *o += w * x;
                        }
                    }
                }
            })
        })?;
        Tensor::from_vec(y, (b, t, nh * hd), q.device())
    }
}
