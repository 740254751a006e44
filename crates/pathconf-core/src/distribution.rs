//! A validated path distribution `p(t | x)` for one question.
//!
//! Paths are stored grouped by answer, in the order the answers were given;
//! within an answer, paths keep their given order, so "path `j` of answer `a`"
//! is stable. The answer mass is `p_a = Σ_{t: g(t) = a} p_t`.

use thiserror::Error;

/// Tolerance on `Σ_t p_t = 1` (absolute).
pub const TOTAL_TOLERANCE: f64 = 1e-9;

/// Why a path distribution was rejected.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum DistributionError {
    /// No answers at all.
    #[error("the distribution has no answers")]
    NoAnswers,
    /// An answer string is empty.
    #[error("answer #{index} has an empty name")]
    EmptyAnswer {
        /// Position of the answer.
        index: usize,
    },
    /// The same answer appears twice.
    #[error("answer {answer:?} appears more than once")]
    DuplicateAnswer {
        /// The repeated answer.
        answer: String,
    },
    /// An answer lists no paths.
    #[error("answer {answer:?} has no paths")]
    NoPaths {
        /// The answer.
        answer: String,
    },
    /// A probability is NaN or infinite.
    #[error("answer {answer:?}, path {path}: probability {value} is not a finite number")]
    NotFinite {
        /// The answer.
        answer: String,
        /// Index of the path within the answer.
        path: usize,
        /// The offending value.
        value: f64,
    },
    /// A probability is negative.
    #[error("answer {answer:?}, path {path}: probability {value} is negative")]
    Negative {
        /// The answer.
        answer: String,
        /// Index of the path within the answer.
        path: usize,
        /// The offending value.
        value: f64,
    },
    /// The probabilities do not sum to one.
    #[error("path probabilities sum to {total}, not 1 (tolerance {TOTAL_TOLERANCE:e})")]
    TotalNotOne {
        /// The observed total.
        total: f64,
    },
}

/// One reasoning path: its internal probability and the index of its answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Path {
    /// Internal probability `p_t`.
    pub prob: f64,
    /// Index of the answer `g(t)` in [`PathDistribution::answers`].
    pub answer: usize,
}

/// A question's validated path distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct PathDistribution {
    answers: Vec<String>,
    paths: Vec<Path>,
    /// `ranges[a]` = indices in `paths` of answer `a`'s paths.
    starts: Vec<usize>,
    mass: Vec<f64>,
    correct: Option<usize>,
    correct_name: Option<String>,
}

impl PathDistribution {
    /// Builds a distribution from `(answer, path probabilities)` groups and the
    /// correct answer (which need not be among the answers: then every answer
    /// is wrong). Rejects NaN, infinite and negative probabilities, empty or
    /// repeated answers, answers without paths, and totals not within
    /// [`TOTAL_TOLERANCE`] of one.
    ///
    /// ```
    /// use pathconf_core::{PathDistribution, DistributionError};
    /// let d = PathDistribution::new(&[("A", vec![0.2, 0.1]), ("B", vec![0.3]), ("C", vec![0.4])], Some("A")).unwrap();
    /// assert!((d.answer_mass(0) - 0.3).abs() < 1e-15);
    /// assert_eq!(d.correct(), Some(0));
    /// let bad = PathDistribution::new(&[("A", vec![0.5]), ("B", vec![0.4])], None);
    /// assert!(matches!(bad, Err(DistributionError::TotalNotOne { .. })));
    /// ```
    pub fn new<S: AsRef<str>>(groups: &[(S, Vec<f64>)], correct: Option<&str>) -> Result<Self, DistributionError> {
        if groups.is_empty() {
            return Err(DistributionError::NoAnswers);
        }
        let mut answers = Vec::with_capacity(groups.len());
        let mut paths = Vec::new();
        let mut starts = Vec::with_capacity(groups.len() + 1);
        let mut mass = Vec::with_capacity(groups.len());
        for (index, (name, probs)) in groups.iter().enumerate() {
            let name = name.as_ref();
            if name.is_empty() {
                return Err(DistributionError::EmptyAnswer { index });
            }
            if answers.iter().any(|a: &String| a == name) {
                return Err(DistributionError::DuplicateAnswer { answer: name.to_string() });
            }
            if probs.is_empty() {
                return Err(DistributionError::NoPaths { answer: name.to_string() });
            }
            starts.push(paths.len());
            for (path, &value) in probs.iter().enumerate() {
                if !value.is_finite() {
                    return Err(DistributionError::NotFinite { answer: name.to_string(), path, value });
                }
                if value < 0.0 {
                    return Err(DistributionError::Negative { answer: name.to_string(), path, value });
                }
                paths.push(Path { prob: value, answer: index });
            }
            mass.push(probs.iter().sum());
            answers.push(name.to_string());
        }
        starts.push(paths.len());
        let total: f64 = mass.iter().sum();
        if (total - 1.0).abs() > TOTAL_TOLERANCE {
            return Err(DistributionError::TotalNotOne { total });
        }
        let correct_index = correct.and_then(|c| answers.iter().position(|a| a == c));
        Ok(Self { answers, paths, starts, mass, correct: correct_index, correct_name: correct.map(str::to_string) })
    }

