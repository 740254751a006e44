//! The tiny transformer: shapes and causal masking (candle, training's
//! forward pass), the portable inference pass against it, save/load, the
//! committed model, a short training run, sampler determinism, and sampled
//! path frequencies against the enumerated distribution.

mod common;

use candle_core::Tensor;
use pathconf::generation::GenerationConfig;
use pathconf::progress::Quiet;
use pathconf::tiny::task::{extract_answer, PATH_LEN, PROMPT_LEN, VOCAB};
use pathconf::tiny::{enumerate_paths, sample_paths, train, ModelConfig, PortableModel, Question, TinyModel, TrainConfig};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{ChiSquared, ContinuousCDF};
use std::collections::HashMap;
use std::sync::OnceLock;

fn logits3(model: &TinyModel, ids: &[Vec<u32>]) -> Vec<Vec<Vec<f32>>> {
    let t = ids[0].len();
    let flat: Vec<u32> = ids.iter().flatten().copied().collect();
    model.forward(&Tensor::from_vec(flat, (ids.len(), t), model.device()).unwrap()).unwrap().to_vec3().unwrap()
}

fn random_model(seed: u64) -> TinyModel {
    TinyModel::init(&ModelConfig::default(), &mut ChaCha8Rng::seed_from_u64(seed)).unwrap()
}

/// A model trained briefly (150 steps, ≈ 15 s), shared by the tests below:
/// candle's and the portable copy, and the loss curve.
fn smoke() -> &'static (TinyModel, PortableModel, Vec<f64>) {
    static MODEL: OnceLock<(TinyModel, PortableModel, Vec<f64>)> = OnceLock::new();
    MODEL.get_or_init(|| {
        let cfg = TrainConfig { steps: 150, warmup: 20, ..TrainConfig::default() };
        let (m, curve) = train(&ModelConfig::default(), &cfg, &mut ChaCha8Rng::seed_from_u64(7), &Quiet).unwrap();
        let p = PortableModel::new(&m).unwrap();
        (m, p, curve.iter().map(|p| p.loss).collect())
    })
}

/// Log-softmax rows (f64) of candle's logits at every position of `seq`.
fn candle_log_probs(m: &TinyModel, seq: &[u32]) -> Vec<Vec<f64>> {
    logits3(m, &[seq.to_vec()])[0]
        .iter()
        .map(|row| {
            let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
            let lse = max + row.iter().map(|&x| (x as f64 - max).exp()).sum::<f64>().ln();
            row.iter().map(|&x| x as f64 - lse).collect()
        })
        .collect()
}

#[test]
fn forward_shapes_and_causal_mask() {
    let m = random_model(1);
    let mut a: Vec<u32> = Question::new(3, 5, 7).prompt().to_vec();
    a.extend([3, 10, 5, 11, 0, 8]);
    let two = logits3(&m, &[a.clone(), a.clone()]);
    assert_eq!((two.len(), two[0].len(), two[0][0].len()), (2, a.len(), VOCAB));
    // Same batch shape below: a different batch size may round differently.
    let la = logits3(&m, &[a.clone()]);
    // Changing token k never changes logits at positions < k.
    for k in 1..a.len() {
        let mut b = a.clone();
        b[k] = (b[k] + 1) % VOCAB as u32;
        let lb = logits3(&m, &[b]);
        for t in 0..k {
            assert_eq!(la[0][t], lb[0][t], "position {t} changed when token {k} changed");
        }
        assert_ne!(la[0][k], lb[0][k], "token {k} does not reach its own position");
    }
}

#[test]
fn portable_inference_equals_candles_forward_pass() {
    // The same computation in another order: log-probabilities within 1e-5
    // at every position, for random models and a trained one.
    let mut seq: Vec<u32> = Question::new(9, 4, 8).prompt().to_vec();
    seq.extend([9, 10, 4, 11, 1, 3, 10, 8, 11, 2, 1, 13]);
    let trained = &smoke().0;
    for m in [&random_model(2), &random_model(3), trained] {
        let p = PortableModel::new(m).unwrap();
        let full = candle_log_probs(m, &seq);
        let mut cache = p.cache();
        let mut got = vec![p.prefill(&seq[..PROMPT_LEN], &mut cache).unwrap()];
        got.extend(seq[PROMPT_LEN..seq.len() - 1].iter().map(|&t| p.push(t, &mut cache).unwrap()));
        assert_eq!(cache.len(), seq.len() - 1);
        for (k, (a, b)) in full[PROMPT_LEN - 1..].iter().zip(&got).enumerate() {
            for (x, y) in a.iter().zip(b) {
                assert!((x - y).abs() <= 1e-5, "position {}: candle {x} vs portable {y}", PROMPT_LEN - 1 + k);
            }
        }
    }
    // Out of range: a clear error, not a panic.
    let p = PortableModel::new(trained).unwrap();
    assert!(p.push(99, &mut p.cache()).unwrap_err().to_string().contains("token 99"));
    assert!(p.prefill(&[], &mut p.cache()).is_err());
}

