//! Paths without an answer: counted truthfully, and handled as each
//! method's reference handles them (`pathconf::invalid`).
//!
//! The expected values here come from independent code written in this file
//! from the methods' published descriptions, reading the committed SmolLM2
//! paths with `serde_json` directly (not through pathconf's readers):
//! DeepConf (percentile threshold with numpy's linear interpolation, `≥`
//! keeps ties, confidence-weighted vote), CISC (softmax of the response
//! probability over the kept traces) and self-certainty Borda (ranks over
//! every trace, votes only from traces with an answer). Ties are split in
//! both implementations (pathconf's accuracy convention). Every comparison is
//! deterministic: no false-failure rate.

use pathconf::aggregate::CiscKind;
use pathconf::confidence::TraceScore;
use pathconf::eval::equivalence::{AnswerEquality, Equivalence};
use pathconf::eval::formats::read;
use pathconf::eval::methods::{CiscSignal, Method, ProbMode};
use pathconf::eval::protocol::outcomes_full;
use pathconf::invalid::InvalidPolicy;
use pathconf::stopping::{replay_silent, StopCache, StopRule};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const INVALID: &str = "[invalid]";

fn data_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/smollm2_paths.jsonl")
}

/// One path as the independent implementations see it.
struct RefPath {
    answer: String,
    mean_logprob: f64,
    /// Stored in single precision (pathconf's sampler writes f32).
    token_confidence: Vec<f32>,
    self_certainty: f64,
}

struct RefQuestion {
    truth: String,
    paths: Vec<RefPath>,
}

fn reference_questions() -> Vec<RefQuestion> {
    std::fs::read_to_string(data_file())
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let paths = v["paths"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| RefPath {
                    answer: p["answer"].as_str().unwrap().to_string(),
                    mean_logprob: p["mean_logprob"].as_f64().unwrap(),
                    token_confidence: p["token_confidence"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap() as f32).collect(),
                    self_certainty: p["self_certainty"].as_f64().unwrap(),
                })
                .collect();
            RefQuestion { truth: v["answer"].as_str().unwrap().to_string(), paths }
        })
        .collect()
}

/// numpy.percentile(x, q), default ("linear") method, with numpy's own
/// interpolation arithmetic (`_lerp`: `a + t(b − a)`, or `b − (1 − t)(b − a)`
/// for `t ≥ ½`) — the bits decide which scores equal to the bar survive `≥`.
fn numpy_percentile(x: &[f64], q: f64) -> f64 {
    let mut s = x.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pos = q / 100.0 * (s.len() as f64 - 1.0);
    let (below, t) = (pos.floor() as usize, pos - pos.floor());
    let above = (below + 1).min(s.len() - 1);
    let (a, b) = (s[below], s[above]);
    if t >= 0.5 {
        b - (b - a) * (1.0 - t)
    } else {
        a + (b - a) * t
    }
}

/// Split credit of a weighted vote by raw answer strings (`None`: no vote).
fn vote_credit(votes: &[(&str, f64)], truth: &str) -> f64 {
    let mut totals: Vec<(&str, f64)> = Vec::new();
    for &(a, w) in votes {
        match totals.iter_mut().find(|(b, _)| *b == a) {
            Some(t) => t.1 += w,
            None => totals.push((a, w)),
        }
    }
    let Some(best) = totals.iter().map(|t| t.1).reduce(f64::max) else { return 0.0 };
    let winners: Vec<&str> = totals.iter().filter(|t| t.1 == best).map(|t| t.0).collect();
    winners.iter().filter(|&&a| a == truth).count() as f64 / winners.len() as f64
}

/// DeepConf offline, mean confidence, top-η% filter (Fu et al. 2025, §3.1;
/// their code drops traces without an answer first when `drop`).
fn deepconf_reference(q: &RefQuestion, eta: f64, drop: bool) -> f64 {
    let traces: Vec<&RefPath> = q.paths.iter().filter(|p| !drop || p.answer != INVALID).collect();
    if traces.is_empty() {
        return 0.0;
    }
    let conf: Vec<f64> = traces.iter().map(|p| p.token_confidence.iter().map(|&c| c as f64).sum::<f64>() / p.token_confidence.len() as f64).collect();
    let bar = numpy_percentile(&conf, 100.0 - eta);
    let votes: Vec<(&str, f64)> = traces.iter().zip(&conf).filter(|(_, &c)| c >= bar).map(|(p, &c)| (p.answer.as_str(), c)).collect();
    vote_credit(&votes, &q.truth)
}

