//! The field's aggregators next to the paper's estimators, on the committed
//! SmolLM2 paths (`data/smollm2_paths.jsonl`, with token confidences and
//! self-certainty) and in the path-distribution theory.
//!
//! **Held-out tuning.** The questions are split by index: even ones tune,
//! odd ones test. Each family's parameter (CISC's T, CISC-linear's slope,
//! DeepConf's score × η, Borda's power) is the one with the highest accuracy
//! on the tuning half with all 64 paths (ties: the first in the grid); the
//! leaderboard and the curves report the chosen setting on the test half
//! only — nothing is tuned on the questions it is reported on.
//!
//! Panels: (a) accuracy and (b) ECE vs n on the test half (mean ± std over
//! random subsets); (c) CISC's temperature sweep on all questions (64
//! paths; accuracy ± its standard error across questions) with SC, PC and
//! RPC marked; (d) the same sweep in theory, on a synthetic population of
//! path distributions: CISC's exact `n → ∞` accuracy (its limit `p̃`,
//! [`crate::theory::weighted`]) and its accuracy at `n = 16` (enumeration
//! or Monte Carlo, [`crate::accuracy`]) against PC's, which shows where
//! the sweep passes PC; (e) accuracy and (f) ECE vs n of the aggregators on
//! paths sampled from pathconf's trained transformer, whose enumerated
//! distribution with exact per-token signals gives each aggregator's exact
//! `n → ∞` accuracy and its exact-distribution prediction at `n = 16`,
//! tested against disjoint samples ([`crate::validate::tiny_signals`]).

use super::accuracy::curves_of;
use super::plot::{draw, palette, LegendAt, Panel, Scale, Series, Style};
use super::{csv_float, Csv, FigureConfig, FigureError, FigureOutput};
use crate::accuracy::{selection_accuracy, AccuracyConfig};
use crate::estimators::EstimatorId;
use crate::eval::dataset::Dataset;
use crate::eval::equivalence::AnswerEquality;
use crate::eval::methods::{Method, Needs, ProbMode};
use crate::eval::protocol::{evaluate, outcomes_full, require_signal, standard_error, EvalConfig, MethodResult};
use crate::generators::{Population, Split};
use crate::invalid::InvalidPolicy;
use crate::progress::Observer;
use crate::theory::weighted::cisc_limit_accuracy;
use plotters::style::RGBColor;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// CISC temperatures swept (on response probabilities in `[0, 1]`).
pub const TEMPERATURES: [f64; 9] = [0.003, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 3.0];
/// CSV columns of the leaderboard.
pub const LEADERBOARD_COLUMNS: [&str; 16] = [
    "family",
    "method",
    "invalid",
    "tune_accuracy",
    "accuracy",
    "accuracy_se",
    "minus_sc",
    "minus_sc_se",
    "accuracy_at_8",
    "accuracy_at_8_std",
    "ece",
    "wqd",
    "wqd_tied",
    "pruned",
    "accuracy_other_invalid",
    "questions",
];
/// CSV columns of the sweeps.
pub const SWEEP_COLUMNS: [&str; 5] = ["source", "method", "temperature", "accuracy", "accuracy_se"];

/// A family of methods and its parameter grid (one entry: no parameter).
struct Family {
    name: &'static str,
    grid: Vec<Method>,
    color: RGBColor,
}

fn parse(s: &str) -> Method {
    Method::parse(s, None).expect("the figure's method names parse")
}

/// The families compared; CISC with P(True) joins when every path of the
/// file carries `p_true`.
fn families(with_p_true: bool) -> Vec<Family> {
    let one = |name: &'static str, m: &str, color| Family { name, grid: vec![parse(m)], color };
    let mut deepconf = Vec::new();
    for score in ["mean", "tail", "bottom10", "lowest"] {
        for eta in [10, 30, 50, 70, 90, 100] {
            deepconf.push(parse(&format!("deepconf:{score}:{eta}")));
        }
    }
    let mut fams = vec![
        one("SC", "sc", palette::SC),
        one("PPL", "ppl", palette::PPL),
        one("PC", "pc", palette::PC),
        one("RPC", "rpc", palette::RPC),
        Family { name: "CISC", grid: cisc_sweep(""), color: palette::CISC },
        Family { name: "CISC-linear", grid: [1, 3, 10, 30, 100].iter().map(|t| parse(&format!("cisc-linear:{t}"))).collect(), color: palette::SKY },
        one("CISC-tie", "cisc-tie", palette::RP),
        Family { name: "DeepConf", grid: deepconf, color: palette::DEEPCONF },
        Family {
            name: "SelfCert-Borda",
            grid: [0.0, 0.25, 0.5, 1.0, 2.0, 4.0].iter().map(|p| parse(&format!("self-certainty-borda:{p}"))).collect(),
            color: palette::BORDA,
        },
    ];
    if with_p_true {
        fams.push(Family { name: "CISC-P(True)", grid: cisc_sweep(":ptrue"), color: palette::PTRUE });
    }
    fams
}

