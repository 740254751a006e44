//! Models behind the server. Choice `i` of a request with seed `s` draws
//! with its own generator, seeded `derive(s, [i])` ([`pathconf_core::seed`]):
//! a choice depends on its prompt, settings and seed only — not on `n`, nor
//! on other requests in flight, which both models decode together
//! ([`crate::batch`]).

use crate::batch::{Batcher, LlamaDecoder, TinyDecoder};
use pathconf_core::generation::token_draw::{draw, processed_logprobs};
use pathconf_models::llm::{GgufTokenizer, Llama};
use pathconf_models::tiny::task::{Question, EOS, EQ, PLUS};
use pathconf_models::tiny::PortableModel;
use std::sync::Arc;

/// Sampling settings of one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Temperature (> 0).
    pub temperature: f64,
    /// Nucleus mass in (0, 1].
    pub top_p: f64,
    /// Most tokens.
    pub max_tokens: usize,
    /// Alternatives per token to return.
    pub top_logprobs: usize,
    /// Generate past the end-of-sequence token, to `max_tokens`.
    pub ignore_eos: bool,
}

/// One generated token.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Its id in the model's vocabulary.
    pub id: u32,
    /// Its text.
    pub text: String,
    /// Its processed log-probability (of being drawn).
    pub logprob: f64,
    /// The most probable alternatives, `(text, processed log-probability)`.
    pub top: Vec<(String, f64)>,
}

/// One completion.
#[derive(Debug, Clone, PartialEq)]
pub struct Completed {
    /// The completion's text (the tokens decoded together: a character
    /// split over two byte tokens is whole here, not in the tokens' texts).
    pub text: String,
    /// The generated tokens.
    pub tokens: Vec<Token>,
    /// Whether it ended on the end-of-sequence token (else on `max_tokens`).
    pub finished: bool,
    /// Prompt tokens.
    pub prompt_tokens: usize,
}

/// A model that completes prompts.
pub trait Backend: Send + Sync {
    /// Its name in `/v1/models`.
    fn name(&self) -> &str;
    /// Choices `0..n` of a request for `prompt` (a user message when
    /// `chat`, else raw text) with `seed`; `Err` with a message when the
    /// prompt is not one the model can read.
    fn complete(&self, prompt: &str, chat: bool, settings: &Settings, seed: u64, n: usize) -> Result<Vec<Completed>, String>;
    /// How its requests have been batched, if it batches them.
    fn batch_stats(&self) -> Option<serde_json::Value> {
        None
    }
}

/// The tiny transformer: it reads three digits anywhere in the prompt
/// (`"3 + 4 + 5 ="`, `"What is 3+4+5?"`) and writes a path such as
/// `"3 + 4 = 07 + 5 = 12"` (tokens `3`, ` + `, `4`, ` = `, `0`, `7`, …;
/// the end-of-sequence token is a last token with empty text, so the
/// returned log-probabilities sum to the whole path's). Requests in flight
/// are decoded together ([`crate::batch`]).
pub struct TinyBackend {
    batcher: Batcher,
}

impl TinyBackend {
    /// Serves `model`, decoding at most `max_batch` sequences per step.
    pub fn new(model: PortableModel, max_batch: usize) -> Self {
        Self { batcher: Batcher::start(TinyDecoder { model, token_text, eos: EOS }, max_batch) }
    }
}

/// Draws a token from `logp` (one position's log-probabilities) at the
/// request's settings with `u ~ U[0, 1)` — by [`draw`], the draw both
/// built-in samplers make — with its processed log-probability (its
/// probability of being drawn, [`processed_logprobs`]) and the top
/// alternatives (texts from `text_of`).
pub(crate) fn pick(logp: &[f64], s: &Settings, u: f64, text_of: impl Fn(usize) -> String) -> (usize, Token) {
    let t = draw(logp, s.temperature, s.top_p, u);
    let mut dist = processed_logprobs(logp, s.temperature, s.top_p);
    let lp = dist.iter().find(|d| d.0 == t).expect("the drawn token is in the nucleus").1;
    dist.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    dist.truncate(s.top_logprobs);
    (t, Token { id: t as u32, text: text_of(t), logprob: lp, top: dist.into_iter().map(|(i, l)| (text_of(i), l)).collect() })
}

fn token_text(t: u32) -> String {
    match t {
        PLUS => " + ".into(),
        EQ => " = ".into(),
        EOS => String::new(),
        d if d < 10 => d.to_string(),
        _ => "?".into(),
    }
}

/// The three digits of a prompt, if it has exactly three.
pub fn tiny_question(prompt: &str) -> Option<Question> {
    let digits: Vec<u8> = prompt.chars().filter_map(|c| c.to_digit(10)).map(|d| d as u8).collect();
    (digits.len() == 3).then(|| Question::new(digits[0], digits[1], digits[2]))
}

impl Backend for TinyBackend {
    fn name(&self) -> &str {
        "tiny"
    }

    fn complete(&self, prompt: &str, _chat: bool, s: &Settings, seed: u64, n: usize) -> Result<Vec<Completed>, String> {
        let q = tiny_question(prompt).ok_or_else(|| {
            format!("the tiny model adds three digits: the prompt must contain exactly three digits (0–9), e.g. \"3 + 4 + 5 =\"; got {prompt:?}")
        })?;
        self.batcher.complete(q.prompt().to_vec(), *s, seed, n)
    }

    fn batch_stats(&self) -> Option<serde_json::Value> {
        Some(self.batcher.stats().json())
    }
}

/// A llama-architecture GGUF model (SmolLM2 by default) with its tokenizer:
/// chat requests get the model's chat template, completions the raw text.
/// Requests in flight are decoded together by one scheduler
/// ([`crate::batch`]), each choice's output independent of its batch-mates.
pub struct LlamaBackend {
    name: String,
    tok: Arc<GgufTokenizer>,
    batcher: Batcher,
}

impl LlamaBackend {
    /// Serves `model` under `name`, decoding at most `max_batch` sequences
    /// per step.
    pub fn new(name: &str, model: Llama, tok: GgufTokenizer, max_batch: usize) -> Self {
        let tok = Arc::new(tok);
        let batcher = Batcher::start(LlamaDecoder { model, tok: tok.clone() }, max_batch);
        Self { name: name.into(), tok, batcher }
    }
}

impl Backend for LlamaBackend {
    fn name(&self) -> &str {
        &self.name
    }

    fn complete(&self, prompt: &str, chat: bool, s: &Settings, seed: u64, n: usize) -> Result<Vec<Completed>, String> {
        let text = if chat { self.tok.chat_prompt(prompt) } else { prompt.to_string() };
        let ids = self.tok.encode(&text).map_err(|e| e.to_string())?;
        if ids.is_empty() {
            return Err("the prompt has no tokens".into());
        }
        self.batcher.complete(ids, *s, seed, n)
    }

    fn batch_stats(&self) -> Option<serde_json::Value> {
        Some(self.batcher.stats().json())
    }
}
