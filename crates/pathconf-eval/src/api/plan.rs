//! `pathconf plan`: from the first `m` paths of each question, predict every
//! method's accuracy at budgets not yet sampled and every rule's cost and
//! accuracy ([`crate::plan`]; the methods that weigh paths and the `pc-*`
//! rules replayed on completed runs by [`crate::eval::completed`]), with the
//! decisions `--target` and `--budget-tokens` ask for.

use super::ApiError;
use crate::accuracy::target::Target;
use crate::eval::completed::CompletedRuns;
use crate::eval::equivalence::AnswerEquality;
use crate::eval::methods::{Method, Prepared, ProbMode};
use crate::eval::requirements::{check_logprobs, require_logprobs};
use crate::eval::stopping::{prob_mode_of, replay_rule};
use crate::eval::{Dataset, RawQuestion};
use crate::invalid::InvalidPolicy;
use crate::plan::decide::{best_within, smallest_n, BudgetDecision, Choice, TargetDecision};
use crate::plan::{predict_with, Band, Hyper, PathReplay, Pilot, PlanConfig, PlanModel, Prediction};
use crate::progress::Observer;
use crate::provenance::{Interval, Provenance};
use crate::stopping::StopRule;
use serde::Serialize;

/// The sample sizes reported when none are asked for.
pub const DEFAULT_N: [usize; 7] = [1, 2, 4, 8, 16, 32, 64];

/// What `plan` is asked for.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Paths per question the plan may read (the first `m`); `None`: all.
    pub pilot: Option<usize>,
    /// Sample sizes to report (empty: [`DEFAULT_N`]).
    pub n: Vec<usize>,
    /// Methods besides SC, which is always predicted (`sc`, `pc`, `rpc`,
    /// `cisc:0.5`, … as `eval --methods` takes them; `None`: SC only).
    pub methods: Option<Vec<String>>,
    /// Which path probability PPL, PC, RP and RPC read.
    pub prob: ProbMode,
    /// Stopping rules (count-based, and `pc-*`).
    pub stop: Vec<StopRule>,
    /// Answer equivalence.
    pub equal: AnswerEquality,
    /// How SC and every rule treat invalid answers; `None`: as each reference does.
    pub invalid: Option<InvalidPolicy>,
    /// The model.
    pub model: PlanModel,
    /// Monte Carlo draws.
    pub draws: usize,
    /// Seed.
    pub seed: u64,
    /// The intervals' central probability.
    pub level: f64,
    /// The smallest `n` reaching this target.
    pub target: Option<Target>,
    /// The best choice within this many tokens per question.
    pub budget_tokens: Option<f64>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            pilot: None,
            n: Vec::new(),
            methods: None,
            prob: ProbMode::Mean,
            stop: Vec::new(),
            equal: AnswerEquality::default(),
            invalid: None,
            model: PlanModel::EmpiricalBayes,
            draws: 400,
            seed: 0,
            level: 0.9,
            target: None,
            budget_tokens: None,
        }
    }
}

/// One row of the report (the JSON rows of `plan --json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanRow {
    /// The method as typed (`"sc"`, `"pc"`, `"cisc:0.5"`, …) for a method
    /// row; `None` for a rule row.
    pub method: Option<String>,
    /// The rule, for a rule row.
    pub rule: Option<String>,
    /// SC's `n` (`None`: `n → ∞`), or the rule's cap.
    pub n: Option<usize>,
    /// Accuracy in %.
    pub accuracy: f64,
    /// Its interval (JSON: `accuracy_low`, `accuracy_high`).
    #[serde(flatten, with = "crate::provenance::flat::accuracy")]
    pub accuracy_interval: Interval,
    /// Monte Carlo standard error of `accuracy` (0 when measured).
    pub accuracy_mc_se: f64,
    /// Mean samples per question (`None` for `n → ∞`).
    pub expected_samples: Option<f64>,
    /// Its interval (JSON: `samples_low`, `samples_high`).
    #[serde(flatten, with = "crate::provenance::flat::samples")]
    pub samples_interval: Option<Interval>,
    /// How it was obtained: measured (fixed by the pilot) or predicted.
    pub provenance: Provenance,
    /// The same in words: `"measured: pilot"` or `"predicted: <model> (…)"`.
    pub basis: String,
}

