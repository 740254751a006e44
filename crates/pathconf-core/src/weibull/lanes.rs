//! Four `f64` lanes for the Weibull objective, in two builds that compute
//! the same bits: [`wide::f64x4`] (already in the tree through nalgebra;
//! SSE2 on any x86-64, NEON on aarch64) and, on x86-64 CPUs with AVX2
//! (checked at run time), one 256-bit register ([`Avx2`]).
//!
//! `Avx2` repeats `wide`'s operations exactly — unfused multiply-adds,
//! round-to-nearest-even, and `wide`'s exponential (range reduction by
//! `ln 2` in two parts, a degree-13 Taylor polynomial in Estrin's form, the
//! power of two built from its exponent bits, 0 outside `|x| < 708.39`),
//! so that which build runs never changes a fit (tested bit for bit in
//! `objective`). `wide` picks its instructions when it is compiled, so a
//! portable build of it never uses AVX2; that is the only reason for the
//! second build.

use std::ops::{Add, Div, Mul, Neg, Sub};
use wide::{f64x4, CmpGe, CmpGt, CmpLt};

/// What the objective does with four lanes.
pub(super) trait Lanes: Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self> + Neg<Output = Self> {
    fn splat(v: f64) -> Self;
    fn load(v: &[f64; 4]) -> Self;
    fn to_array(self) -> [f64; 4];
    fn abs(self) -> Self;
    /// Lane-wise maximum; where `other` is NaN, `self`.
    fn max(self, other: Self) -> Self;
    /// `wide`'s `exp`.
    fn exp(self) -> Self;
    /// Lane-wise `if a ≥ b { t } else { f }`.
    fn select_ge(a: Self, b: Self, t: Self, f: Self) -> Self;
    /// Whether every lane is below `limit` (NaN is not).
    fn all_below(self, limit: f64) -> bool;
    /// Whether some lane is above `limit`.
    fn any_above(self, limit: f64) -> bool;
}

impl Lanes for f64x4 {
    #[inline(always)]
    fn splat(v: f64) -> Self {
        f64x4::splat(v)
    }
    #[inline(always)]
    fn load(v: &[f64; 4]) -> Self {
        f64x4::new(*v)
    }
    #[inline(always)]
    fn to_array(self) -> [f64; 4] {
        f64x4::to_array(self)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        f64x4::abs(self)
    }
    #[inline(always)]
    fn max(self, other: Self) -> Self {
        f64x4::max(self, other)
    }
    #[inline(always)]
    fn exp(self) -> Self {
        f64x4::exp(self)
    }
    #[inline(always)]
    fn select_ge(a: Self, b: Self, t: Self, f: Self) -> Self {
        a.cmp_ge(b).blend(t, f)
    }
    #[inline(always)]
    fn all_below(self, limit: f64) -> bool {
        self.cmp_lt(f64x4::splat(limit)).all()
    }
    #[inline(always)]
    fn any_above(self, limit: f64) -> bool {
        self.cmp_gt(f64x4::splat(limit)).any()
    }
}

#[cfg(target_arch = "x86_64")]
pub(super) use avx2::Avx2;

#[cfg(target_arch = "x86_64")]
mod avx2 {
    //! Every function here is `#[inline(always)]` and is only reached from
    //! a `#[target_feature(enable = "avx2")]` function that runs after
    //! `is_x86_feature_detected!("avx2")`; that is what makes the
    //! intrinsics' `unsafe` sound.
    use super::Lanes;
    use std::arch::x86_64::*;
    use std::ops::{Add, Div, Mul, Neg, Sub};

    /// Four lanes in one AVX register.
    #[derive(Clone, Copy)]
    pub struct Avx2(__m256d);

    macro_rules! binary {
        ($trait:ident, $method:ident, $intrinsic:ident) => {
            impl $trait for Avx2 {
                type Output = Self;
                #[inline(always)]
                fn $method(self, other: Self) -> Self {
                    // SAFETY: see the module doc.
                    Avx2(unsafe { $intrinsic(self.0, other.0) })
                }
            }
        };
    }
    binary!(Add, add, _mm256_add_pd);
    binary!(Sub, sub, _mm256_sub_pd);
    binary!(Mul, mul, _mm256_mul_pd);
    binary!(Div, div, _mm256_div_pd);

