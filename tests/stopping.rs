//! `eval --stop` on a file whose outcomes are known in file order
//! (answers-only, so the count-based rules need nothing else). The rules
//! themselves are tested beside them (crates/pathconf-core/tests/stopping.rs).

use serde_json::Value;
use std::process::Command;

#[test]
fn eval_stop_replays_file_order_exactly_and_random_orders_deterministically() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("answers.jsonl");
    // q0: five 4s then others — Beta stops at 4, right; ESC (2 × 6) stops at 2, right.
    // q1: 8, 7, 8, 8, 8, 8 with truth 7 — Beta never stops early ((5, 1) at n = 6 gives
    // P = 1 − I_½(6, 2) = 0.9375 < 0.95), so it uses all 6 and answers 8: wrong.
    let paths = |xs: &[&str]| xs.iter().map(|a| format!("{{\"answer\": \"{a}\"}}")).collect::<Vec<_>>().join(", ");
    let text = format!(
        "{{\"id\": \"q0\", \"answer\": \"4\", \"paths\": [{}]}}\n{{\"id\": \"q1\", \"answer\": \"7\", \"paths\": [{}]}}\n",
        paths(&["4", "4", "4", "4", "4", "5"]),
        paths(&["8", "7", "8", "8", "8", "8"])
    );
    std::fs::write(&file, text).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["eval", file.to_str().unwrap(), "--stop", "asc-beta:0.95", "--stop", "esc:2:6", "--json"];
        args.extend_from_slice(extra);
        let o = Command::new(env!("CARGO_BIN_EXE_pathconf")).args(&args).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice::<Value>(&o.stdout).unwrap()
    };
    let v = run(&["--order", "file"]);
    let r = &v["results"];
    assert_eq!(r[0]["rule"], "asc-beta:0.95:40");
    assert_eq!((r[0]["accuracy"].as_f64().unwrap(), r[0]["mean_samples"].as_f64().unwrap()), (50.0, 5.0));
    // ESC on q1: windows (8,7), (8,8) → stops at 4 with 8: wrong.
    assert_eq!((r[1]["accuracy"].as_f64().unwrap(), r[1]["mean_samples"].as_f64().unwrap()), (50.0, 3.0));
    // Fixed budgets on the same order: fixed:1 is already 50% accurate here.
    assert_eq!(v["saved"][0]["fixed_equivalent"], 1);
    let a = run(&["--order", "random", "--repeats", "7", "--seed", "3"]);
    assert_eq!(a, run(&["--order", "random", "--repeats", "7", "--seed", "3", "--threads", "1"]));
    assert_eq!(a["repeats"], 7);
}
