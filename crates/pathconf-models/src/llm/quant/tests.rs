use super::activations::QuantRows;
use super::kernel::{self, RowRef};
use super::*;
use candle_core::quantized::QTensor;
use candle_core::{Device, Tensor};

/// A random `[out, in]` matrix quantized by candle (GGML's quantizers).
fn matrix(dtype: GgmlDType, out: usize, inp: usize, seed: u64) -> (QuantMatrix, QTensor) {
    let dev = Device::Cpu;
    // Deterministic values with a spread of magnitudes per block.
    let v: Vec<f32> = (0..out * inp).map(|i| (((i as u64 * 2654435761 + seed * 97) % 1000) as f32 / 500.0 - 1.0) * (1.0 + (i / 32 % 7) as f32)).collect();
    let w = Tensor::from_vec(v, (out, inp), &dev).unwrap();
    let qt = QTensor::quantize(&w, dtype).unwrap();
    let qm = QuantMatrix::from_gguf(dtype, &qt.data().unwrap(), out, inp).unwrap();
    (qm, qt)
}

fn activations(rows: usize, inp: usize, seed: u64) -> Vec<f32> {
    (0..rows * inp).map(|i| ((((i as u64 + seed) * 40503) % 997) as f32 / 498.5 - 1.0) * if i % 11 == 0 { 8.0 } else { 1.0 }).collect()
}

const FORMATS: [GgmlDType; 3] = [GgmlDType::Q4_0, GgmlDType::Q4_1, GgmlDType::Q8_0];

#[test]
fn repacked_weights_are_the_files_weights() {
    for dtype in FORMATS {
        // 20 features: two full tiles and a padded one.
        let (qm, qt) = matrix(dtype, 20, 96, 1);
        let ours = qm.dequantize();
        let theirs: Vec<f32> = qt.dequantize(&Device::Cpu).unwrap().flatten_all().unwrap().to_vec1().unwrap();
        assert_eq!(ours.len(), theirs.len());
        // Equal values (Q4_0's d·q + (−8d) is exact, but gives +0 where
        // candle's (q − 8)·d gives −0 for a negative scale).
        let bad = ours.iter().zip(&theirs).position(|(a, b)| a != b);
        assert!(bad.is_none(), "{dtype:?}: dequantized weight {bad:?} differs from candle's");
    }
}

#[test]
fn the_vector_kernel_equals_the_scalar_reference_bit_for_bit() {
    for dtype in FORMATS {
        let (qm, _) = matrix(dtype, 24, 1536, 2);
        let x = activations(5, 1536, 3);
        let xq = QuantRows::new(&x, 1536);
        let nb = xq.blocks;
        for t in 0..3 {
            for r in 0..5 {
                let row = RowRef { q: &xq.q[r * 1536..(r + 1) * 1536], d: &xq.d[r * nb..(r + 1) * nb], s: &xq.s[r * nb..(r + 1) * nb] };
                let fast = kernel::tile_dot(qm.packing, qm.tile(t), row);
                let slow = kernel::scalar(qm.packing, qm.tile(t), row);
                assert!(fast.iter().zip(&slow).all(|(a, b)| a.to_bits() == b.to_bits()), "{dtype:?} tile {t} row {r}: {fast:?} vs {slow:?}");
                if super::wide::available() {
                    // The wide kernel: tile t is half of pair t / 2 (the
                    // third tile's pair is padded with zeros).
                    let wide = qm.wide_layout();
                    let mut out = vec![0f32; super::wide::WIDE];
                    wide.dot(t / 2, &xq, r..r + 1, &mut out);
                    let ours = &out[(t % 2) * 8..(t % 2) * 8 + 8];
                    assert!(ours.iter().zip(&slow).all(|(a, b)| a.to_bits() == b.to_bits()), "{dtype:?} tile {t} row {r} wide: {ours:?} vs {slow:?}");
                }
            }
        }
    }
}

/// On a CPU without AVX-512 VNNI the wide kernel is not exercised: say so
/// (CI's machines have it; this test fails there if detection breaks).
#[test]
fn the_wide_kernel_is_tested_on_this_machine() {
    if !super::wide::available() {
        eprintln!("note: no AVX-512 VNNI here; the wide kernel's bit-for-bit checks did not run");
    }
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx512vnni") && std::is_x86_feature_detected!("avx512vl") {
        assert!(super::wide::available());
    }
}

#[test]
fn rows_do_not_interact() {
    for dtype in FORMATS {
        let (qm, _) = matrix(dtype, 40, 576, 4);
        let x = activations(9, 576, 5);
        let all = qm.matmul(&x);
        for r in [0usize, 4, 8] {
            let one = qm.matmul(&x[r * 576..(r + 1) * 576]);
            assert!(one.iter().zip(&all[r * 40..(r + 1) * 40]).all(|(a, b)| a.to_bits() == b.to_bits()), "{dtype:?}: row {r} alone differs");
        }
        let three = qm.matmul(&x[2 * 576..5 * 576]);
        assert!(three.iter().zip(&all[2 * 40..5 * 40]).all(|(a, b)| a.to_bits() == b.to_bits()), "{dtype:?}: rows 2..5 differ");
    }
}

/// The product differs from `x · Wᵀ` over the same (dequantized) weights
/// only by the activations' rounding: at most `Σ_b (dx_b / 2) Σ_i |w_i|`
/// per output, plus f32 rounding of the sums.
#[test]
fn the_error_is_the_activations_rounding() {
    for dtype in FORMATS {
        let (out, inp) = (16, 1536);
        let (qm, _) = matrix(dtype, out, inp, 6);
        let w = qm.dequantize();
        let x = activations(3, inp, 7);
        let xq = QuantRows::new(&x, inp);
        let y = qm.matmul(&x);
        for r in 0..3 {
            for o in 0..out {
                let (exact, mut bound, mut magnitude) = ((0..inp).map(|i| w[o * inp + i] as f64 * x[r * inp + i] as f64).sum::<f64>(), 0.0f64, 0.0f64);
                for b in 0..inp / 32 {
                    let wa: f64 = (0..32).map(|i| (w[o * inp + b * 32 + i] as f64).abs()).sum();
                    bound += xq.d[r * (inp / 32) + b] as f64 / 2.0 * wa;
                    magnitude += wa * x[r * inp + b * 32..r * inp + (b + 1) * 32].iter().fold(0f64, |m, v| m.max(v.abs() as f64));
                }
                let got = y[r * out + o] as f64;
                let slack = 1e-5 * magnitude;
                assert!((got - exact).abs() <= bound + slack, "{dtype:?} ({r}, {o}): {got} vs {exact}, bound {bound}");
            }
        }
    }
}

#[test]
fn refuses_what_it_cannot_run() {
    assert!(QuantMatrix::from_gguf(GgmlDType::Q4K, &[0; 144], 1, 256).is_err());
    assert!(QuantMatrix::from_gguf(GgmlDType::Q8_0, &[0; 34], 1, 33).is_err());
    assert!(QuantMatrix::from_gguf(GgmlDType::Q8_0, &[0; 33], 1, 32).is_err());
    assert!(!QuantMatrix::supports(GgmlDType::F32, 64));
    assert!(QuantMatrix::supports(GgmlDType::Q4_1, 576));
}
