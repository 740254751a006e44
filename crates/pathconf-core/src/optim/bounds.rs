//! The feasible box `l ≤ x ≤ u` (a bound may be infinite).

use super::OptimError;

/// Simple bounds on each variable; `−∞`/`+∞` where a side is unbounded.
#[derive(Debug, Clone, PartialEq)]
pub struct Bounds {
    lower: Vec<f64>,
    upper: Vec<f64>,
}

impl Bounds {
    /// Bounds `lower[i] ≤ x[i] ≤ upper[i]`. Both vectors must have the same
    /// length, hold no NaN, and satisfy `lower[i] ≤ upper[i]`.
    pub fn new(lower: Vec<f64>, upper: Vec<f64>) -> Result<Self, OptimError> {
        if lower.len() != upper.len() {
            return Err(OptimError::BoundsLength { lower: lower.len(), upper: upper.len() });
        }
        for (i, (&l, &u)) in lower.iter().zip(&upper).enumerate() {
            if l.is_nan() || u.is_nan() || l > u || l == f64::INFINITY || u == f64::NEG_INFINITY {
                return Err(OptimError::BadBound { index: i, lower: l, upper: u });
            }
        }
        Ok(Self { lower, upper })
    }

    /// No bounds on `n` variables.
    pub fn unbounded(n: usize) -> Self {
        Self { lower: vec![f64::NEG_INFINITY; n], upper: vec![f64::INFINITY; n] }
    }

    /// Number of variables.
    pub fn len(&self) -> usize {
        self.lower.len()
    }

    /// Whether there are no variables.
    pub fn is_empty(&self) -> bool {
        self.lower.is_empty()
    }

    /// Lower bound of variable `i`.
    pub fn lower(&self, i: usize) -> f64 {
        self.lower[i]
    }

    /// Upper bound of variable `i`.
    pub fn upper(&self, i: usize) -> f64 {
        self.upper[i]
    }

    /// Whether some variable has a finite bound.
    pub fn is_constrained(&self) -> bool {
        self.lower.iter().chain(&self.upper).any(|b| b.is_finite())
    }

    /// Whether every variable has both bounds finite.
    pub fn is_boxed(&self) -> bool {
        self.lower.iter().chain(&self.upper).all(|b| b.is_finite())
    }

    /// `P(x)`: each coordinate clamped into its interval.
    pub fn project(&self, x: &mut [f64]) {
        for ((xi, &l), &u) in x.iter_mut().zip(&self.lower).zip(&self.upper) {
            *xi = xi.clamp(l, u);
        }
    }

    /// `‖P(x − g) − x‖_∞`, the infinity norm of the projected gradient:
    /// zero exactly at a first-order (KKT) point of the box.
    pub fn projected_gradient_norm(&self, x: &[f64], g: &[f64]) -> f64 {
        let mut norm: f64 = 0.0;
        for i in 0..x.len() {
            let gi = if g[i] < 0.0 { g[i].max(x[i] - self.upper[i]) } else { g[i].min(x[i] - self.lower[i]) };
            norm = norm.max(gi.abs());
        }
        norm
    }

    /// The largest `α ≤ cap` with `x + α d` inside the box (`0` if `d`
    /// leaves it at once).
    pub fn max_step(&self, x: &[f64], d: &[f64], cap: f64) -> f64 {
        let mut step = cap;
        for i in 0..x.len() {
            if d[i] < 0.0 && self.lower[i].is_finite() {
                let room = self.lower[i] - x[i];
                if room >= 0.0 {
                    return 0.0;
                }
                if room > d[i] * step {
                    step = room / d[i];
                }
            } else if d[i] > 0.0 && self.upper[i].is_finite() {
                let room = self.upper[i] - x[i];
                if room <= 0.0 {
                    return 0.0;
                }
                if room < d[i] * step {
                    step = room / d[i];
                }
            }
        }
        step
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_inconsistent_bounds() {
        assert!(matches!(Bounds::new(vec![0.0], vec![1.0, 2.0]), Err(OptimError::BoundsLength { .. })));
        assert!(matches!(Bounds::new(vec![1.0], vec![0.0]), Err(OptimError::BadBound { index: 0, .. })));
        assert!(matches!(Bounds::new(vec![f64::NAN], vec![0.0]), Err(OptimError::BadBound { .. })));
        assert!(matches!(Bounds::new(vec![f64::INFINITY], vec![f64::INFINITY]), Err(OptimError::BadBound { .. })));
    }

    #[test]
    fn projected_gradient_vanishes_only_where_the_bound_blocks_descent() {
        let b = Bounds::new(vec![0.0, 0.0], vec![1.0, f64::INFINITY]).unwrap();
        // At the lower bound with g > 0 (descent would leave the box): 0.
        assert_eq!(b.projected_gradient_norm(&[0.0, 0.5], &[3.0, 0.0]), 0.0);
        // At the lower bound with g < 0 (descent goes inside): |g| up to the room.
        assert_eq!(b.projected_gradient_norm(&[0.0, 0.5], &[-0.25, 0.0]), 0.25);
        assert_eq!(b.projected_gradient_norm(&[0.0, 0.5], &[-3.0, 0.0]), 1.0);
        assert_eq!(b.max_step(&[0.5, 0.5], &[1.0, -1.0], 10.0), 0.5);
        assert_eq!(b.max_step(&[0.0, 0.5], &[-1.0, 0.0], 10.0), 0.0);
    }
}
