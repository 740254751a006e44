//! `pathconf simulate --spec FILE --n ... --trials T --seed S [--json]`.

use super::format::{key_cells, num, table};
use super::theory::SpecArgs;
use pathconf::estimators::Cisc;
use pathconf::estimators::EstimatorId;
use pathconf::montecarlo::{simulate, simulate_against, Estimate, SimConfig, SimTerms};
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
    /// CISC softmax temperature T (> 0 or inf): adds CISC rows, simulated
    /// against CISC's limit p̃ (exact values by enumeration where it fits).
    #[arg(long)]
    temperature: Option<f64>,
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
    /// The exact row; `null` for CISC where enumeration does not fit.
    exact: Option<ExactRow>,
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

/// What a simulated row is compared with.
struct Key {
    estimator: EstimatorId,
    answer: String,
    path: Option<usize>,
    n: u64,
    target: f64,
    indicator: f64,
}

fn sim_row(t: &SimTerms, key: Key, exact: Option<ExactRow>) -> SimRow {
    let (e, target, indicator) = (t.expected_confidence, key.target, key.indicator);
    SimRow {
        estimator: key.estimator.name(),
        answer: key.answer,
        path: key.path,
        n: key.n,
        expected_confidence: e,
        bias: shift(e, 1.0, -target),
        estimation_error: t.estimation_error,
        model_error: (target - indicator).powi(2),
        cross_term: shift(e, 2.0 * (target - indicator), -2.0 * (target - indicator) * target),
        reasoning_error: t.reasoning_error,
        exact,
    }
}

fn key_of(ex: &ExactRow) -> Key {
    Key { estimator: ex.estimator, answer: ex.answer.clone(), path: ex.path, n: ex.n, target: ex.target, indicator: ex.indicator }
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
    if let Some(t) = args.temperature {
        anyhow::ensure!(t > 0.0 && !t.is_nan(), "--temperature {t} must be positive (inf allowed: SC)");
    }
    let runs = if args.temperature.is_some() { 2 } else { 1 };
    let bar = Bar::new(trials * ns.len() as u64 * runs, "simulating");
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
            rows.push(sim_row(terms, key_of(&ex), Some(ex)));
        }
        if let Some(t) = args.temperature {
            let limit = pathconf::theory::weighted::cisc_limit(d, t);
            let sims = simulate_against(d, &checked, &[&Cisc { temperature: t }], std::slice::from_ref(&limit), &bar);
            sampled += checked.trials * n;
            let mut exact = pathconf::theory::table::cisc_rows(d, n, t).map(|v| v.into_iter());
            for (a, terms) in sims.answers[0].iter().enumerate() {
                let key = Key { estimator: EstimatorId::Cisc, answer: d.answers()[a].clone(), path: None, n, target: limit[a], indicator: d.indicator(a) };
                rows.push(sim_row(terms, key, exact.as_mut().and_then(|e| e.next())));
            }
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
    println!("Monte Carlo mean [95% interval] | exact value; '*' marks an exact value outside the interval (expected for about 5% of cells).");
    if let Some(t) = args.temperature {
        println!("CISC (T = {t}): terms against its limit p̃(a) = Σ p_t e^(p_t/T) / Σ p_t e^(p_t/T); exact values by enumeration of count vectors.");
    }
    println!();
    let fmt = |e: &Estimate, exact: Option<f64>| match exact {
        Some(x) => format!("{} [{}, {}] | {}{}", num(e.mean), num(e.ci_low), num(e.ci_high), num(x), if e.covers(x) { "" } else { " *" }),
        None => format!("{} [{}, {}] | not enumerable", num(e.mean), num(e.ci_low), num(e.ci_high)),
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
