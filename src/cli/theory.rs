//! `pathconf theory --spec FILE --n 1,2,4,8 [--json]`.

use super::format::{key_cells, num, table};
use pathconf::accuracy::population::chernoff_rate;
use pathconf::accuracy::target::Target;
use pathconf::api::theory::{theory, AccuracyReport, AccuracyRequest, PopulationReport, TheoryInput, TheoryReport};
use pathconf::estimators::EstimatorId;
use pathconf::progress::Bar;
use pathconf::provenance::Interval;
use pathconf::spec::{read_population, read_spec};
use pathconf::PathDistribution;
use std::io::Write;
use std::path::Path;
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

/// `theory`'s own arguments: the terms table by default; selection accuracy
/// with `--accuracy`, samples needed with `--target`, population curves with
/// `--population`.
#[derive(clap::Args, Debug)]
#[command(after_help = THEORY_HELP)]
pub struct Args {
    /// Spec file: {"correct": "A", "answers": {"A": [0.2, 0.1], "B": [0.3], "C": [0.4]}, "tau": 0.15}
    #[arg(long, required_unless_present = "population", conflicts_with = "population")]
    spec: Option<PathBuf>,
    /// Population file instead of one spec (see below); implies --accuracy.
    #[arg(long)]
    population: Option<PathBuf>,
    /// Sample sizes, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,2,4,8,16,32,64")]
    n: Vec<u64>,
    /// RP threshold (overrides the file's "tau").
    #[arg(long)]
    tau: Option<f64>,
    /// CISC softmax temperature T (> 0, or inf): adds CISC rows (terms against
    /// its limit p̃, by enumeration of count vectors) and CISC to --accuracy.
    #[arg(long)]
    temperature: Option<f64>,
    /// Selection accuracy: P(chosen answer correct), E[confidence], calibration gap.
    #[arg(long)]
    accuracy: bool,
    /// Smallest n reaching a target: limit:D (within D of the n → ∞ accuracy), sc:N (SC's accuracy at N), abs:A.
    #[arg(long)]
    target: Option<Target>,
    /// Largest n searched by --target.
    #[arg(long, default_value_t = 1024)]
    n_max: u64,
    /// Estimators for --accuracy/--target/--population (default sc,ppl,pc, and rp when a threshold is set; rpc by Monte Carlo on request).
    #[arg(long, value_delimiter = ',')]
    estimators: Vec<String>,
    /// Monte Carlo trials per cell, where no exact method applies.
    #[arg(long, default_value_t = 20_000)]
    trials: u64,
    /// Monte Carlo seed.
    #[arg(long, default_value_t = 2025)]
    seed: u64,
    /// A terms row for every PPL path (by default each answer's paths are
    /// averaged into one row, weights p_t/p_a, its worst path named).
    #[arg(long)]
    per_path: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

const THEORY_HELP: &str = "\
Selection accuracy (--accuracy): each row is {estimator, n, p_correct, method, ci_low, ci_high,
expected_confidence, calibration_gap}; method is exact (SC, PPL), enumeration (PC, RP on small spaces)
or monte_carlo (with a 95% interval; ci_low/ci_high are null otherwise). Ties split the credit.