/// CISC at every temperature of [`TEMPERATURES`], `signal` appended to each
/// name (`""` for the response probability, `":ptrue"`).
fn cisc_sweep(signal: &str) -> Vec<Method> {
    TEMPERATURES.iter().map(|t| parse(&format!("cisc:{t}{signal}"))).collect()
}

/// The index and accuracy of the best `(accuracy, s.e.)` of a sweep (the
/// first on ties).
fn best_of(sweep: &[(f64, f64)]) -> (usize, f64) {
    sweep.iter().enumerate().fold((0, f64::MIN), |b, (i, a)| if a.0 > b.1 { (i, a.0) } else { b })
}

/// `at T ∈ {a, b}`, or `at no T of the sweep` when `ts` is empty.
fn at_temperatures(ts: &[f64]) -> String {
    if ts.is_empty() {
        "at no T of the sweep".into()
    } else {
        format!("at T ∈ {{{}}}", ts.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", "))
    }
}

fn half(ds: &Dataset, parity: usize) -> Dataset {
    Dataset { questions: ds.questions.iter().enumerate().filter(|(i, _)| i % 2 == parity).map(|(_, q)| q.clone()).collect(), ..ds.clone() }
}

/// Accuracy (%) of each method on `ds` with all paths, and its standard
/// error across questions.
fn full_accuracy(ds: &Dataset, methods: &[Method], equal: &AnswerEquality) -> Result<Vec<(f64, f64)>, FigureError> {
    let outs = outcomes_full(ds, methods, ProbMode::Mean, equal, None)?;
    Ok((0..methods.len())
        .map(|m| {
            let credits: Vec<f64> = outs.iter().map(|q| 100.0 * q[m].credit).collect();
            (credits.iter().sum::<f64>() / credits.len() as f64, standard_error(&credits))
        })
        .collect())
}

