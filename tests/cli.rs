//! The `pathconf` binary as a user runs it: output shapes, exit codes, and
//! error messages on bad input (exit 2, file/question/field named, nothing written).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pathconf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pathconf")).args(args).output().expect("binary runs")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn golden_fixture() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden/fixture.json").display().to_string()
}

const SPEC: &str = r#"{"correct": "A", "answers": {"A": [0.2, 0.1], "B": [0.3], "C": [0.4]}, "tau": 0.15}"#;

#[test]
fn theory_json_rows_have_exactly_the_documented_keys() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "spec.json", SPEC);
    let o = pathconf(&["theory", "--spec", spec.to_str().unwrap(), "--n", "1,2,4,8", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    // per n: 3 sc + 3 ppl (one per answer) + 3 pc + 3 rp
    assert_eq!(rows.len(), 4 * 12);
    let keys = [
        "estimator",
        "answer",
        "path",
        "n",
        "expected_confidence",
        "bias",
        "estimation_error",
        "model_error",
        "cross_term",
        "reasoning_error",
        "paper_formula",
    ];
    for r in &rows {
        let obj = r.as_object().unwrap();
        let mut got: Vec<&str> = obj.keys().map(String::as_str).collect();
        got.sort_unstable();
        let est = r["estimator"].as_str().unwrap();
        let mut want = keys.to_vec();
        if est == "ppl" {
            want.extend(["paths", "worst_path", "worst_reasoning_error"]);
        }
        want.sort_unstable();
        assert_eq!(got, want);
        assert!(["sc", "ppl", "pc", "rp"].contains(&est));
        assert!(r["path"].is_null());
        let sum = r["estimation_error"].as_f64().unwrap() + r["model_error"].as_f64().unwrap() + r["cross_term"].as_f64().unwrap();
        assert!((sum - r["reasoning_error"].as_f64().unwrap()).abs() < 1e-12);
    }
    // SC for answer A at n = 4: p(1−p)/n with p = 0.3, computed by hand.
    let sc_a4 = rows.iter().find(|r| r["estimator"] == "sc" && r["answer"] == "A" && r["n"] == 4).unwrap();
    assert!((sc_a4["estimation_error"].as_f64().unwrap() - 0.3 * 0.7 / 4.0).abs() < 1e-15);
    // Theorem 4 is printed only for equal-path answers: B and C (one path), not A.
    let pc_a = rows.iter().find(|r| r["estimator"] == "pc" && r["answer"] == "A").unwrap();
    assert!(pc_a["paper_formula"].is_null());
    // PPL for A at n = 1 averages its two paths with weights 2/3 and 1/3
    // (p_t/p_a): R(t) = E[(p_t S_t − 1)²] = p_t (p_t − 1)² + (1 − p_t), by hand.
    let ppl_a1 = rows.iter().find(|r| r["estimator"] == "ppl" && r["answer"] == "A" && r["n"] == 1).unwrap();
    let r = |p: f64| p * (p - 1.0f64).powi(2) + (1.0 - p);
    assert!((ppl_a1["reasoning_error"].as_f64().unwrap() - (2.0 * r(0.2) + r(0.1)) / 3.0).abs() < 1e-15);
    assert_eq!((ppl_a1["paths"].as_u64(), ppl_a1["worst_path"].as_u64()), (Some(2), Some(1)));
    assert!((ppl_a1["worst_reasoning_error"].as_f64().unwrap() - r(0.1)).abs() < 1e-15);
}

#[test]
fn theory_per_path_adds_a_row_per_ppl_path_after_each_summary() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "spec.json", SPEC);
    let o = pathconf(&["theory", "--spec", spec.to_str().unwrap(), "--n", "3", "--json", "--per-path"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    let ppl: Vec<(String, Value)> =
        rows.iter().filter(|r| r["estimator"] == "ppl").map(|r| (r["answer"].as_str().unwrap().to_string(), r["path"].clone())).collect();
    let want = [("A", Value::Null), ("A", 0.into()), ("A", 1.into()), ("B", Value::Null), ("B", 0.into()), ("C", Value::Null), ("C", 0.into())];
    assert_eq!(ppl, want.map(|(a, p)| (a.to_string(), p)));
    // a path row: Proposition 3 as printed, E[(p̂ − p)²] = p²(1 − p)^n, by hand
    let b0 = rows.iter().find(|r| r["estimator"] == "ppl" && r["answer"] == "B" && r["path"] == 0).unwrap();
    assert!((b0["estimation_error"].as_f64().unwrap() - 0.09 * 0.7f64.powi(3)).abs() < 1e-15);
    assert!(b0.get("paths").is_none());
}

#[test]
fn bad_specs_exit_2_naming_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("sum.json", r#"{"answers": {"A": [0.5], "B": [0.4]}}"#, "sum to"),
        ("neg.json", r#"{"answers": {"A": [1.5, -0.5]}}"#, "negative"),
        ("type.json", r#"{"answers": {"A": [0.5, "x"], "B": [0.5]}}"#, "answers.A[1]"),
        ("empty.json", r#"{"answers": {"": [1.0]}}"#, "empty name"),
        ("broken.json", r#"{"answers": {"A": [1.0]"#, "malformed JSON"),
        ("tau.json", r#"{"answers": {"A": [1.0]}, "tau": -1}"#, "`tau`"),
    ];
    for (name, text, needle) in cases {
        let spec = write(dir.path(), name, text);
        for cmd in ["theory", "simulate"] {
            let o = pathconf(&[cmd, "--spec", spec.to_str().unwrap(), "--n", "2"]);
            assert_eq!(o.status.code(), Some(2), "{cmd} {name}");
            let e = stderr(&o);
            assert!(e.contains(name) && e.contains(needle), "{cmd} {name}: {e}");
            // Said once: a wrapped error's reason is not printed again as its source.
            assert_eq!(e.matches(needle).count(), 1, "{cmd} {name}: {e}");
            assert!(o.stdout.is_empty(), "{cmd} {name} wrote output");
        }
    }
    for args in [&["theory", "--spec", "/nonexistent/spec.json"][..], &["eval", "/nonexistent/spec.json"]] {
        let o = pathconf(args);
        assert_eq!(o.status.code(), Some(2));
        let e = stderr(&o);
        assert!(e.contains("/nonexistent/spec.json") && e.matches("os error 2").count() == 1, "{args:?}: {e}");
    }
}

#[test]
fn simulate_reports_intervals_and_throughput() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "spec.json", SPEC);
    let o = pathconf(&["simulate", "--spec", spec.to_str().unwrap(), "--n", "1,8", "--trials", "20000", "--seed", "5", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["paths_per_second"].as_f64().unwrap() > 0.0);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2 * 13);
    for r in rows {
        let e = &r["estimation_error"];
        assert!(e["ci_low"].as_f64().unwrap() <= e["mean"].as_f64().unwrap() && e["mean"].as_f64().unwrap() <= e["ci_high"].as_f64().unwrap());
        assert!(r["exact"]["reasoning_error"].is_number());
    }
}

#[test]
fn verify_quick_passes_and_reports_the_paper_findings() {
    let o = pathconf(&["verify", "--quick", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let claims: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    let status = |id: &str| claims.iter().find(|c| c["claim"] == id).unwrap()["status"].as_str().unwrap().to_string();
    for c in &claims {
        let mut keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["cells", "claim", "max_abs_deviation", "status", "worst_case"]);
    }
    for own in ["prop1_identity", "ppl_sc_means", "pc_exact", "rp_exact", "exact_accuracy"] {
        assert_eq!(status(own), "holds", "{own}");
    }
    assert_eq!(status("prop2_sc"), "holds");
    assert_eq!(status("prop3_ppl"), "holds");
    assert_eq!(status("thm4_printed"), "differs");
    assert_eq!(status("prop1_unbiased"), "holds");
    assert_eq!(status("prop1_biased"), "differs");
    assert_eq!(status("prop4_model_error"), "holds_as_bound");
    assert_eq!(status("remark6_limit"), "holds_as_bound");
    assert_eq!(status("thm4_rate_bound"), "holds_as_bound");
}

#[test]
fn verify_search_refutes_theorem4_with_the_smallest_case_and_is_reproducible() {
    let o = pathconf(&["verify", "--search", "300", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    let row = |claim: &str, h: &str| rows.iter().find(|r| r["claim"] == claim && r["hypothesis"] == h).unwrap_or_else(|| panic!("{claim} {h}")).clone();
    for r in &rows {
        let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["cases", "claim", "counterexample", "fail_share", "failures", "hypothesis"]);
    }
    for claim in ["prop1", "prop2", "prop3", "prop4", "thm4", "thm4_rate", "remark6", "thm7", "thm7_unconditional"] {
        for h in ["inside", "outside"] {
            let r = row(claim, h);
            assert!(r["cases"].as_u64().unwrap() > 0, "{claim} {h}: no case drawn");
            assert_eq!(r["counterexample"].is_null(), r["failures"] == 0, "{claim} {h}");
        }
    }
    // Theorem 4 as printed, refuted by two answers of one path each at
    // n = 1 (the wrong answer, p = 0.5: printed 0.0625, exact 0.125).
    let ce = row("thm4", "inside")["counterexample"].clone();
    assert_eq!(ce["answers"], serde_json::json!([[0.5], [0.5]]), "{ce}");
    assert_eq!(ce["n"], 1);
    assert!((ce["printed"].as_f64().unwrap() - 0.0625).abs() < 1e-15 && (ce["exact"].as_f64().unwrap() - 0.125).abs() < 1e-15, "{ce}");
    // What holds: SC is unbiased (Prop. 1 inside), Prop. 2 for i.i.d. draws,
    // Prop. 4 for the correct answer, the Bernoulli bound of Remark 6, and
    // Theorem 7 where the paper assumes equal paths (the estimate is exact).
    for claim in ["prop1", "prop2", "prop3", "prop4", "thm4_rate", "remark6", "thm7", "thm7_unconditional"] {
        assert_eq!(row(claim, "inside")["failures"], 0, "{claim} inside");
    }
    // What fails outside: the cross term, sampling without replacement, a
    // wrong answer's paths, unequal paths.
    for claim in ["prop1", "prop2", "prop3", "prop4", "thm4", "thm7"] {
        assert!(row(claim, "outside")["failures"].as_u64().unwrap() > 0, "{claim} outside");
    }
    // The same seed gives the same report on one thread.
    let again = Command::new(env!("CARGO_BIN_EXE_pathconf")).args(["verify", "--search", "300", "--json"]).env("RAYON_NUM_THREADS", "1").output().unwrap();
    assert_eq!(again.stdout, o.stdout);
}

#[test]
fn eval_reproduces_the_reference_aggregates_on_the_golden_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let o = pathconf(&["eval", &golden_fixture(), "--methods", "sc,ppl,pc,rpc", "--equivalence", "exact", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("SC") && text.contains("RPC"), "{text}");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let reference: Value =
        serde_json::from_str(&std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden/fixture.reference.json")).unwrap())
            .unwrap();
    for (method, key) in [("SC", "SC"), ("PPL", "PPL")] {
        let r = v["results"].as_array().unwrap().iter().find(|r| r["method"] == method).unwrap();
        let want = &reference["aggregate"][key];
        assert!((r["accuracy"]["mean"].as_f64().unwrap() - want["accuracy_pct"].as_f64().unwrap()).abs() < 1e-9);
        assert!((r["ece_max"]["mean"].as_f64().unwrap() - want["ece_max"].as_f64().unwrap()).abs() < 1e-9);
        assert!((r["brier_avg"]["mean"].as_f64().unwrap() - want["brier_avg"].as_f64().unwrap()).abs() < 1e-9);
    }
}

#[test]
fn eval_subsampling_protocol_and_table_1() {
    let o = pathconf(&["eval", &golden_fixture(), "--k", "1,2,4,8,16,32", "--repeats", "3", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 6 * 4);
    // K = 32 uses every path: one deterministic run.
    assert!(results.iter().filter(|r| r["k"] == 32).all(|r| r["repeats"] == 1 && r["accuracy"]["std"] == 0.0));
    assert!(results.iter().filter(|r| r["k"] == 4).all(|r| r["repeats"] == 3));
    assert_eq!(v["fewest_paths"].as_array().unwrap().len(), 3);
    // Same seed, same numbers; any thread count.
    let again = pathconf(&["--threads", "1", "eval", &golden_fixture(), "--k", "1,2,4,8,16,32", "--repeats", "3", "--json"]);
    assert_eq!(o.stdout, again.stdout);
}

#[test]
fn eval_reads_jsonl_and_openai_formats() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = write(
        dir.path(),
        "paths.jsonl",
        concat!(
            r#"{"id": "q1", "answer": "1/2", "paths": [{"text": "so \\boxed{0.5}", "logprobs": [-0.1, -0.3]}, {"text": "the answer is .50", "mean_logprob": -0.5, "n_tokens": 4}, {"text": "x", "answer": "3", "logprob_sum": -4.0, "n_tokens": 8}, {"text": "no idea", "mean_logprob": -2.0, "n_tokens": 3}]}"#,
            "\n",
            r#"{"id": "q2", "answer": 1000, "paths": [{"text": "\\boxed{1,000}", "mean_logprob": -0.2, "n_tokens": 2}]}"#,
            "\n"
        ),
    );
    let o = pathconf(&["eval", jsonl.to_str().unwrap(), "--json", "--prob", "sequence"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["invalid_answers"], 1);
    let sc = v["results"].as_array().unwrap().iter().find(|r| r["method"] == "SC").unwrap();
    // q1: 0.5 and .50 equal 1/2 (2 of 4 votes win), q2: 1,000 = 1000.
    assert_eq!(sc["accuracy"]["mean"].as_f64().unwrap(), 100.0);

    let openai = write(
        dir.path(),
        "responses.jsonl",
        concat!(
            r#"{"custom_id": "a", "response": {"body": {"choices": [{"message": {"content": "The answer is 7."}, "logprobs": {"content": [{"token": "7", "logprob": -0.2}]}}, {"message": {"content": "\\boxed{8}"}, "logprobs": {"content": [{"token": "8", "logprob": -1.0}]}}]}}}"#,
            "\n",
            r#"{"id": "b", "choices": [{"text": "\\boxed{2}", "logprobs": {"token_logprobs": [null, -0.1, -0.2]}}]}"#,
            "\n"
        ),
    );
    let answers = write(dir.path(), "answers.json", r#"{"a": "7", "b": "3"}"#);
    let o = pathconf(&["eval", openai.to_str().unwrap(), "--answers", answers.to_str().unwrap(), "--methods", "ppl", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["results"][0]["accuracy"]["mean"].as_f64().unwrap(), 50.0);
}

#[test]
fn eval_bad_input_exits_2_names_question_and_field_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let col = |lp: &str| format!(r#"{{"predict": [["1", "2"], ["3"]], "completion": [["a", "b"], ["c"]], "mean_logprob": {lp}, "answer": ["1", "3"]}}"#);
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        ("ragged.json", col("[[-0.1, -0.2], [-0.3, -0.4]]"), vec!["question 1", "mean_logprob[1]", "2 paths"]),
        ("positive.json", col("[[-0.1, 0.2], [-0.3]]"), vec!["question 0", "mean_logprob[0][1]", "positive"]),
        ("nan.json", col("[[-0.1, NaN], [-0.3]]"), vec!["mean_logprob[0][1]", "NaN"]),
        ("empty.json", r#"{"predict": [[]], "completion": [[]], "mean_logprob": [[]], "answer": ["1"]}"#.into(), vec!["question 0", "no paths"]),
        (
            "truth.json",
            r#"{"predict": [["1"]], "completion": [["a"]], "mean_logprob": [[-0.1]], "answer": [null]}"#.into(),
            vec!["question 0", "answer[0]", "ground truth"],
        ),
        ("malformed.json", r#"{"predict": [["1"]], "completion": [["a"]], "mean_logprob": [[-0.1]"#.into(), vec!["malformed JSON"]),
        (
            "lines.jsonl",
            "{\"id\": 1, \"answer\": \"2\", \"paths\": [{\"text\": \"x\", \"logprobs\": [-0.1, 0.5]}]}\n".into(),
            vec!["question 0", "paths[0].logprobs[1]", "positive"],
        ),
        ("nopaths.jsonl", "{\"id\": 1, \"answer\": \"2\", \"paths\": []}\n".into(), vec!["question 0", "paths", "no paths"]),
        ("notruth.jsonl", "{\"id\": 1, \"paths\": [{\"text\": \"x\", \"mean_logprob\": -1}]}\n".into(), vec!["question 0", "answer", "ground truth"]),
        // JSON cannot spell an infinite log-probability: the parser's error and
        // its place, not "cannot tell the format".
        (
            "infinity.jsonl",
            "{\"id\": 1, \"answer\": \"2\", \"paths\": [{\"text\": \"x\", \"mean_logprob\": -Infinity}]}\n".into(),
            vec!["malformed JSON", "line 1", "paths[0].mean_logprob", "infinite"],
        ),
        // A derived field that contradicts the tokens it summarises.
        (
            "sum.jsonl",
            "{\"id\": 1, \"answer\": \"2\", \"paths\": [{\"text\": \"x\", \"logprobs\": [-0.5, -0.25], \"logprob_sum\": -0.5}]}\n".into(),
            vec!["question 0", "paths[0].logprob_sum", "contradicts"],
        ),
        (
            "mean.jsonl",
            "{\"id\": 1, \"answer\": \"2\", \"paths\": [{\"text\": \"x\", \"logprobs\": [-0.5, -0.25], \"mean_logprob\": -0.75}]}\n".into(),
            vec!["question 0", "paths[0].mean_logprob", "contradicts"],
        ),
        (
            "ntokens.jsonl",
            "{\"id\": 1, \"answer\": \"2\", \"paths\": [{\"text\": \"x\", \"logprobs\": [-0.5, -0.25], \"n_tokens\": 3}]}\n".into(),
            vec!["question 0", "paths[0].n_tokens", "2 tokens"],
        ),
        // One record per question.
        (
            "repeated.jsonl",
            "{\"id\": \"q\", \"answer\": \"2\", \"paths\": [{\"answer\": \"2\"}]}\n{\"id\": \"q\", \"answer\": \"2\", \"paths\": [{\"answer\": \"3\"}]}\n"
                .into(),
            vec!["question 1", "`id`", "repeats the id of question 0"],
        ),
    ];
    for (name, text, needles) in cases {
        let file = write(dir.path(), name, &text);
        let out = dir.path().join(format!("{name}.report"));
        let o = pathconf(&["eval", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains(name), "{name}: {e}");
        for n in needles {
            assert!(e.contains(n), "{name}: expected {n:?} in {e}");
        }
        assert!(!out.exists(), "{name}: output written");
        assert!(o.stdout.is_empty());
    }
    // No stray temporary files either.
    let leftovers: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().starts_with(".tmp")).collect();
    assert!(leftovers.is_empty());
}

#[test]
fn eval_per_question_output_matches_the_reference_rows() {
    let o = pathconf(&["eval", &golden_fixture(), "--methods", "sc,ppl", "--equivalence", "exact", "--per-question", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let reference: Value =
        serde_json::from_str(&std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden/fixture.reference.json")).unwrap())
            .unwrap();
    let per = v["per_question"].as_array().unwrap();
    assert_eq!(per.len(), 60);
    for (i, q) in per.iter().enumerate() {
        for m in ["SC", "PPL"] {
            let ours = q["methods"][m]["rows"].as_array().unwrap();
            let theirs = reference["per_problem"][i][m]["answers"].as_array().unwrap();
            assert_eq!(ours.len(), theirs.len(), "question {i} {m}");
            for (a, b) in ours.iter().zip(theirs) {
                assert_eq!(a["answer"], b[0], "question {i} {m}");
                assert!((a["confidence"].as_f64().unwrap() - b[1].as_f64().unwrap()).abs() <= 1e-9, "question {i} {m}");
                assert_eq!(a["correct"], b[2], "question {i} {m}");
            }
            assert!((q["methods"][m]["credit"].as_f64().unwrap() - reference["per_problem"][i][m]["credit"].as_f64().unwrap()).abs() <= 1e-9);
        }
    }
}

#[test]
fn theory_accuracy_rows_say_how_they_were_obtained() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.json");
    std::fs::write(&spec, r#"{"correct": "A", "answers": {"A": [0.2, 0.1], "B": [0.3], "C": [0.4]}, "tau": 0.15}"#).unwrap();
    let o = pathconf(&["theory", "--spec", spec.to_str().unwrap(), "--n", "1,3", "--accuracy", "--target", "sc:3", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = v["accuracy"].as_array().unwrap();
    assert_eq!(rows.len(), 8, "sc, ppl, pc, rp at two n");
    for r in rows {
        let method = r["method"].as_str().unwrap();
        assert!(["exact", "enumeration"].contains(&method), "{r}");
        assert!(r["ci_low"].is_null() && r["ci_high"].is_null());
    }
    // SC at n = 1 picks A with probability p_A = 0.3.
    let sc1 = rows.iter().find(|r| r["estimator"] == "sc" && r["n"] == 1).unwrap();
    assert!((sc1["p_correct"].as_f64().unwrap() - 0.3).abs() < 1e-15);
    assert_eq!(v["samples_needed"].as_array().unwrap().len(), 4);
    // A malformed target is a usage error naming it.
    let o = pathconf(&["theory", "--spec", spec.to_str().unwrap(), "--target", "sc:zero"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("sc:zero"), "{}", stderr(&o));
    // A population file with a bad weight names the field.
    let pop = dir.path().join("pop.json");
    std::fs::write(&pop, r#"{"questions": [{"weight": -1, "correct": "A", "answers": {"A": [1.0]}}]}"#).unwrap();
    let o = pathconf(&["theory", "--population", pop.to_str().unwrap()]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("questions[0].weight") && stderr(&o).contains("pop.json"), "{}", stderr(&o));
    // Chen et al.'s mixture: the predicted and the exact shape are printed.
    std::fs::write(&pop, r#"{"mixture": {"alpha": 0.9, "p_easy": 0.85, "p_hard": 0.4}}"#).unwrap();
    let o = pathconf(&["theory", "--population", pop.to_str().unwrap(), "--n", "1,11,101", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["chen_theorem1"]["prediction"]["shape"], "inverse_u");
    assert_eq!(v["chen_theorem1"]["observed_shape"], "inverse_u");
}

#[test]
fn answers_only_files_run_sc_and_refuse_probability_methods_by_name() {
    // Files from APIs that return no log-probabilities: answers only.
    let dir = tempfile::tempdir().unwrap();
    let rpc = dir.path().join("answers.json");
    std::fs::write(&rpc, r#"{"predict": [["4", "4", "5"], ["7", "8", "8"]], "answer": ["4", "7"]}"#).unwrap();
    let jsonl = dir.path().join("answers.jsonl");
    std::fs::write(&jsonl, "{\"id\": \"a\", \"answer\": \"4\", \"paths\": [{\"answer\": \"4\"}, {\"answer\": \"4\"}, {\"answer\": \"5\"}]}\n{\"id\": \"b\", \"answer\": \"7\", \"paths\": [{\"answer\": \"7\"}, {\"answer\": \"8\"}, {\"answer\": \"8\"}]}\n").unwrap();
    let openai = dir.path().join("answers.openai.jsonl");
    std::fs::write(
        &openai,
        "{\"id\": \"a\", \"answer\": \"4\", \"response\": {\"choices\": [{\"message\": {\"content\": \"so \\\\boxed{4}\"}}, {\"message\": {\"content\": \"\\\\boxed{4}\"}}, {\"message\": {\"content\": \"\\\\boxed{5}\"}}]}}\n",
    )
    .unwrap();
    // Without --methods, an answers-only file runs SC alone and says so.
    let o = pathconf(&["eval", rpc.to_str().unwrap()]);
    assert!(o.status.success() && stderr(&o).contains("answers only"), "{}", stderr(&o));
    for (file, format) in [(&rpc, "rpc-json"), (&jsonl, "jsonl"), (&openai, "openai")] {
        let o = pathconf(&["eval", file.to_str().unwrap(), "--format", format, "--methods", "sc", "--json"]);
        assert!(o.status.success(), "{format}: {}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        let sc = v["results"].as_array().unwrap().iter().find(|r| r["method"] == "SC").unwrap();
        // Majority is right on question a (4, 4, 5); on b (7, 8, 8) it is wrong.
        let want = if format == "openai" { 100.0 } else { 50.0 };
        assert!((sc["accuracy"]["mean"].as_f64().unwrap() - want).abs() < 1e-9, "{format}: {sc}");
        for method in ["pc", "ppl", "rpc"] {
            let o = pathconf(&["eval", file.to_str().unwrap(), "--format", format, "--methods", &format!("sc,{method}")]);
            assert_eq!(o.status.code(), Some(2), "{format} {method}");
            let e = stderr(&o);
            assert!(e.contains(&format!("`{method}` needs mean log-probabilities")) && e.contains("path 0"), "{format}: {e}");
            assert!(
                e.contains(if format == "rpc-json" {
                    "mean_logprob[0][0]"
                } else if format == "jsonl" {
                    "paths[0].logprobs"
                } else {
                    "choices[0].logprobs"
                }),
                "{e}"
            );
        }
        // The count-based stopping rules run on answers only; the path rules
        // are refused by name.
        let o = pathconf(&["eval", file.to_str().unwrap(), "--format", format, "--stop", "asc-entropy:0.75", "--stop", "asc-dirichlet:0.95"]);
        assert!(o.status.success(), "{format}: {}", stderr(&o));
        let o = pathconf(&["eval", file.to_str().unwrap(), "--format", format, "--stop", "pc-gt:8"]);
        assert_eq!(o.status.code(), Some(2), "{format}");
        assert!(stderr(&o).contains("`pc-gt:8` needs mean log-probabilities"), "{}", stderr(&o));
    }
}

#[test]
fn budget_rows_are_exact_for_few_answers_and_say_how_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.json");
    std::fs::write(&spec, r#"{"correct": "A", "answers": {"A": [0.5], "B": [0.3], "C": [0.2]}}"#).unwrap();
    let o = pathconf(&["budget", "--spec", spec.to_str().unwrap(), "--rule", "fixed:1", "--rule", "esc:2:8", "--rule", "asc-beta:0.95:10", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.len(), 3);
    for r in &rows {
        let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["accuracy", "ci_high", "ci_low", "expected_samples", "method", "rule", "samples_ci_high", "samples_ci_low", "samples_method"]);
        assert_eq!(r["method"], "exact");
    }
    // fixed:1 answers the first sample: P(A) = 0.5.
    assert!((rows[0]["accuracy"].as_f64().unwrap() - 0.5).abs() < 1e-15);
    // ESC's E[N] against its closed form: W = 2, q = Σ p_a² = 0.25 + 0.09 + 0.04 = 0.38, m = 4.
    let q: f64 = 0.38;
    let want = 2.0 * ((0..3).map(|i| (i + 1) as f64 * q * (1.0 - q).powi(i)).sum::<f64>() + 4.0 * (1.0 - q).powi(3));
    assert!((rows[1]["expected_samples"].as_f64().unwrap() - want).abs() < 1e-12);
    // The path rules are priced by Monte Carlo, with intervals on both columns.
    let o = pathconf(&["budget", "--spec", spec.to_str().unwrap(), "--rule", "pc-certify:8", "--trials", "1000", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((rows[0]["method"].as_str(), rows[0]["samples_method"].as_str()), (Some("monte_carlo"), Some("monte_carlo")));
    assert!(rows[0]["ci_low"].is_number() && rows[0]["samples_ci_high"].is_number());
    // One path per answer: no single path settles the answer (A's 0.5 does not
    // exceed the unseen 0.5), so at least two samples.
    assert!(rows[0]["expected_samples"].as_f64().unwrap() >= 2.0);
    // A malformed rule is a usage error naming it.
    let o = pathconf(&["budget", "--spec", spec.to_str().unwrap(), "--rule", "asc-beta:2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("asc-beta:2"), "{}", stderr(&o));
}

/// Numerical edges give finite, documented results: log-probabilities of
/// −1e308 (every `q` underflows to 0: the groups tie with equal shares, not
/// 0/0) and denormals, one path per question, identical paths, ties
/// everywhere, and one question of 10⁵ paths over 10⁴ answers.
#[test]
fn eval_numerical_edges_give_finite_documented_results() {
    let dir = tempfile::tempdir().unwrap();
    let path = |text: &str, answer: &str, lp: &str| format!(r#"{{"text":"{text}","answer":"{answer}","logprobs":[{lp}]}}"#);
    let q = |id: &str, paths: Vec<String>| format!(r#"{{"id":"{id}","answer":"1","paths":[{}]}}"#, paths.join(","));
    let lines = [
        q("underflow", vec![path("x", "1", "-1e308"), path("y", "2", "-1e308")]),
        q("denormal", vec![path("x", "1", "-5e-324"), path("y", "2", "-1e-310")]),
        q("one", vec![path("x", "1", "-0.5")]),
        q("same", vec![path("x", "1", "-0.5"); 8]),
        q("ties", (0..8).map(|i| path(&format!("t{i}"), &(i % 4).to_string(), "-0.5")).collect()),
    ];
    let file = write(dir.path(), "edges.jsonl", &(lines.join("\n") + "\n"));
    let o = pathconf(&["eval", file.to_str().unwrap(), "--methods", "sc,ppl,pc,rpc,cisc:0.1", "--per-question", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    for r in v["results"].as_array().unwrap() {
        for key in ["ece_max", "brier_max", "nll_max", "ece_avg", "brier_avg", "nll_avg"] {
            let x = r[key]["mean"].as_f64().unwrap_or(f64::NAN);
            assert!(x.is_finite() && (0.0..=14.0).contains(&x), "{} {key} = {x}", r["method"]);
        }
    }
    let per = v["per_question"].as_array().unwrap();
    let credit = |q: usize, m: &str| per[q]["methods"][m]["credit"].as_f64().unwrap();
    // Underflow: PC and RPC tie the two answers with shares ½ each.
    for m in ["PC", "RPC"] {
        assert_eq!(credit(0, m), 0.5);
        assert!(per[0]["methods"][m]["rows"].as_array().unwrap().iter().all(|r| r["confidence"] == 0.5), "{m}: {}", per[0]["methods"][m]);
    }
    for m in ["SC", "PPL", "PC", "RPC", "CISC(T=0.1)"] {
        assert_eq!((credit(2, m), credit(3, m), credit(4, m)), (1.0, 1.0, 0.25), "{m}");
    }

    // One question, 10⁵ paths over 10⁴ answers (every method, in well under a second here).
    let mut rng_state = 1u64;
    let mut next = || {
        rng_state = rng_state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        rng_state >> 33
    };
    let paths: Vec<String> =
        (0..100_000).map(|i| format!(r#"{{"text":"t{i}","answer":"{}","mean_logprob":-{}.{}}}"#, next() % 10_000, next() % 3, next() % 1000)).collect();
    let big = write(dir.path(), "big.jsonl", &format!("{{\"id\":\"q\",\"answer\":\"7\",\"paths\":[{}]}}\n", paths.join(",")));
    let o = pathconf(&["eval", big.to_str().unwrap(), "--methods", "sc,ppl,pc,rpc,cisc:0.1", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["paths_per_question"], serde_json::json!([100_000, 100_000]));
    assert!(v["results"].as_array().unwrap().iter().all(|r| r["ece_max"]["mean"].as_f64().is_some_and(f64::is_finite)));
}
