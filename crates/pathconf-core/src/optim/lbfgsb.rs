//! The L-BFGS-B driver (Byrd, Lu, Nocedal & Zhu 1995, Algorithm L-BFGS-B,
//! with the subspace step of Morales & Nocedal 2011).
//!
//! Each iteration from a feasible `x` with gradient `g`:
//! 1. the generalised Cauchy point `xᶜ` of the quadratic model
//!    `m(z) = f + gᵀ(z − x) + ½(z − x)ᵀB(z − x)` along `P(x − t g)`
//!    (`cauchy.rs`);
//! 2. the model minimised over the variables free at `xᶜ`, giving `x̄`
//!    (`subspace.rs`);
//! 3. a Moré–Thuente line search along `d = x̄ − x` for a step in
//!    `(0, α_max]`, `α_max` the largest feasible step ([`super::line_search`],
//!    `μ = 10⁻³`, `η = 0.9`, `xtol = 0.1`, at most `max_line_search`
//!    evaluations). The first trial step is 1, except on the first
//!    iteration, where it is `min(1/‖d‖, 1)` (no curvature is known yet);
//! 4. the pair `s = x₊ − x`, `y = g₊ − g` joins the memory if
//!    `sᵀy > ε·(−gᵀs)` (curvature positive relative to the decrease the
//!    step was expected to give), otherwise it is skipped.
//!
//! It stops when `‖P(x − g) − x‖_∞ ≤ pgtol`, or when
//! `(f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ factr·ε` (scipy's two tests
//! and meanings), or at the evaluation or iteration budget. A failed line
//! search (no acceptable step within the budget, or `d` not a descent
//! direction) restores the previous iterate and restarts with an empty
//! memory; it ends the run only when the memory was already empty.
//!
//! Everything lives in the call's own variables: fits run in parallel. The
//! buffers (the memory's pairs and products, the Cauchy and subspace steps'
//! vectors, the trial point) are allocated once per call, so an iteration
//! allocates only the subspace step's small `t × t` matrix.

use super::bounds::Bounds;
use super::cauchy::CauchyPoint;
use super::line_search::{LineSearchParams, MoreThuente, Step};
use super::memory::{dot, Memory};
use super::subspace::Subspace;
use super::OptimError;

/// Settings of L-BFGS-B; [`Default`] is scipy's
/// `minimize(method="L-BFGS-B")`.
///
/// | name | default | purpose | range |
/// |---|---|---|---|
/// | `memory` | 10 | correction pairs kept (`m`) | ≥ 1 |
/// | `factr` | 1e7 (`ftol` = 2.2e-9) | relative-reduction test, in units of ε | ≥ 0 |
/// | `pgtol` | 1e-5 | projected-gradient test | ≥ 0 |
/// | `max_line_search` | 20 | evaluations per line search | ≥ 1 |
/// | `max_evaluations` | 15,000 | objective evaluations | ≥ 1 |
/// | `max_iterations` | 15,000 | iterations | ≥ 1 |
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LbfgsB {
    /// Correction pairs kept.
    pub memory: usize,
    /// Relative-reduction tolerance in units of machine ε.
    pub factr: f64,
    /// Projected-gradient tolerance.
    pub pgtol: f64,
    /// Evaluations allowed per line search.
    pub max_line_search: usize,
    /// Objective evaluations allowed.
    pub max_evaluations: usize,
    /// Iterations allowed.
    pub max_iterations: usize,
    /// The line search's constants.
    pub line_search: LineSearchParams,
}

impl Default for LbfgsB {
    fn default() -> Self {
        Self {
            memory: 10,
            factr: 1e7,
            pgtol: 1e-5,
            max_line_search: 20,
            max_evaluations: 15_000,
            max_iterations: 15_000,
            line_search: LineSearchParams::default(),
        }
    }
}

/// Why a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Termination {
    /// `‖P(x − g) − x‖_∞ ≤ pgtol`.
    ProjectedGradient,
    /// The relative reduction of `f` fell below `factr·ε`.
    RelativeReduction,
    /// A line search failed with an empty memory.
    LineSearchFailed,
    /// The evaluation budget ran out.
    MaxEvaluations,
    /// The iteration budget ran out.
    MaxIterations,
}

/// The result of a run: the last accepted iterate.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// The point.
    pub x: Vec<f64>,
    /// `f(x)`.
    pub f: f64,
    /// `∇f(x)`.
    pub g: Vec<f64>,
    /// `‖P(x − g) − x‖_∞` there.
    pub projected_gradient: f64,
    /// Iterations (accepted steps).
    pub iterations: usize,
    /// Objective evaluations.
    pub evaluations: usize,
    /// Why it stopped.
    pub termination: Termination,
}

impl LbfgsB {
    /// Checks the settings.
    pub fn check(self) -> Result<Self, OptimError> {
        let p = self.line_search;
        let ok = self.memory >= 1
            && self.factr >= 0.0
            && self.pgtol >= 0.0
            && self.max_line_search >= 1
            && self.max_evaluations >= 1
            && self.max_iterations >= 1
            && 0.0 < p.ftol
            && p.ftol < p.gtol
            && p.gtol < 1.0
            && p.xtol > 0.0;
        if ok {
            Ok(self)
        } else {
            Err(OptimError::BadSettings(self))
        }
    }

