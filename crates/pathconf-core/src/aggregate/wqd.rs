//! Within-question discrimination (Taubenfeld et al., 2025, §5): over the
//! pairs of paths of one question of which exactly one is correct, how often
//! the correct one has the higher confidence. Ties are counted apart, not
//! split. Counts add over questions, so the pooled share is their ratio.

use serde::Serialize;

/// Pair counts of one question (or several, summed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Wqd {
    /// Pairs where the correct path has the higher confidence.
    pub correct_higher: u64,
    /// Pairs with equal confidence.
    pub tied: u64,
    /// Pairs where the incorrect path has the higher confidence.
    pub incorrect_higher: u64,
}

impl Wqd {
    /// All pairs with exactly one correct path.
    pub fn pairs(&self) -> u64 {
        self.correct_higher + self.tied + self.incorrect_higher
    }

    /// `correct_higher / pairs` (NaN without pairs).
    pub fn share(&self) -> f64 {
        self.correct_higher as f64 / self.pairs() as f64
    }

    /// `tied / pairs`.
    pub fn tied_share(&self) -> f64 {
        self.tied as f64 / self.pairs() as f64
    }

    /// Sums counts.
    pub fn add(&mut self, o: Wqd) {
        self.correct_higher += o.correct_higher;
        self.tied += o.tied;
        self.incorrect_higher += o.incorrect_higher;
    }
}

/// The pair counts of one question's paths (confidence, correct), by one
/// sort: O(m log m).
pub fn within_question_discrimination(conf: &[f64], correct: &[bool]) -> Wqd {
    let mut idx: Vec<usize> = (0..conf.len()).collect();
    idx.sort_by(|&i, &j| conf[i].total_cmp(&conf[j]));
    let mut out = Wqd::default();
    // Walk blocks of equal confidence in increasing order, with the numbers
    // of correct and incorrect paths strictly below the block.
    let (mut below_c, mut below_w) = (0u64, 0u64);
    let mut s = 0;
    while s < idx.len() {
        let mut e = s;
        while e < idx.len() && conf[idx[e]] == conf[idx[s]] {
            e += 1;
        }
        let c = idx[s..e].iter().filter(|&&i| correct[i]).count() as u64;
        let w = (e - s) as u64 - c;
        out.correct_higher += c * below_w;
        out.incorrect_higher += w * below_c;
        out.tied += c * w;
        below_c += c;
        below_w += w;
        s = e;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_match_the_pairwise_definition() {
        let conf = [0.3, 0.9, 0.3, 0.1, 0.9, 0.5, 0.3];
        let correct = [true, false, false, true, true, false, true];
        let mut want = Wqd::default();
        for i in 0..conf.len() {
            for j in 0..conf.len() {
                if correct[i] && !correct[j] {
                    if conf[i] > conf[j] {
                        want.correct_higher += 1;
                    } else if conf[i] == conf[j] {
                        want.tied += 1;
                    } else {
                        want.incorrect_higher += 1;
                    }
                }
            }
        }
        assert_eq!(within_question_discrimination(&conf, &correct), want);
        assert_eq!(want.pairs(), 4 * 3);
    }
}
