//! Validation of `pathconf plan` (issue #35): predictions from a pilot
//! against what replay then measures on the completed file, and — where a
//! question's true answer distribution is known — against the truth's
//! expectation given the same pilot.
//!
//! Three sources:
//! - the committed SmolLM2-135M paths (192 questions × 64): one file, the
//!   truth unknown (replay is the only comparison);
//! - the trained tiny transformer: replicate files sampled as `pathconf tiny
//!   sample` writes them, each question's answer distribution enumerated;
//! - a synthetic population unlike the model's own assumptions (correct
//!   shares from a four-part mixture with an atom at 0, a few wrong answers
//!   with Dirichlet shares, invalid answers): replicate files drawn from it.
//!
//! For each replicate file, pilot `m` and model, `plan` reads the first `m`
//! paths of each question; each predicted (not measured) value is a cell:
//! SC's accuracy at each `n`, each rule's accuracy and mean samples. A cell
//! is covered when the replay on the whole file lies in its interval.

use crate::api::plan::{pilot, plan, PlanOptions};
use crate::api::ApiError;
use crate::eval::equivalence::AnswerEquality;
use crate::eval::formats::jsonl::QuestionRecord;
use crate::eval::formats::{read, Format};
use crate::eval::methods::Method;
use crate::eval::protocol::{evaluate, EvalConfig};
use crate::eval::requirements::check_logprobs;
use crate::eval::stopping::{evaluate_stopping, fixed_budget_credits, PathOrder, StopConfig};
use crate::eval::synthetic::path_probability;
use crate::eval::{Dataset, RawPath, RawQuestion};
use crate::generation::GenerationConfig;
use crate::invalid::{is_invalid, InvalidPolicy};
use crate::plan::{run_length, Band, PlanConfig, PlanModel, Sequence, Tally};
use crate::progress::{Observer, Quiet};
use crate::provenance::{Interval, Provenance};
use crate::stopping::StopRule;
use crate::tiny::{enumerate_paths, sample_paths, PortableModel, Question};
use rand::Rng;
use rand_distr::{Beta, Distribution, Gamma, Poisson};
use rayon::prelude::*;
use serde::Serialize;

/// A question's true answer distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct TrueQuestion {
    /// `(answer, probability)`, probabilities summing to one.
    pub answers: Vec<(String, f64)>,
}

/// One file of a source, with its questions' true distributions if known.
#[derive(Debug, Clone)]
pub struct Replicate {
    /// The file, read.
    pub data: Dataset,
    /// Per question (same order), the true answer distribution.
    pub truth: Option<Vec<TrueQuestion>>,
}

/// A source of files.
#[derive(Debug, Clone)]
pub struct Source {
    /// Its name in tables.
    pub name: &'static str,
    /// Its files.
    pub replicates: Vec<Replicate>,
}

/// What is validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// Pilot sizes `m`.
    pub pilots: Vec<usize>,
    /// SC's sample sizes compared.
    pub ns: Vec<usize>,
    /// Rules compared (count-based).
    pub rules: Vec<StopRule>,
    /// Methods that weigh paths compared (as `--methods` takes them), on
    /// the sources whose files carry their signals.
    pub methods: Vec<String>,
    /// Rules that read path probabilities compared, on the same sources.
    pub path_rules: Vec<StopRule>,
    /// Models compared.
    pub models: Vec<PlanModel>,
    /// `plan`'s Monte Carlo draws.
    pub draws: usize,
    /// Completions per question for the truth's expectation.
    pub truth_runs: usize,
    /// Seed.
    pub seed: u64,
}

/// What a cell compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// Accuracy in %.
    Accuracy,
    /// Mean samples per question.
    Samples,
}

