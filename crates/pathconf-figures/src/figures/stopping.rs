//! Figure — stopping rules (issue #17): accuracy against expected samples for
//! fixed budgets, ESC, Adaptive-Consistency's Beta, Dirichlet, majority and
//! entropy rules, and pathconf's certified-PC rules.
//!
//! (a), (b) two synthetic path distributions (3 and 4 answers): every count
//! rule exact ([`crate::stopping::exact`]), Monte Carlo points on top; the
//! path rules by Monte Carlo.
//! (c) the trained transformer: the mean over its questions of Monte Carlo
//! on each question's exact answer distribution (about 100 answers: beyond
//! the exact programme). (d) replay on the committed SmolLM2 paths, in 20
//! seeded random orders per question. A rule wins where its point lies above
//! the fixed-budget curve: the same accuracy for fewer samples.

use super::plot::{draw, palette, LegendAt, Panel, Scale, Series, Style};
use super::{csv_float, Csv, FigureConfig, FigureError, FigureOutput};
use crate::eval::equivalence::AnswerEquality;
use crate::eval::stopping::{evaluate_stopping, PathOrder, StopConfig, StopReport};
use crate::invalid::InvalidPolicy;
use crate::progress::Observer;
use crate::provenance::Provenance;
use crate::stopping::exact::exact_cost;
use crate::stopping::simulate::simulate_cost;
use crate::stopping::StopRule;
use crate::tiny::store::ensure_model;
use crate::tiny::ModelConfig;
use crate::validate::tiny::{questions, run_questions, train_config, Settings};
use serde::Serialize;
use std::path::Path;

/// CSV columns.
pub const COLUMNS: [&str; 7] = ["setting", "rule", "expected_samples", "accuracy", "method", "accuracy_se", "exact_accuracy"];

const FIXED_MAX: usize = 40;

fn adaptive() -> Vec<StopRule> {
    let mut v: Vec<StopRule> = [2usize, 4, 5, 8].iter().map(|&w| StopRule::Esc { window: w, max: 40, answer: crate::stopping::EscAnswer::Window }).collect();
    v.extend([0.8, 0.9, 0.95, 0.99].iter().map(|&t| StopRule::AscBeta { threshold: t, max: 40 }));
    v.extend([
        StopRule::AscDirichlet { threshold: 0.95, max: 40 },
        StopRule::AscMajority { threshold: 0.8, max: 40 },
        StopRule::AscEntropy { threshold: 0.75, max: 40 },
        StopRule::PcStop { unseen: crate::stopping::Unseen::Certify, max: 40 },
        StopRule::PcStop { unseen: crate::stopping::Unseen::GoodTuring, max: 40 },
    ]);
    v
}

/// `fixed:1` … `fixed:40`, then the adaptive rules.
fn all_rules() -> Vec<StopRule> {
    (1..=FIXED_MAX).map(|n| StopRule::Fixed { n }).chain(adaptive()).collect()
}

/// One rule's point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    /// The rule.
    pub rule: StopRule,
    /// Expected samples per question (exact where `exact_accuracy` is).
    pub expected_samples: f64,
    /// Accuracy (a share).
    pub accuracy: f64,
    /// How `accuracy` was obtained: Monte Carlo or measured.
    pub basis: Provenance,
    /// Its standard error.
    pub accuracy_se: f64,
    /// The exact accuracy, where the exact programme reaches.
    pub exact_accuracy: Option<f64>,
}

impl Point {
    /// The accuracy the curves and the verdicts use: exact where known.
    fn best_accuracy(&self) -> f64 {
        self.exact_accuracy.unwrap_or(self.accuracy)
    }
}

/// One panel's setting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setting {
    /// Its title, `(x) …`.
    pub name: String,
    /// Every rule of [`all_rules`].
    pub points: Vec<Point>,
    /// Fixed budgets that drop invalid draws (the replay only: the only
    /// setting with invalid draws).
    pub fixed_dropping: Option<Vec<Point>>,
}

