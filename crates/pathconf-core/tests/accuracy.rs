//! Exact selection accuracy against exhaustive enumeration of all n-tuples
//! (tiny cases, to 1e-12) and Monte Carlo (large cases); Chen et al.'s
//! closed form and shapes; the increment identity; the Chernoff rate.

mod common;

use pathconf_core::accuracy::population::{chernoff_rate, observed_shape, BinaryMixture, Shape};
use pathconf_core::accuracy::sc::{sc_curve, DROP};
use pathconf_core::accuracy::target::{samples_needed, Target};
use pathconf_core::accuracy::{selection_accuracy, AccuracyConfig};
use pathconf_core::estimators::EstimatorId;
use pathconf_core::montecarlo::agreement::{Family, StdError};
use pathconf_core::progress::Quiet;
use pathconf_core::provenance::Provenance;
use pathconf_core::theory::enumerate::enumerate;
use pathconf_core::PathDistribution;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

const ALL: [EstimatorId; 4] = [EstimatorId::Sc, EstimatorId::Ppl, EstimatorId::Pc, EstimatorId::Rp];

fn extra_cases() -> Vec<(PathDistribution, f64)> {
    let c = |g: &[(&str, Vec<f64>)], correct: Option<&str>, tau: f64| (PathDistribution::new(g, correct).unwrap(), tau);
    vec![
        // A tier of four equal paths over three answers: PPL's mixed-tier programme.
        c(&[("A", vec![0.25, 0.25]), ("B", vec![0.25]), ("C", vec![0.25])], Some("A"), 0.2),
        c(&[("A", vec![0.25]), ("B", vec![0.25, 0.25]), ("C", vec![0.125, 0.125])], Some("C"), 0.2),
        // Uniform answers: many SC ties.
        c(&[("A", vec![0.25]), ("B", vec![0.25]), ("C", vec![0.25]), ("D", vec![0.25])], Some("B"), 0.1),
        c(&[("A", vec![0.5]), ("B", vec![0.5])], Some("A"), 0.5),
        c(&[("A", vec![0.125, 0.125]), ("B", vec![0.5]), ("C", vec![0.25])], Some("A"), 0.2),
        // Two answers' paths 1e-12 apart: 2.5 times the relative tie tolerance
        // of the larger, so PPL's tiers must keep them apart, as the selection
        // does. (Mutation testing: a tier window of `tol / p` for `tol · p`,
        // which merges them, went unseen.)
        c(&[("A", vec![0.4]), ("B", vec![0.4 - 1e-12]), ("C", vec![0.2 + 1e-12])], Some("B"), 0.2),
    ]
}

#[test]
fn exact_accuracy_equals_enumeration_of_all_tuples() {
    let mut cases = common::tiny_cases();
    cases.extend(extra_cases());
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for _ in 0..6 {
        cases.push((common::random_tiny(5, &mut rng), 0.15));
    }
    let ns: Vec<u64> = (1..=6).collect();
    for (ci, (d, tau)) in cases.iter().enumerate() {
        let cfg = AccuracyConfig { tau: Some(*tau), ..Default::default() };
        let rows = selection_accuracy(d, &ALL, &ns, &cfg, &Quiet).unwrap();
        for r in &rows {
            assert_ne!(r.method, Provenance::MonteCarlo, "case {ci}: tiny spaces are worked exactly");
            let e = enumerate(d, r.n, *tau).unwrap();
            let slot = ALL.iter().position(|&x| x == r.estimator).unwrap();
            let truth = e.selection[slot];
            assert!((r.p_correct - truth.p_correct).abs() < 1e-12, "case {ci} {:?} n={}: {} vs enumerated {}", r.estimator, r.n, r.p_correct, truth.p_correct);
            assert!(
                (r.expected_confidence - truth.expected_confidence).abs() < 1e-12,
                "case {ci} {:?} n={}: confidence {} vs enumerated {}",
                r.estimator,
                r.n,
                r.expected_confidence,
                truth.expected_confidence
            );
        }
    }
}

