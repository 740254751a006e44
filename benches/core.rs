//! Criterion benchmarks. Data are built outside the timed closures, seeds are fixed.
//!
//! - `simulate/sc_pc_1000_paths_n64`: Monte Carlo throughput (elements = sampled paths).
//! - `exact_pc/10k_distinct_n64`: exact PC terms for one answer with 10⁴ distinct probabilities.
//! - `theory_terms/1M_paths`: `theory`'s exact terms table at n = 64 for a spec of 10⁶ distinct
//!   paths (10 answers × 10⁵; issue #36: < 100 ms beyond reading the spec), PPL summarised per
//!   answer (the default) and with a row per path (`--per-path`, building 10⁶ rows).
//! - `eval/300x128`: `eval` end to end (parse + SC, or + RPC) on a synthetic 300 × 128 file.
//! - `aggregators/300x128`: each of the field's aggregators on a loaded 300 × 128 file (issue #18: < 50 ms).
//! - `plan/1318x40`: `plan` (issue #35: < 5 s) on a synthetic 1,318 × 40 file, pilot 8, SC at every
//!   n ≤ 64, `esc:5:40` and `asc-beta:0.95:64`, 400 draws; parsing apart (`parse`).
//! - `weibull_fits/100x128`: RPC's 100 Weibull-mixture fits of a synthetic 100 × 128 file on a
//!   rayon pool of 1 and of 2 threads (the fits share nothing, so they scale with cores).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pathconf::api::theory::terms;
use pathconf::eval::equivalence::AnswerEquality;
use pathconf::eval::formats::read;
use pathconf::eval::methods::Method;
use pathconf::eval::protocol::{evaluate, EvalConfig};
use pathconf::eval::stopping::PathOrder;
use pathconf::montecarlo::{simulate, SimConfig};
use pathconf::progress::Quiet;
use pathconf::theory::pc::pc_moments;
use pathconf::PathDistribution;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

fn simulate_bench(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let w: Vec<f64> = (0..1000).map(|_| rng.random::<f64>().powi(3)).collect();
    let groups: Vec<(String, Vec<f64>)> = w.chunks(334).enumerate().map(|(i, c)| (format!("a{i}"), c.to_vec())).collect();
    let d = PathDistribution::from_weights(&groups, Some("a0")).unwrap();
    let cfg = SimConfig { n: 64, trials: 200_000, seed: 3, tau: 0.0, track_paths: false };
    let mut g = c.benchmark_group("simulate");
    g.throughput(Throughput::Elements(cfg.trials * cfg.n));
    g.sample_size(10);
    g.bench_function("sc_pc_1000_paths_n64", |b| b.iter(|| simulate(&d, &cfg, &Quiet)));
    g.finish();
}

fn exact_pc_bench(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let w: Vec<f64> = (0..10_000).map(|_| rng.random::<f64>() + 1e-9).collect();
    let s: f64 = w.iter().sum::<f64>() / 0.6; // the answer holds 60% of the mass
    let probs: Vec<f64> = w.iter().map(|x| x / s).collect();
    let mut g = c.benchmark_group("exact_pc");
    for n in [64u64, 4096] {
        g.bench_with_input(BenchmarkId::new("10k_distinct", n), &n, |b, &n| b.iter(|| pc_moments(&probs, n)));
    }
    g.finish();
}

fn theory_terms_bench(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let groups: Vec<(String, Vec<f64>)> = (0..10).map(|a| (format!("A{a}"), (0..100_000).map(|_| rng.random::<f64>() + 1e-9).collect())).collect();
    let d = PathDistribution::from_weights(&groups, Some("A0")).unwrap();
    let mut g = c.benchmark_group("theory_terms");
    g.sample_size(10);
    g.throughput(Throughput::Elements(d.paths().len() as u64));
    for (name, per_path) in [("per_answer", false), ("per_path", true)] {
        g.bench_function(BenchmarkId::new("1M_paths_n64", name), |b| b.iter(|| terms(&d, &[64], None, None, per_path).unwrap()));
    }
    g.finish();
}