Population files (--population F), one of:
  {\"questions\": [{\"weight\": 2, \"correct\": \"A\", \"answers\": {\"A\": [0.6], \"B\": [0.4]}}, ...], \"tau\": 0.1}
  {\"mixture\": {\"alpha\": 0.9, \"p_easy\": 0.85, \"p_hard\": 0.4}}   Chen et al.'s easy/hard binary mixture
  {\"generated\": {\"questions\": 300, \"seed\": 7, \"difficulty_a\": 2, \"difficulty_b\": 2, \"wrong_answers\": 4, \"paths_per_answer\": 8}}
Weights default to 1 and are normalised. For a mixture, the shape that Chen et al.'s Theorem 1 predicts
is printed next to the shape of the exact curve.";

impl Args {
    fn request(&self, tau: Option<f64>) -> AccuracyRequest {
        AccuracyRequest {
            n: self.n.clone(),
            tau,
            temperature: self.temperature,
            estimators: self.estimators.clone(),
            accuracy: self.accuracy,
            target: self.target,
            n_max: self.n_max,
            trials: self.trials,
            seed: self.seed,
            per_path: self.per_path,
        }
    }
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    pathconf::api::check_spec_options(&args.n, args.tau, args.temperature)?;
    let file = match &args.population {
        Some(f) => f.clone(),
        None => args.spec.clone().expect("clap requires --spec without --population"),
    };
    let input = if args.population.is_some() {
        anyhow::ensure!(args.target.is_none(), "--target works on one --spec, not on a population");
        TheoryInput::Population(read_population(&file)?)
    } else {
        TheoryInput::Spec(read_spec(&file)?)
    };
    let bar = match &input {
        TheoryInput::Population(_) => Bar::spinner("population accuracy"),
        TheoryInput::Spec(_) if args.accuracy || args.target.is_some() => Bar::spinner("selection accuracy"),
        TheoryInput::Spec(_) => Bar::new(0, ""),
    };
    let report = theory(&input, &args.request(args.tau), &bar)?;
    bar.finish();
    if args.json {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(0);
    }
    let (spec, report) = match (input, report) {
        (TheoryInput::Population(pop), TheoryReport::Population(r)) => return population(&file, pop.questions.len(), &r),
        (TheoryInput::Spec(spec), TheoryReport::Accuracy(r)) => {
            let tau = args.tau.or(spec.tau);
            return accuracy(&args, &file, &spec.distribution, tau, &r);
        }
        (TheoryInput::Spec(spec), TheoryReport::Terms(r)) => (spec, r),
        _ => unreachable!("theory answers a spec with terms or accuracy, a population with curves"),
    };
    let tau = args.tau.or(spec.tau);
    let spec_file = &file;
    let (all, too_large) = (report.rows, report.cisc_too_large);
    let d = &spec.distribution;
    println!(
        "pathconf theory: {} — {} answers, {} paths, correct answer {}, RP threshold {}",
        spec_file.display(),
        d.n_answers(),
        d.paths().len(),
        d.correct_name().map(|c| format!("{c:?}")).unwrap_or_else(|| "none".into()),
        tau.map(|t| format!("τ = {t}")).unwrap_or_else(|| "not set (no rp rows; give --tau)".into())
    );
    println!("E[p̂] expected confidence, est.err = E[(p̂−p)²], model = (p−I)², cross = 2(p−I)(E[p̂]−p), R = E[(p̂−I)²] = est.err + model + cross.");
    println!("paper = the paper's printed reasoning error (Prop. 2, Prop. 3, Thm. 4 with k equal paths), '-' where it has none.");
    println!(
        "PPL's terms are per path (Prop. 3); path 'all k' is the mean over the answer's k paths weighted by p_t/p_a, its worst path in the last column{}.",
        if args.per_path { "; each path follows" } else { " (--per-path lists every path)" }
    );
    if let Some(t) = args.temperature {
        let limit = pathconf::theory::weighted::cisc_limit(d, t);
        let shares: Vec<String> = d.answers().iter().zip(&limit).map(|(a, x)| format!("{a}: {}", num(*x))).collect();
        println!(
            "CISC (T = {t}): p = its limit p̃(a) = Σ p_t e^(p_t/T) / Σ p_t e^(p_t/T) ({}); terms by enumeration of count vectors (exact){}.",
            shares.join(", "),
            if too_large.is_empty() {
                String::new()
            } else {
                format!("; n = {too_large:?} too large to enumerate — `pathconf simulate --temperature {t}` gives Monte Carlo terms")
            }
        );
    }
    println!();
    for &n in &args.n {
        println!("n = {n}{}", if n == 0 { "  (SC undefined: no samples)" } else { "" });
        let body: Vec<Vec<String>> = all
            .iter()
            .filter(|r| r.n == n)
            .map(|r| {
                let mut cells = key_cells(r.estimator.name(), &r.answer, r.path);
                if let Some(s) = &r.over_paths {
                    cells[2] = format!("all {}", s.paths);
                }
                cells.extend([
                    num(r.terms.expected_confidence),
                    num(r.terms.bias),
                    num(r.terms.estimation_error),
                    num(r.terms.model_error),
                    num(r.terms.cross_term),
                    num(r.terms.reasoning_error),
                    r.paper_formula.map(num).unwrap_or_else(|| "-".into()),
                    r.over_paths.map(|s| format!("path {}: R = {}", s.worst_path, num(s.worst_reasoning_error))).unwrap_or_default(),
                ]);
                cells
            })
            .collect();
        println!("{}", table(&["estimator", "answer", "path", "E[p̂]", "bias", "est.err", "model", "cross", "R", "paper", "worst path"], &body));
    }
    Ok(0)
}

fn ci_cells(ci: Option<Interval>) -> String {
    ci.map_or_else(|| "-".into(), |ci| format!("[{}, {}]", num(ci.low), num(ci.high)))
}

fn accuracy(args: &Args, file: &Path, d: &PathDistribution, tau: Option<f64>, report: &AccuracyReport) -> anyhow::Result<i32> {
    if let Some(rows) = &report.accuracy {
        println!("pathconf theory --accuracy: {} — P(chosen answer is correct), ties split; E[conf] = expected score of the chosen answer; gap = E[conf] − P(correct).", file.display());
        let body: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.estimator.name().into(),
                    r.n.to_string(),
                    num(r.p_correct),
                    r.method.label().into(),
                    ci_cells(r.ci),
                    num(r.expected_confidence),
                    num(r.calibration_gap),
                ]
            })
            .collect();
        println!("{}", table(&["estimator", "n", "P(correct)", "method", "95% CI", "E[conf]", "gap"], &body));
        let masses = d.answer_masses();
        match d.correct().and_then(|y| chernoff_rate(masses, y)) {
            Some(rate) => println!(
                "SC's error falls as exp(−n·I) up to a polynomial factor, I = min_j −ln(1 − (√p_y − √p_j)²) = {} (exact rate; halves every {:.1} samples).\n",
                num(rate),
                std::f64::consts::LN_2 / rate
            ),
            None => println!(
                "The correct answer is not the unique most likely answer: SC's accuracy tends to {} as n → ∞, not to 1.\n",
                num(pathconf::accuracy::limit::limit_accuracy(d, EstimatorId::Sc, None).unwrap_or(0.0))
            ),
        }
    }
    if let (Some(target), Some(rows)) = (report.target, &report.samples_needed) {
        let estimators = pathconf::api::theory::estimators(&args.estimators, tau, args.temperature)?;
        let skipped: Vec<&str> = estimators.iter().filter(|e| !rows.iter().any(|r| r.estimator == **e)).map(|e| e.name()).collect();
        {
            println!("Samples needed for target {target} (search n ≤ {}); 'stays' = accuracy stays at or above the goal from there to n_max:", args.n_max);
            let body: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.estimator.name().into(),
                        num(r.goal),
                        r.n.map(|n| n.to_string()).unwrap_or_else(|| format!("> {}", r.n_max)),
                        if r.stays_above { "yes".into() } else { "no".into() },
                        r.method.label().into(),
                    ]
                })
                .collect();
            println!("{}", table(&["estimator", "goal", "n needed", "stays", "method"], &body));
            if !skipped.is_empty() {
                println!("(no exact curve, left out: {})", skipped.join(", "));
            }
        }
    }
    Ok(0)
}

