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
//! The objective and its gradient: [`super::objective`].

use super::density::Mixture;
use super::objective::Data;
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

/// Why a fit could not be made.
#[derive(Debug, Clone, Error, PartialEq)]
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
    let d = Data::new(&lx);
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
