//! Reading a paths file a chunk of questions at a time, for files larger
//! than memory (issue #36).
//!
//! The line formats — pathconf JSONL with one record per question, and
//! OpenAI / vLLM responses — are mapped (not read into memory, not
//! pre-faulted) and cut into chunks of about [`CHUNK_BYTES`] at line ends;
//! each chunk's lines are parsed in parallel, checked in file order (the
//! first bad line is the one reported, as in [`super::read`]; an id
//! repeated from any earlier chunk is refused), and handed on as one
//! [`Part`] before the next chunk is parsed. What stays in memory is one
//! chunk's questions, the ids seen (for the repeat check) and whatever the
//! consumer keeps; the mapped pages are the page cache's, not the
//! process's own.
//!
//! The other layouts are read whole and handed on as one part: the paper's
//! column format is one JSON object whose questions are spread over its
//! columns (its files are tens of MB), and a `sample --endpoint` stream file
//! groups draws by question across the file (it holds one run's draws).
//! So do inputs that cannot be mapped (pipes).

use super::error::ReadError;
use super::jsonl::{check_new_id, no_questions, question_with_id, record_id};
use super::jsonl_fast::fast_question;
use super::locate::json_error;
use super::openai::{no_records, openai_question};
use super::record::is_blank;
use super::source::not_utf8;
use super::{detect, read, Format};
use crate::eval::dataset::{Part, RawQuestion};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// A line read: its question id and its question (or the record's error);
/// the outer error is the line's JSON error.
type Parsed = (String, Result<RawQuestion, ReadError>);

/// Bytes of text parsed at a time (rounded up to the next line end).
pub const CHUNK_BYTES: usize = 32 << 20;

/// How a file was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkedRead {
    /// Its format.
    pub format: Format,
    /// Whether it was read a chunk at a time (else whole, as one part).
    pub chunked: bool,
    /// Its size in bytes.
    pub bytes: u64,
}

/// Reads `file` (in `format`, detected when `None`) and hands its questions
/// to `each` in order, a part at a time, with the bytes read so far. The
/// questions are those [`read`] returns, with the same errors for a bad
/// record. `chunk_bytes`: the size of a chunk (tests use small ones).
/// `each`'s own errors (say, an evaluation's) pass through unchanged.
pub fn for_each_part<E: From<ReadError>>(
    file: &Path,
    format: Option<Format>,
    answers: Option<&HashMap<String, String>>,
    chunk_bytes: usize,
    each: &mut dyn FnMut(Part, u64) -> Result<(), E>,
) -> Result<ChunkedRead, E> {
    let whole = |each: &mut dyn FnMut(Part, u64) -> Result<(), E>| {
        let ds = read(file, format, answers)?;
        let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        each(Part::from(&ds), bytes)?;
        Ok(ChunkedRead { format: ds.format, chunked: false, bytes })
    };
    let io = |error| ReadError::Io { file: file.to_path_buf(), error };
    let handle = std::fs::File::open(file).map_err(io)?;
    if !handle.metadata().map_err(io)?.is_file() {
        return whole(each);
    }
    // SAFETY: read-only, and the questions copy what they keep; see
    // `Source::open` for what another process truncating the file would do.
    let Ok(map) = (unsafe { memmap2::Mmap::map(&handle) }) else { return whole(each) };
    let _ = map.advise(memmap2::Advice::Sequential);
    let bytes: &[u8] = &map;
    let Some(format) = line_format(bytes, format) else { return whole(each) };
    let mut seen: HashMap<String, usize> = HashMap::new();
    let (mut start, mut lines_before, mut questions_before) = (0usize, 0usize, 0usize);
    while start < bytes.len() {
        let end = match bytes[(start + chunk_bytes.max(1)).min(bytes.len())..].iter().position(|&b| b == b'\n') {
            Some(p) => (start + chunk_bytes.max(1)).min(bytes.len()) + p + 1,
            None => bytes.len(),
        };
        let text = std::str::from_utf8(&bytes[start..end]).map_err(|e| not_utf8(file, start + e.valid_up_to()))?;
        // Non-blank lines with their numbers, as `records`, counting the
        // lines in the same pass.
        let mut in_chunk = 0;
        let lines: Vec<(usize, &str)> = text.lines().enumerate().inspect(|(i, _)| in_chunk = i + 1).filter(|(_, l)| !is_blank(l)).collect();
        let parsed: Vec<Result<Parsed, ReadError>> = lines
            .par_iter()
            .enumerate()
            .map(|(i, &(line_no, line))| {
                let q = questions_before + i;
                if format == Format::Jsonl {
                    if let Some(question) = fast_question(line, q, answers) {
                        return Ok((question.id.clone(), Ok(question)));
                    }
                }
                let v: Value = serde_json::from_str(line).map_err(|e| json_error(file, line, &e, lines_before + line_no))?;
                Ok(match format {
                    Format::Openai => (String::new(), openai_question(&v, q, file, answers)),
                    _ => {
                        let id = record_id(&v, q);
                        (id.clone(), question_with_id(&v, q, id, file, answers))
                    }
                })
            })
            .collect();
        let mut questions = Vec::with_capacity(parsed.len());
        for (i, p) in parsed.into_iter().enumerate() {
            let (id, question) = p?;
            if format == Format::Jsonl {
                check_new_id(&id, questions_before + i, file, &mut seen)?;
            }
            questions.push(question?);
        }
        lines_before += in_chunk;
        let part = Part { file, format, first: questions_before, questions: &questions };
        questions_before += questions.len();
        start = end;
        if !questions.is_empty() {
            each(part, end as u64)?;
        }
    }
    if questions_before == 0 {
        return Err(if format == Format::Openai { no_records(file) } else { no_questions(file) }.into());
    }
    Ok(ChunkedRead { format, chunked: true, bytes: bytes.len() as u64 })
}

/// Whether [`for_each_part`] reads `file` a chunk at a time (a regular
/// file in a line format), rather than whole.
pub fn reads_in_chunks(file: &Path, format: Option<Format>) -> bool {
    let Ok(handle) = std::fs::File::open(file) else { return false };
    if !handle.metadata().is_ok_and(|m| m.is_file()) {
        return false;
    }
    // SAFETY: read-only, only the first line is looked at.
    let Ok(map) = (unsafe { memmap2::Mmap::map(&handle) }) else { return false };
    line_format(&map, format).is_some()
}

/// The format, when it is one read line by line: JSONL with one record per
/// question, or OpenAI; `None` for anything else (read whole, which also
/// reports a first line that is not JSON).
fn line_format(bytes: &[u8], format: Option<Format>) -> Option<Format> {
    let first = bytes.split(|&b| b == b'\n').find(|l| !l.iter().all(u8::is_ascii_whitespace))?;
    let first = std::str::from_utf8(first).ok()?;
    let format = match format {
        Some(f) => f,
        None => detect(first)?,
    };
    match format {
        Format::Jsonl if super::stream::is_header(first.trim_end_matches('\r')) => None,
        Format::Jsonl | Format::Openai => Some(format),
        Format::RpcJson => None,
    }
}
