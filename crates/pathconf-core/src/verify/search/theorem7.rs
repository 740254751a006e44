//! Theorem 7 under each reading of its four open points, exactly.
//!
//! The printed statement (arXiv 2510.15444v1, §3.2, A.4): with the "optimal
//! threshold" `τ = p(y|x)`, RP "achieves the optimal error reduction" with
//! probability at least `1 − exp(−(2k̂/k²)(1 − τ/(1 − α)))²)`, `α = 1 −
//! p(ŷ|x)/k`. What is left open, and how each reading is computed here:
//!
//! - (a) *the threshold's scale.* The proof compares an answer's estimated
//!   mass `(k/k̂) Σ_{i ≤ k̂} p(t̃_i)` with `τ` (steps 2–4): the *answer-mass*
//!   reading. RP as §3.2 defines it compares each path's `p_t` with `τ`:
//!   the *per-path* reading, under which `τ = p(y|x)` prunes every path of
//!   `y` unless one path holds all of `y`'s mass.
//! - (b) *which answers.* One wrong answer `ŷ` below `τ` pruned (the proof's
//!   event), or every decision right at once: each wrong answer below `τ`
//!   pruned (or never drawn) and `y` drawn and kept.
//! - (c) *`k̂` is random.* Conditional on `k̂ ≥ 1` draws of `ŷ` (the bound is
//!   a function of `k̂`), or over `k̂ ~ Binomial(n, p(ŷ))` against the bound's
//!   expectation (`k̂ = 0`: bound 0, and an answer never drawn casts no vote).
//! - (d) *"optimal threshold".* `τ = p(y|x)` against the exactly optimal
//!   `τ*(n)` of RP's reasoning error ([`crate::theory::rp::optimal_tau_total`]).
//!
//! Every probability is exact: the sum of the paths drawn is an integer in
//! weight units ([`super::claims::thm7_prune_probabilities`]), and the joint
//! event sums over the multinomial counts of every answer.

use super::case::Case;
use super::claims::{thm7_bound, thm7_over_k_hat, thm7_prune_probabilities};
use serde::Serialize;
use statrs::function::factorial::ln_factorial;

/// One reading's exact probability against the printed bound.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reading {
    /// Which reading (a/b/c choices).
    pub reading: String,
    /// The event's exact probability.
    pub probability: f64,
    /// The printed bound it is compared with.
    pub bound: f64,
    /// `holds` (probability ≥ bound), `fails`, or `vacuous` (bound ≤ 0.05:
    /// it says almost nothing).
    pub verdict: &'static str,
}

fn reading(name: String, probability: f64, bound: f64) -> Reading {
    let verdict = if probability + 1e-12 < bound {
        "fails"
    } else if bound <= 0.05 {
        "vacuous"
    } else {
        "holds"
    };
    Reading { reading: name, probability, bound, verdict }
}

