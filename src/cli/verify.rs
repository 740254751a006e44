//! `pathconf verify [--json] [--quick]`, and `pathconf verify --search N
//! [--seed S] [--json]`.

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
    /// Search instead: each claim on N random path distributions inside its hypothesis and N outside,
    /// with the smallest counterexample where it fails (JSON: {claim, hypothesis, cases, failures,
    /// fail_share, counterexample}).
    #[arg(long, value_name = "N")]
    search: Option<usize>,
}

fn max_over(v: impl Iterator<Item = f64>) -> String {
    let mut m: Option<f64> = None;
    for x in v {
        m = Some(m.map_or(x, |y: f64| y.max(x)));
    }
    m.map(|x| format!("{x:.3e}")).unwrap_or_else(|| "-".into())
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    if let Some(cases) = args.search {
        return search(cases, args.seed, args.json);
    }
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
                    max_over(r.cells.iter().filter(|c| c.truth_source != pathconf::provenance::Provenance::MonteCarlo).map(|c| c.deviation.abs())),
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

fn search(cases: usize, seed: u64, json: bool) -> anyhow::Result<i32> {
    use pathconf::verify::search::{claims::search_claims, search, search_rows, SearchConfig};
    anyhow::ensure!(cases >= 1, "--search needs at least 1 case");
    let bar = Bar::new(search_rows(), "searching");
    let start = std::time::Instant::now();
    let rows = search(&SearchConfig { cases, seed }, &bar);
    bar.finish();
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(0);
    }
    println!("pathconf verify --search {cases} --seed {seed}: each claim on {cases} random path distributions inside its hypothesis and {cases} outside");
    println!("(exact values: summed binomial / hypergeometric distributions, pathconf's exact PC and RP moments, an exact programme for Theorem 7).\n");
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let ce = r.counterexample.as_ref().map_or("-".to_string(), |c| {
                let answers: Vec<String> =
                    c.answers.iter().map(|a| format!("[{}]", a.iter().map(|p| format!("{p:.4}")).collect::<Vec<_>>().join(", "))).collect();
                format!(
                    "{} correct a{}, n = {}{}: printed {:.6}, exact {:.6} ({})",
                    answers.join(" "),
                    c.correct,
                    c.n,
                    c.tau.map_or(String::new(), |t| format!(", τ = {t:.4}")),
                    c.printed,
                    c.exact,
                    c.detail
                )
            });
            vec![
                r.claim.to_string(),
                format!("{:?}", r.hypothesis).to_lowercase(),
                r.cases.to_string(),
                r.failures.to_string(),
                format!("{:.1}%", 100.0 * r.fail_share),
                ce,
            ]
        })
        .collect();
    println!("{}", table(&["claim", "hypothesis", "cases", "fail", "share", "smallest counterexample (path probabilities per answer)"], &body));
    println!();
    for c in search_claims() {
        println!("{:<19} {}", c.id, c.statement);
        println!("{:<19} inside: {}; outside: {}", "", c.inside, c.outside);
    }
    theorem7_readings();
    println!("\nfinished in {:.1} s (shares are exact counts over the cases drawn; seed {seed})", start.elapsed().as_secs_f64());
    Ok(0)
}

/// Theorem 7 under each reading, on the paper's setting and on an answer of
/// unequal paths (all exact).
fn theorem7_readings() {
    use pathconf::verify::search::theorem7::{audit_cases, optimal_threshold, readings};
    println!("\nTheorem 7 under each reading (exact probabilities; the printed bound as the proof gives it):");
    for (name, case) in audit_cases() {
        println!("\n  {name}");
        let rows: Vec<Vec<String>> = readings(&case)
            .expect("a wrong answer below τ")
            .into_iter()
            .map(|r| vec![r.reading, format!("{:.6}", r.probability), format!("{:.6}", r.bound), r.verdict.to_string()])
            .collect();
        println!("{}", table(&["reading", "P(event), exact", "printed bound", "verdict"], &rows));
        let (t, at_opt, at_py, pc) = optimal_threshold(&case);
        println!("  (d) RP's total reasoning error, exact: at τ*(n) = {t:.4}: {at_opt:.6}; at τ = p(y|x) (per path): {at_py:.6}; PC (τ = 0): {pc:.6}");
    }
}
