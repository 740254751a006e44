//! Figure — exact selection accuracy vs `n` (issue #16): what the exact
//! curves say about how many samples each estimator needs.
//!
//! (a) The paper's equal-paths setting (answer masses 0.5, 0.3, 0.2 over 10,
//! 5 and 1 paths; A correct): SC and PPL exact, PC and RP(τ) by enumeration
//! of the 2¹⁶ sets of distinct paths, all with Monte Carlo points, and RPC by
//! Monte Carlo. (b) Degeneration: A correct with one path of 0.4, B with 0.6
//! spread over 200 paths — SC's model error makes it wrong, PC is right until
//! B's sampled mass catches up. (c) The trained transformer: the mean over
//! its questions of the exact accuracy of its enumerated path distributions,
//! Monte Carlo on them, and the accuracy measured by sampling the model.
//! (d) Chen et al.'s easy/hard binary mixtures: majority voting's exact
//! accuracy rises then falls (inverse-U) or falls then rises (U), as their
//! Theorem 1 predicts.

use super::plot::{draw, palette, Legend, LegendAt, Panel, Scale, Series, Style};
use super::{csv_float, Csv, FigureConfig, FigureError, FigureOutput};
use crate::accuracy::population::{observed_shape, BinaryMixture, Shape, ShapePrediction};
use crate::accuracy::target::{samples_needed, SamplesNeeded, Target};
use crate::accuracy::{estimator_for, selection_accuracy, AccuracyConfig};
use crate::distribution::PathDistribution;
use crate::estimators::EstimatorId;
use crate::generators::equal_path_distribution;
use crate::montecarlo::agreement::{Check, Checks, StdError};
use crate::montecarlo::{simulate_selection, Estimate};
use crate::progress::Observer;
use crate::provenance::Provenance;
use crate::seed::{derive, tag};
use crate::select::select;
use crate::tiny::store::ensure_model;
use crate::tiny::ModelConfig;
use crate::validate::tiny::{questions, run_questions, train_config, QuestionRun, Settings, ESTIMATORS};
use serde::Serialize;
use std::path::Path;

/// CSV columns.
///
/// `mc_se_floor` and `sampled_se_floor` are the standard-error floors of the
/// agreement tests: one unobserved outcome among the trials (or repeats) of
/// each question, `1/(T·√Q)` for a mean over `Q` questions — a near-certain
/// outcome never seen to fail would otherwise have a standard error of 0.
pub const COLUMNS: [&str; 13] = [
    "setting",
    "estimator",
    "n",
    "p_correct",
    "method",
    "mc_mean",
    "mc_ci_low",
    "mc_ci_high",
    "mc_se",
    "mc_se_floor",
    "sampled",
    "sampled_se",
    "sampled_se_floor",
];

/// One estimator's values at one `n` in one setting.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cell {
    /// The estimator.
    pub estimator: EstimatorId,
    /// Sample size.
    pub n: u64,
    /// The exact value and how it was obtained (`exact` or `enumeration`).
    pub exact: Option<(f64, Provenance)>,
    /// Monte Carlo, at the grid.
    pub mc: Option<Estimate>,
    /// Its standard-error floor (one unobserved outcome).
    pub mc_floor: f64,
    /// The model's own samples: mean and standard error (the transformer only).
    pub sampled: Option<(f64, f64)>,
    /// Their standard-error floor.
    pub sampled_floor: f64,
}

/// What a setting's note says beyond its cells.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Needed {
    /// A synthetic distribution: samples each estimator needs to reach SC's accuracy at n = 64.
    Synthetic {
        /// RP's threshold, if RP is shown.
        tau: Option<f64>,
        /// PC's and RP's (exact curves).
        needed: Vec<SamplesNeeded>,
    },
    /// The trained transformer.
    Transformer {
        /// Repeats of the model's own samples per question.
        repeats: usize,
        /// The largest n of the Monte Carlo grid.
        grid_max: u64,
    },
}

/// One panel's setting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setting {
    /// The CSV's name for it.
    pub id: String,
    /// The panel's name (without its letter).
    pub name: String,
    /// Per estimator and n.
    pub cells: Vec<Cell>,
    /// What its note needs besides.
    pub needed: Needed,
}