/// One prediction against what the completed file measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    /// Source.
    pub source: &'static str,
    /// Replicate file.
    pub replicate: usize,
    /// Model.
    pub model: PlanModel,
    /// Pilot size.
    pub pilot: usize,
    /// `"sc"`, another method (as typed), or the rule.
    pub what: String,
    /// Whether it weighs paths (a method other than SC, or a `pc-*` rule).
    pub weighted: bool,
    /// Accuracy or samples.
    pub quantity: Quantity,
    /// SC's `n` or the rule's cap.
    pub n: usize,
    /// The prediction (mean over draws).
    pub predicted: f64,
    /// Its interval.
    pub interval: Interval,
    /// What replay measured on the whole file.
    pub replay: f64,
    /// The truth's expectation given the pilot (Monte Carlo), where known.
    pub expected: Option<f64>,
    /// Its standard error.
    pub expected_se: Option<f64>,
}

impl Cell {
    /// Whether the replay lies in the interval.
    pub fn covered(&self) -> bool {
        self.interval.contains_within(self.replay, 1e-9)
    }
}

/// SC's whole predicted curve for one (file, pilot, model), with the replay
/// (and the truth's expectation) at every `n` — for the figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Curve {
    /// Source.
    pub source: &'static str,
    /// Replicate.
    pub replicate: usize,
    /// Model.
    pub model: PlanModel,
    /// Pilot size.
    pub pilot: usize,
    /// SC's predictions at `n = 1..=n_max`.
    pub bands: Vec<Band>,
    /// Replay of `fixed:n` on the file, `n = 1..=n_max`.
    pub replay: Vec<f64>,
    /// The truth's expectation given the pilot, where known.
    pub expected: Option<Vec<f64>>,
}

/// Everything [`validate`] measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Validation {
    /// Every cell.
    pub cells: Vec<Cell>,
    /// Every SC curve.
    pub curves: Vec<Curve>,
}

/// Coverage and error of a group of cells.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Source (`"all"` for every source).
    pub source: String,
    /// Model.
    pub model: PlanModel,
    /// The methods and rules that weigh paths, or those that count answers.
    pub weighted: bool,
    /// Accuracy or samples.
    pub quantity: Quantity,
    /// Cells.
    pub cells: usize,
    /// Share of cells whose interval holds the replay (%).
    pub coverage: f64,
    /// Mean of `predicted − replay`.
    pub mean_error: f64,
    /// Mean of `|predicted − replay|`.
    pub mean_abs_error: f64,
    /// Mean interval width.
    pub mean_width: f64,
    /// Mean of `|predicted − expected|` over the cells with a known truth.
    pub mean_abs_error_expected: Option<f64>,
}

