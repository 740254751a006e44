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
use crate::provenance::{Interval, Provenance};
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
    /// 95% interval of the accuracy (Monte Carlo only; reports: `ci_low`,
    /// `ci_high`).
    #[serde(flatten, with = "crate::provenance::flat::ci")]
    pub ci: Option<Interval>,
    /// 95% interval of the expected samples (Monte Carlo only; reports:
    /// `samples_ci_low`, `samples_ci_high`).
    #[serde(flatten, with = "crate::provenance::flat::samples_ci")]
    pub samples_ci: Option<Interval>,
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
            ci: None,
            samples_ci: None,
        };
    }
    let m = simulate_cost(rule, d, trials, seed);
    let (samples, samples_method, samples_ci) = match exact_expected_samples(rule, d.answer_masses()) {
        Some(n) => (n, Exact, None),
        None => (m.expected_samples.mean, MonteCarlo, Some(m.expected_samples.ci)),
    };
    RuleCost {
        rule: rule.to_string(),
        expected_samples: samples,
        samples_method,
        accuracy: m.accuracy.mean,
        method: MonteCarlo,
        ci: Some(m.accuracy.ci.clamp(0.0, 1.0)),
        samples_ci,
    }
}
