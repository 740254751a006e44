//! Per-token signals from a next-token log-probability row `ℓ_j = ln p(j | prefix)`
//! over a vocabulary of `V` tokens.
//!
//! - DeepConf (Fu et al., 2025, eq. 2): `C_t = −(1/k) Σ_{j ∈ top-k} ℓ_j`, the
//!   negated mean log-probability of the `k` most probable tokens (`k = 20`,
//!   vLLM's `logprobs=20`). `C_t` is large when all but the leading
//!   candidates are improbable — a peaked distribution, a confident step —
//!   and small (`≈ ln k`) when the mass is spread evenly over the top `k`.
//! - Self-certainty (Kang et al., 2025, eq. 8): `KL(U ‖ p) = Σ_j (1/V) ln((1/V) / p_j)
//!   = −ln V − (1/V) Σ_j ℓ_j`; it needs the whole row, not the top `k`.

/// DeepConf's `k`: log-probabilities per token it averages.
pub const DEEPCONF_TOP_K: usize = 20;

/// DeepConf's token confidence `C_t = −mean(top)` of the given top
/// log-probabilities (all of them: pass the top `k`). `0` for an empty slice.
pub fn token_confidence(top: &[f64]) -> f64 {
    if top.is_empty() {
        return 0.0;
    }
    -top.iter().sum::<f64>() / top.len() as f64
}

/// `KL(U ‖ p) = −ln V − (1/V) Σ_j ℓ_j` of a full log-probability row
/// (`≥ 0`, `0` only for the uniform row).
pub fn kl_from_uniform(logp: &[f64]) -> f64 {
    let v = logp.len() as f64;
    (-v.ln() - logp.iter().sum::<f64>() / v).max(0.0)
}

/// The `k` largest values of `logp`, in decreasing order, written into `out`
/// (`min(k, V)` of them); `scratch` is reused work space. Linear time
/// (selection, then a sort of the `k`).
pub fn top_k_into(logp: &[f64], k: usize, scratch: &mut Vec<f64>, out: &mut Vec<f64>) {
    out.clear();
    let k = k.min(logp.len());
    if k == 0 {
        return;
    }
    scratch.clear();
    scratch.extend_from_slice(logp);
    let desc = |a: &f64, b: &f64| b.total_cmp(a);
    if k < scratch.len() {
        scratch.select_nth_unstable_by(k - 1, desc);
    }
    out.extend_from_slice(&scratch[..k]);
    out.sort_unstable_by(desc);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_is_the_sorted_head() {
        let row = [-3.0, -0.1, -7.0, -2.0, -0.5, -2.0];
        let (mut s, mut out) = (Vec::new(), Vec::new());
        top_k_into(&row, 3, &mut s, &mut out);
        assert_eq!(out, vec![-0.1, -0.5, -2.0]);
        top_k_into(&row, 10, &mut s, &mut out);
        assert_eq!(out, vec![-0.1, -0.5, -2.0, -2.0, -3.0, -7.0]);
        top_k_into(&row, 0, &mut s, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn kl_from_uniform_by_definition() {
        // p = (1/2, 1/4, 1/4): KL(U‖p) = (1/3) Σ ln((1/3)/p_j).
        let p = [0.5f64, 0.25, 0.25];
        let logp: Vec<f64> = p.iter().map(|x| x.ln()).collect();
        let direct: f64 = p.iter().map(|&pj| (1.0 / 3.0) * ((1.0 / 3.0) / pj).ln()).sum();
        assert!((kl_from_uniform(&logp) - direct).abs() < 1e-15);
        assert_eq!(kl_from_uniform(&[(0.25f64).ln(); 4]), 0.0);
        assert!((token_confidence(&[-1.0, -3.0]) - 2.0).abs() < 1e-15);
    }
}
