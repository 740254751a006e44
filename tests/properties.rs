//! Property tests (proptest) of the estimators and the exact theory.

mod common;

use pathconf::estimators::{Estimator, Perplexity, PerplexityConsistency, ReasoningPruning, SelfConsistency};
use pathconf::theory::enumerate::enumerate;
use pathconf::theory::{paper, pc::pc_moments, pc::pc_mse_direct, pc::pc_terms, rp::rp_terms, sc::sc_terms, ErrorTerms};
use pathconf::{PathDistribution, Sample, SampledPath};
use proptest::prelude::*;

/// A distribution of 1..=12 paths over 1..=4 answers, plus a sample of it.
fn dist_and_sample() -> impl Strategy<Value = (PathDistribution, Vec<usize>)> {
    (1usize..=12, 1usize..=4)
        .prop_flat_map(|(paths, answers)| {
            (prop::collection::vec(0.001f64..1.0, paths), prop::collection::vec(0..answers, paths), prop::collection::vec(0..paths, 1..40))
        })
        .prop_filter_map("every answer needs a path", |(w, a, draws)| {
            let s: f64 = w.iter().sum();
            let na = a.iter().max().unwrap() + 1;
            let mut groups: Vec<(String, Vec<f64>)> = (0..na).map(|i| (format!("a{i}"), vec![])).collect();
            for (x, &ans) in w.iter().zip(&a) {
                groups[ans].1.push(x / s);
            }
            if groups.iter().any(|g| g.1.is_empty()) {
                return None;
            }
            let d = PathDistribution::new(&groups, Some("a0")).ok()?;
            Some((d, draws))
        })
}

fn sample_of(d: &PathDistribution, draws: &[usize]) -> Sample {
    let mut s = Sample::new(d.paths().len(), d.n_answers());
    for &i in draws {
        let p = d.paths()[i];
        s.push(SampledPath { id: i as u32, prob: p.prob, answer: p.answer as u32 });
    }
    s
}

fn scores(e: &dyn Estimator, s: &Sample) -> Vec<f64> {
    let mut out = vec![0.0; s.n_answers()];
    e.answer_scores(s, &mut out);
    out
}