fn eval_bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bench.json");
    std::fs::write(&file, pathconf::eval::synthetic::rpc_columns(300, 128, 1000, &mut ChaCha8Rng::seed_from_u64(0))).unwrap();
    let mut g = c.benchmark_group("eval");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    // End to end: read the file (page cache) and evaluate.
    for (name, methods) in [("sc", vec![Method::Sc]), ("rpc", vec![Method::Rpc]), ("all", vec![Method::Sc, Method::Ppl, Method::Pc, Method::Rpc])] {
        let cfg = EvalConfig { methods, ..EvalConfig::default() };
        g.bench_function(BenchmarkId::new("300x128", name), |b| {
            b.iter(|| {
                let ds = read(&file, None, None).unwrap();
                evaluate(&ds, &cfg, &Quiet).unwrap()
            })
        });
    }
    // The two halves separately: parsing, and SC on a loaded file.
    g.bench_function(BenchmarkId::new("300x128", "parse"), |b| b.iter(|| read(&file, None, None).unwrap()));
    let ds = read(&file, None, None).unwrap();
    let cfg = EvalConfig { methods: vec![Method::Sc], ..EvalConfig::default() };
    g.bench_function(BenchmarkId::new("300x128", "sc_compute"), |b| b.iter(|| evaluate(&ds, &cfg, &Quiet).unwrap()));
    // Issue #17's target: replaying stopping rules on 300 × 128 paths in under
    // 100 ms of compute (file order; parsing excluded; the fixed budgets of the
    // samples-saved table are computed too).
    use pathconf::eval::stopping::{evaluate_stopping, StopConfig};
    let rules =
        ["esc:5:40", "asc-beta:0.95:64", "asc-dirichlet:0.95", "asc-majority:0.8", "asc-entropy:0.75", "pc-gt:64"].iter().map(|r| r.parse().unwrap()).collect();
    let stop = StopConfig { rules, order: PathOrder::File, repeats: 1, seed: 0, invalid: None, per_question: false };
    let equal = AnswerEquality::default();
    g.bench_function(BenchmarkId::new("300x128", "stop_six_rules"), |b| b.iter(|| evaluate_stopping(&ds, &stop, &equal, &Quiet).unwrap()));
    g.finish();
}

fn weibull_fits_bench(c: &mut Criterion) {
    use rayon::prelude::*;
    let text = pathconf::eval::synthetic::rpc_columns(100, 128, 10, &mut ChaCha8Rng::seed_from_u64(0));
    let columns: serde_json::Value = serde_json::from_str(&text).unwrap();
    let data: Vec<Vec<f64>> =
        columns["mean_logprob"].as_array().unwrap().iter().map(|q| q.as_array().unwrap().iter().map(|v| v.as_f64().unwrap().exp()).collect()).collect();
    let mut g = c.benchmark_group("weibull_fits");
    g.sample_size(20);
    g.throughput(Throughput::Elements(data.len() as u64));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        g.bench_with_input(BenchmarkId::new("100x128_threads", threads), &threads, |b, _| {
            b.iter(|| pool.install(|| data.par_iter().map(|q| pathconf::weibull::fit(q).unwrap().neg_log_likelihood).sum::<f64>()))
        });
    }
    g.finish();
}

/// Issue #16's target: SC's exact accuracy for 50 answers at every n ≤ 1024
/// in under 1 s. Three answer distributions: the correct answer at 0.4 with a
/// Zipf tail of 49 wrong answers (LLM-like), Zipf over all 50 with the second
/// most likely answer correct, and the uniform worst case (every answer a
/// competitor at every count).
fn exact_accuracy_bench(c: &mut Criterion) {
    use pathconf::accuracy::sc::{sc_accuracy, sc_curve};
    let zipf = |m: usize| -> Vec<f64> {
        let w: Vec<f64> = (1..=m).map(|i| 1.0 / i as f64).collect();
        let s: f64 = w.iter().sum();
        w.iter().map(|x| x / s).collect()
    };
    let mut llm = vec![0.4];
    llm.extend(zipf(49).iter().map(|x| 0.6 * x));
    let cases = [("llm_like", llm, 0usize), ("zipf_second", zipf(50), 1), ("uniform", vec![0.02; 50], 0)];
    let mut g = c.benchmark_group("sc_exact_50_answers_n1_to_1024");
    g.sample_size(10);
    for (name, masses, y) in &cases {
        g.bench_function(BenchmarkId::new("accuracy", name), |b| b.iter(|| sc_accuracy(masses, Some(*y), 1024)));
        g.bench_function(BenchmarkId::new("accuracy_and_confidence", name), |b| b.iter(|| sc_curve(masses, Some(*y), 1024)));
    }
    g.finish();
}

