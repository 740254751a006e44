//! Real-model validation: what sampling a real model measures, against the
//! exact theory of its path distribution.
//!
//! - [`tiny`]: pathconf's trained transformer, whose paths are enumerable —
//!   sampled estimation errors against their exact values;
//! - [`pool`]: the committed SmolLM2 paths — SC's and PC's error relative to
//!   each question's finite pool, measured on random subsets against the
//!   exact finite-pool values;
//! - [`plan`]: `pathconf plan`'s predictions from a pilot against replay on
//!   the completed files (SmolLM2, the tiny model, a synthetic population).
//!
//! Both use the one agreement test ([`crate::montecarlo::agreement`]). The
//! figures (`figures::real_tiny`, `figures::real_llm`) only draw what these
//! return.

pub mod plan;
pub mod pool;
pub mod tiny;
pub mod tiny_signals;