/// CISC softmax (Taubenfeld et al. 2025): weights softmax(c / T) with
/// c = exp(mean log-prob), over the traces kept.
fn cisc_reference(q: &RefQuestion, t: f64, drop: bool) -> f64 {
    let traces: Vec<&RefPath> = q.paths.iter().filter(|p| !drop || p.answer != INVALID).collect();
    if traces.is_empty() {
        return 0.0;
    }
    let c: Vec<f64> = traces.iter().map(|p| p.mean_logprob.exp()).collect();
    let max = c.iter().cloned().fold(f64::MIN, f64::max);
    let e: Vec<f64> = c.iter().map(|x| ((x - max) / t).exp()).collect();
    let z: f64 = e.iter().sum();
    let votes: Vec<(&str, f64)> = traces.iter().zip(&e).map(|(p, w)| (p.answer.as_str(), w / z)).collect();
    vote_credit(&votes, &q.truth)
}

/// Self-certainty Borda (Kang et al. 2025): rank every trace by
/// self-certainty (stable, highest first), rank r gets (N − r)^p votes; a
/// trace without an answer casts none when `drop`.
fn borda_reference(q: &RefQuestion, p: f64, drop: bool) -> f64 {
    let n = q.paths.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| q.paths[j].self_certainty.partial_cmp(&q.paths[i].self_certainty).unwrap());
    let mut votes = Vec::new();
    for (r, &i) in order.iter().enumerate() {
        if !(drop && q.paths[i].answer == INVALID) {
            votes.push((q.paths[i].answer.as_str(), ((n - r) as f64).powf(p)));
        }
    }
    vote_credit(&votes, &q.truth)
}

fn pathconf_credits(method: Method, invalid: Option<InvalidPolicy>) -> Vec<f64> {
    let ds = read(&data_file(), None, None).unwrap();
    let exact = AnswerEquality { mode: Equivalence::Exact, ..Default::default() };
    outcomes_full(&ds, &[method], ProbMode::Mean, &exact, invalid).unwrap().into_iter().map(|o| o[0].credit).collect()
}

fn assert_same(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len());
    let differ: Vec<usize> = (0..got.len()).filter(|&i| (got[i] - want[i]).abs() > 1e-12).collect();
    assert!(
        differ.is_empty(),
        "{what}: questions {differ:?} differ (pathconf {:?} vs reference {:?})",
        differ.iter().map(|&i| got[i]).collect::<Vec<_>>(),
        differ.iter().map(|&i| want[i]).collect::<Vec<_>>()
    );
}

#[test]
fn deepconf_equals_its_published_rule_under_both_conventions_on_the_committed_data() {
    let qs = reference_questions();
    for eta in [10.0, 50.0, 90.0, 100.0] {
        let method = Method::DeepConf { score: TraceScore::Mean, eta, window: pathconf::confidence::DEFAULT_WINDOW };
        let drop: Vec<f64> = qs.iter().map(|q| deepconf_reference(q, eta, true)).collect();
        let vote: Vec<f64> = qs.iter().map(|q| deepconf_reference(q, eta, false)).collect();
        assert_same(&format!("deepconf η={eta}, default (drop)"), &pathconf_credits(method, None), &drop);
        assert_same(&format!("deepconf η={eta}, --invalid drop"), &pathconf_credits(method, Some(InvalidPolicy::Drop)), &drop);
        assert_same(&format!("deepconf η={eta}, --invalid vote"), &pathconf_credits(method, Some(InvalidPolicy::Vote)), &vote);
        if eta == 10.0 {
            // The two conventions do choose differently on this data (the
            // test would not see a mix-up otherwise).
            assert!(drop.iter().zip(&vote).any(|(a, b)| a != b), "η = 10: drop and vote agree on every question");
        }
    }
}

