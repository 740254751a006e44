//! One L-BFGS-B run of the mixture fit through the `lbfgsb` crate's C port
//! (Byrd–Lu–Nocedal–Zhu v3.0, scipy's version), on the box
//! `w ∈ [0.2, 0.8]`, `k₁, λ₁, k₂, λ₂ ≥ 0.01`, memory `m = 10`.
//!
//! The C code is an f2c translation whose locals are `static`, so two
//! threads must never be inside it at once. Between calls, however, it keeps
//! nothing in those statics: L-BFGS-B talks to its caller by reverse
//! communication (`setulb` returns to ask for `f` and `g` at `x`, or to
//! report a new iterate), and every value it needs on the next call is saved
//! in the caller's `wa`/`iwa`/`isave`/`dsave`/`lsave` arrays and restored on
//! entry (`setulb`, `mainlb` and the line search `dcsrch` all do so). So the
//! lock is held for each `setulb` call only, and other threads evaluate
//! their objectives meanwhile.

use super::fit::{PARAM_FLOOR, W_BOUNDS};
use std::sync::atomic::{AtomicBool, Ordering};

const N: usize = 5;
const M: usize = 10;
/// `lbfgsb.h`'s task codes: start, new iterate, and the range of codes that
/// ask for `f` and `g`.
const TASK_START: i64 = 1;
const TASK_NEW_X: i64 = 2;
const TASK_FG: i64 = 10;
const TASK_FG_END: i64 = 15;

/// The outcome of one run: the best point seen (not necessarily the last).
pub(super) struct Run {
    /// Best parameters `(w, k₁, λ₁, k₂, λ₂)`.
    pub x: Vec<f64>,
    /// Objective there.
    pub f: f64,
    /// Objective evaluations used.
    pub evaluations: usize,
}

/// Minimises `objective` (value, gradient written to its second argument)
/// from `x0` with tolerances `factr`, `pgtol` (scipy's meaning), stopping
/// after `max_evals` evaluations at the latest.
pub(super) fn minimise(x0: &[f64], factr: f64, pgtol: f64, max_evals: usize, mut objective: impl FnMut(&[f64], &mut [f64]) -> f64) -> Run {
    let mut x = x0.to_vec();
    let (mut f, mut g) = (0.0, [0.0; N]);
    let lower = [W_BOUNDS.0, PARAM_FLOOR, PARAM_FLOOR, PARAM_FLOOR, PARAM_FLOOR];
    let upper = [W_BOUNDS.1, 0.0, 0.0, 0.0, 0.0];
    // 2 = both bounds, 1 = lower bound only.
    let nbd: [i64; N] = [2, 1, 1, 1, 1];
    // Lengths as `setulb` documents them.
    let mut wa = vec![0.0; 2 * M * N + 5 * N + 11 * M * M + 8 * M];
    let mut iwa = [0i64; 3 * N];
    let (mut csave, mut lsave, mut isave, mut dsave) = ([0i64; 60], [0i64; 4], [0i64; 44], [0.0; 29]);
    let (n, m, iprint, mut task) = (N as i64, M as i64, -1i64, TASK_START);
    let mut best = Run { x: x0.to_vec(), f: f64::INFINITY, evaluations: 0 };
    loop {
        {
            let _inside = CSolver::enter();
            // SAFETY: every pointer is to a live buffer of the length setulb
            // documents for n = 5, m = 10, and `_inside` keeps other threads
            // out of the C code for the call.
            unsafe {
                lbfgsb::setulb(
                    &n, &m, x.as_mut_ptr(), lower.as_ptr(), upper.as_ptr(), nbd.as_ptr(), &mut f, g.as_mut_ptr(), &factr, &pgtol, wa.as_mut_ptr(),
                    iwa.as_mut_ptr(), &mut task, &iprint, csave.as_mut_ptr(), lsave.as_mut_ptr(), isave.as_mut_ptr(), dsave.as_mut_ptr(),
                );
            }
        }
        if (TASK_FG..=TASK_FG_END).contains(&task) {
            best.evaluations += 1;
            f = objective(&x, &mut g);
            if f < best.f {
                best.x.copy_from_slice(&x);
                best.f = f;
            }
            // An exhausted budget is not an error: the best point seen is kept.
            if best.evaluations >= max_evals {
                break;
            }
        } else if task != TASK_NEW_X {
            // Converged, or stopped with a warning (an abnormal line search):
            // the best point seen is the answer either way.
            break;
        }
    }
    best
}

/// Whether a thread is inside the C solver.
static BUSY: AtomicBool = AtomicBool::new(false);

/// Exclusive access to the C solver for one `setulb` call. A call lasts a
/// few microseconds, so a waiting thread spins (reading, not writing, the
/// flag) and yields its core only now and then; `std::sync::Mutex` parks a
/// waiter on a futex after a short spin, and those hand-offs cost more than
/// running the objectives in parallel gains (DESIGN.md, "Speed of the
/// Weibull fit").
struct CSolver;

impl CSolver {
    fn enter() -> Self {
        loop {
            if !BUSY.swap(true, Ordering::Acquire) {
                return CSolver;
            }
            let mut spins = 0u32;
            while BUSY.load(Ordering::Relaxed) {
                spins = spins.wrapping_add(1);
                if spins.is_multiple_of(4096) {
                    std::thread::yield_now();
                } else {
                    std::hint::spin_loop();
                }
            }
        }
    }
}

impl Drop for CSolver {
    fn drop(&mut self) {
        BUSY.store(false, Ordering::Release);
    }
}
