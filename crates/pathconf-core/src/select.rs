//! Answer selection with ties split, as the reference implementation credits
//! them: among candidate rows with the largest score, each tied row gets
//! weight `1 / #ties`, and the credit is the weight on correct rows.

/// The outcome of choosing among scored candidates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Selection {
    /// Accuracy credit in `[0, 1]`: fraction of the tied top rows that are correct.
    pub credit: f64,
    /// The top score.
    pub top: f64,
    /// How many rows share the top score.
    pub ties: usize,
}

/// Selects among `(score, is_correct)` rows; ties (exactly equal scores) split
/// the credit. An empty input gives credit 0 and `top = −∞`.
///
/// ```
/// use pathconf_core::select::select;
/// let s = select([(0.4, true), (0.4, false), (0.2, true)]);
/// assert_eq!((s.credit, s.ties), (0.5, 2));
/// ```
pub fn select<I: IntoIterator<Item = (f64, bool)>>(rows: I) -> Selection {
    let mut top = f64::NEG_INFINITY;
    let mut ties = 0usize;
    let mut correct = 0usize;
    for (score, ok) in rows {
        if score > top {
            top = score;
            ties = 0;
            correct = 0;
        }
        if score == top {
            ties += 1;
            correct += ok as usize;
        }
    }
    let credit = if ties == 0 { 0.0 } else { correct as f64 / ties as f64 };
    Selection { credit, top, ties }
}

/// Relative tolerance within which the theory treats two scores as tied.
///
/// PC and RP add path probabilities, and a float sum depends on the order of
/// its terms: `0.3 + 0.05 + 0.05` is `0.39999999999999997` or `0.4` depending
/// on which path was sampled first, so an exact comparison would make a tie
/// with another answer of mass `0.4` depend on sample order. The theory
/// (exact accuracy, its enumeration and its Monte Carlo) therefore ties
/// scores within this relative tolerance, as exact arithmetic would;
/// evaluation on data keeps the reference's exact comparison ([`select`]).
pub const THEORY_TIE_TOL: f64 = 1e-12;

/// [`select`] with ties within a relative tolerance: rows with
/// `score ≥ top − tol·|top|` share the credit.
///
/// ```
/// use pathconf_core::select::{select_within, THEORY_TIE_TOL};
/// let s = select_within([(0.3 + 0.05 + 0.05, true), (0.4, false)], THEORY_TIE_TOL);
/// assert_eq!((s.credit, s.ties), (0.5, 2));
/// ```
pub fn select_within<I: IntoIterator<Item = (f64, bool)>>(rows: I, tol: f64) -> Selection {
    let rows: Vec<(f64, bool)> = rows.into_iter().collect();
    let top = rows.iter().map(|r| r.0).fold(f64::NEG_INFINITY, f64::max);
    if rows.is_empty() {
        return Selection { credit: 0.0, top, ties: 0 };
    }
    let bar = top - tol * top.abs();
    let (ties, correct) = rows.iter().filter(|r| r.0 >= bar).fold((0usize, 0usize), |(t, c), r| (t + 1, c + r.1 as usize));
    Selection { credit: correct as f64 / ties as f64, top, ties }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_split_per_row() {
        assert_eq!(select([(0.5, true), (0.3, false)]).credit, 1.0);
        let s = select([(0.4, true), (0.4, false), (0.2, true)]);
        assert_eq!((s.credit, s.ties), (0.5, 2));
        assert_eq!(select([(0.4, true), (0.4, true), (0.4, false)]).credit, 2.0 / 3.0);
        assert_eq!(select(std::iter::empty()).credit, 0.0);
    }
}
