//! `pathconf budget`: each stopping rule's expected number of samples and
//! accuracy on one path distribution ([`crate::stopping::cost`]).

use super::ApiError;
use crate::distribution::PathDistribution;
use crate::stopping::cost::{rule_cost, RuleCost};
use crate::stopping::StopRule;

/// Expected samples and P(correct) of each rule: exact where a programme
/// over count vectors applies, else Monte Carlo with `trials` draws (each
/// rule its own stream, derived from `seed` and the rule's position).
pub fn budget(d: &PathDistribution, rules: &[StopRule], trials: u64, seed: u64) -> Result<Vec<RuleCost>, ApiError> {
    if trials < 2 {
        return Err(ApiError::Option("--trials must be at least 2".into()));
    }
    if rules.is_empty() {
        return Err(ApiError::Option("--rule: give at least one stopping rule".into()));
    }
    Ok(rules.iter().enumerate().map(|(i, rule)| rule_cost(rule, d, trials, crate::seed::derive(seed, &[crate::seed::tag("budget/rule"), i as u64]))).collect())
}
