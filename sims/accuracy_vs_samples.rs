//! Writes the `accuracy_vs_samples` figure (PNG, SVG, CSV) into `--out` (default `figures/`):
//! `cargo run --release --bin accuracy_vs_samples -- [--out DIR] [--seed S] [--quick]`.
//! See [`pathconf::figures::accuracy`] for what it shows.

mod common;

fn main() {
    common::main("accuracy_vs_samples", pathconf::figures::accuracy::run);
}
