//! Why an evaluation could not run: the file could not be read, a method
//! does not parse, an option is out of range, or a method needs a field
//! the file lacks.

use crate::eval::formats::ReadError;
use crate::eval::methods::{MethodError, Needs};
use std::path::PathBuf;
use thiserror::Error;

/// Why an evaluation could not run. Errors about the file name it; those
/// about a record name the question index and the field.
#[derive(Debug, Error)]
pub enum EvalError {
    /// The file could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A method name or parameter that does not parse.
    #[error(transparent)]
    Method(#[from] MethodError),
    /// An option out of range.
    #[error("{option} must be {requirement}")]
    BadOption {
        /// The option.
        option: &'static str,
        /// What it must be.
        requirement: &'static str,
    },
    /// A method needs a per-path signal the file does not carry.
    #[error("{file}: `{method}` needs {}, but question {question}, path {path} has none (field `{field}`); {}", .need.what(), .need.hint())]
    MissingSignal {
        /// What is missing.
        need: Needs,
        /// The file.
        file: PathBuf,
        /// The method.
        method: String,
        /// Index of the first question lacking it.
        question: usize,
        /// Index of the path within it.
        path: usize,
        /// The missing field, as the file's format names it.
        field: String,
    },
    /// No method was asked for.
    #[error("no methods given")]
    NoMethods,
    /// A method needs log-probabilities the file does not carry (an
    /// answers-only file supports SC only).
    #[error("{file}: `{method}` needs {kind} log-probabilities, but question {question}, path {path} has none (field `{field}`); {hint}")]
    MissingLogprobs {
        /// Which log-probabilities: `mean` (per token) or `sequence` (whole path).
        kind: &'static str,
        /// What works instead.
        hint: &'static str,
        /// The file.
        file: PathBuf,
        /// The method.
        method: String,
        /// Index of the first question lacking them.
        question: usize,
        /// Index of the path within it.
        path: usize,
        /// The missing field, as the file's format names it.
        field: String,
    },
}
