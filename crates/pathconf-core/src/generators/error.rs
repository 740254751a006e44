//! Generator parameters out of range.

use thiserror::Error;

/// A generator parameter out of range; generators check all parameters
/// before drawing anything.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum GeneratorError {
    /// A real parameter out of range.
    #[error("{generator}: {name} = {value} must be {requirement}")]
    Real {
        /// The generator.
        generator: &'static str,
        /// The parameter.
        name: &'static str,
        /// Its value.
        value: f64,
        /// The range it must lie in.
        requirement: &'static str,
    },
    /// A count below its minimum.
    #[error("{generator}: {name} = {value} must be at least {min}")]
    Count {
        /// The generator.
        generator: &'static str,
        /// The parameter.
        name: &'static str,
        /// Its value.
        value: usize,
        /// The smallest allowed value.
        min: usize,
    },
}

/// `Ok` if `value > 0` and finite.
pub(super) fn positive(generator: &'static str, name: &'static str, value: f64) -> Result<(), GeneratorError> {
    if value > 0.0 && value.is_finite() {
        Ok(())
    } else {
        Err(GeneratorError::Real { generator, name, value, requirement: "positive and finite" })
    }
}

/// `Ok` if `value ∈ [0, 1]`.
pub(super) fn probability(generator: &'static str, name: &'static str, value: f64) -> Result<(), GeneratorError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(GeneratorError::Real { generator, name, value, requirement: "in [0, 1]" })
    }
}

/// `Ok` if `value ≥ min`.
pub(super) fn at_least(generator: &'static str, name: &'static str, value: usize, min: usize) -> Result<(), GeneratorError> {
    if value >= min {
        Ok(())
    } else {
        Err(GeneratorError::Count { generator, name, value, min })
    }
}