/// Writes `aggregators.{png,svg,csv}`, `aggregators_leaderboard.csv`, `aggregators_sweep.csv`.
pub fn run(cfg: &FigureConfig, observer: &dyn Observer) -> Result<FigureOutput, FigureError> {
    let file = super::real_llm::data_file();
    let ds: Dataset = crate::eval::formats::read(&file, None, None)?;
    let equal = AnswerEquality::default();
    let (tune, test) = (half(&ds, 0), half(&ds, 1));
    let with_p_true = require_signal(&ds, "cisc", Needs::PTrue).is_ok();
    let fams = families(with_p_true);

    // Tune each family on the even questions.
    let mut chosen: Vec<(usize, Method, f64)> = Vec::new();
    for (fi, f) in fams.iter().enumerate() {
        let acc = full_accuracy(&tune, &f.grid, &equal)?;
        let best = (0..f.grid.len()).fold(0, |b, i| if acc[i].0 > acc[b].0 + 1e-9 { i } else { b });
        chosen.push((fi, f.grid[best], acc[best].0));
    }

    // Test half: all paths (leaderboard) and curves vs n.
    let methods: Vec<Method> = chosen.iter().map(|c| c.1).collect();
    let n_max = test.questions.iter().map(|q| q.paths.len()).min().unwrap_or(1);
    let ks: Vec<usize> = (0..).map(|k| 1usize << k).take_while(|&k| k <= n_max).collect();
    let repeats = if cfg.quick { 3 } else { 10 };
    let ecfg = EvalConfig { methods: methods.clone(), ks: ks.clone(), repeats, seed: cfg.seed, prob: ProbMode::Mean, equal: equal.clone(), invalid: None };
    let report = evaluate(&test, &ecfg, observer)?;
    let at = |m: &Method, k: usize| -> &MethodResult { report.results.iter().find(|r| r.method == m.name() && r.k == Some(k)).expect("evaluated") };
    let mut board = Csv::new(&LEADERBOARD_COLUMNS);
    let mut rows = Vec::new();
    // Paired differences to SC on the test half (all paths): the per-question
    // credits of a method minus SC's, mean ± standard error across questions
    // (the question-to-question spread common to both methods cancels).
    let full_outs = outcomes_full(&test, &methods, ProbMode::Mean, &equal, None)?;
    let sc_index = chosen.iter().position(|c| c.1 == Method::Sc).expect("SC is a family");
    let paired: Vec<(f64, f64)> = (0..methods.len())
        .map(|m| {
            let d: Vec<f64> = full_outs.iter().map(|q| 100.0 * (q[m].credit - q[sc_index].credit)).collect();
            (d.iter().sum::<f64>() / d.len() as f64, standard_error(&d))
        })
        .collect();
    // What the other invalid-answer convention would give (test half, all
    // paths): drop for the methods whose reference votes, and vice versa.
    let forced = [
        outcomes_full(&test, &methods, ProbMode::Mean, &equal, Some(InvalidPolicy::Vote))?,
        outcomes_full(&test, &methods, ProbMode::Mean, &equal, Some(InvalidPolicy::Drop))?,
    ];
    let other_accuracy = |m: usize| -> f64 {
        let other = match methods[m].default_invalid() {
            InvalidPolicy::Vote => InvalidPolicy::Drop,
            InvalidPolicy::Drop => InvalidPolicy::Vote,
        };
        let outs = &forced[other as usize];
        100.0 * outs.iter().map(|q| q[m].credit).sum::<f64>() / outs.len() as f64
    };
    let mut paired_rows = Vec::new();
    for &(fi, m, tune_acc) in &chosen {
        paired_rows.push(m);
        let (diff, diff_se) = paired[paired_rows.len() - 1];
        let full = at(&m, n_max);
        let k8 = at(&m, 8.min(n_max));
        let wqd = full.wqd;
        let other = other_accuracy(paired_rows.len() - 1);
        board.row(vec![
            fams[fi].name.into(),
            m.name().replace(',', ";"),
            full.invalid.to_string(),
            csv_float(tune_acc),
            csv_float(full.accuracy.mean),
            csv_float(full.accuracy_se),
            csv_float(diff),
            csv_float(diff_se),
            csv_float(k8.accuracy.mean),
            csv_float(k8.accuracy.std),
            csv_float(100.0 * full.ece_max.mean),
            wqd.map(|w| csv_float(w.share)).unwrap_or_default(),
            wqd.map(|w| csv_float(w.tied)).unwrap_or_default(),
            full.pruned_fraction.map(csv_float).unwrap_or_default(),
            csv_float(other),
            test.questions.len().to_string(),
        ]);
        rows.push(LeaderRow { family: fams[fi].name, name: m.name(), tune_acc, full: full.clone(), k8: k8.clone(), diff, diff_se, other });
    }
    let mut csv = Csv::new(&super::accuracy::COLUMNS);
    let named: Vec<(String, RGBColor)> = chosen.iter().map(|&(fi, m, _)| (m.name(), fams[fi].color)).collect();
    let named_ref: Vec<(&str, RGBColor)> = named.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    let curves = curves_of(&report, &mut csv, &named_ref);

    // CISC's sweep on all questions, with SC, PC, RPC marked.
    let mut sweep = Csv::new(&SWEEP_COLUMNS);
    // With P(True) in the file, CISC weighted by it is swept too (after RPC).
    let ptrue_sweep = if with_p_true { cisc_sweep(":ptrue") } else { Vec::new() };
    let sweep_methods: Vec<Method> = cisc_sweep("").into_iter().chain(["sc", "pc", "rpc"].map(parse)).chain(ptrue_sweep).collect();
    let sweep_acc = full_accuracy(&ds, &sweep_methods, &equal)?;
    for (m, (a, se)) in sweep_methods.iter().zip(&sweep_acc) {
        let t = match m {
            Method::Cisc { temperature, .. } => csv_float(*temperature),
            _ => String::new(),
        };
        sweep.row(vec!["smollm2".into(), m.name().replace(',', ";"), t, csv_float(*a), csv_float(*se)]);
    }
    // CISC drops invalid paths (its reference does), so its T → ∞ limit is
    // SC with them dropped — a line of its own beside SC's default.
    let sc_drop = {
        let outs = outcomes_full(&ds, &[Method::Sc], ProbMode::Mean, &equal, Some(InvalidPolicy::Drop))?;
        let credits: Vec<f64> = outs.iter().map(|q| 100.0 * q[0].credit).collect();
        (credits.iter().sum::<f64>() / credits.len() as f64, standard_error(&credits))
    };
    sweep.row(vec!["smollm2".into(), "SC (invalid dropped)".into(), String::new(), csv_float(sc_drop.0), csv_float(sc_drop.1)]);
    let nt = TEMPERATURES.len();
    // CISC with P(True)'s part of the sweep (empty without P(True)).
    let ptrue_acc = &sweep_acc[nt + 3..];
    let xs = |v: &[(f64, f64)]| TEMPERATURES.iter().zip(v).map(|(&t, a)| (t, a.0)).collect::<Vec<_>>();
    let flat = |i: usize| vec![(TEMPERATURES[0], sweep_acc[i].0), (TEMPERATURES[nt - 1], sweep_acc[i].0)];
    let mut data_series = vec![
        Series::new("CISC(T)", palette::CISC, Style::PointsLine, xs(&sweep_acc[..nt]))
            .with_bars(sweep_acc[..nt].iter().map(|a| (a.0 - a.1, a.0 + a.1)).collect()),
        Series::new("SC (invalid paths vote)", palette::SC, Style::Line, flat(nt)),
        Series::new(
            "SC, invalid paths dropped (= CISC at T = ∞)",
            palette::SKY,
            Style::Line,
            vec![(TEMPERATURES[0], sc_drop.0), (TEMPERATURES[nt - 1], sc_drop.0)],
        ),
        Series::new("PC", palette::PC, Style::Line, flat(nt + 1)),
        Series::new("RPC", palette::RPC, Style::Line, flat(nt + 2)),
    ];
    if with_p_true {
        data_series.push(
            Series::new("CISC(T), weights from P(True)", palette::PTRUE, Style::PointsLine, xs(ptrue_acc))
                .with_bars(ptrue_acc.iter().map(|a| (a.0 - a.1, a.0 + a.1)).collect()),
        );
    }

    // The theory's sweep on two synthetic populations.
    let nq = if cfg.quick { 20 } else { 100 };
    let pop = Population { n_questions: nq, paths_per_answer: 6, split: Split::Zipf { exponent: 1.0 }, ..Default::default() };
    let symmetric = pop.sample(&mut ChaCha8Rng::seed_from_u64(cfg.seed ^ 0xC15C)).expect("constant population parameters are valid");
    let diffuse = diffuse_wrong(nq, &mut ChaCha8Rng::seed_from_u64(cfg.seed ^ 0xD1F));
    let n_theory = 16u64;
    let trials = if cfg.quick { 500 } else { 4000 };
    let mut methods_used = std::collections::BTreeSet::new();
    let mut theory_series = Vec::new();
    let mut theory_notes = Vec::new();
    let line = |y: f64| vec![(TEMPERATURES[0], y), (TEMPERATURES[nt - 1], y)];
    let pts = |v: &[f64]| TEMPERATURES.iter().zip(v).map(|(&t, &a)| (t, a)).collect::<Vec<_>>();
    for (fi, (fam, dists, dark, light, third)) in [
        ("diffuse wrong answers", &diffuse, palette::CISC, palette::PC, palette::PPL),
        ("symmetric Beta(2,2) population", &symmetric, palette::DEEPCONF, palette::BORDA, palette::RPC),
    ]
    .into_iter()
    .enumerate()
    {
        let curve = theory_sweep(dists, n_theory, trials, cfg.seed ^ ((fi as u64) << 56), observer, &mut methods_used);
        for (i, &t) in TEMPERATURES.iter().enumerate() {
            sweep.row(vec![format!("theory_limit:{fam}"), "CISC".into(), csv_float(t), csv_float(curve.cisc_limit[i]), String::new()]);
            sweep.row(vec![format!("theory_n{n_theory}:{fam}"), "CISC".into(), csv_float(t), csv_float(curve.cisc_n[i]), String::new()]);
        }
        sweep.row(vec![format!("theory_limit:{fam}"), "PC".into(), String::new(), csv_float(curve.pc_limit), String::new()]);
        sweep.row(vec![format!("theory_n{n_theory}:{fam}"), "PC".into(), String::new(), csv_float(curve.pc_n), String::new()]);
        theory_series.push(Series::new(format!("{fam}: CISC, n → ∞ (exact)"), dark, Style::Line, pts(&curve.cisc_limit)));
        theory_series.push(Series::new(format!("{fam}: CISC, n = {n_theory}"), dark, Style::Points, pts(&curve.cisc_n)));
        theory_series.push(Series::new(format!("{fam}: PC, n → ∞ (exact)"), light, Style::Line, line(curve.pc_limit)));
        theory_series.push(Series::new(format!("{fam}: PC, n = {n_theory}"), third, Style::Line, line(curve.pc_n)));
        let above = |v: &[f64], y: f64| TEMPERATURES.iter().zip(v).filter(|(_, &a)| a > y + 1e-9).map(|(&t, _)| t).collect::<Vec<f64>>();
        // At n, only differences beyond two Monte Carlo standard errors count.
        let above_n: Vec<f64> = (0..nt)
            .filter(|&i| curve.cisc_n[i] - curve.pc_n > 2.0 * (curve.cisc_n_se[i].powi(2) + curve.pc_n_se.powi(2)).sqrt())
            .map(|i| TEMPERATURES[i])
            .collect();
        theory_notes.push(format!(
            "{fam}: CISC's exact limit passes PC's ({:.1}%) {} (best {:.1}%); at n = {n_theory} it passes PC ({:.1}% ± {:.2} MC s.e.) by more than two Monte Carlo standard errors {} (best {:.1}%)",
            curve.pc_limit,
            at_temperatures(&above(&curve.cisc_limit, curve.pc_limit)),
            curve.cisc_limit.iter().cloned().fold(f64::MIN, f64::max),
            curve.pc_n,
            curve.pc_n_se,
            at_temperatures(&above_n),
            curve.cisc_n.iter().cloned().fold(f64::MIN, f64::max),
        ));
    }
    let dists_len = symmetric.len();

    let tiny = tiny_part(cfg, observer)?;
    let panels = vec![
        Panel::versus_n(
            format!("(a) accuracy, test half ({} questions; tuned on the other half)", test.questions.len()),
            "accuracy (%)",
            Scale::Linear,
            LegendAt::LowerRight,
            curves.accuracy,
        ),
        Panel::versus_n("(b) ECE, chosen answer, test half".into(), "ECE (%)", Scale::Linear, LegendAt::UpperRight, curves.ece),
        Panel {
            title: format!("(c) CISC temperature sweep, all {} questions, {n_max} paths (± s.e. across questions)", ds.questions.len()),
            x_label: "temperature T (response probability in [0, 1])".into(),
            y_label: "accuracy (%)".into(),
            x_scale: Scale::Log10,
            y_scale: Scale::Linear,
            series: data_series,
            legend: LegendAt::LowerRight,
            y_range: None,
        },
        Panel {
            title: format!("(d) theory: CISC(T) vs PC, two populations of {dists_len} questions"),
            x_label: "temperature T (confidence = the path's probability)".into(),
            y_label: "P(correct) (%)".into(),
            x_scale: Scale::Log10,
            y_scale: Scale::Linear,
            series: theory_series,
            legend: LegendAt::MiddleLeft,
            y_range: None,
        },
    ];
    let mut panels = panels;
    panels.push(Panel::versus_n(
        "(e) accuracy, trained transformer (sampled paths)".into(),
        "accuracy (%)",
        Scale::Linear,
        LegendAt::LowerRight,
        tiny.accuracy,
    ));
    panels.push(Panel::versus_n("(f) ECE, trained transformer".into(), "ECE (%)", Scale::Linear, LegendAt::UpperRight, tiny.ece));
    let mut files = draw(
        &cfg.out,
        "aggregators",
        "The field's aggregators next to SC / PPL / PC / RPC (SmolLM2-135M paths; theory; trained transformer)",
        &panels,
        (3, 2),
        (1800, 2000),
    )?;
    files.push(tiny.csv.write(&cfg.out, "aggregators_tiny")?);
    files.push(csv.write(&cfg.out, "aggregators")?);
    files.push(board.write(&cfg.out, "aggregators_leaderboard")?);
    files.push(sweep.write(&cfg.out, "aggregators_sweep")?);

    // Summary.
    let mut s = format!(
        "## Aggregators: CISC, DeepConf, self-certainty Borda next to SC / PPL / PC / RPC\n\n\
         ![aggregators](aggregators.png)\n\n\
         Leaderboard on the committed SmolLM2-135M paths (`data/smollm2_paths.jsonl`): each family's parameter was chosen on the \
         {} even-indexed questions (accuracy with all {n_max} paths) and is reported on the {} odd-indexed ones — measured on data; \
         accuracy ± its standard error across questions, with all {n_max} paths and at n = 8 (mean ± std over {repeats} random subsets); \
         ECE ×100 (chosen answer, all paths); WQD = share of (correct, wrong) path pairs of a question ranked the right way by the \
         method's per-path confidence (ties in parentheses).\n\n\
         The paired column is the per-question difference to SC on the same test questions, mean ± its standard error — \
         the comparison that decides whether a method beats SC (the question-to-question spread cancels).\n\n\
         Paths without an answer ({invalid} of {paths}, in {with_invalid} of {nq} questions) are handled as each method's reference code \
         handles them (column `invalid`: SC, PPL, PC and RPC vote them as one answer group; CISC, DeepConf and self-certainty Borda \
         drop them); the last column is the test accuracy under the other convention, with the same chosen parameter.\n\n\
         | family | chosen on the tuning half | invalid | tuning acc. (%) | test acc. (%) ± s.e. | minus SC (paired, pts) | test acc. at n = 8 (%) | ECE | WQD (tied) | pruned | test acc., other convention (%) |\n\
         |---|---|---|---|---|---|---|---|---|---|---|\n",
        tune.questions.len(),
        test.questions.len(),
        invalid = ds.invalid_answers(),
        paths = ds.questions.iter().map(|q| q.paths.len()).sum::<usize>(),
        with_invalid = ds.questions_with_invalid(),
        nq = ds.questions.len(),
    );
    for LeaderRow { family: fam, name, tune_acc, full, k8, diff, diff_se, other } in &rows {
        s.push_str(&format!(
            "| {fam} | {name} | {} | {tune_acc:.1} | {:.1} ± {:.1} | {:+.1} ± {:.1} | {:.1} ± {:.1} | {:.1} | {} | {} | {other:.1} |\n",
            full.invalid,
            full.accuracy.mean,
            full.accuracy_se,
            diff,
            diff_se,
            k8.accuracy.mean,
            k8.accuracy.std,
            100.0 * full.ece_max.mean,
            full.wqd.map(|w| format!("{:.3} ({:.3})", w.share, w.tied)).unwrap_or_else(|| "-".into()),
            full.pruned_fraction.map(|f| format!("{:.0}%", 100.0 * f)).unwrap_or_else(|| "-".into()),
        ));
    }
    let best = best_of(&sweep_acc[..nt]);
    s.push_str(&format!(
        "\nCISC's sweep on all {} questions (measured on data, all paths): best T = {} at {:.1}% (SC {:.1}%, or {:.1}% with invalid paths dropped — CISC's convention, hence its T → ∞ limit —, PC {:.1}%, RPC {:.1}%, each ± about {:.1} s.e.).\n\n\
         Theory (panel d; confidence = the path's probability; n → ∞ exact from CISC's limit p̃; n = {n_theory} by {}, {} trials where Monte Carlo): \
         {}. As T → ∞ CISC is SC, whose limit is PC's; as T → 0 it follows the most probable path, like PPL: weighting by probability helps \
         exactly where wrong answers are spread over many improbable paths (SC's and PC's model error), and costs accuracy where they are not.\n",
        ds.questions.len(),
        TEMPERATURES[best.0],
        best.1,
        sweep_acc[nt].0,
        sc_drop.0,
        sweep_acc[nt + 1].0,
        sweep_acc[nt + 2].0,
        sweep_acc[nt].1,
        methods_used.into_iter().collect::<Vec<_>>().join(" / "),
        trials,
        theory_notes.join("; "),
    ));
    if with_p_true {
        let best = best_of(ptrue_acc);
        s.push_str(&format!(
            "\nCISC with P(True) as the confidence (the model's own 0/1 rating of each path, `p_true`; same sweep, measured on data): \
             best T = {} at {:.1}% (± about {:.1} s.e.).\n",
            TEMPERATURES[best.0], best.1, ptrue_acc[best.0].1,
        ));
    }
    s.push_str(&tiny.summary);
    Ok(FigureOutput { name: "aggregators", files, summary: s })
}

