//! The rules, their syntax and their stopping tests.

use serde::Serialize;
use std::fmt;
use thiserror::Error;

/// Default cap of the Adaptive-Consistency rules (their experiments' 40).
pub const DEFAULT_MAX: usize = 40;

/// Which answer ESC returns when a window is unanimous.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EscAnswer {
    /// The unanimous window's answer (the authors' code).
    Window,
    /// The plurality of every sample so far.
    Majority,
}

/// A stopping rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum StopRule {
    /// Always `n` samples.
    Fixed {
        /// The number of samples.
        n: usize,
    },
    /// Early-stopping self-consistency.
    Esc {
        /// Window size `W`.
        window: usize,
        /// Largest number of samples `L` (a multiple of `W`).
        max: usize,
        /// The answer returned on a unanimous window.
        answer: EscAnswer,
    },
    /// Adaptive-Consistency's Beta rule.
    AscBeta {
        /// Stop when the posterior probability that the leader beats the
        /// runner-up reaches this.
        threshold: f64,
        /// Largest number of samples.
        max: usize,
    },
    /// Adaptive-Consistency's Dirichlet rule (exact; see [`super::dirichlet`]).
    AscDirichlet {
        /// Stop when the posterior probability that the leader's share is the
        /// largest reaches this.
        threshold: f64,
        /// Largest number of samples.
        max: usize,
    },
    /// Adaptive-Consistency's majority rule: the leader's share of the
    /// samples reaches the threshold (never after one sample).
    AscMajority {
        /// The share.
        threshold: f64,
        /// Largest number of samples.
        max: usize,
    },
    /// Adaptive-Consistency's entropy rule: the normalised entropy of the
    /// answer counts falls to the threshold (never after one sample).
    AscEntropy {
        /// The normalised entropy.
        threshold: f64,
        /// Largest number of samples.
        max: usize,
    },
    /// pathconf's rule from the theory: stop once the sampled paths'
    /// probabilities settle which answer has the largest mass (see
    /// [`super::pc_stop`]).
    PcStop {
        /// How the mass of the paths not yet seen is bounded.
        unseen: Unseen,
        /// Largest number of samples.
        max: usize,
    },
}

/// How [`StopRule::PcStop`] accounts for the paths not yet sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unseen {
    /// `1 − Σ_seen p(t)`: exact when `p(t)` are the sampling probabilities of
    /// whole paths (the theory; sequence log-probabilities in files).
    Certify,
    /// Good–Turing: the share of samples whose path was seen exactly once,
    /// with the seen paths' relative probabilities scaled to the rest.
    GoodTuring,
}

/// Every rule's name.
pub const KINDS: [&str; 8] = ["fixed", "esc", "asc-beta", "asc-dirichlet", "asc-majority", "asc-entropy", "pc-certify", "pc-gt"];

/// A malformed rule.
#[derive(Debug, Error, Clone, PartialEq)]
#[error("stopping rule {text:?}: {reason} (expected fixed:N, esc:W:L[:window|majority], asc-beta:T[:MAX], asc-dirichlet:T[:MAX], asc-majority:T[:MAX], asc-entropy:T[:MAX], pc-certify[:MAX] or pc-gt[:MAX])")]
pub struct RuleError {
    /// What was given.
    pub text: String,
    /// What is wrong.
    pub reason: String,
}

impl std::str::FromStr for StopRule {
    type Err = RuleError;

