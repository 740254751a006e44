//! The `pathconf` command-line tool.

mod cli;

// exp, log, pow, … from the `libm` crate: the same bits on every CPU
// (pathconf_core::elementary says why).
pathconf_core::elementary_functions!();

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    std::process::exit(match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            2
        }
    });
}
