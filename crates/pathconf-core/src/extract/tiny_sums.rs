//! Tiny-transformer rule: a path of pathconf's sum task states its answer as
//! its last two-digit number; a path that is not `d + d = d d + d = d d EOS`
//! has none ([`INVALID`]). Digits are tokens `0..=9`; the task
//! ([`crate::tiny::task`]) supplies the ids of its other tokens.

use super::INVALID;

/// The token ids of the sum task's grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SumGrammar {
    /// `+`.
    pub plus: u32,
    /// `=`.
    pub eq: u32,
    /// End of sequence.
    pub eos: u32,
}

/// Tokens in a well-formed path: `d + d = d d + d = d d EOS`.
pub const PATH_LEN: usize = 12;

/// The answer a path states: its last two-digit number as an integer string,
/// or [`INVALID`] when the path is not `d + d = d d + d = d d EOS`.
pub fn extract_answer(path: &[u32], g: &SumGrammar) -> String {
    let digit = |i: usize| path.get(i).copied().filter(|&t| t < 10);
    let shape_ok = path.len() == PATH_LEN
        && [0, 2, 4, 5, 7, 9, 10].iter().all(|&i| digit(i).is_some())
        && path[1] == g.plus
        && path[3] == g.eq
        && path[6] == g.plus
        && path[8] == g.eq
        && path[11] == g.eos;
    if shape_ok {
        (path[9] * 10 + path[10]).to_string()
    } else {
        INVALID.to_string()
    }
}
