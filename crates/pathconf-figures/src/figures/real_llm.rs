//! Real-model validation II — the paper's evaluation on paths sampled from a
//! pretrained LLM (SmolLM2-135M-Instruct, committed in `data/`).
//!
//! The data (`data/smollm2_paths.jsonl`, produced by `pathconf sample`; see
//! `data/README.md`) is read like any paths file, never re-sampled. Four
//! panels:
//!
//! 1. accuracy and 2. ECE (10 bins, "maximum" variant) vs `n` for PPL, SC,
//!    PC and RPC, mean ± std over random subsets (the paper's Figure 2),
//!    through [`crate::eval`] exactly as `pathconf eval` runs them;
//! 3. estimation error vs `n` of SC and PC on the correct answer, relative to
//!    each question's full pool of `N` paths ([`crate::theory::pool`]):
//!    exact finite-pool values next to random-subset measurements, as a
//!    ratio to the pool value squared, averaged over the questions the pool
//!    gets right at least once. PC uses the theory's estimator — the sum of
//!    the true sequence probabilities `exp(Σ log p)` of the distinct sampled
//!    paths of the answer;
//! 4. how many distinct paths each question's pool holds, and the mass they
//!    cover: `Σ exp(Σ log p)` (true sequence probability under the model's
//!    untempered distribution, at most 1) vs `Σ exp(mean log p)` (the
//!    reference implementation's path "probability", which is not one).
//!
//! The analysis (pools, measured errors and their z-tests) is
//! [`crate::validate::pool`]; this module draws it.

use super::accuracy::{curve_series, curve_table, method_curves, MethodCurve, SHOWN};
use super::plot::{draw, palette, LegendAt, Panel, Scale, Series, Style};
use super::{csv_float, Csv, FigureConfig, FigureError, FigureOutput};
use crate::estimators::EstimatorId;
use crate::eval::dataset::Dataset;
use crate::eval::equivalence::AnswerEquality;
use crate::eval::methods::{Method, ProbMode};
use crate::eval::protocol::{evaluate, EvalConfig};
use crate::montecarlo::agreement::FAMILY_ALPHA;
use crate::progress::Observer;
use crate::validate::pool::{pool_errors, pool_facts, PoolErrorRow, PoolFacts};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// CSV columns of the accuracy / calibration table.
pub const COLUMNS: [&str; 6] = super::accuracy::COLUMNS;
/// CSV columns of the estimation-error table.
pub const ERROR_COLUMNS: [&str; 9] = ["question", "estimator", "n", "pool_value", "exact", "measured", "null_se", "z", "agrees"];
/// CSV columns of the per-question table.
pub const QUESTION_COLUMNS: [&str; 9] =
    ["question", "truth", "paths", "distinct", "correct_fraction", "sc_answer", "ppl_answer", "mass_sequence", "mass_mean_logprob"];

/// The committed data file.
pub fn data_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data").join("smollm2_paths.jsonl")
}

/// One question's pool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionPool {
    /// Its id.
    pub id: String,
    /// The ground truth.
    pub truth: String,
    /// Paths.
    pub paths: usize,
    /// Correct paths.
    pub hits: usize,
    /// Distinct paths.
    pub distinct: usize,
    /// `Σ exp(Σ log p)` over distinct paths.
    pub mass_sequence: f64,
    /// `Σ exp(mean log p)` over distinct paths.
    pub mass_mean: f64,
    /// SC's and PPL's answers on all paths.
    pub answers: (String, String),
}

impl QuestionPool {
    /// The share of correct paths.
    fn correct_fraction(&self) -> f64 {
        self.hits as f64 / self.paths as f64
    }
}

/// The numbers behind the figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Data {
    /// The data file's name.
    pub file: String,
    /// Paths per question (the fewest).
    pub n_max: usize,
    /// Random subsets per K.
    pub repeats: usize,
    /// Random subsets per pool-error point.
    pub trials: usize,
    /// Paths without an answer, questions with one.
    pub invalid: (usize, usize),
    /// PPL, SC, PC, RPC: accuracy and ECE vs n (measured).
    pub curves: Vec<MethodCurve>,
    /// Per question.
    pub pools: Vec<QuestionPool>,
    /// The subset sizes of the pool errors.
    pub error_ns: Vec<usize>,
    /// Questions with at least one correct path.
    pub used: usize,
    /// Every measured pool error against its exact value (one family).
    pub errors: Vec<PoolErrorRow>,
    /// Per error n: mean over the used questions of SC exact, SC measured, PC exact, PC measured, each / pool value².
    pub relative: Vec<[f64; 4]>,
}