/// Majority voting's exact accuracy on one of Chen et al.'s mixtures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MixtureCurve {
    /// The mixture.
    pub mixture: BinaryMixture,
    /// Theorem 1's prediction.
    pub prediction: ShapePrediction,
    /// The exact curve's shape.
    pub shape: Shape,
    /// `(odd n, exact accuracy)`.
    pub curve: Vec<(u64, f64)>,
}

/// The numbers behind the figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Data {
    /// Monte Carlo trials (RPC: `rpc_trials`).
    pub trials: u64,
    /// RPC's Monte Carlo trials.
    pub rpc_trials: u64,
    /// (a), (b), (c).
    pub settings: Vec<Setting>,
    /// (d).
    pub mixtures: Vec<MixtureCurve>,
    /// Every exact value against Monte Carlo and the model's samples (one family).
    pub checks: Vec<Check>,
}

const GRID: [u64; 7] = [1, 2, 4, 8, 16, 32, 64];

/// (a), (b): one synthetic question each.
fn synthetic(cfg: &FigureConfig, trials: u64, rpc_trials: u64, observer: &dyn Observer) -> Vec<Setting> {
    let line_ns: Vec<u64> = (1..=64).collect();
    // (a) has no RP: any τ ≤ 0.05 keeps every path (RP = PC), any larger one prunes all of A.
    let synthetic: Vec<(&str, &str, PathDistribution, Option<f64>)> = vec![
        ("paper-10-5-1", "paper setting: 10, 5, 1 equal paths", equal_path_distribution(&[0.5, 0.3, 0.2], &[10, 5, 1]).expect("valid"), None),
        (
            "degeneration-200",
            "degeneration: B spread over 200 paths",
            PathDistribution::new(&[("A", vec![0.4]), ("B", vec![0.003; 200])], Some("A")).expect("valid"),
            Some(0.01),
        ),
    ];
    let mut settings = Vec::new();
    for (si, (id_name, name, d, tau)) in synthetic.iter().enumerate() {
        let acfg = AccuracyConfig { tau: *tau, temperature: None, trials, seed: derive(cfg.seed, &[tag("accuracy_exact/setting"), si as u64]) };
        let mut ids = vec![EstimatorId::Sc, EstimatorId::Ppl, EstimatorId::Pc];
        ids.extend(tau.map(|_| EstimatorId::Rp));
        // Exact (or enumerated) lines over every n; Monte Carlo where there is none.
        let exact: Vec<_> = selection_accuracy(d, &ids, &line_ns, &AccuracyConfig { trials: 2, ..acfg }, observer)
            .expect("n ≥ 1, τ set")
            .into_iter()
            .filter(|r| r.method != Provenance::MonteCarlo || GRID.contains(&r.n))
            .collect();
        let mut cells = Vec::new();
        for (ei, &id) in ids.iter().chain([EstimatorId::Rpc].iter()).enumerate() {
            let est = estimator_for(id, tau.unwrap_or(0.0), f64::INFINITY).expect("on a distribution");
            let t = if id == EstimatorId::Rpc { rpc_trials } else { trials };
            for &n in &line_ns {
                let row = exact.iter().find(|r| r.estimator == id && r.n == n && r.method != Provenance::MonteCarlo);
                let mc = GRID.contains(&n).then(|| {
                    simulate_selection(d, est.as_ref(), n, t, derive(acfg.seed, &[tag("accuracy_exact/selection"), ei as u64, n]), observer).p_correct
                });
                if row.is_some() || mc.is_some() {
                    cells.push(Cell {
                        estimator: id,
                        n,
                        exact: row.map(|r| (r.p_correct, r.method)),
                        mc,
                        mc_floor: 1.0 / t as f64,
                        sampled: None,
                        sampled_floor: 0.0,
                    });
                }
            }
        }
        let needed = samples_needed(d, &ids[2..], *tau, Target::Sc { n: 64 }, 128);
        settings.push(Setting { id: id_name.to_string(), name: name.to_string(), cells, needed: Needed::Synthetic { tau: *tau, needed } });
    }
    settings
}

