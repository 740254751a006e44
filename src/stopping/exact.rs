//! Exact expected cost and accuracy of a stopping rule from the answer
//! distribution `p_a` (count-based rules see only answers, so paths lump
//! exactly into their answers).
//!
//! A dynamic programme over count vectors: the probability of each vector of
//! answer counts among the runs that have not stopped yet, advanced one
//! sample (Beta, fixed) or one window (ESC) at a time; mass that stops is
//! credited with the rule's answer. The state space is the set of count
//! vectors, `C(n + K − 1, K − 1)` at `n` samples, so this is exact for few
//! answers (it refuses above [`MAX_STATES`]); [`esc_expected_samples`] is
//! ESC's closed form for any number of answers.

use super::replay::replay;
use super::rule::{beta_confidence, top_two, EscAnswer, StopRule};
use crate::select::select;
use std::collections::BTreeMap;

/// Largest work (count vectors × moves, summed over steps) attempted.
pub const MAX_WORK: f64 = 2e8;

/// A rule's exact cost and accuracy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExactCost {
    /// `E[samples used]`.
    pub expected_samples: f64,
    /// `P(answer correct)`, ties split.
    pub accuracy: f64,
}

/// ESC's expected samples (Li et al.): with `q = Σ_a p_a^W` the chance that a
/// window is unanimous and `m = L / W` windows,
/// `E[N] = W · [Σ_{i=0}^{m−2} (i+1) q (1−q)^i + m (1−q)^{m−1}]`.
pub fn esc_expected_samples(masses: &[f64], window: usize, max: usize) -> f64 {
    let q: f64 = masses.iter().map(|p| p.powi(window as i32)).sum();
    let m = max / window;
    let body: f64 = (0..m.saturating_sub(1)).map(|i| (i + 1) as f64 * q * (1.0 - q).powi(i as i32)).sum();
    window as f64 * (body + m as f64 * (1.0 - q).powi(m as i32 - 1))
}

/// The exact cost of `rule` for answer masses `masses` and correct answer
/// `correct`, or `None` when the count vectors are too many ([`MAX_WORK`]).
pub fn exact_cost(rule: &StopRule, masses: &[f64], correct: Option<usize>) -> Option<ExactCost> {
    let k = masses.len();
    let ok: Vec<bool> = (0..k).map(|a| Some(a) == correct).collect();
    let credit_of = |counts: &[u16]| select(counts.iter().zip(&ok).map(|(&c, &o)| (c as f64, o))).credit;
    let step = match rule {
        StopRule::Esc { window, .. } => *window,
        _ => 1,
    };
    let max = rule.max_samples();
    // Window compositions and their probabilities (ESC), or single samples.
    let moves: Vec<(Vec<u16>, f64, Option<usize>)> = if step == 1 {
        (0..k).map(|a| (unit(k, a), masses[a], Some(a))).collect()
    } else {
        compositions(k, step).into_iter().map(|c| (c.clone(), multinomial_prob(&c, masses), c.iter().position(|&x| x as usize == step))).collect()
    };
    // Bound the work before starting: at most C(n + K − 1, K − 1) vectors at n.
    let ln_vectors = |n: usize| statrs::function::factorial::ln_binomial((n + k - 1) as u64, (k - 1) as u64);
    let work: f64 = (0..max / step).map(|s| ln_vectors(s * step).exp() * moves.len() as f64).sum();
    if work > MAX_WORK {
        return None;
    }
    // An ordered map: the sums run in the same order on every run.
    let mut live: BTreeMap<Vec<u16>, f64> = BTreeMap::from([(vec![0u16; k], 1.0)]);
    let (mut e_n, mut acc) = (0.0, 0.0);
    let mut n = 0;
    while n < max && !live.is_empty() {
        n += step;
        let mut next: BTreeMap<Vec<u16>, f64> = BTreeMap::new();
        for (counts, &w) in &live {
            for (mv, p, unanimous) in &moves {
                if *p == 0.0 {
                    continue;
                }
                let c: Vec<u16> = counts.iter().zip(mv).map(|(a, b)| a + b).collect();
                let mass = w * p;
                let stop = match *rule {
                    StopRule::Fixed { .. } => n >= max,
                    StopRule::Esc { answer, .. } => match unanimous {
                        Some(a) => {
                            e_n += mass * n as f64;
                            acc += mass
                                * if answer == EscAnswer::Window {
                                    if ok[*a] {
                                        1.0
                                    } else {
                                        0.0
                                    }
                                } else {
                                    credit_of(&c)
                                };
                            continue;
                        }
                        None => n >= max,
                    },
                    StopRule::AscBeta { threshold, .. } => {
                        let (a, b) = top_two(&c);
                        beta_confidence(a, b) >= threshold || n >= max
                    }
                };
                if stop {
                    e_n += mass * n as f64;
                    acc += mass * credit_of(&c);
                } else {
                    *next.entry(c).or_insert(0.0) += mass;
                }
            }
        }
        live = next;
    }
    Some(ExactCost { expected_samples: e_n, accuracy: acc })
}

