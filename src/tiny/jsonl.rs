//! Sampled paths as pathconf JSONL (one question per line), the format
//! `pathconf eval` reads:
//! `{"id", "answer", "paths": [{"text", "answer", "logprobs", "logprob_sum", "n_tokens"}]}`.

use super::decode::GeneratedPath;
use super::task::Question;
use serde_json::json;

/// One JSONL line for `q` and its paths.
pub fn question_line(q: &Question, paths: &[GeneratedPath]) -> String {
    let paths: Vec<_> = paths
        .iter()
        .map(|p| {
            json!({
                "text": p.text,
                "answer": p.answer,
                "logprobs": p.logprobs,
                "logprob_sum": p.logprob_sum,
                "n_tokens": p.tokens.len(),
            })
        })
        .collect();
    json!({ "id": q.id(), "answer": q.answer().to_string(), "paths": paths }).to_string()
}
