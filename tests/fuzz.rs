//! Seeded fuzzing of the file readers (issue #36, item 1), on the stable
//! toolchain: every prefix of a small valid file (truncation at every byte),
//! then seeded byte-level and structured mutations — type swaps, nulls, huge,
//! tiny and non-finite numbers, deep nesting, invalid UTF-8, duplicate keys,
//! long arrays. Every case must return (no panic) and, when it is an error,
//! name the file. `PATHCONF_FUZZ_CASES` sets the mutations per reader (CI:
//! 2,000; the long run of README: 100,000); the seed is fixed (`FUZZ_SEED`).
//! Also: the chunked reader against the whole-file reader on the same
//! inputs, answers files, the server responses `sample --endpoint` parses,
//! and the CLI itself on a sample of the cases (exit status, message, no
//! `--out` written).

use pathconf::eval::formats::{read, Format};
use pathconf::spec::{read_population, read_spec};
use rand::Rng;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

const FUZZ_SEED: u64 = 20261206;

/// Words by which a refusal says where in the input it is (or that it is
/// about the input as a whole).
const LOCATED: [&str; 11] = [
    "line ",
    "question ",
    "offset ",
    "field",
    "choice ",
    "column ",
    "token",
    "cannot tell the format",
    "no questions in the file",
    "no records in the file",
    "log-probabilities for",
];

fn cases() -> usize {
    std::env::var("PATHCONF_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000)
}

/// Replacements for a JSON value's text.
const VALUES: [&str; 16] = [
    "null",
    "1e400",
    "-1e400",
    "1e-320",
    "-0",
    "NaN",
    "\"NaN\"",
    "Infinity",
    "-Infinity",
    "18446744073709551616",
    "\"x\"",
    "[]",
    "{}",
    "true",
    "\"\"",
    "[[[[[[[[[[1]]]]]]]]]]",
];

/// One mutation of `text` (bytes: the result may not be UTF-8).
fn mutate(text: &[u8], rng: &mut impl Rng) -> Vec<u8> {
    let mut t = text.to_vec();
    let pos = |rng: &mut dyn rand::RngCore, len: usize| if len == 0 { 0 } else { rng.random_range(0..len) };
    match rng.random_range(0..9) {
        // A random byte changed, inserted or deleted.
        0 => {
            let i = pos(rng, t.len());
            if i < t.len() {
                t[i] = rng.random();
            }
        }
        1 => {
            let i = pos(rng, t.len());
            t.insert(i, rng.random());
        }
        2 => {
            let i = pos(rng, t.len());
            if i < t.len() {
                t.remove(i);
            }
        }
        // A number, string or literal replaced by another kind of value.
        3 | 4 => {
            let starts: Vec<usize> = (0..t.len())
                .filter(|&i| matches!(t[i], b'0'..=b'9' | b'"' | b'-' | b't' | b'f' | b'n') && (i == 0 || matches!(t[i - 1], b':' | b'[' | b',' | b' ')))
                .collect();
            if let Some(&s) = starts.get(pos(rng, starts.len())) {
                let end = if t[s] == b'"' {
                    t[s + 1..].iter().position(|&c| c == b'"').map_or(t.len(), |e| s + e + 2)
                } else {
                    t[s..].iter().position(|c| matches!(c, b',' | b']' | b'}')).map_or(t.len(), |e| s + e)
                };
                let v = VALUES[rng.random_range(0..VALUES.len())];
                t.splice(s..end.min(t.len()), v.bytes());
            }
        }
        // Deep nesting around the whole text.
        5 => {
            let depth = rng.random_range(100..5000);
            let mut n = vec![b'['; depth];
            n.extend_from_slice(&t);
            n.extend(std::iter::repeat_n(b']', depth));
            t = n;
        }
        // Invalid UTF-8.
        6 => {
            let i = pos(rng, t.len());
            t.splice(i..i, [0xff, 0xfe, 0xc3]);
        }
        // A `"key":` duplicated in place (`"key": "key": …` or a repeated member).
        7 => {
            let keys: Vec<usize> =
                (0..t.len().saturating_sub(1)).filter(|&i| t[i] == b'"' && t[i + 1..].iter().take(40).position(|&c| c == b':').is_some()).collect();
            if let Some(&s) = keys.get(pos(rng, keys.len())) {
                if let Some(e) = t[s..].iter().position(|&c| c == b',') {
                    let member: Vec<u8> = t[s..=s + e].to_vec();
                    t.splice(s..s, member);
                }
            }
        }
        // A long array in place of an opening bracket's first element.
        _ => {
            let opens: Vec<usize> = (0..t.len()).filter(|&i| t[i] == b'[').collect();
            if let Some(&s) = opens.get(pos(rng, opens.len())) {
                let long: Vec<u8> = std::iter::repeat_n(&b"0.5,"[..], rng.random_range(1000..20_000)).flatten().copied().collect();
                t.splice(s + 1..s + 1, long);
            }
        }
    }
    t
}

/// Every prefix of `valid`, then `cases` chains of mutations (seeded by
/// `label`).
fn inputs(label: &str, valid: &[u8], cases: usize) -> Vec<Vec<u8>> {
    let mut rng = pathconf::seed::rng(FUZZ_SEED, &[pathconf::seed::tag(label)]);
    let mut inputs: Vec<Vec<u8>> = (0..valid.len()).map(|k| valid[..k].to_vec()).collect();
    let mut current = valid.to_vec();
    for i in 0..cases {
        // Chains of up to three mutations, restarting from the valid file every 16.
        if i % 16 == 0 {
            current = valid.to_vec();
        }
        current = mutate(&current, &mut rng);
        if current.len() > 4_000_000 {
            current = valid.to_vec();
        }
        inputs.push(current.clone());
    }
    inputs
}

/// Runs `parse` on every prefix of `valid` and on `cases()` mutations; a
/// panic fails the test, an error must name `name`. Returns (cases, errors,
/// slowest case).
fn fuzz(label: &str, valid: &[u8], name: &str, parse: &dyn Fn(&[u8]) -> Result<(), String>) -> (usize, usize, Duration) {
    let inputs = inputs(label, valid, cases());
    let (mut errors, mut slowest) = (0, Duration::ZERO);
    for (i, input) in inputs.iter().enumerate() {
        let start = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| parse(input)));
        slowest = slowest.max(start.elapsed());
        match outcome {
            Err(_) => panic!("{label}: case {i} panicked; input (first 300 bytes): {:?}", String::from_utf8_lossy(&input[..input.len().min(300)])),
            Ok(Err(message)) => {
                errors += 1;
                assert!(message.contains(name), "{label}: case {i}: the error does not name the file: {message}");
                assert!(LOCATED.iter().any(|w| message.contains(w)), "{label}: case {i}: the error does not say where: {message}");
            }
            Ok(Ok(())) => {}
        }
    }
    (inputs.len(), errors, slowest)
}

