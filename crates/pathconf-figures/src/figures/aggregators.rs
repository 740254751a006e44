//! The field's aggregators next to the paper's estimators, on the committed
//! SmolLM2 paths (`data/smollm2_paths.jsonl`, with token confidences and
//! self-certainty) and in the path-distribution theory.
//!
//! **Held-out tuning.** The questions are split by index: even ones tune,
//! odd ones test. Each family's parameter (CISC's T, CISC-linear's slope,
//! DeepConf's score × η, Borda's power) is the one with the highest accuracy
//! on the tuning half with all 64 paths (ties: the first in the grid); the
//! leaderboard and the curves report the chosen setting on the test half
//! only — nothing is tuned on the questions it is reported on.
//!
//! Panels: (a) accuracy and (b) ECE vs n on the test half (mean ± std over
//! random subsets); (c) CISC's temperature sweep on all questions (64
//! paths; accuracy ± its standard error across questions) with SC, PC and
//! RPC marked; (d) the same sweep in theory, on a synthetic population of
//! path distributions: CISC's exact `n → ∞` accuracy (its limit `p̃`,
//! [`crate::theory::weighted`]) and its accuracy at `n = 16` (enumeration
//! or Monte Carlo, [`crate::accuracy`]) against PC's, which shows where
//! the sweep passes PC; (e) accuracy and (f) ECE vs n of the aggregators on
//! paths sampled from pathconf's trained transformer, whose enumerated
//! distribution with exact per-token signals gives each aggregator's exact
//! `n → ∞` accuracy and its exact-distribution prediction at `n = 16`,
//! tested against disjoint samples ([`crate::validate::tiny_signals`]).

use super::accuracy::{curve_series, curve_table, method_curves, MethodCurve};
use super::plot::{draw, palette, LegendAt, Panel, Scale, Series, Style};
use super::{csv_float, Csv, FigureConfig, FigureError, FigureOutput};
use crate::accuracy::{selection_accuracy, AccuracyConfig};
use crate::estimators::EstimatorId;
use crate::eval::dataset::{Dataset, RawPath, RawQuestion};
use crate::eval::equivalence::AnswerEquality;
use crate::eval::methods::{Method, Needs, ProbMode};
use crate::eval::protocol::{evaluate, outcomes_full, require_signal, standard_error, EvalConfig, MethodResult};
use crate::generators::{diffuse_wrong, Population, Split};
use crate::invalid::InvalidPolicy;
use crate::montecarlo::agreement::{Checks, StdError, FAMILY_ALPHA};
use crate::montecarlo::RunningStats;
use crate::progress::Observer;
use crate::seed::{self, derive, tag};
use crate::theory::weighted::cisc_limit_accuracy;
use plotters::style::RGBColor;
use serde::Serialize;
use std::path::Path;

/// CISC temperatures swept (on response probabilities in `[0, 1]`).
pub const TEMPERATURES: [f64; 9] = [0.003, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 3.0];
/// CSV columns of the leaderboard.
pub const LEADERBOARD_COLUMNS: [&str; 16] = [
    "family",
    "method",
    "invalid",
    "tune_accuracy",
    "accuracy",
    "accuracy_se",
    "minus_sc",
    "minus_sc_se",
    "accuracy_at_8",
    "accuracy_at_8_std",
    "ece",
    "wqd",
    "wqd_tied",
    "pruned",
    "accuracy_other_invalid",
    "questions",
];
/// CSV columns of the sweeps.
pub const SWEEP_COLUMNS: [&str; 5] = ["source", "method", "temperature", "accuracy", "accuracy_se"];

/// A family of methods and its parameter grid (one entry: no parameter).
struct MethodFamily {
    name: &'static str,
    grid: Vec<Method>,
    color: RGBColor,
}

fn parse(s: &str) -> Method {
    Method::parse(s, None).expect("the figure's method names parse")
}

/// The families compared; CISC with P(True) joins when every path of the
/// file carries `p_true`.
fn families(with_p_true: bool) -> Vec<MethodFamily> {
    let one = |name: &'static str, m: &str, color| MethodFamily { name, grid: vec![parse(m)], color };
    let mut deepconf = Vec::new();
    for score in ["mean", "tail", "bottom10", "lowest"] {
        for eta in [10, 30, 50, 70, 90, 100] {
            deepconf.push(parse(&format!("deepconf:{score}:{eta}")));
        }
    }
    let mut fams = vec![
        one("SC", "sc", palette::SC),
        one("PPL", "ppl", palette::PPL),
        one("PC", "pc", palette::PC),
        one("RPC", "rpc", palette::RPC),
        MethodFamily { name: "CISC", grid: cisc_sweep(""), color: palette::CISC },
        MethodFamily { name: "CISC-linear", grid: [1, 3, 10, 30, 100].iter().map(|t| parse(&format!("cisc-linear:{t}"))).collect(), color: palette::SKY },
        one("CISC-tie", "cisc-tie", palette::RP),
        MethodFamily { name: "DeepConf", grid: deepconf, color: palette::DEEPCONF },
        MethodFamily {
            name: "SelfCert-Borda",
            grid: [0.0, 0.25, 0.5, 1.0, 2.0, 4.0].iter().map(|p| parse(&format!("self-certainty-borda:{p}"))).collect(),
            color: palette::BORDA,
        },
    ];
    if with_p_true {
        fams.push(MethodFamily { name: "CISC-P(True)", grid: cisc_sweep(":ptrue"), color: palette::PTRUE });
    }
    fams
}

/// CISC at every temperature of [`TEMPERATURES`], `signal` appended to each
/// name (`""` for the response probability, `":ptrue"`).
fn cisc_sweep(signal: &str) -> Vec<Method> {
    TEMPERATURES.iter().map(|t| parse(&format!("cisc:{t}{signal}"))).collect()
}

