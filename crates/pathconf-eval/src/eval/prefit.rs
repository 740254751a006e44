//! RPC's fits started while the file is still being read.
//!
//! In the paper's column format the `mean_logprob` column comes after the
//! completions, which are nearly all of the file's bytes, so the fits
//! (most of an RPC evaluation's work) could only start once the whole file
//! was parsed, leaving the other cores idle meanwhile. [`probabilities`]
//! reads just the file's tail, finds the column by its key (an unescaped
//! `"mean_logprob"` followed by `:` cannot occur inside a JSON string) and
//! parses it; [`FitMemo::make`] fits every question on the idle cores while
//! the full parse runs (`rayon::join`).
//!
//! Nothing here is trusted: the full parse still checks the file, and a fit
//! from the memo is used only for a sample whose values equal (bit for bit)
//! the ones it was made for ([`FitMemo::fit`]); anything else — another
//! format, a key earlier in the file, a malformed tail — just finds no fit
//! and is fitted as usual. Reports are the same with or without it.

use crate::weibull::FitMemo;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// The tails read, shortest first: 1 MiB (the column of 1,000 questions of
/// 40 paths), then a quarter of the file up to 64 MiB.
fn tail_lens(file_len: u64) -> [u64; 2] {
    [(1 << 20).min(file_len), (file_len / 4).clamp(1 << 20, 64 << 20).min(file_len)]
}

/// The sampled probabilities `exp(mean_logprob)` per question, if `file`'s
/// tail holds a paper-format `mean_logprob` column; `None` otherwise.
pub fn probabilities(file: &Path) -> Option<Vec<Vec<f64>>> {
    let mut f = std::fs::File::open(file).ok()?;
    let len = f.metadata().ok()?.len();
    let [short, long] = tail_lens(len);
    let mut column = None;
    for take in if long > short { vec![short, long] } else { vec![short] } {
        f.seek(SeekFrom::Start(len - take)).ok()?;
        let mut tail = Vec::with_capacity(take as usize);
        (&mut f).take(take).read_to_end(&mut tail).ok()?;
        column = column_from_tail(&tail);
        if column.is_some() {
            break;
        }
    }
    column.map(|col| col.into_iter().map(|row| row.into_iter().map(f64::exp).collect()).collect())
}

/// The `mean_logprob` column whose key is the last one in `tail`.
fn column_from_tail(tail: &[u8]) -> Option<Vec<Vec<f64>>> {
    let key = memchr::memmem::rfind(tail, b"\"mean_logprob\"")?;
    let rest = &tail[key + b"\"mean_logprob\"".len()..];
    let colon = rest.iter().position(|b| !b.is_ascii_whitespace())?;
    if rest[colon] != b':' {
        return None;
    }
    let mut values = serde_json::Deserializer::from_slice(&rest[colon + 1..]).into_iter::<Vec<Vec<f64>>>();
    values.next()?.ok()
}

/// [`probabilities`] fitted: the memo to evaluate with (empty when the
/// column was not found).
pub fn fits(file: &Path) -> FitMemo {
    probabilities(file).map(|q| FitMemo::make(&q)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_column_by_its_unescaped_key() {
        let text = br#"{"predict":[["1","2"]],"completion":[["say \"mean_logprob\": [[9]]","mean_logprob"]],"mean_logprob" : [[-0.5,-1.25]],"answer":["1"]}"#;
        assert_eq!(column_from_tail(text), Some(vec![vec![-0.5, -1.25]]));
    }

    #[test]
    fn gives_nothing_without_a_usable_column() {
        // No key; the key's last occurrence is a string value; a cut-off column.
        assert_eq!(column_from_tail(br#"{"predict":[["1"]],"answer":["1"]}"#), None);
        assert_eq!(column_from_tail(br#"{"mean_logprob":[[-1.0]],"completion":[["mean_logprob","mean_logprob"]]}"#), None);
        assert_eq!(column_from_tail(br#"{"mean_logprob":[[-1.0],[-2"#), None);
        assert_eq!(tail_lens(100), [100, 100]);
        assert_eq!(tail_lens(40 << 20), [1 << 20, 10 << 20]);
    }
}
