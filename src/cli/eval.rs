//! `pathconf eval FILE [--methods ...] [--k ...] [--repeats R] [--json] [--out FILE]`,
//! or `pathconf eval FILE --stop RULE [--stop RULE ...] [--order file|random]`.

use super::format::table;
use super::named;
use super::read::ReadArgs;
use pathconf::api::eval::{eval_file, EvalOptions, EvalOutcome};
use pathconf::eval::equivalence::AnswerEquality;
use pathconf::eval::formats::chunks::CHUNK_BYTES;
use pathconf::eval::methods::ProbMode;
use pathconf::eval::protocol::{EvalReport, MeanStd};
use pathconf::eval::stopping::{PathOrder, StopReport};
use pathconf::invalid::InvalidPolicy;
use pathconf::output::write_atomic_with;
use pathconf::progress::Bar;
use pathconf::stopping::StopRule;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    read: ReadArgs,
    /// Methods, comma-separated: sc, ppl, pc, rp (needs --tau), rpc, cisc:T[:prob|ptrue], cisc-linear:T, cisc-tie,
    /// deepconf:SCORE:ETA[:W] (SCORE = mean|tail|bottom10|lowest), self-certainty-borda[:P]
    /// [default: sc,ppl,pc,rpc; sc alone on an answers-only file].
    #[arg(long, value_delimiter = ',')]
    methods: Option<Vec<String>>,
    /// Threshold for `rp`.
    #[arg(long)]
    tau: Option<f64>,
    /// Paths per question K, comma-separated (default: all paths).
    #[arg(long, value_delimiter = ',')]
    k: Vec<usize>,
    /// Random subsets per K.
    #[arg(long, default_value_t = 10)]
    repeats: usize,
    /// Seed of the random subsets.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Path probability: exp(mean log-prob) as the reference, or exp(sequence log-prob).
    #[arg(long, value_parser = named::<ProbMode>(), default_value = "mean")]
    prob: ProbMode,
    /// Print the JSON report instead of the table.
    #[arg(long)]
    json: bool,
    /// Also write the JSON report to this file (atomically).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Add every question's outcome on all its paths to the JSON and the table (methods: credit,
    /// answer rows as the reference builds them, pruned paths, Weibull fit; --stop: per rule the samples used and the credit).
    #[arg(long)]
    per_question: bool,
    /// Replay a stopping rule instead of the methods (repeatable): fixed:N, esc:W:L[:window|majority], asc-beta:T[:MAX],
    /// asc-dirichlet:T[:MAX], asc-majority:T[:MAX], asc-entropy:T[:MAX], pc-certify[:MAX], pc-gt[:MAX].
    #[arg(long = "stop")]
    stop: Vec<StopRule>,
    /// Order in which --stop consumes each question's paths (the file's, or --repeats seeded random orders), and
    /// which K paths the methods read (each question's first K, or --repeats random subsets).
    #[arg(long, value_parser = named::<PathOrder>(), default_value = "random")]
    order: PathOrder,
    /// Paths without an answer: `vote` (one answer group) or `drop` (cost a sample, cast no vote), for every
    /// method and rule [default: each as its reference code — vote for sc, ppl, pc, rp, rpc, esc, fixed, pc-*;
    /// drop for cisc, deepconf, self-certainty-borda, asc-*].
    #[arg(long, value_parser = named::<InvalidPolicy>())]
    invalid: Option<InvalidPolicy>,
}

fn ms(m: MeanStd, scale: f64, digits: usize) -> String {
    format!("{:.*} ± {:.*}", digits, m.mean * scale, digits, m.std * scale)
}