/// The index and accuracy of the best `(accuracy, s.e.)` of a sweep (the
/// first on ties).
fn best_of(sweep: &[(f64, f64)]) -> (usize, f64) {
    sweep.iter().enumerate().fold((0, f64::MIN), |b, (i, a)| if a.0 > b.1 { (i, a.0) } else { b })
}

/// `at T ∈ {a, b}`, or `at no T of the sweep` when `ts` is empty.
fn at_temperatures(ts: &[f64]) -> String {
    if ts.is_empty() {
        "at no T of the sweep".into()
    } else {
        format!("at T ∈ {{{}}}", ts.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", "))
    }
}

fn half(ds: &Dataset, parity: usize) -> Dataset {
    Dataset { questions: ds.questions.iter().enumerate().filter(|(i, _)| i % 2 == parity).map(|(_, q)| q.clone()).collect(), ..ds.clone() }
}

/// Accuracy (%) of each method on `ds` with all paths, and its standard
/// error across questions.
fn full_accuracy(ds: &Dataset, methods: &[Method], equal: &AnswerEquality) -> Result<Vec<(f64, f64)>, FigureError> {
    let outs = outcomes_full(ds, methods, ProbMode::Mean, equal, None)?;
    Ok((0..methods.len())
        .map(|m| {
            let credits: Vec<f64> = outs.iter().map(|q| 100.0 * q[m].credit).collect();
            (credits.iter().sum::<f64>() / credits.len() as f64, standard_error(&credits))
        })
        .collect())
}

/// One leaderboard row: a family's chosen method on the test half.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaderRow {
    /// The family.
    pub family: &'static str,
    /// The chosen method.
    pub method: Method,
    /// Accuracy (%) on the tuning half, all paths.
    pub tune_accuracy: f64,
    /// On the test half, all paths.
    pub full: MethodResult,
    /// On the test half, at n = 8.
    pub k8: MethodResult,
    /// Paired difference to SC (points), and its standard error.
    pub minus_sc: (f64, f64),
    /// Test accuracy (%) under the other invalid-answer convention.
    pub other_convention: f64,
}

/// One method's accuracy (%) with all paths on all questions, ± its standard error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepPoint {
    /// The method's name.
    pub method: String,
    /// CISC's temperature.
    pub temperature: Option<f64>,
    /// Accuracy (%).
    pub accuracy: f64,
    /// Its standard error across questions.
    pub se: f64,
}

/// CISC's and PC's accuracy (%) over a population at `n` and in the limit, per temperature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TheoryCurve {
    /// The population.
    pub population: &'static str,
    /// CISC's exact limit per temperature.
    pub cisc_limit: Vec<f64>,
    /// CISC at n per temperature (enumeration or Monte Carlo).
    pub cisc_n: Vec<f64>,
    /// Monte Carlo standard error of each `cisc_n` (0 where exact).
    pub cisc_n_se: Vec<f64>,
    /// PC's exact limit.
    pub pc_limit: f64,
    /// PC at n.
    pub pc_n: f64,
    /// Its Monte Carlo standard error.
    pub pc_n_se: f64,
}

/// The SmolLM2 part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Smollm2 {
    /// Questions (all), tuning half, test half.
    pub questions: (usize, usize, usize),
    /// Paths per question (the fewest on the test half).
    pub n_max: usize,
    /// Random subsets per K.
    pub repeats: usize,
    /// Paths without an answer, all paths, questions with an invalid path.
    pub invalid: (usize, usize, usize),
    /// Whether every path carries P(True).
    pub with_p_true: bool,
    /// The leaderboard, one row per family.
    pub leaderboard: Vec<LeaderRow>,
    /// The chosen methods' curves on the test half.
    pub curves: Vec<MethodCurve>,
    /// CISC at every temperature, then SC, PC, RPC, then CISC with P(True) (if present).
    pub sweep: Vec<SweepPoint>,
    /// SC with invalid paths dropped (CISC's T → ∞ limit).
    pub sc_dropped: SweepPoint,
}

/// The theory part (panel d).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Theory {
    /// Questions per population.
    pub questions: usize,
    /// The sample size.
    pub n: u64,
    /// Monte Carlo trials where a cell is not exact.
    pub trials: u64,
    /// How the cells were obtained (`exact` / `enumeration` / `monte_carlo`).
    pub methods_used: Vec<&'static str>,
    /// Per population.
    pub curves: Vec<TheoryCurve>,
}

/// One transformer comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TinyCell {
    /// `a+b+c`.
    pub question: String,
    /// The method's name.
    pub method: String,
    /// Its exact accuracy in the limit (share).
    pub limit: f64,
    /// The enumerated distribution's prediction at n (Monte Carlo): mean, standard error.
    pub exact_n: (f64, f64),
    /// Measured on the model's samples: mean, standard error.
    pub measured_n: (f64, f64),
    /// The z-score.
    pub z: f64,
    /// Within the family's critical value.
    pub agrees: bool,
}

/// The transformer part (panels e, f).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tiny {
    /// Questions.
    pub questions: usize,
    /// Sample size of the comparisons, disjoint samples per question, Monte Carlo samples per cell.
    pub n: usize,
    /// Disjoint samples of n paths per question.
    pub blocks: usize,
    /// Monte Carlo samples per cell.
    pub trials: usize,
    /// Per question and method.
    pub cells: Vec<TinyCell>,
    /// Accuracy and ECE vs n on the sampled paths.
    pub curves: Vec<MethodCurve>,
}

/// The numbers behind the figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Data {
    /// Panels (a)–(c).
    pub smollm2: Smollm2,
    /// Panel (d).
    pub theory: Theory,
    /// Panels (e), (f).
    pub tiny: Tiny,
}

