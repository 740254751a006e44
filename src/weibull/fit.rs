//! Maximum-likelihood fit of the two-component Weibull mixture.
//!
//! **Method.** The reference minimises the negative log-likelihood over
//! `(w, k₁, λ₁, k₂, λ₂)` with scipy's L-BFGS-B from `(0.5, 1, 1, 1.5, 2)`
//! under the bounds `w ∈ [0.2, 0.8]`, `k, λ ≥ 0.01`, with finite-difference
//! gradients of a linear-space density that overflows. pathconf runs the same
//! algorithm (L-BFGS-B v3.0, [`crate::optim`], memory 10, scipy's default
//! tolerances), the same start and bounds, but with the exact gradient of a
//! log-space likelihood; a second L-BFGS-B run from that point with tight
//! tolerances polishes the optimum. Following
//! the reference's path (rather than a global search) matters: the mixture
//! likelihood is unbounded (a component can collapse onto a repeated value),
//! so "better" fits far from the reference's basin would change the pruning
//! for reasons that have nothing to do with fit quality.
//!
//! Gradients of `ln W(x; k, λ)` with `z = ln(x/λ)`, `t = e^{kz}`:
//! `∂/∂k = 1/k + z − t z`, `∂/∂λ = (k/λ)(t − 1)`; of the mixture,
//! `∂/∂w = r/w − (1 − r)/(1 − w)` with `r` the posterior of component 1.

use super::density::Mixture;
use crate::optim::{Bounds, LbfgsB};
use thiserror::Error;

/// Bounds on the mixture weight, as in the reference.
pub const W_BOUNDS: (f64, f64) = (0.2, 0.8);
/// Lower bound on shapes and scales, as in the reference.
pub const PARAM_FLOOR: f64 = 0.01;
/// The reference's start `(w, k₁, λ₁, k₂, λ₂)`.
pub const START: [f64; 5] = [0.5, 1.0, 1.0, 1.5, 2.0];
/// Evaluation budget per L-BFGS-B run (scipy's default `maxfun`).
const MAX_EVALS: usize = 15_000;
/// Returned in place of a non-finite objective so the line search backs off.
const INFEASIBLE: f64 = 1e300;

/// Why a fit could not be made.
#[derive(Debug, Error, PartialEq)]
pub enum FitError {
    /// A value is not a positive finite number.
    #[error("cannot fit a Weibull mixture: value {value} is not a positive finite number")]
    NotPositive {
        /// The value.
        value: f64,
    },
    /// Fewer than two distinct values.
    #[error("cannot fit a Weibull mixture: {distinct} distinct value(s), at least two are needed")]
    TooFewDistinct {
        /// How many distinct values there are.
        distinct: usize,
    },
}

/// A fitted mixture (high-mean component first) and its likelihood.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct FitResult {
    /// The mixture, higher-mean component first.
    pub mixture: Mixture,
    /// `−ln L` at the fit.
    pub neg_log_likelihood: f64,
    /// Objective evaluations used.
    pub evaluations: usize,
}

/// Distinct data values `(ln x, multiplicity)`.
struct Data {
    lx: Vec<(f64, f64)>,
}

