//! Weighted votes on a path distribution: each sampled path votes for its
//! answer with weight `f(p_t)` (CISC: `f(p) = e^{p/T}`, the softmax
//! numerator; the normaliser `Σ_i f(p_i)` is common to all answers).
//!
//! **Model error.** By the law of large numbers, as `n → ∞`
//!
//! ```text
//! p̂(a) = Σ_{i: g(t_i)=a} f(p_i) / Σ_i f(p_i)  →  p̃(a) = Σ_{t: g(t)=a} p_t f(p_t) / Σ_t p_t f(p_t),
//! ```
//!
//! so a weighted vote converges to the confidence `p̃` — not to the answer
//! mass `p_a` as SC and PC do — and its model error is `(p̃(a) − I)²`. A
//! weight increasing in `p` tilts `p̃` towards answers reached by probable
//! paths: `T → ∞` gives `p̃ = p_a` (SC's and PC's model), `T → 0` puts all
//! of `p̃` on the answers of the most probable path (PPL's choice).
//!
//! **Estimation error** `E[(p̂(a) − p̃(a))²]` at finite `n` and the
//! selection accuracy: exact by enumerating the count vectors `c` of the
//! `N` paths (`Σ c_j = n`, probability `n!/Π c_j! · Π p_j^{c_j}`; there are
//! `C(N + n − 1, n)` of them), on spaces small enough; Monte Carlo
//! otherwise ([`crate::montecarlo`] with targets `p̃`). p̂ is a ratio of
//! sums, so it is biased at finite `n` (unlike SC) and the cross term of
//! [`super::ErrorTerms`] is not zero.

use super::ErrorTerms;
use crate::aggregate::cisc::softmax_weight;
use crate::distribution::PathDistribution;
use crate::select::{select_within, THEORY_TIE_TOL};
use thiserror::Error;

/// Largest number of count vectors [`cisc_exact`] visits.
pub const MAX_COUNT_VECTORS: u128 = 5_000_000;

/// Enumeration refused: too many count vectors.
#[derive(Debug, Error, PartialEq)]
#[error("C({paths} + {n} − 1, {n}) count vectors exceed the enumeration limit of {MAX_COUNT_VECTORS}")]
pub struct TooManyCounts {
    /// Number of paths `N`.
    pub paths: usize,
    /// Sample size.
    pub n: u64,
}

/// The limit `p̃(a) = Σ_{g(t)=a} p_t f(p_t) / Σ_t p_t f(p_t)` of a vote with
/// weight `f`, per answer.
pub fn limit_shares(dist: &PathDistribution, f: impl Fn(f64) -> f64) -> Vec<f64> {
    let mut out = vec![0.0; dist.n_answers()];
    for p in dist.paths() {
        out[p.answer] += p.prob * f(p.prob);
    }
    let total: f64 = out.iter().sum();
    out.iter_mut().for_each(|x| *x /= total);
    out
}

/// CISC's limit `p̃` at temperature `T`.
pub fn cisc_limit(dist: &PathDistribution, temperature: f64) -> Vec<f64> {
    let p_max = dist.paths().iter().map(|p| p.prob).fold(0.0, f64::max);
    limit_shares(dist, |p| softmax_weight(p, p_max, temperature))
}

/// The `n → ∞` selection accuracy of CISC: `argmax_a p̃(a)`, ties split.
pub fn cisc_limit_accuracy(dist: &PathDistribution, temperature: f64) -> f64 {
    let s = cisc_limit(dist, temperature);
    select_within(s.iter().enumerate().map(|(a, &x)| (x, dist.correct() == Some(a))), THEORY_TIE_TOL).credit
}

/// CISC's exact finite-`n` behaviour.
#[derive(Debug, Clone, PartialEq)]
pub struct CiscExact {
    /// Per answer: the terms against `p̃(a)` and `I(a)`.
    pub terms: Vec<ErrorTerms>,
    /// `P(the chosen answer is correct)`, ties split.
    pub p_correct: f64,
    /// `E[p̂ of the chosen answer]`.
    pub expected_confidence: f64,
    /// Count vectors visited.
    pub count_vectors: u64,
}

/// `C(N + n − 1, n)`, saturating.
pub fn count_vectors(paths: usize, n: u64) -> u128 {
    let (mut c, k) = (1u128, n.min(paths.saturating_sub(1) as u64) as u128);
    let top = (paths as u128) + (n as u128) - 1;
    for i in 0..k {
        c = c.saturating_mul(top - i) / (i + 1);
    }
    c
}

