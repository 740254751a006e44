//! The field's aggregators (CISC, DeepConf, self-certainty Borda) as `eval`
//! methods: each checked against its definition computed by hand in the
//! test on small files, the signal readers (top-k lists, OpenAI
//! `top_logprobs`) and their errors, the limits CISC must reach (T = ∞ and
//! linear slope 0 are SC), and the CLI's usage errors. All deterministic.

use pathconf::eval::equivalence::AnswerEquality;
use pathconf::eval::formats::read;
use pathconf::eval::methods::{Method, Outcome, ProbMode};
use pathconf::eval::protocol::{evaluate, outcomes_full, EvalConfig};
use pathconf::eval::ReadError;
use pathconf::invalid::InvalidPolicy;
use pathconf::progress::Quiet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Answers, mean log-probs, token confidences, self-certainty, P(True).
const PATHS: [(&str, f64, &[f64], f64, f64); 6] = [
    ("7", -0.10, &[5.0, 6.0, 1.0, 6.0], 9.0, 0.9),
    ("7", -0.60, &[2.0, 2.0, 2.0], 4.0, 0.4),
    ("9", -0.05, &[6.0, 6.0, 6.0, 6.0, 6.0], 8.0, 0.7),
    ("9", -0.20, &[4.0, 1.0], 3.0, 0.2),
    ("9", -0.90, &[3.0, 3.0], 5.0, 0.3),
    ("5", -0.30, &[1.0, 9.0, 9.0], 7.0, 0.8),
];

