//! Exhaustive enumeration of all `N^n` ordered samples of `n` paths — the
//! independent check of every closed form on tiny spaces. Each estimator is
//! evaluated by its real implementation ([`crate::estimators`]) on every
//! tuple, weighted by the tuple's probability `Π_i p_{t_i}`.

use crate::distribution::PathDistribution;
use crate::estimators::{Estimator, Perplexity, PerplexityConsistency, ReasoningPruning, SelfConsistency};
use crate::sample::{Sample, SampledPath};
use crate::select::{select_within, THEORY_TIE_TOL};
use thiserror::Error;

/// Largest number of tuples [`enumerate`] will visit.
pub const MAX_TUPLES: u128 = 20_000_000;

/// Whether the `paths^n` ordered samples of `n` paths are at most
/// [`MAX_TUPLES`] (counted without overflow; an `n` beyond `u32` is refused).
pub fn within_limit(paths: usize, n: u64) -> bool {
    u32::try_from(n).ok().and_then(|n| (paths as u128).checked_pow(n)).is_some_and(|tuples| tuples <= MAX_TUPLES)
}

/// Why enumeration was refused.
#[derive(Debug, Error, PartialEq)]
#[error("{paths}^{n} samples exceed the enumeration limit of {MAX_TUPLES}")]
pub struct TooLarge {
    /// Number of paths.
    pub paths: usize,
    /// Sample size.
    pub n: u64,
}

/// `E[p̂]`, `E[(p̂ − p)²]` and `E[(p̂ − I)²]` obtained by enumeration.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Enumerated {
    /// `E[p̂]`.
    pub mean: f64,
    /// `E[(p̂ − p)²]`.
    pub estimation_error: f64,
    /// `E[(p̂ − I)²]`.
    pub reasoning_error: f64,
}

/// Enumerated moments of every estimator for one distribution and `n`.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumeratedMoments {
    /// SC per answer (`None` at `n = 0`).
    pub sc: Option<Vec<Enumerated>>,
    /// PC per answer.
    pub pc: Vec<Enumerated>,
    /// RP(τ) per answer.
    pub rp: Vec<Enumerated>,
    /// PPL per path (global path index), target `p_t`.
    pub ppl: Vec<Enumerated>,
    /// Selection by SC, PPL, PC and RP(τ), in that order: `P(correct)` (ties
    /// split) and `E[score of the chosen answer]` (zeros at `n = 0`).
    pub selection: [Selected; 4],
}

/// An estimator's selection, enumerated.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Selected {
    /// `P(chosen answer is correct)`, ties split.
    pub p_correct: f64,
    /// `E[score of the chosen answer]`.
    pub expected_confidence: f64,
}

/// Enumerates all ordered `n`-samples of `dist` (RP uses threshold `tau`).
pub fn enumerate(dist: &PathDistribution, n: u64, tau: f64) -> Result<EnumeratedMoments, TooLarge> {
    let paths = dist.paths();
    if !within_limit(paths.len(), n) {
        return Err(TooLarge { paths: paths.len(), n });
    }
    let na = dist.n_answers();
    let (mut sc, mut pc, mut rp) = (vec![Enumerated::default(); na], vec![Enumerated::default(); na], vec![Enumerated::default(); na]);
    let mut ppl = vec![Enumerated::default(); paths.len()];
    let estimators: [(&dyn Estimator, usize); 3] = [(&SelfConsistency, 0), (&PerplexityConsistency, 1), (&ReasoningPruning::fixed(tau), 2)];
    let mut scores = vec![0.0; na];
    let mut sample = Sample::new(paths.len(), na);
    let mut idx = vec![0usize; n as usize];
    let mut selection = [Selected::default(); 4];
    let correct: Vec<bool> = (0..na).map(|a| dist.correct() == Some(a)).collect();
    let rp_est = ReasoningPruning::fixed(tau);
    let selectors: [&dyn Estimator; 4] = [&SelfConsistency, &Perplexity, &PerplexityConsistency, &rp_est];
    loop {
        let weight: f64 = idx.iter().map(|&i| paths[i].prob).product();
        if weight > 0.0 {
            sample.clear();
            for &i in &idx {
                sample.push(SampledPath { id: i as u32, prob: paths[i].prob, answer: paths[i].answer as u32 });
            }
            for (est, slot) in estimators {
                if slot == 0 && n == 0 {
                    continue;
                }
                est.answer_scores(&sample, &mut scores);
                let acc = match slot {
                    0 => &mut sc,
                    1 => &mut pc,
                    _ => &mut rp,
                };
                for a in 0..na {
                    add(&mut acc[a], weight, scores[a], dist.answer_mass(a), dist.indicator(a));
                }
            }
            if n > 0 {
                for (slot, est) in selectors.iter().enumerate() {
                    est.answer_scores(&sample, &mut scores);
                    let sel = select_within(scores.iter().copied().zip(correct.iter().copied()), THEORY_TIE_TOL);
                    selection[slot].p_correct += weight * sel.credit;
                    selection[slot].expected_confidence += weight * sel.top;
                }
            }
            let mut sampled = vec![false; paths.len()];
            idx.iter().for_each(|&i| sampled[i] = true);
            for (t, path) in paths.iter().enumerate() {
                let est = if sampled[t] { path.prob } else { 0.0 };
                add(&mut ppl[t], weight, est, path.prob, dist.indicator(path.answer));
            }
        }
        if !crate::combinatorics::next_tuple(&mut idx, paths.len()) {
            return Ok(EnumeratedMoments { sc: (n > 0).then_some(sc), pc, rp, ppl, selection });
        }
    }
}

fn add(acc: &mut Enumerated, w: f64, est: f64, target: f64, indicator: f64) {
    acc.mean += w * est;
    acc.estimation_error += w * (est - target).powi(2);
    acc.reasoning_error += w * (est - indicator).powi(2);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The limit is on the number of ordered samples `paths^n`, counted
    /// without overflow. Checked on `within_limit` alone: a test enumerating
    /// over the limit would, under a mutant that ignores it, run for minutes
    /// (a timeout, not a failure). (Mutation testing: refusing only at
    /// exactly the limit passed unseen.)
    #[test]
    fn the_limit_counts_ordered_samples() {
        assert!(within_limit(20_000_000, 1));
        assert!(!within_limit(20_000_001, 1));
        assert!(within_limit(3, 15)); // 14,348,907
        assert!(!within_limit(3, 16)); // 43,046,721
        assert!(!within_limit(1_000, 100)); // beyond u128
        assert!(!within_limit(1, 1 << 40)); // beyond any enumeration
        assert!(within_limit(7, 0));
    }
}
