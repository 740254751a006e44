//! `y = x Wᵀ` (`x [rows, in]`, `W [out, in]`) over weights stored in column
//! blocks, so that the matrix product never repacks `W`.
//!
//! The `gemm` crate (candle's CPU matmul) computes tiles of `MR = 16` output
//! features × `NR = 6` rows with a microkernel that wants each weight column
//! (one input feature across 16 output features) contiguous. `W` as stored
//! in GGUF is row-major, so on every call gemm first copies `W` into that
//! layout — a strided gather that took ≈ 40% of the gemm time and a quarter
//! of a whole decoding step at batch 64 (perf). A contiguous `Wᵀ` avoids the
//! gather but makes the microkernel stride across the full output width
//! (slower still). Here `W` is stored once as blocks of `B` output features,
//! each block `[in, B]` contiguous: the microkernel reads it in place
//! (stride `B`), and the blocks are independent products run in parallel
//! (rayon), each by one single-threaded gemm call.
//!
//! Each output element is one fused multiply–add chain over the input
//! features, split into gemm's depth chunks `k_c`, which depend only on `in`
//! and the cache sizes when a block has more than 64 features (gemm uses
//! `k_c = min(in, 512)` only when both sides are ≤ 64). So `B = 128`, with a
//! remainder merged into the last block, gives results that are bit for bit
//! the same as candle's `x.matmul(Wᵀ)` for two rows or more, and that do not
//! depend on how many rows are in the product or on the thread count. A
//! single row would make gemm switch to a matrix–vector kernel with another
//! summation order; it is computed as two equal rows instead, so a path's
//! logits are the same whether it is decoded alone or in a batch.

use super::with_f32;
use crate::rows::Dst;
use candle_core::{Result, Tensor};
use rayon::prelude::*;

/// Output features per block (> 64, a multiple of 16).
const BLOCK: usize = 128;

/// A weight matrix `W [out, in]` in column blocks.
pub struct Linear {
    /// Block `j` = `W[s_j..s_j + len_j, :]ᵀ`, row-major `[in, len_j]`, at
    /// offset `s_j · in`.
    data: Vec<f32>,
    /// `(s_j, len_j)`.
    blocks: Vec<(usize, usize)>,
    out: usize,
    inp: usize,
}

impl Linear {
    /// Reorders `w [out, in]` (f32) into blocks.
    pub fn new(w: &Tensor) -> Result<Self> {
        let (out, inp) = w.dims2()?;
        let full = (out / BLOCK).max(1);
        let blocks: Vec<(usize, usize)> = (0..full).map(|j| (j * BLOCK, if j + 1 == full { out - j * BLOCK } else { BLOCK })).collect();
        let data = with_f32(&w.contiguous()?, |wv| {
            let mut data = vec![0f32; out * inp];
            for &(s, len) in &blocks {
                let block = &mut data[s * inp..(s + len) * inp];
                for (r, row) in wv[s * inp..(s + len) * inp].chunks_exact(inp).enumerate() {
                    for (c, &x) in row.iter().enumerate() {
                        block[c * len + r] = x;
                    }
                }
            }
            data
        })?;
        Ok(Self { data, blocks, out, inp })
    }

    /// Output features.
    pub fn out_dim(&self) -> usize {
        self.out
    }

    /// Input features.
    pub fn in_dim(&self) -> usize {
        self.inp
    }

    /// `x [.., in] · Wᵀ → [.., out]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let dims = x.dims().to_vec();
        let inner = *dims.last().expect("rank ≥ 1");
        if inner != self.inp {
            candle_core::bail!("linear: input has {inner} features, the weights {}", self.inp);
        }
        let rows = x.elem_count() / inner;
        let x = x.reshape((rows, inner))?.contiguous()?;
        let y = with_f32(&x, |xs| {
            // One row → two equal rows (see the module docs).
            let twice;
            let (xs, m) = if rows == 1 {
                twice = [xs, xs].concat();
                (twice.as_slice(), 2)
            } else {
                (xs, rows)
            };
            let mut y = vec![0f32; m * self.out];
            let dst = Dst(y.as_mut_ptr());
            self.blocks.par_iter().for_each(|&(s, len)| {
                // SAFETY: `xs` is `[m, in]` row-major, block `(s, len)` is
                // `[in, len]` row-major, and the destination `[m, out]`
                // row-major is written only in columns `s..s + len`.
                unsafe {
                    gemm::gemm(
                        m,
                        len,
                        self.inp,
                        dst.at(s),
                        1,
                        self.out as isize,
                        false,
                        xs.as_ptr(),
                        1,
                        self.inp as isize,
                        self.data.as_ptr().add(s * self.inp),
                        1,
                        len as isize,
                        0.0,
                        1.0,
                        false,
                        false,
                        false,
                        gemm::Parallelism::None,
                    )
                }
            });
            y.truncate(rows * self.out);
            y
        })?;
        let mut shape = dims;
        *shape.last_mut().expect("rank ≥ 1") = self.out;
        Tensor::from_vec(y, shape, x.device())
    }
}

#[cfg(test)]
mod tests {
    use super::Linear;
    use candle_core::{Device, Tensor};

    #[test]
    fn equals_candle_matmul_bit_for_bit_and_rows_do_not_interact() {
        let dev = Device::Cpu;
        // Output widths: one short block, an exact multiple, a merged
        // remainder; depths below and above gemm's 512 chunk.
        for (out, inp) in [(40, 24), (256, 576), (200, 1536), (960, 576)] {
            let w = Tensor::randn(0f32, 1.0, (out, inp), &dev).unwrap();
            let lin = Linear::new(&w).unwrap();
            assert_eq!(lin.out_dim(), out);
            let x = Tensor::randn(0f32, 1.0, (2, 9, inp), &dev).unwrap();
            let ours = lin.forward(&x).unwrap();
            assert_eq!(ours.dims(), &[2, 9, out]);
            let theirs = x.reshape((18, inp)).unwrap().matmul(&w.t().unwrap()).unwrap();
            let (a, b): (Vec<f32>, Vec<f32>) = (ours.flatten_all().unwrap().to_vec1().unwrap(), theirs.flatten_all().unwrap().to_vec1().unwrap());
            assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()), "{out}×{inp}: not bit-identical to candle");
            // Each row alone, and any subset of rows, gives the same bits.
            let rows = x.reshape((18, inp)).unwrap();
            for r in [0usize, 5, 17] {
                let one = lin.forward(&rows.narrow(0, r, 1).unwrap()).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap();
                assert!(one.iter().zip(&a[r * out..(r + 1) * out]).all(|(p, q)| p.to_bits() == q.to_bits()), "{out}×{inp}: row {r} alone differs");
            }
            let three = lin.forward(&rows.narrow(0, 4, 3).unwrap()).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap();
            assert!(three.iter().zip(&a[4 * out..7 * out]).all(|(p, q)| p.to_bits() == q.to_bits()), "{out}×{inp}: rows 4..7 differ");
        }
    }
}
