//! ESC's exact accuracy for any number of answers.
//!
//! ESC (Li et al., ICLR 2024) draws windows of `W` samples, at most `m = L/W`
//! of them, and stops at the first unanimous window. Windows are independent,
//! so with `q = Σ_a p_a^W`:
//!
//! - the first unanimous window is the `i`-th, with answer `a`, with
//!   probability `(1 − q)^{i−1} p_a^W` — the window answer's accuracy is
//!   `Σ_i (1 − q)^{i−1} p_c^W` for the correct answer `c`;
//! - the hard part is the plurality of the samples that did *not* stop: all
//!   `m` windows non-unanimous (the fallthrough), or, for the `:majority`
//!   variant, `i − 1` non-unanimous windows followed by a unanimous one.
//!
//! **Inclusion–exclusion over windows.** For `j` independent windows, the
//! probability that none is unanimous and the counts are `c` is
//!
//! `Σ_{J} (−1)^J · j!/(j−J)! · (W(j−J))! · Π_a p_a^{W u_a + x_a} / (u_a! x_a!)`,
//!
//! summed over per-answer splits `c_a = W u_a + x_a` (`u_a` windows forced
//! unanimous on `a`, `x_a` free samples) with `J = Σ u_a` and
//! `Σ x_a = W (j − J)`: choose which `J` windows are forced (and on what), the
//! rest is a free multinomial of `W(j − J)` samples. Every factor but the
//! global one is a product over answers, so, as for SC's exact accuracy
//! ([`crate::accuracy::sc`]), condition on the correct answer's count `k` and
//! pass once over the wrong answers with state `(J, X = Σ x, T)` — `T` the
//! number of wrong answers tied at `k` (credit `1/(1+T)`), counts above `k`
//! dropped — plus a flag for the answer carrying the final unanimous window
//! (`:majority`). The cost is polynomial: about `K · L · (L/W)² · L · K`
//! operations, a few tens of millions for `K = 10`, `L = 40`.
//!
//! The alternating sum loses at most `ε·(1 + q)^m` in absolute terms (each
//! term is bounded by the corresponding term of `(1 + q)^m`), under `1e-13`
//! for `m ≤ 24`; longer runs (`m > 24` or `L > 160`, where `x!` leaves the
//! double range) are refused and fall back to Monte Carlo.

use super::outcome::ExactCost;
use super::rule::EscAnswer;

/// ESC's expected samples (Li et al.): with `q = Σ_a p_a^W` the chance that a
/// window is unanimous and `m = L / W` windows,
/// `E[N] = W · [Σ_{i=0}^{m−2} (i+1) q (1−q)^i + m (1−q)^{m−1}]`.
pub fn esc_expected_samples(masses: &[f64], window: usize, max: usize) -> f64 {
    let q: f64 = masses.iter().map(|p| p.powi(window as i32)).sum();
    let m = max / window;
    let body: f64 = (0..m.saturating_sub(1)).map(|i| (i + 1) as f64 * q * (1.0 - q).powi(i as i32)).sum();
    window as f64 * (body + m as f64 * (1.0 - q).powi(m as i32 - 1))
}

/// Most windows the alternating sum is trusted with.
pub const MAX_WINDOWS: usize = 24;
/// Most samples (`x!` must stay a finite double).
pub const MAX_SAMPLES: usize = 160;

