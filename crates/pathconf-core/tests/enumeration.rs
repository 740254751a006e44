//! Every closed form against exhaustive enumeration of all `N^n` ordered
//! samples on tiny spaces (≤ 5 paths, n ≤ 5), to 1e-12. Deterministic: no
//! tolerance for noise is needed.

mod common;

use pathconf_core::theory::enumerate::{enumerate, Enumerated};
use pathconf_core::theory::{paper, pc::pc_terms, ppl::ppl_terms, rp::rp_terms, sc::sc_terms, ErrorTerms};
use pathconf_core::PathDistribution;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

const TOL: f64 = 1e-12;

fn close(what: &str, a: f64, b: f64) {
    assert!((a - b).abs() <= TOL, "{what}: closed form {a:.17e} vs enumeration {b:.17e}");
}

/// Every field of `t` against enumeration; `target` is the estimand `p` and
/// `indicator` the answer's correctness `I`, so the bias `E[p̂] − p`, the model
/// error `(p − I)²` and the cross term `2(p − I)(E[p̂] − p)` are checked too.
fn check_terms(what: &str, t: &ErrorTerms, e: &Enumerated, target: f64, indicator: f64) {
    close(&format!("{what} E[p̂]"), t.expected_confidence, e.mean);
    close(&format!("{what} bias"), t.bias, e.mean - target);
    close(&format!("{what} model error"), t.model_error, (target - indicator).powi(2));
    close(&format!("{what} cross term"), t.cross_term, 2.0 * (target - indicator) * (e.mean - target));
    close(&format!("{what} estimation error"), t.estimation_error, e.estimation_error);
    close(&format!("{what} reasoning error"), t.reasoning_error, e.reasoning_error);
    close(&format!("{what} decomposition"), t.estimation_error + t.model_error + t.cross_term, e.reasoning_error);
}

fn check_all(d: &PathDistribution, tau: f64, label: &str) {
    for n in 0..=5u64 {
        let Ok(en) = enumerate(d, n, tau) else { continue };
        for a in 0..d.n_answers() {
            let what = |est: &str| format!("{label} n={n} {est} answer {}", d.answers()[a]);
            let (mass, truth) = (d.answer_mass(a), if d.correct() == Some(a) { 1.0 } else { 0.0 });
            match (sc_terms(d, a, n), &en.sc) {
                (Some(t), Some(e)) => {
                    check_terms(&what("sc"), &t, &e[a], mass, truth);
                    close(&what("Prop. 2"), paper::prop2_estimation(d.answer_mass(a), n), e[a].estimation_error);
                }
                (None, None) => assert_eq!(n, 0),
                _ => panic!("SC defined for n >= 1 only"),
            }
            let pc = pc_terms(d, a, n);
            check_terms(&what("pc"), &pc, &en.pc[a], mass, truth);
            check_terms(&what("rp"), &rp_terms(d, a, n, tau), &en.rp[a], mass, truth);
            let probs = d.probs_of(a);
            // The bounds hold against enumeration.
            assert!(paper::bound_missed_mass(&probs, n) >= en.pc[a].estimation_error - TOL, "{}", what("bound 1"));
            assert!(paper::bound_pmin(&probs, n) + TOL >= paper::bound_missed_mass(&probs, n), "{}", what("bound order"));
            if let Some(k) = paper::equal_path_count(&probs) {
                assert!(paper::thm4_rate(d.answer_mass(a), k, n) >= en.pc[a].estimation_error - TOL, "{}", what("Thm. 4 rate"));
            }
            for (j, &p) in probs.iter().enumerate() {
                let g = d.path_index(a, j);
                check_terms(&format!("{} path {j}", what("ppl")), &ppl_terms(d, a, j, n), &en.ppl[g], p, truth);
                close(&what("Prop. 3"), paper::prop3_estimation(p, n), en.ppl[g].estimation_error);
            }
        }
    }
}

#[test]
fn closed_forms_equal_enumeration_on_degenerate_cases() {
    for (i, (d, tau)) in common::tiny_cases().iter().enumerate() {
        check_all(d, *tau, &format!("case {i}"));
    }
}

#[test]
fn closed_forms_equal_enumeration_on_random_spaces() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for trial in 0..40 {
        let paths = 1 + trial % 5;
        let d = common::random_tiny(paths, &mut rng);
        let tau = rand::Rng::random::<f64>(&mut rng) * 0.5;
        check_all(&d, tau, &format!("random {trial}"));
    }
}

#[test]
fn printed_theorem_4_differs_from_the_truth_even_for_k_equals_1() {
    // One path of probability p: the truth is R = α^n I + (1 − α^n)(p − I)², the
    // printed form is lower by p² α^{2n}. This pins a finding of the audit.
    let d = PathDistribution::new(&[("A", vec![0.6]), ("B", vec![0.4])], Some("A")).unwrap();
    for n in 1..=5u64 {
        let e = enumerate(&d, n, 0.0).unwrap();
        let alpha_n = 0.4f64.powi(n as i32);
        let printed = paper::thm4_reasoning(0.6, 1, 1.0, n);
        close("printed vs truth − p²α^{2n}", printed, e.pc[0].reasoning_error - 0.36 * alpha_n * alpha_n);
    }
}
