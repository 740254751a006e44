//! One question, one method, exactly as the reference evaluators compute it.
//!
//! - Answer groups: paths whose answers are equivalent are merged (the
//!   reference's union–find); a group is represented by the answer of its
//!   *last* path and groups are listed in order of their last path — the
//!   order of the reference's union–find roots, which the order-sensitive
//!   metrics depend on.
//! - `sc` (`compute_sc.py`): rows `[answer, size/m normalised, correct]`,
//!   credit split among groups of maximal size.
//! - `ppl` (`compute_perp.py`): one row per path `[answer, q, correct]`,
//!   credit split among paths of maximal log-probability.
//! - `pc`, `rp`, `rpc` (`compute_rpc.py`): each group's confidence is the sum
//!   of `q` over its distinct kept `(text, q)` paths, normalised over groups;
//!   credit split among groups of maximal confidence. `rp` keeps `q ≥ τ`;
//!   `rpc` keeps what the Weibull-mixture rule keeps ([`crate::weibull`]).
//!
//! `q = exp(mean_logprob)` ([`ProbMode::Mean`], the reference's choice) or
//! `exp(sequence log-probability)` ([`ProbMode::Sequence`]).
//!
//! The field's aggregators ([`crate::aggregate`]) vote over the same groups:
//! `cisc` with each path's response probability `exp(mean_logprob)` (always
//! the mean, as CISC defines it, whatever `--prob` says) or P(True);
//! `deepconf` with a trace score of the token confidences (paths below the
//! `(100 − η)`th percentile are reported as pruned); `self-certainty-borda`
//! with Borda votes by self-certainty. Every method but SC also reports the
//! within-question discrimination of the per-path confidence it uses (`q`
//! for PPL/PC/RP/RPC).

use super::dataset::RawQuestion;
use super::equivalence::{AnswerEquality, AnswerKey};
use crate::aggregate::cisc::tie_break_scores;
use crate::aggregate::{borda_votes, cisc_weights, top_eta_keep, weighted_vote, within_question_discrimination, CiscKind, Wqd};
use crate::confidence::TraceScore;
use crate::estimators::{pc_over_kept, EstimatorId};
use crate::invalid::InvalidPolicy;
use crate::sample::{Sample, SampledPath};
use crate::select::select;
use crate::weibull::{FitMemo, FitResult, WeibullPruning};
use serde::Serialize;

/// An evaluation method. Written as typed (`Display`, `FromStr`: `sc`,
/// `rp:0.05`, `cisc:0.5:ptrue`, `deepconf:mean:90`, … — they round-trip);
/// reports carry it and serialise it as its [`Method::name`] (`"SC"`,
/// `"CISC(T=0.5,P(True))"`), the label the tables print.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// Self-consistency.
    Sc,
    /// Perplexity (most probable path).
    Ppl,
    /// Perplexity consistency.
    Pc,
    /// Fixed-threshold reasoning pruning + PC.
    Rp(f64),
    /// Weibull-mixture reasoning pruning + PC (RPC).
    Rpc,
    /// CISC (`cisc:T`, `cisc-linear:T`, `cisc-tie`, optionally `:ptrue`).
    Cisc {
        /// Weighting.
        kind: CiscKind,
        /// Temperature (softmax) or slope (linear); unused by `tie`.
        temperature: f64,
        /// The confidence signal.
        signal: CiscSignal,
    },
    /// DeepConf offline (`deepconf:SCORE:ETA[:W]`).
    DeepConf {
        /// Trace score.
        score: TraceScore,
        /// Percent of paths kept (`100`: all).
        eta: f64,
        /// Window (tokens).
        window: usize,
    },
    /// Self-certainty Borda (`self-certainty-borda[:P]`).
    SelfCertaintyBorda {
        /// Power `p` of `(N − r)^p`.
        power: f64,
    },
}

/// A method name or its parameters that do not parse ([`Method::parse`]) —
/// kept apart from the errors of reading a file ([`crate::eval::EvalError`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MethodError {
    /// A method name that is not in the registry.
    #[error("unknown method {name:?} (expected {expected})")]
    UnknownMethod {
        /// The name given.
        name: String,
        /// The names that exist (the registry's, comma-separated).
        expected: String,
    },
    /// A method that needs a parameter given without it.
    #[error("method `{method}` needs {option}")]
    MissingParameter {
        /// The method.
        method: &'static str,
        /// The option that gives the parameter.
        option: &'static str,
    },
    /// A method's parameters do not parse or are out of range.
    #[error("method {method:?}: {message}")]
    BadMethod {
        /// The method as given.
        method: String,
        /// What is wrong.
        message: String,
    },
}