/// One leaderboard row: a family's chosen method on the test half.
struct LeaderRow {
    family: &'static str,
    name: String,
    tune_acc: f64,
    /// All paths.
    full: MethodResult,
    /// At n = 8.
    k8: MethodResult,
    /// Paired difference to SC, and its standard error.
    diff: f64,
    diff_se: f64,
    /// Test accuracy under the other invalid-answer convention.
    other: f64,
}

/// CISC's and PC's accuracy over a population at `n` and in the limit, per temperature.
struct TheoryCurve {
    cisc_limit: Vec<f64>,
    cisc_n: Vec<f64>,
    /// Monte Carlo standard error of each `cisc_n` (0 where exact).
    cisc_n_se: Vec<f64>,
    pc_limit: f64,
    pc_n: f64,
    pc_n_se: f64,
}

fn theory_sweep(
    dists: &[crate::distribution::PathDistribution],
    n: u64,
    trials: u64,
    seed: u64,
    observer: &dyn Observer,
    methods_used: &mut std::collections::BTreeSet<&'static str>,
) -> TheoryCurve {
    let mean = |v: Vec<f64>| 100.0 * v.iter().sum::<f64>() / v.len() as f64;
    // Population mean (%) and its Monte Carlo standard error (independent
    // cells: √(Σ se²) / Q; a cell's se is its 95% interval's width / 3.92).
    let mut acc = |id: EstimatorId, t: Option<f64>, s: u64| -> (f64, f64) {
        let cells: Vec<(f64, f64)> = dists
            .iter()
            .enumerate()
            .map(|(qi, d)| {
                let acfg = AccuracyConfig { tau: None, temperature: t, trials, seed: s ^ qi as u64 };
                let r = selection_accuracy(d, &[id], &[n], &acfg, observer).expect("n ≥ 1, T set for CISC");
                methods_used.insert(r[0].method.label());
                let se = match (r[0].ci_low, r[0].ci_high) {
                    (Some(lo), Some(hi)) => (hi - lo) / 3.92,
                    _ => 0.0,
                };
                (r[0].p_correct, se)
            })
            .collect();
        let q = cells.len() as f64;
        (mean(cells.iter().map(|c| c.0).collect()), 100.0 * cells.iter().map(|c| c.1 * c.1).sum::<f64>().sqrt() / q)
    };
    let (cisc_n, cisc_n_se): (Vec<f64>, Vec<f64>) =
        TEMPERATURES.iter().enumerate().map(|(ti, &t)| acc(EstimatorId::Cisc, Some(t), seed ^ ((ti as u64 + 1) << 32))).unzip();
    let (pc_n, pc_n_se) = acc(EstimatorId::Pc, None, seed ^ 0x9C);
    let cisc_limit = TEMPERATURES.iter().map(|&t| mean(dists.iter().map(|d| cisc_limit_accuracy(d, t)).collect())).collect();
    let pc_limit = mean(dists.iter().map(|d| crate::accuracy::limit::limit_accuracy(d, EstimatorId::Pc, None).expect("PC has a limit")).collect());
    TheoryCurve { cisc_limit, cisc_n, cisc_n_se, pc_limit, pc_n, pc_n_se }
}