fn file_reader(dir: &Path, format: Option<Format>) -> impl Fn(&[u8]) -> Result<(), String> + '_ {
    move |bytes: &[u8]| {
        let path = dir.join("input.data");
        std::fs::write(&path, bytes).unwrap();
        read(&path, format, None).map(|_| ()).map_err(|e| e.to_string())
    }
}

fn report(label: &str, (cases, errors, slowest): (usize, usize, Duration)) {
    eprintln!("{label}: {cases} cases, {errors} refused (naming the file, where there is one), 0 panics; slowest case {slowest:?}");
}

/// The first `records` committed records, each cut to two paths of three
/// tokens (with the derived fields that agree).
fn small_jsonl(records: usize) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/smollm2_paths.jsonl"))
        .unwrap()
        .lines()
        .take(records)
        .map(|l| {
            // Each record, its paths cut to two and its logprobs to three tokens.
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            let paths = v["paths"].as_array_mut().unwrap();
            paths.truncate(2);
            for p in paths.iter_mut() {
                let o = p.as_object_mut().unwrap();
                o.remove("token_confidence");
                let lp: Vec<f64> = o["logprobs"].as_array().unwrap().iter().take(3).map(|x| x.as_f64().unwrap()).collect();
                o.insert("logprob_sum".into(), lp.iter().sum::<f64>().into());
                o.insert("mean_logprob".into(), (lp.iter().sum::<f64>() / 3.0).into());
                o.insert("n_tokens".into(), 3.into());
                o.insert("logprobs".into(), lp.into());
            }
            v.to_string() + "\n"
        })
        .collect()
}