/// CISC's confidence signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CiscSignal {
    /// Response probability `exp(mean token log-probability)` (`prob`).
    ResponseProbability,
    /// P(True) (`ptrue`).
    PTrue,
}

/// Self-certainty Borda's default power (the paper's `p = 0.5`).
pub const DEFAULT_BORDA_POWER: f64 = 0.5;

/// A per-path field a method needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// The mean token log-probability.
    MeanLogprob,
    /// DeepConf's token confidences.
    TokenConfidence,
    /// Self-certainty.
    SelfCertainty,
    /// P(True).
    PTrue,
}

impl Needs {
    /// The signal in words.
    pub fn what(self) -> &'static str {
        match self {
            Needs::MeanLogprob => "mean log-probabilities",
            Needs::TokenConfidence => "per-token top-k log-probabilities",
            Needs::SelfCertainty => "self-certainty",
            Needs::PTrue => "P(True)",
        }
    }

    /// Where it comes from.
    pub fn hint(self) -> &'static str {
        match self {
            Needs::MeanLogprob => "an answers-only file supports sc and the count-based stopping rules only",
            Needs::TokenConfidence => "sample with top log-probabilities (vLLM/OpenAI `logprobs` + `top_logprobs`, pathconf JSONL `top_logprobs` or `token_confidence`; `pathconf sample` records them)",
            Needs::SelfCertainty => "it needs the full next-token distribution at every step, which APIs do not return: pathconf JSONL `self_certainty` (written by `pathconf sample`)",
            Needs::PTrue => "give it per path as `p_true` in pathconf JSONL",
        }
    }
}

impl Method {
    /// The estimator it runs.
    pub fn id(&self) -> EstimatorId {
        match self {
            Method::Sc => EstimatorId::Sc,
            Method::Ppl => EstimatorId::Ppl,
            Method::Pc => EstimatorId::Pc,
            Method::Rp(_) => EstimatorId::Rp,
            Method::Rpc => EstimatorId::Rpc,
            Method::Cisc { .. } => EstimatorId::Cisc,
            Method::DeepConf { .. } => EstimatorId::DeepConf,
            Method::SelfCertaintyBorda { .. } => EstimatorId::SelfCertaintyBorda,
        }
    }

    /// Display name: the registry's label with the parameters.
    pub fn name(&self) -> String {
        let label = self.id().label();
        match *self {
            Method::Rp(t) => format!("{label}(τ={t})"),
            Method::Cisc { kind, temperature, signal } => {
                let sig = if signal == CiscSignal::PTrue { ",P(True)" } else { "" };
                match kind {
                    CiscKind::Softmax => format!("{label}(T={temperature}{sig})"),
                    CiscKind::Linear => format!("{label}-linear(T={temperature}{sig})"),
                    CiscKind::Tie => format!("{label}-tie({})", if sig.is_empty() { "prob" } else { "P(True)" }),
                }
            }
            Method::DeepConf { score, eta, window } => {
                let w = if window == crate::confidence::DEFAULT_WINDOW { String::new() } else { format!(",W={window}") };
                format!("{label}({},η={eta}{w})", score.name())
            }
            Method::SelfCertaintyBorda { power } => format!("{label}(p={power})"),
            _ => label.into(),
        }
    }

    /// How its reference code treats paths without an answer
    /// ([`crate::invalid`]): SC, PPL, PC, RP and RPC vote (the RPC code's
    /// `INVALID_ANS` group); CISC, DeepConf and self-certainty Borda drop.
    pub fn default_invalid(&self) -> InvalidPolicy {
        match self {
            Method::Sc | Method::Ppl | Method::Pc | Method::Rp(_) | Method::Rpc => InvalidPolicy::Vote,
            Method::Cisc { .. } | Method::DeepConf { .. } | Method::SelfCertaintyBorda { .. } => InvalidPolicy::Drop,
        }
    }

    /// The per-path field it needs, if any beyond the answer.
    pub fn needs(&self) -> Option<Needs> {
        match self {
            Method::Sc => None,
            Method::Ppl | Method::Pc | Method::Rp(_) | Method::Rpc => Some(Needs::MeanLogprob),
            Method::Cisc { signal: CiscSignal::ResponseProbability, .. } => Some(Needs::MeanLogprob),
            Method::Cisc { signal: CiscSignal::PTrue, .. } => Some(Needs::PTrue),
            Method::DeepConf { .. } => Some(Needs::TokenConfidence),
            Method::SelfCertaintyBorda { .. } => Some(Needs::SelfCertainty),
        }
    }

