//! Real-model validation I — the theory on a trained transformer.
//!
//! pathconf's small transformer ([`crate::tiny`]) is trained (or loaded from
//! its cache), each selected question's path distribution is enumerated
//! exactly ([`crate::tiny::enumerate`]), and the model is *sampled* — real
//! batched decoding with a KV cache, temperature 1, top-p 1 — `repeats` times
//! `n_max` paths. For every `n`, the first `n` paths of each repeat give one
//! measurement of each estimator's estimation error on the correct answer
//! `y`, `(p̂(y) − p(y))²`, averaged over repeats; next to it, the exact value
//! from the enumerated distribution: Proposition 2 for SC, Proposition 3 for
//! PPL's most probable path of `y`, pathconf's exact PC (Theorem 4), and for
//! RPC — which has no closed form — a Monte Carlo run on the enumerated
//! distribution. Sampled paths are given their enumerated (renormalised)
//! probability; a sampled path outside the enumeration (below the floor)
//! keeps its own probability `exp(Σ log p) / covered mass`.
//!
//! Each comparison is a two-sided z-test with the Bonferroni level
//! `FAMILY_ALPHA / #comparisons`, its standard error taken under the null
//! (samples from the enumerated distribution): exact for SC (binomial fourth
//! moment) and PPL (scaled Bernoulli); for PC and RPC the larger of the Monte
//! Carlo spread and the bound `Var X ≤ p² E[X] − E[X]²` for `X ∈ [0, p²]`,
//! because their error at large `n` can be dominated by rare events (the
//! correct answer's dominant path left unsampled) that neither the repeats nor
//! a Monte Carlo run observe. The summary lists every disagreement.
//! Accuracy and ECE (10 bins, "maximum" variant) vs `n` over the questions
//! and repeats are reported too, with the exact accuracy of each question.

use super::plot::{draw, palette, LegendAt, Panel, Scale, Series, Style};
use super::{f, Csv, FigureConfig, FigureError, FigureOutput};
use crate::estimators::{Estimator, Perplexity, PerplexityConsistency, ReasoningPruning, SelfConsistency};
use crate::eval::metrics;
use crate::montecarlo::{simulate_estimators, z_two_sided, RunningStats, SimConfig};
use crate::progress::Observer;
use crate::sample::{Sample, SampledPath};
use crate::select::select;
use crate::theory::{pc::pc_terms, ppl::ppl_terms, sc::sc_terms};
use crate::tiny::store::{curve_csv, ensure_model};
use crate::tiny::{enumerate_paths, sample_paths, ModelConfig, Question, SamplerConfig, TinyModel, TrainConfig};
use crate::weibull::WeibullPruning;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Family-wise false-alarm rate of the agreement tests.
pub const FAMILY_ALPHA: f64 = 1e-3;
/// Enumeration floor on path probability.
pub const FLOOR: f64 = 1e-9;
/// Longest path generated or enumerated.
pub const MAX_NEW_TOKENS: usize = 16;

/// CSV columns of the estimation-error table.
pub const COLUMNS: [&str; 10] = ["question", "estimator", "n", "measured", "measured_se", "exact", "exact_se", "z", "agrees", "repeats"];
/// CSV columns of the per-question table.
pub const QUESTION_COLUMNS: [&str; 8] = ["question", "exact_accuracy", "covered_mass", "invalid_mass", "paths", "answers", "distinct_sampled", "sampled"];
/// CSV columns of the accuracy / calibration table.
pub const CALIBRATION_COLUMNS: [&str; 5] = ["estimator", "n", "accuracy", "accuracy_se", "ece"];

/// The questions, from easy (no carry) to hard (two large carries).
pub fn questions(quick: bool) -> Vec<Question> {
    let all = [[1, 2, 3], [2, 0, 4], [0, 5, 3], [4, 5, 6], [3, 7, 2], [6, 1, 6], [5, 8, 2], [7, 7, 3], [8, 6, 5], [9, 4, 8], [9, 9, 7], [9, 9, 9]];
    let pick: &[usize] = if quick { &[0, 4, 8, 11] } else { &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] };
    pick.iter().map(|&i| Question::new(all[i][0], all[i][1], all[i][2])).collect()
}

