//! Exact selection accuracy of PPL: the answer of the most probable distinct
//! sampled path (answers tied at the top split the credit).
//!
//! Group the paths into tiers of equal probability `π_j`, most probable
//! first; tier `j` has `L_j` paths, mass `P_j = π_j L_j`, and the tiers above
//! it have mass `H_j`. Tier `j` is the top sampled tier with exactly `s`
//! of the `n` samples in it with probability `C(n, s) P_j^s (1 − H_j − P_j)^{n−s}`,
//! `s ≥ 1`. Each of those `s` samples lands on answer `a` with probability
//! `r_a / L_j` (`r_a` = the tier's paths of `a`), so the credit is
//! `E[1[c_y ≥ 1] / #{a : c_a ≥ 1}]` under `Multinomial(s, r / L_j)` — a small
//! programme over the tier's answers. A tier with one answer gives credit
//! `1[a = y]` whatever `s`, so it needs only `(1 − H_j)^n − (1 − H_j − P_j)^n`.
//! The confidence of the chosen answer is `π_j`.

use super::binomial::ln_pmf;
use crate::distribution::PathDistribution;
use crate::select::THEORY_TIE_TOL;
use crate::theory::miss;

/// Largest `Σ (answers of a mixed tier)² · n_max²` worked exactly.
pub const MAX_WORK: f64 = 4e9;

struct Tier {
    prob: f64,
    mass: f64,
    above: f64,
    /// `(answer, paths)` of the tier.
    answers: Vec<(usize, usize)>,
}

fn tiers(dist: &PathDistribution) -> Vec<Tier> {
    let mut paths: Vec<(f64, usize)> = dist.paths().iter().filter(|p| p.prob > 0.0).map(|p| (p.prob, p.answer)).collect();
    paths.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out: Vec<Tier> = Vec::new();
    let mut above = 0.0;
    let mut i = 0;
    while i < paths.len() {
        let prob = paths[i].0;
        let mut answers: Vec<(usize, usize)> = Vec::new();
        let mut mass = 0.0;
        // Tiers tie within THEORY_TIE_TOL, as the selection does.
        while i < paths.len() && paths[i].0 >= prob - THEORY_TIE_TOL * prob {
            match answers.iter_mut().find(|(a, _)| *a == paths[i].1) {
                Some((_, r)) => *r += 1,
                None => answers.push((paths[i].1, 1)),
            }
            mass += paths[i].0;
            i += 1;
        }
        out.push(Tier { prob, mass, above, answers });
        above += mass;
    }
    out
}

/// Whether the mixed tiers' work, `Σ (answers of a mixed tier)² · n_max²`,
/// is within [`MAX_WORK`]; tiers of one answer cost nothing.
fn fits(tiers: &[Tier], n_max: usize) -> bool {
    let work: f64 = tiers.iter().filter(|t| t.answers.len() > 1).map(|t| (t.answers.len() as f64).powi(2) * (n_max as f64).powi(2)).sum();
    work <= MAX_WORK
}

/// PPL's exact accuracy and expected confidence at each `n` of `ns`, or `None`
/// if a tier mixing answers makes the work exceed [`MAX_WORK`].
pub fn ppl_exact(dist: &PathDistribution, ns: &[u64]) -> Option<Vec<(f64, f64)>> {
    let tiers = tiers(dist);
    let y = dist.correct();
    let n_max = ns.iter().copied().max().unwrap_or(0) as usize;
    if !fits(&tiers, n_max) {
        return None;
    }
    // credit_j(s) for mixed tiers containing y.
    let credits: Vec<Option<Vec<f64>>> = tiers
        .iter()
        .map(|t| match y {
            Some(y) if t.answers.len() > 1 && t.answers.iter().any(|&(a, _)| a == y) => Some(mixed_credit(&t.answers, y, n_max)),
            _ => None,
        })
        .collect();
    Some(
        ns.iter()
            .map(|&n| {
                if n == 0 {
                    return (0.0, 0.0);
                }
                let (mut acc, mut conf) = (0.0, 0.0);
                for (t, credit) in tiers.iter().zip(&credits) {
                    let low = (1.0 - t.above - t.mass).max(0.0);
                    let top = miss(t.above.min(1.0), n) - miss((t.above + t.mass).min(1.0), n);
                    conf += t.prob * top;
                    match credit {
                        Some(c) => {
                            for (s, credit) in c.iter().enumerate().take(n as usize + 1).skip(1) {
                                let ln_w = ln_pmf(n as usize, t.mass / (t.mass + low), s) + (n as f64) * (t.mass + low).ln();
                                acc += ln_w.exp() * credit;
                            }
                        }
                        None => {
                            if t.answers.len() == 1 && Some(t.answers[0].0) == y {
                                acc += top;
                            }
                        }
                    }
                }
                (acc, conf)
            })
            .collect(),
    )
}