/// Enumerates every count vector of `n` draws from `dist`'s paths.
pub fn cisc_exact(dist: &PathDistribution, n: u64, temperature: f64) -> Result<CiscExact, TooManyCounts> {
    let paths = dist.paths();
    let big = count_vectors(paths.len(), n);
    if n == 0 || big > MAX_COUNT_VECTORS {
        return Err(TooManyCounts { paths: paths.len(), n });
    }
    let na = dist.n_answers();
    let target = cisc_limit(dist, temperature);
    let indicator: Vec<f64> = (0..na).map(|a| dist.indicator(a)).collect();
    let ln_fact: Vec<f64> = (0..=n)
        .scan(0.0, |acc, k| {
            if k > 0 {
                *acc += (k as f64).ln();
            }
            Some(*acc)
        })
        .collect();
    let ln_p: Vec<f64> = paths.iter().map(|p| p.prob.ln()).collect();
    let (mut mean, mut mse) = (vec![0.0; na], vec![0.0; na]);
    let (mut p_correct, mut conf, mut visited) = (0.0, 0.0, 0u64);
    let mut counts = vec![0u64; paths.len()];
    let mut scores = vec![0.0; na];
    // Odometer over compositions: counts[0..N) with Σ = n, last index takes the rest.
    counts[paths.len() - 1] = n;
    loop {
        visited += 1;
        let mut ln_w = ln_fact[n as usize];
        let mut possible = true;
        for (j, &c) in counts.iter().enumerate() {
            if c > 0 {
                if paths[j].prob <= 0.0 {
                    possible = false;
                    break;
                }
                ln_w += c as f64 * ln_p[j] - ln_fact[c as usize];
            }
        }
        if possible {
            let w = ln_w.exp();
            let p_max = counts.iter().zip(paths).filter(|(&c, _)| c > 0).map(|(_, p)| p.prob).fold(0.0, f64::max);
            scores.iter_mut().for_each(|s| *s = 0.0);
            let mut total = 0.0;
            for (&c, p) in counts.iter().zip(paths) {
                if c > 0 {
                    let v = c as f64 * softmax_weight(p.prob, p_max, temperature);
                    scores[p.answer] += v;
                    total += v;
                }
            }
            scores.iter_mut().for_each(|s| *s /= total);
            for a in 0..na {
                mean[a] += w * scores[a];
                mse[a] += w * (scores[a] - target[a]).powi(2);
            }
            let sel = select_within(scores.iter().enumerate().map(|(a, &s)| (s, dist.correct() == Some(a))), THEORY_TIE_TOL);
            p_correct += w * sel.credit;
            conf += w * sel.top;
        }
        if !crate::combinatorics::next_composition(&mut counts) {
            break;
        }
    }
    let terms = (0..na).map(|a| ErrorTerms::from_moments(target[a], indicator[a], mean[a], mse[a])).collect();
    Ok(CiscExact { terms, p_correct, expected_confidence: conf, count_vectors: visited })
}

/// CISC's moments by brute force over all `N^n` ordered samples, running
/// the real estimator ([`crate::estimators::Cisc`]) on each — the
/// independent check of [`cisc_exact`]; `None` beyond
/// [`super::enumerate::MAX_TUPLES`].
#[derive(Debug, Clone, PartialEq)]
pub struct TupleMoments {
    /// `E[p̂(a)]` per answer.
    pub mean: Vec<f64>,
    /// `E[(p̂(a) − p̃(a))²]` per answer.
    pub mse: Vec<f64>,
    /// `P(correct)`, ties split.
    pub p_correct: f64,
    /// `E[score of the selected answer]`.
    pub expected_confidence: f64,
}

