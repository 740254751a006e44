//! `eval --stop`: stopping rules replayed on real paths. Each question's
//! paths are consumed in file order, or in seeded random orders (one per
//! repeat); a rule stops where it would have stopped had the paths arrived in
//! that order. Reported per rule: accuracy (ties split) with its standard
//! error across questions, ECE and Brier of the returned answer's vote share
//! (the reference's "maximum" variant), mean and median samples used — and
//! "samples saved at equal accuracy": the smallest fixed budget whose
//! plurality vote, on the same orders, is at least as accurate as the rule,
//! against the rule's mean samples (the paper's Table 1 for adaptive rules).
//!
//! Invalid draws ([`crate::invalid`]) are replayed like any other: each
//! costs a sample; a rule that drops them (Adaptive-Consistency's, by
//! default) never counts them, and its fixed-budget comparison drops them
//! too.

use super::dataset::{Dataset, EvalError};
use super::equivalence::AnswerEquality;
use super::methods::{run_methods, Method, Prepared, ProbMode};
use super::metrics::maximum;
use super::protocol::require_logprobs;
use super::RawQuestion;
use crate::invalid::InvalidPolicy;
use crate::progress::Observer;
use crate::stopping::{prefix_credits, replay_any, EscAnswer, PathDraws, StopCache, StopRule, Stopped, Unseen};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

/// In which order a question's paths are consumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PathOrder {
    /// As in the file (one pass).
    File,
    /// Seeded random permutations, one per repeat.
    Random,
}

pathconf_core::named_option!(PathOrder, "order", { PathOrder::File => "file", PathOrder::Random => "random" });

/// What to replay.
#[derive(Debug, Clone)]
pub struct StopConfig {
    /// The rules, in report order.
    pub rules: Vec<StopRule>,
    /// Path order.
    pub order: PathOrder,
    /// Random orders per question (ignored for file order).
    pub repeats: usize,
    /// Seed of the orders.
    pub seed: u64,
    /// How every rule treats invalid draws; `None`: as its own reference
    /// does ([`StopRule::default_invalid`]). Each rule is compared in the
    /// savings table with fixed budgets that treat invalid draws as it does.
    pub invalid: Option<InvalidPolicy>,
    /// Also list every question's outcome under every rule.
    pub per_question: bool,
}

/// One question's outcome under one rule (`--per-question`): with paths in
/// file order, where the rule stopped; with random orders, the means over
/// the orders.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StopQuestion {
    /// The question's id.
    pub id: String,
    /// The rule.
    pub rule: String,
    /// Samples the rule used (mean over orders).
    pub samples: f64,
    /// Accuracy credit (ties split; mean over orders).
    pub correct: f64,
    /// The rule's answer (paths in file order only: with random orders it
    /// differs from order to order).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
}

/// The answer `rule` returns after the first `stopped.used` of `q`'s paths
/// at `drawn` (in that order), invalid draws treated as `policy` says: ESC's
/// unanimous window answers with its answer (the last draw's); a path rule
/// with PC's choice; every other rule with the plurality (the first of tied
/// answers). `None` when no draw voted.
pub fn rule_answer(q: &RawQuestion, drawn: &[usize], rule: &StopRule, policy: InvalidPolicy, stopped: &Stopped, equal: &AnswerEquality) -> Option<String> {
    let used = &drawn[..stopped.used.min(drawn.len())];
    if stopped.rows.is_empty() {
        return None;
    }
    if let StopRule::Esc { answer: EscAnswer::Window, .. } = rule {
        if stopped.rows.len() == 1 {
            return used.last().map(|&j| q.paths[j].answer.to_string());
        }
    }
    let method = if rule.needs_paths() { Method::Pc } else { Method::Sc };
    let out = run_methods(q, used.to_vec(), &[method], &[policy], equal, prob_mode_of(rule), None).ok()?;
    out[0].top().map(|r| r.answer.clone())
}

/// One rule's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StopResult {
    /// The rule, as written.
    pub rule: String,
    /// How it treated invalid draws (they cost a sample either way).
    pub invalid: InvalidPolicy,
    /// Accuracy in %, mean over questions (each averaged over its orders).
    pub accuracy: f64,
    /// Its standard error across questions (measured on data).
    pub accuracy_se: f64,
    /// ECE ×100 of the returned answer's vote share, mean over orders.
    pub ece: f64,
    /// Brier score, mean over orders.
    pub brier: f64,
    /// Mean samples used.
    pub mean_samples: f64,
    /// Median samples used (over questions × orders).
    pub median_samples: f64,
}

/// Samples saved at equal accuracy (against fixed budgets whose plurality
/// vote treats invalid draws as the rule does).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SavedRow {
    /// The rule.
    pub rule: String,
    /// Its accuracy in %.
    pub accuracy: f64,
    /// Its mean samples.
    pub mean_samples: f64,
    /// The smallest fixed budget as accurate (plurality on the same orders), if any.
    pub fixed_equivalent: Option<usize>,
    /// `100 (1 − mean_samples / fixed_equivalent)`.
    pub saved_pct: Option<f64>,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StopReport {
    /// Path order.
    pub order: PathOrder,
    /// Orders per question.
    pub repeats: usize,
    /// Per rule.
    pub results: Vec<StopResult>,
    /// Samples saved at equal accuracy (adaptive rules).
    pub saved: Vec<SavedRow>,
    /// Per question and rule, when asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub per_question: Vec<StopQuestion>,
}

