//! Faithfulness to the reference implementation (github WNJXYK/RPC) on
//! `tests/data/golden/fixture.json`, whose outputs the authors' own evaluators
//! produced (`tests/data/golden/fixture.reference.json`, plain string equality,
//! all 32 paths per question). SC and PPL must match to 1e-9; RPC's fit must
//! be at least as good as the reference's, pruning must match wherever the
//! two fits agree, and the aggregates must be close.

use pathconf::eval::equivalence::{AnswerEquality, Equivalence};
use pathconf::eval::formats::read_rpc_json;
use pathconf::eval::methods::{Method, Outcome, ProbMode};
use pathconf::eval::metrics::{average, maximum};
use pathconf::eval::protocol::outcomes_full;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use std::path::PathBuf;

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden").join(name)
}

struct Fixture {
    reference: Value,
    outcomes: Vec<Vec<Outcome>>,
}

fn evaluate(text: &str, file: &std::path::Path, reference: &std::path::Path) -> Fixture {
    let ds = read_rpc_json(text, file).unwrap();
    let reference: Value = serde_json::from_str(&std::fs::read_to_string(reference).unwrap()).unwrap();
    let equal = AnswerEquality { mode: Equivalence::Exact, ..Default::default() };
    let outcomes = outcomes_full(&ds, &[Method::Sc, Method::Ppl, Method::Rpc], ProbMode::Mean, &equal, None).unwrap();
    Fixture { reference, outcomes }
}

fn load() -> Fixture {
    let file = golden("fixture.json");
    let text = std::fs::read_to_string(&file).expect("tests/data/golden/fixture.json is committed");
    evaluate(&text, &file, &golden("fixture.reference.json"))
}

/// The 300 × 128 benchmark file (`cargo run --release --example bench_data
/// -- FILE`, seed 0) and the reference's RPC outputs on it
/// (`tests/data/README.md` says how they were made).
fn load_benchmark() -> Fixture {
    let text = pathconf::eval::synthetic::rpc_columns(300, 128, 1000, &mut ChaCha8Rng::seed_from_u64(0));
    let reference = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/bench_300x128.reference.json");
    evaluate(&text, std::path::Path::new("bench_300x128.json"), &reference)
}

fn assert_rows(ours: &Outcome, reference: &Value, what: &str) {
    let rows = reference.as_array().unwrap();
    assert_eq!(ours.rows.len(), rows.len(), "{what}: row count");
    for (k, (o, r)) in ours.rows.iter().zip(rows).enumerate() {
        assert_eq!(o.answer, r[0].as_str().unwrap(), "{what} row {k}: answer");
        let c = r[1].as_f64().unwrap();
        assert!((o.confidence - c).abs() <= 1e-9, "{what} row {k}: confidence {} vs {c}", o.confidence);
        assert_eq!(o.correct, r[2].as_bool().unwrap(), "{what} row {k}: correctness");
    }
}

fn aggregate(outs: &[&Outcome]) -> [f64; 7] {
    let rows: Vec<Vec<(f64, bool)>> = outs.iter().map(|o| o.rows.iter().map(|r| (r.confidence, r.correct)).collect()).collect();
    let (mx, av) = (maximum(&rows), average(&rows));
    let acc = 100.0 * outs.iter().map(|o| o.credit).sum::<f64>() / outs.len() as f64;
    [acc, mx.ece, mx.brier, mx.nll, av.ece, av.brier, av.nll]
}

const AGG_KEYS: [&str; 7] = ["accuracy_pct", "ece_max", "brier_max", "nll_max", "ece_avg", "brier_avg", "nll_avg"];

#[test]
fn sc_and_ppl_match_the_reference_exactly() {
    let f = load();
    for (i, outs) in f.outcomes.iter().enumerate() {
        let refq = &f.reference["per_problem"][i];
        for (m, name) in [(0, "SC"), (1, "PPL")] {
            let credit = refq[name]["credit"].as_f64().unwrap();
            assert!((outs[m].credit - credit).abs() <= 1e-9, "question {i} {name}: credit {} vs {credit}", outs[m].credit);
            assert_rows(&outs[m], &refq[name]["answers"], &format!("question {i} {name}"));
        }
    }
    for (m, name) in [(0, "SC"), (1, "PPL")] {
        let ours = aggregate(&f.outcomes.iter().map(|o| &o[m]).collect::<Vec<_>>());
        for (v, key) in ours.iter().zip(AGG_KEYS) {
            let r = f.reference["aggregate"][name][key].as_f64().unwrap();
            assert!((v - r).abs() <= 1e-9, "{name} {key}: {v} vs {r}");
        }
    }
}

