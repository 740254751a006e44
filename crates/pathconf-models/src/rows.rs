//! Row-independent arithmetic: each output row is computed alone, in a
//! fixed order, so its bits do not depend on how many rows are computed
//! with it — what lets `pathconf serve` batch requests without a request's
//! output depending on its batch-mates — nor on the thread count.
//!
//! Why not candle's matmul for the tiny model's decoding step: `gemm`
//! chooses its microkernel and its split of the inner dimension from the
//! matrix sizes, and when both the row count and the output width are at
//! most 64 (the tiny model's layers) the choice follows the row count:
//! measured, a row's logits differ in the last bits between a step of two
//! rows and one of three. The product here is one fixed-lane dot product
//! per output element; at the tiny model's sizes (64-wide, a few rows) it
//! costs microseconds.

use candle_core::{CpuStorage, Result, Storage, Tensor};

/// Runs `f` on the contiguous f32 data of a CPU tensor.
pub(crate) fn with_f32<R>(t: &Tensor, f: impl FnOnce(&[f32]) -> R) -> Result<R> {
    let (storage, layout) = t.storage_and_layout();
    let Some((start, end)) = layout.contiguous_offsets() else {
        candle_core::bail!("expected a contiguous tensor");
    };
    match &*storage {
        Storage::Cpu(CpuStorage::F32(v)) => Ok(f(&v[start..end])),
        _ => candle_core::bail!("expected an f32 CPU tensor"),
    }
}

/// `a · b` accumulated in eight lanes (vectorisable, fixed order).
#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

/// `x Wᵀ + b` for `x [.., in]` and a candle `Linear` (`W [out, in]`), each
/// output element one [`dot`] — the same bits for a row whatever rows
/// accompany it.
pub fn linear(x: &Tensor, layer: &candle_nn::Linear) -> Result<Tensor> {
    let dims = x.dims().to_vec();
    let inp = *dims.last().expect("rank ≥ 1");
    let w = layer.weight().contiguous()?;
    let (out, w_in) = w.dims2()?;
    if w_in != inp {
        candle_core::bail!("linear: input width {inp}, weight {out} × {w_in}");
    }
    let bias: Option<Vec<f32>> = layer.bias().map(|b| b.to_vec1()).transpose()?;
    let x = x.contiguous()?;
    let y = with_f32(&x, |xs| {
        with_f32(&w, |ws| {
            let mut y = Vec::with_capacity(xs.len() / inp * out);
            for row in xs.chunks_exact(inp) {
                for (j, wj) in ws.chunks_exact(inp).enumerate() {
                    y.push(dot(row, wj) + bias.as_ref().map_or(0.0, |b| b[j]));
                }
            }
            y
        })
    })??;
    let mut shape = dims;
    *shape.last_mut().expect("rank ≥ 1") = out;
    Tensor::from_vec(y, shape, x.device())
}