/// SC's credit `1[c_y = max] / #{a : c_a = max}` summed over every count
/// vector `c` of `n` samples with its multinomial probability (in logs),
/// over `combinatorics::compositions` (which SC's programme does not use):
/// the reference for the test below.
fn sc_by_count_vectors(masses: &[f64], y: usize, n: usize) -> f64 {
    use statrs::function::factorial::ln_factorial;
    pathconf_core::combinatorics::compositions(n as u64, masses.len())
        .map(|c| {
            let max = *c.iter().max().unwrap();
            if c[y] != max {
                return 0.0;
            }
            let ln_p = ln_factorial(n as u64) + c.iter().zip(masses).map(|(&k, &p)| k as f64 * p.ln() - ln_factorial(k)).sum::<f64>();
            ln_p.exp() / c.iter().filter(|&&k| k == max).count() as f64
        })
        .sum()
}

/// SC's programme against the direct sum over count vectors where its
/// trim of tie states fires: answers of tiny mass (1e-4 to 1e-6) next to
/// large ones make the states "y tied with them" negligible at every `m`,
/// so the programme zeroes them and stops visiting them. Five answers,
/// n ≤ 24, to 1e-12. (Mutation testing: zeroing the wrong cells in that
/// trim — `m + w` for `m · w` — changed accuracies by up to 0.7 on random
/// masses and passed every other test.)
#[test]
fn sc_programme_equals_the_count_vector_sum_where_it_trims() {
    let cases: [(&[f64], usize); 4] = [
        (&[0.5, 0.3, 0.2 - 2e-4, 1e-4, 1e-4], 0),
        (&[0.4, 0.4 - 1e-5, 0.2, 1e-6, 9e-6], 1),
        (&[0.35, 0.25, 0.2, 0.2 - 1e-4, 1e-4], 4),
        (&[1e-6, 0.6, 0.2, 0.2 - 2e-6, 1e-6], 2),
    ];
    for (masses, y) in cases {
        let got = pathconf_core::accuracy::sc::sc_accuracy(masses, Some(y), 24);
        for (n, &g) in got.iter().enumerate().skip(1) {
            let want = sc_by_count_vectors(masses, y, n);
            assert!((g - want).abs() < 1e-12, "{masses:?}, y = {y}, n = {n}: programme {g} vs sum {want}");
        }
    }
}

#[test]
fn sc_programme_agrees_with_monte_carlo_on_many_answers() {
    // 12 answers, n up to 300: beyond enumeration. 8 z-tests at a family-wise
    // false-alarm rate of FAMILY_ALPHA (fixed seed).
    let masses = [0.2, 0.18, 0.14, 0.1, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03, 0.03, 0.02];
    let groups: Vec<(String, Vec<f64>)> = masses.iter().enumerate().map(|(i, &p)| (format!("a{i}"), vec![p])).collect();
    let d = PathDistribution::new(&groups, Some("a1")).unwrap();
    let ns = [7u64, 40, 150, 300];
    let exact = sc_curve(&masses, Some(1), 300);
    let sc = pathconf_core::estimators::SelfConsistency;
    let family = Family::new(2 * ns.len());
    for &n in &ns {
        let m = pathconf_core::montecarlo::simulate_selection(&d, &sc, n, 40_000, 5 + n, &Quiet);
        let c = family.equal(m.p_correct.mean, exact.p_correct[n as usize], StdError::Quadrature { se: m.p_correct.std_error, floor: 1.0 / 40_000.0 });
        assert!(c.agrees, "n={n}: MC {:?} vs exact {} (z = {})", m.p_correct, exact.p_correct[n as usize], c.z);
        let c = family.equal(
            m.expected_confidence.mean,
            exact.expected_confidence[n as usize],
            StdError::Quadrature { se: m.expected_confidence.std_error, floor: 1.0 / 40_000.0 },
        );
        assert!(c.agrees, "n={n}: confidence MC {:?} vs exact {}", m.expected_confidence, exact.expected_confidence[n as usize]);
    }
    // The reported bound on dropped probability, as documented: up to 300 outer
    // weights, the binomial rows' tails, and one event per answer (12), each below
    // DROP — 3·300 + 2·12 + 2 of them.
    assert_eq!(exact.error_bound, (3 * 300 + 2 * 12 + 2) as f64 * DROP);
    assert!(exact.error_bound < 1e-13);
}

