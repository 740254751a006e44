//! Real-model validation I — the theory on a trained transformer (drawn by
//! `figures::real_tiny`).
//!
//! pathconf's small transformer ([`crate::tiny`]) is trained (or loaded from
//! its cache), each selected question's path distribution is enumerated
//! exactly ([`crate::tiny::enumerate`]), and the model is *sampled* — real
//! batched decoding with a KV cache, temperature 1, top-p 1 — `repeats` times
//! `n_max` paths. For every `n`, the first `n` paths of each repeat give one
//! measurement of each estimator's estimation error on the correct answer
//! `y`, `(p̂(y) − p(y))²`, averaged over repeats; next to it, the exact value
//! from the enumerated distribution: Proposition 2 for SC, Proposition 3 for
//! PPL's most probable path of `y`, pathconf's exact PC (Theorem 4), and for
//! RPC — which has no closed form — a Monte Carlo run on the enumerated
//! distribution. Sampled paths are given their enumerated (renormalised)
//! probability; a sampled path outside the enumeration (below the floor)
//! keeps its own probability `exp(Σ log p) / covered mass`.
//!
//! Each comparison is a two-sided z-test with the Bonferroni level
//! `FAMILY_ALPHA / #comparisons`, its standard error taken under the null
//! (samples from the enumerated distribution): exact for SC (binomial fourth
//! moment) and PPL (scaled Bernoulli); for PC and RPC the larger of the Monte
//! Carlo spread and the bound `Var X ≤ p² E[X] − E[X]²` for `X ∈ [0, p²]`,
//! because their error at large `n` can be dominated by rare events (the
//! correct answer's dominant path left unsampled) that neither the repeats nor
//! a Monte Carlo run observe. The summary lists every disagreement.
//! Accuracy and ECE (10 bins, "maximum" variant) vs `n` over the questions
//! and repeats are reported too, with the exact accuracy of each question.

use crate::distribution::{DistributionError, PathDistribution};
use crate::estimators::{Estimator, EstimatorId, Perplexity, PerplexityConsistency, ReasoningPruning, SelfConsistency};
use crate::generation::GenerationConfig;
use crate::montecarlo::agreement::{Checks, Family, StdError};
use crate::montecarlo::{simulate_estimators, RunningStats, SimConfig};
use crate::progress::Observer;
use crate::sample::{Sample, SampledPath};
use crate::theory::{pc::pc_terms, ppl::ppl_terms, sc::sc_terms};
use crate::tiny::{enumerate_paths, sample_paths, PortableModel, Question, TinyError, TrainConfig};
use crate::weibull::WeibullPruning;
use thiserror::Error;

/// Enumeration floor on path probability.
pub const FLOOR: f64 = 1e-9;
/// Longest path generated or enumerated.
pub const MAX_NEW_TOKENS: usize = 16;

/// The questions, from easy (no carry) to hard (two large carries).
pub fn questions(quick: bool) -> Vec<Question> {
    let all = [[1, 2, 3], [2, 0, 4], [0, 5, 3], [4, 5, 6], [3, 7, 2], [6, 1, 6], [5, 8, 2], [7, 7, 3], [8, 6, 5], [9, 4, 8], [9, 9, 7], [9, 9, 9]];
    let pick: &[usize] = if quick { &[0, 4, 8, 11] } else { &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] };
    pick.iter().map(|&i| Question::new(all[i][0], all[i][1], all[i][2])).collect()
}

/// The training run behind the figure: the default one (seed 2025) whatever
/// the figure's seed (which drives sampling), so every run shares one cached
/// model.
pub fn train_config() -> TrainConfig {
    TrainConfig::default()
}

/// The estimators compared, in the order of every per-estimator array.
pub const ESTIMATORS: [EstimatorId; 4] = [EstimatorId::Sc, EstimatorId::Ppl, EstimatorId::Pc, EstimatorId::Rpc];

