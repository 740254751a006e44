//! `pathconf sample --endpoint URL --model NAME --questions FILE --n MAX
//! --out FILE [--stop RULE] [--methods LIST] …`: paths from an
//! OpenAI-compatible server (vLLM, SGLang, llama.cpp, hosted APIs,
//! `pathconf serve`), a stopping rule deciding online.

use super::format::table;
use super::named;
use pathconf::eval::formats::stream::{LogprobKind, Sampling};
use pathconf::eval::methods::Method;
use pathconf::eval::questions::read_questions;
use pathconf::extract::TextRule;
use pathconf::invalid::InvalidPolicy;
use pathconf::stopping::StopRule;
use pathconf_client::request::Api;
use pathconf_client::run::{run as run_session, RunError, RunOptions};
use pathconf_client::session::SampleError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The options of `sample` that only `--endpoint` uses.
#[derive(clap::Args, Debug)]
pub struct ServerArgs {
    /// An OpenAI-compatible server (`http://host:port` or `…/v1`): sample from it instead of the built-in model.
    /// Repeat for several servers of the same model: requests go to them in turn.
    #[arg(long)]
    pub(crate) endpoint: Vec<String>,
    /// The model's name on the server (with --endpoint).
    #[arg(long)]
    model: Option<String>,
    /// Stop each question online with a rule (with --endpoint): fixed:N, esc:W:L[:window|majority],
    /// asc-beta:T[:MAX], asc-dirichlet:T[:MAX], asc-majority:T[:MAX], asc-entropy:T[:MAX],
    /// pc-certify[:MAX], pc-gt[:MAX]. A cap above --n is lowered to --n. Default: fixed:--n.
    #[arg(long)]
    stop: Option<StopRule>,
    /// Methods answering each question from the draws the rule read (with --endpoint), comma-separated as in `eval --methods`.
    #[arg(long)]
    methods: Option<String>,
    /// Which endpoint: chat completions or legacy completions.
    #[arg(long, value_parser = named::<Api>(), default_value = "chat")]
    api: Api,
    /// The prompt, `{question}` replaced by the question (default: the question and "Give the answer as \"The answer is N.\"").
    #[arg(long)]
    prompt_template: Option<String>,
    /// Requests in flight [default: the server's parallel slots where it reports them (llama.cpp), else 8].
    #[arg(long)]
    concurrency: Option<usize>,
    /// Draws asked for in one request (`n`), used only if the server returns that many choices to a
    /// one-token probe; else one request per draw (said).
    #[arg(long, default_value_t = 1)]
    choices_per_request: usize,
    /// Top-k truncation (sent only when given; hosted APIs reject it).
    #[arg(long)]
    top_k: Option<u32>,
    /// Min-p truncation (sent only when given).
    #[arg(long)]
    min_p: Option<f64>,
    /// What the server's log-probabilities are, when it does not say itself.
    #[arg(long, value_parser = named::<LogprobKind>())]
    logprob_kind: Option<LogprobKind>,
    /// Environment variable holding the API key (never written anywhere).
    #[arg(long, default_value = "OPENAI_API_KEY")]
    api_key_env: String,
    /// Continue an existing --out: rebuild each question's rule from its draws, request the rest.
    #[arg(long)]
    resume: bool,
    /// Keep draws the server returned without log-probabilities (answers only; SC and count rules only).
    #[arg(long)]
    allow_missing_logprobs: bool,
    /// How answers are read from completions.
    #[arg(long, value_parser = named::<TextRule>(), default_value = "word-problem")]
    extract: TextRule,
    /// Invalid draws: `vote` or `drop`, for the rule and every method [default: as each one's reference does].
    #[arg(long, value_parser = named::<InvalidPolicy>())]
    invalid: Option<InvalidPolicy>,
}