/// Exhaustive check: every sequence of `rule.max_samples()` answers, replayed.
/// Only for tiny cases (`K^L` sequences).
pub fn enumerate_cost(rule: &StopRule, masses: &[f64], correct: Option<usize>) -> ExactCost {
    let k = masses.len();
    let l = rule.max_samples();
    let ok: Vec<bool> = (0..k).map(|a| Some(a) == correct).collect();
    let mut seq = vec![0u32; l];
    let (mut e_n, mut acc) = (0.0, 0.0);
    loop {
        let w: f64 = seq.iter().map(|&a| masses[a as usize]).product();
        if w > 0.0 {
            let s = replay(rule, &seq, &ok);
            e_n += w * s.used as f64;
            acc += w * s.credit;
        }
        let mut d = 0;
        loop {
            if d == l {
                return ExactCost { expected_samples: e_n, accuracy: acc };
            }
            seq[d] += 1;
            if (seq[d] as usize) < k {
                break;
            }
            seq[d] = 0;
            d += 1;
        }
    }
}

fn unit(k: usize, a: usize) -> Vec<u16> {
    let mut v = vec![0; k];
    v[a] = 1;
    v
}

/// Every count vector of `k` answers summing to `total`.
fn compositions(k: usize, total: usize) -> Vec<Vec<u16>> {
    fn rec(k: usize, left: usize, cur: &mut Vec<u16>, out: &mut Vec<Vec<u16>>) {
        if cur.len() == k - 1 {
            cur.push(left as u16);
            out.push(cur.clone());
            cur.pop();
            return;
        }
        for x in 0..=left {
            cur.push(x as u16);
            rec(k, left - x, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    rec(k, total, &mut Vec::new(), &mut out);
    out
}

/// `P(window composition = c)` under `Multinomial(Σc, p)`.
fn multinomial_prob(c: &[u16], p: &[f64]) -> f64 {
    let n: u64 = c.iter().map(|&x| x as u64).sum();
    let ln_coef = statrs::function::factorial::ln_factorial(n) - c.iter().map(|&x| statrs::function::factorial::ln_factorial(x as u64)).sum::<f64>();
    let mut prob = ln_coef.exp();
    for (&x, &q) in c.iter().zip(p) {
        prob *= q.powi(x as i32);
    }
    prob
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_cost_equals_the_enumeration_of_all_sequences() {
        let cases: [(&[f64], Option<usize>); 4] =
            [(&[0.6, 0.4], Some(0)), (&[0.5, 0.3, 0.2], Some(1)), (&[0.25, 0.25, 0.5], Some(0)), (&[0.7, 0.2, 0.1], None)];
        for (masses, y) in cases {
            for text in ["fixed:5", "esc:2:8", "esc:2:8:majority", "esc:3:6", "asc-beta:0.8:8", "asc-beta:0.95:7"] {
                let rule: StopRule = text.parse().unwrap();
                if masses.len().pow(rule.max_samples() as u32) > 2_000_000 {
                    continue;
                }
                let dp = exact_cost(&rule, masses, y).unwrap();
                let en = enumerate_cost(&rule, masses, y);
                assert!((dp.expected_samples - en.expected_samples).abs() < 1e-12, "{text} {masses:?}: {dp:?} vs {en:?}");
                assert!((dp.accuracy - en.accuracy).abs() < 1e-12, "{text} {masses:?}: {dp:?} vs {en:?}");
                if let StopRule::Esc { window, max, .. } = rule {
                    assert!((esc_expected_samples(masses, window, max) - en.expected_samples).abs() < 1e-12, "ESC closed form, {text} {masses:?}");
                }
            }
        }
    }
}
