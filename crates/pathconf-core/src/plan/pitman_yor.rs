//! One question's wrong answers as a Pitman–Yor process (Pitman & Yor
//! 1997), the two-parameter Chinese restaurant: discount `d` and strength
//! `α`. `0 ≤ d < 1`, `α > −d` gives an unbounded set of wrong answers (`d =
//! 0`: the Dirichlet process; `d > 0`: a power-law tail of rare answers);
//! `d < 0` with `α = K |d|` is the other branch of the family (Pitman 2006,
//! *Combinatorial Stochastic Processes*, §3.2): `K` wrong answers with
//! symmetric Dirichlet(`|d|`) shares — a question with a handful of
//! distractors.
//!
//! A sample of `N` wrong draws falling into blocks of sizes `n_1 … n_k` has
//! the exchangeable partition probability (Pitman 2006, Thm 3.2)
//!
//! ```text
//! P = Π_{i=1}^{k−1} (α + i d) / (α + 1)^{(N−1)} · Π_j (1 − d)^{(n_j − 1)},
//! ```
//!
//! with `x^{(k)} = x (x+1) ⋯ (x+k−1)` (zero when `k > K` on the finite
//! branch). Given a question's blocks, the next wrong draw is block `j` with
//! probability `(n_j − d) / (α + N)` and a new answer with `(α + k d) / (α + N)`
//! — the posterior predictive, drawn without ever fixing the shares.

use rand::Rng;
use rand_distr::{Beta, Distribution, Gamma};

/// A Pitman–Yor process's parameters: discount `d < 1` and strength `α`,
/// with `α > −d` when `d ≥ 0`, `α = K |d|` (`K` answers) when `d < 0`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PitmanYor {
    /// Strength `α`.
    pub alpha: f64,
    /// Discount `d`.
    pub discount: f64,
}

/// The likelihood's sufficient statistics: how many terms of each kind.
#[derive(Debug, Default)]
struct Counts {
    /// `k_new[i]`: questions with at least `i + 1` new blocks after the first.
    k_new: Vec<f64>,
    /// `draws[i]`: questions with at least `i + 1` draws after the first.
    draws: Vec<f64>,
    /// `repeat[l]`: blocks with at least `l + 1` draws after their first.
    repeat: Vec<f64>,
}

fn bump(v: &mut Vec<f64>, upto: usize) {
    if v.len() < upto {
        v.resize(upto, 0.0);
    }
    v[..upto].iter_mut().for_each(|x| *x += 1.0);
}

impl Counts {
    fn of(partitions: &[Vec<usize>]) -> Self {
        let mut c = Self::default();
        for blocks in partitions.iter().filter(|b| !b.is_empty()) {
            bump(&mut c.k_new, blocks.len() - 1);
            bump(&mut c.draws, blocks.iter().sum::<usize>() - 1);
            for &n in blocks {
                bump(&mut c.repeat, n - 1);
            }
        }
        c
    }

    fn ln_likelihood(&self, alpha: f64, d: f64) -> f64 {
        // On the finite branch a partition with more blocks than answers has
        // probability 0 (a factor α + i d ≤ 0).
        if self.k_new.iter().enumerate().any(|(i, &w)| w > 0.0 && alpha + (i + 1) as f64 * d <= 0.0) {
            return f64::NEG_INFINITY;
        }
        let a: f64 = self.k_new.iter().enumerate().map(|(i, w)| w * (alpha + (i + 1) as f64 * d).ln()).sum();
        let b: f64 = self.draws.iter().enumerate().map(|(i, w)| w * (alpha + (i + 1) as f64).ln()).sum();
        let c: f64 = self.repeat.iter().enumerate().map(|(l, w)| w * ((l + 1) as f64 - d).ln()).sum();
        a - b + c
    }
}

impl PitmanYor {
    /// The finite branch: `answers` wrong answers with symmetric
    /// Dirichlet(`concentration`) shares.
    pub fn finite(answers: usize, concentration: f64) -> Self {
        Self { alpha: answers as f64 * concentration, discount: -concentration }
    }

    /// `ln P(partition)` for one question's wrong blocks (sizes ≥ 1).
    ///
    /// ```
    /// use pathconf_core::plan::pitman_yor::PitmanYor;
    /// // Dirichlet process (d = 0), α = 1: P({1,1}) = α/(α+1) = 1/2.
    /// let dp = PitmanYor { alpha: 1.0, discount: 0.0 };
    /// assert!((dp.ln_partition(&[1, 1]).exp() - 0.5).abs() < 1e-15);
    /// ```
    pub fn ln_partition(&self, blocks: &[usize]) -> f64 {
        Counts::of(&[blocks.to_vec()]).ln_likelihood(self.alpha, self.discount)
    }

    /// The label of the next wrong draw given the blocks so far (`counts[j]`
    /// draws in block `j`, `total` their sum): an existing block's index, or
    /// `None` for a new answer.
    pub fn next(&self, counts: &[usize], total: usize, rng: &mut impl Rng) -> Option<usize> {
        if total == 0 {
            return None;
        }
        let k = counts.iter().filter(|&&c| c > 0).count() as f64;
        let u = rng.random::<f64>() * (self.alpha + total as f64);
        let mut acc = 0.0;
        for (j, &c) in counts.iter().enumerate().filter(|(_, &c)| c > 0) {
            acc += c as f64 - self.discount;
            if u < acc {
                return Some(j);
            }
        }
        debug_assert!(u >= acc && (self.alpha + k * self.discount) > 0.0);
        None
    }