/// See [`TupleMoments`].
pub fn cisc_by_tuples(dist: &PathDistribution, n: u64, temperature: f64) -> Option<TupleMoments> {
    use crate::estimators::{Cisc, Estimator};
    use crate::sample::{Sample, SampledPath};
    let paths = dist.paths();
    if n == 0 || !super::enumerate::within_limit(paths.len(), n) {
        return None;
    }
    let n = n as usize;
    let target = cisc_limit(dist, temperature);
    let na = dist.n_answers();
    let (mut mean, mut mse, mut acc, mut conf) = (vec![0.0; na], vec![0.0; na], 0.0, 0.0);
    let mut idx = vec![0usize; n];
    let mut scores = vec![0.0; na];
    let mut sample = Sample::new(paths.len(), na);
    let est = Cisc { temperature };
    loop {
        let w: f64 = idx.iter().map(|&i| paths[i].prob).product();
        sample.clear();
        for &i in &idx {
            sample.push(SampledPath { id: i as u32, prob: paths[i].prob, answer: paths[i].answer as u32 });
        }
        est.answer_scores(&sample, &mut scores);
        for a in 0..na {
            mean[a] += w * scores[a];
            mse[a] += w * (scores[a] - target[a]).powi(2);
        }
        let sel = select_within(scores.iter().enumerate().map(|(a, &s)| (s, dist.correct() == Some(a))), THEORY_TIE_TOL);
        acc += w * sel.credit;
        conf += w * sel.top;
        if !crate::combinatorics::next_tuple(&mut idx, paths.len()) {
            break;
        }
    }
    Some(TupleMoments { mean, mse, p_correct: acc, expected_confidence: conf })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist() -> PathDistribution {
        PathDistribution::new(&[("A", vec![0.3, 0.05, 0.05]), ("B", vec![0.35]), ("C", vec![0.15, 0.1])], Some("A")).unwrap()
    }

    #[test]
    fn count_vectors_agree_with_ordered_enumeration() {
        let d = dist();
        for &(n, t) in &[(1u64, 0.1), (3, 0.05), (4, 1.0), (5, f64::INFINITY), (4, 1e-4)] {
            let e = cisc_exact(&d, n, t).unwrap();
            assert_eq!(e.count_vectors as u128, count_vectors(d.paths().len(), n));
            let b = cisc_by_tuples(&d, n, t).unwrap();
            let (mean, mse, acc) = (b.mean, b.mse, b.p_correct);
            for a in 0..d.n_answers() {
                assert!((e.terms[a].expected_confidence - mean[a]).abs() < 1e-12, "n={n} T={t} a={a}");
                assert!((e.terms[a].estimation_error - mse[a]).abs() < 1e-12);
            }
            assert!((e.p_correct - acc).abs() < 1e-12, "n={n} T={t}: {} vs {acc}", e.p_correct);
            // (Mutation testing: a negated confidence sum went unseen.)
            assert!((e.expected_confidence - b.expected_confidence).abs() < 1e-12, "n={n} T={t}: {} vs {}", e.expected_confidence, b.expected_confidence);
            assert!(e.expected_confidence > 0.3 && e.expected_confidence <= 1.0, "{}", e.expected_confidence);
        }
    }

    /// A path of zero mass is never drawn: adding one to C changes no term,
    /// though its count vectors are visited. (Mutation testing: treating a
    /// count of 0 as a draw, which makes every vector impossible, went unseen.)
    #[test]
    fn a_path_of_zero_mass_changes_nothing() {
        let with = PathDistribution::new(&[("A", vec![0.3, 0.05, 0.05]), ("B", vec![0.35]), ("C", vec![0.15, 0.1, 0.0])], Some("A")).unwrap();
        for (n, t) in [(3u64, 0.05), (4, 1.0)] {
            let (a, b) = (cisc_exact(&dist(), n, t).unwrap(), cisc_exact(&with, n, t).unwrap());
            assert!(b.count_vectors > a.count_vectors);
            assert!((a.p_correct - b.p_correct).abs() < 1e-12 && (a.expected_confidence - b.expected_confidence).abs() < 1e-12, "n={n} T={t}");
            for (x, y) in a.terms.iter().zip(&b.terms) {
                assert!((x.estimation_error - y.estimation_error).abs() < 1e-12 && (x.expected_confidence - y.expected_confidence).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn temperature_limits() {
        let d = dist();
        // T = ∞: the limit is the answer masses and CISC is SC exactly.
        let inf = cisc_limit(&d, f64::INFINITY);
        inf.iter().zip(d.answer_masses()).for_each(|(a, b)| assert!((a - b).abs() < 1e-15));
        let sc = crate::accuracy::sc::sc_accuracy(d.answer_masses(), d.correct(), 6);
        assert!((cisc_exact(&d, 5, f64::INFINITY).unwrap().p_correct - sc[5]).abs() < 1e-12);
        // T → 0: the answer of the most probable path (B, 0.35) takes all of p̃.
        let cold = cisc_limit(&d, 1e-4);
        assert!(cold[1] > 1.0 - 1e-9);
        assert_eq!(cisc_limit_accuracy(&d, 1e-4), 0.0);
        assert_eq!(cisc_limit_accuracy(&d, f64::INFINITY), 1.0);
    }
}
