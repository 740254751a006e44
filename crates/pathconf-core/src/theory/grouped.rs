//! Grouping equal path probabilities: `(q_j, c_j)` = a distinct probability and
//! how many paths have it. Every closed form is a sum over paths of a function
//! of `p_t` (or over pairs of a function of `p_t + p_u`), so grouping turns
//! `N` paths with few distinct values into few terms.

/// Distinct positive probabilities with multiplicities, sorted ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouped {
    /// Distinct probabilities `q_j > 0`.
    pub probs: Vec<f64>,
    /// Multiplicities `c_j`.
    pub counts: Vec<f64>,
}

impl Grouped {
    /// Groups the positive entries of `probs` (zeros contribute to no term).
    pub fn new(probs: &[f64]) -> Self {
        let mut v: Vec<f64> = probs.iter().copied().filter(|&p| p > 0.0).collect();
        v.sort_unstable_by(f64::total_cmp); // equal keys are equal bits: the order among them cannot show
        let mut out = Self { probs: Vec::new(), counts: Vec::new() };
        for p in v {
            if out.probs.last() == Some(&p) {
                *out.counts.last_mut().expect("non-empty") += 1.0;
            } else {
                out.probs.push(p);
                out.counts.push(1.0);
            }
        }
        out
    }

    /// Total mass `Σ_j c_j q_j`.
    pub fn mass(&self) -> f64 {
        self.iter().map(|(q, c)| q * c).sum()
    }

    /// `(q_j, c_j)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.probs.iter().copied().zip(self.counts.iter().copied())
    }

    /// Number of distinct probabilities.
    pub fn len(&self) -> usize {
        self.probs.len()
    }

    /// Whether there are no positive probabilities.
    pub fn is_empty(&self) -> bool {
        self.probs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand case: zeros dropped, equal values merged, sorted ascending,
    /// and the accessors read what was built. (Mutation testing: `len` → 0
    /// went unseen, since the closed forms only iterate.)
    #[test]
    fn groups_are_distinct_positive_values_with_their_counts() {
        let g = Grouped::new(&[0.2, 0.0, 0.05, 0.2, 0.05, 0.2, 0.5]);
        assert_eq!(g.probs, vec![0.05, 0.2, 0.5]);
        assert_eq!(g.counts, vec![2.0, 3.0, 1.0]);
        assert_eq!((g.len(), g.is_empty()), (3, false));
        assert!((g.mass() - 1.2).abs() < 1e-15, "{}", g.mass());
        assert_eq!(g.iter().collect::<Vec<_>>(), vec![(0.05, 2.0), (0.2, 3.0), (0.5, 1.0)]);
        let none = Grouped::new(&[0.0, 0.0]);
        assert_eq!((none.len(), none.is_empty(), none.mass()), (0, true, 0.0));
    }
}