    impl Neg for Avx2 {
        type Output = Self;
        #[inline(always)]
        fn neg(self) -> Self {
            // `0 − x`, as `wide` negates.
            // SAFETY: see the module doc.
            Avx2(unsafe { _mm256_sub_pd(_mm256_setzero_pd(), self.0) })
        }
    }

    impl Lanes for Avx2 {
        #[inline(always)]
        fn splat(v: f64) -> Self {
            // SAFETY: see the module doc.
            Avx2(unsafe { _mm256_set1_pd(v) })
        }
        #[inline(always)]
        fn load(v: &[f64; 4]) -> Self {
            // SAFETY: see the module doc; `v` holds four f64.
            Avx2(unsafe { _mm256_loadu_pd(v.as_ptr()) })
        }
        #[inline(always)]
        fn to_array(self) -> [f64; 4] {
            let mut out = [0.0; 4];
            // SAFETY: see the module doc; `out` holds four f64.
            unsafe { _mm256_storeu_pd(out.as_mut_ptr(), self.0) };
            out
        }
        #[inline(always)]
        fn abs(self) -> Self {
            // SAFETY: see the module doc.
            Avx2(unsafe { _mm256_andnot_pd(_mm256_set1_pd(-0.0), self.0) })
        }
        #[inline(always)]
        fn max(self, other: Self) -> Self {
            // `max_pd` returns its second operand if either is NaN.
            // SAFETY: see the module doc.
            unsafe {
                let other_nan = _mm256_cmp_pd::<_CMP_UNORD_Q>(other.0, other.0);
                Avx2(_mm256_blendv_pd(_mm256_max_pd(self.0, other.0), self.0, other_nan))
            }
        }
        #[inline(always)]
        fn exp(self) -> Self {
            let p = [
                1.0 / 2.0,
                1.0 / 6.0,
                1. / 24.,
                1. / 120.,
                1. / 720.,
                1. / 5040.,
                1. / 40320.,
                1. / 362880.,
                1. / 3628800.,
                1. / 39916800.,
                1. / 479001600.,
                1. / 6227020800.,
            ]
            .map(Self::splat);
            let s = Self::splat;
            let mul_add = |a: Self, m: Self, c: Self| a * m + c;
            // SAFETY: see the module doc.
            let r = Avx2(unsafe { _mm256_round_pd::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>((self * s(std::f64::consts::LOG2_E)).0) });
            let x = self - r * s(0.693145751953125);
            let x = x - r * s(1.428_606_820_309_417_3e-6);
            let x2 = x * x;
            let x4 = x2 * x2;
            let x8 = x4 * x4;
            let z = mul_add(
                x8,
                mul_add(x4, mul_add(x, p[11], p[10]), mul_add(x2, mul_add(x, p[9], p[8]), mul_add(x, p[7], p[6]))),
                mul_add(x4, mul_add(x2, mul_add(x, p[5], p[4]), mul_add(x, p[3], p[2])), mul_add(x2, mul_add(x, p[1], p[0]), x)),
            );
            // SAFETY: see the module doc.
            unsafe {
                let biased = (r + s(1023.0 + 4503599627370496.0)).0;
                let n2 = _mm256_castsi256_pd(_mm256_slli_epi64::<52>(_mm256_castpd_si256(biased)));
                let z = (z + s(1.0)) * Avx2(n2);
                let in_range = _mm256_cmp_pd::<_CMP_LT_OQ>(self.abs().0, _mm256_set1_pd(708.39));
                Avx2(_mm256_and_pd(z.0, in_range))
            }
        }
        #[inline(always)]
        fn select_ge(a: Self, b: Self, t: Self, f: Self) -> Self {
            // SAFETY: see the module doc.
            Avx2(unsafe { _mm256_blendv_pd(f.0, t.0, _mm256_cmp_pd::<_CMP_GE_OQ>(a.0, b.0)) })
        }
        #[inline(always)]
        fn all_below(self, limit: f64) -> bool {
            // SAFETY: see the module doc.
            unsafe { _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_LT_OQ>(self.0, _mm256_set1_pd(limit))) == 0b1111 }
        }
        #[inline(always)]
        fn any_above(self, limit: f64) -> bool {
            // SAFETY: see the module doc.
            unsafe { _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_GT_OQ>(self.0, _mm256_set1_pd(limit))) != 0 }
        }
    }
}