/// Per n: mean over questions of exact and measured error / pool value².
fn relative(rows: &[PoolErrorRow], error_ns: &[usize], used: usize) -> Vec<[f64; 4]> {
    let mut rel = vec![[0.0f64; 4]; error_ns.len()];
    for r in rows {
        let (j, k) = (error_ns.iter().position(|&n| n == r.n).expect("n from error_ns"), usize::from(r.estimator == EstimatorId::Pc));
        let scale = r.pool_value * r.pool_value;
        rel[j][2 * k] += r.exact / scale / used as f64;
        rel[j][2 * k + 1] += r.measured / scale / used as f64;
    }
    rel
}

/// Computes the figure's numbers.
pub fn compute(cfg: &FigureConfig, observer: &dyn Observer) -> Result<Data, FigureError> {
    let file = data_file();
    let ds: Dataset = crate::eval::formats::read(&file, None, None)?;
    let equal = AnswerEquality::default();
    let n_max = ds.questions.iter().map(|q| q.paths.len()).min().unwrap_or(0);
    let ks: Vec<usize> = (0..).map(|k| 1usize << k).take_while(|&k| k <= n_max).collect();
    let repeats = if cfg.quick { 3 } else { 10 };
    let methods = vec![Method::Ppl, Method::Sc, Method::Pc, Method::Rpc];
    let ecfg = EvalConfig { methods, ks: ks.clone(), repeats, seed: cfg.seed, equal: equal.clone(), ..EvalConfig::default() };
    let report = evaluate(&ds, &ecfg, observer)?;
    let facts: Vec<PoolFacts> =
        ds.questions.iter().map(|q| pool_facts(q, &equal)).collect::<Result<_, _>>().map_err(|source| FigureError::Pool { file: file.clone(), source })?;
    // Estimation error relative to the pool, on questions the pool gets right
    // at least once (elsewhere both errors are identically 0).
    let trials = if cfg.quick { 200 } else { 2000 };
    let error_ns: Vec<usize> = ks.iter().copied().filter(|&n| n < n_max).collect();
    let errors = pool_errors(&facts, &error_ns, trials, cfg.seed);
    let full_rows = crate::eval::protocol::outcomes_full(&ds, &[Method::Sc, Method::Ppl], ProbMode::Mean, &equal, None)?;
    // CSV cells: answers never contain the separator.
    let top = |o: &crate::eval::methods::Outcome| o.rows.first().map(|r| r.answer.replace(',', ";")).unwrap_or_default();
    let pools = ds
        .questions
        .iter()
        .zip(&facts)
        .zip(&full_rows)
        .map(|((q, fa), rows)| QuestionPool {
            id: q.id.clone(),
            truth: q.truth.clone(),
            paths: fa.paths,
            hits: fa.hits,
            distinct: fa.distinct,
            mass_sequence: fa.mass_sequence,
            mass_mean: fa.mass_mean,
            answers: (top(&rows[0]), top(&rows[1])),
        })
        .collect();
    Ok(Data {
        file: ds.file.file_name().map(|s| s.to_string_lossy().to_string()).unwrap_or_default(),
        n_max,
        repeats,
        trials,
        invalid: (ds.invalid_answers(), ds.questions_with_invalid()),
        curves: method_curves(&report, &SHOWN.map(|s| s.0)),
        pools,
        relative: relative(&errors.rows, &error_ns, errors.used.len()),
        error_ns,
        used: errors.used.len(),
        errors: errors.rows,
    })
}

/// Writes `real_llm.{png,svg,csv}`, `real_llm_error.csv`, `real_llm_questions.csv`.
pub fn run(cfg: &FigureConfig, observer: &dyn Observer) -> Result<FigureOutput, FigureError> {
    render(&compute(cfg, observer)?, &cfg.out)
}

