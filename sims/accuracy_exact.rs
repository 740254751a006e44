//! Writes the `accuracy_exact` figure (PNG, SVG, CSV) into `--out` (default `figures/`):
//! `cargo run --release --bin accuracy_exact -- [--out DIR] [--seed S] [--quick]`.
//! See [`pathconf::figures::accuracy_exact`] for what it shows.

mod common;

fn main() {
    common::main("accuracy_exact", pathconf::figures::accuracy_exact::run);
}
