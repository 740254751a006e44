//! Times `eval`'s parse and each method's compute separately on a file:
//! `eval_timing FILE [--exact]`. Parse: median of 21 reads. Compute: median of
//! 11 runs after one warm-up (3 for RPC), with the file's paths all used
//! (no subsets), as the reference's evaluators do.
use pathconf::eval::{
    equivalence::{AnswerEquality, Equivalence},
    formats::read,
    methods::Method,
    protocol::{evaluate, EvalConfig},
};
use pathconf::progress::Quiet;
mod common;

fn median_ms(runs: usize, f: impl FnMut()) -> f64 {
    common::sorted_times_ms(runs, f)[runs / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let file = std::path::PathBuf::from(args.get(1).expect("usage: eval_timing FILE [--exact]"));
    let mode = if args.iter().any(|a| a == "--exact") { Equivalence::Exact } else { Equivalence::Math };
    let parse = median_ms(21, || drop(read(&file, None, None).unwrap()));
    println!("parse: {parse:.1} ms (median of 21)");
    let ds = read(&file, None, None).unwrap();
    for (name, m) in [("SC", Method::Sc), ("PPL", Method::Ppl), ("PC", Method::Pc), ("RPC", Method::Rpc)] {
        let cfg = EvalConfig { methods: vec![m], equal: AnswerEquality { mode, ..Default::default() }, ..EvalConfig::default() };
        let accuracy = evaluate(&ds, &cfg, &Quiet).unwrap().results[0].accuracy.mean;
        let runs = if m == Method::Rpc { 3 } else { 11 };
        let compute = median_ms(runs, || drop(evaluate(&ds, &cfg, &Quiet).unwrap()));
        println!("{name}: compute {compute:.2} ms (median of {runs}; accuracy {accuracy:.2}%)");
    }
}
