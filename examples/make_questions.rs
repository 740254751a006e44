//! Writes the committed question set: `cargo run --release --example make_questions -- data/questions.jsonl`.
use rand::SeedableRng;
fn main() {
    let out = std::env::args().nth(1).expect("output path");
    let qs = pathconf::llm::questions::generate(48, &mut rand_chacha::ChaCha8Rng::seed_from_u64(2025));
    let text: String = qs.iter().map(|q| serde_json::to_string(q).unwrap() + "\n").collect();
    pathconf::output::write_atomic(std::path::Path::new(&out), text.as_bytes()).unwrap();
}
