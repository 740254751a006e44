//! The paper's setting (Theorem 4): answer `a` has probability `p_a` spread
//! over `k_a` equally likely paths, `α_a = 1 − p_a / k_a`.

use super::answer_name;
use crate::distribution::{DistributionError, PathDistribution};

/// Answer `i` (named `A`, `B`, …) gets `k[i]` paths of probability
/// `answer_probs[i] / k[i]`; answer `A` is correct.
pub fn equal_path_distribution(answer_probs: &[f64], k: &[usize]) -> Result<PathDistribution, DistributionError> {
    let groups: Vec<(String, Vec<f64>)> = answer_probs.iter().zip(k).enumerate().map(|(i, (&p, &k))| (answer_name(i), vec![p / k as f64; k])).collect();
    PathDistribution::new(&groups, Some("A"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn builds_equal_paths() {
        let d = super::equal_path_distribution(&[0.6, 0.4], &[3, 1]).unwrap();
        assert_eq!(d.paths().len(), 4);
        assert!((d.answer_mass(0) - 0.6).abs() < 1e-15);
        assert_eq!(d.correct(), Some(0));
    }
}
