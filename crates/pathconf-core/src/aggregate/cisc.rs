//! CISC — Confidence-Informed Self-Consistency (Taubenfeld et al., 2025).
//!
//! With a confidence `c_i` per path (the response probability
//! `exp(mean token log-prob)`, or P(True)) and temperature `T > 0`:
//!
//! - **softmax** (their default): `w_i = softmax_i(c_i / T) = e^{c_i/T} / Σ_j e^{c_j/T}`;
//!   `T → 0` selects the path of highest confidence, `T → ∞` is SC;
//! - **linear**: `w_i = T (c_i − min_j c_j) + 1`; `T = 0` is SC;
//! - **tie**: majority vote; confidence only breaks ties between the
//!   largest groups (by their summed confidence).
//!
//! The answer is `argmax_a Σ_{i: a_i = a} w_i`; its confidence is its share
//! of `Σ_i w_i` (for `tie`, the SC share).

use serde::Serialize;

/// Which CISC weighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CiscKind {
    /// `softmax(c / T)`.
    Softmax,
    /// `T (c − min c) + 1`.
    Linear,
    /// Majority vote, ties broken by summed confidence.
    Tie,
}

/// CISC's softmax numerator `e^{(c − c_max)/T}` (the shift by the largest
/// confidence cancels in every share and keeps the largest weight at 1; `T = ∞`: 1).
pub fn softmax_weight(c: f64, c_max: f64, temperature: f64) -> f64 {
    if temperature.is_infinite() {
        1.0
    } else {
        ((c - c_max) / temperature).exp()
    }
}

/// CISC's weights of paths with confidences `c` at temperature `t` (`t = ∞`
/// allowed for softmax: equal weights). For [`CiscKind::Tie`] the weights
/// are 1 (the tie-break is [`tie_break_scores`]).
pub fn cisc_weights(c: &[f64], kind: CiscKind, t: f64) -> Vec<f64> {
    match kind {
        CiscKind::Softmax => {
            // Shifted by the maximum: no overflow and, as T → 0, only the maxima survive.
            let max = c.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = c.iter().map(|&x| softmax_weight(x, max, t)).collect();
            let total: f64 = e.iter().sum();
            e.into_iter().map(|x| x / total).collect()
        }
        CiscKind::Linear => {
            let min = c.iter().copied().fold(f64::INFINITY, f64::min);
            c.iter().map(|&x| t * (x - min) + 1.0).collect()
        }
        CiscKind::Tie => vec![1.0; c.len()],
    }
}

/// Group scores for the tie rule: the group's count plus, as a tie-break
/// worth less than one vote, half its share of the summed confidence. The
/// order by score is the order by (count, summed confidence).
pub fn tie_break_scores(group: &[u32], c: &[f64], n_groups: usize) -> Vec<f64> {
    let counts = super::weighted_vote(group, &vec![1.0; group.len()], None, n_groups);
    let sums = super::weighted_vote(group, c, None, n_groups);
    let total: f64 = sums.iter().sum();
    counts.iter().zip(&sums).map(|(&n, &s)| n + if total > 0.0 { 0.5 * s / total } else { 0.0 }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::weighted_vote;

    #[test]
    fn softmax_limits_are_max_selection_and_majority() {
        // Paths: A (0.9), B (0.5), B (0.4). SC picks B; the most confident path is A.
        let (g, c) = ([0u32, 1, 1], [0.9, 0.5, 0.4]);
        let argmax = |s: Vec<f64>| (s[0] > s[1]) as u8;
        assert_eq!(argmax(weighted_vote(&g, &cisc_weights(&c, CiscKind::Softmax, 1e-3), None, 2)), 1);
        assert_eq!(argmax(weighted_vote(&g, &cisc_weights(&c, CiscKind::Softmax, 1e3), None, 2)), 0);
        assert_eq!(cisc_weights(&c, CiscKind::Softmax, f64::INFINITY), vec![1.0 / 3.0; 3]);
        // By definition at T = 0.2.
        let w = cisc_weights(&c, CiscKind::Softmax, 0.2);
        let z: f64 = c.iter().map(|x| (x / 0.2).exp()).sum();
        w.iter().zip(&c).for_each(|(w, x)| assert!((w - (x / 0.2).exp() / z).abs() < 1e-15));
        let lin = cisc_weights(&c, CiscKind::Linear, 10.0);
        lin.iter().zip([6.0, 2.0, 1.0]).for_each(|(a, b)| assert!((a - b).abs() < 1e-12, "{lin:?}"));
    }

    #[test]
    fn tie_rule_only_breaks_ties() {
        // Counts 2 vs 2: the group with more summed confidence wins; 3 vs 1 stays.
        let s = tie_break_scores(&[0, 0, 1, 1], &[0.1, 0.1, 0.3, 0.3], 2);
        assert!(s[1] > s[0] && s[0] >= 2.0 && s[1] < 2.5);
        let s = tie_break_scores(&[0, 0, 0, 1], &[0.0, 0.0, 0.0, 1.0], 2);
        assert!(s[0] > s[1]);
    }
}
