//! L-BFGS-B on problems with known answers. Each test prints the iteration
//! count, evaluations, termination and the final projected gradient
//! (`cargo test --release --test optim -- --nocapture` shows them).

use pathconf::optim::{Bounds, LbfgsB, Minimum, Termination};

fn report(name: &str, m: &Minimum) {
    println!(
        "{name:<34} iterations {:>3}  evaluations {:>3}  ‖proj. gradient‖∞ {:.2e}  f {:.12e}  {:?}",
        m.iterations, m.evaluations, m.projected_gradient, m.f, m.termination
    );
}

/// `f = ½xᵀAx − bᵀx` with a fixed SPD `A` (n = 4) and `b` chosen so that
/// `x*` is the minimiser over the box: `∇f(x*) = γ` with `γ_i = 0` for free
/// variables, `> 0` at a lower bound, `< 0` at an upper bound (KKT). The
/// problem is strictly convex, so `x*` is the unique answer.
struct Quadratic {
    a: [[f64; 4]; 4],
    b: [f64; 4],
}

impl Quadratic {
    fn with_minimiser(x: [f64; 4], gamma: [f64; 4]) -> Self {
        let a = [[4.0, 1.0, 0.5, 0.0], [1.0, 3.0, 0.2, 0.1], [0.5, 0.2, 2.0, 0.3], [0.0, 0.1, 0.3, 1.0]];
        let mut b = [0.0; 4];
        for i in 0..4 {
            b[i] = (0..4).map(|j| a[i][j] * x[j]).sum::<f64>() - gamma[i];
        }
        Self { a, b }
    }

    fn eval(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let mut f = 0.0;
        for i in 0..4 {
            let ax: f64 = (0..4).map(|j| self.a[i][j] * x[j]).sum();
            g[i] = ax - self.b[i];
            f += 0.5 * x[i] * ax - self.b[i] * x[i];
        }
        f
    }
}

fn assert_close(name: &str, got: &[f64], want: &[f64], tol: f64) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol, "{name}: x[{i}] = {g}, expected {w} (±{tol})");
    }
}

fn unit_box() -> Bounds {
    Bounds::new(vec![-1.0; 4], vec![1.0; 4]).unwrap()
}

#[test]
fn quadratic_with_interior_solution() {
    let want = [0.3, -0.2, 0.5, 0.1];
    let q = Quadratic::with_minimiser(want, [0.0; 4]);
    let m = LbfgsB::default().minimize(&[0.9, 0.9, -0.9, -0.9], &unit_box(), |x, g| q.eval(x, g)).unwrap();
    report("quadratic, interior", &m);
    assert_close("interior", &m.x, &want, 1e-6);
    assert!(m.projected_gradient <= 1e-5);
}

#[test]
fn quadratic_with_solution_on_a_face() {
    // x₀ at its upper bound, x₂ at its lower bound, two free.
    let want = [1.0, 0.25, -1.0, -0.4];
    let q = Quadratic::with_minimiser(want, [-2.0, 0.0, 1.5, 0.0]);
    let m = LbfgsB::default().minimize(&[0.0; 4], &unit_box(), |x, g| q.eval(x, g)).unwrap();
    report("quadratic, face", &m);
    assert_eq!((m.x[0], m.x[2]), (1.0, -1.0), "active variables sit exactly on their bounds");
    assert_close("face", &m.x, &want, 1e-6);
}

#[test]
fn quadratic_with_solution_at_a_corner() {
    let want = [1.0, -1.0, 1.0, -1.0];
    let q = Quadratic::with_minimiser(want, [-3.0, 2.0, -1.0, 0.5]);
    let m = LbfgsB::default().minimize(&[0.1, 0.2, -0.3, 0.4], &unit_box(), |x, g| q.eval(x, g)).unwrap();
    report("quadratic, corner", &m);
    assert_eq!(m.x, want.to_vec(), "a corner solution is reached exactly");
    assert_eq!(m.projected_gradient, 0.0);
}

