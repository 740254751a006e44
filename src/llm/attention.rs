//! Single-token (decoding) attention over the KV cache, on the raw buffers.
//!
//! For each path `b` and query head `h` (key/value head `g = h / rep`):
//! `s_j = q · k_j / √d_h` for the `total` cached positions, `w = softmax(s)`,
//! `y = Σ_j w_j v_j`. candle would run this as `b · n_kv` tiny matrix products
//! per layer and token (192 at batch 64) whose call overhead dominates; here
//! it is one pass over the cache, parallel over paths. Each path's arithmetic
//! is sequential in a fixed order, so results do not depend on the thread
//! count.

use candle_core::{CpuStorage, Result, Storage, Tensor};
use rayon::prelude::*;

/// Runs `f` on the contiguous f32 data of a CPU tensor.
fn with_f32<R>(t: &Tensor, f: impl FnOnce(&[f32]) -> R) -> Result<R> {
    let (storage, layout) = t.storage_and_layout();
    let Some((start, end)) = layout.contiguous_offsets() else {
        candle_core::bail!("decode attention needs contiguous tensors");
    };
    match &*storage {
        Storage::Cpu(CpuStorage::F32(v)) => Ok(f(&v[start..end])),
        _ => candle_core::bail!("decode attention needs f32 CPU tensors"),
    }
}

/// `q [b, nh, 1, hd]` attends to the first `total` positions of the caches
/// `k, v [b, nkv, cap, hd]`; returns `[b, 1, nh · hd]`.
pub fn decode_attention(q: &Tensor, k: &Tensor, v: &Tensor, total: usize) -> Result<Tensor> {
    let (b, nh, t, hd) = q.dims4()?;
    assert_eq!(t, 1, "decode attention takes one new token");
    let (_, nkv, cap, _) = k.dims4()?;
    let rep = nh / nkv;
    let scale = 1.0 / (hd as f32).sqrt();
    let q = q.contiguous()?;
    let mut y = vec![0f32; b * nh * hd];
    with_f32(&q, |qs| {
        with_f32(k, |ks| {
            with_f32(v, |vs| {
                y.par_chunks_mut(nh * hd).enumerate().for_each(|(bi, yb)| {
                    let mut s = vec![0f32; total];
                    for h in 0..nh {
                        let g = h / rep;
                        let qh = &qs[(bi * nh + h) * hd..][..hd];
                        let base = (bi * nkv + g) * cap * hd;
                        let mut max = f32::NEG_INFINITY;
                        for (j, sj) in s.iter_mut().enumerate() {
                            let kj = &ks[base + j * hd..][..hd];
                            let dot: f32 = qh.iter().zip(kj).map(|(a, b)| a * b).sum();
                            *sj = dot * scale;
                            max = max.max(*sj);
                        }
                        let mut z = 0f32;
                        for sj in s.iter_mut() {
                            *sj = (*sj - max).exp();
                            z += *sj;
                        }
                        let yh = &mut yb[h * hd..][..hd];
                        for (j, &w) in s.iter().enumerate() {
                            let vj = &vs[base + j * hd..][..hd];
                            let w = w / z;
                            for (o, x) in yh.iter_mut().zip(vj) {
                                *o += w * x;
                            }
                        }
                    }
                })
            })
        })
    })???;
    Tensor::from_vec(y, (b, 1, nh * hd), q.device())
}