/// The plurality credit of `fixed:k` for every `k` in `1..=max` on `q`'s
/// paths in file order (`q` must have at least `max` paths), invalid draws
/// treated as `policy` says — the fixed budgets a run's own draws measure.
pub fn fixed_budget_credits(q: &RawQuestion, policy: InvalidPolicy, equal: &AnswerEquality, max: usize) -> Vec<f64> {
    assert!(q.paths.len() >= max, "fixed budgets beyond the paths sampled are not measured");
    let prepared = Prepared::new(q, (0..max).collect(), equal, ProbMode::Mean, InvalidPolicy::Vote).expect("mean-probability mode never fails");
    let (answers, correct) = prepared.groups();
    let invalid_groups = prepared.invalid_groups();
    let silent = (policy == InvalidPolicy::Drop).then_some(invalid_groups.as_slice());
    prefix_credits(answers, correct, silent, max)
}

/// The smallest fixed budget `k` (1-based) whose accuracy
/// `fixed_accuracy[k − 1]` is at least `accuracy` (both in %, to 1e-9), if
/// any — "as accurate" in the savings tables of `eval --stop` and `sample`.
pub fn smallest_as_accurate(fixed_accuracy: &[f64], accuracy: f64) -> Option<usize> {
    fixed_accuracy.iter().position(|&a| a >= accuracy - 1e-9).map(|b| b + 1)
}

/// Which path probability a rule reads: `pc-certify` the whole path's
/// (sequence log-probabilities), `pc-gt` any positive score (the mean
/// log-probability's exponential, as PC in `eval`); the count rules none
/// (`Mean`, unused).
pub fn prob_mode_of(rule: &StopRule) -> ProbMode {
    match rule {
        StopRule::PcStop { unseen: Unseen::Certify, .. } => ProbMode::Sequence,
        _ => ProbMode::Mean,
    }
}

fn order_of(m: usize, order: PathOrder, seed: u64, repeat: usize, question: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..m).collect();
    if order == PathOrder::Random {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(((repeat as u64) << 32) | question as u64);
        idx.shuffle(&mut rng);
    }
    idx
}

