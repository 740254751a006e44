//! Why a GGUF model or its tokenizer could not be used.

use std::path::PathBuf;
use thiserror::Error;

/// A problem with a GGUF file's metadata.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum GgufError {
    /// The file describes something pathconf does not run.
    #[error("{key} is {found:?}; only {supported} is supported")]
    Unsupported {
        /// The metadata key.
        key: &'static str,
        /// Its value.
        found: String,
        /// What would be accepted.
        supported: &'static str,
    },
    /// A required metadata key is absent.
    #[error("metadata key {key} is missing")]
    MissingKey {
        /// The key.
        key: String,
    },
    /// A metadata value has the wrong type.
    #[error("metadata key {key} is not {expected}")]
    BadValue {
        /// The key.
        key: String,
        /// The type it should have.
        expected: &'static str,
    },
    /// The `tokenizers` crate rejected the assembled tokenizer, or failed to
    /// encode or decode.
    #[error("tokenizer: {message}")]
    Tokenizer {
        /// Its message (the crate's errors are boxed trait objects).
        message: String,
    },
}

/// Why loading or running the GGUF llama failed.
#[derive(Debug, Error)]
pub enum LlmError {
    /// The file could not be opened.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is not GGUF.
    #[error("{}: not a GGUF file: {source}", path.display())]
    NotGguf {
        /// The file.
        path: PathBuf,
        /// What candle's reader said.
        source: Box<candle_core::Error>,
    },
    /// The metadata does not describe a supported model.
    #[error("{}: {source}", path.display())]
    Metadata {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: GgufError,
    },
    /// A weight tensor is missing or cannot be dequantised.
    #[error("{}: tensor {name}: {source}", path.display())]
    Tensor {
        /// The file.
        path: PathBuf,
        /// The tensor's name.
        name: String,
        /// What candle said.
        source: Box<candle_core::Error>,
    },
    /// A tensor operation failed.
    #[error(transparent)]
    Candle(Box<candle_core::Error>),
}

impl From<candle_core::Error> for LlmError {
    fn from(e: candle_core::Error) -> Self {
        LlmError::Candle(Box::new(e))
    }
}
