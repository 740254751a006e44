//! Real-model validation I — the figure: the trained transformer's sampled
//! estimation errors against the exact theory of its enumerated paths,
//! accuracy and ECE vs `n`, and the training curve. The analysis is
//! [`crate::validate::tiny`]; this module gathers its numbers
//! ([`compute`]) and draws them ([`render`]).

use super::plot::{draw, palette, LegendAt, Panel, Scale, Series, Style};
use super::{csv_float, Csv, FigureConfig, FigureError, FigureOutput};
use crate::estimators::EstimatorId;
use crate::eval::metrics;
use crate::montecarlo::agreement::FAMILY_ALPHA;
use crate::montecarlo::{Estimate, RunningStats};
use crate::progress::Observer;
use crate::select::select;
use crate::tiny::store::{curve_csv, ensure_model};
use crate::tiny::train::LossPoint;
use crate::tiny::{ModelConfig, TrainConfig};
use crate::validate::tiny::{compare, questions, run_questions, train_config, ErrorComparison, QuestionRun, QuestionStats, Settings, ESTIMATORS, FLOOR};
use serde::Serialize;
use std::path::Path;

/// CSV columns of the estimation-error table.
pub const COLUMNS: [&str; 10] = ["question", "estimator", "n", "measured", "measured_se", "exact", "exact_se", "z", "agrees", "repeats"];
/// CSV columns of the per-question table.
pub const QUESTION_COLUMNS: [&str; 8] = ["question", "exact_accuracy", "covered_mass", "invalid_mass", "paths", "answers", "distinct_sampled", "sampled"];
/// CSV columns of the accuracy / calibration table.
pub const CALIBRATION_COLUMNS: [&str; 5] = ["estimator", "n", "accuracy", "accuracy_se", "ece"];

/// How the transformer is sampled: sample sizes, repeats per question and
/// RPC's Monte Carlo trials (shared with [`super::accuracy_exact`], whose
/// runs are the same, memoised).
pub fn sampling(quick: bool) -> (Vec<u64>, usize, u64) {
    if quick {
        (vec![1, 2, 4, 8, 16], 40, 200)
    } else {
        ((0..=6).map(|k| 1u64 << k).collect(), 200, 1000)
    }
}

/// One estimator's accuracy (measured over questions × repeats) and ECE at one n.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CalibrationPoint {
    /// Sample size.
    pub n: u64,
    /// Accuracy (a share) with its standard error.
    pub accuracy: Estimate,
    /// Expected calibration error (10 bins, chosen answer).
    pub ece: f64,
}

/// One estimator's estimation error at one n on one question.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ErrorPoint {
    /// Sample size.
    pub n: u64,
    /// Exact (RPC: Monte Carlo on the enumerated distribution).
    pub exact: f64,
    /// Measured over the repeats.
    pub measured: Estimate,
}

/// The error curves of a question shown in a panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shown {
    /// `a+b+c`.
    pub id: String,
    /// Its exact accuracy.
    pub exact_accuracy: f64,
    /// Per estimator of [`ESTIMATORS`], per n.
    pub errors: Vec<Vec<ErrorPoint>>,
}

/// The numbers behind the figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Data {
    /// Sample sizes.
    pub ns: Vec<u64>,
    /// Repeats per question.
    pub repeats: usize,
    /// Every measured error against its exact value (in order of question, estimator, n).
    pub comparisons: Vec<ErrorComparison>,
    /// The family size of the agreement tests.
    pub family: usize,
    /// Per question.
    pub questions: Vec<QuestionStats>,
    /// Per estimator of [`ESTIMATORS`], per n.
    pub calibration: Vec<Vec<CalibrationPoint>>,
    /// Per estimator, accuracy at the largest n (mean credit over questions × repeats).
    pub final_accuracy: Vec<f64>,
    /// Up to four questions spanning difficulty.
    pub shown: Vec<Shown>,
    /// The model's shape.
    pub model: ModelConfig,
    /// Its training settings.
    pub training: TrainConfig,
    /// Its training loss.
    pub loss: Vec<LossPoint>,
}

