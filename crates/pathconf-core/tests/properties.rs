//! Property tests (proptest) of the estimators and the exact theory.

mod common;

use pathconf_core::accuracy::target::Target;
use pathconf_core::accuracy::{selection_accuracy, AccuracyConfig};
use pathconf_core::estimators::EstimatorId;
use pathconf_core::estimators::{Estimator, Perplexity, PerplexityConsistency, ReasoningPruning, SelfConsistency};
use pathconf_core::provenance::Provenance;
use pathconf_core::stopping::count_vectors::count_programme;
use pathconf_core::stopping::enumerate::enumerate_cost;
use pathconf_core::stopping::StopRule;
use pathconf_core::theory::enumerate::enumerate;
use pathconf_core::theory::{paper, pc::pc_moments, pc::pc_mse_direct, pc::pc_terms, rp::rp_terms, sc::sc_terms, ErrorTerms};
use pathconf_core::verify::search::case::{cases, proptest_config as config, stop_rules, Shape};
use pathconf_core::{PathDistribution, Sample, SampledPath};
use proptest::prelude::*;

/// Small cases: at most 3 answers × 3 paths, n ≤ 4 (every n-tuple enumerable).
fn small() -> Shape {
    Shape { max_answers: 3, max_paths: 3, max_n: 4, tiny: true, equal_paths: false }
}

