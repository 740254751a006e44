//! Writes the `stopping` figure (PNG, SVG, CSV) into `--out` (default `figures/`):
//! `cargo run --release --bin stopping -- [--out DIR] [--seed S] [--quick]`.
//! See [`pathconf::figures::stopping`] for what it shows.

mod common;

fn main() {
    common::main("stopping", pathconf::figures::stopping::run);
}
