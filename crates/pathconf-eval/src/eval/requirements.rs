//! What each method needs on every path, checked before anything runs: the
//! first path lacking it is a usage error naming the method, the path and
//! the field as the file's format names it ([`super::formats::Format::field_name`]).

use super::dataset::{Part, RawPath};
use super::formats::PathField;
use super::methods::{Method, Needs, ProbMode};
use super::EvalError;

/// Every method but SC needs a per-path field ([`Method::needs`]): the
/// first method whose field a path lacks is a usage error naming the
/// method, the path and the missing field — never a silent fallback.
pub fn check_logprobs<'a>(ds: impl Into<Part<'a>>, methods: &[Method]) -> Result<(), EvalError> {
    let ds = ds.into();
    for method in methods {
        let who = method.name().to_lowercase();
        match method.needs() {
            None => {}
            Some(Needs::MeanLogprob) => require_logprobs(ds, &who, ProbMode::Mean)?,
            Some(need) => require_signal(ds, &who, need)?,
        }
    }
    Ok(())
}

/// `who` needs `need` on every path (not the log-probability: that is
/// [`require_logprobs`]).
pub fn require_signal<'a>(ds: impl Into<Part<'a>>, who: &str, need: Needs) -> Result<(), EvalError> {
    let ds = ds.into();
    let missing: fn(&RawPath) -> bool = match need {
        Needs::TokenConfidence => |p| p.signals.token_confidence.is_none(),
        Needs::SelfCertainty => |p| p.signals.self_certainty.is_none(),
        Needs::PTrue => |p| p.signals.p_true.is_none(),
        Needs::MeanLogprob => return require_logprobs(ds, who, ProbMode::Mean),
    };
    for (question, q) in ds.indexed() {
        if let Some(path) = q.paths.iter().position(missing) {
            let wanted = match need {
                Needs::TokenConfidence => PathField::TopLogprobs,
                Needs::SelfCertainty => PathField::SelfCertainty,
                _ => PathField::PTrue,
            };
            let field = ds.format.field_name(wanted, question, path);
            return Err(EvalError::MissingSignal { need, file: ds.file.to_path_buf(), method: who.to_string(), question, path, field });
        }
    }
    Ok(())
}

/// `who` (a method or rule) needs every path's mean log-probability
/// ([`ProbMode::Mean`]) or sequence log-probability ([`ProbMode::Sequence`]):
/// the first path without it is a usage error naming `who`, the path and the
/// missing field.
pub fn require_logprobs<'a>(ds: impl Into<Part<'a>>, who: &str, mode: ProbMode) -> Result<(), EvalError> {
    let ds = ds.into();
    for (question, q) in ds.indexed() {
        let missing = |p: &RawPath| match mode {
            ProbMode::Mean => p.mean_logprob.is_none(),
            ProbMode::Sequence => p.sum_logprob.is_none(),
        };
        if let Some(path) = q.paths.iter().position(missing) {
            let wanted = match mode {
                ProbMode::Mean => PathField::MeanLogprob,
                ProbMode::Sequence => PathField::SequenceLogprob,
            };
            let field = ds.format.field_name(wanted, question, path);
            let (kind, hint) = match mode {
                ProbMode::Mean => ("mean", "an answers-only file supports sc and the count-based stopping rules only"),
                ProbMode::Sequence => ("sequence", "use a file with token log-probabilities (JSONL logprobs or logprob_sum, OpenAI logprobs), or pc-gt"),
            };
            return Err(EvalError::MissingLogprobs { kind, hint, file: ds.file.to_path_buf(), method: who.to_string(), question, path, field });
        }
    }
    Ok(())
}
