//! Sampling with a key/value cache, temperature and top-p.
//!
//! All paths of a question share the prompt, so it is prefilled once and
//! every sequence of a batch continues a copy of that cache
//! ([`PortableModel`]: the same bits on every CPU). Each step draws one
//! uniform number per sequence of the batch from the caller's RNG, in batch
//! order — a finished sequence (EOS) still takes its number until the batch
//! ends — so a seed fixes the paths.
//!
//! The log-probabilities reported are the model's own (untempered, un-
//! truncated) `ln p(x_t | x_<t)` — the internal probability the paper's
//! estimators use; with temperature 1 and top-p 1 they are also the sampling
//! distribution's.

use super::error::TinyError;
use super::portable::PortableModel;
use super::task::{extract_answer, render, Question, EOS, INVALID};
use crate::confidence::{kl_from_uniform, top_k_into};
use crate::generation::token_draw::draw;
use crate::generation::{GeneratedPath, GenerationConfig};
use rand::Rng;

/// Samples `n` paths for `q`.
pub fn sample_paths(model: &PortableModel, q: &Question, n: usize, cfg: &GenerationConfig, rng: &mut impl Rng) -> Result<Vec<GeneratedPath>, TinyError> {
    let cfg = cfg.check()?;
    let mut out = Vec::with_capacity(n);
    let mut prompt_cache = model.cache();
    let prompt_row = model.prefill(&q.prompt(), &mut prompt_cache)?;
    while out.len() < n {
        let b = cfg.batch.min(n - out.len());
        let mut caches = vec![prompt_cache.clone(); b];
        let mut rows = vec![prompt_row.clone(); b];
        let mut paths: Vec<(Vec<u32>, Vec<f64>, bool)> = vec![(Vec::new(), Vec::new(), false); b];
        // Per path: top log-probabilities and KL(U ‖ p) per token, when recorded.
        let mut signals: Vec<(Vec<Vec<f64>>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); b];
        let mut scratch = Vec::new();
        for step in 0..cfg.max_new_tokens {
            for (((row, cache), (toks, lps, done)), (tops, kls)) in rows.iter_mut().zip(caches.iter_mut()).zip(paths.iter_mut()).zip(signals.iter_mut()) {
                let u: f64 = rng.random();
                if *done {
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
                if !*done && step + 1 < cfg.max_new_tokens {
                    *row = model.push(t as u32, cache)?;
                }
            }
            if paths.iter().all(|p| p.2) {
                break;
            }
        }
        out.extend(paths.into_iter().zip(signals).map(|((tokens, logprobs, finished), (top_logprobs, uniform_kl))| {
            let answer = Some(extract_answer(&tokens)).filter(|a| a != INVALID);
            GeneratedPath { text: render(&tokens), answer, tokens, logprobs, finished, top_logprobs, uniform_kl, p_true: None }
        }));
    }
    Ok(out)
}
