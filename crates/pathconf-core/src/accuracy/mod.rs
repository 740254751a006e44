//! Selection accuracy as a function of `n`: the probability that each
//! estimator's chosen answer is the correct one (ties split as `eval` splits
//! them), the expected confidence of the chosen answer, and the calibration
//! gap `E[confidence] − P(correct)`.
//!
//! | estimator | how | file |
//! |---|---|---|
//! | SC | `exact`: a programme over answer counts, every `n` at once | [`sc`] |
//! | PPL | `exact`: tiers of equal path probability | [`ppl`] |
//! | PC, RP(τ) | `enumeration` of the sets of distinct sampled paths, where `2^N` is small | [`sets`] |
//! | otherwise, RPC | `monte_carlo` with 95% intervals | [`crate::montecarlo::selection`] |
//!
//! On top: [`limit`] (the `n → ∞` accuracy), [`target`] (the smallest `n`
//! reaching a target — the theory's Table 1), [`population`] (curves for a
//! population of questions, Chen et al.'s non-monotone regimes, the large-`n`
//! rate of SC's error).

pub mod binomial;
pub mod limit;
pub mod population;
pub mod ppl;
pub mod sc;
pub mod sets;
pub mod target;

use crate::distribution::PathDistribution;
use crate::estimators::{Estimator, EstimatorId, Perplexity, PerplexityConsistency, ReasoningPruning};
use crate::montecarlo::simulate_selection;
use crate::progress::Observer;
use crate::weibull::WeibullPruning;
use serde::Serialize;
use thiserror::Error;

use crate::provenance::{Interval, Provenance};

/// One estimator's selection at one `n`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SelectionAccuracy {
    /// The estimator.
    pub estimator: EstimatorId,
    /// Sample size.
    pub n: u64,
    /// `P(chosen answer is correct)`, ties split.
    pub p_correct: f64,
    /// How it was obtained.
    pub method: Provenance,
    /// The 95% interval, clamped to `[0, 1]` (Monte Carlo only; reports:
    /// `ci_low`, `ci_high`).
    #[serde(flatten, with = "crate::provenance::flat::ci")]
    pub ci: Option<Interval>,
    /// `E[score of the chosen answer]` (SC: the winner's share of the votes).
    pub expected_confidence: f64,
    /// `E[confidence] − P(correct)`.
    pub calibration_gap: f64,
}

/// Settings of [`selection_accuracy`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AccuracyConfig {
    /// RP's threshold; RP rows only when set.
    pub tau: Option<f64>,
    /// CISC's softmax temperature; CISC rows only when set.
    pub temperature: Option<f64>,
    /// Monte Carlo trials per cell.
    pub trials: u64,
    /// Master seed of the Monte Carlo cells.
    pub seed: u64,
}

impl Default for AccuracyConfig {
    fn default() -> Self {
        Self { tau: None, temperature: None, trials: 20_000, seed: 2025 }
    }
}

/// Why accuracy could not be computed.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum AccuracyError {
    /// Sample sizes must be at least 1 (no estimator selects from no samples).
    #[error("sample size n = 0: selection needs at least one sample")]
    ZeroSamples,
    /// CISC needs a temperature.
    #[error("cisc needs a temperature T (give --temperature)")]
    MissingTemperature,
    /// A method that needs token-level signals, which a path distribution lacks.
    #[error("{0} needs token-level signals (top log-probabilities, self-certainty): it is evaluated on paths files, not on a path distribution")]
    NotOnDistribution(&'static str),
    /// RP needs a threshold.
    #[error("rp needs a threshold τ (give --tau or \"tau\" in the spec)")]
    MissingTau,
    /// Monte Carlo needs at least two trials.
    #[error("Monte Carlo needs at least 2 trials, got {0}")]
    TooFewTrials(u64),
}

/// The estimator behind an id (RP with threshold `tau`, CISC with
/// temperature `temperature`); `None` for the methods that need token-level
/// signals (not defined on a path distribution).
pub fn estimator_for(id: EstimatorId, tau: f64, temperature: f64) -> Option<Box<dyn Estimator>> {
    Some(match id {
        EstimatorId::Sc => Box::new(crate::estimators::SelfConsistency),
        EstimatorId::Ppl => Box::new(Perplexity),
        EstimatorId::Pc => Box::new(PerplexityConsistency),
        EstimatorId::Rp => Box::new(ReasoningPruning::fixed(tau)),
        EstimatorId::Rpc => Box::new(ReasoningPruning::new(WeibullPruning)),
        EstimatorId::Cisc => Box::new(crate::estimators::Cisc { temperature }),
        EstimatorId::DeepConf | EstimatorId::SelfCertaintyBorda => return None,
    })
}

