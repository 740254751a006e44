//! Questions whose wrong answers are spread thin: the shape in which SC's
//! and PC's model error is large and a probability-weighted vote (CISC)
//! can beat them.

use crate::distribution::PathDistribution;
use rand::Rng;

/// `n_questions` questions: the correct answer `A` is reached by two fairly
/// probable paths (mass `m ~ U(0.25, 0.55)`, split 0.7 / 0.3) while three
/// wrong answers share `1 − m` (uniform spacings) over 12 equal paths each.
pub fn diffuse_wrong(n_questions: usize, rng: &mut impl Rng) -> Vec<PathDistribution> {
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
            PathDistribution::from_weights(&groups, Some("A")).expect("positive weights")
        })
        .collect()
}
