//! Why saving, loading or training the tiny model failed.

use std::path::PathBuf;
use thiserror::Error;

/// An error of the tiny model's storage or training.
#[derive(Debug, Error)]
pub enum TinyError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A JSON file (config, training settings) is malformed.
    #[error("{}: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        source: serde_json::Error,
    },
    /// The weights could not be saved or loaded.
    #[error("{}: {source}", path.display())]
    Weights {
        /// The safetensors file.
        path: PathBuf,
        /// What candle said.
        source: candle_core::Error,
    },
    /// A line of the stored loss curve is not `step,loss,lr`.
    #[error("{}: line {line}: expected step,loss,lr", path.display())]
    Curve {
        /// The `loss.csv` file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
    /// A sequence the model cannot take (a token outside the vocabulary,
    /// more positions than it has, an empty prompt).
    #[error("{0}")]
    Sequence(String),
    /// Weights that do not fit the model (a tensor missing, too many, two
    /// models of different shapes compared).
    #[error("{0}")]
    Parameters(String),
    /// Sampling settings out of range.
    #[error(transparent)]
    Generation(#[from] crate::generation::GenerationError),
    /// Too many prefixes above the enumeration's floor at one depth.
    #[error(
        "question {question}: more than {limit} prefixes above the floor {floor:e} at depth {depth} — the model is too uncertain to enumerate (train it longer or raise the floor)"
    )]
    TooUncertain {
        /// The question, `a+b+c`.
        question: String,
        /// The probability floor.
        floor: f64,
        /// The depth (tokens generated).
        depth: usize,
        /// Most unfinished prefixes allowed at one depth.
        limit: usize,
    },
    /// Building or training the model failed in candle.
    #[error(transparent)]
    Candle(#[from] candle_core::Error),
}
