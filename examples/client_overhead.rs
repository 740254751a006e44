//! The client's own cost: `sample --endpoint`'s session against a loopback
//! server that answers at once with a canned completion (20 tokens with
//! log-probabilities and 20 alternatives each), so every second measured is
//! the client's — HTTP, JSON, the online rule, the file. Prints requests/s
//! for a few concurrency levels, each the mean of three runs with its
//! standard error.
//!
//! `cargo run --release --example client_overhead [questions] [draws]`

use pathconf::eval::formats::stream::{LogprobKind, Sampling};
use pathconf::eval::questions::Question;
use pathconf_client::http::{Endpoint, RetryPolicy};
use pathconf_client::request::{Api, RequestSettings};
use pathconf_client::session::{sample, SampleConfig};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

fn canned() -> String {
    let tokens: Vec<serde_json::Value> = (0..20)
        .map(|i| {
            let top: Vec<serde_json::Value> = (0..20).map(|k| serde_json::json!({"token": format!("t{k}"), "logprob": -0.1 * (k + 1) as f64})).collect();
            serde_json::json!({"token": if i == 19 { "7".to_string() } else { format!("w{i} ") }, "logprob": -0.01 * i as f64, "top_logprobs": top})
        })
        .collect();
    let text: String = tokens.iter().map(|t| t["token"].as_str().unwrap().to_string()).collect::<String>().replace("w18 7", "The answer is 7");
    serde_json::json!({
        "object": "chat.completion", "model": "stub",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "logprobs": {"content": tokens}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 20, "total_tokens": 32}
    })
    .to_string()
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().expect("integers")).collect();
    let (nq, draws) = (args.first().copied().unwrap_or(200), args.get(1).copied().unwrap_or(16));
    let server = std::sync::Arc::new(pathconf_serve::nodelay_server("127.0.0.1:0").expect("loopback"));
    let port = server.server_addr().to_ip().unwrap().port();
    let body = canned();
    for _ in 0..8 {
        let (s, b) = (server.clone(), body.clone());
        std::thread::spawn(move || {
            while let Ok(mut r) = s.recv() {
                let mut sink = Vec::new();
                let _ = std::io::Read::read_to_end(r.as_reader(), &mut sink);
                let h = tiny_http::Header::from_bytes(&b"Content-Type"[..], &b"application/json"[..]).unwrap();
                let _ = r.respond(tiny_http::Response::from_string(b.clone()).with_header(h));
            }
        });
    }
    let endpoint = Endpoint::new(&format!("http://127.0.0.1:{port}"), None, RetryPolicy::default());
    let questions: Vec<Question> = (0..nq).map(|i| Question { id: format!("q{i}"), question: format!("question {i}"), answer: Some("7".into()) }).collect();
    let dir = tempfile::tempdir().unwrap();
    println!("client overhead: {nq} questions × fixed:{draws} against a loopback stub answering at once (measured; mean ± s.e. of 3 runs)");
    for concurrency in [1, 4, 16] {
        let mut rates = Vec::new();
        for run in 0..3 {
            let cfg = SampleConfig {
                request: RequestSettings {
                    model: "stub".into(),
                    api: Api::Chat,
                    prompt_template: "{question}".into(),
                    sampling: Sampling { temperature: 1.0, top_p: 1.0, top_k: None, min_p: None },
                    max_new_tokens: 32,
                    top_logprobs: 20,
                },
                n: draws,
                stop: None,
                invalid: None,
                concurrency,
                choices_per_request: 1,
                seed: run,
                extract: Default::default(),
                logprob_kind: Some(LogprobKind::Processed),
                allow_missing_logprobs: false,
                resume: false,
                server: None,
            };
            let out = dir.path().join(format!("c{concurrency}-{run}.jsonl"));
            let start = Instant::now();
            let report = sample(std::slice::from_ref(&endpoint), &cfg, &questions, &out, &AtomicBool::new(false), &|_| {}).expect("stub answers");
            rates.push(report.requested as f64 / start.elapsed().as_secs_f64());
        }
        let mean = rates.iter().sum::<f64>() / 3.0;
        let se = (rates.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / 2.0 / 3.0).sqrt();
        println!("  concurrency {concurrency:>2}: {mean:>8.0} ± {se:.0} requests/s ({:.0} µs of client time per draw)", 1e6 / mean);
    }
}
