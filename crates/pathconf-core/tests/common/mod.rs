//! Shared fixtures for the core crate's integration tests.
#![allow(dead_code)]

use pathconf_core::PathDistribution;
use rand::Rng;

// exp, log, pow, … from the `libm` crate, as the `pathconf` binary links
// them (pathconf_core::elementary says why): the same numbers on any machine.
pathconf_core::elementary_functions!();

/// Tiny distributions (≤ 5 paths) covering the degenerate cases.
pub fn tiny_cases() -> Vec<(PathDistribution, f64)> {
    let c = |g: &[(&str, Vec<f64>)], correct: Option<&str>, tau: f64| (PathDistribution::new(g, correct).unwrap(), tau);
    vec![
        c(&[("A", vec![0.2, 0.1]), ("B", vec![0.3]), ("C", vec![0.4])], Some("A"), 0.15),
        c(&[("A", vec![0.6]), ("B", vec![0.4])], Some("A"), 0.5),
        c(&[("A", vec![0.15, 0.15, 0.15]), ("B", vec![0.55])], Some("A"), 0.2),
        c(&[("A", vec![0.001, 0.0005]), ("B", vec![0.9985])], Some("A"), 0.001),
        c(&[("A", vec![1.0])], Some("A"), 0.5),
        c(&[("A", vec![0.3, 0.05, 0.05]), ("B", vec![0.4]), ("C", vec![0.2])], Some("B"), 0.1),
        c(&[("A", vec![0.5, 0.0]), ("B", vec![0.25, 0.25])], None, 0.3),
        c(&[("A", vec![0.1, 0.1, 0.1, 0.1, 0.6])], Some("Z"), 0.2),
    ]
}

/// A random distribution with `paths` paths over up to 3 answers.
pub fn random_tiny(paths: usize, rng: &mut impl Rng) -> PathDistribution {
    loop {
        let w: Vec<f64> = (0..paths).map(|_| rng.random::<f64>()).collect();
        let s: f64 = w.iter().sum();
        let mut groups: Vec<(String, Vec<f64>)> = vec![("A".into(), vec![]), ("B".into(), vec![]), ("C".into(), vec![])];
        for x in w {
            let a = rng.random_range(0..3);
            groups[a].1.push(x / s);
        }
        groups.retain(|g| !g.1.is_empty());
        if let Ok(d) = PathDistribution::new(&groups, Some("A")) {
            return d;
        }
    }
}
