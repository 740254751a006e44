//! A benchmark-like population of questions. Question difficulty
//! `d ~ Beta(a, b)`; the correct answer `A` gets mass `1 − d`, the wrong
//! answers share `d` by a symmetric Dirichlet, and each answer's mass is split
//! over its paths by a [`Split`].

use super::error::{at_least, positive, GeneratorError};
use super::{answer_name, symmetric_dirichlet, Split};
use crate::distribution::PathDistribution;
use rand::Rng;
use rand_distr::{Beta, Distribution};

/// Parameters of a question population.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Population {
    /// Number of questions.
    pub n_questions: usize,
    /// Beta shape `a` of the difficulty.
    pub difficulty_a: f64,
    /// Beta shape `b` of the difficulty.
    pub difficulty_b: f64,
    /// Wrong answers per question (≥ 1).
    pub wrong_answers: usize,
    /// Concentration of the wrong answers' share.
    pub wrong_alpha: f64,
    /// Paths per answer.
    pub paths_per_answer: usize,
    /// Split of each answer's mass over its paths.
    pub split: Split,
}

impl Default for Population {
    fn default() -> Self {
        Self {
            n_questions: 300,
            difficulty_a: 2.0,
            difficulty_b: 2.0,
            wrong_answers: 4,
            wrong_alpha: 0.5,
            paths_per_answer: 8,
            split: Split::Zipf { exponent: 1.0 },
        }
    }
}

impl Population {
    /// Checks every parameter.
    pub fn check(&self) -> Result<(), GeneratorError> {
        positive("Population", "difficulty_a", self.difficulty_a)?;
        positive("Population", "difficulty_b", self.difficulty_b)?;
        at_least("Population", "wrong_answers", self.wrong_answers, 1)?;
        positive("Population", "wrong_alpha", self.wrong_alpha)?;
        at_least("Population", "paths_per_answer", self.paths_per_answer, 1)?;
        self.split.check("Population")
    }

    /// Draws the questions, after [`Population::check`].
    pub fn sample(&self, rng: &mut impl Rng) -> Result<Vec<PathDistribution>, GeneratorError> {
        self.check()?;
        let beta = Beta::new(self.difficulty_a, self.difficulty_b).expect("shapes checked positive");
        let questions = (0..self.n_questions)
            .map(|_| {
                let d: f64 = beta.sample(rng);
                let wrong = symmetric_dirichlet(self.wrong_alpha, self.wrong_answers, rng);
                let mut groups = vec![(answer_name(0), self.split.split(1.0 - d, self.paths_per_answer, rng))];
                for (i, w) in wrong.iter().enumerate() {
                    groups.push((answer_name(i + 1), self.split.split(d * w, self.paths_per_answer, rng)));
                }
                PathDistribution::from_weights(&groups, Some("A")).expect("positive finite weights")
            })
            .collect();
        Ok(questions)
    }
}
