//! A question's exact path distribution under the model, by breadth-first
//! tree search with a probability floor.
//!
//! Starting from the prompt, every prefix whose probability
//! `Π_t p(x_t | x_<t)` is at least `floor` is extended by every token; a
//! prefix ending in EOS (or reaching `max_new_tokens`) is a finished path.
//! All prefixes at one depth have the same length, so each depth is one
//! batched forward pass. The mass of the finished paths is reported: the
//! rest lies under prefixes below the floor. Every path carries its exact
//! per-token confidence signals ([`crate::confidence`]), from the same rows.

use super::model::{last_log_probs, TinyModel};
use super::task::{extract_answer, is_correct, Question, EOS, INVALID};
use crate::confidence::{kl_from_uniform, token_confidence, top_k_into, DEEPCONF_TOP_K};
use crate::distribution::{DistributionError, PathDistribution};
use candle_core::{Result, Tensor};
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

/// A prefix of the search: tokens, log-probability, per-token `C_t` and `KL(U ‖ p)`.
type Prefix = (Vec<u32>, f64, Vec<f64>, Vec<f64>);

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

/// Largest frontier [`enumerate_paths`] accepts.
pub const MAX_FRONTIER: usize = 200_000;

/// Enumerates `q`'s paths with prefix probability ≥ `floor`.
pub fn enumerate_paths(model: &TinyModel, q: &Question, floor: f64, max_new_tokens: usize) -> Result<Enumeration> {
    let ln_floor = floor.ln();
    let prompt = q.prompt();
    let mut frontier: Vec<Prefix> = vec![(Vec::new(), 0.0, Vec::new(), Vec::new())];
    let (mut scratch, mut top) = (Vec::new(), Vec::new());
    let mut done = Vec::new();
    let mut expanded = 0;
    const CHUNK: usize = 2048;
    for depth in 0..max_new_tokens {
        if frontier.is_empty() {
            break;
        }
        let mut next = Vec::new();
        for chunk in frontier.chunks(CHUNK) {
            let len = prompt.len() + depth;
            let ids: Vec<u32> = chunk.iter().flat_map(|(p, ..)| prompt.iter().chain(p.iter()).copied()).collect();
            let rows = last_log_probs(&model.forward(&Tensor::from_vec(ids, (chunk.len(), len), model.device())?, None)?)?;
            expanded += chunk.len();
            for ((prefix, lp, conf, kl), row) in chunk.iter().zip(rows) {
                top_k_into(&row, DEEPCONF_TOP_K, &mut scratch, &mut top);
                let (c_t, kl_t) = (token_confidence(&top), kl_from_uniform(&row));
                for (tok, l) in row.into_iter().enumerate() {
                    let total = lp + l;
                    if total < ln_floor {
                        continue;
                    }
                    let mut p = prefix.clone();
                    p.push(tok as u32);
                    let (mut c, mut k) = (conf.clone(), kl.clone());
                    c.push(c_t);
                    k.push(kl_t);
                    if tok as u32 == EOS || depth + 1 == max_new_tokens {
                        done.push((p, total, c, k));
                    } else {
                        next.push((p, total, c, k));
                    }
                }
            }
        }
        if next.len() > MAX_FRONTIER {
            candle_core::bail!(
                "question {}: more than {MAX_FRONTIER} prefixes above the floor {floor:e} at depth {} — the model is too uncertain to enumerate (train it longer or raise the floor)",
                q.id(),
                depth + 1
            );
        }
        frontier = next;
    }
    let mut paths: Vec<EnumeratedPath> = done
        .into_iter()
        .map(|(tokens, logprob, token_confidence, uniform_kl)| EnumeratedPath {
            answer: extract_answer(&tokens),
            tokens,
            logprob,
            token_confidence,
            uniform_kl,
        })
        .collect();
    paths.sort_by(|a, b| b.logprob.total_cmp(&a.logprob).then_with(|| a.tokens.cmp(&b.tokens)));
    let covered_mass = paths.iter().map(|p| p.logprob.exp()).sum();
    Ok(Enumeration { question: *q, paths, covered_mass, expanded, floor })
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
