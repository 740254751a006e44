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
use crate::eval::stopping::{evaluate_stopping, PathOrder, StopConfig};
use crate::invalid::InvalidPolicy;
use crate::progress::Observer;
use crate::stopping::exact::exact_cost;
use crate::stopping::simulate::simulate_cost;
use crate::stopping::StopRule;
use crate::tiny::store::ensure_model;
use crate::tiny::ModelConfig;
use crate::validate::tiny::{questions, run_questions, train_config, Settings, TinyValidationError};

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

/// One point: rule, E[N], accuracy, method, accuracy s.e., exact accuracy (if any).
type Point = (StopRule, f64, f64, &'static str, f64, Option<f64>);

/// Writes `stopping.{png,svg,csv}`.
pub fn run(cfg: &FigureConfig, observer: &dyn Observer) -> Result<FigureOutput, FigureError> {
    let trials = if cfg.quick { 4_000 } else { 40_000 };
    let fixed: Vec<StopRule> = (1..=FIXED_MAX).map(|n| StopRule::Fixed { n }).collect();
    let mut csv = Csv::new(&COLUMNS);
    let mut panels = Vec::new();
    let mut notes = Vec::new();
    let mut settings: Vec<(String, Vec<Point>)> = Vec::new();

    // (a), (b): exact.
    type Groups = Vec<(&'static str, Vec<f64>)>;
    let synthetic: [(&str, Groups); 2] = [
        ("3 answers: 0.5, 0.3, 0.2 (2 paths each)", vec![("A", vec![0.3, 0.2]), ("B", vec![0.2, 0.1]), ("C", vec![0.1, 0.1])]),
        ("4 answers: 0.4, 0.3, 0.2, 0.1 (8 paths)", vec![("A", vec![0.2, 0.1, 0.1]), ("B", vec![0.15, 0.15]), ("C", vec![0.1, 0.05, 0.05]), ("D", vec![0.1])]),
    ];
    for (si, (name, groups)) in synthetic.into_iter().enumerate() {
        let mut pts = Vec::new();
        let dist = crate::distribution::PathDistribution::new(&groups, Some("A"))?;
        for (ri, rule) in fixed.iter().chain(adaptive().iter()).enumerate() {
            // Exact for the count rules (few answers); the path rules by Monte Carlo.
            let e = exact_cost(rule, dist.answer_masses(), dist.correct());
            let m = simulate_cost(rule, &dist, trials, cfg.seed ^ ((si as u64) << 40) ^ ri as u64);
            let samples = e.map_or(m.expected_samples.mean, |e| e.expected_samples);
            pts.push((*rule, samples, m.accuracy.mean, "monte_carlo", m.accuracy.std_error, e.map(|e| e.accuracy)));
        }
        settings.push((format!("({}) {name}", (b'a' + si as u8) as char), pts));
    }

    // (c): the trained transformer's exact answer distributions (memoised runs).
    let stored = ensure_model(None, &ModelConfig::default(), &train_config(), observer)?;
    let (ns, repeats, rpc_trials) = super::real_tiny::sampling(cfg.quick);
    let runs = run_questions(&stored.model, &stored.dir, &questions(cfg.quick), &Settings { ns: &ns, repeats, rpc_trials, seed: cfg.seed }, observer).map_err(
        |e| match e {
            TinyValidationError::Tiny(e) => FigureError::Tiny(e),
            TinyValidationError::Distribution(e) => FigureError::Distribution(e),
        },
    )?;
    let qn = runs.len() as f64;
    let mut pts = Vec::new();
    for (ri, rule) in fixed.iter().chain(adaptive().iter()).enumerate() {
        let (mut n, mut acc, mut var) = (0.0, 0.0, 0.0);
        for (qi, r) in runs.iter().enumerate() {
            let m = simulate_cost(rule, &r.dist, trials / 4, cfg.seed ^ 0x570 ^ ((qi as u64) << 32) ^ ri as u64);
            n += m.expected_samples.mean / qn;
            acc += m.accuracy.mean / qn;
            var += (m.accuracy.std_error / qn).powi(2);
        }
        pts.push((*rule, n, acc, "monte_carlo", var.sqrt(), None));
    }
    settings.push((format!("(c) trained transformer: {} questions (Monte Carlo on exact distributions)", runs.len()), pts));

    // (d): replay on the committed SmolLM2 paths.
    let ds = crate::eval::formats::read(&super::real_llm::data_file(), None, None)?;
    let reps = if cfg.quick { 5 } else { 20 };
    let rules: Vec<StopRule> = fixed.iter().chain(adaptive().iter()).copied().collect();
    let report = evaluate_stopping(
        &ds,
        &StopConfig { rules: rules.clone(), order: PathOrder::Random, repeats: reps, seed: cfg.seed, invalid: None, per_question: false },
        &AnswerEquality::default(),
        observer,
    )?;
    let measured = |rules: &[StopRule], report: &crate::eval::stopping::StopReport| -> Vec<Point> {
        rules.iter().zip(&report.results).map(|(rule, r)| (*rule, r.mean_samples, r.accuracy / 100.0, "measured", r.accuracy_se / 100.0, None)).collect()
    };
    settings.push((format!("(d) SmolLM2-135M, {} questions × 64 paths, {reps} random orders (replay)", ds.questions.len()), measured(&rules, &report)));
    // Each rule treats invalid draws as its reference does (ESC and fixed
    // vote, Adaptive-Consistency drops): a rule that drops them is compared
    // with fixed budgets that drop them too, on the same orders.
    let dropped = evaluate_stopping(
        &ds,
        &StopConfig { rules: fixed.clone(), order: PathOrder::Random, repeats: reps, seed: cfg.seed, invalid: Some(InvalidPolicy::Drop), per_question: false },
        &AnswerEquality::default(),
        observer,
    )?;
    // Only the replay (the last setting) has invalid draws.
    let mut fixed_dropping: Vec<Vec<Point>> = vec![Vec::new(); settings.len() - 1];
    fixed_dropping.push(measured(&fixed, &dropped));

    for ((name, pts), fixed_drop) in settings.iter().zip(&fixed_dropping) {
        for (rule, n, acc, method, se, exact) in pts {
            csv.row(vec![
                name.split(' ').next().unwrap_or("").trim_matches(|c| c == '(' || c == ')').to_string(),
                rule.to_string(),
                csv_float(*n),
                csv_float(*acc),
                method.to_string(),
                csv_float(*se),
                exact.map(csv_float).unwrap_or_default(),
            ]);
        }
        let fixed_pts: Vec<&Point> = pts.iter().filter(|p| matches!(p.0, StopRule::Fixed { .. })).collect();
        let curve = |p: &Point| p.5.unwrap_or(p.2);
        let mut series = vec![Series::new("fixed:N", palette::SC, Style::Line, fixed_pts.iter().map(|p| (p.1, 100.0 * curve(p))).collect())];
        if !fixed_drop.is_empty() {
            series.push(Series::new("fixed:N, invalid draws dropped", palette::SKY, Style::Line, fixed_drop.iter().map(|p| (p.1, 100.0 * p.2)).collect()));
        }
        // The fixed budgets a rule is compared with: those that treat
        // invalid draws as it does.
        let fixed_for = |rule: &StopRule| -> Vec<&Point> {
            if rule.default_invalid() == InvalidPolicy::Drop && !fixed_drop.is_empty() {
                fixed_drop.iter().collect()
            } else {
                fixed_pts.clone()
            }
        };
        let esc: Vec<&Point> = pts.iter().filter(|p| matches!(p.0, StopRule::Esc { .. })).collect();
        let beta: Vec<&Point> = pts.iter().filter(|p| matches!(p.0, StopRule::AscBeta { .. })).collect();
        let other_ac: Vec<&Point> =
            pts.iter().filter(|p| matches!(p.0, StopRule::AscDirichlet { .. } | StopRule::AscMajority { .. } | StopRule::AscEntropy { .. })).collect();
        let ours: Vec<&Point> = pts.iter().filter(|p| matches!(p.0, StopRule::PcStop { .. })).collect();
        for (label, color, group) in [
            ("ESC esc:W:40, W = 2, 4, 5, 8", palette::PPL, &esc),
            ("Adaptive-Consistency asc-beta:T, T = .8, .9, .95, .99", palette::PC, &beta),
            ("Adaptive-Consistency asc-dirichlet:.95, asc-majority:.8, asc-entropy:.75", palette::RPC, &other_ac),
            ("pathconf pc-certify, pc-gt (max 40)", palette::RP, &ours),
        ] {
            let lined = std::ptr::eq(group, &esc) || std::ptr::eq(group, &beta);
            if lined && group.iter().all(|p| p.5.is_some()) {
                series.push(Series::new(format!("{label} (exact)"), color, Style::Line, group.iter().map(|p| (p.1, 100.0 * p.5.expect("exact"))).collect()));
            }
            series.push(
                Series::new(
                    format!("{label} ({})", if group[0].3 == "measured" { "measured" } else { "Monte Carlo" }),
                    color,
                    Style::Points,
                    group.iter().map(|p| (p.1, 100.0 * p.2)).collect(),
                )
                .with_bars(group.iter().map(|p| (100.0 * (p.2 - 1.96 * p.4), 100.0 * (p.2 + 1.96 * p.4))).collect()),
            );
        }
        let mut panel = Panel::versus_n(name.clone(), "accuracy (%)", Scale::Linear, LegendAt::LowerRight, series);
        panel.x_label = "expected samples per question".into();
        panels.push(panel);
        // Which rule wins: fewest samples at accuracy ≥ the fixed budget's.
        let adaptive_pts: Vec<&&Point> = esc.iter().chain(beta.iter()).chain(other_ac.iter()).chain(ours.iter()).collect();
        let saved: Vec<String> = adaptive_pts
            .iter()
            .map(|p| {
                let k = fixed_for(&p.0).iter().find(|f| curve(f) >= curve(p) - 1e-12).map(|f| f.1);
                match k {
                    Some(k) => format!("{} {:.1}% with {:.1} samples (fixed needs {k:.0}: {:+.0}%)", p.0, 100.0 * curve(p), p.1, 100.0 * (p.1 / k - 1.0)),
                    None => format!("{} {:.1}% with {:.1} samples (no fixed budget ≤ {FIXED_MAX} as accurate)", p.0, 100.0 * curve(p), p.1),
                }
            })
            .collect();
        let savings: Vec<(StopRule, f64)> = adaptive_pts
            .iter()
            .filter_map(|p| fixed_for(&p.0).iter().find(|f| curve(f) >= curve(p) - 1e-12).map(|f| (p.0, 100.0 * (1.0 - p.1 / f.1))))
            .collect();
        let winners = savings.iter().filter(|s| s.1 > 0.0).count();
        let best = savings.iter().fold(None, |b: Option<&(StopRule, f64)>, s| if b.is_none_or(|b| s.1 > b.1) { Some(s) } else { b });
        let verdict = match best {
            Some((rule, pct)) if *pct > 0.0 => format!(
                "{winners} of {} rules save samples at equal accuracy; the most, {rule}: {pct:.0}% fewer than the fixed budget as accurate",
                savings.len()
            ),
            _ => "no rule saves samples: a fixed budget is at least as good".to_string(),
        };
        let noise = pts.iter().filter(|p| p.3 == "measured").map(|p| 196.0 * p.4).fold(0.0, f64::max);
        let caveat =
            if noise > 0.0 { format!(" (measured: 95% intervals up to ±{noise:.0} points, wider than the differences between rules)") } else { String::new() };
        notes.push(format!("- **{name}** — {verdict}{caveat}. {}.", saved.join("; ")));
    }
    let mut files = draw(&cfg.out, "stopping", "Stopping rules: accuracy vs expected samples", &panels, (2, 2), (1800, 1400))?;
    files.push(csv.write(&cfg.out, "stopping")?);
    let summary = format!(
        "## Stopping rules (`stopping.png`)\n\nAccuracy (ties split) against expected samples per question for fixed budgets (the line), ESC \
         (window W, at most 40, the window's answer), Adaptive-Consistency's Beta rule (threshold T), its Dirichlet (0.95, exact statistic), \
         majority (0.8) and entropy (0.75) rules, and pathconf's pc-certify / pc-gt (stop once the seen paths' probabilities settle the \
         answer of largest mass, the unseen mass exact or Good–Turing), all capped at 40. (a), (b) exact values for the count rules with \
         Monte Carlo points ({trials} trials); (c) Monte Carlo on the trained transformer's exact path distributions; (d) replay on the \
         committed SmolLM2 paths (accuracy ± s.e. across questions; paths without an answer treated as each rule's reference treats \
         them — ESC and fixed budgets vote them, Adaptive-Consistency drops them — and each rule compared with fixed budgets that treat them \
         the same way, the second line). A negative percentage is the saving against the smallest fixed \
         budget as accurate (a positive one, a loss):\n\n{}\n\nAn adaptive rule saves where the leading answer separates quickly on \
         the questions it stops early; when accuracy saturates after a few samples (c), sampling on until agreement on hard questions \
         costs more than a small fixed budget. pc-certify answers with the answer of largest mass once it is certain — the limit's \
         answer, all estimation error gone — but it needs whole-path probabilities: on SmolLM2's long paths the unseen mass stays near 1, \
         it never stops and answers as PC on sequence probabilities.\n",
        notes.join("\n")
    );
    Ok(FigureOutput { name: "stopping", files, summary })
}
