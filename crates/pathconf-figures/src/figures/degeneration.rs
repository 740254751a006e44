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

/// Writes `degeneration.{png,svg,csv}`.
pub fn run(cfg: &FigureConfig, observer: &dyn Observer) -> Result<FigureOutput, FigureError> {
    let ms: Vec<usize> = if cfg.quick { vec![1, 100] } else { vec![1, 10, 100, 1000] };
    let ns: Vec<u64> = if cfg.quick { vec![1, 4, 16, 64] } else { (0..=8).map(|k| 1u64 << k).collect() };
    let rpc_trials = if cfg.quick { 200 } else { 1_000 };
    let mut csv = Csv::new(&COLUMNS);
    let mut err_series = Vec::new();
    let mut tau_series = Vec::new();
    let mut est_series = Vec::new();
    let rpc = ReasoningPruning::new(WeibullPruning);
    let mut notes = Vec::new();
    for (mi, &m) in ms.iter().enumerate() {
        let d = distribution(m);
        let color = palette::FAMILY[mi % palette::FAMILY.len()];
        let (mut pc, mut rp, mut sc, mut taus, mut rpcs) = (vec![], vec![], vec![], vec![], vec![]);
        let (mut est_pc, mut est_sc) = (vec![], vec![]);
        for &n in &ns {
            let total = |t: &dyn Fn(usize) -> f64| (0..d.n_answers()).map(t).sum::<f64>();
            let sc_v = total(&|a| sc_terms(&d, a, n).expect("n >= 1").reasoning_error);
            let pc_v = total(&|a| pc_terms(&d, a, n).reasoning_error);
            let opt = optimal_tau_total(&d, n);
            let r = simulate_estimators(
                &d,
                &SimConfig { n, trials: rpc_trials, seed: cfg.seed ^ ((m as u64) << 24) ^ n, tau: 0.0, track_paths: false },
                &[&rpc],
                observer,
            );
            // Total over answers: sum of means; intervals combine conservatively (sum of half-widths).
            let mean: f64 = r.answers[0].iter().map(|t| t.reasoning_error.mean).sum();
            let half: f64 = r.answers[0].iter().map(|t| t.reasoning_error.ci_high - t.reasoning_error.mean).sum();
            let (e_pc, e_sc) = (pc_terms(&d, 1, n).estimation_error, sc_terms(&d, 1, n).expect("n >= 1").estimation_error);
            csv.row(vec![
                m.to_string(),
                n.to_string(),
                csv_float(e_pc),
                csv_float(e_sc),
                csv_float(sc_v),
                csv_float(pc_v),
                csv_float(opt.reasoning_error),
                csv_float(opt.tau),
                csv_float(mean),
                csv_float(mean - half),
                csv_float(mean + half),
            ]);
            est_pc.push((n as f64, e_pc));
            est_sc.push((n as f64, e_sc));
            sc.push((n as f64, sc_v));
            pc.push((n as f64, pc_v));
            rp.push((n as f64, opt.reasoning_error));
            taus.push((n as f64, opt.tau));
            rpcs.push((n as f64, mean, mean - half, mean + half));
        }
        notes.push(format!(
            "- M = {m}: at n = {}, total reasoning error SC {:.3}, PC {:.3}, RP(τ*) {:.3} (τ* = {:.3e}), RPC {:.3}.",
            ns.last().expect("ns"),
            sc.last().expect("ns").1,
            pc.last().expect("ns").1,
            rp.last().expect("ns").1,
            taus.last().expect("ns").1,
            rpcs.last().expect("ns").1
        ));
        err_series.push(Series::new(format!("PC, M = {m}"), color, Style::Line, pc));
        err_series.push(Series::new(format!("RP(τ*), M = {m}"), color, Style::Dashed, rp));
        err_series.push(
            Series::new(format!("RPC (MC), M = {m}"), color, Style::Points, rpcs.iter().map(|r| (r.0, r.1)).collect())
                .with_bars(rpcs.iter().map(|r| (r.2.max(1e-6), r.3)).collect()),
        );
        if mi == 0 {
            err_series.insert(0, Series::new("SC (any M)", palette::PAPER, Style::Line, sc));
            est_series.push(Series::new("SC (any M)", palette::PAPER, Style::Line, est_sc));
        }
        est_series.push(Series::new(format!("PC, M = {m}"), color, Style::Line, est_pc));
        tau_series.push(Series::new(format!("M = {m}"), color, Style::PointsLine, taus.iter().map(|&(n, t)| (n, t.max(1e-6))).collect()));
    }
    let panels = vec![
        Panel {
            title: "(a) PC's estimation error for B degenerates".into(),
            x_label: "samples n".into(),
            y_label: "E[(p̂(B) − p(B))²]".into(),
            x_scale: Scale::Log2,
            y_scale: Scale::Log10,
            series: est_series,
            legend: LegendAt::LowerLeft,
            y_range: None,
        },
        Panel {
            title: "(b) total reasoning error Σₐ E[(p̂(a) − 1[a=y])²]".into(),
            x_label: "samples n".into(),
            y_label: "total reasoning error".into(),
            x_scale: Scale::Log2,
            y_scale: Scale::Linear,
            series: err_series,
            legend: LegendAt::UpperRight,
            y_range: Some((0.3, 1.8)),
        },
        Panel {
            title: "(c) optimal threshold τ*(n) (10⁻⁶ = no pruning)".into(),
            x_label: "samples n".into(),
            y_label: "τ* (path probability)".into(),
            x_scale: Scale::Log2,
            y_scale: Scale::Log10,
            series: tau_series,
            legend: LegendAt::LowerRight,
            y_range: None,
        },
    ];
    let mut files = draw(&cfg.out, "degeneration", "Degeneration: the wrong answer's mass spread over M tiny paths", &panels, (1, 3), (2400, 820))?;
    files.push(csv.write(&cfg.out, "degeneration")?);
    let summary = format!(
        "## Degeneration (`degeneration.png`)\n\nCorrect answer A = paths (0.25, 0.10) plus 0.05 over 10 paths of 0.005; wrong answer B = one path \
         0.10 plus 0.50 over M tiny paths. (a) exact estimation error of B under PC and SC; (b) exact total reasoning error of PC (lines), RP at the \
         exact optimal threshold τ*(n) (dashed), RPC by Monte Carlo ({rpc_trials} trials, 95% intervals; Weibull fit on probabilities scaled by \
         the sample maximum) and SC; (c) τ*(n). SC does not depend on M.\n\n{}\n",
        notes.join("\n")
    );
    Ok(FigureOutput { name: "degeneration", files, summary })
}
