//! Deterministic parallel Monte Carlo of the estimators' error terms.
//!
//! Trials are cut into fixed-size batches; batch `b` draws from its own
//! `ChaCha8Rng` seeded with `seed::derive(master seed, [b])`, paths are drawn with an alias table
//! (`rand_distr::weighted::WeightedAliasIndex`), and batch results are merged
//! in batch order. Results are therefore bit-identical for any number of
//! threads.

pub mod agreement;
mod engine;
pub mod selection;
mod stats;

pub use engine::{
    in_batches, simulate, simulate_against, simulate_estimators, AnswerSim, EstimatorSims, PathSim, SimConfig, SimConfigError, SimResult, SimTerms, BATCH_SIZE,
};
pub use selection::{simulate_selection, SelectionEstimate};
pub use stats::{quantile, standard_error, z_two_sided, Estimate, RunningStats};
