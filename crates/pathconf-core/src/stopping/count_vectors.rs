//! The count-vector programme: the exact expected cost and accuracy of any
//! count-based rule (Adaptive-Consistency's Beta, Dirichlet, majority and
//! entropy rules, ESC by whole windows, `fixed:N`), a dynamic programme over
//! count vectors — the probability of each vector of answer counts among
//! the runs that have not stopped yet, advanced one sample (ESC: one
//! window) at a time; mass that stops is credited with the plurality's
//! credit. The rules are symmetric in the answers, so answers of *equal
//! mass and equal correctness* are lumped exactly: the state keeps their
//! counts as a sorted multiset, packed into a `u128`. The number of states
//! grows like `n^{K−1}` for `K` distinct masses ([`lumped_states_bound`]);
//! [`super::exact::exact_cost`] weighs it against the partition programme.

use super::outcome::ExactCost;
use super::rule::{EscAnswer, StopCache, StopRule};
use crate::combinatorics::compositions;
use crate::select::select;

/// Largest work (live states × moves, summed over samples) attempted — a few
/// seconds at most.
pub const MAX_WORK: f64 = 2e7;
/// Largest *bound* on the work (every lumped count vector up to the cap, as if
/// the rule never stopped) for which the programme is tried at all: the live
/// states of a stopping rule are a fraction of the bound, so it may still
/// finish under [`MAX_WORK`]; beyond this it is refused at once.
pub const MAX_WORK_BOUND: f64 = 5e7;

/// The sizes of the classes of answers of equal mass and correctness (zero
/// masses dropped), as the count programme lumps them.
pub(crate) fn class_sizes(masses: &[f64], correct: Option<usize>) -> Vec<usize> {
    sizes_of_classes(&members(masses, correct))
}

/// The answers of positive mass as `(mass bits, correct, answer)`, sorted so
/// that each class of equal mass and correctness is contiguous.
fn members(masses: &[f64], correct: Option<usize>) -> Vec<(u64, bool, usize)> {
    let mut members: Vec<(u64, bool, usize)> =
        masses.iter().enumerate().filter(|&(_, &p)| p > 0.0).map(|(a, &p)| (p.to_bits(), Some(a) == correct, a)).collect();
    members.sort_unstable();
    members
}

/// The sizes of the contiguous classes of [`members`].
fn sizes_of_classes(members: &[(u64, bool, usize)]) -> Vec<usize> {
    members.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)).map(|c| c.len()).collect()
}

/// Bits per count in a packed state.
const BITS: u32 = 7;
/// Most answers a packed state holds.
const MAX_ANSWERS: usize = (128 / BITS) as usize;