/// A family's colour.
fn color_of(family: &str) -> RGBColor {
    families(true).into_iter().find(|f| f.name == family).map_or(palette::PAPER, |f| f.color)
}

/// Mean (%) and standard error of per-question credits.
fn mean_se(credits: &[f64]) -> (f64, f64) {
    (credits.iter().sum::<f64>() / credits.len() as f64, standard_error(credits))
}

/// The leaderboard rows of the `chosen` methods on the test half.
fn leaderboard(
    test: &Dataset,
    chosen: &[(usize, Method, f64)],
    report: &crate::eval::protocol::EvalReport,
    n_max: usize,
    equal: &AnswerEquality,
) -> Result<Vec<LeaderRow>, FigureError> {
    let fams = families(true);
    let methods: Vec<Method> = chosen.iter().map(|c| c.1).collect();
    let at = |m: &Method, k: usize| -> MethodResult { report.results.iter().find(|r| r.method == *m && r.k == Some(k)).expect("evaluated").clone() };
    // Paired differences to SC on the test half (all paths): the per-question
    // credits of a method minus SC's, mean ± standard error across questions
    // (the question-to-question spread common to both methods cancels).
    let full_outs = outcomes_full(test, &methods, ProbMode::Mean, equal, None)?;
    let sc_index = chosen.iter().position(|c| c.1 == Method::Sc).expect("SC is a family");
    // What the other invalid-answer convention would give (test half, all
    // paths): drop for the methods whose reference votes, and vice versa.
    let forced = [
        outcomes_full(test, &methods, ProbMode::Mean, equal, Some(InvalidPolicy::Vote))?,
        outcomes_full(test, &methods, ProbMode::Mean, equal, Some(InvalidPolicy::Drop))?,
    ];
    Ok(chosen
        .iter()
        .enumerate()
        .map(|(mi, &(fi, m, tune_accuracy))| {
            let d: Vec<f64> = full_outs.iter().map(|q| 100.0 * (q[mi].credit - q[sc_index].credit)).collect();
            let other = match m.default_invalid() {
                InvalidPolicy::Vote => InvalidPolicy::Drop,
                InvalidPolicy::Drop => InvalidPolicy::Vote,
            };
            let outs = &forced[other as usize];
            LeaderRow {
                family: fams[fi].name,
                method: m,
                tune_accuracy,
                full: at(&m, n_max),
                k8: at(&m, 8.min(n_max)),
                minus_sc: mean_se(&d),
                other_convention: 100.0 * outs.iter().map(|q| q[mi].credit).sum::<f64>() / outs.len() as f64,
            }
        })
        .collect())
}

/// CISC's sweep on all questions, with SC, PC, RPC (and CISC on P(True)).
fn sweep(ds: &Dataset, with_p_true: bool, equal: &AnswerEquality) -> Result<(Vec<SweepPoint>, SweepPoint), FigureError> {
    let ptrue_sweep = if with_p_true { cisc_sweep(":ptrue") } else { Vec::new() };
    let methods: Vec<Method> = cisc_sweep("").into_iter().chain(["sc", "pc", "rpc"].map(parse)).chain(ptrue_sweep).collect();
    let acc = full_accuracy(ds, &methods, equal)?;
    let points = methods
        .iter()
        .zip(&acc)
        .map(|(m, &(accuracy, se))| {
            let temperature = match m {
                Method::Cisc { temperature, .. } => Some(*temperature),
                _ => None,
            };
            SweepPoint { method: m.name(), temperature, accuracy, se }
        })
        .collect();
    // CISC drops invalid paths (its reference does), so its T → ∞ limit is
    // SC with them dropped — a line of its own beside SC's default.
    let outs = outcomes_full(ds, &[Method::Sc], ProbMode::Mean, equal, Some(InvalidPolicy::Drop))?;
    let credits: Vec<f64> = outs.iter().map(|q| 100.0 * q[0].credit).collect();
    let (accuracy, se) = mean_se(&credits);
    Ok((points, SweepPoint { method: "SC (invalid dropped)".into(), temperature: None, accuracy, se }))
}

/// Panels (a)–(c): held-out tuning, the test half's curves, the sweep.
fn smollm2(cfg: &FigureConfig, observer: &dyn Observer) -> Result<Smollm2, FigureError> {
    let file = super::real_llm::data_file();
    let ds: Dataset = crate::eval::formats::read(&file, None, None)?;
    let equal = AnswerEquality::default();
    let (tune, test) = (half(&ds, 0), half(&ds, 1));
    let with_p_true = require_signal(&ds, "cisc", Needs::PTrue).is_ok();
    let fams = families(with_p_true);
    // Tune each family on the even questions.
    let mut chosen: Vec<(usize, Method, f64)> = Vec::new();
    for (fi, f) in fams.iter().enumerate() {
        let acc = full_accuracy(&tune, &f.grid, &equal)?;
        let best = (0..f.grid.len()).fold(0, |b, i| if acc[i].0 > acc[b].0 + 1e-9 { i } else { b });
        chosen.push((fi, f.grid[best], acc[best].0));
    }
    // Test half: all paths (leaderboard) and curves vs n.
    let methods: Vec<Method> = chosen.iter().map(|c| c.1).collect();
    let n_max = test.questions.iter().map(|q| q.paths.len()).min().unwrap_or(1);
    let ks: Vec<usize> = (0..).map(|k| 1usize << k).take_while(|&k| k <= n_max).collect();
    let repeats = if cfg.quick { 3 } else { 10 };
    let ecfg = EvalConfig { methods: methods.clone(), ks, repeats, seed: cfg.seed, equal: equal.clone(), ..EvalConfig::default() };
    let report = evaluate(&test, &ecfg, observer)?;
    let (sweep, sc_dropped) = sweep(&ds, with_p_true, &equal)?;
    Ok(Smollm2 {
        questions: (ds.questions.len(), tune.questions.len(), test.questions.len()),
        n_max,
        repeats,
        invalid: (ds.invalid_answers(), ds.questions.iter().map(|q| q.paths.len()).sum::<usize>(), ds.questions_with_invalid()),
        with_p_true,
        leaderboard: leaderboard(&test, &chosen, &report, n_max, &equal)?,
        curves: method_curves(&report, &methods),
        sweep,
        sc_dropped,
    })
}

