//! Stopping rules: their decisions on hand-made sequences, and `eval --stop`
//! on a file whose outcomes are known in file order (answers-only, so the
//! count-based rules need nothing else).

use pathconf::stopping::{replay, StopRule};
use serde_json::Value;
use std::process::Command;

fn rule(s: &str) -> StopRule {
    s.parse().unwrap()
}

#[test]
fn rules_stop_where_their_definitions_say() {
    let correct = [true, false, false];
    // Unanimous samples: the Beta rule (T = 0.95) stops at n = 4, since
    // P = 1 − 2^{−(n+1)} first reaches 0.95 there.
    let s = replay(&rule("asc-beta:0.95"), &[0; 40], &correct);
    assert_eq!((s.used, s.credit), (4, 1.0));
    // 3 vs 1 is not enough (P = 1 − I_½(4, 2) = 0.8125); 5 vs 0 after a split start is.
    let s = replay(&rule("asc-beta:0.95"), &[0, 1, 0, 0, 0, 0, 0, 0], &correct);
    assert_eq!(s.used, 7, "a, b = 6, 1: P = 1 − I_½(7, 2) = 0.9648");
    // ESC checks only whole windows; the window's answer or the plurality.
    let seq = [1, 1, 0, 0, 0, 2, 0, 0, 0, 1, 1, 1];
    assert_eq!(replay(&rule("esc:3:12"), &seq, &correct).used, 9, "windows (1,1,0), (0,0,2), (0,0,0)");
    let s = replay(&rule("esc:3:12"), &[1, 1, 1, 0, 0, 0], &correct);
    assert_eq!((s.used, s.credit), (3, 0.0));
    // No unanimous window: the plurality of all L samples, ties split.
    let s = replay(&rule("esc:2:4"), &[0, 1, 1, 0], &correct);
    assert_eq!((s.used, s.credit), (4, 0.5));
    // The window's answer vs the plurality of everything so far.
    let seq = [0, 1, 0, 2, 0, 1, 1, 1];
    // Windows (0,1,0,2), (0,1,1,1): neither unanimous; the plurality of all 8 is 1 (4 vs 3).
    assert_eq!(replay(&rule("esc:4:8"), &seq, &correct).credit, 0.0);
    let seq = [0, 0, 2, 0, 1, 1];
    let w = replay(&rule("esc:2:6"), &seq, &correct);
    let m = replay(&rule("esc:2:6:majority"), &seq, &correct);
    assert_eq!((w.used, w.credit), (2, 1.0));
    assert_eq!((m.used, m.credit), (2, 1.0));
    let seq = [1, 0, 0, 1, 1, 0];
    let (w, m) = (replay(&rule("esc:2:6"), &seq, &correct), replay(&rule("esc:2:6:majority"), &seq, &correct));
    assert_eq!((w.used, w.credit, m.used, m.credit), (6, 0.5, 6, 0.5));
    let seq = [0, 0, 0, 1, 1, 1, 1];
    let (w, m) = (replay(&rule("esc:3:6"), &seq, &correct), replay(&rule("esc:3:6:majority"), &seq, &correct));
    assert_eq!((w.used, w.credit), (3, 1.0));
    assert_eq!((m.used, m.credit), (3, 1.0));
    let seq = [0, 1, 0, 1, 1, 1];
    let (w, m) = (replay(&rule("esc:3:6"), &seq, &correct), replay(&rule("esc:3:6:majority"), &seq, &correct));
    assert_eq!((w.used, w.credit), (6, 0.0), "window (1,1,1) answers 1");
    assert_eq!((m.used, m.credit), (6, 0.0), "plurality 1: 4 vs 0: 2");
    // A shorter sequence than the cap: the rule answers from all of it.
    assert_eq!(replay(&rule("fixed:10"), &[0, 1, 1], &correct).used, 3);
}

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
