//! The Moré–Thuente line search: a step `α > 0` along a descent direction
//! that satisfies the strong Wolfe conditions
//!
//! ```text
//! φ(α) ≤ φ(0) + μ α φ'(0)          (sufficient decrease, μ = `ftol`)
//! |φ'(α)| ≤ η |φ'(0)|              (curvature, η = `gtol`)
//! ```
//!
//! within `[α_min, α_max]`, by safeguarded cubic/quadratic interpolation over
//! an interval of uncertainty that is guaranteed to contain such a step
//! (Moré & Thuente 1994, Sections 2–4). While no step with `ψ(α) ≤ 0` and
//! `φ'(α) ≥ 0` has been seen (stage 1) the trial steps are chosen on the
//! auxiliary function `ψ(α) = φ(α) − φ(0) − μ α φ'(0)`, afterwards on `φ`
//! itself (Section 3: this is what guarantees termination when `η < μ` is
//! not assumed).
//!
//! The search is a state machine driven by its caller ([`MoreThuente::next`]):
//! the caller evaluates `φ` and `φ'` at the step it is given and reports them
//! back, so the objective's state (here, the whole gradient vector at the
//! trial point) stays with the caller.
//!
//! ## References
//! - J. J. Moré, D. J. Thuente, *Line search algorithms with guaranteed
//!   sufficient decrease*, ACM TOMS 20(3), 1994, 286–307.

/// Parameters of the search (L-BFGS-B's choices are the [`Default`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineSearchParams {
    /// μ: sufficient-decrease constant (1e-3).
    pub ftol: f64,
    /// η: curvature constant (0.9).
    pub gtol: f64,
    /// Relative width of the interval of uncertainty below which the search
    /// gives up improving the step (0.1).
    pub xtol: f64,
}

impl Default for LineSearchParams {
    fn default() -> Self {
        Self { ftol: 1e-3, gtol: 0.9, xtol: 0.1 }
    }
}

/// Extrapolation factors for the interval bounds before a minimiser is
/// bracketed (Section 4: `α⁺ ∈ [α + δ_min(α − α_l), α + δ_max(α − α_l)]`).
const EXTRAPOLATE_MIN: f64 = 1.1;
const EXTRAPOLATE_MAX: f64 = 4.0;
/// Once bracketed, the interval must shrink by this factor every two steps,
/// or the next trial is the bisection point (Section 4).
const SHRINK: f64 = 0.66;

/// What the caller should do next.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// Evaluate `φ` and `φ'` at this step and call [`MoreThuente::next`].
    Evaluate(f64),
    /// The last evaluated step satisfies the strong Wolfe conditions.
    Converged,
    /// The last evaluated step is the best the search can do (interval
    /// below `xtol`, rounding errors, or a step at `α_min`/`α_max`); it is
    /// accepted as the new iterate, as L-BFGS-B does.
    Warning(Warning),
}

/// Why the search stopped short of the strong Wolfe conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Warning {
    /// Rounding errors prevent further progress.
    RoundingErrors,
    /// The interval of uncertainty is narrower than `xtol`.
    XtolReached,
    /// The step is `α_max` and still decreasing.
    AtMaximum,
    /// The step is `α_min` and the conditions fail.
    AtMinimum,
}

/// A point `(α, φ(α), φ'(α))` of the interval.
#[derive(Debug, Clone, Copy)]
struct Point {
    step: f64,
    value: f64,
    slope: f64,
}

/// The state of one line search.
#[derive(Debug, Clone)]
pub struct MoreThuente {
    params: LineSearchParams,
    min_step: f64,
    max_step: f64,
    /// `φ(0)` and `φ'(0)`.
    value0: f64,
    slope0: f64,
    /// The current trial step.
    step: f64,
    /// Best step so far (`α_l`) and the other end of the interval (`α_u`).
    best: Point,
    other: Point,
    bracketed: bool,
    stage_one: bool,
    width: f64,
    previous_width: f64,
    /// Bounds for the next trial step.
    lo: f64,
    hi: f64,
}