fn calibration(runs: &[QuestionRun], ns: &[u64], k: usize) -> Vec<CalibrationPoint> {
    (0..ns.len())
        .map(|ni| {
            let all: Vec<Vec<(f64, bool)>> = runs.iter().flat_map(|r| r.rows[k][ni].iter().cloned()).collect();
            let mut acc = RunningStats::default();
            for rows in &all {
                acc.push(select(rows.iter().copied()).credit);
            }
            CalibrationPoint { n: ns[ni], accuracy: acc.estimate(0.0), ece: metrics::maximum(&all).ece }
        })
        .collect()
}

/// Up to four questions spanning difficulty, easiest first.
fn shown(runs: &[QuestionRun], ns: &[u64]) -> Vec<Shown> {
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|&a, &b| runs[b].stats.exact_accuracy.total_cmp(&runs[a].stats.exact_accuracy));
    let picked: Vec<usize> = if order.len() <= 4 { order.clone() } else { (0..4).map(|i| order[i * (order.len() - 1) / 3]).collect() };
    picked
        .into_iter()
        .map(|ri| {
            let r = &runs[ri];
            let errors = r
                .errors
                .iter()
                .map(|cells| ns.iter().zip(cells).map(|(&n, e)| ErrorPoint { n, exact: e.exact, measured: e.measured.estimate(0.0) }).collect())
                .collect();
            Shown { id: r.stats.id.clone(), exact_accuracy: r.stats.exact_accuracy, errors }
        })
        .collect()
}

/// Computes the figure's numbers.
pub fn compute(cfg: &FigureConfig, observer: &dyn Observer) -> Result<Data, FigureError> {
    let (ns, repeats, rpc_trials) = sampling(cfg.quick);
    let training = train_config();
    let stored = ensure_model(None, &ModelConfig::default(), &training, observer)?;
    let runs = run_questions(&stored.portable, &stored.dir, &questions(cfg.quick), &Settings { ns: &ns, repeats, rpc_trials, seed: cfg.seed }, observer)?;
    let (family, comparisons) = compare(&runs, &ns, repeats);
    let questions = runs.iter().map(|r| r.stats.clone()).collect();
    let ni = ns.len() - 1;
    let final_accuracy = (0..ESTIMATORS.len())
        .map(|k| {
            let all: Vec<f64> = runs.iter().flat_map(|r| r.rows[k][ni].iter().map(|rows| select(rows.iter().copied()).credit)).collect();
            all.iter().sum::<f64>() / all.len() as f64
        })
        .collect();
    Ok(Data {
        calibration: (0..ESTIMATORS.len()).map(|k| calibration(&runs, &ns, k)).collect(),
        shown: shown(&runs, &ns),
        comparisons,
        family: family.comparisons,
        questions,
        final_accuracy,
        ns,
        repeats,
        model: stored.model.config.clone(),
        training,
        loss: stored.curve,
    })
}

/// Writes `real_tiny.{png,svg,csv}`, `real_tiny_questions.csv`,
/// `real_tiny_calibration.csv` and `real_tiny_loss.{png,svg,csv}`.
pub fn run(cfg: &FigureConfig, observer: &dyn Observer) -> Result<FigureOutput, FigureError> {
    render(&compute(cfg, observer)?, &cfg.out)
}

/// The three tables: errors, questions, calibration.
fn tables(data: &Data) -> [Csv; 3] {
    let mut csv = Csv::new(&COLUMNS);
    for c in &data.comparisons {
        csv.row(vec![
            data.questions[c.question].id.clone(),
            c.estimator.name().to_string(),
            c.n.to_string(),
            csv_float(c.measured),
            csv_float(c.measured_se),
            csv_float(c.exact),
            csv_float(c.exact_se),
            csv_float(c.z),
            c.agrees.to_string(),
            data.repeats.to_string(),
        ]);
    }
    let mut qcsv = Csv::new(&QUESTION_COLUMNS);
    for q in &data.questions {
        qcsv.row(vec![
            q.id.clone(),
            csv_float(q.exact_accuracy),
            csv_float(q.covered),
            csv_float(q.invalid),
            q.paths.to_string(),
            q.answers.to_string(),
            q.distinct.to_string(),
            q.sampled.to_string(),
        ]);
    }
    let mut ccsv = Csv::new(&CALIBRATION_COLUMNS);
    for (id, points) in ESTIMATORS.iter().zip(&data.calibration) {
        for p in points {
            ccsv.row(vec![id.name().to_string(), p.n.to_string(), csv_float(p.accuracy.mean), csv_float(p.accuracy.std_error), csv_float(p.ece)]);
        }
    }
    [csv, qcsv, ccsv]
}