    /// Parses a method: a registry name, with parameters after colons for
    /// the field's aggregators — `cisc:T[:prob|ptrue]`, `cisc-linear:T[:…]`,
    /// `cisc-tie[:prob|ptrue]`, `deepconf:SCORE:ETA[:W]` (SCORE ∈ mean,
    /// tail, bottom10, lowest; ETA ∈ (0, 100]), `self-certainty-borda[:P]`
    /// (P ≥ 0, default 0.5). `rp` takes `tau`, or its own as `rp:τ`. `T`
    /// may be `inf`.
    pub fn parse(s: &str, tau: Option<f64>) -> Result<Self, MethodError> {
        let text = s.trim().to_lowercase();
        let mut parts = text.split(':');
        let head = parts.next().unwrap_or_default().to_string();
        let args: Vec<&str> = parts.collect();
        let bad = |message: String| MethodError::BadMethod { method: text.clone(), message };
        let float = |x: &str, what: &str| -> Result<f64, MethodError> {
            x.trim().parse::<f64>().ok().filter(|v| !v.is_nan()).ok_or_else(|| bad(format!("{what} {x:?} is not a number")))
        };
        let arity = |lo: usize, hi: usize, syntax: &str| -> Result<(), MethodError> {
            if args.len() < lo || args.len() > hi {
                Err(bad(format!("expected {syntax}")))
            } else {
                Ok(())
            }
        };
        let signal = |x: Option<&&str>| -> Result<CiscSignal, MethodError> {
            match x.map(|v| v.trim()) {
                None | Some("prob") => Ok(CiscSignal::ResponseProbability),
                Some("ptrue") => Ok(CiscSignal::PTrue),
                Some(other) => Err(bad(format!("signal {other:?} is not prob or ptrue"))),
            }
        };
        let cisc = |kind: CiscKind, syntax: &str| -> Result<Method, MethodError> {
            arity(1, 2, syntax)?;
            let t = float(args[0], "temperature")?;
            if t <= 0.0 && kind == CiscKind::Softmax || t < 0.0 {
                return Err(bad(format!("temperature {t} must be positive")));
            }
            Ok(Method::Cisc { kind, temperature: t, signal: signal(args.get(1))? })
        };
        match head.as_str() {
            "cisc" => return cisc(CiscKind::Softmax, "cisc:T[:prob|ptrue]"),
            "cisc-linear" => return cisc(CiscKind::Linear, "cisc-linear:T[:prob|ptrue]"),
            "cisc-tie" => {
                arity(0, 1, "cisc-tie[:prob|ptrue]")?;
                return Ok(Method::Cisc { kind: CiscKind::Tie, temperature: 0.0, signal: signal(args.first())? });
            }
            "deepconf" => {
                arity(2, 3, "deepconf:SCORE:ETA[:W] with SCORE one of mean, tail, bottom10, lowest")?;
                let score = TraceScore::parse(args[0]).ok_or_else(|| bad(format!("score {:?} is not mean, tail, bottom10 or lowest", args[0])))?;
                let eta = float(args[1], "η")?;
                if !(eta > 0.0 && eta <= 100.0) {
                    return Err(bad(format!("η = {eta} must be in (0, 100] (percent of paths kept)")));
                }
                let window = match args.get(2) {
                    None => crate::confidence::DEFAULT_WINDOW,
                    Some(w) => w.trim().parse::<usize>().ok().filter(|&w| w >= 1).ok_or_else(|| bad(format!("window {w:?} must be a whole number ≥ 1")))?,
                };
                return Ok(Method::DeepConf { score, eta, window });
            }
            "self-certainty-borda" => {
                arity(0, 1, "self-certainty-borda[:P]")?;
                let power = match args.first() {
                    None => DEFAULT_BORDA_POWER,
                    Some(p) => float(p, "power")?,
                };
                if !(power >= 0.0 && power.is_finite()) {
                    return Err(bad(format!("power {power} must be finite and ≥ 0")));
                }
                return Ok(Method::SelfCertaintyBorda { power });
            }
            _ => {}
        }
        let id = EstimatorId::from_name(&head).ok_or_else(|| MethodError::UnknownMethod { name: text.clone(), expected: EstimatorId::names() })?;
        if id == EstimatorId::Rp && args.len() == 1 {
            let t = float(args[0], "τ")?;
            return if (0.0..=1.0).contains(&t) { Ok(Method::Rp(t)) } else { Err(bad(format!("τ = {t} must be in [0, 1]"))) };
        }
        if !args.is_empty() {
            return Err(bad("takes no parameters after a colon".into()));
        }
        Ok(match id {
            EstimatorId::Sc => Method::Sc,
            EstimatorId::Ppl => Method::Ppl,
            EstimatorId::Pc => Method::Pc,
            EstimatorId::Rpc => Method::Rpc,
            EstimatorId::Rp => Method::Rp(tau.ok_or(MethodError::MissingParameter { method: EstimatorId::Rp.name(), option: "--tau" })?),
            EstimatorId::Cisc | EstimatorId::DeepConf | EstimatorId::SelfCertaintyBorda => unreachable!("parsed above"),
        })
    }
}