impl MoreThuente {
    /// Starts a search from `φ(0) = value0`, `φ'(0) = slope0 < 0` with first
    /// trial `step` in `[min_step, max_step]`. Returns the search and the
    /// first step to evaluate (the trial, clamped into the range).
    pub fn start(params: LineSearchParams, value0: f64, slope0: f64, step: f64, min_step: f64, max_step: f64) -> (Self, f64) {
        debug_assert!(slope0 < 0.0, "not a descent direction");
        let step = step.clamp(min_step, max_step);
        let origin = Point { step: 0.0, value: value0, slope: slope0 };
        let width = max_step - min_step;
        let search = Self {
            params,
            min_step,
            max_step,
            value0,
            slope0,
            step,
            best: origin,
            other: origin,
            bracketed: false,
            stage_one: true,
            width,
            previous_width: 2.0 * width,
            lo: 0.0,
            hi: step + EXTRAPOLATE_MAX * step,
        };
        (search, step)
    }

    /// Reports `φ(α) = value`, `φ'(α) = slope` at the step last asked for.
    pub fn next(&mut self, value: f64, slope: f64) -> Step {
        let p = self.params;
        let stp = self.step;
        let decrease_slope = p.ftol * self.slope0;
        let sufficient = self.value0 + stp * decrease_slope;
        if self.stage_one && value <= sufficient && slope >= 0.0 {
            self.stage_one = false;
        }
        // Tests on the step just evaluated: convergence first, then the
        // reasons to stop short of it, the most specific first.
        if value <= sufficient && slope.abs() <= p.gtol * (-self.slope0) {
            return Step::Converged;
        }
        if stp == self.min_step && (value > sufficient || slope >= decrease_slope) {
            return Step::Warning(Warning::AtMinimum);
        }
        if stp == self.max_step && value <= sufficient && slope <= decrease_slope {
            return Step::Warning(Warning::AtMaximum);
        }
        if self.bracketed && self.hi - self.lo <= p.xtol * self.hi {
            return Step::Warning(Warning::XtolReached);
        }
        if self.bracketed && (stp <= self.lo || stp >= self.hi) {
            return Step::Warning(Warning::RoundingErrors);
        }
        let trial = Point { step: stp, value, slope };
        let next = if self.stage_one && value <= self.best.value && value > sufficient {
            // Stage 1 on ψ: shift values and slopes by the decrease line.
            let shift = |q: Point| Point { step: q.step, value: q.value - q.step * decrease_slope, slope: q.slope - decrease_slope };
            let unshift = |q: Point| Point { step: q.step, value: q.value + q.step * decrease_slope, slope: q.slope + decrease_slope };
            let (mut best, mut other) = (shift(self.best), shift(self.other));
            let next = trial_step(&mut best, &mut other, shift(trial), &mut self.bracketed, self.lo, self.hi);
            self.best = unshift(best);
            self.other = unshift(other);
            next
        } else {
            trial_step(&mut self.best, &mut self.other, trial, &mut self.bracketed, self.lo, self.hi)
        };
        let mut next = next;
        if self.bracketed {
            // Force sufficient shrinkage of the interval (bisection otherwise).
            let span = (self.other.step - self.best.step).abs();
            if span >= SHRINK * self.previous_width {
                next = self.best.step + 0.5 * (self.other.step - self.best.step);
            }
            self.previous_width = self.width;
            self.width = span;
        }
        if self.bracketed {
            self.lo = self.best.step.min(self.other.step);
            self.hi = self.best.step.max(self.other.step);
        } else {
            let from = self.best.step;
            self.lo = next + EXTRAPOLATE_MIN * (next - from);
            self.hi = next + EXTRAPOLATE_MAX * (next - from);
        }
        next = next.clamp(self.min_step, self.max_step);
        // Nothing better can be found: fall back to the best step.
        if self.bracketed && (next <= self.lo || next >= self.hi || self.hi - self.lo <= p.xtol * self.hi) {
            next = self.best.step;
        }
        self.step = next;
        Step::Evaluate(next)
    }
}

/// Minimiser of the cubic interpolating `(a, fa, da)` and `(b, fb, db)`.
/// With `clamp_far`, a cubic that has no minimiser on the far side returns
/// `None` instead (case 3 of Section 4).
fn cubic_minimiser(a: Point, b: Point, clamp_far: bool) -> Option<f64> {
    let theta = 3.0 * (a.value - b.value) / (b.step - a.step) + a.slope + b.slope;
    let s = theta.abs().max(a.slope.abs()).max(b.slope.abs());
    let disc = (theta / s) * (theta / s) - (a.slope / s) * (b.slope / s);
    let mut gamma = if clamp_far { s * disc.max(0.0).sqrt() } else { s * disc.sqrt() };
    if b.step < a.step {
        gamma = -gamma;
    }
    let p = (gamma - a.slope) + theta;
    let q = (gamma - a.slope) + gamma + b.slope;
    let r = p / q;
    if clamp_far {
        // The cubic tends to infinity in the direction of the step, or its
        // minimum is beyond b: use it; otherwise the caller takes a bound.
        if r < 0.0 && gamma != 0.0 {
            return Some(a.step + r * (b.step - a.step));
        }
        return None;
    }
    Some(a.step + r * (b.step - a.step))
}

