//! # pathconf-models
//!
//! The real models pathconf samples from, with candle: the small transformer
//! whose paths are enumerable ([`tiny`]), the SmolLM2 GGUF llama ([`llm`]),
//! and the validation of the theory on both ([`validate`]).
#![warn(missing_docs)]

pub mod llm;
pub mod rows;
pub mod tiny;
pub mod validate;

// The core's and the evaluator's modules under their own names.
use pathconf_core::{
    aggregate, confidence, distribution, estimators, extract, generation, invalid, montecarlo, output, plan, progress, provenance, sample, seed, select,
    stopping, theory, weibull,
};
use pathconf_eval::{api, eval};
