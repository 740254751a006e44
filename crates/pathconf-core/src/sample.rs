//! The sampled-path representation shared by the Monte Carlo engine and the
//! dataset evaluator: each sampled path carries an identity (for
//! de-duplication), its internal probability and its answer; and the one
//! sampler that draws such paths i.i.d. from a [`crate::PathDistribution`]
//! ([`PathSampler`], an alias table).
//!
//! Identities are small integers below a known `universe` (path indices of a
//! [`crate::PathDistribution`], or interned `(text, probability)` keys of a real
//! question), so de-duplication uses a generation-stamped array: no hashing and
//! no clearing between Monte Carlo trials.

use crate::PathDistribution;
use rand::Rng;
use rand_distr::{weighted::WeightedAliasIndex, Distribution};

/// Draws paths i.i.d. from a path distribution in O(1) per draw (Walker's
/// alias table, `rand_distr::weighted::WeightedAliasIndex`). Each draw
/// consumes the same random numbers whatever the caller, so every user of
/// one seed sees the same paths.
#[derive(Debug, Clone)]
pub struct PathSampler<'a> {
    dist: &'a PathDistribution,
    alias: WeightedAliasIndex<f64>,
}

impl<'a> PathSampler<'a> {
    /// The sampler of `dist` (a validated distribution always has positive mass).
    pub fn new(dist: &'a PathDistribution) -> Self {
        let alias = WeightedAliasIndex::new(dist.paths().iter().map(|p| p.prob).collect()).expect("a validated distribution has positive mass");
        Self { dist, alias }
    }

    /// One path: its index in `dist.paths()` as the id.
    #[inline]
    pub fn draw(&self, rng: &mut impl Rng) -> SampledPath {
        let i = self.alias.sample(rng);
        let p = &self.dist.paths()[i];
        SampledPath { id: i as u32, prob: p.prob, answer: p.answer as u32 }
    }

    /// Replaces the contents of `sample` with `n` fresh draws.
    pub fn refill(&self, sample: &mut Sample, n: u64, rng: &mut impl Rng) {
        sample.clear();
        for _ in 0..n {
            sample.push(self.draw(rng));
        }
    }
}

/// One sampled reasoning path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampledPath {
    /// Identity: equal ids are the same path (counted once by PC/RP).
    pub id: u32,
    /// Internal probability `p_t`.
    pub prob: f64,
    /// Answer index `g(t)`.
    pub answer: u32,
}

/// A multiset of sampled paths with its distinct paths tracked incrementally.
#[derive(Debug, Clone)]
pub struct Sample {
    paths: Vec<SampledPath>,
    distinct: Vec<u32>,
    stamp: Vec<u32>,
    generation: u32,
    n_answers: usize,
}

impl Sample {
    /// An empty sample whose ids are `< universe` and answers `< n_answers`.
    pub fn new(universe: usize, n_answers: usize) -> Self {
        Self { paths: Vec::new(), distinct: Vec::new(), stamp: vec![0; universe], generation: 1, n_answers }
    }

    /// Empties the sample in O(1) (amortised).
    pub fn clear(&mut self) {
        self.paths.clear();
        self.distinct.clear();
        if self.generation == u32::MAX {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.generation = 0;
        }
        self.generation += 1;
    }

    /// Adds a path; returns `true` if its id was not in the sample yet.
    #[inline]
    pub fn push(&mut self, p: SampledPath) -> bool {
        debug_assert!((p.answer as usize) < self.n_answers);
        let slot = &mut self.stamp[p.id as usize];
        let new = *slot != self.generation;
        if new {
            *slot = self.generation;
            self.distinct.push(self.paths.len() as u32);
        }
        self.paths.push(p);
        new
    }

    /// All sampled paths, with repeats, in sampling order.
    pub fn paths(&self) -> &[SampledPath] {
        &self.paths
    }

    /// Each distinct path once (its first occurrence), in sampling order.
    pub fn distinct(&self) -> impl Iterator<Item = &SampledPath> + '_ {
        self.distinct.iter().map(move |&i| &self.paths[i as usize])
    }

    /// Number of sampled paths `n`.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// Whether nothing was sampled.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// Number of distinct paths.
    pub fn n_distinct(&self) -> usize {
        self.distinct.len()
    }

    /// Number of answers the scores are indexed by.
    pub fn n_answers(&self) -> usize {
        self.n_answers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_survives_clear_and_generation_wrap() {
        let mut s = Sample::new(3, 2);
        let p = |id| SampledPath { id, prob: 0.1, answer: 0 };
        assert!(s.push(p(1)));
        assert!(!s.push(p(1)));
        assert!(s.push(p(2)));
        assert_eq!((s.len(), s.n_distinct()), (3, 2));
        s.generation = u32::MAX;
        s.clear();
        assert!(s.push(p(1)) && !s.is_empty());
        assert_eq!(s.n_distinct(), 1);
    }
}