/// Which path probability the methods use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProbMode {
    /// `exp(mean token log-probability)` (the reference).
    #[default]
    Mean,
    /// `exp(sequence log-probability)`.
    Sequence,
}

pathconf_core::named_option!(ProbMode, "prob", { ProbMode::Mean => "mean", ProbMode::Sequence => "sequence" });

/// One row of a method's answer table: `[answer, confidence, is_correct]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The answer.
    pub answer: String,
    /// Its confidence.
    pub confidence: f64,
    /// Whether it is correct.
    pub correct: bool,
}

/// A method's result on one question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// Accuracy credit in `[0, 1]` (ties split).
    pub credit: f64,
    /// The answer table, in the reference's order.
    pub rows: Vec<Row>,
    /// Indices (within the subset drawn) of pruned paths (`rp`, `rpc`,
    /// `deepconf`); paths dropped as invalid are not listed.
    pub pruned: Option<Vec<usize>>,
    /// The Weibull fit (`rpc`).
    pub fit: Option<FitResult>,
    /// Number of paths drawn (invalid ones included, whether they voted or not).
    pub n_paths: usize,
    /// Invalid paths among them that cast no vote ([`InvalidPolicy::Drop`]).
    pub dropped: usize,
    /// Within-question discrimination of the method's per-path confidence
    /// (none for SC, whose paths all weigh the same).
    pub wqd: Option<Wqd>,
}

impl Outcome {
    /// The row of highest confidence (the first of tied ones): the method's
    /// answer. `None` when no path voted.
    pub fn top(&self) -> Option<&Row> {
        let mut best: Option<&Row> = None;
        for r in &self.rows {
            if best.is_none_or(|b| r.confidence > b.confidence) {
                best = Some(r);
            }
        }
        best
    }
}

/// A question restricted to a subset of its paths, grouped and interned once
/// and shared by all methods.
pub struct Prepared<'a> {
    question: &'a RawQuestion,
    /// The paths drawn (indices into the question's paths), invalid ones included.
    drawn: Vec<usize>,
    /// The paths that vote (all drawn under [`InvalidPolicy::Vote`], the
    /// valid ones under [`InvalidPolicy::Drop`]).
    subset: Vec<usize>,
    /// Per voting path: its position in `drawn`.
    position: Vec<usize>,
    /// Per subset path: group index.
    group_of: Vec<u32>,
    /// Per group: index (into subset) of its last path.
    group_last: Vec<usize>,
    group_correct: Vec<bool>,
    path_correct: Vec<bool>,
    /// Per subset path: the log-probability behind `q`.
    logp: Vec<f64>,
    /// Interned `(text, q)` identities, built on first use (PC, RP, RPC need
    /// them; SC and PPL do not, and hashing every completion is their
    /// dominant cost).
    sample: std::cell::OnceCell<Sample>,
    /// RPC's fits made ahead of time, if any (see [`crate::eval::prefit`]).
    fits: Option<&'a FitMemo>,
}

impl<'a> Prepared<'a> {
    /// The same, with RPC's fit looked up in `fits` first (the outcome is
    /// the same either way).
    pub fn with_fits(self, fits: &'a FitMemo) -> Self {
        Self { fits: Some(fits), ..self }
    }

