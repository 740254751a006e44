//! Sampling `n` reasoning paths per question: the prompt is prefilled once
//! (batch 1), its KV cache copied to every path of a batch, then all paths
//! decode together; finished paths (a stop token or `max_new_tokens`) are
//! dropped from the batch so the rest run on a smaller one. Each step draws
//! one uniform number per active path, in path order, from the caller's RNG.
//!
//! The reported log-probabilities are the model's own (untempered,
//! untruncated) `ln p(x_t | x_<t)`, as vLLM reports them; the answer is
//! extracted from the decoded text by [`crate::extract::word_problem`].

use super::model::Llama;
use super::tokenizer::GgufTokenizer;
use super::with_f32;
use crate::confidence::{kl_from_uniform, top_k_into};
use crate::generation::token_draw::{draw_with, log_softmax_into, Scratch};
use crate::generation::{GeneratedPath, GenerationConfig};
use candle_core::{Result, Tensor};
use rand::Rng;
use rayon::prelude::*;

/// One batch row's reusable buffers: its log-probabilities and the draw's
/// work space (no per-step allocation over the 49k-token vocabulary).
#[derive(Default, Clone)]
struct RowBuffers {
    logp: Vec<f64>,
    scratch: Scratch,
    select: Vec<f64>,
}

/// What one step produced for one row: the token, its log-probability, and
/// (when recorded) the top log-probabilities and `KL(U ‖ p_t)`.
struct Pick {
    token: usize,
    logprob: f64,
    top: Vec<f64>,
    kl: Option<f64>,
}

/// For each batch row `r` (logits `[rows, vocab]`, or one row shared by
/// all): `ln softmax`, then a draw with `us[r]`; returns the tokens, their
/// log-probabilities and the recorded signals ([`crate::confidence`]). Rows run in parallel, each sequentially, so the
/// result does not depend on the thread count.
fn step(logits: &Tensor, us: &[f64], bufs: &mut [RowBuffers], cfg: &GenerationConfig) -> Result<Vec<Pick>> {
    let (rows, vocab) = logits.dims2()?;
    if rows != 1 && rows != us.len() {
        candle_core::bail!("{rows} logit rows for {} paths", us.len());
    }
    with_f32(logits, |data| {
        us.par_iter()
            .zip(&mut bufs[..us.len()])
            .enumerate()
            .map(|(r, (&u, buf))| {
                let row = &data[if rows == 1 { 0 } else { r * vocab }..][..vocab];
                let max = log_softmax_into(row, &mut buf.logp);
                let token = draw_with(&buf.logp, max, cfg.temperature, cfg.top_p, u, &mut buf.scratch);
                let mut top = Vec::new();
                let mut kl = None;
                if cfg.top_logprobs > 0 {
                    top_k_into(&buf.logp, cfg.top_logprobs, &mut buf.select, &mut top);
                    kl = Some(kl_from_uniform(&buf.logp));
                }
                Pick { token, logprob: buf.logp[token], top, kl }
            })
            .collect()
    })
}

/// Samples `n` paths continuing `prompt` (token ids). `on_tokens(k)` is told
/// how many tokens each step generated.
pub fn sample_paths(
    model: &Llama,
    tok: &GgufTokenizer,
    prompt: &[u32],
    n: usize,
    cfg: &GenerationConfig,
    rng: &mut impl Rng,
    on_tokens: &mut dyn FnMut(usize),
) -> Result<Vec<GeneratedPath>> {
    let cfg = &cfg.check().map_err(candle_core::Error::wrap)?;
    if prompt.is_empty() {
        candle_core::bail!("the prompt has no tokens");
    }
    let mut prefill = model.new_cache(1, prompt.len() + cfg.max_new_tokens)?;
    let ids = Tensor::new(prompt, model.device())?.unsqueeze(0)?;
    let prompt_logits = model.forward(&ids, &mut prefill)?;
    let mut bufs = vec![RowBuffers::default(); cfg.batch.min(n)];
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let b = cfg.batch.min(n - out.len());
        let mut cache = prefill.expand(b);
        let mut logits = prompt_logits.clone();
        let mut paths: Vec<GeneratedPath> = (0..b)
            .map(|_| GeneratedPath {
                tokens: Vec::new(),
                logprobs: Vec::new(),
                text: String::new(),
                answer: None,
                finished: false,
                top_logprobs: Vec::new(),
                uniform_kl: Vec::new(),
                p_true: None,
            })
            .collect();
        // `active[r]` = which path row r of the batch belongs to.
        let mut active: Vec<usize> = (0..b).collect();
        for s in 0..cfg.max_new_tokens {
            // One uniform per active path, in order; the rows' log-softmax
            // and draws then run in parallel (same result for any thread
            // count). The first step's rows all share the prompt's logits.
            let us: Vec<f64> = (0..active.len()).map(|_| rng.random()).collect();
            let picks = step(&logits, &us, &mut bufs, cfg)?;
            let mut next = Vec::with_capacity(active.len());
            for (&p, pick) in active.iter().zip(picks) {
                let path = &mut paths[p];
                let t = pick.token as u32;
                path.tokens.push(t);
                path.logprobs.push(pick.logprob);
                if cfg.top_logprobs > 0 {
                    path.top_logprobs.push(pick.top);
                }
                path.uniform_kl.extend(pick.kl);
                path.finished = !cfg.ignore_eos && tok.is_stop(t);
                next.push(t);
            }
            on_tokens(next.len());
            if s + 1 == cfg.max_new_tokens {
                break;
            }
            // Drop finished paths from the batch.
            let keep: Vec<usize> = (0..active.len()).filter(|&r| !paths[active[r]].finished).collect();
            if keep.is_empty() {
                break;
            }
            if keep.len() < active.len() {
                cache.select(&keep);
                next = keep.iter().map(|&r| next[r]).collect();
                active = keep.iter().map(|&r| active[r]).collect();
            }
            let ids = Tensor::from_vec(next, (active.len(), 1), model.device())?;
            logits = model.forward(&ids, &mut cache)?;
        }
        for mut path in paths {
            path.text = tok.decode(&path.tokens).map_err(candle_core::Error::wrap)?;
            path.answer = crate::extract::word_problem::extract(&path.text);
            out.push(path);
        }
    }
    Ok(out)
}