#[test]
fn binary_sc_matches_the_regularised_beta_and_the_increment_identity() {
    for &p in &[0.3, 0.5, 0.55, 0.8] {
        let c = sc_curve(&[p, 1.0 - p], Some(0), 401);
        let mix = BinaryMixture { alpha: 1.0, p_easy: p, p_hard: 0.0 };
        for n in (1..=401u64).step_by(2) {
            assert!((c.p_correct[n as usize] - mix.accuracy(n)).abs() < 1e-12, "p={p} n={n}");
            // An even n splits its ties: A(2m) = A(2m − 1).
            if n > 1 {
                assert!((c.p_correct[n as usize - 1] - c.p_correct[n as usize - 2]).abs() < 1e-12, "p={p} n={}", n - 1);
            }
        }
        for m in 0..150u64 {
            let inc = c.p_correct[2 * m as usize + 3] - c.p_correct[2 * m as usize + 1];
            let ln_c = statrs::function::factorial::ln_binomial(2 * m + 1, m);
            let identity = (2.0 * p - 1.0) * (ln_c + (m + 1) as f64 * (p * (1.0 - p)).ln()).exp();
            assert!((inc - identity).abs() < 1e-12, "p={p} m={m}: {inc} vs {identity}");
        }
    }
}

#[test]
fn chen_theorem_one_shapes_appear_in_the_exact_curves() {
    let cases = [
        (BinaryMixture { alpha: 0.9, p_easy: 0.85, p_hard: 0.4 }, Shape::InverseU),
        (BinaryMixture { alpha: 0.2, p_easy: 0.85, p_hard: 0.4 }, Shape::Decreasing),
        (BinaryMixture { alpha: 0.7, p_easy: 0.6, p_hard: 0.1 }, Shape::Increasing),
        (BinaryMixture { alpha: 0.25, p_easy: 0.65, p_hard: 0.2 }, Shape::U),
    ];
    for (mix, expected) in cases {
        let pred = mix.predict().unwrap();
        assert_eq!(pred.shape, expected, "{mix:?}: {pred:?}");
        if let Some(turn) = pred.turn_n {
            assert!(turn < 301.0, "{mix:?}: the turn at n ≈ {turn} should be visible");
        }
        // The exact population curve from the SC programme (not the closed form).
        let easy = sc_curve(&[mix.p_easy, 1.0 - mix.p_easy], Some(0), 301);
        let hard = sc_curve(&[mix.p_hard, 1.0 - mix.p_hard], Some(0), 301);
        let odd: Vec<f64> = (1..=301).step_by(2).map(|n| mix.alpha * easy.p_correct[n] + (1.0 - mix.alpha) * hard.p_correct[n]).collect();
        assert_eq!(observed_shape(&odd, 1e-13), expected, "{mix:?}");
    }
}

#[test]
fn sc_error_decays_at_the_chernoff_rate() {
    // P(wrong) ≈ C n^{-γ} e^{−nI} with a polynomial prefactor: the log-slope
    // over [n₁, n₂] is −I − γ ln(n₂/n₁)/(n₂ − n₁) + o(1/n). Check that −slope
    // approaches I at that rate (γ ≤ 1.5) and gets closer as n doubles.
    let masses = [0.45, 0.35, 0.2];
    let i_star = chernoff_rate(&masses, 0).unwrap();
    let c = sc_curve(&masses, Some(0), 1001);
    let wrong = |n: usize| 1.0 - c.p_correct[n];
    assert!(wrong(1001) > 1e-8, "the check needs P(wrong) well above rounding: {}", wrong(1001));
    let gap = |n1: usize, n2: usize| {
        let slope = (wrong(n2).ln() - wrong(n1).ln()) / (n2 - n1) as f64;
        (-slope - i_star, ((n2 as f64) / (n1 as f64)).ln() / (n2 - n1) as f64)
    };
    let (d1, scale1) = gap(251, 501);
    let (d2, scale2) = gap(501, 1001);
    assert!(d2.abs() <= 1.5 * scale2 && d1.abs() <= 1.5 * scale1, "gaps {d1} {d2}, scales {scale1} {scale2}, rate {i_star}");
    assert!(d2.abs() < d1.abs(), "the slope approaches the rate: {d1} then {d2}");
}