    /// Minimises `objective` over `bounds` from `x0` (projected onto the box
    /// first). `objective(x, g)` returns `f(x)` and writes `∇f(x)` into `g`.
    pub fn minimize(&self, x0: &[f64], bounds: &Bounds, mut objective: impl FnMut(&[f64], &mut [f64]) -> f64) -> Result<Minimum, OptimError> {
        let settings = self.check()?;
        let n = x0.len();
        if bounds.len() != n {
            return Err(OptimError::Dimension { start: n, bounds: bounds.len() });
        }
        let mut x = x0.to_vec();
        bounds.project(&mut x);
        let mut g = vec![0.0; n];
        let mut f = objective(&x, &mut g);
        let mut evaluations = 1;
        let mut iterations = 0;
        let finish = |x: Vec<f64>, f: f64, g: Vec<f64>, iterations, evaluations, termination| {
            let projected_gradient = bounds.projected_gradient_norm(&x, &g);
            Ok(Minimum { x, f, g, projected_gradient, iterations, evaluations, termination })
        };
        if bounds.projected_gradient_norm(&x, &g) <= settings.pgtol {
            return finish(x, f, g, 0, evaluations, Termination::ProjectedGradient);
        }
        let (constrained, boxed) = (bounds.is_constrained(), bounds.is_boxed());
        let mut mem = Memory::new(n, settings.memory);
        let mut cp = CauchyPoint::new(n, settings.memory);
        let mut sub = Subspace::new(n, settings.memory);
        let mut d = vec![0.0; n];
        let mut trial = vec![0.0; n];
        let mut g_trial = vec![0.0; n];
        let (mut s, mut y) = (vec![0.0; n], vec![0.0; n]);
        loop {
            // Search direction d = x̄ − x.
            if !constrained && mem.len() > 0 {
                cp.at(&x, &mem);
            } else {
                cp.compute(&x, &g, bounds, &mem);
            }
            sub.compute(&x, &g, bounds, &mem, &cp);
            let xbar = &sub.xbar;
            d.iter_mut().zip(xbar.iter().zip(&x)).for_each(|(di, (a, b))| *di = a - b);
            let slope0: f64 = d.iter().zip(&g).map(|(a, b)| a * b).sum();
            // Line search.
            let mut accepted = None;
            if slope0 < 0.0 {
                let max_step = if !constrained {
                    1e10
                } else if iterations == 0 {
                    1.0
                } else {
                    bounds.max_step(&x, &d, 1e10)
                };
                let d_norm = d.iter().map(|v| v * v).sum::<f64>().sqrt();
                let first = if iterations == 0 && !boxed { (1.0 / d_norm).min(max_step) } else { 1.0 };
                let (mut search, mut step) = MoreThuente::start(settings.line_search, f, slope0, first, 0.0, max_step);
                for _ in 0..settings.max_line_search {
                    if step == 1.0 {
                        trial.copy_from_slice(xbar);
                    } else {
                        for i in 0..n {
                            trial[i] = x[i] + step * d[i];
                        }
                    }
                    let f_trial = objective(&trial, &mut g_trial);
                    evaluations += 1;
                    let slope: f64 = d.iter().zip(&g_trial).map(|(a, b)| a * b).sum();
                    match search.next(f_trial, slope) {
                        Step::Evaluate(next) => step = next,
                        Step::Converged | Step::Warning(_) => {
                            accepted = Some((f_trial, step));
                            break;
                        }
                    }
                    if evaluations >= settings.max_evaluations {
                        // Out of budget inside a line search: keep the better point.
                        if f_trial < f {
                            return finish(trial.clone(), f_trial, g_trial.clone(), iterations, evaluations, Termination::MaxEvaluations);
                        }
                        return finish(x, f, g, iterations, evaluations, Termination::MaxEvaluations);
                    }
                }
            }
            let Some((f_new, step)) = accepted else {
                // No acceptable step: restart without memory, or give up.
                if mem.len() == 0 {
                    return finish(x, f, g, iterations, evaluations, Termination::LineSearchFailed);
                }
                mem.reset();
                continue;
            };
            iterations += 1;
            let f_old = f;
            s.iter_mut().zip(trial.iter().zip(&x)).for_each(|(si, (a, b))| *si = a - b);
            y.iter_mut().zip(g_trial.iter().zip(&g)).for_each(|(yi, (a, b))| *yi = a - b);
            x.copy_from_slice(&trial);
            g.copy_from_slice(&g_trial);
            f = f_new;
            if bounds.projected_gradient_norm(&x, &g) <= settings.pgtol {
                return finish(x, f, g, iterations, evaluations, Termination::ProjectedGradient);
            }
            if f_old - f <= settings.factr * f64::EPSILON * f_old.abs().max(f.abs()).max(1.0) {
                return finish(x, f, g, iterations, evaluations, Termination::RelativeReduction);
            }
            if evaluations >= settings.max_evaluations {
                return finish(x, f, g, iterations, evaluations, Termination::MaxEvaluations);
            }
            if iterations >= settings.max_iterations {
                return finish(x, f, g, iterations, evaluations, Termination::MaxIterations);
            }
            let sy = dot(&s, &y);
            if sy > f64::EPSILON * (-slope0 * step) && mem.push(&s, &y).is_err() {
                mem.reset();
            }
        }
    }
}
