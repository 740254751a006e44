//! Bound-constrained minimisation: L-BFGS-B, written in Rust from the papers.
//!
//! `minimise f(x) subject to l ≤ x ≤ u` for a smooth `f` with a gradient,
//! by the limited-memory BFGS method for bound constraints:
//! - [`bounds`]: the box, projections and the projected gradient;
//! - `memory`: the compact limited-memory matrix `B = θI − WMWᵀ`;
//! - `cauchy`: the generalised Cauchy point along the projected gradient path;
//! - `subspace`: minimisation over the free variables (direct primal method);
//! - [`line_search`]: the Moré–Thuente line search;
//! - [`lbfgsb`]: the driver, with scipy's defaults.
//!
//! All state lives in the call ([`LbfgsB::minimize`] takes `&self`), so any
//! number of minimisations run at once on different threads.
//!
//! ```
//! use pathconf_core::optim::{Bounds, LbfgsB, Termination};
//! // (x − 3)² + (y + 1)² on [0, 2] × [0, ∞): the minimiser is the corner (2, 0).
//! let bounds = Bounds::new(vec![0.0, 0.0], vec![2.0, f64::INFINITY]).unwrap();
//! let min = LbfgsB::default()
//!     .minimize(&[1.0, 1.0], &bounds, |x, g| {
//!         g[0] = 2.0 * (x[0] - 3.0);
//!         g[1] = 2.0 * (x[1] + 1.0);
//!         (x[0] - 3.0).powi(2) + (x[1] + 1.0).powi(2)
//!     })
//!     .unwrap();
//! assert_eq!(min.x, vec![2.0, 0.0]);
//! assert_eq!(min.termination, Termination::ProjectedGradient);
//! ```
//!
//! ## References
//! - R. H. Byrd, P. Lu, J. Nocedal, C. Zhu, *A limited memory algorithm for
//!   bound constrained optimization*, SIAM J. Sci. Comput. 16(5), 1995.
//! - J. L. Morales, J. Nocedal, *Remark on "Algorithm 778: L-BFGS-B"*, ACM
//!   TOMS 38(1), 2011 (the projected subspace step, "version 3.0").
//! - R. H. Byrd, J. Nocedal, R. B. Schnabel, *Representations of quasi-Newton
//!   matrices and their use in limited memory methods*, Math. Prog. 63, 1994.
//! - J. J. Moré, D. J. Thuente, *Line search algorithms with guaranteed
//!   sufficient decrease*, ACM TOMS 20(3), 1994.

pub mod bounds;
mod cauchy;
pub mod lbfgsb;
pub mod line_search;
mod memory;
mod subspace;

pub use bounds::Bounds;
pub use lbfgsb::{LbfgsB, Minimum, Termination};
pub use line_search::LineSearchParams;
use thiserror::Error;

/// Why a minimisation could not start.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum OptimError {
    /// Lower and upper bound vectors of different lengths.
    #[error("bounds: {lower} lower bounds but {upper} upper bounds")]
    BoundsLength {
        /// Number of lower bounds.
        lower: usize,
        /// Number of upper bounds.
        upper: usize,
    },
    /// A bound is NaN, infinite on the wrong side, or `lower > upper`.
    #[error("bounds of variable {index}: [{lower}, {upper}] is not an interval")]
    BadBound {
        /// The variable.
        index: usize,
        /// Its lower bound.
        lower: f64,
        /// Its upper bound.
        upper: f64,
    },
    /// The start point and the bounds disagree in length.
    #[error("start point has {start} variables but the bounds have {bounds}")]
    Dimension {
        /// Variables in the start point.
        start: usize,
        /// Variables in the bounds.
        bounds: usize,
    },
    /// Settings out of range (see [`LbfgsB`]'s table).
    #[error("L-BFGS-B settings out of range: {0:?}")]
    BadSettings(LbfgsB),
}
