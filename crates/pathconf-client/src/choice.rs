//! A server's response turned into draws: text, tokens, per-token
//! log-probabilities and alternatives, whichever endpoint answered.

use crate::wire::{ChatResponse, CompletionResponse, Usage};
use pathconf_eval::eval::formats::stream::LogprobKind;

/// One completion as pathconf records it.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    /// The completion text.
    pub text: String,
    /// Its tokens' texts.
    pub tokens: Vec<String>,
    /// Its tokens' ids, when the server gives them (llama.cpp).
    pub token_ids: Option<Vec<u32>>,
    /// `ln p` per token, as the server sent them; `None` when it sent none.
    pub logprobs: Option<Vec<f64>>,
    /// Per token, the alternatives' log-probabilities (the server's
    /// "outside the top-k" marker −9999 left out); empty when not asked.
    pub top_logprobs: Vec<Vec<f64>>,
    /// `stop`, `length`, …
    pub finish_reason: Option<String>,
    /// What the server says its log-probabilities are, if it says.
    pub logprob_kind: Option<LogprobKind>,
}

/// A response: its draws and its token counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// One per choice, in index order.
    pub draws: Vec<Drawn>,
    /// The server's token counts, if given.
    pub usage: Option<Usage>,
}

/// What is wrong with a response.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShapeError {
    /// It is not the expected JSON.
    #[error("malformed response: {0}")]
    Malformed(String),
    /// Not as many choices as asked for.
    #[error("{got} choices for n = {asked}")]
    Choices {
        /// Asked.
        asked: usize,
        /// Returned.
        got: usize,
    },
    /// A choice came without log-probabilities.
    #[error("choice {0} has no log-probabilities (the server ignored `logprobs`; --allow-missing-logprobs keeps answers only)")]
    MissingLogprobs(usize),
    /// Fewer log-probabilities than generated tokens.
    #[error("{got} log-probabilities for {completion_tokens} completion tokens (usage) — llama.cpp sends one entry per emitted text piece, so a character split over two tokens loses a log-probability; --allow-missing-logprobs keeps such draws as answers only")]
    ShortLogprobs {
        /// Log-probabilities over all choices.
        got: usize,
        /// The server's count.
        completion_tokens: u64,
    },
    /// A log-probability that is not a log-probability.
    #[error("choice {choice}, token {token}: log-probability {value} is not finite and ≤ 0")]
    BadLogprob {
        /// Which choice.
        choice: usize,
        /// Which token.
        token: usize,
        /// The value.
        value: f64,
    },
}

/// The "not among the alternatives" marker of the OpenAI schema.
const OUTSIDE_TOP: f64 = -9999.0;

fn kind_of(s: Option<&str>) -> Option<LogprobKind> {
    s.and_then(|k| k.parse().ok())
}

/// Reads a chat completion body.
pub fn parse_chat(body: &str) -> Result<Completion, ShapeError> {
    let r: ChatResponse = serde_json::from_str(body).map_err(|e| ShapeError::Malformed(e.to_string()))?;
    let mut choices = r.choices;
    choices.sort_by_key(|c| c.index);
    let draws = choices
        .into_iter()
        .map(|c| {
            let content = c.logprobs.and_then(|l| l.content);
            let ids = content.as_ref().and_then(|items| items.iter().map(|t| t.id).collect::<Option<Vec<u32>>>()).filter(|v| !v.is_empty());
            let (tokens, logprobs, top) = match content {
                Some(items) => {
                    let tokens = items.iter().map(|t| t.token.clone()).collect();
                    let lps = items.iter().map(|t| t.logprob).collect();
                    let top = items.iter().map(|t| t.top_logprobs.iter().map(|a| a.logprob).filter(|&x| x > OUTSIDE_TOP).collect()).collect();
                    (tokens, Some(lps), top)
                }
                None => (Vec::new(), None, Vec::new()),
            };
            let top: Vec<Vec<f64>> = top;
            let top = if top.iter().all(Vec::is_empty) { Vec::new() } else { top };
            Drawn {
                text: c.message.content.unwrap_or_default(),
                tokens,
                token_ids: ids,
                logprobs,
                top_logprobs: top,
                finish_reason: c.finish_reason,
                logprob_kind: kind_of(c.logprob_kind.as_deref()),
            }
        })
        .collect();
    Ok(Completion { draws, usage: r.usage })
}

