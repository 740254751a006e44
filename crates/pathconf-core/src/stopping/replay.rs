//! Applying a rule to a sequence of sampled answers.

use super::outcome::{is_silent, Stopped};
use super::pc_stop::{replay_pc, PathDraws};
use super::rule::{EscAnswer, StopCache, StopRule};
use crate::select::select;

/// Runs `rule` on `answers` (answer indices in sampling order, `correct[a]`
/// whether answer `a` is right). A sequence shorter than the rule's maximum
/// ends the rule early: the rule then answers from every sample there is.
/// Count-based rules only; the path rules ([`StopRule::needs_paths`]) go
/// through [`replay_with_paths`].
///
/// ```
/// use pathconf_core::stopping::{replay, StopRule};
/// let rule: StopRule = "esc:2:6".parse().unwrap();
/// // Windows (0,1), (1,1): the second is unanimous; the window's answer is 1.
/// let s = replay(&rule, &[0, 1, 1, 1, 0, 0], &[true, false]);
/// assert_eq!((s.used, s.credit), (4, 0.0));
/// ```
pub fn replay(rule: &StopRule, answers: &[u32], correct: &[bool]) -> Stopped {
    replay_cached(rule, answers, correct, &mut StopCache::default())
}

/// [`replay`] sharing `cache` (one per rule) across many sequences — the
/// Dirichlet statistic is costly and its verdicts recur.
pub fn replay_cached(rule: &StopRule, answers: &[u32], correct: &[bool], cache: &mut StopCache) -> Stopped {
    replay_silent(rule, answers, correct, None, cache)
}

/// [`replay_cached`] where the draws of the answers marked in `silent`
/// (per answer; `None`: none) cast no vote ([`crate::invalid::InvalidPolicy::Drop`]):
/// each still counts as a sample, but the rule never sees it — its counts
/// and its number of samples are those of the voting draws, and it is not
/// asked again after a silent draw (nothing it reads has changed). An ESC
/// window with a silent draw is not unanimous. With no voting draw by the
/// cap there is no answer: credit 0, confidence 0, no rows.
pub fn replay_silent(rule: &StopRule, answers: &[u32], correct: &[bool], silent: Option<&[bool]>, cache: &mut StopCache) -> Stopped {
    assert!(!rule.needs_paths(), "{rule} reads paths: use replay_with_paths");
    let mut counts = vec![0usize; correct.len()];
    let mut voted = 0usize;
    let limit = rule.max_samples().min(answers.len());
    let plurality = |counts: &[usize], used: usize, voted: usize| {
        if voted == 0 {
            return Stopped::no_answer(used);
        }
        let s = select(counts.iter().zip(correct).map(|(&c, &ok)| (c as f64, ok)));
        let rows = counts.iter().zip(correct).filter(|(&c, _)| c > 0).map(|(&c, &ok)| (c as f64 / voted as f64, ok)).collect();
        Stopped { used, credit: s.credit, confidence: s.top / voted as f64, rows }
    };
    for (i, &a) in answers.iter().take(limit).enumerate() {
        if is_silent(silent, a) {
            continue;
        }
        counts[a as usize] += 1;
        voted += 1;
        let n = i + 1;
        match *rule {
            StopRule::Fixed { .. } => {}
            StopRule::Esc { window, answer, .. } => {
                if n % window == 0 && answers[n - window..n].iter().all(|&x| x == a) {
                    return match answer {
                        EscAnswer::Window => {
                            let (share, ok) = (counts[a as usize] as f64 / voted as f64, correct[a as usize]);
                            Stopped { used: n, credit: if ok { 1.0 } else { 0.0 }, confidence: share, rows: vec![(share, ok)] }
                        }
                        EscAnswer::Majority => plurality(&counts, n, voted),
                    };
                }
            }
            _ => {
                if rule.stops_cached(&counts, voted, cache) {
                    return plurality(&counts, n, voted);
                }
            }
        }
    }
    plurality(&counts, limit, voted)
}

