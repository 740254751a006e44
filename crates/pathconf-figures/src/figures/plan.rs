//! Plans from a pilot — the figure: SC's accuracy predicted from the first
//! `m` paths of each question (bands: 90% intervals) against what replay then
//! measured on the completed files, on the committed SmolLM2 paths, the
//! trained transformer's and a synthetic population; the empirical-Bayes
//! model beside the naive plug-in. The analysis is
//! [`crate::validate::plan`]; this module draws it.

use super::plot::{draw, palette, LegendAt, Panel, Scale, Series, Style};
use super::{csv_float, Csv, FigureConfig, FigureError, FigureOutput};
use crate::plan::PlanModel;
use crate::progress::Observer;
use crate::stopping::StopRule;
use crate::tiny::store::ensure_model;
use crate::tiny::ModelConfig;
use crate::validate::plan::{summarise, synthetic_source, tiny_source, validate, Cell, Curve, Quantity, Replicate, Settings, Source, Summary, Validation};
use crate::validate::tiny::train_config;
use serde::Serialize;
use std::path::Path;

/// CSV columns of the cells (one prediction against the replay).
pub const COLUMNS: [&str; 16] = [
    "source",
    "replicate",
    "model",
    "pilot",
    "what",
    "weighted",
    "quantity",
    "n",
    "predicted",
    "low",
    "high",
    "replay",
    "covered",
    "expected",
    "expected_se",
    "draws",
];
/// CSV columns of the curves.
pub const CURVE_COLUMNS: [&str; 10] = ["source", "replicate", "model", "pilot", "n", "predicted", "low", "high", "replay", "expected"];

/// The sizes: `(settings, tiny questions, synthetic questions, tiny files, synthetic files)`.
pub fn sizes(quick: bool, seed: u64) -> (Settings, usize, usize, usize, usize) {
    let rules: Vec<StopRule> = ["esc:4:64", "asc-beta:0.95:64"].iter().map(|r| r.parse().expect("valid rule")).collect();
    let models = vec![PlanModel::EmpiricalBayes, PlanModel::PlugIn];
    let methods: Vec<String> = ["pc", "rpc", "cisc:0.5", "deepconf:mean:90"].map(String::from).to_vec();
    let path_rules: Vec<StopRule> = vec!["pc-gt:64".parse().expect("valid rule")];
    if quick {
        let s = Settings { pilots: vec![4, 8], ns: vec![16, 32, 64], rules, methods, path_rules, models, draws: 100, truth_runs: 50, seed };
        (s, 16, 40, 1, 1)
    } else {
        let s = Settings { pilots: vec![4, 8, 16], ns: vec![16, 32, 64], rules, methods, path_rules, models, draws: 400, truth_runs: 400, seed };
        (s, 64, 200, 10, 16)
    }
}

fn model_name(m: PlanModel) -> &'static str {
    match m {
        PlanModel::EmpiricalBayes => "empirical Bayes",
        PlanModel::PlugIn => "plug-in",
    }
}

/// A predicted curve as a solid mean and dashed interval ends.
fn band_series(c: &Curve, color: plotters::style::RGBColor, label: String) -> Vec<Series> {
    let pts = |f: &dyn Fn(&crate::plan::Band) -> f64| c.bands.iter().enumerate().skip(c.pilot - 1).map(|(i, b)| ((i + 1) as f64, f(b))).collect();
    vec![
        Series::new(label, color, Style::Line, pts(&|b| b.mean)),
        Series::new("", color, Style::Dashed, pts(&|b| b.interval.low)),
        Series::new("", color, Style::Dashed, pts(&|b| b.interval.high)),
    ]
}

/// The replay at `n = 1, 2, 3, 4, 6, 8, 12, …` (points).
fn replay_series(c: &Curve) -> Series {
    let ns: Vec<usize> = (0..).flat_map(|k| [1usize << k, 3 << k]).take_while(|&n| n <= c.replay.len()).filter(|&n| n >= 1).collect();
    let mut ns = ns;
    ns.sort_unstable();
    ns.dedup();
    Series::new("replay on the completed file (fixed:n, file order)", palette::PAPER, Style::Points, ns.iter().map(|&n| (n as f64, c.replay[n - 1])).collect())
}

