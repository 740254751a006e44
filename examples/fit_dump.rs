//! Prints every question's Weibull-mixture fit of a paths file as bits
//! (`fit_dump FILE`): `−ln L`, `(w, k₁, λ₁, k₂, λ₂)` and the evaluations.
//! Two builds whose outputs are identical fit identically — the check used
//! when the optimiser's internals change without meaning to change results.
fn main() {
    let file = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: fit_dump FILE"));
    let ds = pathconf::eval::formats::read(&file, None, None).unwrap();
    for q in &ds.questions {
        let data: Vec<f64> = q.paths.iter().map(|p| p.mean_logprob.expect("a log-probability per path").exp()).collect();
        match pathconf::weibull::fit(&data) {
            Ok(r) => {
                let m = r.mixture;
                let bits = [m.w, m.k1, m.lambda1, m.k2, m.lambda2].map(f64::to_bits);
                println!("{} {bits:?} {}", r.neg_log_likelihood.to_bits(), r.evaluations)
            }
            Err(e) => println!("{e}"),
        }
    }
}
