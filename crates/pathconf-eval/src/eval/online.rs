//! Stopping rules applied while sampling (`pathconf sample --endpoint
//! --stop RULE`): after each draw, in draw order, whether the question has
//! enough — decided by the offline replay itself ([`crate::stopping::replay_any`]),
//! so that `pathconf eval FILE --stop RULE --order file` stops every question
//! where the online run stopped it.
//!
//! The state of a question is its draws so far (a [`RawQuestion`]); the
//! verdict after `k` draws replays the rule on them followed by one
//! placeholder draw of a new answer: the rule stopped by draw `k` exactly
//! when the replay does not consume the placeholder. Re-running the replay
//! costs `O(k)` per draw, nothing beside a server's round trip, and there is
//! no second implementation of any rule to keep in step with the first.

use super::equivalence::AnswerEquality;
use super::methods::{Prepared, ProbMode};
use super::stopping::prob_mode_of;
use super::RawQuestion;
use crate::invalid::InvalidPolicy;
use crate::stopping::{replay_any, EscAnswer, PathDraws, StopCache, StopRule, Stopped};

/// What to do next for a question.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The rule stopped: the draws it used (the first `used`) and its
    /// outcome on them (credit against the truth the question carries).
    Stop(Stopped),
    /// Not yet: at least this many more draws before the rule could stop
    /// (the batch to request next).
    More(usize),
}

/// One rule, applied online to questions capped at `cap` draws.
#[derive(Debug, Clone)]
pub struct OnlineRule {
    rule: StopRule,
    cap: usize,
    policy: InvalidPolicy,
    equal: AnswerEquality,
    cache: StopCache,
}

impl OnlineRule {
    /// `rule` with at most `cap` draws per question (a rule whose own cap is
    /// larger stops at `cap`, as its replay on a file of `cap` draws does);
    /// invalid draws handled as `invalid` says, or as the rule's reference does.
    pub fn new(rule: StopRule, cap: usize, invalid: Option<InvalidPolicy>, equal: AnswerEquality) -> Self {
        assert!(cap >= 1, "a question needs at least one draw");
        Self { rule, cap, policy: invalid.unwrap_or_else(|| rule.default_invalid()), equal, cache: StopCache::default() }
    }

    /// The rule.
    pub fn rule(&self) -> StopRule {
        self.rule
    }

    /// The most draws per question.
    pub fn cap(&self) -> usize {
        self.cap.min(self.rule.max_samples())
    }

    /// How invalid draws are treated.
    pub fn policy(&self) -> InvalidPolicy {
        self.policy
    }

    /// The verdict after the draws of `q` (in draw order). Path rules need
    /// each draw's log-probabilities (the sequence's for `pc-certify`).
    pub fn decide(&mut self, q: &RawQuestion) -> Result<Verdict, String> {
        let k = q.paths.len();
        let cap = self.cap();
        if k == 0 {
            return Ok(Verdict::More(self.fewest_more(q, 0, cap)?));
        }
        let stopped = self.replay_on(q, &[], true)?;
        if stopped.used <= k {
            return Ok(Verdict::Stop(stopped));
        }
        if k >= cap {
            // The rule's own cap is above `cap`: it answers from every draw
            // there is, as its replay on a file of `cap` draws does.
            return Ok(Verdict::Stop(self.replay_on(q, &[], false)?));
        }
        Ok(Verdict::More(self.fewest_more(q, k, cap)?))
    }

    /// The replay on `q`'s draws, then the draws of the existing groups in
    /// `extra` (hypothetical: the same answer again), then — with
    /// `placeholder` — one draw of a new answer (a path of probability 0 for
    /// the path rules, which are never given `extra`).
    fn replay_on(&mut self, q: &RawQuestion, extra: &[u32], placeholder: bool) -> Result<Stopped, String> {
        let prepared = Prepared::new(q, (0..q.paths.len()).collect(), &self.equal, prob_mode_of(&self.rule), InvalidPolicy::Vote)?;
        let (answers, correct) = prepared.groups();
        let (mut answers, mut correct, mut silent) = (answers.to_vec(), correct.to_vec(), prepared.invalid_groups());
        answers.extend_from_slice(extra);
        let mut draws = self.rule.needs_paths().then(|| prepared.path_draws());
        if placeholder {
            answers.push(correct.len() as u32);
            correct.push(false);
            silent.push(false);
            if let Some((ids, probs)) = draws.as_mut() {
                ids.push(probs.len() as u32);
                probs.push(0.0);
            }
        }
        let silent = (self.policy == InvalidPolicy::Drop).then_some(silent.as_slice());
        let draws = draws.as_ref().map(|(ids, probs)| PathDraws { ids, probs });
        Ok(replay_any(&self.rule, &answers, &correct, draws.as_ref(), silent, 0.0, &mut self.cache))
    }