#[test]
fn cisc_and_borda_equal_their_published_rules_under_both_conventions() {
    let qs = reference_questions();
    let cisc = Method::Cisc { kind: CiscKind::Softmax, temperature: 0.1, signal: CiscSignal::ResponseProbability };
    let borda = Method::SelfCertaintyBorda { power: 0.5 };
    for (drop, policy) in [(true, None), (true, Some(InvalidPolicy::Drop)), (false, Some(InvalidPolicy::Vote))] {
        let want: Vec<f64> = qs.iter().map(|q| cisc_reference(q, 0.1, drop)).collect();
        assert_same(&format!("cisc:0.1 {policy:?}"), &pathconf_credits(cisc, policy), &want);
        let want: Vec<f64> = qs.iter().map(|q| borda_reference(q, 0.5, drop)).collect();
        assert_same(&format!("self-certainty-borda {policy:?}"), &pathconf_credits(borda, policy), &want);
    }
}

fn eval_json(args: &[&str]) -> Value {
    let o = Command::new(env!("CARGO_BIN_EXE_pathconf")).args(["eval"]).args(args).arg("--json").output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn every_invalid_path_is_counted_and_every_row_says_how_it_was_handled() {
    let qs = reference_questions();
    let invalid: usize = qs.iter().map(|q| q.paths.iter().filter(|p| p.answer == INVALID).count()).sum();
    let with: usize = qs.iter().filter(|q| q.paths.iter().any(|p| p.answer == INVALID)).count();
    assert!(invalid > 0);
    let file = data_file();
    let v = eval_json(&[file.to_str().unwrap(), "--methods", "sc,pc,cisc:0.1,deepconf:mean:50,self-certainty-borda", "--per-question"]);
    assert_eq!(v["invalid_answers"], invalid);
    assert_eq!(v["questions_with_invalid"], with);
    let policies: Vec<&str> = v["results"].as_array().unwrap().iter().map(|r| r["invalid"].as_str().unwrap()).collect();
    assert_eq!(policies, ["vote", "vote", "drop", "drop", "drop"]);
    for (q, row) in qs.iter().zip(v["per_question"].as_array().unwrap()) {
        assert_eq!(row["invalid"], q.paths.iter().filter(|p| p.answer == INVALID).count());
    }
    // SC with invalid paths set aside: a plurality of the valid answers.
    let sc_drop = 100.0
        * qs.iter()
            .map(|q| vote_credit(&q.paths.iter().filter(|p| p.answer != INVALID).map(|p| (p.answer.as_str(), 1.0)).collect::<Vec<_>>(), &q.truth))
            .sum::<f64>()
        / qs.len() as f64;
    let sc_vote =
        100.0 * qs.iter().map(|q| vote_credit(&q.paths.iter().map(|p| (p.answer.as_str(), 1.0)).collect::<Vec<_>>(), &q.truth)).sum::<f64>() / qs.len() as f64;
    for (policy, want) in [("drop", sc_drop), ("vote", sc_vote)] {
        let v = eval_json(&[file.to_str().unwrap(), "--methods", "sc", "--equivalence", "exact", "--invalid", policy]);
        let r = &v["results"][0];
        assert_eq!(r["invalid"], policy);
        assert!((r["accuracy"]["mean"].as_f64().unwrap() - want).abs() < 1e-9, "sc --invalid {policy}: {r} vs {want}");
    }
    assert!(sc_drop != sc_vote);
}

#[test]
fn a_question_whose_paths_are_all_invalid_gets_no_answer_and_confidence_zero() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.jsonl");
    let path = |a: &str, lp: f64| format!(r#"{{"text":"t{a}{lp}","answer":"{a}","mean_logprob":{lp},"token_confidence":[1.0,2.0]}}"#);
    let q1 = format!(r#"{{"id":"a","answer":"1","paths":[{},{},{}]}}"#, path("1", -0.1), path("1", -0.2), path("2", -0.3));
    let q2 = format!(r#"{{"id":"b","answer":"3","paths":[{},{}]}}"#, path(INVALID, -0.1), path(INVALID, -0.2));
    std::fs::write(&file, format!("{q1}\n{q2}\n")).unwrap();
    let f = file.to_str().unwrap();
    let v = eval_json(&[f, "--methods", "sc,deepconf:mean:100", "--invalid", "drop", "--per-question"]);
    assert_eq!(v["invalid_answers"], 2);
    for r in v["results"].as_array().unwrap() {
        // q1 right with SC share 2/3; q2 no answer: wrong at confidence 0.
        assert!((r["accuracy"]["mean"].as_f64().unwrap() - 50.0).abs() < 1e-12, "{r}");
        if r["method"] == "SC" {
            // Brier (maximum variant): ((1 − 2/3)² + (0 − 0)²) / 2; the
            // confidence-0 question lies in no ECE bin (bins are lower < c ≤ upper).
            assert!((r["brier_max"]["mean"].as_f64().unwrap() - (1.0f64 / 3.0).powi(2) / 2.0).abs() < 1e-12, "{r}");
            assert!((r["ece_max"]["mean"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-12, "{r}");
        }
    }
    let q2 = &v["per_question"][1]["methods"]["SC"];
    assert_eq!(
        (q2["credit"].as_f64(), q2["rows"].as_array().map(Vec::len), q2["dropped"].as_u64(), q2["n_paths"].as_u64()),
        (Some(0.0), Some(0), Some(2), Some(2))
    );
    // Voting, the invalid group wins q2 — and is wrong.
    let v = eval_json(&[f, "--methods", "sc", "--invalid", "vote", "--per-question"]);
    let q2 = &v["per_question"][1]["methods"]["SC"];
    assert_eq!(q2["rows"][0]["answer"], INVALID);
    assert_eq!(q2["rows"][0]["confidence"], 1.0);
}

#[test]
fn a_dropped_draw_costs_a_sample_but_the_rule_never_sees_it() {
    // Groups: 0 = "[invalid]", 1 = the right answer.
    let correct = [false, true];
    let silent = [true, false];
    let answers = [0, 0, 1, 1, 1, 1, 1];
    let beta: StopRule = "asc-beta:0.95:40".parse().unwrap();
    // Dropping: four agreeing votes (P = 1 − 2⁻⁵ ≥ 0.95; three give
    // 1 − 2⁻⁴ < 0.95) after two dropped draws: six samples.
    let s = replay_silent(&beta, &answers, &correct, Some(&silent), &mut StopCache::default());
    assert_eq!((s.used, s.credit, s.confidence), (6, 1.0, 1.0));
    // Voting, the invalid group is a rival answer: counts 5 vs 2 after seven
    // draws give 1 − I_½(6, 3) = 219/256 < 0.95.
    let s = replay_silent(&beta, &answers, &correct, None, &mut StopCache::default());
    assert_eq!((s.used, s.credit), (7, 1.0));
    assert!((s.confidence - 5.0 / 7.0).abs() < 1e-15);
    // A cap reached with no vote: no answer.
    let s = replay_silent(&"asc-beta:0.95:2".parse().unwrap(), &answers, &correct, Some(&silent), &mut StopCache::default());
    assert_eq!((s.used, s.credit, s.confidence, s.rows.len()), (2, 0.0, 0.0, 0));
    // ESC: a window holding a dropped draw is not unanimous.
    let esc: StopRule = "esc:2:6".parse().unwrap();
    let s = replay_silent(&esc, &[1, 0, 1, 1, 0, 0], &correct, Some(&silent), &mut StopCache::default());
    assert_eq!((s.used, s.credit), (4, 1.0));
    let s = replay_silent(&esc, &[0, 0, 1, 0, 0, 1], &correct, Some(&silent), &mut StopCache::default());
    assert_eq!((s.used, s.credit), (6, 1.0));
}

#[test]
fn stopping_rules_follow_their_references_and_the_flag_overrides_them() {
    let file = data_file();
    let f = file.to_str().unwrap();
    let v = eval_json(&[f, "--stop", "esc:5:40", "--stop", "asc-beta:0.95:64", "--stop", "pc-gt:64", "--order", "file"]);
    let policies: Vec<&str> = v["results"].as_array().unwrap().iter().map(|r| r["invalid"].as_str().unwrap()).collect();
    assert_eq!(policies, ["vote", "drop", "vote"]);
    let forced = eval_json(&[f, "--stop", "asc-beta:0.95:64", "--order", "file", "--invalid", "vote"]);
    assert_eq!(forced["results"][0]["invalid"], "vote");
    assert_ne!(forced["results"][0]["mean_samples"], v["results"][1]["mean_samples"]);
}

#[test]
fn methods_with_stop_is_refused() {
    let file = data_file();
    let o = Command::new(env!("CARGO_BIN_EXE_pathconf")).args(["eval", file.to_str().unwrap(), "--methods", "sc", "--stop", "esc:5:40"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--methods and --stop cannot be combined"), "{err}");
    assert!(o.stdout.is_empty());
}