/// The numbers behind the figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Data {
    /// Monte Carlo trials of the synthetic settings (a quarter per question on the transformer's).
    pub trials: u64,
    /// (a) … (d).
    pub settings: Vec<Setting>,
}

/// (a), (b): two synthetic distributions, exact where the programme reaches.
fn synthetic(cfg: &FigureConfig, trials: u64) -> Result<Vec<Setting>, FigureError> {
    type Groups = Vec<(&'static str, Vec<f64>)>;
    let synthetic: [(&str, Groups); 2] = [
        ("3 answers: 0.5, 0.3, 0.2 (2 paths each)", vec![("A", vec![0.3, 0.2]), ("B", vec![0.2, 0.1]), ("C", vec![0.1, 0.1])]),
        ("4 answers: 0.4, 0.3, 0.2, 0.1 (8 paths)", vec![("A", vec![0.2, 0.1, 0.1]), ("B", vec![0.15, 0.15]), ("C", vec![0.1, 0.05, 0.05]), ("D", vec![0.1])]),
    ];
    let mut settings = Vec::new();
    for (si, (name, groups)) in synthetic.into_iter().enumerate() {
        let dist = crate::distribution::PathDistribution::new(&groups, Some("A"))?;
        let points = all_rules()
            .into_iter()
            .enumerate()
            .map(|(ri, rule)| {
                // Exact for the count rules (few answers); the path rules by Monte Carlo.
                let e = exact_cost(&rule, dist.answer_masses(), dist.correct());
                let m = simulate_cost(&rule, &dist, trials, crate::seed::derive(cfg.seed, &[crate::seed::tag("stopping/synthetic"), si as u64, ri as u64]));
                let expected_samples = e.map_or(m.expected_samples.mean, |e| e.expected_samples);
                Point {
                    rule,
                    expected_samples,
                    accuracy: m.accuracy.mean,
                    basis: Provenance::MonteCarlo,
                    accuracy_se: m.accuracy.std_error,
                    exact_accuracy: e.map(|e| e.accuracy),
                }
            })
            .collect();
        settings.push(Setting { name: format!("({}) {name}", (b'a' + si as u8) as char), points, fixed_dropping: None });
    }
    Ok(settings)
}

/// (c): the trained transformer's exact answer distributions (memoised runs).
fn transformer(cfg: &FigureConfig, trials: u64, observer: &dyn Observer) -> Result<Setting, FigureError> {
    let stored = ensure_model(None, &ModelConfig::default(), &train_config(), observer)?;
    let (ns, repeats, rpc_trials) = super::real_tiny::sampling(cfg.quick);
    let runs = run_questions(&stored.portable, &stored.dir, &questions(cfg.quick), &Settings { ns: &ns, repeats, rpc_trials, seed: cfg.seed }, observer)?;
    let qn = runs.len() as f64;
    let points = all_rules()
        .into_iter()
        .enumerate()
        .map(|(ri, rule)| {
            let (mut n, mut acc, mut var) = (0.0, 0.0, 0.0);
            for (qi, r) in runs.iter().enumerate() {
                let m =
                    simulate_cost(&rule, &r.dist, trials / 4, crate::seed::derive(cfg.seed, &[crate::seed::tag("stopping/transformer"), qi as u64, ri as u64]));
                n += m.expected_samples.mean / qn;
                acc += m.accuracy.mean / qn;
                var += (m.accuracy.std_error / qn).powi(2);
            }
            Point { rule, expected_samples: n, accuracy: acc, basis: Provenance::MonteCarlo, accuracy_se: var.sqrt(), exact_accuracy: None }
        })
        .collect();
    Ok(Setting { name: format!("(c) trained transformer: {} questions (Monte Carlo on exact distributions)", runs.len()), points, fixed_dropping: None })
}

fn measured(rules: &[StopRule], report: &StopReport) -> Vec<Point> {
    rules
        .iter()
        .zip(&report.results)
        .map(|(rule, r)| Point {
            rule: *rule,
            expected_samples: r.mean_samples,
            accuracy: r.accuracy / 100.0,
            basis: Provenance::Measured,
            accuracy_se: r.accuracy_se / 100.0,
            exact_accuracy: None,
        })
        .collect()
}

/// (d): replay on the committed SmolLM2 paths. Each rule treats invalid
/// draws as its reference does (ESC and fixed vote, Adaptive-Consistency
/// drops): a rule that drops them is compared with fixed budgets that drop
/// them too, on the same orders.
fn replay(cfg: &FigureConfig, observer: &dyn Observer) -> Result<Setting, FigureError> {
    let ds = crate::eval::formats::read(&super::real_llm::data_file(), None, None)?;
    let reps = if cfg.quick { 5 } else { 20 };
    let rules = all_rules();
    let config = |rules: Vec<StopRule>, invalid| StopConfig { rules, order: PathOrder::Random, repeats: reps, seed: cfg.seed, invalid, per_question: false };
    let report = evaluate_stopping(&ds, &config(rules.clone(), None), &AnswerEquality::default(), observer)?;
    let fixed: Vec<StopRule> = (1..=FIXED_MAX).map(|n| StopRule::Fixed { n }).collect();
    let dropped = evaluate_stopping(&ds, &config(fixed.clone(), Some(InvalidPolicy::Drop)), &AnswerEquality::default(), observer)?;
    Ok(Setting {
        name: format!("(d) SmolLM2-135M, {} questions × 64 paths, {reps} random orders (replay)", ds.questions.len()),
        points: measured(&rules, &report),
        fixed_dropping: Some(measured(&fixed, &dropped)),
    })
}

/// Computes the figure's numbers.
pub fn compute(cfg: &FigureConfig, observer: &dyn Observer) -> Result<Data, FigureError> {
    let trials = if cfg.quick { 4_000 } else { 40_000 };
    let mut settings = synthetic(cfg, trials)?;
    settings.push(transformer(cfg, trials, observer)?);
    settings.push(replay(cfg, observer)?);
    Ok(Data { trials, settings })
}

/// Writes `stopping.{png,svg,csv}`.
pub fn run(cfg: &FigureConfig, observer: &dyn Observer) -> Result<FigureOutput, FigureError> {
    render(&compute(cfg, observer)?, &cfg.out)
}

/// The CSV behind the figure.
fn table(data: &Data) -> Csv {
    let mut csv = Csv::new(&COLUMNS);
    for s in &data.settings {
        let setting = s.name.split(' ').next().unwrap_or("").trim_matches(|c| c == '(' || c == ')').to_string();
        for p in &s.points {
            csv.row(vec![
                setting.clone(),
                p.rule.to_string(),
                csv_float(p.expected_samples),
                csv_float(p.accuracy),
                p.basis.to_string(),
                csv_float(p.accuracy_se),
                p.exact_accuracy.map(csv_float).unwrap_or_default(),
            ]);
        }
    }
    csv
}

/// A setting's points by family: ESC, Beta, Adaptive-Consistency's other rules, pathconf's.
fn groups(s: &Setting) -> [Vec<&Point>; 4] {
    let of = |f: fn(&StopRule) -> bool| s.points.iter().filter(|p| f(&p.rule)).collect::<Vec<_>>();
    [
        of(|r| matches!(r, StopRule::Esc { .. })),
        of(|r| matches!(r, StopRule::AscBeta { .. })),
        of(|r| matches!(r, StopRule::AscDirichlet { .. } | StopRule::AscMajority { .. } | StopRule::AscEntropy { .. })),
        of(|r| matches!(r, StopRule::PcStop { .. })),
    ]
}

const GROUP_LABELS: [&str; 4] = [
    "ESC esc:W:40, W = 2, 4, 5, 8",
    "Adaptive-Consistency asc-beta:T, T = .8, .9, .95, .99",
    "Adaptive-Consistency asc-dirichlet:.95, asc-majority:.8, asc-entropy:.75",
    "pathconf pc-certify, pc-gt (max 40)",
];

fn fixed_points(s: &Setting) -> Vec<&Point> {
    s.points.iter().filter(|p| matches!(p.rule, StopRule::Fixed { .. })).collect()
}

/// One setting's panel.
fn panel(s: &Setting) -> Panel {
    let mut series =
        vec![Series::new("fixed:N", palette::SC, Style::Line, fixed_points(s).iter().map(|p| (p.expected_samples, 100.0 * p.best_accuracy())).collect())];
    if let Some(drop) = &s.fixed_dropping {
        series.push(Series::new(
            "fixed:N, invalid draws dropped",
            palette::SKY,
            Style::Line,
            drop.iter().map(|p| (p.expected_samples, 100.0 * p.accuracy)).collect(),
        ));
    }
    let colors = [palette::PPL, palette::PC, palette::RPC, palette::RP];
    for (gi, ((label, color), group)) in GROUP_LABELS.iter().zip(colors).zip(groups(s)).enumerate() {
        if gi < 2 && group.iter().all(|p| p.exact_accuracy.is_some()) {
            series.push(Series::new(
                format!("{label} (exact)"),
                color,
                Style::Line,
                group.iter().map(|p| (p.expected_samples, 100.0 * p.best_accuracy())).collect(),
            ));
        }
        series.push(
            Series::new(
                format!("{label} ({})", if group[0].basis == Provenance::Measured { "measured" } else { "Monte Carlo" }),
                color,
                Style::Points,
                group.iter().map(|p| (p.expected_samples, 100.0 * p.accuracy)).collect(),
            )
            .with_bars(group.iter().map(|p| (100.0 * (p.accuracy - 1.96 * p.accuracy_se), 100.0 * (p.accuracy + 1.96 * p.accuracy_se))).collect()),
        );
    }
    let mut panel = Panel::versus_n(s.name.clone(), "accuracy (%)", Scale::Linear, LegendAt::LowerRight, series);
    panel.x_label = "expected samples per question".into();
    panel
}

/// Which rule wins in a setting: fewest samples at accuracy ≥ the fixed
/// budget's (those that treat invalid draws as the rule does).
fn note(s: &Setting) -> String {
    let fixed = fixed_points(s);
    let fixed_for = |rule: &StopRule| -> Vec<&Point> {
        match &s.fixed_dropping {
            Some(drop) if rule.default_invalid() == InvalidPolicy::Drop => drop.iter().collect(),
            _ => fixed.clone(),
        }
    };
    let as_accurate = |p: &Point| fixed_for(&p.rule).into_iter().find(|f| f.best_accuracy() >= p.best_accuracy() - 1e-12).map(|f| f.expected_samples);
    let adaptive_pts: Vec<&Point> = groups(s).into_iter().flatten().collect();
    let saved: Vec<String> = adaptive_pts
        .iter()
        .map(|p| match as_accurate(p) {
            Some(k) => format!(
                "{} {:.1}% with {:.1} samples (fixed needs {k:.0}: {:+.0}%)",
                p.rule,
                100.0 * p.best_accuracy(),
                p.expected_samples,
                100.0 * (p.expected_samples / k - 1.0)
            ),
            None => format!("{} {:.1}% with {:.1} samples (no fixed budget ≤ {FIXED_MAX} as accurate)", p.rule, 100.0 * p.best_accuracy(), p.expected_samples),
        })
        .collect();
    let savings: Vec<(StopRule, f64)> = adaptive_pts.iter().filter_map(|p| as_accurate(p).map(|k| (p.rule, 100.0 * (1.0 - p.expected_samples / k)))).collect();
    let winners = savings.iter().filter(|s| s.1 > 0.0).count();
    let best = savings.iter().fold(None, |b: Option<&(StopRule, f64)>, s| if b.is_none_or(|b| s.1 > b.1) { Some(s) } else { b });
    let verdict = match best {
        Some((rule, pct)) if *pct > 0.0 => {
            format!("{winners} of {} rules save samples at equal accuracy; the most, {rule}: {pct:.0}% fewer than the fixed budget as accurate", savings.len())
        }
        _ => "no rule saves samples: a fixed budget is at least as good".to_string(),
    };
    let noise = s.points.iter().filter(|p| p.basis == Provenance::Measured).map(|p| 196.0 * p.accuracy_se).fold(0.0, f64::max);
    let caveat =
        if noise > 0.0 { format!(" (measured: 95% intervals up to ±{noise:.0} points, wider than the differences between rules)") } else { String::new() };
    format!("- **{}** — {verdict}{caveat}. {}.", s.name, saved.join("; "))
}

/// The markdown section.
fn summary(data: &Data) -> String {
    format!(
        "## Stopping rules (`stopping.png`)\n\nAccuracy (ties split) against expected samples per question for fixed budgets (the line), ESC \
         (window W, at most 40, the window's answer), Adaptive-Consistency's Beta rule (threshold T), its Dirichlet (0.95, exact statistic), \
         majority (0.8) and entropy (0.75) rules, and pathconf's pc-certify / pc-gt (stop once the seen paths' probabilities settle the \
         answer of largest mass, the unseen mass exact or Good–Turing), all capped at 40. (a), (b) exact values for the count rules with \
         Monte Carlo points ({} trials); (c) Monte Carlo on the trained transformer's exact path distributions; (d) replay on the \
         committed SmolLM2 paths (accuracy ± s.e. across questions; paths without an answer treated as each rule's reference treats \
         them — ESC and fixed budgets vote them, Adaptive-Consistency drops them — and each rule compared with fixed budgets that treat them \
         the same way, the second line). A negative percentage is the saving against the smallest fixed \
         budget as accurate (a positive one, a loss):\n\n{}\n\nAn adaptive rule saves where the leading answer separates quickly on \
         the questions it stops early; when accuracy saturates after a few samples (c), sampling on until agreement on hard questions \
         costs more than a small fixed budget. pc-certify answers with the answer of largest mass once it is certain — the limit's \
         answer, all estimation error gone — but it needs whole-path probabilities: on SmolLM2's long paths the unseen mass stays near 1, \
         it never stops and answers as PC on sequence probabilities.\n",
        data.trials,
        data.settings.iter().map(note).collect::<Vec<_>>().join("\n")
    )
}

/// Draws the figure and writes its files into `dir`.
pub fn render(data: &Data, dir: &Path) -> Result<FigureOutput, FigureError> {
    let panels: Vec<Panel> = data.settings.iter().map(panel).collect();
    let mut files = draw(dir, "stopping", "Stopping rules: accuracy vs expected samples", &panels, (2, 2), (1800, 1400))?;
    files.push(table(data).write(dir, "stopping")?);
    Ok(FigureOutput { name: "stopping", files, summary: summary(data) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_values_fall_in_the_monte_carlo_intervals_of_the_synthetic_settings() {
        // Both synthetic settings at 4,000 trials: every count rule's exact
        // accuracy within 5 Monte Carlo standard errors (plus a floor for
        // rules that almost always agree) — a family of 2 × 53 comparisons
        // whose false-failure rate is below 1e-4 under the normal approximation.
        let cfg = FigureConfig { out: "unused".into(), seed: 5, quick: true };
        let settings = synthetic(&cfg, 4_000).unwrap();
        assert_eq!(settings.len(), 2);
        for s in &settings {
            assert_eq!(s.points.len(), all_rules().len());
            for p in s.points.iter().filter(|p| p.exact_accuracy.is_some()) {
                let e = p.exact_accuracy.unwrap();
                assert!((p.accuracy - e).abs() <= 5.0 * p.accuracy_se + 1e-3, "{}: {} vs exact {e}", p.rule, p.accuracy);
            }
            let fixed = fixed_points(s);
            assert!(fixed.windows(2).all(|w| w[0].expected_samples < w[1].expected_samples), "fixed budgets cost their n");
        }
        assert!(serde_json::to_string(&settings).unwrap().contains("\"exact_accuracy\""));
    }
}
