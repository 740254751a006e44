//! The evaluation protocol: for each `K` and each of `R` repeats, every
//! question keeps a random subset of `K` of its paths (all of them, in file
//! order, when it has at most `K`), every method runs on the same subsets,
//! and accuracy and calibration are averaged over questions; mean ± standard
//! deviation (population, as `np.std`) over repeats, like the reference's 10
//! seeds. Subsets are drawn per question from `ChaCha8Rng` seeded with
//! `seed::derive(--seed, [tag, repeat, question])`, so they do not depend on
//! the thread count. The reference instead uses one Python shuffle shared by
//! all questions; both are uniform random subsets.

use super::dataset::{Dataset, Part};
use super::evaluation::Evaluation;
use super::methods::{run_methods, Method, Outcome, ProbMode};
use super::{EvalError, ReadError};
use crate::eval::equivalence::AnswerEquality;
use crate::invalid::InvalidPolicy;
use crate::progress::Observer;
use crate::weibull::FitMemo;
use rayon::prelude::*;

pub use super::report::{EvalConfig, EvalReport, FewestPaths, MeanStd, MethodResult, WqdSummary};
pub use super::requirements::{check_logprobs, require_logprobs, require_signal};
pub use crate::montecarlo::standard_error;

/// The per-question outcomes of every method on the full path sets (no
/// subsampling) — what the faithfulness tests compare with the reference.
/// `invalid`: one policy for every method, or `None` for each method's own.
pub fn outcomes_full<'a>(
    ds: impl Into<Part<'a>>,
    methods: &[Method],
    prob: ProbMode,
    equal: &AnswerEquality,
    invalid: Option<InvalidPolicy>,
) -> Result<Vec<Vec<Outcome>>, EvalError> {
    let ds = ds.into();
    check_logprobs(ds, methods)?;
    let policies: Vec<InvalidPolicy> = methods.iter().map(|m| invalid.unwrap_or_else(|| m.default_invalid())).collect();
    ds.questions
        .par_iter()
        .enumerate()
        .map(|(i, q)| {
            run_methods(q, (0..q.paths.len()).collect(), methods, &policies, equal, prob, None)
                .map_err(|message| EvalError::from(ReadError::Record { file: ds.file.to_path_buf(), question: ds.first + i, field: "paths".into(), message }))
        })
        .collect()
}

/// Runs the protocol. `observer` advances once per question per repeat.
pub fn evaluate(ds: &Dataset, cfg: &EvalConfig, observer: &dyn Observer) -> Result<EvalReport, EvalError> {
    evaluate_with_fits(ds, cfg, observer, &FitMemo::default())
}

/// [`evaluate`], with RPC's fits taken from `fits` where it holds them
/// (made ahead of time, e.g. by [`crate::eval::prefit`]); the report is the
/// same as without.
pub fn evaluate_with_fits(ds: &Dataset, cfg: &EvalConfig, observer: &dyn Observer, fits: &FitMemo) -> Result<EvalReport, EvalError> {
    let most = ds.questions.iter().map(|q| q.paths.len()).max().unwrap_or(0);
    let mut evaluation = Evaluation::new(cfg.clone(), fits, Some(most))?;
    evaluation.add(ds.into(), observer)?;
    Ok(evaluation.finish(&ds.file))
}