/// `E[1[c_y ≥ 1] / #{a : c_a ≥ 1}]` for `s = 0..=s_max` samples spread over
/// the tier's answers in proportion to their path counts.
fn mixed_credit(answers: &[(usize, usize)], y: usize, s_max: usize) -> Vec<f64> {
    let total: usize = answers.iter().map(|a| a.1).sum();
    let r_y = answers.iter().find(|a| a.0 == y).map_or(0, |a| a.1);
    let others: Vec<usize> = answers.iter().filter(|a| a.0 != y).map(|a| a.1).collect();
    let w = others.len() + 1;
    // c[m][t]: P(t of the processed others present | m samples among them).
    let mut c = vec![0.0; (s_max + 1) * w];
    c[0] = 1.0;
    let mut seen = 0usize;
    for &r in &others {
        let pi = r as f64 / (seen + r) as f64;
        let mut next = vec![0.0; (s_max + 1) * w];
        for m in 0..=s_max {
            for j in 0..=m {
                let b = if pi >= 1.0 {
                    if j == m {
                        1.0
                    } else {
                        0.0
                    }
                } else {
                    ln_pmf(m, pi, j).exp()
                };
                if b == 0.0 {
                    continue;
                }
                for t in 0..w {
                    let src = c[(m - j) * w + t];
                    let tt = if j > 0 { t + 1 } else { t };
                    if src != 0.0 && tt < w {
                        next[m * w + tt] += b * src;
                    }
                }
            }
        }
        c = next;
        seen += r;
    }
    let q_y = r_y as f64 / total as f64;
    (0..=s_max)
        .map(|s| {
            (1..=s)
                .map(|j| {
                    let b = ln_pmf(s, q_y, j).exp();
                    b * (0..w).map(|t| c[(s - j) * w + t] / (t + 1) as f64).sum::<f64>()
                })
                .sum::<f64>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tier mixing two answers costs `4 n²`: worked up to n = 31,622
    /// (4e9 − 196,464), refused at 31,623 (4e9 + 56,516); a tier of three
    /// answers costs `9 n²`: worked at 21,081 (4e9 − 322,951), refused at
    /// 21,082 (4e9 + 56,516). Tiers of one answer add nothing (200 of them
    /// here). Checked on `fits` alone: a test calling the programme over the
    /// limit would, under a mutant that ignores the limit, run for minutes
    /// (a timeout, not a failure). (Mutation testing: a limit that counted
    /// no tier at all passed unseen.)
    #[test]
    fn mixed_tiers_over_the_limit_are_refused() {
        let single: Vec<f64> = (1..=200).map(|i| i as f64).collect();
        let two = PathDistribution::from_weights(&[("A".to_string(), [single.clone(), vec![0.5]].concat()), ("B".to_string(), vec![0.5])], Some("A")).unwrap();
        let t = tiers(&two);
        assert_eq!(t.iter().filter(|t| t.answers.len() > 1).count(), 1);
        assert!(fits(&t, 31_622));
        assert!(!fits(&t, 31_623));
        let three = PathDistribution::from_weights(&[("A".to_string(), vec![1.0, 2.0]), ("B".to_string(), vec![1.0]), ("C".to_string(), vec![1.0])], Some("A"))
            .unwrap();
        let t = tiers(&three);
        assert!(fits(&t, 21_081));
        assert!(!fits(&t, 21_082));
        let lone = PathDistribution::from_weights(&[("A".to_string(), single)], Some("A")).unwrap();
        assert!(fits(&tiers(&lone), 1 << 40));
    }
}
