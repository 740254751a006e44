//! # pathconf-eval
//!
//! The estimators and the field's aggregators on real sampled paths,
//! faithful to each method's reference code ([`eval`]: file formats, answer
//! equivalence, methods, metrics, the evaluation protocol, stopping-rule
//! replay), and the library's front door ([`api`]: one function per command,
//! shared by the `pathconf` binary and the Python bindings).
//!
//! Depends on `pathconf-core` only: no model, plotting or command-line code.
#![warn(missing_docs)]

pub mod api;
pub mod eval;

// The core's modules under their own names, so that `crate::stopping` and
// the like read the same here as in the core.
use pathconf_core::{
    accuracy, aggregate, confidence, distribution, estimators, extract, generation, invalid, montecarlo, plan, progress, provenance, sample, seed, select,
    spec, stopping, theory, verify, weibull,
};