/// The fitted model's parameters (on all the pilots), for the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FittedModel {
    /// The model.
    pub model: PlanModel,
    /// Mean of the correct-share prior `g` (empirical Bayes).
    pub prior_mean_share: Option<f64>,
    /// The prior's mass at share 0 (questions never answered right).
    pub prior_mass_at_zero: Option<f64>,
    /// The prior's mass at share 1.
    pub prior_mass_at_one: Option<f64>,
    /// The weight of the finite wrong-answer processes (a few distractors).
    pub wrong_finite_weight: Option<f64>,
    /// The weighted mean strength `α` of the unbounded ones.
    pub wrong_mean_alpha: Option<f64>,
    /// Their weighted mean discount `d`.
    pub wrong_mean_discount: Option<f64>,
}

/// What `plan` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanReport {
    /// The file.
    pub file: String,
    /// Questions.
    pub questions: usize,
    /// Pilot paths per question read (`m`; fewer where a question has fewer).
    pub pilot: usize,
    /// Questions with fewer than `m` paths.
    pub short_pilots: usize,
    /// Invalid answers among the pilot paths.
    pub invalid_pilot_paths: usize,
    /// Monte Carlo draws.
    pub draws: usize,
    /// Central probability of the intervals.
    pub level: f64,
    /// Seed.
    pub seed: u64,
    /// How SC treats invalid answers.
    pub sc_invalid: InvalidPolicy,
    /// The model as fitted on every pilot.
    pub fitted: FittedModel,
    /// The rows: SC at each `n`, SC as `n → ∞`, each other method at each
    /// `n`, each rule.
    pub rows: Vec<PlanRow>,
    /// `--target`'s answer.
    pub target: Option<TargetDecision>,
    /// `--budget-tokens`'s answer.
    pub budget: Option<BudgetDecision>,
    /// What the reader should know (short pilots, an unfitted process, …).
    pub notes: Vec<String>,
    /// Every prediction (SC at every `n ≤ n_max`), for figures and validation.
    #[serde(skip)]
    pub prediction: Prediction,
}

/// A question's pilot: its first `m` paths (all when `None`) as answer
/// groups, as `eval --stop --order file` groups them.
pub fn pilot(q: &RawQuestion, m: Option<usize>, equal: &AnswerEquality) -> Pilot {
    let take = m.unwrap_or(usize::MAX).min(q.paths.len());
    let prepared = Prepared::new(q, (0..take).collect(), equal, ProbMode::Mean, InvalidPolicy::Vote).expect("mean-probability mode never fails");
    let (answers, correct) = prepared.groups();
    Pilot::new(answers.to_vec(), correct.to_vec(), prepared.invalid_groups()).expect("a question has at least one path, and its groups are labelled")
}

/// Every question's [`pilot`].
pub fn pilots(ds: &Dataset, m: Option<usize>, equal: &AnswerEquality) -> Vec<Pilot> {
    ds.questions.iter().map(|q| pilot(q, m, equal)).collect()
}

fn basis_text(b: Provenance, p: &Prediction) -> String {
    match b {
        Provenance::Predicted => format!("predicted: {} (monte_carlo over {} draws, {:.0}% interval)", p.model.describe(), p.draws, 100.0 * p.level),
        _ => "measured: pilot".into(),
    }
}

/// A credit's band in percent.
fn percent(b: Band) -> Band {
    Band { mean: 100.0 * b.mean, interval: Interval::new(100.0 * b.interval.low, 100.0 * b.interval.high), mc_se: 100.0 * b.mc_se, basis: b.basis }
}

fn rule_row(rule: &StopRule, accuracy: &Band, samples: &Band, p: &Prediction) -> PlanRow {
    PlanRow {
        method: None,
        rule: Some(rule.to_string()),
        n: Some(rule.max_samples()),
        accuracy: accuracy.mean,
        accuracy_interval: accuracy.interval,
        accuracy_mc_se: accuracy.mc_se,
        expected_samples: Some(samples.mean),
        samples_interval: Some(samples.interval),
        provenance: accuracy.basis,
        basis: basis_text(accuracy.basis, p),
    }
}

/// Whether a path rule's outcome reads only the pilots: its cap fits in
/// every pilot, or it stopped before every pilot's last draw.
fn path_rule_measured(ds: &Dataset, pilots: &[Pilot], rule: &StopRule, policy: InvalidPolicy, equal: &AnswerEquality) -> bool {
    ds.questions.iter().zip(pilots).all(|(q, p)| {
        let m = p.draws();
        if rule.max_samples() <= m {
            return true;
        }
        let stopped = replay_rule(q, (0..m).collect(), rule, policy, equal, &mut crate::stopping::StopCache::default());
        stopped.expect("checked: the paths have what the rule reads").used < m
    })
}