/// CISC's and PC's population accuracy at `n` and in the limit.
fn theory_sweep(
    population: &'static str,
    dists: &[crate::distribution::PathDistribution],
    n: u64,
    trials: u64,
    seed: u64,
    observer: &dyn Observer,
    methods_used: &mut std::collections::BTreeSet<&'static str>,
) -> TheoryCurve {
    let mean = |v: Vec<f64>| 100.0 * v.iter().sum::<f64>() / v.len() as f64;
    // Population mean (%) and its Monte Carlo standard error (independent
    // cells: √(Σ se²) / Q; a cell's se is its 95% interval's width / 3.92).
    let mut acc = |id: EstimatorId, t: Option<f64>, s: u64| -> (f64, f64) {
        let cells: Vec<(f64, f64)> = dists
            .iter()
            .enumerate()
            .map(|(qi, d)| {
                let acfg = AccuracyConfig { tau: None, temperature: t, trials, seed: derive(s, &[qi as u64]) };
                let r = selection_accuracy(d, &[id], &[n], &acfg, observer).expect("n ≥ 1, T set for CISC");
                methods_used.insert(r[0].method.label());
                let se = r[0].ci.map_or(0.0, |ci| ci.width() / 3.92);
                (r[0].p_correct, se)
            })
            .collect();
        let q = cells.len() as f64;
        (mean(cells.iter().map(|c| c.0).collect()), 100.0 * cells.iter().map(|c| c.1 * c.1).sum::<f64>().sqrt() / q)
    };
    let (cisc_n, cisc_n_se): (Vec<f64>, Vec<f64>) =
        TEMPERATURES.iter().enumerate().map(|(ti, &t)| acc(EstimatorId::Cisc, Some(t), derive(seed, &[tag("aggregators/cisc"), ti as u64]))).unzip();
    let (pc_n, pc_n_se) = acc(EstimatorId::Pc, None, derive(seed, &[tag("aggregators/pc")]));
    let cisc_limit = TEMPERATURES.iter().map(|&t| mean(dists.iter().map(|d| cisc_limit_accuracy(d, t)).collect())).collect();
    let pc_limit = mean(dists.iter().map(|d| crate::accuracy::limit::limit_accuracy(d, EstimatorId::Pc, None).expect("PC has a limit")).collect());
    TheoryCurve { population, cisc_limit, cisc_n, cisc_n_se, pc_limit, pc_n, pc_n_se }
}

/// Panel (d): the theory's sweep on two synthetic populations.
fn theory(cfg: &FigureConfig, observer: &dyn Observer) -> Theory {
    let nq = if cfg.quick { 20 } else { 100 };
    let pop = Population { n_questions: nq, paths_per_answer: 6, split: Split::Zipf { exponent: 1.0 }, ..Default::default() };
    let symmetric = pop.sample(&mut seed::rng(cfg.seed, &[tag("aggregators/symmetric")])).expect("constant population parameters are valid");
    let diffuse = diffuse_wrong(nq, &mut seed::rng(cfg.seed, &[tag("aggregators/diffuse")]));
    let (n, trials) = (16u64, if cfg.quick { 500 } else { 4000 });
    let mut methods_used = std::collections::BTreeSet::new();
    let curves = [("diffuse wrong answers", &diffuse), ("symmetric Beta(2,2) population", &symmetric)]
        .into_iter()
        .enumerate()
        .map(|(fi, (name, dists))| theory_sweep(name, dists, n, trials, derive(cfg.seed, &[tag("aggregators/theory"), fi as u64]), observer, &mut methods_used))
        .collect();
    Theory { questions: symmetric.len(), n, trials, methods_used: methods_used.into_iter().collect(), curves }
}

/// The methods run on the trained transformer.
const TINY_METHODS: [&str; 9] =
    ["sc", "ppl", "pc", "cisc:0.05", "cisc:0.5", "deepconf:mean:100", "deepconf:lowest:10", "deepconf:tail:50", "self-certainty-borda:0.5"];

/// CSV columns of the transformer comparison.
pub const TINY_COLUMNS: [&str; 10] = ["question", "method", "limit", "exact_n", "exact_n_se", "measured_n", "measured_n_se", "n", "z", "agrees"];

/// A method on one question: exact limit, the enumerated distribution's
/// prediction at n (Monte Carlo), the measured accuracy.
type MethodOnQuestion = (f64, RunningStats, RunningStats);