    fn from_str(text: &str) -> Result<Self, RuleError> {
        let err = |reason: &str| RuleError { text: text.to_string(), reason: reason.to_string() };
        let parts: Vec<&str> = text.trim().split(':').collect();
        let count = |s: &str, what: &str| -> Result<usize, RuleError> {
            match s.trim().parse::<usize>() {
                Ok(k) if k >= 1 => Ok(k),
                _ => Err(err(&format!("{what} must be a positive integer, got {s:?}"))),
            }
        };
        match parts.as_slice() {
            ["fixed", n] => Ok(StopRule::Fixed { n: count(n, "N")? }),
            ["esc", w, l, rest @ ..] if rest.len() <= 1 => {
                let (window, max) = (count(w, "W")?, count(l, "L")?);
                if max % window != 0 {
                    return Err(err("L must be a multiple of W"));
                }
                let answer = match rest.first().map(|s| s.trim()) {
                    None | Some("window") => EscAnswer::Window,
                    Some("majority") => EscAnswer::Majority,
                    Some(other) => return Err(err(&format!("unknown ESC answer {other:?} (window or majority)"))),
                };
                Ok(StopRule::Esc { window, max, answer })
            }
            [kind @ ("asc-beta" | "asc-dirichlet" | "asc-majority" | "asc-entropy"), t, rest @ ..] if rest.len() <= 1 => {
                let threshold: f64 = t.trim().parse().map_err(|_| err("T must be a number"))?;
                let max = rest.first().map(|m| count(m, "MAX")).transpose()?.unwrap_or(DEFAULT_MAX);
                let (lo, hi, closed) = match *kind {
                    "asc-beta" | "asc-dirichlet" => (0.5, 1.0, false),
                    "asc-majority" => (0.5, 1.0, true),
                    _ => (0.0, 1.0, false),
                };
                if !(threshold > lo && (threshold < hi || (closed && threshold == hi))) {
                    return Err(err(&format!("T must lie in ({lo}, {hi}{}", if closed { "]" } else { ")" })));
                }
                Ok(match *kind {
                    "asc-beta" => StopRule::AscBeta { threshold, max },
                    "asc-dirichlet" => StopRule::AscDirichlet { threshold, max },
                    "asc-majority" => StopRule::AscMajority { threshold, max },
                    _ => StopRule::AscEntropy { threshold, max },
                })
            }
            [kind @ ("pc-certify" | "pc-gt"), rest @ ..] if rest.len() <= 1 => {
                let max = rest.first().map(|m| count(m, "MAX")).transpose()?.unwrap_or(DEFAULT_MAX);
                let unseen = if *kind == "pc-certify" { Unseen::Certify } else { Unseen::GoodTuring };
                Ok(StopRule::PcStop { unseen, max })
            }
            [kind, ..] if KINDS.contains(kind) => Err(err("wrong number of parameters")),
            _ => Err(err("unknown rule")),
        }
    }
}

impl fmt::Display for StopRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopRule::Fixed { n } => write!(f, "fixed:{n}"),
            StopRule::Esc { window, max, answer: EscAnswer::Window } => write!(f, "esc:{window}:{max}"),
            StopRule::Esc { window, max, answer: EscAnswer::Majority } => write!(f, "esc:{window}:{max}:majority"),
            StopRule::AscBeta { threshold, max } => write!(f, "asc-beta:{threshold}:{max}"),
            StopRule::AscDirichlet { threshold, max } => write!(f, "asc-dirichlet:{threshold}:{max}"),
            StopRule::AscMajority { threshold, max } => write!(f, "asc-majority:{threshold}:{max}"),
            StopRule::AscEntropy { threshold, max } => write!(f, "asc-entropy:{threshold}:{max}"),
            StopRule::PcStop { unseen: Unseen::Certify, max } => write!(f, "pc-certify:{max}"),
            StopRule::PcStop { unseen: Unseen::GoodTuring, max } => write!(f, "pc-gt:{max}"),
        }
    }
}

impl StopRule {
    /// The most samples the rule can use.
    pub fn max_samples(&self) -> usize {
        match *self {
            StopRule::Fixed { n } => n,
            StopRule::Esc { max, .. }
            | StopRule::AscBeta { max, .. }
            | StopRule::AscDirichlet { max, .. }
            | StopRule::AscMajority { max, .. }
            | StopRule::AscEntropy { max, .. }
            | StopRule::PcStop { max, .. } => max,
        }
    }

    /// How its reference code treats draws without an answer
    /// ([`crate::invalid`]): ESC's code votes with a sentinel answer,
    /// Adaptive-Consistency's skips them (they still count as generations),
    /// `fixed:N` is SC (votes), and pathconf's PC rules vote as PC does.
    pub fn default_invalid(&self) -> crate::invalid::InvalidPolicy {
        use crate::invalid::InvalidPolicy::{Drop, Vote};
        match self {
            StopRule::Fixed { .. } | StopRule::Esc { .. } | StopRule::PcStop { .. } => Vote,
            StopRule::AscBeta { .. } | StopRule::AscDirichlet { .. } | StopRule::AscMajority { .. } | StopRule::AscEntropy { .. } => Drop,
        }
    }

    /// Whether the rule reads the sampled paths' identities and probabilities
    /// (not only their answers).
    pub fn needs_paths(&self) -> bool {
        matches!(self, StopRule::PcStop { .. })
    }

