//! A retrained model against the committed one.
//!
//! On the machine that trained the committed model, retraining with the
//! same code and settings gives the same bits. On another CPU candle's
//! matrix kernels round differently, and 2,000 AdamW steps carry the
//! difference into every weight: the retrained model is another draw of
//! the same training, not the same numbers. What must agree is what the
//! training is for — its loss and the model's accuracy on the figures'
//! questions — within [`Tolerance`].

use super::enumerate::enumerate_paths;
use super::error::TinyError;
use super::portable::PortableModel;
use super::store::StoredModel;
use super::task::Question;
use serde::Serialize;

/// How far a retrained model may be from the committed one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Tolerance {
    /// Relative difference of the mean training loss over the last
    /// [`Tolerance::tail`] steps.
    pub loss: f64,
    /// Steps averaged at the end of the loss curve.
    pub tail: usize,
    /// Absolute difference of the mean (over the questions) exact accuracy
    /// `p(correct answer)`.
    pub accuracy: f64,
}

impl Default for Tolerance {
    /// 5% of the loss over the last 100 steps (batch-to-batch noise is a
    /// few percent), 0.05 of accuracy.
    fn default() -> Self {
        Self { loss: 0.05, tail: 100, accuracy: 0.05 }
    }
}

/// One question's exact accuracy under both models.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionAccuracy {
    /// `a+b+c`.
    pub question: String,
    /// Under the committed model.
    pub committed: f64,
    /// Under the retrained model.
    pub retrained: f64,
}

/// The comparison (every number exact for the two models at hand).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Largest `|Δ|` over all parameters (0: the same bits).
    pub max_weight_difference: f64,
    /// Mean loss over the last `tail` steps: committed, retrained.
    pub loss_tail: (f64, f64),
    /// Per question.
    pub accuracy: Vec<QuestionAccuracy>,
    /// Mean exact accuracy: committed, retrained.
    pub mean_accuracy: (f64, f64),
    /// The tolerance applied.
    pub tolerance: Tolerance,
    /// Whether both differences are within it.
    pub within: bool,
}

/// Exact accuracy (enumerated, floor `floor`, renormalised over the covered mass).
fn accuracy(model: &PortableModel, q: &Question, floor: f64, max_new_tokens: usize) -> Result<f64, TinyError> {
    let e = enumerate_paths(model, q, floor, max_new_tokens)?;
    Ok(e.correct_mass() / e.covered_mass)
}

/// Compares `retrained` with `committed` on `questions` (enumerated with
/// `floor` and `max_new_tokens`).
pub fn compare(
    committed: &StoredModel,
    retrained: &StoredModel,
    questions: &[Question],
    floor: f64,
    max_new_tokens: usize,
    tolerance: Tolerance,
) -> Result<Comparison, TinyError> {
    let (a, b) = (committed.model.parameters()?, retrained.model.parameters()?);
    if a.len() != b.len() || a.iter().zip(&b).any(|(x, y)| x.0 != y.0 || x.1.len() != y.1.len()) {
        return Err(TinyError::Parameters("the two models have different parameters".into()));
    }
    let max_weight_difference = a.iter().zip(&b).flat_map(|(x, y)| x.1.iter().zip(&y.1).map(|(u, v)| f64::from((u - v).abs()))).fold(0.0, f64::max);
    let accuracy = questions
        .iter()
        .map(|q| {
            Ok(QuestionAccuracy {
                question: q.id(),
                committed: accuracy(&committed.portable, q, floor, max_new_tokens)?,
                retrained: accuracy(&retrained.portable, q, floor, max_new_tokens)?,
            })
        })
        .collect::<Result<Vec<_>, TinyError>>()?;
    let k = accuracy.len().max(1) as f64;
    let mean_accuracy = (accuracy.iter().map(|r| r.committed).sum::<f64>() / k, accuracy.iter().map(|r| r.retrained).sum::<f64>() / k);
    let loss_tail = (committed.mean_loss_of_last(tolerance.tail), retrained.mean_loss_of_last(tolerance.tail));
    let within = (loss_tail.1 - loss_tail.0).abs() <= tolerance.loss * loss_tail.0 && (mean_accuracy.1 - mean_accuracy.0).abs() <= tolerance.accuracy;
    Ok(Comparison { max_weight_difference, loss_tail, accuracy, mean_accuracy, tolerance, within })
}