impl ServerArgs {
    /// Errors if an --endpoint-only option is given without --endpoint.
    pub(crate) fn refuse_without_endpoint(&self) -> anyhow::Result<()> {
        let given = [
            ("--model", self.model.is_some()),
            ("--stop", self.stop.is_some()),
            ("--methods", self.methods.is_some()),
            ("--prompt-template", self.prompt_template.is_some()),
            ("--concurrency", self.concurrency.is_some()),
            ("--choices-per-request", self.choices_per_request != 1),
            ("--top-k", self.top_k.is_some()),
            ("--min-p", self.min_p.is_some()),
            ("--logprob-kind", self.logprob_kind.is_some()),
            ("--resume", self.resume),
            ("--allow-missing-logprobs", self.allow_missing_logprobs),
            ("--invalid", self.invalid.is_some()),
        ];
        if let Some((name, _)) = given.iter().find(|g| g.1) {
            anyhow::bail!("{name} needs --endpoint (the built-in model samples a fixed --n per question)");
        }
        Ok(())
    }
}

pub fn run(a: super::sample::Args) -> anyhow::Result<i32> {
    let s = &a.server;
    let urls = s.endpoint.clone();
    let model = s.model.clone().ok_or_else(|| anyhow::anyhow!("--endpoint needs --model NAME (the model's name on the server)"))?;
    let methods: Vec<Method> = match &s.methods {
        Some(list) => list.split(',').map(|m| Method::parse(m.trim(), None)).collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    let text = std::fs::read_to_string(&a.questions).map_err(|e| anyhow::anyhow!("{}: {e}", a.questions.display()))?;
    let mut questions = read_questions(&text, &a.questions).map_err(|e| anyhow::anyhow!(e))?;
    if let Some(k) = a.limit {
        questions.truncate(k);
    }
    let opts = RunOptions {
        urls,
        model: model.clone(),
        api_key: std::env::var(&s.api_key_env).ok().filter(|k| !k.is_empty()),
        api: s.api,
        prompt_template: s.prompt_template.clone(),
        n: a.n,
        stop: s.stop,
        methods: methods.clone(),
        concurrency: s.concurrency,
        choices_per_request: s.choices_per_request,
        seed: a.seed,
        sampling: Sampling { temperature: a.temperature, top_p: a.top_p, top_k: s.top_k, min_p: s.min_p },
        max_new_tokens: a.max_new_tokens,
        top_logprobs: a.top_logprobs,
        logprob_kind: s.logprob_kind,
        resume: s.resume,
        allow_missing_logprobs: s.allow_missing_logprobs,
        extract: s.extract,
        invalid: s.invalid,
    };
    let interrupt = Arc::new(AtomicBool::new(false));
    {
        let flag = interrupt.clone();
        // A second Ctrl-C ends the process at once.
        let _ = ctrlc::set_handler(move || {
            if flag.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
            eprintln!("\ninterrupted: finishing the requests in flight (Ctrl-C again to quit now)");
        });
    }
    let bar = pathconf::progress::Bar::new((questions.len() * a.n) as u64, "draws (upper bound)");
    let advance = |k: u64| pathconf::progress::Observer::advance(&bar, k);
    let result = match run_session(&opts, &questions, &a.out, &interrupt, &advance) {
        Ok(r) => r,
        Err(e @ RunError::Sample(SampleError::Interrupted(_))) => {
            bar.finish();
            eprintln!("{e}");
            return Ok(130);
        }
        Err(RunError::Options(m)) => anyhow::bail!(m),
        Err(e) => return Err(e.into()),
    };
    bar.finish();
    for note in &result.notes {
        eprintln!("note: {note}");
    }
    print_run(&opts, &methods, &result);
    eprintln!("→ {} (draws), {} (per question)", a.out.display(), result.summary.display());
    Ok(0)
}

fn print_run(opts: &RunOptions, methods: &[Method], result: &pathconf_client::run::RunResult) {
    let (rule, rows, report) = (result.rule, &result.rows, &result.report);
    let mut header = vec!["id".to_string(), "samples".into(), "overshoot".into(), rule.to_string()];
    header.extend(methods.iter().map(|m| m.name()));
    header.extend(["prompt tok".to_string(), "completion tok".into()]);
    let mark = |a: &Option<String>, c: Option<f64>| {
        let verdict = match c {
            None => String::new(),
            Some(c) if c >= 1.0 => " ✓".into(),
            Some(c) if c > 0.0 => format!(" ({c:.2})"),
            Some(_) => " ✗".into(),
        };
        format!("{}{verdict}", a.as_deref().unwrap_or("-"))
    };
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut row = vec![r.id.clone(), r.samples.to_string(), r.overshoot.to_string(), mark(&r.answer, r.correct)];
            row.extend(r.methods.iter().map(|m| mark(&m.answer, m.correct)));
            row.extend([r.prompt_tokens.to_string(), r.completion_tokens.to_string()]);
            row
        })
        .collect();
    let head: Vec<&str> = header.iter().map(String::as_str).collect();
    println!(
        "pathconf sample --endpoint {} --model {}: {} questions, rule {rule}, log-probabilities {} ({} requests in flight, {} draw{} each). Measured.\n",
        opts.urls.join(" --endpoint "),
        opts.model,
        rows.len(),
        report.logprob_kind,
        result.concurrency,
        result.choices_per_request,
        if result.choices_per_request == 1 { "" } else { "s" }
    );
    println!("{}", table(&head, &body));
    let used: usize = rows.iter().map(|r| r.samples).sum();
    let over: usize = rows.iter().map(|r| r.overshoot).sum();
    let (pt, ct): (u64, u64) = (rows.iter().map(|r| r.prompt_tokens).sum(), rows.iter().map(|r| r.completion_tokens).sum());
    println!(
        "draws read by the rule: {used} (mean {:.2} per question); overshoot: {over}; tokens (all questions, overshoot included): {pt} prompt + {ct} completion",
        used as f64 / rows.len().max(1) as f64
    );
    println!(
        "this run: {} draws in {} requests, {} completion tokens in {:.1} s = {:.1} completion tokens/s (measured)",
        report.requested,
        report.requests,
        report.completion_tokens,
        report.seconds,
        report.completion_tokens as f64 / report.seconds.max(1e-9)
    );
    if result.truth_known {
        let acc = |credits: Vec<f64>| {
            let m = credits.iter().sum::<f64>() / credits.len() as f64;
            format!("{:.2} ± {:.2}%", 100.0 * m, 100.0 * pathconf::eval::protocol::standard_error(&credits))
        };
        println!("accuracy (measured, ± s.e. across questions, ties split): {rule} {}", acc(rows.iter().map(|r| r.correct.unwrap_or(0.0)).collect()));
        for (i, m) in methods.iter().enumerate() {
            println!("  {} on the same draws: {}", m.name(), acc(rows.iter().map(|r| r.methods[i].correct.unwrap_or(0.0)).collect()));
        }
    }
    if let Some(f) = &result.fixed {
        print_fixed(f);
    }
}