#[test]
fn the_portable_model_does_not_depend_on_the_company_of_a_sequence() {
    // Each position is computed alone: a sequence's rows are the same bits
    // stepped fresh, after a cut-back cache, or from a cloned cache — what
    // the enumeration (cutting back) and `serve` (batching) rely on.
    let m = &smoke().1;
    let prompt = Question::new(4, 7, 9).prompt();
    let tail = [2u32, 10, 0, 11, 2, 0];
    let mut fresh = m.cache();
    let mut rows = vec![m.prefill(&prompt, &mut fresh).unwrap()];
    rows.extend(tail.iter().map(|&t| m.push(t, &mut fresh).unwrap()));
    let mut cache = m.cache();
    m.prefill(&prompt, &mut cache).unwrap();
    for t in [5u32, 10, 3] {
        m.push(t, &mut cache).unwrap();
    }
    m.truncate(&mut cache, prompt.len());
    let mut clone = cache.clone();
    for (k, &t) in tail.iter().enumerate() {
        assert_eq!(m.push(t, &mut cache).unwrap(), rows[k + 1], "cut-back cache, step {k}");
        assert_eq!(m.push(t, &mut clone).unwrap(), rows[k + 1], "cloned cache, step {k}");
    }
}

#[test]
fn the_committed_model_is_the_default_settings_model() {
    let c = pathconf::tiny::store::committed().unwrap();
    assert_eq!(pathconf::tiny::store::committed_settings().unwrap(), (ModelConfig::default(), TrainConfig::default()));
    assert_eq!(c.curve.len(), TrainConfig::default().steps);
    let tail = c.mean_loss_of_last(100);
    assert!(tail < 0.5, "the committed model's loss {tail}");
    // `ensure_model` at the default settings is the committed model.
    let e = pathconf::tiny::store::ensure_model(None, &ModelConfig::default(), &TrainConfig::default(), &Quiet).unwrap();
    assert_eq!(e.dir, c.dir);
    assert!(!e.trained);
}

#[test]
fn save_and_load_round_trip_is_bit_identical() {
    let m = random_model(3);
    let dir = tempfile::tempdir().unwrap();
    m.save(dir.path()).unwrap();
    let back = TinyModel::load(dir.path()).unwrap();
    assert_eq!(m.config, back.config);
    let (pa, pb) = (m.parameters().unwrap(), back.parameters().unwrap());
    assert_eq!(pa.len(), pb.len());
    for ((na, va), (nb, vb)) in pa.iter().zip(&pb) {
        assert_eq!(na, nb);
        assert!(va.iter().zip(vb).all(|(x, y)| x.to_bits() == y.to_bits()), "{na} differs");
    }
    let ids = vec![Question::new(1, 2, 3).prompt().to_vec()];
    assert_eq!(logits3(&m, &ids), logits3(&back, &ids));
}

#[test]
fn init_is_deterministic_for_a_seed() {
    assert_eq!(random_model(4).parameters().unwrap(), random_model(4).parameters().unwrap());
    assert_ne!(random_model(4).parameters().unwrap(), random_model(5).parameters().unwrap());
}

#[test]
fn smoke_training_lowers_the_loss() {
    let (_, _, losses) = smoke();
    let first = losses[..10].iter().sum::<f64>() / 10.0;
    let last = losses[losses.len() - 10..].iter().sum::<f64>() / 10.0;
    // A uniform guess over 14 tokens costs ln 14 ≈ 2.64 nats; 150 steps must
    // at least learn the format (`+`, `=`, EOS are certain): well below 1.5.
    assert!(first > 2.0, "first losses {first}");
    assert!(last < 1.5 && last < 0.6 * first, "loss {first} → {last}");
}

#[test]
fn sampler_is_deterministic_for_a_seed() {
    let m = &smoke().1;
    let q = Question::new(4, 5, 6);
    let cfg = GenerationConfig { top_p: 0.9, temperature: 0.8, batch: 7, ..GenerationConfig::tiny() };
    let a = sample_paths(m, &q, 20, &cfg, &mut ChaCha8Rng::seed_from_u64(11)).unwrap();
    let b = sample_paths(m, &q, 20, &cfg, &mut ChaCha8Rng::seed_from_u64(11)).unwrap();
    let c = sample_paths(m, &q, 20, &cfg, &mut ChaCha8Rng::seed_from_u64(12)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.iter().map(|p| &p.tokens).collect::<Vec<_>>(), c.iter().map(|p| &p.tokens).collect::<Vec<_>>());
    for p in &a {
        assert!(p.logprobs.iter().all(|l| l.is_finite() && *l <= 0.0));
        assert_eq!(p.answer_or_invalid(), extract_answer(&p.tokens));
        assert_eq!(p.finished, p.tokens.last() == Some(&pathconf::tiny::task::EOS), "finished means the path ended with EOS");
        assert!(p.tokens.len() <= cfg.max_new_tokens);
    }
}

