//! Binomial helpers for the exact accuracy programmes: log-pmf rows built by
//! stable recurrences, and Chernoff tail bounds used to prove that dropped
//! terms are negligible.

/// `KL(a ‖ q)` between Bernoulli(a) and Bernoulli(q), with `0 ln 0 = 0`.
fn kl(a: f64, q: f64) -> f64 {
    let t = |x: f64, y: f64| if x == 0.0 { 0.0 } else { x * (x / y).ln() };
    t(a, q) + t(1.0 - a, 1.0 - q)
}

/// Chernoff bound on `P(Bin(m, q) ≥ k)`: `exp(−m KL(k/m ‖ q))` when `k > m q`, else 1.
pub fn upper_tail_bound(m: usize, q: f64, k: usize) -> f64 {
    if k > m {
        return 0.0;
    }
    let a = k as f64 / m.max(1) as f64;
    if a <= q || m == 0 {
        1.0
    } else if q <= 0.0 {
        0.0
    } else {
        (-(m as f64) * kl(a, q)).exp()
    }
}

/// Chernoff bound on `P(Bin(m, q) ≤ k)`: `exp(−m KL(k/m ‖ q))` when `k < m q`, else 1.
pub fn lower_tail_bound(m: usize, q: f64, k: usize) -> f64 {
    if m == 0 || k >= m {
        return 1.0;
    }
    let a = k as f64 / m as f64;
    if a >= q {
        1.0
    } else if q >= 1.0 {
        0.0
    } else {
        (-(m as f64) * kl(a, q)).exp()
    }
}

/// `ln C(n, k)` (statrs' log-factorials: a table up to 170, Lanczos beyond).
pub fn ln_choose(n: usize, k: usize) -> f64 {
    statrs::function::factorial::ln_binomial(n as u64, k as u64)
}

/// `ln P(Bin(n, p) = k)` with `ln 0 = −∞` handled for `p ∈ {0, 1}`.
pub fn ln_pmf(n: usize, p: f64, k: usize) -> f64 {
    if k > n {
        return f64::NEG_INFINITY;
    }
    let a = if k == 0 { 0.0 } else { k as f64 * p.ln() };
    let b = if k == n { 0.0 } else { (n - k) as f64 * (-p).ln_1p() };
    ln_choose(n, k) + a + b
}

/// One row `P(Bin(m, π) = j)`, `j ∈ [lo, hi]`, advanced in `m` by Pascal's
/// rule `B_{m+1}(j) = (1 − π) B_m(j) + π B_m(j − 1)` — positive terms only, so
/// no cancellation. Entries below `floor` at the ends of the window are
/// dropped (each step loses at most `2·floor` of probability), and `j` never
/// exceeds `cap`.
#[derive(Debug, Clone)]
pub struct PascalRow {
    pi: f64,
    cap: usize,
    floor: f64,
    /// Smallest `j` kept.
    pub lo: usize,
    /// `values[j − lo]`.
    pub values: Vec<f64>,
    next: Vec<f64>,
}

impl PascalRow {
    /// The row of `m = 0` (`P = 1` at `j = 0`).
    pub fn new(pi: f64, cap: usize, floor: f64) -> Self {
        Self { pi, cap, floor, lo: 0, values: vec![1.0], next: Vec::new() }
    }

