//! pathconf's stopping rule from the theory: stop once the sampled paths
//! settle which answer has the largest probability mass.
//!
//! Perplexity consistency credits each distinct sampled path with its
//! probability `p(t)` (paper Theorem 4), so after `n` samples answer `a` has
//! seen mass `m_a = Σ_{t ∈ a, seen} p(t)`, and the paths not yet seen carry
//! `U = 1 − Σ_a m_a`. Whatever the unseen paths' answers, answer `a`'s true
//! mass lies in `[m_a, m_a + U]`; once the leader's seen mass exceeds the
//! runner-up's by more than `U`,
//!
//! `m_lead > m_second + U`,
//!
//! the leader *is* the answer of largest mass — the answer SC and PC converge
//! to as `n → ∞` — and no further sample can change what the limit says: the
//! rule has removed all estimation error and kept only the model error
//! (paper §3). That is `pc-certify`. It needs `p(t)` to be the probability of
//! sampling the whole path; for long reasoning paths that probability is
//! tiny, `U` stays near 1 and the rule runs to its cap — an honest limit,
//! reported by `pathconf eval --stop`.
//!
//! `pc-gt` replaces the exact unseen mass with the Good–Turing estimate
//! `Û = N₁ / n` (`N₁` the number of paths seen exactly once) and scales the
//! seen paths' relative probabilities to the rest,
//! `m̂_a = (1 − Û) m_a / Σ_b m_b`, so it works with any positive path scores
//! (such as `exp(mean log-probability)`); it stops when
//! `m̂_lead > m̂_second + Û`.
//!
//! Both answer with PC's choice among the answers seen (ties split).

use super::outcome::{is_silent, Stopped};
use super::rule::{top_two_of, Unseen};
use crate::select::select_within;

/// The sampled paths behind a sequence of answers.
#[derive(Debug, Clone, Copy)]
pub struct PathDraws<'a> {
    /// Per sample, the path's identity (dense, `0..probs.len()`).
    pub ids: &'a [u32],
    /// Per identity, its probability (or positive score, for `pc-gt`).
    pub probs: &'a [f64],
}

