//! `pathconf theory`: the exact error terms of every estimator (paper,
//! Proposition 1 and the closed forms of `crate::theory`), selection accuracy
//! and samples needed for one spec, accuracy curves for a population.

use super::ApiError;
use crate::accuracy::population::{observed_shape, population_accuracy, BinaryMixture, PopulationPoint, Shape, ShapePrediction};
use crate::accuracy::target::{samples_needed, SamplesNeeded, Target};
use crate::accuracy::{selection_accuracy, AccuracyConfig, SelectionAccuracy};
use crate::distribution::PathDistribution;
use crate::estimators::EstimatorId;
use crate::progress::Observer;
use crate::spec::PopulationSpec;
use crate::theory::table::{cisc_rows, term_table, PplRows, TermRow};
use serde::Serialize;

/// The terms table: every estimator × answer × `n`; PPL one row per answer
/// (its paths averaged) and, on request, one per path.
#[derive(Debug, Clone, Serialize)]
pub struct TermsReport {
    /// The rows, `n` by `n` in the order asked.
    pub rows: Vec<TermRow>,
    /// The `n` whose CISC rows were left out: too many count vectors to enumerate.
    pub cisc_too_large: Vec<u64>,
}

/// The exact terms for each `n`, with CISC rows at `temperature` when given
/// (its terms are taken against its own limit p̃; exact by enumeration of
/// count vectors where that fits). PPL: one row per answer folding its paths
/// ([`crate::theory::ppl::ppl_answer_summary`]), and one per path when
/// `per_path`.
pub fn terms(d: &PathDistribution, ns: &[u64], tau: Option<f64>, temperature: Option<f64>, per_path: bool) -> Result<TermsReport, ApiError> {
    super::check_spec_options(ns, tau, temperature)?;
    let mut rows = Vec::new();
    let mut cisc_too_large = Vec::new();
    for &n in ns {
        let ppl = if per_path { PplRows { per_answer: true, ..PplRows::PER_PATH } } else { PplRows::PER_ANSWER };
        rows.extend(term_table(d, n, tau, ppl));
        if let Some(t) = temperature.filter(|_| n > 0) {
            match cisc_rows(d, n, t) {
                Some(r) => rows.extend(r),
                None => cisc_too_large.push(n),
            }
        }
    }
    Ok(TermsReport { rows, cisc_too_large })
}

/// The estimators a command works on: the names given, or SC, PPL, PC (and
/// RP when a threshold is set, CISC when a temperature is).
pub fn estimators(names: &[String], tau: Option<f64>, temperature: Option<f64>) -> Result<Vec<EstimatorId>, ApiError> {
    if names.is_empty() {
        let mut v = vec![EstimatorId::Sc, EstimatorId::Ppl, EstimatorId::Pc];
        if tau.is_some() {
            v.push(EstimatorId::Rp);
        }
        if temperature.is_some() {
            v.push(EstimatorId::Cisc);
        }
        return Ok(v);
    }
    names
        .iter()
        .map(|n| {
            EstimatorId::from_name(n).ok_or_else(|| ApiError::Option(format!("--estimators: unknown estimator {n:?} (expected {})", EstimatorId::names())))
        })
        .collect()
}

/// What `theory --accuracy` and `theory --target` ask for.
#[derive(Debug, Clone)]
pub struct AccuracyRequest {
    /// Sample sizes.
    pub n: Vec<u64>,
    /// RP's threshold.
    pub tau: Option<f64>,
    /// CISC's temperature.
    pub temperature: Option<f64>,
    /// Estimator names (empty: the defaults of [`estimators`]).
    pub estimators: Vec<String>,
    /// Selection accuracy at each `n`.
    pub accuracy: bool,
    /// The smallest `n` reaching this target.
    pub target: Option<Target>,
    /// Largest `n` searched for the target.
    pub n_max: u64,
    /// Monte Carlo trials per cell where no exact method applies.
    pub trials: u64,
    /// Monte Carlo seed.
    pub seed: u64,
    /// A terms row for every PPL path besides each answer's summary.
    pub per_path: bool,
}

/// Selection accuracy and samples needed (the fields `theory --json` prints
/// with `--accuracy` / `--target`).
#[derive(Debug, Clone, Serialize)]
pub struct AccuracyReport {
    /// P(chosen answer correct) per estimator and `n`, with how it was obtained.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<Vec<SelectionAccuracy>>,
    /// The target asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// The smallest `n` reaching it, per estimator with an exact curve.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples_needed: Option<Vec<SamplesNeeded>>,
}