    /// Groups and interns `question`'s paths at `drawn` (indices into its
    /// paths); under [`InvalidPolicy::Drop`] the invalid ones are set aside
    /// (they count as drawn, but form no group and cast no vote).
    pub fn new(question: &'a RawQuestion, drawn: Vec<usize>, equal: &AnswerEquality, mode: ProbMode, invalid: InvalidPolicy) -> Result<Self, String> {
        let position: Vec<usize> = match invalid {
            InvalidPolicy::Vote => (0..drawn.len()).collect(),
            InvalidPolicy::Drop => (0..drawn.len()).filter(|&i| !question.paths[drawn[i]].is_invalid()).collect(),
        };
        let subset: Vec<usize> = position.iter().map(|&i| drawn[i]).collect();
        let m = subset.len();
        let mut logp = Vec::with_capacity(m);
        for &j in &subset {
            let p = &question.paths[j];
            logp.push(match mode {
                // Answers-only paths carry NaN here; the protocol refuses every
                // method but SC on them before anything runs.
                ProbMode::Mean => p.mean_logprob.unwrap_or(f64::NAN),
                ProbMode::Sequence => {
                    p.sum_logprob.ok_or_else(|| format!("path {j} has no sequence log-probability (this format stores only mean_logprob); use --prob mean"))?
                }
            });
        }
        // Distinct raw answers, then groups of equivalent answers.
        let mut distinct: Vec<&str> = Vec::new();
        let mut raw_index: foldhash::HashMap<&str, usize> = foldhash::HashMap::default();
        let path_raw: Vec<usize> = subset
            .iter()
            .map(|&j| {
                let a = question.paths[j].answer.as_str();
                *raw_index.entry(a).or_insert_with(|| {
                    distinct.push(a);
                    distinct.len() - 1
                })
            })
            .collect();
        // One verdict per distinct raw answer; without a cache each answer is
        // normalised once (its key decides both its group and its verdict).
        let truth = question.truth.as_str();
        let (raw_root, verdict): (Vec<usize>, Vec<bool>) = if equal.cache.is_empty() {
            let keys: Vec<AnswerKey> = distinct.iter().map(|a| equal.key(a)).collect();
            let truth_key = equal.key(truth);
            let mut first: foldhash::HashMap<&AnswerKey, usize> = foldhash::HashMap::default();
            let roots = keys.iter().enumerate().map(|(i, k)| *first.entry(k).or_insert(i)).collect();
            (roots, keys.iter().map(|k| *k == truth_key).collect())
        } else {
            (group_answers(&distinct, equal), distinct.iter().map(|a| equal.equal(a, truth)).collect())
        };
        // Group order: by the position of the group's last path (roots index
        // `distinct`, so plain vectors replace hash maps here).
        let mut last_of_root: Vec<Option<usize>> = vec![None; distinct.len()];
        for (i, &r) in path_raw.iter().enumerate() {
            last_of_root[raw_root[r]] = Some(i);
        }
        let mut roots: Vec<(usize, usize)> = last_of_root.iter().enumerate().filter_map(|(root, last)| last.map(|l| (l, root))).collect();
        roots.sort_unstable();
        let mut group_index = vec![u32::MAX; distinct.len()];
        for (g, &(_, root)) in roots.iter().enumerate() {
            group_index[root] = g as u32;
        }
        let group_of: Vec<u32> = path_raw.iter().map(|&r| group_index[raw_root[r]]).collect();
        let group_last: Vec<usize> = roots.iter().map(|&(last, _)| last).collect();
        let group_correct = group_last.iter().map(|&last| verdict[path_raw[last]]).collect();
        let path_correct = path_raw.iter().map(|&r| verdict[r]).collect();
        Ok(Self { question, drawn, subset, position, group_of, group_last, group_correct, path_correct, logp, sample: std::cell::OnceCell::new(), fits: None })
    }

    /// Per voting path (in drawn order) its answer group, and per group
    /// whether it is correct — what count-based stopping rules replay.
    pub fn groups(&self) -> (&[u32], &[bool]) {
        (&self.group_of, &self.group_correct)
    }

    /// Per group, whether its answer is invalid ([`crate::invalid`]): the
    /// groups whose draws a rule under [`InvalidPolicy::Drop`] skips.
    pub fn invalid_groups(&self) -> Vec<bool> {
        (0..self.group_last.len()).map(|g| self.question.paths[self.subset[self.group_last[g]]].is_invalid()).collect()
    }

    /// Per path (in subset order) its identity (same text and probability:
    /// same path), and per identity its probability — what the path
    /// stopping rules replay.
    pub fn path_draws(&self) -> (Vec<u32>, Vec<f64>) {
        let sample = self.sample();
        let ids: Vec<u32> = sample.paths().iter().map(|p| p.id).collect();
        let mut probs = vec![0.0; sample.distinct().count()];
        sample.distinct().for_each(|p| probs[p.id as usize] = p.prob);
        (ids, probs)
    }

