//! Calibration metrics with the semantics of the reference `metrics.py`.
//!
//! **Maximum** variant (per question, the chosen answer): the top
//! confidence `c*` (rows within `1e-10` of the running maximum count as ties,
//! scanning in row order exactly as the reference does), `vote_acc` = split
//! credit of rows equal to `c*`; ECE over 10 equal-width bins with
//! `lower < c* ≤ upper`, each tied row weighing `1/#ties`; Brier
//! `(vote_acc − c*)²`; NLL `−v ln c − (1 − v) ln(1 − c)` with both clipped to
//! `[1e-6, 1 − 1e-6]`. **Average** variant: every row of a question weighs
//! `1/#rows`, Brier and NLL are averaged within, then across questions.
//!
//! A question without rows — no answer, because every path drawn was
//! invalid and dropped ([`crate::invalid`]) — counts as one wrong answer of
//! confidence 0 in both variants: Brier 0, NLL `−ln(1 − 10⁻⁶)`, and no ECE
//! bin (the bins are `lower < c ≤ upper`, so 0 lies in none, as in the
//! reference).

use serde::Serialize;

const EPS: f64 = 1e-10;
/// The row a question without an answer stands for.
const NO_ANSWER: [(f64, bool); 1] = [(0.0, false)];

fn or_no_answer(rows: &[(f64, bool)]) -> &[(f64, bool)] {
    if rows.is_empty() {
        &NO_ANSWER
    } else {
        rows
    }
}
const NLL_EPS: f64 = 1e-6;
/// Number of ECE bins.
pub const N_BINS: usize = 10;

/// One reliability-diagram bin.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Bin {
    /// Mean accuracy in the bin (0 if empty).
    pub accuracy: f64,
    /// Mean confidence in the bin (0 if empty).
    pub confidence: f64,
    /// Total weight in the bin.
    pub weight: f64,
}

/// ECE, Brier score and NLL with the reliability bins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// Expected calibration error.
    pub ece: f64,
    /// Brier score.
    pub brier: f64,
    /// Negative log-likelihood.
    pub nll: f64,
    /// The 10 bins, `(i/10, (i+1)/10]`.
    pub bins: Vec<Bin>,
}

fn clip(x: f64) -> f64 {
    x.clamp(NLL_EPS, 1.0 - NLL_EPS)
}

fn bin_of(c: f64) -> Option<usize> {
    (0..N_BINS).find(|&b| (b as f64 / N_BINS as f64) < c && c <= ((b + 1) as f64 / N_BINS as f64))
}

/// The value `Iterator::sum` starts from for `f64` (`−0.0`): running sums
/// below add in the order `sum` would and start where it does, so a metric
/// accumulated question by question is the one computed over a slice, bit
/// for bit.
pub const SUM_START: f64 = -0.0;

/// A calibration metric accumulated one question at a time, in the order
/// the questions come (a file read in chunks gives the numbers a loaded
/// file gives): [`Self::add_maximum`] or [`Self::add_average`], then
/// [`Self::finish`].
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationSum {
    acc: [f64; N_BINS],
    cnf: [f64; N_BINS],
    siz: [f64; N_BINS],
    brier: f64,
    nll: f64,
    questions: usize,
}

impl Default for CalibrationSum {
    fn default() -> Self {
        Self { acc: [0.0; N_BINS], cnf: [0.0; N_BINS], siz: [0.0; N_BINS], brier: SUM_START, nll: SUM_START, questions: 0 }
    }
}

impl CalibrationSum {
    /// Adds one question to the "maximum" variant.
    pub fn add_maximum(&mut self, rows: &[(f64, bool)]) {
        let rows = or_no_answer(rows);
        let (mut top, mut count) = (-1e6_f64, 0usize);
        for &(p, _) in rows {
            if p > top {
                top = p;
                count = 0;
            }
            if p >= top - EPS {
                count += 1;
            }
        }
        let w = 1.0 / count as f64;
        let mut vote = 0.0;
        for &(p, ok) in rows {
            if p < top || p.is_nan() {
                continue;
            }
            if ok {
                vote += w;
            }
            if let Some(b) = bin_of(top) {
                if ok {
                    self.acc[b] += w;
                }
                self.cnf[b] += p * w;
                self.siz[b] += w;
            }
        }
        let (c, v) = (clip(top), clip(vote));
        self.push((vote - top).powi(2), -c.ln() * v - (1.0 - c).ln() * (1.0 - v));
    }

