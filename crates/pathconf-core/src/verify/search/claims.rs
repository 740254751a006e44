//! The paper's claims as checks on one [`Case`], inside their hypothesis and
//! outside it.
//!
//! Each check compares what the paper prints with the exact value and says
//! whether the claim holds on the case (an equality to [`EQ_TOL`], a bound
//! to [`BOUND_TOL`]). Exact values come from computations independent of the
//! printed forms: SC's error by summing the binomial (or, for a finite pool,
//! the hypergeometric) distribution of its count, PC's moments from
//! pathconf's exact formulas (checked against enumeration of every n-tuple
//! in `crates/pathconf-core/tests/properties.rs` and by `verify`), reasoning errors from those
//! moments through the identity `E[(p̂ − I)²] = E[(p̂ − p)²] + 2(p − I)(E[p̂]
//! − p) + (p − I)²`, and Theorem 7's probabilities by an exact dynamic
//! programme over the sampled paths' integer weights.

use super::case::{Case, Shape};
use crate::theory::paper;
use crate::theory::pc::pc_moments;
use serde::Serialize;
use statrs::function::factorial::ln_binomial;

/// Tolerance of a printed equality (absolute; every quantity is in [0, 1]).
pub const EQ_TOL: f64 = 1e-10;
/// Slack of a printed bound.
pub const BOUND_TOL: f64 = 1e-12;

/// Which side of a claim's hypothesis a case is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Hypothesis {
    /// The cases the paper states the claim for.
    Inside,
    /// Cases it does not cover (where practice meets it).
    Outside,
}

/// A claim on one case: the printed and the exact value where the claim is
/// furthest from holding.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What the paper prints.
    pub printed: f64,
    /// The exact value.
    pub exact: f64,
    /// Whether the claim holds on the case.
    pub holds: bool,
    /// Where (answer, path, `k̂`).
    pub detail: String,
    /// The threshold the claim used, if it has one (RP's `τ`; Theorem 7's
    /// `τ = p(y|x)`).
    pub tau: Option<f64>,
}

impl Check {
    fn with_tau(self, tau: f64) -> Self {
        Self { tau: Some(tau), ..self }
    }
}

/// One claim under search.
pub struct SearchClaim {
    /// Identifier (as `verify`'s).
    pub id: &'static str,
    /// What is claimed.
    pub statement: &'static str,
    /// The hypothesis, and what lies outside it.
    pub inside: &'static str,
    /// What the outside cases are.
    pub outside: &'static str,
    /// The cases searched.
    pub shape: Shape,
    /// The check (`None`: the case has nothing on that side).
    pub check: fn(&Case, Hypothesis) -> Option<Check>,
}

