//! Predictions from pilots: every simulated completion of the run, each
//! under freshly drawn model parameters, replayed as `eval` would replay the
//! completed file.
//!
//! What is predicted is what `eval --stop RULE --order file` will measure on
//! the file once every question has been sampled on (the pilot's draws kept
//! as its first ones): SC's accuracy at each `n` (`fixed:n`), each rule's
//! accuracy and mean samples, and SC's accuracy as `n → ∞`. For draw
//! `s = 1..S`:
//!
//! 1. (empirical Bayes) the questions are resampled with replacement and the
//!    model refitted on the resample ([`super::model::Hyper::fit`]) — Laird
//!    & Louis's (1987) bootstrap for empirical-Bayes intervals, resampling
//!    the questions themselves — so the interval carries the uncertainty of
//!    the fitted prior, which a finite number of questions leaves;
//! 2. every question's run is completed from its own posterior
//!    ([`super::model::Future::draw`]), and replayed;
//! 3. the dataset's values are averaged over the questions.
//!
//! A prediction is the mean over draws; its interval the draws' central
//! quantiles (posterior predictive: the unknown distributions *and* the
//! draws not yet made). Each is Monte Carlo over `S` draws: its standard
//! error is reported. Values the pilot already fixes (`n ≤ m` for every
//! question; a rule that stopped within every pilot) are reported as
//! measured.

use super::model::{Future, Hyper, PlanModel, Sequence};
use super::paths::{complete, PathDraw, PathModel, PathProcess, PilotPaths};
use super::pilot::Pilot;
use crate::invalid::InvalidPolicy;
use crate::progress::Observer;
use crate::provenance::{Interval, Provenance};
use crate::stopping::{prefix_credits, replay_silent, StopCache, StopRule};
use rand::Rng;
use rayon::prelude::*;
use serde::Serialize;
use thiserror::Error;

/// Settings of [`predict`].
#[derive(Debug, Clone, PartialEq)]
pub struct PlanConfig {
    /// The model.
    pub model: PlanModel,
    /// SC is predicted at every `n = 1..=n_max`.
    pub n_max: usize,
    /// How SC treats invalid answers.
    pub sc_invalid: InvalidPolicy,
    /// Rules, each with how it treats invalid answers.
    pub rules: Vec<(StopRule, InvalidPolicy)>,
    /// Monte Carlo draws `S`.
    pub draws: usize,
    /// Seed of everything random.
    pub seed: u64,
    /// Central probability of the intervals (0.9).
    pub level: f64,
}

impl Default for PlanConfig {
    fn default() -> Self {
        Self { model: PlanModel::EmpiricalBayes, n_max: 64, sc_invalid: InvalidPolicy::Vote, rules: Vec::new(), draws: 400, seed: 0, level: 0.9 }
    }
}

/// A plan that cannot be made.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum PlanError {
    /// No question.
    #[error("no question to plan for")]
    NoQuestions,
    /// A setting out of range.
    #[error("{option} must be {requirement}")]
    Setting {
        /// The setting.
        option: &'static str,
        /// What it must be.
        requirement: &'static str,
    },
    /// A rule reading path probabilities (not answers).
    #[error("{0} reads path probabilities: plan predicts the rules that read answers (fixed, esc, asc-*)")]
    PathRule(String),
}

/// A predicted value: the mean over draws, the interval, and the Monte
/// Carlo standard error of the mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Band {
    /// Mean over the draws.
    pub mean: f64,
    /// The interval (serialised as `low`, `high`).
    #[serde(flatten, with = "crate::provenance::flat::plain")]
    pub interval: Interval,
    /// Standard error of `mean` (Monte Carlo).
    pub mc_se: f64,
    /// How it was obtained: measured (fixed by the pilot) or predicted.
    pub basis: Provenance,
}

impl Band {
    /// Mean, central `level` interval (linear interpolation between order
    /// statistics) and standard error of `values`. The interval is extended
    /// to the mean where a skewed set of draws leaves the mean outside it
    /// (nearly every draw equal, a few far off): it then holds at least
    /// `level` of the draws and the value reported with it.
    pub fn of(values: &mut [f64], level: f64, basis: Provenance) -> Self {
        let n = values.len();
        // Equal draws (a value the pilot fixes) are their mean exactly, not up to rounding.
        let mean = if values.iter().all(|&v| v == values[0]) { values[0] } else { values.iter().sum::<f64>() / n as f64 };
        let mc_se = crate::montecarlo::standard_error(values);
        values.sort_unstable_by(f64::total_cmp);
        let q = |p: f64| crate::montecarlo::quantile(values, p);
        let tail = (1.0 - level) / 2.0;
        Self { mean, interval: Interval::new(q(tail).min(mean), q(1.0 - tail).max(mean)), mc_se, basis }
    }