/// The plurality credit after each prefix `1..=max` of `answers` — `fixed:N`
/// for every `N` in one pass, ties split as [`select`] splits them (the share
/// of the tied leaders that are correct). A sequence shorter than `max`
/// repeats its last value (a question with fewer paths uses all of them).
/// Draws of the answers marked in `silent` cast no vote (no vote yet:
/// credit 0). Counts rise one at a time, so the leaders are tracked as they
/// change: O(1) per draw.
///
/// ```
/// use pathconf_core::stopping::prefix_credits;
/// // Answers 1, 0, 0 with 0 correct: wrong, a 1–1 tie, right — then repeated.
/// assert_eq!(prefix_credits(&[1, 0, 0], &[true, false], None, 4), [0.0, 0.5, 1.0, 1.0]);
/// ```
pub fn prefix_credits(answers: &[u32], correct: &[bool], silent: Option<&[bool]>, max: usize) -> Vec<f64> {
    let mut counts = vec![0usize; correct.len()];
    let (mut top, mut at_top, mut correct_at_top) = (0usize, 0usize, 0usize);
    let mut out = Vec::with_capacity(max);
    for &a in answers.iter().take(max) {
        if !is_silent(silent, a) {
            let c = &mut counts[a as usize];
            *c += 1;
            let ok = correct[a as usize] as usize;
            if *c > top {
                (top, at_top, correct_at_top) = (*c, 1, ok);
            } else if *c == top {
                at_top += 1;
                correct_at_top += ok;
            }
        }
        out.push(if top == 0 { 0.0 } else { correct_at_top as f64 / at_top as f64 });
    }
    let last = out.last().copied().unwrap_or(0.0);
    out.resize(max, last);
    out
}

/// Runs any rule: the path rules read `draws` (and tie PC's scores within
/// `tie_tol`, relative), the others only `answers` (sharing `cache`).
pub fn replay_with_paths(rule: &StopRule, answers: &[u32], correct: &[bool], draws: &PathDraws, tie_tol: f64, cache: &mut StopCache) -> Stopped {
    replay_any(rule, answers, correct, Some(draws), None, tie_tol, cache)
}

/// Runs any rule, with the draws of the answers marked in `silent` casting
/// no vote ([`replay_silent`]; for the path rules, [`replay_pc`]). `draws`
/// must be given for the path rules.
pub fn replay_any(
    rule: &StopRule,
    answers: &[u32],
    correct: &[bool],
    draws: Option<&PathDraws>,
    silent: Option<&[bool]>,
    tie_tol: f64,
    cache: &mut StopCache,
) -> Stopped {
    match (*rule, draws) {
        (StopRule::PcStop { unseen, max }, Some(draws)) => replay_pc(unseen, max, answers, correct, draws, silent, tie_tol),
        (StopRule::PcStop { .. }, None) => panic!("{rule} reads paths: give their draws"),
        _ => replay_silent(rule, answers, correct, silent, cache),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against `fixed:n` replayed alone, for every `n`, with and without a
    /// silent answer, and with two correct labels (a tie among them is full
    /// credit, as `select` gives).
    #[test]
    fn prefix_credits_are_fixed_budget_replays() {
        let answers = [2u32, 0, 1, 1, 0, 3, 0, 2, 2, 2, 4, 4, 4, 4];
        for correct in [[true, false, false, false, false], [true, false, false, false, true]] {
            for silent in [None, Some(&[false, false, false, true, false][..])] {
                let credits = prefix_credits(&answers, &correct, silent, answers.len() + 2);
                for (n, &c) in credits.iter().enumerate() {
                    let rule = StopRule::Fixed { n: n + 1 };
                    let r = replay_silent(&rule, &answers, &correct, silent, &mut StopCache::default());
                    assert_eq!(c, r.credit, "n = {}", n + 1);
                }
            }
        }
    }

    /// A stopped rule's confidence is its answer's vote share: ESC's
    /// window (1, 1) at n = 4 after 0, 1 answers 1 with 3 of 4 votes; the
    /// plurality at the cap is 2 of 3. (Mutation testing: the share was
    /// unchecked.)
    #[test]
    fn the_confidence_is_the_answer_s_vote_share() {
        let correct = [false, true, false];
        let rule: StopRule = "esc:2:4".parse().unwrap();
        let s = replay_silent(&rule, &[0, 1, 1, 1], &correct, None, &mut StopCache::default());
        assert_eq!((s.used, s.credit, s.confidence, s.rows.clone()), (4, 1.0, 0.75, vec![(0.75, true)]));
        let s = replay_silent(&"fixed:3".parse().unwrap(), &[2, 1, 2], &correct, None, &mut StopCache::default());
        assert_eq!((s.used, s.credit), (3, 0.0));
        assert!((s.confidence - 2.0 / 3.0).abs() < 1e-15, "{}", s.confidence);
        // Its rows: the vote share of each answer that got a vote, by answer.
        // (Mutation testing: rows of the answers with no vote went unseen.)
        assert_eq!(s.rows, vec![(1.0 / 3.0, true), (2.0 / 3.0, false)]);
    }
}