fn same(a: &ErrorTerms, b: &ErrorTerms) -> bool {
    let c = |x: f64, y: f64| (x - y).abs() <= 1e-12;
    c(a.expected_confidence, b.expected_confidence) && c(a.estimation_error, b.estimation_error) && c(a.reasoning_error, b.reasoning_error)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn sc_confidences_sum_to_one((d, draws) in dist_and_sample()) {
        let s = sample_of(&d, &draws);
        let total: f64 = scores(&SelfConsistency, &s).iter().sum();
        prop_assert!((total - 1.0).abs() < 1e-12);
    }

    #[test]
    fn pc_lies_between_zero_and_the_answer_mass_and_dominates_ppl((d, draws) in dist_and_sample()) {
        let s = sample_of(&d, &draws);
        let pc = scores(&PerplexityConsistency, &s);
        let ppl = scores(&Perplexity, &s);
        for a in 0..d.n_answers() {
            prop_assert!(pc[a] >= 0.0 && pc[a] <= d.answer_mass(a) + 1e-12);
            prop_assert!(ppl[a] <= pc[a] + 1e-15);
        }
    }

    #[test]
    fn rp_at_tau_zero_is_pc((d, draws) in dist_and_sample(), n in 0u64..80) {
        let s = sample_of(&d, &draws);
        prop_assert_eq!(scores(&ReasoningPruning::fixed(0.0), &s), scores(&PerplexityConsistency, &s));
        for a in 0..d.n_answers() {
            prop_assert!(same(&rp_terms(&d, a, n, 0.0), &pc_terms(&d, a, n)));
        }
    }

    #[test]
    fn exact_mse_is_below_every_bound((d, _draws) in dist_and_sample(), n in 0u64..200) {
        for a in 0..d.n_answers() {
            let probs = d.probs_of(a);
            let mse = pc_terms(&d, a, n).estimation_error;
            let b1 = paper::bound_missed_mass(&probs, n);
            let b2 = paper::bound_pmin(&probs, n);
            prop_assert!(mse <= b1 * (1.0 + 1e-12) + 1e-15, "mse {} > bound {}", mse, b1);
            prop_assert!(b1 <= b2 * (1.0 + 1e-12) + 1e-15);
            if let Some(k) = paper::equal_path_count(&probs) {
                prop_assert!(mse <= paper::thm4_rate(d.answer_mass(a), k, n) * (1.0 + 1e-12) + 1e-15);
            }
        }
    }

    /// Proposition 1 against its definition: the closed forms' terms add up
    /// to `E[(p̂ − I)²]` computed by enumerating every ordered n-sample (not
    /// by adding the terms), for SC, PC and RP. Exact arithmetic up to
    /// rounding: tolerance 1e-12 (sums of ≤ 6⁴ products of probabilities).
    #[test]
    fn decomposition_equals_the_enumerated_reasoning_error((d, _draws) in dist_and_sample(), n in 1u64..=4, tau in 0.0f64..0.5) {
        prop_assume!(d.paths().len() <= 6);
        let e = enumerate(&d, n, tau).expect("small enough to enumerate");
        let sc = e.sc.as_ref().expect("n ≥ 1");
        for (a, &sc_a) in sc.iter().enumerate() {
            for (t, en) in [(sc_terms(&d, a, n).unwrap(), sc_a), (pc_terms(&d, a, n), e.pc[a]), (rp_terms(&d, a, n, tau), e.rp[a])] {
                prop_assert!((t.estimation_error + t.model_error + t.cross_term - en.reasoning_error).abs() < 1e-12, "{t:?} vs {en:?}");
                prop_assert!((t.estimation_error - en.estimation_error).abs() < 1e-12);
                prop_assert!((t.expected_confidence - en.mean).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn pc_expectation_is_non_decreasing_in_n((d, _draws) in dist_and_sample(), n in 0u64..300) {
        for a in 0..d.n_answers() {
            prop_assert!(pc_terms(&d, a, n + 1).expected_confidence >= pc_terms(&d, a, n).expected_confidence - 1e-15);
        }
    }

    #[test]
    fn theory_is_invariant_under_reordering((d, _draws) in dist_and_sample(), n in 0u64..100, tau in 0.0f64..0.5) {
        // Reverse the answers and the paths within each answer.
        let groups: Vec<(String, Vec<f64>)> = (0..d.n_answers()).rev()
            .map(|a| (d.answers()[a].clone(), d.probs_of(a).into_iter().rev().collect()))
            .collect();
        let r = PathDistribution::new(&groups, d.correct_name()).unwrap();
        for a in 0..d.n_answers() {
            let b = r.answer_index(&d.answers()[a]).unwrap();
            prop_assert!(same(&pc_terms(&d, a, n), &pc_terms(&r, b, n)));
            prop_assert!(same(&rp_terms(&d, a, n, tau), &rp_terms(&r, b, n, tau)));
            if n > 0 {
                prop_assert!(same(&sc_terms(&d, a, n).unwrap(), &sc_terms(&r, b, n).unwrap()));
            }
        }
    }

    #[test]
    fn fast_pc_mse_equals_the_direct_double_sum(probs in prop::collection::vec(1e-6f64..0.2, 1..60), n in 0u64..2000) {
        let s: f64 = probs.iter().sum();
        let probs: Vec<f64> = probs.iter().map(|p| p / s.max(1.0)).collect();
        let fast = pc_moments(&probs, n).mse;
        let slow = pc_mse_direct(&probs, n);
        prop_assert!((fast - slow).abs() <= 1e-13 + 1e-10 * slow, "{} vs {}", fast, slow);
    }
}
