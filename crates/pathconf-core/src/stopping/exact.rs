//! Exact expected cost and accuracy of a stopping rule from the answer
//! distribution `p_a` (count-based rules see only answers, so paths lump
//! exactly into their answers).
//!
//! - `fixed:N`: SC's exact accuracy ([`crate::accuracy::sc`]), any number of
//!   answers;
//! - ESC: its own programme ([`super::esc`]), any number of answers;
//! - the rules checked after every sample (Adaptive-Consistency's Beta,
//!   Dirichlet, majority and entropy rules): [`count_programme`], a dynamic
//!   programme over count vectors — the probability of each vector of answer
//!   counts among the runs that have not stopped yet, advanced one sample at
//!   a time; mass that stops is credited with the plurality's credit. These
//!   rules are symmetric in the answers, so answers of *equal mass and equal
//!   correctness* are lumped exactly: the state keeps their counts as a
//!   sorted multiset. The number of states grows like `n^{K−1}` for `K`
//!   distinct masses; for many distinct masses the partition programme
//!   ([`super::symmetric`]) is used instead, whose cost does not depend on
//!   the masses. [`exact_cost`] picks the one with fewer states; above both
//!   work bounds the caller falls back to Monte Carlo.

use super::esc::esc_exact;
use super::replay::replay;
use super::rule::{EscAnswer, StopCache, StopRule};
use super::symmetric;
use crate::accuracy::sc::sc_accuracy;
use crate::combinatorics::{compositions, next_tuple};
use crate::select::select;

/// Largest work (live states × moves, summed over samples) attempted — a few
/// seconds at most.
pub const MAX_WORK: f64 = 2e7;
/// Largest *bound* on the work (every lumped count vector up to the cap, as if
/// the rule never stopped) for which the programme is tried at all: the live
/// states of a stopping rule are a fraction of the bound, so it may still
/// finish under [`MAX_WORK`]; beyond this it is refused at once.
pub const MAX_WORK_BOUND: f64 = 5e7;

/// A rule's exact cost and accuracy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExactCost {
    /// `E[samples used]`.
    pub expected_samples: f64,
    /// `P(answer correct)`, ties split.
    pub accuracy: f64,
}

/// ESC's expected samples (Li et al.): with `q = Σ_a p_a^W` the chance that a
/// window is unanimous and `m = L / W` windows,
/// `E[N] = W · [Σ_{i=0}^{m−2} (i+1) q (1−q)^i + m (1−q)^{m−1}]`.
pub fn esc_expected_samples(masses: &[f64], window: usize, max: usize) -> f64 {
    let q: f64 = masses.iter().map(|p| p.powi(window as i32)).sum();
    let m = max / window;
    let body: f64 = (0..m.saturating_sub(1)).map(|i| (i + 1) as f64 * q * (1.0 - q).powi(i as i32)).sum();
    window as f64 * (body + m as f64 * (1.0 - q).powi(m as i32 - 1))
}

/// The exact cost of `rule` for answer masses `masses` and correct answer
/// `correct` by the best programme for it, or `None` when none is feasible
/// (too many states; or a rule that reads paths, not answers).
pub fn exact_cost(rule: &StopRule, masses: &[f64], correct: Option<usize>) -> Option<ExactCost> {
    match *rule {
        StopRule::Fixed { n } => Some(ExactCost { expected_samples: n as f64, accuracy: sc_accuracy(masses, correct, n)[n] }),
        StopRule::Esc { window, max, answer } => esc_exact(masses, correct, window, max, answer).or_else(|| count_programme(rule, masses, correct)),
        StopRule::PcStop { .. } => None,
        _ => {
            // The cheaper of the two exact programmes first: the count
            // vectors when equal masses lump them small, else the partitions.
            let k = masses.iter().filter(|&&p| p > 0.0).count();
            let sizes = class_sizes(masses, correct);
            if lumped_states_bound(&sizes, rule.max_samples()) <= symmetric::states(k, rule.max_samples()) {
                count_programme(rule, masses, correct).or_else(|| symmetric::symmetric_programme(rule, masses, correct))
            } else {
                symmetric::symmetric_programme(rule, masses, correct).or_else(|| count_programme(rule, masses, correct))
            }
        }
    }
}

