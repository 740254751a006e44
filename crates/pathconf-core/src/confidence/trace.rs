//! DeepConf's per-path scores (Fu et al., 2025, §2.2) from the token
//! confidences `C_1, …, C_L` of a path and a window of `W` tokens:
//!
//! - group confidences: the means of the `L − W + 1` sliding windows of `W`
//!   consecutive tokens (one group, the whole path, when `L ≤ W`);
//! - `mean`: `(1/L) Σ_t C_t` (the "average trace confidence");
//! - `tail`: the mean of the last `min(W, L)` tokens;
//! - `bottom10`: the mean of the lowest `max(1, ⌊0.1 · #groups⌋)` group means;
//! - `lowest`: the lowest group mean.
//!
//! DeepConf uses `W = 2048` for traces of thousands of tokens. pathconf's
//! default is [`DEFAULT_WINDOW`] `= 8`: short arithmetic paths (tens of
//! tokens) then still have several groups, so `bottom10` and `lowest` look
//! at a local weak spot (a quarter or less of a typical path) rather than
//! collapsing to `mean`, and a group still averages several tokens.

use serde::Serialize;

/// pathconf's default window (tokens) for short paths; see the module docs.
pub const DEFAULT_WINDOW: usize = 8;

/// Which DeepConf score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TraceScore {
    /// Mean token confidence.
    Mean,
    /// Mean of the last `W` tokens.
    Tail,
    /// Mean of the lowest 10% of group means.
    Bottom10,
    /// Lowest group mean.
    Lowest,
}

impl TraceScore {
    /// Every score, in this order.
    pub const ALL: [TraceScore; 4] = [TraceScore::Mean, TraceScore::Tail, TraceScore::Bottom10, TraceScore::Lowest];

    /// Name as typed (`mean`, `tail`, `bottom10`, `lowest`).
    pub fn name(self) -> &'static str {
        match self {
            TraceScore::Mean => "mean",
            TraceScore::Tail => "tail",
            TraceScore::Bottom10 => "bottom10",
            TraceScore::Lowest => "lowest",
        }
    }

    /// The score with this name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == s.trim().to_ascii_lowercase())
    }

    /// The score of a path with token confidences `c` (non-empty) and window
    /// `w ≥ 1`. `NaN` for an empty path.
    pub fn of(self, c: &[f64], w: usize) -> f64 {
        let l = c.len();
        if l == 0 {
            return f64::NAN;
        }
        let w = w.max(1);
        match self {
            TraceScore::Mean => c.iter().sum::<f64>() / l as f64,
            TraceScore::Tail => {
                let t = &c[l - w.min(l)..];
                t.iter().sum::<f64>() / t.len() as f64
            }
            TraceScore::Bottom10 => {
                let mut g = group_means(c, w);
                let keep = (g.len() / 10).max(1);
                g.select_nth_unstable_by(keep - 1, f64::total_cmp);
                g[..keep].iter().sum::<f64>() / keep as f64
            }
            TraceScore::Lowest => group_means(c, w).into_iter().fold(f64::INFINITY, f64::min),
        }
    }
}

/// Sliding-window means of `c` over `w` tokens (`max(1, L − w + 1)` of them;
/// the whole path when `L ≤ w`), by a running sum.
pub fn group_means(c: &[f64], w: usize) -> Vec<f64> {
    let l = c.len();
    if l <= w {
        return vec![c.iter().sum::<f64>() / l as f64];
    }
    let mut out = Vec::with_capacity(l - w + 1);
    let mut sum: f64 = c[..w].iter().sum();
    out.push(sum / w as f64);
    for t in w..l {
        sum += c[t] - c[t - w];
        out.push(sum / w as f64);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Window means by their definition (no running sum).
    fn naive(c: &[f64], w: usize) -> Vec<f64> {
        if c.len() <= w {
            return vec![c.iter().sum::<f64>() / c.len() as f64];
        }
        c.windows(w).map(|x| x.iter().sum::<f64>() / w as f64).collect()
    }

    #[test]
    fn scores_by_their_definitions() {
        let c: Vec<f64> = (0..25).map(|i| ((i * 7919) % 13) as f64 / 3.0).collect();
        for w in [1, 3, 8, 25, 40] {
            let g = naive(&c, w);
            let r = group_means(&c, w);
            assert_eq!(g.len(), r.len());
            g.iter().zip(&r).for_each(|(a, b)| assert!((a - b).abs() < 1e-12));
            let mut sorted = g.clone();
            sorted.sort_by(f64::total_cmp);
            let keep = (g.len() / 10).max(1);
            let bottom = sorted[..keep].iter().sum::<f64>() / keep as f64;
            assert!((TraceScore::Bottom10.of(&c, w) - bottom).abs() < 1e-12);
            assert!((TraceScore::Lowest.of(&c, w) - sorted[0]).abs() < 1e-12);
            let tail = &c[c.len() - w.min(c.len())..];
            assert!((TraceScore::Tail.of(&c, w) - tail.iter().sum::<f64>() / tail.len() as f64).abs() < 1e-12);
        }
        // A path no longer than the window is one group: every score is the mean.
        let short = [1.0, 2.0, 6.0];
        for s in TraceScore::ALL {
            assert!((s.of(&short, 8) - 3.0).abs() < 1e-15, "{s:?}");
            assert_eq!(TraceScore::parse(s.name()), Some(s));
        }
        assert!(TraceScore::Mean.of(&[], 8).is_nan());
    }
}
