//! Two-component Weibull mixture, fitted by maximum likelihood — the
//! automatic reasoning-pruning rule of RPC as the reference implementation
//! (`compute_rpc.py`) applies it.
//!
//! Density `w·W(x; k₁, λ₁) + (1 − w)·W(x; k₂, λ₂)` with
//! `W(x; k, λ) = (k/λ)(x/λ)^{k−1} exp(−(x/λ)^k)`, bounds `w ∈ [0.2, 0.8]`,
//! `k, λ ≥ 0.01`, start `(0.5, 1, 1, 1.5, 2)` as in the reference. The
//! component with the larger mean `λ Γ(1 + 1/k)` is "high". A path is pruned
//! when its posterior membership of "low" exceeds "high" *and* its probability
//! is below the mean of all sampled probabilities.
//!
//! Everything is computed in log space, so nothing overflows where the
//! reference's `(x/λ)^(k−1)` does. See [`fit`] for the optimiser.
//!
//! ## References
//! - Zhou et al., NeurIPS 2025, Section 4.2 (reasoning pruning).
//! - Reference implementation: github WNJXYK/RPC, `compute_rpc.py`.

mod density;
mod fit;
mod lanes;
mod memo;
mod objective;
mod prune;

pub use density::{log_pdf, neg_log_likelihood, Mixture};
pub use fit::{fit, FitError, FitResult, PARAM_FLOOR, START, W_BOUNDS};
pub use memo::FitMemo;
pub use prune::{prune_mask, WeibullKeep, WeibullPruning};
