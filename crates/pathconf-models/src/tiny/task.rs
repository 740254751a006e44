//! The synthetic reasoning task: add three digits, writing one partial sum.
//!
//! A question is three digits `a, b, c`; its prompt is `BOS a + b + c =`.
//! A reasoning path picks an order `(x, y, z)` of the three digits and writes
//!
//! ```text
//! x + y = s₁ + z = s₂ EOS        (s₁, s₂ as two digits, zero-padded)
//! ```
//!
//! so up to 3! = 6 different correct paths reach the same answer `s₂`
//! (fewer when digits repeat), and a wrong partial sum gives a wrong answer.
//! The model is trained on a noisy [`Teacher`] whose slips depend on the carry
//! (how far the units digits sum past 9), so questions range from easy (no
//! carry, ≈ 95% right) to hard (`9 + 9 + 9`, ≈ 30% right). The answer is the
//! last number of the path; [`extract_answer`] returns [`INVALID`] for a path
//! that breaks the format.

use crate::extract::tiny_sums::{self, SumGrammar};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// `+`.
pub const PLUS: u32 = 10;
/// `=`.
pub const EQ: u32 = 11;
/// Start of a question.
pub const BOS: u32 = 12;
/// End of a path.
pub const EOS: u32 = 13;
/// Vocabulary size (digits 0–9, `+`, `=`, BOS, EOS).
pub const VOCAB: usize = 14;
/// Prompt length `BOS a + b + c =`.
pub const PROMPT_LEN: usize = 7;
/// Length of a well-formed path `x + y = d d + z = d d EOS`.
pub const PATH_LEN: usize = crate::extract::tiny_sums::PATH_LEN;
/// The answer of a path that breaks the format.
pub use crate::extract::INVALID;

/// The task's grammar, for its extraction rule.
pub const GRAMMAR: SumGrammar = SumGrammar { plus: PLUS, eq: EQ, eos: EOS };

/// The answer a path states ([`crate::extract::tiny_sums`]): its last
/// two-digit number, or [`INVALID`] when the path breaks the format.
pub fn extract_answer(path: &[u32]) -> String {
    tiny_sums::extract_answer(path, &GRAMMAR)
}

/// One question: three digits to add.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Question {
    /// The digits, each `0..=9`.
    pub digits: [u8; 3],
}

impl Question {
    /// The question with these digits (each must be `< 10`).
    pub fn new(a: u8, b: u8, c: u8) -> Self {
        assert!(a < 10 && b < 10 && c < 10, "digits must be 0..=9");
        Self { digits: [a, b, c] }
    }

    /// All 1,000 questions, in order `000, 001, …, 999`.
    pub fn all() -> Vec<Self> {
        (0..1000u32).map(|i| Self::new((i / 100) as u8, (i / 10 % 10) as u8, (i % 10) as u8)).collect()
    }

    /// A uniformly random question.
    pub fn random(rng: &mut impl Rng) -> Self {
        Self::new(rng.random_range(0..10), rng.random_range(0..10), rng.random_range(0..10))
    }

    /// The prompt tokens `BOS a + b + c =`.
    pub fn prompt(&self) -> [u32; PROMPT_LEN] {
        let [a, b, c] = self.digits.map(u32::from);
        [BOS, a, PLUS, b, PLUS, c, EQ]
    }

    /// The correct answer `a + b + c`.
    pub fn answer(&self) -> u32 {
        self.digits.iter().map(|&d| u32::from(d)).sum()
    }

    /// An id such as `"3+5+7"`.
    pub fn id(&self) -> String {
        let [a, b, c] = self.digits;
        format!("{a}+{b}+{c}")
    }
}

/// The six orders of three positions, in lexicographic order.
pub const ORDERS: [[usize; 3]; 6] = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

