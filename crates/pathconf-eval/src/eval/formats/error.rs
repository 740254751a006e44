//! Why a file could not be read: every variant names the file; record-level
//! problems name the question index and the field.

use std::path::PathBuf;
use thiserror::Error;

/// Why a file could not be read.
#[derive(Debug, Error)]
pub enum ReadError {
    /// The file could not be read.
    #[error("{file}: cannot read: {error}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// Malformed JSON.
    #[error("{file}: malformed JSON{location}: {message}")]
    Json {
        /// The file.
        file: PathBuf,
        /// Where (line, column, question, field) — already formatted.
        location: String,
        /// The parser's message.
        message: String,
    },
    /// A record or field is missing, ragged, empty or out of range.
    #[error("{file}: question {question}, field `{field}`: {message}")]
    Record {
        /// The file.
        file: PathBuf,
        /// Index of the question (0-based).
        question: usize,
        /// The field (JSON path within the record).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A file-level problem (unknown format, top-level field missing).
    #[error("{file}: {message}")]
    File {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
}
