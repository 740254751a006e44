//! Writes a synthetic `rpc-json` file: `cargo run --release --example bench_data -- OUT [questions] [paths] [text_len]`.
use rand::SeedableRng;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let out = a.get(1).expect("usage: bench_data OUT [questions] [paths] [text_len]");
    let q = a.get(2).map(|s| s.parse().unwrap()).unwrap_or(300);
    let m = a.get(3).map(|s| s.parse().unwrap()).unwrap_or(128);
    let t = a.get(4).map(|s| s.parse().unwrap()).unwrap_or(1000);
    let text = pathconf::eval::synthetic::rpc_columns(q, m, t, &mut rand_chacha::ChaCha8Rng::seed_from_u64(0));
    std::fs::write(out, text).unwrap();
}