fn method_row(method: &str, n: Option<usize>, b: &Band, p: &Prediction) -> PlanRow {
    PlanRow {
        method: Some(method.into()),
        rule: None,
        n,
        accuracy: b.mean,
        accuracy_interval: b.interval,
        accuracy_mc_se: b.mc_se,
        expected_samples: n.map(|n| n as f64),
        samples_interval: n.map(|n| Interval::point(n as f64)),
        provenance: b.basis,
        basis: basis_text(b.basis, p),
    }
}

/// Runs `plan` on a loaded file.
pub fn plan(ds: &Dataset, opts: &PlanOptions, observer: &dyn Observer) -> Result<PlanReport, ApiError> {
    let mut weighted: Vec<Method> = Vec::new();
    for m in opts.methods.iter().flatten() {
        let method = Method::parse(m, None).map_err(|e| match e {
            crate::eval::methods::MethodError::MissingParameter { method, .. } => {
                ApiError::Option(format!("--methods {m}: `{method}` needs its threshold, written {method}:τ (for example {method}:0.3)"))
            }
            e => e.into(),
        })?;
        if method != Method::Sc && !weighted.contains(&method) {
            weighted.push(method);
        }
    }
    if opts.prob == ProbMode::Sequence {
        if let Some(m) = weighted.iter().find(|m| matches!(m, Method::Ppl | Method::Pc | Method::Rp(_) | Method::Rpc)) {
            require_logprobs(ds, &m.to_string(), ProbMode::Sequence)?;
        }
    }
    check_logprobs(ds, &weighted)?;
    for rule in opts.stop.iter().filter(|r| r.needs_paths()) {
        require_logprobs(ds, &rule.to_string(), prob_mode_of(rule))?;
    }
    if opts.pilot == Some(0) {
        return Err(ApiError::Option("--pilot must be at least 1".into()));
    }
    if opts.draws < 2 {
        return Err(ApiError::Option("--draws must be at least 2".into()));
    }
    if !(opts.level > 0.0 && opts.level < 1.0) {
        return Err(ApiError::Option(format!("--level {} must lie in (0, 1)", opts.level)));
    }
    if opts.n.contains(&0) {
        return Err(ApiError::Option("--n values must be at least 1".into()));
    }
    if let Some(b) = opts.budget_tokens {
        if !(b > 0.0 && b.is_finite()) {
            return Err(ApiError::Option(format!("--budget-tokens {b} must be a positive number")));
        }
    }
    let ns: Vec<usize> = if opts.n.is_empty() { DEFAULT_N.to_vec() } else { opts.n.clone() };
    let target_n = match opts.target {
        Some(Target::Sc { n }) => n as usize,
        _ => 0,
    };
    let n_max = ns.iter().copied().chain([target_n]).max().unwrap_or(1);
    let pilots = pilots(ds, opts.pilot, &opts.equal);
    let m = opts.pilot.unwrap_or_else(|| pilots.iter().map(Pilot::draws).max().unwrap_or(0));
    let short = pilots.iter().filter(|p| p.draws() < m).count();
    let sc_invalid = opts.invalid.unwrap_or(InvalidPolicy::Vote);
    let policy_of = |r: &StopRule| opts.invalid.unwrap_or_else(|| r.default_invalid());
    let rules: Vec<(StopRule, InvalidPolicy)> = opts.stop.iter().filter(|r| !r.needs_paths()).map(|r| (*r, policy_of(r))).collect();
    let path_rules: Vec<(StopRule, InvalidPolicy)> = opts.stop.iter().filter(|r| r.needs_paths()).map(|r| (*r, policy_of(r))).collect();
    let cfg = PlanConfig { model: opts.model, n_max, sc_invalid, rules, draws: opts.draws, seed: opts.seed, level: opts.level };
    let replay = (!weighted.is_empty() || !path_rules.is_empty()).then(|| {
        let methods = weighted.iter().map(|m| (*m, opts.invalid.unwrap_or_else(|| m.default_invalid()))).collect();
        CompletedRuns::new(&ds.questions, &pilots, methods, ns.clone(), path_rules.clone(), &opts.equal, opts.prob)
    });
    let prediction = predict_with(&pilots, &cfg, replay.as_ref().map(|r| r as &dyn PathReplay), observer).map_err(|e| ApiError::Option(e.to_string()))?;
    let m_min = pilots.iter().map(Pilot::draws).min().unwrap_or(0);
    let mut rows: Vec<PlanRow> = ns.iter().map(|&n| method_row("sc", Some(n), &prediction.sc[n - 1], &prediction)).collect();
    rows.push(method_row("sc", None, &prediction.sc_limit, &prediction));
    let mut choices: Vec<Choice> = Vec::new();
    if let Some(replay) = &replay {
        for (i, method) in weighted.iter().enumerate() {
            for (j, &n) in ns.iter().enumerate() {
                let mut band = percent(prediction.paths[replay.method_value(i, j)]);
                if n <= m_min {
                    band.basis = Provenance::Measured;
                }
                rows.push(method_row(&method.to_string(), Some(n), &band, &prediction));
                choices.push(Choice { method: Some(method.to_string()), rule: None, n, accuracy: band, samples: n as f64 });
            }
        }
    }
    let (mut count_rules, mut path_index) = (prediction.rules.iter(), 0);
    for rule in &opts.stop {
        let (accuracy, samples) = if rule.needs_paths() {
            let replay = replay.as_ref().expect("made when a path rule is asked for");
            let (c, s) = replay.rule_values(path_index);
            path_index += 1;
            let (mut a, mut s) = (percent(prediction.paths[c]), prediction.paths[s]);
            if path_rule_measured(ds, &pilots, rule, policy_of(rule), &opts.equal) {
                a.basis = Provenance::Measured;
                s.basis = Provenance::Measured;
            }
            (a, s)
        } else {
            let r = count_rules.next().expect("one prediction per count rule, in order");
            (r.accuracy, r.samples)
        };
        rows.push(rule_row(rule, &accuracy, &samples, &prediction));
        choices.push(Choice { method: None, rule: Some(rule.to_string()), n: rule.max_samples(), accuracy, samples: samples.mean });
    }
    let mut notes = Vec::new();
    if short > 0 {
        notes.push(format!("{short} questions have fewer than {m} paths: their pilots are all their paths"));
    }
    let fitted = match opts.model {
        PlanModel::EmpiricalBayes => {
            let h = Hyper::fit(pilots.iter());
            if pilots.iter().all(|p| p.wrong_blocks().iter().sum::<usize>() < 2) {
                notes.push("no question has two wrong pilot answers: the wrong-answer processes keep equal weights (nothing to fit them to)".into());
            }
            let (alpha, discount, finite) = h.wrong.summary();
            let w = &h.share.weights;
            FittedModel {
                model: opts.model,
                prior_mean_share: Some(w.iter().enumerate().map(|(j, x)| crate::plan::share::grid_point(j) * x).sum()),
                prior_mass_at_zero: Some(w[0]),
                prior_mass_at_one: Some(w[w.len() - 1]),
                wrong_finite_weight: Some(finite),
                wrong_mean_alpha: Some(alpha),
                wrong_mean_discount: Some(discount),
            }
        }
        PlanModel::PlugIn => {
            notes.push("plug-in model: each pilot's frequencies are taken as its question's distribution (no unseen answer; intervals carry only the draws' randomness)".into());
            FittedModel {
                model: opts.model,
                prior_mean_share: None,
                prior_mass_at_zero: None,
                prior_mass_at_one: None,
                wrong_finite_weight: None,
                wrong_mean_alpha: None,
                wrong_mean_discount: None,
            }
        }
    };
    let target = match opts.target {
        Some(t) => Some(smallest_n(&prediction, t).ok_or_else(|| ApiError::Option(format!("--target {t}: beyond the predicted sizes")))?),
        None => None,
    };
    let budget = match opts.budget_tokens {
        Some(b) => {
            let (sum, count) = ds
                .questions
                .iter()
                .flat_map(|q| q.paths.iter().take(opts.pilot.unwrap_or(usize::MAX)))
                .try_fold((0u64, 0u64), |(s, c), p| p.tokens.map(|t| (s + t, c + 1)))
                .ok_or_else(|| {
                    ApiError::Option(format!(
                        "--budget-tokens needs every pilot path's token count (`n_tokens` or `logprobs`), which {} lacks",
                        ds.file.display()
                    ))
                })?;
            Some(best_within(&prediction, &choices, sum as f64 / count.max(1) as f64, b))
        }
        None => None,
    };
    Ok(PlanReport {
        file: ds.file.display().to_string(),
        questions: ds.questions.len(),
        pilot: m,
        short_pilots: short,
        invalid_pilot_paths: pilots.iter().map(|p| p.answers().iter().filter(|&&a| p.invalid()[a as usize]).count()).sum(),
        draws: opts.draws,
        level: opts.level,
        seed: opts.seed,
        sc_invalid,
        fitted,
        rows,
        target,
        budget,
        notes,
        prediction,
    })
}
