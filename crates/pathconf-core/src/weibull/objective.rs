//! The mixture's negative log-likelihood and its exact gradient, four data
//! values at a time.
//!
//! For distinct values `xᵢ` with multiplicities `cᵢ` and
//! `p = (w, k₁, λ₁, k₂, λ₂)`,
//!
//! ```text
//! −ln L = −Σᵢ cᵢ ln(e^{aᵢ} + e^{bᵢ}),
//! aᵢ = ln w + ln k₁ − ln λ₁ + (k₁ − 1) z₁ᵢ − t₁ᵢ,   z₁ᵢ = ln(xᵢ/λ₁),  t₁ᵢ = e^{k₁ z₁ᵢ}
//! bᵢ = ln(1 − w) + ln k₂ − ln λ₂ + (k₂ − 1) z₂ᵢ − t₂ᵢ  (likewise)
//! ```
//!
//! with `ln(e^a + e^b) = max(a, b) + ln(1 + e^{−|a−b|})`: three `exp` per
//! value (`t₁`, `t₂`, `e^{−|a−b|}`); the `ln(1 + ·)` factors are multiplied
//! and logged once per `10¹⁵⁰` of product. Gradients of `ln W(x; k, λ)`:
//! `∂/∂k = 1/k + z − t z`, `∂/∂λ = (k/λ)(t − 1)`; of the mixture,
//! `∂/∂w = r/w − (1 − r)/(1 − w)` with `r = e^a / (e^a + e^b)` the posterior
//! of component 1.
//!
//! **Four values at a time.** The values are stored four to a group and
//! every step works on a group ([`super::lanes`]): `wide`'s SSE2/NEON
//! vectors, or one AVX2 register where the CPU has AVX2 (checked at run
//! time) — the same bits either way. The `exp` is `wide`'s polynomial
//! exponential: within 2 ulp of `f64::exp` (tested below) but not equal to
//! it, so fits differ from a scalar objective's in their last bits. It
//! gives 0 above 708.39, where the true value is huge or overflows; a group
//! whose `k z` reaches that uses `f64::exp`, whose ∞ then makes the point
//! infeasible. Lanes are summed in a fixed order at the end.

use super::lanes::Lanes;
use wide::f64x4;

/// Returned in place of a non-finite objective so the line search backs off.
pub(super) const INFEASIBLE: f64 = 1e300;
/// Above this `wide`'s `exp` returns 0 instead of a huge value or ∞.
const WIDE_EXP_MAX: f64 = 708.39;

/// Distinct data values, four to a group: `ln x` and multiplicities (the
/// last group is padded with multiplicity 0).
pub(super) struct Data {
    lx: Vec<[f64; 4]>,
    c: Vec<[f64; 4]>,
    /// Whether every multiplicity of the group is 0 or 1.
    simple: Vec<bool>,
}

impl Data {
    /// From `(ln x, multiplicity)` pairs.
    pub fn new(pairs: &[(f64, f64)]) -> Self {
        let groups = pairs.len().div_ceil(4);
        let (mut lx, mut c, mut simple) = (Vec::with_capacity(groups), Vec::with_capacity(groups), Vec::with_capacity(groups));
        for chunk in pairs.chunks(4) {
            // Padding repeats a real value with weight 0: it adds nothing and
            // cannot overflow where the real value does not.
            let pad = chunk[chunk.len() - 1].0;
            lx.push([0, 1, 2, 3].map(|i| chunk.get(i).map_or(pad, |p| p.0)));
            c.push([0, 1, 2, 3].map(|i| chunk.get(i).map_or(0.0, |p| p.1)));
            simple.push(chunk.iter().all(|p| p.1 == 1.0));
        }
        Self { lx, c, simple }
    }