/// The model's own samples at grid point `gi`: the mean over questions of
/// each question's mean credit over repeats, and its standard error.
fn sampled(runs: &[QuestionRun], ki: usize, gi: usize) -> (f64, f64) {
    let qn = runs.len() as f64;
    let (mut mean, mut var) = (0.0, 0.0);
    for r in runs {
        let credits: Vec<f64> = r.rows[ki][gi].iter().map(|rows| select(rows.iter().copied()).credit).collect();
        let m = credits.iter().sum::<f64>() / credits.len() as f64;
        let v = credits.iter().map(|c| (c - m).powi(2)).sum::<f64>() / (credits.len() as f64 - 1.0).max(1.0);
        mean += m / qn;
        var += v / credits.len() as f64 / (qn * qn);
    }
    (mean, var.sqrt())
}

/// One estimator's cells on the transformer: exact lines (SC, PPL) over
/// every n, Monte Carlo on the enumerated distributions at the grid, the
/// model's own samples.
fn transformer_cells(cfg: &FigureConfig, runs: &[QuestionRun], ki: usize, t: u64, ns: &[u64], repeats: usize, observer: &dyn Observer) -> Vec<Cell> {
    let id = ESTIMATORS[ki];
    let line_ns: Vec<u64> = (1..=64).collect();
    let qn = runs.len() as f64;
    let mut line = vec![0.0; line_ns.len()];
    let mut method = None;
    let (mut mc_mean, mut mc_var) = (vec![0.0; ns.len()], vec![0.0; ns.len()]);
    for (qi, r) in runs.iter().enumerate() {
        if matches!(id, EstimatorId::Sc | EstimatorId::Ppl) {
            let rows = selection_accuracy(&r.dist, &[id], &line_ns, &AccuracyConfig::default(), observer).expect("n ≥ 1");
            for (l, row) in line.iter_mut().zip(&rows) {
                *l += row.p_correct / qn;
            }
            method = rows.first().map(|r| r.method);
        }
        let est = estimator_for(id, 0.0, f64::INFINITY).expect("on a distribution");
        for (gi, &n) in ns.iter().enumerate() {
            let m = simulate_selection(&r.dist, est.as_ref(), n, t, derive(cfg.seed, &[tag("accuracy_exact/transformer"), qi as u64, ki as u64, n]), observer)
                .p_correct;
            mc_mean[gi] += m.mean / qn;
            mc_var[gi] += (m.std_error / qn).powi(2);
        }
    }
    let mut cells = Vec::new();
    for (li, &n) in line_ns.iter().enumerate() {
        let gi = ns.iter().position(|&g| g == n);
        let exact = method.map(|m| (line[li], m));
        let mc = gi.map(|gi| Estimate::new(mc_mean[gi], mc_var[gi].sqrt()));
        if exact.is_some() || mc.is_some() {
            let (mc_floor, sampled_floor) = (1.0 / (t as f64 * qn.sqrt()), 1.0 / (repeats as f64 * qn.sqrt()));
            cells.push(Cell { estimator: id, n, exact, mc, mc_floor, sampled: gi.map(|gi| sampled(runs, ki, gi)), sampled_floor });
        }
    }
    cells
}

/// (c): the trained transformer (the same runs as the real_tiny figure, memoised).
fn transformer(cfg: &FigureConfig, trials: u64, rpc_trials: u64, observer: &dyn Observer) -> Result<Setting, FigureError> {
    let stored = ensure_model(None, &ModelConfig::default(), &train_config(), observer)?;
    let (ns, repeats, tiny_rpc_trials) = super::real_tiny::sampling(cfg.quick);
    let set = Settings { ns: &ns, repeats, rpc_trials: tiny_rpc_trials, seed: cfg.seed };
    let runs = run_questions(&stored.portable, &stored.dir, &questions(cfg.quick), &set, observer)?;
    let cells = (0..ESTIMATORS.len())
        .flat_map(|ki| {
            let t = if ESTIMATORS[ki] == EstimatorId::Rpc { rpc_trials / 2 } else { trials / 4 };
            transformer_cells(cfg, &runs, ki, t, &ns, repeats, observer)
        })
        .collect();
    let grid_max = *ns.last().expect("ns");
    Ok(Setting {
        id: "tiny-transformer".into(),
        name: format!("trained transformer: {} questions", runs.len()),
        cells,
        needed: Needed::Transformer { repeats, grid_max },
    })
}

