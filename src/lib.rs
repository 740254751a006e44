//! # pathconf
//!
//! Executable, checkable theory of sampling-based test-time scaling, after
//! Zhou et al., *A Theoretical Study on Bridging Internal Probability and
//! Self-Consistency for LLM Reasoning* (NeurIPS 2025).
//!
//! A question has a finite set of reasoning paths `t` with internal probabilities
//! `p_t` and answers `g(t)` ([`distribution::PathDistribution`]). `n` paths are
//! sampled i.i.d.; an estimator ([`estimators`]) turns them into confidences
//! `p̂(a)`. The reasoning error `R(a) = E[(p̂(a) − 1[a = y])²]` splits into
//! estimation error, model error and a cross term (paper, Proposition 1);
//! [`theory`] computes every term exactly, [`montecarlo`] simulates them
//! deterministically, and [`verify`] audits the paper's claims against
//! exhaustive enumeration and Monte Carlo. [`eval`] runs the estimators on real
//! sampled reasoning paths, faithful to the authors' reference implementation.
//!
//! ## References
//! - Z. Zhou et al., NeurIPS 2025, arXiv:2510.15444 (earlier: arXiv:2502.00511).
#![warn(missing_docs)]

pub mod accuracy;
pub mod aggregate;
pub mod api;
pub mod confidence;
pub mod distribution;
pub mod estimators;
pub mod eval;
pub mod extract;
pub mod figures;
pub mod generation;
pub mod generators;
pub mod invalid;
pub mod llm;
pub mod montecarlo;
pub mod optim;
pub mod output;
pub mod progress;
pub mod sample;
pub mod select;
pub mod spec;
pub mod stopping;
pub mod theory;
pub mod tiny;
pub mod validate;
pub mod verify;
pub mod weibull;

pub use distribution::{DistributionError, PathDistribution};
pub use sample::{Sample, SampledPath};
