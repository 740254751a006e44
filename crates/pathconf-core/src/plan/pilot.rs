//! One question's pilot: its first `m` sampled answers, as labels.

use thiserror::Error;

/// A pilot that cannot be planned from.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum PilotError {
    /// No draw at all.
    #[error("the pilot has no draw")]
    Empty,
    /// A draw's label has no entry in `correct` / `invalid`.
    #[error("draw {draw} has label {label}, but only {labels} labels are described")]
    Label {
        /// Position of the draw.
        draw: usize,
        /// Its label.
        label: u32,
        /// How many labels `correct` and `invalid` describe.
        labels: usize,
    },
    /// `correct` and `invalid` describe different numbers of labels.
    #[error("{correct} labels have a correctness but {invalid} an invalid flag")]
    Lengths {
        /// `correct.len()`.
        correct: usize,
        /// `invalid.len()`.
        invalid: usize,
    },
    /// A label both correct and without an answer.
    #[error("label {0} is marked both correct and invalid")]
    CorrectInvalid(u32),
}

/// One question's pilot draws. Labels index `correct` and `invalid`; every
/// label equal to the truth is the *one* correct answer to the plan (answer
/// equivalence makes them one group in practice).
#[derive(Debug, Clone, PartialEq)]
pub struct Pilot {
    answers: Vec<u32>,
    correct: Vec<bool>,
    invalid: Vec<bool>,
}

impl Pilot {
    /// A pilot from its draws' labels (in sampling order) and, per label,
    /// whether it is correct and whether it is an invalid answer (no answer
    /// extracted). Several correct labels are merged into the first.
    ///
    /// ```
    /// use pathconf_core::plan::Pilot;
    /// let p = Pilot::new(vec![0, 1, 0], vec![true, false], vec![false, false]).unwrap();
    /// assert_eq!((p.draws(), p.correct_count(), p.wrong_blocks()), (3, 2, vec![1]));
    /// ```
    pub fn new(answers: Vec<u32>, correct: Vec<bool>, invalid: Vec<bool>) -> Result<Self, PilotError> {
        if answers.is_empty() {
            return Err(PilotError::Empty);
        }
        if correct.len() != invalid.len() {
            return Err(PilotError::Lengths { correct: correct.len(), invalid: invalid.len() });
        }
        if let Some((draw, &label)) = answers.iter().enumerate().find(|(_, &a)| a as usize >= correct.len()) {
            return Err(PilotError::Label { draw, label, labels: correct.len() });
        }
        if let Some(l) = (0..correct.len()).find(|&l| correct[l] && invalid[l]) {
            return Err(PilotError::CorrectInvalid(l as u32));
        }
        let mut answers = answers;
        let mut correct = correct;
        if let Some(first) = correct.iter().position(|&c| c) {
            for a in answers.iter_mut() {
                if correct[*a as usize] {
                    *a = first as u32;
                }
            }
            correct.iter_mut().enumerate().for_each(|(l, c)| *c = l == first);
        }
        Ok(Self { answers, correct, invalid })
    }

    /// The draws' labels, in sampling order.
    pub fn answers(&self) -> &[u32] {
        &self.answers
    }

    /// Per label, whether it is the correct answer.
    pub fn correct(&self) -> &[bool] {
        &self.correct
    }

    /// Per label, whether it is an invalid answer.
    pub fn invalid(&self) -> &[bool] {
        &self.invalid
    }

    /// Number of draws `m`.
    pub fn draws(&self) -> usize {
        self.answers.len()
    }

    /// Draws per label.
    pub fn counts(&self) -> Vec<usize> {
        let mut c = vec![0; self.correct.len()];
        self.answers.iter().for_each(|&a| c[a as usize] += 1);
        c
    }

    /// The correct answer's label, if a label is correct (it may have no draw).
    pub fn correct_label(&self) -> Option<u32> {
        self.correct.iter().position(|&c| c).map(|l| l as u32)
    }

    /// Draws of the correct answer.
    pub fn correct_count(&self) -> usize {
        self.correct_label().map_or(0, |y| self.answers.iter().filter(|&&a| a == y).count())
    }

    /// The draws of each wrong answer drawn at least once (invalid included),
    /// in label order — the partition the wrong answers' process is fitted to.
    pub fn wrong_blocks(&self) -> Vec<usize> {
        self.counts().into_iter().zip(&self.correct).filter(|&(c, &ok)| c > 0 && !ok).map(|(c, _)| c).collect()
    }
}
