//! The paper's released column layout (see `tests/data/golden/README.md`):
//! `predict[i][j]` answer string, `completion[i][j]` path text,
//! `mean_logprob[i][j]` mean token log-probability, `answer[i]` ground truth.
//! `completion` and `mean_logprob` may be absent (answers-only files, e.g.
//! from APIs that return no log-probabilities): without `completion` every
//! path counts as distinct (`#path{j}`); without `mean_logprob` only SC runs.

use super::error::ReadError;
use super::format::Format;
use super::locate::json_error;
use super::record::answer_string;
use super::source::Source;
use crate::eval::dataset::{check_logprob, Dataset, RawPath, RawQuestion};
use crate::eval::text::PathText;
use crate::extract::INVALID;
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

/// The file's columns as parsed, before any check. Answers and completions
/// without escapes are borrowed from the text (see [`PathText`]).
#[derive(Deserialize)]
pub(crate) struct Columns<'a> {
    #[serde(borrow)]
    predict: Option<Vec<Vec<Option<Text<'a>>>>>,
    #[serde(borrow)]
    completion: Option<Vec<Vec<Text<'a>>>>,
    mean_logprob: Option<Vec<Vec<f64>>>,
    answer: Option<Vec<serde_json::Value>>,
    // The keys that make format detection prefer another format.
    paths: Option<IgnoredAny>,
    choices: Option<IgnoredAny>,
    response: Option<IgnoredAny>,
}

/// A JSON string, borrowed from the input when it has no escapes. (serde's
/// own `Cow<str>` always copies when nested in a `Vec`.)
pub(crate) struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(Visitor)
    }
}

impl<'a> Columns<'a> {
    /// Parses `text` as one JSON object (unknown keys ignored).
    pub(crate) fn parse(text: &'a str) -> serde_json::Result<Self> {
        serde_json::from_str(text)
    }

    /// Whether detection would call this object rpc-json without doubt: it
    /// has `predict` and none of the keys of the other formats.
    pub(crate) fn is_rpc_json(&self) -> bool {
        self.predict.is_some() && self.paths.is_none() && self.choices.is_none() && self.response.is_none()
    }
}

/// Parses the column layout, checking every shape and value (the texts are
/// copied out of `text`).
pub fn read_rpc_json(text: &str, file: &Path) -> Result<Dataset, ReadError> {
    let cols = Columns::parse(text).map_err(|e| json_error(file, text, &e, 0))?;
    check_columns(cols, file, None)
}

/// [`read_rpc_json`] on a whole input file, whose completions the dataset
/// then shares instead of copying.
pub(crate) fn read_shared(source: &Arc<Source>, file: &Path) -> Result<Dataset, ReadError> {
    let cols = Columns::parse(source).map_err(|e| json_error(file, source, &e, 0))?;
    check_columns(cols, file, Some(source))
}

/// Checks every shape and value of parsed columns and builds the dataset;
/// completions borrowed from `source` (the text `cols` was parsed from) are
/// shared with it.
pub(crate) fn check_columns(cols: Columns<'_>, file: &Path, source: Option<&Arc<Source>>) -> Result<Dataset, ReadError> {
    let missing = |field: &str| ReadError::File { file: file.to_path_buf(), message: format!("top-level field `{field}` is missing") };
    let predict = cols.predict.ok_or_else(|| missing("predict"))?;
    let answer = cols.answer.ok_or_else(|| missing("answer"))?;
    let n = predict.len();
    let (has_completion, has_logprob) = (cols.completion.is_some(), cols.mean_logprob.is_some());
    let completion: Vec<Option<Vec<Text<'_>>>> = match cols.completion {
        Some(c) => c.into_iter().map(Some).collect(),
        None => (0..n).map(|_| None).collect(),
    };
    let logprob: Vec<Option<Vec<f64>>> = match cols.mean_logprob {
        Some(l) => l.into_iter().map(Some).collect(),
        None => vec![None; n],
    };
    for (field, len, present) in
        [("completion", completion.len(), has_completion), ("mean_logprob", logprob.len(), has_logprob), ("answer", answer.len(), true)]
    {
        if present && len != n {
            return Err(ReadError::File { file: file.to_path_buf(), message: format!("field `{field}` has {len} questions but `predict` has {n}") });
        }
    }
    let rec = |question: usize, field: String, message: String| ReadError::Record { file: file.to_path_buf(), question, field, message };
    let mut questions = Vec::with_capacity(n);
    for (i, ((pred, comp), (lp, truth))) in predict.into_iter().zip(completion).zip(logprob.into_iter().zip(answer)).enumerate() {
        if pred.is_empty() {
            return Err(rec(i, format!("predict[{i}]"), "the question has no paths".into()));
        }
        if let Some(comp) = comp.as_ref().filter(|c| c.len() != pred.len()) {
            return Err(rec(i, format!("completion[{i}]"), format!("{} paths, but predict[{i}] has {}", comp.len(), pred.len())));
        }
        if let Some(lp) = lp.as_ref().filter(|l| l.len() != pred.len()) {
            return Err(rec(i, format!("mean_logprob[{i}]"), format!("{} paths, but predict[{i}] has {}", lp.len(), pred.len())));
        }
        let m = pred.len();
        let comp = comp.unwrap_or_else(|| (0..m).map(|j| Text(Cow::Owned(format!("#path{j}")))).collect());
        let lp: Vec<Option<f64>> = lp.map_or_else(|| vec![None; m], |l| l.into_iter().map(Some).collect());
        let truth = answer_string(&truth).ok_or_else(|| rec(i, format!("answer[{i}]"), format!("missing ground truth (found {truth})")))?;
        let mut paths = Vec::with_capacity(pred.len());
        for (j, ((p, c), l)) in pred.into_iter().zip(comp).zip(lp).enumerate() {
            if let Some(l) = l {
                check_logprob(l).map_err(|m| rec(i, format!("mean_logprob[{i}][{j}]"), m))?;
            }
            let answer = match p {
                Some(a) if !a.0.is_empty() => shared_or_owned(a, source),
                _ => PathText::from(INVALID),
            };
            let text = shared_or_owned(c, source);
            paths.push(RawPath { text, answer, mean_logprob: l, sum_logprob: None, signals: Default::default(), tokens: None });
        }
        questions.push(RawQuestion { id: i.to_string(), truth, paths });
    }
    Ok(Dataset { file: file.to_path_buf(), questions, format: Format::RpcJson })
}

/// A parsed string as a [`PathText`]: a range of `source` when the parser
/// borrowed it from there, owned otherwise.
fn shared_or_owned(s: Text<'_>, source: Option<&Arc<Source>>) -> PathText {
    match (s.0, source) {
        (Cow::Borrowed(s), Some(source)) => PathText::within(source, s),
        (s, _) => PathText::from(s.into_owned()),
    }
}
