//! Accuracy vs `n` for a population of questions, and the theory of majority
//! voting as `n` grows.
//!
//! - [`population_accuracy`]: the weighted mean of each question's selection
//!   accuracy (exact where every question's is exact).
//! - [`BinaryMixture`]: Chen et al., "Are More LLM Calls All You Need?"
//!   (arXiv 2403.02419), Theorem 1. A share `α` of easy binary questions
//!   (`p₁ > ½`) and `1 − α` of hard ones (`p₂ < ½`); at odd `n`,
//!   `F(n) = α I_{p₁}(h, h) + (1 − α) I_{p₂}(h, h)`, `h = (n+1)/2`. From the
//!   increment identity `A(2m+3) − A(2m+1) = (2p−1) C(2m+1, m) (p(1−p))^{m+1}`
//!   the sign of `F(2m+3) − F(2m+1)` is that of `1 − R₀ ρ^m` with
//!   `R₀ = (1−α)(1−2p₂)p₂(1−p₂) / (α(2p₁−1)p₁(1−p₁))` and
//!   `ρ = p₂(1−p₂) / (p₁(1−p₁))`: at most one change of direction. With
//!   `t = p₂(1−p₂)(½−p₂) / [p₁(1−p₁)(p₁−½)] + 1`, `R₀ < 1 ⇔ α > 1 − 1/t`, and
//!   `ρ > 1 ⇔ p₁ + p₂ > 1`. So: `p₁ + p₂ > 1` — inverse-U if `α > 1 − 1/t`,
//!   else decreasing; `p₁ + p₂ < 1` — increasing if `α ≥ 1 − 1/t`, else
//!   U-shaped; the turn is at `m* = ln(1/R₀) / ln ρ`.
//! - [`chernoff_rate`]: SC's error decays as `exp(−n · min_j I_j)`,
//!   `I_j = −ln(1 − (√p_y − √p_j)²)`, up to a polynomial factor.

use super::{selection_accuracy, AccuracyConfig, AccuracyError};
use crate::distribution::PathDistribution;
use crate::estimators::EstimatorId;
use crate::progress::Observer;
use crate::provenance::{Interval, Provenance};
use serde::Serialize;

/// One estimator's population accuracy at one `n`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PopulationPoint {
    /// The estimator.
    pub estimator: EstimatorId,
    /// Sample size.
    pub n: u64,
    /// Weighted mean accuracy.
    pub p_correct: f64,
    /// `monte_carlo` if any question needed it, else `enumeration` if any
    /// did, else `exact`.
    pub method: Provenance,
    /// 95% interval (Monte Carlo only; questions' errors combined in
    /// quadrature; reports: `ci_low`, `ci_high`).
    #[serde(flatten, with = "crate::provenance::flat::ci")]
    pub ci: Option<Interval>,
}

/// Population accuracy of `estimators` at `ns` for weighted questions
/// (weights summing to one).
pub fn population_accuracy(
    questions: &[(f64, PathDistribution)],
    estimators: &[EstimatorId],
    ns: &[u64],
    cfg: &AccuracyConfig,
    observer: &dyn Observer,
) -> Result<Vec<PopulationPoint>, AccuracyError> {
    let mut points: Vec<PopulationPoint> = Vec::new();
    let mut var: Vec<f64> = Vec::new();
    let z = crate::montecarlo::z_two_sided(0.05);
    for (qi, (w, d)) in questions.iter().enumerate() {
        let q_cfg = AccuracyConfig { seed: crate::seed::derive(cfg.seed, &[crate::seed::tag("accuracy/population"), qi as u64]), ..*cfg };
        let rows = selection_accuracy(d, estimators, ns, &q_cfg, observer)?;
        if points.is_empty() {
            points = rows.iter().map(|r| PopulationPoint { estimator: r.estimator, n: r.n, p_correct: 0.0, method: Provenance::Exact, ci: None }).collect();
            var = vec![0.0; rows.len()];
        }
        for ((p, v), r) in points.iter_mut().zip(var.iter_mut()).zip(&rows) {
            p.p_correct += w * r.p_correct;
            p.method = worse(p.method, r.method);
            if let Some(ci) = r.ci {
                let se = ci.width() / (2.0 * z);
                *v += (w * se).powi(2);
            }
        }
    }
    for (p, v) in points.iter_mut().zip(var) {
        if p.method == Provenance::MonteCarlo {
            p.ci = Some(Interval::around(p.p_correct, z * v.sqrt()).clamp(0.0, 1.0));
        }
    }
    Ok(points)
}

fn worse(a: Provenance, b: Provenance) -> Provenance {
    use Provenance::*;
    match (a, b) {
        (MonteCarlo, _) | (_, MonteCarlo) => MonteCarlo,
        (Enumeration, _) | (_, Enumeration) => Enumeration,
        _ => Exact,
    }
}

/// The shape of an accuracy curve over odd `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// Never decreases.
    Increasing,
    /// Never increases.
    Decreasing,
    /// Increases, then decreases.
    InverseU,
    /// Decreases, then increases.
    U,
    /// Changes direction more than once (not predicted by Theorem 1).
    Other,
}

/// Chen et al.'s easy/hard binary mixture.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BinaryMixture {
    /// Share of easy questions.
    pub alpha: f64,
    /// `P(correct)` per sample on easy questions (`> ½`).
    pub p_easy: f64,
    /// `P(correct)` per sample on hard questions (`< ½`).
    pub p_hard: f64,
}