#[test]
fn samples_needed_finds_the_first_n() {
    let d = PathDistribution::new(&[("A", vec![0.6]), ("B", vec![0.4])], Some("A")).unwrap();
    let r = samples_needed(&d, &[EstimatorId::Sc], None, Target::Sc { n: 9 }, 64);
    // Binary SC rises only at odd n, so the first n reaching A(9) is 9.
    assert_eq!(r[0].n, Some(9));
    assert!(r[0].stays_above);
    // PC is right unless only B's path was sampled: 1 − 0.4^n ≥ 0.99 first at n = 6.
    let r = samples_needed(&d, &[EstimatorId::Pc], None, Target::Limit { within: 0.01 }, 64);
    assert_eq!(r[0].n, Some(6), "{:?}", r[0]);
    // SC's limit is 1 and it gets there only as n → ∞ (within 1e-12: never by n = 64).
    let r = samples_needed(&d, &[EstimatorId::Sc], None, Target::Limit { within: 0.0 }, 64);
    assert_eq!(r[0].n, None);
    assert!("limit:2".parse::<Target>().is_err() && "sc:0".parse::<Target>().is_err() && "x:1".parse::<Target>().is_err());
}

#[test]
fn monte_carlo_rows_do_not_depend_on_threads() {
    let d = pathconf_core::generators::LlmLike { n_paths: 300, ..Default::default() }.sample(&mut ChaCha8Rng::seed_from_u64(3)).unwrap();
    let cfg = AccuracyConfig { tau: Some(0.003), temperature: None, trials: 5000, seed: 9 };
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| selection_accuracy(&d, &[EstimatorId::Pc, EstimatorId::Rp], &[4, 16], &cfg, &Quiet).unwrap())
    };
    let one = run(1);
    assert!(one.iter().all(|r| r.method == Provenance::MonteCarlo));
    assert_eq!(one, run(3));
}

/// A population's Monte Carlo interval combines its questions' standard
/// errors in quadrature, so with weights `w` it is at most `√Σw²` times its
/// widest question's (0.62 for 0.5 / 0.3 / 0.2). The questions' own widths
/// are estimated from other seeds (4,000 trials: ~1% relative noise), so the
/// test allows 0.70 — about 12 standard deviations of slack, a false-failure
/// rate far below 10⁻⁹. (Mutation testing: nothing checked this interval.)
#[test]
fn a_population_interval_combines_its_questions_in_quadrature() {
    use pathconf_core::accuracy::population::population_accuracy;
    let weights = [0.5, 0.3, 0.2];
    let questions: Vec<(f64, PathDistribution)> = weights
        .iter()
        .enumerate()
        .map(|(i, &w)| {
            (w, pathconf_core::generators::LlmLike { n_paths: 30, ..Default::default() }.sample(&mut ChaCha8Rng::seed_from_u64(40 + i as u64)).unwrap())
        })
        .collect();
    let cfg = AccuracyConfig { tau: None, temperature: None, trials: 4000, seed: 9 };
    let ns = [4, 16];
    let points = population_accuracy(&questions, &[EstimatorId::Pc], &ns, &cfg, &Quiet).unwrap();
    let widest: Vec<f64> = ns
        .iter()
        .map(|&n| {
            let own = AccuracyConfig { seed: 77, ..cfg };
            questions
                .iter()
                .map(|(_, d)| selection_accuracy(d, &[EstimatorId::Pc], &[n], &own, &Quiet).unwrap()[0].ci.expect("Monte Carlo").width())
                .fold(0.0, f64::max)
        })
        .collect();
    for (p, widest) in points.iter().zip(widest) {
        assert_eq!(p.method, Provenance::MonteCarlo, "30 paths need Monte Carlo for PC");
        let ci = p.ci.expect("a Monte Carlo point has an interval");
        assert!(ci.low <= p.p_correct && p.p_correct <= ci.high, "n = {}: {} outside {ci:?}", p.n, p.p_correct);
        assert!(ci.width() > 0.0 && ci.width() <= 0.70 * widest, "n = {}: population width {} vs widest question {widest}", p.n, ci.width());
    }
}

