//! An "LLM-like" question: thousands to a million paths whose unnormalised
//! probabilities come from a two-component mixture — a heavy low-probability
//! tail (most paths, tiny weights) and a high-probability region (few paths,
//! large weights) concentrated on the correct answer — then normalised.

use super::answer_name;
use crate::distribution::PathDistribution;
use rand::Rng;
use rand_distr::{Distribution, LogNormal, Weibull};

/// A mixture component for path weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Component {
    /// `LogNormal(μ, σ)` weights (log-weights normal).
    LogNormal {
        /// Mean of the log-weight.
        mu: f64,
        /// Standard deviation of the log-weight.
        sigma: f64,
    },
    /// `Weibull(shape k, scale λ)` weights.
    Weibull {
        /// Shape `k`.
        shape: f64,
        /// Scale `λ`.
        scale: f64,
    },
}

impl Component {
    fn draw(&self, rng: &mut impl Rng) -> f64 {
        match *self {
            Component::LogNormal { mu, sigma } => LogNormal::new(mu, sigma).expect("sigma >= 0").sample(rng),
            Component::Weibull { shape, scale } => Weibull::new(scale, shape).expect("positive").sample(rng),
        }
    }
}

/// Parameters of the LLM-like family.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LlmLike {
    /// Number of paths.
    pub n_paths: usize,
    /// Number of answers (`A` correct, the rest wrong).
    pub n_answers: usize,
    /// Fraction of paths in the high-probability region.
    pub high_fraction: f64,
    /// Weight distribution of high-region paths.
    pub high: Component,
    /// Weight distribution of low-region (tail) paths.
    pub low: Component,
    /// Probability that a high-region path reaches the correct answer.
    pub high_correct: f64,
    /// Probability that a tail path reaches the correct answer.
    pub low_correct: f64,
}

impl Default for LlmLike {
    fn default() -> Self {
        Self {
            n_paths: 5000,
            n_answers: 5,
            high_fraction: 0.01,
            high: Component::LogNormal { mu: -3.0, sigma: 0.7 },
            low: Component::LogNormal { mu: -12.0, sigma: 2.0 },
            high_correct: 0.7,
            low_correct: 0.2,
        }
    }
}

impl LlmLike {
    /// Draws one question (answers that received no path are omitted).
    pub fn sample(&self, rng: &mut impl Rng) -> PathDistribution {
        let mut groups: Vec<(String, Vec<f64>)> = (0..self.n_answers).map(|i| (answer_name(i), Vec::new())).collect();
        for _ in 0..self.n_paths {
            let high = rng.random::<f64>() < self.high_fraction;
            let (comp, p_ok) = if high { (self.high, self.high_correct) } else { (self.low, self.low_correct) };
            let w = comp.draw(rng);
            let answer = if self.n_answers == 1 || rng.random::<f64>() < p_ok { 0 } else { 1 + rng.random_range(0..self.n_answers - 1) };
            groups[answer].1.push(w);
        }
        groups.retain(|(_, w)| !w.is_empty());
        PathDistribution::from_weights(&groups, Some("A")).expect("positive finite weights")
    }
}
