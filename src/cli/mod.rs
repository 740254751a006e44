//! Subcommands. Errors returned from a subcommand are bad input (exit 2);
//! a subcommand returns the exit code otherwise.

mod bench;
mod budget;
mod endpoint;
mod eval;
mod format;
mod plan;
mod read;
mod reproduce;
mod sample;
mod serve;
mod simulate;
mod theory;
mod tiny;
mod verify;

use clap::{Parser, Subcommand};

/// Exact and simulated error theory of SC / PPL / PC / RPC, an audit of the
/// paper's claims, and evaluation on real sampled reasoning paths.
#[derive(Parser, Debug)]
#[command(name = "pathconf", version, about, long_about = None)]
pub struct Cli {
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, global = true)]
    threads: Option<usize>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Exact error terms for a spec file; with --accuracy/--target/--population, selection accuracy vs n and samples needed.
    Theory(theory::Args),
    /// The same terms by Monte Carlo, with 95% intervals and throughput.
    Simulate(simulate::Args),
    /// Stopping rules (fixed, ESC, Adaptive-Consistency): expected samples and accuracy for a spec file.
    Budget(budget::Args),
    /// Audit the paper's propositions and theorems against enumeration and Monte Carlo.
    Verify(verify::Args),
    /// Evaluate SC / PPL / PC / RP / RPC on sampled reasoning paths.
    Eval(eval::Args),
    /// Predict SC's accuracy and stopping rules' cost at budgets not yet sampled, from the first paths of each question (a pilot).
    Plan(plan::Args),
    /// Write every figure (PNG, SVG, CSV) and summary.md into figures/.
    Reproduce(reproduce::Args),
    /// Sample reasoning paths from a llama-architecture GGUF model (SmolLM2 by default), or from an OpenAI-compatible server (--endpoint) with a stopping rule applied online.
    Sample(sample::Args),
    /// Serve a built-in model (the tiny transformer, or SmolLM2) behind the OpenAI-compatible API, with processed log-probabilities.
    Serve(serve::Args),
    /// The small transformer trained with candle: train, sample, enumerate.
    Tiny(tiny::Args),
    /// Throughput of the GGUF sampler's forward pass (`bench decode`), as llama.cpp's `llama-batched-bench` measures it.
    Bench(bench::Args),
}

/// Runs the parsed command; `Ok(code)` is the exit code.
/// A value parser for one of the library's option enums: its names listed
/// in `--help` and in the error for a name that is not one of them.
pub(crate) fn named<T>() -> impl clap::builder::TypedValueParser<Value = T>
where
    T: pathconf::options::NamedOption + std::str::FromStr + Clone + Send + Sync + 'static,
    T::Err: std::fmt::Debug,
{
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(T::NAMES).map(|name| name.parse::<T>().expect("one of the listed names"))
}

pub fn run(cli: Cli) -> anyhow::Result<i32> {
    if let Some(t) = cli.threads {
        anyhow::ensure!(t >= 1, "--threads must be at least 1");
        rayon::ThreadPoolBuilder::new().num_threads(t).build_global()?;
    }
    match cli.command {
        Command::Theory(a) => theory::run(a),
        Command::Simulate(a) => simulate::run(a),
        Command::Budget(a) => budget::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Plan(a) => plan::run(a),
        Command::Reproduce(a) => reproduce::run(a),
        Command::Tiny(a) => tiny::run(a),
        Command::Sample(a) => sample::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Bench(a) => bench::run(a),
    }
}