fn find<'a>(curves: &'a [Curve], source: &str, model: PlanModel, pilot: usize) -> Option<&'a Curve> {
    curves.iter().find(|c| c.source == source && c.replicate == 0 && c.model == model && c.pilot == pilot)
}

fn summary_table(rows: &[Summary]) -> String {
    let mut t = String::from(
        "| source | model | methods and rules | quantity | cells | coverage of the 90% intervals | mean error | mean \\|error\\| | mean width | mean \\|error\\| vs the truth's expectation |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for s in rows {
        let unit = if s.quantity == Quantity::Accuracy { " pts" } else { " samples" };
        t.push_str(&format!(
            "| {} | {} | {} | {} | {} | {:.0}% | {:+.2}{unit} | {:.2}{unit} | {:.2}{unit} | {} |\n",
            s.source,
            model_name(s.model),
            if s.weighted { "weighing paths" } else { "counting answers" },
            if s.quantity == Quantity::Accuracy { "accuracy" } else { "samples" },
            s.cells,
            s.coverage,
            s.mean_error,
            s.mean_abs_error,
            s.mean_width,
            s.mean_abs_error_expected.map(|e| format!("{e:.2}{unit}")).unwrap_or_else(|| "-".into()),
        ));
    }
    t
}

/// The numbers behind the figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Data {
    /// What was validated.
    pub settings: Settings,
    /// Questions per transformer file, per synthetic file.
    pub questions: (usize, usize),
    /// Transformer files, synthetic files.
    pub files: (usize, usize),
    /// Synthetic files with path probabilities (the first ones).
    pub signal_files: usize,
    /// Every cell and curve.
    pub validation: Validation,
    /// Coverage and error per source, model and quantity, and over all.
    pub summary: Vec<Summary>,
}

/// Computes the figure's numbers.
pub fn compute(cfg: &FigureConfig, observer: &dyn Observer) -> Result<Data, FigureError> {
    let (settings, tiny_questions, synthetic_questions, tiny_files, synthetic_files) = sizes(cfg.quick, cfg.seed);
    // Synthetic files given path probabilities, on which the methods that weigh paths are validated too.
    let signal_files = if cfg.quick { 1 } else { 4 };
    let mut llm = crate::eval::formats::read(&super::real_llm::data_file(), None, None)?;
    llm.detach();
    let stored = ensure_model(None, &ModelConfig::default(), &train_config(), observer)?;
    let sources = vec![
        Source { name: "smollm2", replicates: vec![Replicate { data: llm, truth: None }] },
        tiny_source(&stored.portable, tiny_questions, tiny_files, 64, cfg.seed)?,
        synthetic_source(synthetic_questions, synthetic_files, 64, signal_files, cfg.seed),
    ];
    let validation = validate(&sources, &settings, observer)?;
    let summary = summarise(&validation.cells);
    Ok(Data { settings, questions: (tiny_questions, synthetic_questions), files: (tiny_files, synthetic_files), signal_files, validation, summary })
}

/// Writes `plan.{png,svg,csv}` and `plan_curves.csv`.
pub fn run(cfg: &FigureConfig, observer: &dyn Observer) -> Result<FigureOutput, FigureError> {
    render(&compute(cfg, observer)?, &cfg.out)
}