fn rosenbrock(x: &[f64], g: &mut [f64]) -> f64 {
    let n = x.len();
    g.iter_mut().for_each(|v| *v = 0.0);
    let mut f = 0.0;
    for i in 0..n - 1 {
        let t = x[i + 1] - x[i] * x[i];
        let u = 1.0 - x[i];
        f += 100.0 * t * t + u * u;
        g[i] += -400.0 * x[i] * t - 2.0 * u;
        g[i + 1] += 200.0 * t;
    }
    f
}

#[test]
fn rosenbrock_without_active_bounds() {
    for n in [2, 10] {
        let bounds = Bounds::new(vec![-5.0; n], vec![5.0; n]).unwrap();
        let x0: Vec<f64> = (0..n).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect();
        let m = LbfgsB { pgtol: 1e-10, factr: 10.0, ..Default::default() }.minimize(&x0, &bounds, rosenbrock).unwrap();
        report(&format!("rosenbrock n={n}, inactive bounds"), &m);
        assert_close("rosenbrock", &m.x, &vec![1.0; n], 1e-6);
        assert!(m.iterations < 200, "{} iterations", m.iterations);
    }
}

#[test]
fn rosenbrock_with_an_active_bound() {
    // x₀ ≤ 0.5: along the valley x₁ = x₀² the remaining term (1 − x₀)² is
    // smallest at the bound, so x* = (0.5, 0.25) with ∂f/∂x₀ = −1 < 0 there.
    let bounds = Bounds::new(vec![-2.0, -2.0], vec![0.5, 2.0]).unwrap();
    let m = LbfgsB { pgtol: 1e-10, factr: 10.0, ..Default::default() }.minimize(&[-1.2, 1.0], &bounds, rosenbrock).unwrap();
    report("rosenbrock, x₀ ≤ 0.5 active", &m);
    assert_eq!(m.x[0], 0.5);
    assert_close("rosenbrock bounded", &m.x, &[0.5, 0.25], 1e-8);
    assert!((m.g[0] + 1.0).abs() < 1e-6, "multiplier {}", m.g[0]);
}

#[test]
fn degenerate_start_on_a_bound() {
    // f = x₀² + (x₁ − 2)², x₀ ≥ 0: starting at x₀ = 0 its gradient is exactly
    // zero on the bound (neither pushing out nor in).
    let bounds = Bounds::new(vec![0.0, f64::NEG_INFINITY], vec![f64::INFINITY, f64::INFINITY]).unwrap();
    let f = |x: &[f64], g: &mut [f64]| {
        g[0] = 2.0 * x[0];
        g[1] = 2.0 * (x[1] - 2.0);
        x[0] * x[0] + (x[1] - 2.0) * (x[1] - 2.0)
    };
    let m = LbfgsB::default().minimize(&[0.0, 5.0], &bounds, f).unwrap();
    report("degenerate start on a bound", &m);
    assert_eq!(m.x[0], 0.0);
    assert_close("degenerate", &m.x, &[0.0, 2.0], 1e-6);
    // Starting exactly at a solution on a corner: no iteration at all.
    let m = LbfgsB::default().minimize(&[0.0, 2.0], &bounds, f).unwrap();
    report("start at the solution", &m);
    assert_eq!((m.iterations, m.evaluations, m.termination), (0, 1, Termination::ProjectedGradient));
    // A start outside the box is projected onto it first.
    let m = LbfgsB::default().minimize(&[-3.0, 2.0], &bounds, f).unwrap();
    assert_eq!((m.x.clone(), m.iterations), (vec![0.0, 2.0], 0));
}

