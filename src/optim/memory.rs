//! The compact limited-memory BFGS matrix (Byrd, Nocedal & Schnabel 1994;
//! Byrd et al. 1995, Section 3):
//!
//! ```text
//! B = θ I − W M Wᵀ,   W = [Y  θS]  (n × 2k),
//! M = [ −D   Lᵀ  ]⁻¹   (2k × 2k),
//!     [  L  θSᵀS ]
//! ```
//!
//! with `S`, `Y` the last `k ≤ m` corrections `s = x₊ − x`, `y = g₊ − g` as
//! columns, `D = diag(sᵢᵀyᵢ)`, `L` the strictly lower triangle of `SᵀY`
//! (`L_ij = sᵢᵀy_j`, `i > j`) and `θ = yᵀy / sᵀy` of the newest pair.

//!
//! `M` is never formed. With `J Jᵀ = θSᵀS + L D⁻¹ Lᵀ` (a `k × k` Cholesky
//! factorisation; Byrd et al. 1995, eq. 3.4),
//!
//! ```text
//! M⁻¹ = [ D^½        0 ] [ −D^½  D^-½ Lᵀ ]
//!       [ −L D^-½    J ] [  0       Jᵀ   ]
//! ```
//!
//! so `M v` for `v = (v₁, v₂)` is `x₂ = J⁻ᵀJ⁻¹(v₂ + L D⁻¹ v₁)`,
//! `x₁ = D⁻¹(Lᵀ x₂ − v₁)`: two triangular solves.

use nalgebra::{Cholesky, DMatrix, DVector, Dyn};
use std::collections::VecDeque;

/// The last `k ≤ m` correction pairs and the matrices derived from them.
#[derive(Debug, Clone)]
pub(super) struct Memory {
    capacity: usize,
    s: VecDeque<DVector<f64>>,
    y: VecDeque<DVector<f64>>,
    /// θ, the scaling of the identity (1 with no corrections).
    pub theta: f64,
    /// `W = [Y θS]`, `n × 2k`.
    pub w: DMatrix<f64>,
    /// `M⁻¹ = [−D Lᵀ; L θSᵀS]`, `2k × 2k`.
    pub middle: DMatrix<f64>,
    /// `D` (its diagonal) and `L`.
    d: DVector<f64>,
    l: DMatrix<f64>,
    /// Cholesky factor of `θSᵀS + L D⁻¹ Lᵀ`.
    j: Option<Cholesky<f64, Dyn>>,
}

/// The middle matrix could not be factorised (the corrections are
/// numerically dependent); the caller discards the memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Singular;

impl Memory {
    pub fn new(n: usize, capacity: usize) -> Self {
        Self {
            capacity,
            s: VecDeque::new(),
            y: VecDeque::new(),
            theta: 1.0,
            w: DMatrix::zeros(n, 0),
            middle: DMatrix::zeros(0, 0),
            d: DVector::zeros(0),
            l: DMatrix::zeros(0, 0),
            j: None,
        }
    }

    /// Number of stored pairs `k`.
    pub fn len(&self) -> usize {
        self.s.len()
    }

    /// Forgets every pair (`B = I`).
    pub fn reset(&mut self) {
        let n = self.w.nrows();
        *self = Self::new(n, self.capacity);
    }

    /// Adds the pair `(s, y)` (requires `sᵀy > 0`), dropping the oldest when
    /// full, and rebuilds `θ`, `W`, `M⁻¹` and the factor `J`.
    pub fn push(&mut self, s: DVector<f64>, y: DVector<f64>) -> Result<(), Singular> {
        if self.s.len() == self.capacity {
            self.s.pop_front();
            self.y.pop_front();
        }
        self.theta = y.dot(&y) / s.dot(&y);
        self.s.push_back(s);
        self.y.push_back(y);
        self.rebuild()
    }

