//! Monte Carlo of an estimator's *selection*: the credit of the answer it
//! chooses (ties split, [`crate::select`]) and that answer's confidence, over
//! `trials` samples of `n` paths. Same batching and seeding as the engine
//! (batch `b` seeded `seed::derive(seed, [b])`, merged in batch order), so the
//! result does not depend on the number of threads.

use super::engine::in_batches;
use super::stats::{Estimate, RunningStats};
use crate::distribution::PathDistribution;
use crate::estimators::Estimator;
use crate::progress::Observer;
use crate::sample::{PathSampler, Sample};
use crate::select::{select_within, THEORY_TIE_TOL};

/// Estimated selection accuracy and confidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SelectionEstimate {
    /// `P(chosen answer is correct)`, ties split.
    pub p_correct: Estimate,
    /// `E[score of the chosen answer]`.
    pub expected_confidence: Estimate,
    /// Trials run.
    pub trials: u64,
}

/// Simulates `estimator`'s selection at `n ≥ 1` samples.
pub fn simulate_selection(dist: &PathDistribution, estimator: &dyn Estimator, n: u64, trials: u64, seed: u64, observer: &dyn Observer) -> SelectionEstimate {
    assert!(n >= 1 && trials >= 2, "simulate_selection needs n ≥ 1 and at least two trials");
    let sampler = PathSampler::new(dist);
    let na = dist.n_answers();
    let correct: Vec<bool> = (0..na).map(|a| dist.correct() == Some(a)).collect();
    let batches: Vec<(RunningStats, RunningStats)> = in_batches(trials, seed, |rng, count| {
        observer.checkpoint();
        let (mut credit, mut conf) = (RunningStats::default(), RunningStats::default());
        let mut sample = Sample::new(dist.paths().len(), na);
        let mut scores = vec![0.0; na];
        for _ in 0..count {
            sampler.refill(&mut sample, n, rng);
            estimator.answer_scores(&sample, &mut scores);
            let s = select_within(scores.iter().copied().zip(correct.iter().copied()), THEORY_TIE_TOL);
            credit.push(s.credit);
            conf.push(s.top);
        }
        observer.advance(count);
        (credit, conf)
    });
    let (mut credit, mut conf) = (RunningStats::default(), RunningStats::default());
    for (c, f) in &batches {
        credit.merge(c);
        conf.merge(f);
    }
    SelectionEstimate { p_correct: credit.estimate(0.0), expected_confidence: conf.estimate(0.0), trials }
}
