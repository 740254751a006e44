//! # pathconf-core
//!
//! The theory of sampling-based test-time scaling, executable: path
//! distributions, estimators, exact error terms and selection accuracy,
//! deterministic Monte Carlo, the Weibull-mixture fit behind RPC, stopping
//! rules and the paper's audit — after Zhou et al., *A Theoretical Study on
//! Bridging Internal Probability and Self-Consistency for LLM Reasoning*
//! (NeurIPS 2025).
//!
//! A question has a finite set of reasoning paths `t` with internal
//! probabilities `p_t` and answers `g(t)` ([`distribution::PathDistribution`]).
//! `n` paths are sampled i.i.d.; an estimator ([`estimators`]) turns them
//! into confidences `p̂(a)`. The reasoning error `R(a) = E[(p̂(a) − 1[a = y])²]`
//! splits into estimation error, model error and a cross term (paper,
//! Proposition 1); [`theory`] computes every term exactly, [`montecarlo`]
//! simulates them deterministically, and [`verify`] audits the paper's claims.
//!
//! This crate has no model, plotting, command-line or network code: it is
//! what every other pathconf crate builds on (`pathconf-eval` reads real
//! paths, `pathconf-models` runs the models, `pathconf-figures` draws).
//!
//! ## References
//! - Z. Zhou et al., NeurIPS 2025, arXiv:2510.15444 (earlier: arXiv:2502.00511).
#![warn(missing_docs)]

pub mod accuracy;
pub mod aggregate;
pub mod combinatorics;
pub mod confidence;
pub mod distribution;
pub mod elementary;
pub mod estimators;
pub mod extract;
pub mod generation;
pub mod generators;
pub mod invalid;
pub mod montecarlo;
pub mod optim;
pub mod options;
pub mod output;
pub mod plan;
pub mod progress;
pub mod provenance;
pub mod sample;
pub mod seed;
pub mod select;
pub mod spec;
pub mod stopping;
pub mod theory;
pub mod verify;
pub mod weibull;

pub use distribution::{DistributionError, PathDistribution};
pub use sample::{Sample, SampledPath};
