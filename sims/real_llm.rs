//! Writes the `real_llm` figure (PNG, SVG, CSV) into `--out` (default `figures/`):
//! `cargo run --release --bin real_llm -- [--out DIR] [--seed S] [--quick]`.
//! Reads the committed `data/smollm2_paths.jsonl`; see
//! [`pathconf::figures::real_llm`] for what it shows.

mod common;

fn main() {
    common::main("real_llm", pathconf::figures::real_llm::run);
}