/// A population is labelled by its least exact question: PC's accuracy on
/// small questions comes from enumerating their sample sets, so a population
/// of them is `enumeration`, never `exact`, and its value is the weighted sum
/// of the questions' own. SC's programme is `exact`. (Mutation testing: with
/// the `enumeration` arm of the labelling deleted, the population said `exact`.)
#[test]
fn a_population_is_labelled_by_its_least_exact_question() {
    use pathconf_core::accuracy::population::population_accuracy;
    let questions = [
        (0.25, PathDistribution::new(&[("A", vec![0.3, 0.2]), ("B", vec![0.5])], Some("A")).unwrap()),
        (0.75, PathDistribution::new(&[("A", vec![0.4]), ("B", vec![0.35, 0.25])], Some("B")).unwrap()),
    ];
    let cfg = AccuracyConfig { tau: None, temperature: None, trials: 0, seed: 1 };
    let ns = [1, 3, 5];
    for (id, method) in [(EstimatorId::Pc, Provenance::Enumeration), (EstimatorId::Sc, Provenance::Exact)] {
        let points = population_accuracy(&questions, &[id], &ns, &cfg, &Quiet).unwrap();
        for (i, p) in points.iter().enumerate() {
            assert_eq!(p.method, method, "{id:?} n = {}", p.n);
            let own: f64 = questions.iter().map(|(w, d)| w * selection_accuracy(d, &[id], &[p.n], &cfg, &Quiet).unwrap()[0].p_correct).sum();
            assert!((p.p_correct - own).abs() < 1e-12, "{id:?} point {i}: {} vs {own}", p.p_correct);
        }
    }
}

/// Theorem 1 (Chen et al.): the curve starts upward (`R₀ < 1`) exactly when
/// `α > 1 − 1/t`, the threshold `predict` reports, and that direction is the
/// sign of the exact `A(3) − A(1)` from the SC programme.
#[test]
fn the_predicted_threshold_on_alpha_decides_the_first_step() {
    use proptest::prelude::*;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::new(pathconf_core::verify::search::case::proptest_config(256));
    runner
        .run(&(0.02f64..0.98, 0.52f64..0.98, 0.02f64..0.48), |(alpha, p_easy, p_hard)| {
            let mix = BinaryMixture { alpha, p_easy, p_hard };
            let pred = mix.predict().expect("inside the hypothesis");
            let starts_up = matches!(pred.shape, Shape::InverseU | Shape::Increasing);
            // Away from the boundary (where rounding could decide either way).
            prop_assume!((alpha - pred.alpha_threshold).abs() > 1e-9);
            prop_assert_eq!(starts_up, alpha > pred.alpha_threshold, "{:?}: {:?}", mix, pred);
            let curve = |p: f64| sc_curve(&[p, 1.0 - p], Some(0), 3).p_correct;
            let (easy, hard) = (curve(p_easy), curve(p_hard));
            let step = alpha * (easy[3] - easy[1]) + (1.0 - alpha) * (hard[3] - hard[1]);
            prop_assume!(step.abs() > 1e-12);
            prop_assert_eq!(starts_up, step > 0.0, "{:?}: A(3) − A(1) = {}", mix, step);
            Ok(())
        })
        .unwrap();
}

