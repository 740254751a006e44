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
use super::memory::Memory;
use nalgebra::DVector;

/// The Cauchy point, `c = Wᵀ(xᶜ − x₀)` (needed by the subspace step), and
/// which variables are free (not held at a bound) there.
#[derive(Debug, Clone)]
pub(super) struct CauchyPoint {
    pub x: Vec<f64>,
    pub c: DVector<f64>,
    pub free: Vec<bool>,
}

/// The generalised Cauchy point from `x` (feasible) with gradient `g`.
pub(super) fn cauchy_point(x: &[f64], g: &[f64], bounds: &Bounds, mem: &Memory) -> CauchyPoint {
    let n = x.len();
    let k2 = mem.w.ncols();
    let theta = mem.theta;
    let mut xc = x.to_vec();
    let mut free = vec![true; n];
    let mut d = vec![0.0; n];
    let mut breaks: Vec<(f64, usize)> = Vec::new();
    let mut moving = 0usize;
    for i in 0..n {
        let (l, u, gi) = (bounds.lower(i), bounds.upper(i), g[i]);
        if (x[i] <= l && gi >= 0.0) || (x[i] >= u && gi <= 0.0) {
            // At a bound that the descent direction pushes against.
            free[i] = false;
            continue;
        }
        if gi == 0.0 {
            continue;
        }
        d[i] = -gi;
        moving += 1;
        let t = if gi < 0.0 { (x[i] - u) / gi } else { (x[i] - l) / gi };
        if t.is_finite() {
            breaks.push((t, i));
        }
    }
    let mut c = DVector::zeros(k2);
    if moving == 0 {
        return CauchyPoint { x: xc, c, free };
    }
    let dv = DVector::from_column_slice(&d);
    let mut p = mem.w.transpose() * &dv;
    // f′ = gᵀd = −dᵀd ; f″ = dᵀBd = θ dᵀd − pᵀMp.
    let mut f1 = -dv.dot(&dv);
    let mut f2 = -theta * f1 - if k2 > 0 { p.dot(&mem.m_times(&p)) } else { 0.0 };
    let f2_initial = f2;
    let mut dt_min = -f1 / f2;
    breaks.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut t_old = 0.0;
    for &(t, b) in &breaks {
        let dt = t - t_old;
        if dt_min < dt {
            break;
        }
        // Move to the breakpoint and fix variable b at its bound.
        xc[b] = if d[b] > 0.0 { bounds.upper(b) } else { bounds.lower(b) };
        let zb = xc[b] - x[b];
        let gb = g[b];
        c += &p * dt;
        moving -= 1;
        d[b] = 0.0;
        free[b] = false;
        t_old = t;
        if moving == 0 {
            dt_min = 0.0;
            break;
        }
        f1 += dt * f2 + gb * gb + theta * gb * zb;
        f2 -= theta * gb * gb;
        if k2 > 0 {
            let wb = mem.w.row(b).transpose();
            let mwb = mem.m_times(&wb);
            f1 -= gb * mwb.dot(&c);
            f2 -= 2.0 * gb * mwb.dot(&p) + gb * gb * wb.dot(&mwb);
            p += &wb * gb;
        }
        // Guard against curvature lost to rounding.
        f2 = f2.max(f64::EPSILON * f2_initial);
        dt_min = -f1 / f2;
    }
    let dt_min = dt_min.max(0.0);
    let t_final = t_old + dt_min;
    for i in 0..n {
        if d[i] != 0.0 {
            xc[i] = x[i] + t_final * d[i];
        }
    }
    c += &p * dt_min;
    CauchyPoint { x: xc, c, free }
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
        let cp = cauchy_point(&[0.0; 3], &[-2.0, 1.0, 4.0], &b, &mem);
        assert_eq!(cp.x, vec![1.0, -1.0, -1.0]);
        assert_eq!(cp.free, vec![false, false, false]);
        // Interior case: the minimiser t = 1 comes before any breakpoint.
        let cp = cauchy_point(&[0.0; 3], &[-0.5, 0.25, 0.0], &b, &mem);
        assert_eq!(cp.x, vec![0.5, -0.25, 0.0]);
        assert_eq!(cp.free, vec![true; 3]);
    }
}