/// The cells' and the curves' CSVs.
fn tables(data: &Data) -> (Csv, Csv) {
    let mut csv = Csv::new(&COLUMNS);
    for c in &data.validation.cells {
        csv.row(vec![
            c.source.into(),
            c.replicate.to_string(),
            c.model.to_string(),
            c.pilot.to_string(),
            c.what.clone(),
            c.weighted.to_string(),
            if c.quantity == Quantity::Accuracy { "accuracy".into() } else { "samples".into() },
            c.n.to_string(),
            csv_float(c.predicted),
            csv_float(c.interval.low),
            csv_float(c.interval.high),
            csv_float(c.replay),
            c.covered().to_string(),
            c.expected.map(csv_float).unwrap_or_default(),
            c.expected_se.map(csv_float).unwrap_or_default(),
            data.settings.draws.to_string(),
        ]);
    }
    let mut ccsv = Csv::new(&CURVE_COLUMNS);
    for c in &data.validation.curves {
        for (i, b) in c.bands.iter().enumerate() {
            ccsv.row(vec![
                c.source.into(),
                c.replicate.to_string(),
                c.model.to_string(),
                c.pilot.to_string(),
                (i + 1).to_string(),
                csv_float(b.mean),
                csv_float(b.interval.low),
                csv_float(b.interval.high),
                csv_float(c.replay[i]),
                c.expected.as_ref().map(|e| csv_float(e[i])).unwrap_or_default(),
            ]);
        }
    }
    (csv, ccsv)
}

/// Both models' curves for a source at a pilot size, with the truth and the replay.
fn both(curves: &[Curve], source: &str, pilot: usize, title: String) -> Option<Panel> {
    let eb = find(curves, source, PlanModel::EmpiricalBayes, pilot)?;
    let plug = find(curves, source, PlanModel::PlugIn, pilot)?;
    let mut series = band_series(eb, palette::SC, format!("{} (mean, 90% interval)", model_name(PlanModel::EmpiricalBayes)));
    series.extend(band_series(plug, palette::PPL, format!("{} (mean, 90% interval)", model_name(PlanModel::PlugIn))));
    if let Some(e) = &eb.expected {
        series.push(Series::new(
            "the truth's expectation given the pilot (Monte Carlo)",
            palette::PC,
            Style::Line,
            e.iter().enumerate().skip(pilot - 1).map(|(i, &x)| ((i + 1) as f64, x)).collect(),
        ));
    }
    series.push(replay_series(eb));
    Some(Panel::versus_n(title, "SC accuracy (%)", Scale::Linear, LegendAt::LowerRight, series))
}

/// (a) SmolLM2, pilot 8: both models; (b) SmolLM2, the other pilots; (c) tiny; (d) synthetic;
/// (e), (f) PC and RPC on SmolLM2 and tiny.
fn panels(data: &Data) -> Vec<Panel> {
    let curves = &data.validation.curves;
    let mut panels = Vec::new();
    panels.extend(both(curves, "smollm2", 8, "(a) SmolLM2-135M paths, pilot of 8: predicted vs replay".into()));
    let others: Vec<usize> = data.settings.pilots.iter().copied().filter(|&m| m != 8).collect();
    let mut series = Vec::new();
    for (k, &m) in others.iter().enumerate() {
        if let Some(c) = find(curves, "smollm2", PlanModel::EmpiricalBayes, m) {
            series.extend(band_series(c, palette::FAMILY[(k + 2) % palette::FAMILY.len()], format!("empirical Bayes, pilot of {m}")));
        }
    }
    if let Some(c) = find(curves, "smollm2", PlanModel::EmpiricalBayes, 8) {
        series.push(replay_series(c));
    }
    panels.push(Panel::versus_n(
        format!("(b) SmolLM2, pilots of {}: empirical Bayes", others.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(" and ")),
        "SC accuracy (%)",
        Scale::Linear,
        LegendAt::LowerRight,
        series,
    ));
    let (tiny_questions, synthetic_questions) = data.questions;
    panels.extend(both(curves, "tiny", 8, format!("(c) tiny transformer, {tiny_questions} questions, pilot of 8 (file 1)")));
    panels.extend(both(curves, "synthetic", 8, format!("(d) synthetic population, {synthetic_questions} questions, pilot of 8 (file 1)")));
    let cells = &data.validation.cells;
    panels.extend(weighted_panel(cells, "smollm2", 8, "(e) SmolLM2, pilot of 8: PC and RPC, empirical Bayes".into()));
    panels.extend(weighted_panel(cells, "tiny", 8, format!("(f) tiny transformer, {tiny_questions} questions, pilot of 8 (file 1): PC and RPC")));
    panels
}

