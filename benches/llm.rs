//! Criterion benchmarks of the LLM sampler (SmolLM2-135M-Instruct, cached by
//! `scripts/fetch_smollm2.sh`; skipped with a message when the file is absent).
//!
//! - `llm/decode_step_batch64/{quantized,f32}`: one decoding step for 64
//!   paths (forward pass, after a shared prefill of the chat prompt), by
//!   each kernel; elements = tokens. The sampling benchmarks below use the
//!   default (quantized) kernels.
//! - `llm/sample_batch64_32_tokens`: `sample_paths` with stop tokens ignored,
//!   64 paths × 32 tokens (prefill once, then 32 full-batch steps with
//!   log-softmax and nucleus draws); elements = tokens.
//! - `llm/sample_64_paths`: `sample_paths` end to end for one question — 64
//!   paths, at most 48 new tokens, temperature 0.6 / top-p 0.95 (the
//!   committed data's settings), prefill, log-softmax, nucleus draws, paths
//!   leaving the batch as they finish; elements = tokens generated.
//!
//! - `linear/{candle,blocked}/IN→OUT`: `x [64, IN] · Wᵀ` with random
//!   weights of SmolLM2's four layer shapes and its output head, by candle's
//!   matmul on `W` as stored and by `llm::linear::Linear` (the same bits;
//!   needs no model file).
//!
//! - `quant/{f32,q4_1,q8_0,candle-q4_1,candle-q8_0}/IN→OUT/bB`: `x [B, IN] · Wᵀ`
//!   at B = 1 and 64 on random weights: the blocked f32 product, pathconf's
//!   quantized kernels (`llm::quant`), and candle's `QMatMul` on the same
//!   quantized tensor (the anchor for choosing our own kernels).
//!
//! `cargo bench --bench llm`.

use candle_core::Tensor;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use pathconf::generation::GenerationConfig;
use pathconf::llm::generate::sample_paths;
use pathconf::llm::linear::Linear;
use pathconf::llm::{default_gguf, GgufTokenizer, Kernels, Llama};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

fn linear_bench(c: &mut Criterion) {
    let dev = candle_core::Device::Cpu;
    let mut g = c.benchmark_group("linear");
    g.sample_size(20).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    for (inp, out) in [(576, 960), (576, 576), (576, 3072), (1536, 576), (576, 49152)] {
        let w = Tensor::randn(0f32, 1.0, (out, inp), &dev).unwrap();
        let x = Tensor::randn(0f32, 1.0, (64, inp), &dev).unwrap();
        let lin = Linear::new(&w).unwrap();
        let wt = w.t().unwrap();
        g.bench_function(format!("candle/{inp}→{out}"), |b| b.iter(|| x.matmul(&wt).unwrap()));
        g.bench_function(format!("blocked/{inp}→{out}"), |b| b.iter(|| lin.forward(&x).unwrap()));
    }
    g.finish();
}

fn quant_bench(c: &mut Criterion) {
    use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
    use candle_core::Module;
    use pathconf::llm::quant::QuantMatrix;
    let dev = candle_core::Device::Cpu;
    let mut g = c.benchmark_group("quant");
    g.sample_size(20).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    for (inp, out, dtype) in [(576, 960, GgmlDType::Q4_1), (576, 3072, GgmlDType::Q4_1), (1536, 576, GgmlDType::Q4_1), (576, 49152, GgmlDType::Q8_0)] {
        let w = Tensor::randn(0f32, 1.0, (out, inp), &dev).unwrap();
        let qt = QTensor::quantize(&w, dtype).unwrap();
        let ours = QuantMatrix::from_gguf(dtype, &qt.data().unwrap(), out, inp).unwrap();
        let lin = Linear::new(&w).unwrap();
        let candle = QMatMul::from_qtensor(qt).unwrap();
        let name = format!("{dtype:?}").to_lowercase();
        for rows in [1usize, 64] {
            let x = Tensor::randn(0f32, 1.0, (rows, inp), &dev).unwrap();
            let xs: Vec<f32> = x.flatten_all().unwrap().to_vec1().unwrap();
            g.throughput(Throughput::Elements((rows * inp * out) as u64));
            g.bench_function(format!("f32/{inp}→{out}/b{rows}"), |b| b.iter(|| lin.forward(&x).unwrap()));
            g.bench_function(format!("{name}/{inp}→{out}/b{rows}"), |b| b.iter(|| ours.matmul(&xs)));
            g.bench_function(format!("candle-{name}/{inp}→{out}/b{rows}"), |b| b.iter(|| candle.forward(&x).unwrap()));
        }
    }
    g.finish();
}

fn llm_bench(c: &mut Criterion) {
    let path = default_gguf();
    if !path.exists() {
        eprintln!("llm benchmarks skipped: {} is absent (run scripts/fetch_smollm2.sh)", path.display());
        return;
    }
    let (model, content) = Llama::load(&path, Kernels::Quantized).expect("model loads");
    let tok = GgufTokenizer::from_gguf(&content).expect("tokenizer");
    let prompt = tok.encode(&tok.chat_prompt("What is 23 + 14? Give the answer as \"The answer is N.\"")).expect("encode");
    let mut g = c.benchmark_group("llm");
    g.sample_size(10).measurement_time(Duration::from_secs(20)).warm_up_time(Duration::from_secs(3));

    let batch = 64;
    let f32_model = Llama::load(&path, Kernels::F32).expect("model loads").0;
    for (name, m) in [("quantized", &model), ("f32", &f32_model)] {
        let mut prefill = m.new_cache(1, prompt.len() + 1).expect("cache");
        m.forward(&Tensor::new(prompt.as_slice(), m.device()).unwrap().unsqueeze(0).unwrap(), &mut prefill).expect("prefill");
        let ids = Tensor::from_vec((0..batch as u32).map(|i| 1000 + i).collect::<Vec<_>>(), (batch, 1), m.device()).unwrap();
        g.throughput(Throughput::Elements(batch as u64));
        g.bench_function(format!("decode_step_batch64/{name}"), |b| {
            b.iter_batched(|| prefill.expand(batch), |mut cache| m.forward(&ids, &mut cache).expect("forward"), BatchSize::PerIteration)
        });
    }
    drop(f32_model);

    // Every path runs to 32 tokens: the whole step (forward, log-softmax,
    // nucleus draws) at batch 64.
    let fixed = GenerationConfig { temperature: 1.0, top_p: 0.95, max_new_tokens: 32, batch: 64, ignore_eos: true, top_logprobs: 20 };
    g.throughput(Throughput::Elements(64 * 32));
    g.bench_function("sample_batch64_32_tokens", |b| {
        b.iter(|| sample_paths(&model, &tok, &prompt, 64, &fixed, &mut ChaCha8Rng::seed_from_u64(7), &mut |_| {}).expect("sampling"))
    });

    let cfg = GenerationConfig { temperature: 0.6, top_p: 0.95, max_new_tokens: 48, batch: 64, ignore_eos: false, top_logprobs: 20 };
    let run = || sample_paths(&model, &tok, &prompt, 64, &cfg, &mut ChaCha8Rng::seed_from_u64(7), &mut |_| {}).expect("sampling");
    let tokens: usize = run().iter().map(|p| p.tokens.len()).sum();
    g.throughput(Throughput::Elements(tokens as u64));
    g.bench_function("sample_64_paths", |b| b.iter(run));
    g.finish();
}

criterion_group!(benches, linear_bench, quant_bench, llm_bench);
criterion_main!(benches);