/// (d): Chen et al.'s mixtures, majority vote exact over odd n ≤ 301.
fn mixtures() -> Vec<MixtureCurve> {
    let mixtures = [BinaryMixture { alpha: 0.9, p_easy: 0.85, p_hard: 0.4 }, BinaryMixture { alpha: 0.25, p_easy: 0.65, p_hard: 0.2 }];
    let odd: Vec<u64> = (0..).map(|m| 2 * m + 1).take_while(|&n| n <= 301).collect();
    mixtures
        .into_iter()
        .map(|mix| {
            let easy = crate::accuracy::sc::sc_accuracy(&[mix.p_easy, 1.0 - mix.p_easy], Some(0), 301);
            let hard = crate::accuracy::sc::sc_accuracy(&[mix.p_hard, 1.0 - mix.p_hard], Some(0), 301);
            let curve: Vec<f64> = odd.iter().map(|&n| mix.alpha * easy[n as usize] + (1.0 - mix.alpha) * hard[n as usize]).collect();
            MixtureCurve {
                mixture: mix,
                prediction: mix.predict().expect("valid mixture"),
                shape: observed_shape(&curve, 1e-13),
                curve: odd.iter().copied().zip(curve).collect(),
            }
        })
        .collect()
}

/// Every exact value against its Monte Carlo and the model's samples, one family.
fn checks(settings: &[Setting]) -> Vec<Check> {
    let mut checks = Checks::new();
    for s in settings {
        for c in &s.cells {
            if let (Some((e, _)), Some(m)) = (c.exact, c.mc) {
                checks.equal(
                    format!("{} {} n={} Monte Carlo", s.id, c.estimator.name(), c.n),
                    m.mean,
                    e,
                    StdError::Quadrature { se: m.std_error, floor: c.mc_floor },
                );
            }
            if let (Some((e, _)), Some((m, se))) = (c.exact, c.sampled) {
                checks.equal(format!("{} {} n={} sampled", s.id, c.estimator.name(), c.n), m, e, StdError::Quadrature { se, floor: c.sampled_floor });
            }
        }
    }
    checks.judge().checks
}

/// Computes the figure's numbers.
pub fn compute(cfg: &FigureConfig, observer: &dyn Observer) -> Result<Data, FigureError> {
    let (trials, rpc_trials) = if cfg.quick { (2_000, 300) } else { (20_000, 1_000) };
    let mut settings = synthetic(cfg, trials, rpc_trials, observer);
    settings.push(transformer(cfg, trials, rpc_trials, observer)?);
    let checks = checks(&settings);
    Ok(Data { trials, rpc_trials, settings, mixtures: mixtures(), checks })
}

/// Writes `accuracy_exact.{png,svg,csv}`.
pub fn run(cfg: &FigureConfig, observer: &dyn Observer) -> Result<FigureOutput, FigureError> {
    render(&compute(cfg, observer)?, &cfg.out)
}

fn first_grid_reaching(cells: &[Cell], id: EstimatorId, goal: f64) -> Option<u64> {
    cells.iter().filter(|c| c.estimator == id).filter_map(|c| c.mc.map(|m| (c.n, m.mean))).find(|&(_, m)| m >= goal - 1e-12).map(|(n, _)| n)
}

/// SC's exact accuracy at `n`.
fn sc_at(cells: &[Cell], n: u64) -> f64 {
    cells.iter().find(|c| c.estimator == EstimatorId::Sc && c.n == n).and_then(|c| c.exact).map(|e| e.0).expect("SC is exact")
}