/// PC's and RPC's predicted accuracy (points, 90% intervals as bars, set a
/// little apart sideways so the bars do not overlap) and the replay (dashed)
/// for a source's first file at a pilot size.
fn weighted_panel(cells: &[Cell], source: &str, pilot: usize, title: String) -> Option<Panel> {
    let mut series = Vec::new();
    for (method, color, shift) in [("pc", palette::PC, 0.96), ("rpc", palette::RPC, 1.04)] {
        let mine: Vec<&Cell> = cells
            .iter()
            .filter(|c| {
                c.source == source
                    && c.replicate == 0
                    && c.model == PlanModel::EmpiricalBayes
                    && c.pilot == pilot
                    && c.what == method
                    && c.quantity == Quantity::Accuracy
            })
            .collect();
        if mine.is_empty() {
            continue;
        }
        let name = method.to_uppercase();
        series.push(
            Series::new(
                format!("{name} predicted (mean, 90% interval)"),
                color,
                Style::Points,
                mine.iter().map(|c| (shift * c.n as f64, c.predicted)).collect(),
            )
            .with_bars(mine.iter().map(|c| (c.interval.low, c.interval.high)).collect()),
        );
        series.push(Series::new(
            format!("{name} replay (eval --k n --order file)"),
            color,
            Style::Dashed,
            mine.iter().map(|c| (c.n as f64, c.replay)).collect(),
        ));
    }
    if series.is_empty() {
        return None;
    }
    // Room below the data for the four-line legend, so it hides no bar or replay.
    let ys: Vec<f64> = series.iter().flat_map(|s| s.points.iter().map(|p| p.1).chain(s.bars.iter().flatten().flat_map(|b| [b.0, b.1]))).collect();
    let (lo, hi) = ys.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &y| (a.min(y), b.max(y)));
    let w = (hi - lo).max(1.0);
    let mut panel = Panel::versus_n(title, "accuracy (%)", Scale::Linear, LegendAt::LowerRight, series);
    panel.y_range = Some((lo - 0.45 * w, hi + 0.06 * w));
    Some(panel)
}

/// The sentence on coverage over all cells.
fn verdict(rows: &[Summary]) -> String {
    let overall = |model: PlanModel, q: Quantity| rows.iter().find(|r| r.source == "all" && r.model == model && !r.weighted && r.quantity == q);
    let (Some(ea), Some(es), Some(pa), Some(ps)) = (
        overall(PlanModel::EmpiricalBayes, Quantity::Accuracy),
        overall(PlanModel::EmpiricalBayes, Quantity::Samples),
        overall(PlanModel::PlugIn, Quantity::Accuracy),
        overall(PlanModel::PlugIn, Quantity::Samples),
    ) else {
        return String::new();
    };
    let cells = ea.cells + es.cells;
    let covered = (ea.coverage * ea.cells as f64 + es.coverage * es.cells as f64) / cells as f64;
    let weighted = |model: PlanModel| rows.iter().find(|r| r.source == "all" && r.model == model && r.weighted && r.quantity == Quantity::Accuracy);
    let paths = match (weighted(PlanModel::EmpiricalBayes), weighted(PlanModel::PlugIn)) {
        (Some(e), Some(p)) => format!(
            " The methods and rules that weigh paths ({} accuracy cells): the empirical-Bayes intervals hold the replay in {:.0}% (mean \
             width {:.1} points, mean error {:+.1}); the plug-in's in {:.0}% (mean error {:+.1}).",
            e.cells, e.coverage, e.mean_width, e.mean_error, p.coverage, p.mean_error
        ),
        _ => String::new(),
    };
    format!(
        "Over all {cells} predicted cells of SC and the count rules the empirical-Bayes intervals hold the replay in {covered:.0}% (accuracy {:.0}%, mean width {:.1} \
         points; samples {:.0}%, mean width {:.1}); the plug-in's in {:.0}% and {:.0}%, its accuracy predictions off by {:+.1} points on \
         average{}.",
        ea.coverage,
        ea.mean_width,
        es.coverage,
        es.mean_width,
        pa.coverage,
        ps.coverage,
        pa.mean_error,
        if pa.mean_error < 0.0 {
            " — too little gain from more samples: each pilot's frequencies taken as the truth make a unanimous pilot look settled \
             and leave no room for answers not yet seen"
        } else {
            ""
        }
    ) + &paths
}