/// The training run behind the figure: the default one (seed 2025) whatever
/// the figure's seed (which drives sampling), so every run shares one cached
/// model.
pub fn train_config() -> TrainConfig {
    TrainConfig::default()
}

const NAMES: [&str; 4] = ["sc", "ppl", "pc", "rpc"];

/// Per estimator, per n, per repeat: the `(confidence, correct)` rows.
type Rows = Vec<Vec<Vec<Vec<(f64, bool)>>>>;

/// How much to sample.
struct Settings<'a> {
    ns: &'a [u64],
    repeats: usize,
    rpc_trials: u64,
    seed: u64,
}

/// One question's measurements.
struct QuestionRun {
    id: String,
    /// `[estimator][n index]` → (measured stats, exact, exact's Monte Carlo
    /// se, per-repeat sd of the squared error under the exact distribution).
    errors: Vec<Vec<(RunningStats, f64, f64, f64)>>,
    /// `[estimator][n index]` → per-repeat `(confidence, correct)` rows.
    rows: Rows,
    exact_accuracy: f64,
    covered: f64,
    invalid: f64,
    paths: usize,
    answers: usize,
    distinct: usize,
    sampled: usize,
}

fn model_error(e: impl std::fmt::Display) -> FigureError {
    FigureError::Model { message: e.to_string() }
}

