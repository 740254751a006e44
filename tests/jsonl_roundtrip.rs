//! Paths JSONL round trip (proptest): what `eval` reads is what was written.

use pathconf::verify::search::case::proptest_config;
use proptest::prelude::*;

/// A question of the paths JSONL built from generated token log-probabilities.
fn question_record(id: usize, answers: &[(u8, Vec<f64>)]) -> pathconf::eval::formats::jsonl::QuestionRecord {
    use pathconf::eval::formats::jsonl::{PathRecord, QuestionRecord};
    let paths = answers
        .iter()
        .enumerate()
        .map(|(j, (a, lps))| {
            let sum: f64 = lps.iter().sum();
            PathRecord {
                text: Some(format!("path {j} says {a} \"quoted\" ünïcode")),
                answer: Some(a.to_string()),
                logprob_sum: Some(sum),
                mean_logprob: Some(sum / lps.len() as f64),
                n_tokens: Some(lps.len() as u64),
                logprobs: Some(lps.clone()),
                finished: Some(j % 2 == 0),
                top_logprobs: None,
                token_confidence: None,
                self_certainty: None,
                p_true: None,
            }
        })
        .collect();
    QuestionRecord { id: Some(format!("q{id}")), question: Some(format!("question {id}")), answer: Some("1".into()), prompt_tokens: None, paths }
}

proptest! {
    #![proptest_config(proptest_config(64))]

    /// Paths JSONL written and read back: the same questions, answers, and
    /// log-probabilities to the last bit (f64 through JSON).
    #[test]
    fn paths_jsonl_round_trips(questions in prop::collection::vec(prop::collection::vec((0u8..4, prop::collection::vec(-30.0f64..0.0, 1..12)), 1..6), 1..5)) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("paths.jsonl");
        let text: String = questions.iter().enumerate().map(|(i, q)| serde_json::to_string(&question_record(i, q)).unwrap() + "\n").collect();
        std::fs::write(&file, text).unwrap();
        let ds = pathconf::eval::formats::read(&file, None, None).unwrap();
        prop_assert_eq!(ds.questions.len(), questions.len());
        for (q, want) in ds.questions.iter().zip(&questions) {
            prop_assert_eq!(q.paths.len(), want.len());
            for (p, (a, lps)) in q.paths.iter().zip(want) {
                prop_assert_eq!(p.answer.to_string(), a.to_string());
                let sum: f64 = lps.iter().sum();
                prop_assert_eq!(p.sum_logprob.unwrap().to_bits(), sum.to_bits());
                prop_assert_eq!(p.mean_logprob.unwrap().to_bits(), (sum / lps.len() as f64).to_bits());
            }
        }
    }
}
