//! `pathconf plan FILE --pilot m [--n LIST] [--methods LIST] [--stop RULE]… [--target T] [--budget-tokens B] [--json]`.

use super::format::table;
use super::named;
use super::read::ReadArgs;
use pathconf::accuracy::target::Target;
use pathconf::api::plan::{plan, PlanOptions, PlanReport};
use pathconf::eval::methods::ProbMode;
use pathconf::invalid::InvalidPolicy;
use pathconf::output::write_atomic;
use pathconf::plan::PlanModel;
use pathconf::progress::Bar;
use pathconf::provenance::Interval;
use pathconf::stopping::StopRule;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    read: ReadArgs,
    /// Read only the first m paths of each question (the pilot) [default: all of them].
    #[arg(long)]
    pilot: Option<usize>,
    /// Sample sizes to predict the methods at, comma-separated [default: 1,2,4,8,16,32,64].
    #[arg(long, value_delimiter = ',')]
    n: Vec<usize>,
    /// Methods, comma-separated, as `eval --methods` takes them (sc, ppl, pc, rp:τ, rpc, cisc:T[:prob|ptrue],
    /// cisc-linear:T, cisc-tie, deepconf:SCORE:ETA[:W], self-certainty-borda[:P]) where the file has their signals;
    /// SC is always predicted [default: sc].
    #[arg(long, value_delimiter = ',')]
    methods: Option<Vec<String>>,
    /// Path probability PPL, PC, RP and RPC read: exp(mean log-prob) as the reference, or exp(sequence log-prob).
    #[arg(long, value_parser = named::<ProbMode>(), default_value = "mean")]
    prob: ProbMode,
    /// A stopping rule to predict (repeatable): fixed:N, esc:W:L[:window|majority], asc-beta:T[:MAX],
    /// asc-dirichlet:T[:MAX], asc-majority:T[:MAX], asc-entropy:T[:MAX], pc-gt[:MAX], pc-certify[:MAX].
    #[arg(long = "stop")]
    stop: Vec<StopRule>,
    /// Paths without an answer: vote or drop, for SC and every rule [default: each as its reference — vote for sc,
    /// fixed, esc; drop for asc-*].
    #[arg(long, value_parser = named::<InvalidPolicy>())]
    invalid: Option<InvalidPolicy>,
    /// The model: eb (empirical Bayes: a correct share with a prior fitted across questions, wrong answers from a
    /// fitted Pitman–Yor process) or plug-in (the pilot's frequencies as the truth; for comparison).
    #[arg(long, value_parser = named::<PlanModel>(), default_value = "eb")]
    model: PlanModel,
    /// Monte Carlo draws (each a bootstrap refit and a completion of every question).
    #[arg(long, default_value_t = 400)]
    draws: usize,
    /// Seed of the draws.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Central probability of the intervals.
    #[arg(long, default_value_t = 0.9)]
    level: f64,
    /// The smallest n whose predicted SC accuracy reaches a target: limit:D (within D of the n → ∞ accuracy),
    /// sc:N (SC's accuracy at N), abs:A.
    #[arg(long)]
    target: Option<Target>,
    /// The choice (a method at some n, or a --stop rule) with the best predicted accuracy within this many completion
    /// tokens per question (priced at the file's mean tokens per pilot path).
    #[arg(long)]
    budget_tokens: Option<f64>,
    /// Print the JSON report instead of the table.
    #[arg(long)]
    json: bool,
    /// Also write the JSON report to this file (atomically).
    #[arg(long)]
    out: Option<PathBuf>,
}

fn interval(i: Interval) -> String {
    format!("[{:.2}, {:.2}]", i.low, i.high)
}