/// Per estimator, per n, per repeat: the `(confidence, correct)` rows.
pub type Rows = Vec<Vec<Vec<Vec<(f64, bool)>>>>;

/// How much to sample.
#[derive(Debug, Clone, Copy)]
pub struct Settings<'a> {
    /// Sample sizes, increasing.
    pub ns: &'a [u64],
    /// Independent samples of `max(ns)` paths per question.
    pub repeats: usize,
    /// Monte Carlo trials for RPC's value on the enumerated distribution.
    pub rpc_trials: u64,
    /// Master seed.
    pub seed: u64,
}

/// One estimator's estimation error on the correct answer at one `n`.
#[derive(Debug, Clone, Copy)]
pub struct ErrorCell {
    /// `(p̂(y) − p(y))²` over the repeats.
    pub measured: RunningStats,
    /// The exact value (RPC: a Monte Carlo run on the enumerated distribution).
    pub exact: f64,
    /// Standard error of `exact` (0 where it is a closed form).
    pub exact_se: f64,
    /// Per-repeat standard deviation of the squared error under the exact
    /// distribution (the null).
    pub null_sd: f64,
}

/// One question's enumeration and sampling, in numbers.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QuestionStats {
    /// The question's id.
    pub id: String,
    /// The model's exact accuracy: `p(y)`.
    pub exact_accuracy: f64,
    /// Probability mass the enumeration covers.
    pub covered: f64,
    /// Mass of enumerated paths without a valid answer.
    pub invalid: f64,
    /// Enumerated paths.
    pub paths: usize,
    /// Distinct answers among them.
    pub answers: usize,
    /// Distinct sampled paths.
    pub distinct: usize,
    /// Sampled paths.
    pub sampled: usize,
}

/// One question's measurements.
#[derive(Debug, Clone)]
pub struct QuestionRun {
    /// Its enumeration and sampling.
    pub stats: QuestionStats,
    /// `[estimator][n index]`, estimators in [`ESTIMATORS`] order.
    pub errors: Vec<Vec<ErrorCell>>,
    /// `[estimator][n index]` → per-repeat `(confidence, correct)` rows.
    pub rows: Rows,
    /// The enumerated path distribution (renormalised over the covered mass).
    pub dist: PathDistribution,
}

