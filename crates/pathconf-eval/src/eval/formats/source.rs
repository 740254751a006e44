//! An input file's text, memory-mapped when the file allows it.
//!
//! Reading a file into a fresh `String` costs mostly page faults on the new
//! heap pages, not the copy; mapping the page cache costs a tenth of it
//! (DESIGN, "Reading input files fast"; README, "Speed"). Pipes and other unmappable inputs are read instead.
//! The source is shared (`Arc`) with the dataset's texts
//! ([`crate::eval::PathText`]), which are ranges of it.

use super::error::ReadError;
use std::ops::Deref;
use std::path::Path;

/// The UTF-8 text of an input file.
pub enum Source {
    /// The file mapped read-only (checked to be UTF-8).
    Mapped(memmap2::Mmap),
    /// The file read into memory.
    Owned(String),
}

impl Source {
    /// Maps or reads `file`; the error names the file (and, for text that is
    /// not UTF-8, the byte offset).
    pub fn open(file: &Path) -> Result<Self, ReadError> {
        let io = |error| ReadError::Io { file: file.to_path_buf(), error };
        let handle = std::fs::File::open(file).map_err(io)?;
        let is_regular = handle.metadata().map_err(io)?.is_file();
        // SAFETY: the map is read-only and lives while the file is parsed
        // and while the dataset's texts share it (one command; the Python
        // package detaches its datasets, `Dataset::detach`); truncating the
        // file from another process meanwhile would be undefined behaviour
        // (as for any mapped input). pathconf never writes an input in place
        // (outputs go through a temporary file and rename).
        // Populated: the pages are mapped in one call instead of one fault
        // per few pages while parsing.
        let mapped = if is_regular { unsafe { memmap2::MmapOptions::new().populate().map(&handle) }.ok() } else { None };
        match mapped {
            Some(map) => match check_utf8(&map) {
                Ok(()) => Ok(Source::Mapped(map)),
                Err(at) => Err(not_utf8(file, at)),
            },
            None => {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut &handle, &mut bytes).map_err(io)?;
                String::from_utf8(bytes).map(Source::Owned).map_err(|e| not_utf8(file, e.utf8_error().valid_up_to()))
            }
        }
    }
}

/// Checks `bytes` as UTF-8; the error is the offset of the first invalid
/// byte. Large inputs are checked in two halves on two threads (rayon),
/// split at an ASCII byte, which cannot lie inside a multi-byte character,
/// so the verdict and the offset are those of one pass over the whole.
fn check_utf8(bytes: &[u8]) -> Result<(), usize> {
    const SPLIT_ABOVE: usize = 1 << 20;
    let whole = |b: &[u8]| std::str::from_utf8(b).map(|_| ()).map_err(|e| e.valid_up_to());
    if bytes.len() < SPLIT_ABOVE {
        return whole(bytes);
    }
    let mid = bytes.len() / 2;
    let split = bytes[mid..].iter().position(|b| b.is_ascii()).map_or(bytes.len(), |p| mid + p);
    let (first, second) = bytes.split_at(split);
    match rayon::join(|| whole(first), || whole(second)) {
        (Err(at), _) => Err(at),
        (Ok(()), Err(at)) => Err(split + at),
        (Ok(()), Ok(())) => Ok(()),
    }
}

pub(crate) fn not_utf8(file: &Path, at: usize) -> ReadError {
    ReadError::File { file: file.to_path_buf(), message: format!("not UTF-8 text (invalid byte at offset {at})") }
}

impl Deref for Source {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            // Checked in `open`; re-checking 40 MB costs ≈ 5 ms, hence unchecked.
            Source::Mapped(map) => unsafe { std::str::from_utf8_unchecked(map) },
            Source::Owned(s) => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_and_read_agree_and_bad_utf8_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.json");
        std::fs::write(&good, "{\"a\": \"é\"}").unwrap();
        let src = Source::open(&good).unwrap();
        assert!(matches!(src, Source::Mapped(_)));
        assert_eq!(&*src, "{\"a\": \"é\"}");
        let empty = dir.path().join("empty.json");
        std::fs::write(&empty, "").unwrap();
        assert_eq!(&*Source::open(&empty).unwrap(), "");
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, b"{\"a\": \"\xff\"}").unwrap();
        let msg = Source::open(&bad).err().unwrap().to_string();
        assert!(msg.contains("bad.json") && msg.contains("offset 7"), "{msg}");
        // Large inputs (checked in two halves): the offset is the same as
        // one pass's, wherever the bad byte is, also just past the split.
        let mut big = vec![b'a'; 3 << 20];
        // é (0xC3 0xA9) straddles the middle, so the split moves past it.
        big[(3 << 20) / 2 - 1] = 0xC3;
        big[(3 << 20) / 2] = 0xA9;
        assert_eq!(check_utf8(&big), Ok(()));
        for at in [5, (3 << 20) / 2 - 2, (3 << 20) / 2 + 1, (3 << 20) - 1] {
            let mut bad = big.clone();
            bad[at] = 0xFF;
            assert_eq!(check_utf8(&bad), Err(std::str::from_utf8(&bad).unwrap_err().valid_up_to()), "bad byte at {at}");
        }
        let missing = Source::open(&dir.path().join("missing.json")).err().unwrap().to_string();
        assert!(missing.contains("missing.json"), "{missing}");
    }
}
