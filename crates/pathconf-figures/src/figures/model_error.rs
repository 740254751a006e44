//! Figure 3 — model error of PPL vs SC/PC over a population (Proposition 4).
//!
//! SC and PC estimate the answer probability `p(A)`, so their model error for
//! the correct answer is `(p(A) − 1)²`; PPL's confidence is a single path's
//! probability, so its model error for the correct answer's most probable path
//! is `(p_t − 1)² ≥ (p(A) − 1)²`, with equality only when that path carries all
//! of `A`'s mass. Population: 300 questions, Beta(2, 2) difficulty, 5 answers
//! of 8 paths each, Dirichlet(1) splits.

use super::plot::{draw, palette, LegendAt, Panel, Scale, Series, Style};
use super::{csv_float, Csv, FigureConfig, FigureError, FigureOutput};
use crate::generators::{Population, Split};
use crate::progress::Observer;
use crate::theory::{pc::pc_terms, ppl::ppl_terms};
use serde::Serialize;
use std::path::Path;

/// CSV columns.
pub const COLUMNS: [&str; 5] = ["question", "p_correct", "p_top_path", "model_error_sc_pc", "model_error_ppl"];

/// One question.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Question {
    /// `p(A)`.
    pub p_correct: f64,
    /// A's most probable path's probability.
    pub p_top_path: f64,
    /// SC's and PC's model error for A, `(p(A) − 1)²`.
    pub sc_pc: f64,
    /// PPL's, `(p_t − 1)²` for A's top path.
    pub ppl: f64,
}

/// The numbers behind the figure (all exact).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Data {
    /// Per question.
    pub questions: Vec<Question>,
}

/// Computes the figure's numbers.
pub fn compute(cfg: &FigureConfig, observer: &dyn Observer) -> Data {
    let pop = Population { n_questions: if cfg.quick { 60 } else { 300 }, split: Split::Dirichlet { alpha: 1.0 }, ..Default::default() };
    let drawn = pop.sample(&mut crate::seed::rng(cfg.seed, &[crate::seed::tag("model_error/population")])).expect("constant generator parameters are valid");
    let questions = drawn
        .iter()
        .map(|d| {
            let probs = d.probs_of(0);
            let top = (0..probs.len()).max_by(|&a, &b| probs[a].total_cmp(&probs[b])).expect("paths");
            // (p(A) − 1)², the same for SC and PC.
            Question { p_correct: d.answer_mass(0), p_top_path: probs[top], sc_pc: pc_terms(d, 0, 1).model_error, ppl: ppl_terms(d, 0, top, 1).model_error }
        })
        .collect();
    observer.advance(0);
    Data { questions }
}

/// Writes `model_error.{png,svg,csv}`.
pub fn run(cfg: &FigureConfig, observer: &dyn Observer) -> Result<FigureOutput, FigureError> {
    render(&compute(cfg, observer), &cfg.out)
}

/// A histogram of PPL's excess model error: 20 bins from 0 to the largest.
fn histogram(data: &Data) -> Vec<(f64, f64)> {
    let diffs: Vec<f64> = data.questions.iter().map(|q| q.ppl - q.sc_pc).collect();
    let bins = 20usize;
    let hi = diffs.iter().copied().fold(0.0, f64::max).max(1e-9);
    let mut counts = vec![0usize; bins];
    for d in &diffs {
        counts[((d / hi * bins as f64) as usize).min(bins - 1)] += 1;
    }
    counts.iter().enumerate().map(|(b, &c)| ((b as f64 + 0.5) * hi / bins as f64, c as f64)).collect()
}

/// Draws the figure and writes its files into `dir`.
pub fn render(data: &Data, dir: &Path) -> Result<FigureOutput, FigureError> {
    let pts: Vec<(f64, f64)> = data.questions.iter().map(|q| (q.sc_pc, q.ppl)).collect();
    let panels = vec![
        Panel {
            title: "(a) per question: model error for the correct answer".into(),
            x_label: "SC / PC model error (p(A) − 1)²".into(),
            y_label: "PPL model error (p_t − 1)², top path of A".into(),
            x_scale: Scale::Linear,
            y_scale: Scale::Linear,
            series: vec![
                Series::new("y = x", palette::PAPER, Style::Dashed, vec![(0.0, 0.0), (1.0, 1.0)]),
                Series::new("questions", palette::PPL, Style::Points, pts.clone()),
            ],
            legend: LegendAt::LowerRight.into(),
            y_range: Some((0.0, 1.0)),
        },
        Panel {
            title: "(b) PPL's excess model error".into(),
            x_label: "PPL − SC model error".into(),
            y_label: "questions".into(),
            x_scale: Scale::Linear,
            y_scale: Scale::Linear,
            series: vec![Series::new("questions per bin", palette::PPL, Style::Bars, histogram(data))],
            legend: LegendAt::UpperRight.into(),
            y_range: None,
        },
    ];
    let mut files = draw(dir, "model_error", "Model error: PPL vs SC / PC (Proposition 4)", &panels, (1, 2), (1800, 800))?;
    let mut csv = Csv::new(&COLUMNS);
    for (i, q) in data.questions.iter().enumerate() {
        csv.row(vec![i.to_string(), csv_float(q.p_correct), csv_float(q.p_top_path), csv_float(q.sc_pc), csv_float(q.ppl)]);
    }
    files.push(csv.write(dir, "model_error")?);
    let n = pts.len() as f64;
    let mean_sc = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_ppl = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let above = pts.iter().filter(|p| p.1 > p.0 + 1e-15).count();
    let summary = format!(
        "## Model error (`model_error.png`)\n\n{} questions (Beta(2, 2) difficulty, 5 answers × 8 paths, Dirichlet(1) splits). Mean model \
         error for the correct answer: SC/PC {mean_sc:.3}, PPL {mean_ppl:.3}; PPL's is strictly larger on {above} of {} questions \
         (equal only when the top path carries all of A's mass), as Proposition 4 states.\n",
        pts.len(),
        pts.len()
    );
    Ok(FigureOutput { name: "model_error", files, summary })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposition_4_holds_on_every_question() {
        let cfg = FigureConfig { out: "unused".into(), seed: 8, quick: true };
        let data = compute(&cfg, &crate::progress::Quiet);
        assert_eq!(data.questions.len(), 60);
        for q in &data.questions {
            assert!(q.ppl >= q.sc_pc - 1e-15 && q.p_top_path <= q.p_correct + 1e-15, "{q:?}");
            assert!((q.sc_pc - (q.p_correct - 1.0).powi(2)).abs() < 1e-12);
        }
    }
}