/// The rule against the fixed budgets the run's own draws measure.
fn print_fixed(f: &pathconf_client::summary::FixedComparison) {
    let k = f.measured_up_to;
    let best = f.fixed_accuracy.iter().cloned().fold(f64::NAN, f64::max);
    match (f.equivalent, f.equivalent_tokens) {
        (Some(e), Some(t)) => {
            let saved = f.rule_tokens as f64 - t as f64;
            let verdict = if saved > 0.0 {
                format!("the rule spent {saved:.0} more ({:.1}% more than fixed:{e})", 100.0 * saved / t.max(1) as f64)
            } else {
                format!("the rule saved {:.0} ({:.1}%)", -saved, -100.0 * saved / t.max(1) as f64)
            };
            println!(
                "fixed budgets (measured on each question's first k draws, k ≤ {k}): fixed:{e} is the smallest as accurate ({:.2}% vs the rule's {:.2}%), \
                 {t} completion tokens against the rule's {} (overshoot included): {verdict}",
                f.fixed_accuracy[e - 1],
                f.rule_accuracy,
                f.rule_tokens
            );
        }
        _ if k == 0 => println!("fixed budgets: not measured (a question has no draws)"),
        _ => println!(
            "fixed budgets: none of fixed:1..{k} (what every question's draws measure) is as accurate as the rule ({:.2}%; the best {best:.2}%); \
             a fixed budget as accurate needs more draws than this run sampled — run fixed:N to another --out and compare with `pathconf eval FILE --stop RULE`",
            f.rule_accuracy
        ),
    }
}
