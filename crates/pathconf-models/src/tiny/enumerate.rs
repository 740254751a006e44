//! A question's exact path distribution under the model, by depth-first
//! tree search with a probability floor.
//!
//! Starting from the prompt, every prefix whose probability
//! `Π_t p(x_t | x_<t)` is at least `floor` is extended by every token; a
//! prefix ending in EOS (or reaching `max_new_tokens`) is a finished path.
//! The search walks the tree depth first on one key/value cache
//! ([`PortableModel`]: each prefix costs one position, and the bits do not
//! depend on the CPU), cutting the cache back when it returns to a shorter
//! prefix. The mass of the finished paths is reported: the rest lies under
//! prefixes below the floor. Every path carries its exact per-token
//! confidence signals ([`crate::confidence`]), from the same rows.

use super::error::TinyError;
use super::portable::{KvCache, PortableModel};
use super::task::{extract_answer, is_correct, Question, EOS, INVALID};
use crate::confidence::{kl_from_uniform, token_confidence, top_k_into, DEEPCONF_TOP_K};
use crate::distribution::{DistributionError, PathDistribution};
use std::collections::HashMap;

/// One enumerated path.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumeratedPath {
    /// Generated tokens.
    pub tokens: Vec<u32>,
    /// `ln p(path | prompt)`.
    pub logprob: f64,
    /// Extracted answer.
    pub answer: String,
    /// Per token, DeepConf's `C_t` from the step's top-20 log-probabilities
    /// (the whole 16-token row here: `C_t = KL(U ‖ p_t) + ln 16`).
    pub token_confidence: Vec<f64>,
    /// Per token, `KL(U ‖ p_t)` (self-certainty is their mean).
    pub uniform_kl: Vec<f64>,
}

impl EnumeratedPath {
    /// Self-certainty: the mean of [`EnumeratedPath::uniform_kl`].
    pub fn self_certainty(&self) -> f64 {
        self.uniform_kl.iter().sum::<f64>() / self.uniform_kl.len() as f64
    }
}

/// The outcome of [`enumerate_paths`].
#[derive(Debug, Clone)]
pub struct Enumeration {
    /// The question.
    pub question: Question,
    /// Finished paths with probability ≥ floor, most probable first.
    pub paths: Vec<EnumeratedPath>,
    /// `Σ p` over [`Enumeration::paths`] (≤ 1).
    pub covered_mass: f64,
    /// Prefixes expanded.
    pub expanded: usize,
    /// The floor used.
    pub floor: f64,
}

/// Most unfinished prefixes above the floor [`enumerate_paths`] accepts at
/// one depth.
pub const MAX_FRONTIER: usize = 200_000;

/// The search's state: the prefix being extended with its signals, and
/// what has been found.
struct Search<'a> {
    model: &'a PortableModel,
    question: &'a Question,
    floor: f64,
    ln_floor: f64,
    max_new_tokens: usize,
    cache: KvCache,
    tokens: Vec<u32>,
    confidence: Vec<f64>,
    uniform_kl: Vec<f64>,
    done: Vec<EnumeratedPath>,
    /// Unfinished prefixes above the floor at each depth.
    width: Vec<usize>,
    expanded: usize,
}

impl Search<'_> {
    /// Extends the current prefix (log-probability `lp`, next-token row
    /// `row`) by every token above the floor.
    fn extend(&mut self, lp: f64, row: &[f64]) -> Result<(), TinyError> {
        self.expanded += 1;
        let (mut scratch, mut top) = (Vec::new(), Vec::new());
        top_k_into(row, DEEPCONF_TOP_K, &mut scratch, &mut top);
        self.confidence.push(token_confidence(&top));
        self.uniform_kl.push(kl_from_uniform(row));
        let depth = self.tokens.len();
        let at = self.cache.len();
        for (tok, &l) in row.iter().enumerate() {
            let total = lp + l;
            if total < self.ln_floor {
                continue;
            }
            self.tokens.push(tok as u32);
            if tok as u32 == EOS || depth + 1 == self.max_new_tokens {
                self.done.push(EnumeratedPath {
                    answer: extract_answer(&self.tokens),
                    tokens: self.tokens.clone(),
                    logprob: total,
                    token_confidence: self.confidence.clone(),
                    uniform_kl: self.uniform_kl.clone(),
                });
            } else {
                self.width[depth + 1] += 1;
                if self.width[depth + 1] > MAX_FRONTIER {
                    return Err(TinyError::TooUncertain { question: self.question.id(), floor: self.floor, depth: depth + 1, limit: MAX_FRONTIER });
                }
                self.model.truncate(&mut self.cache, at);
                let next = self.model.push(tok as u32, &mut self.cache)?;
                self.extend(total, &next)?;
            }
            self.tokens.pop();
        }
        self.confidence.pop();
        self.uniform_kl.pop();
        Ok(())
    }
}

