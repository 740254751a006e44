//! `pathconf theory --spec FILE --n 1,2,4,8 [--json]`.

use super::format::{key_cells, num, table};
use pathconf::spec::read_spec;
use pathconf::theory::table::{all_paths, term_table, TermRow};
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

pub fn run(args: Args) -> anyhow::Result<i32> {
    let args = args.s;
    let spec = read_spec(&args.spec)?;
    if let Some(t) = args.tau {
        anyhow::ensure!((0.0..=1.0).contains(&t), "--tau {t} is outside [0, 1]");
    }
    anyhow::ensure!(!args.n.is_empty(), "--n needs at least one sample size");
    let tau = args.tau.or(spec.tau);
    let all: Vec<TermRow> = args.n.iter().flat_map(|&n| term_table(&spec.distribution, n, tau, &all_paths)).collect();
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
                let mut cells = key_cells(r.estimator.name(), &r.answer, r.path);
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