    /// Advances from `m` to `m + 1`.
    pub fn step(&mut self) {
        let (pi, q) = (self.pi, 1.0 - self.pi);
        let hi = (self.lo + self.values.len()).min(self.cap); // new largest j, if within the cap
        self.next.clear();
        for j in self.lo..=hi {
            let stay = if j < self.lo + self.values.len() { self.values[j - self.lo] } else { 0.0 };
            let up = if j > self.lo { self.values[j - 1 - self.lo] } else { 0.0 };
            self.next.push(q * stay + pi * up);
        }
        std::mem::swap(&mut self.values, &mut self.next);
        // Trim negligible ends (keep at least one entry).
        let mut start = 0;
        while start + 1 < self.values.len() && self.values[start] < self.floor {
            start += 1;
        }
        let mut end = self.values.len();
        while end > start + 1 && self.values[end - 1] < self.floor {
            end -= 1;
        }
        if start > 0 || end < self.values.len() {
            self.values.truncate(end);
            self.values.drain(..start);
            self.lo += start;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_rows_match_the_pmf() {
        let mut row = PascalRow::new(0.3, 1000, 0.0);
        for m in 1..=60 {
            row.step();
            for (i, v) in row.values.iter().enumerate() {
                let j = row.lo + i;
                // Reference: C(m, j) exactly in integers, then two powers (error < 1e-15
                // relative). Each Pascal step adds at most one rounding (1.1e-16
                // relative) to a sum of positive terms: ≤ 6.7e-15 after 60 steps.
                let choose = (0..j as u128).fold(1u128, |c, i| c * (m as u128 - i) / (i + 1)) as f64;
                let exact = choose * 0.3f64.powi(j as i32) * 0.7f64.powi((m - j) as i32);
                assert!((v - exact).abs() <= 2e-14 * exact, "m={m} j={j}: {v} vs {exact}");
                assert!((ln_pmf(m, 0.3, j).exp() - exact).abs() <= 1e-12 * exact, "ln_pmf m={m} j={j}");
            }
        }
        // Capped rows keep j ≤ cap exactly.
        let mut capped = PascalRow::new(0.5, 3, 0.0);
        (0..10).for_each(|_| capped.step());
        assert_eq!(capped.lo + capped.values.len() - 1, 3);
        assert!((capped.values[2] - ln_pmf(10, 0.5, 2).exp()).abs() < 1e-15);
    }

    /// A floor above every entry still leaves one (mutation testing: a trim
    /// loop bounded by `start · 1` emptied the row).
    #[test]
    fn a_row_under_its_floor_keeps_one_entry() {
        let mut row = PascalRow::new(0.5, 100, 0.6);
        for m in 1..=5 {
            row.step();
            assert_eq!(row.values.len(), 1, "m = {m}");
        }
    }

    /// With a floor the window keeps only what matters: after every step
    /// both ends are at or above the floor, the window is far narrower than
    /// `m + 1`, and what was dropped is negligible (mutation testing showed
    /// no check of the trimming itself: a row that never trimmed passed).
    #[test]
    fn floored_rows_trim_their_negligible_ends() {
        let floor = 1e-16;
        let mut row = PascalRow::new(0.3, 1000, floor);
        for m in 1..=400 {
            row.step();
            let (first, last) = (row.values[0], row.values[row.values.len() - 1]);
            assert!(first >= floor && last >= floor, "m = {m}: ends {first:e}, {last:e}");
            // Just outside the window the pmf is negligible. Not strictly
            // below the floor: the entries at the edge were computed without
            // their dropped neighbours, so they run a little low (2.1e-16 at
            // m = 305 for this floor) — hence 10 × the floor.
            if row.lo > 0 {
                let outside = ln_pmf(m, 0.3, row.lo - 1).exp();
                assert!(outside < 10.0 * floor, "m = {m}: j = {} dropped at {outside:e}", row.lo - 1);
            }
        }
        assert!(row.values.len() < 200, "window {} of 401", row.values.len());
        let kept: f64 = row.values.iter().sum();
        assert!((1.0 - kept).abs() < 1e-13, "dropped mass {}", 1.0 - kept);
    }

    /// Where the Chernoff bound is tight: `P(Bin(10, ½) = 10) = 2⁻¹⁰ =
    /// exp(−10 KL(1 ‖ ½))`, and likewise for 0 successes; at or below the
    /// mean the bound is 1. (Mutation testing: a bound above 1 — the sign of
    /// the exponent dropped — passed the check below, which only compares
    /// from above.)
    #[test]
    fn chernoff_bounds_are_tight_at_the_extremes() {
        let two = 2f64.powi(-10);
        assert!((upper_tail_bound(10, 0.5, 10) - two).abs() < 1e-15 * two);
        assert!((lower_tail_bound(10, 0.5, 0) - two).abs() < 1e-15 * two);
        assert_eq!(upper_tail_bound(10, 0.5, 5), 1.0);
        assert_eq!(lower_tail_bound(10, 0.5, 5), 1.0);
        assert_eq!(upper_tail_bound(10, 0.5, 11), 0.0);
        // Strictly inside the bulk, where `exp(−m KL)` would be below 1 but is
        // no bound (mutation testing: `a ≤ q && m = 0` for `a ≤ q || m = 0`
        // went unseen, since at the mean itself KL = 0 gives 1 either way).
        assert_eq!(upper_tail_bound(10, 0.5, 3), 1.0);
        assert_eq!(lower_tail_bound(10, 0.5, 7), 1.0);
        assert_eq!(upper_tail_bound(0, 0.5, 0), 1.0);
    }

    /// Inside the tails the bound is `exp(−m KL(k/m ‖ q))`: for 30 of 100 at
    /// `q = ½`, `KL(0.3 ‖ 0.5) = 0.3 ln 0.6 + 0.7 ln 1.4 ≈ 0.08228`, a bound of
    /// about 2.670e-4 on either side. (Mutation testing: `k % m` for `k / m`,
    /// the trivial bound 1 away from `k = 0`, went unseen.)
    #[test]
    fn chernoff_bounds_inside_the_tails() {
        let want = (-100.0 * (0.3 * 0.6f64.ln() + 0.7 * 1.4f64.ln())).exp();
        assert!((want - 2.670e-4).abs() < 1e-7, "{want}");
        assert!((lower_tail_bound(100, 0.5, 30) - want).abs() < 1e-15);
        assert!((upper_tail_bound(100, 0.5, 70) - want).abs() < 1e-15);
    }

    #[test]
    fn chernoff_bounds_bound_the_tails() {
        for &(m, q, k) in &[(50usize, 0.1, 12usize), (200, 0.3, 80), (30, 0.5, 25)] {
            let tail: f64 = (k..=m).map(|j| ln_pmf(m, q, j).exp()).sum();
            assert!(tail <= upper_tail_bound(m, q, k));
            let low: f64 = (0..=k / 4).map(|j| ln_pmf(m, q, j).exp()).sum();
            assert!(low <= lower_tail_bound(m, q, k / 4));
        }
    }
}