    /// Whether a rule checked after every sample stops at answer counts
    /// `counts` (`n` samples in all). `false` for the rules that decide
    /// otherwise (fixed, ESC's windows, the path rules).
    pub fn stops_on_counts(&self, counts: &[usize], n: usize) -> bool {
        self.stops_cached(counts, n, &mut StopCache::default())
    }

    /// [`Self::stops_on_counts`], remembering the Beta and Dirichlet
    /// statistics' verdicts in `cache` (they depend only on the top counts,
    /// which the exact programme meets again and again).
    pub fn stops_cached(&self, counts: &[usize], n: usize, cache: &mut StopCache) -> bool {
        match *self {
            StopRule::AscBeta { threshold, .. } => cache.beta(top_two(counts), threshold),
            StopRule::AscDirichlet { threshold, .. } => {
                if counts.iter().filter(|&&c| c > 0).count() < 3 {
                    cache.beta(top_two(counts), threshold)
                } else {
                    let mut sorted: Vec<usize> = counts.iter().copied().filter(|&c| c > 0).collect();
                    sorted.sort_unstable_by(|a, b| b.cmp(a));
                    sorted.truncate(super::dirichlet::TOP_K);
                    // The leader beats everyone only if it beats the runner-up,
                    // P(X_L > X_2) = the Beta statistic; and it fails to with
                    // probability at most Σ_j P(X_j > X_L) (union bound). Only
                    // between the two bounds is the statistic computed.
                    let lead = sorted[0];
                    if !cache.beta((lead, sorted[1]), threshold) {
                        return false;
                    }
                    let lose: f64 = sorted[1..].iter().map(|&c| 1.0 - beta_confidence(lead, c)).sum();
                    if 1.0 - lose >= threshold {
                        return true;
                    }
                    let mut top = [0u16; super::dirichlet::TOP_K];
                    top.iter_mut().zip(&sorted).for_each(|(t, &c)| *t = c as u16);
                    *cache.dirichlet.entry(top).or_insert_with(|| super::dirichlet::leader_probability(&sorted) >= threshold)
                }
            }
            StopRule::AscMajority { threshold, .. } => n > 1 && top_two(counts).0 as f64 / n as f64 >= threshold,
            StopRule::AscEntropy { threshold, .. } => n > 1 && normalised_entropy(counts) <= threshold,
            StopRule::Fixed { .. } | StopRule::Esc { .. } | StopRule::PcStop { .. } => false,
        }
    }
}

/// Verdicts of the Beta and Dirichlet statistics already computed (one cache
/// per rule: a verdict depends on the threshold).
#[derive(Debug, Default, Clone)]
pub struct StopCache {
    beta: foldhash::HashMap<(usize, usize), bool>,
    dirichlet: foldhash::HashMap<[u16; super::dirichlet::TOP_K], bool>,
}

impl StopCache {
    fn beta(&mut self, (a, b): (usize, usize), threshold: f64) -> bool {
        *self.beta.entry((a, b)).or_insert_with(|| beta_confidence(a, b) >= threshold)
    }
}

/// Adaptive-Consistency's normalised entropy of answer counts: the base-2
/// entropy of the shares over the log₂ of the number of distinct answers; a
/// single distinct answer is given a phantom second answer of count 1 (their
/// convention), so `n` equal answers give `H(n/(n+1), 1/(n+1))`.
///
/// ```
/// use pathconf_core::stopping::rule::normalised_entropy;
/// assert!((normalised_entropy(&[2, 2]) - 1.0).abs() < 1e-12);
/// // Four equal answers: H(0.8, 0.2) = 0.7219…, the first at most 0.75.
/// assert!(normalised_entropy(&[4]) < 0.75 && normalised_entropy(&[3]) > 0.75);
/// ```
pub fn normalised_entropy(counts: &[usize]) -> f64 {
    let mut seen: Vec<f64> = counts.iter().filter(|&&c| c > 0).map(|&c| c as f64).collect();
    if seen.len() < 2 {
        seen.push(1.0);
    }
    let total: f64 = seen.iter().sum();
    let h: f64 = seen.iter().map(|&c| -(c / total) * (c / total).log2()).sum();
    h / (seen.len() as f64).log2()
}

