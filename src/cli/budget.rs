//! `pathconf budget --spec FILE --rule R [--rule R ...] [--json]`: each
//! stopping rule's expected samples and accuracy for a path distribution.

use super::format::{num, table};
use pathconf::api::budget::budget;
use pathconf::spec::read_spec;
use pathconf::stopping::StopRule;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(after_help = "Rules: fixed:N (plurality of N samples), esc:W:L[:window|majority] (ESC: stop after the first unanimous window of W, \
at most L; answer the window's answer, or the plurality of all samples), asc-beta:T[:MAX] (Adaptive-Consistency: stop when \
1 − I_½(a+1, b+1) ≥ T for the top two counts; MAX defaults to 40), asc-dirichlet:T[:MAX] (the Dirichlet posterior of the top five \
counts gives the leader the largest share with probability ≥ T; computed exactly; Beta with fewer than three answers), \
asc-majority:T[:MAX] (leader's share ≥ T), asc-entropy:T[:MAX] (normalised entropy ≤ T), pc-certify[:MAX] (pathconf: stop once \
the seen paths' probabilities settle the answer of largest mass; answer PC's choice), pc-gt[:MAX] (the same with a Good–Turing \
estimate of the unseen mass). Ties split the credit.\n\
Each row says how it was obtained: exact (fixed: SC's count programme; ESC: its programme for any number of answers; the \
other count rules: a programme over count vectors with answers of equal mass lumped, or one over sorted count vectors for \
many distinct masses, while feasible) or monte_carlo (with 95% intervals; always for the pc rules).")]
pub struct Args {
    /// Spec file (as for `theory`).
    #[arg(long)]
    spec: PathBuf,
    /// A stopping rule (repeatable).
    #[arg(long = "rule", required = true)]
    rules: Vec<StopRule>,
    /// Monte Carlo trials where no exact method applies.
    #[arg(long, default_value_t = 200_000)]
    trials: u64,
    /// Monte Carlo seed.
    #[arg(long, default_value_t = 2025)]
    seed: u64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let spec = read_spec(&args.spec)?;
    let rows = budget(&spec.distribution, &args.rules, args.trials, args.seed)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(0);
    }
    println!("pathconf budget: {} — expected samples and P(correct answer), ties split.", args.spec.display());
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.rule.clone(),
                match r.samples_ci {
                    Some(ci) => format!("{} [{}, {}] ({})", num(r.expected_samples), num(ci.low), num(ci.high), r.samples_method.label()),
                    None => format!("{} ({})", num(r.expected_samples), r.samples_method.label()),
                },
                num(r.accuracy),
                r.method.label().to_string(),
                r.ci.map_or_else(|| "-".into(), |ci| format!("[{}, {}]", num(ci.low), num(ci.high))),
            ]
        })
        .collect();
    println!("{}", table(&["rule", "E[samples]", "accuracy", "method", "95% CI"], &body));
    Ok(0)
}
