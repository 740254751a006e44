//! pathconf's numbers do not depend on the CPU's FMA or AVX2 units
//! (`pathconf_core::elementary`, `pathconf::tiny::portable`).
//!
//! glibc picks FMA/AVX2 variants of `exp`, `log`, `pow`, `sin`, `expf`, …
//! by CPU feature when it is loaded; `GLIBC_TUNABLES` can switch them off,
//! which on this project's machines stands in for a CPU without them.
//! Every test here is deterministic (no false failures).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::process::Command;

// This test binary defines them as `pathconf` and the sims do.
pathconf_core::elementary_functions!();

/// glibc's wide variants switched off.
const NARROW: &str = "glibc.cpu.hwcaps=-AVX2,-FMA,-FMA4,-AVX512F,-AVX512VL,-AVX512DQ,-AVX512BW";

#[test]
fn rust_float_methods_reach_the_libm_crate() {
    // In a binary invoking the macro: if `f64::exp` and friends were bound
    // to the C library's, these 200,000 arguments per function would not
    // all give libm's bits (they did not, before the macro).
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for _ in 0..200_000 {
        let x: f64 = rng.random_range(-700.0..700.0);
        let y: f64 = rng.random_range(-3.0..3.0);
        let a = black_box(x.abs() + 1e-300);
        assert_eq!(black_box(x).exp().to_bits(), libm::exp(x).to_bits(), "exp({x})");
        assert_eq!(a.ln().to_bits(), libm::log(a).to_bits(), "ln({a})");
        assert_eq!(a.powf(black_box(y)).to_bits(), libm::pow(a, y).to_bits(), "pow({a}, {y})");
        assert_eq!(black_box(y).sin().to_bits(), libm::sin(y).to_bits(), "sin({y})");
        let (xf, af) = ((x / 8.0) as f32, (a as f32).max(1e-30));
        assert_eq!(black_box(xf).exp().to_bits(), libm::expf(xf).to_bits(), "expf({xf})");
        assert_eq!(black_box(af).ln().to_bits(), libm::logf(af).to_bits(), "logf({af})");
    }
}

fn pathconf(args: &[&str], tunables: Option<&str>) -> Vec<u8> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pathconf"));
    cmd.args(args);
    if let Some(t) = tunables {
        cmd.env("GLIBC_TUNABLES", t);
    }
    let out = cmd.output().expect("run pathconf");
    assert!(out.status.success(), "pathconf {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn outputs_are_the_same_with_the_c_librarys_wide_variants_off() {
    // The SmolLM2 paths' RPC report (thousands of Weibull fits): it moved
    // in the last digits with the variants off before pathconf defined the
    // functions itself (checked by building without them). The tiny
    // model's enumeration and sampling: plain arithmetic and `libm`.
    let paths = concat!(env!("CARGO_MANIFEST_DIR"), "/data/smollm2_paths.jsonl");
    let runs: [&[&str]; 3] = [
        &["eval", paths, "--methods", "sc,ppl,pc,rpc", "--k", "4,8,16,32", "--json"],
        &["tiny", "enumerate", "--question", "9+8+7", "--top", "400"],
        &["tiny", "sample", "--questions", "3+5+7,9+9+9", "--n", "64", "--seed", "5"],
    ];
    for args in runs {
        let (wide, narrow) = (pathconf(args, None), pathconf(args, Some(NARROW)));
        assert!(!wide.is_empty());
        assert!(wide == narrow, "pathconf {args:?} printed other bytes with glibc's FMA/AVX2 variants off");
    }
}