/// Enumerates question `q` (index `qi`), samples it `repeats × max(ns)`
/// times, and measures every estimator's estimation error on the correct
/// answer next to its exact value. `observer` advances once after sampling
/// and once per `n`.
pub fn run_question(
    model: &PortableModel,
    model_dir: &std::path::Path,
    q: &Question,
    qi: usize,
    set: &Settings,
    observer: &dyn Observer,
) -> Result<QuestionRun, TinyValidationError> {
    let Settings { ns, repeats, rpc_trials, seed } = *set;
    let e = enumeration(model, model_dir, q)?;
    let exact = e.distribution()?;
    let d = &exact.dist;
    let y = d.correct();
    let n_max = *ns.last().expect("ns") as usize;
    let mut rng = crate::seed::rng(seed, &[crate::seed::tag("validate/tiny-sample"), qi as u64]);
    let sampler = GenerationConfig { max_new_tokens: MAX_NEW_TOKENS, ..GenerationConfig::tiny() };
    let generated = sample_paths(model, q, repeats * n_max, &sampler, &mut rng)?;
    observer.advance(1);
    // Map sampled paths to the enumerated ones (ids < #paths) or to new ids.
    let mut extra_answers: Vec<String> = Vec::new();
    let mut outside = std::collections::HashMap::new();
    let mut mapped = Vec::with_capacity(generated.len());
    let mut distinct = std::collections::HashSet::new();
    for g in &generated {
        distinct.insert(g.tokens.clone());
        let sp = match exact.index.get(&g.tokens) {
            Some(&i) => SampledPath { id: i as u32, prob: d.paths()[i].prob, answer: d.paths()[i].answer as u32 },
            None => {
                let next = d.paths().len() + outside.len();
                let id = *outside.entry(g.tokens.clone()).or_insert(next);
                let a = match d.answer_index(g.answer_or_invalid()) {
                    Some(a) => a,
                    None => match extra_answers.iter().position(|x| x == g.answer_or_invalid()) {
                        Some(k) => d.n_answers() + k,
                        None => {
                            extra_answers.push(g.answer_or_invalid().to_string());
                            d.n_answers() + extra_answers.len() - 1
                        }
                    },
                };
                SampledPath { id: id as u32, prob: g.logprob_sum().exp() / exact.covered_mass, answer: a as u32 }
            }
        };
        mapped.push(sp);
    }
    let n_answers = d.n_answers() + extra_answers.len();
    let universe = d.paths().len() + outside.len();
    let correct_of = |a: usize| a < d.n_answers() && Some(a) == y;
    let target = y.map_or(0.0, |a| d.answer_mass(a));
    // PPL's path: the most probable path of y (Prop. 3), if y has paths.
    let top = y.map(|a| {
        let probs = d.probs_of(a);
        (0..probs.len()).max_by(|&i, &j| probs[i].total_cmp(&probs[j]).then(j.cmp(&i))).expect("paths")
    });
    let rpc = ReasoningPruning::new(WeibullPruning);
    let estimators: [&dyn Estimator; 4] = [&SelfConsistency, &Perplexity, &PerplexityConsistency, &rpc];
    let mut errors = vec![Vec::new(); 4];
    let mut rows = vec![vec![Vec::new(); ns.len()]; 4];
    let mut sample = Sample::new(universe, n_answers);
    let mut scores = vec![0.0; n_answers];
    for (ni, &n) in ns.iter().enumerate() {
        let mut stats = [RunningStats::default(); 4];
        for r in 0..repeats {
            sample.clear();
            for p in &mapped[r * n_max..r * n_max + n as usize] {
                sample.push(*p);
            }
            for (k, est) in estimators.iter().enumerate() {
                est.answer_scores(&sample, &mut scores);
                // Estimation error on y: PPL is judged on its path (Prop. 3).
                let err = match (k, y, top) {
                    (1, Some(a), Some(j)) => {
                        let gi = d.path_index(a, j) as u32;
                        let pt = d.paths()[gi as usize].prob;
                        let hit = sample.distinct().any(|p| p.id == gi);
                        (if hit { pt } else { 0.0 } - pt).powi(2)
                    }
                    (_, Some(a), _) => (scores[a] - target).powi(2),
                    _ => (0.0 - target).powi(2),
                };
                stats[k].push(err);
                let total: f64 = scores.iter().sum();
                let qrows: Vec<(f64, bool)> = (0..n_answers).filter(|&a| scores[a] > 0.0).map(|a| (scores[a] / total, correct_of(a))).collect();
                rows[k][ni].push(qrows);
            }
        }
        // Exact values.
        let (sc, ppl, pc) = match (y, top) {
            (Some(a), Some(j)) => {
                (sc_terms(d, a, n).expect("n >= 1").estimation_error, ppl_terms(d, a, j, n).estimation_error, pc_terms(d, a, n).estimation_error)
            }
            _ => (target * target, 0.0, target * target),
        };
        // Monte Carlo on the enumerated distribution: RPC's value, and for
        // every estimator the per-repeat spread of (p̂ − p)² under the null
        // (the measurement's standard error is spread / √repeats).
        let (mc, spread) = match y {
            Some(a) => {
                let cfg = SimConfig {
                    n,
                    trials: rpc_trials,
                    seed: crate::seed::derive(seed, &[crate::seed::tag("validate/tiny-monte-carlo"), qi as u64, n]),
                    tau: 0.0,
                    track_paths: false,
                };
                let terms = simulate_estimators(d, &cfg, &[&SelfConsistency, &PerplexityConsistency, &rpc], &crate::progress::Quiet).answers;
                let mc_sd = |k: usize| terms[k][a].estimation_error.std_error * (rpc_trials as f64).sqrt();
                // SC: exact, from the binomial's fourth central moment
                // μ₄ = p q (1 + 3 (n − 2) p q) / n³ and σ² = p q / n.
                let (p, q, nf) = (target, 1.0 - target, n as f64);
                let sc_var = p * q * (1.0 + 3.0 * (nf - 2.0) * p * q) / nf.powi(3) - (p * q / nf).powi(2);
                // PPL: exact; its error is p_t² with probability (1 − p_t)^n, else 0.
                let pt = d.probs_of(a)[top.expect("y has paths")];
                let miss = (1.0 - pt).powi(n as i32);
                let ppl_sd = pt * pt * (miss * (1.0 - miss)).sqrt();
                // PC and RPC: X = (p̂ − p)² lies in [0, p²] (p̂ ∈ [0, p]), so
                // Var X ≤ p² E[X] − E[X]². A Monte Carlo spread alone can miss
                // rare large errors (e.g. y's dominant path unsampled) that
                // dominate E[X]; the bound keeps the test valid there.
                let bound = |mean: f64| (p * p * mean - mean * mean).max(0.0).sqrt();
                let pc_sd = mc_sd(1).max(bound(pc));
                let rpc_sd = mc_sd(2).max(bound(terms[2][a].estimation_error.mean));
                (terms[2][a].estimation_error, [sc_var.max(0.0).sqrt(), ppl_sd, pc_sd, rpc_sd])
            }
            None => (crate::montecarlo::Estimate::new(target * target, 0.0), [0.0; 4]),
        };
        let (rpc_exact, rpc_se) = (mc.mean, mc.std_error);
        let exacts = [(sc, 0.0), (ppl, 0.0), (pc, 0.0), (rpc_exact, rpc_se)];
        for k in 0..4 {
            errors[k].push(ErrorCell { measured: stats[k], exact: exacts[k].0, exact_se: exacts[k].1, null_sd: spread[k] });
        }
        observer.advance(1);
    }
    let stats = QuestionStats {
        id: q.id(),
        exact_accuracy: target,
        covered: e.covered_mass,
        invalid: e.invalid_mass(),
        paths: d.paths().len(),
        answers: d.n_answers(),
        distinct: distinct.len(),
        sampled: generated.len(),
    };
    Ok(QuestionRun { stats, errors, rows, dist: d.clone() })
}