/// Questions whose correct answer is reached by two fairly probable paths
/// (mass `m ~ U(0.25, 0.55)`, split 0.7 / 0.3) while three wrong answers
/// share `1 − m` (uniform spacings) over 12 equal paths each — the shape in
/// which SC's and PC's model error is large and a probability-weighted vote
/// can beat them.
pub fn diffuse_wrong(n_questions: usize, rng: &mut impl rand::Rng) -> Vec<crate::distribution::PathDistribution> {
    (0..n_questions)
        .map(|_| {
            let m: f64 = rng.random_range(0.25..0.55);
            let mut cuts = [rng.random::<f64>(), rng.random::<f64>()];
            cuts.sort_by(f64::total_cmp);
            let shares = [cuts[0], cuts[1] - cuts[0], 1.0 - cuts[1]];
            let mut groups: Vec<(String, Vec<f64>)> = vec![("A".into(), vec![0.7 * m, 0.3 * m])];
            for (w, share) in shares.iter().enumerate() {
                groups.push((format!("W{w}"), vec![(1.0 - m) * share / 12.0; 12]));
            }
            crate::distribution::PathDistribution::from_weights(&groups, Some("A")).expect("positive weights")
        })
        .collect()
}

/// CSV columns of the transformer comparison.
pub const TINY_COLUMNS: [&str; 10] = ["question", "method", "limit", "exact_n", "exact_n_se", "measured_n", "measured_n_se", "n", "z", "agrees"];