    /// The sampled paths with identities `(text, q)`.
    fn sample(&self) -> &Sample {
        self.sample.get_or_init(|| {
            // Keyed by q's bits first: distinct paths nearly always differ in
            // q, so long texts are compared only among paths of equal q
            // (a chain per q) instead of every text being hashed.
            let mut first_of_q: foldhash::HashMap<u64, u32> = foldhash::HashMap::default();
            let mut texts: Vec<&str> = Vec::new();
            let mut same_q_next: Vec<u32> = Vec::new();
            let mut sample = Sample::new(self.subset.len(), self.group_last.len());
            for (i, &j) in self.subset.iter().enumerate() {
                let prob = self.logp[i].exp();
                let text = self.question.paths[j].text.as_str();
                let next = texts.len() as u32;
                let head = *first_of_q.entry(prob.to_bits()).or_insert(next);
                let mut id = head;
                let found = loop {
                    if id == next {
                        break None;
                    }
                    if texts[id as usize] == text {
                        break Some(id);
                    }
                    if same_q_next[id as usize] == u32::MAX {
                        same_q_next[id as usize] = next;
                        break None;
                    }
                    id = same_q_next[id as usize];
                };
                let id = found.unwrap_or_else(|| {
                    texts.push(text);
                    same_q_next.push(u32::MAX);
                    next
                });
                sample.push(SampledPath { id, prob, answer: self.group_of[i] });
            }
            sample
        })
    }

    fn group_answer(&self, g: usize) -> String {
        self.question.paths[self.subset[self.group_last[g]]].answer.to_string()
    }

    /// An outcome with no answer rows yet.
    fn outcome(&self, credit: f64, rows: Vec<Row>) -> Outcome {
        Outcome { credit, rows, pruned: None, fit: None, n_paths: self.drawn.len(), dropped: self.drawn.len() - self.subset.len(), wqd: None }
    }

    /// Rows of normalised scores. When every score is 0 — every path's `q`
    /// underflowed, e.g. `exp` of a sequence log-probability below −745 —
    /// the groups tie (the choice splits the credit among all of them) and
    /// each gets the same share, instead of `0/0`.
    fn group_rows(&self, scores: &[f64]) -> Outcome {
        let total: f64 = scores.iter().sum();
        let share = |s: f64| if total > 0.0 { s / total } else { 1.0 / scores.len() as f64 };
        let rows: Vec<Row> =
            scores.iter().enumerate().map(|(g, &s)| Row { answer: self.group_answer(g), confidence: share(s), correct: self.group_correct[g] }).collect();
        let credit = select(scores.iter().zip(&self.group_correct).map(|(&s, &c)| (s, c))).credit;
        self.outcome(credit, rows)
    }

    /// Indices (in drawn order) of the voting paths `keep` leaves out.
    fn pruned(&self, keep: &[bool]) -> Vec<usize> {
        keep.iter().zip(&self.position).filter(|(k, _)| !**k).map(|(_, &i)| i).collect()
    }

    /// Runs `method` on the prepared question. With no voting path (every
    /// path drawn invalid and dropped) there is no answer: credit 0 and no
    /// rows (the calibration metrics then count confidence 0).
    pub fn run(&self, method: Method) -> Outcome {
        if self.subset.is_empty() {
            let mut out = self.outcome(0.0, Vec::new());
            if matches!(method, Method::Rp(_) | Method::Rpc | Method::DeepConf { .. }) {
                out.pruned = Some(Vec::new());
            }
            return out;
        }
        let mut out = self.run_method(method);
        if out.wqd.is_none() && !matches!(method, Method::Sc) {
            out.wqd = Some(self.probability_wqd());
        }
        out
    }

