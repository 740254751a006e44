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
}

/// A malformed rule.
#[derive(Debug, Error, Clone, PartialEq)]
#[error("stopping rule {text:?}: {reason} (expected fixed:N, esc:W:L[:window|majority] or asc-beta:T[:MAX])")]
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
            ["asc-beta", t, rest @ ..] if rest.len() <= 1 => {
                let threshold: f64 = t.trim().parse().map_err(|_| err("T must be a number"))?;
                if !(threshold > 0.5 && threshold < 1.0) {
                    return Err(err("T must lie in (0.5, 1)"));
                }
                let max = rest.first().map(|m| count(m, "MAX")).transpose()?.unwrap_or(DEFAULT_MAX);
                Ok(StopRule::AscBeta { threshold, max })
            }
            [kind, ..] if ["fixed", "esc", "asc-beta"].contains(kind) => Err(err("wrong number of parameters")),
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
        }
    }
}

impl StopRule {
    /// The most samples the rule can use.
    pub fn max_samples(&self) -> usize {
        match *self {
            StopRule::Fixed { n } => n,
            StopRule::Esc { max, .. } | StopRule::AscBeta { max, .. } => max,
        }
    }
}

/// Adaptive-Consistency's Beta statistic `P(x > ½)` for `x ~ Beta(a+1, b+1)`,
/// i.e. `1 − I_{1/2}(a+1, b+1)`.
///
/// ```
/// use pathconf::stopping::rule::beta_confidence;
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
    let (mut first, mut second) = (0usize, 0usize);
    for &c in counts {
        let c: usize = c.into();
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
        for text in ["fixed:8", "esc:5:40", "esc:5:40:majority", "asc-beta:0.95:64"] {
            let r: StopRule = text.parse().unwrap();
            assert_eq!(r.to_string(), text);
        }
        assert_eq!("asc-beta:0.95".parse::<StopRule>().unwrap(), StopRule::AscBeta { threshold: 0.95, max: 40 });
        for bad in ["fixed:0", "esc:5:42", "esc:5", "asc-beta:1.2", "asc-beta:x", "nope:3", "esc:5:40:last"] {
            let e = bad.parse::<StopRule>().unwrap_err().to_string();
            assert!(e.contains(bad), "{e}");
        }
    }
}
