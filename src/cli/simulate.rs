//! `pathconf simulate --spec FILE --n ... --trials T --seed S [--json]`.

use super::format::{key_cells, num, table};
use super::theory::SpecArgs;
use pathconf::api::simulate::{simulate_spec, SimulateRequest};
use pathconf::montecarlo::Estimate;
use pathconf::progress::Bar;
use pathconf::spec::read_spec;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    s: SpecArgs,
    /// Monte Carlo trials per n.
    #[arg(long, default_value_t = 100_000)]
    trials: u64,
    /// Master seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// CISC softmax temperature T (> 0 or inf): adds CISC rows, simulated
    /// against CISC's limit p̃ (exact values by enumeration where it fits).
    #[arg(long)]
    temperature: Option<f64>,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let (trials, seed) = (args.trials, args.seed);
    let SpecArgs { spec: spec_file, n: ns, tau, json } = args.s;
    let spec = read_spec(&spec_file)?;
    let req = SimulateRequest { n: ns.clone(), trials, seed, tau: tau.or(spec.tau).unwrap_or(0.0), temperature: args.temperature };
    let bar = Bar::new(req.work_units(), "simulating");
    let out = simulate_spec(&spec.distribution, &req, &bar)?;
    bar.finish();
    let (tau, track, sampled, seconds) = (req.tau, out.tracked_paths, out.sampled_paths, out.seconds);
    if json {
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(0);
    }
    println!(
        "pathconf simulate: {} — {} trials per n, seed {}, RP threshold τ = {}{}",
        spec_file.display(),
        trials,
        seed,
        tau,
        if track { "" } else { " (PPL rows omitted: more than 10,000 paths)" }
    );
    println!("Monte Carlo mean [95% interval] | exact value; '*' marks an exact value outside the interval (expected for about 5% of cells).");
    if let Some(t) = args.temperature {
        println!("CISC (T = {t}): terms against its limit p̃(a) = Σ p_t e^(p_t/T) / Σ p_t e^(p_t/T); exact values by enumeration of count vectors.");
    }
    println!();
    let fmt = |e: &Estimate, exact: Option<f64>| match exact {
        Some(x) => format!("{} [{}, {}] | {}{}", num(e.mean), num(e.ci.low), num(e.ci.high), num(x), if e.covers(x) { "" } else { " *" }),
        None => format!("{} [{}, {}] | not enumerable", num(e.mean), num(e.ci.low), num(e.ci.high)),
    };
    for &n in &ns {
        println!("n = {n}");
        let body: Vec<Vec<String>> = out
            .rows
            .iter()
            .filter(|r| r.n == n)
            .map(|r| {
                let mut cells = key_cells(r.estimator, &r.answer, r.path);
                cells.extend([
                    fmt(&r.expected_confidence, r.exact.as_ref().map(|x| x.terms.expected_confidence)),
                    fmt(&r.estimation_error, r.exact.as_ref().map(|x| x.terms.estimation_error)),
                    fmt(&r.reasoning_error, r.exact.as_ref().map(|x| x.terms.reasoning_error)),
                ]);
                cells
            })
            .collect();
        println!("{}", table(&["estimator", "answer", "path", "E[p̂]", "est.err", "R"], &body));
    }
    println!("throughput: {:.3e} sampled paths per second ({} paths in {:.2} s)", out.paths_per_second, sampled, seconds);
    Ok(0)
}
