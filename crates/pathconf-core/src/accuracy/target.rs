//! Samples needed: the smallest `n` at which an estimator's exact accuracy
//! reaches a target — the theory's version of the paper's Table 1 ("RPC
//! matches SC with 50% fewer samples").
//!
//! Targets (`--target` syntax):
//! - `limit:D` — within `D` (a fraction, e.g. `0.01` = one point) of the
//!   estimator's own `n → ∞` accuracy ([`super::limit`]);
//! - `sc:N` — SC's exact accuracy at `n = N`;
//! - `abs:A` — accuracy `A`.
//!
//! Accuracy need not be monotone in `n` (majority voting can get worse with
//! more samples), so each answer also says whether the curve stays at or
//! above the target from that `n` up to the search limit.

use super::limit::limit_accuracy;
use super::sc::sc_accuracy;
use super::{ppl, sets};
use crate::distribution::PathDistribution;
use crate::estimators::EstimatorId;
use crate::provenance::Provenance;
use serde::Serialize;
use thiserror::Error;

/// A target accuracy.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// Within `within` of the estimator's own limit.
    Limit {
        /// Allowed shortfall (fraction).
        within: f64,
    },
    /// SC's accuracy at `n`.
    Sc {
        /// The reference sample size.
        n: u64,
    },
    /// A fixed accuracy.
    Absolute {
        /// The accuracy (fraction).
        accuracy: f64,
    },
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Limit { within } => write!(f, "limit:{within}"),
            Target::Sc { n } => write!(f, "sc:{n}"),
            Target::Absolute { accuracy } => write!(f, "abs:{accuracy}"),
        }
    }
}

/// A malformed target.
#[derive(Debug, Error, Clone, PartialEq)]
#[error("target {text:?}: {reason} (expected limit:D, sc:N or abs:A, e.g. limit:0.01, sc:64, abs:0.8)")]
pub struct TargetError {
    /// What was given.
    pub text: String,
    /// What is wrong.
    pub reason: String,
}

impl std::str::FromStr for Target {
    type Err = TargetError;

    fn from_str(text: &str) -> Result<Self, TargetError> {
        let err = |reason: &str| TargetError { text: text.to_string(), reason: reason.to_string() };
        let (kind, value) = text.split_once(':').ok_or_else(|| err("missing ':'"))?;
        let unit = |v: &str| -> Result<f64, TargetError> {
            let x: f64 = v.trim().parse().map_err(|_| err("not a number"))?;
            if (0.0..=1.0).contains(&x) {
                Ok(x)
            } else {
                Err(err("must lie in [0, 1]"))
            }
        };
        match kind.trim() {
            "limit" => Ok(Target::Limit { within: unit(value)? }),
            "abs" => Ok(Target::Absolute { accuracy: unit(value)? }),
            "sc" => {
                let n: u64 = value.trim().parse().map_err(|_| err("not a sample size"))?;
                if n == 0 {
                    return Err(err("the sample size must be at least 1"));
                }
                Ok(Target::Sc { n })
            }
            _ => Err(err("unknown kind")),
        }
    }
}

/// The answer for one estimator.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SamplesNeeded {
    /// The estimator.
    pub estimator: EstimatorId,
    /// The accuracy to reach.
    pub goal: f64,
    /// The smallest `n ≤ n_max` reaching it, if any.
    pub n: Option<u64>,
    /// Whether accuracy stays `≥ goal` for every `n'` in `[n, n_max]`.
    pub stays_above: bool,
    /// How the curve was obtained (`exact` or `enumeration`).
    pub method: Provenance,
    /// The search limit.
    pub n_max: u64,
}

/// Slack for rounding when comparing an accuracy with its goal.
const SLACK: f64 = 1e-12;

/// Exact accuracy of `id` at every `n = 1..=n_max` (index `n − 1`), or `None`
/// where only Monte Carlo is available.
pub fn exact_curve(dist: &PathDistribution, id: EstimatorId, tau: Option<f64>, n_max: u64) -> Option<(Vec<f64>, Provenance)> {
    let ns: Vec<u64> = (1..=n_max).collect();
    match id {
        EstimatorId::Sc => {
            let masses = dist.answer_masses();
            Some((sc_accuracy(masses, dist.correct(), n_max as usize)[1..].to_vec(), Provenance::Exact))
        }
        EstimatorId::Ppl => ppl::ppl_exact(dist, &ns).map(|v| (v.into_iter().map(|x| x.0).collect(), Provenance::Exact)),
        EstimatorId::Pc | EstimatorId::Rp => {
            let tau = if id == EstimatorId::Rp { tau? } else { 0.0 };
            sets::set_enumeration(dist, super::estimator_for(id, tau, f64::INFINITY).expect("on a distribution").as_ref(), &ns)
                .map(|v| (v.into_iter().map(|x| x.0).collect(), Provenance::Enumeration))
        }
        EstimatorId::Rpc | EstimatorId::Cisc | EstimatorId::DeepConf | EstimatorId::SelfCertaintyBorda => None,
    }
}

/// The smallest `n ≤ n_max` at which each estimator reaches `target`, for the
/// estimators whose curve is exact (others are left out).
pub fn samples_needed(dist: &PathDistribution, estimators: &[EstimatorId], tau: Option<f64>, target: Target, n_max: u64) -> Vec<SamplesNeeded> {
    let sc_goal = match target {
        Target::Sc { n } => {
            let masses = dist.answer_masses();
            Some(sc_accuracy(masses, dist.correct(), n as usize)[n as usize])
        }
        _ => None,
    };
    estimators
        .iter()
        .filter_map(|&id| {
            let goal = match target {
                Target::Limit { within } => limit_accuracy(dist, id, tau)? - within,
                Target::Sc { .. } => sc_goal.expect("set above"),
                Target::Absolute { accuracy } => accuracy,
            };
            let (curve, method) = exact_curve(dist, id, tau, n_max)?;
            let first = curve.iter().position(|&a| a >= goal - SLACK);
            let stays_above = first.is_some_and(|i| curve[i..].iter().all(|&a| a >= goal - SLACK));
            Some(SamplesNeeded { estimator: id, goal, n: first.map(|i| i as u64 + 1), stays_above, method, n_max })
        })
        .collect()
}