/// The programme over (lumped) count vectors for any count-based rule, or
/// `None` when it would exceed [`MAX_WORK`], has more than 18 answers of
/// positive mass, or a cap above 127 samples. Exact (no term dropped).
pub fn count_programme(rule: &StopRule, masses: &[f64], correct: Option<usize>) -> Option<ExactCost> {
    if rule.needs_paths() {
        return None;
    }
    let max = rule.max_samples();
    // Classes of answers with equal mass and correctness, zero masses dropped.
    let members = members(masses, correct);
    let k = members.len();
    if k == 0 {
        return Some(ExactCost { expected_samples: 0.0, accuracy: 0.0 });
    }
    if k > MAX_ANSWERS || max >= 1 << BITS {
        return None;
    }
    let prob: Vec<f64> = members.iter().map(|m| f64::from_bits(m.0)).collect();
    let class_sizes = sizes_of_classes(&members);
    if lumped_states_bound(&class_sizes, max) * k as f64 > MAX_WORK_BOUND {
        return None;
    }
    let ok: Vec<bool> = members.iter().map(|m| m.1).collect();
    // Slot i starts a new class iff its (mass, correctness) differs from i − 1.
    let class_start: Vec<bool> = (0..k).map(|i| i == 0 || (members[i].0, members[i].1) != (members[i - 1].0, members[i - 1].1)).collect();
    let credit_of = |counts: &[usize]| select(counts.iter().zip(&ok).map(|(&c, &o)| (c as f64, o))).credit;
    let (step, windows) = match *rule {
        StopRule::Esc { window, .. } => (window, true),
        _ => (1, false),
    };
    // Moves: single samples, or (ESC) whole windows as count vectors.
    let window_moves: Vec<(Vec<usize>, f64, Option<usize>)> = if windows {
        compositions(step as u64, k)
            .map(|c| c.into_iter().map(|x| x as usize).collect::<Vec<usize>>())
            .map(|c| {
                let p = multinomial_prob(&c, &prob);
                let unanimous = c.iter().position(|&x| x == step);
                (c, p, unanimous)
            })
            .collect()
    } else {
        Vec::new()
    };
    let moves_per_state = if windows { window_moves.len() } else { k };
    let mut cache = StopCache::default();
    let mut live: Vec<(u128, f64)> = vec![(0, 1.0)];
    let (mut e_n, mut acc, mut work) = (0.0, 0.0, 0.0);
    let mut counts = vec![0usize; k];
    let mut next_counts = vec![0usize; k];
    let mut n = 0;
    while n < max && !live.is_empty() {
        n += step;
        work += (live.len() * moves_per_state) as f64;
        if work > MAX_WORK {
            return None;
        }
        let mut next: Vec<(u128, f64)> = Vec::with_capacity(live.len() * 2);
        for &(key, w) in &live {
            unpack(key, &mut counts);
            let mut emit = |c: &[usize], mass: f64, unanimous: Option<usize>, next: &mut Vec<(u128, f64)>| {
                let stop = match *rule {
                    StopRule::Fixed { .. } => n >= max,
                    StopRule::Esc { answer, .. } => {
                        if let Some(a) = unanimous {
                            e_n += mass * n as f64;
                            acc += mass * if answer == EscAnswer::Window { f64::from(u8::from(ok[a])) } else { credit_of(c) };
                            return;
                        }
                        n >= max
                    }
                    _ => n >= max || rule.stops_cached(c, n, &mut cache),
                };
                if stop {
                    e_n += mass * n as f64;
                    acc += mass * credit_of(c);
                } else {
                    next.push((pack_sorted(c, &class_start), mass));
                }
            };
            if windows {
                for (mv, p, unanimous) in &window_moves {
                    if *p == 0.0 {
                        continue;
                    }
                    next_counts.iter_mut().zip(counts.iter().zip(mv)).for_each(|(o, (a, b))| *o = a + b);
                    emit(&next_counts, w * p, *unanimous, &mut next);
                }
            } else {
                // One move per run of equal counts within a class: raising the
                // run's first member keeps the class sorted (descending).
                let mut i = 0;
                while i < k {
                    let mut j = i + 1;
                    while j < k && !class_start[j] && counts[j] == counts[i] {
                        j += 1;
                    }
                    next_counts.copy_from_slice(&counts);
                    next_counts[i] += 1;
                    emit(&next_counts, w * prob[i] * (j - i) as f64, None, &mut next);
                    i = j;
                }
            }
        }
        // Merge equal states in key order (stable: the same sums on every run).
        next.sort_by_key(|e| e.0);
        live.clear();
        for (key, mass) in next {
            match live.last_mut() {
                Some(last) if last.0 == key => last.1 += mass,
                _ => live.push((key, mass)),
            }
        }
    }
    Some(ExactCost { expected_samples: e_n, accuracy: acc })
}

/// `Σ_{n ≤ max}` of the number of lumped count vectors with `n` samples: for
/// classes of sizes `s_i`, the ways to split `n` among the classes, each
/// part a partition into at most `s_i` parts.
pub(crate) fn lumped_states_bound(class_sizes: &[usize], max: usize) -> f64 {
    // partitions[s][n]: partitions of n into at most s parts.
    let largest = class_sizes.iter().copied().max().unwrap_or(1);
    let mut partitions = vec![vec![0.0f64; max + 1]; largest + 1];
    partitions[0][0] = 1.0;
    for s in 1..=largest {
        for n in 0..=max {
            // Parts ≤ s (conjugate): p(n, ≤ s) = p(n, ≤ s − 1) + p(n − s, ≤ s).
            partitions[s][n] = partitions[s - 1][n] + if n >= s { partitions[s][n - s] } else { 0.0 };
        }
    }
    let mut ways = vec![0.0f64; max + 1];
    ways[0] = 1.0;
    for &size in class_sizes {
        let mut next = vec![0.0f64; max + 1];
        for (n, slot) in next.iter_mut().enumerate() {
            *slot = (0..=n).map(|i| ways[n - i] * partitions[size][i]).sum();
        }
        ways = next;
    }
    ways.iter().sum()
}

