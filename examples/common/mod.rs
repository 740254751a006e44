//! Timing shared by the timing examples (not an example itself).

use std::time::Instant;

/// Wall times of `runs` calls of `f`, in milliseconds, sorted ascending
/// (index `runs / 2` is the median, index 0 the minimum).
pub fn sorted_times_ms(runs: usize, mut f: impl FnMut()) -> Vec<f64> {
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t
}
