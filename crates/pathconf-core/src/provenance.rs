//! How a number was obtained — what every number pathconf prints says, one
//! type for all of them.

use serde::Serialize;

/// How a value was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// A closed form or an exact programme (dropped terms bounded below 1e-13).
    Exact,
    /// Exhaustive enumeration of the outcomes.
    Enumeration,
    /// Monte Carlo, with its interval.
    MonteCarlo,
    /// Measured on data (or fixed by it), with its standard error.
    Measured,
    /// Predicted by a model (a plan), with its interval.
    Predicted,
}

impl Provenance {
    /// The snake_case label (what JSON carries).
    pub fn label(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Enumeration => "enumeration",
            Self::MonteCarlo => "monte_carlo",
            Self::Measured => "measured",
            Self::Predicted => "predicted",
        }
    }
}

impl std::fmt::Display for Provenance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_label_is_what_json_carries() {
        for p in [Provenance::Exact, Provenance::Enumeration, Provenance::MonteCarlo, Provenance::Measured, Provenance::Predicted] {
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{}\"", p.label()));
            assert_eq!(p.to_string(), p.label());
        }
    }
}