/// One question of the transformer: its sampled paths (as the evaluator
/// reads them) and, per method, the exact limit, the enumerated
/// distribution's prediction at `n` and the measured accuracy.
fn tiny_question(
    cfg: &FigureConfig,
    stored: &crate::tiny::store::StoredModel,
    qi: usize,
    q: &crate::tiny::Question,
    methods: &[Method],
    (n, blocks, trials): (usize, usize, usize),
) -> Result<(RawQuestion, Vec<MethodOnQuestion>), FigureError> {
    use crate::validate::tiny::MAX_NEW_TOKENS;
    use crate::validate::tiny_signals::{as_question, credits, limit_accuracy, monte_carlo_accuracy, signal_paths};
    let e = crate::validate::tiny::enumeration(&stored.portable, &stored.dir, q)?;
    let paths = signal_paths(&e);
    let sampler = crate::generation::GenerationConfig {
        max_new_tokens: MAX_NEW_TOKENS,
        top_logprobs: crate::confidence::DEEPCONF_TOP_K,
        ..crate::generation::GenerationConfig::tiny()
    };
    let mut rng = seed::rng(cfg.seed, &[tag("aggregators/tiny-sample"), qi as u64]);
    let generated = crate::tiny::sample_paths(&stored.portable, q, blocks * n, &sampler, &mut rng)?;
    let raw: Vec<RawPath> = generated.iter().map(RawPath::from).collect();
    let enumerated = as_question(q, &paths);
    let mut mc_rng = seed::rng(cfg.seed, &[tag("aggregators/tiny-monte-carlo"), qi as u64]);
    let exact = monte_carlo_accuracy(&paths, &enumerated, methods, n, trials, &mut mc_rng);
    let pool = RawQuestion { id: q.id(), truth: q.answer().to_string(), paths: raw };
    let mut measured = vec![RunningStats::default(); methods.len()];
    for b in 0..blocks {
        for (s, c) in measured.iter_mut().zip(credits(&pool, (b * n..(b + 1) * n).collect(), methods, &AnswerEquality::default())) {
            s.push(c);
        }
    }
    let cells =
        methods.iter().enumerate().map(|(mi, &m)| (limit_accuracy(&paths, m).expect("every listed method has a limit"), exact[mi], measured[mi])).collect();
    Ok((pool, cells))
}

/// The aggregators on the trained transformer: exact limits and exact-
/// distribution Monte Carlo at `n = 16` against disjoint blocks of sampled
/// paths (z-tests, Bonferroni at [`FAMILY_ALPHA`]), and accuracy / ECE vs n
/// on the sampled paths.
fn tiny(cfg: &FigureConfig, observer: &dyn Observer) -> Result<Tiny, FigureError> {
    use crate::validate::tiny::{questions, train_config};
    let stored = crate::tiny::store::ensure_model(None, &crate::tiny::ModelConfig::default(), &train_config(), observer)?;
    let qs = questions(cfg.quick);
    let methods: Vec<Method> = TINY_METHODS.iter().map(|m| parse(m)).collect();
    let (n, blocks, trials) = if cfg.quick { (16usize, 40usize, 400usize) } else { (16, 64, 4000) };
    let mut pools = Vec::new();
    let mut raw_cells = Vec::new();
    for (qi, q) in qs.iter().enumerate() {
        let (pool, cells) = tiny_question(cfg, &stored, qi, q, &methods, (n, blocks, trials))?;
        raw_cells.extend(cells.into_iter().zip(&methods).map(|(c, m)| (q.id(), m.name(), c)));
        pools.push(pool);
        observer.advance(0);
    }
    let estimated: Vec<_> =
        raw_cells.into_iter().map(|(q, method, (limit, exact, measured))| (q, method, limit, exact.estimate(0.0), measured.estimate(0.0))).collect();
    let mut checks = Checks::new();
    for (question, method, _, e, m) in &estimated {
        let se = StdError::AtLeast { se: (e.std_error * e.std_error + m.std_error * m.std_error).sqrt(), floor: 1.0 / blocks as f64 };
        checks.equal(format!("{question} {method}"), m.mean, e.mean, se);
    }
    let cells = estimated
        .into_iter()
        .zip(checks.judge().checks)
        .map(|((question, method, limit, e, m), c)| TinyCell {
            question,
            method,
            limit,
            exact_n: (e.mean, e.std_error),
            measured_n: (m.mean, m.std_error),
            z: c.z,
            agrees: c.agrees,
        })
        .collect();
    // Accuracy and ECE vs n on the sampled paths (random subsets of each pool).
    let ds = Dataset { file: "tiny transformer (sampled)".into(), questions: pools, format: crate::eval::formats::Format::Jsonl };
    let ks: Vec<usize> = (0..=6).map(|k| 1usize << k).collect();
    let repeats = if cfg.quick { 3 } else { 10 };
    let ecfg = EvalConfig { methods: methods.clone(), ks, repeats, seed: cfg.seed, ..EvalConfig::default() };
    let report = evaluate(&ds, &ecfg, observer)?;
    Ok(Tiny { questions: qs.len(), n, blocks, trials, cells, curves: method_curves(&report, &methods) })
}

/// Computes the figure's numbers.
pub fn compute(cfg: &FigureConfig, observer: &dyn Observer) -> Result<Data, FigureError> {
    let smollm2 = smollm2(cfg, observer)?;
    let theory = theory(cfg, observer);
    Ok(Data { smollm2, theory, tiny: tiny(cfg, observer)? })
}

/// Writes `aggregators.{png,svg,csv}`, `aggregators_leaderboard.csv`, `aggregators_sweep.csv`, `aggregators_tiny.csv`.
pub fn run(cfg: &FigureConfig, observer: &dyn Observer) -> Result<FigureOutput, FigureError> {
    render(&compute(cfg, observer)?, &cfg.out)
}

/// The leaderboard's CSV.
fn leaderboard_table(rows: &[LeaderRow], test_questions: usize) -> Csv {
    let mut board = Csv::new(&LEADERBOARD_COLUMNS);
    for r in rows {
        let (full, k8, wqd) = (&r.full, &r.k8, r.full.wqd);
        board.row(vec![
            r.family.into(),
            r.method.name().replace(',', ";"),
            full.invalid.to_string(),
            csv_float(r.tune_accuracy),
            csv_float(full.accuracy.mean),
            csv_float(full.accuracy_se),
            csv_float(r.minus_sc.0),
            csv_float(r.minus_sc.1),
            csv_float(k8.accuracy.mean),
            csv_float(k8.accuracy.std),
            csv_float(100.0 * full.ece_max.mean),
            wqd.map(|w| csv_float(w.share)).unwrap_or_default(),
            wqd.map(|w| csv_float(w.tied)).unwrap_or_default(),
            full.pruned_fraction.map(csv_float).unwrap_or_default(),
            csv_float(r.other_convention),
            test_questions.to_string(),
        ]);
    }
    board
}

