//! Adaptive-Consistency's Dirichlet statistic, computed exactly.
//!
//! Aggarwal et al. put a uniform Dirichlet prior on the shares of the (up to)
//! five most frequent answers, so the posterior is `Dirichlet(c_1+1, …, c_k+1)`,
//! and stop when the posterior probability that the leader's share exceeds
//! every other share reaches the threshold. Their code estimates that
//! probability with random draws (so their rule is not deterministic); with
//! fewer than three distinct answers it falls back to the Beta rule.
//!
//! Here it is exact. Write the shares as `G_i / Σ G` with independent
//! `G_i ~ Gamma(c_i + 1, 1)`; the leader `L` wins iff `G_L > G_j` for all `j`,
//! and by inclusion–exclusion over the set `S` of others it loses to,
//!
//! `P = Σ_{S ⊆ others} (−1)^{|S|} P(G_L < G_j ∀ j ∈ S)`.
//!
//! A `Gamma(c + 1, 1)` variable is the time of the `(c+1)`-th arrival of a
//! unit-rate Poisson process; merging `L`'s process with those of `S`, each
//! arrival belongs to one of the `s + 1` processes uniformly, so the number
//! `T` of `S`-arrivals before `L`'s `(c_L+1)`-th is negative binomial
//! `NB(c_L + 1, 1/(s+1))`, split uniformly among `S`, and
//!
//! `P(G_L < G_j ∀ j ∈ S) = Σ_T NB(T) · P(Multinomial(T, uniform on S) ≤ c_S)`.
//!
//! All terms are probabilities (no cancellation inside a term); the outer sum
//! has at most 16 terms of magnitude ≤ 1.

use statrs::function::factorial::ln_binomial;

/// How many of the most frequent answers the statistic looks at (theirs: 5).
pub const TOP_K: usize = 5;

/// `P(leader's share > every other share)` under the Dirichlet posterior of
/// the `TOP_K` largest `counts`. `counts` need not be sorted; zeros are
/// ignored.
///
/// ```
/// use pathconf_core::stopping::dirichlet::leader_probability;
/// // Two answers: P(Beta(a+1, b+1) > 1/2), the Beta rule's statistic.
/// let beta = pathconf_core::stopping::rule::beta_confidence(7, 2);
/// assert!((leader_probability(&[7, 2]) - beta).abs() < 1e-12);
/// ```
pub fn leader_probability(counts: &[usize]) -> f64 {
    let mut top: Vec<usize> = counts.iter().copied().filter(|&c| c > 0).collect();
    top.sort_unstable_by(|a, b| b.cmp(a));
    top.truncate(TOP_K);
    let Some((&lead, others)) = top.split_first() else { return 0.0 };
    let mut total = 0.0;
    for mask in 0u32..(1 << others.len()) {
        let set: Vec<usize> = others.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, &c)| c).collect();
        let term = loses_to_all(lead, &set);
        total += if set.len().is_multiple_of(2) { term } else { -term };
    }
    total.clamp(0.0, 1.0)
}

/// `P(G_L < G_j for every j in set)`.
fn loses_to_all(lead: usize, set: &[usize]) -> f64 {
    if set.is_empty() {
        return 1.0;
    }
    let s = set.len() as f64;
    let t_max: usize = set.iter().sum();
    // h[T] = P(Multinomial(T, uniform on the processes so far) ≤ their caps).
    let mut h: Vec<f64> = (0..=t_max).map(|t| if t <= set[0] { 1.0 } else { 0.0 }).collect();
    for (r, &cap) in set.iter().enumerate().skip(1) {
        let share = 1.0 / (r + 1) as f64;
        let (ln_in, ln_out) = (share.ln(), (1.0 - share).ln());
        let mut next = vec![0.0; t_max + 1];
        for (t, slot) in next.iter_mut().enumerate() {
            *slot = (0..=cap.min(t)).map(|i| (ln_binomial(t as u64, i as u64) + i as f64 * ln_in + (t - i) as f64 * ln_out).exp() * h[t - i]).sum();
        }
        h = next;
    }
    // NB(T; lead + 1, 1/(s+1)) = C(lead + T, T) (1/(s+1))^{lead+1} (s/(s+1))^T.
    let (ln_p, ln_q) = ((1.0 / (s + 1.0)).ln(), (s / (s + 1.0)).ln());
    (0..=t_max).map(|t| (ln_binomial((lead + t) as u64, t as u64) + (lead + 1) as f64 * ln_p + t as f64 * ln_q).exp() * h[t]).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Gamma};

    #[test]
    fn equals_the_beta_statistic_for_two_answers_and_is_symmetric() {
        for (a, b) in [(1, 1), (2, 1), (3, 1), (10, 7), (40, 2)] {
            let beta = crate::stopping::rule::beta_confidence(a, b);
            assert!((leader_probability(&[a, b]) - beta).abs() < 1e-12, "{a} {b}");
        }
        // Three equal counts: each is the largest with probability 1/3.
        assert!((leader_probability(&[4, 4, 4]) - 1.0 / 3.0).abs() < 1e-12);
        assert!((leader_probability(&[2, 2, 2, 2, 2]) - 0.2).abs() < 1e-12);
    }

    #[test]
    fn matches_monte_carlo_over_gamma_draws() {
        // 400,000 draws: s.e. ≤ 0.0008; the 5-s.e. band fails with
        // probability < 1e-6 per case.
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for counts in [vec![6usize, 3, 2], vec![9, 5, 4, 1, 1], vec![5, 4, 4, 3, 2, 2]] {
            let mut top = counts.clone();
            top.sort_unstable_by(|a, b| b.cmp(a));
            top.truncate(TOP_K);
            let gammas: Vec<Gamma<f64>> = top.iter().map(|&c| Gamma::new(c as f64 + 1.0, 1.0).unwrap()).collect();
            let trials = 400_000;
            let wins = (0..trials)
                .filter(|_| {
                    let g: Vec<f64> = gammas.iter().map(|d| d.sample(&mut rng)).collect();
                    g[1..].iter().all(|&x| g[0] > x)
                })
                .count() as f64;
            let (p, se) = (wins / trials as f64, 0.0008);
            let exact = leader_probability(&counts);
            assert!((exact - p).abs() < 5.0 * se, "{counts:?}: exact {exact} vs MC {p}");
        }
    }
}

#[cfg(test)]
mod bound_tests {
    use super::*;
    use crate::stopping::StopRule;

    #[test]
    fn the_rule_s_shortcuts_never_change_a_verdict() {
        // Every sorted count vector of 3–5 answers with counts ≤ 14.
        for t in [0.8, 0.95] {
            let rule = StopRule::AscDirichlet { threshold: t, max: 100 };
            let mut checked = 0;
            for a in 1..=14usize {
                for b in 1..=a {
                    for c in 1..=b {
                        for d in 0..=c {
                            for e in 0..=d.min(3) {
                                let counts = [a, b, c, d, e];
                                let n = counts.iter().sum();
                                assert_eq!(rule.stops_on_counts(&counts, n), leader_probability(&counts) >= t, "{counts:?} at {t}");
                                checked += 1;
                            }
                        }
                    }
                }
            }
            assert!(checked > 1000);
        }
    }
}
