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
use crate::eval::methods::{Method, ProbMode};
use crate::eval::protocol::{evaluate, EvalConfig, EvalReport};
use crate::generators::{Population, Split};
use crate::progress::Observer;
use crate::sample::PathSampler;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// CSV columns.
pub const COLUMNS: [&str; 6] = ["method", "n", "accuracy_mean", "accuracy_std", "ece_mean", "ece_std"];

/// The synthetic benchmark: questions with 64 sampled paths each.
pub fn benchmark(cfg: &FigureConfig) -> Dataset {
    let pop = Population { n_questions: if cfg.quick { 80 } else { 300 }, split: Split::Zipf { exponent: 1.0 }, ..Default::default() };
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x4);
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
        prob: ProbMode::Mean,
        equal: AnswerEquality { mode: Equivalence::Exact, ..Default::default() },
        invalid: None,
    };
    evaluate(&ds, &ecfg, observer).expect("the synthetic benchmark is well formed")
}

/// One point of a method's curve: means over random subsets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurvePoint {
    /// Paths per question.
    pub n: usize,
    /// Mean accuracy (%).
    pub accuracy: f64,
    /// Mean ECE (%, "maximum" variant).
    pub ece: f64,
}

/// One method's accuracy and ECE vs n.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodCurve {
    /// The method's label.
    pub method: String,
    /// Its points, increasing n.
    pub points: Vec<CurvePoint>,
}

/// Accuracy and ECE vs n per method, from an [`EvalReport`] run with several K.
#[derive(Debug, Clone)]
pub struct Curves {
    /// Accuracy (%) series, mean ± std bars, one per method.
    pub accuracy: Vec<Series>,
    /// ECE (%, "maximum" variant) series, mean ± std bars.
    pub ece: Vec<Series>,
    /// Per method, its points.
    pub points: Vec<MethodCurve>,
}

/// PPL, SC, PC and RPC curves of `report`, also written as [`COLUMNS`] rows
/// into `csv`.
pub fn curves(report: &EvalReport, csv: &mut Csv) -> Curves {
    curves_of(report, csv, &[("PPL", palette::PPL), ("SC", palette::SC), ("PC", palette::PC), ("RPC", palette::RPC)])
}

/// [`curves`] for the given methods (report names) and colours.
pub fn curves_of(report: &EvalReport, csv: &mut Csv, methods: &[(&str, plotters::style::RGBColor)]) -> Curves {
    let mut out = Curves { accuracy: Vec::new(), ece: Vec::new(), points: Vec::new() };
    for &(name, color) in methods {
        let (mut acc, mut ece) = (Vec::new(), Vec::new());
        for r in report.results.iter().filter(|r| r.method == name) {
            let n = r.k.expect("ks given") as f64;
            csv.row(vec![
                // CSV cell: parameter lists use commas (`DeepConf(mean,η=30)`).
                name.replace(',', ";"),
                csv_float(n),
                csv_float(r.accuracy.mean),
                csv_float(r.accuracy.std),
                csv_float(100.0 * r.ece_max.mean),
                csv_float(100.0 * r.ece_max.std),
            ]);
            acc.push((n, r.accuracy.mean, r.accuracy.std));
            ece.push((n, 100.0 * r.ece_max.mean, 100.0 * r.ece_max.std));
        }
        let points = acc.iter().zip(&ece).map(|(a, e)| CurvePoint { n: a.0 as usize, accuracy: a.1, ece: e.1 }).collect();
        out.points.push(MethodCurve { method: name.to_string(), points });
        out.accuracy.push(
            Series::new(name, color, Style::PointsLine, acc.iter().map(|v| (v.0, v.1)).collect())
                .with_bars(acc.iter().map(|v| (v.1 - v.2, v.1 + v.2)).collect()),
        );
        out.ece.push(
            Series::new(name, color, Style::PointsLine, ece.iter().map(|v| (v.0, v.1)).collect())
                .with_bars(ece.iter().map(|v| (v.1 - v.2, v.1 + v.2)).collect()),
        );
    }
    out
}

/// Writes `accuracy_vs_samples.{png,svg,csv}`.
pub fn run(cfg: &FigureConfig, observer: &dyn Observer) -> Result<FigureOutput, FigureError> {
    let ks: Vec<usize> = (0..=6).map(|k| 1usize << k).collect();
    let report = evaluate_benchmark(cfg, ks, observer);
    let mut csv = Csv::new(&COLUMNS);
    let Curves { accuracy: acc_series, ece: ece_series, .. } = curves(&report, &mut csv);
    let panels = vec![
        Panel {
            title: "(a) accuracy".into(),
            x_label: "sampled paths per question n".into(),
            y_label: "accuracy (%)".into(),
            x_scale: Scale::Log2,
            y_scale: Scale::Linear,
            series: acc_series,
            legend: LegendAt::LowerRight,
            y_range: None,
        },
        Panel {
            title: "(b) expected calibration error (chosen answer)".into(),
            x_label: "sampled paths per question n".into(),
            y_label: "ECE (%)".into(),
            x_scale: Scale::Log2,
            y_scale: Scale::Linear,
            series: ece_series,
            legend: LegendAt::UpperRight,
            y_range: None,
        },
    ];
    let mut files = draw(
        &cfg.out,
        "accuracy_vs_samples",
        "Synthetic benchmark: accuracy and calibration vs samples (mean ± std over subsets)",
        &panels,
        (1, 2),
        (1800, 800),
    )?;
    files.push(csv.write(&cfg.out, "accuracy_vs_samples")?);
    let mut table = String::from("| method | fewest n to match SC's best | fewer samples |\n|---|---|---|\n");
    for fp in &report.fewest_paths {
        table.push_str(&format!(
            "| {} | {} | {} |\n",
            fp.method,
            fp.k_needed.map(|k| k.to_string()).unwrap_or_else(|| "not reached".into()),
            fp.reduction_pct.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "–".into())
        ));
    }
    let best = report.fewest_paths.first().map(|fp| format!("SC's best: {:.2}% at n = {}.", fp.sc_best_accuracy, fp.sc_best_k)).unwrap_or_default();
    let summary = format!(
        "## Accuracy vs samples (`accuracy_vs_samples.png`)\n\n{} synthetic questions (Beta(2, 2) difficulty, 5 answers × 8 Zipf-split paths), \
         64 sampled paths each, evaluated like real data on random subsets (mean ± std over {} subsets). {best}\n\n{table}",
        report.questions,
        if cfg.quick { 2 } else { 10 }
    );
    Ok(FigureOutput { name: "accuracy_vs_samples", files, summary })
}
