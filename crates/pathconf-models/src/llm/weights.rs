//! The llama's weight matrices, and which kernels multiply them.
//!
//! [`Kernels::Quantized`] (the default) keeps Q4_0, Q4_1 and Q8_0 matrices
//! in their file format and runs [`super::quant`]'s integer kernels; any
//! other format (F32, F16, the k-quants) is dequantized to f32 and run by
//! [`super::linear`]. [`Kernels::F32`] dequantizes every matrix — the
//! arithmetic of candle's `quantized_llama` with `CANDLE_DEQUANTIZE_ALL`,
//! and the kernels the committed SmolLM2 data was sampled with. Both are
//! row-independent, so the choice is made once, at load, and a path's
//! numbers never depend on the batch it is decoded in.

use super::error::LlmError;
use super::linear::Linear;
use super::quant::QuantMatrix;
use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Result, Tensor};
use std::path::Path;

/// Which kernels run the matrix products.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kernels {
    /// The file's own 4- and 8-bit formats (activations rounded to 8 bits).
    #[default]
    Quantized,
    /// Every weight dequantized to f32.
    F32,
}

pathconf_core::named_option!(Kernels, "kernels", { Kernels::Quantized => "quantized", Kernels::F32 => "f32" });

/// One weight matrix `W [out, in]`, used as `y = x Wᵀ`.
pub enum Matrix {
    /// f32 in column blocks.
    F32(Linear),
    /// The file's quantized blocks.
    Quant(QuantMatrix),
}

impl Matrix {
    /// The tensors `names` of `ct`, stacked along the output features (one
    /// product for several matrices with the same input).
    pub fn load(ct: &Content, file: &mut std::fs::File, names: &[String], kernels: Kernels, path: &Path) -> std::result::Result<Self, LlmError> {
        let device = Device::Cpu;
        let tensor_error = |name: &str| {
            let (path, name) = (path.to_path_buf(), name.to_string());
            move |source: candle_core::Error| LlmError::Tensor { path, name, source: Box::new(source) }
        };
        let mut parts = Vec::with_capacity(names.len());
        for name in names {
            parts.push(ct.tensor(file, name, &device).map_err(tensor_error(name))?);
        }
        let dtype = parts[0].dtype();
        let inp = parts[0].shape().dims().last().copied().unwrap_or(0);
        let same = parts.iter().all(|p| p.dtype() == dtype && p.shape().rank() == 2 && p.shape().dims()[1] == inp);
        if kernels == Kernels::Quantized && same && QuantMatrix::supports(dtype, inp) {
            let mut bytes = Vec::new();
            let mut out = 0;
            for (p, name) in parts.iter().zip(names) {
                bytes.extend_from_slice(&p.data().map_err(tensor_error(name))?);
                out += p.shape().dims()[0];
            }
            return Ok(Matrix::Quant(QuantMatrix::from_gguf(dtype, &bytes, out, inp).map_err(tensor_error(&names.join("+")))?));
        }
        let mut f32s = Vec::with_capacity(parts.len());
        for (p, name) in parts.iter().zip(names) {
            f32s.push(p.dequantize(&device).map_err(tensor_error(name))?);
        }
        let w = if f32s.len() == 1 { f32s.pop().expect("one part") } else { Tensor::cat(&f32s, 0)? };
        Ok(Matrix::F32(Linear::new(&w)?))
    }

    /// Output features.
    pub fn out_dim(&self) -> usize {
        match self {
            Matrix::F32(l) => l.out_dim(),
            Matrix::Quant(q) => q.out_dim(),
        }
    }

    /// `x [.., in] · Wᵀ → [.., out]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        match self {
            Matrix::F32(l) => l.forward(x),
            Matrix::Quant(q) => {
                let dims = x.dims().to_vec();
                let y = super::with_f32(&x.contiguous()?, |xs| q.matmul(xs))?;
                let mut shape = dims;
                *shape.last_mut().expect("rank ≥ 1") = q.out_dim();
                Tensor::from_vec(y, shape, x.device())
            }
        }
    }

    /// Bytes the weights occupy in memory.
    pub fn bytes(&self) -> usize {
        match self {
            Matrix::F32(l) => 4 * l.out_dim() * l.in_dim(),
            Matrix::Quant(q) => q.bytes(),
        }
    }
}