/// The claims searched, in report order.
pub fn search_claims() -> Vec<SearchClaim> {
    let small = Shape { max_n: 16, ..Shape::default() };
    let ints = Shape { tiny: false, max_n: 24, ..Shape::default() };
    vec![
        SearchClaim {
            id: "prop1",
            statement: "Prop. 1: R = E[(p̂ − p)²] + (p − I)² (no cross term)",
            inside: "an unbiased estimator (SC)",
            outside: "the biased estimators the paper applies it to (PC, RP(τ), PPL's paths)",
            shape: Shape::default(),
            check: prop1,
        },
        SearchClaim {
            id: "prop2",
            statement: "Prop. 2: E[(p̂_SC − p)²] = p(1 − p)/n",
            inside: "n i.i.d. draws",
            outside: "n draws without replacement from a finite pool of paths (weight = copies), as when subsampling a file",
            shape: Shape { tiny: false, ..Shape::default() },
            check: prop2,
        },
        SearchClaim {
            id: "prop3",
            statement: "Prop. 3: E[(p̂_PPL(t) − p_t)²] = (1 − p_t)^n p_t²",
            inside: "n i.i.d. draws",
            outside: "n draws without replacement from a finite pool of paths",
            shape: Shape { tiny: false, ..Shape::default() },
            check: prop3,
        },
        SearchClaim {
            id: "prop4",
            statement: "Prop. 4: PPL's model error (p_t − I)² is at least SC's (p_a − I)²",
            inside: "the paths of the correct answer (the proposition's case)",
            outside: "the paths of a wrong answer",
            shape: Shape::default(),
            check: prop4,
        },
        SearchClaim {
            id: "thm4",
            statement: "Thm. 4 as printed: R_PC = α^n p(2I − (1 + α^n)p) + (p − I)², α = 1 − p/k",
            inside: "an answer of k equally likely paths",
            outside: "an answer of k unequal paths",
            shape: small,
            check: thm4,
        },
        SearchClaim {
            id: "thm4_rate",
            statement: "Thm. 4's rate as a bound: E[(p̂_PC − p)²] ≤ α^n p², α = 1 − p/k",
            inside: "an answer of k equally likely paths",
            outside: "an answer of k unequal paths",
            shape: small,
            check: thm4_rate,
        },
        SearchClaim {
            id: "remark6",
            statement: "Remark 6 (α = 1 − p, one path): α^n ≈ 1/(1 + np) as p → 0, read as the bound α^n ≤ 1/(1 + np)",
            inside: "np ≤ 1 (the small-p regime)",
            outside: "np > 1",
            shape: Shape { max_n: 400, ..Shape::default() },
            check: remark6,
        },
        SearchClaim {
            id: "thm7",
            statement: "Thm. 7, read as its proof (A.4) argues: with τ = p(y|x), a wrong answer ŷ with p(ŷ) < τ is pruned — (k/k̂)Σ_{i≤k̂} p(t̃_i) < τ — \
                        with probability ≥ 1 − exp(−(2k̂/k²)(1 − τ/(1 − α))²), α = 1 − p(ŷ)/k, given its k̂ ≥ 1 draws",
            inside: "ŷ has k equally likely paths (the paper's setting)",
            outside: "ŷ's paths are unequal",
            shape: ints,
            check: thm7_conditional,
        },
        SearchClaim {
            id: "thm7_unconditional",
            statement: "Thm. 7 with k̂ random (Binomial(n, p(ŷ)); an answer never drawn casts no vote): P(ŷ pruned) ≥ E[the printed bound at k̂]",
            inside: "ŷ has k equally likely paths (the paper's setting)",
            outside: "ŷ's paths are unequal",
            shape: ints,
            check: thm7_unconditional,
        },
    ]
}

/// Of several checks, the one furthest from holding: a failure with the
/// largest gap, else the largest gap.
fn worst(checks: impl IntoIterator<Item = Check>) -> Option<Check> {
    checks.into_iter().max_by(|a, b| (!a.holds).cmp(&!b.holds).then((a.printed - a.exact).abs().total_cmp(&(b.printed - b.exact).abs())))
}

fn equality(printed: f64, exact: f64, detail: String) -> Check {
    Check { printed, exact, holds: (printed - exact).abs() <= EQ_TOL, detail, tau: None }
}

/// `exact ≤ printed` (a printed upper bound).
fn upper_bound(printed: f64, exact: f64, detail: String) -> Check {
    Check { printed, exact, holds: exact <= printed + BOUND_TOL, detail, tau: None }
}

/// `exact ≥ printed` (a printed lower bound).
fn lower_bound(printed: f64, exact: f64, detail: String) -> Check {
    Check { printed, exact, holds: exact >= printed - BOUND_TOL, detail, tau: None }
}

/// `E[(p̂ − I)²]` from `E[p̂]` and `E[(p̂ − p)²]`.
fn reasoning_error(p: f64, indicator: f64, mean: f64, mse: f64) -> f64 {
    mse + 2.0 * (p - indicator) * (mean - p) + (p - indicator).powi(2)
}

/// `P(K = k)` for `K ~ Binomial(n, p)`.
fn binomial_pmf(n: u64, k: u64, p: f64) -> f64 {
    if p == 0.0 || p == 1.0 {
        return f64::from(u8::from((p == 0.0 && k == 0) || (p == 1.0 && k == n)));
    }
    (ln_binomial(n, k) + k as f64 * p.ln() + (n - k) as f64 * (-p).ln_1p()).exp()
}

/// `E[K/n]` and `E[(K/n − p)²]` for `K ~ Binomial(n, p)`, by summing the
/// distribution.
fn binomial_moments(p: f64, n: u64) -> (f64, f64) {
    (0..=n).fold((0.0, 0.0), |(m, e), k| {
        let (w, x) = (binomial_pmf(n, k, p), k as f64 / n as f64);
        (m + w * x, e + w * (x - p).powi(2))
    })
}

