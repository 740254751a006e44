//! Sampling `n` reasoning paths per question: the prompt is prefilled once
//! (batch 1), its KV cache copied to every path of a batch, then all paths
//! decode together; finished paths (a stop token or `max_new_tokens`) are
//! dropped from the batch so the rest run on a smaller one. Each step draws
//! one uniform number per active path, in path order, from the caller's RNG.
//!
//! The reported log-probabilities are the model's own (untempered,
//! untruncated) `ln p(x_t | x_<t)`, as vLLM reports them; the answer is
//! the first number after the last "answer is" in the decoded text (the
//! format the prompt asks for), else `\boxed{…}`, else the last number.

use super::model::Llama;
use crate::sampling::log_softmax_row;
use rayon::prelude::*;
use super::tokenizer::GgufTokenizer;
use crate::sampling::draw;
use candle_core::{Result, Tensor};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// How to sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GenConfig {
    /// Softmax temperature.
    pub temperature: f64,
    /// Nucleus mass.
    pub top_p: f64,
    /// Longest generation (tokens).
    pub max_new_tokens: usize,
    /// Paths decoded together.
    pub batch: usize,
    /// Keep generating after stop tokens (vLLM's `ignore_eos`): every path
    /// gets exactly `max_new_tokens` tokens — for throughput measurements.
    pub ignore_eos: bool,
}

impl Default for GenConfig {
    fn default() -> Self {
        Self { temperature: 1.0, top_p: 0.95, max_new_tokens: 256, batch: 64, ignore_eos: false }
    }
}

/// One sampled path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LlmPath {
    /// Generated token ids (the stop token included when produced).
    pub tokens: Vec<u32>,
    /// `ln p(x_t | x_<t)` per generated token.
    pub logprobs: Vec<f64>,
    /// Decoded text (special tokens dropped).
    pub text: String,
    /// Extracted answer, if any.
    pub answer: Option<String>,
    /// Whether generation stopped on a stop token (not the length limit).
    pub finished: bool,
}

/// The first number (digits with optional sign, commas and decimals) in
/// `text`, commas dropped; with `last`, the last one.
fn number(text: &str, last: bool) -> Option<String> {
    let b = text.as_bytes();
    let mut found = None;
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = if i > 0 && b[i - 1] == b'-' { i - 1 } else { i };
            let mut j = i;
            while j < b.len() && (b[j].is_ascii_digit() || ((b[j] == b',' || b[j] == b'.') && j + 1 < b.len() && b[j + 1].is_ascii_digit())) {
                j += 1;
            }
            found = Some(text[start..j].replace(',', ""));
            if !last {
                return found;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    found
}

/// The answer in `text`: the first number after the last "answer is"
/// (case-insensitive), else `\boxed{…}`, else the last number.
pub fn extract(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    if let Some(n) = lower.rfind("answer is").and_then(|at| number(&text[at..], false)) {
        return Some(n);
    }
    if text.contains("\\boxed") {
        if let Some(a) = crate::eval::extract::extract_answer(text) {
            return Some(a);
        }
    }
    number(text, true)
}

/// Log-probability rows of logits `[b, vocab]` (f64, computed in parallel).
fn rows_of(logits: &Tensor) -> Result<Vec<Vec<f64>>> {
    let rows: Vec<Vec<f32>> = logits.to_vec2::<f32>()?;
    Ok(rows.par_iter().map(|r| log_softmax_row(r)).collect())
}

/// Samples `n` paths continuing `prompt` (token ids). `on_tokens(k)` is told
/// how many tokens each step generated.
pub fn sample_paths(
    model: &Llama,
    tok: &GgufTokenizer,
    prompt: &[u32],
    n: usize,
    cfg: &GenConfig,
    rng: &mut impl Rng,
    on_tokens: &mut dyn FnMut(usize),
) -> Result<Vec<LlmPath>> {
    assert!(cfg.temperature > 0.0 && cfg.top_p > 0.0 && cfg.top_p <= 1.0 && cfg.batch >= 1 && !prompt.is_empty());
    let mut prefill = model.new_cache(1, prompt.len() + cfg.max_new_tokens)?;
    let ids = Tensor::new(prompt, model.device())?.unsqueeze(0)?;
    let first = rows_of(&model.forward(&ids, &mut prefill)?)?.remove(0);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let b = cfg.batch.min(n - out.len());
        let mut cache = prefill.expand(b);
        let mut rows: Vec<Vec<f64>> = vec![first.clone(); b];
        let mut paths: Vec<(Vec<u32>, Vec<f64>, bool)> = vec![(Vec::new(), Vec::new(), false); b];
        // `active[r]` = which path row r of the batch belongs to.
        let mut active: Vec<usize> = (0..b).collect();
        for step in 0..cfg.max_new_tokens {
            let mut next = Vec::with_capacity(active.len());
            // One uniform per active path, in order; the draws themselves run
            // in parallel (same result for any thread count).
            let us: Vec<f64> = (0..rows.len()).map(|_| rng.random()).collect();
            let picks: Vec<usize> = rows.par_iter().zip(us.par_iter()).map(|(row, &u)| draw(row, cfg.temperature, cfg.top_p, u)).collect();
            for ((row, &p), t) in rows.iter().zip(&active).zip(picks) {
                let (toks, lps, done) = &mut paths[p];
                toks.push(t as u32);
                lps.push(row[t]);
                *done = !cfg.ignore_eos && tok.is_stop(t as u32);
                next.push(t as u32);
            }
            on_tokens(next.len());
            if step + 1 == cfg.max_new_tokens {
                break;
            }
            // Drop finished paths from the batch.
            let keep: Vec<usize> = (0..active.len()).filter(|&r| !paths[active[r]].2).collect();
            if keep.is_empty() {
                break;
            }
            if keep.len() < active.len() {
                cache.select(&keep);
                next = keep.iter().map(|&r| next[r]).collect();
                active = keep.iter().map(|&r| active[r]).collect();
            }
            let ids = Tensor::from_vec(next, (active.len(), 1), model.device())?;
            rows = rows_of(&model.forward(&ids, &mut cache)?)?;
        }
        for (tokens, logprobs, finished) in paths {
            let text = tok.decode(&tokens).map_err(candle_core::Error::msg)?;
            out.push(LlmPath { answer: extract(&text), text, tokens, logprobs, finished });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::extract;

    #[test]
    fn extraction_falls_back_to_the_last_number() {
        assert_eq!(extract("so 3 + 4 = 7 apples").as_deref(), Some("7"));
        assert_eq!(extract("The answer is 12.").as_deref(), Some("12"));
        assert_eq!(extract("7 + 5 = 12, so the answer is 12, not 13.").as_deref(), Some("12"));
        assert_eq!(extract("so \\boxed{3/4} it is, 5").as_deref(), Some("3/4"));
        assert_eq!(extract("she has -1,250.5 left.").as_deref(), Some("-1250.5"));
        assert_eq!(extract("no digits"), None);
    }
}
