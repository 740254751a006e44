//! The `main` shared by the `sims/` binaries: one figure each.

use clap::Parser;

// exp, log, pow, … from the `libm` crate: the same bits on every CPU
// (pathconf_core::elementary says why).
pathconf_core::elementary_functions!();
use pathconf::figures::{FigureConfig, FigureError, FigureOutput};
use pathconf::progress::{Bar, Observer};
use std::path::PathBuf;

/// The command line shared by the `sims/` binaries.
#[derive(Debug, Parser)]
pub struct SimArgs {
    /// Output directory.
    #[arg(long, default_value = "figures")]
    pub out: PathBuf,
    /// Master seed.
    #[arg(long, default_value_t = 2025)]
    pub seed: u64,
    /// Smoke run with fewer trials.
    #[arg(long)]
    pub quick: bool,
}

/// Parses [`SimArgs`], runs `figure`, prints the files written and the
/// figure's summary; exits 2 if
/// the output directory cannot be made, 1 if the figure fails.
pub fn main(name: &str, figure: fn(&FigureConfig, &dyn Observer) -> Result<FigureOutput, FigureError>) {
    let a = SimArgs::parse();
    let cfg = FigureConfig { out: a.out, seed: a.seed, quick: a.quick };
    if let Err(e) = std::fs::create_dir_all(&cfg.out) {
        eprintln!("error: {}: {e}", cfg.out.display());
        std::process::exit(2);
    }
    let bar = Bar::spinner(name);
    let result = figure(&cfg, &bar);
    bar.finish();
    match result {
        Ok(o) => {
            o.files.iter().for_each(|f| println!("{}", f.display()));
            println!("\n{}", o.summary);
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
