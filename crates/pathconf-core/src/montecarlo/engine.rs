//! The Monte Carlo runner: samples `n` paths per trial from a
//! [`PathDistribution`] and accumulates, per answer and estimator, the
//! deviations `p̂ − p_a` and squared reasoning errors `(p̂ − I)²`; per path,
//! how often PPL's `p̂(t) = p_t S_t` was non-zero.

use super::stats::{Estimate, RunningStats};
use crate::distribution::PathDistribution;
use crate::estimators::{Estimator, PerplexityConsistency, ReasoningPruning, SelfConsistency};
use crate::progress::Observer;
use crate::sample::{PathSampler, Sample};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

/// Trials per batch (each batch has its own RNG stream).
pub const BATCH_SIZE: u64 = 4096;

/// Runs `trials` trials in batches of [`BATCH_SIZE`], in parallel: batch `b`
/// gets a `ChaCha8Rng` seeded with [`crate::seed::derive`]`(seed, [b])` and its number of
/// trials; the results come back in batch order, so whatever is merged from
/// them does not depend on the number of threads.
pub fn in_batches<T: Send>(trials: u64, seed: u64, run: impl Fn(&mut ChaCha8Rng, u64) -> T + Sync) -> Vec<T> {
    (0..trials.div_ceil(BATCH_SIZE))
        .into_par_iter()
        .map(|b| {
            let mut rng = crate::seed::rng(seed, &[b]);
            run(&mut rng, BATCH_SIZE.min(trials - b * BATCH_SIZE))
        })
        .collect()
}

/// What to simulate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimConfig {
    /// Sample size `n` per trial (≥ 1).
    pub n: u64,
    /// Number of trials.
    pub trials: u64,
    /// Master seed.
    pub seed: u64,
    /// Threshold for RP.
    pub tau: f64,
    /// Whether to track PPL per path (costs `O(#paths)` per batch).
    pub track_paths: bool,
}

/// A [`SimConfig`] out of range.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum SimConfigError {
    /// `n = 0`: nothing to estimate from (SC is undefined).
    #[error("every sample size must be at least 1 for simulation")]
    ZeroSamples,
    /// Fewer than two trials: no standard error.
    #[error("trials must be at least 2, got {0}")]
    TooFewTrials(u64),
    /// `τ` outside `[0, 1]`.
    #[error("tau {0} is outside [0, 1]")]
    Tau(f64),
}

impl SimConfig {
    /// Checks `n ≥ 1`, `trials ≥ 2` and `τ ∈ [0, 1]` ([`simulate`] requires
    /// them).
    pub fn check(self) -> Result<Self, SimConfigError> {
        if self.n == 0 {
            return Err(SimConfigError::ZeroSamples);
        }
        if self.trials < 2 {
            return Err(SimConfigError::TooFewTrials(self.trials));
        }
        if !(0.0..=1.0).contains(&self.tau) {
            return Err(SimConfigError::Tau(self.tau));
        }
        Ok(self)
    }
}

/// Monte Carlo estimates of one estimator's terms for one answer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SimTerms {
    /// `E[p̂]`.
    pub expected_confidence: Estimate,
    /// `E[(p̂ − p)²]`.
    pub estimation_error: Estimate,
    /// `E[(p̂ − I)²]`.
    pub reasoning_error: Estimate,
}

/// Per-answer simulation results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerSim {
    /// Self-consistency.
    pub sc: SimTerms,
    /// Perplexity consistency.
    pub pc: SimTerms,
    /// Reasoning pruning at the configured τ.
    pub rp: SimTerms,
}

/// Per-path PPL simulation results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathSim {
    /// PPL's terms for this path.
    pub ppl: SimTerms,
}

/// The outcome of [`simulate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimResult {
    /// Per answer, in the distribution's order.
    pub answers: Vec<AnswerSim>,
    /// Per path (global index), if tracked.
    pub paths: Vec<PathSim>,
    /// Trials run.
    pub trials: u64,
    /// Paths sampled in total (`trials · n`).
    pub sampled_paths: u64,
}

#[derive(Clone, Default)]
struct Acc {
    dev: RunningStats,
    dev_sq: RunningStats,
    reason: RunningStats,
}

impl Acc {
    #[inline]
    fn push(&mut self, est: f64, target: f64, indicator: f64) {
        let d = est - target;
        self.dev.push(d);
        self.dev_sq.push(d * d);
        let r = est - indicator;
        self.reason.push(r * r);
    }

    fn merge(&mut self, o: &Self) {
        self.dev.merge(&o.dev);
        self.dev_sq.merge(&o.dev_sq);
        self.reason.merge(&o.reason);
    }

    fn terms(&self, target: f64) -> SimTerms {
        SimTerms { expected_confidence: self.dev.estimate(target), estimation_error: self.dev_sq.estimate(0.0), reasoning_error: self.reason.estimate(0.0) }
    }
}

struct BatchOut {
    /// `[estimator][answer]`.
    acc: Vec<Vec<Acc>>,
    /// Per path: trials in which it was sampled.
    hits: Vec<u64>,
}

