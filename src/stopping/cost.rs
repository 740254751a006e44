//! A rule's expected samples and accuracy by the most exact method that
//! applies — what `pathconf budget` prints:
//!
//! - `fixed:N`: `N` samples, SC's exact accuracy for any number of answers;
//! - otherwise the exact programme over count vectors when it is small
//!   enough ([`super::exact`]);
//! - else Monte Carlo with a 95% interval on the accuracy; ESC's expected
//!   samples then still come from its closed form.

use super::exact::{esc_expected_samples, exact_cost};
use super::simulate::simulate_cost;
use super::StopRule;
use crate::accuracy::sc::sc_accuracy;
use crate::accuracy::AccuracyMethod;
use serde::Serialize;

/// A rule's cost and accuracy, each saying how it was obtained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleCost {
    /// The rule, as written.
    pub rule: String,
    /// `E[samples used]`.
    pub expected_samples: f64,
    /// How `expected_samples` was obtained.
    pub samples_method: AccuracyMethod,
    /// `P(answer correct)`, ties split.
    pub accuracy: f64,
    /// How `accuracy` was obtained.
    pub method: AccuracyMethod,
    /// 95% interval of the accuracy (Monte Carlo only).
    pub ci_low: Option<f64>,
    /// 95% interval of the accuracy (Monte Carlo only).
    pub ci_high: Option<f64>,
}

/// The cost of `rule` for answer masses `masses` with correct answer
/// `correct`; Monte Carlo (when needed) runs `trials ≥ 2` trials from `seed`.
pub fn rule_cost(rule: &StopRule, masses: &[f64], correct: Option<usize>, trials: u64, seed: u64) -> RuleCost {
    use AccuracyMethod::{Exact, MonteCarlo};
    let row = |expected_samples, samples_method, accuracy, method, ci: Option<(f64, f64)>| RuleCost {
        rule: rule.to_string(),
        expected_samples,
        samples_method,
        accuracy,
        method,
        ci_low: ci.map(|c| c.0),
        ci_high: ci.map(|c| c.1),
    };
    if let StopRule::Fixed { n } = *rule {
        return row(n as f64, Exact, sc_accuracy(masses, correct, n)[n], Exact, None);
    }
    if let Some(c) = exact_cost(rule, masses, correct) {
        return row(c.expected_samples, Exact, c.accuracy, Exact, None);
    }
    let m = simulate_cost(rule, masses, correct, trials, seed);
    let (samples, samples_method) = match *rule {
        StopRule::Esc { window, max, .. } => (esc_expected_samples(masses, window, max), Exact),
        _ => (m.expected_samples.mean, MonteCarlo),
    };
    row(samples, samples_method, m.accuracy.mean, MonteCarlo, Some((m.accuracy.ci_low.max(0.0), m.accuracy.ci_high.min(1.0))))
}
