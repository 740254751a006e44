//! A rule's expected samples and accuracy by the most exact method that
//! applies — what `pathconf budget` prints:
//!
//! - the exact programmes, as [`super::exact`] chooses them: `fixed:N` (SC's exact
//!   accuracy) and ESC for any number of answers, the per-sample count rules
//!   while their count vectors are few enough;
//! - else Monte Carlo with 95% intervals (always for the path rules).

use super::exact::{exact_cost, exact_expected_samples};
use super::simulate::simulate_cost;
use super::StopRule;
use crate::provenance::Provenance;
use crate::PathDistribution;
use serde::Serialize;

/// A rule's cost and accuracy, each saying how it was obtained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleCost {
    /// The rule, as written.
    pub rule: String,
    /// `E[samples used]`.
    pub expected_samples: f64,
    /// How `expected_samples` was obtained.
    pub samples_method: Provenance,
    /// `P(answer correct)`, ties split.
    pub accuracy: f64,
    /// How `accuracy` was obtained.
    pub method: Provenance,
    /// 95% interval of the accuracy (Monte Carlo only).
    pub ci_low: Option<f64>,
    /// 95% interval of the accuracy (Monte Carlo only).
    pub ci_high: Option<f64>,
    /// 95% interval of the expected samples (Monte Carlo only).
    pub samples_ci_low: Option<f64>,
    /// 95% interval of the expected samples (Monte Carlo only).
    pub samples_ci_high: Option<f64>,
}

/// The cost of `rule` on `d`; Monte Carlo (when needed) runs `trials ≥ 2`
/// trials from `seed`.
pub fn rule_cost(rule: &StopRule, d: &PathDistribution, trials: u64, seed: u64) -> RuleCost {
    use Provenance::{Exact, MonteCarlo};
    if let Some(c) = exact_cost(rule, d.answer_masses(), d.correct()) {
        return RuleCost {
            rule: rule.to_string(),
            expected_samples: c.expected_samples,
            samples_method: Exact,
            accuracy: c.accuracy,
            method: Exact,
            ci_low: None,
            ci_high: None,
            samples_ci_low: None,
            samples_ci_high: None,
        };
    }
    let m = simulate_cost(rule, d, trials, seed);
    let (samples, samples_method, samples_ci) = match exact_expected_samples(rule, d.answer_masses()) {
        Some(n) => (n, Exact, None),
        None => (m.expected_samples.mean, MonteCarlo, Some((m.expected_samples.ci_low, m.expected_samples.ci_high))),
    };
    RuleCost {
        rule: rule.to_string(),
        expected_samples: samples,
        samples_method,
        accuracy: m.accuracy.mean,
        method: MonteCarlo,
        ci_low: Some(m.accuracy.ci_low.max(0.0)),
        ci_high: Some(m.accuracy.ci_high.min(1.0)),
        samples_ci_low: samples_ci.map(|c| c.0),
        samples_ci_high: samples_ci.map(|c| c.1),
    }
}