    /// One draw of the largest wrong share — the largest of the seen blocks'
    /// shares and the pieces of the unseen rest — among the wrong answers
    /// `blocks` (sizes ≥ 1, invalid ones included) given a pilot with these
    /// blocks, or the answer once it is settled against `rival`: the walk
    /// over the unseen pieces stops when the mass left cannot beat both the
    /// largest piece so far and `rival` (so a value below `rival` is only an
    /// upper bound on shares that cannot matter). `skip[j]`: block `j` is not
    /// a rival (an invalid answer that casts no vote).
    ///
    /// Posterior (Pitman 1996): `(W_1 … W_k, R) ~ Dir(n_1 − d, …, n_k − d, α + k d)`,
    /// and `R` is split as `PY(d, α + k d)` by sticks `V_i ~ Beta(1 − d, α + k d + i d)`
    /// (on the finite branch the last of the `K − k` unseen answers takes the rest).
    pub fn draw_largest_share(&self, blocks: &[usize], skip: &[bool], rival: f64, rng: &mut impl Rng) -> f64 {
        let d = self.discount;
        let k = blocks.len() as f64;
        let mut weights: Vec<f64> = blocks.iter().map(|&n| Gamma::new(n as f64 - d, 1.0).expect("shape > 0").sample(rng)).collect();
        let rest_shape = self.alpha + k * d;
        let mut rest = if blocks.is_empty() {
            1.0
        } else if rest_shape > 0.0 {
            Gamma::new(rest_shape, 1.0).expect("shape > 0").sample(rng)
        } else {
            0.0
        };
        let total: f64 = weights.iter().sum::<f64>() + rest;
        if !blocks.is_empty() {
            weights.iter_mut().for_each(|w| *w /= total);
            rest /= total;
        }
        let mut largest = weights.iter().zip(skip).filter(|(_, &s)| !s).map(|(w, _)| *w).fold(0.0, f64::max);
        let mut i = 1.0;
        while rest > largest.max(rival) && rest > 1e-12 && i < 1e5 {
            // On the finite branch the last unseen answer takes what is left.
            let b = self.alpha + k * d + i * d;
            let v = if b <= 1e-12 { 1.0 } else { Beta::new(1.0 - d, b).expect("parameters > 0").sample(rng) };
            largest = largest.max(rest * v);
            rest *= 1.0 - v;
            i += 1.0;
        }
        largest
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Block sizes of every set partition of `n` items (item `i` joins an
    /// existing block or opens a new one).
    fn all_partitions(n: usize) -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new()];
        for _ in 0..n {
            out = out
                .into_iter()
                .flat_map(|blocks: Vec<usize>| {
                    let mut next: Vec<Vec<usize>> = (0..blocks.len())
                        .map(|j| {
                            let mut b = blocks.clone();
                            b[j] += 1;
                            b
                        })
                        .collect();
                    let mut opened = blocks.clone();
                    opened.push(1);
                    next.push(opened);
                    next
                })
                .collect();
        }
        out
    }

    /// The EPPF summed over every set partition of `n` items is 1.
    #[test]
    fn partition_probabilities_sum_to_one() {
        for py in [PitmanYor { alpha: 0.7, discount: 0.3 }, PitmanYor { alpha: 2.5, discount: 0.0 }, PitmanYor { alpha: -0.2, discount: 0.5 }] {
            for n in 1..=7 {
                let total: f64 = all_partitions(n).iter().map(|b| py.ln_partition(b).exp()).sum();
                assert!((total - 1.0).abs() < 1e-12, "{py:?} n = {n}: {total}");
            }
        }
    }

    /// The finite branch is the Dirichlet-multinomial: `K = 3` answers of
    /// concentration 0.5 give P({2,1} in order) by Pólya's urn, and no
    /// partition with four blocks.
    #[test]
    fn the_finite_branch_is_the_dirichlet_multinomial() {
        let py = PitmanYor::finite(3, 0.5);
        // α = 1.5, d = −0.5; draws a, a, b: the first is new (1), the second
        // joins ((1 + 0.5)/(1.5 + 1)), the third is new ((1.5 − 0.5)/(1.5 + 2)).
        let p = 1.0 * (1.5 / 2.5) * (1.0 / 3.5);
        assert!((py.ln_partition(&[2, 1]).exp() - p).abs() < 1e-15);
        assert_eq!(py.ln_partition(&[1, 1, 1, 1]), f64::NEG_INFINITY);
        for n in 1..=6 {
            let total: f64 = all_partitions(n).iter().map(|b| py.ln_partition(b).exp()).sum();
            assert!((total - 1.0).abs() < 1e-12, "n = {n}: {total}");
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        // Three blocks seen: no new answer can come.
        assert!((0..1000).all(|_| py.next(&[2, 1, 1], 4, &mut rng).is_some()));
        // The largest share of three answers, one seen: never below 1/3.
        assert!((0..1000).all(|_| py.draw_largest_share(&[1], &[false], 0.0, &mut rng) >= 1.0 / 3.0 - 1e-12));
    }

    #[test]
    fn the_urn_follows_the_predictive_rule() {
        // Blocks (3, 1), d = 0.5, α = 1: existing 2.5/5 and 0.5/5, new 2/5.
        let py = PitmanYor { alpha: 1.0, discount: 0.5 };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let n = 20_000;
        let mut hits = [0usize; 3];
        for _ in 0..n {
            hits[py.next(&[3, 1], 4, &mut rng).unwrap_or(2)] += 1;
        }
        // 5 s.d. of a binomial share at n = 20,000 ≤ 0.0177: false-failure rate < 1e-6.
        for (h, p) in hits.iter().zip([0.5, 0.1, 0.4]) {
            assert!((*h as f64 / n as f64 - p).abs() < 0.0177, "{hits:?}");
        }
    }
}
