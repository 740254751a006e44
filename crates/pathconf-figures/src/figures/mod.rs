//! The paper's figures, reproduced with theory overlaid (`sims/` binaries and
//! `pathconf reproduce`). Each figure writes a PNG, an SVG, the CSV behind it
//! and a markdown section; output is deterministic for a seed (CSV bytes do not
//! depend on the thread count).
//!
//! | figure | module |
//! |---|---|
//! | estimation error vs n, SC / PPL / PC / RPC | [`convergence`] |
//! | PC's degeneration when mass spreads over tiny paths; RP at τ*(n), RPC | [`degeneration`] |
//! | model error of PPL vs SC/PC over a population (Prop. 4) | [`model_error`] |
//! | accuracy and ECE vs n on a synthetic benchmark (the paper's Fig. 2) | [`accuracy`] |
//! | exact selection accuracy vs n: samples needed, Chen et al.'s non-monotone regimes | [`accuracy_exact`] |
//! | exact reasoning error vs τ, τ*(n), the Weibull rule; reliability diagrams | [`pruning`] |
//! | a trained transformer: sampled vs exact estimation error, accuracy, ECE | [`real_tiny`] |
//! | stopping rules: accuracy vs expected samples (exact, Monte Carlo, replay) | [`stopping`] |
//! | SmolLM2-135M paths (committed data): accuracy, ECE, error vs the pool, mass | [`real_llm`] |
//! | plans from a pilot: predicted SC accuracy (bands) vs replay on SmolLM2, the tiny model, a synthetic population | [`plan`] |
//! | CISC / DeepConf / self-certainty Borda: leaderboard (held-out tuning), CISC's temperature sweep in data and theory | [`aggregators`] |

pub mod accuracy;
pub mod accuracy_exact;
pub mod aggregators;
pub mod convergence;
pub mod degeneration;
pub mod model_error;
pub mod plan;
pub mod plot;
pub mod pruning;
pub mod real_llm;
pub mod real_tiny;
pub mod stopping;

use crate::output::write_atomic;
use crate::progress::Observer;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why a figure could not be written.
#[derive(Debug, Error)]
pub enum FigureError {
    /// Writing a file failed.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        error: std::io::Error,
    },
    /// Training, loading, sampling or enumerating the tiny model failed.
    #[error("tiny model: {0}")]
    Tiny(#[from] crate::tiny::TinyError),
    /// An enumerated distribution is not a valid path distribution.
    #[error("tiny model: {0}")]
    Distribution(#[from] crate::distribution::DistributionError),
    /// The committed real-model data could not be read or evaluated.
    #[error("real-model data: {0}")]
    Data(#[from] crate::eval::EvalError),
    /// The committed real-model data could not be read.
    #[error("real-model data: {0}")]
    Read(#[from] crate::eval::ReadError),
    /// A plan could not be made.
    #[error("plan: {0}")]
    Plan(#[from] crate::api::ApiError),
    /// A path of the committed data lacks what the pool analysis needs.
    #[error("real-model data: {}: {source}", file.display())]
    Pool {
        /// The data file.
        file: PathBuf,
        /// Which path.
        source: crate::validate::pool::MissingSequenceLogprob,
    },
    /// Drawing failed.
    #[error("drawing {path}: {message}")]
    Plot {
        /// The file.
        path: PathBuf,
        /// The backend's message.
        message: String,
    },
}

impl From<crate::validate::tiny::TinyValidationError> for FigureError {
    fn from(e: crate::validate::tiny::TinyValidationError) -> Self {
        match e {
            crate::validate::tiny::TinyValidationError::Tiny(e) => FigureError::Tiny(e),
            crate::validate::tiny::TinyValidationError::Distribution(e) => FigureError::Distribution(e),
        }
    }
}

/// Settings shared by all figures.
#[derive(Debug, Clone)]
pub struct FigureConfig {
    /// Output directory.
    pub out: PathBuf,
    /// Master seed.
    pub seed: u64,
    /// Smoke run: fewer trials and points.
    pub quick: bool,
}

/// What a figure produced.
#[derive(Debug, Clone)]
pub struct FigureOutput {
    /// Figure name (file stem).
    pub name: &'static str,
    /// Files written.
    pub files: Vec<PathBuf>,
    /// Markdown section for the summary.
    pub summary: String,
}

/// A CSV table built in memory and written atomically.
#[derive(Debug, Clone)]
pub struct Csv {
    header: Vec<&'static str>,
    rows: Vec<String>,
}

impl Csv {
    /// A table with these columns.
    pub fn new(header: &[&'static str]) -> Self {
        Self { header: header.to_vec(), rows: Vec::new() }
    }

    /// Adds a row (fields already formatted; see [`csv_float`]).
    pub fn row(&mut self, fields: Vec<String>) {
        assert_eq!(fields.len(), self.header.len(), "CSV row width");
        self.rows.push(fields.join(","));
    }

    /// Writes `dir/name.csv`.
    pub fn write(&self, dir: &Path, name: &str) -> Result<PathBuf, FigureError> {
        let path = dir.join(format!("{name}.csv"));
        let mut text = self.header.join(",");
        text.push('\n');
        for r in &self.rows {
            text.push_str(r);
            text.push('\n');
        }
        write_atomic(&path, text.as_bytes()).map_err(|error| FigureError::Io { path: path.clone(), error })?;
        Ok(path)
    }
}

/// A float for CSV: shortest round-trip representation (deterministic).
pub fn csv_float(x: f64) -> String {
    format!("{x:?}")
}

/// Runs every figure into `cfg.out`, then writes `summary.md`.
pub fn reproduce(cfg: &FigureConfig, observer: &dyn Observer) -> Result<Vec<FigureOutput>, FigureError> {
    std::fs::create_dir_all(&cfg.out).map_err(|error| FigureError::Io { path: cfg.out.clone(), error })?;
    let outputs = vec![
        convergence::run(cfg, observer)?,
        degeneration::run(cfg, observer)?,
        model_error::run(cfg, observer)?,
        accuracy::run(cfg, observer)?,
        accuracy_exact::run(cfg, observer)?,
        pruning::run(cfg, observer)?,
        real_tiny::run(cfg, observer)?,
        real_llm::run(cfg, observer)?,
        stopping::run(cfg, observer)?,
        aggregators::run(cfg, observer)?,
        plan::run(cfg, observer)?,
    ];
    let mut md = format!(
        "# pathconf figures\n\nSeed {}{}. Regenerate with `cargo run --release -- reproduce --seed {}{}`.\n\n",
        cfg.seed,
        if cfg.quick { ", quick mode (smoke run: fewer trials)" } else { "" },
        cfg.seed,
        if cfg.quick { " --quick" } else { "" }
    );
    for o in &outputs {
        md.push_str(&o.summary);
        md.push('\n');
    }
    let path = cfg.out.join("summary.md");
    write_atomic(&path, md.as_bytes()).map_err(|error| FigureError::Io { path, error })?;
    Ok(outputs)
}
