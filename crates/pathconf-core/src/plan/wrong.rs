//! The population of wrong-answer processes: each question's wrong answers
//! follow one Pitman–Yor process ([`super::pitman_yor`]) from a fixed grid —
//! unbounded ones (`d ∈ {0, ¼, ½}`, `α` from 0.1 to 100) and finite ones
//! (`K` = 1 … 12 distractors, concentration ⅓, 1 or 3) — with weights
//! estimated across questions by EM (a nonparametric maximum-likelihood
//! mixture, as Kiefer & Wolfowitz 1956 on a fixed support). A question's
//! posterior over the grid weighs each process by how likely it makes the
//! partition of the question's own wrong pilot draws.
//!
//! One process for every question (a single fitted `(d, α)`) was tried
//! first: questions differ — a single distractor in one, a spread of rare
//! wrong answers in another — and the pooled process both over- and
//! under-disperses; on a synthetic population with a handful of
//! distractors per question it let wrong answers keep appearing and
//! predicted too much gain from more samples (DESIGN).

use super::discrete;
use super::pitman_yor::PitmanYor;
use rand::Rng;

/// EM stops when no weight moves by more than this…
const TOLERANCE: f64 = 1e-9;
/// …or after this many iterations.
const MAX_ITERATIONS: usize = 2000;

/// The candidate processes.
pub fn candidates() -> Vec<PitmanYor> {
    let mut out = Vec::new();
    for d in [0.0, 0.25, 0.5] {
        for alpha in [0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0] {
            out.push(PitmanYor { alpha, discount: d });
        }
    }
    for k in [1, 2, 3, 4, 6, 8, 12] {
        for c in [1.0 / 3.0, 1.0, 3.0] {
            out.push(PitmanYor::finite(k, c));
        }
    }
    out
}

/// A mixture over [`candidates`].
#[derive(Debug, Clone, PartialEq)]
pub struct WrongPrior {
    /// The processes.
    pub processes: Vec<PitmanYor>,
    /// Their weights (summing to one).
    pub weights: Vec<f64>,
}

impl WrongPrior {
    /// Equal weights.
    pub fn uniform() -> Self {
        let processes = candidates();
        let w = 1.0 / processes.len() as f64;
        Self { weights: vec![w; processes.len()], processes }
    }

    /// The maximum-likelihood weights for the questions' wrong blocks (EM
    /// from equal weights; pilots with fewer than two wrong draws carry no
    /// information and are left out).
    ///
    /// ```
    /// use pathconf_core::plan::wrong::WrongPrior;
    /// // Every question: three wrong draws of one answer — one distractor.
    /// let prior = WrongPrior::fit(&vec![vec![3]; 50]);
    /// let (best, _) = prior.weights.iter().enumerate().fold((0, 0.0), |b, (i, &w)| if w > b.1 { (i, w) } else { b });
    /// assert_eq!(prior.processes[best].alpha + prior.processes[best].discount, 0.0, "K = 1: α = |d|");
    /// ```
    pub fn fit(partitions: &[Vec<usize>]) -> Self {
        let hist = discrete::histogram(partitions.iter().filter(|b| b.iter().sum::<usize>() >= 2).map(|b| sorted(b)));
        let mut prior = Self::uniform();
        if hist.is_empty() {
            return prior;
        }
        let total: f64 = hist.iter().map(|h| h.1).sum();
        let rows: Vec<(Vec<f64>, f64)> = hist.iter().map(|(b, w)| (likelihoods(&prior.processes, b), w / total)).collect();
        let mut next = vec![0.0; prior.weights.len()];
        for _ in 0..MAX_ITERATIONS {
            next.iter_mut().for_each(|x| *x = 0.0);
            for (l, w) in &rows {
                let denom: f64 = prior.weights.iter().zip(l).map(|(a, b)| a * b).sum();
                for ((x, a), b) in next.iter_mut().zip(&prior.weights).zip(l) {
                    *x += w * a * b / denom;
                }
            }
            let moved = next.iter().zip(&prior.weights).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
            std::mem::swap(&mut prior.weights, &mut next);
            if moved < TOLERANCE {
                break;
            }
        }
        prior
    }