/// Replays every rule (and fixed budgets 1..=max for the savings table).
/// `observer` advances once per question per order.
pub fn evaluate_stopping(ds: &Dataset, cfg: &StopConfig, equal: &AnswerEquality, observer: &dyn Observer) -> Result<StopReport, EvalError> {
    if cfg.rules.is_empty() {
        return Err(EvalError::BadOption { option: "--stop", requirement: "given at least once" });
    }
    let repeats = if cfg.order == PathOrder::File { 1 } else { cfg.repeats };
    if repeats == 0 {
        return Err(EvalError::BadOption { option: "--repeats", requirement: "at least 1" });
    }
    let mode_of = prob_mode_of;
    for rule in cfg.rules.iter().filter(|r| r.needs_paths()) {
        require_logprobs(ds, &rule.to_string(), mode_of(rule))?;
    }
    let needs_sequence = cfg.rules.iter().any(|r| r.needs_paths() && mode_of(r) == ProbMode::Sequence);
    let needs_mean = cfg.rules.iter().any(|r| r.needs_paths() && mode_of(r) == ProbMode::Mean);
    let max_paths = ds.questions.iter().map(|q| q.paths.len()).max().unwrap_or(0);
    let policies: Vec<InvalidPolicy> = cfg.rules.iter().map(|r| cfg.invalid.unwrap_or_else(|| r.default_invalid())).collect();
    // [question][order] -> (per rule, per fixed budget) outcomes.
    // Per order: each rule's outcome, and the fixed budgets' credits under
    // each policy (`[vote, drop]`, indexed by `InvalidPolicy as usize`).
    type PerOrder = (Vec<Stopped>, [Vec<f64>; 2]);
    let per_question: Vec<Vec<PerOrder>> = ds
        .questions
        .par_iter()
        .enumerate()
        .map(|(i, q)| {
            observer.checkpoint();
            let mut caches = vec![StopCache::default(); cfg.rules.len()];
            let out = (0..repeats)
                .map(|r| {
                    let idx = order_of(q.paths.len(), cfg.order, cfg.seed, r, i);
                    // Every draw is replayed (invalid ones included: they
                    // cost a sample); a rule that drops them is told which
                    // answer groups cast no vote.
                    let prepared = Prepared::new(q, idx.clone(), equal, ProbMode::Mean, InvalidPolicy::Vote).expect("mean-probability mode never fails");
                    let (answers, correct) = prepared.groups();
                    let invalid_groups = prepared.invalid_groups();
                    let silent = |policy: InvalidPolicy| (policy == InvalidPolicy::Drop).then_some(invalid_groups.as_slice());
                    let mean_draws = needs_mean.then(|| prepared.path_draws());
                    let sequence_draws = needs_sequence.then(|| {
                        Prepared::new(q, idx, equal, ProbMode::Sequence, InvalidPolicy::Vote)
                            .expect("checked: every path has a sequence log-probability")
                            .path_draws()
                    });
                    let rules = cfg
                        .rules
                        .iter()
                        .zip(&policies)
                        .zip(caches.iter_mut())
                        .map(|((rule, &policy), cache)| {
                            let draws = match mode_of(rule) {
                                ProbMode::Sequence => sequence_draws.as_ref(),
                                ProbMode::Mean => mean_draws.as_ref(),
                            };
                            let draws = draws.filter(|_| rule.needs_paths()).map(|(ids, probs)| PathDraws { ids, probs });
                            // Exact comparisons (tie tolerance 0), as the evaluator's PC.
                            replay_any(rule, answers, correct, draws.as_ref(), silent(policy), 0.0, cache)
                        })
                        .collect();
                    let budgets = [InvalidPolicy::Vote, InvalidPolicy::Drop].map(|p| {
                        if policies.contains(&p) {
                            prefix_credits(answers, correct, silent(p), max_paths)
                        } else {
                            Vec::new()
                        }
                    });
                    (rules, budgets)
                })
                .collect();
            observer.advance(repeats as u64);
            out
        })
        .collect();
    let nq = ds.questions.len() as f64;
    let mut results = Vec::new();
    for (ri, rule) in cfg.rules.iter().enumerate() {
        let per_q: Vec<f64> = per_question.iter().map(|orders| orders.iter().map(|o| o.0[ri].credit).sum::<f64>() / repeats as f64).collect();
        let mean = per_q.iter().sum::<f64>() / nq;
        let var = per_q.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (nq - 1.0).max(1.0);
        let (mut ece, mut brier) = (0.0, 0.0);
        for r in 0..repeats {
            let rows: Vec<Vec<(f64, bool)>> = per_question.iter().map(|orders| orders[r].0[ri].rows.clone()).collect();
            let c = maximum(&rows);
            ece += c.ece / repeats as f64;
            brier += c.brier / repeats as f64;
        }
        let mut used: Vec<usize> = per_question.iter().flat_map(|orders| orders.iter().map(|o| o.0[ri].used)).collect();
        used.sort_unstable();
        let mid = used.len() / 2;
        let median = if used.len() % 2 == 1 { used[mid] as f64 } else { (used[mid - 1] + used[mid]) as f64 / 2.0 };
        results.push(StopResult {
            rule: rule.to_string(),
            invalid: policies[ri],
            accuracy: 100.0 * mean,
            accuracy_se: 100.0 * (var / nq).sqrt(),
            ece: 100.0 * ece,
            brier,
            mean_samples: used.iter().sum::<usize>() as f64 / used.len() as f64,
            median_samples: median,
        });
    }
    // Accuracy of each fixed budget on the same orders.
    let fixed_acc = |p: InvalidPolicy| -> Vec<f64> {
        (0..max_paths)
            .map(|b| 100.0 * per_question.iter().map(|orders| orders.iter().map(|o| o.1[p as usize][b]).sum::<f64>() / repeats as f64).sum::<f64>() / nq)
            .collect()
    };
    let fixed_acc = [InvalidPolicy::Vote, InvalidPolicy::Drop].map(|p| if policies.contains(&p) { fixed_acc(p) } else { Vec::new() });
    let saved = results
        .iter()
        .zip(&cfg.rules)
        .filter(|(_, rule)| !matches!(rule, StopRule::Fixed { .. }))
        .map(|(r, _)| {
            let k = smallest_as_accurate(&fixed_acc[r.invalid as usize], r.accuracy);
            SavedRow {
                rule: r.rule.clone(),
                accuracy: r.accuracy,
                mean_samples: r.mean_samples,
                fixed_equivalent: k,
                saved_pct: k.map(|k| 100.0 * (1.0 - r.mean_samples / k as f64)),
            }
        })
        .collect();
    let per_question_rows = if cfg.per_question {
        ds.questions
            .iter()
            .zip(&per_question)
            .flat_map(|(q, orders)| {
                let policies = &policies;
                cfg.rules.iter().enumerate().map(move |(ri, rule)| StopQuestion {
                    id: q.id.clone(),
                    rule: rule.to_string(),
                    samples: orders.iter().map(|o| o.0[ri].used as f64).sum::<f64>() / repeats as f64,
                    correct: orders.iter().map(|o| o.0[ri].credit).sum::<f64>() / repeats as f64,
                    answer: (cfg.order == PathOrder::File)
                        .then(|| rule_answer(q, &(0..q.paths.len()).collect::<Vec<_>>(), rule, policies[ri], &orders[0].0[ri], equal))
                        .flatten(),
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(StopReport { order: cfg.order, repeats, results, saved, per_question: per_question_rows })
}
