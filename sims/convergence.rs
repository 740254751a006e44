//! Writes the `convergence` figure (PNG, SVG, CSV) into `--out` (default `figures/`).
//! `cargo run --release --bin convergence -- [--out DIR] [--seed S] [--quick]`

use clap::Parser;
use pathconf::figures::{convergence, FigureConfig};
use pathconf::progress::Bar;

/// Reproduces one figure of the paper with theory overlaid.
#[derive(Parser)]
struct Args {
    /// Output directory.
    #[arg(long, default_value = "figures")]
    out: std::path::PathBuf,
    /// Master seed.
    #[arg(long, default_value_t = 2025)]
    seed: u64,
    /// Smoke run with fewer trials.
    #[arg(long)]
    quick: bool,
}

fn main() {
    let a = Args::parse();
    let cfg = FigureConfig { out: a.out, seed: a.seed, quick: a.quick };
    if let Err(e) = std::fs::create_dir_all(&cfg.out) {
        eprintln!("error: {}: {e}", cfg.out.display());
        std::process::exit(2);
    }
    let bar = Bar::spinner("convergence");
    match convergence::run(&cfg, &bar) {
        Ok(o) => {
            bar.finish();
            for f in o.files {
                println!("{}", f.display());
            }
        }
        Err(e) => {
            bar.finish();
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