fn population(file: &Path, questions: usize, report: &PopulationReport) -> anyhow::Result<i32> {
    let rows = &report.rows;
    let shape = report.chen_theorem1.map(|c| (c.prediction, c.observed_shape, c.observed_over_odd_n_up_to));
    println!("pathconf theory --population: {} — {} questions; weighted P(chosen answer is correct), ties split.", file.display(), questions);
    let body: Vec<Vec<String>> =
        rows.iter().map(|r| vec![r.estimator.name().into(), r.n.to_string(), num(r.p_correct), r.method.label().into(), ci_cells(r.ci)]).collect();
    println!("{}", table(&["estimator", "n", "P(correct)", "method", "95% CI"], &body));
    if let Some((pred, observed, top)) = shape {
        match pred {
            Some(p) => println!(
                "Chen et al. Theorem 1: t = {:.6}, α threshold 1 − 1/t = {:.6} → predicted {:?}{}; the exact curve over odd n ≤ {top} is {:?} ({}).",
                p.t,
                p.alpha_threshold,
                p.shape,
                p.turn_n.map(|n| format!(", turning near n ≈ {n:.1}")).unwrap_or_default(),
                observed,
                if p.shape == observed { "agrees" } else { "differs — the turn may lie beyond the largest n asked" }
            ),
            None => println!("Chen et al. Theorem 1 needs p_easy > 1/2 > p_hard and 0 < alpha < 1; the exact curve over odd n ≤ {top} is {observed:?}."),
        }
    }
    Ok(0)
}