/// Minimiser of the quadratic through `(a, fa, da)` and `(b, fb)`.
fn quadratic_minimiser(a: Point, b: Point) -> f64 {
    let h = b.step - a.step;
    a.step + a.slope / ((a.value - b.value) / h + a.slope) / 2.0 * h
}

/// Minimiser of the quadratic with slopes `da` at `a` and `db` at `b` (secant).
fn secant_minimiser(a: Point, b: Point) -> f64 {
    a.step + a.slope / (a.slope - b.slope) * (b.step - a.step)
}

/// One safeguarded step of Section 4: chooses the next trial from the best
/// point `best` (`α_l`), the other end `other` (`α_u`) and the new trial,
/// then updates the interval. `lo`, `hi` bound the step when no minimiser is
/// bracketed yet.
fn trial_step(best: &mut Point, other: &mut Point, trial: Point, bracketed: &mut bool, lo: f64, hi: f64) -> f64 {
    let opposite = trial.slope * best.slope.signum() < 0.0;
    let next = if trial.value > best.value {
        // Case 1: higher value — a minimiser lies between best and trial.
        *bracketed = true;
        let cubic = cubic_minimiser(*best, trial, false).expect("case 1 cubic");
        let quad = quadratic_minimiser(*best, trial);
        if (cubic - best.step).abs() < (quad - best.step).abs() {
            cubic
        } else {
            cubic + (quad - cubic) / 2.0
        }
    } else if opposite {
        // Case 2: lower value, slopes of opposite sign — bracketed.
        *bracketed = true;
        let cubic = cubic_minimiser(trial, *best, false).expect("case 2 cubic");
        let secant = secant_minimiser(trial, *best);
        if (cubic - trial.step).abs() > (secant - trial.step).abs() {
            cubic
        } else {
            secant
        }
    } else if trial.slope.abs() < best.slope.abs() {
        // Case 3: lower value, same sign, slope magnitude decreases.
        let toward_far = if trial.step > best.step { hi } else { lo };
        let cubic = cubic_minimiser(trial, *best, true).unwrap_or(toward_far);
        let secant = secant_minimiser(trial, *best);
        if *bracketed {
            let s = if (cubic - trial.step).abs() < (secant - trial.step).abs() { cubic } else { secant };
            let limit = trial.step + SHRINK * (other.step - trial.step);
            if trial.step > best.step {
                s.min(limit)
            } else {
                s.max(limit)
            }
        } else {
            let s = if (cubic - trial.step).abs() > (secant - trial.step).abs() { cubic } else { secant };
            s.clamp(lo.min(hi), hi.max(lo))
        }
    } else if *bracketed {
        // Case 4, bracketed: cubic between the trial and the other end.
        cubic_minimiser(trial, *other, false).expect("case 4 cubic")
    } else if trial.step > best.step {
        hi
    } else {
        lo
    };
    // Update the interval of uncertainty.
    if trial.value > best.value {
        *other = trial;
    } else {
        if opposite {
            *other = *best;
        }
        *best = trial;
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a search on `φ` from step `a0` and returns (step, evaluations, outcome).
    fn run(phi: impl Fn(f64) -> (f64, f64), a0: f64, params: LineSearchParams) -> (f64, usize, Step) {
        let (f0, g0) = phi(0.0);
        let (mut ls, mut a) = MoreThuente::start(params, f0, g0, a0, 0.0, 1e10);
        for evals in 1..=100 {
            let (f, g) = phi(a);
            match ls.next(f, g) {
                Step::Evaluate(next) => a = next,
                done => return (a, evals, done),
            }
        }
        panic!("no termination in 100 evaluations");
    }

    fn wolfe(phi: &impl Fn(f64) -> (f64, f64), a: f64, p: LineSearchParams) -> bool {
        let (f0, g0) = phi(0.0);
        let (f, g) = phi(a);
        f <= f0 + p.ftol * a * g0 && g.abs() <= p.gtol * g0.abs()
    }

    #[test]
    fn moré_thuente_table_functions_converge_to_wolfe_points() {
        // Functions (5.1) (μ = 1e-3, η = 0.1) and (5.2) (μ = η = 0.1) of the
        // paper; from every starting step of its tables the search must end
        // at a strong Wolfe point in few evaluations. (5.2)'s curvature
        // condition needs the minimiser to ~1e-3 relative, so the interval
        // tolerance is tightened from L-BFGS-B's 0.1.
        let f1 = |a: f64| (-a / (a * a + 2.0), (a * a - 2.0) / ((a * a + 2.0) * (a * a + 2.0)));
        let f2 = |a: f64| ((a + 0.004).powi(5) - 2.0 * (a + 0.004).powi(4), 5.0 * (a + 0.004).powi(4) - 8.0 * (a + 0.004).powi(3));
        for (name, phi, ftol) in [("5.1", &f1 as &dyn Fn(f64) -> (f64, f64), 1e-3), ("5.2", &f2, 0.1)] {
            let params = LineSearchParams { ftol, gtol: 0.1, xtol: 1e-10 };
            for a0 in [1e-3, 1e-1, 1e1, 1e3] {
                let (a, evals, outcome) = run(phi, a0, params);
                assert_eq!(outcome, Step::Converged, "function {name}, α₀ = {a0}: {outcome:?} at α = {a}");
                assert!(wolfe(&phi, a, params), "function {name}, α₀ = {a0}: α = {a} is not a Wolfe point");
                assert!(evals <= 20, "function {name}, α₀ = {a0}: {evals} evaluations");
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(crate::verify::search::case::proptest_config(256))]

        /// A step that does not decrease `φ` is never accepted, however
        /// flat it is there: on `φ(α) = c α (α − r)²` (c < 0) the first
        /// trial `α = r` has `φ(r) = φ(0)` and `φ'(r) = 0` — curvature met,
        /// sufficient decrease not. The search must end elsewhere, at a
        /// strong Wolfe point (found missing by seeding a sign error into
        /// the sufficient-decrease test: `scripts/seeded_bugs.sh`).
        #[test]
        fn a_flat_step_without_decrease_is_not_accepted(c in -2.0f64..-0.01, r in 0.5f64..3.0) {
            let phi = move |a: f64| (c * a * (a - r) * (a - r), c * ((a - r) * (a - r) + 2.0 * a * (a - r)));
            let p = LineSearchParams::default();
            let (a, _, outcome) = run(phi, r, p);
            proptest::prop_assert_eq!(outcome, Step::Converged);
            proptest::prop_assert!(wolfe(&phi, a, p), "α = {a} (r = {r}, c = {c}) is not a Wolfe point");
        }
    }

    #[test]
    fn quadratic_takes_the_unit_step_when_it_is_exact() {
        // φ(α) = (α − 1)²: α = 1 is the minimiser and satisfies both conditions.
        let phi = |a: f64| ((a - 1.0) * (a - 1.0), 2.0 * (a - 1.0));
        let (a, evals, outcome) = run(phi, 1.0, LineSearchParams::default());
        assert_eq!((a, evals, outcome), (1.0, 1, Step::Converged));
    }

    #[test]
    fn too_long_first_step_backs_off_to_a_sufficient_decrease() {
        // A steep wall: the first trial overshoots far past the minimiser at 1.
        let phi = |a: f64| ((a - 1.0).powi(4) - a, 4.0 * (a - 1.0).powi(3) - 1.0);
        let p = LineSearchParams::default();
        let (a, _, outcome) = run(phi, 1e3, p);
        assert_eq!(outcome, Step::Converged);
        assert!(wolfe(&phi, a, p), "α = {a}");
    }

    #[test]
    fn stops_at_the_maximum_step_while_still_decreasing() {
        let phi = |a: f64| (-a, -1.0);
        let (f0, g0) = phi(0.0);
        let (mut ls, mut a) = MoreThuente::start(LineSearchParams::default(), f0, g0, 1.0, 0.0, 5.0);
        let mut outcome = Step::Evaluate(a);
        for _ in 0..20 {
            let (f, g) = phi(a);
            outcome = ls.next(f, g);
            match outcome {
                Step::Evaluate(next) => a = next,
                _ => break,
            }
        }
        assert_eq!((a, outcome), (5.0, Step::Warning(Warning::AtMaximum)));
    }
}