/// One transformer comparison: question index, method, exact limit, exact-distribution Monte Carlo, measured.
type TinyCell = (usize, Method, f64, crate::montecarlo::RunningStats, crate::montecarlo::RunningStats);

/// The methods run on the trained transformer.
const TINY_METHODS: [&str; 9] =
    ["sc", "ppl", "pc", "cisc:0.05", "cisc:0.5", "deepconf:mean:100", "deepconf:lowest:10", "deepconf:tail:50", "self-certainty-borda:0.5"];

/// What the transformer part produces.
struct TinyPart {
    accuracy: Vec<Series>,
    ece: Vec<Series>,
    csv: Csv,
    summary: String,
}

/// The aggregators on the trained transformer: exact limits and exact-
/// distribution Monte Carlo at `n = 16` against disjoint blocks of sampled
/// paths (z-tests, Bonferroni at [`crate::montecarlo::agreement::FAMILY_ALPHA`]),
/// and accuracy / ECE vs n on the sampled paths.
fn tiny_part(cfg: &FigureConfig, observer: &dyn Observer) -> Result<TinyPart, FigureError> {
    use crate::eval::dataset::{RawPath, RawQuestion};
    use crate::validate::tiny::{questions, train_config, MAX_NEW_TOKENS};
    use crate::validate::tiny_signals::{as_question, credits, limit_accuracy, monte_carlo_accuracy, signal_paths};
    let stored = crate::tiny::store::ensure_model(None, &crate::tiny::ModelConfig::default(), &train_config(), observer)?;
    let qs = questions(cfg.quick);
    let methods: Vec<Method> = TINY_METHODS.iter().map(|m| parse(m)).collect();
    let (n, blocks, trials) = if cfg.quick { (16usize, 40usize, 400usize) } else { (16, 64, 4000) };
    let equal = AnswerEquality::default();
    let mut questions_out = Vec::new();
    let mut cells: Vec<TinyCell> = Vec::new();
    for (qi, q) in qs.iter().enumerate() {
        let e = crate::validate::tiny::enumeration(&stored.portable, &stored.dir, q)?;
        let paths = signal_paths(&e);
        let sampler = crate::generation::GenerationConfig {
            max_new_tokens: MAX_NEW_TOKENS,
            top_logprobs: crate::confidence::DEEPCONF_TOP_K,
            ..crate::generation::GenerationConfig::tiny()
        };
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x7A5C ^ ((qi as u64) << 20));
        let generated = crate::tiny::sample_paths(&stored.portable, q, blocks * n, &sampler, &mut rng)?;
        let raw: Vec<RawPath> = generated
            .iter()
            .map(|g| RawPath {
                text: g.text.as_str().into(),
                answer: g.answer_or_invalid().into(),
                mean_logprob: Some(g.logprob_sum() / g.logprobs.len() as f64),
                sum_logprob: Some(g.logprob_sum()),
                signals: crate::eval::dataset::PathSignals {
                    token_confidence: g.token_confidences().map(|c| c.into_iter().map(|x| x as f32).collect()),
                    self_certainty: g.self_certainty(),
                    p_true: None,
                },
                tokens: Some(g.logprobs.len() as u64),
            })
            .collect();
        let enumerated = as_question(q, &paths);
        let mut mc_rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x3C ^ ((qi as u64) << 24));
        let exact = monte_carlo_accuracy(&paths, &enumerated, &methods, n, trials, &mut mc_rng);
        let pool = RawQuestion { id: q.id(), truth: q.answer().to_string(), paths: raw.clone() };
        let mut measured = vec![crate::montecarlo::RunningStats::default(); methods.len()];
        for b in 0..blocks {
            for (s, c) in measured.iter_mut().zip(credits(&pool, (b * n..(b + 1) * n).collect(), &methods, &equal)) {
                s.push(c);
            }
        }
        for (mi, &m) in methods.iter().enumerate() {
            let limit = limit_accuracy(&paths, m).expect("every listed method has a limit");
            cells.push((qi, m, limit, exact[mi], measured[mi]));
        }
        questions_out.push(RawQuestion { id: q.id(), truth: q.answer().to_string(), paths: raw });
        observer.advance(0);
    }
    // z-tests.
    let family = crate::montecarlo::agreement::Family::new(cells.len());
    let mut csv = Csv::new(&TINY_COLUMNS);
    let mut disagreements = Vec::new();
    for (qi, m, limit, exact, measured) in &cells {
        let (e, me) = (exact.mean(), measured.mean());
        let se = |s: &crate::montecarlo::RunningStats| (s.variance() / s.count as f64).sqrt();
        let (e_se, m_se) = (se(exact), se(measured));
        let total_se = (e_se * e_se + m_se * m_se).sqrt().max(1.0 / blocks as f64);
        let z = (me - e) / total_se;
        let agrees = z.abs() <= family.z_crit;
        if !agrees {
            disagreements.push(format!("{} {}: measured {me:.3} vs exact {e:.3} (z = {z:.1})", qs[*qi].id(), m.name()));
        }
        csv.row(vec![
            qs[*qi].id(),
            m.name().replace(',', ";"),
            csv_float(*limit),
            csv_float(e),
            csv_float(e_se),
            csv_float(me),
            csv_float(m_se),
            n.to_string(),
            csv_float(z),
            agrees.to_string(),
        ]);
    }
    // Accuracy and ECE vs n on the sampled paths (random subsets of each pool).
    let ds = Dataset { file: "tiny transformer (sampled)".into(), questions: questions_out, format: crate::eval::formats::Format::Jsonl };
    let ks: Vec<usize> = (0..=6).map(|k| 1usize << k).collect();
    let ecfg = EvalConfig { methods: methods.clone(), ks, repeats: if cfg.quick { 3 } else { 10 }, seed: cfg.seed, prob: ProbMode::Mean, equal, invalid: None };
    let report = evaluate(&ds, &ecfg, observer)?;
    let colors = [palette::SC, palette::PPL, palette::PC, palette::CISC, palette::SKY, palette::DEEPCONF, palette::RPC, palette::RP, palette::BORDA];
    let named: Vec<(String, RGBColor)> = methods.iter().zip(colors).map(|(m, c)| (m.name(), c)).collect();
    let named_ref: Vec<(&str, RGBColor)> = named.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    let mut curve_csv = Csv::new(&super::accuracy::COLUMNS);
    let curves = curves_of(&report, &mut curve_csv, &named_ref);
    // Summary: per method, means over questions.
    let nq = qs.len() as f64;
    let mut summary = format!(
        "\n**The trained transformer** ({} questions; its paths enumerated with their exact per-token signals — `C_t` over its 16-token vocabulary, \
         so DeepConf's mean score is self-certainty + ln 16 — and {blocks} disjoint samples of n = {n} sampled paths per question). \
         `n → ∞` is exact (from the enumerated distribution); `exact, n = {n}` is the enumerated distribution's prediction by Monte Carlo \
         ({trials} samples per cell, through the evaluator's own methods); `sampled` is measured on the model's samples. \
         {} of {} per-question comparisons agree (z-tests, Bonferroni, family-wise false-failure rate {}).{}\n\n\
         | method | accuracy n → ∞ (exact) | exact, n = {n} | sampled, n = {n} |\n|---|---|---|---|\n",
        qs.len(),
        cells.len() - disagreements.len(),
        cells.len(),
        crate::montecarlo::agreement::FAMILY_ALPHA,
        if disagreements.is_empty() { String::new() } else { format!(" Disagreements: {}.", disagreements.join("; ")) },
    );
    for m in &methods {
        let of = |f: &dyn Fn(&TinyCell) -> f64| 100.0 * cells.iter().filter(|c| c.1 == *m).map(f).sum::<f64>() / nq;
        summary.push_str(&format!("| {} | {:.1}% | {:.1}% | {:.1}% |\n", m.name(), of(&|c| c.2), of(&|c| c.3.mean()), of(&|c| c.4.mean())));
    }
    Ok(TinyPart { accuracy: curves.accuracy, ece: curves.ece, csv, summary })
}
