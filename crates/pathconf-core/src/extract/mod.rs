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
