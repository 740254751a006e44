//! The field's aggregators on the trained transformer, exactly.
//!
//! The tiny model's paths are enumerable ([`crate::tiny::enumerate`]) and
//! each carries its exact per-token signals (DeepConf's `C_t`,
//! `KL(U ‖ p_t)`), so every aggregator's behaviour follows from the
//! enumerated distribution alone:
//!
//! - **`n → ∞`** ([`limit_accuracy`]): every sampled share converges, so the
//!   choice is deterministic — a weighted vote with per-path weight `w_t`
//!   chooses `argmax_a Σ_{t∈a} p_t w_t`: SC and PC `w = 1`; CISC
//!   `w = e^{c_t/T}` (`c` = response probability `exp(mean log-prob)`);
//!   DeepConf `w = s_t · 1[s_t ≥ q]`, `q` the `(1 − η/100)` quantile of the
//!   score `s` under `p` (the limit of the sample percentile); Borda
//!   `w_t = (1/m_b) ∫_{G_b}^{G_b + m_b} (1 − x)^P dx`, the mean of
//!   `((N − r)/N)^P` over the ranks of `t`'s block of equal self-certainty
//!   (mass `m_b`, mass `G_b` strictly more certain); PPL: the answer of the
//!   most probable path.
//! - **at `n`** ([`monte_carlo_accuracy`]): samples of `n` paths drawn from
//!   the enumerated distribution, each run through the evaluator's own
//!   method ([`crate::eval::methods`]) — the exact distribution's
//!   prediction, to compare with what sampling the model gives.

use crate::eval::dataset::{PathSignals, RawPath, RawQuestion};
use crate::eval::equivalence::AnswerEquality;
use crate::eval::methods::{run_methods, CiscSignal, Method, ProbMode};
use crate::invalid::InvalidPolicy;
use crate::montecarlo::RunningStats;
use crate::tiny::task::{is_correct, render, Question};
use crate::tiny::Enumeration;
use rand::Rng;

/// One enumerated path with what the aggregators see.
#[derive(Debug, Clone)]
pub struct SignalPath {
    /// Probability (renormalised over the covered mass).
    pub prob: f64,
    /// Its answer.
    pub answer: String,
    /// Whether the answer is correct.
    pub correct: bool,
    /// The path as a [`RawPath`] (text, mean log-probability, signals).
    pub raw: RawPath,
}

/// The enumerated paths of `e` with their signals.
pub fn signal_paths(e: &Enumeration) -> Vec<SignalPath> {
    let total = e.covered_mass;
    e.paths
        .iter()
        .map(|p| {
            let raw = RawPath {
                text: render(&p.tokens).into(),
                answer: p.answer.as_str().into(),
                mean_logprob: Some(p.logprob / p.tokens.len() as f64),
                sum_logprob: Some(p.logprob),
                signals: PathSignals {
                    token_confidence: Some(p.token_confidence.iter().map(|&x| x as f32).collect()),
                    self_certainty: Some(p.self_certainty()),
                    p_true: None,
                },
                tokens: Some(p.tokens.len() as u64),
            };
            SignalPath { prob: p.logprob.exp() / total, answer: p.answer.clone(), correct: is_correct(&e.question, &p.answer), raw }
        })
        .collect()
}

/// Lower `level`-quantile of `values` weighted by `probs` (smallest `x` with
/// `P(S ≤ x) ≥ level`).
fn quantile(values: &[f64], probs: &[f64], level: f64) -> f64 {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
    let mut acc = 0.0;
    for &i in &idx {
        acc += probs[i];
        if acc >= level - 1e-12 {
            return values[i];
        }
    }
    values[idx[idx.len() - 1]]
}

