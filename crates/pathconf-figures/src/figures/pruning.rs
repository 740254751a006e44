//! Figure 5 — exact total reasoning error vs the pruning threshold τ for
//! several n, the exact optimum τ*(n), where RPC's automatic Weibull rule
//! lands, and reliability diagrams of SC vs RPC.
//!
//! Distribution: the degeneration family with M = 100 tiny paths
//! ([`super::degeneration::distribution`]). The Weibull rule's effective
//! threshold on one sample is the largest probability it prunes; the figure
//! shows its median over repeated samples. Reliability diagrams come from the
//! synthetic benchmark of [`super::accuracy`] at n = 16.

use super::accuracy::evaluate_benchmark;
use super::degeneration::distribution;
use super::plot::{draw, palette, LegendAt, Panel, Scale, Series, Style};
use super::{csv_float, Csv, FigureConfig, FigureError, FigureOutput};
use crate::estimators::PruneRule;
use crate::eval::methods::Method;
use crate::eval::metrics::Bin;
use crate::progress::Observer;
use crate::sample::{PathSampler, Sample};
use crate::theory::rp::{optimal_tau_total, total_reasoning_error, OptimalTau};
use crate::weibull::WeibullPruning;
use serde::Serialize;
use std::path::Path;

/// CSV columns.
pub const COLUMNS: [&str; 5] = ["kind", "n", "x", "y", "extra"];

/// Where the Weibull rule cut, over repeated samples at one n.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cuts {
    /// Quartiles of the largest probability pruned (0: nothing pruned).
    pub q1: f64,
    /// Its median.
    pub median: f64,
    /// Its upper quartile.
    pub q3: f64,
    /// Share of samples where nothing was pruned.
    pub none: f64,
    /// Exact total reasoning error at the median cut.
    pub error_at_median: f64,
}

/// One sample size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtN {
    /// Sample size.
    pub n: u64,
    /// `(τ, exact total reasoning error)` on the τ grid.
    pub curve: Vec<(f64, f64)>,
    /// The exact optimum τ*(n).
    pub optimum: OptimalTau,
    /// The Weibull rule's cuts (Monte Carlo over [`Data::reps`] samples).
    pub cuts: Cuts,
}

/// One method's reliability diagram on the synthetic benchmark at n = 16.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reliability {
    /// The method.
    pub method: Method,
    /// Every bin (empty ones included).
    pub bins: Vec<Bin>,
    /// Mean ECE ("maximum" variant).
    pub ece: f64,
}

/// The numbers behind the figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Data {
    /// Samples per n for the Weibull rule's cuts.
    pub reps: usize,
    /// Per sample size.
    pub at_n: Vec<AtN>,
    /// SC's and RPC's reliability.
    pub reliability: Vec<Reliability>,
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// The Weibull rule's cut (the largest probability it prunes) on `reps`
/// samples of size `n`.
fn weibull_cuts(d: &crate::distribution::PathDistribution, n: u64, reps: usize, seed: u64) -> Cuts {
    let sampler = PathSampler::new(d);
    let mut rng = crate::seed::rng(seed, &[crate::seed::tag("pruning/weibull-cuts"), n]);
    let mut cuts = Vec::with_capacity(reps);
    let mut sample = Sample::new(d.paths().len(), d.n_answers());
    let mut keep = Vec::new();
    for _ in 0..reps {
        sampler.refill(&mut sample, n, &mut rng);
        WeibullPruning.keep(&sample, &mut keep);
        cuts.push(sample.paths().iter().zip(&keep).filter(|(_, k)| !**k).map(|(p, _)| p.prob).fold(0.0, f64::max));
    }
    cuts.sort_by(f64::total_cmp);
    let median = quantile(&cuts, 0.5);
    Cuts {
        q1: quantile(&cuts, 0.25),
        median,
        q3: quantile(&cuts, 0.75),
        none: cuts.iter().filter(|&&c| c == 0.0).count() as f64 / reps as f64,
        error_at_median: total_reasoning_error(d, n, median),
    }
}