/// The sizes of the classes of answers of equal mass and correctness (zero
/// masses dropped), as the count programme lumps them.
fn class_sizes(masses: &[f64], correct: Option<usize>) -> Vec<usize> {
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
    let get = |key: u128, i: usize| ((key >> (BITS * i as u32)) & ((1 << BITS) - 1)) as usize;
    let unpack = |key: u128, out: &mut [usize]| out.iter_mut().enumerate().for_each(|(i, c)| *c = get(key, i));
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
fn lumped_states_bound(class_sizes: &[usize], max: usize) -> f64 {
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

/// Exhaustive check: every sequence of `rule.max_samples()` answers, replayed.
/// Only for tiny cases (`K^L` sequences).
pub fn enumerate_cost(rule: &StopRule, masses: &[f64], correct: Option<usize>) -> ExactCost {
    let k = masses.len();
    let l = rule.max_samples();
    let ok: Vec<bool> = (0..k).map(|a| Some(a) == correct).collect();
    let mut seq = vec![0u32; l];
    // Compensated sums: K^L terms would otherwise lose ~1e-11.
    let (mut e_n, mut acc) = (NeumaierSum::default(), NeumaierSum::default());
    loop {
        let w: f64 = seq.iter().map(|&a| masses[a as usize]).product();
        if w > 0.0 {
            let s = replay(rule, &seq, &ok);
            e_n.add(w * s.used as f64);
            acc.add(w * s.credit);
        }
        if !next_tuple(&mut seq, k) {
            return ExactCost { expected_samples: e_n.total(), accuracy: acc.total() };
        }
    }
}

/// Exhaustive check for any rule, path rules included: every sequence of
/// `rule.max_samples()` paths of `d`, replayed (ties within
/// [`crate::select::THEORY_TIE_TOL`]). Only for tiny cases (`P^L` sequences).
pub fn enumerate_path_cost(rule: &StopRule, d: &crate::PathDistribution) -> ExactCost {
    let paths = d.paths();
    let probs: Vec<f64> = paths.iter().map(|p| p.prob).collect();
    let ok: Vec<bool> = (0..d.n_answers()).map(|a| Some(a) == d.correct()).collect();
    let l = rule.max_samples();
    let mut ids = vec![0u32; l];
    let mut answers = vec![0u32; l];
    let mut cache = super::rule::StopCache::default();
    let (mut e_n, mut acc) = (NeumaierSum::default(), NeumaierSum::default());
    loop {
        let w: f64 = ids.iter().map(|&t| probs[t as usize]).product();
        if w > 0.0 {
            answers.iter_mut().zip(&ids).for_each(|(a, &t)| *a = paths[t as usize].answer as u32);
            let draws = super::PathDraws { ids: &ids, probs: &probs };
            let s = super::replay_with_paths(rule, &answers, &ok, &draws, crate::select::THEORY_TIE_TOL, &mut cache);
            e_n.add(w * s.used as f64);
            acc.add(w * s.credit);
        }
        if !next_tuple(&mut ids, paths.len()) {
            return ExactCost { expected_samples: e_n.total(), accuracy: acc.total() };
        }
    }
}

/// Neumaier's compensated summation.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct NeumaierSum {
    sum: f64,
    compensation: f64,
}

impl NeumaierSum {
    pub(crate) fn add(&mut self, x: f64) {
        let t = self.sum + x;
        self.compensation += if self.sum.abs() >= x.abs() { (self.sum - t) + x } else { (x - t) + self.sum };
        self.sum = t;
    }

    pub(crate) fn total(&self) -> f64 {
        self.sum + self.compensation
    }
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

    #[test]
    fn exact_cost_equals_the_enumeration_of_all_sequences() {
        // Equal masses (lumped classes) with the correct answer inside a
        // class of equals, outside it, and absent.
        let cases: [(&[f64], Option<usize>); 7] = [
            (&[0.6, 0.4], Some(0)),
            (&[0.5, 0.3, 0.2], Some(1)),
            (&[0.25, 0.25, 0.5], Some(0)),
            (&[0.7, 0.2, 0.1], None),
            (&[0.3, 0.3, 0.2, 0.2], Some(1)),
            (&[0.1, 0.3, 0.3, 0.3], Some(2)),
            (&[0.25, 0.25, 0.25, 0.25], Some(0)),
        ];
        let rules = [
            "fixed:5",
            "esc:2:8",
            "esc:2:8:majority",
            "esc:3:6",
            "asc-beta:0.8:8",
            "asc-beta:0.95:7",
            "asc-majority:0.8:7",
            "asc-majority:0.6:8",
            "asc-entropy:0.75:7",
            "asc-entropy:0.9:8",
            "asc-dirichlet:0.8:7",
            "asc-dirichlet:0.6:8",
        ];
        for (masses, y) in cases {
            for text in rules {
                let rule: StopRule = text.parse().unwrap();
                if masses.len().pow(rule.max_samples() as u32) > 2_000_000 {
                    continue;
                }
                let en = enumerate_cost(&rule, masses, y);
                let mut programmes = vec![("best", exact_cost(&rule, masses, y).unwrap()), ("count vectors", count_programme(&rule, masses, y).unwrap())];
                programmes.extend(symmetric::symmetric_programme(&rule, masses, y).map(|e| ("partitions", e)));
                for (how, dp) in programmes {
                    assert!((dp.expected_samples - en.expected_samples).abs() < 1e-12, "{how}: {text} {masses:?}: {dp:?} vs {en:?}");
                    assert!((dp.accuracy - en.accuracy).abs() < 1e-12, "{how}: {text} {masses:?}: {dp:?} vs {en:?}");
                }
                if let StopRule::Esc { window, max, .. } = rule {
                    assert!((esc_expected_samples(masses, window, max) - en.expected_samples).abs() < 1e-12, "ESC closed form, {text} {masses:?}");
                }
            }
        }
    }
}
