//! `pathconf plan` as a user runs it: the JSON rows' shape, values the pilot
//! fixes equal to `eval --stop … --order file` on the same paths, results
//! that do not depend on the thread count, and bad input refused (exit 2,
//! the file or option named, nothing written).

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn pathconf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pathconf")).args(args).output().expect("binary runs")
}

fn data() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/smollm2_paths.jsonl").display().to_string()
}

fn json(o: &Output) -> Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn stop_file(rules: &[&str], extra: &[&str]) -> Value {
    let file = data();
    let mut args = vec!["eval", file.as_str(), "--order", "file", "--json"];
    for r in rules {
        args.extend(["--stop", r]);
    }
    args.extend(extra);
    json(&pathconf(&args))
}

#[test]
fn rows_have_the_documented_keys_and_measured_values_equal_the_replay() {
    let file = data();
    let o = pathconf(&["plan", &file, "--pilot", "16", "--n", "1,4,16,64", "--stop", "esc:2:64", "--stop", "fixed:8", "--draws", "40", "--json"]);
    let report = json(&o);
    let rows = report["rows"].as_array().unwrap();
    let keys = [
        "method",
        "rule",
        "n",
        "accuracy",
        "accuracy_low",
        "accuracy_high",
        "accuracy_mc_se",
        "expected_samples",
        "samples_low",
        "samples_high",
        "provenance",
        "basis",
    ];
    for r in rows {
        let mut got: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        got.sort_unstable();
        let mut want = keys.to_vec();
        want.sort_unstable();
        assert_eq!(got, want);
        assert!(r["accuracy_low"].as_f64().unwrap() <= r["accuracy"].as_f64().unwrap() + 1e-9);
        assert!(r["accuracy"].as_f64().unwrap() <= r["accuracy_high"].as_f64().unwrap() + 1e-9);
    }
    let who: Vec<(Value, Value, Value)> = rows.iter().map(|r| (r["method"].clone(), r["rule"].clone(), r["n"].clone())).collect();
    let sc = |n: Value| (Value::from("sc"), Value::Null, n);
    assert_eq!(
        who,
        [
            sc(1.into()),
            sc(4.into()),
            sc(16.into()),
            sc(64.into()),
            sc(Value::Null),
            (Value::Null, "esc:2:64".into(), 64.into()),
            (Value::Null, "fixed:8".into(), 8.into())
        ]
    );
    // n ≤ 16 and fixed:8 are fixed by the pilot of 16: exactly what replay
    // of the file's first paths measures (an independent computation: eval's).
    let replay = stop_file(&["fixed:1", "fixed:4", "fixed:16", "fixed:8"], &[]);
    let measured = |n: usize| replay["results"].as_array().unwrap().iter().find(|r| r["rule"] == format!("fixed:{n}")).unwrap()["accuracy"].as_f64().unwrap();
    for (row, n) in rows.iter().zip([1, 4, 16]) {
        assert_eq!((&row["provenance"], &row["basis"]), (&"measured".into(), &"measured: pilot".into()));
        assert!((row["accuracy"].as_f64().unwrap() - measured(n)).abs() < 1e-9, "n = {n}");
        assert_eq!(row["accuracy_low"], row["accuracy_high"]);
    }
    assert_eq!(rows[6]["basis"], "measured: pilot");
    assert!((rows[6]["accuracy"].as_f64().unwrap() - measured(8)).abs() < 1e-9);
    assert!(rows[3]["basis"].as_str().unwrap().starts_with("predicted: empirical-Bayes Pitman-Yor (monte_carlo over 40 draws, 90% interval)"));
    // ESC with windows of 2 stops within a pilot of 16 on some questions but
    // not all: predicted, its samples between 2 and 64.
    let esc = &rows[5];
    assert!(esc["basis"].as_str().unwrap().starts_with("predicted") && esc["provenance"] == "predicted");
    let s = esc["expected_samples"].as_f64().unwrap();
    assert!(s > 2.0 && s < 64.0, "{s}");
}

#[test]
fn a_rule_that_stops_within_every_pilot_is_measured_and_equals_its_replay() {
    let file = data();
    // esc:1:1 stops at the first draw: the whole pilot is not even needed.
    let report = json(&pathconf(&["plan", &file, "--pilot", "4", "--n", "4", "--stop", "esc:1:1", "--stop", "asc-beta:0.95:4", "--draws", "10", "--json"]));
    let replay = stop_file(&["esc:1:1", "asc-beta:0.95:4"], &[]);
    for (row, r) in report["rows"].as_array().unwrap()[2..].iter().zip(replay["results"].as_array().unwrap()) {
        assert_eq!(row["basis"], "measured: pilot", "{row}");
        assert!((row["accuracy"].as_f64().unwrap() - r["accuracy"].as_f64().unwrap()).abs() < 1e-9, "{row} vs {r}");
        assert!((row["expected_samples"].as_f64().unwrap() - r["mean_samples"].as_f64().unwrap()).abs() < 1e-9, "{row} vs {r}");
    }
}

