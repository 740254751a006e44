//! Exact selection accuracy of self-consistency (majority vote) for every
//! `n ≤ n_max` at once — a dynamic programme over answer counts.
//!
//! With counts `c ~ Multinomial(n, p)` and the correct answer `y`, SC's credit
//! is `1[c_y = max] / #{a : c_a = max}` (ties split as `eval` splits them).
//! Conditioning on `c_y = k`,
//!
//! ```text
//! A(n) = Σ_k Bin(n, p_y; k) · Q_k(n − k),
//! Q_k(m) = E[ Π_{b≠y} w_k(c_b) / (1 + T) ]  over  Multinomial(m, p_b / (1 − p_y)),
//! ```
//!
//! where `w_k(j) = 1[j ≤ k]` and `T = #{b : c_b = k}` is the number of wrong
//! answers tied with `y`. For fixed `k`, `Q_k(m)` for all `m` comes from one
//! pass over the wrong answers: adding answer `b` to a set of mass `s` splits
//! each `m` binomially, `c'_m = Σ_j Bin(m, q_b/(s+q_b); j) w(j) c_{m−j}`, with
//! the state also tracking `T` (so `1/(1+T)` is applied exactly at the end).
//! Everything is a probability in `[0, 1]`: no cancellation, no overflow.
//!
//! The expected confidence of the chosen answer is `E[max_a c_a] / n`, with
//! `E[max] = Σ_{k<n} (1 − P(all c_a ≤ k))` from the same programme.
//!
//! Terms are dropped only when a Chernoff bound proves them below
//! [`DROP`]: outer binomial weights, wrong answers that cannot reach `k`, and
//! the far tails of the binomial rows. [`ScCurve::error_bound`] adds these up
//! (rounding excluded); it is about `1e-14` at `n_max = 1024`.

use super::binomial::{lower_tail_bound, upper_tail_bound, PascalRow};
use rayon::prelude::*;

/// Largest term (probability) dropped anywhere.
pub const DROP: f64 = 1e-17;

/// SC's exact curve for `n = 0..=n_max` (index `n`; `n = 0` is 0: no vote).
#[derive(Debug, Clone, PartialEq)]
pub struct ScCurve {
    /// `P(SC selects the correct answer)`, ties split.
    pub p_correct: Vec<f64>,
    /// `E[share of the winning answer] = E[max_a c_a] / n`.
    pub expected_confidence: Vec<f64>,
    /// Bound on the total probability dropped (rounding excluded).
    pub error_bound: f64,
}

/// The exact curve from answer masses `p_a` (summing to one) and the index of
/// the correct answer (`None`: no answer is correct).
///
/// ```
/// use pathconf_core::accuracy::sc::sc_curve;
/// // Two answers 0.6 / 0.4: at n = 2 SC is right if both samples say A (0.36)
/// // and gets half credit for a 1–1 tie (0.48 / 2).
/// let c = sc_curve(&[0.6, 0.4], Some(0), 3);
/// assert!((c.p_correct[2] - (0.36 + 0.24)).abs() < 1e-15);
/// ```
pub fn sc_curve(masses: &[f64], correct: Option<usize>, n_max: usize) -> ScCurve {
    let p_correct = sc_accuracy(masses, correct, n_max);
    let expected_confidence = expected_max_share(masses, n_max);
    ScCurve { p_correct, expected_confidence, error_bound: error_bound(masses.len(), n_max) }
}

/// Only `P(correct)` for `n = 0..=n_max` (what the target search and the
/// speed benchmark need).
pub fn sc_accuracy(masses: &[f64], correct: Option<usize>, n_max: usize) -> Vec<f64> {
    let mut p_correct = vec![0.0; n_max + 1];
    if let Some(y) = correct.filter(|&y| masses[y] > 0.0) {
        accuracy_into(masses, y, n_max, &mut p_correct);
    }
    p_correct
}

/// The bound on dropped probability for `answers` answers up to `n_max`:
/// at most `n_max` outer weights, one event per answer and the binomial
/// rows' tails, each below [`DROP`].
pub fn error_bound(answers: usize, n_max: usize) -> f64 {
    (3 * n_max + 2 * answers + 2) as f64 * DROP
}

fn accuracy_into(masses: &[f64], y: usize, n_max: usize, out: &mut [f64]) {
    let r = masses[y];
    let others: Vec<f64> = masses.iter().enumerate().filter(|&(b, &p)| b != y && p > 0.0).map(|(_, &p)| p).collect();
    let total: f64 = others.iter().sum();
    if others.is_empty() || total <= 0.0 {
        out.iter_mut().skip(1).for_each(|a| *a = 1.0);
        return;
    }
    let q: Vec<f64> = others.iter().map(|p| p / total).collect();
    let q_max = q.iter().copied().fold(0.0, f64::max);
    let ln_r = r.ln();
    let ln_1r = (-r).ln_1p();
    // One column per count k of the correct answer; columns are independent.
    let columns: Vec<(usize, Vec<f64>)> = (1..=n_max)
        .into_par_iter()
        .filter_map(|k| {
            // ln Bin(n, r; k) for n = k..=n_max by ln B(n+1) = ln B(n) + ln((n+1)/(n+1−k)) + ln(1−r).
            let mut ln_w = Vec::with_capacity(n_max - k + 1);
            let mut cur = k as f64 * ln_r;
            for n in k..=n_max {
                if n > k {
                    cur += ((n as f64) / ((n - k) as f64)).ln() + ln_1r;
                }
                ln_w.push(cur);
            }
            let cut = DROP.ln();
            let lo = ln_w.iter().position(|&v| v >= cut)?;
            let hi = ln_w.iter().rposition(|&v| v >= cut)?;
            // Q_k(m) ≤ P(c_max ≤ k) is negligible beyond some m.
            let mut d = hi;
            if let Some(m) = (lo..=hi).find(|&m| lower_tail_bound(m, q_max, k) < DROP) {
                d = m.saturating_sub(1).max(lo);
            }
            let competitors: Vec<f64> = q.iter().copied().filter(|&qb| upper_tail_bound(d, qb, k) >= DROP).collect();
            let rest: f64 = (1.0 - competitors.iter().sum::<f64>()).max(0.0);
            let col = column(&competitors, rest, k, true, d);
            let mut contrib = vec![0.0; hi - lo + 1];
            for (i, m) in (lo..=hi).enumerate() {
                if m <= d {
                    contrib[i] = ln_w[m].exp() * col[m];
                }
            }
            Some((k + lo, contrib))
        })
        .collect();
    // Sum in column order: the result does not depend on the number of threads.
    for (start, contrib) in columns {
        for (i, v) in contrib.into_iter().enumerate() {
            out[start + i] += v;
        }
    }
}

