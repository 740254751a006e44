//! `pathconf theory --spec FILE --n 1,2,4,8 [--json]`.

use super::format::{key_cells, num, table};
use pathconf::theory::{paper, pc::pc_terms, ppl::ppl_terms, rp::rp_terms, sc::sc_terms, ErrorTerms};
use pathconf::{spec::read_spec, PathDistribution};
use serde::Serialize;
use std::path::PathBuf;

/// The arguments `theory` and `simulate` share.
#[derive(clap::Args, Debug)]
pub struct SpecArgs {
    /// Spec file: {"correct": "A", "answers": {"A": [0.2, 0.1], "B": [0.3], "C": [0.4]}, "tau": 0.15}
    #[arg(long)]
    pub spec: PathBuf,
    /// Sample sizes, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,2,4,8,16,32,64")]
    pub n: Vec<u64>,
    /// RP threshold (overrides the spec's "tau").
    #[arg(long)]
    pub tau: Option<f64>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    s: SpecArgs,
}

/// One row of `theory --json` (the terms are flattened into the row).
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub estimator: &'static str,
    pub answer: String,
    pub path: Option<usize>,
    pub n: u64,
    #[serde(flatten)]
    pub terms: ErrorTerms,
    pub paper_formula: Option<f64>,
}

fn row(estimator: &'static str, answer: &str, path: Option<usize>, n: u64, terms: ErrorTerms, paper_formula: Option<f64>) -> Row {
    Row { estimator, answer: answer.to_string(), path, n, terms, paper_formula }
}

/// Every exact row for `dist` at `n` (SC is undefined at `n = 0` and omitted;
/// RP only when `tau` is given). `paper_formula` is the paper's printed
/// reasoning error: Prop. 2 (SC) and Prop. 3 (PPL) through Prop. 1's
/// two-term decomposition, Thm. 4 for PC when the answer's paths are equally
/// likely; `null` otherwise.
pub fn rows(dist: &PathDistribution, n: u64, tau: Option<f64>) -> Vec<Row> {
    let mut out = Vec::new();
    for a in 0..dist.n_answers() {
        let name = &dist.answers()[a];
        let (p, ind) = (dist.answer_mass(a), dist.indicator(a));
        if let Some(t) = sc_terms(dist, a, n) {
            out.push(row("sc", name, None, n, t, Some(paper::prop2_reasoning(p, ind, n))));
        }
    }
    for a in 0..dist.n_answers() {
        let name = &dist.answers()[a];
        let ind = dist.indicator(a);
        for (j, path) in dist.paths_of(a).iter().enumerate() {
            out.push(row("ppl", name, Some(j), n, ppl_terms(dist, a, j, n), Some(paper::prop3_reasoning(path.prob, ind, n))));
        }
    }
    for a in 0..dist.n_answers() {
        let name = &dist.answers()[a];
        let (p, ind) = (dist.answer_mass(a), dist.indicator(a));
        let printed = paper::equal_paths(&dist.probs_of(a)).filter(|_| p > 0.0).map(|k| paper::thm4_reasoning(p, k, ind, n));
        out.push(row("pc", name, None, n, pc_terms(dist, a, n), printed));
    }
    if let Some(tau) = tau {
        for a in 0..dist.n_answers() {
            out.push(row("rp", &dist.answers()[a], None, n, rp_terms(dist, a, n, tau), None));
        }
    }
    out
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let args = args.s;
    let spec = read_spec(&args.spec)?;
    if let Some(t) = args.tau {
        anyhow::ensure!((0.0..=1.0).contains(&t), "--tau {t} is outside [0, 1]");
    }
    anyhow::ensure!(!args.n.is_empty(), "--n needs at least one sample size");
    let tau = args.tau.or(spec.tau);
    let all: Vec<Row> = args.n.iter().flat_map(|&n| rows(&spec.distribution, n, tau)).collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(0);
    }
    let d = &spec.distribution;
    println!(
        "pathconf theory: {} — {} answers, {} paths, correct answer {}, RP threshold {}",
        args.spec.display(),
        d.n_answers(),
        d.paths().len(),
        d.correct_name().map(|c| format!("{c:?}")).unwrap_or_else(|| "none".into()),
        tau.map(|t| format!("τ = {t}")).unwrap_or_else(|| "not set (no rp rows; give --tau)".into())
    );
    println!("E[p̂] expected confidence, est.err = E[(p̂−p)²], model = (p−I)², cross = 2(p−I)(E[p̂]−p), R = E[(p̂−I)²] = est.err + model + cross.");
    println!("paper = the paper's printed reasoning error (Prop. 2, Prop. 3, Thm. 4 with k equal paths), '-' where it has none.\n");
    for &n in &args.n {
        println!("n = {n}{}", if n == 0 { "  (SC undefined: no samples)" } else { "" });
        let body: Vec<Vec<String>> = all
            .iter()
            .filter(|r| r.n == n)
            .map(|r| {
                let mut cells = key_cells(r.estimator, &r.answer, r.path);
                cells.extend([
                    num(r.terms.expected_confidence),
                    num(r.terms.bias),
                    num(r.terms.estimation_error),
                    num(r.terms.model_error),
                    num(r.terms.cross_term),
                    num(r.terms.reasoning_error),
                    r.paper_formula.map(num).unwrap_or_else(|| "-".into()),
                ]);
                cells
            })
            .collect();
        println!("{}", table(&["estimator", "answer", "path", "E[p̂]", "bias", "est.err", "model", "cross", "R", "paper"], &body));
    }
    Ok(0)
}