/// A shown question's estimation-error panel.
fn error_panel(s: &Shown, letter: char) -> Panel {
    let mut series = Vec::new();
    for (id, points) in ESTIMATORS.iter().zip(&s.errors) {
        let color = palette::of(*id);
        let label = if *id == EstimatorId::Rpc { "RPC (exact: MC on enumerated dist.)".to_string() } else { format!("{} exact", id.label()) };
        series.push(Series::new(label, color, Style::Line, points.iter().filter(|e| e.exact > 0.0).map(|e| (e.n as f64, e.exact)).collect()));
        let pts: Vec<&ErrorPoint> = points.iter().filter(|e| e.measured.mean > 0.0).collect();
        series.push(
            Series::new(format!("{} sampled from the model", id.label()), color, Style::Points, pts.iter().map(|e| (e.n as f64, e.measured.mean)).collect())
                .with_bars(pts.iter().map(|e| (e.measured.ci.low.max(e.measured.mean * 1e-3), e.measured.ci.high)).collect()),
        );
    }
    let title = format!("({letter}) {} — model accuracy {:.0}%", s.id, 100.0 * s.exact_accuracy);
    Panel::versus_n(title, "estimation error E[(p̂ − p)²]", Scale::Log10, LegendAt::LowerLeft, series)
}

/// The accuracy and calibration panels.
fn accuracy_panels(data: &Data, first: usize) -> [Panel; 2] {
    let (mut acc_series, mut ece_series) = (Vec::new(), Vec::new());
    for (id, points) in ESTIMATORS.iter().zip(&data.calibration) {
        let color = palette::of(*id);
        acc_series.push(Series::new(id.label(), color, Style::PointsLine, points.iter().map(|p| (p.n as f64, 100.0 * p.accuracy.mean)).collect()));
        ece_series.push(Series::new(id.label(), color, Style::PointsLine, points.iter().map(|p| (p.n as f64, p.ece)).collect()));
    }
    let mean_exact_acc = 100.0 * data.questions.iter().map(|q| q.exact_accuracy).sum::<f64>() / data.questions.len() as f64;
    acc_series.push(Series::new(
        format!("mean exact accuracy = expected SC accuracy at n = 1: {mean_exact_acc:.1}%"),
        palette::PAPER,
        Style::Dashed,
        data.ns.iter().map(|&n| (n as f64, mean_exact_acc)).collect(),
    ));
    let letter = |i: usize| (b'a' + i as u8) as char;
    let title = format!("({}) accuracy vs n ({} questions × {} repeats)", letter(first), data.questions.len(), data.repeats);
    [
        Panel::versus_n(title, "accuracy (%)", Scale::Linear, LegendAt::LowerRight, acc_series),
        Panel::versus_n(format!("({}) calibration vs n", letter(first + 1)), "ECE (10 bins)", Scale::Linear, LegendAt::UpperRight, ece_series),
    ]
}

/// The training curve's panel (mean over 20 steps).
fn loss_panel(data: &Data) -> Panel {
    let smooth: Vec<(f64, f64)> =
        data.loss.chunks(20).map(|c| (c.last().expect("chunk").step as f64, c.iter().map(|p| p.loss).sum::<f64>() / c.len() as f64)).collect();
    let tc = &data.training;
    Panel {
        title: format!("training loss (AdamW, {} steps × batch {}, seed {})", tc.steps, tc.batch, tc.seed),
        x_label: "step".into(),
        y_label: "cross-entropy per path token (nats)".into(),
        x_scale: Scale::Linear,
        y_scale: Scale::Linear,
        series: vec![Series::new("mean over 20 steps", palette::PC, Style::Line, smooth)],
        legend: LegendAt::UpperRight.into(),
        y_range: None,
    }
}

