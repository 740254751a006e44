//! Arithmetic questions with known answers, seeded: bare sums, differences
//! and products ("What is 23 + 14?") and one-step word problems with small
//! numbers — a level at which SmolLM2-135M-Instruct (sampled at temperature
//! 0.6) is right on anywhere from none to most of its paths, depending on the
//! question. Multi-step word problems were tried first: at temperature 1.0
//! the 135M model was right on 0–8% of paths even for one-step sums.
//! Stored as JSONL `{"id", "question", "answer"}`.

use rand::seq::IndexedRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// One word problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordProblem {
    /// Identifier.
    pub id: String,
    /// The problem text.
    pub question: String,
    /// The correct answer (an integer, as text).
    pub answer: String,
}

const NAMES: [&str; 8] = ["Tom", "Anna", "Ben", "Lily", "Sam", "Mia", "Leo", "Emma"];
const ITEMS: [&str; 8] = ["apples", "pencils", "marbles", "stickers", "cookies", "books", "coins", "cards"];

/// `count` problems drawn from `rng`, ids `q000`, `q001`, ….
pub fn generate(count: usize, rng: &mut impl Rng) -> Vec<WordProblem> {
    (0..count)
        .map(|i| {
            let name = *NAMES.choose(rng).expect("names");
            let item = *ITEMS.choose(rng).expect("items");
            let (question, answer): (String, i64) = match rng.random_range(0..5) {
                0 => {
                    let (a, b) = (rng.random_range(2..50), rng.random_range(2..50));
                    (format!("What is {a} + {b}?"), a + b)
                }
                1 => {
                    let (a, b) = (rng.random_range(10..60), rng.random_range(2..10));
                    (format!("What is {a} - {b}?"), a - b)
                }
                2 => {
                    let (a, b) = (rng.random_range(2..10), rng.random_range(2..10));
                    (format!("What is {a} times {b}?"), a * b)
                }
                3 => {
                    let (a, b) = (rng.random_range(2..20), rng.random_range(2..10));
                    (format!("{name} has {a} {item} and finds {b} more. How many {item} does {name} have?"), a + b)
                }
                _ => {
                    let (a, b) = (rng.random_range(5..20), rng.random_range(1..5));
                    (format!("{name} has {a} {item} and gives away {b}. How many {item} are left?"), a - b)
                }
            };
            WordProblem { id: format!("q{i:03}"), question, answer: answer.to_string() }
        })
        .collect()
}

/// The instruction given to the model with each problem.
pub fn prompt_text(p: &WordProblem) -> String {
    format!("{} Give the answer as \"The answer is N.\"", p.question)
}

/// Reads a questions JSONL file ([`crate::eval::questions::read_questions`],
/// the one reader of the format) whose every question has its answer;
/// errors name the line and field.
pub fn read(text: &str, file: &std::path::Path) -> Result<Vec<WordProblem>, String> {
    crate::eval::questions::read_questions(text, file)?
        .into_iter()
        .map(|q| match q.answer {
            Some(answer) => Ok(WordProblem { id: q.id, question: q.question, answer }),
            None => Err(format!("{}: question {:?}: field `answer` missing (the built-in sampler records the ground truth)", file.display(), q.id)),
        })
        .collect()
}
