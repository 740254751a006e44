//! `pathconf serve` and `pathconf sample --endpoint` end to end: a server
//! started by the test on a free loopback port (the tiny model), sampled
//! with stopping rules online, the file replayed by `eval --stop --order
//! file`, a killed run resumed, and the API's errors.
//!
//! Deterministic: every request carries a seed and the server decodes each
//! choice with its own seeded generator, so nothing here is statistical.

mod common;

use common::{json_lines, ok, pathconf};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `pathconf serve` child on a free loopback port, killed on drop.
struct Server {
    child: Child,
    url: String,
}

/// Held while a server starts: the first start may train the tiny model
/// into the cache, and the next one then loads it instead of training too.
static STARTING: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Server {
    fn start() -> Self {
        let _one_at_a_time = STARTING.lock().unwrap_or_else(|e| e.into_inner());
        let mut child = Command::new(env!("CARGO_BIN_EXE_pathconf"))
            .args(["serve", "--model", "tiny", "--port", "0", "--workers", "4"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("pathconf serve starts");
        // The first use may train the tiny model (minutes); then it prints
        // `listening on http://HOST:PORT`. Bounded wait.
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(900)).expect("the server says where it listens within 15 minutes");
        let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("unexpected first line {line:?}")).to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Twelve sums, easy to hard, with their answers.
fn questions(dir: &Path) -> std::path::PathBuf {
    let q = dir.join("q.jsonl");
    let text: String = [(1, 2, 3), (9, 9, 9), (4, 5, 6), (7, 8, 9), (0, 0, 1), (5, 5, 5), (2, 7, 9), (8, 3, 6), (6, 6, 0), (9, 1, 8), (3, 3, 3), (7, 0, 4)]
        .iter()
        .enumerate()
        .map(|(i, (a, b, c))| format!("{{\"id\": \"s{i}\", \"question\": \"{a} + {b} + {c} =\", \"answer\": \"{}\"}}\n", a + b + c))
        .collect();
    std::fs::write(&q, text).unwrap();
    q
}

fn sample_args<'a>(url: &'a str, q: &'a str, out: &'a str, rule: &'a str) -> Vec<&'a str> {
    vec![
        "sample",
        "--endpoint",
        url,
        "--model",
        "tiny",
        "--questions",
        q,
        "--out",
        out,
        "--n",
        "16",
        "--stop",
        rule,
        "--temperature",
        "1",
        "--top-p",
        "1",
        "--concurrency",
        "3",
        "--seed",
        "7",
        "--max-new-tokens",
        "16",
        "--prompt-template",
        "{question}",
    ]
}

/// `(id, draw) → text` of the draws a rule read (not overshoot).
fn used_draws(path: &Path) -> std::collections::BTreeMap<(String, u64), String> {
    json_lines(path)[1..]
        .iter()
        .filter(|d| d["overshoot"] == false)
        .map(|d| ((d["id"].as_str().unwrap().to_string(), d["draw"].as_u64().unwrap()), d["text"].as_str().unwrap().to_string()))
        .collect()
}

/// The summary per question of the run that wrote `out`, checked against
/// the replay of the same file: every question stops at the same draw, with
/// the same credit and answer.
fn same_stops_as_the_replay(out: &Path, rule: &str) -> Vec<serde_json::Value> {
    let name = out.file_name().unwrap().to_str().unwrap().strip_suffix(".jsonl").unwrap();
    let summary = json_lines(&out.with_file_name(format!("{name}.summary.jsonl")));
    assert_eq!(summary.len(), 12);
    let replay: serde_json::Value =
        serde_json::from_str(&ok(&pathconf(&["eval", out.to_str().unwrap(), "--stop", rule, "--order", "file", "--per-question", "--json"]))).unwrap();
    let per_q = replay["per_question"].as_array().unwrap();
    assert_eq!(per_q.len(), 12, "{rule}");
    for s in &summary {
        let r = per_q.iter().find(|r| r["id"] == s["id"]).unwrap();
        assert_eq!(s["samples"].as_f64(), r["samples"].as_f64(), "{rule}: question {} stops at the same draw online and in the replay", s["id"]);
        assert_eq!(s["correct"].as_f64(), r["correct"].as_f64(), "{rule}: question {}", s["id"]);
        assert_eq!(s["answer"], r["answer"], "{rule}: question {}", s["id"]);
    }
    summary
}

#[test]
fn online_stops_equal_the_replay_and_a_resumed_run_writes_the_same_draws() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let q = questions(dir.path());
    let qs = q.to_str().unwrap();
    for rule in ["esc:4:16", "asc-beta:0.9:16", "pc-certify:16", "fixed:5"] {
        let out = dir.path().join(format!("{}.jsonl", rule.replace(':', "_")));
        let outs = out.to_str().unwrap();
        let table = ok(&pathconf(&[sample_args(&server.url, qs, outs, rule), vec!["--methods", "sc,pc"]].concat()));
        assert!(table.contains("log-probabilities processed") && table.contains("accuracy (measured"), "{table}");
        // The stream file: a header saying processed, then draws.
        let all = json_lines(&out);
        assert_eq!((all[0]["pathconf"].as_str(), all[0]["logprob_kind"].as_str()), (Some("sample-stream"), Some("processed")));
        // What was sent, and what the server said of itself.
        assert_eq!((all[0]["settings"]["request"]["sampling"]["temperature"].as_f64(), all[0]["settings"]["stop"].as_str()), (Some(1.0), Some(rule)));
        assert_eq!(all[0]["settings"]["server"]["data"][0]["id"], "tiny");
        let summary = same_stops_as_the_replay(&out, rule);
        if rule == "fixed:5" {
            assert!(summary.iter().all(|s| s["samples"] == 5 && s["overshoot"] == 0));
        }
        if rule == "esc:4:16" {
            // Easy sums stop at the first window; the file holds no more
            // non-overshoot draws than the rule read.
            assert!(summary.iter().any(|s| s["samples"] == 4));
            for s in &summary {
                let id = s["id"].as_str().unwrap();
                let n = used_draws(&out).keys().filter(|k| k.0 == id).count();
                assert_eq!(n as u64, s["samples"].as_u64().unwrap());
            }
        }
    }

    // Two servers of the same model, requests in turn: the same draws as
    // one (each draw's seed is its own, whichever server answers it).
    let second = Server::start();
    let two = dir.path().join("two.jsonl");
    ok(&pathconf(&[sample_args(&server.url, qs, two.to_str().unwrap(), "esc:4:16"), vec!["--endpoint", &second.url]].concat()));
    assert_eq!(json_lines(&two)[0]["settings"]["endpoint"], serde_json::json!([server.url, second.url]));
    assert_eq!(used_draws(&two), used_draws(&dir.path().join("esc_4_16.jsonl")));

    // A run killed part-way (the file cut after some draws, the last line
    // half-written) and resumed writes the draws the uninterrupted run wrote.
    let full = dir.path().join("esc_4_16.jsonl");
    let text = std::fs::read_to_string(&full).unwrap();
    let cut: Vec<&str> = text.lines().collect();
    let keep = cut.len() / 3;
    let mut partial = cut[..keep].join("\n");
    partial.push('\n');
    partial.push_str(&cut[keep][..cut[keep].len() / 2]);
    let resumed = dir.path().join("resumed.jsonl");
    std::fs::write(&resumed, partial).unwrap();
    let rs = resumed.to_str().unwrap();
    // Without --resume an existing file is refused.
    let refused = pathconf(&sample_args(&server.url, qs, rs, "esc:4:16"));
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--resume"));
    ok(&pathconf(&[sample_args(&server.url, qs, rs, "esc:4:16"), vec!["--resume"]].concat()));
    assert_eq!(used_draws(&resumed), used_draws(&full));
    // Other settings are refused on resume.
    let other = pathconf(&[sample_args(&server.url, qs, rs, "esc:4:12"), vec!["--resume"]].concat());
    assert_eq!(other.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&other.stderr).contains("stop"), "{}", String::from_utf8_lossy(&other.stderr));
}