/// The markdown section.
fn summary(data: &Data) -> String {
    let disagreements: Vec<String> = data
        .comparisons
        .iter()
        .filter(|c| !c.agrees)
        .map(|c| {
            let (id, name, n, z) = (&data.questions[c.question].id, c.estimator.name(), c.n, c.z);
            format!("{id} {name} n={n}: measured {:.3e} ± {:.1e}, exact {:.3e} (z = {z:.1})", c.measured, c.measured_se, c.exact)
        })
        .collect();
    let family = data.family;
    let verdict = if disagreements.is_empty() {
        format!("All {family} comparisons agree (two-sided z-tests, family-wise α = {FAMILY_ALPHA}).")
    } else {
        format!(
            "**{} of {family} comparisons disagree** (two-sided z-tests, family-wise α = {FAMILY_ALPHA}):\n\n{}",
            disagreements.len(),
            disagreements.iter().map(|d| format!("- {d}")).collect::<Vec<_>>().join("\n")
        )
    };
    let accs: Vec<String> = data.questions.iter().map(|q| format!("{} {:.0}%", q.id, 100.0 * q.exact_accuracy)).collect();
    let min_cover = data.questions.iter().map(|q| q.covered).fold(1.0, f64::min);
    let finals: Vec<String> = ESTIMATORS.iter().zip(&data.final_accuracy).map(|(id, a)| format!("{} {:.1}%", id.label(), 100.0 * a)).collect();
    format!(
        "## Real model I: trained transformer (`real_tiny.png`)\n\n\
         A {}-layer, d = {} transformer trained with candle for {} AdamW steps (committed in `crates/pathconf-models/weights/tiny/`), \
         sampled at temperature 1 ({} repeats × {} paths per question). Per question the exact path distribution \
         was enumerated with floor {FLOOR:e}: lowest covered mass {min_cover:.6}. Exact accuracy per question: {}.\n\n{verdict}\n\n\
         Final-n accuracy: {}. Tables: `real_tiny.csv`, `real_tiny_questions.csv`, `real_tiny_calibration.csv`; loss curve `real_tiny_loss.png`.\n",
        data.model.n_layers,
        data.model.d_model,
        data.training.steps,
        data.repeats,
        data.ns.last().expect("ns"),
        accs.join(", "),
        finals.join(", ")
    )
}

/// Draws the figure and writes its files into `dir`.
pub fn render(data: &Data, dir: &Path) -> Result<FigureOutput, FigureError> {
    let mut panels: Vec<Panel> = data.shown.iter().enumerate().map(|(i, s)| error_panel(s, (b'a' + i as u8) as char)).collect();
    panels.extend(accuracy_panels(data, panels.len()));
    let cols = 3;
    let rows_n = panels.len().div_ceil(cols);
    let title = "Trained transformer: sampled estimation error vs the exact theory of its own path distribution";
    let mut files = draw(dir, "real_tiny", title, &panels, (rows_n, cols), (2400, 700 * rows_n as u32))?;
    for (table, name) in tables(data).iter().zip(["real_tiny", "real_tiny_questions", "real_tiny_calibration"]) {
        files.push(table.write(dir, name)?);
    }
    let loss_path = dir.join("real_tiny_loss.csv");
    crate::output::write_atomic(&loss_path, curve_csv(&data.loss).as_bytes()).map_err(|error| FigureError::Io { path: loss_path.clone(), error })?;
    files.extend(draw(dir, "real_tiny_loss", "Tiny transformer training", &[loss_panel(data)], (1, 1), (900, 600))?);
    files.push(loss_path);
    Ok(FigureOutput { name: "real_tiny", files, summary: summary(data) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transformers_numbers_are_consistent() {
        // The quick run (seed 5): every question's exact accuracy and
        // covered mass in range, each comparison's z as its fields say, the
        // shown questions easiest first, and the loss curve the committed one.
        let cfg = FigureConfig { out: "unused".into(), seed: 5, quick: true };
        let data = compute(&cfg, &crate::progress::Quiet).unwrap();
        assert_eq!(data.comparisons.len(), data.family);
        assert_eq!(data.family, data.questions.len() * ESTIMATORS.len() * data.ns.len());
        for q in &data.questions {
            assert!((0.0..=1.0).contains(&q.exact_accuracy) && q.covered > 0.999 && q.covered <= 1.0 + 1e-9, "{q:?}");
        }
        assert!(data.shown.windows(2).all(|w| w[0].exact_accuracy >= w[1].exact_accuracy));
        assert_eq!(data.loss.len(), data.training.steps);
        for points in &data.calibration {
            assert!(points.iter().all(|p| (0.0..=1.0).contains(&p.accuracy.mean) && (0.0..=1.0).contains(&p.ece)));
        }
        assert!(serde_json::to_string(&data).unwrap().contains("\"final_accuracy\""));
    }
}
