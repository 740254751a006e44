//! Subspace minimisation (Byrd et al. 1995, Section 5.1, the direct primal
//! method, with the projection of Morales & Nocedal 2011).
//!
//! With the variables held at bounds at the Cauchy point `xᶜ` fixed, the
//! quadratic model is minimised over the free ones (`Z` selects them):
//!
//! ```text
//! r = Zᵀ(g + θ(xᶜ − x) − W M c)                 reduced gradient at xᶜ
//! B̂⁻¹ = I/θ + ZᵀW (I − M WᵀZZᵀW/θ)⁻¹ M WᵀZ / θ²  (Sherman–Morrison–Woodbury, eq. 5.11)
//! dᵘ = −B̂⁻¹ r
//! ```
//!
//! With `t` free variables and `t ≤ 2k` the reduced Hessian
//! `B̂ = ZᵀBZ = θI − ZᵀW M WᵀZ` (`t × t`) is formed and factorised (Cholesky)
//! instead; otherwise the `2k × 2k` system is solved as
//! `(M⁻¹ − WᵀZZᵀW/θ) u = WᵀZ r` (eq. 5.11's inner system multiplied by `M⁻¹`,
//! so `M` itself is never needed). Both give the same `dᵘ` up to rounding.
//!
//! Morales & Nocedal (2011): the unconstrained step `xᶜ + Z dᵘ` is projected
//! onto the box; if the projected point gives a descent direction from `x`
//! it is taken, otherwise the step is truncated at the first bound it meets
//! (the 1995 rule).

use super::bounds::Bounds;
use super::cauchy::CauchyPoint;
use super::memory::{dot, Memory};
use nalgebra::{DMatrix, DMatrixView, DVector};

/// The subspace step's buffers, sized once per minimisation; `xbar` holds
/// the result.
#[derive(Debug, Clone)]
pub(super) struct Subspace {
    /// The end point `x̄` of the search direction `x̄ − x`.
    pub xbar: Vec<f64>,
    free: Vec<usize>,
    mc: Vec<f64>,
    r: Vec<f64>,
    /// `q_a` of each free variable `a` (see `reduced_newton_step`),
    /// column-major `k × t`.
    q: Vec<f64>,
}

impl Subspace {
    /// Buffers for `n` variables and `m` pairs.
    pub fn new(n: usize, m: usize) -> Self {
        Self { xbar: vec![0.0; n], free: Vec::with_capacity(n), mc: vec![0.0; 2 * m], r: Vec::with_capacity(n), q: vec![0.0; m * n] }
    }

    /// Sets `xbar` to the end point `x̄` from `x` (gradient `g`) and the
    /// Cauchy point `cp`.
    pub fn compute(&mut self, x: &[f64], g: &[f64], bounds: &Bounds, mem: &Memory, cp: &CauchyPoint) {
        self.xbar.copy_from_slice(&cp.x);
        self.free.clear();
        self.free.extend((0..x.len()).filter(|&i| cp.free[i]));
        let k2 = mem.width();
        if self.free.is_empty() || k2 == 0 {
            return;
        }
        let theta = mem.theta;
        let mc = &mut self.mc[..k2];
        mc.copy_from_slice(&cp.c[..k2]);
        mem.m_times_in_place(mc);
        self.r.clear();
        self.r.extend(self.free.iter().map(|&i| g[i] + theta * (cp.x[i] - x[i]) - dot(mem.w_row(i), mc)));
        let du = if self.free.len() <= k2 { self.reduced_newton_step(mem) } else { woodbury_step(mem, &self.free, &self.r) };
        let Some(du) = du else {
            return;
        };
        // Morales–Nocedal: project, keep it if it is a descent direction.
        for (&i, &di) in self.free.iter().zip(du.iter()) {
            self.xbar[i] += di;
        }
        bounds.project(&mut self.xbar);
        let slope: f64 = (0..x.len()).map(|i| (self.xbar[i] - x[i]) * g[i]).sum();
        if slope <= 0.0 {
            return;
        }
        // Otherwise truncate the step at the first bound.
        let mut alpha: f64 = 1.0;
        for (&i, &di) in self.free.iter().zip(du.iter()) {
            let (l, u) = (bounds.lower(i), bounds.upper(i));
            if di < 0.0 && l.is_finite() {
                let room = l - cp.x[i];
                if room >= 0.0 {
                    alpha = 0.0;
                } else if di * alpha < room {
                    alpha = room / di;
                }
            } else if di > 0.0 && u.is_finite() {
                let room = u - cp.x[i];
                if room <= 0.0 {
                    alpha = 0.0;
                } else if di * alpha > room {
                    alpha = room / di;
                }
            }
        }
        self.xbar.copy_from_slice(&cp.x);
        for (&i, &di) in self.free.iter().zip(du.iter()) {
            self.xbar[i] += alpha * di;
        }
    }

