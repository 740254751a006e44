//! Figure 4 — accuracy and ECE vs number of samples on a synthetic benchmark
//! (the paper's Figure 2), with the "fewest samples to match SC's best" table.
//!
//! A population of questions (Beta(2, 2) difficulty) is sampled once: 64 paths
//! per question from each question's path distribution, with
//! `mean_logprob = ln p_t`. The evaluator ([`crate::eval`]) then runs PPL, SC,
//! PC and RPC on random subsets of K = 1, 2, …, 64 of them, exactly as on
//! real data.

use super::plot::{draw, palette, LegendAt, Panel, Scale, Series, Style};
use super::{csv_float, Csv, FigureConfig, FigureError, FigureOutput};
use crate::eval::dataset::{Dataset, RawPath, RawQuestion};
use crate::eval::equivalence::{AnswerEquality, Equivalence};
use crate::eval::methods::Method;
use crate::eval::protocol::{evaluate, EvalConfig, EvalReport};
use crate::generators::{Population, Split};
use crate::progress::Observer;
use crate::sample::PathSampler;
use serde::Serialize;
use std::path::Path;

/// CSV columns.
pub const COLUMNS: [&str; 6] = ["method", "n", "accuracy_mean", "accuracy_std", "ece_mean", "ece_std"];

/// The synthetic benchmark: questions with 64 sampled paths each.
pub fn benchmark(cfg: &FigureConfig) -> Dataset {
    let pop = Population { n_questions: if cfg.quick { 80 } else { 300 }, split: Split::Zipf { exponent: 1.0 }, ..Default::default() };
    let mut rng = crate::seed::rng(cfg.seed, &[crate::seed::tag("accuracy/population")]);
    let questions = pop
        .sample(&mut rng)
        .expect("constant generator parameters are valid")
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let sampler = PathSampler::new(&d);
            let paths = (0..64)
                .map(|_| {
                    let p = sampler.draw(&mut rng);
                    RawPath {
                        text: format!("path {}", p.id).into(),
                        answer: d.answers()[p.answer as usize].as_str().into(),
                        mean_logprob: Some(p.prob.ln()),
                        sum_logprob: None,
                        signals: Default::default(),
                        tokens: None,
                    }
                })
                .collect();
            RawQuestion { id: i.to_string(), truth: "A".into(), paths }
        })
        .collect();
    Dataset { file: "synthetic-benchmark".into(), questions, format: crate::eval::formats::Format::Jsonl }
}

/// Evaluates the benchmark at the given K.
pub fn evaluate_benchmark(cfg: &FigureConfig, ks: Vec<usize>, observer: &dyn Observer) -> EvalReport {
    let ds = benchmark(cfg);
    let ecfg = EvalConfig {
        methods: vec![Method::Ppl, Method::Sc, Method::Pc, Method::Rpc],
        ks,
        repeats: if cfg.quick { 2 } else { 10 },
        seed: cfg.seed,
        equal: AnswerEquality { mode: Equivalence::Exact, ..Default::default() },
        ..EvalConfig::default()
    };
    evaluate(&ds, &ecfg, observer).expect("the synthetic benchmark is well formed")
}

/// One point of a method's curve: means and standard deviations over random subsets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CurvePoint {
    /// Paths per question.
    pub n: usize,
    /// Mean accuracy (%).
    pub accuracy: f64,
    /// Its standard deviation over subsets.
    pub accuracy_std: f64,
    /// Mean ECE (%, "maximum" variant).
    pub ece: f64,
    /// Its standard deviation over subsets.
    pub ece_std: f64,
}

/// One method's accuracy and ECE vs n.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodCurve {
    /// The method.
    pub method: Method,
    /// Its points, increasing n.
    pub points: Vec<CurvePoint>,
}

/// The curves of `methods` in `report`, run with several K.
pub fn method_curves(report: &EvalReport, methods: &[Method]) -> Vec<MethodCurve> {
    methods
        .iter()
        .map(|&method| MethodCurve {
            method,
            points: report
                .results
                .iter()
                .filter(|r| r.method == method)
                .map(|r| CurvePoint {
                    n: r.k.expect("ks given"),
                    accuracy: r.accuracy.mean,
                    accuracy_std: r.accuracy.std,
                    ece: 100.0 * r.ece_max.mean,
                    ece_std: 100.0 * r.ece_max.std,
                })
                .collect(),
        })
        .collect()
}

/// The curves as [`COLUMNS`] rows.
pub fn curve_table(curves: &[MethodCurve]) -> Csv {
    let mut csv = Csv::new(&COLUMNS);
    for c in curves {
        for p in &c.points {
            // CSV cell: parameter lists use commas (`DeepConf(mean,η=30)`).
            csv.row(vec![
                c.method.name().replace(',', ";"),
                csv_float(p.n as f64),
                csv_float(p.accuracy),
                csv_float(p.accuracy_std),
                csv_float(p.ece),
                csv_float(p.ece_std),
            ]);
        }
    }
    csv
}

/// Accuracy and ECE series (mean ± std bars), one per curve, in `colors`' order.
pub fn curve_series(curves: &[MethodCurve], colors: &[plotters::style::RGBColor]) -> (Vec<Series>, Vec<Series>) {
    let (mut accuracy, mut ece) = (Vec::new(), Vec::new());
    for (c, &color) in curves.iter().zip(colors) {
        let n = |p: &CurvePoint| p.n as f64;
        accuracy.push(
            Series::new(c.method.name(), color, Style::PointsLine, c.points.iter().map(|p| (n(p), p.accuracy)).collect())
                .with_bars(c.points.iter().map(|p| (p.accuracy - p.accuracy_std, p.accuracy + p.accuracy_std)).collect()),
        );
        ece.push(
            Series::new(c.method.name(), color, Style::PointsLine, c.points.iter().map(|p| (n(p), p.ece)).collect())
                .with_bars(c.points.iter().map(|p| (p.ece - p.ece_std, p.ece + p.ece_std)).collect()),
        );
    }
    (accuracy, ece)
}

