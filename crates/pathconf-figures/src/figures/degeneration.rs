//! Figure 2 — degeneration (paper, Remark 6).
//!
//! The correct answer A has paths (0.25, 0.10) and a tail of 0.05 over 10
//! paths of 0.005; the wrong answer B has one path of 0.10 and 0.50 spread
//! over `M` tiny paths. (a) As `M` grows, PC's estimation error for B decays
//! ever more slowly — its exponential advantage over SC disappears (Remark 6).
//! (b) The total reasoning error `Σ_a E[(p̂(a) − 1[a = y])²]` of PC, of RP at
//! the exact optimal threshold τ*(n) (one threshold for all answers, found by
//! scanning every path probability), of RPC (Weibull pruning, Monte Carlo)
//! and of SC. (c) τ*(n).

use super::plot::{draw, palette, LegendAt, Panel, Scale, Series, Style};
use super::{csv_float, Csv, FigureConfig, FigureError, FigureOutput};
use crate::distribution::PathDistribution;
use crate::estimators::ReasoningPruning;
use crate::montecarlo::{simulate_estimators, SimConfig};
use crate::progress::Observer;
use crate::theory::{pc::pc_terms, rp::optimal_tau_total, sc::sc_terms};
use crate::weibull::WeibullPruning;
use serde::Serialize;
use std::path::Path;

/// CSV columns.
pub const COLUMNS: [&str; 11] = [
    "tiny_paths",
    "n",
    "pc_estimation_error_b",
    "sc_estimation_error_b",
    "sc_exact",
    "pc_exact",
    "rp_opt_exact",
    "tau_opt",
    "rpc_mc_mean",
    "rpc_mc_ci_low",
    "rpc_mc_ci_high",
];

/// The family: B's 0.5 of mass over `m` tiny paths.
pub fn distribution(m: usize) -> PathDistribution {
    let mut a = vec![0.25, 0.10];
    a.extend(std::iter::repeat_n(0.005, 10));
    let mut b = vec![0.10];
    b.extend(std::iter::repeat_n(0.5 / m as f64, m));
    PathDistribution::new(&[("A", a), ("B", b)], Some("A")).expect("valid")
}

/// One `(M, n)` point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    /// Samples.
    pub n: u64,
    /// Exact estimation error of B under PC.
    pub pc_estimation_error_b: f64,
    /// Exact estimation error of B under SC.
    pub sc_estimation_error_b: f64,
    /// Exact total reasoning error of SC.
    pub sc: f64,
    /// Exact total reasoning error of PC.
    pub pc: f64,
    /// Exact total reasoning error of RP at τ*(n).
    pub rp_opt: f64,
    /// τ*(n).
    pub tau_opt: f64,
    /// RPC's total reasoning error (Monte Carlo) and a conservative 95% interval (sum of the answers' half-widths).
    pub rpc: (f64, f64, f64),
}

/// One family member.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Family {
    /// B's tiny paths.
    pub m: usize,
    /// Per n.
    pub points: Vec<Point>,
}

/// The numbers behind the figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Data {
    /// RPC's Monte Carlo trials.
    pub rpc_trials: u64,
    /// Per M.
    pub families: Vec<Family>,
}

fn point(d: &PathDistribution, m: usize, n: u64, rpc_trials: u64, seed: u64, observer: &dyn Observer) -> Point {
    let total = |t: &dyn Fn(usize) -> f64| (0..d.n_answers()).map(t).sum::<f64>();
    let sc = total(&|a| sc_terms(d, a, n).expect("n >= 1").reasoning_error);
    let pc = total(&|a| pc_terms(d, a, n).reasoning_error);
    let opt = optimal_tau_total(d, n);
    let rpc = ReasoningPruning::new(WeibullPruning);
    let r = simulate_estimators(
        d,
        &SimConfig {
            n,
            trials: rpc_trials,
            seed: crate::seed::derive(seed, &[crate::seed::tag("degeneration/rpc"), m as u64, n]),
            tau: 0.0,
            track_paths: false,
        },
        &[&rpc],
        observer,
    );
    // Total over answers: sum of means; intervals combine conservatively (sum of half-widths).
    let mean: f64 = r.answers[0].iter().map(|t| t.reasoning_error.mean).sum();
    let half: f64 = r.answers[0].iter().map(|t| t.reasoning_error.ci.high - t.reasoning_error.mean).sum();
    Point {
        n,
        pc_estimation_error_b: pc_terms(d, 1, n).estimation_error,
        sc_estimation_error_b: sc_terms(d, 1, n).expect("n >= 1").estimation_error,
        sc,
        pc,
        rp_opt: opt.reasoning_error,
        tau_opt: opt.tau,
        rpc: (mean, mean - half, mean + half),
    }
}

/// Computes the figure's numbers.
pub fn compute(cfg: &FigureConfig, observer: &dyn Observer) -> Data {
    let ms: Vec<usize> = if cfg.quick { vec![1, 100] } else { vec![1, 10, 100, 1000] };
    let ns: Vec<u64> = if cfg.quick { vec![1, 4, 16, 64] } else { (0..=8).map(|k| 1u64 << k).collect() };
    let rpc_trials = if cfg.quick { 200 } else { 1_000 };
    let families = ms
        .iter()
        .map(|&m| {
            let d = distribution(m);
            Family { m, points: ns.iter().map(|&n| point(&d, m, n, rpc_trials, cfg.seed, observer)).collect() }
        })
        .collect();
    Data { rpc_trials, families }
}

/// Writes `degeneration.{png,svg,csv}`.
pub fn run(cfg: &FigureConfig, observer: &dyn Observer) -> Result<FigureOutput, FigureError> {
    render(&compute(cfg, observer), &cfg.out)
}