fn print_table(r: &EvalReport) {
    println!(
        "pathconf eval: {} — {} questions, {}–{} paths each, {} paths without an answer (\"[invalid]\", in {} questions; column 'invalid': how each method treats them), q = exp({} log-prob)",
        r.file,
        r.questions,
        r.paths_per_question.0,
        r.paths_per_question.1,
        r.invalid_answers,
        r.questions_with_invalid,
        r.prob
    );
    let subsets = match r.order {
        PathOrder::File => "each question's first K paths in file order (one subset: std 0)".to_string(),
        PathOrder::Random => format!("mean ± std over random subsets (seed {})", r.seed),
    };
    println!("Accuracy in %, ECE ×100; {subsets}. 'max' = chosen answer, 'avg' = all answers (reference metrics.py).");
    println!("s.e.(Q) = standard error of the accuracy across questions (measured on data); WQD = share of (correct, wrong) path pairs of a question");
    println!("where the correct path has the higher confidence, ties in parentheses (pooled; '-' for SC, whose paths weigh the same).\n");
    let body: Vec<Vec<String>> = r
        .results
        .iter()
        .map(|m| {
            vec![
                m.k.map(|k| k.to_string()).unwrap_or_else(|| "all".into()),
                m.method.name(),
                m.invalid.to_string(),
                ms(m.accuracy, 1.0, 2),
                format!("{:.2}", m.accuracy_se),
                ms(m.ece_max, 100.0, 2),
                ms(m.brier_max, 1.0, 4),
                ms(m.nll_max, 1.0, 4),
                ms(m.ece_avg, 100.0, 2),
                m.pruned_fraction.map(|f| format!("{:.1}%", 100.0 * f)).unwrap_or_else(|| "-".into()),
                m.wqd.map(|w| format!("{:.3} ({:.3})", w.share, w.tied)).unwrap_or_else(|| "-".into()),
                m.repeats.to_string(),
            ]
        })
        .collect();
    println!(
        "{}",
        table(&["K", "method", "invalid", "accuracy", "s.e.(Q)", "ECE max", "Brier max", "NLL max", "ECE avg", "pruned", "WQD (tied)", "repeats"], &body)
    );
    if !r.fewest_paths.is_empty() {
        let f0 = &r.fewest_paths[0];
        println!("Fewest paths to match SC's best accuracy ({:.2}% at K = {}) — the paper's Table 1:", f0.sc_best_accuracy, f0.sc_best_k);
        let body: Vec<Vec<String>> = r
            .fewest_paths
            .iter()
            .map(|f| {
                vec![
                    f.method.name(),
                    f.k_needed.map(|k| k.to_string()).unwrap_or_else(|| "not reached".into()),
                    f.reduction_pct.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        println!("{}", table(&["method", "K needed", "fewer paths"], &body));
    }
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let mut opts = EvalOptions {
        methods: args.methods.clone(),
        tau: args.tau,
        ks: args.k.clone(),
        repeats: args.repeats,
        seed: args.seed,
        prob: args.prob,
        equal: AnswerEquality::default(),
        per_question: args.per_question,
        stop: args.stop.clone(),
        order: args.order,
        invalid: args.invalid,
    };
    opts.parsed_methods()?; // names and τ first, before reading anything
    opts.equal = args.read.equality()?;
    let answers = args.read.truths()?;
    let file = &args.read.file;
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let bar = Bar::bytes(size, if opts.stop.is_empty() { "evaluating" } else { "replaying" });
    // Line formats are read a chunk at a time (memory bounded by a chunk,
    // not the file); the others whole, RPC's fits starting while they parse.
    warn_about_logprobs(file, &opts)?;
    let (outcome, questions) = eval_file(file, args.read.format, answers.as_ref(), &opts, CHUNK_BYTES, &bar)?;
    bar.finish();
    if let EvalOutcome::Methods { report, .. } = &outcome {
        if opts.methods.is_none() && report.results.iter().all(|r| r.method == pathconf::eval::methods::Method::Sc) {
            eprintln!("{}: answers only (no log-probabilities): evaluating sc alone", file.display());
        }
    }
    // Written as it is serialised: a large file's per-question outcomes are
    // never one string in memory.
    let mut write_json = |w: &mut dyn std::io::Write| outcome.write_json(w);
    if let Some(out) = &args.out {
        write_atomic_with(out, &mut write_json).map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", out.display()))?;
    }
    if args.json {
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        write_json(&mut stdout)?;
        writeln!(stdout)?;
        stdout.flush()?;
        return Ok(0);
    }
    match &outcome {
        EvalOutcome::Methods { report, .. } => print_table(report),
        EvalOutcome::Stopping(report) => print_stopping(&args, questions, &opts, report),
    }
    Ok(0)
}

/// A file `sample --endpoint` wrote says what its log-probabilities are:
/// warn when a method or rule reads them as what they are not.
fn warn_about_logprobs(file: &std::path::Path, opts: &EvalOptions) -> anyhow::Result<()> {
    let Some(header) = pathconf::eval::formats::stream::read_header(file).ok().flatten() else { return Ok(()) };
    let methods = opts
        .parsed_methods()?
        .unwrap_or_else(|| ["sc", "ppl", "pc", "rpc"].iter().map(|m| pathconf::eval::methods::Method::parse(m, None).expect("defaults parse")).collect());
    let readers: Vec<String> = if opts.stop.is_empty() {
        methods.iter().filter(|m| m.needs() == Some(pathconf::eval::methods::Needs::MeanLogprob)).map(|m| m.name()).collect()
    } else {
        opts.stop.iter().filter(|r| r.needs_paths()).map(|r| r.to_string()).collect()
    };
    if !readers.is_empty() {
        if let Some(c) = header.caveat(&readers.join(", ")) {
            eprintln!("warning: {c}");
        }
    }
    Ok(())
}

fn print_stopping(args: &Args, questions: usize, opts: &EvalOptions, report: &StopReport) {
    let order = opts.order;
    let repeats = if order == PathOrder::File { 1 } else { args.repeats };
    let how = match order {
        PathOrder::File => "paths in file order".to_string(),
        PathOrder::Random => format!("{repeats} seeded random orders per question (seed {})", args.seed),
    };
    println!("pathconf eval --stop: {} — {} questions, {how}. Measured on data: accuracy ± s.e. across questions, ties split; ECE ×100 and Brier of the answer's vote share; invalid = how the rule treats draws without an answer (a dropped draw still counts as a sample).\n", args.read.file.display(), questions);
    let body: Vec<Vec<String>> = report
        .results
        .iter()
        .map(|r| {
            vec![
                r.rule.clone(),
                r.invalid.to_string(),
                format!("{:.2} ± {:.2}", r.accuracy, r.accuracy_se),
                format!("{:.2}", r.ece),
                format!("{:.4}", r.brier),
                format!("{:.2}", r.mean_samples),
                format!("{:.1}", r.median_samples),
            ]
        })
        .collect();
    println!("{}", table(&["rule", "invalid", "accuracy %", "ECE", "Brier", "mean samples", "median"], &body));
    if !report.per_question.is_empty() {
        let body: Vec<Vec<String>> = report
            .per_question
            .iter()
            .map(|q| vec![q.id.clone(), q.rule.clone(), format!("{}", q.samples), q.answer.clone().unwrap_or_else(|| "-".into()), format!("{}", q.correct)])
            .collect();
        println!("Per question (means over the orders when there are several):");
        println!("{}", table(&["id", "rule", "samples", "answer", "correct"], &body));
    }
    if !report.saved.is_empty() {
        println!("Samples saved at equal accuracy: the smallest fixed budget whose plurality vote (same orders) is as accurate as the rule, invalid draws treated as the rule treats them.");
        let body: Vec<Vec<String>> = report
            .saved
            .iter()
            .map(|r| {
                vec![
                    r.rule.clone(),
                    format!("{:.2}", r.accuracy),
                    format!("{:.2}", r.mean_samples),
                    r.fixed_equivalent.map(|k| format!("fixed:{k}")).unwrap_or_else(|| "none".into()),
                    r.saved_pct.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        println!("{}", table(&["rule", "accuracy %", "mean samples", "as accurate", "saved"], &body));
    }
}
