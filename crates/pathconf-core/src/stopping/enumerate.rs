//! Exhaustive checks: every sequence of a rule's maximum number of draws,
//! replayed and weighted by its probability — the ground truth the exact
//! programmes are tested against, for tiny cases only (`K^L` or `P^L`
//! sequences). Sums are compensated (Neumaier): `K^L` terms would
//! otherwise lose about 1e-11.

use super::outcome::ExactCost;
use super::replay::replay;
use super::rule::StopRule;
use crate::combinatorics::next_tuple;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stopping::count_vectors::count_programme;
    use crate::stopping::esc::esc_expected_samples;
    use crate::stopping::exact::exact_cost;
    use crate::stopping::partitions::partition_programme;

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
                programmes.extend(partition_programme(&rule, masses, y).map(|e| ("partitions", e)));
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
