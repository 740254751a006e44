//! Estimation error relative to a finite pool of sampled paths.
//!
//! Real data has no exact path distribution, only a pool of `N` sampled paths
//! per question. Treat the pool as the population: an estimator sees a
//! uniformly random subset `S` of `n` of the `N` paths (without replacement,
//! as `pathconf eval` draws them), and its error is measured against its own
//! value on the whole pool. For a target answer `a`:
//!
//! **SC** (Proposition 2's `p(1 − p)/n`, finite-population form).
//! `p̂_n(a) = #{i ∈ S : g(t_i) = a} / n` is hypergeometric; with pool
//! frequency `f`,
//! ```text
//! E[(p̂_n(a) − f)²] = f (1 − f) / n · (N − n) / (N − 1).
//! ```
//!
//! **PC** (the analogue of Theorem 4's `(1 − p_t)^n` terms). With distinct
//! paths `t` of answer `a`, each `c_t` times in the pool with internal
//! probability `p_t`, `p̂_n(a) = Σ_{t ∈ S} p_t` and
//! `p̂_N(a) − p̂_n(a) = Σ_t p_t 1[t ∉ S]`, so
//! ```text
//! E[(p̂_N − p̂_n)²] = Σ_t p_t² P(t ∉ S) + Σ_{t ≠ s} p_t p_s P(t, s ∉ S),
//! P(t ∉ S) = C(N − c_t, n) / C(N, n),   P(t, s ∉ S) = C(N − c_t − c_s, n) / C(N, n).
//! ```
//! A path seen `c` times is missed with probability
//! `Π_{i<c} (N − n − i)/(N − i) ≈ (1 − c/N)^n`: repeated paths make PC's
//! error fall geometrically, paths seen once only linearly (to 0 at `n = N`).

/// `C(N − c, n) / C(N, n)`: the probability that a uniformly random
/// `n`-subset of `N` items misses `c` given items.
pub fn miss_probability(n_total: usize, c: usize, n: usize) -> f64 {
    assert!(n <= n_total && c <= n_total, "subset of at most N items");
    if c + n > n_total {
        return 0.0;
    }
    (0..c).map(|i| (n_total - n - i) as f64 / (n_total - i) as f64).product()
}

/// SC's exact `E[(p̂_n − f)²]` for a pool of `n_total` paths, `hits` of
/// them with the target answer, subsets of `n`.
pub fn sc_pool_error(n_total: usize, hits: usize, n: usize) -> f64 {
    assert!(n >= 1 && n <= n_total && hits <= n_total);
    if n_total == 1 {
        return 0.0;
    }
    let f = hits as f64 / n_total as f64;
    f * (1.0 - f) / n as f64 * (n_total - n) as f64 / (n_total - 1) as f64
}

/// PC's exact `E[(p̂_N − p̂_n)²]` for the distinct target paths
/// `(count in the pool, internal probability)` of a pool of `n_total`
/// paths, subsets of `n`.
pub fn pc_pool_error(paths: &[(usize, f64)], n_total: usize, n: usize) -> f64 {
    assert!(n >= 1 && n <= n_total);
    let mut sum = 0.0;
    for (i, &(ci, pi)) in paths.iter().enumerate() {
        sum += pi * pi * miss_probability(n_total, ci, n);
        for &(cj, pj) in &paths[i + 1..] {
            sum += 2.0 * pi * pj * miss_probability(n_total, ci + cj, n);
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `n`-subset of `0..n_total`, as index lists.
    fn subsets(n_total: usize, n: usize) -> Vec<Vec<usize>> {
        (0u32..1 << n_total).filter(|m| m.count_ones() as usize == n).map(|m| (0..n_total).filter(|&i| m >> i & 1 == 1).collect()).collect()
    }

    /// A pool of 7 paths: path ids, answers and internal probabilities.
    /// Paths 0 (three copies) and 1 (one copy) have the target answer;
    /// path 2 (three copies) does not.
    fn pool() -> (Vec<usize>, Vec<bool>, Vec<f64>) {
        (vec![0, 2, 1, 0, 2, 0, 2], vec![true, true, false], vec![0.31, 0.07, 0.2])
    }

    #[test]
    fn closed_forms_equal_exhaustive_enumeration_of_subsets() {
        let (ids, target, prob) = pool();
        let n_total = ids.len();
        let hits = ids.iter().filter(|&&t| target[t]).count();
        let f = hits as f64 / n_total as f64;
        let full_pc: f64 = (0..3).filter(|&t| target[t]).map(|t| prob[t]).sum();
        for n in 1..=n_total {
            let all = subsets(n_total, n);
            let (mut sc, mut pc) = (0.0, 0.0);
            for s in &all {
                let share = s.iter().filter(|&&i| target[ids[i]]).count() as f64 / n as f64;
                sc += (share - f).powi(2);
                let mut seen = [false; 3];
                s.iter().for_each(|&i| seen[ids[i]] = true);
                let est: f64 = (0..3).filter(|&t| target[t] && seen[t]).map(|t| prob[t]).sum();
                pc += (est - full_pc).powi(2);
            }
            let (sc, pc) = (sc / all.len() as f64, pc / all.len() as f64);
            let paths: Vec<(usize, f64)> = (0..3).filter(|&t| target[t]).map(|t| (ids.iter().filter(|&&i| i == t).count(), prob[t])).collect();
            assert!((sc_pool_error(n_total, hits, n) - sc).abs() < 1e-14, "SC n = {n}");
            assert!((pc_pool_error(&paths, n_total, n) - pc).abs() < 1e-14, "PC n = {n}");
        }
    }

    #[test]
    fn miss_probability_is_the_hypergeometric_zero() {
        assert_eq!(miss_probability(10, 3, 8), 0.0);
        assert!((miss_probability(10, 2, 3) - (7.0 * 6.0) / (10.0 * 9.0)).abs() < 1e-15);
        assert_eq!(miss_probability(10, 0, 4), 1.0);
    }
}