    /// Builds a distribution from unnormalised non-negative weights, dividing
    /// by their total (used by the generators).
    pub fn from_weights<S: AsRef<str>>(groups: &[(S, Vec<f64>)], correct: Option<&str>) -> Result<Self, DistributionError> {
        let total: f64 = groups.iter().flat_map(|(_, w)| w.iter()).sum();
        if !(total.is_finite() && total > 0.0) {
            return Err(DistributionError::TotalNotOne { total });
        }
        let scaled: Vec<(&str, Vec<f64>)> = groups.iter().map(|(a, w)| (a.as_ref(), w.iter().map(|x| x / total).collect())).collect();
        Self::new(&scaled, correct)
    }

    /// The answers, in order.
    pub fn answers(&self) -> &[String] {
        &self.answers
    }

    /// Number of answers.
    pub fn n_answers(&self) -> usize {
        self.answers.len()
    }

    /// All paths, grouped by answer.
    pub fn paths(&self) -> &[Path] {
        &self.paths
    }

    /// The paths of answer `a`.
    pub fn paths_of(&self, a: usize) -> &[Path] {
        &self.paths[self.starts[a]..self.starts[a + 1]]
    }

    /// The probabilities of answer `a`'s paths.
    pub fn probs_of(&self, a: usize) -> Vec<f64> {
        self.paths_of(a).iter().map(|p| p.prob).collect()
    }

    /// Global index (into [`Self::paths`]) of path `j` of answer `a`.
    pub fn path_index(&self, a: usize, j: usize) -> usize {
        self.starts[a] + j
    }

    /// Every answer's mass `p_a`, in answer order.
    pub fn answer_masses(&self) -> &[f64] {
        &self.mass
    }

    /// Answer mass `p_a`.
    pub fn answer_mass(&self, a: usize) -> f64 {
        self.mass[a]
    }

    /// Index of the correct answer, if it is among the answers.
    pub fn correct(&self) -> Option<usize> {
        self.correct
    }

    /// The correct answer as given (possibly not among the answers).
    pub fn correct_name(&self) -> Option<&str> {
        self.correct_name.as_deref()
    }

    /// `1[a = y]` as a number.
    pub fn indicator(&self, a: usize) -> f64 {
        if self.correct == Some(a) {
            1.0
        } else {
            0.0
        }
    }

    /// Index of an answer by name.
    pub fn answer_index(&self, name: &str) -> Option<usize> {
        self.answers.iter().position(|a| a == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_input_with_reasons() {
        let ok = PathDistribution::new(&[("A", vec![0.5, 0.2]), ("B", vec![0.3])], Some("A")).unwrap();
        assert_eq!(ok.answer_mass(0), 0.7);
        assert_eq!(ok.path_index(1, 0), 2);
        assert!(matches!(PathDistribution::new(&[("A", vec![f64::NAN, 1.0])], None), Err(DistributionError::NotFinite { path: 0, .. })));
        assert!(matches!(PathDistribution::new(&[("A", vec![1.2, -0.2])], None), Err(DistributionError::Negative { path: 1, .. })));
        assert!(matches!(PathDistribution::new(&[("", vec![1.0])], None), Err(DistributionError::EmptyAnswer { index: 0 })));
        assert!(matches!(PathDistribution::new(&[("A", vec![0.5]), ("A", vec![0.5])], None), Err(DistributionError::DuplicateAnswer { .. })));
        assert!(matches!(PathDistribution::new(&[("A", vec![0.5]), ("B", vec![0.4])], None), Err(DistributionError::TotalNotOne { .. })));
        assert!(matches!(PathDistribution::new(&[("A", vec![1.0]), ("B", vec![])], None), Err(DistributionError::NoPaths { .. })));
        let empty: [(&str, Vec<f64>); 0] = [];
        assert!(matches!(PathDistribution::new(&empty, None), Err(DistributionError::NoAnswers)));
    }
}
