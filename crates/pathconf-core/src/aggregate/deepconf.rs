//! DeepConf offline voting (Fu et al., 2025, §3.1): keep the paths whose
//! trace score ([`crate::confidence::TraceScore`]) is at or above the
//! `(100 − η)`th percentile of the question's scores, then vote with the
//! scores as weights. `η = 100` keeps every path.

/// numpy's `percentile(x, q)` with the default linear interpolation: with
/// `x` sorted ascending, `h = (q / 100)(n − 1)`, `a = x[⌊h⌋]`,
/// `b = x[⌊h⌋ + 1]` and `t = h − ⌊h⌋`, the value `a + t(b − a)`, computed
/// as numpy's `_lerp` does — `b − (1 − t)(b − a)` when `t ≥ ½` — so that the
/// bar has numpy's bits (DeepConf's `≥` keeps a path whose score equals it).
/// `x` non-empty, `q ∈ [0, 100]`.
pub fn percentile_linear(x: &[f64], q: f64) -> f64 {
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let h = (q / 100.0) * (s.len() - 1) as f64;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(s.len() - 1);
    let (a, b, t) = (s[lo], s[hi], h - lo as f64);
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// Which paths DeepConf keeps at `eta` percent: `score ≥ percentile(scores, 100 − η)`
/// (none of none).
pub fn top_eta_keep(scores: &[f64], eta: f64) -> Vec<bool> {
    if scores.is_empty() {
        return Vec::new();
    }
    let bar = percentile_linear(scores, 100.0 - eta);
    scores.iter().map(|&s| s >= bar).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_linear_percentile() {
        // numpy.percentile([1, 2, 3, 4], [0, 10, 50, 90, 100]) = [1, 1.3, 2.5, 3.7, 4].
        let x = [4.0, 1.0, 3.0, 2.0];
        for (q, want) in [(0.0, 1.0), (10.0, 1.3), (50.0, 2.5), (90.0, 3.7), (100.0, 4.0)] {
            assert!((percentile_linear(&x, q) - want).abs() < 1e-12, "{q}");
        }
        assert_eq!(percentile_linear(&[7.0], 90.0), 7.0);
        // numpy 2.x: percentile([0.74, 0.02, 0.06, 0.68], 60) = 0.5559999999999999
        // (its `_lerp` from above for t ≥ ½; `a + t(b − a)` gives 0.556).
        assert_eq!(percentile_linear(&[0.74, 0.02, 0.06, 0.68], 60.0), 0.5559999999999999);
    }

    #[test]
    fn filter_keeps_the_top_and_ties() {
        let s: Vec<f64> = (1..=10).map(f64::from).collect();
        // 90th percentile of 1..10 = 9.1: only 10 is kept.
        assert_eq!(top_eta_keep(&s, 10.0).iter().filter(|k| **k).count(), 1);
        assert!(top_eta_keep(&s, 100.0).iter().all(|k| *k));
        // Ties at the bar keep more than η%.
        let t = [1.0, 5.0, 5.0, 5.0];
        assert_eq!(top_eta_keep(&t, 10.0), vec![false, true, true, true]);
    }
}