/// The paper's four methods, with their colours (this figure and `real_llm`).
pub const SHOWN: [(Method, plotters::style::RGBColor); 4] =
    [(Method::Ppl, palette::PPL), (Method::Sc, palette::SC), (Method::Pc, palette::PC), (Method::Rpc, palette::RPC)];

/// "Fewest samples to match SC's best", per method.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fewest {
    /// The method.
    pub method: Method,
    /// The fewest K reaching SC's best accuracy.
    pub k_needed: Option<usize>,
    /// The saving against SC's K, in percent.
    pub reduction_pct: Option<f64>,
}

/// The numbers behind the figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Data {
    /// Questions of the benchmark.
    pub questions: usize,
    /// Random subsets per K.
    pub repeats: usize,
    /// PPL, SC, PC, RPC.
    pub curves: Vec<MethodCurve>,
    /// SC's best accuracy and its K.
    pub sc_best: Option<(f64, usize)>,
    /// Per method.
    pub fewest: Vec<Fewest>,
}

/// Computes the figure's numbers.
pub fn compute(cfg: &FigureConfig, observer: &dyn Observer) -> Data {
    let ks: Vec<usize> = (0..=6).map(|k| 1usize << k).collect();
    let report = evaluate_benchmark(cfg, ks, observer);
    Data {
        questions: report.questions,
        repeats: if cfg.quick { 2 } else { 10 },
        curves: method_curves(&report, &SHOWN.map(|s| s.0)),
        sc_best: report.fewest_paths.first().map(|fp| (fp.sc_best_accuracy, fp.sc_best_k)),
        fewest: report.fewest_paths.iter().map(|fp| Fewest { method: fp.method, k_needed: fp.k_needed, reduction_pct: fp.reduction_pct }).collect(),
    }
}

/// Writes `accuracy_vs_samples.{png,svg,csv}`.
pub fn run(cfg: &FigureConfig, observer: &dyn Observer) -> Result<FigureOutput, FigureError> {
    render(&compute(cfg, observer), &cfg.out)
}

/// Draws the figure and writes its files into `dir`.
pub fn render(data: &Data, dir: &Path) -> Result<FigureOutput, FigureError> {
    let (acc_series, ece_series) = curve_series(&data.curves, &SHOWN.map(|s| s.1));
    let panel = |title: &str, y_label: &str, series, legend: LegendAt| Panel {
        title: title.into(),
        x_label: "sampled paths per question n".into(),
        y_label: y_label.into(),
        x_scale: Scale::Log2,
        y_scale: Scale::Linear,
        series,
        legend: legend.into(),
        y_range: None,
    };
    let panels = [
        panel("(a) accuracy", "accuracy (%)", acc_series, LegendAt::LowerRight),
        panel("(b) expected calibration error (chosen answer)", "ECE (%)", ece_series, LegendAt::UpperRight),
    ];
    let title = "Synthetic benchmark: accuracy and calibration vs samples (mean ± std over subsets)";
    let mut files = draw(dir, "accuracy_vs_samples", title, &panels, (1, 2), (1800, 800))?;
    files.push(curve_table(&data.curves).write(dir, "accuracy_vs_samples")?);
    let mut table = String::from("| method | fewest n to match SC's best | fewer samples |\n|---|---|---|\n");
    for fp in &data.fewest {
        table.push_str(&format!(
            "| {} | {} | {} |\n",
            fp.method.name(),
            fp.k_needed.map(|k| k.to_string()).unwrap_or_else(|| "not reached".into()),
            fp.reduction_pct.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "–".into())
        ));
    }
    let best = data.sc_best.map(|(a, k)| format!("SC's best: {a:.2}% at n = {k}.")).unwrap_or_default();
    let summary = format!(
        "## Accuracy vs samples (`accuracy_vs_samples.png`)\n\n{} synthetic questions (Beta(2, 2) difficulty, 5 answers × 8 Zipf-split paths), \
         64 sampled paths each, evaluated like real data on random subsets (mean ± std over {} subsets). {best}\n\n{table}",
        data.questions, data.repeats
    );
    Ok(FigureOutput { name: "accuracy_vs_samples", files, summary })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_has_a_point_per_k_and_sc_is_one_of_them() {
        let cfg = FigureConfig { out: "unused".into(), seed: 2, quick: true };
        let data = compute(&cfg, &crate::progress::Quiet);
        assert_eq!(data.curves.iter().map(|c| c.method).collect::<Vec<_>>(), SHOWN.map(|s| s.0));
        for c in &data.curves {
            assert_eq!(c.points.iter().map(|p| p.n).collect::<Vec<_>>(), [1, 2, 4, 8, 16, 32, 64]);
            // At n = 1 every method picks the one sampled path's answer.
            assert_eq!(c.points[0].accuracy, data.curves[1].points[0].accuracy, "{}", c.method);
        }
        let (best, k) = data.sc_best.unwrap();
        assert_eq!(best, data.curves[1].points.iter().find(|p| p.n == k).unwrap().accuracy);
    }
}
