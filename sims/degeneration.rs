//! Writes the `degeneration` figure (PNG, SVG, CSV) into `--out` (default `figures/`):
//! `cargo run --release --bin degeneration -- [--out DIR] [--seed S] [--quick]`.
//! See [`pathconf::figures::degeneration`] for what it shows.

fn main() {
    pathconf::figures::sim_main("degeneration", pathconf::figures::degeneration::run);
}