    fn rebuild(&mut self) -> Result<(), Singular> {
        let (k, n, theta) = (self.s.len(), self.w.nrows(), self.theta);
        // Buffers are reused once the memory is full (k stays m): only the
        // Cholesky factor is allocated per pair.
        if self.w.ncols() != 2 * k {
            self.w = DMatrix::zeros(n, 2 * k);
            self.middle = DMatrix::zeros(2 * k, 2 * k);
            self.d = DVector::zeros(k);
            self.l = DMatrix::zeros(k, k);
        }
        for j in 0..k {
            for r in 0..n {
                self.w[(r, j)] = self.y[j][r];
                self.w[(r, k + j)] = self.s[j][r] * theta;
            }
        }
        let mut t = DMatrix::zeros(k, k);
        for i in 0..k {
            for j in 0..=i {
                let sy = self.s[i].dot(&self.y[j]);
                if i == j {
                    self.d[i] = sy;
                    self.middle[(i, i)] = -sy;
                } else {
                    // L in the lower-left block, Lᵀ in the upper-right.
                    self.l[(i, j)] = sy;
                    self.middle[(k + i, j)] = sy;
                    self.middle[(j, k + i)] = sy;
                }
                let ss = theta * self.s[i].dot(&self.s[j]);
                self.middle[(k + i, k + j)] = ss;
                self.middle[(k + j, k + i)] = ss;
                t[(i, j)] = ss;
                t[(j, i)] = ss;
            }
        }
        // T = θSᵀS + L D⁻¹ Lᵀ.
        for i in 0..k {
            for j in 0..=i {
                let v: f64 = (0..j.min(i)).map(|c| self.l[(i, c)] * self.l[(j, c)] / self.d[c]).sum();
                t[(i, j)] += v;
                if i != j {
                    t[(j, i)] += v;
                }
            }
        }
        let factor = Cholesky::new(t).ok_or(Singular);
        let bad = match &factor {
            Ok(j) => j.l_dirty().iter().any(|v| !v.is_finite()) || self.d.iter().any(|&v| v.is_nan() || v <= 0.0),
            Err(_) => true,
        };
        if bad {
            // The buffers hold the rejected pair's matrices; the caller resets.
            self.j = None;
            return Err(Singular);
        }
        self.j = factor.ok();
        Ok(())
    }

    /// `M v` for a vector of length `2k`.
    pub fn m_times(&self, v: &DVector<f64>) -> DVector<f64> {
        let mut out = v.clone();
        self.m_times_in_place(out.as_mut_slice());
        out
    }

    /// `M v` in place for one column `v` of length `2k`: `x₁ = D⁻¹v₁` kept,
    /// `x₂ = J⁻ᵀJ⁻¹(v₂ + L x₁)`, then `x₁ ← D⁻¹ Lᵀ x₂ − x₁`.
    fn m_times_in_place(&self, v: &mut [f64]) {
        let k = self.len();
        let Some(j) = &self.j else {
            return;
        };
        v[..k].iter_mut().zip(self.d.iter()).for_each(|(x, d)| *x /= d);
        for i in 0..k {
            let lx: f64 = (0..i).map(|c| self.l[(i, c)] * v[c]).sum();
            v[k + i] += lx;
        }
        let (lower, upper) = v.split_at_mut(k);
        let mut upper = nalgebra::DVectorViewMut::from_slice(upper, k);
        j.solve_mut(&mut upper);
        for (i, x) in lower.iter_mut().enumerate() {
            let lt_x2: f64 = (i + 1..k).map(|r| self.l[(r, i)] * upper[r]).sum();
            *x = lt_x2 / self.d[i] - *x;
        }
    }

    /// `M V` in place, for a `2k × c` matrix `V` (column by column).
    pub fn m_times_columns(&self, v: &mut DMatrix<f64>) {
        for mut column in v.column_iter_mut() {
            self.m_times_in_place(column.as_mut_slice());
        }
    }

    /// `B v`, for tests.
    #[cfg(test)]
    pub fn times(&self, v: &DVector<f64>) -> DVector<f64> {
        if self.len() == 0 {
            return v * self.theta;
        }
        v * self.theta - &self.w * self.m_times(&(self.w.transpose() * v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compact form equals the matrix built by the BFGS recursion
    /// `B₊ = B − B s sᵀ B / sᵀBs + y yᵀ / sᵀy` from `B₀ = θ I`.
    #[test]
    fn compact_form_equals_the_bfgs_recursion() {
        let n = 4;
        let pairs: Vec<(DVector<f64>, DVector<f64>)> = (0..6)
            .map(|t| {
                let s = DVector::from_fn(n, |i, _| ((i + 1) as f64 * 0.7 + t as f64).sin());
                // y = A s for a fixed SPD A, so sᵀy > 0.
                let a = DMatrix::from_fn(n, n, |i, j| if i == j { 3.0 + i as f64 } else { 0.5 / (1.0 + (i + j) as f64) });
                let y = &a * &s;
                (s, y)
            })
            .collect();
        let mut mem = Memory::new(n, 3);
        for (t, (s, y)) in pairs.iter().enumerate() {
            mem.push(s.clone(), y.clone()).unwrap();
            let start = t + 1 - mem.len();
            let mut b = DMatrix::identity(n, n) * mem.theta;
            for (s, y) in &pairs[start..=t] {
                let bs = &b * s;
                b = &b - (&bs * bs.transpose()) / s.dot(&bs) + (y * y.transpose()) / s.dot(y);
            }
            for probe in 0..n {
                let v = DVector::from_fn(n, |i, _| if i == probe { 1.0 } else { 0.1 * i as f64 });
                let (got, want) = (mem.times(&v), &b * &v);
                assert!((&got - &want).norm() <= 1e-10 * want.norm(), "after {} pairs: {got} vs {want}", t + 1);
            }
        }
        assert_eq!(mem.len(), 3);
    }
}