fn write_row(csv: &mut Csv, setting: &str, c: &Cell) {
    let f = |v: Option<f64>| v.map(csv_float).unwrap_or_default();
    csv.row(vec![
        setting.to_string(),
        c.estimator.name().into(),
        c.n.to_string(),
        f(c.exact.map(|e| e.0)),
        c.exact.map_or(Provenance::MonteCarlo, |e| e.1).label().to_string(),
        f(c.mc.map(|m| m.mean)),
        f(c.mc.map(|m| m.ci.low)),
        f(c.mc.map(|m| m.ci.high)),
        f(c.mc.map(|m| m.std_error)),
        f(c.mc.map(|_| c.mc_floor)),
        f(c.sampled.map(|s| s.0)),
        f(c.sampled.map(|s| s.1)),
        f(c.sampled.map(|_| c.sampled_floor)),
    ]);
}

/// The CSV: the mixtures' curves, then every setting's cells.
fn table(data: &Data) -> Csv {
    let mut csv = Csv::new(&COLUMNS);
    for m in &data.mixtures {
        let mix = &m.mixture;
        for &(n, a) in &m.curve {
            let mut row = vec![format!("mixture-{}-{}-{}", mix.alpha, mix.p_easy, mix.p_hard), "sc".into(), n.to_string(), csv_float(a), "exact".into()];
            row.resize(COLUMNS.len(), String::new());
            csv.row(row);
        }
    }
    for s in &data.settings {
        for c in &s.cells {
            write_row(&mut csv, &s.id, c);
        }
    }
    csv
}

/// A synthetic or transformer setting's note.
fn setting_note(s: &Setting, letter: char) -> String {
    let sc64 = sc_at(&s.cells, 64);
    match &s.needed {
        Needed::Synthetic { tau, needed } => {
            let say = |id: EstimatorId| match needed.iter().find(|s| s.estimator == id) {
                Some(s) => match s.n {
                    Some(k) => format!(
                        "n = {k} ({}; {:.0}% of SC's 64{})",
                        s.method.label(),
                        100.0 * k as f64 / 64.0,
                        if s.stays_above { "" } else { ", not for every larger n" }
                    ),
                    None => format!("no n ≤ {} ({})", s.n_max, s.method.label()),
                },
                None => first_grid_reaching(&s.cells, id, sc64)
                    .map_or("no grid point ≤ 64 (Monte Carlo)".into(), |n| format!("n = {n} (Monte Carlo, grid 1, 2, 4, …)")),
            };
            let sc1 = sc_at(&s.cells, 1);
            format!(
                "- **({letter}) {}**: SC's exact accuracy at n = 64 is {:.1}%{}. PC first reaches it at {}{}; RPC at {}.",
                s.name,
                100.0 * sc64,
                if sc64 < sc1 { format!(" — lower than at n = 1 ({:.1}%): SC's limit is the wrong answer", 100.0 * sc1) } else { String::new() },
                say(EstimatorId::Pc),
                tau.map(|t| format!("; RP(τ = {t}) at {}", say(EstimatorId::Rp)))
                    .unwrap_or_else(|| "; no RP (any τ ≤ 0.05 keeps every path, so RP = PC; a larger one prunes all of A)".into()),
                say(EstimatorId::Rpc),
            )
        }
        Needed::Transformer { repeats, grid_max } => {
            let reach = |id| first_grid_reaching(&s.cells, id, sc64).map_or(format!("no grid point ≤ {grid_max}"), |n| format!("n = {n}"));
            format!(
                "- **({letter}) {}** (exact path distributions of ~20–40k enumerated paths each): mean exact SC accuracy at n = 64 is {:.1}%; \
                 PC (Monte Carlo on the exact distributions, grid) first reaches it at {}, RPC at {}. Points marked 'sampled' are the model's own \
                 samples ({repeats} repeats per question), which the exact values should match.",
                s.name,
                100.0 * sc64,
                reach(EstimatorId::Pc),
                reach(EstimatorId::Rpc),
            )
        }
    }
}