/// Reads a legacy completion body.
pub fn parse_completion(body: &str) -> Result<Completion, ShapeError> {
    let r: CompletionResponse = serde_json::from_str(body).map_err(|e| ShapeError::Malformed(e.to_string()))?;
    let mut choices = r.choices;
    choices.sort_by_key(|c| c.index);
    let mut draws = Vec::with_capacity(choices.len());
    for (i, c) in choices.into_iter().enumerate() {
        let (tokens, logprobs, top) = match c.logprobs {
            Some(l) => {
                let mut lps = Vec::with_capacity(l.token_logprobs.len());
                for (t, x) in l.token_logprobs.iter().enumerate() {
                    lps.push(x.ok_or_else(|| ShapeError::Malformed(format!("choice {i}, token {t}: null log-probability")))?);
                }
                let top: Vec<Vec<f64>> = l
                    .top_logprobs
                    .unwrap_or_default()
                    .into_iter()
                    .map(|m| m.map(|m| m.values().filter_map(|v| v.as_f64()).filter(|&x| x > OUTSIDE_TOP).collect()).unwrap_or_default())
                    .collect();
                let top = if top.iter().all(Vec::is_empty) { Vec::new() } else { top };
                (l.tokens, Some(lps), top)
            }
            None => (Vec::new(), None, Vec::new()),
        };
        draws.push(Drawn {
            text: c.text,
            tokens,
            token_ids: None,
            logprobs,
            top_logprobs: top,
            finish_reason: c.finish_reason,
            logprob_kind: kind_of(c.logprob_kind.as_deref()),
        });
    }
    Ok(Completion { draws, usage: r.usage })
}

impl Completion {
    /// Checks the response against what was asked: `n` choices, each with
    /// finite log-probabilities ≤ 0, at least as many as the completion
    /// tokens the server counted. With `allow_missing`, a response without
    /// log-probabilities, or with fewer than its tokens (llama.cpp sends one
    /// entry per emitted text piece, so a character split over two tokens
    /// loses the first token's log-probability), becomes answers only.
    pub fn settle(&mut self, n: usize, allow_missing: bool) -> Result<(), ShapeError> {
        match self.check(n, false) {
            Err(ShapeError::MissingLogprobs(_) | ShapeError::ShortLogprobs { .. }) if allow_missing => {
                for d in &mut self.draws {
                    d.logprobs = None;
                    d.top_logprobs.clear();
                }
                self.check(n, true)
            }
            other => other,
        }
    }

    fn check(&self, n: usize, answers_only_ok: bool) -> Result<(), ShapeError> {
        if self.draws.len() != n {
            return Err(ShapeError::Choices { asked: n, got: self.draws.len() });
        }
        let mut total = 0usize;
        let mut answers_only = 0usize;
        for (i, d) in self.draws.iter().enumerate() {
            match &d.logprobs {
                None => answers_only += 1,
                Some(lps) => {
                    if let Some((t, &value)) = lps.iter().enumerate().find(|(_, x)| !(x.is_finite() && **x <= 0.0)) {
                        return Err(ShapeError::BadLogprob { choice: i, token: t, value });
                    }
                    total += lps.len();
                }
            }
        }
        if answers_only_ok && answers_only == self.draws.len() {
            return Ok(());
        }
        if let Some(i) = self.draws.iter().position(|d| d.logprobs.is_none()) {
            return Err(ShapeError::MissingLogprobs(i));
        }
        if let Some(u) = self.usage {
            if (total as u64) < u.completion_tokens {
                return Err(ShapeError::ShortLogprobs { got: total, completion_tokens: u.completion_tokens });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Response shapes written from each server's documentation (no network).
    use super::*;

    /// OpenAI's chat completion with `logprobs: true, top_logprobs: 2`
    /// (platform.openai.com API reference, "The chat completion object").
    const OPENAI_CHAT: &str = r#"{"id": "chatcmpl-123", "object": "chat.completion", "created": 1694268190, "model": "gpt-4o-mini",
      "system_fingerprint": "fp_44709d6fcb",
      "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!", "refusal": null},
        "logprobs": {"content": [
          {"token": "Hello", "logprob": -0.31725305, "bytes": [72, 101, 108, 108, 111], "top_logprobs": [{"token": "Hello", "logprob": -0.31725305, "bytes": [72]}, {"token": "Hi", "logprob": -1.3190403, "bytes": [72]}]},
          {"token": "!", "logprob": -0.02380986, "bytes": [33], "top_logprobs": [{"token": "!", "logprob": -0.02380986, "bytes": [33]}, {"token": " there", "logprob": -9999.0, "bytes": [32]}]}],
          "refusal": null},
        "finish_reason": "stop"}],
      "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11, "completion_tokens_details": {"reasoning_tokens": 0}}}"#;

