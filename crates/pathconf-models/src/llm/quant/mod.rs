//! Matrix products on the GGUF file's own quantized weights (Q4_0, Q4_1,
//! Q8_0): the weights stay 4 or 8 bits in memory, each activation row is
//! rounded to 8 bits per element ([`activations`]), and the inner products
//! are integer sums scaled per block of 32 ([`kernel`]).
//!
//! The weights are repacked once, at load, into tiles of eight output
//! features (scales, offsets and values of a tile's block side by side), so
//! one activation block is loaded once for eight features and a tile's
//! weights stay in the L1 cache while every row of a batch passes over them.
//! Each output element is the sum of [`kernel`]'s formula in block order,
//! from its own row's quantization: the same bits whatever the batch, the
//! thread count or the CPU (see [`kernel`] for why).

pub mod activations;
pub mod kernel;
pub mod wide;

use crate::rows::Dst;
use activations::{QuantRows, BLOCK};
use candle_core::quantized::GgmlDType;
use half::f16;
use kernel::{Packing, RowRef, TileRef, TILE};
use rayon::prelude::*;

/// A weight matrix `W [out, in]` in its file's quantized format, repacked
/// in tiles of [`TILE`] output features.
pub struct QuantMatrix {
    packing: Packing,
    out: usize,
    inp: usize,
    /// f16 scales `[tiles][blocks][TILE]`.
    d: Vec<u16>,
    /// f16 offsets `[tiles][blocks][TILE]` (4-bit weights only).
    m: Vec<u16>,
    /// Values `[tiles][blocks][TILE][16 or 32]`.
    q: Vec<u8>,
    /// The same weights laid out for [`wide`]'s kernel, where the CPU runs it.
    wide: Option<wide::Wide>,
}

/// Rows per pass of [`wide`]'s kernel over a prepared pair of tiles.
const ROW_CHUNK: usize = 64;

/// Bytes per block in the file, and per block's packed values.
fn layout(dtype: GgmlDType) -> Option<(Packing, usize, usize)> {
    match dtype {
        GgmlDType::Q4_0 => Some((Packing::Nib4, 18, 16)),
        GgmlDType::Q4_1 => Some((Packing::Nib4, 20, 16)),
        GgmlDType::Q8_0 => Some((Packing::Int8, 34, 32)),
        _ => None,
    }
}

impl QuantMatrix {
    /// Whether `dtype` is run by these kernels.
    pub fn supports(dtype: GgmlDType, inp: usize) -> bool {
        layout(dtype).is_some() && inp.is_multiple_of(BLOCK) && inp > 0
    }

    /// Repacks the raw GGUF blocks `bytes` of a `[out, in]` matrix in
    /// format `dtype` (rows of `in / 32` blocks, as GGML stores them).
    pub fn from_gguf(dtype: GgmlDType, bytes: &[u8], out: usize, inp: usize) -> candle_core::Result<Self> {
        let Some((packing, size, qbytes)) = layout(dtype) else {
            candle_core::bail!("quantized kernels: {dtype:?} is not Q4_0, Q4_1 or Q8_0");
        };
        if !inp.is_multiple_of(BLOCK) || inp == 0 {
            candle_core::bail!("quantized kernels: {inp} input features is not a positive multiple of {BLOCK}");
        }
        let blocks = inp / BLOCK;
        if bytes.len() != out * blocks * size {
            candle_core::bail!("quantized kernels: {} bytes for {out} × {inp} {dtype:?} (want {})", bytes.len(), out * blocks * size);
        }
        let tiles = out.div_ceil(TILE);
        let slots = tiles * blocks * TILE;
        let mut d = vec![0u16; slots];
        let mut m = if packing == Packing::Nib4 { vec![0u16; slots] } else { Vec::new() };
        let mut q = vec![0u8; slots * qbytes];
        for o in 0..out {
            let (t, r) = (o / TILE, o % TILE);
            for b in 0..blocks {
                let src = &bytes[(o * blocks + b) * size..(o * blocks + b + 1) * size];
                let slot = (t * blocks + b) * TILE + r;
                let half_at = |i: usize| u16::from_le_bytes([src[i], src[i + 1]]);
                d[slot] = half_at(0);
                let values = match dtype {
                    GgmlDType::Q4_0 => {
                        // w = d (q − 8) = d q + (−8 d): −8 d is exact in f16
                        // unless it overflows.
                        let off = f16::from_f32(-8.0 * f16::from_bits(d[slot]).to_f32());
                        if off.to_f32() != -8.0 * f16::from_bits(d[slot]).to_f32() {
                            candle_core::bail!("quantized kernels: Q4_0 scale {} of row {o} block {b} is out of range", f16::from_bits(d[slot]));
                        }
                        m[slot] = off.to_bits();
                        &src[2..]
                    }
                    GgmlDType::Q4_1 => {
                        m[slot] = half_at(2);
                        &src[4..]
                    }
                    _ => &src[2..],
                };
                q[slot * qbytes..(slot + 1) * qbytes].copy_from_slice(values);
            }
        }
        let mut matrix = Self { packing, out, inp, d, m, q, wide: None };
        if wide::available() {
            matrix.wide = Some(matrix.wide_layout());
        }
        Ok(matrix)
    }

