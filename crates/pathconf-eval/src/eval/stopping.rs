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

use super::dataset::Dataset;
use super::dataset::Part;
use super::equivalence::AnswerEquality;
use super::methods::{run_methods, Method, Prepared, ProbMode};
use super::metrics::{CalibrationSum, SUM_START};
use super::protocol::require_logprobs;
use super::EvalError;
use super::RawQuestion;
use crate::invalid::InvalidPolicy;
use crate::progress::Observer;
use crate::stopping::{prefix_credits, replay_any, EscAnswer, PathDraws, StopCache, StopRule, Stopped, Unseen};
use rand::seq::SliceRandom;
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

/// `rule` replayed on `q`'s paths at `drawn` (in that order), as `eval
/// --stop` replays it: every draw costs a sample, invalid ones vote or are
/// silent as `policy` says, and probabilities compare exactly (tie tolerance
/// 0). Fails when a path lacks the log-probability the rule reads.
pub fn replay_rule(
    q: &RawQuestion,
    drawn: Vec<usize>,
    rule: &StopRule,
    policy: InvalidPolicy,
    equal: &AnswerEquality,
    cache: &mut StopCache,
) -> Result<Stopped, String> {
    let prepared = Prepared::new(q, drawn, equal, prob_mode_of(rule), InvalidPolicy::Vote)?;
    let (answers, correct) = prepared.groups();
    let invalid = prepared.invalid_groups();
    let draws = rule.needs_paths().then(|| prepared.path_draws());
    let draws = draws.as_ref().map(|(ids, probs)| PathDraws { ids, probs });
    let silent = (policy == InvalidPolicy::Drop).then_some(invalid.as_slice());
    Ok(replay_any(rule, answers, correct, draws.as_ref(), silent, 0.0, cache))
}

fn order_of(m: usize, order: PathOrder, seed: u64, repeat: usize, question: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..m).collect();
    if order == PathOrder::Random {
        idx.shuffle(&mut crate::seed::rng(seed, &[crate::seed::tag("eval/order"), repeat as u64, question as u64]));
    }
    idx
}

/// Replays every rule (and fixed budgets 1..=max for the savings table).
/// `observer` advances once per question per order.
pub fn evaluate_stopping(ds: &Dataset, cfg: &StopConfig, equal: &AnswerEquality, observer: &dyn Observer) -> Result<StopReport, EvalError> {
    let mut replay = Replay::new(cfg.clone(), equal.clone())?;
    replay.add(ds.into(), observer)?;
    replay.finish()
}

/// One rule's running sums.
#[derive(Debug, Clone)]
struct RuleSums {
    /// Per question, its credit averaged over the orders.
    per_question: Vec<f64>,
    /// Per order, the calibration of the returned answers.
    calibration: Vec<CalibrationSum>,
    /// How many (question, order) pairs used each number of samples.
    used: Vec<u64>,
}

/// The fixed budgets' credits under one invalid-draw policy, summed over
/// questions: budget `b + 1` in `columns[b]`. A question with fewer paths
/// than a budget uses all of them ([`prefix_credits`] repeats its last
/// value), so a column opened by a longer question starts from `finals`,
/// the sum of the earlier questions' last values — the sum it would hold
/// had it been there from the start.
#[derive(Debug, Clone)]
struct BudgetSums {
    columns: Vec<f64>,
    finals: f64,
}

/// `eval --stop` accumulated one part of a file at a time (the
/// [`evaluate_stopping`] of a loaded file, bit for bit: every sum runs in
/// question order from [`SUM_START`]). Kept between parts: per rule one
/// `f64` per question and a histogram of samples used, per budget one sum,
/// and the `--per-question` rows when asked for.
pub struct Replay {
    cfg: StopConfig,
    equal: AnswerEquality,
    repeats: usize,
    policies: Vec<InvalidPolicy>,
    rules: Vec<RuleSums>,
    /// `[vote, drop]`, indexed by `InvalidPolicy as usize`.
    budgets: [BudgetSums; 2],
    per_question: Vec<StopQuestion>,
    questions: usize,
}

impl Replay {
    /// An empty replay (the options checked).
    pub fn new(cfg: StopConfig, equal: AnswerEquality) -> Result<Self, EvalError> {
        if cfg.rules.is_empty() {
            return Err(EvalError::BadOption { option: "--stop", requirement: "given at least once" });
        }
        let repeats = if cfg.order == PathOrder::File { 1 } else { cfg.repeats };
        if repeats == 0 {
            return Err(EvalError::BadOption { option: "--repeats", requirement: "at least 1" });
        }
        let policies: Vec<InvalidPolicy> = cfg.rules.iter().map(|r| cfg.invalid.unwrap_or_else(|| r.default_invalid())).collect();
        let rule = RuleSums { per_question: Vec::new(), calibration: vec![CalibrationSum::default(); repeats], used: Vec::new() };
        let budget = BudgetSums { columns: Vec::new(), finals: SUM_START };
        Ok(Self {
            rules: vec![rule; cfg.rules.len()],
            budgets: [budget.clone(), budget],
            policies,
            repeats,
            cfg,
            equal,
            per_question: Vec::new(),
            questions: 0,
        })
    }

