//! Sixteen output features against many rows at once, by AVX-512 VNNI.
//!
//! Each pair of [`TILE`]s is laid out a second time, at load, for this
//! kernel: per block, chunks of sixteen features × four consecutive values,
//! 64 bytes each. For 4-bit weights chunk `g < 4` holds bytes `4g..4g+4` of
//! each feature's GGML block as they are — their low nibbles are values
//! `4g..4g+4`, their high nibbles values `16+4g..16+4g+4` — so one load and
//! two masks give two groups; 8-bit weights are stored plus 128 (unsigned).
//! One `vpdpbusd` multiplies a group by four activation values broadcast to
//! the sixteen features and adds the four products into each feature's
//! 32-bit lane: eight give the block's sixteen integer sums with no
//! horizontal reduction, and the unpacked weights stay in registers while
//! every row of the batch passes.
//!
//! The sums are exact (`|Σ q qx| ≤ 32 · 255 · 127`), and for 8-bit weights
//! `Σ q qx = Σ (q + 128) qx − 128 Σ qx`, exact too; the float arithmetic is
//! [`super::kernel`]'s formula, operation for operation. So this kernel
//! gives the bits of [`super::kernel::scalar`] (`tests`).

use super::activations::{QuantRows, BLOCK};
use super::kernel::{Packing, TileRef, TILE};

/// Features per wide tile.
pub const WIDE: usize = 2 * TILE;

/// Whether the VNNI kernel runs here.
pub fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        super::kernel::avx2()
            && std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512bw")
            && std::is_x86_feature_detected!("avx512vnni")
            && std::is_x86_feature_detected!("avx512vl")
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Chunks of 64 bytes per block.
fn chunks(p: Packing) -> usize {
    match p {
        Packing::Nib4 => 4,
        Packing::Int8 => 8,
    }
}

/// A matrix's tiles laid out in pairs for the VNNI kernel.
pub struct Wide {
    packing: Packing,
    blocks: usize,
    /// `[pairs][blocks][chunks][WIDE][4]`.
    u: Vec<u8>,
    /// f16 scales `[pairs][blocks][WIDE]`.
    d: Vec<u16>,
    /// f16 offsets `[pairs][blocks][WIDE]` (4-bit weights).
    m: Vec<u16>,
}

impl Wide {
    /// Lays out `tiles` (in order; features past the last tile are zero).
    pub fn new(p: Packing, tiles: &[TileRef], blocks: usize) -> Self {
        let pairs = tiles.len().div_ceil(2);
        let per = chunks(p) * WIDE * 4;
        let mut w = Self { packing: p, blocks, u: vec![0; pairs * blocks * per], d: vec![0; pairs * blocks * WIDE], m: Vec::new() };
        if p == Packing::Nib4 {
            w.m = vec![0; pairs * blocks * WIDE];
        }
        for (t, tile) in tiles.iter().enumerate() {
            let (pair, half) = (t / 2, t % 2);
            for blk in 0..blocks {
                let base = pair * blocks + blk;
                for o in 0..TILE {
                    let f = half * TILE + o;
                    w.d[base * WIDE + f] = tile.d[blk * TILE + o];
                    let words: Vec<[u8; 4]> = match p {
                        Packing::Nib4 => {
                            w.m[base * WIDE + f] = tile.m[blk * TILE + o];
                            tile.q[(blk * TILE + o) * 16..][..16].chunks_exact(4).map(|c| [c[0], c[1], c[2], c[3]]).collect()
                        }
                        Packing::Int8 => {
                            tile.q[(blk * TILE + o) * 32..][..32].chunks_exact(4).map(|c| [c[0] ^ 0x80, c[1] ^ 0x80, c[2] ^ 0x80, c[3] ^ 0x80]).collect()
                        }
                    };
                    for (g, word) in words.iter().enumerate() {
                        let at = base * per + (g * WIDE + f) * 4;
                        w.u[at..at + 4].copy_from_slice(word);
                    }
                }
            }
        }
        w
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.u.len() + 2 * (self.d.len() + self.m.len())
    }

    /// Features `16·pair..16·pair + 16` of rows `rows` of `x`, into
    /// `out[(r − rows.start) · WIDE + f]`.
    pub fn dot(&self, pair: usize, x: &QuantRows, rows: std::ops::Range<usize>, out: &mut [f32]) {
        assert!(available(), "the VNNI kernel needs AVX-512 VNNI");
        assert!(out.len() >= rows.len() * WIDE && rows.end <= x.rows && x.blocks == self.blocks && (pair + 1) * self.blocks * WIDE <= self.d.len());
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has the features (asserted) and the sizes were checked.
        unsafe {
            x86::dot(self, pair, x, rows, out)
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{chunks, Packing, QuantRows, Wide, BLOCK, WIDE};
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx512f,avx512bw,avx512vnni,avx512vl,avx2,f16c")]
    pub unsafe fn dot(w: &Wide, pair: usize, x: &QuantRows, rows: std::ops::Range<usize>, out: &mut [f32]) {
        let (blocks, nib4) = (x.blocks, w.packing == Packing::Nib4);
        let k = blocks * BLOCK;
        let per = chunks(w.packing) * WIDE * 4;
        let start = rows.start;
        out[..rows.len() * WIDE].fill(0.0);
        let low = _mm512_set1_epi8(0x0f);
        for b in 0..blocks {
            let base = pair * blocks + b;
            // SAFETY: `w` holds block `base` (checked by the caller), `x`
            // and `out` were sized by the caller.
            unsafe {
                let u = w.u.as_ptr().add(base * per);
                let load = |j: usize| _mm512_loadu_si512(u.add(j * WIDE * 4) as *const _);
                let g: [__m512i; 8] = if nib4 {
                    let c = [load(0), load(1), load(2), load(3)];
                    std::array::from_fn(|j| if j < 4 { _mm512_and_si512(c[j], low) } else { _mm512_and_si512(_mm512_srli_epi16::<4>(c[j - 4]), low) })
                } else {
                    std::array::from_fn(load)
                };
                let d = _mm512_cvtph_ps(_mm256_loadu_si256(w.d.as_ptr().add(base * WIDE) as *const __m256i));
                let m = if nib4 { _mm512_cvtph_ps(_mm256_loadu_si256(w.m.as_ptr().add(base * WIDE) as *const __m256i)) } else { _mm512_setzero_ps() };
                for r in rows.clone() {
                    let xq = x.q.as_ptr().add(r * k + b * BLOCK) as *const i32;
                    let mut acc = _mm512_setzero_si512();
                    for (j, gj) in g.iter().enumerate() {
                        acc = _mm512_dpbusd_epi32(acc, *gj, _mm512_set1_epi32(xq.add(j).read_unaligned()));
                    }
                    let i = r * blocks + b;
                    let term = if nib4 {
                        let scale = _mm512_mul_ps(d, _mm512_set1_ps(x.d[i]));
                        _mm512_add_ps(_mm512_mul_ps(scale, _mm512_cvtepi32_ps(acc)), _mm512_mul_ps(m, _mm512_set1_ps(x.s[i])))
                    } else {
                        let isum = _mm512_sub_epi32(acc, _mm512_set1_epi32(128 * x.sum_q[i]));
                        _mm512_mul_ps(_mm512_mul_ps(d, _mm512_set1_ps(x.d[i])), _mm512_cvtepi32_ps(isum))
                    };
                    let o = out.as_mut_ptr().add((r - start) * WIDE);
                    _mm512_storeu_ps(o, _mm512_add_ps(_mm512_loadu_ps(o), term));
                }
            }
        }
    }
}
