//! SmolLM2-135M-Instruct through pathconf's llama forward pass. Needs the
//! GGUF file that `scripts/fetch_smollm2.sh` caches (`.ci/run` calls it);
//! without it each test says so and returns.

use candle_core::{Device, Tensor};
use pathconf::llm::generate::{sample_paths, GenConfig};
use pathconf::llm::{GgufTokenizer, Llama};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;
use std::sync::OnceLock;

fn gguf() -> Option<PathBuf> {
    let base = std::env::var_os("PATHCONF_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/pathconf/models"));
    let p = base.join("SmolLM2-135M-Instruct.Q4_1.gguf");
    if p.exists() {
        Some(p)
    } else {
        eprintln!("SKIPPED: {} is absent (run scripts/fetch_smollm2.sh)", p.display());
        None
    }
}

fn model() -> Option<&'static (Llama, GgufTokenizer)> {
    static M: OnceLock<Option<(Llama, GgufTokenizer)>> = OnceLock::new();
    M.get_or_init(|| {
        let p = gguf()?;
        let (m, ct) = Llama::load(&p).unwrap();
        let t = GgufTokenizer::from_gguf(&ct).unwrap();
        Some((m, t))
    })
    .as_ref()
}

fn argmax(v: &[f32]) -> u32 {
    v.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0 as u32
}

#[test]
fn tokenizer_round_trips_and_splits_digits() {
    let Some((_, tok)) = model() else { return };
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
    let Some(path) = gguf() else { return };
    let Some((m, tok)) = model() else { return };
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
fn batched_sampling_with_a_shared_prefill_matches_recomputation() {
    let Some((m, tok)) = model() else { return };
    let prompt = tok.encode(&tok.chat_prompt("What is 7 + 5?")).unwrap();
    let cfg = GenConfig { max_new_tokens: 8, batch: 3, ..GenConfig::default() };
    let paths = sample_paths(m, tok, &prompt, 3, &cfg, &mut ChaCha8Rng::seed_from_u64(1), &mut |_| {}).unwrap();
    for p in &paths {
        assert!(!p.tokens.is_empty() && p.tokens.len() <= 8);
        assert!(p.logprobs.iter().all(|l| l.is_finite() && *l <= 0.0), "{:?}", p.logprobs);
        // Teacher-forced full recomputation at batch 1, no shared cache.
        let mut cache = m.new_cache(1, prompt.len() + 8).unwrap();
        let mut seq = prompt.clone();
        let mut logits = m.forward(&Tensor::new(seq.as_slice(), m.device()).unwrap().unsqueeze(0).unwrap(), &mut cache).unwrap();
        for (k, &t) in p.tokens.iter().enumerate() {
            let row: Vec<f32> = logits.squeeze(0).unwrap().to_vec1().unwrap();
            let lp = pathconf::sampling::log_softmax_row(&row)[t as usize];
            assert!((lp - p.logprobs[k]).abs() < 1e-4, "token {k}: {lp} vs {}", p.logprobs[k]);
            seq.push(t);
            logits = m.forward(&Tensor::new(&[[t]], m.device()).unwrap(), &mut cache).unwrap();
        }
    }
    // Same seed, same paths.
    let again = sample_paths(m, tok, &prompt, 3, &cfg, &mut ChaCha8Rng::seed_from_u64(1), &mut |_| {}).unwrap();
    assert_eq!(paths, again);
}