#[test]
fn paths_readers_never_panic_and_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    // Small valid files of each format.
    let rpc = r#"{"predict": [["12", "12", "7"], ["3", "5"]], "completion": [["a 12", "b 12", "c 7"], ["x 3", "y 5"]], "mean_logprob": [[-0.1, -0.2, -0.9], [-0.4, -0.3]], "answer": ["12", "5"]}"#;
    let jsonl = small_jsonl(2);
    let openai = "{\"id\": \"q1\", \"answer\": \"12\", \"choices\": [{\"message\": {\"content\": \"so 12\"}, \"logprobs\": {\"content\": [{\"logprob\": -0.1, \"top_logprobs\": [{\"logprob\": -0.1}, {\"logprob\": -2.5}]}]}}, {\"message\": {\"content\": \"so 7\"}, \"logprobs\": null}]}\n";
    for (label, text, format) in [
        ("rpc-json", rpc.to_string(), Some(Format::RpcJson)),
        ("jsonl", jsonl, Some(Format::Jsonl)),
        ("openai", openai.to_string(), Some(Format::Openai)),
        ("detected", rpc.to_string(), None),
    ] {
        assert!(file_reader(dir.path(), format)(text.as_bytes()).is_ok(), "{label}: the valid file must read");
        report(label, fuzz(label, text.as_bytes(), "input.data", &file_reader(dir.path(), format)));
    }
}

#[test]
fn spec_and_population_readers_never_panic_and_name_the_file() {
    let spec = r#"{"correct": "A", "answers": {"A": [0.2, 0.1], "B": [0.3], "C": [0.4]}, "tau": 0.15}"#;
    let population = r#"{"questions": [{"weight": 2, "correct": "A", "answers": {"A": [0.6], "B": [0.4]}}, {"correct": "B", "answers": {"A": [0.5], "B": [0.3, 0.2]}}], "tau": 0.1}"#;
    let generated = r#"{"generated": {"questions": 30, "seed": 7, "difficulty_a": 2, "difficulty_b": 2, "wrong_answers": 4, "paths_per_answer": 8}}"#;
    let dir = tempfile::tempdir().unwrap();
    let name = dir.path().join("fuzzed-spec.json");
    let spec_parse = |b: &[u8]| {
        std::fs::write(&name, b).unwrap();
        read_spec(&name).map(|_| ()).map_err(|e| e.to_string())
    };
    let population_parse = |b: &[u8]| {
        std::fs::write(&name, b).unwrap();
        read_population(&name).map(|_| ()).map_err(|e| e.to_string())
    };
    assert!(spec_parse(spec.as_bytes()).is_ok() && population_parse(population.as_bytes()).is_ok() && population_parse(generated.as_bytes()).is_ok());
    report("spec", fuzz("spec", spec.as_bytes(), "fuzzed-spec.json", &spec_parse));
    report("population", fuzz("population", population.as_bytes(), "fuzzed-spec.json", &population_parse));
    report("generated population", fuzz("generated population", generated.as_bytes(), "fuzzed-spec.json", &population_parse));
}

/// The chunked reader (`eval` on line formats) reads what the whole-file
/// reader reads: the same questions, or an error where it errs. On a refusal
/// the messages are the same, but for a file that is not UTF-8 past a bad
/// record (the whole-file reader checks the encoding first; the chunked one
/// meets the bad record first): there both name the file.
#[test]
fn chunked_reading_agrees_with_whole_file_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.jsonl");
    let valid = small_jsonl(6);
    let mut agreed = (0, 0);
    for (i, input) in inputs("chunked", valid.as_bytes(), cases()).iter().enumerate() {
        std::fs::write(&path, input).unwrap();
        let whole = read(&path, None, None);
        let mut chunked = Vec::new();
        // Chunks of about one record.
        let got = pathconf::eval::formats::chunks::for_each_part::<pathconf::eval::ReadError>(&path, None, None, 200, &mut |part, _| {
            chunked.extend_from_slice(part.questions);
            Ok(())
        });
        match (whole, got) {
            (Ok(ds), Ok(_)) => {
                assert_eq!(ds.questions, chunked, "case {i}");
                agreed.0 += 1;
            }
            (Err(w), Err(c)) => {
                let (w, c) = (w.to_string(), c.to_string());
                assert!(w == c || w.contains("not UTF-8"), "case {i}: whole-file {w:?}, chunked {c:?}");
                assert!(c.contains("input.jsonl"), "case {i}: {c}");
                agreed.1 += 1;
            }
            (w, c) => panic!("case {i}: whole-file {:?}, chunked {:?}", w.map(|d| d.questions.len()), c.map(|_| ())),
        }
    }
    eprintln!("chunked vs whole: {} read alike, {} refused alike", agreed.0, agreed.1);
    assert!(agreed.0 > 10 && agreed.1 > 100);
}