#[test]
fn several_draws_per_request_stop_as_the_replay_resume_a_cut_request_and_price_fixed_budgets() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let q = questions(dir.path());
    let qs = q.to_str().unwrap();
    for (rule, k) in [("asc-beta:0.9:16", "4"), ("fixed:16", "5")] {
        let out = dir.path().join(format!("{}.jsonl", rule.replace(':', "_")));
        let outs = out.to_str().unwrap();
        let table = ok(&pathconf(&[sample_args(&server.url, qs, outs, rule), vec!["--choices-per-request", k]].concat()));
        assert!(table.contains(&format!("{k} draws each")), "{table}");
        let all = json_lines(&out);
        assert_eq!(all[0]["settings"]["choices_per_request"].as_u64(), Some(k.parse().unwrap()));
        // Every draw names its request; a request holds at most k draws.
        let k: usize = k.parse().unwrap();
        for d in &all[1..] {
            let (first, choices, draw) = (d["request"]["first"].as_u64().unwrap(), d["request"]["choices"].as_u64().unwrap(), d["draw"].as_u64().unwrap());
            assert!(first <= draw && draw < first + choices && choices as usize <= k, "{d}");
        }
        let requests = all[1..].iter().filter(|d| d["request"]["first"] == d["draw"]).count();
        assert!(table.contains(&format!("{} draws in {requests} requests", all.len() - 1)), "{table}");
        assert!(requests < all.len() - 1);
        same_stops_as_the_replay(&out, rule);
    }

    // Fixed budgets priced from the run's own draws: the smallest as
    // accurate as fixed:16 by the replay of each budget, and its tokens
    // (each question's first k draws) from the file.
    let fixed = dir.path().join("fixed_16.jsonl");
    let fs = fixed.to_str().unwrap();
    let accuracy = |rule: &str| -> f64 {
        let v: serde_json::Value = serde_json::from_str(&ok(&pathconf(&["eval", fs, "--stop", rule, "--order", "file", "--json"]))).unwrap();
        v["results"][0]["accuracy"].as_f64().unwrap()
    };
    let full = accuracy("fixed:16");
    let e = (1..=16).find(|k| accuracy(&format!("fixed:{k}")) >= full - 1e-9).unwrap();
    let draws = json_lines(&fixed);
    let tokens: u64 = draws[1..].iter().filter(|d| d["draw"].as_u64().unwrap() < e as u64).map(|d| d["n_tokens"].as_u64().unwrap()).sum();
    let all: u64 = draws[1..].iter().map(|d| d["n_tokens"].as_u64().unwrap()).sum();
    let table = ok(&pathconf(&[sample_args(&server.url, qs, fs, "fixed:16"), vec!["--choices-per-request", "5", "--resume"]].concat()));
    assert!(table.contains(&format!("fixed:{e} is the smallest as accurate")), "{table}");
    assert!(table.contains(&format!("{tokens} completion tokens against the rule's {all}")), "{table}");

    // A run killed inside a request (some of its draws written, the rest
    // not) and resumed asks that request again and keeps what it lacks:
    // the same draws as the uninterrupted run.
    let full = dir.path().join("asc-beta_0.9_16.jsonl");
    let text = std::fs::read_to_string(&full).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let inside = (lines.len() / 2..lines.len())
        .find(|&i| {
            let d: serde_json::Value = serde_json::from_str(lines[i]).unwrap();
            d["overshoot"] == false && d["request"]["first"] != d["draw"]
        })
        .expect("a request of several draws past the middle");
    let resumed = dir.path().join("cut.jsonl");
    std::fs::write(&resumed, lines[..inside].join("\n") + "\n").unwrap();
    ok(&pathconf(&[sample_args(&server.url, qs, resumed.to_str().unwrap(), "asc-beta:0.9:16"), vec!["--choices-per-request", "4", "--resume"]].concat()));
    assert_eq!(used_draws(&resumed), used_draws(&full));
    // No draw written twice (eval refuses a repeated (id, draw)).
    ok(&pathconf(&["eval", resumed.to_str().unwrap()]));
}