/// [`run_question`] over `qs` with the model stored in `model_dir`, memoised
/// for the life of the process: `reproduce` draws two figures from the same
/// runs (the estimation errors and the exact accuracy), and sampling and
/// enumerating the transformer is the slow part of both.
pub fn run_questions(
    model: &PortableModel,
    model_dir: &std::path::Path,
    qs: &[Question],
    set: &Settings,
    observer: &dyn Observer,
) -> Result<Vec<QuestionRun>, TinyValidationError> {
    use std::sync::{Mutex, OnceLock};
    type Memo = Mutex<Vec<(String, Vec<QuestionRun>)>>;
    static MEMO: OnceLock<Memo> = OnceLock::new();
    let key = format!("{}|{:?}|{:?}", model_dir.display(), qs.iter().map(Question::id).collect::<Vec<_>>(), set);
    let memo = MEMO.get_or_init(|| Mutex::new(Vec::new()));
    if let Some((_, runs)) = memo.lock().expect("memo lock").iter().find(|(k, _)| *k == key) {
        return Ok(runs.clone());
    }
    let runs = qs.iter().enumerate().map(|(qi, q)| run_question(model, model_dir, q, qi, set, observer)).collect::<Result<Vec<_>, _>>()?;
    memo.lock().expect("memo lock").push((key, runs.clone()));
    Ok(runs)
}

