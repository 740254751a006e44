//! The correct answer's share `θ_q` of a question's draws: a population
//! prior `g` estimated across questions, and each question's posterior.
//!
//! Given `θ`, a pilot's correct draws are `c ~ Bin(m, θ)`. The prior is
//! Efron's g-model (Efron 2016, *Empirical Bayes deconvolution estimates*,
//! Biometrika 103:1–20) on the grid `θ_j = j / G`, `j = 0..=G`:
//!
//! ```text
//! g_j(α) = exp(Q_j · α) / Σ_k exp(Q_k · α),
//! ```
//!
//! with `Q_j` the Legendre polynomials `P_1 … P_5` of `2θ_j − 1` and two
//! indicator columns for the atoms `θ = 0` (questions the model never
//! answers right) and `θ = 1` (never wrong). `α` maximises the penalised
//! marginal log-likelihood `Σ_q ln Σ_j L_j(q) g_j(α) − c₀‖α‖` (Efron's
//! penalty, `c₀ = 1`), `L_j(q) = θ_j^{c_q} (1 − θ_j)^{m_q − c_q}`, by
//! L-BFGS ([`crate::optim`]). A smooth family, not the nonparametric MLE:
//! pilots of a few draws identify only a few moments of `g`, and the NPMLE's
//! atoms then jump from one bootstrap resample to the next (measured: pilots
//! of 4 on the SmolLM2 paths gave resampled priors from "every hard question
//! at 0.07" to "half at 0, half at 0.35" — DESIGN).
//!
//! A question's posterior is `g_j L_j(q)` normalised — a unanimous pilot is
//! not taken as certain: it is weighed against how often such pilots came
//! from lower shares in the other questions.

use super::discrete;
use rand::Rng;

/// Grid size `G` (the grid has `G + 1` points).
pub const GRID: usize = 100;

/// Legendre degrees in the basis.
pub const DEGREE: usize = 5;
/// Efron's penalty `c₀`.
pub const PENALTY: f64 = 1.0;

/// A prior of the correct share on the grid `j / G`.
#[derive(Debug, Clone, PartialEq)]
pub struct SharePrior {
    /// Weight of each grid point (sums to one).
    pub weights: Vec<f64>,
}

/// `θ_j = j / G`.
pub fn grid_point(j: usize) -> f64 {
    j as f64 / GRID as f64
}

/// `ln L_j` for `c` correct of `m` at every grid point (`−∞` where zero).
fn ln_likelihood(m: usize, c: usize) -> Vec<f64> {
    (0..=GRID)
        .map(|j| {
            let t = grid_point(j);
            let term = |x: f64, k: usize| if k == 0 { 0.0 } else { k as f64 * x.ln() };
            term(t, c) + term(1.0 - t, m - c)
        })
        .collect()
}

/// `L_j / max_k L_k` (a pilot's likelihood, scaled: EM and the posterior
/// need it only up to a constant).
fn likelihood(m: usize, c: usize) -> Vec<f64> {
    let ln = ln_likelihood(m, c);
    let top = ln.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    ln.into_iter().map(|x| (x - top).exp()).collect()
}

impl SharePrior {
    /// The uniform prior.
    pub fn uniform() -> Self {
        Self { weights: vec![1.0 / (GRID + 1) as f64; GRID + 1] }
    }

    /// The g-model fitted to `(m_q, c_q)` — draws and correct draws — of
    /// each question (deterministic).
    ///
    /// ```
    /// use pathconf_core::plan::share::{SharePrior, GRID};
    /// // Half the questions always right, half always wrong, in pilots of 8:
    /// // the prior puts most of its mass at the two ends.
    /// let obs: Vec<(usize, usize)> = (0..40).map(|q| (8, if q % 2 == 0 { 8 } else { 0 })).collect();
    /// let g = SharePrior::fit(&obs);
    /// let ends: f64 = g.weights[..=5].iter().chain(&g.weights[GRID - 5..]).sum();
    /// assert!(ends > 0.8, "{ends}");
    /// ```
    pub fn fit(observations: &[(usize, usize)]) -> Self {
        // Questions with the same (m, c) share a likelihood: the fit runs on the histogram.
        let hist = discrete::histogram(observations.iter().copied());
        if hist.is_empty() {
            return Self::uniform();
        }
        let rows: Vec<(Vec<f64>, f64)> = hist.iter().map(|&((m, c), w)| (likelihood(m, c), w)).collect();
        let q = basis();
        let p = q[0].len();
        let mut g = vec![0.0; GRID + 1];
        let objective = |a: &[f64], grad: &mut [f64]| -> f64 {
            weights_into(&q, a, &mut g);
            let mean: Vec<f64> = (0..p).map(|k| g.iter().zip(&q).map(|(gj, qj)| gj * qj[k]).sum()).collect();
            grad.iter_mut().for_each(|x| *x = 0.0);
            let mut ll = 0.0;
            for (l, w) in &rows {
                let f: f64 = g.iter().zip(l).map(|(a, b)| a * b).sum();
                ll += w * f.ln();
                for (j, (gj, lj)) in g.iter().zip(l).enumerate() {
                    let post = w * gj * lj / f;
                    for k in 0..p {
                        grad[k] -= post * (q[j][k] - mean[k]);
                    }
                }
            }
            let norm = (a.iter().map(|x| x * x).sum::<f64>() + 1e-12).sqrt();
            for k in 0..p {
                grad[k] += PENALTY * a[k] / norm;
            }
            -ll + PENALTY * norm
        };
        let fit = crate::optim::LbfgsB { pgtol: 1e-7, ..Default::default() }
            .minimize(&vec![0.0; p], &crate::optim::Bounds::unbounded(p), objective)
            .expect("the default settings are valid");
        let mut weights = vec![0.0; GRID + 1];
        weights_into(&q, &fit.x, &mut weights);
        Self { weights }
    }