fn post(url: &str, path: &str, body: &str) -> (u16, serde_json::Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(60))).build().into();
    let mut r = agent.post(&format!("{url}{path}")).header("Content-Type", "application/json").send(body.as_bytes()).unwrap();
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap();
    (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON body: {text}")))
}

fn get(url: &str, path: &str) -> (u16, serde_json::Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(60))).build().into();
    let mut r = agent.get(&format!("{url}{path}")).call().unwrap();
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap();
    (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON body: {text}")))
}

#[test]
fn the_api_answers_with_processed_logprobs_deterministically_and_errors_in_openai_shape() {
    let server = Server::start();
    // Both models batch what is in flight, and say how; eight concurrent
    // requests answer exactly as each does alone.
    let tiny = |i: usize| {
        format!(
            r#"{{"model": "tiny", "prompt": "{} + {} + {} =", "temperature": 1.0, "top_p": 1.0, "max_tokens": 16, "n": {}, "seed": {i}, "logprobs": 1}}"#,
            i % 10,
            (3 * i) % 10,
            (7 * i + 1) % 10,
            1 + i % 3
        )
    };
    let alone: Vec<serde_json::Value> = (0..8).map(|i| post(&server.url, "/v1/completions", &tiny(i)).1["choices"].clone()).collect();
    let together: Vec<serde_json::Value> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let (url, body) = (server.url.clone(), tiny(i));
                s.spawn(move || post(&url, "/v1/completions", &body).1["choices"].clone())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(together, alone, "an answer depends on what else was in flight");
    let (status, stats) = get(&server.url, "/pathconf/stats");
    assert_eq!(status, 200);
    assert!(stats["steps"].as_u64().unwrap() > 0 && stats["widest_batch"].as_u64().unwrap() >= 1, "{stats}");
    let started = Instant::now();
    let body = |n: u32, seed: u64| {
        format!(
            r#"{{"model": "tiny", "messages": [{{"role": "user", "content": "9 + 9 + 9 ="}}], "temperature": 0.7, "top_p": 0.9, "max_tokens": 16, "n": {n}, "seed": {seed}, "logprobs": true, "top_logprobs": 3}}"#
        )
    };
    let (s1, a) = post(&server.url, "/v1/chat/completions", &body(3, 11));
    let (_, b) = post(&server.url, "/v1/chat/completions", &body(3, 11));
    let (_, one) = post(&server.url, "/v1/chat/completions", &body(1, 11));
    assert_eq!(s1, 200);
    assert_eq!(a["choices"], b["choices"], "same seed, same choices");
    assert_eq!(a["choices"][0], one["choices"][0], "choice 0 does not depend on n");
    let choice = &a["choices"][1];
    assert_eq!(choice["logprob_kind"], "processed");
    let content = choice["logprobs"]["content"].as_array().unwrap();
    // Processed: each token's alternatives are a distribution over the
    // nucleus (at most 3 listed here, each ≥ the next), the token among them
    // when it is among the 3 most probable, and the text is the tokens'.
    let text: String = content.iter().map(|t| t["token"].as_str().unwrap()).collect();
    assert_eq!(choice["message"]["content"].as_str().unwrap(), text);
    for t in content {
        let alts: Vec<f64> = t["top_logprobs"].as_array().unwrap().iter().map(|x| x["logprob"].as_f64().unwrap()).collect();
        assert!(!alts.is_empty() && alts.len() <= 3 && alts.windows(2).all(|w| w[0] >= w[1]));
        assert!(alts.iter().map(|l| l.exp()).sum::<f64>() <= 1.0 + 1e-12);
        assert!(t["logprob"].as_f64().unwrap() <= 0.0);
    }
    assert_eq!(
        a["usage"]["completion_tokens"].as_u64().unwrap(),
        a["choices"].as_array().unwrap().iter().map(|c| c["logprobs"]["content"].as_array().unwrap().len() as u64).sum::<u64>()
    );
    // Legacy completions give the same draw for the same prompt and seed.
    let (_, c) = post(
        &server.url,
        "/v1/completions",
        r#"{"model": "tiny", "prompt": "9 + 9 + 9 =", "temperature": 0.7, "top_p": 0.9, "max_tokens": 16, "seed": 11, "logprobs": 3}"#,
    );
    assert_eq!(c["choices"][0]["text"], a["choices"][0]["message"]["content"]);
    let lps: Vec<f64> = c["choices"][0]["logprobs"]["token_logprobs"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    let chat_lps: Vec<f64> = a["choices"][0]["logprobs"]["content"].as_array().unwrap().iter().map(|t| t["logprob"].as_f64().unwrap()).collect();
    assert_eq!(lps, chat_lps);
    // Errors: OpenAI's shape, 4xx.
    for (path, bad, status, param) in [
        ("/v1/chat/completions", "{not json".to_string(), 400, "body"),
        ("/v1/chat/completions", body(1, 1).replace("\"tiny\"", "\"gpt-9\""), 404, "model"),
        ("/v1/chat/completions", body(1, 1).replace("0.7", "0"), 400, "temperature"),
        ("/v1/chat/completions", body(1, 1).replace("\"top_logprobs\": 3", "\"top_logprobs\": 21"), 400, "top_logprobs"),
        ("/v1/chat/completions", body(1, 1).replace("9 + 9 + 9 =", "what is two plus two?"), 400, "messages"),
        ("/v1/completions", r#"{"model": "tiny", "prompt": "1 2 3", "top_k": 5}"#.to_string(), 400, "top_k"),
    ] {
        let (s, e) = post(&server.url, path, &bad);
        assert_eq!(s, status, "{bad}: {e}");
        assert_eq!(e["error"]["param"], param, "{bad}: {e}");
        assert!(e["error"]["message"].as_str().is_some_and(|m| !m.is_empty()) && e["error"]["type"] == "invalid_request_error", "{e}");
    }
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let models: serde_json::Value =
        serde_json::from_str(&agent.get(&format!("{}/v1/models", server.url)).call().unwrap().body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!((models["data"][0]["id"].as_str(), models["data"][0]["logprob_kind"].as_str()), (Some("tiny"), Some("processed")));
    assert!(started.elapsed() < Duration::from_secs(300), "bounded");
}

#[test]
fn smollm2_is_served_with_the_chat_template_and_processed_logprobs() {
    let gguf = pathconf::llm::default_gguf();
    assert!(gguf.exists(), "this test needs {} — run `bash scripts/setup.sh`", gguf.display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_pathconf"))
        .args(["serve", "--model", "smollm2", "--port", "0", "--workers", "8", "--max-batch", "8"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let server = Server { child, url: line.trim().strip_prefix("listening on ").unwrap().to_string() };
    let body = |t: f64, p: f64, n: u32| {
        format!(
            r#"{{"model": "smollm2", "messages": [{{"role": "user", "content": "What is 2 + 3?"}}], "temperature": {t}, "top_p": {p}, "max_tokens": 12, "n": {n}, "seed": 5, "logprobs": true, "top_logprobs": 2}}"#
        )
    };
    let (status, a) = post(&server.url, "/v1/chat/completions", &body(1.0, 1.0, 2));
    assert_eq!(status, 200, "{a}");
    let (_, again) = post(&server.url, "/v1/chat/completions", &body(1.0, 1.0, 1));
    assert_eq!(a["choices"][0], again["choices"][0], "same seed, same first choice, whatever n");
    // At T = 1 without truncation the processed log-probabilities are the
    // model's own: pathconf's forward pass over the chat prompt and the
    // returned ids gives them.
    let (model, ct) = pathconf::llm::Llama::load(&gguf, pathconf::llm::Kernels::default()).unwrap();
    let tok = pathconf::llm::GgufTokenizer::from_gguf(&ct).unwrap();
    let prompt = tok.encode(&tok.chat_prompt("What is 2 + 3?")).unwrap();
    assert_eq!(a["usage"]["prompt_tokens"].as_u64(), Some(prompt.len() as u64));
    let content = a["choices"][0]["logprobs"]["content"].as_array().unwrap();
    let ids: Vec<u32> = content.iter().map(|t| t["id"].as_u64().unwrap() as u32).collect();
    for ((t, &id), lp) in content.iter().zip(&ids).zip(common::own_logprobs(&model, &prompt, &ids)) {
        assert!((t["logprob"].as_f64().unwrap() - lp).abs() <= 1e-9 * lp.abs().max(1.0), "{t} (id {id}) vs {lp}");
    }
    // Tempered and truncated, they are the drawing distribution's: each
    // token's alternatives are probabilities of a smaller set (they sum to
    // at most 1) and a token is never below its listed alternatives' floor.
    let (_, hot) = post(&server.url, "/v1/chat/completions", &body(0.7, 0.9, 1));
    for t in hot["choices"][0]["logprobs"]["content"].as_array().unwrap() {
        let alts: Vec<f64> = t["top_logprobs"].as_array().unwrap().iter().map(|x| x["logprob"].as_f64().unwrap()).collect();
        assert!(alts.iter().map(|l| l.exp()).sum::<f64>() <= 1.0 + 1e-12);
        assert!(t["logprob"].as_f64().unwrap() <= 0.0);
    }
    assert_eq!(hot["choices"][0]["logprob_kind"], "processed");
    // `ignore_eos` (vLLM's and llama.cpp's extension) runs to max_tokens.
    let long = body(1.0, 1.0, 1).replace(r#""max_tokens": 12"#, r#""max_tokens": 40, "ignore_eos": true"#);
    let (status, full) = post(&server.url, "/v1/chat/completions", &long);
    assert_eq!(status, 200, "{full}");
    assert_eq!(full["usage"]["completion_tokens"], 40);
    assert_eq!(full["choices"][0]["finish_reason"], "length");

    // Batched: six requests in flight at once (different prompts, lengths,
    // n, limits) are decoded in shared steps, and each answer is the one
    // the same request gets alone.
    let request = |i: usize| {
        let q = ["What is 2 + 3?", "Name a colour.", "Tom has 12 apples and eats 5. How many are left?", "Hi", "Count to five.", "What is 7 times 6?"][i];
        format!(
            r#"{{"model": "smollm2", "messages": [{{"role": "user", "content": "{q}"}}], "temperature": 0.8, "top_p": 0.95, "max_tokens": {}, "n": {}, "seed": {i}, "logprobs": true, "top_logprobs": 1}}"#,
            8 + 3 * i,
            1 + i % 3
        )
    };
    let alone: Vec<serde_json::Value> = (0..6).map(|i| post(&server.url, "/v1/chat/completions", &request(i)).1["choices"].clone()).collect();
    let (_, before) = get(&server.url, "/pathconf/stats");
    let together: Vec<serde_json::Value> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let (url, body) = (server.url.clone(), request(i));
                s.spawn(move || post(&url, "/v1/chat/completions", &body).1["choices"].clone())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for i in 0..6 {
        assert_eq!(together[i], alone[i], "request {i}: its answer depends on what else was in flight");
    }
    let (status, after) = get(&server.url, "/pathconf/stats");
    assert_eq!(status, 200);
    assert!(after["widest_batch"].as_u64().unwrap() >= 2, "the concurrent requests were batched: {before} → {after}");
    assert!(after["steps"].as_u64() > before["steps"].as_u64());
}

#[test]
fn an_unreachable_server_fails_at_once_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let q = questions(dir.path());
    let out = dir.path().join("none.jsonl");
    // A port nobody listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let o = pathconf(&sample_args(&url, q.to_str().unwrap(), out.to_str().unwrap(), "esc:4:16"));
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cannot reach the server") && err.contains(&url), "{err}");
    assert!(!out.exists(), "no output file");
    assert!(started.elapsed() < Duration::from_secs(30), "no retries against a server that is not there");
}
