//! Tiny-transformer rule: a path of pathconf's sum task states its answer as
//! its last two-digit number; a path that is not `d + d = d d + d = d d EOS`
//! has none ([`INVALID`]).

use super::INVALID;
use crate::tiny::task::{EOS, EQ, PATH_LEN, PLUS};

/// The answer a path states: its last two-digit number as an integer string,
/// or [`INVALID`] when the path is not `d + d = d d + d = d d EOS`.
pub fn extract_answer(path: &[u32]) -> String {
    let digit = |i: usize| path.get(i).copied().filter(|&t| t < 10);
    let shape_ok = path.len() == PATH_LEN
        && [0, 2, 4, 5, 7, 9, 10].iter().all(|&i| digit(i).is_some())
        && path[1] == PLUS
        && path[3] == EQ
        && path[6] == PLUS
        && path[8] == EQ
        && path[11] == EOS;
    if shape_ok {
        (path[9] * 10 + path[10]).to_string()
    } else {
        INVALID.to_string()
    }
}
