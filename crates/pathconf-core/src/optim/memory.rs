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
//!
//! **Storage.** Everything lives in buffers sized once for `m` pairs: the
//! pairs oldest first, the products `SᵀY` and `SᵀS` (`m × m`, row-major), `W`
//! (row-major, so a row `w_b` is a slice) and the factor `J`. A new pair adds
//! one row and one column of `SᵀY` and `SᵀS` (`2k` dot products of length
//! `n`); when the memory is full the oldest pair's row and column are shifted
//! out. Each product is computed once, with the same operands and order as a
//! full rebuild, so the matrices are the same bits either way.

use nalgebra::{Cholesky, DMatrix, DVectorView, DVectorViewMut, Dyn};

/// `aᵀb` of two slices of equal length (nalgebra's dot on views: no copy).
pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
    DVectorView::from_slice(a, a.len()).dot(&DVectorView::from_slice(b, b.len()))
}

/// The last `k ≤ m` correction pairs and the matrices derived from them.
#[derive(Debug, Clone)]
pub(super) struct Memory {
    n: usize,
    capacity: usize,
    k: usize,
    /// Pair `i` (0 = oldest) at `[i n, (i + 1) n)`.
    s: Vec<f64>,
    y: Vec<f64>,
    /// `(SᵀY)_ij = sᵢᵀy_j` at `i m + j` for `j ≤ i` (`D` and `L`); above the
    /// diagonal, `Lᵀ`: `L_ji` at `i m + j` for `j > i`, so a column of `L`
    /// is a contiguous slice (`SᵀY`'s own upper triangle is never needed).
    sty: Vec<f64>,
    /// `(SᵀS)_ij = sᵢᵀs_j` at `i m + j` (lower triangle and diagonal kept).
    sts: Vec<f64>,
    /// `1/D_i`, made once per pair set.
    dinv: Vec<f64>,
    /// θ, the scaling of the identity (1 with no corrections).
    pub theta: f64,
    /// `W = [Y θS]`, `n × 2k`, row-major (row `r` at `[2k r, 2k (r + 1))`).
    w: Vec<f64>,
    /// Cholesky factor of `θSᵀS + L D⁻¹ Lᵀ`.
    j: Option<Cholesky<f64, Dyn>>,
    /// The `k × k` matrix factorised last, kept for reuse when `j` is dropped.
    spare: Option<DMatrix<f64>>,
}

/// The middle matrix could not be factorised (the corrections are
/// numerically dependent); the caller discards the memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Singular;

impl Memory {
    pub fn new(n: usize, capacity: usize) -> Self {
        Self {
            n,
            capacity,
            k: 0,
            s: vec![0.0; capacity * n],
            y: vec![0.0; capacity * n],
            sty: vec![0.0; capacity * capacity],
            sts: vec![0.0; capacity * capacity],
            dinv: vec![0.0; capacity],
            theta: 1.0,
            w: vec![0.0; 2 * capacity * n],
            j: None,
            spare: None,
        }
    }

    /// Number of stored pairs `k`.
    pub fn len(&self) -> usize {
        self.k
    }

    /// `2k`, the number of columns of `W`.
    pub fn width(&self) -> usize {
        2 * self.k
    }

    /// Row `r` of `W` (length `2k`).
    pub fn w_row(&self, r: usize) -> &[f64] {
        let k2 = 2 * self.k;
        &self.w[r * k2..(r + 1) * k2]
    }

    /// `out = Wᵀ v` (length `2k`), each entry summed over rows in order.
    pub fn wt_times(&self, v: &[f64], out: &mut [f64]) {
        let k2 = 2 * self.k;
        for (c, o) in out[..k2].iter_mut().enumerate() {
            *o = (0..self.n).map(|r| self.w[r * k2 + c] * v[r]).sum();
        }
    }

    /// Forgets every pair (`B = I`); the buffers are kept.
    pub fn reset(&mut self) {
        self.k = 0;
        self.theta = 1.0;
        if let Some(j) = self.j.take() {
            self.spare = Some(j.unpack_dirty());
        }
    }

