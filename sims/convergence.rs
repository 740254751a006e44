//! Writes the `convergence` figure (PNG, SVG, CSV) into `--out` (default `figures/`):
//! `cargo run --release --bin convergence -- [--out DIR] [--seed S] [--quick]`.
//! See [`pathconf::figures::convergence`] for what it shows.

mod common;

fn main() {
    common::main("convergence", pathconf::figures::convergence::run);
}
