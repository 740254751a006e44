//! The generalised Cauchy point (Byrd et al. 1995, Section 4): the first
//! local minimiser of the quadratic model
//! `m(x) = f + gᵀ(x − x₀) + ½ (x − x₀)ᵀ B (x − x₀)` along the projected
//! steepest-descent path `x(t) = P(x₀ − t g)`.
//!
//! The path is piecewise linear with breakpoints `t_i` where variable `i`
//! reaches its bound (`t_i = (x_i − u_i)/g_i` for `g_i < 0`, `(x_i − l_i)/g_i`
//! for `g_i > 0`). On each segment the model is a quadratic in `Δt` with
//! derivatives `f′`, `f″`; the search visits breakpoints in increasing order
//! and stops in the first segment whose minimiser `−f′/f″` lies inside it.
//! With `B = θI − WMWᵀ`, each segment costs `O(k)` after the first
//! (equations 4.9–4.10, with `p = Wᵀd`, `c = Wᵀ(x(t) − x₀)`):
//!
//! ```text
//! f′ ← f′ + Δt f″ + g_b² + θ g_b z_b − g_b w_bᵀ M c
//! f″ ← f″ − θ g_b² − 2 g_b w_bᵀ M p − g_b² w_bᵀ M w_b
//! ```
//!
//! where `b` is the variable that reaches its bound, `z_b` its move and
//! `w_b` the `b`-th row of `W`.

use super::bounds::Bounds;
use super::memory::{dot, Memory};

/// The Cauchy point `x`, `c = Wᵀ(xᶜ − x₀)` (needed by the subspace step) and
/// which variables are free (not held at a bound) there; with the buffers
/// the search uses, sized once per minimisation.
#[derive(Debug, Clone)]
pub(super) struct CauchyPoint {
    pub x: Vec<f64>,
    pub c: Vec<f64>,
    pub free: Vec<bool>,
    d: Vec<f64>,
    breaks: Vec<(f64, usize)>,
    p: Vec<f64>,
    q: Vec<f64>,
    mwb: Vec<f64>,
}

impl CauchyPoint {
    /// Buffers for `n` variables and `m` pairs.
    pub fn new(n: usize, m: usize) -> Self {
        Self {
            x: vec![0.0; n],
            c: vec![0.0; 2 * m],
            free: vec![true; n],
            d: vec![0.0; n],
            breaks: Vec::with_capacity(n),
            p: vec![0.0; 2 * m],
            q: vec![0.0; m],
            mwb: vec![0.0; 2 * m],
        }
    }

    /// `x` itself with every variable free and `c = 0`: the start of the
    /// subspace step when no bound is finite.
    pub fn at(&mut self, x: &[f64], mem: &Memory) {
        self.x.copy_from_slice(x);
        self.c[..mem.width()].fill(0.0);
        self.free.fill(true);
    }