/// Adaptive-Consistency's Beta statistic `P(x > ½)` for `x ~ Beta(a+1, b+1)`,
/// i.e. `1 − I_{1/2}(a+1, b+1)`.
///
/// ```
/// use pathconf_core::stopping::rule::beta_confidence;
/// // All-equal samples: 1 − 2^{−(n+1)}, so 0.95 is first reached at n = 4.
/// assert!((beta_confidence(3, 0) - (1.0 - 0.0625)).abs() < 1e-12);
/// assert!(beta_confidence(3, 0) < 0.95 && beta_confidence(4, 0) >= 0.95);
/// ```
pub fn beta_confidence(a: usize, b: usize) -> f64 {
    1.0 - statrs::function::beta::beta_reg(a as f64 + 1.0, b as f64 + 1.0, 0.5)
}

/// The two largest counts `(a, b)` (`b = 0` with one answer), as the Beta
/// rule reads them.
pub fn top_two<T: Copy + Into<usize>>(counts: &[T]) -> (usize, usize) {
    top_two_of(counts.iter().map(|&c| c.into()))
}

/// The two largest of non-negative values (zero where there are fewer) —
/// counts for the Beta rule, seen masses for the PC rules.
pub fn top_two_of<T: Copy + PartialOrd + Default>(values: impl IntoIterator<Item = T>) -> (T, T) {
    let (mut first, mut second) = (T::default(), T::default());
    for c in values {
        if c > first {
            second = first;
            first = c;
        } else if c > second {
            second = c;
        }
    }
    (first, second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_print_and_reject_by_name() {
        for text in [
            "fixed:8",
            "esc:5:40",
            "esc:5:40:majority",
            "asc-beta:0.95:64",
            "asc-dirichlet:0.95:40",
            "asc-majority:0.8:40",
            "asc-entropy:0.75:40",
            "pc-certify:64",
            "pc-gt:40",
        ] {
            let r: StopRule = text.parse().unwrap();
            assert_eq!(r.to_string(), text);
        }
        assert_eq!("asc-beta:0.95".parse::<StopRule>().unwrap(), StopRule::AscBeta { threshold: 0.95, max: 40 });
        for bad in [
            "fixed:0",
            "esc:5:42",
            "esc:5",
            "asc-beta:1.2",
            "asc-beta:x",
            "nope:3",
            "esc:5:40:last",
            "asc-entropy:1.5",
            "pc-gt:0",
            "pc-certify:4:5",
            "esc:5:40:window:majority",
            "asc-beta:0.95:40:7",
        ] {
            let e = bad.parse::<StopRule>().unwrap_err().to_string();
            assert!(e.contains(bad), "{e}");
        }
    }

    /// Each Adaptive-Consistency rule has its own threshold range: the Beta
    /// and Dirichlet rules' posterior probability lies in (½, 1), the
    /// majority share in (½, 1], the entropy in (0, 1). (Mutation testing:
    /// the Beta and Dirichlet rules falling through to the entropy range
    /// (0, 1) went unseen.)
    #[test]
    fn each_rule_has_its_own_threshold_range() {
        for (text, ok) in [
            ("asc-beta:0.5", false),
            ("asc-beta:0.3", false),
            ("asc-beta:0.51", true),
            ("asc-beta:1", false),
            ("asc-dirichlet:0.5", false),
            ("asc-dirichlet:0.2", false),
            ("asc-dirichlet:0.6", true),
            ("asc-dirichlet:1", false),
            ("asc-majority:0.5", false),
            ("asc-majority:1", true),
            ("asc-entropy:0", false),
            ("asc-entropy:0.3", true),
            ("asc-entropy:1", false),
        ] {
            match text.parse::<StopRule>() {
                Ok(_) => assert!(ok, "{text} was accepted"),
                Err(e) => {
                    assert!(!ok, "{text} was rejected: {e}");
                    assert!(e.reason.starts_with("T must lie in"), "{text}: {}", e.reason);
                }
            }
        }
        assert_eq!("asc-beta:0.3".parse::<StopRule>().unwrap_err().reason, "T must lie in (0.5, 1)");
    }

    /// The reason names the mistake: a rule pathconf does not know, or one
    /// it knows given the wrong number of parameters. (Mutation testing:
    /// calling every unknown name a miscount passed.)
    #[test]
    fn a_rejected_rule_says_whether_its_name_or_its_parameters_are_wrong() {
        for (bad, reason) in [
            ("nope:3", "unknown rule"),
            ("fixed", "wrong number of parameters"),
            ("esc", "wrong number of parameters"),
            ("asc-beta:0.95:40:7", "wrong number of parameters"),
        ] {
            assert_eq!(bad.parse::<StopRule>().unwrap_err().reason, reason, "{bad}");
        }
    }
}