    /// The tiles laid out for [`wide`]'s kernel.
    pub fn wide_layout(&self) -> wide::Wide {
        let tiles: Vec<TileRef> = (0..self.out.div_ceil(TILE)).map(|t| self.tile(t)).collect();
        wide::Wide::new(self.packing, &tiles, self.inp / BLOCK)
    }

    /// Output features.
    pub fn out_dim(&self) -> usize {
        self.out
    }

    /// Bytes the weights occupy (both layouts).
    pub fn bytes(&self) -> usize {
        2 * (self.d.len() + self.m.len()) + self.q.len() + self.wide.as_ref().map_or(0, |w| w.bytes())
    }

    /// Tile `t`'s weights.
    fn tile(&self, t: usize) -> TileRef<'_> {
        let blocks = self.inp / BLOCK;
        let per = blocks * TILE;
        let qb = if self.packing == Packing::Nib4 { 16 } else { 32 };
        TileRef {
            d: &self.d[t * per..(t + 1) * per],
            m: if self.m.is_empty() { &[] } else { &self.m[t * per..(t + 1) * per] },
            q: &self.q[t * per * qb..(t + 1) * per * qb],
        }
    }

    /// `y = x Wᵀ` for `x [rows, in]` row-major; returns `[rows, out]`.
    pub fn matmul(&self, x: &[f32]) -> Vec<f32> {
        assert!(x.len().is_multiple_of(self.inp), "{} values are not rows of {}", x.len(), self.inp);
        let xq = QuantRows::new(x, self.inp);
        let rows = xq.rows;
        let blocks = xq.blocks;
        let mut y = vec![0f32; rows * self.out];
        let dst = Dst(y.as_mut_ptr());
        let tiles = self.out.div_ceil(TILE);
        if let Some(w) = &self.wide {
            self.matmul_wide(w, &xq, &mut y);
            return y;
        }
        (0..tiles).into_par_iter().with_min_len(8).for_each(|t| {
            let tile = self.tile(t);
            let width = TILE.min(self.out - t * TILE);
            for r in 0..rows {
                let row = RowRef { q: &xq.q[r * self.inp..(r + 1) * self.inp], d: &xq.d[r * blocks..(r + 1) * blocks], s: &xq.s[r * blocks..(r + 1) * blocks] };
                let v = kernel::tile_dot(self.packing, tile, row);
                // SAFETY: tile `t` alone writes columns `t·TILE..t·TILE + width`
                // of row `r` of the `[rows, out]` destination.
                unsafe { std::ptr::copy_nonoverlapping(v.as_ptr(), dst.at(r * self.out + t * TILE), width) };
            }
        });
        y
    }

    /// [`Self::matmul`] by [`wide`]'s kernel: rows in chunks of
    /// [`ROW_CHUNK`] (a chunk's outputs stay in the L1 cache), the pairs of
    /// tiles in parallel.
    fn matmul_wide(&self, w: &wide::Wide, xq: &QuantRows, y: &mut [f32]) {
        let pairs = self.out.div_ceil(wide::WIDE);
        let chunks = xq.rows.div_ceil(ROW_CHUNK);
        let dst = Dst(y.as_mut_ptr());
        (0..pairs).into_par_iter().with_min_len(4).for_each_init(
            || vec![0f32; ROW_CHUNK * wide::WIDE],
            |out, pair| {
                let first = pair * wide::WIDE;
                let width = wide::WIDE.min(self.out - first);
                for c in 0..chunks {
                    let rows = c * ROW_CHUNK..((c + 1) * ROW_CHUNK).min(xq.rows);
                    w.dot(pair, xq, rows.clone(), out);
                    for r in rows.clone() {
                        // SAFETY: pair `pair` alone writes columns
                        // `first..first + width` of the destination.
                        unsafe { std::ptr::copy_nonoverlapping(out.as_ptr().add((r - rows.start) * wide::WIDE), dst.at(r * self.out + first), width) };
                    }
                }
            },
        );
    }

    /// The weights as f32 `[out, in]` (what the kernels multiply, exactly).
    pub fn dequantize(&self) -> Vec<f32> {
        let blocks = self.inp / BLOCK;
        let mut w = vec![0f32; self.out * self.inp];
        for o in 0..self.out {
            let tile = self.tile(o / TILE);
            let r = o % TILE;
            for b in 0..blocks {
                let d = f16::from_bits(tile.d[b * TILE + r]).to_f32();
                let row = &mut w[o * self.inp + b * BLOCK..o * self.inp + (b + 1) * BLOCK];
                match self.packing {
                    Packing::Nib4 => {
                        let m = f16::from_bits(tile.m[b * TILE + r]).to_f32();
                        let qs = &tile.q[(b * TILE + r) * 16..(b * TILE + r + 1) * 16];
                        for i in 0..16 {
                            row[i] = d * (qs[i] & 0x0f) as f32 + m;
                            row[i + 16] = d * (qs[i] >> 4) as f32 + m;
                        }
                    }
                    Packing::Int8 => {
                        let qs = &tile.q[(b * TILE + r) * 32..(b * TILE + r + 1) * 32];
                        for i in 0..32 {
                            row[i] = d * qs[i] as i8 as f32;
                        }
                    }
                }
            }
        }
        w
    }
}

#[cfg(test)]
mod tests;
