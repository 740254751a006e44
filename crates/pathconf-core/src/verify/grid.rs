//! The configurations `verify` evaluates.

use crate::distribution::PathDistribution;
use crate::generators::{equal_path_distribution, LlmLike};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// One configuration: a distribution, the sample sizes to test, a threshold
/// for RP, and whether exhaustive enumeration is feasible.
#[derive(Debug, Clone)]
pub struct AuditCase {
    /// Short name shown in reports.
    pub name: String,
    /// What is special about it.
    pub note: &'static str,
    /// The distribution.
    pub dist: PathDistribution,
    /// Sample sizes.
    pub ns: Vec<u64>,
    /// RP threshold.
    pub tau: f64,
    /// Whether cells are also enumerated.
    pub enumerable: bool,
}

fn tiny(name: &str, note: &'static str, groups: &[(&str, Vec<f64>)], correct: Option<&str>, tau: f64, ns: &[u64]) -> AuditCase {
    AuditCase {
        name: name.into(),
        note,
        dist: PathDistribution::new(groups, correct).expect("grid distributions are valid"),
        ns: ns.to_vec(),
        tau,
        enumerable: true,
    }
}

/// The grid; `quick` keeps fewer sample sizes and smaller large cases.
pub fn grid(quick: bool) -> Vec<AuditCase> {
    let ns_tiny: &[u64] = if quick { &[0, 1, 2, 4] } else { &[0, 1, 2, 3, 5] };
    let ns_big: &[u64] = if quick { &[1, 16] } else { &[1, 8, 64] };
    let mut out = vec![
        tiny("example", "the spec example of the README", &[("A", vec![0.2, 0.1]), ("B", vec![0.3]), ("C", vec![0.4])], Some("A"), 0.15, ns_tiny),
        tiny("k1", "one path per answer (k = 1)", &[("A", vec![0.6]), ("B", vec![0.4])], Some("A"), 0.5, ns_tiny),
        tiny("equal-k3", "paper setting, k = 3 equal paths", &[("A", vec![0.15, 0.15, 0.15]), ("B", vec![0.55])], Some("A"), 0.2, ns_tiny),
        tiny("p-to-0", "correct answer with tiny mass", &[("A", vec![0.001, 0.0005]), ("B", vec![0.9985])], Some("A"), 0.001, ns_tiny),
        tiny("certain", "a single path of probability 1", &[("A", vec![1.0])], Some("A"), 0.5, ns_tiny),
        tiny("mixed5", "five paths, uneven splits, B correct", &[("A", vec![0.3, 0.05, 0.05]), ("B", vec![0.4]), ("C", vec![0.2])], Some("B"), 0.1, ns_tiny),
        tiny("equal-k2", "paper setting, k = 2, p = 0.8", &[("A", vec![0.4, 0.4]), ("B", vec![0.2])], Some("A"), 0.3, ns_tiny),
        tiny("zero-path", "a path of probability 0, no correct answer", &[("A", vec![0.5, 0.0]), ("B", vec![0.25, 0.25])], None, 0.3, ns_tiny),
    ];
    let many = if quick { 200 } else { 1000 };
    let big: Vec<(String, &'static str, PathDistribution, f64)> = vec![
        ("paper-k10".into(), "paper setting: k = 10, 5, 1 equal paths", equal_path_distribution(&[0.5, 0.3, 0.2], &[10, 5, 1]).expect("valid"), 0.01),
        (
            format!("tiny-paths-{many}"),
            "degeneration: correct mass 0.3 over many tiny paths",
            PathDistribution::new(&[("A", vec![0.3 / many as f64; many]), ("B", vec![0.4, 0.3])], Some("A")).expect("valid"),
            0.001,
        ),
        (
            "p-to-0-k10".into(),
            "correct mass 1e-3 over 10 paths",
            PathDistribution::new(&[("A", vec![1e-4; 10]), ("B", vec![0.333, 0.333, 0.333])], Some("A")).expect("valid"),
            5e-5,
        ),
        (
            "llm-like".into(),
            "LLM-like two-component mixture (seed 7)",
            LlmLike { n_paths: if quick { 500 } else { 2000 }, ..Default::default() }
                .sample(&mut ChaCha8Rng::seed_from_u64(7))
                .expect("constant generator parameters are valid"),
            0.005,
        ),
    ];
    for (name, note, dist, tau) in big {
        out.push(AuditCase { name, note, dist, ns: ns_big.to_vec(), tau, enumerable: false });
    }
    out
}
