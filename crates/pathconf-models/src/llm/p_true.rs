//! P(True) (Kadavath et al., 2022, as CISC uses it, Taubenfeld et al., 2025):
//! after a path, the model is asked in a new user turn to rate its own answer
//! 0 or 1, and the signal is `c = softmax([logit("0"), logit("1")])[1]` at
//! the first token of its reply. The question is [`P_TRUE_QUESTION`] (also in
//! `data/README.md`). One extra forward pass per path over its tokens and the
//! follow-up, continuing the prompt's cached keys and values.

use super::model::{Llama, LlamaCache};
use super::tokenizer::GgufTokenizer;
use super::with_f32;
use crate::generation::GeneratedPath;
use candle_core::{Result, Tensor};

/// The rating question asked after each path.
pub const P_TRUE_QUESTION: &str = "Is your answer above correct? Reply with 1 if it is correct and 0 if it is not.";

/// The token ids of "0" and "1" and the follow-up turns (path closed by a
/// stop token, or cut at the length limit).
pub struct Rater {
    zero: u32,
    one: u32,
    closed: Vec<u32>,
    open: Vec<u32>,
}

impl Rater {
    /// Prepares the follow-up for `tok`'s chat format. Fails when "0" or "1"
    /// is not a single token.
    pub fn new(tok: &GgufTokenizer) -> Result<Self> {
        let single = |s: &str| -> Result<u32> {
            match tok.encode(s).map_err(candle_core::Error::wrap)?.as_slice() {
                [id] => Ok(*id),
                other => candle_core::bail!("P(True) needs {s:?} as one token, the tokenizer gives {other:?}"),
            }
        };
        let enc = |closed: bool| tok.encode(&tok.follow_up(P_TRUE_QUESTION, closed)).map_err(candle_core::Error::wrap);
        Ok(Self { zero: single("0")?, one: single("1")?, closed: enc(true)?, open: enc(false)? })
    }

    /// The most positions a follow-up adds after a path.
    pub fn extra_positions(&self) -> usize {
        self.closed.len().max(self.open.len())
    }

    /// P(True) of `path`, continuing `prompt_cache` (the prompt's keys and
    /// values, batch 1, with room for the path and [`Self::extra_positions`]).
    pub fn rate(&self, model: &Llama, prompt_cache: &LlamaCache, path: &GeneratedPath) -> Result<f64> {
        let follow = if path.finished { &self.closed } else { &self.open };
        let ids: Vec<u32> = path.tokens.iter().chain(follow).copied().collect();
        let mut cache = prompt_cache.expand(1);
        let logits = model.forward(&Tensor::new(ids.as_slice(), model.device())?.unsqueeze(0)?, &mut cache)?;
        with_f32(&logits, |row| {
            let (z, o) = (f64::from(row[self.zero as usize]), f64::from(row[self.one as usize]));
            // softmax over the two logits, stably.
            1.0 / (1.0 + (z - o).exp())
        })
    }

    /// Sets `p_true` on every path of `prompt` (token ids): the prompt is
    /// prefilled once, then each path is rated from its cache.
    pub fn rate_paths(&self, model: &Llama, prompt: &[u32], paths: &mut [GeneratedPath]) -> Result<()> {
        let longest = paths.iter().map(|p| p.tokens.len()).max().unwrap_or(0);
        let mut cache = model.new_cache(1, prompt.len() + longest + self.extra_positions())?;
        model.forward(&Tensor::new(prompt, model.device())?.unsqueeze(0)?, &mut cache)?;
        for p in paths {
            p.p_true = Some(self.rate(model, &cache, p)?);
        }
        Ok(())
    }
}