/// Computes the figure's numbers.
pub fn compute(cfg: &FigureConfig, observer: &dyn Observer) -> Data {
    let d = distribution(100);
    let ns: Vec<u64> = if cfg.quick { vec![4, 64] } else { vec![4, 16, 64, 256] };
    let reps = if cfg.quick { 40 } else { 300 };
    let taus: Vec<f64> = (0..=160).map(|i| 10f64.powf(-4.0 + 3.5 * i as f64 / 160.0)).collect();
    let at_n = ns
        .iter()
        .map(|&n| {
            let curve = taus.iter().map(|&t| (t, total_reasoning_error(&d, n, t))).collect();
            let cuts = weibull_cuts(&d, n, reps, cfg.seed);
            observer.advance(reps as u64);
            AtN { n, curve, optimum: optimal_tau_total(&d, n), cuts }
        })
        .collect();
    let report = evaluate_benchmark(cfg, vec![16], observer);
    let reliability = [Method::Sc, Method::Rpc]
        .into_iter()
        .map(|method| {
            let r = report.results.iter().find(|r| r.method == method).expect("method evaluated");
            Reliability { method, bins: r.bins_max.clone(), ece: r.ece_max.mean }
        })
        .collect();
    Data { reps, at_n, reliability }
}

/// Writes `pruning_threshold.{png,svg,csv}`.
pub fn run(cfg: &FigureConfig, observer: &dyn Observer) -> Result<FigureOutput, FigureError> {
    render(&compute(cfg, observer), &cfg.out)
}

/// The CSV behind the figure.
fn table(data: &Data) -> Csv {
    let mut csv = Csv::new(&COLUMNS);
    for a in &data.at_n {
        let n = a.n.to_string();
        for &(t, r) in &a.curve {
            csv.row(vec!["error_vs_tau".into(), n.clone(), csv_float(t), csv_float(r), String::new()]);
        }
        let opt = &a.optimum;
        csv.row(vec!["tau_opt".into(), n.clone(), csv_float(opt.tau), csv_float(opt.reasoning_error), csv_float(opt.reasoning_error_pc)]);
        csv.row(vec!["weibull_cut_median".into(), n, csv_float(a.cuts.median), csv_float(a.cuts.error_at_median), csv_float(a.cuts.none)]);
    }
    for r in &data.reliability {
        for (b, bin) in r.bins.iter().enumerate() {
            csv.row(vec![format!("reliability_{}", r.method.name()), "16".into(), csv_float(bin.confidence), csv_float(bin.accuracy), format!("{}", b)]);
        }
    }
    csv
}

/// Panel (a): the error vs τ per n, τ*(n) and the median cut.
fn threshold_panel(data: &Data) -> Panel {
    let mut series = Vec::new();
    for (i, a) in data.at_n.iter().enumerate() {
        let color = palette::FAMILY[i % palette::FAMILY.len()];
        series.push(Series::new(format!("n = {}", a.n), color, Style::Line, a.curve.clone()));
        series.push(Series::new("", color, Style::Points, vec![(a.optimum.tau.max(1e-4), a.optimum.reasoning_error)]));
        if a.cuts.median > 0.0 {
            series.push(Series::new("", color, Style::Dashed, vec![(a.cuts.median, 0.0), (a.cuts.median, a.cuts.error_at_median)]));
        }
    }
    series.push(Series::new("● τ*(n); dashed: Weibull rule's median cut", palette::PAPER, Style::Points, vec![]));
    Panel {
        title: "(a) exact total reasoning error vs threshold τ (M = 100 tiny paths)".into(),
        x_label: "pruning threshold τ (path probability)".into(),
        y_label: "total reasoning error".into(),
        x_scale: Scale::Log10,
        y_scale: Scale::Linear,
        series,
        legend: LegendAt::UpperLeft.into(),
        y_range: None,
    }
}