/// Theorem 1's prediction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ShapePrediction {
    /// The predicted shape.
    pub shape: Shape,
    /// `t` of Theorem 1.
    pub t: f64,
    /// `1 − 1/t`, the threshold on `α`.
    pub alpha_threshold: f64,
    /// The odd `n` after which the direction changes (`2m* + 1`), if it does.
    pub turn_n: Option<f64>,
}

impl BinaryMixture {
    /// Majority-vote accuracy at odd `n`: `α I_{p₁}(h, h) + (1 − α) I_{p₂}(h, h)`.
    pub fn accuracy(&self, n: u64) -> f64 {
        assert!(n % 2 == 1, "the closed form is for odd n");
        let h = (n + 1) as f64 / 2.0;
        let i = |p: f64| {
            if p <= 0.0 {
                0.0
            } else if p >= 1.0 {
                1.0
            } else {
                statrs::function::beta::beta_reg(h, h, p)
            }
        };
        self.alpha * i(self.p_easy) + (1.0 - self.alpha) * i(self.p_hard)
    }

    /// Theorem 1's shape (requires `p_easy > ½ > p_hard`, `0 < α < 1`).
    pub fn predict(&self) -> Option<ShapePrediction> {
        let (a, p1, p2) = (self.alpha, self.p_easy, self.p_hard);
        if !(p1 > 0.5 && p2 < 0.5 && p2 > 0.0 && p1 < 1.0 && a > 0.0 && a < 1.0) {
            return None;
        }
        let t = p2 * (1.0 - p2) * (0.5 - p2) / (p1 * (1.0 - p1) * (p1 - 0.5)) + 1.0;
        let thr = 1.0 - 1.0 / t;
        let r0 = (1.0 - a) * (1.0 - 2.0 * p2) * p2 * (1.0 - p2) / (a * (2.0 * p1 - 1.0) * p1 * (1.0 - p1));
        let rho = p2 * (1.0 - p2) / (p1 * (1.0 - p1));
        let starts_up = r0 < 1.0;
        let (shape, turns) = if rho > 1.0 {
            if starts_up {
                (Shape::InverseU, true)
            } else {
                (Shape::Decreasing, false)
            }
        } else if rho < 1.0 {
            if starts_up {
                (Shape::Increasing, false)
            } else {
                (Shape::U, true)
            }
        } else if starts_up {
            (Shape::Increasing, false)
        } else {
            (Shape::Decreasing, false)
        };
        let turn_n = turns.then(|| 2.0 * ((1.0 / r0).ln() / rho.ln()) + 1.0);
        Some(ShapePrediction { shape, t, alpha_threshold: thr, turn_n })
    }
}

/// The shape of a sequence (e.g. accuracy at odd `n`), ignoring changes of
/// at most `tol` (`tol ≥ 0`).
pub fn observed_shape(values: &[f64], tol: f64) -> Shape {
    let signs: Vec<i8> = values.windows(2).map(|w| w[1] - w[0]).filter(|d| d.abs() > tol).map(|d| if d > 0.0 { 1 } else { -1 }).collect();
    let mut runs: Vec<i8> = Vec::new();
    for s in signs {
        if runs.last() != Some(&s) {
            runs.push(s);
        }
    }
    match runs.as_slice() {
        [] | [1] => Shape::Increasing,
        [-1] => Shape::Decreasing,
        [1, -1] => Shape::InverseU,
        [-1, 1] => Shape::U,
        _ => Shape::Other,
    }
}

/// SC's large-`n` error exponent `min_{j≠y} −ln(1 − (√p_y − √p_j)²)`, when
/// the correct answer `y` is the unique most likely answer.
pub fn chernoff_rate(masses: &[f64], y: usize) -> Option<f64> {
    let py = masses[y];
    let others = masses.iter().enumerate().filter(|&(j, _)| j != y).map(|(_, &p)| p);
    if others.clone().any(|p| p >= py) {
        return None;
    }
    others.map(|pj| -(-(py.sqrt() - pj.sqrt()).powi(2)).ln_1p()).reduce(f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A change of exactly `tol` is ignored; one just above it counts.
    /// (Mutation testing: `≥ tol` for `> tol` went unseen.)
    #[test]
    fn a_change_of_exactly_the_tolerance_is_ignored() {
        let rise_and_fall = [0.0, 0.25, 0.0];
        assert_eq!(observed_shape(&rise_and_fall, 0.25), Shape::Increasing);
        assert_eq!(observed_shape(&rise_and_fall, 0.125), Shape::InverseU);
        assert_eq!(observed_shape(&[0.5, 0.25, 0.5], 0.125), Shape::U);
    }

    /// The mixture's majority accuracy by hand: `α P(Bin(n, p₁) > n/2) + (1 − α) P(Bin(n, p₂) > n/2)`
    /// (mutation testing: a sign between the two terms went unnoticed).
    #[test]
    fn the_mixture_accuracy_weighs_both_kinds_of_question() {
        let m = BinaryMixture { alpha: 0.3, p_easy: 0.8, p_hard: 0.3 };
        assert!((m.accuracy(1) - (0.3 * 0.8 + 0.7 * 0.3)).abs() < 1e-12);
        // n = 3: P(at least 2 of 3) = 3p² − 2p³: 0.896 and 0.216.
        assert!((m.accuracy(3) - (0.3 * 0.896 + 0.7 * 0.216)).abs() < 1e-12);
    }
}
