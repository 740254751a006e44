//! Batched sampling with a key/value cache, temperature and top-p.
//!
//! All paths of a question share the prompt, so a batch is prefilled with the
//! prompt and then decoded one token per step for every sequence; a finished
//! sequence (EOS) is fed EOS until the batch ends and its extra tokens are
//! dropped. Each step draws one uniform number per sequence from the caller's
//! RNG, in batch order, so a seed fixes the paths.
//!
//! The log-probabilities reported are the model's own (untempered, un-
//! truncated) `ln p(x_t | x_<t)` — the internal probability the paper's
//! estimators use; with temperature 1 and top-p 1 they are also the sampling
//! distribution's.

use super::model::{last_log_probs, TinyModel};
use super::task::{extract_answer, render, Question, EOS, INVALID};
use crate::confidence::{kl_from_uniform, top_k_into};
use crate::generation::token_draw::draw;
use crate::generation::{GeneratedPath, GenerationConfig};
use candle_core::{Result, Tensor};
use rand::Rng;

/// Samples `n` paths for `q`.
pub fn sample_paths(model: &TinyModel, q: &Question, n: usize, cfg: &GenerationConfig, rng: &mut impl Rng) -> Result<Vec<GeneratedPath>> {
    let cfg = cfg.check().map_err(candle_core::Error::wrap)?;
    let mut out = Vec::with_capacity(n);
    let prompt = q.prompt();
    while out.len() < n {
        let b = cfg.batch.min(n - out.len());
        let ids: Vec<u32> = (0..b).flat_map(|_| prompt).collect();
        let mut cache = model.new_cache();
        let mut logits = model.forward(&Tensor::from_vec(ids, (b, prompt.len()), model.device())?, Some(&mut cache))?;
        let mut paths: Vec<(Vec<u32>, Vec<f64>, bool)> = vec![(Vec::new(), Vec::new(), false); b];
        // Per path: top log-probabilities and KL(U ‖ p) per token, when recorded.
        let mut signals: Vec<(Vec<Vec<f64>>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); b];
        let mut scratch = Vec::new();
        for _ in 0..cfg.max_new_tokens {
            let rows = last_log_probs(&logits)?;
            let mut next = Vec::with_capacity(b);
            for ((row, (toks, lps, done)), (tops, kls)) in rows.iter().zip(paths.iter_mut()).zip(signals.iter_mut()) {
                let u: f64 = rng.random();
                if *done {
                    next.push(EOS);
                    continue;
                }
                let t = draw(row, cfg.temperature, cfg.top_p, u);
                toks.push(t as u32);
                lps.push(row[t]);
                if cfg.top_logprobs > 0 {
                    let mut top = Vec::new();
                    top_k_into(row, cfg.top_logprobs, &mut scratch, &mut top);
                    tops.push(top);
                    kls.push(kl_from_uniform(row));
                }
                *done = t as u32 == EOS;
                next.push(t as u32);
            }
            if paths.iter().all(|p| p.2) {
                break;
            }
            logits = model.forward(&Tensor::from_vec(next, (b, 1), model.device())?, Some(&mut cache))?;
        }
        out.extend(paths.into_iter().zip(signals).map(|((tokens, logprobs, finished), (top_logprobs, uniform_kl))| {
            let answer = Some(extract_answer(&tokens)).filter(|a| a != INVALID);
            GeneratedPath { text: render(&tokens), answer, tokens, logprobs, finished, top_logprobs, uniform_kl, p_true: None }
        }));
    }
    Ok(out)
}