#[test]
fn results_do_not_depend_on_the_number_of_threads_and_decisions_are_reported() {
    let file = data();
    let args = [
        "plan",
        &file,
        "--pilot",
        "8",
        "--stop",
        "asc-beta:0.95:32",
        "--draws",
        "30",
        "--seed",
        "5",
        "--target",
        "limit:0.02",
        "--budget-tokens",
        "300",
        "--json",
    ];
    let one = json(&pathconf(&[&["--threads", "1"][..], &args].concat()));
    let two = json(&pathconf(&[&["--threads", "2"][..], &args].concat()));
    assert_eq!(one, two);
    let t = &one["target"];
    assert_eq!(t["target"], "limit:0.02");
    let goal = t["goal"].as_f64().unwrap();
    let limit = one["rows"].as_array().unwrap().iter().find(|r| r["method"] == "sc" && r["n"].is_null()).unwrap()["accuracy"].as_f64().unwrap();
    assert!((goal - (limit - 2.0)).abs() < 1e-9);
    let b = &one["budget"];
    assert!(b["tokens"].as_f64().unwrap() <= 300.0 + 1e-9);
    // The file's mean tokens per path over the pilots (the first 8 paths).
    let text = std::fs::read_to_string(&file).unwrap();
    let (mut sum, mut count) = (0u64, 0u64);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap();
        for p in v["paths"].as_array().unwrap().iter().take(8) {
            sum += p["n_tokens"].as_u64().unwrap();
            count += 1;
        }
    }
    assert!((b["tokens_per_path"].as_f64().unwrap() - sum as f64 / count as f64).abs() < 1e-9);
    // The table says the same in words.
    let table = pathconf(&["plan", &file, "--pilot", "8", "--draws", "20", "--target", "abs:0.3"]);
    let out = String::from_utf8_lossy(&table.stdout);
    assert!(table.status.success() && out.contains("Target abs:0.3: goal 30.00%") && out.contains("measured") && out.contains("predicted"), "{out}");
}