    /// Whether `x` lies in the interval.
    pub fn covers(&self, x: f64) -> bool {
        self.interval.contains_within(x, 1e-9)
    }
}

/// A rule's prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RulePrediction {
    /// The rule.
    pub rule: String,
    /// How it treats invalid answers.
    pub invalid: InvalidPolicy,
    /// Accuracy in %.
    pub accuracy: Band,
    /// Mean samples per question.
    pub samples: Band,
}

/// A plan's predictions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// The model.
    pub model: PlanModel,
    /// Monte Carlo draws.
    pub draws: usize,
    /// The intervals' central probability.
    pub level: f64,
    /// SC's accuracy in % at `n = 1..=n_max` (index `n − 1`).
    pub sc: Vec<Band>,
    /// SC's accuracy in % as `n → ∞`.
    pub sc_limit: Band,
    /// The rules, in the order given.
    pub rules: Vec<RulePrediction>,
    /// The values a [`PathReplay`] adds (dataset means of its per-question
    /// values), in its order; all `predicted` — the replay knows which of
    /// them the pilot fixes.
    pub paths: Vec<Band>,
}

/// Values read off a completed run's paths — methods that weigh paths, rules
/// that read their probabilities — which the core cannot compute (it knows
/// answers, not signals): the evaluator replays them on the completed file.
pub trait PathReplay: Sync {
    /// Values per question.
    fn width(&self) -> usize;
    /// The draws a completed run needs.
    fn run_length(&self) -> usize;
    /// Question `q`'s pilot paths.
    fn pilot(&self, q: usize) -> &PilotPaths;
    /// Adds question `q`'s values for the completed run `seq` with paths
    /// `paths` to `out` (`width` values).
    fn add(&self, q: usize, seq: &Sequence, paths: &[PathDraw], out: &mut [f64]);
}

/// Sums over questions of completed runs' values: SC's credit at each
/// `n`, SC's limit credit, each rule's credit and samples — what one draw of
/// [`predict`] adds up, and what a validation adds up from known
/// distributions.
#[derive(Debug, Clone)]
pub struct Tally {
    /// SC's credit summed over questions, at `n = 1..=n_max` (index `n − 1`).
    pub sc: Vec<f64>,
    /// SC's limit credit summed over questions.
    pub limit: f64,
    /// Per rule: credit and samples used, summed over questions.
    pub rules: Vec<(f64, f64)>,
    /// A [`PathReplay`]'s values, summed over questions.
    pub paths: Vec<f64>,
    caches: Vec<StopCache>,
}

impl Tally {
    /// An empty tally for `cfg`'s sizes and rules.
    pub fn new(cfg: &PlanConfig) -> Self {
        Self {
            sc: vec![0.0; cfg.n_max],
            limit: 0.0,
            rules: vec![(0.0, 0.0); cfg.rules.len()],
            paths: Vec::new(),
            caches: vec![StopCache::default(); cfg.rules.len()],
        }
    }

    /// Adds one question's completed run `seq` (at least as long as the
    /// longest rule and `n_max`), replayed in order: SC at every `n` and
    /// every rule, invalid answers treated as `cfg` says.
    pub fn add(&mut self, seq: &Sequence, cfg: &PlanConfig) {
        let credits = prefix_credits(&seq.answers, &seq.correct, silent_of(cfg.sc_invalid, &seq.invalid), cfg.n_max);
        self.sc.iter_mut().zip(credits).for_each(|(s, c)| *s += c);
        for ((rule, policy), (slot, cache)) in cfg.rules.iter().zip(self.rules.iter_mut().zip(self.caches.iter_mut())) {
            let stopped = replay_silent(rule, &seq.answers, &seq.correct, silent_of(*policy, &seq.invalid), cache);
            slot.0 += stopped.credit;
            slot.1 += stopped.used as f64;
        }
    }
}

/// The length a completed run needs for `cfg`: `n_max`, or the longest rule's cap.
pub fn run_length(cfg: &PlanConfig) -> usize {
    cfg.rules.iter().map(|(r, _)| r.max_samples()).chain([cfg.n_max]).max().unwrap_or(cfg.n_max)
}

/// Predicts SC at every `n ≤ n_max`, SC's limit and every rule for the
/// questions whose pilots are `pilots`. Deterministic for a seed, whatever
/// the number of threads; `observer` advances once per draw.
pub fn predict(pilots: &[Pilot], cfg: &PlanConfig, observer: &dyn Observer) -> Result<Prediction, PlanError> {
    predict_with(pilots, cfg, None, observer)
}