    /// Negative log-likelihood at `p = (w, k₁, λ₁, k₂, λ₂)`, its gradient
    /// written to `g`; [`INFEASIBLE`] (and a zero gradient) where either is
    /// not finite.
    pub fn nll_grad(&self, p: &[f64], g: &mut [f64]) -> f64 {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above).
            return unsafe { self.nll_grad_avx2(p, g) };
        }
        self.nll_grad_in::<f64x4>(p, g)
    }

    /// The objective with AVX2 registers.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn nll_grad_avx2(&self, p: &[f64], g: &mut [f64]) -> f64 {
        self.nll_grad_in::<super::lanes::Avx2>(p, g)
    }

    #[inline(always)]
    fn nll_grad_in<V: Lanes>(&self, p: &[f64], g: &mut [f64]) -> f64 {
        let (w, k1, l1, k2, l2) = (p[0], p[1], p[2], p[3], p[4]);
        let (ll1, ll2) = (V::splat(l1.ln()), V::splat(l2.ln()));
        let c1 = V::splat(w.ln() + k1.ln() - l1.ln());
        let c2 = V::splat((1.0 - w).ln() + k2.ln() - l2.ln());
        let (vk1, vk2) = (V::splat(k1), V::splat(k2));
        let (vk1m, vk2m) = (V::splat(k1 - 1.0), V::splat(k2 - 1.0));
        let (one, zero) = (V::splat(1.0), V::splat(0.0));
        let (mut nll, mut product, mut log_product) = (zero, one, 0.0);
        let (mut sr, mut ss, mut gk1, mut gl1, mut gk2, mut gl2) = (zero, zero, zero, zero, zero, zero);
        for ((lx, c), &simple) in self.lx.iter().zip(&self.c).zip(&self.simple) {
            let (lx, c) = (V::load(lx), V::load(c));
            let (z1, z2) = (lx - ll1, lx - ll2);
            let (e1, e2) = (vk1 * z1, vk2 * z2);
            let (t1, t2) = if e1.max(e2).all_below(WIDE_EXP_MAX) {
                (e1.exp(), e2.exp())
            } else {
                (V::load(&e1.to_array().map(f64::exp)), V::load(&e2.to_array().map(f64::exp)))
            };
            let a = c1 + vk1m * z1 - t1;
            let b = c2 + vk2m * z2 - t2;
            let e = (-(a - b).abs()).exp();
            let inv = one / (one + e);
            let (r, s) = (V::select_ge(a, b, inv, e * inv), V::select_ge(a, b, e * inv, inv));
            nll = nll + c * a.max(b);
            // (1 + e)^c: 1 + c e where c is 0 or 1, else lane by lane.
            product = product
                * if simple {
                    one + c * e
                } else {
                    let (f, m) = ((one + e).to_array(), c.to_array());
                    V::load(&[0, 1, 2, 3].map(|i| if m[i] == 1.0 { f[i] } else { f[i].powi(m[i] as i32) }))
                };
            if product.any_above(1e150) {
                log_product += product.to_array().iter().map(|v| v.ln()).sum::<f64>();
                product = one;
            }
            let (cr, cs) = (c * r, c * s);
            sr = sr + cr;
            ss = ss + cs;
            gk1 = gk1 + cr * (z1 - t1 * z1);
            gl1 = gl1 + cr * (t1 - one);
            gk2 = gk2 + cs * (z2 - t2 * z2);
            gl2 = gl2 + cs * (t2 - one);
        }
        let lanes = |v: V| v.to_array().iter().sum::<f64>();
        let nll = -lanes(nll) - (log_product + product.to_array().iter().map(|v| v.ln()).sum::<f64>());
        let (sr, ss) = (lanes(sr), lanes(ss));
        // d/dk ln W = 1/k + z − t z ;  d/dλ ln W = (k/λ)(t − 1) ;  d/dw = r/w − s/(1−w)
        let grad = [-(sr / w - ss / (1.0 - w)), -(sr / k1 + lanes(gk1)), -(k1 / l1 * lanes(gl1)), -(ss / k2 + lanes(gk2)), -(k2 / l2 * lanes(gl2))];
        if !nll.is_finite() || grad.iter().any(|v| !v.is_finite()) {
            g.iter_mut().for_each(|v| *v = 0.0);
            return INFEASIBLE;
        }
        g.copy_from_slice(&grad);
        nll
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weibull::density::{neg_log_likelihood, Mixture};

    fn data(values: &[f64]) -> Data {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mut pairs: Vec<(f64, f64)> = Vec::new();
        for v in sorted {
            match pairs.last_mut() {
                Some(last) if last.0 == v.ln() => last.1 += 1.0,
                _ => pairs.push((v.ln(), 1.0)),
            }
        }
        Data::new(&pairs)
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let d = data(&[0.31, 0.45, 0.45, 0.52, 0.77, 0.81, 0.9, 0.93, 0.12]);
        let p = [0.4, 3.0, 0.5, 9.0, 0.85];
        let mut g = [0.0; 5];
        d.nll_grad(&p, &mut g);
        for i in 0..5 {
            let h = 1e-6;
            let (mut a, mut b) = (p, p);
            a[i] += h;
            b[i] -= h;
            let mut tmp = [0.0; 5];
            let fd = (d.nll_grad(&a, &mut tmp) - d.nll_grad(&b, &mut tmp)) / (2.0 * h);
            assert!((fd - g[i]).abs() < 1e-6 * (1.0 + fd.abs()), "param {i}: {fd} vs {}", g[i]);
        }
    }

    /// The grouped objective equals the plain sum over every value (repeats
    /// counted once per occurrence, scalar `f64::exp`) for 1 to 9 values
    /// (every padding), repeated values and points far from the data.
    #[test]
    fn equals_the_scalar_likelihood() {
        let base = [0.31, 0.45, 0.45, 0.52, 0.77, 0.81, 0.9, 0.93, 0.12];
        let points = [[0.4, 3.0, 0.5, 9.0, 0.85], [0.5, 1.0, 1.0, 1.5, 2.0], [0.8, 0.02, 40.0, 60.0, 0.3], [0.2, 25.0, 0.9, 0.5, 0.05]];
        for len in 1..=base.len() {
            for p in points {
                let values = &base[..len];
                let m = Mixture { w: p[0], k1: p[1], lambda1: p[2], k2: p[3], lambda2: p[4] };
                let want = neg_log_likelihood(&m, values);
                let got = data(values).nll_grad(&p, &mut [0.0; 5]);
                assert!((got - want).abs() <= 1e-13 * (1.0 + want.abs()), "{len} values at {p:?}: {got} vs {want}");
            }
        }
    }

    /// Where `(x/λ)^k` overflows the point is infeasible, as with `f64::exp`
    /// (and not silently finite through `wide`'s 0 above 708.39).
    #[test]
    fn overflow_is_infeasible() {
        let values = [0.5, 0.9, 3.0, 7.0, 7.3];
        let d = data(&values);
        // At λ₁ = 1, k₁ ln 7.3 = 1.988 k₁: at k₁ = 400 that is 795, past
        // exp's overflow at 709.78; at 356.6 it is 708.9, past 708.39 (where
        // `wide` would return 0) but finite, and so is t z = 1.5e308.
        let mut g = [1.0; 5];
        assert_eq!(d.nll_grad(&[0.5, 400.0, 1.0, 1.5, 2.0], &mut g), INFEASIBLE);
        assert_eq!(g, [0.0; 5]);
        let p = [0.5, 356.6, 1.0, 1.5, 2.0];
        let near = d.nll_grad(&p, &mut g);
        let m = Mixture { w: p[0], k1: p[1], lambda1: p[2], k2: p[3], lambda2: p[4] };
        let want = neg_log_likelihood(&m, &values);
        assert!(near != INFEASIBLE && (near - want).abs() <= 1e-13 * want.abs(), "{near} vs {want}");
    }

    /// Both builds of the objective give the same bits (on a CPU without
    /// AVX2 there is one build and this compares it with itself).
    #[test]
    fn avx2_and_portable_builds_agree_bit_for_bit() {
        let values: Vec<f64> = (0..37).map(|i| 0.02 + 0.97 * ((i * 7919) % 101) as f64 / 101.0).chain([0.5, 0.5, 0.5]).collect();
        let d = data(&values);
        let points = [
            [0.4, 3.0, 0.5, 9.0, 0.85],
            [0.5, 1.0, 1.0, 1.5, 2.0],
            [0.8, 0.02, 40.0, 60.0, 0.3],
            [0.2, 25.0, 0.9, 0.5, 0.05],
            [0.5, 400.0, 1.0, 1.5, 2.0],
            [0.3, 150.0, 0.02, 2.0, 0.5],
        ];
        for p in points {
            let (mut g1, mut g2) = ([0.0; 5], [0.0; 5]);
            let f1 = d.nll_grad(&p, &mut g1);
            let f2 = d.nll_grad_in::<f64x4>(&p, &mut g2);
            assert_eq!((f1.to_bits(), g1.map(f64::to_bits)), (f2.to_bits(), g2.map(f64::to_bits)), "at {p:?}");
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            use crate::weibull::lanes::{Avx2, Lanes};
            for i in 0..20_000 {
                let x = [0, 1, 2, 3].map(|l| -720.0 + 0.018 * (4 * i + l) as f64);
                // SAFETY: AVX2 is present (checked above).
                let got = unsafe { exp_avx2(&x) };
                assert_eq!(got.map(f64::to_bits), f64x4::new(x).exp().to_array().map(f64::to_bits), "exp at {x:?}");
            }
            #[target_feature(enable = "avx2")]
            unsafe fn exp_avx2(x: &[f64; 4]) -> [f64; 4] {
                Avx2::load(x).exp().to_array()
            }
        }
    }

    /// `wide`'s exponential against `f64::exp` on a dense grid of the range
    /// the objective uses: within 2 ulp (relative 4.5e-16).
    #[test]
    fn wide_exp_is_within_two_ulp() {
        let mut worst: f64 = 0.0;
        for i in 0..200_001 {
            let x = -708.0 + 1416.0 * i as f64 / 200_000.0;
            let got = f64x4::splat(x).exp().to_array()[0];
            let want = x.exp();
            worst = worst.max(((got - want) / want).abs());
        }
        assert!(worst <= 2.0 * f64::EPSILON, "worst relative error {worst:e}");
    }
}
