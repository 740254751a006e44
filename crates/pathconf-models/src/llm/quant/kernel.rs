//! The inner products of a quantized matrix product: eight output features
//! (a *tile*) against one quantized activation row, block by block.
//!
//! For weight block `b` of output feature `o` (32 values `w_i = d_ob q_oi +
//! m_ob`, or `d_ob q_oi` for 8-bit weights) and the activation block
//! (`x_i ≈ dx_b qx_i`, `s_b = dx_b Σ qx_i`):
//!
//! `Σ_i w_i x_i ≈ (d_ob · dx_b) · Σ_i q_oi qx_i + m_ob · s_b`,
//!
//! and `y_o = Σ_b term_ob`, added in block order. The integer sum is exact
//! (any order gives the same value), and every float operation is written
//! out — a product, a product, a sum — with no fused multiply–add, so the
//! scalar reference and the AVX2 kernel give the same bits, on every CPU,
//! whatever the batch or the thread count. `tests` checks both against each
//! other and against the f32 product of the dequantized weights.

use super::activations::BLOCK;
use half::f16;

/// Output features per tile.
pub const TILE: usize = 8;

/// A tile's weights: `blocks` blocks of [`TILE`] features.
#[derive(Clone, Copy)]
pub struct TileRef<'a> {
    /// f16 scales, `[blocks][TILE]`.
    pub d: &'a [u16],
    /// f16 offsets, `[blocks][TILE]` (empty for 8-bit weights).
    pub m: &'a [u16],
    /// Packed values: 4-bit `[blocks][TILE][16]` (low nibble value `i`,
    /// high nibble value `i + 16`, as GGML stores them) or 8-bit
    /// `[blocks][TILE][32]`.
    pub q: &'a [u8],
}

/// An activation row: `[blocks][32]` values, `[blocks]` scales and sums.
#[derive(Clone, Copy)]
pub struct RowRef<'a> {
    /// Values.
    pub q: &'a [i8],
    /// Scales.
    pub d: &'a [f32],
    /// `d · Σ q` per block.
    pub s: &'a [f32],
}

/// Which weight format a tile holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Packing {
    /// 4-bit unsigned values with a scale and an offset (Q4_0, Q4_1).
    Nib4,
    /// 8-bit signed values with a scale (Q8_0).
    Int8,
}

/// The eight outputs of `tile · row`, by the fastest kernel this CPU has
/// (all give the same bits).
pub fn tile_dot(p: Packing, tile: TileRef, row: RowRef) -> [f32; TILE] {
    #[cfg(target_arch = "x86_64")]
    if avx2() {
        // SAFETY: the CPU has AVX2 and F16C (checked above).
        return unsafe {
            match p {
                Packing::Nib4 => x86::nib4(tile, row),
                Packing::Int8 => x86::int8(tile, row),
            }
        };
    }
    scalar(p, tile, row)
}

/// Whether the AVX2 kernels run here.
#[cfg(target_arch = "x86_64")]
pub fn avx2() -> bool {
    std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("f16c")
}