/// The sweeps' CSV: the data's, then the theory's.
fn sweep_table(data: &Data) -> Csv {
    let mut sweep = Csv::new(&SWEEP_COLUMNS);
    let s = &data.smollm2;
    for p in s.sweep.iter().chain([&s.sc_dropped]) {
        sweep.row(vec!["smollm2".into(), p.method.replace(',', ";"), p.temperature.map(csv_float).unwrap_or_default(), csv_float(p.accuracy), csv_float(p.se)]);
    }
    let n = data.theory.n;
    for c in &data.theory.curves {
        let fam = c.population;
        for (i, &t) in TEMPERATURES.iter().enumerate() {
            sweep.row(vec![format!("theory_limit:{fam}"), "CISC".into(), csv_float(t), csv_float(c.cisc_limit[i]), String::new()]);
            sweep.row(vec![format!("theory_n{n}:{fam}"), "CISC".into(), csv_float(t), csv_float(c.cisc_n[i]), String::new()]);
        }
        sweep.row(vec![format!("theory_limit:{fam}"), "PC".into(), String::new(), csv_float(c.pc_limit), String::new()]);
        sweep.row(vec![format!("theory_n{n}:{fam}"), "PC".into(), String::new(), csv_float(c.pc_n), String::new()]);
    }
    sweep
}

/// The transformer comparison's CSV.
fn tiny_table(t: &Tiny) -> Csv {
    let mut csv = Csv::new(&TINY_COLUMNS);
    for c in &t.cells {
        csv.row(vec![
            c.question.clone(),
            c.method.replace(',', ";"),
            csv_float(c.limit),
            csv_float(c.exact_n.0),
            csv_float(c.exact_n.1),
            csv_float(c.measured_n.0),
            csv_float(c.measured_n.1),
            t.n.to_string(),
            csv_float(c.z),
            c.agrees.to_string(),
        ]);
    }
    csv
}

/// Panel (c): CISC's temperature sweep on the data.
fn sweep_panel(s: &Smollm2) -> Panel {
    let nt = TEMPERATURES.len();
    let acc = &s.sweep;
    let xs = |v: &[SweepPoint]| TEMPERATURES.iter().zip(v).map(|(&t, a)| (t, a.accuracy)).collect::<Vec<_>>();
    let bars = |v: &[SweepPoint]| v.iter().map(|a| (a.accuracy - a.se, a.accuracy + a.se)).collect();
    let flat = |y: f64| vec![(TEMPERATURES[0], y), (TEMPERATURES[nt - 1], y)];
    let mut series = vec![
        Series::new("CISC(T)", palette::CISC, Style::PointsLine, xs(&acc[..nt])).with_bars(bars(&acc[..nt])),
        Series::new("SC (invalid paths vote)", palette::SC, Style::Line, flat(acc[nt].accuracy)),
        Series::new("SC, invalid paths dropped (= CISC at T = ∞)", palette::SKY, Style::Line, flat(s.sc_dropped.accuracy)),
        Series::new("PC", palette::PC, Style::Line, flat(acc[nt + 1].accuracy)),
        Series::new("RPC", palette::RPC, Style::Line, flat(acc[nt + 2].accuracy)),
    ];
    if s.with_p_true {
        let ptrue = &acc[nt + 3..];
        series.push(Series::new("CISC(T), weights from P(True)", palette::PTRUE, Style::PointsLine, xs(ptrue)).with_bars(bars(ptrue)));
    }
    Panel {
        title: format!("(c) CISC temperature sweep, all {} questions, {} paths (± s.e. across questions)", s.questions.0, s.n_max),
        x_label: "temperature T (response probability in [0, 1])".into(),
        y_label: "accuracy (%)".into(),
        x_scale: Scale::Log10,
        y_scale: Scale::Linear,
        series,
        legend: LegendAt::LowerRight.into(),
        y_range: None,
    }
}

/// Panel (d): the theory's sweep.
fn theory_panel(t: &Theory) -> Panel {
    let nt = TEMPERATURES.len();
    let line = |y: f64| vec![(TEMPERATURES[0], y), (TEMPERATURES[nt - 1], y)];
    let pts = |v: &[f64]| TEMPERATURES.iter().zip(v).map(|(&t, &a)| (t, a)).collect::<Vec<_>>();
    let colors = [(palette::CISC, palette::PC, palette::PPL), (palette::DEEPCONF, palette::BORDA, palette::RPC)];
    let mut series = Vec::new();
    for (c, (dark, light, third)) in t.curves.iter().zip(colors) {
        let (fam, n) = (c.population, t.n);
        series.push(Series::new(format!("{fam}: CISC, n → ∞ (exact)"), dark, Style::Line, pts(&c.cisc_limit)));
        series.push(Series::new(format!("{fam}: CISC, n = {n}"), dark, Style::Points, pts(&c.cisc_n)));
        series.push(Series::new(format!("{fam}: PC, n → ∞ (exact)"), light, Style::Line, line(c.pc_limit)));
        series.push(Series::new(format!("{fam}: PC, n = {n}"), third, Style::Line, line(c.pc_n)));
    }
    Panel {
        title: format!("(d) theory: CISC(T) vs PC, two populations of {} questions", t.questions),
        x_label: "temperature T (confidence = the path's probability)".into(),
        y_label: "P(correct) (%)".into(),
        x_scale: Scale::Log10,
        y_scale: Scale::Linear,
        series,
        legend: LegendAt::MiddleLeft.into(),
        y_range: None,
    }
}

