//! Stopping rules: their decisions on hand-made sequences, and every exact
//! programme against the enumeration of every sequence and Monte Carlo.

mod common;

use pathconf_core::montecarlo::agreement::{Family, StdError};
use pathconf_core::stopping::{replay, StopRule};

fn rule(s: &str) -> StopRule {
    s.parse().unwrap()
}

#[test]
fn rules_stop_where_their_definitions_say() {
    let correct = [true, false, false];
    // Unanimous samples: the Beta rule (T = 0.95) stops at n = 4, since
    // P = 1 − 2^{−(n+1)} first reaches 0.95 there.
    let s = replay(&rule("asc-beta:0.95"), &[0; 40], &correct);
    assert_eq!((s.used, s.credit), (4, 1.0));
    // 3 vs 1 is not enough (P = 1 − I_½(4, 2) = 0.8125); 5 vs 0 after a split start is.
    let s = replay(&rule("asc-beta:0.95"), &[0, 1, 0, 0, 0, 0, 0, 0], &correct);
    assert_eq!(s.used, 7, "a, b = 6, 1: P = 1 − I_½(7, 2) = 0.9648");
    // ESC checks only whole windows; the window's answer or the plurality.
    let seq = [1, 1, 0, 0, 0, 2, 0, 0, 0, 1, 1, 1];
    assert_eq!(replay(&rule("esc:3:12"), &seq, &correct).used, 9, "windows (1,1,0), (0,0,2), (0,0,0)");
    let s = replay(&rule("esc:3:12"), &[1, 1, 1, 0, 0, 0], &correct);
    assert_eq!((s.used, s.credit), (3, 0.0));
    // No unanimous window: the plurality of all L samples, ties split.
    let s = replay(&rule("esc:2:4"), &[0, 1, 1, 0], &correct);
    assert_eq!((s.used, s.credit), (4, 0.5));
    // The window's answer vs the plurality of everything so far.
    let seq = [0, 1, 0, 2, 0, 1, 1, 1];
    // Windows (0,1,0,2), (0,1,1,1): neither unanimous; the plurality of all 8 is 1 (4 vs 3).
    assert_eq!(replay(&rule("esc:4:8"), &seq, &correct).credit, 0.0);
    let seq = [0, 0, 2, 0, 1, 1];
    let w = replay(&rule("esc:2:6"), &seq, &correct);
    let m = replay(&rule("esc:2:6:majority"), &seq, &correct);
    assert_eq!((w.used, w.credit), (2, 1.0));
    assert_eq!((m.used, m.credit), (2, 1.0));
    let seq = [1, 0, 0, 1, 1, 0];
    let (w, m) = (replay(&rule("esc:2:6"), &seq, &correct), replay(&rule("esc:2:6:majority"), &seq, &correct));
    assert_eq!((w.used, w.credit, m.used, m.credit), (6, 0.5, 6, 0.5));
    let seq = [0, 0, 0, 1, 1, 1, 1];
    let (w, m) = (replay(&rule("esc:3:6"), &seq, &correct), replay(&rule("esc:3:6:majority"), &seq, &correct));
    assert_eq!((w.used, w.credit), (3, 1.0));
    assert_eq!((m.used, m.credit), (3, 1.0));
    let seq = [0, 1, 0, 1, 1, 1];
    let (w, m) = (replay(&rule("esc:3:6"), &seq, &correct), replay(&rule("esc:3:6:majority"), &seq, &correct));
    assert_eq!((w.used, w.credit), (6, 0.0), "window (1,1,1) answers 1");
    assert_eq!((m.used, m.credit), (6, 0.0), "plurality 1: 4 vs 0: 2");
    // A shorter sequence than the cap: the rule answers from all of it.
    assert_eq!(replay(&rule("fixed:10"), &[0, 1, 1], &correct).used, 3);
}