/// The reference: the formula of the module docs, one feature at a time.
pub fn scalar(p: Packing, tile: TileRef, row: RowRef) -> [f32; TILE] {
    let blocks = row.d.len();
    let mut acc = [0f32; TILE];
    for b in 0..blocks {
        let xq = &row.q[b * BLOCK..(b + 1) * BLOCK];
        for (o, a) in acc.iter_mut().enumerate() {
            let d = f16::from_bits(tile.d[b * TILE + o]).to_f32();
            let term = match p {
                Packing::Nib4 => {
                    let qs = &tile.q[(b * TILE + o) * 16..(b * TILE + o + 1) * 16];
                    let mut isum = 0i32;
                    for i in 0..16 {
                        isum += (qs[i] & 0x0f) as i32 * xq[i] as i32 + (qs[i] >> 4) as i32 * xq[i + 16] as i32;
                    }
                    let m = f16::from_bits(tile.m[b * TILE + o]).to_f32();
                    (d * row.d[b]) * isum as f32 + m * row.s[b]
                }
                Packing::Int8 => {
                    let qs = &tile.q[(b * TILE + o) * 32..(b * TILE + o + 1) * 32];
                    let isum: i32 = qs.iter().zip(xq).map(|(&w, &x)| w as i8 as i32 * x as i32).sum();
                    (d * row.d[b]) * isum as f32
                }
            };
            *a += term;
        }
    }
    acc
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{RowRef, TileRef, BLOCK, TILE};
    use std::arch::x86_64::*;

    /// Eight vectors of eight `i32` → the eight totals (integer: exact in
    /// any order).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn totals(v: [__m256i; 8]) -> __m256i {
        let a = _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]));
        let b = _mm256_hadd_epi32(_mm256_hadd_epi32(v[4], v[5]), _mm256_hadd_epi32(v[6], v[7]));
        // a = [v0..v3 over lanes 0–3 | v0..v3 over lanes 4–7], b likewise.
        _mm256_add_epi32(_mm256_permute2x128_si256::<0x20>(a, b), _mm256_permute2x128_si256::<0x31>(a, b))
    }

    /// Eight f16 values → f32 (exact).
    #[inline]
    #[target_feature(enable = "avx2,f16c")]
    unsafe fn halves(p: *const u16) -> __m256 {
        _mm256_cvtph_ps(unsafe { _mm_loadu_si128(p as *const __m128i) })
    }

    /// [`super::scalar`] for 4-bit weights.
    #[target_feature(enable = "avx2,f16c")]
    pub unsafe fn nib4(tile: TileRef, row: RowRef) -> [f32; TILE] {
        let blocks = row.d.len();
        assert!(tile.d.len() >= blocks * TILE && tile.m.len() >= blocks * TILE && tile.q.len() >= blocks * TILE * 16 && row.q.len() >= blocks * BLOCK);
        let low = _mm256_set1_epi8(0x0f);
        let ones = _mm256_set1_epi16(1);
        let mut acc = _mm256_setzero_ps();
        for b in 0..blocks {
            // SAFETY: the lengths were checked above.
            unsafe {
                let xq = _mm256_loadu_si256(row.q.as_ptr().add(b * BLOCK) as *const __m256i);
                let q = tile.q.as_ptr().add(b * TILE * 16);
                let mut v = [_mm256_setzero_si256(); 8];
                for (o, vo) in v.iter_mut().enumerate() {
                    let packed = _mm_loadu_si128(q.add(o * 16) as *const __m128i);
                    let w = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16::<4>(packed), packed), low);
                    *vo = _mm256_madd_epi16(_mm256_maddubs_epi16(w, xq), ones);
                }
                let isum = _mm256_cvtepi32_ps(totals(v));
                let d = halves(tile.d.as_ptr().add(b * TILE));
                let m = halves(tile.m.as_ptr().add(b * TILE));
                let scale = _mm256_mul_ps(d, _mm256_set1_ps(row.d[b]));
                let term = _mm256_add_ps(_mm256_mul_ps(scale, isum), _mm256_mul_ps(m, _mm256_set1_ps(row.s[b])));
                acc = _mm256_add_ps(acc, term);
            }
        }
        let mut out = [0f32; TILE];
        // SAFETY: `out` holds eight f32.
        unsafe { _mm256_storeu_ps(out.as_mut_ptr(), acc) };
        out
    }

    /// [`super::scalar`] for 8-bit weights.
    #[target_feature(enable = "avx2,f16c")]
    pub unsafe fn int8(tile: TileRef, row: RowRef) -> [f32; TILE] {
        let blocks = row.d.len();
        assert!(tile.d.len() >= blocks * TILE && tile.q.len() >= blocks * TILE * 32 && row.q.len() >= blocks * BLOCK);
        let ones = _mm256_set1_epi16(1);
        let mut acc = _mm256_setzero_ps();
        for b in 0..blocks {
            // SAFETY: the lengths were checked above.
            unsafe {
                let xq = _mm256_loadu_si256(row.q.as_ptr().add(b * BLOCK) as *const __m256i);
                let q = tile.q.as_ptr().add(b * TILE * 32);
                let mut v = [_mm256_setzero_si256(); 8];
                for (o, vo) in v.iter_mut().enumerate() {
                    let w = _mm256_loadu_si256(q.add(o * 32) as *const __m256i);
                    // |w| · sign(w) x: u8 × i8 pairs, at most 2 · 128 · 127 < 2¹⁵.
                    let p = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(xq, w));
                    *vo = _mm256_madd_epi16(p, ones);
                }
                let isum = _mm256_cvtepi32_ps(totals(v));
                let d = halves(tile.d.as_ptr().add(b * TILE));
                let scale = _mm256_mul_ps(d, _mm256_set1_ps(row.d[b]));
                acc = _mm256_add_ps(acc, _mm256_mul_ps(scale, isum));
            }
        }
        let mut out = [0f32; TILE];
        // SAFETY: `out` holds eight f32.
        unsafe { _mm256_storeu_ps(out.as_mut_ptr(), acc) };
        out
    }
}