/// The `n → ∞` accuracy of `method` with invalid paths handled as its
/// reference does ([`Method::default_invalid`]; ties split); `None` for RPC
/// (its rule depends on the sample). Dropped paths weigh 0; CISC-linear's
/// minimum and DeepConf's quantile are then those of the valid paths (the
/// limits of what the method computes on the valid sample), while Borda
/// ranks every path, as its code does.
pub fn limit_accuracy(paths: &[SignalPath], method: Method) -> Option<f64> {
    let votes: Vec<bool> = match method.default_invalid() {
        InvalidPolicy::Vote => vec![true; paths.len()],
        InvalidPolicy::Drop => paths.iter().map(|p| !crate::invalid::is_invalid(&p.answer)).collect(),
    };
    let probs: Vec<f64> = paths.iter().map(|p| p.prob).collect();
    let weights: Vec<f64> = match method {
        Method::Sc | Method::Pc | Method::Cisc { kind: crate::aggregate::CiscKind::Tie, .. } => vec![1.0; paths.len()],
        Method::Ppl => {
            let max = probs.iter().cloned().fold(0.0, f64::max);
            probs.iter().map(|&p| if p >= max * (1.0 - 1e-12) { 1.0 / p } else { 0.0 }).collect()
        }
        Method::Rp(tau) => paths.iter().map(|p| if p.raw.mean_logprob.unwrap_or(f64::NEG_INFINITY).exp() >= tau { 1.0 } else { 0.0 }).collect(),
        Method::Rpc => return None,
        Method::Cisc { kind, temperature, signal } => {
            let c: Vec<f64> = paths
                .iter()
                .map(|p| match signal {
                    CiscSignal::ResponseProbability => p.raw.mean_logprob.map(f64::exp),
                    CiscSignal::PTrue => p.raw.signals.p_true,
                })
                .collect::<Option<Vec<f64>>>()?;
            let max = c.iter().cloned().fold(f64::MIN, f64::max);
            let min = c.iter().zip(&votes).filter(|(_, &v)| v).map(|(&x, _)| x).fold(f64::MAX, f64::min);
            match kind {
                crate::aggregate::CiscKind::Softmax => {
                    c.iter().map(|&x| if temperature.is_infinite() { 1.0 } else { ((x - max) / temperature).exp() }).collect()
                }
                _ => c.iter().map(|&x| temperature * (x - min) + 1.0).collect(),
            }
        }
        Method::DeepConf { score, eta, window } => {
            let s: Vec<f64> = paths
                .iter()
                .map(|p| p.raw.signals.token_confidence.as_ref().map(|c| score.of(&c.iter().map(|&x| x as f64).collect::<Vec<_>>(), window)))
                .collect::<Option<Vec<f64>>>()?;
            let valid_mass: f64 = probs.iter().zip(&votes).filter(|(_, &v)| v).map(|(&p, _)| p).sum();
            let conditional: Vec<f64> = probs.iter().zip(&votes).map(|(&p, &v)| if v { p / valid_mass } else { 0.0 }).collect();
            let q = quantile(&s, &conditional, 1.0 - eta / 100.0);
            s.iter().map(|&x| if x >= q { x } else { 0.0 }).collect()
        }
        Method::SelfCertaintyBorda { power } => {
            let s: Vec<f64> = paths.iter().map(|p| p.raw.signals.self_certainty).collect::<Option<Vec<f64>>>()?;
            // Blocks of equal self-certainty, most certain first: each block's
            // mass m and the mass G above it, in one sort.
            let mut order: Vec<usize> = (0..s.len()).collect();
            order.sort_by(|&i, &j| s[j].total_cmp(&s[i]));
            let mut w = vec![0.0; s.len()];
            let mut above = 0.0f64;
            let mut start = 0;
            while start < order.len() {
                let end = start + order[start..].iter().take_while(|&&i| s[i] == s[order[start]]).count();
                let m: f64 = order[start..end].iter().map(|&i| probs[i]).sum();
                // (1/m) ∫_G^{G+m} (1 − u)^P du = ((1 − G)^{P+1} − (1 − G − m)^{P+1}) / ((P + 1) m).
                let v = ((1.0 - above).powf(power + 1.0) - (1.0 - above - m).max(0.0).powf(power + 1.0)) / ((power + 1.0) * m);
                order[start..end].iter().for_each(|&i| w[i] = v);
                above += m;
                start = end;
            }
            w
        }
    };
    let mut by_answer: Vec<(String, f64, bool)> = Vec::new();
    for ((p, w), _) in paths.iter().zip(&weights).zip(&votes).filter(|(_, &v)| v) {
        match by_answer.iter_mut().find(|(a, ..)| *a == p.answer) {
            Some(e) => e.1 += p.prob * w,
            None => by_answer.push((p.answer.clone(), p.prob * w, p.correct)),
        }
    }
    Some(crate::select::select_within(by_answer.iter().map(|(_, s, c)| (*s, *c)), crate::select::THEORY_TIE_TOL).credit)
}

/// The enumerated paths as one question (paths in [`signal_paths`] order),
/// from which samples are taken as index subsets (with repeats).
pub fn as_question(q: &Question, paths: &[SignalPath]) -> RawQuestion {
    RawQuestion { id: q.id(), truth: q.answer().to_string(), paths: paths.iter().map(|p| p.raw.clone()).collect() }
}

/// Accuracy of each method at `n` by `trials` samples of `n` paths from the
/// enumerated distribution (`question` = [`as_question`]), each sample run
/// through the evaluator's own methods.
pub fn monte_carlo_accuracy(
    paths: &[SignalPath],
    question: &RawQuestion,
    methods: &[Method],
    n: usize,
    trials: usize,
    rng: &mut impl Rng,
) -> Vec<RunningStats> {
    use rand_distr::{weighted::WeightedAliasIndex, Distribution};
    // The alias table `PathSampler` uses, over these paths in their own order.
    let sampler = WeightedAliasIndex::new(paths.iter().map(|p| p.prob).collect()).expect("enumerated paths have positive mass");
    let equal = AnswerEquality::default();
    let mut stats = vec![RunningStats::default(); methods.len()];
    for _ in 0..trials {
        let subset: Vec<usize> = (0..n).map(|_| sampler.sample(rng)).collect();
        for (s, c) in stats.iter_mut().zip(credits(question, subset, methods, &equal)) {
            s.push(c);
        }
    }
    stats
}

/// The credit of each method (invalid paths handled as its reference
/// does) on the paths of `question` at `subset` (indices, repeats allowed: a
/// repeated index is the same path drawn twice).
pub fn credits(question: &RawQuestion, subset: Vec<usize>, methods: &[Method], equal: &AnswerEquality) -> Vec<f64> {
    let policies: Vec<InvalidPolicy> = methods.iter().map(Method::default_invalid).collect();
    let outcomes = run_methods(question, subset, methods, &policies, equal, ProbMode::Mean, None).expect("mean log-probabilities present");
    outcomes.iter().map(|o| o.credit).collect()
}