    /// The fewest further draws after `k` that could let the rule stop
    /// (at least 1, at most `cap − k`): to the end of a fixed budget or of
    /// ESC's window; for the count rules, the fewest further copies of the
    /// leading answer that make the rule stop (a lower bound: no other answer
    /// moves a count statistic faster); one for the path rules (their
    /// verdict depends on paths not yet seen).
    fn fewest_more(&mut self, q: &RawQuestion, k: usize, cap: usize) -> Result<usize, String> {
        let room = cap.saturating_sub(k).max(1);
        let more = match self.rule {
            StopRule::Fixed { n } => n.saturating_sub(k),
            StopRule::Esc { window, answer: EscAnswer::Window | EscAnswer::Majority, .. } => window - k % window,
            StopRule::PcStop { .. } => 1,
            _ if k == 0 => 1,
            _ => {
                let prepared = Prepared::new(q, (0..k).collect(), &self.equal, ProbMode::Mean, InvalidPolicy::Vote)?;
                let (answers, _) = prepared.groups();
                let invalid = prepared.invalid_groups();
                let mut counts = vec![0usize; invalid.len()];
                for &a in answers {
                    counts[a as usize] += 1;
                }
                let leader = (0..counts.len())
                    .filter(|&g| !(self.policy == InvalidPolicy::Drop && invalid[g]))
                    .max_by_key(|&g| (counts[g], std::cmp::Reverse(g)))
                    .map(|g| g as u32);
                let Some(leader) = leader else { return Ok(1) };
                let mut extra = Vec::with_capacity(room);
                let mut found = room;
                for j in 1..=room {
                    extra.push(leader);
                    if self.replay_on(q, &extra, true)?.used <= k + j {
                        found = j;
                        break;
                    }
                }
                found
            }
        };
        Ok(more.clamp(1, room))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{PathText, RawPath};

    fn question(answers: &[&str]) -> RawQuestion {
        RawQuestion {
            id: "q".into(),
            truth: "1".into(),
            paths: answers
                .iter()
                .enumerate()
                .map(|(j, a)| RawPath {
                    text: PathText::from(format!("p{j}")),
                    answer: PathText::from(a.to_string()),
                    mean_logprob: Some(-0.1),
                    sum_logprob: Some(-1.0),
                    signals: Default::default(),
                    tokens: None,
                })
                .collect(),
        }
    }

    #[test]
    fn esc_stops_on_a_unanimous_window_and_asks_for_the_rest_of_a_window() {
        let mut r = OnlineRule::new("esc:2:8".parse().unwrap(), 8, None, AnswerEquality::default());
        assert_eq!(r.decide(&question(&[])).unwrap(), Verdict::More(2));
        assert_eq!(r.decide(&question(&["1"])).unwrap(), Verdict::More(1));
        assert_eq!(r.decide(&question(&["1", "2"])).unwrap(), Verdict::More(2));
        match r.decide(&question(&["1", "2", "1", "1"])).unwrap() {
            Verdict::Stop(s) => assert_eq!((s.used, s.credit), (4, 1.0)),
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn beta_asks_for_the_fewest_copies_of_the_leader_and_the_cap_stops() {
        // asc-beta:0.95 stops at (4, 0) — beta_confidence(4, 0) ≥ 0.95.
        let mut r = OnlineRule::new("asc-beta:0.95:40".parse().unwrap(), 40, None, AnswerEquality::default());
        assert_eq!(r.decide(&question(&["1"])).unwrap(), Verdict::More(3));
        // (2, 1): the leader needs more copies than that.
        let Verdict::More(m) = r.decide(&question(&["1", "2", "1"])).unwrap() else { panic!() };
        assert!(m > 2, "{m}");
        // A cap of 3 below the rule's 40 stops after 3 draws.
        let mut capped = OnlineRule::new("asc-beta:0.95:40".parse().unwrap(), 3, None, AnswerEquality::default());
        assert_eq!(capped.decide(&question(&["1", "2"])).unwrap(), Verdict::More(1));
        match capped.decide(&question(&["1", "2", "2"])).unwrap() {
            Verdict::Stop(s) => assert_eq!((s.used, s.credit), (3, 0.0)),
            v => panic!("{v:?}"),
        }
    }
}
