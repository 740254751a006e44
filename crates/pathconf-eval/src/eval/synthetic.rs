//! Synthetic files in the paper's column layout, for benchmarks and demos:
//! each question has a handful of numeric answers; paths reaching the true
//! answer more often have a high `exp(mean_logprob)` (a two-component
//! Weibull-like shape, as the reference's pruning assumes); about 15% of paths
//! repeat an earlier path exactly; completions are `text_len` characters long.

use rand::Rng;
use rand_distr::{Distribution, Weibull};
use serde_json::json;

/// A new path's `exp(mean log-prob)`: a two-component Weibull mixture, the
/// high component (scale 0.9, shape 12) with probability 0.7 for a correct
/// path and 0.3 for any other, else the low one (scale 0.45, shape 4);
/// clamped to `[10⁻⁶, 1]`.
pub fn path_probability(correct: bool, rng: &mut impl Rng) -> f64 {
    let high = Weibull::new(0.9, 12.0).expect("valid");
    let low = Weibull::new(0.45, 4.0).expect("valid");
    let q_hi = if correct { 0.7 } else { 0.3 };
    let x: f64 = if rng.random::<f64>() < q_hi { high.sample(rng) } else { low.sample(rng) };
    x.clamp(1e-6, 1.0)
}

/// Generates `questions × paths` in the `rpc-json` layout as a JSON string.
pub fn rpc_columns(questions: usize, paths: usize, text_len: usize, rng: &mut impl Rng) -> String {
    let filler: String = "Let us reason step by step about the quantities involved. ".chars().cycle().take(text_len).collect();
    let (mut predict, mut completion, mut logprob, mut answer) = (vec![], vec![], vec![], vec![]);
    for q in 0..questions {
        let truth = 100 + q as u64 * 7;
        let p_correct: f64 = rng.random_range(0.15..0.8);
        let (mut pr, mut co, mut lp): (Vec<String>, Vec<String>, Vec<f64>) = (Vec::with_capacity(paths), Vec::with_capacity(paths), Vec::with_capacity(paths));
        for j in 0..paths {
            if j > 0 && rng.random::<f64>() < 0.15 {
                let k = rng.random_range(0..j);
                pr.push(pr[k].clone());
                co.push(co[k].clone());
                lp.push(lp[k]);
                continue;
            }
            let correct = rng.random::<f64>() < p_correct;
            let ans = if correct { truth } else { truth + 1 + rng.random_range(0..4u64) };
            let x = path_probability(correct, rng);
            pr.push(ans.to_string());
            co.push(format!("path {j}: {filler} the answer is {ans}"));
            lp.push(x.ln());
        }
        predict.push(pr);
        completion.push(co);
        logprob.push(lp);
        answer.push(truth.to_string());
    }
    json!({"predict": predict, "completion": completion, "mean_logprob": logprob, "answer": answer}).to_string()
}