/// `E[(K/n − c/N)²]` for `K ~ Hypergeometric(N, c, n)`, by summing it.
fn hypergeometric_mse(pool: u64, c: u64, n: u64) -> f64 {
    let f = c as f64 / pool as f64;
    (0..=n.min(c))
        .filter(|&k| n - k <= pool - c)
        .map(|k| (ln_binomial(c, k) + ln_binomial(pool - c, n - k) - ln_binomial(pool, n)).exp() * (k as f64 / n as f64 - f).powi(2))
        .sum()
}

fn prop1(case: &Case, h: Hypothesis) -> Option<Check> {
    let d = case.dist();
    let n = case.n;
    let mut out = Vec::new();
    for a in 0..d.n_answers() {
        let (p, ind) = (d.answer_mass(a), d.indicator(a));
        let probs = d.probs_of(a);
        match h {
            Hypothesis::Inside => {
                let (mean, mse) = binomial_moments(p, n);
                out.push(equality(paper::prop1_two_term(p, ind, mse), reasoning_error(p, ind, mean, mse), format!("SC, answer a{a}")));
            }
            Hypothesis::Outside => {
                let pc = pc_moments(&probs, n);
                out.push(equality(paper::prop1_two_term(p, ind, pc.mse), reasoning_error(p, ind, pc.mean, pc.mse), format!("PC, answer a{a}")));
                let rp = crate::theory::rp::rp_moments(&probs, n, case.tau());
                out.push(
                    equality(paper::prop1_two_term(p, ind, rp.mse), reasoning_error(p, ind, rp.mean, rp.mse), format!("RP(τ), answer a{a}"))
                        .with_tau(case.tau()),
                );
                for (j, &pt) in probs.iter().enumerate() {
                    // p̂ = p_t S_t: mean p_t(1 − (1 − p_t)^n), MSE p_t²(1 − p_t)^n.
                    let miss = crate::theory::miss(pt, n);
                    out.push(equality(
                        paper::prop1_two_term(pt, ind, pt * pt * miss),
                        reasoning_error(pt, ind, pt * (1.0 - miss), pt * pt * miss),
                        format!("PPL, answer a{a}, path {j}"),
                    ));
                }
            }
        }
    }
    worst(out)
}

fn prop2(case: &Case, h: Hypothesis) -> Option<Check> {
    let d = case.dist();
    let pool = case.weights.iter().flatten().sum::<f64>() as u64;
    if h == Hypothesis::Outside && case.n > pool {
        return None;
    }
    worst((0..d.n_answers()).map(|a| {
        let p = d.answer_mass(a);
        let exact = match h {
            Hypothesis::Inside => binomial_moments(p, case.n).1,
            Hypothesis::Outside => hypergeometric_mse(pool, case.weights[a].iter().sum::<f64>() as u64, case.n),
        };
        equality(paper::prop2_estimation(p, case.n), exact, format!("answer a{a}"))
    }))
}

fn prop3(case: &Case, h: Hypothesis) -> Option<Check> {
    let pool = case.weights.iter().flatten().sum::<f64>() as u64;
    if h == Hypothesis::Outside && case.n > pool {
        return None;
    }
    let masses = case.masses();
    let mut out = Vec::new();
    for (a, probs) in masses.iter().enumerate() {
        for (j, &pt) in probs.iter().enumerate() {
            // p̂ = p_t S_t: its error is p_t² P(t never drawn).
            let missed = match h {
                Hypothesis::Inside => (1.0 - pt).powi(case.n as i32),
                Hypothesis::Outside => crate::theory::pool::miss_probability(pool as usize, case.weights[a][j] as usize, case.n as usize),
            };
            out.push(equality(paper::prop3_estimation(pt, case.n), pt * pt * missed, format!("answer a{a}, path {j}")));
        }
    }
    worst(out)
}

