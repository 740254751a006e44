//! The activations' side of a quantized matrix product: each row of `x`
//! rounded to 8 bits per element in blocks of 32, one scale per block — the
//! Q8_0/Q8_1 scheme of GGML (Gerganov et al., `ggml-quants.c`), with the
//! scale and the block sum kept in f32 rather than f16.
//!
//! For block `b` of a row, `d_b = max_i |x_i| / 127`, `q_i = round(x_i / d_b)`
//! (so `|q_i| ≤ 127`) and `s_b = d_b · Σ_i q_i`; `x_i ≈ d_b q_i` with an error
//! of at most `d_b / 2`. `round` is to nearest, ties to even, computed as
//! `(v + 1.5·2²³) − 1.5·2²³` (exact IEEE additions: the same on every CPU,
//! and vectorised, where `f32::round` is a libm call per value on x86-64's
//! baseline). A row is quantized from its own values only, so a
//! row's numbers do not depend on the rows it is multiplied with.

/// Elements per block.
pub const BLOCK: usize = 32;

/// Rows of activations quantized in blocks of [`BLOCK`].
#[derive(Debug, Clone, Default)]
pub struct QuantRows {
    /// `q[r · k + i]`: the 8-bit values of row `r` (`k` = row length).
    pub(crate) q: Vec<i8>,
    /// `d[r · nb + b]`: the scale of block `b` of row `r`.
    pub(crate) d: Vec<f32>,
    /// `s[r · nb + b] = d_b · Σ q` (for weights with an offset).
    pub(crate) s: Vec<f32>,
    /// `sum_q[r · nb + b] = Σ q` (exact).
    pub(crate) sum_q: Vec<i32>,
    /// Rows.
    pub(crate) rows: usize,
    /// Blocks per row.
    pub(crate) blocks: usize,
}

impl QuantRows {
    /// Quantizes `x [rows, k]` (row-major; `k` a multiple of [`BLOCK`]).
    pub fn new(x: &[f32], k: usize) -> Self {
        assert!(k.is_multiple_of(BLOCK) && x.len().is_multiple_of(k.max(1)), "rows of {k} values in blocks of {BLOCK}");
        let rows = x.len().checked_div(k).unwrap_or(0);
        let blocks = k / BLOCK;
        let mut out = Self { q: vec![0; x.len()], d: vec![0.0; rows * blocks], s: vec![0.0; rows * blocks], sum_q: vec![0; rows * blocks], rows, blocks };
        for (j, (xs, qs)) in x.chunks_exact(BLOCK).zip(out.q.chunks_exact_mut(BLOCK)).enumerate() {
            let (d, sum) = quantize_block(xs, qs);
            out.d[j] = d;
            out.s[j] = d * sum as f32;
            out.sum_q[j] = sum;
        }
        out
    }
}

/// One block: writes `q` and returns `(d, Σ q)`.
fn quantize_block(x: &[f32], q: &mut [i8]) -> (f32, i32) {
    let amax = x.iter().fold(0f32, |m, v| m.max(v.abs()));
    let d = amax / 127.0;
    let inv = if d == 0.0 { 0.0 } else { 1.0 / d };
    // Adding 1.5·2²³ leaves no fraction bits for |v| < 2²²: the sum is v
    // rounded to an integer (ties to even), and subtracting is exact.
    const MAGIC: f32 = 12_582_912.0;
    for (qi, &xi) in q.iter_mut().zip(x) {
        // |x · inv| ≤ 127 up to rounding; the clamp guards the last ulp.
        *qi = (((xi * inv) + MAGIC) - MAGIC).clamp(-127.0, 127.0) as i8;
    }
    (d, q.iter().map(|&v| v as i32).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_within_half_a_step_and_keeps_the_sum() {
        let x: Vec<f32> = (0..96).map(|i| ((i * 37 % 101) as f32 - 50.0) / 7.0).collect();
        let qr = QuantRows::new(&x[..64], 64);
        assert_eq!((qr.rows, qr.blocks), (1, 2));
        let qr3 = QuantRows::new(&x[..], 32);
        assert_eq!((qr3.rows, qr3.blocks), (3, 1));
        for (b, xs) in x.chunks_exact(32).enumerate() {
            let d = qr3.d[b];
            let amax = xs.iter().fold(0f32, |m, v| m.max(v.abs()));
            assert_eq!(d, amax / 127.0);
            let qs = &qr3.q[b * 32..(b + 1) * 32];
            assert!(qs.iter().any(|q| q.abs() == 127), "the largest value maps to ±127");
            for (xi, qi) in xs.iter().zip(qs) {
                assert!((xi - d * *qi as f32).abs() <= d / 2.0 * 1.0001, "{xi} vs {}", d * *qi as f32);
                // Nearest, ties to even.
                let v = xi / d;
                let expected = if (v - v.trunc()).abs() == 0.5 { 2.0 * (v / 2.0).round() } else { v.round() };
                assert!((*qi as f32 - expected).abs() <= 1.0, "{v} → {qi}");
            }
            assert_eq!(qr3.sum_q[b], qs.iter().map(|&q| q as i32).sum::<i32>());
            assert_eq!(qr3.s[b], d * qr3.sum_q[b] as f32);
        }
        // Ties go to the even neighbour.
        let mut q = [0i8; 32];
        let mut x = [0f32; 32];
        x[0] = 127.0;
        (x[1], x[2], x[3], x[4]) = (0.5, 1.5, 2.5, -2.5);
        quantize_block(&x, &mut q);
        assert_eq!(&q[..5], &[127, 0, 2, 2, -2]);
        // A zero block has scale 0 and zero values.
        let z = QuantRows::new(&[0.0; 32], 32);
        assert_eq!((z.d[0], z.s[0]), (0.0, 0.0));
        assert!(z.q.iter().all(|&q| q == 0));
    }
}
