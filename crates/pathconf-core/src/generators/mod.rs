//! Seeded synthetic path distributions (every random function takes
//! `&mut impl Rng`; the library never seeds itself).
//!
//! | generator | setting |
//! |---|---|
//! | [`equal_path_distribution`] | the paper's: answer `a` has `k_a` equally likely paths |
//! | [`DirichletPaths`] | Dirichlet answer weights, Dirichlet or Zipf splits over paths |
//! | [`LlmLike`] | many paths from a two-component mixture: heavy low tail + high region on the correct answer |
//! | [`Population`] | questions whose difficulty is Beta distributed |
//! | [`diffuse_wrong`] | questions whose wrong answers are spread over many equal paths |
//!
//! The correct answer is always named `"A"`.

mod diffuse;
mod dirichlet;
mod equal;
mod error;
mod llm_like;
mod population;

pub use diffuse::diffuse_wrong;
pub use dirichlet::{DirichletPaths, Split};
pub use equal::equal_path_distribution;
pub use error::GeneratorError;
pub use llm_like::{Component, LlmLike};
pub use population::Population;

use rand::Rng;
use rand_distr::{Distribution, Gamma};

/// Answer names: `A`..`Z`, then `A26`, `A27`, …
pub fn answer_name(i: usize) -> String {
    if i < 26 {
        ((b'A' + i as u8) as char).to_string()
    } else {
        format!("A{i}")
    }
}

/// A Dirichlet(α, …, α) draw of dimension `k` via normalised Gamma(α, 1)
/// variates (rand_distr's `Dirichlet` fixes the dimension at compile time).
pub fn symmetric_dirichlet(alpha: f64, k: usize, rng: &mut impl Rng) -> Vec<f64> {
    let gamma = Gamma::new(alpha, 1.0).expect("alpha > 0 is checked by callers");
    loop {
        let v: Vec<f64> = (0..k).map(|_| gamma.sample(rng)).collect();
        let s: f64 = v.iter().sum();
        if s > 0.0 && s.is_finite() {
            return v.into_iter().map(|x| x / s).collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn parameters_are_checked_before_drawing() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        assert!(LlmLike::default().check().is_ok() && Population::default().check().is_ok());
        let bad_llm = LlmLike { low: Component::LogNormal { mu: -12.0, sigma: -1.0 }, ..Default::default() };
        assert!(matches!(bad_llm.sample(&mut rng), Err(GeneratorError::Real { name: "low", .. })));
        assert!(matches!(LlmLike { high_fraction: 1.5, ..Default::default() }.check(), Err(GeneratorError::Real { name: "high_fraction", .. })));
        assert!(matches!(LlmLike { n_paths: 0, ..Default::default() }.check(), Err(GeneratorError::Count { name: "n_paths", .. })));
        let d = DirichletPaths { n_answers: 3, answer_alpha: 0.0, paths_per_answer: 2, split: Split::Zipf { exponent: 1.0 } };
        assert!(matches!(d.sample(&mut rng), Err(GeneratorError::Real { name: "answer_alpha", .. })));
        let p = Population { split: Split::Zipf { exponent: f64::NAN }, ..Default::default() };
        assert!(matches!(p.sample(&mut rng), Err(GeneratorError::Real { name: "split exponent", .. })));
        assert!(matches!(Population { wrong_answers: 0, ..Default::default() }.check(), Err(GeneratorError::Count { .. })));
    }
}
