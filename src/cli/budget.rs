//! `pathconf budget --spec FILE --rule R [--rule R ...] [--json]`: each
//! stopping rule's expected samples and accuracy for a path distribution.

use super::format::{num, table};
use pathconf::accuracy::sc::sc_accuracy;
use pathconf::spec::read_spec;
use pathconf::stopping::exact::{esc_expected_samples, exact_cost};
use pathconf::stopping::simulate::simulate_cost;
use pathconf::stopping::StopRule;
use serde::Serialize;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(after_help = "Rules: fixed:N (plurality of N samples), esc:W:L[:window|majority] (ESC: stop after the first unanimous window of W, \
at most L; answer the window's answer, or the plurality of all samples), asc-beta:T[:MAX] (Adaptive-Consistency: stop when \
1 − I_½(a+1, b+1) ≥ T for the top two counts, at most MAX = 40). Ties split the credit.\n\
Each row says how it was obtained: exact (fixed: SC's count programme; ESC's expected samples: its closed form; otherwise a \
programme over count vectors, feasible for few answers) or monte_carlo (with a 95% interval).")]
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

/// One row of the output.
#[derive(Debug, Serialize)]
struct Row {
    rule: String,
    expected_samples: f64,
    samples_method: &'static str,
    accuracy: f64,
    method: &'static str,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    anyhow::ensure!(args.trials >= 2, "--trials must be at least 2");
    let spec = read_spec(&args.spec)?;
    let d = &spec.distribution;
    let masses = d.answer_masses();
    let mut rows = Vec::new();
    for (i, rule) in args.rules.iter().enumerate() {
        let row = match rule {
            StopRule::Fixed { n } => {
                let acc = sc_accuracy(masses, d.correct(), *n)[*n];
                Row {
                    rule: rule.to_string(),
                    expected_samples: *n as f64,
                    samples_method: "exact",
                    accuracy: acc,
                    method: "exact",
                    ci_low: None,
                    ci_high: None,
                }
            }
            _ => match exact_cost(rule, masses, d.correct()) {
                Some(c) => Row {
                    rule: rule.to_string(),
                    expected_samples: c.expected_samples,
                    samples_method: "exact",
                    accuracy: c.accuracy,
                    method: "exact",
                    ci_low: None,
                    ci_high: None,
                },
                None => {
                    let m = simulate_cost(rule, masses, d.correct(), args.trials, args.seed ^ ((i as u64) << 32));
                    let (samples, samples_method) = match rule {
                        StopRule::Esc { window, max, .. } => (esc_expected_samples(masses, *window, *max), "exact"),
                        _ => (m.expected_samples.mean, "monte_carlo"),
                    };
                    Row {
                        rule: rule.to_string(),
                        expected_samples: samples,
                        samples_method,
                        accuracy: m.accuracy.mean,
                        method: "monte_carlo",
                        ci_low: Some(m.accuracy.ci_low.max(0.0)),
                        ci_high: Some(m.accuracy.ci_high.min(1.0)),
                    }
                }
            },
        };
        rows.push(row);
    }
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
                format!("{} ({})", num(r.expected_samples), r.samples_method),
                num(r.accuracy),
                r.method.to_string(),
                match (r.ci_low, r.ci_high) {
                    (Some(l), Some(h)) => format!("[{}, {}]", num(l), num(h)),
                    _ => "-".into(),
                },
            ]
        })
        .collect();
    println!("{}", table(&["rule", "E[samples]", "accuracy", "method", "95% CI"], &body));
    Ok(0)
}