/// Per source, model, kind (counting answers or weighing paths) and
/// quantity, then over all sources.
pub fn summarise(cells: &[Cell]) -> Vec<Summary> {
    let mut keys: Vec<(String, PlanModel, bool, Quantity)> = Vec::new();
    for c in cells {
        for src in [c.source.to_string(), "all".into()] {
            let k = (src, c.model, c.weighted, c.quantity);
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    keys.sort_by_key(|k| (k.0 == "all", k.1 == PlanModel::PlugIn, k.2, k.3 == Quantity::Samples));
    keys.into_iter()
        .map(|(source, model, weighted, quantity)| {
            let group: Vec<&Cell> = cells
                .iter()
                .filter(|c| (source == "all" || c.source == source) && c.model == model && c.weighted == weighted && c.quantity == quantity)
                .collect();
            let n = group.len() as f64;
            let mean = |f: &dyn Fn(&Cell) -> f64| group.iter().map(|c| f(c)).sum::<f64>() / n;
            let with_truth: Vec<f64> = group.iter().filter_map(|c| c.expected.map(|e| (c.predicted - e).abs())).collect();
            Summary {
                source,
                model,
                weighted,
                quantity,
                cells: group.len(),
                coverage: 100.0 * mean(&|c| if c.covered() { 1.0 } else { 0.0 }),
                mean_error: mean(&|c| c.predicted - c.replay),
                mean_abs_error: mean(&|c| (c.predicted - c.replay).abs()),
                mean_width: mean(&|c| c.interval.width()),
                mean_abs_error_expected: (!with_truth.is_empty()).then(|| with_truth.iter().sum::<f64>() / with_truth.len() as f64),
            }
        })
        .collect()
}

/// The label sequences a question's pilot and true distribution give: the
/// pilot's groups (as `plan` forms them, [`pilot`]) and, for each true
/// answer, its label (a pilot group's, or a new one).
fn truth_labels(q: &RawQuestion, truth: &TrueQuestion, m: usize, equal: &AnswerEquality) -> (Sequence, Vec<(u32, f64)>) {
    // The pilot as `plan` labels it; its draw `i` is the question's path `i`.
    let pilot = pilot(q, Some(m), equal);
    let mut seq = Sequence::of(&pilot);
    let mut rep: Vec<Option<&str>> = vec![None; seq.correct.len()];
    for (i, &g) in pilot.answers().iter().enumerate() {
        rep[g as usize].get_or_insert(q.paths[i].answer.as_str());
    }
    let labels = truth
        .answers
        .iter()
        .map(|(a, p)| {
            let same = |r: &str| if is_invalid(a) || is_invalid(r) { is_invalid(a) && is_invalid(r) } else { equal.equal(a, r) };
            let label = match rep.iter().position(|r| r.is_some_and(same)) {
                Some(g) => g as u32,
                None => {
                    seq.correct.push(!is_invalid(a) && equal.equal(a, &q.truth));
                    seq.invalid.push(is_invalid(a));
                    rep.push(Some(a));
                    (seq.correct.len() - 1) as u32
                }
            };
            (label, *p)
        })
        .collect();
    (seq, labels)
}

/// The truth's expectation, given each question's first `m` paths, of what
/// replay measures on the completed file: `runs` completions of every
/// question from its true distribution. Returns the dataset's mean values
/// and their standard errors across runs, as tallies divided by questions.
fn expected_given_pilot(ds: &Dataset, truth: &[TrueQuestion], m: usize, cfg: &PlanConfig, runs: usize, seed: u64) -> (Tally, Tally) {
    let equal = AnswerEquality::default();
    let prepared: Vec<(Sequence, Vec<(u32, f64)>)> = ds.questions.iter().zip(truth).map(|(q, t)| truth_labels(q, t, m, &equal)).collect();
    let len = run_length(cfg);
    let per_run: Vec<Tally> = (0..runs)
        .into_par_iter()
        .map(|r| {
            let mut rng = crate::seed::rng(seed, &[m as u64, r as u64]);
            let mut tally = Tally::new(cfg);
            for (seq, labels) in &prepared {
                let mut s = seq.clone();
                let total: f64 = labels.iter().map(|l| l.1).sum();
                while s.answers.len() < len {
                    let mut u = rng.random::<f64>() * total;
                    let label = labels.iter().find(|(_, p)| {
                        u -= p;
                        u < 0.0
                    });
                    s.answers.push(label.unwrap_or(labels.last().expect("a distribution has an answer")).0);
                }
                tally.add(&s, cfg);
            }
            tally
        })
        .collect();
    let nq = ds.questions.len() as f64;
    let stat = |f: &dyn Fn(&Tally) -> f64| -> (f64, f64) {
        let v: Vec<f64> = per_run.iter().map(|t| f(t) / nq).collect();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len().max(2) - 1) as f64;
        (mean, (var / v.len() as f64).sqrt())
    };
    let mut mean = Tally::new(cfg);
    let mut se = Tally::new(cfg);
    for i in 0..cfg.n_max {
        (mean.sc[i], se.sc[i]) = stat(&|t| t.sc[i]);
    }
    for i in 0..cfg.rules.len() {
        (mean.rules[i].0, se.rules[i].0) = stat(&|t| t.rules[i].0);
        (mean.rules[i].1, se.rules[i].1) = stat(&|t| t.rules[i].1);
    }
    (mean, se)
}

/// Runs every (source, replicate, pilot, model).
pub fn validate(sources: &[Source], s: &Settings, observer: &dyn Observer) -> Result<Validation, ApiError> {
    let n_max = s.ns.iter().copied().max().unwrap_or(1);
    let equal = AnswerEquality::default();
    let mut out = Validation::default();
    for src in sources {
        for (ri, rep) in src.replicates.iter().enumerate() {
            let ds = &rep.data;
            // Replay on the whole file: SC at every n, each rule.
            let credits: Vec<Vec<f64>> = ds.questions.iter().map(|q| fixed_budget_credits(q, InvalidPolicy::Vote, &equal, n_max)).collect();
            let nq = ds.questions.len() as f64;
            let replay_sc: Vec<f64> = (0..n_max).map(|i| 100.0 * credits.iter().map(|c| c[i]).sum::<f64>() / nq).collect();
            let stop = evaluate_stopping(
                ds,
                &StopConfig { rules: s.rules.clone(), order: PathOrder::File, repeats: 1, seed: 0, invalid: None, per_question: false },
                &equal,
                &Quiet,
            )?;
            // The methods and path rules this file has the signals for, and their replay.
            let methods: Vec<String> = s.methods.iter().filter(|m| Method::parse(m, None).is_ok_and(|x| check_logprobs(ds, &[x]).is_ok())).cloned().collect();
            let path_rules: Vec<StopRule> =
                if ds.questions.iter().all(|q| q.paths.iter().all(|p| p.mean_logprob.is_some())) { s.path_rules.clone() } else { Vec::new() };
            let method_replay = replay_methods(ds, &methods, &s.ns)?;
            let path_stop = match path_rules.is_empty() {
                true => None,
                false => Some(evaluate_stopping(
                    ds,
                    &StopConfig { rules: path_rules.clone(), order: PathOrder::File, repeats: 1, seed: 0, invalid: None, per_question: false },
                    &equal,
                    &Quiet,
                )?),
            };
            for &m in &s.pilots {
                let rules: Vec<(StopRule, InvalidPolicy)> = s.rules.iter().map(|r| (*r, r.default_invalid())).collect();
                let cfg = PlanConfig { n_max, rules, ..PlanConfig::default() };
                let truth = rep.truth.as_ref().map(|t| expected_given_pilot(ds, t, m, &cfg, s.truth_runs, s.seed));
                for &model in &s.models {
                    let opts = PlanOptions {
                        pilot: Some(m),
                        n: s.ns.clone(),
                        methods: Some(methods.clone()),
                        stop: s.rules.iter().chain(&path_rules).copied().collect(),
                        model,
                        draws: s.draws,
                        seed: s.seed,
                        ..PlanOptions::default()
                    };
                    let report = plan(ds, &opts, &Quiet)?;
                    let p = &report.prediction;
                    let cell = |what: String, quantity, n, b: &Band, replay: f64, expected: Option<(f64, f64)>| Cell {
                        source: src.name,
                        replicate: ri,
                        model,
                        pilot: m,
                        weighted: what != "sc" && !s.rules.iter().any(|r| r.to_string() == what),
                        what,
                        quantity,
                        n,
                        predicted: b.mean,
                        interval: b.interval,
                        replay,
                        expected: expected.map(|e| e.0),
                        expected_se: expected.map(|e| e.1),
                    };
                    for &n in &s.ns {
                        let b = &p.sc[n - 1];
                        if b.basis == Provenance::Predicted {
                            let e = truth.as_ref().map(|(mean, se)| (100.0 * mean.sc[n - 1], 100.0 * se.sc[n - 1]));
                            out.cells.push(cell("sc".into(), Quantity::Accuracy, n, b, replay_sc[n - 1], e));
                        }
                    }
                    for (i, (r, measured)) in p.rules.iter().zip(&stop.results).enumerate() {
                        if r.accuracy.basis == Provenance::Predicted {
                            let cap = s.rules[i].max_samples();
                            let e = |k: usize, scale: f64| {
                                truth.as_ref().map(|(mean, se)| (scale * [mean.rules[i].0, mean.rules[i].1][k], scale * [se.rules[i].0, se.rules[i].1][k]))
                            };
                            out.cells.push(cell(r.rule.clone(), Quantity::Accuracy, cap, &r.accuracy, measured.accuracy, e(0, 100.0)));
                            out.cells.push(cell(r.rule.clone(), Quantity::Samples, cap, &r.samples, measured.mean_samples, e(1, 1.0)));
                        }
                    }
                    for row in report.rows.iter().filter(|r| r.provenance == Provenance::Predicted) {
                        let band = |mean: f64, interval: Interval| Band { mean, interval, mc_se: row.accuracy_mc_se, basis: row.provenance };
                        if let (Some(method), Some(n)) = (&row.method, row.n) {
                            if let Some(&(_, _, replay)) = method_replay.iter().find(|(x, k, _)| x == method && *k == n) {
                                out.cells.push(cell(method.clone(), Quantity::Accuracy, n, &band(row.accuracy, row.accuracy_interval), replay, None));
                            }
                        }
                        if let (Some(rule), Some(samples), Some(interval)) = (&row.rule, row.expected_samples, row.samples_interval) {
                            if let Some(measured) = path_stop.as_ref().and_then(|p| p.results.iter().find(|r| &r.rule == rule)) {
                                let cap = row.n.unwrap_or(0);
                                out.cells.push(cell(
                                    rule.clone(),
                                    Quantity::Accuracy,
                                    cap,
                                    &band(row.accuracy, row.accuracy_interval),
                                    measured.accuracy,
                                    None,
                                ));
                                out.cells.push(cell(rule.clone(), Quantity::Samples, cap, &band(samples, interval), measured.mean_samples, None));
                            }
                        }
                    }
                    out.curves.push(Curve {
                        source: src.name,
                        replicate: ri,
                        model,
                        pilot: m,
                        bands: p.sc.clone(),
                        replay: replay_sc.clone(),
                        expected: truth.as_ref().map(|(mean, _)| mean.sc.iter().map(|x| 100.0 * x).collect()),
                    });
                    observer.advance(1);
                }
            }
        }
    }
    Ok(out)
}

/// Each method's accuracy (%) on each question's first `n` paths, for every
/// `n` in `ns`, as `eval --k n --order file` measures it: `(method, n, accuracy)`.
fn replay_methods(ds: &Dataset, methods: &[String], ns: &[usize]) -> Result<Vec<(String, usize, f64)>, ApiError> {
    if methods.is_empty() {
        return Ok(Vec::new());
    }
    let parsed: Vec<Method> = methods.iter().map(|m| Method::parse(m, None)).collect::<Result<_, _>>()?;
    let cfg = EvalConfig { methods: parsed.clone(), ks: ns.to_vec(), order: PathOrder::File, ..EvalConfig::default() };
    let report = evaluate(ds, &cfg, &Quiet)?;
    Ok(report
        .results
        .iter()
        .filter_map(|r| {
            let i = parsed.iter().position(|m| *m == r.method)?;
            Some((methods[i].clone(), r.k?, r.accuracy.mean))
        })
        .collect())
}

/// A dataset of answers only (texts `p0, p1, …`), one question per entry.
fn answers_dataset(name: &str, questions: Vec<(String, Vec<String>)>) -> Dataset {
    let questions = questions
        .into_iter()
        .enumerate()
        .map(|(i, (truth, answers))| RawQuestion {
            id: format!("q{i}"),
            truth,
            paths: answers
                .into_iter()
                .enumerate()
                .map(|(j, a)| RawPath {
                    text: format!("p{j}").into(),
                    answer: a.into(),
                    mean_logprob: None,
                    sum_logprob: None,
                    signals: Default::default(),
                    tokens: None,
                })
                .collect(),
        })
        .collect();
    Dataset { file: name.into(), questions, format: Format::Jsonl }
}

/// Draws `n` answers from a distribution.
fn draw_answers(t: &TrueQuestion, n: usize, rng: &mut impl Rng) -> Vec<String> {
    (0..n)
        .map(|_| {
            let mut u: f64 = rng.random();
            for (a, p) in &t.answers {
                u -= p;
                if u < 0.0 {
                    return a.clone();
                }
            }
            t.answers.last().expect("a distribution has an answer").0.clone()
        })
        .collect()
}

/// The synthetic population: `questions` answer distributions. A
/// question's correct share is 0 (a quarter of them: never answered
/// right), or from Beta(6, 1.5), Beta(1.2, 2.5) or Beta(0.3, 3); 0–10% of
/// draws are invalid; the rest split among `1 + Poisson(4)` wrong answers
/// by Dirichlet(0.7) shares — not the model's Pitman–Yor process.
pub fn synthetic_population(questions: usize, rng: &mut impl Rng) -> Vec<TrueQuestion> {
    (0..questions)
        .map(|_| {
            let u: f64 = rng.random();
            let beta = |a: f64, b: f64, rng: &mut dyn rand::RngCore| Beta::new(a, b).expect("positive").sample(rng);
            let theta = if u < 0.25 {
                0.0
            } else if u < 0.5 {
                beta(6.0, 1.5, rng)
            } else if u < 0.85 {
                beta(1.2, 2.5, rng)
            } else {
                beta(0.3, 3.0, rng)
            };
            let invalid = 0.1 * beta(1.0, 4.0, rng) * (1.0 - theta);
            let k = 1 + Poisson::new(4.0).expect("positive").sample(rng) as usize;
            let g: Vec<f64> = (0..k).map(|_| Gamma::new(0.7, 1.0).expect("positive").sample(rng)).collect();
            let total: f64 = g.iter().sum();
            let rest = 1.0 - theta - invalid;
            let mut answers = vec![("0".to_string(), theta), (crate::extract::INVALID.to_string(), invalid)];
            answers.extend(g.iter().enumerate().map(|(j, x)| ((j + 1).to_string(), rest * x / total)));
            answers.retain(|(_, p)| *p > 0.0);
            TrueQuestion { answers }
        })
        .collect()
}

/// `replicates` files of `paths` draws per question from the synthetic
/// population of `questions` questions (the correct answer is `"0"`).
pub fn synthetic_source(questions: usize, replicates: usize, paths: usize, signal_files: usize, seed: u64) -> Source {
    let mut rng = crate::seed::rng(seed, &[0x5e17]);
    let truth = synthetic_population(questions, &mut rng);
    let replicates = (0..replicates)
        .map(|r| {
            let mut rng = crate::seed::rng(seed, &[0x5e17, r as u64 + 1]);
            let qs = truth.iter().map(|t| ("0".to_string(), draw_answers(t, paths, &mut rng))).collect();
            let mut data = answers_dataset(&format!("synthetic#{r}"), qs);
            if r < signal_files {
                add_signals(&mut data, &mut crate::seed::rng(seed, &[0x5e17, r as u64 + 1, 0x519]));
            }
            Replicate { data, truth: Some(truth.clone()) }
        })
        .collect();
    Source { name: "synthetic", replicates }
}

/// Gives an answers-only file path probabilities, leaving its answers as
/// they are: a path repeats an earlier path of the same answer with
/// probability 0.15 (same text and probability), else is new, its
/// `exp(mean log-prob)` drawn as [`path_probability`] draws the synthetic
/// benchmark files' (correct paths more probable, as the reference's
/// pruning assumes).
fn add_signals(ds: &mut Dataset, rng: &mut impl Rng) {
    for q in &mut ds.questions {
        for j in 0..q.paths.len() {
            let same: Vec<usize> = (0..j).filter(|&k| q.paths[k].answer.as_str() == q.paths[j].answer.as_str()).collect();
            if !same.is_empty() && rng.random::<f64>() < 0.15 {
                let k = same[rng.random_range(0..same.len())];
                q.paths[j].text = q.paths[k].text.clone();
                q.paths[j].mean_logprob = q.paths[k].mean_logprob;
                continue;
            }
            let correct = q.paths[j].answer.as_str() == q.truth;
            q.paths[j].mean_logprob = Some(path_probability(correct, rng).ln());
        }
    }
}

/// Enumeration floor of the tiny model's true distributions (the answer
/// masses renormalised over the covered mass, ≥ 0.998 on these questions).
pub const TINY_FLOOR: f64 = 1e-6;

/// `replicates` files of `paths` paths for `questions` distinct random
/// questions, sampled by the tiny transformer exactly as `pathconf tiny
/// sample` writes them (JSONL, read back), with each question's answer
/// distribution enumerated.
pub fn tiny_source(model: &PortableModel, questions: usize, replicates: usize, paths: usize, seed: u64) -> Result<Source, crate::tiny::TinyError> {
    let mut rng = crate::seed::rng(seed, &[0x7171]);
    let mut qs: Vec<Question> = Vec::new();
    while qs.len() < questions {
        let q = Question::random(&mut rng);
        if !qs.iter().any(|x| x.id() == q.id()) {
            qs.push(q);
        }
    }
    let truth: Vec<TrueQuestion> = qs
        .par_iter()
        .map(|q| {
            let en = enumerate_paths(model, q, TINY_FLOOR, super::tiny::MAX_NEW_TOKENS)?;
            let mut answers: Vec<(String, f64)> = Vec::new();
            for p in &en.paths {
                match answers.iter_mut().find(|(a, _)| *a == p.answer) {
                    Some((_, m)) => *m += p.logprob.exp(),
                    None => answers.push((p.answer.clone(), p.logprob.exp())),
                }
            }
            answers.iter_mut().for_each(|(_, m)| *m /= en.covered_mass);
            Ok(TrueQuestion { answers })
        })
        .collect::<Result<_, crate::tiny::TinyError>>()?;
    let cfg = GenerationConfig::tiny();
    let mut files = Vec::with_capacity(replicates);
    for r in 0..replicates {
        let mut rng = crate::seed::rng(seed, &[0x7171, r as u64 + 1]);
        let mut text = String::new();
        for q in &qs {
            let generated = sample_paths(model, q, paths, &cfg, &mut rng)?;
            let record = QuestionRecord::short(q.id(), q.answer().to_string(), &generated);
            text.push_str(&record.to_line());
            text.push('\n');
        }
        let file = tempfile::NamedTempFile::new().map_err(candle_core::Error::wrap)?;
        std::fs::write(file.path(), &text).map_err(candle_core::Error::wrap)?;
        let mut data = read(file.path(), Some(Format::Jsonl), None).map_err(candle_core::Error::wrap)?;
        data.detach();
        data.file = format!("tiny#{r}").into();
        files.push(Replicate { data, truth: Some(truth.clone()) });
    }
    Ok(Source { name: "tiny", replicates: files })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The truth's expectation at `n ≤ m` is the pilot's own replay (no
    /// draw is simulated), and a cell is covered by its closed interval.
    #[test]
    fn the_truth_given_a_pilot_reproduces_the_pilot() {
        let src = synthetic_source(30, 1, 16, 0, 3);
        let rep = &src.replicates[0];
        let cfg = PlanConfig { n_max: 16, rules: vec![("esc:4:16".parse().unwrap(), InvalidPolicy::Vote)], ..PlanConfig::default() };
        let (mean, se) = expected_given_pilot(&rep.data, rep.truth.as_ref().unwrap(), 8, &cfg, 20, 1);
        let equal = AnswerEquality::default();
        for n in 1..=8 {
            let replay: f64 = rep.data.questions.iter().map(|q| fixed_budget_credits(q, InvalidPolicy::Vote, &equal, 8)[n - 1]).sum::<f64>() / 30.0;
            assert!((mean.sc[n - 1] - replay).abs() < 1e-12 && se.sc[n - 1] < 1e-12, "n = {n}: {} vs {replay}, s.e. {}", mean.sc[n - 1], se.sc[n - 1]);
        }
        assert!(se.sc[15] > 0.0);
    }

    #[test]
    fn a_true_answer_maps_to_its_pilot_group() {
        let ds = answers_dataset("t", vec![("0".into(), vec!["2".into(), "0".into(), crate::extract::INVALID.into(), "2".into()])]);
        let t = TrueQuestion { answers: vec![("0".into(), 0.5), ("2".into(), 0.2), ("5".into(), 0.2), (crate::extract::INVALID.into(), 0.1)] };
        let (seq, labels) = truth_labels(&ds.questions[0], &t, 4, &AnswerEquality::default());
        let correct: Vec<bool> = labels.iter().map(|(l, _)| seq.correct[*l as usize]).collect();
        let invalid: Vec<bool> = labels.iter().map(|(l, _)| seq.invalid[*l as usize]).collect();
        assert_eq!(correct, [true, false, false, false]);
        assert_eq!(invalid, [false, false, false, true]);
        assert_eq!(seq.correct.len(), 4, "one new label, for \"5\"");
        assert_eq!(labels[1].0, seq.answers[0]);
    }
}
