//! `pathconf verify [--json] [--quick]`.

use super::format::table;
use pathconf::montecarlo::agreement::FAMILY_ALPHA;
use pathconf::progress::Bar;
use pathconf::verify::{grid, monte_carlo_trials, Owner, Status, VerifyConfig, ENUM_TOL};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print a JSON array of {claim, status, max_abs_deviation, worst_case, cells}.
    #[arg(long)]
    json: bool,
    /// A smaller grid (smoke run).
    #[arg(long)]
    quick: bool,
    /// Monte Carlo trials per cell.
    #[arg(long, default_value_t = 100_000)]
    trials: u64,
    /// Master seed.
    #[arg(long, default_value_t = 20251015)]
    seed: u64,
}

fn max_over(v: impl Iterator<Item = f64>) -> String {
    let mut m: Option<f64> = None;
    for x in v {
        m = Some(m.map_or(x, |y: f64| y.max(x)));
    }
    m.map(|x| format!("{x:.3e}")).unwrap_or_else(|| "-".into())
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let cfg = VerifyConfig { quick: args.quick, trials: args.trials, seed: args.seed };
    let configs = grid(args.quick);
    let bar = Bar::new(monte_carlo_trials(&cfg), "verifying");
    let start = std::time::Instant::now();
    let reports = pathconf::api::verify(&cfg, &bar)?;
    bar.finish();
    let own_failures: Vec<&str> = reports.iter().filter(|r| r.owner == Owner::Pathconf && r.status == Status::Fails).map(|r| r.claim).collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        println!("pathconf verify — {} configurations, {} Monte Carlo trials per cell, seed {}", configs.len(), args.trials, args.seed);
        println!("Truth: exhaustive enumeration on tiny spaces (|deviation| ≤ {ENUM_TOL:e}); Monte Carlo z-tests everywhere with n ≥ 1,");
        println!("Bonferroni-corrected to a family-wise false-alarm rate of {FAMILY_ALPHA}.\n");
        let body: Vec<Vec<String>> = reports
            .iter()
            .map(|r| {
                vec![
                    r.claim.to_string(),
                    match r.owner {
                        Owner::Paper => "paper".into(),
                        Owner::Pathconf => "pathconf".into(),
                    },
                    r.status.label().to_string(),
                    max_over(r.cells.iter().filter(|c| c.truth_source != "monte_carlo").map(|c| c.deviation.abs())),
                    max_over(r.cells.iter().filter_map(|c| c.z.map(f64::abs))).replace("e0", ""),
                    format!("{}/{}", r.cells.iter().filter(|c| c.agrees).count(), r.cells.len()),
                ]
            })
            .collect();
        println!("{}", table(&["claim", "by", "status", "max |claimed − exact|", "max |z| vs MC", "cells agreeing"], &body));
        println!("exact = enumeration on tiny spaces, else pathconf's closed form (for the paper's claims); z = (claimed − MC mean)/SE.\n");
        for r in &reports {
            println!("{:<18} {}", r.claim, r.statement);
            if r.status != Status::Holds {
                if let Some(w) = &r.worst_case {
                    println!("{:<18} largest deviation: {w}", "");
                }
            }
        }
        println!("\nConfigurations:");
        for c in &configs {
            println!("  {:<16} n ∈ {:?}, τ = {}{}: {}", c.name, c.ns, c.tau, if c.enumerable { ", enumerated" } else { "" }, c.note);
        }
        println!("\nfinished in {:.1} s", start.elapsed().as_secs_f64());
        if own_failures.is_empty() {
            println!("pathconf's own exact formulas agree with enumeration and Monte Carlo.");
        } else {
            println!("FAILED: pathconf's own claims {own_failures:?} disagree with enumeration or Monte Carlo.");
        }
    }
    Ok(if own_failures.is_empty() { 0 } else { 1 })
}
