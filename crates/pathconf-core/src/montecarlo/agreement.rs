//! The one agreement test pathconf runs wherever a measured value (Monte
//! Carlo, or sampling a real model) is compared with an exact one: two-sided
//! z-tests, Bonferroni-corrected over the family of comparisons made together
//! so that the whole family falsely fails with probability at most
//! [`FAMILY_ALPHA`] (under the normal approximation).
//!
//! A z-score needs a standard error, and a sample standard error can be zero
//! (or far too small) when a rare, large outcome was never observed. Each
//! caller therefore states a floor for it ([`StdError`]): `verify` and the
//! figure tests combine their sampling error in quadrature with "one
//! unobserved extreme outcome among T trials", `range/T`; the real-model
//! validation takes the larger of a standard error under the null and a
//! relative rounding floor.

use super::stats::z_two_sided;

/// Family-wise false-alarm rate of every family of agreement tests.
pub const FAMILY_ALPHA: f64 = 1e-3;

/// A standard error with its floor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StdError {
    /// `√(se² + floor²)`.
    Quadrature {
        /// The standard error.
        se: f64,
        /// Its floor.
        floor: f64,
    },
    /// `max(se, floor)`.
    AtLeast {
        /// The standard error.
        se: f64,
        /// Its floor.
        floor: f64,
    },
}

impl StdError {
    /// The standard error used in the z-score.
    pub fn value(self) -> f64 {
        match self {
            StdError::Quadrature { se, floor } => (se * se + floor * floor).sqrt(),
            StdError::AtLeast { se, floor } => se.max(floor),
        }
    }
}

/// One comparison's outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// `(measured − exact) / se`.
    pub z: f64,
    /// `|z| ≤ z_crit` (two-sided) or `z ≥ −z_crit` (one-sided, for bounds).
    pub agrees: bool,
}

/// A family of `comparisons` z-tests at family-wise level `alpha`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Family {
    /// Family-wise false-alarm rate.
    pub alpha: f64,
    /// Number of comparisons in the family (Bonferroni).
    pub comparisons: usize,
    /// Critical |z| of each comparison: `Φ⁻¹(1 − α / (2 · comparisons))`.
    pub z_crit: f64,
}

impl Family {
    /// A family at [`FAMILY_ALPHA`].
    pub fn new(comparisons: usize) -> Self {
        Self::with_alpha(FAMILY_ALPHA, comparisons)
    }

    /// A family at level `alpha` (at least one comparison is assumed).
    pub fn with_alpha(alpha: f64, comparisons: usize) -> Self {
        let comparisons = comparisons.max(1);
        Self { alpha, comparisons, z_crit: z_two_sided(alpha / comparisons as f64) }
    }

    /// The z-score of `measured` against `exact`.
    pub fn z(&self, measured: f64, exact: f64, se: StdError) -> f64 {
        (measured - exact) / se.value()
    }

    /// Two-sided test: `measured` equals `exact` within the family's level.
    pub fn equal(&self, measured: f64, exact: f64, se: StdError) -> Comparison {
        let z = self.z(measured, exact, se);
        Comparison { z, agrees: z.abs() <= self.z_crit }
    }

    /// Whether a z-score passes the two-sided test.
    pub fn accepts(&self, z: f64) -> bool {
        z.abs() <= self.z_crit
    }
}

/// Comparisons collected one at a time and judged as one family: every
/// comparison pushed counts toward the Bonferroni correction, so a site
/// cannot forget one or count them twice.
#[derive(Debug, Clone, Default)]
pub struct Checks {
    pending: Vec<(String, f64, f64, StdError, bool)>,
}

/// One judged comparison.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Check {
    /// What was compared.
    pub label: String,
    /// The measured value (Monte Carlo, or sampling a real model).
    pub measured: f64,
    /// The exact value (or the bound, for a one-sided check).
    pub exact: f64,
    /// The standard error used (with its floor).
    pub se: f64,
    /// `(measured − exact) / se`.
    pub z: f64,
    /// Two-sided: `|z| ≤ z_crit`; one-sided: `z ≥ −z_crit`.
    pub agrees: bool,
}

/// A judged family.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    /// The family (its size and critical value).
    pub family: Family,
    /// Every comparison, in the order pushed.
    pub checks: Vec<Check>,
}

impl Judged {
    /// The comparisons that disagree.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.agrees)
    }
}

impl Checks {
    /// An empty family.
    pub fn new() -> Self {
        Self::default()
    }

    /// Two-sided: `measured` equals `exact` within the noise `se`.
    pub fn equal(&mut self, label: impl Into<String>, measured: f64, exact: f64, se: StdError) {
        self.pending.push((label.into(), measured, exact, se, false));
    }

    /// One-sided, for bounds: `measured` is not below `bound` beyond the noise `se`.
    pub fn at_least(&mut self, label: impl Into<String>, measured: f64, bound: f64, se: StdError) {
        self.pending.push((label.into(), measured, bound, se, true));
    }

    /// Comparisons pushed so far.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether none was pushed.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Judges every comparison at the family-wise level [`FAMILY_ALPHA`].
    pub fn judge(self) -> Judged {
        let family = Family::new(self.pending.len());
        let checks = self
            .pending
            .into_iter()
            .map(|(label, measured, exact, se, one_sided)| {
                let z = family.z(measured, exact, se);
                let agrees = if one_sided { z >= -family.z_crit } else { family.accepts(z) };
                Check { label, measured, exact, se: se.value(), z, agrees }
            })
            .collect();
        Judged { family, checks }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bonferroni_critical_values() {
        assert!((Family::with_alpha(0.05, 1).z_crit - 1.959963984540054).abs() < 1e-9);
        // α/2m = 1e-3 / 200 = 5e-6: z = 4.4172…
        assert!((Family::new(100).z_crit - 4.417173413469).abs() < 1e-6);
        let f = Family::new(1);
        assert!(f.equal(1.0, 1.0 + 3.0, StdError::Quadrature { se: 1.0, floor: 0.0 }).agrees);
        assert!(!f.equal(1.0, 1.0 + 3.5, StdError::AtLeast { se: 1.0, floor: 0.5 }).agrees);
        assert_eq!(StdError::Quadrature { se: 3.0, floor: 4.0 }.value(), 5.0);
        assert_eq!(StdError::AtLeast { se: 3.0, floor: 4.0 }.value(), 4.0);
    }

    #[test]
    fn a_collected_family_is_judged_with_its_own_size() {
        let se = StdError::AtLeast { se: 1.0, floor: 0.0 };
        let mut checks = Checks::new();
        checks.equal("inside", 0.0, 3.0, se);
        checks.equal("outside", 0.0, 4.0, se);
        checks.at_least("below a bound", 0.0, 3.9, se);
        checks.at_least("above a bound", 10.0, 0.0, se);
        let judged = checks.judge();
        // Four comparisons: z_crit = Φ⁻¹(1 − 1e-3 / 8) ≈ 3.66.
        assert_eq!(judged.family, Family::new(4));
        assert!((judged.family.z_crit - 3.662).abs() < 1e-3);
        let agrees: Vec<bool> = judged.checks.iter().map(|c| c.agrees).collect();
        assert_eq!(agrees, [true, false, false, true]);
        assert_eq!(judged.failures().map(|c| c.label.as_str()).collect::<Vec<_>>(), ["outside", "below a bound"]);
    }
}