/// [`predict`], and `replay`'s values on every completed run, its paths
/// drawn by [`complete`] (a path process fitted on the pilots
/// ([`PathProcess::fit`]) under empirical Bayes, repeats under the plug-in) after the answers, from the question's own stream.
pub fn predict_with(pilots: &[Pilot], cfg: &PlanConfig, replay: Option<&dyn PathReplay>, observer: &dyn Observer) -> Result<Prediction, PlanError> {
    if pilots.is_empty() {
        return Err(PlanError::NoQuestions);
    }
    if cfg.n_max == 0 {
        return Err(PlanError::Setting { option: "n", requirement: "at least 1" });
    }
    if cfg.draws < 2 {
        return Err(PlanError::Setting { option: "draws", requirement: "at least 2" });
    }
    if !(cfg.level > 0.0 && cfg.level < 1.0) {
        return Err(PlanError::Setting { option: "level", requirement: "in (0, 1)" });
    }
    if let Some((r, _)) = cfg.rules.iter().find(|(r, _)| r.needs_paths()) {
        return Err(PlanError::PathRule(r.to_string()));
    }
    let len = run_length(cfg).max(replay.map_or(0, |r| r.run_length()));
    let path_model = match (cfg.model, replay) {
        (PlanModel::EmpiricalBayes, Some(r)) => PathModel::Process(PathProcess::fit((0..pilots.len()).map(|q| (r.pilot(q), pilots[q].answers())))),
        _ => PathModel::Repeat,
    };
    let q = pilots.len();
    let values: Vec<Tally> = (0..cfg.draws)
        .into_par_iter()
        .map(|s| {
            observer.checkpoint();
            let v = one_draw(pilots, cfg, replay, path_model, len, s as u64);
            observer.advance(1);
            v
        })
        .collect();
    let nq = q as f64;
    let column = |f: &dyn Fn(&Tally) -> f64| -> Vec<f64> { values.iter().map(f).collect() };
    let m_min = pilots.iter().map(Pilot::draws).min().unwrap_or(0);
    let sc = (0..cfg.n_max)
        .map(|i| {
            let basis = if i < m_min { Provenance::Measured } else { Provenance::Predicted };
            Band::of(&mut column(&|v| 100.0 * v.sc[i] / nq), cfg.level, basis)
        })
        .collect();
    let sc_limit = Band::of(&mut column(&|v| 100.0 * v.limit / nq), cfg.level, Provenance::Predicted);
    let rules = cfg
        .rules
        .iter()
        .enumerate()
        .map(|(ri, (rule, policy))| {
            let basis = if stops_within_pilots(rule, *policy, pilots) { Provenance::Measured } else { Provenance::Predicted };
            RulePrediction {
                rule: rule.to_string(),
                invalid: *policy,
                accuracy: Band::of(&mut column(&|v| 100.0 * v.rules[ri].0 / nq), cfg.level, basis),
                samples: Band::of(&mut column(&|v| v.rules[ri].1 / nq), cfg.level, basis),
            }
        })
        .collect();
    let paths = (0..replay.map_or(0, |r| r.width())).map(|v| Band::of(&mut column(&|t| t.paths[v] / nq), cfg.level, Provenance::Predicted)).collect();
    Ok(Prediction { model: cfg.model, draws: cfg.draws, level: cfg.level, sc, sc_limit, rules, paths })
}

/// Whether `rule` stops (or reaches its cap) within every question's pilot:
/// its outcome then reads only the pilot's draws.
fn stops_within_pilots(rule: &StopRule, policy: InvalidPolicy, pilots: &[Pilot]) -> bool {
    pilots.iter().all(|p| {
        let silent = silent_of(policy, p.invalid());
        // One extra (never read) draw tells "stopped at the pilot's last draw" from "ran out".
        let mut answers = p.answers().to_vec();
        answers.push(0);
        replay_silent(rule, &answers, p.correct(), silent, &mut StopCache::default()).used <= p.draws()
    })
}

fn silent_of(policy: InvalidPolicy, invalid: &[bool]) -> Option<&[bool]> {
    (policy == InvalidPolicy::Drop).then_some(invalid)
}