    /// The posterior over the processes given one question's wrong blocks,
    /// as a cumulative distribution.
    pub fn posterior_cdf(&self, blocks: &[usize]) -> Vec<f64> {
        discrete::posterior_cdf(&self.weights, &likelihoods(&self.processes, &sorted(blocks)))
    }

    /// The weight-averaged `(α, d)` over the unbounded processes and the
    /// weight of the finite ones — a summary for reports.
    pub fn summary(&self) -> (f64, f64, f64) {
        let (mut a, mut d, mut w, mut finite) = (0.0, 0.0, 0.0, 0.0);
        for (p, &x) in self.processes.iter().zip(&self.weights) {
            if p.discount < 0.0 {
                finite += x;
            } else {
                a += x * p.alpha;
                d += x * p.discount;
                w += x;
            }
        }
        (a / w.max(1e-300), d / w.max(1e-300), finite)
    }
}

fn sorted(blocks: &[usize]) -> Vec<usize> {
    let mut b: Vec<usize> = blocks.iter().copied().filter(|&n| n > 0).collect();
    b.sort_unstable_by(|x, y| y.cmp(x));
    b
}

/// Each process's probability of the partition, scaled by the largest.
fn likelihoods(processes: &[PitmanYor], blocks: &[usize]) -> Vec<f64> {
    let ln: Vec<f64> = processes.iter().map(|p| p.ln_partition(blocks)).collect();
    let top = ln.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    ln.into_iter().map(|x| if top.is_finite() { (x - top).exp() } else { 1.0 }).collect()
}

/// One draw of a process from a posterior given as [`WrongPrior::posterior_cdf`].
pub fn sample(prior: &WrongPrior, cdf: &[f64], rng: &mut impl Rng) -> PitmanYor {
    prior.processes[discrete::draw(cdf, rng)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Questions drawn half from a single-distractor process and half from a
    /// Dirichlet process of strength 10: the fitted mixture puts most of its
    /// weight on processes like each, and a question's posterior tells them
    /// apart from its own partition.
    #[test]
    fn the_mixture_separates_two_kinds_of_questions() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let kinds = [PitmanYor::finite(1, 1.0), PitmanYor { alpha: 10.0, discount: 0.0 }];
        let partitions: Vec<Vec<usize>> = (0..400)
            .map(|q| {
                let mut counts: Vec<usize> = Vec::new();
                for total in 0..8 {
                    match kinds[q % 2].next(&counts, total, &mut rng) {
                        Some(j) => counts[j] += 1,
                        None => counts.push(1),
                    }
                }
                counts
            })
            .collect();
        let prior = WrongPrior::fit(&partitions);
        let mass = |f: &dyn Fn(&PitmanYor) -> bool| -> f64 { prior.processes.iter().zip(&prior.weights).filter(|(p, _)| f(p)).map(|(_, w)| w).sum() };
        let one = mass(&|p| p.discount < 0.0 && (p.alpha / -p.discount - 1.0).abs() < 1e-9);
        let spread = mass(&|p| p.discount >= 0.0 && p.alpha >= 3.0);
        assert!(one > 0.35 && spread > 0.35, "one distractor {one}, spread {spread}");
        // A question with one wrong answer drawn 8 times is (almost surely) the first kind.
        let cdf = prior.posterior_cdf(&[8]);
        let first: f64 = prior
            .processes
            .iter()
            .zip(cdf.iter().scan(0.0, |last, &c| {
                let w = c - *last;
                *last = c;
                Some(w)
            }))
            .filter(|(p, _)| p.discount < 0.0 && (p.alpha / -p.discount - 1.0).abs() < 1e-9)
            .map(|(_, w)| w)
            .sum();
        assert!(first > 0.95, "{first}");
    }
}
