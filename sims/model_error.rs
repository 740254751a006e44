//! Writes the `model_error` figure (PNG, SVG, CSV) into `--out` (default `figures/`):
//! `cargo run --release --bin model_error -- [--out DIR] [--seed S] [--quick]`.
//! See [`pathconf::figures::model_error`] for what it shows.

mod common;

fn main() {
    common::main("model_error", pathconf::figures::model_error::run);
}