/// A mixture's note.
fn mixture_note(m: &MixtureCurve) -> String {
    let (mix, pred) = (&m.mixture, &m.prediction);
    let best = m.curve.iter().fold((0, f64::NEG_INFINITY), |acc, &(n, a)| if a > acc.1 { (n, a) } else { acc });
    let worst = m.curve.iter().fold((0, f64::INFINITY), |acc, &(n, a)| if a < acc.1 { (n, a) } else { acc });
    format!(
        "- **(d) mixture α={}, p₁={}, p₂={}**: Theorem 1 predicts {:?} (t = {:.3}, α threshold {:.3}{}); the exact curve over odd n ≤ 301 is {:?} — \
         accuracy {:.1}% at n = 1, best {:.1}% at n = {}, worst {:.1}% at n = {}, {:.1}% at n = 301.",
        mix.alpha,
        mix.p_easy,
        mix.p_hard,
        pred.shape,
        pred.t,
        pred.alpha_threshold,
        pred.turn_n.map(|n| format!(", turn near n ≈ {n:.0}")).unwrap_or_default(),
        m.shape,
        100.0 * m.curve[0].1,
        100.0 * best.1,
        best.0,
        100.0 * worst.1,
        worst.0,
        100.0 * m.curve.last().expect("points").1
    )
}

/// The markdown section.
fn summary(data: &Data) -> String {
    let mut notes: Vec<String> = data.settings.iter().enumerate().map(|(i, s)| setting_note(s, (b'a' + i as u8) as char)).collect();
    notes.extend(data.mixtures.iter().map(mixture_note));
    let disagree: Vec<String> =
        data.checks.iter().filter(|c| !c.agrees).map(|c| format!("{}: measured {:.4} vs exact {:.4} (z = {:.1})", c.label, c.measured, c.exact, c.z)).collect();
    let verdict = if disagree.is_empty() {
        format!(
            "All {} comparisons of an exact value with Monte Carlo or with the model's samples agree (z-tests, family-wise false-alarm rate {}).",
            data.checks.len(),
            crate::montecarlo::agreement::FAMILY_ALPHA
        )
    } else {
        format!("{} of {} comparisons disagree: {}.", disagree.len(), data.checks.len(), disagree.join("; "))
    };
    format!(
        "## Exact accuracy vs n (`accuracy_exact.png`)\n\nP(chosen answer is correct), ties split. Lines: exact (SC, PPL) or enumeration of the sets of \
         distinct sampled paths (PC, RP); points: Monte Carlo ({} trials; RPC {}) with 95% intervals; in (c) also the trained \
         transformer's own samples. The paper's headline is that RPC matches SC with half the samples. The exact curves say when that can hold:\n\n{}\n\n\
         So the saving is a property of the path distribution, not a constant. In (a) PC is worse than SC at small n — C's single path \
         of 0.2 outweighs A's paths of 0.05 until several of them have been sampled — and overtakes SC only once it has seen most of A's \
         mass; RPC's Weibull rule prunes A's paths there (they are the low component) and loses. Where a wrong answer's mass is spread \
         thin (b), SC's limit is the wrong answer, so it gets worse with n while PC and pruning win at once. And majority voting itself \
         need not improve with n (d).\n\n{verdict}\n",
        data.trials,
        data.rpc_trials,
        notes.join("\n")
    )
}

/// Panel (d).
fn mixture_panel(data: &Data) -> Panel {
    let series = data
        .mixtures
        .iter()
        .enumerate()
        .map(|(mi, m)| {
            let mix = &m.mixture;
            Series::new(
                format!("α={}, p₁={}, p₂={}: {:?}", mix.alpha, mix.p_easy, mix.p_hard, m.shape),
                palette::FAMILY[mi],
                Style::Line,
                m.curve.iter().map(|&(n, a)| (n as f64, 100.0 * a)).collect(),
            )
        })
        .collect();
    Panel::versus_n("(d) majority vote on easy/hard binary mixtures (Chen et al.)".into(), "accuracy (%)", Scale::Linear, LegendAt::MiddleRight, series)
}

