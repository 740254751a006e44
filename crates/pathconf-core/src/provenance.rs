//! How a number was obtained — what every number pathconf prints says, one
//! type for all of them — and the one interval type those numbers carry
//! (Monte Carlo's 95% intervals, a plan's predictive intervals).

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

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

/// A closed interval `[low, high]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

impl Interval {
    /// `[low, high]`.
    pub fn new(low: f64, high: f64) -> Self {
        Self { low, high }
    }

    /// `mean ± half`.
    pub fn around(mean: f64, half: f64) -> Self {
        Self { low: mean - half, high: mean + half }
    }

    /// A single point.
    pub fn point(x: f64) -> Self {
        Self { low: x, high: x }
    }

    /// Whether `x` lies in it, ends included.
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }

    /// Whether `x` lies in it widened by `tol` at both ends (rounding).
    pub fn contains_within(&self, x: f64, tol: f64) -> bool {
        self.low - tol <= x && x <= self.high + tol
    }

    /// `high − low`.
    pub fn width(&self) -> f64 {
        self.high - self.low
    }

    /// Both ends clamped to `[lo, hi]` (a probability's interval to `[0, 1]`;
    /// for an interval around a mean inside `[lo, hi]` only `low` can fall
    /// below `lo` and only `high` rise above `hi`).
    pub fn clamp(self, lo: f64, hi: f64) -> Self {
        Self { low: self.low.clamp(lo, hi), high: self.high.clamp(lo, hi) }
    }
}

/// An interval, or none, as a report's two flat fields.
pub trait FlatInterval {
    /// The ends, if any.
    fn ends(&self) -> Option<Interval>;
}

impl FlatInterval for Interval {
    fn ends(&self) -> Option<Interval> {
        Some(*self)
    }
}

impl FlatInterval for Option<Interval> {
    fn ends(&self) -> Option<Interval> {
        *self
    }
}

/// Writes an interval (or none: two nulls) as the two fields `low` and
/// `high` of the report it is flattened into, so reports keep their flat
/// JSON (`ci_low`, `ci_high`) while the code holds one [`Interval`].
pub fn serialize_flat<S: Serializer>(value: &impl FlatInterval, low: &'static str, high: &'static str, s: S) -> Result<S::Ok, S::Error> {
    let ends = value.ends();
    let mut map = s.serialize_map(Some(2))?;
    map.serialize_entry(low, &ends.map(|i| i.low))?;
    map.serialize_entry(high, &ends.map(|i| i.high))?;
    map.end()
}

/// The `with` modules of the flat field pairs reports use:
/// `#[serde(flatten, with = "crate::provenance::flat::ci")]`.
pub mod flat {
    macro_rules! pair {
        ($name:ident, $low:literal, $high:literal) => {
            #[doc = concat!("As `", $low, "` and `", $high, "`.")]
            pub mod $name {
                /// Serialises the pair.
                pub fn serialize<S: serde::Serializer>(value: &impl super::super::FlatInterval, s: S) -> Result<S::Ok, S::Error> {
                    super::super::serialize_flat(value, $low, $high, s)
                }
            }
        };
    }
    pair!(ci, "ci_low", "ci_high");
    pair!(samples_ci, "samples_ci_low", "samples_ci_high");
    pair!(accuracy, "accuracy_low", "accuracy_high");
    pair!(samples, "samples_low", "samples_high");
    pair!(plain, "low", "high");
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

    #[test]
    fn an_interval_flattens_into_its_reports_two_fields() {
        #[derive(Serialize)]
        struct Row {
            mean: f64,
            #[serde(flatten, with = "flat::ci")]
            ci: Option<Interval>,
            #[serde(flatten, with = "flat::samples")]
            samples: Interval,
        }
        let row = Row { mean: 0.5, ci: None, samples: Interval::new(1.0, 2.0) };
        assert_eq!(serde_json::to_string(&row).unwrap(), r#"{"mean":0.5,"ci_low":null,"ci_high":null,"samples_low":1.0,"samples_high":2.0}"#);
        let row = Row { ci: Some(Interval::around(0.5, 0.25).clamp(0.0, 0.6)), ..row };
        assert_eq!(serde_json::to_string(&row).unwrap(), r#"{"mean":0.5,"ci_low":0.25,"ci_high":0.6,"samples_low":1.0,"samples_high":2.0}"#);
        assert!(Interval::new(1.0, 2.0).contains(2.0) && !Interval::new(1.0, 2.0).contains(2.1) && Interval::new(1.0, 2.0).contains_within(2.1, 0.2));
        assert_eq!(Interval::point(3.0).width(), 0.0);
    }
}