#[test]
fn adaptive_consistency_rules_follow_their_conventions() {
    let correct = [true, false, false, false];
    // Majority share ≥ 0.8, never after one sample: unanimous → n = 2.
    assert_eq!(replay(&rule("asc-majority:0.8"), &[0; 10], &correct).used, 2);
    // 0,1 then 0s: shares 1/2, 2/3, 3/4, 4/5 → n = 5.
    assert_eq!(replay(&rule("asc-majority:0.8"), &[0, 1, 0, 0, 0, 0], &correct).used, 5);
    // Entropy ≤ 0.75 with the phantom count for one answer: H(4/5, 1/5) = 0.72 → n = 4.
    assert_eq!(replay(&rule("asc-entropy:0.75"), &[0; 10], &correct).used, 4);
    // Two answers 3 : 1: H(3/4, 1/4) = 0.811 > 0.75; 4 : 1 → 0.722 ≤ 0.75 → n = 5.
    assert_eq!(replay(&rule("asc-entropy:0.75"), &[0, 1, 0, 0, 0, 0], &correct).used, 5);
    // Dirichlet falls back to Beta below three distinct answers (Beta stops at 4).
    assert_eq!(replay(&rule("asc-dirichlet:0.95"), &[0; 10], &correct).used, 4);
    // With three answers it reads the Dirichlet statistic: it stops at the
    // first n where the statistic reaches the threshold.
    let seq = [0, 1, 2, 0, 0, 0, 0, 0, 0, 0];
    let used = replay(&rule("asc-dirichlet:0.95"), &seq, &correct).used;
    let counts_at = |n: usize| {
        let mut c = [0usize; 4];
        seq[..n].iter().for_each(|&a| c[a as usize] += 1);
        c
    };
    use pathconf_core::stopping::dirichlet::leader_probability;
    assert!(leader_probability(&counts_at(used)) >= 0.95 && leader_probability(&counts_at(used - 1)) < 0.95, "stopped at {used}");
}

#[test]
fn path_rules_match_the_enumeration_of_every_path_sequence() {
    use pathconf_core::stopping::cost::rule_cost;
    use pathconf_core::stopping::enumerate::enumerate_path_cost;
    use pathconf_core::PathDistribution;
    // Answer A: paths 0.3, 0.15; B: 0.35; C: 0.2 (correct A, mass 0.45 — the mode).
    let d = PathDistribution::new(&[("A", vec![0.3, 0.15]), ("B", vec![0.35]), ("C", vec![0.2])], Some("A")).unwrap();
    for text in ["pc-certify:6", "pc-gt:6", "pc-certify:3"] {
        let r = rule(text);
        let exact = enumerate_path_cost(&r, &d);
        let mc = rule_cost(&r, &d, 200_000, 7);
        assert_eq!(mc.method.label(), "monte_carlo");
        // The 95% intervals miss with probability 5% each; widened to
        // ±(5/1.96)·half-width the false-failure rate is below 1e-6 per check.
        let widen = |lo: f64, hi: f64, x: f64| {
            let (mid, half) = ((lo + hi) / 2.0, (hi - lo) / 2.0 * 5.0 / 1.96);
            (x - mid).abs() <= half
        };
        let (ci, samples_ci) = (mc.ci.unwrap(), mc.samples_ci.unwrap());
        assert!(widen(ci.low, ci.high, exact.accuracy), "{text}: {mc:?} vs {exact:?}");
        assert!(widen(samples_ci.low, samples_ci.high, exact.expected_samples), "{text}: {mc:?} vs {exact:?}");
    }
    // Certified answers are the mode's: every run that settles answers A, so
    // with a long cap the accuracy approaches 1 (A's lead of 0.1 settles once
    // A's two paths and B's are seen).
    let long = enumerate_path_cost(&rule("pc-certify:8"), &d);
    assert!(long.accuracy > enumerate_path_cost(&rule("pc-certify:3"), &d).accuracy);
}

#[test]
fn count_rules_equal_the_enumeration_through_the_path_enumeration_too() {
    use pathconf_core::stopping::enumerate::enumerate_path_cost;
    use pathconf_core::stopping::exact::exact_cost;
    use pathconf_core::PathDistribution;
    let d = PathDistribution::new(&[("A", vec![0.3, 0.15]), ("B", vec![0.35]), ("C", vec![0.2])], Some("A")).unwrap();
    for text in ["asc-beta:0.8:6", "asc-majority:0.7:6", "asc-entropy:0.8:6", "asc-dirichlet:0.8:6", "esc:2:6:majority"] {
        let r = rule(text);
        let e = exact_cost(&r, d.answer_masses(), d.correct()).unwrap();
        let en = enumerate_path_cost(&r, &d);
        assert!((e.accuracy - en.accuracy).abs() < 1e-12 && (e.expected_samples - en.expected_samples).abs() < 1e-12, "{text}: {e:?} vs {en:?}");
    }
}