fn file(dir: &Path) -> PathBuf {
    let paths: Vec<String> = PATHS
        .iter()
        .enumerate()
        .map(|(j, (a, m, c, s, t))| {
            format!(r#"{{"text": "p{j}", "answer": "{a}", "mean_logprob": {m}, "token_confidence": {c:?}, "self_certainty": {s}, "p_true": {t}}}"#)
        })
        .collect();
    write(dir, "q.jsonl", &format!("{{\"id\": \"q\", \"answer\": \"7\", \"paths\": [{}]}}\n", paths.join(", ")))
}

fn run(dir: &Path, method: &str) -> Outcome {
    let ds = read(&file(dir), None, None).unwrap();
    let m = Method::parse(method, None).unwrap();
    outcomes_full(&ds, &[m], ProbMode::Mean, &AnswerEquality::default(), None).unwrap().remove(0).remove(0)
}

/// The share of each answer ("7", "9", "5") under per-path weights.
fn shares(w: &[f64], keep: &[bool]) -> [f64; 3] {
    let mut s = [0.0; 3];
    for (j, (a, ..)) in PATHS.iter().enumerate() {
        if keep[j] {
            s[["7", "9", "5"].iter().position(|x| x == a).unwrap()] += w[j];
        }
    }
    let t: f64 = s.iter().sum();
    s.map(|x| x / t)
}

fn confidence_of(o: &Outcome, answer: &str) -> f64 {
    o.rows.iter().find(|r| r.answer == answer).map(|r| r.confidence).unwrap_or(0.0)
}

fn check(o: &Outcome, want: [f64; 3], what: &str) {
    for (a, w) in ["7", "9", "5"].iter().zip(want) {
        assert!((confidence_of(o, a) - w).abs() < 1e-12, "{what}: answer {a}: {} vs {w}", confidence_of(o, a));
    }
    let best = want.iter().cloned().fold(f64::MIN, f64::max);
    let credit = if (want[0] - best).abs() < 1e-12 { 1.0 / want.iter().filter(|&&x| (x - best).abs() < 1e-12).count() as f64 } else { 0.0 };
    assert!((o.credit - credit).abs() < 1e-12, "{what}: credit {} vs {credit}", o.credit);
}

#[test]
fn cisc_by_its_definition() {
    let dir = tempfile::tempdir().unwrap();
    let all = [true; 6];
    let c: Vec<f64> = PATHS.iter().map(|p| p.1.exp()).collect();
    for t in [0.01, 0.1, 1.0] {
        let z: f64 = c.iter().map(|x| (x / t).exp()).sum();
        let w: Vec<f64> = c.iter().map(|x| (x / t).exp() / z).collect();
        check(&run(dir.path(), &format!("cisc:{t}")), shares(&w, &all), &format!("cisc:{t}"));
    }
    // T → 0 picks the answer of the most confident path ("9", −0.05): wrong.
    assert_eq!(run(dir.path(), "cisc:0.001").credit, 0.0);
    // Linear: w = T (c − min c) + 1.
    let min = c.iter().cloned().fold(f64::MAX, f64::min);
    let w: Vec<f64> = c.iter().map(|x| 10.0 * (x - min) + 1.0).collect();
    check(&run(dir.path(), "cisc-linear:10"), shares(&w, &all), "cisc-linear:10");
    // P(True) as the signal.
    let pt: Vec<f64> = PATHS.iter().map(|p| p.4).collect();
    let z: f64 = pt.iter().map(|x| (x / 0.1).exp()).sum();
    check(&run(dir.path(), "cisc:0.1:ptrue"), shares(&pt.iter().map(|x| (x / 0.1).exp() / z).collect::<Vec<_>>(), &all), "cisc:0.1:ptrue");
    // Tie: counts 2 ("7"), 3 ("9"), 1 ("5"): "9" wins outright whatever the confidences.
    let tie = run(dir.path(), "cisc-tie");
    assert_eq!(tie.credit, 0.0);
    check(&tie, [2.0 / 6.0, 3.0 / 6.0, 1.0 / 6.0], "cisc-tie shares are SC's");
    // WQD of the response probability: pairs (correct 7, wrong 9/5).
    let w = run(dir.path(), "cisc:1").wqd.unwrap();
    let mut higher = 0;
    for i in [0usize, 1] {
        for j in [2usize, 3, 4, 5] {
            higher += (c[i] > c[j]) as u64;
        }
    }
    assert_eq!((w.pairs(), w.correct_higher, w.tied), (8, higher, 0));
}

#[test]
fn deepconf_by_its_definition() {
    let dir = tempfile::tempdir().unwrap();
    let mean = |c: &[f64]| c.iter().sum::<f64>() / c.len() as f64;
    // W = 2: window means; lowest = min; tail = mean of the last 2.
    let lowest: Vec<f64> = PATHS.iter().map(|p| if p.2.len() <= 2 { mean(p.2) } else { p.2.windows(2).map(mean).fold(f64::MAX, f64::min) }).collect();
    let tail: Vec<f64> = PATHS.iter().map(|p| mean(&p.2[p.2.len().saturating_sub(2)..])).collect();
    let means: Vec<f64> = PATHS.iter().map(|p| mean(p.2)).collect();
    // numpy.percentile(x, 100 − η) with linear interpolation, by hand.
    let pct = |x: &[f64], q: f64| {
        let mut s = x.to_vec();
        s.sort_by(f64::total_cmp);
        let h = q / 100.0 * (s.len() - 1) as f64;
        let lo = h.floor() as usize;
        s[lo] + (h - lo as f64) * (s[(lo + 1).min(s.len() - 1)] - s[lo])
    };
    for (name, score) in [("lowest", &lowest), ("tail", &tail), ("mean", &means)] {
        for eta in [100.0, 50.0, 10.0] {
            let bar = pct(score, 100.0 - eta);
            let keep: Vec<bool> = score.iter().map(|&s| s >= bar).collect();
            let o = run(dir.path(), &format!("deepconf:{name}:{eta}:2"));
            check(&o, shares(score, &keep), &format!("deepconf:{name}:{eta}:2"));
            assert_eq!(o.pruned.as_ref().unwrap().len(), keep.iter().filter(|k| !**k).count());
        }
    }
    // The default window (8) is longer than every path: lowest = tail = mean.
    check(&run(dir.path(), "deepconf:lowest:100"), shares(&means, &[true; 6]), "default window");
}

#[test]
fn self_certainty_borda_by_its_definition() {
    let dir = tempfile::tempdir().unwrap();
    // Self-certainties 9, 4, 8, 3, 5, 7: ranks 0..5 from the top = paths 0, 2, 5, 4, 1, 3.
    let order = [0usize, 2, 5, 4, 1, 3];
    for p in [0.0, 0.5, 1.0, 3.0] {
        let mut w = [0.0; 6];
        for (r, &j) in order.iter().enumerate() {
            w[j] = ((6 - r) as f64).powf(p);
        }
        check(&run(dir.path(), &format!("self-certainty-borda:{p}")), shares(&w, &[true; 6]), &format!("borda {p}"));
    }
    // Without a power: the paper's 0.5.
    assert_eq!(run(dir.path(), "self-certainty-borda").rows, run(dir.path(), "self-certainty-borda:0.5").rows);
}

#[test]
fn cisc_reaches_sc_at_infinite_temperature_on_real_paths() {
    let ds = read(&pathconf::figures::real_llm::data_file(), None, None).unwrap();
    let methods: Vec<Method> = ["sc", "cisc:inf", "cisc-linear:0"].iter().map(|m| Method::parse(m, None).unwrap()).collect();
    // Under one invalid-answer convention for all (CISC's own drops them, SC's votes).
    for invalid in [InvalidPolicy::Vote, InvalidPolicy::Drop] {
        let cfg = EvalConfig { methods: methods.clone(), ks: vec![4, 16], repeats: 3, seed: 5, invalid: Some(invalid), ..EvalConfig::default() };
        let r = evaluate(&ds, &cfg, &Quiet).unwrap();
        for k in [4, 16] {
            let at: Vec<_> = r.results.iter().filter(|x| x.k == Some(k)).collect();
            for other in &at[1..] {
                // Equal counts give bit-equal weight sums: the same choices.
                assert_eq!(other.accuracy, at[0].accuracy, "{} vs SC at K = {k}, {invalid}", other.method);
                // With every path voting, K is a power of two and the vote
                // shares are exact, so even the binned ECE agrees to the bit;
                // dropping leaves K' paths, and a share summed from K' weights
                // 1/K' may sit an ulp from SC's count/K' — across a bin edge.
                if invalid == InvalidPolicy::Vote {
                    assert_eq!(other.ece_max, at[0].ece_max, "{} vs SC at K = {k}", other.method);
                }
            }
        }
        // Every answer's confidence equals SC's vote share to rounding.
        let full = outcomes_full(&ds, &methods, ProbMode::Mean, &AnswerEquality::default(), Some(invalid)).unwrap();
        for q in &full {
            for other in &q[1..] {
                assert_eq!(other.rows.len(), q[0].rows.len());
                for (a, b) in other.rows.iter().zip(&q[0].rows) {
                    assert!(a.answer == b.answer && (a.confidence - b.confidence).abs() < 1e-12, "{invalid}: {a:?} vs SC {b:?}");
                }
            }
        }
    }
}

#[test]
fn top_logprob_lists_give_token_confidences_and_bad_ones_are_named() {
    let dir = tempfile::tempdir().unwrap();
    // 21 entries: the top 20 are −1 … −20 in some order, the 21st (−50) is dropped.
    let mut top: Vec<f64> = (1..=20).map(|k| -(k as f64)).collect();
    top.reverse();
    top.push(-50.0);
    let line = format!(r#"{{"answer": "1", "paths": [{{"text": "a", "answer": "1", "logprobs": [-0.1, -0.2], "top_logprobs": [{top:?}, [-0.5, -1.5]]}}]}}"#);
    let ds = read(&write(dir.path(), "t.jsonl", &(line + "\n")), None, None).unwrap();
    let c = ds.questions[0].paths[0].signals.token_confidence.clone().unwrap();
    assert_eq!(c, vec![10.5f32, 1.0]);
    for (text, field) in [
        (r#"{"answer": "1", "paths": [{"answer": "1", "logprobs": [-0.1], "top_logprobs": [[-0.5, 0.3]]}]}"#, "paths[0].top_logprobs[0]"),
        (r#"{"answer": "1", "paths": [{"answer": "1", "logprobs": [-0.1, -0.2], "token_confidence": [1.0]}]}"#, "paths[0].token_confidence"),
        (r#"{"answer": "1", "paths": [{"answer": "1", "logprobs": [-0.1], "self_certainty": -1}]}"#, "paths[0].self_certainty"),
        (r#"{"answer": "1", "paths": [{"answer": "1", "logprobs": [-0.1], "p_true": 1.5}]}"#, "paths[0].p_true"),
    ] {
        match read(&write(dir.path(), "bad.jsonl", &format!("{text}\n")), None, None) {
            Err(ReadError::Record { field: f, .. }) => assert_eq!(f, field, "{text}"),
            other => panic!("{text}: expected a record error, got {other:?}"),
        }
    }
}

#[test]
fn openai_top_logprobs_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let tok = |lp: f64, tops: &[f64]| {
        let t: Vec<String> = tops.iter().map(|x| format!(r#"{{"token": "x", "logprob": {x}}}"#)).collect();
        format!(r#"{{"token": "x", "logprob": {lp}, "top_logprobs": [{}]}}"#, t.join(","))
    };
    let choice =
        format!(r#"{{"message": {{"content": "The answer is 4"}}, "logprobs": {{"content": [{}, {}]}}}}"#, tok(-0.1, &[-0.1, -2.9]), tok(-0.2, &[-0.2, -1.8]));
    let line = format!(r#"{{"answer": "4", "choices": [{choice}]}}"#);
    let ds = read(&write(dir.path(), "o.jsonl", &(line + "\n")), None, None).unwrap();
    assert_eq!(ds.questions[0].paths[0].signals.token_confidence, Some(vec![1.5f32, 1.0]));
    // Ragged: one token without top_logprobs.
    let ragged = format!(
        r#"{{"answer": "4", "choices": [{{"message": {{"content": "4"}}, "logprobs": {{"content": [{}, {{"token": "x", "logprob": -0.2}}]}}}}]}}"#,
        tok(-0.1, &[-0.1])
    );
    match read(&write(dir.path(), "r.jsonl", &(ragged + "\n")), None, None) {
        Err(ReadError::Record { field, .. }) => assert_eq!(field, "choices[0].logprobs.content[1].top_logprobs"),
        other => panic!("expected a record error, got {other:?}"),
    }
}

#[test]
fn cli_names_the_missing_signal_and_bad_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "plain.jsonl", "{\"answer\": \"1\", \"paths\": [{\"answer\": \"1\", \"logprobs\": [-0.1]}]}\n");
    let out = dir.path().join("out.json");
    let run = |m: &str| {
        Command::new(env!("CARGO_BIN_EXE_pathconf")).args(["eval", f.to_str().unwrap(), "--methods", m, "--out", out.to_str().unwrap()]).output().unwrap()
    };
    for (method, needle) in [
        ("deepconf:tail:90", "needs per-token top-k log-probabilities"),
        ("self-certainty-borda", "needs self-certainty"),
        ("cisc:0.1:ptrue", "needs P(True)"),
        ("deepconf:median:10", "score \"median\""),
        ("deepconf:mean:0", "η = 0 must be in (0, 100]"),
        ("cisc", "expected cisc:T"),
        ("cisc:-1", "must be positive"),
    ] {
        let o = run(method);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{method}: {err}");
        assert!(err.contains(needle), "{method}: {err}");
        assert!(!out.exists(), "{method}: nothing is written");
    }
    let err = String::from_utf8_lossy(&run("deepconf:tail:90").stderr).into_owned();
    assert!(err.contains("paths[0].top_logprobs") && err.contains("plain.jsonl"), "{err}");
    // CISC on the response probability needs nothing more than log-probabilities.
    assert!(run("cisc:0.1").status.success());
}