/// Runs the simulation of SC, PC and RP(τ) (and PPL per path when
/// `cfg.track_paths`). Deterministic in `(dist, cfg)` for any thread count.
pub fn simulate(dist: &PathDistribution, cfg: &SimConfig, observer: &dyn Observer) -> SimResult {
    let rp = ReasoningPruning::fixed(cfg.tau);
    let EstimatorSims { answers: terms, paths } = simulate_estimators(dist, cfg, &[&SelfConsistency, &PerplexityConsistency, &rp], observer);
    let answers = (0..dist.n_answers()).map(|a| AnswerSim { sc: terms[0][a], pc: terms[1][a], rp: terms[2][a] }).collect();
    SimResult { answers, paths, trials: cfg.trials, sampled_paths: cfg.trials * cfg.n }
}

/// What [`simulate_estimators`] measures.
#[derive(Debug, Clone, PartialEq)]
pub struct EstimatorSims {
    /// `[estimator][answer]`: each estimator's terms for each answer.
    pub answers: Vec<Vec<SimTerms>>,
    /// Per path, PPL's terms (empty unless `cfg.track_paths`).
    pub paths: Vec<PathSim>,
}

/// Simulates any estimators: `[estimator][answer]` terms and, when
/// `cfg.track_paths`, PPL's terms per path (`cfg.tau` is ignored here).
/// Deterministic in `(dist, cfg)` for any thread count.
pub fn simulate_estimators(dist: &PathDistribution, cfg: &SimConfig, estimators: &[&dyn Estimator], observer: &dyn Observer) -> EstimatorSims {
    let masses = dist.answer_masses().to_vec();
    let targets = vec![masses; estimators.len()];
    simulate_against(dist, cfg, estimators, &targets, observer)
}

/// [`simulate_estimators`] with each estimator's own per-answer target
/// (`targets[e][a]`; the answer masses for SC, PC, RP; a weighted vote's
/// limit `p̃` for CISC, [`crate::theory::weighted`]): estimation error is
/// `E[(p̂ − target)²]`.
pub fn simulate_against(
    dist: &PathDistribution,
    cfg: &SimConfig,
    estimators: &[&dyn Estimator],
    targets: &[Vec<f64>],
    observer: &dyn Observer,
) -> EstimatorSims {
    assert_eq!(targets.len(), estimators.len(), "one target vector per estimator");
    assert!(cfg.check().is_ok(), "simulate needs a checked SimConfig (SimConfig::check): {cfg:?}");
    let paths = dist.paths();
    let sampler = PathSampler::new(dist);
    let na = dist.n_answers();
    let indicators: Vec<f64> = (0..na).map(|a| dist.indicator(a)).collect();

    let run_batch = |rng: &mut ChaCha8Rng, trials: u64| -> BatchOut {
        observer.checkpoint();
        let mut acc = vec![vec![Acc::default(); na]; estimators.len()];
        let mut hits = if cfg.track_paths { vec![0u64; paths.len()] } else { Vec::new() };
        let mut sample = Sample::new(paths.len(), na);
        let mut scores = vec![0.0; na];
        for _ in 0..trials {
            sampler.refill(&mut sample, cfg.n, rng);
            for (e, est) in estimators.iter().enumerate() {
                est.answer_scores(&sample, &mut scores);
                for a in 0..na {
                    acc[e][a].push(scores[a], targets[e][a], indicators[a]);
                }
            }
            if cfg.track_paths {
                for p in sample.distinct() {
                    hits[p.id as usize] += 1;
                }
            }
        }
        observer.advance(trials);
        BatchOut { acc, hits }
    };

    let batches: Vec<BatchOut> = in_batches(cfg.trials, cfg.seed, run_batch);
    let mut total = vec![vec![Acc::default(); na]; estimators.len()];
    let mut hits = if cfg.track_paths { vec![0u64; paths.len()] } else { Vec::new() };
    for b in &batches {
        for (t, s) in total.iter_mut().zip(&b.acc) {
            for (x, y) in t.iter_mut().zip(s) {
                x.merge(y);
            }
        }
        for (h, x) in hits.iter_mut().zip(&b.hits) {
            *h += x;
        }
    }
    let terms = total.iter().zip(targets).map(|(per, target)| per.iter().enumerate().map(|(a, acc)| acc.terms(target[a])).collect()).collect();
    let paths_out = hits.iter().zip(paths).map(|(&h, p)| PathSim { ppl: ppl_terms_from_hits(h, cfg.trials, p.prob, indicators[p.answer]) }).collect();
    EstimatorSims { answers: terms, paths: paths_out }
}

/// PPL's `p̂(t) = p_t S_t` takes two values, so its moments follow from the
/// hit count `h` of `T` trials: `p̂` is `p_t` with frequency `f = h/T`.
fn ppl_terms_from_hits(h: u64, trials: u64, p: f64, indicator: f64) -> SimTerms {
    let t = trials as f64;
    let f = h as f64 / t;
    let two_point = |hit_value: f64, miss_value: f64| {
        let mean = f * hit_value + (1.0 - f) * miss_value;
        let var = f * (1.0 - f) * (hit_value - miss_value).powi(2) * t / (t - 1.0).max(1.0);
        Estimate::new(mean, (var / t).sqrt())
    };
    SimTerms {
        expected_confidence: two_point(p, 0.0),
        estimation_error: two_point(0.0, p * p),
        reasoning_error: two_point((p - indicator).powi(2), indicator * indicator),
    }
}
