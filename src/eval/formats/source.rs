//! An input file's text, memory-mapped when the file allows it.
//!
//! Reading a 40 MB file into a fresh `String` costs ≈ 40 ms on the 2-core
//! VM this project is measured on — almost all of it page faults on the new
//! heap pages, not the copy — while mapping the page cache costs ≈ 4 ms
//! (README, "Speed"). Pipes and other unmappable inputs are read instead.

use crate::eval::dataset::EvalError;
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
    pub fn open(file: &Path) -> Result<Self, EvalError> {
        let io = |error| EvalError::Io { file: file.to_path_buf(), error };
        let handle = std::fs::File::open(file).map_err(io)?;
        let is_regular = handle.metadata().map_err(io)?.is_file();
        // SAFETY: the map is read-only and lives only while the file is
        // parsed; truncating the file from another process meanwhile would be
        // undefined behaviour (as for any mapped input). pathconf never writes
        // an input in place (outputs go through a temporary file and rename).
        let mapped = if is_regular { unsafe { memmap2::Mmap::map(&handle) }.ok() } else { None };
        match mapped {
            Some(map) => match std::str::from_utf8(&map) {
                Ok(_) => Ok(Source::Mapped(map)),
                Err(e) => Err(not_utf8(file, e.valid_up_to())),
            },
            None => {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut &handle, &mut bytes).map_err(io)?;
                String::from_utf8(bytes).map(Source::Owned).map_err(|e| not_utf8(file, e.utf8_error().valid_up_to()))
            }
        }
    }
}

fn not_utf8(file: &Path, at: usize) -> EvalError {
    EvalError::File { file: file.to_path_buf(), message: format!("not UTF-8 text (invalid byte at offset {at})") }
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
        let missing = Source::open(&dir.path().join("missing.json")).err().unwrap().to_string();
        assert!(missing.contains("missing.json"), "{missing}");
    }
}