/// Selection accuracy and/or samples needed for one path distribution.
pub fn accuracy(d: &PathDistribution, req: &AccuracyRequest, observer: &dyn Observer) -> Result<AccuracyReport, ApiError> {
    super::check_spec_options(&req.n, req.tau, req.temperature)?;
    let ids = estimators(&req.estimators, req.tau, req.temperature)?;
    let cfg = AccuracyConfig { tau: req.tau, temperature: req.temperature, trials: req.trials, seed: req.seed };
    let accuracy = if req.accuracy { Some(selection_accuracy(d, &ids, &req.n, &cfg, observer)?) } else { None };
    let samples_needed = match req.target {
        Some(target) => {
            if req.n_max < 1 {
                return Err(ApiError::Option("--n-max must be at least 1".into()));
            }
            Some(samples_needed(d, &ids, req.tau, target, req.n_max))
        }
        None => None,
    };
    Ok(AccuracyReport { accuracy, target: req.target, samples_needed })
}

/// Chen et al.'s Theorem 1 next to the exact curve, for a binary mixture.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ChenCheck {
    /// The theorem's prediction (`None` outside its conditions).
    pub prediction: Option<ShapePrediction>,
    /// The shape of the exact curve over odd `n`.
    pub observed_shape: Shape,
    /// The largest odd `n` of that curve.
    pub observed_over_odd_n_up_to: u64,
}

/// `theory --population`.
#[derive(Debug, Clone, Serialize)]
pub struct PopulationReport {
    /// Number of questions.
    pub questions: usize,
    /// Weighted P(correct) per estimator and `n`.
    pub rows: Vec<PopulationPoint>,
    /// For a mixture file: Chen et al.'s Theorem 1 against the exact curve.
    pub chen_theorem1: Option<ChenCheck>,
}

/// Weighted selection accuracy over a population of questions.
pub fn population(pop: &PopulationSpec, req: &AccuracyRequest, observer: &dyn Observer) -> Result<PopulationReport, ApiError> {
    super::check_spec_options(&req.n, req.tau, req.temperature)?;
    if req.target.is_some() {
        return Err(ApiError::Option("--target works on one --spec, not on a population".into()));
    }
    let tau = req.tau.or(pop.tau);
    let ids = estimators(&req.estimators, tau, req.temperature)?;
    let cfg = AccuracyConfig { tau, temperature: req.temperature, trials: req.trials, seed: req.seed };
    let rows = population_accuracy(&pop.questions, &ids, &req.n, &cfg, observer)?;
    let chen_theorem1 = pop.mixture.map(|m| {
        let mix = BinaryMixture { alpha: m.alpha, p_easy: m.p_easy, p_hard: m.p_hard };
        let top = req.n.iter().copied().max().unwrap_or(1).max(3) | 1;
        let curve: Vec<f64> = (1..=top).step_by(2).map(|n| mix.accuracy(n)).collect();
        ChenCheck { prediction: mix.predict(), observed_shape: observed_shape(&curve, 1e-13), observed_over_odd_n_up_to: top }
    });
    Ok(PopulationReport { questions: pop.questions.len(), rows, chen_theorem1 })
}

/// What `theory` works on: one path distribution, or a population.
#[derive(Debug, Clone)]
pub enum TheoryInput {
    /// A spec (its own τ, if any, applies when the request has none).
    Spec(crate::spec::Spec),
    /// A population of questions.
    Population(PopulationSpec),
}

/// What `theory` computed.
#[derive(Debug, Clone)]
pub enum TheoryReport {
    /// The exact terms (no `accuracy`, no `target`).
    Terms(TermsReport),
    /// Selection accuracy and/or samples needed.
    Accuracy(AccuracyReport),
    /// Population curves.
    Population(PopulationReport),
}

/// Serialises to the JSON `theory --json` prints: the terms as an array of
/// rows, the other reports as objects (streamed, no `Value` tree in between:
/// 10⁶ per-path rows write without holding their JSON in memory).
impl Serialize for TheoryReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Terms(r) => r.rows.serialize(s),
            Self::Accuracy(r) => r.serialize(s),
            Self::Population(r) => r.serialize(s),
        }
    }
}

impl TheoryReport {
    /// The JSON that `theory --json` prints, as a value.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("reports serialise")
    }
}

/// `theory`: population curves for a population; for a spec, selection
/// accuracy and samples needed when `req.accuracy` or `req.target` asks for
/// them, else the exact terms.
pub fn theory(input: &TheoryInput, req: &AccuracyRequest, observer: &dyn Observer) -> Result<TheoryReport, ApiError> {
    match input {
        TheoryInput::Population(pop) => Ok(TheoryReport::Population(population(pop, req, observer)?)),
        TheoryInput::Spec(spec) => {
            let req = AccuracyRequest { tau: req.tau.or(spec.tau), ..req.clone() };
            if req.accuracy || req.target.is_some() {
                Ok(TheoryReport::Accuracy(accuracy(&spec.distribution, &req, observer)?))
            } else {
                Ok(TheoryReport::Terms(terms(&spec.distribution, &req.n, req.tau, req.temperature, req.per_path)?))
            }
        }
    }
}