#[test]
fn rpc_fit_is_no_worse_and_pruning_matches_where_fits_agree() {
    check_rpc(&load(), "golden", 50);
}

#[test]
fn rpc_on_the_300x128_benchmark_matches_the_reference() {
    check_rpc(&load_benchmark(), "benchmark 300x128", 250);
}

/// Every fit's NLL no worse than the reference's by more than 1e-9
/// relative; pruning (and so the question's RPC rows) equal wherever the two
/// fits agree to 1e-6, which must be at least `min_agreeing` questions;
/// aggregate accuracy equal and ECE within 0.001.
fn check_rpc(f: &Fixture, name: &str, min_agreeing: usize) {
    let (mut agreeing, mut better, mut worst_rel) = (0, 0, f64::NEG_INFINITY);
    for (i, outs) in f.outcomes.iter().enumerate() {
        let wf = &f.reference["per_problem"][i]["weibull_fit"];
        let ref_nll = wf["neg_log_likelihood"].as_f64().unwrap();
        let fit = outs[2].fit.expect("every fixture question has enough distinct paths to fit");
        let rel = (fit.neg_log_likelihood - ref_nll) / ref_nll.abs().max(1.0);
        worst_rel = worst_rel.max(rel);
        assert!(rel <= 1e-9, "{name} question {i}: NLL {} worse than reference {ref_nll} ({rel:e} relative)", fit.neg_log_likelihood);
        if (fit.neg_log_likelihood - ref_nll).abs() <= 1e-6 {
            agreeing += 1;
            let refp: Vec<usize> = wf["pruned"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
            assert_eq!(outs[2].pruned.as_ref().unwrap(), &refp, "{name} question {i}: pruning differs although the fits agree");
            let credit = f.reference["per_problem"][i]["RPC"]["credit"].as_f64().unwrap();
            assert!((outs[2].credit - credit).abs() <= 1e-9, "question {i}: RPC credit");
            assert_rows(&outs[2], &f.reference["per_problem"][i]["RPC"]["answers"], &format!("question {i} RPC"));
        } else {
            better += 1;
        }
    }
    println!("{name} RPC fits: {agreeing} agree with the reference to 1e-6, {better} better; worst relative NLL excess {worst_rel:e}");
    // The comparison above must not be vacuous.
    assert!(agreeing >= min_agreeing, "{name}: only {agreeing} of {} fits agree with the reference", f.outcomes.len());
    let ours = aggregate(&f.outcomes.iter().map(|o| &o[2]).collect::<Vec<_>>());
    let r = &f.reference["aggregate"]["RPC"];
    assert!((ours[0] - r["accuracy_pct"].as_f64().unwrap()).abs() <= 1e-9, "RPC accuracy {} vs {}", ours[0], r["accuracy_pct"]);
    assert!((ours[1] - r["ece_max"].as_f64().unwrap()).abs() <= 1e-3, "RPC ECE {} vs {}", ours[1], r["ece_max"]);
}

/// RPC's fits made from the file's tail before the file is read
/// (`eval::prefit`): one for every question, each equal to the fit of the
/// question's probabilities as read, and the evaluation is the same with
/// them as without.
#[test]
fn fits_made_before_reading_equal_fits_after() {
    use pathconf::eval::protocol::{evaluate, evaluate_with_fits, EvalConfig};
    let file = golden("fixture.json");
    let memo = pathconf::eval::prefit::fits(&file);
    let ds = pathconf::eval::formats::read(&file, None, None).unwrap();
    for (i, q) in ds.questions.iter().enumerate() {
        let probs: Vec<f64> = q.paths.iter().map(|p| p.mean_logprob.unwrap().exp()).collect();
        let stored = memo.stored(&probs).unwrap_or_else(|| panic!("question {i}: no fit was made ahead"));
        assert_eq!(stored, &pathconf::weibull::fit(&probs), "question {i}");
    }
    let equal = AnswerEquality { mode: Equivalence::Exact, ..Default::default() };
    let cfg = EvalConfig { methods: vec![Method::Rpc, Method::Pc], equal, ..EvalConfig::default() };
    let quiet = pathconf::progress::Quiet;
    let (plain, ahead) = (evaluate(&ds, &cfg, &quiet).unwrap(), evaluate_with_fits(&ds, &cfg, &quiet, &memo).unwrap());
    assert_eq!(serde_json::to_value(&plain).unwrap(), serde_json::to_value(&ahead).unwrap());
}