fn run_question(model: &TinyModel, q: &Question, qi: usize, set: &Settings, observer: &dyn Observer) -> Result<QuestionRun, FigureError> {
    let Settings { ns, repeats, rpc_trials, seed } = *set;
    let e = enumerate_paths(model, q, FLOOR, MAX_NEW_TOKENS).map_err(model_error)?;
    let exact = e.distribution().map_err(model_error)?;
    let d = &exact.dist;
    let y = d.correct();
    let n_max = *ns.last().expect("ns") as usize;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (qi as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let sampler = SamplerConfig { max_new_tokens: MAX_NEW_TOKENS, ..SamplerConfig::default() };
    let generated = sample_paths(model, q, repeats * n_max, &sampler, &mut rng).map_err(model_error)?;
    observer.advance(1);
    // Map sampled paths to the enumerated ones (ids < #paths) or to new ids.
    let mut extra_answers: Vec<String> = Vec::new();
    let mut outside = std::collections::HashMap::new();
    let mut mapped = Vec::with_capacity(generated.len());
    let mut distinct = std::collections::HashSet::new();
    for g in &generated {
        distinct.insert(g.tokens.clone());
        let sp = match exact.index.get(&g.tokens) {
            Some(&i) => SampledPath { id: i as u32, prob: d.paths()[i].prob, answer: d.paths()[i].answer as u32 },
            None => {
                let next = d.paths().len() + outside.len();
                let id = *outside.entry(g.tokens.clone()).or_insert(next);
                let a = match d.answer_index(&g.answer) {
                    Some(a) => a,
                    None => match extra_answers.iter().position(|x| *x == g.answer) {
                        Some(k) => d.n_answers() + k,
                        None => {
                            extra_answers.push(g.answer.clone());
                            d.n_answers() + extra_answers.len() - 1
                        }
                    },
                };
                SampledPath { id: id as u32, prob: g.logprob_sum.exp() / exact.covered_mass, answer: a as u32 }
            }
        };
        mapped.push(sp);
    }
    let n_answers = d.n_answers() + extra_answers.len();
    let universe = d.paths().len() + outside.len();
    let correct_of = |a: usize| a < d.n_answers() && Some(a) == y;
    let target = y.map_or(0.0, |a| d.answer_mass(a));
    // PPL's path: the most probable path of y (Prop. 3), if y has paths.
    let top = y.map(|a| {
        let probs = d.probs_of(a);
        (0..probs.len()).max_by(|&i, &j| probs[i].total_cmp(&probs[j]).then(j.cmp(&i))).expect("paths")
    });
    let rpc = ReasoningPruning::new(WeibullPruning);
    let estimators: [&dyn Estimator; 4] = [&SelfConsistency, &Perplexity, &PerplexityConsistency, &rpc];
    let mut errors = vec![Vec::new(); 4];
    let mut rows = vec![vec![Vec::new(); ns.len()]; 4];
    let mut sample = Sample::new(universe, n_answers);
    let mut scores = vec![0.0; n_answers];
    for (ni, &n) in ns.iter().enumerate() {
        let mut stats = [RunningStats::default(); 4];
        for r in 0..repeats {
            sample.clear();
            for p in &mapped[r * n_max..r * n_max + n as usize] {
                sample.push(*p);
            }
            for (k, est) in estimators.iter().enumerate() {
                est.answer_scores(&sample, &mut scores);
                // Estimation error on y: PPL is judged on its path (Prop. 3).
                let err = match (k, y, top) {
                    (1, Some(a), Some(j)) => {
                        let gi = d.path_index(a, j) as u32;
                        let pt = d.paths()[gi as usize].prob;
                        let hit = sample.distinct().any(|p| p.id == gi);
                        (if hit { pt } else { 0.0 } - pt).powi(2)
                    }
                    (_, Some(a), _) => (scores[a] - target).powi(2),
                    _ => (0.0 - target).powi(2),
                };
                stats[k].push(err);
                let total: f64 = scores.iter().sum();
                let qrows: Vec<(f64, bool)> = (0..n_answers).filter(|&a| scores[a] > 0.0).map(|a| (scores[a] / total, correct_of(a))).collect();
                rows[k][ni].push(qrows);
            }
        }
        // Exact values.
        let (sc, ppl, pc) = match (y, top) {
            (Some(a), Some(j)) => {
                (sc_terms(d, a, n).expect("n >= 1").estimation_error, ppl_terms(d, a, j, n).estimation_error, pc_terms(d, a, n).estimation_error)
            }
            _ => (target * target, 0.0, target * target),
        };
        // Monte Carlo on the enumerated distribution: RPC's value, and for
        // every estimator the per-repeat spread of (p̂ − p)² under the null
        // (the measurement's standard error is spread / √repeats).
        let (mc, spread) = match y {
            Some(a) => {
                let cfg = SimConfig { n, trials: rpc_trials, seed: seed ^ 0x7ea1 ^ ((qi as u64) << 20) ^ n, tau: 0.0, track_paths: false };
                let (terms, _) = simulate_estimators(d, &cfg, &[&SelfConsistency, &PerplexityConsistency, &rpc], &crate::progress::Quiet);
                let mc_sd = |k: usize| terms[k][a].estimation_error.std_error * (rpc_trials as f64).sqrt();
                // SC: exact, from the binomial's fourth central moment
                // μ₄ = p q (1 + 3 (n − 2) p q) / n³ and σ² = p q / n.
                let (p, q, nf) = (target, 1.0 - target, n as f64);
                let sc_var = p * q * (1.0 + 3.0 * (nf - 2.0) * p * q) / nf.powi(3) - (p * q / nf).powi(2);
                // PPL: exact; its error is p_t² with probability (1 − p_t)^n, else 0.
                let pt = d.probs_of(a)[top.expect("y has paths")];
                let miss = (1.0 - pt).powi(n as i32);
                let ppl_sd = pt * pt * (miss * (1.0 - miss)).sqrt();
                // PC and RPC: X = (p̂ − p)² lies in [0, p²] (p̂ ∈ [0, p]), so
                // Var X ≤ p² E[X] − E[X]². A Monte Carlo spread alone can miss
                // rare large errors (e.g. y's dominant path unsampled) that
                // dominate E[X]; the bound keeps the test valid there.
                let bound = |mean: f64| (p * p * mean - mean * mean).max(0.0).sqrt();
                let pc_sd = mc_sd(1).max(bound(pc));
                let rpc_sd = mc_sd(2).max(bound(terms[2][a].estimation_error.mean));
                (terms[2][a].estimation_error, [sc_var.max(0.0).sqrt(), ppl_sd, pc_sd, rpc_sd])
            }
            None => (crate::montecarlo::Estimate::new(target * target, 0.0), [0.0; 4]),
        };
        let (rpc_exact, rpc_se) = (mc.mean, mc.std_error);
        let exacts = [(sc, 0.0), (ppl, 0.0), (pc, 0.0), (rpc_exact, rpc_se)];
        for k in 0..4 {
            errors[k].push((stats[k], exacts[k].0, exacts[k].1, spread[k]));
        }
        observer.advance(1);
    }
    Ok(QuestionRun {
        id: q.id(),
        errors,
        rows,
        exact_accuracy: target,
        covered: e.covered_mass,
        invalid: e.invalid_mass(),
        paths: d.paths().len(),
        answers: d.n_answers(),
        distinct: distinct.len(),
        sampled: generated.len(),
    })
}

/// Writes `real_tiny.{png,svg,csv}`, `real_tiny_questions.csv`,
/// `real_tiny_calibration.csv` and `real_tiny_loss.{png,svg,csv}`.
pub fn run(cfg: &FigureConfig, observer: &dyn Observer) -> Result<FigureOutput, FigureError> {
    let ns: Vec<u64> = if cfg.quick { vec![1, 2, 4, 8, 16] } else { (0..=6).map(|k| 1u64 << k).collect() };
    let (repeats, rpc_trials) = if cfg.quick { (40, 200) } else { (200, 1000) };
    let tc = train_config();
    let stored = ensure_model(None, &ModelConfig::default(), &tc, observer).map_err(model_error)?;
    let qs = questions(cfg.quick);
    let mut runs = Vec::new();
    for (qi, q) in qs.iter().enumerate() {
        runs.push(run_question(&stored.model, q, qi, &Settings { ns: &ns, repeats, rpc_trials, seed: cfg.seed }, observer)?);
    }

    // Agreement tests.
    let comparisons = runs.len() * 4 * ns.len();
    let z_crit = z_two_sided(FAMILY_ALPHA / comparisons as f64);
    let mut csv = Csv::new(&COLUMNS);
    let mut disagreements = Vec::new();
    for r in &runs {
        for (k, name) in NAMES.iter().enumerate() {
            for (ni, &n) in ns.iter().enumerate() {
                let (st, ex, ex_se, null_sd) = &r.errors[k][ni];
                let est = st.estimate(0.0);
                // Under the null (samples from the enumerated distribution)
                // the mean of `repeats` squared errors has standard error
                // null_sd / √repeats; the sample spread is not used because
                // it is badly biased when a rare large error is not observed.
                // Floor: relative 1e-9 (different summation orders).
                let floor = 1e-9 * ex.abs().max(est.mean.abs()) + f64::MIN_POSITIVE;
                let se = ((null_sd * null_sd) / repeats as f64 + ex_se * ex_se).sqrt().max(floor);
                let z = (est.mean - ex) / se;
                let agrees = z.abs() <= z_crit;
                if !agrees {
                    disagreements.push(format!("{} {name} n={n}: measured {:.3e} ± {:.1e}, exact {:.3e} (z = {z:.1})", r.id, est.mean, est.std_error, ex));
                }
                csv.row(vec![
                    r.id.clone(),
                    name.to_string(),
                    n.to_string(),
                    f(est.mean),
                    f(est.std_error),
                    f(*ex),
                    f(*ex_se),
                    f(z),
                    agrees.to_string(),
                    repeats.to_string(),
                ]);
            }
        }
    }

    // Per-question table.
    let mut qcsv = Csv::new(&QUESTION_COLUMNS);
    for r in &runs {
        qcsv.row(vec![
            r.id.clone(),
            f(r.exact_accuracy),
            f(r.covered),
            f(r.invalid),
            r.paths.to_string(),
            r.answers.to_string(),
            r.distinct.to_string(),
            r.sampled.to_string(),
        ]);
    }

    // Accuracy and ECE vs n over questions × repeats.
    let mut ccsv = Csv::new(&CALIBRATION_COLUMNS);
    let mut acc_series = Vec::new();
    let mut ece_series = Vec::new();
    for (k, name) in NAMES.iter().enumerate() {
        let (mut acc_pts, mut ece_pts) = (Vec::new(), Vec::new());
        for (ni, &n) in ns.iter().enumerate() {
            let all: Vec<Vec<(f64, bool)>> = runs.iter().flat_map(|r| r.rows[k][ni].iter().cloned()).collect();
            let mut acc = RunningStats::default();
            for rows in &all {
                acc.push(select(rows.iter().copied()).credit);
            }
            let cal = metrics::maximum(&all);
            let a = acc.estimate(0.0);
            ccsv.row(vec![name.to_string(), n.to_string(), f(a.mean), f(a.std_error), f(cal.ece)]);
            acc_pts.push((n as f64, 100.0 * a.mean));
            ece_pts.push((n as f64, cal.ece));
        }
        let color = [palette::SC, palette::PPL, palette::PC, palette::RPC][k];
        acc_series.push(Series::new(name.to_uppercase(), color, Style::PointsLine, acc_pts));
        ece_series.push(Series::new(name.to_uppercase(), color, Style::PointsLine, ece_pts));
    }
    let mean_exact_acc = 100.0 * runs.iter().map(|r| r.exact_accuracy).sum::<f64>() / runs.len() as f64;
    acc_series.push(Series::new(
        format!("mean exact accuracy = expected SC accuracy at n = 1: {mean_exact_acc:.1}%"),
        palette::PAPER,
        Style::Dashed,
        ns.iter().map(|&n| (n as f64, mean_exact_acc)).collect(),
    ));

    // Estimation-error panels for up to four questions spanning difficulty.
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|&a, &b| runs[b].exact_accuracy.total_cmp(&runs[a].exact_accuracy));
    let shown: Vec<usize> = if order.len() <= 4 { order.clone() } else { (0..4).map(|i| order[i * (order.len() - 1) / 3]).collect() };
    let mut panels = Vec::new();
    for (pi, &ri) in shown.iter().enumerate() {
        let r = &runs[ri];
        let mut series = Vec::new();
        for (k, name) in NAMES.iter().enumerate() {
            let color = [palette::SC, palette::PPL, palette::PC, palette::RPC][k];
            let label = if k == 3 { "RPC (exact: MC on enumerated dist.)".to_string() } else { format!("{} exact", name.to_uppercase()) };
            series.push(Series::new(
                label,
                color,
                Style::Line,
                ns.iter().zip(&r.errors[k]).filter(|(_, e)| e.1 > 0.0).map(|(&n, e)| (n as f64, e.1)).collect(),
            ));
            let pts: Vec<(f64, f64, f64, f64)> = ns
                .iter()
                .zip(&r.errors[k])
                .map(|(&n, e)| {
                    let est = e.0.estimate(0.0);
                    (n as f64, est.mean, est.ci_low, est.ci_high)
                })
                .filter(|p| p.1 > 0.0)
                .collect();
            series.push(
                Series::new(format!("{} sampled from the model", name.to_uppercase()), color, Style::Points, pts.iter().map(|p| (p.0, p.1)).collect())
                    .with_bars(pts.iter().map(|p| (p.2.max(p.1 * 1e-3), p.3)).collect()),
            );
        }
        let title = format!("({}) {} — model accuracy {:.0}%", (b'a' + pi as u8) as char, r.id, 100.0 * r.exact_accuracy);
        panels.push(Panel::versus_n(title, "estimation error E[(p̂ − p)²]", Scale::Log10, LegendAt::LowerLeft, series));
    }
    let title = format!("({}) accuracy vs n ({} questions × {repeats} repeats)", (b'a' + panels.len() as u8) as char, runs.len());
    panels.push(Panel::versus_n(title, "accuracy (%)", Scale::Linear, LegendAt::LowerRight, acc_series));
    let title = format!("({}) calibration vs n", (b'a' + panels.len() as u8) as char);
    panels.push(Panel::versus_n(title, "ECE (10 bins)", Scale::Linear, LegendAt::UpperRight, ece_series));
    let cols = 3;
    let rows_n = panels.len().div_ceil(cols);
    let mut files = draw(
        &cfg.out,
        "real_tiny",
        "Trained transformer: sampled estimation error vs the exact theory of its own path distribution",
        &panels,
        (rows_n, cols),
        (2400, 700 * rows_n as u32),
    )?;
    files.push(csv.write(&cfg.out, "real_tiny")?);
    files.push(qcsv.write(&cfg.out, "real_tiny_questions")?);
    files.push(ccsv.write(&cfg.out, "real_tiny_calibration")?);

    // Training curve.
    let loss_path = cfg.out.join("real_tiny_loss.csv");
    crate::atomic::write_atomic(&loss_path, curve_csv(&stored.curve).as_bytes()).map_err(|error| FigureError::Io { path: loss_path.clone(), error })?;
    let smooth: Vec<(f64, f64)> =
        stored.curve.chunks(20).map(|c| (c.last().expect("chunk").step as f64, c.iter().map(|p| p.loss).sum::<f64>() / c.len() as f64)).collect();
    let loss_panel = Panel {
        title: format!("training loss (AdamW, {} steps × batch {}, seed {})", tc.steps, tc.batch, tc.seed),
        x_label: "step".into(),
        y_label: "cross-entropy per path token (nats)".into(),
        x_scale: Scale::Linear,
        y_scale: Scale::Linear,
        series: vec![Series::new("mean over 20 steps", palette::PC, Style::Line, smooth)],
        legend: LegendAt::UpperRight,
        y_range: None,
    };
    files.extend(draw(&cfg.out, "real_tiny_loss", "Tiny transformer training", &[loss_panel], (1, 1), (900, 600))?);
    files.push(loss_path);

    let accs: Vec<String> = runs.iter().map(|r| format!("{} {:.0}%", r.id, 100.0 * r.exact_accuracy)).collect();
    let min_cover = runs.iter().map(|r| r.covered).fold(1.0, f64::min);
    let verdict = if disagreements.is_empty() {
        format!("All {comparisons} comparisons agree (two-sided z-tests, family-wise α = {FAMILY_ALPHA}).")
    } else {
        format!(
            "**{} of {comparisons} comparisons disagree** (two-sided z-tests, family-wise α = {FAMILY_ALPHA}):\n\n{}",
            disagreements.len(),
            disagreements.iter().map(|d| format!("- {d}")).collect::<Vec<_>>().join("\n")
        )
    };
    let summary = format!(
        "## Real model I: trained transformer (`real_tiny.png`)\n\n\
         A {}-layer, d = {} transformer trained with candle for {} AdamW steps (cached under `target/pathconf-tiny/`), \
         sampled at temperature 1 ({repeats} repeats × {} paths per question). Per question the exact path distribution \
         was enumerated with floor {FLOOR:e}: lowest covered mass {min_cover:.6}. Exact accuracy per question: {}.\n\n{verdict}\n\n\
         Final-n accuracy: {}. Tables: `real_tiny.csv`, `real_tiny_questions.csv`, `real_tiny_calibration.csv`; loss curve `real_tiny_loss.png`.\n",
        stored.model.config.n_layers,
        stored.model.config.d_model,
        tc.steps,
        ns.last().expect("ns"),
        accs.join(", "),
        NAMES
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let ni = ns.len() - 1;
                let all: Vec<f64> = runs.iter().flat_map(|r| r.rows[k][ni].iter().map(|rows| select(rows.iter().copied()).credit)).collect();
                format!("{} {:.1}%", name.to_uppercase(), 100.0 * all.iter().sum::<f64>() / all.len() as f64)
            })
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(FigureOutput { name: "real_tiny", files, summary })
}
