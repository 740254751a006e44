//! `pathconf verify`: a claim-by-claim audit of the paper's propositions and
//! theorems and of pathconf's own exact formulas.
//!
//! Every claim is evaluated on a grid of configurations ([`grid`]) that
//! includes degenerate ones (a path of probability 0, `p → 0`, many tiny
//! paths, `k = 1`, a certain answer, `n = 0` and `n = 1`). Each cell compares
//! the claimed value with the truth:
//! - on tiny spaces, the truth is exhaustive enumeration of all `N^n` samples
//!   (tolerance [`ENUM_TOL`]);
//! - on every cell with `n ≥ 1`, a Monte Carlo run of [`trials`](VerifyConfig::trials)
//!   samples gives a z-test; the critical value is Bonferroni-corrected over
//!   all z-tests of the run so that the family-wise false-alarm rate is at
//!   most [`FAMILY_ALPHA`](crate::montecarlo::agreement::FAMILY_ALPHA) (under the normal approximation; the standard
//!   error has a floor of `1/T`, one unobserved extreme outcome, so outcomes
//!   rarer than `1/T` cannot raise false alarms).
//!
//! Status of a claim ([`Status`]): `holds` (every cell agrees), `holds_as_bound`
//! (an inequality that is respected, or a printed equality that is off but
//! never below the truth), `differs` (a printed equality that is off in both
//! directions or below the truth: a finding, reported with the largest
//! deviation and the configuration that shows it), `fails` (an inequality
//! that is violated, or one of pathconf's own exact formulas that disagrees
//! with enumeration or Monte Carlo — which makes `verify` exit non-zero).
//!
//! [`search`] is the other audit (`verify --search N`): each claim on random
//! path distributions inside and outside its hypothesis, with minimal
//! counterexamples.

mod claims;
mod grid;
pub mod search;

pub use claims::{monte_carlo_trials, run, Cell, ClaimReport, Owner, Status, VerifyConfig};
pub use grid::{grid, AuditCase};

/// Absolute tolerance of closed form vs exhaustive enumeration.
pub const ENUM_TOL: f64 = 1e-12;
