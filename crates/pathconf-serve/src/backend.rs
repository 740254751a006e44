//! Models behind the server. Choice `i` of a request with seed `s` is
//! decoded alone with its own generator, seeded `derive(s, [i])`
//! ([`pathconf_core::seed`]): a choice depends on its prompt, settings and
//! seed only — not on `n`, nor on other requests in flight.

use pathconf_core::generation::token_draw::processed_logprobs;
use pathconf_core::seed::derive;
use pathconf_models::tiny::model::last_log_probs;
use pathconf_models::tiny::task::{Question, EOS, EQ, PLUS};
use pathconf_models::tiny::TinyModel;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

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
    /// The generated tokens.
    pub tokens: Vec<Token>,
    /// Whether it ended on the end-of-sequence token (else on `max_tokens`).
    pub finished: bool,
    /// Prompt tokens.
    pub prompt_tokens: usize,
}

impl Completed {
    /// The text (its tokens' texts joined).
    pub fn text(&self) -> String {
        self.tokens.iter().map(|t| t.text.as_str()).collect()
    }
}

/// A model that completes prompts.
pub trait Backend: Send + Sync {
    /// Its name in `/v1/models`.
    fn name(&self) -> &str;
    /// Choice `index` of a request for `prompt` with `seed`; `Err` with a
    /// message when the prompt is not one the model can read.
    fn complete(&self, prompt: &str, settings: &Settings, seed: u64, index: usize) -> Result<Completed, String>;
}

/// The tiny transformer: it reads three digits anywhere in the prompt
/// (`"3 + 4 + 5 ="`, `"What is 3+4+5?"`) and writes a path such as
/// `"3 + 4 = 07 + 5 = 12"` (tokens `3`, ` + `, `4`, ` = `, `0`, `7`, …;
/// the end-of-sequence token is a last token with empty text, so the
/// returned log-probabilities sum to the whole path's).
pub struct TinyBackend {
    model: TinyModel,
}

impl TinyBackend {
    /// Serves `model`.
    pub fn new(model: TinyModel) -> Self {
        Self { model }
    }
}

fn token_text(t: usize) -> String {
    match t as u32 {
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

    fn complete(&self, prompt: &str, s: &Settings, seed: u64, index: usize) -> Result<Completed, String> {
        let q = tiny_question(prompt).ok_or_else(|| {
            format!("the tiny model adds three digits: the prompt must contain exactly three digits (0–9), e.g. \"3 + 4 + 5 =\"; got {prompt:?}")
        })?;
        let mut rng = ChaCha8Rng::seed_from_u64(derive(seed, &[index as u64]));
        let ids = q.prompt();
        let err = |e: candle_core::Error| e.to_string();
        let mut cache = self.model.new_cache();
        let input = candle_core::Tensor::from_vec(ids.to_vec(), (1, ids.len()), self.model.device()).map_err(err)?;
        let mut logits = self.model.forward(&input, Some(&mut cache)).map_err(err)?;
        let mut tokens = Vec::new();
        let mut finished = false;
        let room = self.model.config.max_len.saturating_sub(ids.len());
        for _ in 0..s.max_tokens.min(room) {
            let row = &last_log_probs(&logits).map_err(err)?[0];
            let dist = processed_logprobs(row, s.temperature, s.top_p);
            // Inverse CDF in the listed order: the draw `token_draw::draw` makes.
            let u: f64 = rng.random();
            let mut target = u;
            let mut pick = dist.len() - 1;
            for (k, &(_, l)) in dist.iter().enumerate() {
                if target < l.exp() {
                    pick = k;
                    break;
                }
                target -= l.exp();
            }
            let (t, lp) = dist[pick];
            let mut top: Vec<(usize, f64)> = dist.clone();
            top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            top.truncate(s.top_logprobs);
            tokens.push(Token { id: t as u32, text: token_text(t), logprob: lp, top: top.into_iter().map(|(i, l)| (token_text(i), l)).collect() });
            if t as u32 == EOS {
                finished = true;
                break;
            }
            let next = candle_core::Tensor::from_vec(vec![t as u32], (1, 1), self.model.device()).map_err(err)?;
            logits = self.model.forward(&next, Some(&mut cache)).map_err(err)?;
        }
        Ok(Completed { tokens, finished, prompt_tokens: ids.len() })
    }
}
