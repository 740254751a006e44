//! Dirichlet answer weights with Dirichlet or Zipf splits over paths.
//!
//! `(p_A, …) ~ Dirichlet(α_answers)`; each answer's mass is split over
//! `paths_per_answer` paths either by `Dirichlet(α_paths)` or by Zipf weights
//! `∝ 1 / j^s`, `j = 1..k`.

use super::error::{at_least, positive, GeneratorError};
use super::{answer_name, symmetric_dirichlet};
use crate::distribution::PathDistribution;
use rand::Rng;

/// How an answer's mass is split over its paths.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Split {
    /// Symmetric Dirichlet with concentration `alpha`.
    Dirichlet {
        /// Concentration (small: uneven splits).
        alpha: f64,
    },
    /// Zipf weights `1/j^exponent`.
    Zipf {
        /// Exponent `s ≥ 0` (0: equal paths).
        exponent: f64,
    },
}

impl Split {
    /// Splits `mass` over `k` paths.
    pub fn split(&self, mass: f64, k: usize, rng: &mut impl Rng) -> Vec<f64> {
        match *self {
            Split::Dirichlet { alpha } => symmetric_dirichlet(alpha, k, rng).into_iter().map(|w| w * mass).collect(),
            Split::Zipf { exponent } => {
                let w: Vec<f64> = (1..=k).map(|j| (j as f64).powf(-exponent)).collect();
                let s: f64 = w.iter().sum();
                w.into_iter().map(|x| mass * x / s).collect()
            }
        }
    }
}

/// Random questions with Dirichlet answer weights (answer `A` correct).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DirichletPaths {
    /// Number of answers (≥ 1).
    pub n_answers: usize,
    /// Concentration of the answer weights.
    pub answer_alpha: f64,
    /// Paths per answer (≥ 1).
    pub paths_per_answer: usize,
    /// How each answer's mass is split.
    pub split: Split,
}

impl Split {
    /// Checks the split's parameter.
    pub fn check(&self, generator: &'static str) -> Result<(), GeneratorError> {
        match *self {
            Split::Dirichlet { alpha } => positive(generator, "split alpha", alpha),
            Split::Zipf { exponent } if exponent >= 0.0 && exponent.is_finite() => Ok(()),
            Split::Zipf { exponent } => Err(GeneratorError::Real { generator, name: "split exponent", value: exponent, requirement: "finite and ≥ 0" }),
        }
    }
}

impl DirichletPaths {
    /// Checks every parameter.
    pub fn check(&self) -> Result<(), GeneratorError> {
        at_least("DirichletPaths", "n_answers", self.n_answers, 1)?;
        at_least("DirichletPaths", "paths_per_answer", self.paths_per_answer, 1)?;
        positive("DirichletPaths", "answer_alpha", self.answer_alpha)?;
        self.split.check("DirichletPaths")
    }

    /// Draws one question, after [`DirichletPaths::check`].
    pub fn sample(&self, rng: &mut impl Rng) -> Result<PathDistribution, GeneratorError> {
        self.check()?;
        let masses = symmetric_dirichlet(self.answer_alpha, self.n_answers, rng);
        let groups: Vec<(String, Vec<f64>)> =
            masses.iter().enumerate().map(|(i, &m)| (answer_name(i), self.split.split(m, self.paths_per_answer, rng))).collect();
        // Normalised Gamma draws and Zipf weights are positive and finite.
        Ok(PathDistribution::from_weights(&groups, Some("A")).expect("positive finite weights"))
    }
}