/// A distribution from the shared generator (2–4 answers of 1–4 paths,
/// near-zero masses included), plus a sample of it.
fn dist_and_sample() -> impl Strategy<Value = (PathDistribution, Vec<usize>)> {
    cases(Shape { max_answers: 4, max_paths: 4, max_n: 4, tiny: true, equal_paths: false }).prop_flat_map(|case| {
        let d = case.dist();
        let paths = d.paths().len();
        (Just(d), prop::collection::vec(0..paths, 1..40))
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
    #![proptest_config(config(256))]

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
    fn decomposition_equals_the_enumerated_reasoning_error(case in cases(small()), tau in 0.0f64..0.5) {
        let (d, n) = (case.dist(), case.n);
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

proptest! {
    #![proptest_config(config(96))]

    /// Selection accuracy and expected confidence — SC's dynamic programme,
    /// PPL's exact form, PC's and RP's set enumeration — equal the
    /// enumeration of every n-tuple (tolerance 1e-10).
    #[test]
    fn selection_accuracy_equals_enumeration_of_every_tuple(case in cases(small())) {
        let d = case.dist();
        let tau = case.tau();
        let est = [EstimatorId::Sc, EstimatorId::Ppl, EstimatorId::Pc, EstimatorId::Rp];
        let cfg = AccuracyConfig { tau: Some(tau), temperature: None, trials: 1000, seed: 1 };
        let rows = selection_accuracy(&d, &est, &[case.n], &cfg, &pathconf_core::progress::Quiet).unwrap();
        let en = enumerate(&d, case.n, tau).unwrap();
        for (slot, r) in rows.iter().enumerate() {
            prop_assert!(!matches!(r.method, Provenance::MonteCarlo), "{:?} on a tiny case is exact", r.estimator);
            prop_assert!((r.p_correct - en.selection[slot].p_correct).abs() < 1e-10, "{:?}: {} vs {}", r.estimator, r.p_correct, en.selection[slot].p_correct);
            prop_assert!((r.expected_confidence - en.selection[slot].expected_confidence).abs() < 1e-10, "{:?}", r.estimator);
            // The reported calibration gap is confidence minus accuracy.
            prop_assert!((r.calibration_gap - (en.selection[slot].expected_confidence - en.selection[slot].p_correct)).abs() < 1e-10, "{:?}", r.estimator);
        }
    }

    /// Relabelling answers (the correct one with them) changes nothing:
    /// every answer's PC and RP terms move with it.
    #[test]
    fn relabelling_answers_moves_their_terms(case in cases(small()), shift in 1usize..3) {
        let d = case.dist();
        let k = case.weights.len();
        let mut rotated = case.clone();
        rotated.weights.rotate_left(shift % k);
        let rd = PathDistribution::from_weights(
            &rotated.weights.iter().enumerate().map(|(i, w)| (format!("a{i}"), w.clone())).collect::<Vec<_>>(),
            Some(&format!("a{}", (k - shift % k) % k)),
        ).unwrap();
        for a in 0..k {
            let b = (a + k - shift % k) % k;
            prop_assert!(same(&pc_terms(&d, a, case.n), &pc_terms(&rd, b, case.n)));
            prop_assert!(same(&rp_terms(&d, a, case.n, case.tau()), &rp_terms(&rd, b, case.n, case.tau())));
        }
    }

    /// Splitting a path in two of half its probability leaves SC unchanged
    /// and lowers PC's expected confidence by exactly what its formula says:
    /// `p(1 − (1 − p)^n) − p(1 − (1 − p/2)^n)`.
    #[test]
    fn splitting_a_path_leaves_sc_and_moves_pc_as_its_formula(case in cases(small())) {
        let d = case.dist();
        let mut split = case.weights.clone();
        let w = split[0].remove(0);
        split[0].extend([w / 2.0, w / 2.0]);
        let sd = PathDistribution::from_weights(&split.iter().enumerate().map(|(i, w)| (format!("a{i}"), w.clone())).collect::<Vec<_>>(), Some("a0")).unwrap();
        prop_assert!(same(&sc_terms(&d, 0, case.n).unwrap(), &sc_terms(&sd, 0, case.n).unwrap()));
        let p = d.probs_of(0)[0];
        let miss = |q: f64| (1.0 - q).powi(case.n as i32);
        let drop = p * (1.0 - miss(p)) - p * (1.0 - miss(p / 2.0));
        let (before, after) = (pc_terms(&d, 0, case.n).expected_confidence, pc_terms(&sd, 0, case.n).expected_confidence);
        prop_assert!((before - after - drop).abs() < 1e-12, "{before} − {after} vs {drop}");
    }

    /// Every count-based rule's exact programme equals the enumeration of
    /// every answer sequence (expected samples and accuracy, 1e-10).
    #[test]
    fn stopping_programmes_equal_sequence_enumeration(case in cases(small()), rule in stop_rules(6)) {
        let masses: Vec<f64> = case.dist().answer_masses().to_vec();
        let en = enumerate_cost(&rule, &masses, Some(0));
        if let Some(p) = count_programme(&rule, &masses, Some(0)) {
            prop_assert!((p.expected_samples - en.expected_samples).abs() < 1e-10, "{rule}: {} vs {}", p.expected_samples, en.expected_samples);
            prop_assert!((p.accuracy - en.accuracy).abs() < 1e-10, "{rule}: {} vs {}", p.accuracy, en.accuracy);
        }
        if let Some(p) = pathconf_core::stopping::exact::exact_cost(&rule, &masses, Some(0)) {
            prop_assert!((p.expected_samples - en.expected_samples).abs() < 1e-10, "{rule} (exact_cost)");
            prop_assert!((p.accuracy - en.accuracy).abs() < 1e-10, "{rule} (exact_cost)");
        }
    }

    /// RP's total reasoning error — what τ*(n) minimises — is the sum over
    /// answers of the enumerated errors, and at τ = 0 PC's (tolerance 1e-12).
    /// (Mutation testing: a constant total passed the minimiser property.)
    #[test]
    fn the_total_rp_error_is_the_enumerated_sum(case in cases(small())) {
        use pathconf_core::theory::rp::{optimal_tau_total, total_reasoning_error};
        let d = case.dist();
        let tau = case.tau();
        let e = enumerate(&d, case.n, tau).expect("small enough to enumerate");
        let rp: f64 = e.rp.iter().map(|x| x.reasoning_error).sum();
        let pc: f64 = e.pc.iter().map(|x| x.reasoning_error).sum();
        prop_assert!((total_reasoning_error(&d, case.n, tau) - rp).abs() < 1e-12, "{} vs {rp}", total_reasoning_error(&d, case.n, tau));
        prop_assert!((optimal_tau_total(&d, case.n).reasoning_error_pc - pc).abs() < 1e-12);
    }

    /// The exact optimal threshold τ*(n) is a minimiser: no threshold that
    /// keeps a path — any path probability, 0, or a random one up to the
    /// largest path probability — gives RP a smaller total reasoning error.
    #[test]
    fn the_optimal_threshold_is_a_minimiser(case in cases(Shape { max_n: 64, ..Shape::default() }), tau in 0.0f64..1.0) {
        use pathconf_core::theory::rp::{optimal_tau_total, total_reasoning_error};
        let d = case.dist();
        let opt = optimal_tau_total(&d, case.n);
        let best = total_reasoning_error(&d, case.n, opt.tau);
        let mut taus: Vec<f64> = d.paths().iter().map(|p| p.prob).collect();
        let largest = taus.iter().cloned().fold(0.0, f64::max);
        taus.extend([0.0, tau * largest]);
        for t in taus {
            prop_assert!(best <= total_reasoning_error(&d, case.n, t) + 1e-12, "τ* = {} ({best}) vs τ = {t}", opt.tau);
        }
    }

    /// Answers alike in every way (the same paths) are chosen alike: each
    /// estimator picks the correct one with probability exactly 1/k, ties
    /// split — a symmetry no shared code can fake (a wrong tie credit, for
    /// one, breaks it: `scripts/seeded_bugs.sh`).
    #[test]
    fn identical_answers_are_chosen_with_equal_chance(k in 2usize..5, paths in prop::collection::vec(1u32..6, 1..3), n in 1u64..6) {
        let groups: Vec<(String, Vec<f64>)> = (0..k).map(|a| (format!("a{a}"), paths.iter().map(|&w| f64::from(w)).collect())).collect();
        let d = PathDistribution::from_weights(&groups, Some("a0")).unwrap();
        let est = [EstimatorId::Sc, EstimatorId::Ppl, EstimatorId::Pc, EstimatorId::Rp];
        let cfg = AccuracyConfig { tau: Some(0.0), temperature: None, trials: 1000, seed: 1 };
        for r in selection_accuracy(&d, &est, &[n], &cfg, &pathconf_core::progress::Quiet).unwrap() {
            prop_assert!((r.p_correct - 1.0 / k as f64).abs() < 1e-12, "{:?}: {} with {k} identical answers", r.estimator, r.p_correct);
        }
        // The same through the stopping rules' replay (every answer sequence
        // of fixed:n, credited as `eval` credits a plurality).
        let rule = StopRule::Fixed { n: n as usize };
        let masses = d.answer_masses().to_vec();
        let en = enumerate_cost(&rule, &masses, Some(0));
        prop_assert!((en.accuracy - 1.0 / k as f64).abs() < 1e-12, "replayed fixed:{n}: {} with {k} identical answers", en.accuracy);
    }

    /// A rule written and read back is the same rule.
    #[test]
    fn rules_round_trip_through_their_text(rule in stop_rules(64)) {
        prop_assert_eq!(rule.to_string().parse::<StopRule>().unwrap(), rule);
    }

    /// A sample-size target written and read back is the same target.
    /// (Mutation testing: a `Display` that wrote nothing went unseen.)
    #[test]
    fn targets_round_trip_through_their_text(
        target in prop_oneof![
            (0.0..=1.0f64).prop_map(|within| Target::Limit { within }),
            (1..100_000u64).prop_map(|n| Target::Sc { n }),
            (0.0..=1.0f64).prop_map(|accuracy| Target::Absolute { accuracy }),
        ]
    ) {
        prop_assert_eq!(target.to_string().parse::<Target>(), Ok(target));
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// CISC at T = ∞ weighs every path alike: its limit is the answer
    /// masses and its exact accuracy SC's.
    #[test]
    fn cisc_at_infinite_temperature_is_sc(case in cases(small())) {
        use pathconf_core::theory::weighted::{cisc_exact, cisc_limit};
        let d = case.dist();
        let limit = cisc_limit(&d, f64::INFINITY);
        for (a, l) in limit.iter().enumerate() {
            prop_assert!((l - d.answer_mass(a)).abs() < 1e-12);
        }
        let cfg = AccuracyConfig { tau: None, temperature: None, trials: 1000, seed: 1 };
        let sc = selection_accuracy(&d, &[EstimatorId::Sc], &[case.n], &cfg, &pathconf_core::progress::Quiet).unwrap();
        prop_assert!((cisc_exact(&d, case.n, f64::INFINITY).unwrap().p_correct - sc[0].p_correct).abs() < 1e-12);
    }
}
