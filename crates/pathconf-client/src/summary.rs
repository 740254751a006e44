//! Per question, what the rule and each method answer from the draws the
//! rule read — `FILE.summary.jsonl` and the table `sample` prints.

use crate::session::SampleReport;
use pathconf_core::invalid::InvalidPolicy;
use pathconf_core::stopping::StopRule;
use pathconf_eval::eval::equivalence::AnswerEquality;
use pathconf_eval::eval::methods::{run_methods, Method};
use pathconf_eval::eval::stopping::{fixed_budget_credits, rule_answer, smallest_as_accurate};
use pathconf_eval::eval::Dataset;
use serde::Serialize;

/// A method's answer on one question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodAnswer {
    /// The method.
    pub method: String,
    /// Its answer (none when no draw voted).
    pub answer: Option<String>,
    /// Its confidence in that answer.
    pub confidence: f64,
    /// Accuracy credit (ties split), when the truth is known.
    pub correct: Option<f64>,
}

/// One line of `FILE.summary.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionSummary {
    /// The question.
    pub id: String,
    /// The rule.
    pub rule: String,
    /// Draws the rule read.
    pub samples: usize,
    /// Draws in flight when it stopped.
    pub overshoot: usize,
    /// The rule's answer.
    pub answer: Option<String>,
    /// Its confidence (the rule's share of the answer).
    pub confidence: f64,
    /// The rule's accuracy credit, when the truth is known.
    pub correct: Option<f64>,
    /// Each method on the same draws.
    pub methods: Vec<MethodAnswer>,
    /// Prompt tokens spent on the question.
    pub prompt_tokens: u64,
    /// Completion tokens spent on the question (overshoot included).
    pub completion_tokens: u64,
}

/// The summary of a run: `ds` is the stream file read back (draws in draw
/// order), `truth_known` whether the questions file gave ground truths.
pub fn summarise(
    report: &SampleReport,
    ds: &Dataset,
    rule: &StopRule,
    rule_policy: InvalidPolicy,
    methods: &[Method],
    invalid: Option<InvalidPolicy>,
    truth_known: bool,
) -> Result<Vec<QuestionSummary>, String> {
    let equal = AnswerEquality::default();
    let by_id: std::collections::HashMap<&str, usize> = ds.questions.iter().enumerate().map(|(i, q)| (q.id.as_str(), i)).collect();
    report
        .questions
        .iter()
        .map(|o| {
            let q = &ds.questions[*by_id.get(o.id.as_str()).ok_or_else(|| format!("question {:?} is not in the file", o.id))?];
            let drawn: Vec<usize> = (0..o.samples).collect();
            let answer = rule_answer(q, &drawn, rule, rule_policy, &o.stopped, &equal);
            let confidence = o.stopped.confidence;
            let policies: Vec<InvalidPolicy> = methods.iter().map(|m| invalid.unwrap_or_else(|| m.default_invalid())).collect();
            let outs = run_methods(q, drawn, methods, &policies, &equal, Default::default(), None)?;
            let methods = methods
                .iter()
                .zip(outs)
                .map(|(m, out)| {
                    let (answer, confidence) = out.top().map_or((None, 0.0), |r| (Some(r.answer.clone()), r.confidence));
                    MethodAnswer { method: m.name(), answer, confidence, correct: truth_known.then_some(out.credit) }
                })
                .collect();
            Ok(QuestionSummary {
                id: o.id.clone(),
                rule: report.rule.clone(),
                samples: o.samples,
                overshoot: o.overshoot,
                answer,
                confidence,
                correct: truth_known.then_some(o.stopped.credit),
                methods,
                prompt_tokens: o.prompt_tokens,
                completion_tokens: o.completion_tokens,
            })
        })
        .collect()
}

/// The rule against fixed budgets, measured on the run's own draws: the
/// first `k` draws of every question are what `fixed:k` would have drawn
/// (same seeds), so every `k` up to the fewest draws any question has is
/// measured — beyond it the run did not sample what a fixed budget needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixedComparison {
    /// Every question has at least this many draws (overshoot included).
    pub measured_up_to: usize,
    /// Accuracy (%) of `fixed:k` for `k = 1..=measured_up_to`: the plurality
    /// of each question's first `k` draws, invalid draws treated as the rule
    /// treats them, ties split.
    pub fixed_accuracy: Vec<f64>,
    /// The rule's accuracy (%).
    pub rule_accuracy: f64,
    /// The rule's completion tokens (overshoot included).
    pub rule_tokens: u64,
    /// The smallest measured fixed budget at least as accurate as the rule.
    pub equivalent: Option<usize>,
    /// Its completion tokens (each question's first `k` draws).
    pub equivalent_tokens: Option<u64>,
}

/// [`FixedComparison`] of a run whose questions all have ground truths.
pub fn compare_fixed(report: &SampleReport, ds: &Dataset, policy: InvalidPolicy) -> Result<FixedComparison, String> {
    let equal = AnswerEquality::default();
    let by_id: std::collections::HashMap<&str, usize> = ds.questions.iter().enumerate().map(|(i, q)| (q.id.as_str(), i)).collect();
    let qs = report
        .questions
        .iter()
        .map(|o| by_id.get(o.id.as_str()).map(|&i| (&ds.questions[i], o)).ok_or_else(|| format!("question {:?} is not in the file", o.id)))
        .collect::<Result<Vec<_>, _>>()?;
    let nq = qs.len().max(1) as f64;
    let measured_up_to = qs.iter().map(|(q, o)| q.paths.len().min(o.draw_tokens.len())).min().unwrap_or(0);
    let credits: Vec<Vec<f64>> = qs.iter().map(|(q, _)| fixed_budget_credits(q, policy, &equal, measured_up_to)).collect();
    let fixed_accuracy: Vec<f64> = (0..measured_up_to).map(|k| 100.0 * credits.iter().map(|c| c[k]).sum::<f64>() / nq).collect();
    let rule_accuracy = 100.0 * report.questions.iter().map(|o| o.stopped.credit).sum::<f64>() / nq;
    let equivalent = smallest_as_accurate(&fixed_accuracy, rule_accuracy);
    Ok(FixedComparison {
        measured_up_to,
        fixed_accuracy,
        rule_accuracy,
        rule_tokens: report.questions.iter().map(|o| o.completion_tokens).sum(),
        equivalent,
        equivalent_tokens: equivalent.map(|k| qs.iter().map(|(_, o)| o.draw_tokens[..k].iter().sum::<u64>()).sum()),
    })
}