/// The error and the per-question tables.
fn tables(data: &Data) -> (Csv, Csv) {
    let mut err_csv = Csv::new(&ERROR_COLUMNS);
    for r in &data.errors {
        err_csv.row(vec![
            data.pools[r.question].id.clone(),
            r.estimator.label().into(),
            r.n.to_string(),
            csv_float(r.pool_value),
            csv_float(r.exact),
            csv_float(r.measured),
            csv_float(r.null_se),
            csv_float(r.z),
            r.agrees.to_string(),
        ]);
    }
    let mut q_csv = Csv::new(&QUESTION_COLUMNS);
    for q in &data.pools {
        q_csv.row(vec![
            q.id.clone(),
            q.truth.clone(),
            q.paths.to_string(),
            q.distinct.to_string(),
            csv_float(q.correct_fraction()),
            q.answers.0.clone(),
            q.answers.1.clone(),
            csv_float(q.mass_sequence),
            csv_float(q.mass_mean),
        ]);
    }
    (err_csv, q_csv)
}

fn panels(data: &Data) -> Vec<Panel> {
    let (acc_series, ece_series) = curve_series(&data.curves, &SHOWN.map(|s| s.1));
    let xs: Vec<f64> = data.error_ns.iter().map(|&n| n as f64).collect();
    let line = |k: usize| xs.iter().zip(&data.relative).map(|(&x, r)| (x, r[k])).filter(|p| p.1 > 0.0).collect::<Vec<_>>();
    let err_series = vec![
        Series::new("SC exact (finite pool)", palette::SC, Style::Line, line(0)),
        Series::new("SC measured", palette::SC, Style::Points, line(1)),
        Series::new("PC exact (finite pool)", palette::PC, Style::Line, line(2)),
        Series::new("PC measured", palette::PC, Style::Points, line(3)),
    ];
    let mass = |f: fn(&QuestionPool) -> f64| data.pools.iter().map(|q| (q.distinct as f64, f(q))).collect::<Vec<_>>();
    let mass_series = vec![
        Series::new("Σ exp(sequence log-prob): true mass", palette::SC, Style::Points, mass(|q| q.mass_sequence)),
        Series::new("Σ exp(mean log-prob): the reference's", palette::PPL, Style::Points, mass(|q| q.mass_mean)),
    ];
    let n_max = data.n_max;
    vec![
        Panel::versus_n("(a) accuracy (mean ± std over subsets)".into(), "accuracy (%)", Scale::Linear, LegendAt::LowerRight, acc_series),
        Panel::versus_n("(b) ECE, chosen answer (mean ± std over subsets)".into(), "ECE (%)", Scale::Linear, LegendAt::UpperRight, ece_series),
        Panel::versus_n(
            format!("(c) error on the correct answer vs the {n_max}-path pool ({} questions)", data.used),
            "E[(est(n) − est(N))²] / est(N)²  (mean over questions)",
            Scale::Log10,
            LegendAt::LowerLeft,
            err_series,
        ),
        Panel {
            title: "(d) mass covered by each question's distinct sampled paths".into(),
            x_label: format!("distinct paths among {n_max} samples"),
            y_label: "probability mass".into(),
            x_scale: Scale::Linear,
            y_scale: Scale::Log10,
            series: mass_series,
            legend: LegendAt::UpperLeft.into(),
            y_range: None,
        },
    ]
}

/// Draws the figure and writes its files into `dir`.
pub fn render(data: &Data, dir: &Path) -> Result<FigureOutput, FigureError> {
    let mut files = draw(dir, "real_llm", "SmolLM2-135M-Instruct: SC / PPL / PC / RPC on sampled reasoning paths", &panels(data), (2, 2), (1800, 1400))?;
    let (err_csv, q_csv) = tables(data);
    files.push(curve_table(&data.curves).write(dir, "real_llm")?);
    files.push(err_csv.write(dir, "real_llm_error")?);
    files.push(q_csv.write(dir, "real_llm_questions")?);
    Ok(FigureOutput { name: "real_llm", files, summary: summary_text(data) })
}

/// The accuracy / ECE table of the summary.
fn curve_markdown(curves: &[MethodCurve]) -> String {
    let ns: Vec<usize> = curves.first().map(|c| c.points.iter().map(|p| p.n).collect()).unwrap_or_default();
    let mut table = String::from("| n |");
    curves.iter().for_each(|c| table.push_str(&format!(" {m} accuracy (%) | {m} ECE (%) |", m = c.method.name())));
    table.push_str(&format!("\n|---|{}\n", "---|---|".repeat(curves.len())));
    for (i, n) in ns.iter().enumerate() {
        table.push_str(&format!("| {n} |"));
        curves.iter().for_each(|c| table.push_str(&format!(" {:.2} | {:.2} |", c.points[i].accuracy, c.points[i].ece)));
        table.push('\n');
    }
    table
}

