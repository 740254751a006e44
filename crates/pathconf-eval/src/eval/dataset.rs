//! The evaluator's input model: questions with a ground truth and sampled
//! paths carrying text, an answer and log-probabilities.

use crate::eval::formats::format::Format;
use std::path::PathBuf;

/// One sampled path as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct RawPath {
    /// The completion text (identity for de-duplication, with the probability).
    pub text: crate::eval::text::PathText,
    /// The extracted or given answer.
    pub answer: crate::eval::text::PathText,
    /// Mean token log-probability; `None` in answers-only files (APIs that
    /// return no log-probabilities), which support SC only.
    pub mean_logprob: Option<f64>,
    /// Sequence log-probability, when the file has it.
    pub sum_logprob: Option<f64>,
    /// Confidence signals beyond the log-probability, when the file has them.
    pub signals: PathSignals,
    /// Generated tokens, when the file says (`n_tokens`, or the length of
    /// `logprobs`): what a path costs (`plan --budget-tokens`).
    pub tokens: Option<u64>,
}

/// A path's optional confidence signals ([`crate::confidence`]), as read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PathSignals {
    /// DeepConf's token confidences `C_t` (from the file's top-k
    /// log-probabilities, or given as `token_confidence`).
    pub token_confidence: Option<Vec<f32>>,
    /// Self-certainty: mean over tokens of `KL(U ‖ p_t)`.
    pub self_certainty: Option<f64>,
    /// P(True): the model's probability that its own answer is right.
    pub p_true: Option<f64>,
}

/// DeepConf's `C_t` from one token's top log-probabilities as a file gives
/// them (any order, possibly more than `k`): the `k` =
/// [`crate::confidence::DEEPCONF_TOP_K`] largest are averaged. (vLLM's dict
/// may carry a 21st entry, the sampled token when it is not in the top 20;
/// DeepConf's own code then averages all 21 — pathconf keeps the top 20, as
/// the method's definition says.) Errors name the offending entry.
pub fn token_confidence_of(top: &mut [f64]) -> Result<f64, String> {
    if top.is_empty() {
        return Err("empty top log-probability list".into());
    }
    for (i, &x) in top.iter().enumerate() {
        check_logprob(x).map_err(|m| format!("entry {i}: {m}"))?;
    }
    top.sort_unstable_by(|a, b| b.total_cmp(a));
    let k = top.len().min(crate::confidence::DEEPCONF_TOP_K);
    Ok(crate::confidence::token_confidence(&top[..k]))
}

/// One question.
#[derive(Debug, Clone, PartialEq)]
pub struct RawQuestion {
    /// Identifier (the record's `id`, or its index).
    pub id: String,
    /// Ground-truth answer.
    pub truth: String,
    /// The sampled paths.
    pub paths: Vec<RawPath>,
}

/// A loaded file.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Where it came from.
    pub file: PathBuf,
    /// The questions, in file order.
    pub questions: Vec<RawQuestion>,
    /// The format it was read in (names fields in messages).
    pub format: Format,
}

impl RawPath {
    /// Whether the path has no answer ([`crate::invalid::is_invalid`]):
    /// extraction failed while reading, or the file or sampler recorded it so.
    pub fn is_invalid(&self) -> bool {
        crate::invalid::is_invalid(self.answer.as_str())
    }
}

impl From<&crate::generation::GeneratedPath> for RawPath {
    /// A generated path as the evaluator reads it: its answer (or
    /// `[invalid]`), mean and sum of log-probabilities, token count and
    /// recorded signals.
    fn from(g: &crate::generation::GeneratedPath) -> Self {
        RawPath {
            text: g.text.as_str().into(),
            answer: g.answer_or_invalid().into(),
            mean_logprob: Some(g.logprob_sum() / g.logprobs.len() as f64),
            sum_logprob: Some(g.logprob_sum()),
            signals: PathSignals {
                token_confidence: g.token_confidences().map(|c| c.into_iter().map(|x| x as f32).collect()),
                self_certainty: g.self_certainty(),
                p_true: None,
            },
            tokens: Some(g.logprobs.len() as u64),
        }
    }
}

impl RawQuestion {
    /// How many of its paths have no answer.
    pub fn invalid_paths(&self) -> usize {
        self.paths.iter().filter(|p| p.is_invalid()).count()
    }
}

/// Consecutive questions of one file, from question `first` on: a whole
/// loaded [`Dataset`], or one chunk of a file read a chunk at a time
/// ([`crate::eval::formats::chunks`]). Errors name questions by their index
/// in the file.
#[derive(Debug, Clone, Copy)]
pub struct Part<'a> {
    /// The file.
    pub file: &'a std::path::Path,
    /// Its format.
    pub format: Format,
    /// Index in the file of `questions[0]`.
    pub first: usize,
    /// The questions.
    pub questions: &'a [RawQuestion],
}

impl<'a> From<&'a Dataset> for Part<'a> {
    fn from(ds: &'a Dataset) -> Self {
        Part { file: &ds.file, format: ds.format, first: 0, questions: &ds.questions }
    }
}

impl Part<'_> {
    /// The questions with their indices in the file.
    pub fn indexed(&self) -> impl Iterator<Item = (usize, &RawQuestion)> + '_ {
        self.questions.iter().enumerate().map(|(i, q)| (self.first + i, q))
    }
}

impl Dataset {
    /// Paths without an answer, however they became so (extraction failed
    /// while reading, or the answer recorded is [`crate::extract::INVALID`]).
    pub fn invalid_answers(&self) -> usize {
        self.questions.iter().map(RawQuestion::invalid_paths).sum()
    }

    /// Questions with at least one path without an answer.
    pub fn questions_with_invalid(&self) -> usize {
        self.questions.iter().filter(|q| q.invalid_paths() > 0).count()
    }

    /// Copies every text and answer that is shared with the input file
    /// ([`crate::eval::PathText`]) into memory, so the dataset no longer
    /// holds the file open: for datasets that outlive the command that read
    /// them.
    pub fn detach(&mut self) {
        for p in self.questions.iter_mut().flat_map(|q| q.paths.iter_mut()) {
            for t in [&mut p.text, &mut p.answer] {
                if t.is_shared() {
                    *t = t.detached();
                }
            }
        }
    }
}

/// Checks a log-probability: finite and `≤ 0`.
pub fn check_logprob(value: f64) -> Result<(), String> {
    if value.is_nan() {
        Err("log-probability is NaN".into())
    } else if value > 0.0 {
        Err(format!("log-probability {value} is positive"))
    } else if !value.is_finite() {
        Err(format!("log-probability {value} is not finite"))
    } else {
        Ok(())
    }
}
