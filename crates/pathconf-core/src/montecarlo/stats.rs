//! Running mean and variance with deterministic merging, and normal-theory
//! 95% confidence intervals (quantile from statrs).
//!
//! Accumulates `Σx` and `Σx²` of values that callers centre near zero (the
//! engine feeds `p̂ − p`, not `p̂`), which keeps the one-pass variance
//! accurate; batches merge by addition, in batch order.

use crate::provenance::Interval;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

/// Running first and second moments.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RunningStats {
    /// Number of values.
    pub count: u64,
    /// `Σ x`.
    pub sum: f64,
    /// `Σ x²`.
    pub sum_sq: f64,
}

impl RunningStats {
    /// Adds one value.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.count += 1;
        self.sum += x;
        self.sum_sq += x * x;
    }

    /// Adds another accumulator (order matters for bitwise reproducibility).
    pub fn merge(&mut self, other: &Self) {
        self.count += other.count;
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
    }

    /// Sample mean.
    pub fn mean(&self) -> f64 {
        self.sum / self.count as f64
    }

    /// Unbiased sample variance (0 for fewer than two values).
    pub fn variance(&self) -> f64 {
        if self.count < 2 {
            return 0.0;
        }
        let n = self.count as f64;
        ((self.sum_sq - self.sum * self.sum / n) / (n - 1.0)).max(0.0)
    }

    /// The mean with its standard error and 95% interval, shifted by `offset`.
    pub fn estimate(&self, offset: f64) -> Estimate {
        Estimate::new(self.mean() + offset, (self.variance() / self.count as f64).sqrt())
    }
}

/// Standard error of the mean of `v`: the sample standard deviation
/// (ddof = 1) over `√n`, from the mean in a second pass (0 for fewer than
/// two values). [`RunningStats`] is its one-pass form, for streams.
pub fn standard_error(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    if v.len() < 2 {
        return 0.0;
    }
    let mean = v.iter().sum::<f64>() / n;
    (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0) / n).sqrt()
}

/// The `p`-quantile of ascending `sorted` by linear interpolation between
/// order statistics (Hyndman & Fan's type 7, numpy's default): position
/// `h = p·(n − 1)`, value `x₍⌊h⌋₎ + (h − ⌊h⌋)·(x₍⌊h⌋+1₎ − x₍⌊h⌋₎)`.
/// Panics on an empty slice.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let h = p * (n - 1) as f64;
    let (i, f) = (h.floor() as usize, h.fract());
    sorted[i] + f * (sorted[(i + 1).min(n - 1)] - sorted[i])
}

/// A Monte Carlo estimate with a normal-theory 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// Point estimate.
    pub mean: f64,
    /// Standard error.
    pub std_error: f64,
    /// The 95% interval (reports: `ci_low`, `ci_high`).
    #[serde(flatten, with = "crate::provenance::flat::ci")]
    pub ci: Interval,
}

impl Estimate {
    /// An estimate from its mean and standard error.
    pub fn new(mean: f64, std_error: f64) -> Self {
        let z = z_two_sided(0.05);
        Self { mean, std_error, ci: Interval::around(mean, z * std_error) }
    }

    /// Whether `value` lies in the 95% interval.
    pub fn covers(&self, value: f64) -> bool {
        self.ci.contains(value)
    }
}

/// The two-sided standard-normal critical value for level `alpha`.
pub fn z_two_sided(alpha: f64) -> f64 {
    Normal::new(0.0, 1.0).expect("standard normal").inverse_cdf(1.0 - alpha / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_between_order_statistics_as_numpy_does() {
        // numpy.quantile([1, 2, 4, 8], [0, 0.25, 0.5, 0.9, 1]) = [1, 1.75, 3, 6.8, 8]
        let x = [1.0, 2.0, 4.0, 8.0];
        for (p, want) in [(0.0, 1.0), (0.25, 1.75), (0.5, 3.0), (0.9, 6.8), (1.0, 8.0)] {
            assert!((quantile(&x, p) - want).abs() < 1e-12, "p = {p}: {}", quantile(&x, p));
        }
        assert_eq!(quantile(&[5.0], 0.3), 5.0);
    }

    #[test]
    fn moments_and_interval() {
        let mut s = RunningStats::default();
        [1.0, 2.0, 3.0, 4.0].iter().for_each(|&x| s.push(x));
        assert_eq!(s.mean(), 2.5);
        assert!((s.variance() - 5.0 / 3.0).abs() < 1e-15);
        assert!((z_two_sided(0.05) - 1.959963984540054).abs() < 1e-9);
        let e = s.estimate(0.0);
        assert!(e.covers(2.5) && !e.covers(10.0));
    }
}