    fn s(&self, i: usize) -> &[f64] {
        &self.s[i * self.n..(i + 1) * self.n]
    }

    fn y(&self, i: usize) -> &[f64] {
        &self.y[i * self.n..(i + 1) * self.n]
    }

    /// `D_i = sᵢᵀyᵢ`.
    fn d(&self, i: usize) -> f64 {
        self.sty[i * self.capacity + i]
    }

    /// `L_ij = sᵢᵀy_j` for `i > j`.
    fn l(&self, i: usize, j: usize) -> f64 {
        self.sty[i * self.capacity + j]
    }

    /// Adds the pair `(s, y)` (requires `sᵀy > 0`), dropping the oldest when
    /// full, and updates `θ`, `SᵀY`, `SᵀS`, `W` and the factor `J`.
    pub fn push(&mut self, s: &[f64], y: &[f64]) -> Result<(), Singular> {
        let (n, m) = (self.n, self.capacity);
        if self.k == m {
            // Shift the oldest pair out of the pairs and the products.
            self.s.copy_within(n.., 0);
            self.y.copy_within(n.., 0);
            for i in 1..m {
                self.sty.copy_within(i * m + 1..(i + 1) * m, (i - 1) * m);
                self.sts.copy_within(i * m + 1..i * m + i + 1, (i - 1) * m);
            }
            self.k -= 1;
        }
        let new = self.k;
        self.s[new * n..(new + 1) * n].copy_from_slice(s);
        self.y[new * n..(new + 1) * n].copy_from_slice(y);
        self.k += 1;
        self.theta = dot(y, y) / dot(s, y);
        // The new row of SᵀY and SᵀS (j ≤ new); rows of older pairs keep their
        // entries (sᵢᵀy_j with i < new involves no new vector for j ≤ i).
        for j in 0..=new {
            let sy = dot(self.s(new), self.y(j));
            self.sty[new * m + j] = sy;
            if j < new {
                self.sty[j * m + new] = sy;
            }
            self.sts[new * m + j] = dot(self.s(new), self.s(j));
        }
        self.rebuild()
    }

    fn rebuild(&mut self) -> Result<(), Singular> {
        let (k, n, m, theta) = (self.k, self.n, self.capacity, self.theta);
        let k2 = 2 * k;
        for r in 0..n {
            for j in 0..k {
                self.w[r * k2 + j] = self.y[j * n + r];
                self.w[r * k2 + k + j] = self.s[j * n + r] * theta;
            }
        }
        for i in 0..k {
            self.dinv[i] = 1.0 / self.d(i);
        }
        // T = θSᵀS + L D⁻¹ Lᵀ, in a reused k × k buffer.
        let mut t = match (self.j.take().map(Cholesky::unpack_dirty), self.spare.take()) {
            (Some(t), _) | (None, Some(t)) if t.nrows() == k => t,
            _ => DMatrix::zeros(k, k),
        };
        for i in 0..k {
            for j in 0..=i {
                let (li, lj) = (&self.sty[i * m..i * m + j], &self.sty[j * m..j * m + j]);
                let v: f64 = li.iter().zip(lj).zip(&self.dinv[..j]).map(|((a, b), d)| a * b * d).sum();
                let tij = theta * self.sts[i * m + j] + v;
                t[(i, j)] = tij;
                t[(j, i)] = tij;
            }
        }
        let d_ok = (0..k).all(|i| self.d(i) > 0.0);
        match Cholesky::new(t) {
            Some(factor) if d_ok && factor.l_dirty().iter().all(|v| v.is_finite()) => {
                self.j = Some(factor);
                Ok(())
            }
            // The caller resets the memory.
            Some(factor) => {
                self.spare = Some(factor.unpack_dirty());
                Err(Singular)
            }
            None => Err(Singular),
        }
    }