    /// The generalised Cauchy point from `x` (feasible) with gradient `g`.
    pub fn compute(&mut self, x: &[f64], g: &[f64], bounds: &Bounds, mem: &Memory) {
        let n = x.len();
        let k2 = mem.width();
        let theta = mem.theta;
        self.x.copy_from_slice(x);
        self.free.fill(true);
        self.d.fill(0.0);
        self.breaks.clear();
        let mut moving = 0usize;
        for i in 0..n {
            let (l, u, gi) = (bounds.lower(i), bounds.upper(i), g[i]);
            if (x[i] <= l && gi >= 0.0) || (x[i] >= u && gi <= 0.0) {
                // At a bound that the descent direction pushes against.
                self.free[i] = false;
                continue;
            }
            if gi == 0.0 {
                continue;
            }
            self.d[i] = -gi;
            moving += 1;
            let t = if gi < 0.0 { (x[i] - u) / gi } else { (x[i] - l) / gi };
            if t.is_finite() {
                self.breaks.push((t, i));
            }
        }
        let (c, p) = (&mut self.c[..k2], &mut self.p[..k2]);
        c.fill(0.0);
        if moving == 0 {
            return;
        }
        mem.wt_times(&self.d, p);
        // f′ = gᵀd = −dᵀd ; f″ = dᵀBd = θ dᵀd − pᵀMp.
        let mut f1 = -dot(&self.d, &self.d);
        let mut f2 = -theta * f1;
        if k2 > 0 {
            // pᵀMp = qᵀq − p₁ᵀD⁻¹p₁ with q = J⁻¹(p₂ + L D⁻¹ p₁).
            let q = &mut self.q[..k2 / 2];
            mem.half_solve(p, q);
            f2 -= dot(q, q) - mem.d_form(p, p);
        }
        let f2_initial = f2;
        let mut dt_min = -f1 / f2;
        self.breaks.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut t_old = 0.0;
        for &(t, b) in &self.breaks {
            let dt = t - t_old;
            if dt_min < dt {
                break;
            }
            // Move to the breakpoint and fix variable b at its bound.
            self.x[b] = if self.d[b] > 0.0 { bounds.upper(b) } else { bounds.lower(b) };
            let zb = self.x[b] - x[b];
            let gb = g[b];
            c.iter_mut().zip(p.iter()).for_each(|(ci, pi)| *ci += pi * dt);
            moving -= 1;
            self.d[b] = 0.0;
            self.free[b] = false;
            t_old = t;
            if moving == 0 {
                dt_min = 0.0;
                break;
            }
            f1 += dt * f2 + gb * gb + theta * gb * zb;
            f2 -= theta * gb * gb;
            if k2 > 0 {
                let wb = mem.w_row(b);
                let mwb = &mut self.mwb[..k2];
                mwb.copy_from_slice(wb);
                mem.m_times_in_place(mwb);
                f1 -= gb * dot(mwb, c);
                f2 -= 2.0 * gb * dot(mwb, p) + gb * gb * dot(wb, mwb);
                p.iter_mut().zip(wb).for_each(|(pi, wi)| *pi += wi * gb);
            }
            // Guard against curvature lost to rounding.
            f2 = f2.max(f64::EPSILON * f2_initial);
            dt_min = -f1 / f2;
        }
        let dt_min = dt_min.max(0.0);
        let t_final = t_old + dt_min;
        for ((xc, &x0), &di) in self.x.iter_mut().zip(x).zip(&self.d) {
            if di != 0.0 {
                *xc = x0 + t_final * di;
            }
        }
        c.iter_mut().zip(p.iter()).for_each(|(ci, pi)| *ci += pi * dt_min);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_model_minimiser_along_the_projected_path() {
        // B = I, g = (−2, 1, 4) from x = (0, 0, 0) in [−1, 1]³, path P(−t g):
        // x₂ reaches −1 at t = 1/4, x₀ reaches 1 at t = 1/2, x₁ reaches −1 at
        // t = 1, where the model ½‖z‖² + gᵀz stops decreasing along the path;
        // so the Cauchy point is the corner (1, −1, −1), which is also the
        // box-constrained minimiser of the model.
        let b = Bounds::new(vec![-1.0; 3], vec![1.0; 3]).unwrap();
        let mem = Memory::new(3, 5);
        let mut cp = CauchyPoint::new(3, 5);
        cp.compute(&[0.0; 3], &[-2.0, 1.0, 4.0], &b, &mem);
        assert_eq!(cp.x, vec![1.0, -1.0, -1.0]);
        assert_eq!(cp.free, vec![false, false, false]);
        // Interior case: the minimiser t = 1 comes before any breakpoint.
        cp.compute(&[0.0; 3], &[-0.5, 0.25, 0.0], &b, &mem);
        assert_eq!(cp.x, vec![0.5, -0.25, 0.0]);
        assert_eq!(cp.free, vec![true; 3]);
    }
}
