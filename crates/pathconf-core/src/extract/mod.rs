//! Answer extraction: one rule per task, and one marker for "no answer".
//!
//! | rule | task | module |
//! |---|---|---|
//! | last `\boxed{…}`, else the text after the last "the answer is" | math benchmarks (the paths files `eval` reads) | [`math`] |
//! | first number after the last "answer is", else `\boxed{…}`, else the last number | pathconf's SmolLM2 word problems | [`word_problem`] |
//! | the last two-digit number of a well-formed token path | the tiny transformer's sums | [`tiny_sums`] |

pub mod math;
pub mod tiny_sums;
pub mod word_problem;

/// The answer recorded for a path whose answer cannot be extracted (the RPC
/// reference's `INVALID_ANS`). Whether such paths form an answer group that
/// votes or are dropped is each method's and rule's convention
/// ([`crate::invalid`]).
pub const INVALID: &str = "[invalid]";

/// A text extraction rule, by name (`--extract` of `sample --endpoint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextRule {
    /// [`math`]: `\boxed{…}`, else "the answer is".
    Math,
    /// [`word_problem`]: "answer is", else `\boxed{…}`, else the last number.
    #[default]
    WordProblem,
}

crate::named_option!(TextRule, "extract", { TextRule::Math => "math", TextRule::WordProblem => "word-problem" });

impl TextRule {
    /// The answer `text` states, if any.
    pub fn extract(self, text: &str) -> Option<String> {
        match self {
            TextRule::Math => math::extract_answer(text),
            TextRule::WordProblem => word_problem::extract(text),
        }
    }
}
