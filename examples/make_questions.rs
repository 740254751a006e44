//! Writes the committed question set: `cargo run --release --example make_questions -- data/questions.jsonl [COUNT]`
//! (COUNT defaults to 192; the first 48 are the earlier 48-question set, same seed).
use rand::SeedableRng;
fn main() {
    let out = std::env::args().nth(1).expect("output path");
    let count: usize = std::env::args().nth(2).map(|c| c.parse().expect("COUNT is a number")).unwrap_or(192);
    let qs = pathconf::llm::questions::generate(count, &mut rand_chacha::ChaCha8Rng::seed_from_u64(2025));
    let text: String = qs.iter().map(|q| serde_json::to_string(q).unwrap() + "\n").collect();
    pathconf::output::write_atomic(std::path::Path::new(&out), text.as_bytes()).unwrap();
}