    /// `M v` in place for a vector `v` of length `2k`: `x₁ = D⁻¹v₁` kept,
    /// `x₂ = J⁻ᵀJ⁻¹(v₂ + L x₁)`, then `x₁ ← D⁻¹ Lᵀ x₂ − x₁`.
    pub fn m_times_in_place(&self, v: &mut [f64]) {
        let k = self.k;
        let Some(j) = &self.j else {
            return;
        };
        let m = self.capacity;
        let (lower, upper) = v[..2 * k].split_at_mut(k);
        lower.iter_mut().zip(&self.dinv).for_each(|(x, d)| *x *= d);
        // Row i of L is sty[i m .. i m + i]; column i is sty[i m + i + 1 .. i m + k].
        for (i, x) in upper.iter_mut().enumerate() {
            *x += dot(&self.sty[i * m..i * m + i], &lower[..i]);
        }
        j.solve_mut(&mut DVectorViewMut::from_slice(upper, k));
        for (i, x) in lower.iter_mut().enumerate() {
            *x = dot(&self.sty[i * m + i + 1..i * m + k], &upper[i + 1..]) * self.dinv[i] - *x;
        }
    }

    /// `q = J⁻¹(v₂ + L D⁻¹ v₁)` for `v = (v₁, v₂)` (length `2k`; `q` has
    /// length `k`): half of `M v`, enough for quadratic forms,
    /// `vᵀ M v′ = qᵀq′ − v₁ᵀ D⁻¹ v′₁` (from `M⁻¹`'s factorisation above).
    pub fn half_solve(&self, v: &[f64], q: &mut [f64]) {
        let k = self.k;
        let Some(j) = &self.j else {
            return;
        };
        let m = self.capacity;
        let (v1, v2) = v[..2 * k].split_at(k);
        for (i, qi) in q[..k].iter_mut().enumerate() {
            let l = &self.sty[i * m..i * m + i];
            *qi = v2[i] + l.iter().zip(v1).zip(&self.dinv).map(|((l, v), d)| l * (v * d)).sum::<f64>();
        }
        let ok = j.l_dirty().solve_lower_triangular_mut(&mut DVectorViewMut::from_slice(&mut q[..k], k));
        debug_assert!(ok, "a Cholesky factor has a positive diagonal");
    }

    /// `v₁ᵀ D⁻¹ v′₁`, the second term of [`Self::half_solve`]'s quadratic form.
    pub fn d_form(&self, v: &[f64], w: &[f64]) -> f64 {
        v.iter().zip(w).zip(&self.dinv[..self.k]).map(|((a, b), d)| a * b * d).sum()
    }

    /// `M⁻¹ = [−D Lᵀ; L θSᵀS]` (`2k × 2k`), formed for the Woodbury step.
    pub fn middle(&self) -> DMatrix<f64> {
        let (k, m, theta) = (self.k, self.capacity, self.theta);
        let mut out = DMatrix::zeros(2 * k, 2 * k);
        for i in 0..k {
            for j in 0..=i {
                if i == j {
                    out[(i, i)] = -self.d(i);
                } else {
                    out[(k + i, j)] = self.l(i, j);
                    out[(j, k + i)] = self.l(i, j);
                }
                let ss = theta * self.sts[i * m + j];
                out[(k + i, k + j)] = ss;
                out[(k + j, k + i)] = ss;
            }
        }
        out
    }