impl Data {
    /// Negative log-likelihood and its gradient at `p = (w, k₁, λ₁, k₂, λ₂)`.
    fn nll_grad(&self, p: &[f64], g: &mut [f64]) -> f64 {
        let (w, k1, l1, k2, l2) = (p[0], p[1], p[2], p[3], p[4]);
        let (lw, lw1) = (w.ln(), (1.0 - w).ln());
        let (ll1, ll2) = (l1.ln(), l2.ln());
        let (c1, c2) = (lw + k1.ln() - ll1, lw1 + k2.ln() - ll2);
        let mut nll = 0.0;
        let (mut product, mut log_product) = (1.0f64, 0.0);
        // Σ c r, Σ c s, and the per-component sums the gradient needs.
        let (mut sr, mut ss) = (0.0, 0.0);
        let (mut gk1, mut gl1, mut gk2, mut gl2) = (0.0, 0.0, 0.0, 0.0);
        for &(lx, c) in &self.lx {
            let z1 = lx - ll1;
            let t1 = (k1 * z1).exp();
            let z2 = lx - ll2;
            let t2 = (k2 * z2).exp();
            let a = c1 + (k1 - 1.0) * z1 - t1;
            let b = c2 + (k2 - 1.0) * z2 - t2;
            // ln(e^a + e^b) = max(a, b) + ln(1 + e) and the posterior
            // r = e^a / (e^a + e^b) with one exp; the ln(1 + e) terms are
            // collected as a product (each factor in (1, 2]) and logged once.
            let e = (-(a - b).abs()).exp();
            let inv = 1.0 / (1.0 + e);
            let (r, s) = if a >= b { (inv, e * inv) } else { (e * inv, inv) };
            nll -= c * a.max(b);
            // (Most values occur once: skip powi's call for them.)
            product *= if c == 1.0 { 1.0 + e } else { (1.0 + e).powi(c as i32) };
            if product > 1e150 {
                log_product += product.ln();
                product = 1.0;
            }
            let (cr, cs) = (c * r, c * s);
            sr += cr;
            ss += cs;
            gk1 += cr * (z1 - t1 * z1);
            gl1 += cr * (t1 - 1.0);
            gk2 += cs * (z2 - t2 * z2);
            gl2 += cs * (t2 - 1.0);
        }
        nll -= log_product + product.ln();
        // d/dk ln W = 1/k + z − t z ;  d/dλ ln W = (k/λ)(t − 1) ;  d/dw = r/w − s/(1−w)
        let grad = [-(sr / w - ss / (1.0 - w)), -(sr / k1 + gk1), -(k1 / l1 * gl1), -(ss / k2 + gk2), -(k2 / l2 * gl2)];
        if !nll.is_finite() || grad.iter().any(|v| !v.is_finite()) {
            g.iter_mut().for_each(|v| *v = 0.0);
            return INFEASIBLE;
        }
        g.copy_from_slice(&grad);
        nll
    }
}

/// Fits the mixture to `data` (values must be positive and finite, with at
/// least two distinct values).
pub fn fit(data: &[f64]) -> Result<FitResult, FitError> {
    if let Some(bad) = data.iter().find(|x| !(x.is_finite() && **x > 0.0)) {
        return Err(FitError::NotPositive { value: *bad });
    }
    let mut sorted = data.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut lx: Vec<(f64, f64)> = Vec::new();
    let mut last = f64::NAN;
    for v in sorted {
        if v == last {
            lx.last_mut().expect("non-empty").1 += 1.0;
        } else {
            lx.push((v.ln(), 1.0));
            last = v;
        }
    }
    if lx.len() < 2 {
        return Err(FitError::TooFewDistinct { distinct: lx.len() });
    }
    let d = Data { lx };
    // scipy's defaults (factr 1e7, pgtol 1e-5), then a tight polish.
    let first = minimise(&d, &START, LbfgsB::default());
    let polished = minimise(&d, &first.x, LbfgsB { factr: 1e1, pgtol: 1e-11, ..LbfgsB::default() });
    let x = polished.x;
    let mixture = Mixture { w: x[0], k1: x[1], lambda1: x[2], k2: x[3], lambda2: x[4] }.high_first();
    Ok(FitResult { mixture, neg_log_likelihood: polished.f, evaluations: first.evaluations + polished.evaluations })
}

/// The best point one L-BFGS-B run visits (not necessarily its last).
struct Run {
    x: [f64; 5],
    f: f64,
    evaluations: usize,
}

/// One L-BFGS-B run on the box `w ∈ [0.2, 0.8]`, `k₁, λ₁, k₂, λ₂ ≥ 0.01`. A
/// run that stops with a warning (an abnormal line search, the budget) is
/// not an error: the best point seen is the answer either way.
fn minimise(d: &Data, x0: &[f64; 5], settings: LbfgsB) -> Run {
    let bounds = Bounds::new(
        vec![W_BOUNDS.0, PARAM_FLOOR, PARAM_FLOOR, PARAM_FLOOR, PARAM_FLOOR],
        vec![W_BOUNDS.1, f64::INFINITY, f64::INFINITY, f64::INFINITY, f64::INFINITY],
    )
    .expect("constant bounds are valid");
    let mut best = Run { x: *x0, f: f64::INFINITY, evaluations: 0 };
    let settings = LbfgsB { max_evaluations: MAX_EVALS, ..settings };
    let objective = |x: &[f64], g: &mut [f64]| {
        let f = d.nll_grad(x, g);
        best.evaluations += 1;
        if f < best.f {
            best.x.copy_from_slice(x);
            best.f = f;
        }
        f
    };
    settings.minimize(x0, &bounds, objective).expect("constant settings and bounds are valid");
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        let data = [0.31, 0.45, 0.45, 0.52, 0.77, 0.81, 0.9, 0.93, 0.12];
        let mut lx: Vec<(f64, f64)> = Vec::new();
        for v in data {
            lx.push((f64::ln(v), 1.0));
        }
        let d = Data { lx };
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
}
