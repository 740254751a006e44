//! `eval` on a file read a chunk at a time (issue #36): the outcome is the
//! one the loaded file gives, bit for bit (the JSON compared as text), for
//! every method, `--k` with repeats, `--stop` replays in both orders and
//! `--per-question` (spilled to a file, printed as the loaded outcomes
//! print), at chunk sizes from one line to the whole file; and a bad record
//! is reported as the whole-file reader reports it.

use pathconf::api::eval::{eval_file, EvalOptions, EvalOutcome, EvalPlan, PerQuestion};
use pathconf::eval::formats::chunks::{for_each_part, reads_in_chunks, CHUNK_BYTES};
use pathconf::eval::formats::read;
use pathconf::eval::stopping::PathOrder;
use pathconf::progress::Quiet;
use pathconf::stopping::StopRule;
use std::path::{Path, PathBuf};

fn committed() -> String {
    std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/smollm2_paths.jsonl")).unwrap()
}

/// The committed records, question `i` keeping `paths(i)` of its 64 paths
/// and only the first `questions` of them.
fn variant(questions: usize, paths: impl Fn(usize) -> usize) -> String {
    committed()
        .lines()
        .take(questions)
        .enumerate()
        .map(|(i, line)| {
            let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
            v["paths"].as_array_mut().unwrap().truncate(paths(i));
            serde_json::to_string(&v).unwrap() + "\n"
        })
        .collect()
}

/// What `eval --json` prints, and the report as a value (to text).
fn printed(outcome: &EvalOutcome) -> (String, String) {
    let mut bytes = Vec::new();
    outcome.write_json(&mut bytes).unwrap();
    (String::from_utf8(bytes).unwrap(), serde_json::to_string(&outcome.to_json()).unwrap())
}

fn loaded(file: &Path, opts: &EvalOptions) -> (String, String) {
    let ds = read(file, None, None).unwrap();
    printed(&EvalPlan::new(&ds, opts).unwrap().run(&ds, &Quiet).unwrap())
}

/// Read in chunks: per-question outcomes are spilled to a file.
fn chunked(file: &Path, opts: &EvalOptions, chunk: usize) -> (String, String) {
    let (outcome, _) = eval_file(file, None, None, opts, chunk, &Quiet).unwrap();
    if opts.per_question && opts.stop.is_empty() {
        assert!(matches!(outcome, EvalOutcome::Methods { per_question: Some(PerQuestion::Spilled { .. }), .. }));
    }
    printed(&outcome)
}

fn options() -> Vec<(&'static str, EvalOptions)> {
    let base = EvalOptions::default;
    let methods = |m: &[&str]| Some(m.iter().map(|s| s.to_string()).collect());
    let rules = |r: &[&str]| r.iter().map(|s| s.parse::<StopRule>().unwrap()).collect::<Vec<_>>();
    vec![
        ("default methods", base()),
        (
            "methods over K, with repeats",
            EvalOptions {
                methods: methods(&["sc", "ppl", "pc", "rp", "rpc", "cisc:0.1", "deepconf:lowest:10"]),
                tau: Some(0.4),
                ks: vec![1, 3, 16, 64],
                repeats: 3,
                ..base()
            },
        ),
        ("per question", EvalOptions { methods: methods(&["sc", "pc", "self-certainty-borda"]), per_question: true, ..base() }),
        ("stop, random orders", EvalOptions { stop: rules(&["esc:5:40", "asc-beta:0.95:64", "fixed:16", "pc-gt"]), repeats: 3, per_question: true, ..base() }),
        ("stop, file order", EvalOptions { stop: rules(&["esc:4:16", "asc-dirichlet:0.9:32"]), order: PathOrder::File, per_question: true, ..base() }),
    ]
}

#[test]
fn chunked_equals_loaded_on_the_committed_records_and_ragged_variants() {
    let dir = tempfile::tempdir().unwrap();
    // Whole (64 paths each); ragged (1..=64 paths: the largest question comes
    // last, so the repeats a K needs are known only at the end); and every
    // question with at most 16 paths (K = 16, 64 then run one repeat).
    let files = [("committed.jsonl", variant(48, |_| 64)), ("ragged.jsonl", variant(64, |i| i + 1)), ("short.jsonl", variant(40, |i| 1 + (i * 7) % 16))];
    for (name, text) in files {
        let file = dir.path().join(name);
        std::fs::write(&file, &text).unwrap();
        assert!(reads_in_chunks(&file, None), "{name}");
        let lines = text.lines().count();
        for (what, opts) in options() {
            let want = loaded(&file, &opts);
            // One line per chunk, about seven lines, and the whole file.
            for chunk in [1, text.len() / lines * 7, CHUNK_BYTES] {
                assert_eq!(chunked(&file, &opts, chunk), want, "{name}, {what}, chunks of {chunk} bytes");
            }
        }
    }
}

#[test]
fn parts_are_the_loaded_questions_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("q.jsonl");
    let text = variant(30, |i| 1 + i % 5);
    std::fs::write(&file, format!("\n{}\n\n", text.replace('\n', "\n\n"))).unwrap(); // blank lines anywhere
    let ds = read(&file, None, None).unwrap();
    let mut seen = Vec::new();
    let mut firsts = Vec::new();
    let r = for_each_part::<pathconf::eval::ReadError>(&file, None, None, 500, &mut |part, _| {
        firsts.push(part.first);
        seen.extend_from_slice(part.questions);
        Ok(())
    })
    .unwrap();
    assert!(r.chunked && firsts.len() > 5);
    assert_eq!(seen, ds.questions);
    assert_eq!(firsts.iter().zip(firsts.iter().skip(1)).filter(|(a, b)| a >= b).count(), 0);
}

#[test]
fn a_bad_record_is_reported_as_the_loaded_file_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    let good = variant(12, |_| 3);
    let lines: Vec<&str> = good.lines().collect();
    let cases = [
        ("json.jsonl", {
            let mut l = lines.clone();
            l[9] = r#"{"id": "x", "answer": "1", "paths": [{"text": "a", "logprobs": [-Infinity]}]}"#;
            l.join("\n")
        }),
        ("field.jsonl", {
            let mut l = lines.clone();
            l[10] = r#"{"id": "x", "answer": "1", "paths": [{"text": "a", "logprobs": [0.5]}]}"#;
            l.join("\n")
        }),
        ("repeat.jsonl", {
            let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
            l[11] = l[1].clone();
            l.join("\n")
        }),
        ("empty.jsonl", "\n\n".to_string()),
    ];
    for (name, text) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, &text).unwrap();
        let want = read(&file, None, None).unwrap_err().to_string();
        let got = eval_file(&file, None, None, &EvalOptions::default(), 300, &Quiet).unwrap_err().to_string();
        assert_eq!(got, want, "{name}");
        assert!(got.contains(name), "{got}");
    }
}
