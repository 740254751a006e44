//! # pathconf-figures
//!
//! Every figure of `pathconf reproduce`: panels, CSVs and summary text
//! ([`figures`]), drawn with plotters.
#![warn(missing_docs)]

pub mod figures;

// The modules the figures read, under their own names.
use pathconf_core::{
    accuracy, confidence, distribution, estimators, generation, generators, invalid, montecarlo, output, plan, progress, provenance, sample, seed, select,
    stopping, theory, weibull,
};
use pathconf_eval::{api, eval};
use pathconf_models::{tiny, validate};
