//! Per question, what the rule and each method answer from the draws the
//! rule read — `FILE.summary.jsonl` and the table `sample` prints.

use crate::session::SampleReport;
use pathconf_core::invalid::InvalidPolicy;
use pathconf_core::stopping::StopRule;
use pathconf_eval::eval::equivalence::AnswerEquality;
use pathconf_eval::eval::methods::{run_methods, Method};
use pathconf_eval::eval::stopping::rule_answer;
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
