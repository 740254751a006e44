//! The Weibull-mixture fit recovers known parameters from large samples.

use pathconf::weibull::{fit, neg_log_likelihood, Mixture};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Weibull};

fn draw(m: &Mixture, size: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (c1, c2) = (Weibull::new(m.lambda1, m.k1).unwrap(), Weibull::new(m.lambda2, m.k2).unwrap());
    (0..size).map(|_| if rng.random::<f64>() < m.w { c1.sample(&mut rng) } else { c2.sample(&mut rng) }).collect()
}

#[test]
fn recovers_known_mixtures_from_large_samples() {
    // 20,000 draws; the MLE's standard errors are about 1% here, so a 10%
    // tolerance fails only if the optimiser misses the optimum. The true
    // parameters must not beat the fit's likelihood either.
    let truths = [
        Mixture { w: 0.6, k1: 9.0, lambda1: 0.85, k2: 3.0, lambda2: 0.35 },
        Mixture { w: 0.3, k1: 15.0, lambda1: 0.92, k2: 4.0, lambda2: 0.45 },
        Mixture { w: 0.75, k1: 6.0, lambda1: 0.7, k2: 2.5, lambda2: 0.2 },
    ];
    for (i, truth) in truths.iter().enumerate() {
        let x = draw(truth, 20_000, 100 + i as u64);
        let f = fit(&x).unwrap();
        let m = f.mixture;
        let rel = |a: f64, b: f64| (a - b).abs() / b;
        for (name, got, want) in [
            ("w", m.w, truth.w),
            ("k_high", m.k1, truth.k1),
            ("λ_high", m.lambda1, truth.lambda1),
            ("k_low", m.k2, truth.k2),
            ("λ_low", m.lambda2, truth.lambda2),
        ] {
            assert!(rel(got, want) < 0.10, "mixture {i}: {name} = {got}, true {want}");
        }
        assert!(f.neg_log_likelihood <= neg_log_likelihood(truth, &x) + 1e-9, "mixture {i}: fit worse than the truth");
    }
}

#[test]
fn rejects_unusable_data() {
    assert!(fit(&[0.5, 0.5, 0.5]).is_err());
    assert!(fit(&[0.5, f64::NAN]).is_err());
    assert!(fit(&[0.5, 0.0, 0.3]).is_err());
}

#[test]
fn concurrent_fits_equal_serial_fits_bit_for_bit() {
    // The C solver is entered by one thread at a time, but its runs
    // interleave between calls (`weibull/solver.rs`). Eight threads — more
    // than this machine's cores, so they are also preempted inside and
    // between calls — each fit the same 24 data sets in a different order;
    // every fit must be the serial fit, bit for bit.
    let sets: Vec<Vec<f64>> = (0..24)
        .map(|i| {
            let m = Mixture { w: 0.3 + 0.02 * i as f64, k1: 6.0 + i as f64, lambda1: 0.8, k2: 2.0 + 0.1 * i as f64, lambda2: 0.3 };
            draw(&m, 64 + 8 * i, 500 + i as u64)
        })
        .collect();
    let serial: Vec<_> = sets.iter().map(|x| fit(x).unwrap()).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let (sets, serial) = (&sets, &serial);
                s.spawn(move || {
                    for round in 0..3 {
                        for j in 0..sets.len() {
                            let i = (j * 5 + t * 7 + round) % sets.len();
                            assert_eq!(fit(&sets[i]).unwrap(), serial[i], "thread {t}, data set {i}");
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    });
}
