//! Times parse and compute of `eval` separately on a file: `eval_timing FILE`.
use pathconf::eval::{equivalence::{Equal, Equivalence}, formats::read, methods::{Method, ProbMode}, protocol::{evaluate, EvalConfig}};
use pathconf::progress::Quiet;
fn main() {
    let file = std::path::PathBuf::from(std::env::args().nth(1).expect("file"));
    let t = std::time::Instant::now();
    let ds = read(&file, None, None).unwrap();
    println!("parse: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    for (name, m) in [("SC", Method::Sc), ("PPL", Method::Ppl), ("PC", Method::Pc), ("RPC", Method::Rpc)] {
        let cfg = EvalConfig { methods: vec![m], ks: vec![], repeats: 1, seed: 0, prob: ProbMode::Mean, equal: Equal { mode: Equivalence::Exact, ..Default::default() } };
        let t = std::time::Instant::now();
        let r = evaluate(&ds, &cfg, &Quiet).unwrap();
        println!("{name}: compute {:.1} ms (accuracy {:.2})", t.elapsed().as_secs_f64() * 1e3, r.results[0].accuracy.mean);
    }
}
