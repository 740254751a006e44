//! `pathconf plan`: from the first `m` paths of each question, predict SC's
//! accuracy at budgets not yet sampled and every count-based rule's cost and
//! accuracy ([`crate::plan`]), with the decisions `--target` and
//! `--budget-tokens` ask for.

use super::ApiError;
use crate::accuracy::target::Target;
use crate::eval::equivalence::AnswerEquality;
use crate::eval::methods::{Prepared, ProbMode};
use crate::eval::{Dataset, RawQuestion};
use crate::invalid::InvalidPolicy;
use crate::plan::decide::{best_within, smallest_n, BudgetDecision, TargetDecision};
use crate::plan::{predict, Band, Hyper, Pilot, PlanConfig, PlanModel, Prediction};
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
    /// Methods (`sc` is the one predicted; `None`: `sc`).
    pub methods: Option<Vec<String>>,
    /// Stopping rules (count-based).
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
    /// `"sc"` for a method row; `None` for a rule row.
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
    /// The rows: SC at each `n`, SC as `n → ∞`, each rule.
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

fn sc_row(n: Option<usize>, b: &Band, p: &Prediction) -> PlanRow {
    PlanRow {
        method: Some("sc".into()),
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
    for m in opts.methods.iter().flatten() {
        if !m.trim().eq_ignore_ascii_case("sc") {
            return Err(ApiError::Option(format!(
                "--methods {m}: plan predicts sc and the count-based rules (fixed, esc, asc-*); methods that weigh paths by probability or confidence are not predicted yet (DESIGN: Plans from a pilot)"
            )));
        }
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
    let rules: Vec<(StopRule, InvalidPolicy)> = opts.stop.iter().map(|r| (*r, opts.invalid.unwrap_or_else(|| r.default_invalid()))).collect();
    let cfg = PlanConfig { model: opts.model, n_max, sc_invalid, rules, draws: opts.draws, seed: opts.seed, level: opts.level };
    let prediction = predict(&pilots, &cfg, observer).map_err(|e| ApiError::Option(e.to_string()))?;
    let mut rows: Vec<PlanRow> = ns.iter().map(|&n| sc_row(Some(n), &prediction.sc[n - 1], &prediction)).collect();
    rows.push(sc_row(None, &prediction.sc_limit, &prediction));
    for r in &prediction.rules {
        let cap = opts.stop.iter().find(|s| s.to_string() == r.rule).map(StopRule::max_samples);
        rows.push(PlanRow {
            method: None,
            rule: Some(r.rule.clone()),
            n: cap,
            accuracy: r.accuracy.mean,
            accuracy_interval: r.accuracy.interval,
            accuracy_mc_se: r.accuracy.mc_se,
            expected_samples: Some(r.samples.mean),
            samples_interval: Some(r.samples.interval),
            provenance: r.accuracy.basis,
            basis: basis_text(r.accuracy.basis, &prediction),
        });
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
            let caps: Vec<usize> = opts.stop.iter().map(StopRule::max_samples).collect();
            Some(best_within(&prediction, &caps, sum as f64 / count.max(1) as f64, b))
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
