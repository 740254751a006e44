//! Log-space Weibull and mixture densities.

use statrs::function::gamma::gamma;

/// `ln W(x; k, λ) = ln k − ln λ + (k − 1) ln(x/λ) − (x/λ)^k` (−∞ where the
/// last term overflows, instead of the reference's NaN/overflow).
#[inline]
pub fn log_pdf(x: f64, k: f64, lambda: f64) -> f64 {
    let z = x.ln() - lambda.ln();
    k.ln() - lambda.ln() + (k - 1.0) * z - (k * z).exp()
}

/// A two-component Weibull mixture `w·W(k₁, λ₁) + (1 − w)·W(k₂, λ₂)`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Mixture {
    /// Weight of component 1.
    pub w: f64,
    /// Shape of component 1.
    pub k1: f64,
    /// Scale of component 1.
    pub lambda1: f64,
    /// Shape of component 2.
    pub k2: f64,
    /// Scale of component 2.
    pub lambda2: f64,
}

impl Mixture {
    /// Mean of a Weibull component, `λ Γ(1 + 1/k)`.
    pub fn component_mean(k: f64, lambda: f64) -> f64 {
        lambda * gamma(1.0 + 1.0 / k)
    }

    /// The same mixture with the higher-mean component first (the
    /// reference's swap: `w` becomes `1 − w`).
    pub fn high_first(self) -> Self {
        if Self::component_mean(self.k1, self.lambda1) < Self::component_mean(self.k2, self.lambda2) {
            Self { w: 1.0 - self.w, k1: self.k2, lambda1: self.lambda2, k2: self.k1, lambda2: self.lambda1 }
        } else {
            self
        }
    }

    /// `(ln(w W₁(x)), ln((1 − w) W₂(x)))`.
    #[inline]
    pub fn weighted_log_densities(&self, x: f64) -> (f64, f64) {
        (self.w.ln() + log_pdf(x, self.k1, self.lambda1), (1.0 - self.w).ln() + log_pdf(x, self.k2, self.lambda2))
    }
}

/// `ln(e^a + e^b)` (−∞ if both are −∞).
#[inline]
pub fn log_add_exp(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// `−Σ_i ln(w W₁(x_i) + (1 − w) W₂(x_i))` (+∞ if some point has zero density).
pub fn neg_log_likelihood(m: &Mixture, data: &[f64]) -> f64 {
    -data
        .iter()
        .map(|&x| {
            let (a, b) = m.weighted_log_densities(x);
            log_add_exp(a, b)
        })
        .sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{Continuous, Weibull};

    #[test]
    fn log_pdf_matches_statrs() {
        for &(k, l) in &[(0.5, 1.0), (1.0, 2.0), (12.0, 0.9), (3.5, 0.3)] {
            let w = Weibull::new(k, l).unwrap();
            for &x in &[0.01, 0.2, 0.5, 0.9, 1.0] {
                let a = log_pdf(x, k, l);
                let b = w.ln_pdf(x);
                assert!((a - b).abs() < 1e-12 * (1.0 + b.abs()), "k={k} l={l} x={x}: {a} vs {b}");
            }
        }
    }
}
