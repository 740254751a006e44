//! Writes the `real_tiny` figure (PNG, SVG, CSV) into `--out` (default `figures/`):
//! `cargo run --release --bin real_tiny -- [--out DIR] [--seed S] [--quick]`.
//! See [`pathconf::figures::real_tiny`] for what it shows.

mod common;

fn main() {
    common::main("real_tiny", pathconf::figures::real_tiny::run);
}