fn summary_text(data: &Data) -> String {
    let pools = &data.pools;
    let nq = pools.len();
    let paths: usize = pools.iter().map(|f| f.paths).sum();
    let distinct: usize = pools.iter().map(|f| f.distinct).sum();
    let mean = |v: Vec<f64>| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let pass1 = 100.0 * mean(pools.iter().map(QuestionPool::correct_fraction).collect());
    let never = pools.iter().filter(|f| f.hits == 0).count();
    let mass_seq_med = median(pools.iter().map(|f| f.mass_sequence).collect());
    let mass_mean_med = median(pools.iter().map(|f| f.mass_mean).collect());
    let over_one = pools.iter().filter(|f| f.mass_mean > 1.0).count();
    let (rel, error_ns) = (&data.relative, &data.error_ns);
    let findings = findings(&data.curves, rel, error_ns, distinct as f64 / paths.max(1) as f64);
    let ratio = |k: usize| rel.first().map_or(f64::NAN, |r| r[k]) / rel.last().map_or(f64::NAN, |r| r[k]);
    let (n_lo, n_hi) = (error_ns.first().copied().unwrap_or(1), error_ns.last().copied().unwrap_or(1));
    let disagreements: Vec<String> = data
        .errors
        .iter()
        .filter(|r| !r.agrees)
        .map(|r| format!("{} {} n = {}: measured {:.4e}, exact {:.4e}, z = {:.2}", pools[r.question].id, r.estimator.label(), r.n, r.measured, r.exact, r.z))
        .collect();
    let (comparisons, n_max, repeats, trials, used) = (data.errors.len(), data.n_max, data.repeats, data.trials, data.used);
    format!(
        "## Real model II: SmolLM2-135M-Instruct (`real_llm.png`)\n\n\
         {nq} questions × {n_max} paths from `{}` (sampled once by `pathconf sample`, see `data/README.md`; \
         {} paths without an extractable answer, in {} questions: they vote as one answer group, as in the reference's `INVALID_ANS`). Mean per-path accuracy {pass1:.1}%; {never} questions never answered correctly.\n\n\
         Accuracy and ECE (mean over {repeats} random subsets per n; one at n = {n_max}):\n\n{}\n{findings}\n\
         **Estimation error vs the pool** (finite-population exact forms of `theory::pool`, {trials} random subsets per point, \
         {used} questions with at least one correct path): {} of {comparisons} measured values agree with the exact ones \
         (z-test, Bonferroni, family level {FAMILY_ALPHA}).{} From n = {n_lo} to n = {n_hi}, SC's relative error falls by a factor \
         {:.1} (the 1/n law with the finite-pool correction predicts {:.1}); PC's by {:.1}.\n\n\
         **Distinct paths and mass.** {distinct} of {paths} sampled paths are distinct. The distinct paths of a question cover a median \
         {mass_seq_med:.3e} of the model's (untempered) sequence probability, while their exp(mean log-prob) values sum to a median \
         {mass_mean_med:.2} ({over_one} of {nq} questions above 1). The reference's path \"probability\" exp(mean log-prob) is not a \
         probability; PC as the theory defines it (summing true sequence probabilities) would give every answer a confidence below the \
         covered mass (median {mass_seq_med:.1e}) — a large model error — which is why the reference normalises over the sampled paths.\n",
        data.file,
        data.invalid.0,
        data.invalid.1,
        curve_markdown(&data.curves),
        comparisons - disagreements.len(),
        if disagreements.is_empty() { String::new() } else { format!(" Disagreements: {}.", disagreements.join("; ")) },
        ratio(1),
        ratio(0),
        ratio(3),
    )
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        0.5 * (v[m - 1] + v[m])
    }
}