/// Runs the rule on the first `limit` samples (`answers[i]` the answer of
/// path `draws.ids[i]`); scores within `tie_tol` (relative) tie, and a gap
/// must clear the unseen mass by more than `tie_tol` to settle the answer.
/// Paths of the answers marked in `silent` (per answer) cast no vote: seen,
/// their probability leaves the unseen mass but credits no answer.
pub fn replay_pc(unseen: Unseen, limit: usize, answers: &[u32], correct: &[bool], draws: &PathDraws, silent: Option<&[bool]>, tie_tol: f64) -> Stopped {
    // (id, times seen) of the paths seen so far: at most `limit` of them, so
    // a short list rather than a table over every path of the distribution.
    let mut seen: Vec<(u32, u32)> = Vec::with_capacity(limit.min(64));
    let mut mass = vec![0.0f64; correct.len()];
    let (mut seen_total, mut once) = (0.0f64, 0usize);
    let limit = limit.min(answers.len()).min(draws.ids.len());
    // The seen mass of the answers that vote (equal to `seen_total`, bit for
    // bit, when none is silent: the same terms in the same order).
    let mut voted = 0.0f64;
    let finish = |mass: &[f64], voted: f64, n: usize| {
        if voted <= 0.0 {
            return Stopped::no_answer(n);
        }
        let s = select_within(mass.iter().zip(correct).map(|(&m, &ok)| (m, ok)), tie_tol);
        let rows = mass.iter().zip(correct).filter(|(&m, _)| m > 0.0).map(|(&m, &ok)| (m / voted, ok)).collect();
        Stopped { used: n, credit: s.credit, confidence: s.top / voted, rows }
    };
    for (i, (&id, &a)) in draws.ids.iter().zip(answers).take(limit).enumerate() {
        let (id, a) = (id as usize, a as usize);
        let times = match seen.iter_mut().find(|s| s.0 as usize == id) {
            Some(s) => {
                s.1 += 1;
                s.1
            }
            None => {
                seen.push((id as u32, 1));
                1
            }
        };
        match times {
            1 => {
                once += 1;
                if !is_silent(silent, a as u32) {
                    mass[a] += draws.probs[id];
                    voted += draws.probs[id];
                }
                seen_total += draws.probs[id];
            }
            2 => once -= 1,
            _ => {}
        }
        let n = i + 1;
        let (first, second) = top_two_of(mass.iter().copied());
        let settled = match unseen {
            // The gap must clear the unseen mass by more than the tie
            // tolerance: a float sum of masses is only that exact.
            Unseen::Certify => first - second - (1.0 - seen_total).max(0.0) > tie_tol * first,
            Unseen::GoodTuring => {
                let u = once as f64 / n as f64;
                (1.0 - u) * (first - second) / seen_total - u > tie_tol
            }
        };
        if settled {
            return finish(&mass, voted, n);
        }
    }
    finish(&mass, voted, limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certify_stops_when_the_unseen_mass_cannot_close_the_gap() {
        // Paths: 0 (answer 0, 0.5), 1 (answer 1, 0.3), 2 (answer 1, 0.2).
        let probs = [0.5, 0.3, 0.2];
        let answers = [0, 1, 0, 1];
        let ids = [0, 1, 0, 2];
        let d = PathDraws { ids: &ids, probs: &probs };
        let s = replay_pc(Unseen::Certify, 10, &answers, &[true, false], &d, None, 1e-12);
        // After 2: 0.5 vs 0.3, unseen 0.2 → 0.5 > 0.5 fails; after 3, same;
        // after 4 all seen: 0.5 vs 0.5 → a tie, never settled; the cap (the
        // sequence's end) answers with the tie split.
        assert_eq!((s.used, s.credit), (4, 0.5));
        // A path of mass above ½ settles the answer as soon as it is seen.
        let probs = [0.6, 0.3, 0.1];
        let d = PathDraws { ids: &ids, probs: &probs };
        let s = replay_pc(Unseen::Certify, 10, &answers, &[true, false], &d, None, 1e-12);
        assert_eq!((s.used, s.credit), (1, 1.0));
        // Paths 0 (answer 0, 0.4), 1 (answer 1, 0.35), 2 (answer 1, 0.25):
        // after 1: 0.4 vs 0 + 0.6; after 2: 0.4 vs 0.35 + 0.25; after 4
        // (all seen): 0.4 vs 0.6 → answer 1 is settled, and wrong.
        let probs = [0.4, 0.35, 0.25];
        let d = PathDraws { ids: &ids, probs: &probs };
        let s = replay_pc(Unseen::Certify, 10, &answers, &[true, false], &d, None, 1e-12);
        assert_eq!((s.used, s.credit), (4, 0.0));
    }

    /// With every path silent there is no leader, so nothing is settled —
    /// not even once the whole mass has been seen (gap 0, unseen 0): the rule
    /// runs to the sequence's end and answers nothing. (Mutation testing:
    /// settling when the gap merely *equals* the tolerance stopped here at 2.)
    #[test]
    fn certify_never_settles_without_a_vote() {
        let probs = [0.5, 0.5];
        let (ids, answers) = ([0, 1, 0, 1, 0], [0, 1, 0, 1, 0]);
        let d = PathDraws { ids: &ids, probs: &probs };
        let s = replay_pc(Unseen::Certify, 10, &answers, &[true, false], &d, Some(&[true, true]), 1e-12);
        assert_eq!((s.used, s.credit, s.confidence, s.rows.len()), (5, 0.0, 0.0, 0));
        // One voting answer is settled as soon as the silent one's path is seen.
        let s = replay_pc(Unseen::Certify, 10, &answers, &[true, false], &d, Some(&[false, true]), 1e-12);
        assert_eq!((s.used, s.credit), (2, 1.0));
    }

    #[test]
    fn good_turing_waits_for_repeats() {
        let probs = [0.9, 0.1];
        let (ids, answers) = ([0, 0, 0, 1], [0, 0, 0, 1]);
        let d = PathDraws { ids: &ids, probs: &probs };
        let s = replay_pc(Unseen::GoodTuring, 10, &answers, &[true, false], &d, None, 1e-12);
        // n = 1: Û = 1; n = 2: Û = 0 (path 0 seen twice), m̂ = (1, 0) → stop.
        assert_eq!((s.used, s.credit), (2, 1.0));
    }

    /// Good–Turing stops only once `(1 − Û)(m̂₁ − m̂₂)/S > Û`: the gap, shrunk
    /// by the unseen share, must exceed that share itself. Paths 0 (answer
    /// 0, 0.4) and 1 (answer 1, 0.3); draws 0, 1, 0, 0, 0, 0. From n = 3
    /// one path is a singleton, so `Û = 1/n`, and `(1 − 1/n)(0.1/0.7)` stays
    /// below `1/n` until n = 8: the rule runs to the sequence's end (6).
    /// (Mutation testing: dividing by `Û` instead of subtracting it passed.)
    #[test]
    fn good_turing_weighs_the_gap_against_the_unseen_share() {
        let probs = [0.4, 0.3];
        let (ids, answers) = ([0, 1, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0]);
        let d = PathDraws { ids: &ids, probs: &probs };
        let s = replay_pc(Unseen::GoodTuring, 10, &answers, &[true, false], &d, None, 1e-12);
        assert_eq!((s.used, s.credit), (6, 1.0));
        // Two more draws of path 0: at n = 8, (7/8)(1/7) = 1/8 is not above
        // 1/8; at n = 9, (8/9)(1/7) = 0.127 > 1/9 = 0.111 — it stops.
        let (ids, answers) = ([0, 1, 0, 0, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
        let d = PathDraws { ids: &ids, probs: &probs };
        let s = replay_pc(Unseen::GoodTuring, 10, &answers, &[true, false], &d, None, 1e-12);
        assert_eq!((s.used, s.credit), (9, 1.0));
    }
}