    /// `B v`, for tests.
    #[cfg(test)]
    pub fn times(&self, v: &[f64]) -> Vec<f64> {
        let k2 = self.width();
        let mut p = vec![0.0; k2];
        self.wt_times(v, &mut p);
        self.m_times_in_place(&mut p);
        (0..self.n).map(|r| v[r] * self.theta - dot(self.w_row(r), &p)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DVector;

    /// The compact form equals the matrix built by the BFGS recursion
    /// `B₊ = B − B s sᵀ B / sᵀBs + y yᵀ / sᵀy` from `B₀ = θ I`, through
    /// more pairs than the memory holds (so the shifting is exercised).
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
            mem.push(s.as_slice(), y.as_slice()).unwrap();
            let start = t + 1 - mem.len();
            let mut b = DMatrix::identity(n, n) * mem.theta;
            for (s, y) in &pairs[start..=t] {
                let bs = &b * s;
                b = &b - (&bs * bs.transpose()) / s.dot(&bs) + (y * y.transpose()) / s.dot(y);
            }
            for probe in 0..n {
                let v = DVector::from_fn(n, |i, _| if i == probe { 1.0 } else { 0.1 * i as f64 });
                let (got, want) = (DVector::from_vec(mem.times(v.as_slice())), &b * &v);
                assert!((&got - &want).norm() <= 1e-10 * want.norm(), "after {} pairs: {got} vs {want}", t + 1);
            }
        }
        assert_eq!(mem.len(), 3);
    }

    /// `vᵀ M v′` from two half solves equals `vᵀ (M v′)` (the quadratic form
    /// the Cauchy point and the reduced Hessian use).
    #[test]
    fn half_solves_give_the_quadratic_form() {
        let n = 5;
        let mut mem = Memory::new(n, 3);
        for t in 0..5 {
            let s: Vec<f64> = (0..n).map(|i| ((i * 5 + t * 2) as f64 * 0.41).sin()).collect();
            let y: Vec<f64> = s.iter().enumerate().map(|(i, v)| (1.0 + i as f64) * v + 0.1 * t as f64 * v * v).collect();
            mem.push(&s, &y).unwrap();
        }
        let k = mem.len();
        let v: Vec<f64> = (0..2 * k).map(|i| 0.3 * i as f64 - 0.7).collect();
        let w: Vec<f64> = (0..2 * k).map(|i| (i as f64 * 1.3).cos()).collect();
        let mut mw = w.clone();
        mem.m_times_in_place(&mut mw);
        let want = dot(&v, &mw);
        let (mut q, mut q2) = (vec![0.0; k], vec![0.0; k]);
        mem.half_solve(&v, &mut q);
        mem.half_solve(&w, &mut q2);
        let got = dot(&q, &q2) - mem.d_form(&v[..k], &w[..k]);
        assert!((got - want).abs() <= 1e-12 * (1.0 + want.abs()), "{got} vs {want}");
    }

    /// The products kept by shifting equal a memory filled with the last
    /// `k` pairs only, bit for bit, and a reset memory refills correctly.
    #[test]
    fn shifted_products_equal_a_fresh_memory() {
        let n = 5;
        let pair = |t: usize| -> (Vec<f64>, Vec<f64>) {
            let s: Vec<f64> = (0..n).map(|i| ((i * 7 + t * 3) as f64 * 0.31).cos()).collect();
            let y: Vec<f64> = s.iter().enumerate().map(|(i, v)| (1.5 + i as f64) * v + 0.05 * t as f64 * v * v).collect();
            (s, y)
        };
        let mut long = Memory::new(n, 4);
        for t in 0..9 {
            let (s, y) = pair(t);
            long.push(&s, &y).unwrap();
        }
        let mut fresh = Memory::new(n, 4);
        for t in 5..9 {
            let (s, y) = pair(t);
            fresh.push(&s, &y).unwrap();
        }
        assert_eq!(long.sty, fresh.sty);
        assert_eq!(long.sts, fresh.sts);
        assert_eq!(long.w, fresh.w);
        assert_eq!(long.middle(), fresh.middle());
        let mut v: Vec<f64> = (0..8).map(|i| i as f64 - 2.5).collect();
        let mut u = v.clone();
        long.m_times_in_place(&mut v);
        fresh.m_times_in_place(&mut u);
        assert_eq!(v, u);
        long.reset();
        assert_eq!((long.len(), long.theta), (0, 1.0));
        let (s, y) = pair(8);
        long.push(&s, &y).unwrap();
        let mut one = Memory::new(n, 4);
        one.push(&s, &y).unwrap();
        assert_eq!(long.times(&s), one.times(&s));
    }
}
