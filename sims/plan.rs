//! Writes the `plan` figure (PNG, SVG, CSV) into `--out` (default `figures/`):
//! `cargo run --release --bin plan -- [--out DIR] [--seed S] [--quick]`.
//! See [`pathconf::figures::plan`] for what it shows.

mod common;

fn main() {
    common::main("plan", pathconf::figures::plan::run);
}
