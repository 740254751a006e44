//! `pathconf simulate`: Monte Carlo estimates of every error term, each next
//! to its exact value (`crate::theory`), with 95% intervals.

use super::ApiError;
use crate::distribution::PathDistribution;
use crate::estimators::{Cisc, EstimatorId};
use crate::montecarlo::{simulate, simulate_against, Estimate, SimConfig, SimTerms};
use crate::progress::Observer;
use crate::provenance::Interval;
use crate::theory::table::{cisc_rows, term_table, PplRows, TermRow};
use crate::theory::weighted::cisc_limit;
use serde::Serialize;

/// PPL is tracked per path up to this many paths.
pub const MAX_TRACKED_PATHS: usize = 10_000;

/// What `simulate` is asked for.
#[derive(Debug, Clone)]
pub struct SimulateRequest {
    /// Sample sizes.
    pub n: Vec<u64>,
    /// Monte Carlo trials per `n`.
    pub trials: u64,
    /// Master seed.
    pub seed: u64,
    /// RP's threshold (0 when the spec gives none).
    pub tau: f64,
    /// CISC's temperature: adds CISC rows, simulated against its limit p̃.
    pub temperature: Option<f64>,
}

impl SimulateRequest {
    /// Units of work reported to an observer.
    pub fn work_units(&self) -> u64 {
        self.trials * self.n.len() as u64 * if self.temperature.is_some() { 2 } else { 1 }
    }
}

/// One simulated row next to its exact value.
#[derive(Debug, Clone, Serialize)]
pub struct SimRow {
    /// Estimator name.
    pub estimator: &'static str,
    /// The answer.
    pub answer: String,
    /// The path within the answer (PPL rows).
    pub path: Option<usize>,
    /// Sample size.
    pub n: u64,
    /// E[p̂] (Monte Carlo).
    pub expected_confidence: Estimate,
    /// E[p̂] − p (Monte Carlo).
    pub bias: Estimate,
    /// E[(p̂ − p)²] (Monte Carlo).
    pub estimation_error: Estimate,
    /// (p − I)², exact.
    pub model_error: f64,
    /// 2(p − I)(E[p̂] − p) (Monte Carlo).
    pub cross_term: Estimate,
    /// E[(p̂ − I)²] (Monte Carlo).
    pub reasoning_error: Estimate,
    /// The exact row; `null` for CISC where enumeration does not fit.
    pub exact: Option<TermRow>,
}

/// `simulate --json`.
#[derive(Debug, Clone, Serialize)]
pub struct SimulateReport {
    /// Trials per `n`.
    pub trials: u64,
    /// Master seed.
    pub seed: u64,
    /// RP's threshold.
    pub tau: f64,
    /// Paths drawn in all.
    pub sampled_paths: u64,
    /// Wall-clock seconds (measured; the only field that varies between runs).
    pub seconds: f64,
    /// Throughput (measured).
    pub paths_per_second: f64,
    /// The rows.
    pub rows: Vec<SimRow>,
    /// Whether PPL's per-path rows are included (at most [`MAX_TRACKED_PATHS`] paths).
    #[serde(skip)]
    pub tracked_paths: bool,
}

fn shift(e: Estimate, a: f64, b: f64) -> Estimate {
    // a·X + b, with a ≥ 0 or < 0 (interval endpoints swap).
    let (lo, hi) = (a * e.ci.low + b, a * e.ci.high + b);
    Estimate { mean: a * e.mean + b, std_error: a.abs() * e.std_error, ci: Interval::new(lo.min(hi), lo.max(hi)) }
}

/// What a simulated row is compared with.
struct Key {
    estimator: EstimatorId,
    answer: String,
    path: Option<usize>,
    n: u64,
    target: f64,
    indicator: f64,
}

fn sim_row(t: &SimTerms, key: Key, exact: Option<TermRow>) -> SimRow {
    let (e, target, indicator) = (t.expected_confidence, key.target, key.indicator);
    SimRow {
        estimator: key.estimator.name(),
        answer: key.answer,
        path: key.path,
        n: key.n,
        expected_confidence: e,
        bias: shift(e, 1.0, -target),
        estimation_error: t.estimation_error,
        model_error: (target - indicator).powi(2),
        cross_term: shift(e, 2.0 * (target - indicator), -2.0 * (target - indicator) * target),
        reasoning_error: t.reasoning_error,
        exact,
    }
}

fn key_of(ex: &TermRow) -> Key {
    Key { estimator: ex.estimator, answer: ex.answer.clone(), path: ex.path, n: ex.n, target: ex.target, indicator: ex.indicator }
}

/// Simulates every term at each `n` (deterministic for a seed, whatever the
/// number of threads).
pub fn simulate_spec(d: &PathDistribution, req: &SimulateRequest, observer: &dyn Observer) -> Result<SimulateReport, ApiError> {
    super::check_spec_options(&req.n, None, req.temperature)?; // τ is checked by `SimConfig::check`
    let configs: Vec<SimConfig> = req
        .n
        .iter()
        .map(|&n| SimConfig { n, trials: req.trials, seed: req.seed, tau: req.tau, track_paths: false }.check())
        .collect::<Result<_, _>>()
        .map_err(|e| ApiError::Option(format!("--n/--trials/--tau: {e}")))?;
    let track = d.paths().len() <= MAX_TRACKED_PATHS;
    let start = std::time::Instant::now();
    let mut rows = Vec::new();
    let mut sampled = 0;
    for &checked in &configs {
        let (n, cfg) = (checked.n, SimConfig { track_paths: track, ..checked });
        let res = simulate(d, &cfg, observer);
        sampled += res.sampled_paths;
        for ex in term_table(d, n, Some(req.tau), PplRows::PER_PATH) {
            let a = ex.answer_index;
            let terms = match (ex.estimator, ex.path) {
                (EstimatorId::Sc, _) => &res.answers[a].sc,
                (EstimatorId::Pc, _) => &res.answers[a].pc,
                (EstimatorId::Rp, _) => &res.answers[a].rp,
                (EstimatorId::Ppl, Some(j)) if track => &res.paths[d.path_index(a, j)].ppl,
                _ => continue,
            };
            rows.push(sim_row(terms, key_of(&ex), Some(ex)));
        }
        if let Some(t) = req.temperature {
            let limit = cisc_limit(d, t);
            let sims = simulate_against(d, &checked, &[&Cisc { temperature: t }], std::slice::from_ref(&limit), observer);
            sampled += checked.trials * n;
            let mut exact = cisc_rows(d, n, t).map(|v| v.into_iter());
            for (a, terms) in sims.answers[0].iter().enumerate() {
                let key = Key { estimator: EstimatorId::Cisc, answer: d.answers()[a].clone(), path: None, n, target: limit[a], indicator: d.indicator(a) };
                rows.push(sim_row(terms, key, exact.as_mut().and_then(|e| e.next())));
            }
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    Ok(SimulateReport {
        trials: req.trials,
        seed: req.seed,
        tau: req.tau,
        sampled_paths: sampled,
        seconds,
        paths_per_second: sampled as f64 / seconds,
        rows,
        tracked_paths: track,
    })
}