/// `q`'s enumeration (floor [`FLOOR`], [`MAX_NEW_TOKENS`]) under the model
/// stored in `model_dir`, memoised for the life of the process: the
/// estimation-error figure and the aggregators' figure use the same
/// enumerations, the slow part of both (≈ 9 s for the hardest question).
pub fn enumeration(model: &PortableModel, model_dir: &std::path::Path, q: &Question) -> Result<std::sync::Arc<crate::tiny::Enumeration>, TinyError> {
    use std::sync::{Arc, Mutex, OnceLock};
    type Memo = Mutex<Vec<(String, Arc<crate::tiny::Enumeration>)>>;
    static MEMO: OnceLock<Memo> = OnceLock::new();
    let key = format!("{}|{}", model_dir.display(), q.id());
    let memo = MEMO.get_or_init(|| Mutex::new(Vec::new()));
    if let Some((_, e)) = memo.lock().expect("memo lock").iter().find(|(k, _)| *k == key) {
        return Ok(e.clone());
    }
    let e = Arc::new(enumerate_paths(model, q, FLOOR, MAX_NEW_TOKENS)?);
    memo.lock().expect("memo lock").push((key, e.clone()));
    Ok(e)
}

/// Why the trained-transformer validation failed.
#[derive(Debug, Error)]
pub enum TinyValidationError {
    /// Training, loading, sampling or enumerating the model failed.
    #[error(transparent)]
    Tiny(#[from] TinyError),
    /// An enumerated distribution is not a valid path distribution.
    #[error(transparent)]
    Distribution(#[from] DistributionError),
}

/// One comparison of a measured estimation error with its exact value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ErrorComparison {
    /// Index into the runs.
    pub question: usize,
    /// The estimator.
    pub estimator: EstimatorId,
    /// Sample size.
    pub n: u64,
    /// Mean over repeats of the squared error, and its sample standard error.
    pub measured: f64,
    /// Sample standard error of `measured`.
    pub measured_se: f64,
    /// The exact value and its standard error (RPC: Monte Carlo).
    pub exact: f64,
    /// Standard error of `exact`.
    pub exact_se: f64,
    /// z-score under the null.
    pub z: f64,
    /// Within the family's critical value.
    pub agrees: bool,
}

/// Tests every measured error against its exact value: under the null
/// (samples from the enumerated distribution) the mean of `repeats` squared
/// errors has standard error `null_sd / √repeats` (the sample spread is not
/// used: it is badly biased when a rare large error is not observed),
/// combined with the exact value's own standard error, floored at 1e-9
/// relative (different summation orders). Bonferroni over all comparisons
/// ([`Family`]). In order of question, estimator, `n`.
pub fn compare(runs: &[QuestionRun], ns: &[u64], repeats: usize) -> (Family, Vec<ErrorComparison>) {
    let mut checks = Checks::new();
    let mut cells = Vec::new();
    for (qi, r) in runs.iter().enumerate() {
        for (k, &estimator) in ESTIMATORS.iter().enumerate() {
            for (ni, &n) in ns.iter().enumerate() {
                let cell = &r.errors[k][ni];
                let est = cell.measured.estimate(0.0);
                let floor = 1e-9 * cell.exact.abs().max(est.mean.abs()) + f64::MIN_POSITIVE;
                let se = ((cell.null_sd * cell.null_sd) / repeats as f64 + cell.exact_se * cell.exact_se).sqrt();
                checks.equal(format!("{} {} n={n}", r.stats.id, estimator.name()), est.mean, cell.exact, StdError::AtLeast { se, floor });
                cells.push((qi, estimator, n, est, cell));
            }
        }
    }
    let judged = checks.judge();
    let out = cells
        .into_iter()
        .zip(&judged.checks)
        .map(|((question, estimator, n, est, cell), j)| ErrorComparison {
            question,
            estimator,
            n,
            measured: est.mean,
            measured_se: est.std_error,
            exact: cell.exact,
            exact_se: cell.exact_se,
            z: j.z,
            agrees: j.agrees,
        })
        .collect();
    (judged.family, out)
}