/// All six panels.
fn panels(data: &Data) -> Vec<Panel> {
    let s = &data.smollm2;
    let colors: Vec<RGBColor> = s.leaderboard.iter().map(|r| color_of(r.family)).collect();
    let (acc, ece) = curve_series(&s.curves, &colors);
    let tiny_colors = [palette::SC, palette::PPL, palette::PC, palette::CISC, palette::SKY, palette::DEEPCONF, palette::RPC, palette::RP, palette::BORDA];
    let (tiny_acc, tiny_ece) = curve_series(&data.tiny.curves, &tiny_colors);
    vec![
        Panel::versus_n(
            format!("(a) accuracy, test half ({} questions; tuned on the other half)", s.questions.2),
            "accuracy (%)",
            Scale::Linear,
            LegendAt::LowerRight,
            acc,
        ),
        Panel::versus_n("(b) ECE, chosen answer, test half".into(), "ECE (%)", Scale::Linear, LegendAt::UpperRight, ece),
        sweep_panel(s),
        theory_panel(&data.theory),
        Panel::versus_n("(e) accuracy, trained transformer (sampled paths)".into(), "accuracy (%)", Scale::Linear, LegendAt::LowerRight, tiny_acc),
        Panel::versus_n("(f) ECE, trained transformer".into(), "ECE (%)", Scale::Linear, LegendAt::UpperRight, tiny_ece),
    ]
}

/// The leaderboard's part of the summary.
fn leaderboard_summary(s: &Smollm2) -> String {
    let (nq, tune, test) = s.questions;
    let (invalid, paths, with_invalid) = s.invalid;
    let n_max = s.n_max;
    let mut out = format!(
        "## Aggregators: CISC, DeepConf, self-certainty Borda next to SC / PPL / PC / RPC\n\n\
         ![aggregators](aggregators.png)\n\n\
         Leaderboard on the committed SmolLM2-135M paths (`data/smollm2_paths.jsonl`): each family's parameter was chosen on the \
         {tune} even-indexed questions (accuracy with all {n_max} paths) and is reported on the {test} odd-indexed ones — measured on data; \
         accuracy ± its standard error across questions, with all {n_max} paths and at n = 8 (mean ± std over {} random subsets); \
         ECE ×100 (chosen answer, all paths); WQD = share of (correct, wrong) path pairs of a question ranked the right way by the \
         method's per-path confidence (ties in parentheses).\n\n\
         The paired column is the per-question difference to SC on the same test questions, mean ± its standard error — \
         the comparison that decides whether a method beats SC (the question-to-question spread cancels).\n\n\
         Paths without an answer ({invalid} of {paths}, in {with_invalid} of {nq} questions) are handled as each method's reference code \
         handles them (column `invalid`: SC, PPL, PC and RPC vote them as one answer group; CISC, DeepConf and self-certainty Borda \
         drop them); the last column is the test accuracy under the other convention, with the same chosen parameter.\n\n\
         | family | chosen on the tuning half | invalid | tuning acc. (%) | test acc. (%) ± s.e. | minus SC (paired, pts) | test acc. at n = 8 (%) | ECE | WQD (tied) | pruned | test acc., other convention (%) |\n\
         |---|---|---|---|---|---|---|---|---|---|---|\n",
        s.repeats,
    );
    for r in &s.leaderboard {
        let (full, k8) = (&r.full, &r.k8);
        out.push_str(&format!(
            "| {} | {} | {} | {:.1} | {:.1} ± {:.1} | {:+.1} ± {:.1} | {:.1} ± {:.1} | {:.1} | {} | {} | {:.1} |\n",
            r.family,
            r.method.name(),
            full.invalid,
            r.tune_accuracy,
            full.accuracy.mean,
            full.accuracy_se,
            r.minus_sc.0,
            r.minus_sc.1,
            k8.accuracy.mean,
            k8.accuracy.std,
            100.0 * full.ece_max.mean,
            full.wqd.map(|w| format!("{:.3} ({:.3})", w.share, w.tied)).unwrap_or_else(|| "-".into()),
            full.pruned_fraction.map(|f| format!("{:.0}%", 100.0 * f)).unwrap_or_else(|| "-".into()),
            r.other_convention,
        ));
    }
    out
}

/// One population's note on where CISC passes PC.
fn theory_note(c: &TheoryCurve, n: u64) -> String {
    let nt = TEMPERATURES.len();
    let above = |v: &[f64], y: f64| TEMPERATURES.iter().zip(v).filter(|(_, &a)| a > y + 1e-9).map(|(&t, _)| t).collect::<Vec<f64>>();
    // At n, only differences beyond two Monte Carlo standard errors count.
    let above_n: Vec<f64> =
        (0..nt).filter(|&i| c.cisc_n[i] - c.pc_n > 2.0 * (c.cisc_n_se[i].powi(2) + c.pc_n_se.powi(2)).sqrt()).map(|i| TEMPERATURES[i]).collect();
    format!(
        "{}: CISC's exact limit passes PC's ({:.1}%) {} (best {:.1}%); at n = {n} it passes PC ({:.1}% ± {:.2} MC s.e.) by more than two Monte Carlo standard errors {} (best {:.1}%)",
        c.population,
        c.pc_limit,
        at_temperatures(&above(&c.cisc_limit, c.pc_limit)),
        c.cisc_limit.iter().cloned().fold(f64::MIN, f64::max),
        c.pc_n,
        c.pc_n_se,
        at_temperatures(&above_n),
        c.cisc_n.iter().cloned().fold(f64::MIN, f64::max),
    )
}