    /// Adds one question to the "average" variant.
    pub fn add_average(&mut self, rows: &[(f64, bool)]) {
        let rows = or_no_answer(rows);
        let m = rows.len() as f64;
        let (mut b_sum, mut n_sum) = (0.0, 0.0);
        for &(p, ok) in rows {
            let y = if ok { 1.0 } else { 0.0 };
            if let Some(b) = bin_of(p) {
                self.acc[b] += y / m;
                self.cnf[b] += p / m;
                self.siz[b] += 1.0 / m;
            }
            b_sum += (y - p).powi(2);
            let (c, v) = (clip(p), clip(y));
            n_sum += -c.ln() * v - (1.0 - c).ln() * (1.0 - v);
        }
        self.push(b_sum / m, n_sum / m);
    }

    fn push(&mut self, brier: f64, nll: f64) {
        self.brier += brier;
        self.nll += nll;
        self.questions += 1;
    }

    /// The metrics over the questions added.
    pub fn finish(&self) -> Calibration {
        let mut ece = 0.0;
        let mut bins = Vec::with_capacity(N_BINS);
        for b in 0..N_BINS {
            let (a, c) = if self.siz[b] > 0.0 { (self.acc[b] / self.siz[b], self.cnf[b] / self.siz[b]) } else { (self.acc[b], self.cnf[b]) };
            ece += self.siz[b] * (a - c).abs();
            bins.push(Bin { accuracy: a, confidence: c, weight: self.siz[b] });
        }
        // No weight in any bin (every confidence 0): nothing is miscalibrated.
        let binned = self.siz.iter().sum::<f64>();
        ece = if binned > 0.0 { ece / binned } else { 0.0 };
        let n = self.questions as f64;
        Calibration { ece, brier: self.brier / n, nll: self.nll / n, bins }
    }
}

/// The "maximum" variant over questions' `(confidence, correct)` rows.
pub fn maximum(questions: &[Vec<(f64, bool)>]) -> Calibration {
    let mut sum = CalibrationSum::default();
    questions.iter().for_each(|rows| sum.add_maximum(rows));
    sum.finish()
}

/// The "average" variant over questions' `(confidence, correct)` rows.
pub fn average(questions: &[Vec<(f64, bool)>]) -> Calibration {
    let mut sum = CalibrationSum::default();
    questions.iter().for_each(|rows| sum.add_average(rows));
    sum.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_maximum() {
        // Q1: chooses 0.6 (correct); Q2: tie 0.5/0.5, one correct.
        let qs = vec![vec![(0.6, true), (0.4, false)], vec![(0.5, true), (0.5, false)]];
        let c = maximum(&qs);
        // Bin (0.5,0.6]: Q1 weight 1 acc 1 conf .6; Q2 two halves weight 1 acc .5 conf .5 -> bin 4 is (0.4,0.5].
        let expected_ece = (1.0 * (1.0_f64 - 0.6).abs() + 1.0 * (0.5_f64 - 0.5).abs()) / 2.0;
        assert!((c.ece - expected_ece).abs() < 1e-15);
        assert!((c.brier - (0.16 + 0.0) / 2.0).abs() < 1e-15);
        let bin_edges = bin_of(0.5);
        assert_eq!(bin_edges, Some(4), "0.5 lies in (0.4, 0.5]");
        assert_eq!(bin_of(0.0), None);
    }

    #[test]
    fn running_sums_start_where_iterator_sum_does() {
        let empty: f64 = std::iter::empty::<f64>().sum();
        assert_eq!(empty.to_bits(), SUM_START.to_bits());
    }

    #[test]
    fn a_question_without_answer_is_wrong_at_confidence_zero() {
        let with = maximum(&[vec![(0.6, true)], vec![]]);
        let explicit = maximum(&[vec![(0.6, true)], vec![(0.0, false)]]);
        assert_eq!(with, explicit);
        // Brier: (1 − 0.6)² and 0, averaged; the empty question is in no bin.
        assert!((with.brier - 0.16 / 2.0).abs() < 1e-15);
        assert!((with.bins.iter().map(|b| b.weight).sum::<f64>() - 1.0).abs() < 1e-15);
        // NLL with both clipped to [1e-6, 1 − 1e-6]: question 1 (c 0.6, vote 1),
        // question 2 (c 0, vote 0).
        let (lo, hi) = (1e-6f64, 1.0 - 1e-6f64);
        let nll = |c: f64, v: f64| -c.ln() * v - (1.0 - c).ln() * (1.0 - v);
        assert!((with.nll - (nll(0.6, hi) + nll(lo, lo)) / 2.0).abs() < 1e-15);
        assert_eq!(average(&[vec![(0.6, true)], vec![]]), average(&[vec![(0.6, true)], vec![(0.0, false)]]));
    }
}