fn print_table(r: &PlanReport) {
    let f = &r.fitted;
    println!(
        "pathconf plan: {} — {} questions, pilot = first {} paths ({} paths without an answer; SC: invalid {}), {} model, {} draws, seed {}",
        r.file,
        r.questions,
        r.pilot,
        r.invalid_pilot_paths,
        r.sc_invalid,
        f.model.describe(),
        r.draws,
        r.seed
    );
    if let (Some(mean), Some(zero), Some(one), Some(finite), Some(a), Some(d)) =
        (f.prior_mean_share, f.prior_mass_at_zero, f.prior_mass_at_one, f.wrong_finite_weight, f.wrong_mean_alpha, f.wrong_mean_discount)
    {
        println!(
            "Fitted on the pilots: correct share prior mean {mean:.3} (mass {zero:.3} at 0, {one:.3} at 1); wrong answers: weight {finite:.2} on a few distractors, \
             the rest unbounded Pitman–Yor (mean α = {a:.2}, d = {d:.2})."
        );
    }
    println!(
        "What `eval --stop fixed:n --order file` (SC), `eval --n n --order file`-style replay of the other methods on the first n paths, or `--stop RULE` will measure once every question has its paths, the pilot's kept first;\naccuracy in %, {:.0}% intervals; 'predicted' = Monte Carlo over {} draws (s.e. of the mean in 'mc s.e.'), 'measured' = fixed by the pilot.\n",
        100.0 * r.level,
        r.draws
    );
    let body: Vec<Vec<String>> = r
        .rows
        .iter()
        .map(|row| {
            vec![
                row.method.clone().or_else(|| row.rule.clone()).unwrap_or_default(),
                row.n.map(|n| n.to_string()).unwrap_or_else(|| "∞".into()),
                format!("{:.2}", row.accuracy),
                interval(row.accuracy_interval),
                format!("{:.2}", row.accuracy_mc_se),
                row.expected_samples.map(|s| format!("{s:.2}")).unwrap_or_else(|| "-".into()),
                row.samples_interval.map_or_else(|| "-".into(), interval),
                row.provenance.label().into(),
            ]
        })
        .collect();
    println!("{}", table(&["method / rule", "n (cap)", "accuracy", "interval", "mc s.e.", "samples", "interval", "basis"], &body));
    if let Some(t) = &r.target {
        match (t.n, t.accuracy) {
            (Some(n), Some(a)) => println!(
                "Target {}: goal {:.2}% → SC at n = {n}, predicted {:.2}% {}{}",
                t.target,
                t.goal,
                a.mean,
                interval(a.interval),
                if t.stays_above { "" } else { " (the predicted curve dips below the goal again before n_max)" }
            ),
            _ => println!("Target {}: goal {:.2}% — not reached by n = {} (predicted)", t.target, t.goal, t.n_max),
        }
    }
    if let Some(b) = &r.budget {
        match (&b.accuracy, b.tokens) {
            (Some(a), Some(tokens)) => println!(
                "Budget {:.0} tokens per question ({:.1} tokens per path, measured on the pilot): {} — predicted {:.2}% {}, {:.0} tokens",
                b.budget_tokens,
                b.tokens_per_path,
                match (&b.method, &b.rule) {
                    (Some(m), _) => format!("{m} at n = {}", b.n.unwrap_or(0)),
                    (_, Some(rule)) => rule.clone(),
                    _ => String::new(),
                },
                a.mean,
                interval(a.interval),
                tokens
            ),
            _ => println!("Budget {:.0} tokens per question ({:.1} tokens per path): not even one path fits", b.budget_tokens, b.tokens_per_path),
        }
    }
    for n in &r.notes {
        println!("note: {n}");
    }
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let opts = PlanOptions {
        pilot: args.pilot,
        n: args.n.clone(),
        methods: args.methods.clone(),
        prob: args.prob,
        stop: args.stop.clone(),
        equal: args.read.equality()?,
        invalid: args.invalid,
        model: args.model,
        draws: args.draws,
        seed: args.seed,
        level: args.level,
        target: args.target,
        budget_tokens: args.budget_tokens,
    };
    let ds = args.read.read()?;
    let bar = Bar::new(opts.draws as u64, "planning");
    let report = plan(&ds, &opts, &bar)?;
    bar.finish();
    let json = serde_json::to_string_pretty(&report)?;
    if let Some(out) = &args.out {
        write_atomic(out, json.as_bytes()).map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", out.display()))?;
    }
    if args.json {
        println!("{json}");
    } else {
        print_table(&report);
    }
    Ok(0)
}