    /// The posterior over the grid after `c` correct of `m` draws, as a
    /// cumulative distribution (last entry 1).
    pub fn posterior_cdf(&self, m: usize, c: usize) -> Vec<f64> {
        discrete::posterior_cdf(&self.weights, &likelihood(m, c))
    }

    /// The posterior mean of `θ` after `c` correct of `m`.
    pub fn posterior_mean(&self, m: usize, c: usize) -> f64 {
        let l = likelihood(m, c);
        let (num, den) = self.weights.iter().zip(&l).enumerate().fold((0.0, 0.0), |(n, d), (j, (a, b))| (n + grid_point(j) * a * b, d + a * b));
        num / den
    }
}

/// The basis `Q_j`: Legendre `P_1 … P_DEGREE` of `x = 2θ_j − 1`, then the
/// indicators of `θ = 0` and `θ = 1`.
fn basis() -> Vec<Vec<f64>> {
    (0..=GRID)
        .map(|j| {
            let x = 2.0 * grid_point(j) - 1.0;
            // Bonnet's recursion: (k+1) P_{k+1} = (2k+1) x P_k − k P_{k−1}.
            let mut p = vec![1.0, x];
            for k in 1..DEGREE {
                let next = ((2 * k + 1) as f64 * x * p[k] - k as f64 * p[k - 1]) / (k + 1) as f64;
                p.push(next);
            }
            let mut row: Vec<f64> = p[1..=DEGREE].to_vec();
            row.push(if j == 0 { 1.0 } else { 0.0 });
            row.push(if j == GRID { 1.0 } else { 0.0 });
            row
        })
        .collect()
}

/// `g(α)` into `out` (a softmax, shifted by its largest exponent).
fn weights_into(q: &[Vec<f64>], a: &[f64], out: &mut [f64]) {
    for (o, row) in out.iter_mut().zip(q) {
        *o = row.iter().zip(a).map(|(x, y)| x * y).sum();
    }
    let top = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    out.iter_mut().for_each(|x| *x = (*x - top).exp());
    let total: f64 = out.iter().sum();
    out.iter_mut().for_each(|x| *x /= total);
}

/// One draw of `θ` from a posterior given as [`SharePrior::posterior_cdf`].
pub fn sample(cdf: &[f64], rng: &mut impl Rng) -> f64 {
    grid_point(discrete::draw(cdf, rng))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_population_on_one_grid_point_is_recovered() {
        // Pilots of 16 from θ = 0.3 exactly: expected counts, so EM's fixed
        // point lies at and around the atom.
        let obs: Vec<(usize, usize)> = (0..=16usize)
            .flat_map(|c| {
                let w = (crate::accuracy::binomial::ln_pmf(16, 0.3, c).exp() * 10_000.0).round() as usize;
                std::iter::repeat_n((16, c), w)
            })
            .collect();
        let g = SharePrior::fit(&obs);
        let mean: f64 = g.weights.iter().enumerate().map(|(j, w)| grid_point(j) * w).sum();
        assert!((mean - 0.3).abs() < 2e-3, "prior mean {mean}");
        // Pilots of 16 cannot tell 0.3 from its neighbours; the mass stays near it.
        let near: f64 = g.weights[25..=35].iter().sum();
        assert!(near > 0.9, "mass within 0.05 of 0.3: {near}");
    }

    #[test]
    fn the_posterior_weighs_a_unanimous_pilot_against_the_population() {
        // Half the questions at θ = 0.5 and half at 1: a pilot of 4 correct
        // of 4 is (0.5⁴ = 1/16) sixteen times likelier at 1 than at 0.5,
        // so P(θ = 0.5 | 4 of 4) = 1/17 under the true prior.
        let g = SharePrior { weights: (0..=GRID).map(|j| if j == 50 || j == GRID { 0.5 } else { 0.0 }).collect() };
        let cdf = g.posterior_cdf(4, 4);
        assert!((cdf[50] - 1.0 / 17.0).abs() < 1e-12);
        assert!((g.posterior_mean(4, 4) - (0.5 / 17.0 + 16.0 / 17.0)).abs() < 1e-12);
    }

    #[test]
    fn sampling_follows_the_cdf() {
        use rand::SeedableRng;
        let cdf: Vec<f64> = (0..=GRID)
            .map(|j| {
                if j < 20 {
                    0.0
                } else if j < 70 {
                    0.25
                } else {
                    1.0
                }
            })
            .collect();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let draws: Vec<f64> = (0..4000).map(|_| sample(&cdf, &mut rng)).collect();
        let low = draws.iter().filter(|&&t| t == 0.2).count() as f64 / 4000.0;
        // Binomial(4000, 0.25): 5 s.d. = 0.034; false-failure rate < 1e-6.
        assert!((low - 0.25).abs() < 0.034, "{low}");
        assert!(draws.iter().all(|&t| t == 0.2 || t == 0.7));
    }
}