    /// `dᵘ = −B̂⁻¹ r` with `B̂ = θI − W_F M W_Fᵀ` formed (`t × t`) and
    /// factorised. With `q_a = J⁻¹(w₂ₐ + L D⁻¹ w₁ₐ)` for each free row
    /// `w_a = (w₁ₐ, w₂ₐ)` of `W`, `w_aᵀ M w_b = q_aᵀq_b − w₁ₐᵀ D⁻¹ w₁_b`
    /// (see `Memory::half_solve`): one triangular solve per free variable and
    /// a symmetric `B̂` by construction.
    fn reduced_newton_step(&mut self, mem: &Memory) -> Option<DVector<f64>> {
        let (t, k) = (self.free.len(), mem.len());
        for (a, &i) in self.free.iter().enumerate() {
            mem.half_solve(mem.w_row(i), &mut self.q[a * k..(a + 1) * k]);
        }
        let q = DMatrixView::from_slice(&self.q[..t * k], k, t);
        let mut hessian = q.tr_mul(&q);
        for (a, &i) in self.free.iter().enumerate() {
            for (b, &j) in self.free.iter().enumerate().take(a + 1) {
                let h = mem.d_form(&mem.w_row(i)[..k], &mem.w_row(j)[..k]) - hessian[(a, b)] + if a == b { mem.theta } else { 0.0 };
                hessian[(a, b)] = h;
                hessian[(b, a)] = h;
            }
        }
        let mut du = DVector::from_iterator(t, self.r.iter().map(|v| -v));
        hessian.cholesky()?.solve_mut(&mut du);
        du.iter().all(|v| v.is_finite()).then_some(du)
    }
}

/// The rows of `W` of the free variables, `t × 2k`.
fn free_rows(mem: &Memory, free: &[usize]) -> DMatrix<f64> {
    DMatrix::from_fn(free.len(), mem.width(), |a, b| mem.w_row(free[a])[b])
}

/// `dᵘ = −r/θ − W_F u / θ²` with `(M⁻¹ − W_FᵀW_F/θ) u = W_Fᵀ r` (eq. 5.11).
/// Taken only while `2k` is below the number of free variables (the first
/// iterations), so its allocations do not matter.
fn woodbury_step(mem: &Memory, free: &[usize], r: &[f64]) -> Option<DVector<f64>> {
    let theta = mem.theta;
    let wf = free_rows(mem, free);
    let rv = DVector::from_column_slice(r);
    let system = mem.middle() - wf.transpose() * &wf / theta;
    let u = system.lu().solve(&(wf.transpose() * &rv))?;
    let du = -(rv / theta) - (&wf * u) / (theta * theta);
    du.iter().all(|v| v.is_finite()).then_some(du)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both ways of solving the reduced model give `B̂ dᵘ = −r`.
    #[test]
    fn reduced_and_woodbury_steps_agree_with_the_model() {
        let n = 6;
        let mut mem = Memory::new(n, 4);
        for t in 0..4 {
            let s: Vec<f64> = (0..n).map(|i| ((i * 3 + t) as f64 * 0.37).cos()).collect();
            let y: Vec<f64> = (0..n).map(|i| (2.0 + i as f64) * s[i] + 0.1 * s[(i + 1) % n]).collect();
            mem.push(&s, &y).unwrap();
        }
        let mut sub = Subspace::new(n, 4);
        for free in [vec![0, 2, 5], vec![0, 1, 2, 3, 4, 5], vec![4]] {
            let r: Vec<f64> = free.iter().map(|&i| 0.5 - i as f64 * 0.3).collect();
            sub.free.clone_from(&free);
            sub.r.clone_from(&r);
            let a = sub.reduced_newton_step(&mem).unwrap();
            let b = woodbury_step(&mem, &free, &r).unwrap();
            // B̂ dᵘ = Zᵀ B Z dᵘ must equal −r.
            let mut z = vec![0.0; n];
            for (&i, &v) in free.iter().zip(a.iter()) {
                z[i] = v;
            }
            let bz = mem.times(&z);
            for (k, &i) in free.iter().enumerate() {
                assert!((bz[i] + r[k]).abs() < 1e-10, "free {free:?}: residual {}", bz[i] + r[k]);
                assert!((a[k] - b[k]).abs() < 1e-10 * (1.0 + a[k].abs()), "free {free:?}: {} vs {}", a[k], b[k]);
            }
        }
    }
}