/// Packs counts, sorting each class's counts in descending order (the
/// canonical member of the lumped state).
fn pack_sorted(counts: &[usize], class_start: &[bool]) -> u128 {
    let mut buffer = [0usize; MAX_ANSWERS];
    let sorted = &mut buffer[..counts.len()];
    sorted.copy_from_slice(counts);
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i + 1;
        while j < sorted.len() && !class_start[j] {
            j += 1;
        }
        sorted[i..j].sort_unstable_by(|a, b| b.cmp(a));
        i = j;
    }
    sorted.iter().enumerate().fold(0u128, |key, (i, &c)| key | ((c as u128) << (BITS * i as u32)))
}

/// The counts of a packed state, into `out` (the inverse of [`pack_sorted`]
/// on its canonical members).
fn unpack(key: u128, out: &mut [usize]) {
    out.iter_mut().enumerate().for_each(|(i, c)| *c = ((key >> (BITS * i as u32)) & ((1 << BITS) - 1)) as usize);
}

/// `P(window composition = c)` under `Multinomial(Σc, p)`.
fn multinomial_prob(c: &[usize], p: &[f64]) -> f64 {
    let n: u64 = c.iter().map(|&x| x as u64).sum();
    let ln_coef = statrs::function::factorial::ln_factorial(n) - c.iter().map(|&x| statrs::function::factorial::ln_factorial(x as u64)).sum::<f64>();
    let mut prob = ln_coef.exp();
    for (&x, &q) in c.iter().zip(p) {
        prob *= q.powi(x as i32);
    }
    prob
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_bound_counts_compositions_and_partitions() {
        // K distinct masses: Σ_{n ≤ L} C(n + K − 1, K − 1) = C(L + K, K).
        assert_eq!(lumped_states_bound(&[1, 1, 1], 10), 286.0);
        // One class of 3: partitions of n ≤ 4 into ≤ 3 parts: 1+1+2+3+4.
        assert_eq!(lumped_states_bound(&[3], 4), 11.0);
    }

    /// The classes the programme lumps, as `exact_cost` weighs them against
    /// the partition programme: equal mass *and* correctness, zero masses
    /// dropped, in ascending mass (wrong before right). (Mutation testing:
    /// classes returned empty only moved which programme ran first, and
    /// every result stayed the same.)
    #[test]
    fn classes_are_answers_of_equal_mass_and_correctness() {
        // Answers 0 and 3 (0.2, wrong) lump; answer 1 (0.2, right) does not; answer 2 has no mass.
        assert_eq!(class_sizes(&[0.2, 0.2, 0.0, 0.2, 0.4], Some(1)), vec![2, 1, 1]);
        assert_eq!(class_sizes(&[0.25; 4], None), vec![4]);
        assert_eq!(class_sizes(&[0.0, 1.0], Some(0)), vec![1]);
    }

    /// The running cap on work: a rule that never stops early over 6 distinct
    /// answers passes the bound check up to 36 samples (`6 · C(42, 6)` ≈ 3.1e7
    /// ≤ `MAX_WORK_BOUND`), but its live states cost `6 · C(41, 6)` ≈ 2.7e7 >
    /// `MAX_WORK` moves, so it is refused; at 30 samples (`6 · C(35, 6)` ≈
    /// 9.7e6 moves) it is worked. (Mutation testing: a work count that never
    /// grew went unseen.)
    #[test]
    fn the_work_cap_refuses_what_the_bound_admits() {
        let masses = [0.3, 0.25, 0.2, 0.12, 0.08, 0.05];
        let fixed = |n: usize| StopRule::Fixed { n };
        assert!(lumped_states_bound(&[1; 6], 36) * 6.0 <= MAX_WORK_BOUND);
        assert!(count_programme(&fixed(36), &masses, Some(0)).is_none());
        let worked = count_programme(&fixed(30), &masses, Some(0)).expect("under the cap");
        assert!((worked.expected_samples - 30.0).abs() < 1e-9, "{worked:?}");
    }

    /// The bound refuses at once, before any work: over six distinct
    /// answers a cap of 127 bounds the work by `6 · C(133, 6)` ≈ 4.6e10 >
    /// `MAX_WORK_BOUND`, so even `asc-beta:0.55:127` is refused, although
    /// it stops at the first sample (one answer seen once already leads at
    /// 0.55), which the programme would work in six moves. At a cap of 50
    /// the states alone, `C(56, 6)` ≈ 3.2e7, are under the bound but six
    /// moves each, 1.9e8, are not: refused too. At 38, `6 · C(44, 6)` ≈
    /// 4.2e7 is under it: worked. (Mutation testing: a bound that never
    /// refused passed unseen, then returning `E[N] = 1`, accuracy 0.3; so
    /// did adding the moves to the states instead of multiplying.)
    #[test]
    fn the_bound_refuses_at_once() {
        let masses = [0.3, 0.25, 0.2, 0.12, 0.08, 0.05];
        for cap in [127, 50] {
            let rule: StopRule = format!("asc-beta:0.55:{cap}").parse().unwrap();
            assert!(lumped_states_bound(&[1; 6], cap) * 6.0 > MAX_WORK_BOUND);
            assert_eq!(count_programme(&rule, &masses, Some(0)), None, "cap {cap}");
        }
        assert!(lumped_states_bound(&[1; 6], 50) < MAX_WORK_BOUND);
        let worked = count_programme(&"asc-beta:0.55:38".parse().unwrap(), &masses, Some(0)).expect("under the bound");
        assert_eq!(worked.expected_samples, 1.0);
        assert!((worked.accuracy - 0.3).abs() < 1e-15, "{worked:?}");
    }

    /// Answers of zero mass take no slot: 18 answers of positive mass (the
    /// most a packed state holds) plus two of zero mass are still worked,
    /// and equal the enumeration of every sequence. (Mutation testing:
    /// keeping zero masses changed no result it was tried on.)
    #[test]
    fn answers_of_zero_mass_take_no_slot() {
        let mut masses: Vec<f64> = (1..=18).map(f64::from).collect();
        masses.extend([0.0, 0.0]);
        let total: f64 = masses.iter().sum();
        masses.iter_mut().for_each(|m| *m /= total);
        let rule: StopRule = "asc-majority:0.6:3".parse().unwrap();
        let p = count_programme(&rule, &masses, Some(17)).expect("18 answers of positive mass fit a state");
        let e = crate::stopping::enumerate::enumerate_cost(&rule, &masses, Some(17));
        assert!((p.expected_samples - e.expected_samples).abs() < 1e-12 && (p.accuracy - e.accuracy).abs() < 1e-12, "{p:?} vs {e:?}");
        // A 19th answer of positive mass does not fit 128 bits at 7 a count:
        // refused, not packed past the key's end. (Mutation testing: a
        // capacity of 128 · 7 answers went unseen.)
        let mut nineteen: Vec<f64> = (1..=19).map(f64::from).collect();
        let total: f64 = nineteen.iter().sum();
        nineteen.iter_mut().for_each(|m| *m /= total);
        assert!(count_programme(&rule, &nineteen, Some(17)).is_none());
    }

    /// The lumping itself: count vectors that differ by a permutation within
    /// a class pack to one state (its counts sorted, largest first); across
    /// classes they stay apart. (Mutation testing: without the sort every
    /// result was the same — lumping only saves work — so nothing noticed.)
    #[test]
    fn permutations_within_a_class_pack_to_one_state() {
        // Classes {0}, {1, 2, 3}, {4, 5}.
        let starts = [true, true, false, false, true, false];
        let key = |c: &[usize]| pack_sorted(c, &starts);
        assert_eq!(key(&[2, 0, 3, 1, 4, 0]), key(&[2, 3, 1, 0, 0, 4]));
        assert_eq!(key(&[2, 0, 3, 1, 4, 0]), key(&[2, 3, 0, 1, 4, 0]));
        assert_ne!(key(&[2, 0, 3, 1, 4, 0]), key(&[3, 0, 2, 1, 4, 0]), "a permutation across classes");
        // The canonical member: each class's counts largest first.
        let mut counts = [0usize; 6];
        unpack(key(&[2, 0, 3, 1, 0, 4]), &mut counts);
        assert_eq!(counts, [2, 3, 1, 0, 4, 0]);
    }
}
