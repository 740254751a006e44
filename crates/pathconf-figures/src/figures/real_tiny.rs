//! Real-model validation I — the figure: the trained transformer's sampled
//! estimation errors against the exact theory of its enumerated paths,
//! accuracy and ECE vs `n`, and the training curve. The analysis is
//! [`crate::validate::tiny`]; this module draws it.

use super::plot::{draw, palette, LegendAt, Panel, Scale, Series, Style};
use super::{csv_float, Csv, FigureConfig, FigureError, FigureOutput};
use crate::estimators::EstimatorId;
use crate::eval::metrics;
use crate::montecarlo::agreement::FAMILY_ALPHA;
use crate::montecarlo::RunningStats;
use crate::progress::Observer;
use crate::select::select;
use crate::tiny::store::{curve_csv, ensure_model};
use crate::tiny::ModelConfig;
use crate::validate::tiny::{compare, questions, run_questions, train_config, Settings, TinyValidationError, ESTIMATORS, FLOOR};

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

/// Writes `real_tiny.{png,svg,csv}`, `real_tiny_questions.csv`,
/// `real_tiny_calibration.csv` and `real_tiny_loss.{png,svg,csv}`.
pub fn run(cfg: &FigureConfig, observer: &dyn Observer) -> Result<FigureOutput, FigureError> {
    let (ns, repeats, rpc_trials) = sampling(cfg.quick);
    let tc = train_config();
    let stored = ensure_model(None, &ModelConfig::default(), &tc, observer)?;
    let qs = questions(cfg.quick);
    let runs = run_questions(&stored.model, &stored.dir, &qs, &Settings { ns: &ns, repeats, rpc_trials, seed: cfg.seed }, observer).map_err(|e| match e {
        TinyValidationError::Tiny(e) => FigureError::Tiny(e),
        TinyValidationError::Distribution(e) => FigureError::Distribution(e),
    })?;

    // Agreement tests.
    let (family, comparisons) = compare(&runs, &ns, repeats);
    let comparisons_n = family.comparisons;
    let mut csv = Csv::new(&COLUMNS);
    let mut disagreements = Vec::new();
    for c in &comparisons {
        let (r, name, n, z) = (&runs[c.question], c.estimator.name(), c.n, c.z);
        if !c.agrees {
            disagreements.push(format!("{} {name} n={n}: measured {:.3e} ± {:.1e}, exact {:.3e} (z = {z:.1})", r.id, c.measured, c.measured_se, c.exact));
        }
        csv.row(vec![
            r.id.clone(),
            name.to_string(),
            n.to_string(),
            csv_float(c.measured),
            csv_float(c.measured_se),
            csv_float(c.exact),
            csv_float(c.exact_se),
            csv_float(z),
            c.agrees.to_string(),
            repeats.to_string(),
        ]);
    }

    // Per-question table.
    let mut qcsv = Csv::new(&QUESTION_COLUMNS);
    for r in &runs {
        qcsv.row(vec![
            r.id.clone(),
            csv_float(r.exact_accuracy),
            csv_float(r.covered),
            csv_float(r.invalid),
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
    for (k, id) in ESTIMATORS.iter().enumerate() {
        let name = id.name();
        let (mut acc_pts, mut ece_pts) = (Vec::new(), Vec::new());
        for (ni, &n) in ns.iter().enumerate() {
            let all: Vec<Vec<(f64, bool)>> = runs.iter().flat_map(|r| r.rows[k][ni].iter().cloned()).collect();
            let mut acc = RunningStats::default();
            for rows in &all {
                acc.push(select(rows.iter().copied()).credit);
            }
            let cal = metrics::maximum(&all);
            let a = acc.estimate(0.0);
            ccsv.row(vec![name.to_string(), n.to_string(), csv_float(a.mean), csv_float(a.std_error), csv_float(cal.ece)]);
            acc_pts.push((n as f64, 100.0 * a.mean));
            ece_pts.push((n as f64, cal.ece));
        }
        let color = palette::of(*id);
        acc_series.push(Series::new(id.label(), color, Style::PointsLine, acc_pts));
        ece_series.push(Series::new(id.label(), color, Style::PointsLine, ece_pts));
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
        for (k, id) in ESTIMATORS.iter().enumerate() {
            let color = palette::of(*id);
            let label = if *id == EstimatorId::Rpc { "RPC (exact: MC on enumerated dist.)".to_string() } else { format!("{} exact", id.label()) };
            series.push(Series::new(
                label,
                color,
                Style::Line,
                ns.iter().zip(&r.errors[k]).filter(|(_, e)| e.exact > 0.0).map(|(&n, e)| (n as f64, e.exact)).collect(),
            ));
            let pts: Vec<(f64, f64, f64, f64)> = ns
                .iter()
                .zip(&r.errors[k])
                .map(|(&n, e)| {
                    let est = e.measured.estimate(0.0);
                    (n as f64, est.mean, est.ci_low, est.ci_high)
                })
                .filter(|p| p.1 > 0.0)
                .collect();
            series.push(
                Series::new(format!("{} sampled from the model", id.label()), color, Style::Points, pts.iter().map(|p| (p.0, p.1)).collect())
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
    crate::output::write_atomic(&loss_path, curve_csv(&stored.curve).as_bytes()).map_err(|error| FigureError::Io { path: loss_path.clone(), error })?;
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
        format!("All {comparisons_n} comparisons agree (two-sided z-tests, family-wise α = {FAMILY_ALPHA}).")
    } else {
        format!(
            "**{} of {comparisons_n} comparisons disagree** (two-sided z-tests, family-wise α = {FAMILY_ALPHA}):\n\n{}",
            disagreements.len(),
            disagreements.iter().map(|d| format!("- {d}")).collect::<Vec<_>>().join("\n")
        )
    };
    let summary = format!(
        "## Real model I: trained transformer (`real_tiny.png`)\n\n\
         A {}-layer, d = {} transformer trained with candle for {} AdamW steps (cached under `~/.cache/pathconf/tiny/`), \
         sampled at temperature 1 ({repeats} repeats × {} paths per question). Per question the exact path distribution \
         was enumerated with floor {FLOOR:e}: lowest covered mass {min_cover:.6}. Exact accuracy per question: {}.\n\n{verdict}\n\n\
         Final-n accuracy: {}. Tables: `real_tiny.csv`, `real_tiny_questions.csv`, `real_tiny_calibration.csv`; loss curve `real_tiny_loss.png`.\n",
        stored.model.config.n_layers,
        stored.model.config.d_model,
        tc.steps,
        ns.last().expect("ns"),
        accs.join(", "),
        ESTIMATORS
            .iter()
            .enumerate()
            .map(|(k, id)| {
                let ni = ns.len() - 1;
                let all: Vec<f64> = runs.iter().flat_map(|r| r.rows[k][ni].iter().map(|rows| select(rows.iter().copied()).credit)).collect();
                format!("{} {:.1}%", id.label(), 100.0 * all.iter().sum::<f64>() / all.len() as f64)
            })
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(FigureOutput { name: "real_tiny", files, summary })
}
