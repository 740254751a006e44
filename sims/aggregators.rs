//! Writes the `aggregators` figure (PNG, SVG, CSVs) into `--out` (default `figures/`):
//! `cargo run --release --bin aggregators -- [--out DIR] [--seed S] [--quick]`.
//! See [`pathconf::figures::aggregators`] for what it shows.

mod common;

fn main() {
    common::main("aggregators", pathconf::figures::aggregators::run);
}
