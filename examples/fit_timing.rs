use rand::SeedableRng;
fn main() {
    let text = pathconf::eval::synthetic::rpc_columns(300, 128, 10, &mut rand_chacha::ChaCha8Rng::seed_from_u64(0));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let data: Vec<Vec<f64>> = v["mean_logprob"].as_array().unwrap().iter().map(|q| q.as_array().unwrap().iter().map(|x| x.as_f64().unwrap().exp()).collect()).collect();
    let t = std::time::Instant::now();
    let mut evals = 0;
    for q in &data { evals += pathconf::weibull::fit(q).unwrap().evaluations; }
    let el = t.elapsed();
    println!("{} fits: {:?} total, {:.1} us/fit, {:.1} evals/fit, {:.2} us/eval", data.len(), el, el.as_secs_f64()*1e6/data.len() as f64, evals as f64/data.len() as f64, el.as_secs_f64()*1e6/evals as f64);
}