/// Enumerates `q`'s paths with prefix probability ≥ `floor`.
pub fn enumerate_paths(model: &PortableModel, q: &Question, floor: f64, max_new_tokens: usize) -> Result<Enumeration, TinyError> {
    let mut cache = model.cache();
    let row = model.prefill(&q.prompt(), &mut cache)?;
    let mut search = Search {
        model,
        question: q,
        floor,
        ln_floor: floor.ln(),
        max_new_tokens,
        cache,
        tokens: Vec::with_capacity(max_new_tokens),
        confidence: Vec::new(),
        uniform_kl: Vec::new(),
        done: Vec::new(),
        width: vec![0; max_new_tokens + 1],
        expanded: 0,
    };
    if max_new_tokens > 0 {
        search.extend(0.0, &row)?;
    }
    let mut paths = search.done;
    paths.sort_by(|a, b| b.logprob.total_cmp(&a.logprob).then_with(|| a.tokens.cmp(&b.tokens)));
    let covered_mass = paths.iter().map(|p| p.logprob.exp()).sum();
    Ok(Enumeration { question: *q, paths, covered_mass, expanded: search.expanded, floor })
}

/// The enumeration as a [`PathDistribution`] (renormalised over the covered
/// mass), with a map from tokens to the path's global index in it.
#[derive(Debug, Clone)]
pub struct ExactDistribution {
    /// The distribution; answers ordered by mass, most probable first.
    pub dist: PathDistribution,
    /// Tokens → global path index in `dist`.
    pub index: HashMap<Vec<u32>, usize>,
    /// Mass covered before renormalising.
    pub covered_mass: f64,
}

impl Enumeration {
    /// Probability of the correct answer (unnormalised: the model's accuracy
    /// on this question up to the uncovered mass).
    pub fn correct_mass(&self) -> f64 {
        self.paths.iter().filter(|p| is_correct(&self.question, &p.answer)).map(|p| p.logprob.exp()).sum()
    }

    /// Mass of malformed paths.
    pub fn invalid_mass(&self) -> f64 {
        self.paths.iter().filter(|p| p.answer == INVALID).map(|p| p.logprob.exp()).sum()
    }

    /// Builds the [`ExactDistribution`].
    pub fn distribution(&self) -> std::result::Result<ExactDistribution, DistributionError> {
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, p) in self.paths.iter().enumerate() {
            match groups.iter_mut().find(|(a, _)| *a == p.answer) {
                Some((_, v)) => v.push(i),
                None => groups.push((p.answer.clone(), vec![i])),
            }
        }
        let mass = |v: &[usize]| v.iter().map(|&i| self.paths[i].logprob.exp()).sum::<f64>();
        groups.sort_by(|a, b| mass(&b.1).total_cmp(&mass(&a.1)).then_with(|| a.0.cmp(&b.0)));
        let weights: Vec<(String, Vec<f64>)> = groups.iter().map(|(a, v)| (a.clone(), v.iter().map(|&i| self.paths[i].logprob.exp()).collect())).collect();
        let dist = PathDistribution::from_weights(&weights, Some(&self.question.answer().to_string()))?;
        let mut index = HashMap::with_capacity(self.paths.len());
        let mut g = 0;
        for (_, v) in &groups {
            for &i in v {
                index.insert(self.paths[i].tokens.clone(), g);
                g += 1;
            }
        }
        Ok(ExactDistribution { dist, index, covered_mass: self.covered_mass })
    }
}
