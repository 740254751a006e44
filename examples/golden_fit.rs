//! Diagnostic: our Weibull fits vs the reference's on the golden fixture.
use pathconf::weibull::*;
fn main() {
    let f: serde_json::Value = serde_json::from_str(&std::fs::read_to_string("../shared/golden/fixture.json").unwrap()).unwrap();
    let r: serde_json::Value = serde_json::from_str(&std::fs::read_to_string("../shared/golden/fixture.reference.json").unwrap()).unwrap();
    let (mut worse, mut same_prune, mut better) = (0, 0, 0);
    for i in 0..60 {
        let q: Vec<f64> = f["mean_logprob"][i].as_array().unwrap().iter().map(|v| v.as_f64().unwrap().exp()).collect();
        let wf = &r["per_problem"][i]["weibull_fit"];
        let ref_nll = wf["neg_log_likelihood"].as_f64().unwrap();
        let fit = fit(&q).unwrap();
        let mask = prune_mask(&q, &fit.mixture);
        let pruned: Vec<usize> = mask.iter().enumerate().filter(|(_, k)| !**k).map(|(i, _)| i).collect();
        let refp: Vec<usize> = wf["pruned"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
        let d = fit.neg_log_likelihood - ref_nll;
        if d > 1e-6 { worse += 1; println!("{i}: worse by {d:.3e}"); }
        if d < -1e-6 { better += 1; println!("{i}: better by {:.3e}, prune equal {}", -d, pruned == refp); }
        if pruned == refp { same_prune += 1; }
    }
    println!("worse {worse}, better {better}, same pruning {same_prune}/60");
}
