//! Exact selection accuracy of any estimator that depends only on the *set*
//! of distinct sampled paths (PC, RP(τ)), by enumerating those sets.
//!
//! With `N` paths of positive probability, the distribution of the set `S`
//! of distinct paths after `i` draws obeys
//! `P_i(S) = P_{i−1}(S) p(S) + Σ_{t∈S} P_{i−1}(S∖{t}) p_t` (the `i`-th draw
//! either repeats a path of `S` or adds a new one) — positive terms only, all
//! `n` at once, `O(2^N · N)` per draw. The estimator itself (its real code)
//! scores each set once; the credit and confidence are then averaged over
//! `P_n`.

use crate::distribution::PathDistribution;
use crate::estimators::Estimator;
use crate::sample::{Sample, SampledPath};
use crate::select::{select_within, THEORY_TIE_TOL};

/// Largest `2^N · N · n_max` enumerated.
pub const MAX_WORK: f64 = 4e8;

/// Whether [`set_enumeration`] will run for `dist` up to `n_max`.
pub fn feasible(dist: &PathDistribution, n_max: u64) -> bool {
    let n_paths = dist.paths().iter().filter(|p| p.prob > 0.0).count();
    n_paths <= 24 && (1u64 << n_paths) as f64 * n_paths as f64 * n_max as f64 <= MAX_WORK
}

/// `(P(correct), E[confidence])` of `estimator` at each `n` of `ns`, or `None`
/// when the work exceeds [`MAX_WORK`].
pub fn set_enumeration(dist: &PathDistribution, estimator: &dyn Estimator, ns: &[u64]) -> Option<Vec<(f64, f64)>> {
    let n_max = ns.iter().copied().max().unwrap_or(0);
    if !feasible(dist, n_max) {
        return None;
    }
    let ids: Vec<usize> = dist.paths().iter().enumerate().filter(|(_, p)| p.prob > 0.0).map(|(i, _)| i).collect();
    let big_n = ids.len();
    let size = 1usize << big_n;
    let probs: Vec<f64> = ids.iter().map(|&i| dist.paths()[i].prob).collect();
    // p(S), credit(S), confidence(S).
    let mut mass = vec![0.0; size];
    let mut credit = vec![0.0; size];
    let mut conf = vec![0.0; size];
    let na = dist.n_answers();
    let correct: Vec<bool> = (0..na).map(|a| dist.correct() == Some(a)).collect();
    let mut sample = Sample::new(dist.paths().len(), na);
    let mut scores = vec![0.0; na];
    for s in 1..size {
        let low = s.trailing_zeros() as usize;
        mass[s] = mass[s & (s - 1)] + probs[low];
        sample.clear();
        for (bit, &i) in ids.iter().enumerate() {
            if s >> bit & 1 == 1 {
                let p = &dist.paths()[i];
                sample.push(SampledPath { id: i as u32, prob: p.prob, answer: p.answer as u32 });
            }
        }
        estimator.answer_scores(&sample, &mut scores);
        let sel = select_within(scores.iter().copied().zip(correct.iter().copied()), THEORY_TIE_TOL);
        credit[s] = sel.credit;
        conf[s] = sel.top;
    }
    let mut p = vec![0.0; size];
    p[0] = 1.0;
    let mut next = vec![0.0; size];
    let mut out = vec![(0.0, 0.0); ns.len()];
    for i in 1..=n_max {
        for s in 0..size {
            let mut v = p[s] * mass[s];
            let mut rest = s;
            while rest != 0 {
                let bit = rest.trailing_zeros() as usize;
                v += p[s & !(1 << bit)] * probs[bit];
                rest &= rest - 1;
            }
            next[s] = v;
        }
        std::mem::swap(&mut p, &mut next);
        for (slot, _) in ns.iter().enumerate().filter(|(_, &n)| n == i) {
            let acc: f64 = (0..size).map(|s| p[s] * credit[s]).sum();
            let c: f64 = (0..size).map(|s| p[s] * conf[s]).sum();
            out[slot] = (acc, c);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Paths of zero mass cost nothing: at `n_max = 15`, 20 paths of positive
    /// mass are enumerable (`2²⁰·20·15 ≈ 3.1e8`) with a path of mass 0 beside
    /// them, 21 of positive mass are not (`6.6e8`) — mutation testing:
    /// counting the zero path went unnoticed.
    #[test]
    fn zero_mass_paths_do_not_count_against_feasibility() {
        let dist = |positive: usize, zero: bool| {
            let mut weights = vec![1.0; positive];
            if zero {
                weights.push(0.0);
            }
            PathDistribution::from_weights(&[("A", weights)], Some("A")).unwrap()
        };
        assert!(feasible(&dist(20, true), 15));
        assert!(!feasible(&dist(21, false), 15));
    }
}