fn one_draw(pilots: &[Pilot], cfg: &PlanConfig, replay: Option<&dyn PathReplay>, path_model: PathModel, len: usize, s: u64) -> Tally {
    let q = pilots.len();
    let hyper = (cfg.model == PlanModel::EmpiricalBayes).then(|| {
        let mut rng = crate::seed::rng(cfg.seed, &[s]);
        let sample: Vec<usize> = (0..q).map(|_| rng.random_range(0..q)).collect();
        Hyper::fit(sample.iter().map(|&i| &pilots[i]))
    });
    // Posterior CDFs of θ, one per distinct (m, c), and of the wrong-answer
    // process, one per distinct partition of the wrong draws.
    let mut cdfs: std::collections::BTreeMap<(usize, usize), Vec<f64>> = Default::default();
    let mut processes: std::collections::BTreeMap<Vec<usize>, Vec<f64>> = Default::default();
    let blocks: Vec<Vec<usize>> = pilots.iter().map(Pilot::wrong_blocks).collect();
    if let Some(h) = &hyper {
        for (p, b) in pilots.iter().zip(&blocks) {
            cdfs.entry((p.draws(), p.correct_count())).or_insert_with(|| h.share.posterior_cdf(p.draws(), p.correct_count()));
            processes.entry(b.clone()).or_insert_with(|| h.wrong.posterior_cdf(b));
        }
    }
    let mut tally = Tally::new(cfg);
    tally.paths = vec![0.0; replay.map_or(0, |r| r.width())];
    for (qi, p) in pilots.iter().enumerate() {
        let mut rng = crate::seed::rng(cfg.seed, &[s, qi as u64 + 1]);
        let future = match &hyper {
            Some(h) => Future::Bayes { pilot: p, theta: &cdfs[&(p.draws(), p.correct_count())], wrong: &h.wrong, process: &processes[&blocks[qi]] },
            None => Future::PlugIn { pilot: p },
        };
        let seq = future.draw(len, &mut rng);
        tally.add(&seq, cfg);
        tally.limit += future.limit_credit(cfg.sc_invalid == InvalidPolicy::Drop, &mut rng);
        if let Some(r) = replay {
            let paths = complete(&seq, r.pilot(qi), path_model, &mut rng);
            r.add(qi, &seq, &paths, &mut tally.paths);
        }
    }
    tally
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Quiet;

    #[test]
    fn values_the_pilot_fixes_are_measured_and_exact() {
        let pilots = vec![
            Pilot::new(vec![0, 0, 1, 0], vec![true, false], vec![false, false]).unwrap(),
            Pilot::new(vec![1, 0, 1, 1], vec![true, false], vec![false, false]).unwrap(),
        ];
        let cfg = PlanConfig { n_max: 8, draws: 20, rules: vec![("esc:2:8".parse().unwrap(), InvalidPolicy::Vote)], ..Default::default() };
        let p = predict(&pilots, &cfg, &Quiet).unwrap();
        // n = 1: question 1 right, question 2 wrong; n = 2: a 1–1 tie in question 2.
        assert_eq!((p.sc[0].mean, p.sc[0].interval.low, p.sc[0].interval.high, p.sc[0].basis), (50.0, 50.0, 50.0, Provenance::Measured));
        assert_eq!(p.sc[1].mean, 75.0);
        assert_eq!(p.sc[4].basis, Provenance::Predicted);
        // ESC with windows of 2 stops in both pilots: at draw 2 ((0,0), right) and 4 ((1,1), wrong).
        assert_eq!(p.rules[0].samples.basis, Provenance::Measured);
        assert_eq!((p.rules[0].samples.mean, p.rules[0].accuracy.mean), (3.0, 50.0));
    }

    /// Draws nearly all equal with one far below: the central 90% is the
    /// common value, the mean lies below it, and the interval reaches down to
    /// the mean.
    #[test]
    fn a_band_holds_its_mean() {
        let mut v = vec![10.0; 40];
        v[0] = 0.0;
        let b = Band::of(&mut v, 0.9, Provenance::Predicted);
        assert_eq!((b.mean, b.interval.low, b.interval.high), (9.75, 9.75, 10.0));
        let mut w: Vec<f64> = (0..=100).map(f64::from).collect();
        let c = Band::of(&mut w, 0.9, Provenance::Predicted);
        // Order statistics 5 and 95 (h = 0.05 · 100 up to rounding): unchanged.
        assert_eq!(c.mean, 50.0);
        assert!((c.interval.low - 5.0).abs() < 1e-12 && (c.interval.high - 95.0).abs() < 1e-12, "{c:?}");
    }

    #[test]
    fn predictions_do_not_depend_on_the_number_of_threads() {
        let pilots: Vec<Pilot> = (0..30u32)
            .map(|q| {
                let a: Vec<u32> = (0..4).map(|j| (q * 7 + j * 3) % 3).collect();
                Pilot::new(a, vec![true, false, false], vec![false; 3]).unwrap()
            })
            .collect();
        let cfg = PlanConfig { n_max: 16, draws: 40, rules: vec![("asc-beta:0.95:16".parse().unwrap(), InvalidPolicy::Drop)], ..Default::default() };
        let run = |threads| rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| predict(&pilots, &cfg, &Quiet).unwrap());
        assert_eq!(run(1), run(3));
    }
}
