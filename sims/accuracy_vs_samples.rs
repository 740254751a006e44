//! Writes the `accuracy_vs_samples` figure (PNG, SVG, CSV) into `--out` (default `figures/`):
//! `cargo run --release --bin accuracy_vs_samples -- [--out DIR] [--seed S] [--quick]`.
//! See [`pathconf::figures::accuracy`] for what it shows.

fn main() {
    pathconf::figures::sim_main("accuracy_vs_samples", pathconf::figures::accuracy::run);
}
