//! Exact expected cost and accuracy of a stopping rule from the answer
//! distribution `p_a` (count-based rules see only answers, so paths lump
//! exactly into their answers).
//!
//! - `fixed:N`: SC's exact accuracy ([`crate::accuracy::sc`]), any number of
//!   answers;
//! - ESC: its own programme ([`super::esc`]), any number of answers;
//! - the rules checked after every sample (Adaptive-Consistency's Beta,
//!   Dirichlet, majority and entropy rules): the count-vector programme
//!   ([`super::count_vectors`]), whose states grow like `n^{K−1}` for `K`
//!   distinct masses, or the partition programme ([`super::partitions`]),
//!   whose cost does not depend on the masses. [`exact_cost`] — the one
//!   place that chooses — picks the one with fewer states; above both work
//!   bounds the caller falls back to Monte Carlo.

use super::count_vectors::{class_sizes, count_programme, lumped_states_bound};
use super::esc::{esc_exact, esc_expected_samples};
use super::outcome::ExactCost;
use super::partitions::{self, partition_programme};
use super::rule::StopRule;
use crate::accuracy::sc::sc_accuracy;

/// The exact cost of `rule` for answer masses `masses` and correct answer
/// `correct` by the best programme for it, or `None` when none is feasible
/// (too many states; or a rule that reads paths, not answers).
pub fn exact_cost(rule: &StopRule, masses: &[f64], correct: Option<usize>) -> Option<ExactCost> {
    match *rule {
        StopRule::Fixed { n } => Some(ExactCost { expected_samples: n as f64, accuracy: sc_accuracy(masses, correct, n)[n] }),
        StopRule::Esc { window, max, answer } => esc_exact(masses, correct, window, max, answer).or_else(|| count_programme(rule, masses, correct)),
        StopRule::PcStop { .. } => None,
        _ => {
            // The cheaper of the two exact programmes first: the count
            // vectors when equal masses lump them small, else the partitions.
            let k = masses.iter().filter(|&&p| p > 0.0).count();
            let sizes = class_sizes(masses, correct);
            if lumped_states_bound(&sizes, rule.max_samples()) <= partitions::states(k, rule.max_samples()) {
                count_programme(rule, masses, correct).or_else(|| partition_programme(rule, masses, correct))
            } else {
                partition_programme(rule, masses, correct).or_else(|| count_programme(rule, masses, correct))
            }
        }
    }
}

/// The expected samples of `rule` when they are known exactly although its
/// accuracy may not be (ESC's `E[N]` has a closed form at any length); else
/// `None`.
pub fn exact_expected_samples(rule: &StopRule, masses: &[f64]) -> Option<f64> {
    match *rule {
        StopRule::Fixed { n } => Some(n as f64),
        StopRule::Esc { window, max, .. } => Some(esc_expected_samples(masses, window, max)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `fixed:n` is exact at any `n` through SC's own programme — beyond the
    /// partition programme's cap of 127 and the count programme's work cap
    /// (five distinct masses at n = 500). (Mutation testing: sending `fixed`
    /// to the stopping programmes went unseen; every test's n was small.)
    #[test]
    fn a_fixed_budget_is_exact_at_any_n() {
        let masses = [0.3, 0.25, 0.2, 0.15, 0.1];
        let rule = StopRule::Fixed { n: 500 };
        let c = exact_cost(&rule, &masses, Some(1)).expect("fixed:500 is SC at 500 samples");
        assert_eq!(c.expected_samples, 500.0);
        assert_eq!(c.accuracy, sc_accuracy(&masses, Some(1), 500)[500]);
        assert!(c.accuracy > 0.0 && c.accuracy < 0.5, "{c:?}");
    }

    /// ESC goes to its own programme first, exact at caps where the count
    /// programme refuses: here six distinct masses at L = 144 (24 windows
    /// of 6), and `E[N]` equals ESC's closed form. (Mutation testing: sending ESC to
    /// the count programme went unseen; every test's cap was small.)
    #[test]
    fn esc_is_exact_at_long_caps() {
        let masses = [0.3, 0.22, 0.18, 0.14, 0.1, 0.06];
        let rule: StopRule = "esc:6:144".parse().unwrap();
        assert!(count_programme(&rule, &masses, Some(0)).is_none(), "the count programme should refuse this");
        let c = exact_cost(&rule, &masses, Some(0)).expect("ESC's programme works where the count programme refuses");
        let e_n = exact_expected_samples(&rule, &masses).expect("ESC's E[N] closed form");
        assert!((c.expected_samples - e_n).abs() < 1e-9 * e_n, "{c:?} vs {e_n}");
        assert!(c.accuracy > 0.3 && c.accuracy < 1.0, "{c:?}");
    }
}
