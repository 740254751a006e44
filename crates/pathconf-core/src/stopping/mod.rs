//! Stopping rules: when to stop sampling paths for a question, and which
//! answer to return (issue #17). A rule sees the answers in the order they
//! were sampled and decides after each one.
//!
//! | rule | syntax | stops | answer |
//! |---|---|---|---|
//! | fixed | `fixed:N` | after `N` samples | plurality |
//! | ESC (Li et al., ICLR 2024) | `esc:W:L[:window\|majority]` | after the first window of `W` identical answers, at most `L` samples | that window's answer (the authors' code; default) or the plurality of all samples |
//! | Adaptive-Consistency, Beta (Aggarwal et al., EMNLP 2023) | `asc-beta:T[:MAX]` | when `1 − I_{1/2}(a+1, b+1) ≥ T` for the top two counts `a, b` (`b = 0` with one answer), at most `MAX` (default 40) | plurality |
//! | Adaptive-Consistency, Dirichlet | `asc-dirichlet:T[:MAX]` | when the Dirichlet posterior of the top five counts gives the leader the largest share with probability `≥ T` (exact, [`dirichlet`]); Beta with fewer than three distinct answers | plurality |
//! | Adaptive-Consistency, majority | `asc-majority:T[:MAX]` | when the leader's share `≥ T` (their 0.8), not after one sample | plurality |
//! | Adaptive-Consistency, entropy | `asc-entropy:T[:MAX]` | when the normalised entropy `≤ T` (their 0.75), not after one sample | plurality |
//! | pathconf, certified PC | `pc-certify[:MAX]` | when the seen paths' masses settle the answer of largest mass (`m_lead > m_second + unseen`, [`pc_stop`]) | PC's answer |
//! | pathconf, Good–Turing PC | `pc-gt[:MAX]` | the same with the unseen mass estimated by Good–Turing | PC's answer |
//!
//! The plurality splits ties (credit `1/#tied`), as everywhere in pathconf.

pub mod cost;
pub mod count_vectors;
pub mod dirichlet;
pub mod enumerate;
pub mod esc;
pub mod exact;
pub mod outcome;
pub mod partitions;
pub mod pc_stop;
pub mod replay;
pub mod rule;
pub mod simulate;

pub use outcome::{is_silent, ExactCost, Stopped};
pub use pc_stop::PathDraws;
pub use replay::{prefix_credits, replay, replay_any, replay_cached, replay_silent, replay_with_paths};
pub use rule::{EscAnswer, RuleError, StopCache, StopRule, Unseen};
