//! `pathconf simulate --spec FILE --n ... --trials T --seed S [--json]`.

use super::format::{key_cells, num, table};
use super::theory::SpecArgs;
use pathconf::estimators::EstimatorId;
use pathconf::montecarlo::{simulate, Estimate, SimConfig, SimTerms};
use pathconf::progress::Bar;
use pathconf::spec::read_spec;
use pathconf::theory::table::{all_paths, term_table, TermRow as ExactRow};
use serde::Serialize;

/// PPL is tracked per path up to this many paths.
const MAX_TRACKED_PATHS: usize = 10_000;

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
}

#[derive(Serialize)]
struct SimRow {
    estimator: &'static str,
    answer: String,
    path: Option<usize>,
    n: u64,
    expected_confidence: Estimate,
    bias: Estimate,
    estimation_error: Estimate,
    model_error: f64,
    cross_term: Estimate,
    reasoning_error: Estimate,
    exact: ExactRow,
}

#[derive(Serialize)]
struct Output {
    trials: u64,
    seed: u64,
    tau: f64,
    sampled_paths: u64,
    seconds: f64,
    paths_per_second: f64,
    rows: Vec<SimRow>,
}

fn shift(e: Estimate, a: f64, b: f64) -> Estimate {
    // a·X + b, with a ≥ 0 or < 0 (interval endpoints swap).
    let (lo, hi) = (a * e.ci_low + b, a * e.ci_high + b);
    Estimate { mean: a * e.mean + b, std_error: a.abs() * e.std_error, ci_low: lo.min(hi), ci_high: lo.max(hi) }
}

fn sim_row(t: &SimTerms, exact: ExactRow) -> SimRow {
    let (e, target, indicator) = (t.expected_confidence, exact.target, exact.indicator);
    SimRow {
        estimator: exact.estimator.name(),
        answer: exact.answer.clone(),
        path: exact.path,
        n: exact.n,
        expected_confidence: e,
        bias: shift(e, 1.0, -target),
        estimation_error: t.estimation_error,
        model_error: exact.terms.model_error,
        cross_term: shift(e, 2.0 * (target - indicator), -2.0 * (target - indicator) * target),
        reasoning_error: t.reasoning_error,
        exact,
    }
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let (trials, seed) = (args.trials, args.seed);
    let SpecArgs { spec: spec_file, n: ns, tau, json } = args.s;
    let spec = read_spec(&spec_file)?;
    anyhow::ensure!(!ns.is_empty(), "--n needs at least one sample size");
    let tau = tau.or(spec.tau).unwrap_or(0.0);
    let configs: Vec<SimConfig> = ns
        .iter()
        .map(|&n| SimConfig { n, trials, seed, tau, track_paths: false }.check())
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("--n/--trials/--tau: {e}"))?;
    let d = &spec.distribution;
    let track = d.paths().len() <= MAX_TRACKED_PATHS;
    let bar = Bar::new(trials * ns.len() as u64, "simulating");
    let start = std::time::Instant::now();
    let mut rows = Vec::new();
    let mut sampled = 0;
    for &checked in &configs {
        let (n, cfg) = (checked.n, SimConfig { track_paths: track, ..checked });
        let res = simulate(d, &cfg, &bar);
        sampled += res.sampled_paths;
        for ex in term_table(d, n, Some(tau), &all_paths) {
            let a = ex.answer_index;
            let terms = match (ex.estimator, ex.path) {
                (EstimatorId::Sc, _) => &res.answers[a].sc,
                (EstimatorId::Pc, _) => &res.answers[a].pc,
                (EstimatorId::Rp, _) => &res.answers[a].rp,
                (EstimatorId::Ppl, Some(j)) if track => &res.paths[d.path_index(a, j)].ppl,
                _ => continue,
            };
            rows.push(sim_row(terms, ex));
        }
    }
    bar.finish();
    let seconds = start.elapsed().as_secs_f64();
    let out = Output { trials, seed, tau, sampled_paths: sampled, seconds, paths_per_second: sampled as f64 / seconds, rows };
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
    println!("Monte Carlo mean [95% interval] | exact value; '*' marks an exact value outside the interval (expected for about 5% of cells).\n");
    let fmt = |e: &Estimate, exact: f64| {
        format!("{} [{}, {}] | {}{}", num(e.mean), num(e.ci_low), num(e.ci_high), num(exact), if e.covers(exact) { "" } else { " *" })
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
                    fmt(&r.expected_confidence, r.exact.terms.expected_confidence),
                    fmt(&r.estimation_error, r.exact.terms.estimation_error),
                    fmt(&r.reasoning_error, r.exact.terms.reasoning_error),
                ]);
                cells
            })
            .collect();
        println!("{}", table(&["estimator", "answer", "path", "E[p̂]", "est.err", "R"], &body));
    }
    println!("throughput: {:.3e} sampled paths per second ({} paths in {:.2} s)", out.paths_per_second, sampled, seconds);
    Ok(0)
}
