//! The discrete priors of a plan (the share grid, the grid of processes):
//! observations counted once per distinct value, a posterior as a
//! cumulative distribution, and a draw from it.

use rand::Rng;

/// Distinct keys with their multiplicities, in key order — EM and the fits
/// run on these, not on every question.
pub fn histogram<K: Ord>(keys: impl IntoIterator<Item = K>) -> Vec<(K, f64)> {
    let mut keys: Vec<K> = keys.into_iter().collect();
    keys.sort_unstable();
    let mut hist: Vec<(K, f64)> = Vec::new();
    for k in keys {
        match hist.last_mut() {
            Some((key, w)) if *key == k => *w += 1.0,
            _ => hist.push((k, 1.0)),
        }
    }
    hist
}

/// `prior_j · likelihood_j`, normalised and accumulated: the posterior's
/// cumulative distribution (last entry 1).
pub fn posterior_cdf(prior: &[f64], likelihood: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    let mut cdf: Vec<f64> = prior
        .iter()
        .zip(likelihood)
        .map(|(a, b)| {
            acc += a * b;
            acc
        })
        .collect();
    cdf.iter_mut().for_each(|x| *x /= acc);
    cdf
}

/// An index drawn from a cumulative distribution.
pub fn draw(cdf: &[f64], rng: &mut impl Rng) -> usize {
    let u: f64 = rng.random();
    cdf.partition_point(|&x| x <= u).min(cdf.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_count_and_posteriors_accumulate() {
        assert_eq!(histogram([3, 1, 3, 2, 3]), vec![(1, 1.0), (2, 1.0), (3, 3.0)]);
        let cdf = posterior_cdf(&[0.5, 0.25, 0.25], &[0.0, 1.0, 3.0]);
        assert_eq!(cdf, vec![0.0, 0.25, 1.0]);
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        assert!((0..100).all(|_| draw(&cdf, &mut rng) != 0));
    }
}
