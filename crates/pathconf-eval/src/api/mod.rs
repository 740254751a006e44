//! The library's front door: one function per `pathconf` command, taking
//! plain options and returning the report that the CLI prints as a table and
//! serialises with `--json`. The CLI (`src/cli/`) and the Python bindings
//! (`python/`) both call these, so the two give the same numbers and the same
//! JSON fields; neither re-implements what a command computes.
//!
//! | command | here |
//! |---|---|
//! | `theory` | [`theory::terms`], [`theory::accuracy`], [`theory::population`] |
//! | `simulate` | [`simulate::simulate_spec`] |
//! | `budget` | [`budget::budget`] |
//! | `eval` | [`eval::EvalOptions`] → [`eval::EvalPlan`] → [`eval::EvalOutcome`] |
//! | `plan` | [`plan::plan`] |
//! | `verify` | [`verify`] |

pub mod budget;
pub mod eval;
pub mod plan;
pub mod simulate;
pub mod theory;

use thiserror::Error;

/// Why a command's options or inputs cannot be used. Input errors keep the
/// messages of their readers (file, record, field); option errors name the
/// option as the CLI spells it.
#[derive(Debug, Error)]
pub enum ApiError {
    /// A paths file, answers file or equality cache that could not be read.
    #[error(transparent)]
    Read(#[from] crate::eval::ReadError),
    /// An evaluation that could not run.
    #[error(transparent)]
    Eval(#[from] crate::eval::EvalError),
    /// A method name or its parameters.
    #[error(transparent)]
    Method(#[from] crate::eval::methods::MethodError),
    /// A spec or population file.
    #[error(transparent)]
    Spec(#[from] crate::spec::SpecError),
    /// Selection accuracy could not be computed.
    #[error(transparent)]
    Accuracy(#[from] crate::accuracy::AccuracyError),
    /// An option out of range or inconsistent with another.
    #[error("{0}")]
    Option(String),
}

/// Checks the options `theory` and `simulate` share.
pub fn check_spec_options(n: &[u64], tau: Option<f64>, temperature: Option<f64>) -> Result<(), ApiError> {
    if let Some(t) = tau {
        if !(0.0..=1.0).contains(&t) {
            return Err(ApiError::Option(format!("--tau {t} is outside [0, 1]")));
        }
    }
    if n.is_empty() {
        return Err(ApiError::Option("--n needs at least one sample size".into()));
    }
    if let Some(t) = temperature {
        if t.is_nan() || t <= 0.0 {
            return Err(ApiError::Option(format!("--temperature {t} must be positive (inf allowed: SC)")));
        }
    }
    Ok(())
}

/// `verify`: the claim-by-claim audit ([`crate::verify::run`]) with its
/// options checked.
pub fn verify(cfg: &crate::verify::VerifyConfig, observer: &dyn crate::progress::Observer) -> Result<Vec<crate::verify::ClaimReport>, ApiError> {
    if cfg.trials < 2 {
        return Err(ApiError::Option("--trials must be at least 2".into()));
    }
    Ok(crate::verify::run(cfg, observer))
}