fn table(data: &Data) -> Csv {
    let mut csv = Csv::new(&COLUMNS);
    for f in &data.families {
        for p in &f.points {
            csv.row(vec![
                f.m.to_string(),
                p.n.to_string(),
                csv_float(p.pc_estimation_error_b),
                csv_float(p.sc_estimation_error_b),
                csv_float(p.sc),
                csv_float(p.pc),
                csv_float(p.rp_opt),
                csv_float(p.tau_opt),
                csv_float(p.rpc.0),
                csv_float(p.rpc.1),
                csv_float(p.rpc.2),
            ]);
        }
    }
    csv
}

/// The three panels' series: estimation error, total error, τ*.
fn series(data: &Data) -> [Vec<Series>; 3] {
    let (mut est_series, mut err_series, mut tau_series) = (Vec::new(), Vec::new(), Vec::new());
    for (mi, f) in data.families.iter().enumerate() {
        let (m, color) = (f.m, palette::FAMILY[mi % palette::FAMILY.len()]);
        let xy = |g: fn(&Point) -> f64| f.points.iter().map(|p| (p.n as f64, g(p))).collect::<Vec<_>>();
        err_series.push(Series::new(format!("PC, M = {m}"), color, Style::Line, xy(|p| p.pc)));
        err_series.push(Series::new(format!("RP(τ*), M = {m}"), color, Style::Dashed, xy(|p| p.rp_opt)));
        err_series.push(
            Series::new(format!("RPC (MC), M = {m}"), color, Style::Points, xy(|p| p.rpc.0))
                .with_bars(f.points.iter().map(|p| (p.rpc.1.max(1e-6), p.rpc.2)).collect()),
        );
        if mi == 0 {
            err_series.insert(0, Series::new("SC (any M)", palette::PAPER, Style::Line, xy(|p| p.sc)));
            est_series.push(Series::new("SC (any M)", palette::PAPER, Style::Line, xy(|p| p.sc_estimation_error_b)));
        }
        est_series.push(Series::new(format!("PC, M = {m}"), color, Style::Line, xy(|p| p.pc_estimation_error_b)));
        tau_series.push(Series::new(format!("M = {m}"), color, Style::PointsLine, xy(|p| p.tau_opt.max(1e-6))));
    }
    [est_series, err_series, tau_series]
}

fn panels(data: &Data) -> Vec<Panel> {
    let [est_series, err_series, tau_series] = series(data);
    let panel = |title: &str, y_label: &str, y_scale, series, legend: LegendAt, y_range| Panel {
        title: title.into(),
        x_label: "samples n".into(),
        y_label: y_label.into(),
        x_scale: Scale::Log2,
        y_scale,
        series,
        legend: legend.into(),
        y_range,
    };
    vec![
        panel("(a) PC's estimation error for B degenerates", "E[(p̂(B) − p(B))²]", Scale::Log10, est_series, LegendAt::LowerLeft, None),
        panel("(b) total reasoning error Σₐ E[(p̂(a) − 1[a=y])²]", "total reasoning error", Scale::Linear, err_series, LegendAt::UpperRight, Some((0.3, 1.8))),
        panel("(c) optimal threshold τ*(n) (10⁻⁶ = no pruning)", "τ* (path probability)", Scale::Log10, tau_series, LegendAt::LowerRight, None),
    ]
}

/// Draws the figure and writes its files into `dir`.
pub fn render(data: &Data, dir: &Path) -> Result<FigureOutput, FigureError> {
    let mut files = draw(dir, "degeneration", "Degeneration: the wrong answer's mass spread over M tiny paths", &panels(data), (1, 3), (2400, 820))?;
    files.push(table(data).write(dir, "degeneration")?);
    let notes: Vec<String> = data
        .families
        .iter()
        .map(|f| {
            let p = f.points.last().expect("ns");
            format!(
                "- M = {}: at n = {}, total reasoning error SC {:.3}, PC {:.3}, RP(τ*) {:.3} (τ* = {:.3e}), RPC {:.3}.",
                f.m, p.n, p.sc, p.pc, p.rp_opt, p.tau_opt, p.rpc.0
            )
        })
        .collect();
    let summary = format!(
        "## Degeneration (`degeneration.png`)\n\nCorrect answer A = paths (0.25, 0.10) plus 0.05 over 10 paths of 0.005; wrong answer B = one path \
         0.10 plus 0.50 over M tiny paths. (a) exact estimation error of B under PC and SC; (b) exact total reasoning error of PC (lines), RP at the \
         exact optimal threshold τ*(n) (dashed), RPC by Monte Carlo ({} trials, 95% intervals; Weibull fit on probabilities scaled by \
         the sample maximum) and SC; (c) τ*(n). SC does not depend on M.\n\n{}\n",
        data.rpc_trials,
        notes.join("\n")
    );
    Ok(FigureOutput { name: "degeneration", files, summary })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sc_does_not_depend_on_m_and_rp_at_its_optimum_beats_pc() {
        // Exact terms: SC sees answers only, so its errors are the same for
        // every M; RP at τ* is never worse than PC (τ = 0 is a candidate).
        let cfg = FigureConfig { out: "unused".into(), seed: 1, quick: true };
        let data = compute(&cfg, &crate::progress::Quiet);
        let (first, last) = (&data.families[0], &data.families[1]);
        for (a, b) in first.points.iter().zip(&last.points) {
            assert!((a.sc - b.sc).abs() < 1e-12 && (a.sc_estimation_error_b - b.sc_estimation_error_b).abs() < 1e-12);
        }
        for f in &data.families {
            assert!(f.points.iter().all(|p| p.rp_opt <= p.pc + 1e-12 && p.rpc.1 <= p.rpc.0 && p.rpc.0 <= p.rpc.2));
        }
    }
}
