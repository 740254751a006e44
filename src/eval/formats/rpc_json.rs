//! The paper's released column layout (see `shared/golden/README.md`):
//! `predict[i][j]` answer string, `completion[i][j]` path text,
//! `mean_logprob[i][j]` mean token log-probability, `answer[i]` ground truth.
//! `completion` and `mean_logprob` may be absent (answers-only files, e.g.
//! from APIs that return no log-probabilities): without `completion` every
//! path counts as distinct (`#path{j}`); without `mean_logprob` only SC runs.

use super::{answer_string, json_error};
use crate::eval::dataset::{check_logprob, Dataset, EvalError, RawPath, RawQuestion};
use crate::extract::INVALID;
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::path::Path;

/// The file's columns as parsed, before any check.
#[derive(Deserialize)]
pub(crate) struct Columns {
    predict: Option<Vec<Vec<Option<String>>>>,
    completion: Option<Vec<Vec<String>>>,
    mean_logprob: Option<Vec<Vec<f64>>>,
    answer: Option<Vec<serde_json::Value>>,
    // The keys that make format detection prefer another format.
    paths: Option<IgnoredAny>,
    choices: Option<IgnoredAny>,
    response: Option<IgnoredAny>,
}

impl Columns {
    /// Parses `text` as one JSON object (unknown keys ignored).
    pub(crate) fn parse(text: &str) -> serde_json::Result<Self> {
        serde_json::from_str(text)
    }

    /// Whether detection would call this object rpc-json without doubt: it
    /// has `predict` and none of the keys of the other formats.
    pub(crate) fn is_rpc_json(&self) -> bool {
        self.predict.is_some() && self.paths.is_none() && self.choices.is_none() && self.response.is_none()
    }
}

/// Parses the column layout, checking every shape and value.
pub fn read_rpc_json(text: &str, file: &Path) -> Result<Dataset, EvalError> {
    let cols = Columns::parse(text).map_err(|e| json_error(file, text, &e, 0))?;
    check_columns(cols, file)
}

/// Checks every shape and value of parsed columns and builds the dataset.
pub(crate) fn check_columns(cols: Columns, file: &Path) -> Result<Dataset, EvalError> {
    let missing = |field: &str| EvalError::File { file: file.to_path_buf(), message: format!("top-level field `{field}` is missing") };
    let predict = cols.predict.ok_or_else(|| missing("predict"))?;
    let answer = cols.answer.ok_or_else(|| missing("answer"))?;
    let n = predict.len();
    let (has_completion, has_logprob) = (cols.completion.is_some(), cols.mean_logprob.is_some());
    let completion: Vec<Option<Vec<String>>> = match cols.completion {
        Some(c) => c.into_iter().map(Some).collect(),
        None => vec![None; n],
    };
    let logprob: Vec<Option<Vec<f64>>> = match cols.mean_logprob {
        Some(l) => l.into_iter().map(Some).collect(),
        None => vec![None; n],
    };
    for (field, len, present) in
        [("completion", completion.len(), has_completion), ("mean_logprob", logprob.len(), has_logprob), ("answer", answer.len(), true)]
    {
        if present && len != n {
            return Err(EvalError::File { file: file.to_path_buf(), message: format!("field `{field}` has {len} questions but `predict` has {n}") });
        }
    }
    let rec = |question: usize, field: String, message: String| EvalError::Record { file: file.to_path_buf(), question, field, message };
    let mut questions = Vec::with_capacity(n);
    let mut invalid = 0;
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
        let comp = comp.unwrap_or_else(|| (0..m).map(|j| format!("#path{j}")).collect());
        let lp: Vec<Option<f64>> = lp.map_or_else(|| vec![None; m], |l| l.into_iter().map(Some).collect());
        let truth = answer_string(&truth).ok_or_else(|| rec(i, format!("answer[{i}]"), format!("missing ground truth (found {truth})")))?;
        let mut paths = Vec::with_capacity(pred.len());
        for (j, ((p, c), l)) in pred.into_iter().zip(comp).zip(lp).enumerate() {
            if let Some(l) = l {
                check_logprob(l).map_err(|m| rec(i, format!("mean_logprob[{i}][{j}]"), m))?;
            }
            let answer = match p {
                Some(a) if !a.is_empty() => a,
                _ => {
                    invalid += 1;
                    INVALID.to_string()
                }
            };
            paths.push(RawPath { text: c, answer, mean_logprob: l, sum_logprob: None, signals: Default::default() });
        }
        questions.push(RawQuestion { id: i.to_string(), truth, paths });
    }
    Ok(Dataset { file: file.to_path_buf(), questions, invalid_answers: invalid, format: super::Format::RpcJson })
}