    /// Questions replayed so far.
    pub fn questions(&self) -> usize {
        self.questions
    }

    /// Replays the questions of `part` (following the parts added before).
    pub fn add(&mut self, part: Part, observer: &dyn Observer) -> Result<(), EvalError> {
        let (cfg, equal, repeats, policies) = (&self.cfg, &self.equal, self.repeats, &self.policies);
        let mode_of = prob_mode_of;
        for rule in cfg.rules.iter().filter(|r| r.needs_paths()) {
            require_logprobs(part, &rule.to_string(), mode_of(rule))?;
        }
        let needs_sequence = cfg.rules.iter().any(|r| r.needs_paths() && mode_of(r) == ProbMode::Sequence);
        let needs_mean = cfg.rules.iter().any(|r| r.needs_paths() && mode_of(r) == ProbMode::Mean);
        // [question][order] -> (per rule, per fixed budget) outcomes.
        // Per order: each rule's outcome, and the fixed budgets' credits under
        // each policy (`[vote, drop]`, indexed by `InvalidPolicy as usize`),
        // for budgets up to the question's own paths.
        type PerOrder = (Vec<Stopped>, [Vec<f64>; 2]);
        let per_question: Vec<Vec<PerOrder>> = part
            .questions
            .par_iter()
            .enumerate()
            .map(|(i, q)| {
                observer.checkpoint();
                let index = part.first + i;
                let mut caches = vec![StopCache::default(); cfg.rules.len()];
                let out = (0..repeats)
                    .map(|r| {
                        let idx = order_of(q.paths.len(), cfg.order, cfg.seed, r, index);
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
                            .zip(policies)
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
                                prefix_credits(answers, correct, silent(p), q.paths.len())
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
        for (q, orders) in part.questions.iter().zip(&per_question) {
            for (ri, sums) in self.rules.iter_mut().enumerate() {
                sums.per_question.push(orders.iter().map(|o| o.0[ri].credit).sum::<f64>() / repeats as f64);
                for (cal, o) in sums.calibration.iter_mut().zip(orders) {
                    cal.add_maximum(&o.0[ri].rows);
                }
                for o in orders {
                    let used = o.0[ri].used;
                    if sums.used.len() <= used {
                        sums.used.resize(used + 1, 0);
                    }
                    sums.used[used] += 1;
                }
            }
            for p in [InvalidPolicy::Vote, InvalidPolicy::Drop].into_iter().filter(|p| policies.contains(p)) {
                let sums = &mut self.budgets[p as usize];
                let value = |b: usize| orders.iter().map(|o| o.1[p as usize][b.min(q.paths.len() - 1)]).sum::<f64>() / repeats as f64;
                let open = sums.columns.len();
                if q.paths.len() > open {
                    sums.columns.resize(q.paths.len(), sums.finals);
                }
                for (b, c) in sums.columns.iter_mut().enumerate() {
                    *c += value(b);
                }
                sums.finals += value(q.paths.len() - 1);
            }
            if cfg.per_question {
                for ((ri, rule), &policy) in cfg.rules.iter().enumerate().zip(policies) {
                    self.per_question.push(StopQuestion {
                        id: q.id.clone(),
                        rule: rule.to_string(),
                        samples: orders.iter().map(|o| o.0[ri].used as f64).sum::<f64>() / repeats as f64,
                        correct: orders.iter().map(|o| o.0[ri].credit).sum::<f64>() / repeats as f64,
                        answer: (cfg.order == PathOrder::File)
                            .then(|| rule_answer(q, &(0..q.paths.len()).collect::<Vec<_>>(), rule, policy, &orders[0].0[ri], equal))
                            .flatten(),
                    });
                }
            }
        }
        self.questions += part.questions.len();
        Ok(())
    }

    /// The report.
    pub fn finish(self) -> Result<StopReport, EvalError> {
        let (cfg, repeats) = (&self.cfg, self.repeats);
        let nq = self.questions as f64;
        let mut results = Vec::new();
        for ((rule, sums), &policy) in cfg.rules.iter().zip(&self.rules).zip(&self.policies) {
            let per_q = &sums.per_question;
            let mean = per_q.iter().sum::<f64>() / nq;
            let var = per_q.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (nq - 1.0).max(1.0);
            let (mut ece, mut brier) = (0.0, 0.0);
            for cal in &sums.calibration {
                let c = cal.finish();
                ece += c.ece / repeats as f64;
                brier += c.brier / repeats as f64;
            }
            let count: u64 = sums.used.iter().sum();
            let total: u64 = sums.used.iter().enumerate().map(|(u, &c)| u as u64 * c).sum();
            // The k-th smallest samples used (0-based), from the histogram.
            let kth = |k: u64| {
                let mut seen = 0;
                sums.used.iter().position(|&c| {
                    seen += c;
                    seen > k
                })
            };
            let mid = count / 2;
            let median = match (kth(mid), count % 2) {
                (Some(m), 1) => m as f64,
                (Some(m), _) => (kth(mid - 1).expect("below the middle") + m) as f64 / 2.0,
                (None, _) => f64::NAN,
            };
            results.push(StopResult {
                rule: rule.to_string(),
                invalid: policy,
                accuracy: 100.0 * mean,
                accuracy_se: 100.0 * (var / nq).sqrt(),
                ece: 100.0 * ece,
                brier,
                mean_samples: total as f64 / count as f64,
                median_samples: median,
            });
        }
        // Accuracy of each fixed budget on the same orders.
        let fixed_acc = self.budgets.each_ref().map(|b| b.columns.iter().map(|c| 100.0 * c / nq).collect::<Vec<f64>>());
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
        Ok(StopReport { order: cfg.order, repeats, results, saved, per_question: self.per_question })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::formats::Format;
    use crate::eval::RawPath;

    /// Question `i` of a ragged set: `1 + (i * 5) % 9` paths, answers cycling
    /// through a few values, truth "1".
    fn questions() -> Vec<RawQuestion> {
        (0..23)
            .map(|i| RawQuestion {
                id: format!("q{i}"),
                truth: "1".into(),
                paths: (0..1 + (i * 5) % 9)
                    .map(|j| RawPath {
                        text: format!("p{j}").into(),
                        answer: ((i + j * j) % 3).to_string().into(),
                        mean_logprob: Some(-0.1 * j as f64),
                        sum_logprob: Some(-0.3 * j as f64),
                        signals: Default::default(),
                        tokens: Some(3),
                    })
                    .collect(),
            })
            .collect()
    }

    #[test]
    fn budget_columns_opened_late_hold_what_padding_gives() {
        let qs = questions();
        let file = std::path::Path::new("ragged.jsonl");
        let cfg = StopConfig {
            rules: vec!["esc:2:8".parse().unwrap(), "asc-beta:0.9:8".parse().unwrap()],
            order: PathOrder::Random,
            repeats: 3,
            seed: 5,
            invalid: None,
            per_question: false,
        };
        let mut whole = Replay::new(cfg.clone(), AnswerEquality::default()).unwrap();
        whole.add(Part { file, format: Format::Jsonl, first: 0, questions: &qs }, &crate::progress::Quiet).unwrap();
        let mut one_by_one = Replay::new(cfg.clone(), AnswerEquality::default()).unwrap();
        for (i, q) in qs.iter().enumerate() {
            one_by_one.add(Part { file, format: Format::Jsonl, first: i, questions: std::slice::from_ref(q) }, &crate::progress::Quiet).unwrap();
        }
        // By hand: every question's credits for budgets 1..=max, padded
        // with its last value, averaged over the orders, summed in order.
        let max = qs.iter().map(|q| q.paths.len()).max().unwrap();
        for p in [InvalidPolicy::Vote, InvalidPolicy::Drop] {
            if !whole.policies.contains(&p) {
                continue;
            }
            let mut want = vec![SUM_START; max];
            for (i, q) in qs.iter().enumerate() {
                let per_order: Vec<Vec<f64>> = (0..3)
                    .map(|r| {
                        let prepared = Prepared::new(
                            q,
                            order_of(q.paths.len(), PathOrder::Random, 5, r, i),
                            &AnswerEquality::default(),
                            ProbMode::Mean,
                            InvalidPolicy::Vote,
                        )
                        .unwrap();
                        let (answers, correct) = prepared.groups();
                        let silent = prepared.invalid_groups();
                        prefix_credits(answers, correct, (p == InvalidPolicy::Drop).then_some(silent.as_slice()), max)
                    })
                    .collect();
                for (b, w) in want.iter_mut().enumerate() {
                    *w += per_order.iter().map(|o| o[b]).sum::<f64>() / 3.0;
                }
            }
            for r in [&whole, &one_by_one] {
                let got: Vec<u64> = r.budgets[p as usize].columns.iter().map(|x| x.to_bits()).collect();
                assert_eq!(got, want.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), "{p:?}");
            }
        }
        assert_eq!(whole.finish().unwrap(), one_by_one.finish().unwrap());
    }
}