/// Paths of probability zero are never sampled and take no part in PPL's
/// tiers: adding some to the correct answer and to a rival (where, kept,
/// they would form a mixed tier of their own below every positive path)
/// changes nothing, bit for bit. Four equal paths, two per answer, tie in
/// one tier; by symmetry the correct answer wins half the ties at every n.
/// (Mutation testing: keeping zero-probability paths made that tier's
/// sampling share 0/0 once the positive paths summed to exactly 1.)
#[test]
fn ppl_ignores_paths_of_zero_probability() {
    use pathconf_core::accuracy::ppl::ppl_exact;
    let plain = PathDistribution::new(&[("A", vec![0.25, 0.25]), ("B", vec![0.25, 0.25])], Some("A")).unwrap();
    let zeros = PathDistribution::new(&[("A", vec![0.25, 0.0, 0.25]), ("B", vec![0.0, 0.25, 0.25])], Some("A")).unwrap();
    let ns = [1, 2, 5, 64];
    let want = ppl_exact(&plain, &ns).expect("one mixed tier of four paths");
    for &(acc, _) in &want {
        assert!((acc - 0.5).abs() < 1e-12, "{acc}");
    }
    assert_eq!(ppl_exact(&zeros, &ns), Some(want));
}

/// PPL's programme is exact at any `n` when no tier of equal probability
/// mixes answers (only mixed tiers cost work): 500 distinct paths at
/// n = 3000, against the direct sum over the correct answer's paths of
/// P(path sampled, no more probable path sampled) = (1 − H)^n − (1 − H − p)^n.
/// (Mutation testing: counting single-answer tiers as work passed unseen.)
#[test]
fn ppl_is_exact_at_any_n_without_mixed_tiers() {
    use pathconf_core::accuracy::ppl::ppl_exact;
    let k = 500;
    let total: f64 = (1..=k).map(|i| i as f64).sum();
    let groups: Vec<(String, Vec<f64>)> = (0..3).map(|a| (format!("a{a}"), (1..=k).filter(|i| i % 3 == a).map(|i| i as f64 / total).collect())).collect();
    let d = PathDistribution::from_weights(&groups, Some("a1")).unwrap();
    let n = 3000u64;
    let got = ppl_exact(&d, &[n]).expect("no mixed tier: exact whatever n");
    let (mut above, mut want) = (0.0f64, 0.0);
    for i in (1..=k).rev() {
        let p = i as f64 / total;
        if i % 3 == 1 {
            want += (1.0 - above).powi(n as i32) - (1.0 - above - p).max(0.0).powi(n as i32);
        }
        above += p;
    }
    assert!((got[0].0 - want).abs() < 1e-12, "{} vs {want}", got[0].0);
}