/// ESC's exact expected samples and accuracy (ties split), or `None` beyond
/// [`MAX_WINDOWS`] windows or [`MAX_SAMPLES`] samples.
pub fn esc_exact(masses: &[f64], correct: Option<usize>, window: usize, max: usize, answer: EscAnswer) -> Option<ExactCost> {
    let (w, l) = (window, max);
    if w == 0 || l / w > MAX_WINDOWS || l > MAX_SAMPLES {
        return None;
    }
    let m = l / w;
    let expected_samples = esc_expected_samples(masses, w, l);
    let Some(c) = correct else {
        return Some(ExactCost { expected_samples, accuracy: 0.0 });
    };
    let q: f64 = masses.iter().map(|p| p.powi(w as i32)).sum();
    let mut inv_fact = vec![1.0f64; l + 1];
    for x in 1..=l {
        inv_fact[x] = inv_fact[x - 1] / x as f64;
    }
    let fact = |x: usize| 1.0 / inv_fact[x];
    // Per answer, the weight of a split (u forced windows, x free samples,
    // f = 1 if it also carries the final unanimous window): (−1)^u p^{Wu+x+Wf} / (u! x!).
    let weight = |p: f64, u: usize, x: usize, f: usize| {
        let sign = if u.is_multiple_of(2) { 1.0 } else { -1.0 };
        sign * p.powi((w * (u + f) + x) as i32) * inv_fact[u] * inv_fact[x]
    };
    let wrong: Vec<f64> = masses.iter().enumerate().filter(|&(a, &p)| a != c && p > 0.0).map(|(_, &p)| p).collect();
    let pc = masses[c];
    let flags = if answer == EscAnswer::Majority { 2 } else { 1 };
    let tn = wrong.len() + 1;
    let idx = |f: usize, j: usize, x: usize, t: usize| ((f * (m + 1) + j) * (l + 1) + x) * tn + t;
    let size = flags * (m + 1) * (l + 1) * tn;
    let (mut fallthrough, mut last_window) = (0.0, 0.0);
    for k in 0..=l {
        // Wrong answers: state (f, J, X, T) with W·J + X + W·f ≤ L − k.
        let budget = l - k;
        let mut cur = vec![0.0f64; size];
        cur[idx(0, 0, 0, 0)] = 1.0;
        for &p in &wrong {
            let mut next = vec![0.0f64; size];
            for f in 0..flags {
                for j in 0..=m {
                    for x in 0..=budget {
                        if w * (j + f) + x > budget {
                            break;
                        }
                        for t in 0..tn {
                            let v = cur[idx(f, j, x, t)];
                            if v == 0.0 {
                                continue;
                            }
                            for g in 0..flags - f {
                                for u in 0..=m - j {
                                    for y in 0.. {
                                        let count = w * (u + g) + y;
                                        let used = w * (j + u + f + g) + x + y;
                                        if count > k || used > budget {
                                            break;
                                        }
                                        let tie = usize::from(count == k);
                                        next[idx(f + g, j + u, x + y, t + tie)] += v * weight(p, u, y, g);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            cur = next;
        }
        // The correct answer's splits, then the global factor per state.
        for e in 0..flags {
            for uc in 0..=m {
                let forced = w * (uc + e);
                if forced > k {
                    break;
                }
                let xc = k - forced;
                let fc = weight(pc, uc, xc, e);
                for f in 0..flags - e {
                    for jw in 0..=m - uc {
                        for xw in 0..=budget {
                            let (jj, xx) = (uc + jw, xc + xw);
                            if xx % w != 0 {
                                continue;
                            }
                            let j = jj + xx / w;
                            let last = f + e == 1;
                            if (last && j + 1 > m) || (!last && j != m) {
                                continue;
                            }
                            let global = fact(j) * inv_fact[j - jj] * fact(w * (j - jj));
                            for t in 0..tn {
                                let v = cur[idx(f, jw, xw, t)];
                                if v != 0.0 {
                                    let term = fc * v * global / (1 + t) as f64;
                                    if last {
                                        last_window += term;
                                    } else {
                                        fallthrough += term;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    let stopped = match answer {
        EscAnswer::Window => (0..m).map(|i| (1.0 - q).powi(i as i32) * pc.powi(w as i32)).sum(),
        EscAnswer::Majority => last_window,
    };
    Some(ExactCost { expected_samples, accuracy: (stopped + fallthrough).clamp(0.0, 1.0) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stopping::count_vectors::count_programme;
    use crate::stopping::enumerate::enumerate_cost;
    use crate::stopping::StopRule;

    #[test]
    fn esc_programme_equals_enumeration_and_the_count_vector_programme() {
        let cases: [(&[f64], Option<usize>); 5] =
            [(&[0.6, 0.4], Some(0)), (&[0.5, 0.3, 0.2], Some(1)), (&[0.25, 0.25, 0.5], Some(0)), (&[0.4, 0.3, 0.2, 0.1], Some(3)), (&[0.7, 0.2, 0.1], None)];
        for (masses, y) in cases {
            for text in ["esc:2:8", "esc:2:8:majority", "esc:3:6", "esc:3:6:majority", "esc:1:4", "esc:4:8:majority"] {
                let rule: StopRule = text.parse().unwrap();
                let StopRule::Esc { window, max, answer } = rule else { unreachable!() };
                let got = esc_exact(masses, y, window, max, answer).unwrap();
                let en = enumerate_cost(&rule, masses, y);
                assert!((got.accuracy - en.accuracy).abs() < 1e-13, "{text} {masses:?}: {got:?} vs {en:?}");
                assert!((got.expected_samples - en.expected_samples).abs() < 1e-12);
            }
            for text in ["esc:5:40", "esc:5:40:majority", "esc:4:24:majority"] {
                let rule: StopRule = text.parse().unwrap();
                let StopRule::Esc { window, max, answer } = rule else { unreachable!() };
                let got = esc_exact(masses, y, window, max, answer).unwrap();
                let dp = count_programme(&rule, masses, y).unwrap();
                assert!((got.accuracy - dp.accuracy).abs() < 1e-13, "{text} {masses:?}: {got:?} vs {dp:?}");
            }
        }
    }

    /// Short windows over many answers of near-equal mass: three or more
    /// wrong answers each carrying forced windows, the states where the
    /// budget test on `W(J + u + f + g) + X + y` binds. Against the count
    /// programme to 1e-13. (Mutation testing: `J · u` for `J + u` dropped
    /// states within the budget, changing `esc:2:24` by 3e-5 on five equal
    /// answers, and passed the test above, whose skewed masses make those
    /// states weigh under 1e-13.)
    #[test]
    fn esc_equals_the_count_programme_where_the_budget_binds() {
        let cases: [(&[f64], usize); 3] = [(&[0.25; 4], 2), (&[0.3, 0.3, 0.2, 0.2], 3), (&[0.2; 5], 0)];
        for (masses, y) in cases {
            for text in ["esc:2:24", "esc:2:16:majority", "esc:3:24:majority"] {
                let rule: StopRule = text.parse().unwrap();
                let StopRule::Esc { window, max, answer } = rule else { unreachable!() };
                let got = esc_exact(masses, Some(y), window, max, answer).unwrap();
                let dp = count_programme(&rule, masses, Some(y)).unwrap();
                assert!((got.accuracy - dp.accuracy).abs() < 1e-13, "{text} {masses:?}: {got:?} vs {dp:?}");
            }
        }
    }

    /// The alternating sum is trusted up to [`MAX_WINDOWS`] windows and
    /// [`MAX_SAMPLES`] samples; beyond either, and for a window of 0, ESC's
    /// programme refuses (`exact_cost` then tries the count programme).
    /// (Mutation testing: `&&` for `||` dropped the sample limit, and a
    /// window of 0 divided by zero before it was tested.)
    #[test]
    fn esc_refuses_runs_beyond_its_limits() {
        let run = |w: usize, l: usize| esc_exact(&[0.6, 0.4], Some(0), w, l, EscAnswer::Window);
        assert!(run(6, 144).is_some(), "24 windows, 144 samples");
        assert!(run(8, 160).is_some(), "20 windows, 160 samples");
        assert!(run(7, 168).is_none(), "24 windows, 168 samples");
        assert!(run(6, 150).is_none(), "25 windows");
        assert!(run(0, 10).is_none(), "no window");
    }
}
