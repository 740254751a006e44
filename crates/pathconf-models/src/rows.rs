//! Row-independent arithmetic: each output element one dot product in a
//! fixed order, so its bits do not depend on how many rows are computed
//! with it, on the thread count, nor on the CPU — what lets `pathconf
//! serve` batch requests without a request's output depending on its
//! batch-mates (the llama's attention, the tiny model's whole forward
//! pass, [`crate::tiny::portable`]).

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

/// A destination buffer shared by parallel workers that each write their
/// own disjoint part of it (columns of a matrix product's output).
#[derive(Clone, Copy)]
pub(crate) struct Dst(pub(crate) *mut f32);
// SAFETY: every user writes disjoint elements (its own columns).
unsafe impl Send for Dst {}
unsafe impl Sync for Dst {}

impl Dst {
    /// The pointer at `offset` (a method, so closures capture the whole `Dst`).
    pub(crate) fn at(self, offset: usize) -> *mut f32 {
        self.0.wrapping_add(offset)
    }
}

/// `a · b` accumulated in eight lanes (vectorisable; IEEE additions and
/// multiplications in a fixed order — Rust never fuses them into an FMA —
/// so the same bits on every CPU).
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
