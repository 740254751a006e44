//! An "LLM-like" question: thousands to a million paths whose unnormalised
//! probabilities come from a two-component mixture — a heavy low-probability
//! tail (most paths, tiny weights) and a high-probability region (few paths,
//! large weights) concentrated on the correct answer — then normalised.

use super::answer_name;
use super::error::{at_least, probability, GeneratorError};
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

/// A [`Component`] with its distribution built (parameters checked).
enum Drawer {
    LogNormal(LogNormal<f64>),
    Weibull(Weibull<f64>),
}

impl Drawer {
    fn draw(&self, rng: &mut impl Rng) -> f64 {
        match self {
            Drawer::LogNormal(d) => d.sample(rng),
            Drawer::Weibull(d) => d.sample(rng),
        }
    }
}

impl Component {
    /// The component's distribution, or why its parameters are invalid.
    fn drawer(&self, which: &'static str) -> Result<Drawer, GeneratorError> {
        let bad = |value, requirement| GeneratorError::Real { generator: "LlmLike", name: which, value, requirement };
        match *self {
            // rand_distr accepts σ < 0 (as |σ|); the documented range is σ ≥ 0.
            Component::LogNormal { mu, .. } if !mu.is_finite() => Err(bad(mu, "a LogNormal with finite μ (μ shown)")),
            Component::LogNormal { sigma, .. } if !(sigma >= 0.0 && sigma.is_finite()) => Err(bad(sigma, "a LogNormal with finite σ ≥ 0 (σ shown)")),
            Component::LogNormal { mu, sigma } => {
                LogNormal::new(mu, sigma).map(Drawer::LogNormal).map_err(|_| bad(sigma, "a LogNormal with finite μ and σ ≥ 0 (σ shown)"))
            }
            Component::Weibull { shape, scale } => {
                Weibull::new(scale, shape).map(Drawer::Weibull).map_err(|_| bad(shape, "a Weibull with positive shape and scale (shape shown)"))
            }
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
    /// Checks every parameter: at least one path and one answer, fractions
    /// in `[0, 1]`, valid component distributions.
    pub fn check(&self) -> Result<(), GeneratorError> {
        self.drawers().map(|_| ())
    }

    fn drawers(&self) -> Result<(Drawer, Drawer), GeneratorError> {
        at_least("LlmLike", "n_paths", self.n_paths, 1)?;
        at_least("LlmLike", "n_answers", self.n_answers, 1)?;
        probability("LlmLike", "high_fraction", self.high_fraction)?;
        probability("LlmLike", "high_correct", self.high_correct)?;
        probability("LlmLike", "low_correct", self.low_correct)?;
        Ok((self.high.drawer("high")?, self.low.drawer("low")?))
    }

    /// Draws one question (answers that received no path are omitted),
    /// after [`LlmLike::check`].
    pub fn sample(&self, rng: &mut impl Rng) -> Result<PathDistribution, GeneratorError> {
        let (high_drawer, low_drawer) = self.drawers()?;
        let mut groups: Vec<(String, Vec<f64>)> = (0..self.n_answers).map(|i| (answer_name(i), Vec::new())).collect();
        for _ in 0..self.n_paths {
            let high = rng.random::<f64>() < self.high_fraction;
            let (comp, p_ok) = if high { (&high_drawer, self.high_correct) } else { (&low_drawer, self.low_correct) };
            let w = comp.draw(rng);
            let answer = if self.n_answers == 1 || rng.random::<f64>() < p_ok { 0 } else { 1 + rng.random_range(0..self.n_answers - 1) };
            groups[answer].1.push(w);
        }
        groups.retain(|(_, w)| !w.is_empty());
        // LogNormal and Weibull draws are positive and finite.
        Ok(PathDistribution::from_weights(&groups, Some("A")).expect("positive finite weights"))
    }
}