    fn run_method(&self, method: Method) -> Outcome {
        let n_groups = self.group_last.len();
        match method {
            Method::Sc => {
                let m = self.subset.len() as f64;
                let mut sizes = vec![0.0; n_groups];
                self.group_of.iter().for_each(|&g| sizes[g as usize] += 1.0);
                let fractions: Vec<f64> = sizes.iter().map(|s| s / m).collect();
                let mut out = self.group_rows(&fractions);
                out.credit = select(sizes.iter().zip(&self.group_correct).map(|(&s, &c)| (s, c))).credit;
                out
            }
            Method::Ppl => {
                let rows = self
                    .subset
                    .iter()
                    .enumerate()
                    .map(|(i, &j)| Row { answer: self.question.paths[j].answer.to_string(), confidence: self.logp[i].exp(), correct: self.path_correct[i] })
                    .collect();
                let credit = select(self.logp.iter().zip(&self.path_correct).map(|(&l, &c)| (l, c))).credit;
                self.outcome(credit, rows)
            }
            Method::Pc => {
                let mut out = self.with_mask(vec![true; self.subset.len()], None);
                out.pruned = None;
                out
            }
            Method::Rp(tau) => {
                let keep = self.sample().paths().iter().map(|p| p.prob >= tau).collect();
                self.with_mask(keep, None)
            }
            Method::Rpc => {
                let decision = match self.fits {
                    Some(memo) => WeibullPruning::fit_and_mask_from(self.sample(), memo),
                    None => WeibullPruning::fit_and_mask(self.sample()),
                };
                self.with_mask(decision.keep, decision.fit)
            }
            Method::Cisc { kind, temperature, signal } => {
                let c = self.cisc_signal(signal);
                let mut out = match kind {
                    CiscKind::Tie => {
                        let m = self.subset.len() as f64;
                        let counts = weighted_vote(&self.group_of, &vec![1.0; c.len()], None, n_groups);
                        let mut out = self.group_rows(&counts.iter().map(|x| x / m).collect::<Vec<_>>());
                        let tb = tie_break_scores(&self.group_of, &c, n_groups);
                        out.credit = select(tb.iter().zip(&self.group_correct).map(|(&s, &c)| (s, c))).credit;
                        out
                    }
                    _ => self.group_rows(&weighted_vote(&self.group_of, &cisc_weights(&c, kind, temperature), None, n_groups)),
                };
                out.wqd = Some(within_question_discrimination(&c, &self.path_correct));
                out
            }
            Method::DeepConf { score, eta, window } => {
                let scores = self.trace_scores(score, window);
                let keep = top_eta_keep(&scores, eta);
                let mut out = self.group_rows(&weighted_vote(&self.group_of, &scores, Some(&keep), n_groups));
                out.pruned = Some(self.pruned(&keep));
                out.wqd = Some(within_question_discrimination(&scores, &self.path_correct));
                out
            }
            Method::SelfCertaintyBorda { power } => {
                // Ranked among every path drawn (the authors' code ranks all
                // outputs, then skips the votes of those without an answer).
                let all: Vec<f64> = self.drawn.iter().map(|&j| self.question.paths[j].signals.self_certainty.unwrap_or(f64::NAN)).collect();
                let votes = borda_votes(&all, power);
                let votes: Vec<f64> = self.position.iter().map(|&i| votes[i]).collect();
                let s = self.signal(|p| p.signals.self_certainty);
                let mut out = self.group_rows(&weighted_vote(&self.group_of, &votes, None, n_groups));
                out.wqd = Some(within_question_discrimination(&s, &self.path_correct));
                out
            }
        }
    }

    /// A per-path signal over the subset (NaN where absent: the protocol
    /// refuses a method whose signal a path lacks before anything runs).
    fn signal(&self, f: impl Fn(&crate::eval::dataset::RawPath) -> Option<f64>) -> Vec<f64> {
        self.subset.iter().map(|&j| f(&self.question.paths[j]).unwrap_or(f64::NAN)).collect()
    }

    /// CISC's confidence per path.
    fn cisc_signal(&self, signal: CiscSignal) -> Vec<f64> {
        match signal {
            CiscSignal::ResponseProbability => self.signal(|p| p.mean_logprob.map(f64::exp)),
            CiscSignal::PTrue => self.signal(|p| p.signals.p_true),
        }
    }

    /// DeepConf's trace score per path.
    fn trace_scores(&self, score: TraceScore, window: usize) -> Vec<f64> {
        let mut buf: Vec<f64> = Vec::new();
        self.subset
            .iter()
            .map(|&j| match &self.question.paths[j].signals.token_confidence {
                Some(c) => {
                    buf.clear();
                    buf.extend(c.iter().map(|&x| x as f64));
                    score.of(&buf, window)
                }
                None => f64::NAN,
            })
            .collect()
    }

    /// The within-question discrimination of the path probability `q` (PPL,
    /// PC, RP, RPC rank paths by it).
    fn probability_wqd(&self) -> Wqd {
        within_question_discrimination(&self.logp, &self.path_correct)
    }

    fn with_mask(&self, keep: Vec<bool>, fit: Option<FitResult>) -> Outcome {
        let mut scores = vec![0.0; self.group_last.len()];
        pc_over_kept(self.sample(), &keep, &mut scores);
        let mut out = self.group_rows(&scores);
        out.pruned = Some(self.pruned(&keep));
        out.fit = fit;
        out
    }
}

