//! The llama's weight matrices, and which kernels multiply them.
//!
//! [`Kernels::Quantized`] (the default) keeps Q4_0, Q4_1 and Q8_0 matrices
//! in their file format and runs [`super::quant`]'s integer kernels; the
//! k-quants (Q2_K … Q8_K) and Q5_0/Q5_1 stay quantized too, multiplied by
//! candle's `QMatMul` one row at a time (its CPU kernels choose their
//! method by the row count, so a single row always takes the same one);
//! F32 and F16 matrices are run by [`super::linear`] in f32. [`Kernels::F32`] dequantizes every matrix — the
//! arithmetic of candle's `quantized_llama` with `CANDLE_DEQUANTIZE_ALL`,
//! and the kernels the committed SmolLM2 data was sampled with. Both are
//! row-independent, so the choice is made once, at load, and a path's
//! numbers never depend on the batch it is decoded in.

use super::error::LlmError;
use super::linear::Linear;
use super::quant::QuantMatrix;
use candle_core::quantized::gguf_file::Content;
use candle_core::quantized::{GgmlDType, QMatMul, QStorage, QTensor};
use candle_core::Module;
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
    /// Another quantized format, by candle's kernels one row at a time.
    Candle {
        /// The matrix.
        matmul: QMatMul,
        /// Output features.
        out: usize,
        /// Bytes of the quantized weights.
        bytes: usize,
    },
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
        let mut parts: Vec<QTensor> = Vec::with_capacity(names.len());
        for name in names {
            parts.push(ct.tensor(file, name, &device).map_err(tensor_error(name))?);
        }
        let dtype = parts[0].dtype();
        let inp = parts[0].shape().dims().last().copied().unwrap_or(0);
        let same = parts.iter().all(|p| p.dtype() == dtype && p.shape().rank() == 2 && p.shape().dims()[1] == inp);
        // The parts' raw blocks one after the other: the stacked matrix's
        // rows, in the file's format.
        let stacked = |parts: &[QTensor]| -> std::result::Result<(Vec<u8>, usize), LlmError> {
            let mut bytes = Vec::new();
            for (p, name) in parts.iter().zip(names) {
                bytes.extend_from_slice(&p.data().map_err(tensor_error(name))?);
            }
            Ok((bytes, parts.iter().map(|p| p.shape().dims()[0]).sum()))
        };
        if kernels == Kernels::Quantized && same && QuantMatrix::supports(dtype, inp) {
            let (bytes, out) = stacked(&parts)?;
            return Ok(Matrix::Quant(QuantMatrix::from_gguf(dtype, &bytes, out, inp).map_err(tensor_error(&names.join("+")))?));
        }
        if kernels == Kernels::Quantized && same && !matches!(dtype, GgmlDType::F32 | GgmlDType::F16 | GgmlDType::BF16) {
            let q = if parts.len() == 1 {
                parts.pop().expect("one part")
            } else {
                let (bytes, out) = stacked(&parts)?;
                QTensor::new(QStorage::from_data(std::borrow::Cow::Owned(bytes), &device, dtype)?, (out, inp))?
            };
            let (out, bytes) = (q.shape().dims()[0], q.storage_size_in_bytes());
            return Ok(Matrix::Candle { matmul: QMatMul::from_qtensor(q)?, out, bytes });
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
            Matrix::Candle { out, .. } => *out,
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
            Matrix::Candle { matmul, out, .. } => {
                let dims = x.dims().to_vec();
                let inner = *dims.last().expect("rank ≥ 1");
                let rows = x.elem_count() / inner;
                let x = x.reshape((rows, inner))?;
                let ys = (0..rows).map(|r| matmul.forward(&x.narrow(0, r, 1)?.contiguous()?)).collect::<Result<Vec<_>>>()?;
                let mut shape = dims;
                *shape.last_mut().expect("rank ≥ 1") = *out;
                Tensor::cat(&ys, 0)?.reshape(shape)
            }
        }
    }

    /// Bytes the weights occupy in memory.
    pub fn bytes(&self) -> usize {
        match self {
            Matrix::F32(l) => 4 * l.out_dim() * l.in_dim(),
            Matrix::Quant(q) => q.bytes(),
            Matrix::Candle { bytes, .. } => *bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Matrix;
    use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
    use candle_core::{Device, Tensor};

    /// A k-quant matrix run by candle row by row: each row's bits are the
    /// same alone and in any batch, and close to the f32 product.
    #[test]
    fn k_quants_rows_do_not_interact() {
        let dev = Device::Cpu;
        for dtype in [GgmlDType::Q4K, GgmlDType::Q6K] {
            let w = Tensor::randn(0f32, 1.0, (64, 512), &dev).unwrap();
            let q = QTensor::quantize(&w, dtype).unwrap();
            let wq = q.dequantize(&dev).unwrap();
            let m = Matrix::Candle { matmul: QMatMul::from_qtensor(q).unwrap(), out: 64, bytes: 0 };
            let x = Tensor::randn(0f32, 1.0, (5, 512), &dev).unwrap();
            let all: Vec<Vec<f32>> = m.forward(&x).unwrap().to_vec2().unwrap();
            let exact: Vec<Vec<f32>> = x.matmul(&wq.t().unwrap()).unwrap().to_vec2().unwrap();
            for r in 0..5 {
                let one: Vec<f32> = m.forward(&x.narrow(0, r, 1).unwrap()).unwrap().squeeze(0).unwrap().to_vec1().unwrap();
                assert!(one.iter().zip(&all[r]).all(|(a, b)| a.to_bits() == b.to_bits()), "{dtype:?}: row {r} alone differs");
                // Activations rounded to 8 bits: within a few percent of the
                // f32 product's scale.
                let scale = exact[r].iter().fold(0f32, |a, v| a.max(v.abs()));
                assert!(all[r].iter().zip(&exact[r]).all(|(a, b)| (a - b).abs() <= 0.05 * scale), "{dtype:?}: row {r} far from the f32 product");
            }
        }
    }
}