    /// vLLM's OpenAI-compatible server: the same schema, `n` choices, and a
    /// `stop_reason` extension; its log-probabilities are raw by default.
    const VLLM_CHAT: &str = r#"{"id": "chatcmpl-b1", "object": "chat.completion", "created": 1, "model": "Qwen/Qwen3-8B",
      "choices": [
        {"index": 1, "message": {"role": "assistant", "content": "B", "reasoning_content": null, "tool_calls": []}, "logprobs": {"content": [{"token": "B", "logprob": -1.5, "bytes": [66], "top_logprobs": []}]}, "finish_reason": "stop", "stop_reason": null},
        {"index": 0, "message": {"role": "assistant", "content": "A", "reasoning_content": null, "tool_calls": []}, "logprobs": {"content": [{"token": "A", "logprob": -0.25, "bytes": [65], "top_logprobs": []}]}, "finish_reason": "stop", "stop_reason": null}],
      "usage": {"prompt_tokens": 5, "total_tokens": 7, "completion_tokens": 2, "prompt_tokens_details": null}, "prompt_logprobs": null}"#;

    /// llama.cpp's `llama-server` `/v1/chat/completions` (tools/server
    /// README): OpenAI's schema with `timings`; logprobs from raw logits.
    const LLAMA_CPP_CHAT: &str = r#"{"choices": [{"finish_reason": "length", "index": 0, "message": {"role": "assistant", "content": " 4"},
        "logprobs": {"content": [{"id": 220, "token": " ", "bytes": [32], "logprob": -0.75, "top_logprobs": [{"id": 220, "token": " ", "bytes": [32], "logprob": -0.75}]}, {"id": 19, "token": "4", "bytes": [52], "logprob": -0.125, "top_logprobs": [{"id": 19, "token": "4", "bytes": [52], "logprob": -0.125}]}]}}],
      "created": 1, "model": "gpt-3.5-turbo", "system_fingerprint": "b1-abc", "object": "chat.completion",
      "usage": {"completion_tokens": 2, "prompt_tokens": 12, "total_tokens": 14}, "id": "chatcmpl-x", "timings": {"prompt_n": 12, "predicted_n": 2}}"#;

    /// SGLang's OpenAI-compatible chat endpoint (same schema; log-probabilities
    /// after temperature by default).
    const SGLANG_CHAT: &str = r#"{"id": "3a5", "object": "chat.completion", "created": 1, "model": "default",
      "choices": [{"index": 0, "message": {"role": "assistant", "content": "7", "reasoning_content": null, "tool_calls": null},
        "logprobs": {"content": [{"token": "7", "bytes": [55], "logprob": -0.0625, "top_logprobs": [{"token": "7", "bytes": [55], "logprob": -0.0625}, {"token": "8", "bytes": [56], "logprob": -3.0}]}]},
        "finish_reason": "stop", "matched_stop": 151645}],
      "usage": {"prompt_tokens": 4, "total_tokens": 5, "completion_tokens": 1, "prompt_tokens_details": null}}"#;

    /// OpenAI's legacy completion with `logprobs: 2`.
    const OPENAI_COMPLETION: &str = r#"{"id": "cmpl-1", "object": "text_completion", "created": 1, "model": "gpt-3.5-turbo-instruct",
      "choices": [{"text": " 42", "index": 0, "finish_reason": "stop",
        "logprobs": {"tokens": [" 4", "2"], "token_logprobs": [-0.5, -0.03125], "top_logprobs": [{" 4": -0.5, " 3": -1.25}, {"2": -0.03125, "1": -4.0}], "text_offset": [0, 2]}}],
      "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}}"#;

    #[test]
    fn openai_chat_keeps_every_digit_and_drops_the_outside_marker() {
        let mut c = parse_chat(OPENAI_CHAT).unwrap();
        c.settle(1, false).unwrap();
        let d = &c.draws[0];
        assert_eq!(d.text, "Hello!");
        assert_eq!(d.tokens, ["Hello", "!"]);
        assert_eq!(d.logprobs.as_deref().unwrap(), [-0.31725305, -0.02380986]);
        assert_eq!(d.top_logprobs, vec![vec![-0.31725305, -1.3190403], vec![-0.02380986]]);
        assert_eq!(c.usage.unwrap().completion_tokens, 2);
    }

    #[test]
    fn vllm_choices_come_back_in_index_order() {
        let mut c = parse_chat(VLLM_CHAT).unwrap();
        c.settle(2, false).unwrap();
        assert_eq!(c.draws.iter().map(|d| d.text.as_str()).collect::<Vec<_>>(), ["A", "B"]);
        assert!(c.draws[0].top_logprobs.is_empty());
        assert_eq!(c.clone().settle(3, false).unwrap_err(), ShapeError::Choices { asked: 3, got: 2 });
        assert_eq!(c.clone().settle(1, false).unwrap_err(), ShapeError::Choices { asked: 1, got: 2 });
    }

    #[test]
    fn llama_cpp_and_sglang_read_as_openai() {
        let mut c = parse_chat(LLAMA_CPP_CHAT).unwrap();
        c.settle(1, false).unwrap();
        assert_eq!((c.draws[0].text.as_str(), c.draws[0].logprobs.as_deref().unwrap()), (" 4", &[-0.75, -0.125][..]));
        assert_eq!(c.draws[0].token_ids.as_deref(), Some(&[220, 19][..]));
        let mut s = parse_chat(SGLANG_CHAT).unwrap();
        s.settle(1, false).unwrap();
        assert_eq!(s.draws[0].top_logprobs, vec![vec![-0.0625, -3.0]]);
    }

    #[test]
    fn legacy_completions_read_tokens_and_alternatives() {
        let mut c = parse_completion(OPENAI_COMPLETION).unwrap();
        c.settle(1, false).unwrap();
        let d = &c.draws[0];
        assert_eq!((d.text.as_str(), d.logprobs.as_deref().unwrap()), (" 42", &[-0.5, -0.03125][..]));
        assert_eq!(d.top_logprobs, vec![vec![-0.5, -1.25], vec![-0.03125, -4.0]]);
    }

    #[test]
    fn missing_short_and_bad_logprobs_are_errors() {
        let none = OPENAI_CHAT.replace(r#""logprobs": {"content": ["#, r#""x": {"content": ["#);
        let mut c = parse_chat(&none).unwrap();
        assert_eq!(c.clone().settle(1, false).unwrap_err(), ShapeError::MissingLogprobs(0));
        c.settle(1, true).unwrap();
        // llama.cpp: one entry for a character split over two tokens.
        let short = OPENAI_CHAT.replace(r#""completion_tokens": 2"#, r#""completion_tokens": 3"#);
        assert_eq!(parse_chat(&short).unwrap().settle(1, false).unwrap_err(), ShapeError::ShortLogprobs { got: 2, completion_tokens: 3 });
        let mut kept = parse_chat(&short).unwrap();
        kept.settle(1, true).unwrap();
        assert!(kept.draws[0].logprobs.is_none() && kept.draws[0].top_logprobs.is_empty() && kept.draws[0].text == "Hello!");
        let positive = OPENAI_CHAT.replace("-0.02380986, \"bytes\": [33], \"top", "0.5, \"bytes\": [33], \"top");
        assert!(matches!(parse_chat(&positive).unwrap().settle(1, true).unwrap_err(), ShapeError::BadLogprob { choice: 0, token: 1, .. }));
        assert!(matches!(parse_chat("{\"object\": \"x\"}").unwrap_err(), ShapeError::Malformed(_)));
    }
}

#[cfg(test)]
mod mutations {
    //! Every response shape cut at every byte, and every byte replaced by a
    //! few others: the readers return a value or an error, never panic.
    use super::*;

    const SHAPES: [&str; 2] = [
        r#"{"id": "c", "object": "chat.completion", "model": "m", "choices": [{"index": 0, "message": {"role": "assistant", "content": "The answer is 7."}, "logprobs": {"content": [{"id": 5, "token": "The", "logprob": -0.5, "bytes": [84], "top_logprobs": [{"token": "The", "logprob": -0.5}, {"token": "A", "logprob": -9999.0}]}, {"token": " 7", "logprob": -1e-300, "top_logprobs": []}]}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}}"#,
        r#"{"object": "text_completion", "choices": [{"text": " 42", "index": 0, "finish_reason": "length", "logprobs": {"tokens": [" 4", "2"], "token_logprobs": [-0.5, -0.03125], "top_logprobs": [{" 4": -0.5}, null], "text_offset": [0, 2]}}], "usage": {"prompt_tokens": 3, "completion_tokens": 2}}"#,
    ];

    fn read_all(text: &str) {
        for parse in [parse_chat, parse_completion] {
            if let Ok(mut c) = parse(text) {
                let _ = c.clone().settle(1, false);
                let _ = c.settle(2, true);
            }
        }
    }

    #[test]
    fn truncated_and_mutated_responses_never_panic() {
        let mut cases = 0usize;
        for shape in SHAPES {
            let bytes = shape.as_bytes();
            for cut in 0..=bytes.len() {
                read_all(&String::from_utf8_lossy(&bytes[..cut]));
                cases += 1;
            }
            for i in 0..bytes.len() {
                for b in [b'"', b'{', b']', b'-', b'9', b'e', b'n', 0xff] {
                    let mut m = bytes.to_vec();
                    m[i] = b;
                    read_all(&String::from_utf8_lossy(&m));
                    cases += 1;
                }
            }
        }
        // Numbers a server may send that are not log-probabilities.
        for x in ["1e309", "-1e309", "0.5", "1e-400", "-0.0", "null", "\"x\"", "[]"] {
            read_all(&SHAPES[0].replace("-0.5, \"bytes\"", &format!("{x}, \"bytes\"")));
            cases += 1;
        }
        assert!(cases > 5_000, "{cases}");
    }
}
