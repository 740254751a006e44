//! Writes the `degeneration` figure (PNG, SVG, CSV) into `--out` (default `figures/`):
//! `cargo run --release --bin degeneration -- [--out DIR] [--seed S] [--quick]`.
//! See [`pathconf::figures::degeneration`] for what it shows.

mod common;

fn main() {
    common::main("degeneration", pathconf::figures::degeneration::run);
}
