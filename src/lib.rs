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
//! This crate is the facade: every module of the workspace's crates under
//! one name, and the `pathconf` binary. The crates, lowest first (a crate
//! imports only those before it; DESIGN.md has the module map):
//!
//! | crate | modules |
//! |---|---|
//! | `pathconf-core` | distributions, estimators, theory, accuracy, Monte Carlo, Weibull/optimiser, stopping, plans, aggregators, verify, … |
//! | `pathconf-eval` | [`eval`] (formats, methods, metrics, protocol), [`api`] |
//! | `pathconf-models` | [`tiny`], [`llm`], [`validate`] (candle, tokenizers) |
//! | `pathconf-figures` | [`figures`] (plotters) |
//!
//! ## References
//! - Z. Zhou et al., NeurIPS 2025, arXiv:2510.15444 (earlier: arXiv:2502.00511).
#![warn(missing_docs)]

pub use pathconf_core::{
    accuracy, aggregate, combinatorics, confidence, distribution, estimators, extract, generation, generators, invalid, montecarlo, optim, options, output,
    plan, progress, provenance, sample, seed, select, spec, stopping, theory, verify, weibull,
};
pub use pathconf_core::{DistributionError, PathDistribution, Sample, SampledPath};
pub use pathconf_eval::{api, eval};
pub use pathconf_figures::figures;
pub use pathconf_models::{llm, tiny, validate};
