//! The C library's elementary functions — `exp`, `log`, `pow`, `sin`, …,
//! in `f64` and `f32` — defined in a binary from the `libm` crate (musl's
//! algorithms in Rust) by [`elementary_functions!`](crate::elementary_functions),
//! so that the binary computes them in software, the same bits on every CPU.
//!
//! Why: glibc chooses among implementations of `exp`, `log`, `pow`, `sin`,
//! `cos`, `expf`, `logf`, … when it is loaded, by CPU feature (FMA, AVX2),
//! and the variants round some arguments differently. Measured on this
//! project's machine: with the FMA and AVX2 variants switched off
//! (`GLIBC_TUNABLES=glibc.cpu.hwcaps=-FMA,-AVX2,…`) 20 million random
//! arguments of `exp`, `ln` and `powf` hashed differently, and `pathconf
//! reproduce` changed 13 committed files (RPC's fitted Weibull curves, the
//! degeneration and pruning figures, the tiny model's figures). Committed
//! outputs must not depend on the machine they are made on.
//!
//! How: Rust's `f64::exp`, `f32::exp`, `f64::ln`, … compile to calls of
//! these C symbols, in every crate of a binary (statrs, rand_distr and
//! candle included). A definition in one of the executable's own object
//! files is bound before the shared C library's, so every such call
//! reaches the functions the macro defines. The macro is invoked in the
//! binary's own crate (`src/main.rs`, `sims/common`, the test binaries'
//! `tests/common`, the Python extension's `lib.rs`), not defined in this
//! library: a definition inside a library archive is linked only if the
//! linker still lacks the symbol when it reads that archive, which
//! depends on the link order (tried: it held for one test binary and not
//! for another). The list is the set of elementary functions pathconf's
//! binaries import (`nm -D --undefined-only`); `tests/elementary.rs`
//! checks that the calls reach these definitions and that `pathconf`'s
//! output does not change with glibc's variants off. The Python extension
//! is a shared object loaded into an interpreter that has already bound the
//! C library's functions; it is linked with `-Bsymbolic` (its `build.rs`)
//! so that its own calls bind to its own definitions — the Python tests
//! that compare its reports with the command line's byte for byte failed
//! without it. A program that links the library without invoking the macro
//! gets the C library's functions: its numbers may differ from the command
//! line's in the last bits.
//!
//! The cost: `libm`'s functions are scalar and somewhat slower than
//! glibc's FMA variants; the hot loops that need speed (the Weibull
//! objective) use their own vectorised `exp`.

#[doc(hidden)]
pub use libm;

/// Defines the C library's elementary functions used by pathconf (see the
/// module docs) in the invoking crate, which must be a binary's.
#[macro_export]
macro_rules! elementary_functions {
    () => {
        $crate::elementary_functions! {
            exp(x): f64; expm1(x): f64; log(x): f64; log1p(x): f64; log2(x): f64; log10(x): f64; pow(x, y): f64;
            sin(x): f64; cos(x): f64; tanh(x): f64;
            expf(x): f32; logf(x): f32; powf(x, y): f32; sinf(x): f32; cosf(x): f32; tanhf(x): f32; hypotf(x, y): f32;
        }
    };
    ($($name:ident($($arg:ident),+): $ty:ty;)+) => {
        $(
            #[doc = concat!("`", stringify!($name), "` from the `libm` crate.")]
            #[no_mangle]
            pub extern "C" fn $name($($arg: $ty),+) -> $ty {
                $crate::elementary::libm::$name($($arg),+)
            }
        )+
    };
}