/// `E[max_a c_a] / n` for `n = 0..=n_max` (0 at `n = 0`).
fn expected_max_share(masses: &[f64], n_max: usize) -> Vec<f64> {
    let p: Vec<f64> = masses.iter().copied().filter(|&x| x > 0.0).collect();
    let total: f64 = p.iter().sum();
    let p: Vec<f64> = p.iter().map(|x| x / total).collect();
    let p_max = p.iter().copied().fold(0.0, f64::max);
    // Column k gives G_k(n) = P(all c_a ≤ k | n) for n ≤ d (0 beyond);
    // E[max](n) = Σ_{k<n} (1 − G_k(n)).
    let columns: Vec<(usize, usize, Vec<f64>)> = (0..n_max)
        .into_par_iter()
        .filter_map(|k| {
            let d = (k + 1..=n_max).find(|&n| lower_tail_bound(n, p_max, k) < DROP).map_or(n_max, |n| n - 1);
            let competitors: Vec<f64> = p.iter().copied().filter(|&pb| upper_tail_bound(d, pb, k + 1) >= DROP).collect();
            if competitors.is_empty() && d == n_max {
                return None; // G_k ≡ 1: no contribution
            }
            let rest = (1.0 - competitors.iter().sum::<f64>()).max(0.0);
            Some((k, d, column(&competitors, rest, k, false, d)))
        })
        .collect();
    let mut e_max = vec![0.0; n_max + 1];
    for (k, d, g) in columns {
        for (n, e) in e_max.iter_mut().enumerate().skip(k + 1) {
            *e += if n <= d { 1.0 - g[n] } else { 1.0 };
        }
    }
    e_max.iter().enumerate().map(|(n, &e)| if n == 0 { 0.0 } else { e / n as f64 }).collect()
}

/// For `m = 0..=d` samples spread over answers of shares `qs` plus an
/// unconstrained rest of share `rest` (all summing to one):
/// with `ties`, `E[Π_b 1[c_b ≤ k] / (1 + #{b : c_b = k})]`; without,
/// `P(all c_b ≤ k)`.
pub fn column(qs: &[f64], rest: f64, k: usize, ties: bool, d: usize) -> Vec<f64> {
    let t_max = if ties && k > 0 { qs.len().min(d / k) } else { 0 };
    let w = t_max + 1;
    let mut c = vec![0.0; (d + 1) * w];
    let mut s = rest;
    if rest > 0.0 {
        (0..=d).for_each(|m| c[m * w] = 1.0);
    } else {
        c[0] = 1.0;
    }
    let mut next = vec![0.0; (d + 1) * w];
    let floor = DROP / (2.0 * (d as f64 + 1.0));
    // Ties seen so far: at most one more per answer; states whose mass is
    // below `floor` at every m are zeroed and no longer visited.
    let mut t_hi = 0usize;
    for &qb in qs {
        let s_new = s + qb;
        let pi = if s <= 0.0 { 1.0 } else { (qb / s_new).min(1.0) };
        let mut row = PascalRow::new(pi, k, floor);
        next.iter_mut().for_each(|x| *x = 0.0);
        let t_top = if ties { (t_hi + 1).min(w - 1) } else { 0 };
        for m in 0..=d {
            if m > 0 {
                row.step();
            }
            let dst = &mut next[m * w..m * w + t_top + 1];
            for (i, &b) in row.values.iter().enumerate() {
                let j = row.lo + i;
                if j > m {
                    break;
                }
                let src = &c[(m - j) * w..(m - j) * w + t_top + 1];
                if ties && j == k {
                    for t in 1..=t_top {
                        dst[t] += b * src[t - 1];
                    }
                } else {
                    for t in 0..=t_top {
                        dst[t] += b * src[t];
                    }
                }
            }
        }
        std::mem::swap(&mut c, &mut next);
        s = s_new;
        t_hi = t_top;
        while t_hi > 0 && (0..=d).all(|m| c[m * w + t_hi] < floor) {
            (0..=d).for_each(|m| c[m * w + t_hi] = 0.0);
            t_hi -= 1;
        }
    }
    (0..=d).map(|m| (0..w).map(|t| c[m * w + t] / (t + 1) as f64).sum()).collect()
}