#[test]
fn count_rules_monte_carlo_agrees_with_the_exact_programme() {
    use pathconf_core::stopping::exact::exact_cost;
    use pathconf_core::stopping::simulate::simulate_cost;
    use pathconf_core::PathDistribution;
    let d = PathDistribution::new(&[("A", vec![0.2, 0.1]), ("B", vec![0.3]), ("C", vec![0.25]), ("D", vec![0.15])], Some("A")).unwrap();
    // Six rules, accuracy and samples each: one family of twelve z-tests.
    let family = Family::new(12);
    for (i, text) in
        ["asc-beta:0.95", "asc-dirichlet:0.95", "asc-dirichlet:0.8:20", "asc-majority:0.8", "asc-entropy:0.75", "esc:5:40:majority"].iter().enumerate()
    {
        let r = rule(text);
        let e = exact_cost(&r, d.answer_masses(), d.correct()).unwrap();
        let m = simulate_cost(&r, &d, TRIALS, 40 + i as u64);
        assert_agrees(&family, text, &m, &e, r.max_samples());
    }
}

#[test]
fn ten_distinct_masses_are_exact_by_the_partition_programme_and_agree_with_monte_carlo() {
    use pathconf_core::stopping::count_vectors::count_programme;
    use pathconf_core::stopping::exact::exact_cost;
    use pathconf_core::stopping::simulate::simulate_cost;
    use pathconf_core::PathDistribution;
    // Zipf over 10 answers, the second most likely correct: out of reach of
    // the count-vector programme (states grow like n⁹), exact by partitions.
    let w: Vec<f64> = (1..=10).map(|i| 1.0 / i as f64).collect();
    let total: f64 = w.iter().sum();
    let names: Vec<String> = (0..10).map(|i| format!("a{i}")).collect();
    let answers: Vec<(&str, Vec<f64>)> = names.iter().zip(&w).map(|(n, &x)| (n.as_str(), vec![x / total])).collect();
    let d = PathDistribution::new(&answers, Some("a1")).unwrap();
    let family = Family::new(6);
    for (i, text) in ["asc-beta:0.95:64", "asc-majority:0.6:24", "asc-entropy:0.75:24"].iter().enumerate() {
        let r = rule(text);
        assert!(count_programme(&r, d.answer_masses(), d.correct()).is_none(), "{text}: the count programme should refuse");
        let e = exact_cost(&r, d.answer_masses(), d.correct()).unwrap();
        let m = simulate_cost(&r, &d, TRIALS, 70 + i as u64);
        assert_agrees(&family, text, &m, &e, r.max_samples());
    }
}

/// Monte Carlo trials behind each rule's simulated cost.
const TRIALS: u64 = 100_000;

/// The simulated cost agrees with the exact one: `montecarlo::agreement`'s
/// z-tests (family-wise false-failure rate `FAMILY_ALPHA` = 1e-3 under the
/// normal approximation), each standard error floored in quadrature by one
/// unobserved extreme outcome among the trials — `range / TRIALS`, with range
/// 1 for the accuracy and the cap for the samples — so a zero sample
/// standard error (every trial alike) cannot fail spuriously.
fn assert_agrees(family: &Family, text: &str, m: &pathconf_core::stopping::simulate::SimulatedCost, e: &pathconf_core::stopping::ExactCost, cap: usize) {
    let acc = family.equal(m.accuracy.mean, e.accuracy, StdError::Quadrature { se: m.accuracy.std_error, floor: 1.0 / TRIALS as f64 });
    let n =
        family.equal(m.expected_samples.mean, e.expected_samples, StdError::Quadrature { se: m.expected_samples.std_error, floor: cap as f64 / TRIALS as f64 });
    assert!(acc.agrees && n.agrees, "{text}: z = {:.2} (accuracy), {:.2} (samples), critical {:.2}: {m:?} vs {e:?}", acc.z, n.z, family.z_crit);
}
