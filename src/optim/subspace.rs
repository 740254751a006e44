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
use super::memory::Memory;
use nalgebra::{DMatrix, DVector};

/// The end point `x̄` of the search direction `x̄ − x`.
pub(super) fn subspace_point(x: &[f64], g: &[f64], bounds: &Bounds, mem: &Memory, cp: &CauchyPoint) -> Vec<f64> {
    let free: Vec<usize> = (0..x.len()).filter(|&i| cp.free[i]).collect();
    let k2 = mem.w.ncols();
    if free.is_empty() || k2 == 0 {
        return cp.x.clone();
    }
    let theta = mem.theta;
    let mc = mem.m_times(&cp.c);
    let r: Vec<f64> = free.iter().map(|&i| g[i] + theta * (cp.x[i] - x[i]) - mem.w.row(i).transpose().dot(&mc)).collect();
    let du = if free.len() <= k2 { reduced_newton_step(mem, &free, &r) } else { woodbury_step(mem, &free, &r) };
    let Some(du) = du else {
        return cp.x.clone();
    };
    // Morales–Nocedal: project, keep it if it is a descent direction.
    let mut projected = cp.x.clone();
    for (&i, &di) in free.iter().zip(&du) {
        projected[i] += di;
    }
    bounds.project(&mut projected);
    let slope: f64 = (0..x.len()).map(|i| (projected[i] - x[i]) * g[i]).sum();
    if slope <= 0.0 {
        return projected;
    }
    // Otherwise truncate the step at the first bound.
    let mut alpha: f64 = 1.0;
    for (&i, &di) in free.iter().zip(&du) {
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
    let mut xbar = cp.x.clone();
    for (&i, &di) in free.iter().zip(&du) {
        xbar[i] += alpha * di;
    }
    xbar
}

/// The rows of `W` of the free variables, `t × 2k`.
fn free_rows(mem: &Memory, free: &[usize]) -> DMatrix<f64> {
    DMatrix::from_fn(free.len(), mem.w.ncols(), |a, b| mem.w[(free[a], b)])
}

/// `dᵘ = −B̂⁻¹ r` with `B̂ = θI − W_F M W_Fᵀ` formed (`t × t`) and factorised.
fn reduced_newton_step(mem: &Memory, free: &[usize], r: &[f64]) -> Option<Vec<f64>> {
    let wf = free_rows(mem, free);
    let t = free.len();
    let mut mwt = wf.transpose();
    mem.m_times_columns(&mut mwt);
    let hessian = DMatrix::identity(t, t) * mem.theta - &wf * mwt;
    let rhs = -DVector::from_column_slice(r);
    let du = hessian.cholesky()?.solve(&rhs);
    du.iter().all(|v| v.is_finite()).then(|| du.iter().copied().collect())
}

/// `dᵘ = −r/θ − W_F u / θ²` with `(M⁻¹ − W_FᵀW_F/θ) u = W_Fᵀ r` (eq. 5.11).
fn woodbury_step(mem: &Memory, free: &[usize], r: &[f64]) -> Option<Vec<f64>> {
    let theta = mem.theta;
    let wf = free_rows(mem, free);
    let rv = DVector::from_column_slice(r);
    let system = &mem.middle - wf.transpose() * &wf / theta;
    let u = system.lu().solve(&(wf.transpose() * &rv))?;
    let du = -(rv / theta) - (&wf * u) / (theta * theta);
    du.iter().all(|v| v.is_finite()).then(|| du.iter().copied().collect())
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
            let s = DVector::from_fn(n, |i, _| ((i * 3 + t) as f64 * 0.37).cos());
            let y = DVector::from_fn(n, |i, _| (2.0 + i as f64) * s[i] + 0.1 * s[(i + 1) % n]);
            mem.push(s, y).unwrap();
        }
        for free in [vec![0, 2, 5], vec![0, 1, 2, 3, 4, 5], vec![4]] {
            let r: Vec<f64> = free.iter().map(|&i| 0.5 - i as f64 * 0.3).collect();
            let a = reduced_newton_step(&mem, &free, &r).unwrap();
            let b = woodbury_step(&mem, &free, &r).unwrap();
            // B̂ dᵘ = Zᵀ B Z dᵘ must equal −r.
            let mut z = DVector::zeros(n);
            for (&i, &v) in free.iter().zip(&a) {
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
