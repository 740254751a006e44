//! Monte Carlo against the exact theory, determinism across thread counts,
//! and value stability.

use pathconf_core::generators::LlmLike;
use pathconf_core::montecarlo::agreement::{Family, StdError};
use pathconf_core::montecarlo::{simulate, SimConfig, SimResult};
use pathconf_core::progress::Quiet;
use pathconf_core::theory::{pc::pc_terms, ppl::ppl_terms, rp::rp_terms, sc::sc_terms};
use pathconf_core::PathDistribution;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn example() -> PathDistribution {
    PathDistribution::new(&[("A", vec![0.2, 0.1, 0.05, 0.05]), ("B", vec![0.3]), ("C", vec![0.25, 0.05])], Some("A")).unwrap()
}

fn run_with_threads(threads: usize, d: &PathDistribution, cfg: &SimConfig) -> SimResult {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| simulate(d, cfg, &Quiet))
}

#[test]
fn monte_carlo_agrees_with_exact_terms() {
    // 3 answers × 3 estimators × 3 quantities + 7 paths × 3 quantities = 48
    // z-tests per n, 3 values of n: 144 tests. Bonferroni at a family-wise
    // false-failure rate of 1e-4 gives |z| <= 4.92 for each; the seed is fixed,
    // so the test is deterministic, and a different seed would fail with
    // probability <= 1e-4 if the formulas are right (normal approximation,
    // 200,000 trials per n).
    let d = example();
    let family = Family::with_alpha(1e-4, 144);
    let tau = 0.1;
    for (i, n) in [1u64, 5, 30].into_iter().enumerate() {
        let cfg = SimConfig { n, trials: 200_000, seed: 1234 + i as u64, tau, track_paths: true };
        let r = simulate(&d, &cfg, &Quiet);
        let check = |what: String, est: pathconf_core::montecarlo::Estimate, exact: f64| {
            // floor: one unobserved extreme outcome (values lie in [0, 1])
            let c = family.equal(est.mean, exact, StdError::Quadrature { se: est.std_error, floor: 1.0 / cfg.trials as f64 });
            assert!(c.agrees, "{what} n={n}: MC {} ± {} vs exact {exact} (z = {:.2})", est.mean, est.std_error, c.z);
        };
        for a in 0..d.n_answers() {
            for (name, sim, exact) in [
                ("sc", &r.answers[a].sc, sc_terms(&d, a, n).unwrap()),
                ("pc", &r.answers[a].pc, pc_terms(&d, a, n)),
                ("rp", &r.answers[a].rp, rp_terms(&d, a, n, tau)),
            ] {
                check(format!("{name} {a} E"), sim.expected_confidence, exact.expected_confidence);
                check(format!("{name} {a} MSE"), sim.estimation_error, exact.estimation_error);
                check(format!("{name} {a} R"), sim.reasoning_error, exact.reasoning_error);
            }
            for j in 0..d.paths_of(a).len() {
                let sim = &r.paths[d.path_index(a, j)].ppl;
                let exact = ppl_terms(&d, a, j, n);
                check(format!("ppl {a}/{j} E"), sim.expected_confidence, exact.expected_confidence);
                check(format!("ppl {a}/{j} MSE"), sim.estimation_error, exact.estimation_error);
                check(format!("ppl {a}/{j} R"), sim.reasoning_error, exact.reasoning_error);
            }
        }
    }
}

#[test]
fn results_are_bit_identical_for_any_thread_count() {
    let d = LlmLike { n_paths: 3000, ..Default::default() }.sample(&mut ChaCha8Rng::seed_from_u64(3)).unwrap();
    let cfg = SimConfig { n: 16, trials: 50_000, seed: 99, tau: 0.001, track_paths: true };
    let one = run_with_threads(1, &d, &cfg);
    for threads in [2, 3, 8] {
        assert_eq!(one, run_with_threads(threads, &d, &cfg), "{threads} threads differ from 1");
    }
}

#[test]
fn values_are_stable_for_a_fixed_seed() {
    // A guard against silent changes of the random streams (each batch's
    // ChaCha8 seeded `seed::derive(seed, [b])`, rand_distr's alias table): these
    // numbers were recorded when batch seeds moved to `seed::derive` (the one
    // deliberate change since the engine was written) and must not change
    // silently for this seed. Correctness is tested elsewhere; this pins
    // reproducibility across versions.
    let d = example();
    let r = simulate(&d, &SimConfig { n: 4, trials: 10_000, seed: 42, tau: 0.1, track_paths: true }, &Quiet);
    let got = [r.answers[0].sc.expected_confidence.mean, r.answers[0].pc.estimation_error.mean, r.paths[4].ppl.expected_confidence.mean];
    let recorded: [u64; 3] = RECORDED;
    assert_eq!(got.map(f64::to_bits), recorded, "values {got:?}");
}

const RECORDED: [u64; 3] = [4600798115968257000, 4589196501054578875, 4597409607608623431];