/// Draws the figure and writes its files into `dir`.
pub fn render(data: &Data, dir: &Path) -> Result<FigureOutput, FigureError> {
    let mut panels: Vec<Panel> = data
        .settings
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let tau = match &s.needed {
                Needed::Synthetic { tau, .. } => tau.unwrap_or(f64::NAN),
                Needed::Transformer { .. } => f64::NAN,
            };
            panel(&format!("({}) {}", (b'a' + i as u8) as char, s.name), &s.cells, tau)
        })
        .collect();
    panels.push(mixture_panel(data));
    let mut files =
        draw(dir, "accuracy_exact", "Selection accuracy vs number of samples: exact curves, Monte Carlo and sampling", &panels, (2, 2), (1800, 1400))?;
    files.push(table(data).write(dir, "accuracy_exact")?);
    Ok(FigureOutput { name: "accuracy_exact", files, summary: summary(data) })
}
fn panel(title: &str, cells: &[Cell], tau: f64) -> Panel {
    let mut series = Vec::new();
    for id in [EstimatorId::Sc, EstimatorId::Ppl, EstimatorId::Pc, EstimatorId::Rp, EstimatorId::Rpc] {
        let mine: Vec<&Cell> = cells.iter().filter(|c| c.estimator == id).collect();
        if mine.is_empty() {
            continue;
        }
        let label = if id == EstimatorId::Rp { format!("RP(τ={tau})") } else { id.label().to_string() };
        let color = palette::of(id);
        let line: Vec<(f64, f64)> = mine.iter().filter_map(|c| c.exact.map(|e| (c.n as f64, 100.0 * e.0))).collect();
        if !line.is_empty() {
            let how = mine.iter().find_map(|c| c.exact.map(|e| e.1.label())).unwrap_or("exact");
            series.push(Series::new(format!("{label} {how}"), color, Style::Line, line));
        }
        let mc: Vec<(f64, Estimate)> = mine.iter().filter_map(|c| c.mc.map(|m| (c.n as f64, m))).collect();
        series.push(
            Series::new(format!("{label} Monte Carlo"), color, Style::Points, mc.iter().map(|(n, m)| (*n, 100.0 * m.mean)).collect())
                .with_bars(mc.iter().map(|(_, m)| m.ci.clamp(0.0, 1.0)).map(|ci| (100.0 * ci.low, 100.0 * ci.high)).collect()),
        );
        let sampled: Vec<(f64, (f64, f64))> = mine.iter().filter_map(|c| c.sampled.map(|s| (c.n as f64, s))).collect();
        if !sampled.is_empty() {
            series.push(
                Series::new(format!("{label} sampled from the model"), color, Style::PointsLine, sampled.iter().map(|(n, s)| (*n, 100.0 * s.0)).collect())
                    .with_bars(sampled.iter().map(|(_, s)| (100.0 * (s.0 - 1.96 * s.1), 100.0 * (s.0 + 1.96 * s.1))).collect()),
            );
        }
    }
    // Rising curves leave the lower right free; a falling one (SC under
    // degeneration) takes it, and the band between the curves is free instead.
    let legend = Legend::Quietest(vec![LegendAt::LowerRight, LegendAt::MiddleRight]);
    let mut p = Panel::versus_n(title.into(), "accuracy (%)", Scale::Linear, legend, series);
    p.y_range = Some((0.0, 100.0));
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theorem_1_predicts_each_mixtures_shape_and_the_synthetic_checks_agree() {
        // Exact curves: Theorem 1's prediction is the observed shape (no
        // randomness). The synthetic settings' Monte Carlo checks form a
        // family at false-alarm rate 1e-3 (fixed seed 7).
        for m in mixtures() {
            assert_eq!(m.prediction.shape, m.shape, "{:?}", m.mixture);
            assert_eq!(m.curve.len(), 151);
        }
        let cfg = FigureConfig { out: "unused".into(), seed: 7, quick: true };
        let settings = synthetic(&cfg, 2_000, 300, &crate::progress::Quiet);
        let checks = checks(&settings);
        assert!(checks.len() > 20);
        let failed: Vec<&Check> = checks.iter().filter(|c| !c.agrees).collect();
        assert!(failed.is_empty(), "{failed:?}");
        // Degeneration: SC's limit is the wrong answer, so SC at 64 is below SC at 1.
        assert!(sc_at(&settings[1].cells, 64) < sc_at(&settings[1].cells, 1));
    }
}
