use pathconf::weibull::*;
fn main() {
    let f: serde_json::Value = serde_json::from_str(&std::fs::read_to_string("../shared/golden/fixture.json").unwrap()).unwrap();
    let r: serde_json::Value = serde_json::from_str(&std::fs::read_to_string("../shared/golden/fixture.reference.json").unwrap()).unwrap();
    let t = std::time::Instant::now();
    let (mut worse, mut same_prune) = (0, 0);
    for i in 0..60 {
        let q: Vec<f64> = f["mean_logprob"][i].as_array().unwrap().iter().map(|v| v.as_f64().unwrap().exp()).collect();
        let wf = &r["per_problem"][i]["weibull_fit"];
        let refm = Mixture { w: wf["w_high"].as_f64().unwrap(), k1: wf["k_high"].as_f64().unwrap(), lambda1: wf["lambda_high"].as_f64().unwrap(), k2: wf["k_low"].as_f64().unwrap(), lambda2: wf["lambda_low"].as_f64().unwrap() };
        let ref_nll = wf["neg_log_likelihood"].as_f64().unwrap();
        let ours_at_ref = neg_log_likelihood(&refm, &q);
        let fit = fit(&q).unwrap();
        let mask = prune_mask(&q, &fit.mixture);
        let pruned: Vec<usize> = mask.iter().enumerate().filter(|(_, k)| !**k).map(|(i, _)| i).collect();
        let refp: Vec<usize> = wf["pruned"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
        if fit.neg_log_likelihood > ref_nll + 1e-6 { worse += 1; }
        if pruned == refp { same_prune += 1; }
        println!("{i}: ref {ref_nll:.9} ours@ref {:.2e} fit {:.9} d={:+.2e} it={} prune_eq={} w={:.4}/{:.4}", ours_at_ref - ref_nll, fit.neg_log_likelihood, fit.neg_log_likelihood - ref_nll, fit.evaluations, pruned == refp, fit.mixture.w, refm.w);
    }
    println!("worse {worse}, same prune {same_prune}, {:?}", t.elapsed());
}