/// The sweep's and the theory's part of the summary.
fn sweep_summary(data: &Data) -> String {
    let (s, t) = (&data.smollm2, &data.theory);
    let nt = TEMPERATURES.len();
    let acc: Vec<(f64, f64)> = s.sweep.iter().map(|p| (p.accuracy, p.se)).collect();
    let best = best_of(&acc[..nt]);
    let mut out = format!(
        "\nCISC's sweep on all {} questions (measured on data, all paths): best T = {} at {:.1}% (SC {:.1}%, or {:.1}% with invalid paths dropped — CISC's convention, hence its T → ∞ limit —, PC {:.1}%, RPC {:.1}%, each ± about {:.1} s.e.).\n\n\
         Theory (panel d; confidence = the path's probability; n → ∞ exact from CISC's limit p̃; n = {} by {}, {} trials where Monte Carlo): \
         {}. As T → ∞ CISC is SC, whose limit is PC's; as T → 0 it follows the most probable path, like PPL: weighting by probability helps \
         exactly where wrong answers are spread over many improbable paths (SC's and PC's model error), and costs accuracy where they are not.\n",
        s.questions.0,
        TEMPERATURES[best.0],
        best.1,
        acc[nt].0,
        s.sc_dropped.accuracy,
        acc[nt + 1].0,
        acc[nt + 2].0,
        acc[nt].1,
        t.n,
        t.methods_used.join(" / "),
        t.trials,
        t.curves.iter().map(|c| theory_note(c, t.n)).collect::<Vec<_>>().join("; "),
    );
    if s.with_p_true {
        let ptrue = &acc[nt + 3..];
        let best = best_of(ptrue);
        out.push_str(&format!(
            "\nCISC with P(True) as the confidence (the model's own 0/1 rating of each path, `p_true`; same sweep, measured on data): \
             best T = {} at {:.1}% (± about {:.1} s.e.).\n",
            TEMPERATURES[best.0], best.1, ptrue[best.0].1,
        ));
    }
    out
}

/// The transformer's part of the summary.
fn tiny_summary(t: &Tiny) -> String {
    let disagreements: Vec<String> = t
        .cells
        .iter()
        .filter(|c| !c.agrees)
        .map(|c| format!("{} {}: measured {:.3} vs exact {:.3} (z = {:.1})", c.question, c.method, c.measured_n.0, c.exact_n.0, c.z))
        .collect();
    let (n, blocks, trials) = (t.n, t.blocks, t.trials);
    let mut summary = format!(
        "\n**The trained transformer** ({} questions; its paths enumerated with their exact per-token signals — `C_t` over its 16-token vocabulary, \
         so DeepConf's mean score is self-certainty + ln 16 — and {blocks} disjoint samples of n = {n} sampled paths per question). \
         `n → ∞` is exact (from the enumerated distribution); `exact, n = {n}` is the enumerated distribution's prediction by Monte Carlo \
         ({trials} samples per cell, through the evaluator's own methods); `sampled` is measured on the model's samples. \
         {} of {} per-question comparisons agree (z-tests, Bonferroni, family-wise false-failure rate {}).{}\n\n\
         | method | accuracy n → ∞ (exact) | exact, n = {n} | sampled, n = {n} |\n|---|---|---|---|\n",
        t.questions,
        t.cells.len() - disagreements.len(),
        t.cells.len(),
        FAMILY_ALPHA,
        if disagreements.is_empty() { String::new() } else { format!(" Disagreements: {}.", disagreements.join("; ")) },
    );
    let nq = t.questions as f64;
    for m in TINY_METHODS.map(parse) {
        let name = m.name();
        let of = |f: &dyn Fn(&TinyCell) -> f64| 100.0 * t.cells.iter().filter(|c| c.method == name).map(f).sum::<f64>() / nq;
        summary.push_str(&format!("| {name} | {:.1}% | {:.1}% | {:.1}% |\n", of(&|c| c.limit), of(&|c| c.exact_n.0), of(&|c| c.measured_n.0)));
    }
    summary
}

/// Draws the figure and writes its files into `dir`.
pub fn render(data: &Data, dir: &Path) -> Result<FigureOutput, FigureError> {
    let title = "The field's aggregators next to SC / PPL / PC / RPC (SmolLM2-135M paths; theory; trained transformer)";
    let mut files = draw(dir, "aggregators", title, &panels(data), (3, 2), (1800, 2000))?;
    files.push(tiny_table(&data.tiny).write(dir, "aggregators_tiny")?);
    files.push(curve_table(&data.smollm2.curves).write(dir, "aggregators")?);
    files.push(leaderboard_table(&data.smollm2.leaderboard, data.smollm2.questions.2).write(dir, "aggregators_leaderboard")?);
    files.push(sweep_table(data).write(dir, "aggregators_sweep")?);
    let summary = leaderboard_summary(&data.smollm2) + &sweep_summary(data) + &tiny_summary(&data.tiny);
    Ok(FigureOutput { name: "aggregators", files, summary })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighting_by_probability_beats_pc_where_wrong_answers_are_diffuse() {
        // Exact limits (no randomness): on the diffuse population CISC's
        // limit at the smallest temperature is above PC's (the panel's
        // point); every value is a percentage.
        let cfg = FigureConfig { out: "unused".into(), seed: 4, quick: true };
        let t = theory(&cfg, &crate::progress::Quiet);
        assert_eq!(t.curves.len(), 2);
        for c in &t.curves {
            let all = c.cisc_limit.iter().chain(&c.cisc_n).chain([&c.pc_limit, &c.pc_n]);
            assert!(all.into_iter().all(|v| (0.0..=100.0).contains(v)), "{c:?}");
        }
        let diffuse = &t.curves[0];
        assert!(diffuse.cisc_limit[0] > diffuse.pc_limit + 5.0, "{diffuse:?}");
        assert!(serde_json::to_string(&t).unwrap().contains("cisc_limit"));
    }
}