fn prop4(case: &Case, h: Hypothesis) -> Option<Check> {
    let d = case.dist();
    let answers: Vec<usize> = match h {
        Hypothesis::Inside => vec![case.correct],
        Hypothesis::Outside => (0..d.n_answers()).filter(|&a| a != case.correct).collect(),
    };
    worst(answers.into_iter().flat_map(|a| {
        let (p, ind) = (d.answer_mass(a), d.indicator(a));
        d.probs_of(a)
            .into_iter()
            .enumerate()
            .map(move |(j, pt)| lower_bound((p - ind).powi(2), (pt - ind).powi(2), format!("answer a{a}, path {j}")))
            .collect::<Vec<_>>()
    }))
}

/// The answers on `h`'s side of "k equally likely paths", with `k`.
fn by_equal_paths(case: &Case, h: Hypothesis) -> Vec<(usize, usize)> {
    let d = case.dist();
    (0..d.n_answers())
        .filter_map(|a| {
            let probs = d.probs_of(a);
            let equal = paper::equal_path_count(&probs).is_some();
            (equal == (h == Hypothesis::Inside)).then_some((a, probs.len()))
        })
        .collect()
}

fn thm4(case: &Case, h: Hypothesis) -> Option<Check> {
    let d = case.dist();
    worst(by_equal_paths(case, h).into_iter().map(|(a, k)| {
        let (p, ind) = (d.answer_mass(a), d.indicator(a));
        let m = pc_moments(&d.probs_of(a), case.n);
        equality(paper::thm4_reasoning(p, k, ind, case.n), reasoning_error(p, ind, m.mean, m.mse), format!("answer a{a} (k = {k})"))
    }))
}

fn thm4_rate(case: &Case, h: Hypothesis) -> Option<Check> {
    let d = case.dist();
    worst(by_equal_paths(case, h).into_iter().map(|(a, k)| {
        let m = pc_moments(&d.probs_of(a), case.n);
        upper_bound(paper::thm4_rate(d.answer_mass(a), k, case.n), m.mse, format!("answer a{a} (k = {k})"))
    }))
}

fn remark6(case: &Case, h: Hypothesis) -> Option<Check> {
    let n = case.n as f64;
    worst(
        case.masses()
            .into_iter()
            .flatten()
            .filter(|&p| (n * p <= 1.0) == (h == Hypothesis::Inside))
            .map(|p| upper_bound(1.0 / (1.0 + n * p), crate::theory::miss(p, case.n), format!("p = {p:.4}"))),
    )
}

/// Theorem 7's printed lower bound at `k̂` for an answer of mass `p` with
/// `k` paths, `τ` the correct answer's mass.
pub fn thm7_bound(k_hat: u64, k: usize, p: f64, tau: f64) -> f64 {
    let alpha = 1.0 - p / k as f64;
    1.0 - (-(2.0 * k_hat as f64 / (k * k) as f64) * (1.0 - tau / (1.0 - alpha)).powi(2)).exp()
}

/// For `k̂ = 0..=n`: the exact probability that `k̂` draws from the paths of
/// weights `w` (drawn ∝ weight) make the proof's estimate fall below `τ`,
/// `(k/k̂) Σ p(t̃_i) < τ` with `τ = W_y / W` — in integers,
/// `k Σ w(t̃_i) < k̂ W_y` (`k = w.len()`). `k̂ = 0` draws casts no vote:
/// probability 1 (pruned, in effect).
pub fn thm7_prune_probabilities(w: &[u64], w_correct: u64, n: u64) -> Vec<f64> {
    let k = w.len() as u64;
    let total: u64 = w.iter().sum();
    let max = w.iter().max().copied().unwrap_or(0) as usize * n as usize;
    let mut dist = vec![0.0f64; max + 1];
    dist[0] = 1.0;
    let mut out = vec![1.0];
    for j in 1..=n as usize {
        let mut next = vec![0.0f64; max + 1];
        for (s, &q) in dist.iter().enumerate().filter(|(_, q)| **q > 0.0) {
            for &wt in w {
                next[s + wt as usize] += q * wt as f64 / total as f64;
            }
        }
        dist = next;
        out.push(dist.iter().enumerate().filter(|(s, _)| k * (*s as u64) < j as u64 * w_correct).map(|(_, q)| q).sum());
    }
    out
}

