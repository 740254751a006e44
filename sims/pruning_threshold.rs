//! Writes the `pruning_threshold` figure (PNG, SVG, CSV) into `--out` (default `figures/`):
//! `cargo run --release --bin pruning_threshold -- [--out DIR] [--seed S] [--quick]`.
//! See [`pathconf::figures::pruning`] for what it shows.

mod common;

fn main() {
    common::main("pruning_threshold", pathconf::figures::pruning::run);
}