/// What the theory predicts next to what this data shows, as sentences
/// computed from the numbers (so they stay true if the data changes).
fn findings(curves: &[MethodCurve], rel: &[[f64; 4]], error_ns: &[usize], distinct_share: f64) -> String {
    // (n, accuracy %, ECE %) per point.
    let get = |m: Method| -> Vec<(usize, f64, f64)> {
        curves.iter().find(|c| c.method == m).map(|c| c.points.iter().map(|p| (p.n, p.accuracy, p.ece)).collect()).unwrap_or_default()
    };
    let (ppl, sc, pc, rpc) = (get(Method::Ppl), get(Method::Sc), get(Method::Pc), get(Method::Rpc));
    if ppl.is_empty() || sc.is_empty() || pc.is_empty() || rpc.is_empty() {
        return String::new();
    }
    let last = |c: &[(usize, f64, f64)]| *c.last().expect("non-empty");
    let best = |c: &[(usize, f64, f64)]| *c.iter().max_by(|a, b| a.1.total_cmp(&b.1)).expect("non-empty");
    let mut out = String::from("**What the theory predicts, and what this data shows.**\n\n");
    let (p_best, p_last, s_first, s_last) = (best(&ppl), last(&ppl), sc[0], last(&sc));
    out.push_str(&format!(
        "- *PPL converges fast but carries a large model error (Propositions 3–4)*: PPL's accuracy peaks at {:.1}% (n = {}) and is {:.1}% at n = {}; \
         SC goes from {:.1}% (n = 1) to {:.1}%. {}\n",
        p_best.1,
        p_best.0,
        p_last.1,
        p_last.0,
        s_first.1,
        s_last.1,
        if p_last.1 + 1e-9 < p_best.1 {
            "PPL stops improving and falls back as n grows, as a large model error predicts."
        } else {
            "PPL still improves at the largest n here."
        }
    ));
    let (pc_last, rpc_last) = (last(&pc), last(&rpc));
    let pc_above = pc.iter().zip(&sc).filter(|(a, b)| a.1 >= b.1).count();
    out.push_str(&format!(
        "- *PC keeps SC's model error but converges faster (Theorem 4)*: PC's accuracy is at least SC's at {pc_above} of {} n \
         ({:.1}% vs {:.1}% at n = {}); its ECE at n = {} is {:.1}% vs SC's {:.1}%.\n",
        pc.len(),
        pc_last.1,
        s_last.1,
        pc_last.0,
        pc_last.0,
        pc_last.2,
        s_last.2
    ));
    out.push_str(&format!(
        "- *Pruning low-probability paths lowers the error (Theorem 7)*: RPC at n = {}: accuracy {:.1}% vs PC's {:.1}%, ECE {:.1}% vs {:.1}% — {}.\n",
        rpc_last.0,
        rpc_last.1,
        pc_last.1,
        rpc_last.2,
        pc_last.2,
        match (rpc_last.1 >= pc_last.1, rpc_last.2 <= pc_last.2) {
            (true, true) => "better on both",
            (true, false) => "more accurate, worse calibrated",
            (false, true) => "better calibrated, less accurate",
            (false, false) => "worse on both",
        }
    ));
    if let (Some(a), Some(b)) = (rel.first(), rel.last()) {
        let (n0, n1) = (error_ns[0], error_ns[error_ns.len() - 1]);
        out.push_str(&format!(
            "- *Estimation error (Proposition 2, Theorem 4)*: relative to the pool, SC's error on the correct answer (divided by the pool value squared) \
             goes from {:.3} (n = {n0}) to {:.3} (n = {n1}), the 1/n law; PC's from {:.3} to {:.3} — lower at every n up to {}, but falling by a factor \
             {:.1} where SC's falls by {:.1}. {:.0}% of the sampled paths are distinct, and a path seen once is missed by an n-subset with probability \
             1 − n/N: the exponential rate that PC gets from repeated, high-probability paths does not show on paths this diverse.\n",
            a[1],
            b[1],
            a[3],
            b[3],
            rel.iter().zip(error_ns).take_while(|(r, _)| r[3] <= r[1]).last().map_or(0, |(_, &n)| n),
            a[3] / b[3],
            a[1] / b[1],
            100.0 * distinct_share,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_paths_give_consistent_pools_and_a_family_of_checks() {
        let cfg = FigureConfig { out: "unused".into(), seed: 3, quick: true };
        let data = compute(&cfg, &crate::progress::Quiet).unwrap();
        assert_eq!(data.pools.len(), 192);
        assert!(data.pools.iter().all(|q| q.hits <= q.paths && q.distinct <= q.paths && q.mass_sequence <= 1.0 + 1e-9));
        assert_eq!(data.used, data.pools.iter().filter(|q| q.hits > 0).count());
        assert_eq!(data.errors.len(), 2 * data.used * data.error_ns.len());
        assert_eq!(data.relative.len(), data.error_ns.len());
        assert!(serde_json::to_string(&data).unwrap().contains("mass_sequence"));
    }
}