/// The noisy teacher the model is trained on.
///
/// Order `k` of [`ORDERS`] is chosen with probability `order_weights[k]`.
/// In a step `u + v` (with `u` the running sum), let `s = (u mod 10) + v`;
/// if `s ≥ 10` the teacher forgets the carry (writes `u + v − 10`) with
/// probability `carry_base + carry_slope · (s − 10)`; otherwise, or if it did
/// not forget, it slips the units digit by ±1 with probability `slip`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Teacher {
    /// Probabilities of the six orders.
    pub order_weights: [f64; 6],
    /// Forget-carry probability at a units sum of exactly 10.
    pub carry_base: f64,
    /// Increase of the forget-carry probability per unit of units sum above 10.
    pub carry_slope: f64,
    /// Probability of a ±1 units slip.
    pub slip: f64,
}

impl Default for Teacher {
    fn default() -> Self {
        Self { order_weights: [0.3, 0.2, 0.15, 0.15, 0.1, 0.1], carry_base: 0.08, carry_slope: 0.05, slip: 0.03 }
    }
}

impl Teacher {
    /// One step's written result for `u + v`.
    fn step(&self, u: u32, v: u32, rng: &mut impl Rng) -> u32 {
        let units = u % 10 + v;
        let mut s = u + v;
        if units >= 10 && rng.random::<f64>() < self.carry_base + self.carry_slope * (units - 10) as f64 {
            return s - 10;
        }
        if rng.random::<f64>() < self.slip {
            s = if rng.random::<bool>() { s + 1 } else { s.saturating_sub(1) };
        }
        s.min(99)
    }

    /// A path (without the prompt) for `q`.
    pub fn path(&self, q: &Question, rng: &mut impl Rng) -> Vec<u32> {
        let mut r = rng.random::<f64>();
        let mut k = ORDERS.len() - 1;
        for (i, w) in self.order_weights.iter().enumerate() {
            if r < *w {
                k = i;
                break;
            }
            r -= w;
        }
        let [x, y, z] = ORDERS[k].map(|i| u32::from(q.digits[i]));
        let s1 = self.step(x, y, rng);
        let s2 = self.step(s1, z, rng);
        vec![x, PLUS, y, EQ, s1 / 10, s1 % 10, PLUS, z, EQ, s2 / 10, s2 % 10, EOS]
    }
}

/// Human-readable text of tokens, e.g. `"3+5=08+7=15"` (`<s>` for BOS, `</s>`
/// dropped at the end).
pub fn render(tokens: &[u32]) -> String {
    tokens
        .iter()
        .map(|&t| match t {
            0..=9 => char::from_digit(t, 10).expect("digit").to_string(),
            PLUS => "+".into(),
            EQ => "=".into(),
            BOS => "<s>".into(),
            EOS => String::new(),
            _ => "?".into(),
        })
        .collect()
}

/// Whether an answer string is the correct answer of `q`.
pub fn is_correct(q: &Question, answer: &str) -> bool {
    answer == q.answer().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn teacher_paths_are_well_formed_and_mostly_right_on_easy_questions() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let t = Teacher::default();
        let q = Question::new(1, 2, 3);
        let n = 4000;
        let right = (0..n).filter(|_| is_correct(&q, &extract_answer(&t.path(&q, &mut rng)))).count();
        // No carries: right unless one of two slips (3% each): ≈ 94.1%.
        // Binomial sd ≈ 0.0037, so ±0.02 is > 5 sd: false-failure rate < 1e-6.
        let rate = right as f64 / n as f64;
        assert!((rate - 0.97f64.powi(2)).abs() < 0.02, "{rate}");
    }

    #[test]
    fn extract_rejects_broken_paths() {
        let good = vec![3, PLUS, 5, EQ, 0, 8, PLUS, 7, EQ, 1, 5, EOS];
        assert_eq!(extract_answer(&good), "15");
        let mut bad = good.clone();
        bad[4] = PLUS;
        assert_eq!(extract_answer(&bad), INVALID);
        assert_eq!(extract_answer(&good[..11]), INVALID);
        assert_eq!(render(&good), "3+5=08+7=15");
    }
}