/// Theorem 7 on `case` (integer weights; answer 0 correct) under each
/// reading. The per-answer rows are for `ŷ`, the most probable wrong answer
/// below `τ` (the hardest to prune); `None` if no wrong answer is below `τ`.
pub fn readings(case: &Case) -> Option<Vec<Reading>> {
    assert!(case.is_pool() && case.correct == 0, "integer weights, the first answer correct");
    let w: Vec<Vec<u64>> = case.weights.iter().map(|a| a.iter().map(|&x| x as u64).collect()).collect();
    let mass: Vec<u64> = w.iter().map(|a| a.iter().sum()).collect();
    let total: u64 = mass.iter().sum();
    let p = |a: usize| mass[a] as f64 / total as f64;
    let tau = p(0);
    let n = case.n;
    let below: Vec<usize> = (1..w.len()).filter(|&a| mass[a] < mass[0]).collect();
    let &hat = below.iter().max_by_key(|&&a| mass[a])?;
    let k = w[hat].len();
    let prune: Vec<Vec<f64>> = w.iter().map(|a| thm7_prune_probabilities(a, mass[0], n)).collect();
    let mut out = Vec::new();
    // (a) answer mass, (b) one answer, (c) conditional: the k̂ where the
    // probability falls furthest below the bound.
    let shortfall = |j: u64| prune[hat][j as usize] - thm7_bound(j, k, p(hat), tau);
    let j = (1..=n).min_by(|&a, &b| shortfall(a).total_cmp(&shortfall(b))).expect("n ≥ 1");
    out.push(reading(format!("answer mass, ŷ = a{hat} alone, given k̂ (the worst, k̂ = {j})"), prune[hat][j as usize], thm7_bound(j, k, p(hat), tau)));
    // (c) unconditional.
    let (event, bound) = thm7_over_k_hat(&prune[hat], n, k, p(hat), tau);
    out.push(reading(format!("answer mass, ŷ = a{hat} alone, k̂ random"), event, bound));
    // (b) every decision at once, k̂'s random (multinomial), against the
    // same expected bound.
    let ln_p: Vec<f64> = (0..w.len()).map(|a| p(a).ln()).collect();
    let mut joint = 0.0;
    for ks in crate::combinatorics::compositions(n, w.len()) {
        let ln_prob = ln_factorial(n) + ks.iter().zip(&ln_p).map(|(&k, &lp)| k as f64 * lp - ln_factorial(k)).sum::<f64>();
        let kept_y = if ks[0] == 0 { 0.0 } else { 1.0 - prune[0][ks[0] as usize] };
        let pruned: f64 = below.iter().map(|&a| prune[a][ks[a] as usize]).product();
        joint += ln_prob.exp() * kept_y * pruned;
    }
    out.push(reading("answer mass, every decision at once (wrong answers below τ pruned, y drawn and kept), k̂ random".into(), joint, bound));
    // (a) per path: y keeps a vote only through a path of probability ≥ τ.
    let y_path_at_tau: f64 = w[0].iter().filter(|&&x| x as f64 / total as f64 >= tau).map(|&x| x as f64 / total as f64).sum();
    let y_drawn_at_tau = crate::theory::hit(y_path_at_tau, n);
    out.push(reading("per path (RP as defined), every decision at once: y survives only through a path ≥ τ".into(), y_drawn_at_tau, bound));
    Some(out)
}

/// The cases `verify --search` reads Theorem 7 on (`n = 8`): the paper's
/// setting (every answer of equal paths) and an answer of unequal paths
/// (the search's smallest counterexample, scaled to integer weights).
pub fn audit_cases() -> Vec<(&'static str, Case)> {
    let case = |weights: Vec<Vec<f64>>| Case { weights, correct: 0, n: 8, tau_frac: 0.0 };
    vec![
        (
            "the paper's setting: y = a0 of 2 equal paths (0.2 each); wrong answers of 3, 2, 1 equal paths of 0.1; n = 8",
            case(vec![vec![2.0, 2.0], vec![1.0, 1.0, 1.0], vec![1.0, 1.0], vec![1.0]]),
        ),
        ("unequal paths: y = a0 one path of 0.625; ŷ = a1 of paths 0.0625 and 0.3125; n = 8", case(vec![vec![10.0], vec![1.0, 5.0]])),
    ]
}

/// (d): `τ = p(y|x)` as a per-path threshold against the exactly optimal
/// `τ*(n)`: `(τ*, RP's total reasoning error at τ*, at p(y|x), PC's)`.
pub fn optimal_threshold(case: &Case) -> (f64, f64, f64, f64) {
    let d = case.dist();
    let opt = crate::theory::rp::optimal_tau_total(&d, case.n);
    let at = |t: f64| crate::theory::rp::total_reasoning_error(&d, case.n, t);
    (opt.tau, at(opt.tau), at(d.answer_mass(case.correct)), at(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The paper's setting (every answer of equal paths): the estimate is
    /// exact, so a wrong answer below τ is pruned with probability 1 once
    /// drawn; the per-path reading loses y (two paths below τ).
    #[test]
    fn equal_paths_prune_for_sure_and_the_per_path_reading_loses_y() {
        let case = Case { weights: vec![vec![2.0, 2.0], vec![1.0, 1.0, 1.0], vec![1.0, 1.0], vec![1.0]], correct: 0, n: 8, tau_frac: 0.0 };
        let r = readings(&case).unwrap();
        assert_eq!(r[0].probability, 1.0);
        assert_eq!(r[0].verdict, "holds");
        assert!((r[1].probability - 1.0).abs() < 1e-12);
        // y is drawn at least once with probability 1 − 0.6^8 and then kept.
        let others_pruned = 1.0;
        assert!((r[2].probability - (1.0 - 0.6f64.powi(8)) * others_pruned).abs() < 1e-12, "{}", r[2].probability);
        assert_eq!((r[3].probability, r[3].verdict), (0.0, "fails"));
    }
}
