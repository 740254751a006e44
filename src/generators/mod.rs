//! Seeded synthetic path distributions (every random function takes
//! `&mut impl Rng`; the library never seeds itself).
//!
//! | generator | setting |
//! |---|---|
//! | [`equal_paths`] | the paper's: answer `a` has `k_a` equally likely paths |
//! | [`DirichletPaths`] | Dirichlet answer weights, Dirichlet or Zipf splits over paths |
//! | [`LlmLike`] | many paths from a two-component mixture: heavy low tail + high region on the correct answer |
//! | [`Population`] | questions whose difficulty is Beta distributed |
//!
//! The correct answer is always named `"A"`.

mod dirichlet;
mod equal;
mod llm_like;
mod population;

pub use dirichlet::{DirichletPaths, Split};
pub use equal::equal_paths;
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
