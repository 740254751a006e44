//! Throughput of the llama forward pass, measured as llama.cpp's
//! `llama-batched-bench` measures it (without `-pps`): `batch` sequences,
//! each with its own prompt of `prompt_tokens` tokens processed in one
//! forward pass (`batch × prompt_tokens` tokens), then `tokens` decoding
//! steps of all `batch` sequences together, each step computing the last
//! position's logits. No sampling: the next token is a fixed id, as in
//! `llama-batched-bench`. Rates are tokens over wall time:
//! `batch · prompt_tokens / t_prompt` and `batch · tokens / t_decode`.

use super::model::Llama;
use candle_core::{Result, Tensor};
use pathconf_core::montecarlo::standard_error;
use pathconf_core::progress::Observer;
use serde::Serialize;
use std::time::Instant;

/// What [`decode_bench`] runs.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeBench {
    /// Batch sizes.
    pub batches: Vec<usize>,
    /// Prompt tokens per sequence.
    pub prompt_tokens: usize,
    /// Tokens decoded per sequence.
    pub tokens: usize,
    /// Runs per batch size.
    pub repeats: usize,
}

/// One batch size's rates over the runs: mean and standard error of the
/// mean (`null` for a single run).
#[derive(Debug, Clone, Serialize)]
pub struct DecodeRow {
    /// Sequences decoded together.
    pub batch: usize,
    /// Prompt tokens per second.
    pub prompt_tokens_per_s: f64,
    /// Its standard error.
    pub prompt_tokens_per_s_se: Option<f64>,
    /// Generated tokens per second.
    pub decode_tokens_per_s: f64,
    /// Its standard error.
    pub decode_tokens_per_s_se: Option<f64>,
}

/// [`decode_bench`]'s report.
#[derive(Debug, Clone, Serialize)]
pub struct DecodeReport {
    /// The kernels (`quantized` or `f32`).
    pub kernels: String,
    /// Worker threads.
    pub threads: usize,
    /// Prompt tokens per sequence.
    pub prompt_tokens: usize,
    /// Tokens decoded per sequence.
    pub tokens: usize,
    /// Runs per batch size.
    pub repeats: usize,
    /// How the numbers were obtained.
    pub basis: String,
    /// One row per batch size.
    pub rows: Vec<DecodeRow>,
    /// The process's peak resident memory (MB) after the runs.
    pub peak_rss_mb: Option<f64>,
    /// Memory of the weight matrices (MB).
    pub weights_mb: f64,
}

/// Mean and standard error of the mean (none for a single run).
fn mean_se(v: &[f64]) -> (f64, Option<f64>) {
    (v.iter().sum::<f64>() / v.len() as f64, (v.len() > 1).then(|| standard_error(v)))
}

/// Every batch size of `b`, `b.repeats` runs each; `observer` advances once
/// per run.
pub fn decode_bench(model: &Llama, kernels: super::Kernels, b: &DecodeBench, observer: &impl Observer) -> Result<DecodeReport> {
    if b.repeats == 0 || b.batches.is_empty() {
        candle_core::bail!("at least one batch size and one run");
    }
    let mut rows = Vec::with_capacity(b.batches.len());
    for &batch in &b.batches {
        let (mut prompt, mut decode) = (Vec::new(), Vec::new());
        for _ in 0..b.repeats {
            let r = decode_run(model, batch, b.prompt_tokens, b.tokens)?;
            prompt.push(r.prompt_tokens_per_s);
            decode.push(r.decode_tokens_per_s);
            observer.advance(1);
        }
        let ((p, pse), (d, dse)) = (mean_se(&prompt), mean_se(&decode));
        rows.push(DecodeRow { batch, prompt_tokens_per_s: p, prompt_tokens_per_s_se: pse, decode_tokens_per_s: d, decode_tokens_per_s_se: dse });
    }
    Ok(DecodeReport {
        kernels: kernels.to_string(),
        threads: rayon::current_num_threads(),
        prompt_tokens: b.prompt_tokens,
        tokens: b.tokens,
        repeats: b.repeats,
        basis: format!("measured: mean ± standard error of {} runs (wall time on this machine)", b.repeats),
        rows,
        peak_rss_mb: peak_rss_mb(),
        weights_mb: model.matrix_bytes() as f64 / 1e6,
    })
}

/// One measured run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecodeRun {
    /// Sequences decoded together.
    pub batch: usize,
    /// Seconds to process every sequence's prompt.
    pub prompt_seconds: f64,
    /// Seconds for the decoding steps.
    pub decode_seconds: f64,
    /// Prompt tokens per second (`batch · prompt_tokens / prompt_seconds`).
    pub prompt_tokens_per_s: f64,
    /// Generated tokens per second (`batch · tokens / decode_seconds`).
    pub decode_tokens_per_s: f64,
}

/// Runs `batch` sequences: a prompt of `prompt_tokens` ids each, then
/// `tokens` decoding steps.
pub fn decode_run(model: &Llama, batch: usize, prompt_tokens: usize, tokens: usize) -> Result<DecodeRun> {
    if batch == 0 || prompt_tokens == 0 || tokens == 0 {
        candle_core::bail!("batch, prompt tokens and tokens must be positive");
    }
    let vocab = model.config.vocab as u32;
    // Ids past the special tokens at the start of the vocabulary, different
    // per position.
    let (first, span) = (vocab / 20, (vocab - vocab / 20).max(1));
    let prompt: Vec<u32> = (0..prompt_tokens as u32).map(|i| first + (i * 7919) % span).collect();
    let ids = Tensor::from_vec(prompt.repeat(batch), (batch, prompt_tokens), model.device())?;
    let mut cache = model.new_cache(batch, prompt_tokens + tokens)?;
    let start = Instant::now();
    model.forward(&ids, &mut cache)?;
    let prompt_seconds = start.elapsed().as_secs_f64();
    let next = Tensor::from_vec(vec![first + 500 % span; batch], (batch, 1), model.device())?;
    let start = Instant::now();
    for _ in 0..tokens {
        model.forward(&next, &mut cache)?;
    }
    let decode_seconds = start.elapsed().as_secs_f64();
    Ok(DecodeRun {
        batch,
        prompt_seconds,
        decode_seconds,
        prompt_tokens_per_s: (batch * prompt_tokens) as f64 / prompt_seconds,
        decode_tokens_per_s: (batch * tokens) as f64 / decode_seconds,
    })
}

/// The process's peak resident memory in MB (`VmHWM` of
/// `/proc/self/status`; `None` where that file does not exist).
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb / 1024.0)
}