/// Theorem 1 at `ρ = 1` exactly (`p_hard = 1 − p_easy`, here ¾ and ¼, where
/// `p(1 − p)` is 3/16 on both sides): the two kinds' increments keep a fixed
/// ratio, so the curve is monotone — increasing when `α > ½` (`R₀ < 1`),
/// decreasing below — with no turn; the exact curve agrees (odd `n`:
/// `A(n) = 1 − α + (2α − 1) I(n)`). (Mutation testing: `ρ ≥ 1` for `ρ > 1`,
/// an inverse U with a turn at infinity, went unseen.)
/// Theorem 1's turning point: the odd-`n` increment `A(n + 2) − A(n)`,
/// `n = 2m + 1`, has the sign of `1 − R₀ ρᵐ`, so the direction changes after
/// `n* = 2 ln(1/R₀)/ln ρ + 1`. The exact curve (the SC programme, not the
/// closed form) moves in the first direction at every odd `n < n*` and in the
/// other at every odd `n > n*` — including the one odd `n` in `(n* − 2, n*)`,
/// which a turn misplaced by one step would get wrong. (Mutation testing:
/// `2m* − 1` for `2m* + 1` went unseen.)
#[test]
fn the_predicted_turn_is_where_the_exact_curve_turns() {
    let cases = [
        (BinaryMixture { alpha: 0.9, p_easy: 0.85, p_hard: 0.4 }, Shape::InverseU),
        (BinaryMixture { alpha: 0.95, p_easy: 0.7, p_hard: 0.45 }, Shape::InverseU),
        (BinaryMixture { alpha: 0.25, p_easy: 0.65, p_hard: 0.2 }, Shape::U),
        (BinaryMixture { alpha: 0.1, p_easy: 0.6, p_hard: 0.1 }, Shape::U),
    ];
    let n_max = 301;
    for (mix, shape) in cases {
        let pred = mix.predict().expect("inside the hypothesis");
        assert_eq!(pred.shape, shape, "{mix:?}");
        let turn = pred.turn_n.expect("a turn");
        assert!(turn + 4.0 < n_max as f64, "{mix:?}: turn {turn}");
        let easy = sc_curve(&[mix.p_easy, 1.0 - mix.p_easy], Some(0), n_max);
        let hard = sc_curve(&[mix.p_hard, 1.0 - mix.p_hard], Some(0), n_max);
        let a = |n: usize| mix.alpha * easy.p_correct[n] + (1.0 - mix.alpha) * hard.p_correct[n];
        let first_up = shape == Shape::InverseU;
        let mut just_before = false;
        for n in (1..n_max - 1).step_by(2) {
            let step = a(n + 2) - a(n);
            if step.abs() < 1e-13 {
                continue; // rounding decides the sign
            }
            let expect_up = if (n as f64) < turn { first_up } else { !first_up };
            assert_eq!(step > 0.0, expect_up, "{mix:?}: A({}) − A({n}) = {step:e}, turn predicted at n = {turn}", n + 2);
            just_before |= (n as f64) < turn && (n as f64) > turn - 2.0;
        }
        assert!(just_before, "{mix:?}: the odd n just before the turn {turn} was not checked");
    }
}

#[test]
fn theorem_one_at_rho_one_is_monotone() {
    for (alpha, expected) in [(0.7, Shape::Increasing), (0.3, Shape::Decreasing)] {
        let mix = BinaryMixture { alpha, p_easy: 0.75, p_hard: 0.25 };
        let pred = mix.predict().expect("inside the hypothesis");
        assert_eq!((pred.shape, pred.turn_n), (expected, None), "{mix:?}: {pred:?}");
        let easy = sc_curve(&[0.75, 0.25], Some(0), 101);
        let hard = sc_curve(&[0.25, 0.75], Some(0), 101);
        let odd: Vec<f64> = (1..=101).step_by(2).map(|n| alpha * easy.p_correct[n] + (1.0 - alpha) * hard.p_correct[n]).collect();
        assert_eq!(observed_shape(&odd, 1e-13), expected, "{mix:?}");
    }
}

/// Theorem 1's hypothesis is strict: on its boundary (α ∈ {0, 1}, a
/// share at ½, 0 or 1) `predict` declines. (Mutation testing: admitting
/// α = 0 passed.)
#[test]
fn theorem_one_declines_on_the_boundary_of_its_hypothesis() {
    let inside = BinaryMixture { alpha: 0.5, p_easy: 0.8, p_hard: 0.2 };
    assert!(inside.predict().is_some());
    for mix in [
        BinaryMixture { alpha: 0.0, ..inside },
        BinaryMixture { alpha: 1.0, ..inside },
        BinaryMixture { p_easy: 0.5, ..inside },
        BinaryMixture { p_easy: 1.0, ..inside },
        BinaryMixture { p_hard: 0.5, ..inside },
        BinaryMixture { p_hard: 0.0, ..inside },
    ] {
        assert_eq!(mix.predict(), None, "{mix:?}");
    }
}

