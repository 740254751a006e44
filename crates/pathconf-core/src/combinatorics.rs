//! The two enumerations the exact checks walk, each written once: every
//! tuple over a finite set (an odometer, first position fastest) and every
//! composition of a total into a fixed number of parts (lexicographic: all
//! of it in the last part first, all in the first part last).
//!
//! Both advance a caller's buffer in place, so a walk allocates nothing,
//! and both visit in a fixed order: sums over them are the same bits on
//! every run.

/// Advances `digits` to the next tuple over `0..base`, first position
/// fastest; `false` after the last one (the digits are then all 0 again).
///
/// ```
/// use pathconf_core::combinatorics::next_tuple;
/// let mut t = [0u32; 2];
/// let mut seen = vec![t];
/// while next_tuple(&mut t, 3) {
///     seen.push(t);
/// }
/// assert_eq!(seen.len(), 9);
/// assert_eq!(seen[1], [1, 0]);
/// ```
pub fn next_tuple<T>(digits: &mut [T], base: usize) -> bool
where
    T: Copy + PartialOrd + From<u8> + std::ops::AddAssign + TryFrom<usize>,
    <T as TryFrom<usize>>::Error: std::fmt::Debug,
{
    let limit = T::try_from(base).expect("the base fits the digit type");
    for x in digits.iter_mut() {
        *x += T::from(1);
        if *x < limit {
            return true;
        }
        *x = T::from(0);
    }
    false
}

/// The first composition of `total` into `parts` parts: all of it in the
/// last part.
pub fn first_composition(total: u64, parts: usize) -> Vec<u64> {
    assert!(parts >= 1, "at least one part");
    let mut c = vec![0; parts];
    c[parts - 1] = total;
    c
}

/// Advances `c` (non-negative, fixed sum) to the next composition —
/// lexicographically the next, from [`first_composition`] to all of the
/// total in the first part; `false` after the last one.
///
/// ```
/// use pathconf_core::combinatorics::{first_composition, next_composition};
/// let mut c = first_composition(2, 3);
/// let mut seen = vec![c.clone()];
/// while next_composition(&mut c) {
///     seen.push(c.clone());
/// }
/// assert_eq!(seen, [[0, 0, 2], [0, 1, 1], [0, 2, 0], [1, 0, 1], [1, 1, 0], [2, 0, 0]]);
/// ```
pub fn next_composition(c: &mut [u64]) -> bool {
    let last = c.len() - 1;
    // The rightmost part that can give a unit to its left neighbour.
    let Some(k) = (1..=last).rev().find(|&k| c[k] > 0) else { return false };
    let moved = c[k] - 1;
    c[k] = 0;
    c[k - 1] += 1;
    c[last] += moved;
    true
}

/// Every composition of `total` into `parts` parts, in
/// [`next_composition`]'s order, a vector each (for short walks).
pub fn compositions(total: u64, parts: usize) -> impl Iterator<Item = Vec<u64>> {
    let mut next = Some(first_composition(total, parts));
    std::iter::from_fn(move || {
        let c = next.take()?;
        let mut succ = c.clone();
        if next_composition(&mut succ) {
            next = Some(succ);
        }
        Some(c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tuple_once_and_every_composition_once() {
        // Tuples: base^len distinct; compositions: C(total + parts − 1,
        // parts − 1) distinct, each summing to the total, in increasing
        // lexicographic order.
        for (base, len) in [(1usize, 3usize), (2, 4), (3, 3), (5, 2)] {
            let mut t = vec![0usize; len];
            let mut all = vec![t.clone()];
            while next_tuple(&mut t, base) {
                all.push(t.clone());
            }
            assert_eq!(all.len(), base.pow(len as u32));
            all.sort();
            all.dedup();
            assert_eq!(all.len(), base.pow(len as u32));
        }
        let binomial = |n: u64, k: u64| (1..=k).fold(1u64, |acc, i| acc * (n + 1 - i) / i);
        for (total, parts) in [(0u64, 1usize), (3, 1), (4, 2), (5, 3), (6, 4)] {
            let mut c = first_composition(total, parts);
            let mut all = vec![c.clone()];
            while next_composition(&mut c) {
                assert!(c > *all.last().unwrap(), "increasing");
                all.push(c.clone());
            }
            assert!(all.iter().all(|c| c.iter().sum::<u64>() == total));
            assert_eq!(compositions(total, parts).collect::<Vec<_>>(), all);
            assert_eq!(all.len() as u64, binomial(total + parts as u64 - 1, parts as u64 - 1));
        }
    }
}