/// Panel (b): reliability diagrams.
fn reliability_panel(data: &Data) -> Panel {
    let mut rel = vec![Series::new("perfect calibration", palette::PAPER, Style::Dashed, vec![(0.0, 0.0), (1.0, 1.0)])];
    for r in &data.reliability {
        let color = if r.method == Method::Sc { palette::SC } else { palette::RPC };
        let pts: Vec<(f64, f64)> = r.bins.iter().filter(|b| b.weight > 0.0).map(|b| (b.confidence, b.accuracy)).collect();
        rel.push(Series::new(format!("{} (ECE {:.1}%)", r.method.name(), 100.0 * r.ece), color, Style::PointsLine, pts));
    }
    Panel {
        title: "(b) reliability, synthetic benchmark, n = 16".into(),
        x_label: "confidence of the chosen answer".into(),
        y_label: "accuracy".into(),
        x_scale: Scale::Linear,
        y_scale: Scale::Linear,
        series: rel,
        legend: LegendAt::UpperLeft.into(),
        y_range: Some((0.0, 1.0)),
    }
}

/// The markdown section.
fn summary(data: &Data) -> String {
    let notes: Vec<String> = data
        .at_n
        .iter()
        .map(|a| {
            let (opt, c) = (&a.optimum, &a.cuts);
            format!(
                "- n = {}: τ* = {:.3e} (total error {:.4} vs {:.4} without pruning); Weibull rule cuts at median {:.3e} (IQR {:.3e}–{:.3e}; prunes nothing in {:.0}% of samples), where the exact error is {:.4}.",
                a.n,
                opt.tau,
                opt.reasoning_error,
                opt.reasoning_error_pc,
                c.median,
                c.q1,
                c.q3,
                100.0 * c.none,
                c.error_at_median
            )
        })
        .collect();
    format!(
        "## Pruning threshold (`pruning_threshold.png`)\n\nThe degeneration family with M = 100: correct answer A = (0.25, 0.10) + 10 paths of 0.005; wrong answer \
         B = 0.10 + 100 paths of 0.005. \
         Exact total reasoning error as a function of τ (piecewise constant); points: τ*(n); dashed verticals: the median cut of RPC's Weibull rule \
         over {} samples (the largest probability it prunes). The rule cuts the 0.005 paths of both answers; the exact optimum also \
         prunes B's 0.10 path once n ≥ 16. Panel (b): reliability of the chosen answer's confidence, synthetic benchmark at n = 16.\n\n{}\n",
        data.reps,
        notes.join("\n")
    )
}

/// Draws the figure and writes its files into `dir`.
pub fn render(data: &Data, dir: &Path) -> Result<FigureOutput, FigureError> {
    let panels = [threshold_panel(data), reliability_panel(data)];
    let mut files = draw(dir, "pruning_threshold", "Reasoning pruning: the threshold, its optimum and the automatic rule", &panels, (1, 2), (1900, 820))?;
    files.push(table(data).write(dir, "pruning_threshold")?);
    Ok(FigureOutput { name: "pruning_threshold", files, summary: summary(data) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_optimum_is_no_worse_than_any_threshold_or_no_pruning() {
        let cfg = FigureConfig { out: "unused".into(), seed: 3, quick: true };
        let data = compute(&cfg, &crate::progress::Quiet);
        assert_eq!(data.at_n.iter().map(|a| a.n).collect::<Vec<_>>(), [4, 64]);
        for a in &data.at_n {
            let best = a.curve.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
            assert!(a.optimum.reasoning_error <= best + 1e-12, "n = {}", a.n);
            assert!(a.optimum.reasoning_error <= a.optimum.reasoning_error_pc + 1e-12);
            assert!(a.cuts.q1 <= a.cuts.median && a.cuts.median <= a.cuts.q3);
            assert!((0.0..=1.0).contains(&a.cuts.none));
        }
        let json = serde_json::to_string(&data).unwrap();
        assert!(json.contains("\"reliability\""));
        assert_eq!(data.reliability.iter().map(|r| r.method).collect::<Vec<_>>(), [Method::Sc, Method::Rpc]);
    }
}
