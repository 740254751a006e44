//! `pathconf reproduce [--out DIR] [--seed S] [--quick]`: every figure, its CSV and `summary.md`.

use pathconf::figures::{reproduce, FigureConfig};
use pathconf::progress::Bar;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output directory.
    #[arg(long, default_value = "figures")]
    out: PathBuf,
    /// Master seed.
    #[arg(long, default_value_t = 2025)]
    seed: u64,
    /// Smoke run: fewer trials and points.
    #[arg(long)]
    quick: bool,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let cfg = FigureConfig { out: args.out.clone(), seed: args.seed, quick: args.quick };
    let start = std::time::Instant::now();
    let bar = Bar::spinner("reproducing");
    let outputs = reproduce(&cfg, &bar);
    bar.finish();
    let outputs = outputs?;
    for o in &outputs {
        for f in &o.files {
            println!("{}", f.display());
        }
    }
    println!("{}", args.out.join("summary.md").display());
    eprintln!("{} figures in {:.1} s", outputs.len(), start.elapsed().as_secs_f64());
    Ok(0)
}
