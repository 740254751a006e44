//! Applying a rule to a sequence of sampled answers.

use super::rule::{beta_confidence, top_two, EscAnswer, StopRule};
use crate::select::select;

/// Where a rule stopped and what it answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Stopped {
    /// Samples consumed.
    pub used: usize,
    /// Accuracy credit: 1 or 0, or `1/#tied` for a plurality tie.
    pub credit: f64,
    /// The returned answer's share of the consumed samples.
    pub confidence: f64,
    /// `(share, correct)` of the answers the rule chose among (every sampled
    /// answer for a plurality; the window's answer alone for ESC), for the
    /// calibration metrics.
    pub rows: Vec<(f64, bool)>,
}

/// Runs `rule` on `answers` (answer indices in sampling order, `correct[a]`
/// whether answer `a` is right). A sequence shorter than the rule's maximum
/// ends the rule early: the rule then answers from every sample there is.
///
/// ```
/// use pathconf::stopping::{replay, StopRule};
/// let rule: StopRule = "esc:2:6".parse().unwrap();
/// // Windows (0,1), (1,1): the second is unanimous; the window's answer is 1.
/// let s = replay(&rule, &[0, 1, 1, 1, 0, 0], &[true, false]);
/// assert_eq!((s.used, s.credit), (4, 0.0));
/// ```
pub fn replay(rule: &StopRule, answers: &[u32], correct: &[bool]) -> Stopped {
    let mut counts = vec![0usize; correct.len()];
    let limit = rule.max_samples().min(answers.len());
    let plurality = |counts: &[usize], used: usize| {
        let s = select(counts.iter().zip(correct).map(|(&c, &ok)| (c as f64, ok)));
        let rows = counts.iter().zip(correct).filter(|(&c, _)| c > 0).map(|(&c, &ok)| (c as f64 / used.max(1) as f64, ok)).collect();
        Stopped { used, credit: s.credit, confidence: s.top / used.max(1) as f64, rows }
    };
    for (i, &a) in answers.iter().take(limit).enumerate() {
        counts[a as usize] += 1;
        let n = i + 1;
        match *rule {
            StopRule::Fixed { .. } => {}
            StopRule::Esc { window, answer, .. } => {
                if n % window == 0 && answers[n - window..n].iter().all(|&x| x == a) {
                    return match answer {
                        EscAnswer::Window => {
                            let (share, ok) = (counts[a as usize] as f64 / n as f64, correct[a as usize]);
                            Stopped { used: n, credit: if ok { 1.0 } else { 0.0 }, confidence: share, rows: vec![(share, ok)] }
                        }
                        EscAnswer::Majority => plurality(&counts, n),
                    };
                }
            }
            StopRule::AscBeta { threshold, .. } => {
                let (first, second) = top_two(&counts);
                if beta_confidence(first, second) >= threshold {
                    return plurality(&counts, n);
                }
            }
        }
    }
    plurality(&counts, limit)
}
