//! `pathconf eval`: SC, PPL, PC, RP(τ) and RPC on real sampled reasoning
//! paths, faithful to the authors' reference implementation
//! (github WNJXYK/RPC: `compute_sc.py`, `compute_perp.py`, `compute_rpc.py`,
//! `metrics.py`), with accuracy and calibration metrics.
//!
//! Pipeline: [`formats`] read a file into a [`Dataset`]; [`equivalence`]
//! decides which answers are the same; [`methods`] score one question's
//! sampled paths exactly as the reference does; [`metrics`] aggregates
//! calibration; [`protocol`] repeats all of it over random subsets of `K`
//! paths per question.

pub mod completed;
pub mod dataset;
pub mod equivalence;
mod error;
pub mod evaluation;
pub mod formats;
pub mod methods;
pub mod metrics;
pub mod online;
pub mod prefit;
pub mod protocol;
pub mod questions;
pub mod report;
pub mod requirements;
pub mod stopping;
pub mod synthetic;
pub mod text;

pub use dataset::{Dataset, RawPath, RawQuestion};
pub use error::EvalError;
pub use formats::ReadError;
pub use text::PathText;