#[test]
fn sampled_path_frequencies_match_the_enumerated_probabilities() {
    // Pearson chi-square over the enumerated paths with expected count ≥ 5,
    // plus one bin for everything else (probability exactly 1 − their sum, so
    // the test is valid whatever the floor covers). Rejects at α = 1e-3: the
    // false-failure rate of this fixed-seed test is 1e-3.
    let m = &smoke().1;
    let q = Question::new(2, 7, 4);
    let n = 6000;
    let e = enumerate_paths(m, &q, 1e-4, PATH_LEN + 2).unwrap();
    let cfg = GenerationConfig { max_new_tokens: PATH_LEN + 2, ..GenerationConfig::tiny() };
    let paths = sample_paths(m, &q, n, &cfg, &mut ChaCha8Rng::seed_from_u64(2025)).unwrap();
    let mut counts: HashMap<&[u32], usize> = HashMap::new();
    for p in &paths {
        *counts.entry(p.tokens.as_slice()).or_default() += 1;
    }
    let mut chi2 = 0.0;
    let mut bins = 0;
    let (mut other_p, mut other_obs) = (1.0, n as f64);
    for p in &e.paths {
        let prob = p.logprob.exp();
        let expected = prob * n as f64;
        if expected < 5.0 {
            continue;
        }
        let obs = *counts.get(p.tokens.as_slice()).unwrap_or(&0) as f64;
        chi2 += (obs - expected).powi(2) / expected;
        bins += 1;
        other_p -= prob;
        other_obs -= obs;
    }
    assert!(bins >= 5, "only {bins} bins: the test would be weak");
    let other_exp = other_p * n as f64;
    assert!(other_exp >= 5.0 || other_obs <= 5.0);
    if other_exp >= 5.0 {
        chi2 += (other_obs - other_exp).powi(2) / other_exp;
        bins += 1;
    }
    let crit = ChiSquared::new((bins - 1) as f64).unwrap().inverse_cdf(1.0 - 1e-3);
    assert!(chi2 < crit, "chi-square {chi2:.1} ≥ {crit:.1} with {} df", bins - 1);
}

#[test]
fn enumeration_is_a_distribution_with_the_model_probabilities() {
    // The enumerated log-probability of a path equals the model's own
    // teacher-forced log-probability of it (full forward pass).
    let (m, p, _) = smoke();
    let q = Question::new(1, 8, 0);
    let e = enumerate_paths(p, &q, 1e-3, PATH_LEN + 2).unwrap();
    assert!(e.covered_mass > 0.0 && e.covered_mass <= 1.0 + 1e-9);
    for p in e.paths.iter().take(5) {
        let mut seq = q.prompt().to_vec();
        seq.extend(&p.tokens);
        let l = candle_log_probs(m, &seq);
        let lp: f64 = p.tokens.iter().enumerate().map(|(k, &tok)| l[PROMPT_LEN - 1 + k][tok as usize]).sum();
        assert!((lp - p.logprob).abs() < 1e-4, "{lp} vs {}", p.logprob);
    }
    let exact = e.distribution().unwrap();
    assert_eq!(exact.index.len(), e.paths.len());
}

#[test]
fn cli_training_and_sampling_do_not_depend_on_the_thread_count() {
    // candle's CPU kernels take their thread count from RAYON_NUM_THREADS;
    // train a short model and sample with 1 and 2 threads: identical bytes.
    let exe = env!("CARGO_BIN_EXE_pathconf");
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("paths.jsonl");
        let status = std::process::Command::new(exe)
            .env("RAYON_NUM_THREADS", threads)
            .args(["tiny", "sample", "--steps", "30", "--questions", "4+5+6,9+9+9", "--n", "50", "--seed", "3"])
            .arg("--model-dir")
            .arg(dir.path().join("model"))
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
        outputs.push((std::fs::read(&out).unwrap(), std::fs::read(dir.path().join("model/model.safetensors")).unwrap()));
    }
    assert!(outputs[0].0 == outputs[1].0, "sampled JSONL differs between 1 and 2 threads");
    assert!(outputs[0].1 == outputs[1].1, "trained weights differ between 1 and 2 threads");
    // The output is pathconf JSONL that `pathconf eval` reads.
    let text = String::from_utf8(outputs[0].0.clone()).unwrap();
    let ds = pathconf::eval::formats::read_jsonl(&text, std::path::Path::new("paths.jsonl"), None).unwrap();
    assert_eq!(ds.questions.len(), 2);
    assert!(ds.questions.iter().all(|q| q.paths.len() == 50));
}