#[test]
fn answers_files_and_server_responses_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("answers.data");
    let answers_reader = |bytes: &[u8]| {
        std::fs::write(&path, bytes).unwrap();
        pathconf::eval::formats::read_answers(&path).map(|_| ()).map_err(|e| e.to_string())
    };
    for (label, text) in [
        ("answers jsonl", "{\"id\": \"q1\", \"answer\": \"12\"}\n{\"id\": \"q2\", \"answer\": 7}\n"),
        ("answers object", "{\"q1\": \"12\", \"q2\": 7}"),
        ("answers array", "[\"12\", 7, \"x\"]"),
    ] {
        assert!(answers_reader(text.as_bytes()).is_ok(), "{label}");
        report(label, fuzz(label, text.as_bytes(), "answers.data", &answers_reader));
    }
    // Server responses carry no file name: an error says what is wrong.
    use pathconf_client::choice::{parse_chat, parse_completion};
    let chat = r#"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"so 12"},"logprobs":{"content":[{"token":"so","logprob":-0.1,"top_logprobs":[{"token":"so","logprob":-0.1},{"token":"a","logprob":-3.0}]},{"token":" 12","logprob":-0.5,"top_logprobs":[{"token":" 12","logprob":-0.5}]}]},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}"#;
    let legacy = r#"{"id":"x","object":"text_completion","choices":[{"index":0,"text":"so 12","logprobs":{"tokens":["so"," 12"],"token_logprobs":[-0.1,-0.5],"top_logprobs":[{"so":-0.1},{" 12":-0.5}]},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}"#;
    let response = |parse: fn(&str) -> Result<pathconf_client::choice::Completion, pathconf_client::choice::ShapeError>| {
        move |bytes: &[u8]| {
            let text = String::from_utf8(bytes.to_vec()).map_err(|e| format!("not UTF-8 (invalid byte at offset {})", e.utf8_error().valid_up_to()))?;
            let mut c = parse(&text).map_err(|e| e.to_string())?;
            c.settle(1, false).map_err(|e| e.to_string())
        }
    };
    for (label, body, parse) in [("chat response", chat, parse_chat as fn(&str) -> _), ("completion response", legacy, parse_completion)] {
        let check = response(parse);
        assert!(check(body.as_bytes()).is_ok(), "{label}: {:?}", check(body.as_bytes()));
        report(label, fuzz(label, body.as_bytes(), "", &check));
    }
}

/// The CLI on a sample of the mutated files (`eval` and `plan` with
/// `--out`, `theory` on specs): exit status 0 or 2 (never a panic's 101), a
/// refusal names the file on stderr, prints nothing on stdout and leaves no
/// `--out` file.
#[test]
fn cli_refuses_bad_files_with_status_2_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let spec = r#"{"correct": "A", "answers": {"A": [0.2, 0.1], "B": [0.3], "C": [0.4]}, "tau": 0.15}"#;
    let commands: [(&str, String, &[&str], bool); 3] = [
        ("input.jsonl", small_jsonl(3), &["eval", "{}", "--methods", "sc,pc", "--json", "--out", "{out}"], true),
        ("pilot.jsonl", small_jsonl(3), &["plan", "{}", "--pilot", "1", "--n", "1,4", "--draws", "20", "--out", "{out}"], true),
        ("spec.json", spec.to_string(), &["theory", "--spec", "{}", "--n", "1,4"], false),
    ];
    for (name, valid, args, writes) in commands {
        let input = dir.path().join(name);
        let all = inputs(name, valid.as_bytes(), (cases() / 20).max(50));
        let mut refused = 0;
        // Every 7th case: the prefixes alone are most of the list.
        for (i, bytes) in all.iter().enumerate().filter(|(i, _)| i % 7 == 0) {
            std::fs::write(&input, bytes).unwrap();
            let _ = std::fs::remove_file(&out);
            let argv: Vec<String> = args.iter().map(|a| a.replace("{}", input.to_str().unwrap()).replace("{out}", out.to_str().unwrap())).collect();
            let o = std::process::Command::new(env!("CARGO_BIN_EXE_pathconf")).args(&argv).output().unwrap();
            let stderr = String::from_utf8_lossy(&o.stderr);
            match o.status.code() {
                Some(0) => assert!(!writes || out.exists(), "{name} case {i}: exit 0 without --out"),
                Some(2) => {
                    refused += 1;
                    assert!(stderr.contains(name), "{name} case {i}: {stderr}");
                    assert!(o.stdout.is_empty() && !out.exists(), "{name} case {i}: output written on failure");
                }
                other => panic!("{name} case {i}: exit status {other:?}: {stderr}"),
            }
        }
        eprintln!("cli {}: {refused} refused with status 2", args[0]);
        assert!(refused > 10, "{name}");
    }
}