/// Issue #17's exact-cost target with 10 answers: ESC for any masses (its own
/// programme); the Beta rule by the count programme where equal masses lump
/// (a correct answer and nine equal wrong ones; 4 distinct masses at a cap
/// of 64) and by the partition programme for 10 distinct masses (Zipf), with
/// the Dirichlet and entropy rules on the same masses.
fn stopping_exact_bench(c: &mut Criterion) {
    use pathconf::stopping::exact::exact_cost;
    use pathconf::stopping::StopRule;
    let zipf: Vec<f64> = {
        let w: Vec<f64> = (1..=10).map(|i| 1.0 / i as f64).collect();
        let s: f64 = w.iter().sum();
        w.iter().map(|x| x / s).collect()
    };
    let mut lumped = vec![0.4];
    lumped.extend([0.6 / 9.0; 9]);
    let mut g = c.benchmark_group("stopping_exact");
    g.sample_size(10);
    let cases: [(&str, &str, Vec<f64>); 8] = [
        ("esc:5:40", "zipf10", zipf.clone()),
        ("esc:5:40:majority", "zipf10", zipf.clone()),
        ("asc-beta:0.95:40", "0.4+9_equal", lumped.clone()),
        ("asc-dirichlet:0.95:40", "0.4+9_equal", lumped),
        ("asc-beta:0.95:64", "4_distinct", vec![0.4, 0.3, 0.2, 0.1]),
        ("asc-beta:0.95:64", "zipf10", zipf.clone()),
        ("asc-dirichlet:0.95:40", "zipf10", zipf.clone()),
        ("asc-entropy:0.75:64", "zipf10", zipf.clone()),
    ];
    for (rule, name, masses) in &cases {
        let r: StopRule = rule.parse().unwrap();
        assert!(exact_cost(&r, masses, Some(0)).is_some(), "{rule} {name} must be exact");
        g.bench_function(BenchmarkId::new(*rule, name), |b| b.iter(|| exact_cost(&r, masses, Some(0))));
    }
    g.finish();
}

/// Issue #18's target: every aggregator on 300 questions × 128 paths in under
/// 50 ms of compute (parsing excluded). The synthetic file gets seeded
/// signals: 32 token confidences and a self-certainty per path.
fn aggregators_bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bench.json");
    std::fs::write(&file, pathconf::eval::synthetic::rpc_columns(300, 128, 1000, &mut ChaCha8Rng::seed_from_u64(0))).unwrap();
    let mut ds = read(&file, None, None).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for q in &mut ds.questions {
        for p in &mut q.paths {
            p.signals.token_confidence = Some((0..32).map(|_| rng.random_range(0.5f32..15.0)).collect());
            p.signals.self_certainty = Some(rng.random_range(1.0..20.0));
        }
    }
    let mut g = c.benchmark_group("aggregators");
    g.sample_size(20);
    for m in ["cisc:0.1", "cisc-linear:10", "cisc-tie", "deepconf:mean:100", "deepconf:lowest:10", "deepconf:bottom10:90", "self-certainty-borda:0.5"] {
        let cfg = EvalConfig { methods: vec![Method::parse(m, None).unwrap()], ..EvalConfig::default() };
        g.bench_function(BenchmarkId::new("300x128", m), |b| b.iter(|| evaluate(&ds, &cfg, &Quiet).unwrap()));
    }
    g.finish();
}

fn plan_bench(c: &mut Criterion) {
    use pathconf::api::plan::{plan, PlanOptions};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.json");
    std::fs::write(&file, pathconf::eval::synthetic::rpc_columns(1318, 40, 200, &mut ChaCha8Rng::seed_from_u64(0))).unwrap();
    let ds = read(&file, None, None).unwrap();
    let opts = PlanOptions {
        pilot: Some(8),
        n: vec![1, 2, 4, 8, 16, 32, 64],
        stop: vec!["esc:5:40".parse().unwrap(), "asc-beta:0.95:64".parse().unwrap()],
        ..PlanOptions::default()
    };
    let mut g = c.benchmark_group("plan");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(30));
    g.bench_function(BenchmarkId::new("1318x40", "parse"), |b| b.iter(|| read(&file, None, None).unwrap()));
    g.bench_function(BenchmarkId::new("1318x40", "plan"), |b| b.iter(|| plan(&ds, &opts, &Quiet).unwrap()));
    g.finish();
}

criterion_group!(
    benches,
    plan_bench,
    simulate_bench,
    exact_pc_bench,
    theory_terms_bench,
    eval_bench,
    weibull_fits_bench,
    exact_accuracy_bench,
    stopping_exact_bench,
    aggregators_bench
);
criterion_main!(benches);