/// Draws the figure and writes its files into `dir`.
pub fn render(data: &Data, dir: &Path) -> Result<FigureOutput, FigureError> {
    let mut files = draw(dir, "plan", "Plans from a pilot: predicted accuracy vs what replay measured", &panels(data), (3, 2), (1800, 2100))?;
    let (csv, ccsv) = tables(data);
    files.push(csv.write(dir, "plan")?);
    files.push(ccsv.write(dir, "plan_curves")?);
    let settings = &data.settings;
    let ((tiny_questions, synthetic_questions), (tiny_files, synthetic_files)) = (data.questions, data.files);
    let summary = format!(
        "## Plans from a pilot (`plan.png`)\n\n`pathconf plan` reads the first m paths of each question (m = {pilots}) and predicts SC's accuracy \
         at n = {ns} and the cost and accuracy of {rules} — what replay measures once the file is complete (the pilot's paths kept \
         first) — and, where a file has the signals, the accuracy of {methods} at the same n and the cost and accuracy of {path_rules} \
         (replayed as `eval --k n --order file` and `eval --stop RULE --order file` replay them; on the synthetic source, the first \
         {signal_files} files, given path probabilities — a two-component Weibull mixture, correct paths more often in the high \
         component, 15% repeats). Cells: every predicted value (values the pilot fixes are left out) of every file — SmolLM2's committed 192 × 64 paths; \
         {tiny_files} files of {tiny_questions} questions × 64 paths sampled by the tiny transformer (answer distributions enumerated to \
         {floor:e}); {synthetic_files} files of {synthetic_questions} questions × 64 draws from a synthetic population that is not the model's \
         own — against the replay of that file; where the truth is known, also against its expectation given the same pilot \
         (Monte Carlo, {truth_runs} completions per question). {draws} draws per plan, seed {seed}.\n\n{table}\n{verdict}\n",
        pilots = settings.pilots.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(", "),
        ns = settings.ns.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(", "),
        rules = settings.rules.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(" and "),
        signal_files = data.signal_files,
        methods = settings.methods.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", "),
        path_rules = settings.path_rules.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(" and "),
        floor = crate::validate::plan::TINY_FLOOR,
        truth_runs = settings.truth_runs,
        draws = settings.draws,
        seed = settings.seed,
        table = summary_table(&data.summary),
        verdict = verdict(&data.summary),
    );
    Ok(FigureOutput { name: "plan", files, summary })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_is_validated_and_every_interval_holds_its_prediction() {
        // The quick settings (seed 6): cells from all three sources, each
        // interval around its prediction, one summary row per source, model
        // and quantity and the overall ones.
        let cfg = FigureConfig { out: "unused".into(), seed: 6, quick: true };
        let data = compute(&cfg, &crate::progress::Quiet).unwrap();
        for source in ["smollm2", "tiny", "synthetic"] {
            assert!(data.validation.cells.iter().any(|c| c.source == source), "{source}");
        }
        for c in &data.validation.cells {
            assert!(c.interval.contains_within(c.predicted, 1e-9), "{c:?}");
        }
        assert!(data.summary.iter().any(|s| s.source == "all" && s.model == PlanModel::EmpiricalBayes));
        assert!(!verdict(&data.summary).is_empty());
        assert!(serde_json::to_string(&data).unwrap().contains("\"validation\""));
    }
}