/// Theorem 7 with `k̂ ~ Binomial(n, p)` (the draws of an answer of mass
/// `p` and `k` paths): `(P(pruned), E[printed bound at k̂])`, from the
/// conditional probabilities `prune[k̂]` ([`thm7_prune_probabilities`];
/// `k̂ = 0`: no vote, pruned in effect, bound 0).
pub fn thm7_over_k_hat(prune: &[f64], n: u64, k: usize, p: f64, tau: f64) -> (f64, f64) {
    let event = (0..=n).map(|j| binomial_pmf(n, j, p) * prune[j as usize]).sum();
    let bound = (1..=n).map(|j| binomial_pmf(n, j, p) * thm7_bound(j, k, p, tau)).sum();
    (event, bound)
}

/// The wrong answers that pruning should remove (`p(ŷ) < τ = p(y)`), on
/// `h`'s side of "equal paths": `(answer, integer weights)`.
fn thm7_answers(case: &Case, h: Hypothesis) -> Vec<(usize, Vec<u64>)> {
    let wy: f64 = case.weights[case.correct].iter().sum();
    by_equal_paths(case, h)
        .into_iter()
        .filter(|&(a, _)| a != case.correct && case.weights[a].iter().sum::<f64>() < wy)
        .map(|(a, _)| (a, case.weights[a].iter().map(|&w| w as u64).collect()))
        .collect()
}

fn thm7_conditional(case: &Case, h: Hypothesis) -> Option<Check> {
    if !case.is_pool() {
        return None;
    }
    let d = case.dist();
    let (tau, wy) = (d.answer_mass(case.correct), case.weights[case.correct].iter().sum::<f64>() as u64);
    worst(thm7_answers(case, h).into_iter().flat_map(|(a, w)| {
        let (p, k) = (d.answer_mass(a), w.len());
        let exact = thm7_prune_probabilities(&w, wy, case.n);
        (1..=case.n)
            .map(move |j| lower_bound(thm7_bound(j, k, p, tau), exact[j as usize], format!("answer a{a} (k = {k}), k̂ = {j}")).with_tau(tau))
            .collect::<Vec<_>>()
    }))
}

fn thm7_unconditional(case: &Case, h: Hypothesis) -> Option<Check> {
    if !case.is_pool() {
        return None;
    }
    let d = case.dist();
    let (tau, wy) = (d.answer_mass(case.correct), case.weights[case.correct].iter().sum::<f64>() as u64);
    let n = case.n;
    worst(thm7_answers(case, h).into_iter().map(|(a, w)| {
        let (p, k) = (d.answer_mass(a), w.len());
        let (event, bound) = thm7_over_k_hat(&thm7_prune_probabilities(&w, wy, n), n, k, p, tau);
        lower_bound(bound, event, format!("answer a{a} (k = {k})")).with_tau(tau)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summed_distributions_equal_their_closed_forms() {
        for (p, n) in [(0.3, 1), (0.5, 7), (0.01, 40), (0.0, 3), (1.0, 3)] {
            let (mean, mse) = binomial_moments(p, n);
            assert!((mean - p).abs() < 1e-14 && (mse - p * (1.0 - p) / n as f64).abs() < 1e-14, "{p} {n}");
        }
        for (pool, c, n) in [(10, 3, 4), (7, 7, 2), (20, 1, 20), (5, 2, 1)] {
            assert!((hypergeometric_mse(pool, c, n) - crate::theory::pool::sc_pool_error(pool as usize, c as usize, n as usize)).abs() < 1e-14);
        }
    }

    #[test]
    fn theorem7_probabilities_equal_enumeration_of_every_draw_sequence() {
        // Paths of weights 3, 1 (answer ŷ), the correct answer's weight 5.
        let (w, wy, n) = ([3u64, 1], 5u64, 4u64);
        let dp = thm7_prune_probabilities(&w, wy, n);
        for j in 1..=n {
            let mut p = 0.0;
            for seq in 0..(1u64 << j) {
                let picks: Vec<u64> = (0..j).map(|i| w[((seq >> i) & 1) as usize]).collect();
                let prob: f64 = picks.iter().map(|&x| x as f64 / 4.0).product();
                if 2 * picks.iter().sum::<u64>() < j * wy {
                    p += prob;
                }
            }
            assert!((dp[j as usize] - p).abs() < 1e-14, "k̂ = {j}: {} vs {p}", dp[j as usize]);
        }
    }
}