fn row(estimator: EstimatorId, n: u64, (p, conf): (f64, f64), method: Provenance) -> SelectionAccuracy {
    SelectionAccuracy { estimator, n, p_correct: p, method, ci: None, expected_confidence: conf, calibration_gap: conf - p }
}

/// Selection accuracy of `estimators` at every `n` of `ns`, each by the most
/// exact method available ([`Provenance`]). Monte Carlo cells use seed
/// `cfg.seed` mixed with the estimator and `n`, so a row does not depend on
/// which other rows were asked for, nor on the number of threads.
pub fn selection_accuracy(
    dist: &PathDistribution,
    estimators: &[EstimatorId],
    ns: &[u64],
    cfg: &AccuracyConfig,
    observer: &dyn Observer,
) -> Result<Vec<SelectionAccuracy>, AccuracyError> {
    if ns.contains(&0) {
        return Err(AccuracyError::ZeroSamples);
    }
    if estimators.contains(&EstimatorId::Rp) && cfg.tau.is_none() {
        return Err(AccuracyError::MissingTau);
    }
    if estimators.contains(&EstimatorId::Cisc) && cfg.temperature.is_none() {
        return Err(AccuracyError::MissingTemperature);
    }
    if let Some(id) = estimators.iter().find(|id| !id.info().on_distribution) {
        return Err(AccuracyError::NotOnDistribution(id.name()));
    }
    let n_max = ns.iter().copied().max().unwrap_or(1);
    let mut out = Vec::new();
    for &id in estimators {
        let (tau, temperature) = (cfg.tau.unwrap_or(0.0), cfg.temperature.unwrap_or(f64::INFINITY));
        let exact: Option<(Vec<(f64, f64)>, Provenance)> = match id {
            EstimatorId::Sc => {
                let masses = dist.answer_masses();
                let c = sc::sc_curve(masses, dist.correct(), n_max as usize);
                Some((ns.iter().map(|&n| (c.p_correct[n as usize], c.expected_confidence[n as usize])).collect(), Provenance::Exact))
            }
            EstimatorId::Ppl => ppl::ppl_exact(dist, ns).map(|v| (v, Provenance::Exact)),
            EstimatorId::Pc | EstimatorId::Rp => {
                let est = estimator_for(id, tau, temperature).expect("on a distribution");
                sets::set_enumeration(dist, est.as_ref(), ns).map(|v| (v, Provenance::Enumeration))
            }
            EstimatorId::Cisc => ns
                .iter()
                .map(|&n| crate::theory::weighted::cisc_exact(dist, n, temperature).ok().map(|e| (e.p_correct, e.expected_confidence)))
                .collect::<Option<Vec<_>>>()
                .map(|v| (v, Provenance::Enumeration)),
            EstimatorId::Rpc | EstimatorId::DeepConf | EstimatorId::SelfCertaintyBorda => None,
        };
        match exact {
            Some((values, method)) => out.extend(ns.iter().zip(values).map(|(&n, v)| row(id, n, v, method))),
            None => {
                if cfg.trials < 2 {
                    return Err(AccuracyError::TooFewTrials(cfg.trials));
                }
                let est = estimator_for(id, tau, temperature).expect("checked above: on a distribution");
                for &n in ns {
                    // CISC: enumeration wherever its count vectors fit, Monte Carlo beyond.
                    if id == EstimatorId::Cisc {
                        if let Ok(e) = crate::theory::weighted::cisc_exact(dist, n, temperature) {
                            out.push(row(id, n, (e.p_correct, e.expected_confidence), Provenance::Enumeration));
                            continue;
                        }
                    }
                    let seed = crate::seed::derive(cfg.seed, &[crate::seed::tag("accuracy/selection"), id as u64, n]);
                    let m = simulate_selection(dist, est.as_ref(), n, cfg.trials, seed, observer);
                    let mut r = row(id, n, (m.p_correct.mean, m.expected_confidence.mean), Provenance::MonteCarlo);
                    r.ci = Some(m.p_correct.ci.clamp(0.0, 1.0));
                    out.push(r);
                }
            }
        }
    }
    Ok(out)
}