#[test]
fn bad_input_exits_2_naming_what_is_wrong_and_writes_nothing() {
    let file = data();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan.json");
    let out_s = out.to_str().unwrap();
    for (args, words) in [
        (vec!["--methods", "sc,bogus"], "unknown method \"bogus\""),
        (vec!["--methods", "deepconf:mean:120"], "must be in (0, 100]"),
        (vec!["--methods", "rp"], "`rp` needs its threshold, written rp:τ"),
        (vec!["--pilot", "0"], "--pilot must be at least 1"),
        (vec!["--n", "0,4"], "--n values must be at least 1"),
        (vec!["--draws", "1"], "--draws must be at least 2"),
        (vec!["--level", "1.5"], "--level 1.5 must lie in (0, 1)"),
        (vec!["--target", "limit:2"], "must lie in [0, 1]"),
        (vec!["--model", "bayes"], "bayes"),
    ] {
        let mut all = vec!["plan", file.as_str(), "--out", out_s];
        all.extend(args.iter());
        let o = pathconf(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && err.contains(words), "{args:?}: {err}");
        assert!(!out.exists());
    }
    let missing = dir.path().join("nope.jsonl");
    let o = pathconf(&["plan", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope.jsonl"));
    // An answers-only file has no token counts: --budget-tokens names the file.
    let answers_only = dir.path().join("answers.jsonl");
    std::fs::write(&answers_only, "{\"id\":\"a\",\"answer\":\"1\",\"paths\":[{\"answer\":\"1\"},{\"answer\":\"2\"}]}\n").unwrap();
    let o = pathconf(&["plan", answers_only.to_str().unwrap(), "--budget-tokens", "100", "--draws", "5"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--budget-tokens needs every pilot path's token count") && err.contains("answers.jsonl"), "{err}");
    // The same file plans SC without it, but no method that weighs paths.
    assert!(pathconf(&["plan", answers_only.to_str().unwrap(), "--draws", "5"]).status.success());
    for (args, words) in [(vec!["--methods", "pc"], "`pc` needs"), (vec!["--stop", "pc-gt:8"], "`pc-gt:8` needs")] {
        let mut all = vec!["plan", answers_only.to_str().unwrap(), "--draws", "5", "--out", out_s];
        all.extend(args.iter());
        let o = pathconf(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.code() == Some(2) && err.contains(words) && err.contains("answers.jsonl") && err.contains("mean_logprob"), "{args:?}: {err}");
        assert!(!out.exists());
    }
}

/// The methods that weigh paths and the path rules: values a pilot fixes are
/// exactly what `eval --k n --order file` and `eval --stop … --order file`
/// measure on the same paths (eval's own computation); predicted values are
/// labelled so, lie in their intervals, and do not depend on the threads.
#[test]
fn weighted_methods_and_path_rules_are_measured_where_the_pilot_fixes_them() {
    let file = data();
    let methods = "pc,rpc,cisc:0.5,deepconf:mean:90,rp:0.3";
    let args = ["plan", &file, "--pilot", "8", "--n", "4,8,32", "--methods", methods, "--stop", "pc-gt:4", "--stop", "pc-gt:32", "--draws", "20", "--json"];
    let one = json(&pathconf(&[&["--threads", "1"][..], &args].concat()));
    let two = json(&pathconf(&[&["--threads", "2"][..], &args].concat()));
    assert_eq!(one, two);
    let rows = one["rows"].as_array().unwrap();
    let replay = json(&pathconf(&["eval", &file, "--methods", methods, "--k", "4,8", "--order", "file", "--json"]));
    let results = replay["results"].as_array().unwrap();
    let names = ["PC", "RPC", "CISC(T=0.5)", "DeepConf(mean,η=90)", "RP(τ=0.3)"];
    for (typed, name) in methods.split(',').zip(names) {
        for n in [4, 8, 32] {
            let row = rows.iter().find(|r| r["method"] == typed && r["n"] == n).unwrap_or_else(|| panic!("{typed} at {n}"));
            assert!(row["accuracy_low"].as_f64().unwrap() <= row["accuracy"].as_f64().unwrap() + 1e-9);
            assert!(row["accuracy"].as_f64().unwrap() <= row["accuracy_high"].as_f64().unwrap() + 1e-9);
            if n == 32 {
                assert_eq!(row["provenance"], "predicted", "{row}");
                continue;
            }
            let eval = results.iter().find(|r| r["method"] == name && r["k"] == n).unwrap()["accuracy"]["mean"].as_f64().unwrap();
            assert_eq!(row["provenance"], "measured", "{row}");
            assert!((row["accuracy"].as_f64().unwrap() - eval).abs() < 1e-9, "{typed} at {n}: {row} vs {eval}");
        }
    }
    let stops = stop_file(&["pc-gt:4"], &[]);
    let gt4 = rows.iter().find(|r| r["rule"] == "pc-gt:4").unwrap();
    let r = &stops["results"][0];
    assert_eq!(gt4["provenance"], "measured");
    assert!((gt4["accuracy"].as_f64().unwrap() - r["accuracy"].as_f64().unwrap()).abs() < 1e-9, "{gt4} vs {r}");
    assert!((gt4["expected_samples"].as_f64().unwrap() - r["mean_samples"].as_f64().unwrap()).abs() < 1e-9, "{gt4} vs {r}");
    let gt32 = rows.iter().find(|r| r["rule"] == "pc-gt:32").unwrap();
    assert_eq!(gt32["provenance"], "predicted");
    let s = gt32["expected_samples"].as_f64().unwrap();
    assert!(s > 8.0 && s <= 32.0, "{gt32}");
}

/// `eval --k K --order file` reads each question's first `K` paths: the same
/// report as `eval` on a copy of the file cut to those paths (one subset, so
/// a standard deviation of 0).
#[test]
fn eval_in_file_order_reads_the_first_k_paths() {
    let file = data();
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("first6.jsonl");
    let text: String = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            let paths = v["paths"].as_array().unwrap()[..6].to_vec();
            v["paths"] = Value::from(paths);
            format!("{v}\n")
        })
        .collect();
    std::fs::write(&cut, text).unwrap();
    let methods = "sc,pc,rpc,cisc:0.5";
    let first = json(&pathconf(&["eval", &file, "--methods", methods, "--k", "6", "--order", "file", "--json"]));
    let whole = json(&pathconf(&["eval", cut.to_str().unwrap(), "--methods", methods, "--json"]));
    let acc = |r: &Value| {
        r["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["method"].clone(), m["accuracy"]["mean"].as_f64().unwrap(), m["accuracy"]["std"].as_f64().unwrap()))
            .collect::<Vec<_>>()
    };
    assert_eq!(acc(&first), acc(&whole));
    assert_eq!(first["order"], "file");
    let random = json(&pathconf(&["eval", &file, "--methods", "pc", "--k", "6", "--json"]));
    assert_eq!(random["order"], "random");
    assert!(random["results"][0]["accuracy"]["std"].as_f64().unwrap() > 0.0);
}