#[test]
fn runs_on_many_threads_at_once_give_the_serial_results() {
    // No global state: eight threads minimising different Rosenbrock starts
    // agree bit for bit with the serial runs.
    let bounds = Bounds::new(vec![-2.0; 6], vec![0.9; 6]).unwrap();
    let starts: Vec<Vec<f64>> = (0..16).map(|s| (0..6).map(|i| -1.5 + 0.13 * ((s * 7 + i * 3) % 23) as f64).collect()).collect();
    let serial: Vec<Minimum> = starts.iter().map(|x0| LbfgsB::default().minimize(x0, &bounds, rosenbrock).unwrap()).collect();
    std::thread::scope(|s| {
        for t in 0..8 {
            let (starts, serial, bounds) = (&starts, &serial, &bounds);
            s.spawn(move || {
                for j in 0..starts.len() {
                    let i = (j + 3 * t) % starts.len();
                    assert_eq!(LbfgsB::default().minimize(&starts[i], bounds, rosenbrock).unwrap(), serial[i], "thread {t}, start {i}");
                }
            });
        }
    });
}

#[test]
fn bad_settings_and_dimensions_are_errors() {
    let b = Bounds::unbounded(2);
    let f = |_: &[f64], g: &mut [f64]| {
        g.fill(0.0);
        0.0
    };
    assert!(LbfgsB { memory: 0, ..Default::default() }.minimize(&[0.0, 0.0], &b, f).is_err());
    assert!(LbfgsB::default().minimize(&[0.0], &b, f).is_err());
}

mod kkt {
    use pathconf::optim::{Bounds, LbfgsB};
    use pathconf::verify::search::case::proptest_config;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(proptest_config(128))]

        /// On random strictly convex quadratics `½xᵀAx − bᵀx` (`A = LLᵀ +
        /// 0.1 I`) over random boxes, the result satisfies the
        /// bound-constrained KKT conditions: a free variable's gradient is
        /// ~0, one at its lower bound has gradient ≥ 0, at its upper ≤ 0
        /// (tolerance 1e-6 with pgtol 1e-9).
        #[test]
        fn the_result_satisfies_the_kkt_conditions(
            n in 1usize..6,
            l in prop::collection::vec(-2.0f64..2.0, 36),
            b in prop::collection::vec(-5.0f64..5.0, 6),
            lo in prop::collection::vec(-2.0f64..0.0, 6),
            width in prop::collection::vec(0.01f64..3.0, 6),
            start in prop::collection::vec(0.0f64..1.0, 6),
        ) {
            let a: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|j| (0..n).map(|k| l[i * 6 + k] * l[j * 6 + k]).sum::<f64>() + if i == j { 0.1 } else { 0.0 }).collect()).collect();
            let (lower, upper): (Vec<f64>, Vec<f64>) = (0..n).map(|i| (lo[i], lo[i] + width[i])).unzip();
            let x0: Vec<f64> = (0..n).map(|i| lower[i] + start[i] * (upper[i] - lower[i])).collect();
            let grad = |x: &[f64], g: &mut [f64]| -> f64 {
                let mut f = 0.0;
                for i in 0..n {
                    let ax: f64 = (0..n).map(|j| a[i][j] * x[j]).sum();
                    g[i] = ax - b[i];
                    f += 0.5 * x[i] * ax - b[i] * x[i];
                }
                f
            };
            let bounds = Bounds::new(lower.clone(), upper.clone()).unwrap();
            let m = LbfgsB { pgtol: 1e-9, factr: 10.0, ..Default::default() }.minimize(&x0, &bounds, grad).unwrap();
            let mut g = vec![0.0; n];
            grad(&m.x, &mut g);
            let scale = 1.0 + g.iter().map(|v| v.abs()).fold(0.0, f64::max);
            for i in 0..n {
                prop_assert!(m.x[i] >= lower[i] && m.x[i] <= upper[i], "x[{i}] = {} outside [{}, {}]", m.x[i], lower[i], upper[i]);
                let tol = 1e-6 * scale;
                if m.x[i] <= lower[i] + 1e-12 {
                    prop_assert!(g[i] >= -tol, "x[{i}] at its lower bound with gradient {}", g[i]);
                } else if m.x[i] >= upper[i] - 1e-12 {
                    prop_assert!(g[i] <= tol, "x[{i}] at its upper bound with gradient {}", g[i]);
                } else {
                    prop_assert!(g[i].abs() <= tol, "free x[{i}] = {} with gradient {} ({:?})", m.x[i], g[i], m.termination);
                }
            }
        }
    }
}