/// Each question of a population draws its own Monte Carlo stream (what
/// the quadrature of the interval assumes): the same question twice, at
/// weight ½ each, averages two independent estimates, so it differs from the
/// question once — at some `n` of four; a coincidence at all four would have
/// probability about 10⁻⁸ for a seed. (Mutation testing: one seed for every
/// question passed.)
#[test]
fn questions_of_a_population_draw_independent_streams() {
    use pathconf_core::accuracy::population::population_accuracy;
    let d = pathconf_core::generators::LlmLike { n_paths: 30, ..Default::default() }.sample(&mut ChaCha8Rng::seed_from_u64(40)).unwrap();
    let cfg = AccuracyConfig { tau: None, temperature: None, trials: 4000, seed: 9 };
    let ns = [4, 8, 16, 32];
    let once = population_accuracy(&[(1.0, d.clone())], &[EstimatorId::Pc], &ns, &cfg, &Quiet).unwrap();
    let twice = population_accuracy(&[(0.5, d.clone()), (0.5, d)], &[EstimatorId::Pc], &ns, &cfg, &Quiet).unwrap();
    assert!(once.iter().all(|p| p.method == Provenance::MonteCarlo));
    assert!(once.iter().zip(&twice).any(|(a, b)| a.p_correct != b.p_correct), "{once:?} vs {twice:?}");
}

/// A population of one question at weight 1 reports that question's own
/// interval: the quadrature `z √Σ (w·se)²` reads each question's standard
/// error back from its interval as `width / 2z`. The question's stream is
/// the one the population derives for question 0. (Mutation testing:
/// `width / (2 + z)` — a 1% narrower interval — went unseen.)
#[test]
fn a_population_of_one_question_keeps_its_interval() {
    use pathconf_core::accuracy::population::population_accuracy;
    use pathconf_core::seed::{derive, tag};
    let d = pathconf_core::generators::LlmLike { n_paths: 30, ..Default::default() }.sample(&mut ChaCha8Rng::seed_from_u64(40)).unwrap();
    let cfg = AccuracyConfig { tau: None, temperature: None, trials: 4000, seed: 9 };
    let ns = [4, 16];
    let population = population_accuracy(&[(1.0, d.clone())], &[EstimatorId::Pc], &ns, &cfg, &Quiet).unwrap();
    let own = AccuracyConfig { seed: derive(cfg.seed, &[tag("accuracy/population"), 0]), ..cfg };
    let rows = selection_accuracy(&d, &[EstimatorId::Pc], &ns, &own, &Quiet).unwrap();
    for (p, r) in population.iter().zip(&rows) {
        assert_eq!((p.method, p.p_correct), (r.method, r.p_correct), "n = {}: the same stream", p.n);
        let (a, b) = (p.ci.expect("Monte Carlo"), r.ci.expect("Monte Carlo"));
        assert!(b.low > 0.0 && b.high < 1.0, "n = {}: unclamped {b:?}", p.n);
        assert!((a.low - b.low).abs() < 1e-12 && (a.high - b.high).abs() < 1e-12, "n = {}: {a:?} vs {b:?}", p.n);
    }
}

/// Monte Carlo cells need two trials (an interval needs a spread); cells
/// that are exact need none. (Mutation testing: `trials == 2` for
/// `trials < 2` went unseen.)
#[test]
fn monte_carlo_cells_need_two_trials() {
    use pathconf_core::accuracy::AccuracyError;
    let d = PathDistribution::new(&[("a", vec![0.3, 0.2]), ("b", vec![0.5])], Some("a")).unwrap();
    let with = |trials| AccuracyConfig { trials, ..AccuracyConfig::default() };
    for trials in [0, 1] {
        assert_eq!(selection_accuracy(&d, &[EstimatorId::Rpc], &[3], &with(trials), &Quiet), Err(AccuracyError::TooFewTrials(trials)));
        let exact = selection_accuracy(&d, &[EstimatorId::Sc], &[3], &with(trials), &Quiet).expect("exact: no trials needed");
        assert_eq!(exact[0].method, Provenance::Exact);
    }
    let rows = selection_accuracy(&d, &[EstimatorId::Rpc], &[3], &with(2), &Quiet).expect("two trials suffice");
    assert_eq!(rows[0].method, Provenance::MonteCarlo);
}
