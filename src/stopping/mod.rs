//! Stopping rules: when to stop sampling paths for a question, and which
//! answer to return (issue #17). A rule sees the answers in the order they
//! were sampled and decides after each one.
//!
//! | rule | syntax | stops | answer |
//! |---|---|---|---|
//! | fixed | `fixed:N` | after `N` samples | plurality |
//! | ESC (Li et al., ICLR 2024) | `esc:W:L[:window\|majority]` | after the first window of `W` identical answers, at most `L` samples | that window's answer (the authors' code; default) or the plurality of all samples |
//! | Adaptive-Consistency, Beta (Aggarwal et al., EMNLP 2023) | `asc-beta:T[:MAX]` | when `1 − I_{1/2}(a+1, b+1) ≥ T` for the top two counts `a, b` (`b = 0` with one answer), at most `MAX` (default 40) | plurality |
//!
//! The plurality splits ties (credit `1/#tied`), as everywhere in pathconf.

pub mod cost;
pub mod exact;
pub mod replay;
pub mod rule;
pub mod simulate;

pub use replay::{replay, Stopped};
pub use rule::{EscAnswer, RuleError, StopRule};