/// Runs `methods` (each under its policy) on one question's paths at
/// `drawn`, grouping and interning the paths once per policy used.
pub fn run_methods(
    q: &RawQuestion,
    drawn: Vec<usize>,
    methods: &[Method],
    policies: &[InvalidPolicy],
    equal: &AnswerEquality,
    prob: ProbMode,
    fits: Option<&FitMemo>,
) -> Result<Vec<Outcome>, String> {
    let mut prepared: [Option<Prepared>; 2] = [None, None];
    methods
        .iter()
        .zip(policies)
        .map(|(&m, &policy)| {
            let slot = &mut prepared[policy as usize];
            if slot.is_none() {
                let p = Prepared::new(q, drawn.clone(), equal, prob, policy)?;
                *slot = Some(match fits {
                    Some(f) => p.with_fits(f),
                    None => p,
                });
            }
            Ok(slot.as_ref().expect("made above").run(m))
        })
        .collect()
}

/// Union–find root (an index into `distinct`) of each distinct raw answer
/// under a relation with cached pairwise verdicts (not necessarily
/// transitive, hence the reference's pairwise union–find).
fn group_answers(distinct: &[&str], equal: &AnswerEquality) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..distinct.len()).collect();
    fn find(p: &mut [usize], x: usize) -> usize {
        let mut r = x;
        while p[r] != r {
            r = p[r];
        }
        let mut y = x;
        while p[y] != r {
            let next = p[y];
            p[y] = r;
            y = next;
        }
        r
    }
    for i in 0..distinct.len() {
        for j in 0..i {
            if equal.equal(distinct[i], distinct[j]) {
                let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                if ri != rj {
                    parent[ri.max(rj)] = ri.min(rj);
                }
            }
        }
    }
    (0..distinct.len()).map(|i| find(&mut parent, i)).collect()
}

impl std::fmt::Display for Method {
    /// The method as typed: [`Method::parse`] reads it back.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let signal = |s: CiscSignal| if s == CiscSignal::PTrue { ":ptrue" } else { "" };
        match *self {
            Method::Rp(t) => write!(f, "rp:{t}"),
            Method::Cisc { kind: CiscKind::Softmax, temperature, signal: s } => write!(f, "cisc:{temperature}{}", signal(s)),
            Method::Cisc { kind: CiscKind::Linear, temperature, signal: s } => write!(f, "cisc-linear:{temperature}{}", signal(s)),
            Method::Cisc { kind: CiscKind::Tie, signal: s, .. } => write!(f, "cisc-tie{}", signal(s)),
            Method::DeepConf { score, eta, window } => {
                write!(f, "deepconf:{}:{eta}", score.name())?;
                if window != crate::confidence::DEFAULT_WINDOW {
                    write!(f, ":{window}")?;
                }
                Ok(())
            }
            Method::SelfCertaintyBorda { power } => write!(f, "self-certainty-borda:{power}"),
            _ => f.write_str(self.id().name()),
        }
    }
}

impl std::str::FromStr for Method {
    type Err = MethodError;

    /// [`Method::parse`] without a separate `--tau` (`rp:τ`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Method::parse(s, None)
    }
}

impl Serialize for Method {
    /// As its [`Method::name`], the label reports print.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_method_reads_back_what_it_writes_and_serialises_as_its_name() {
        let typed = [
            "sc",
            "ppl",
            "pc",
            "rpc",
            "rp:0.05",
            "cisc:0.5",
            "cisc:0.003:ptrue",
            "cisc:inf",
            "cisc-linear:30",
            "cisc-tie",
            "cisc-tie:ptrue",
            "deepconf:mean:90",
            "deepconf:lowest:10:512",
            "self-certainty-borda:0.25",
        ];
        for text in typed {
            let m: Method = text.parse().unwrap();
            assert_eq!(m.to_string(), text, "written as typed");
            assert_eq!(m.to_string().parse::<Method>().unwrap(), m, "{text} round-trips");
            assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{}\"", m.name()));
        }
        // Defaults are written out; `rp` without τ needs `--tau`.
        assert_eq!("self-certainty-borda".parse::<Method>().unwrap().to_string(), "self-certainty-borda:0.5");
        assert_eq!("deepconf:tail:50:8".parse::<Method>().unwrap().to_string(), "deepconf:tail:50");
        assert!("rp".parse::<Method>().is_err() && "rp:1.5".parse::<Method>().is_err());
        assert_eq!(Method::parse("rp", Some(0.1)).unwrap(), Method::Rp(0.1));
    }
}
