//! A path's text, owned or shared with the input file it was read from.
//!
//! A paths file is mostly completion text. Copying each completion and
//! answer into its own `String` costs a cold run an allocation per text,
//! fresh heap pages the kernel must zero, and freeing them all at exit
//! (DESIGN, "Reading input files fast": the page faults measured). A completion
//! without escapes is its own bytes in the file, so it is kept as
//! a range of the (memory-mapped) [`Source`], which the [`PathText`] holds
//! alive; text with escapes, or made in memory, is owned.
//!
//! A dataset whose texts share a mapped file keeps the mapping open; one that
//! outlives the command that read it (a Python session) should call
//! [`crate::eval::Dataset::detach`], so the file may change on disk without
//! the process seeing it.

use super::formats::source::Source;
use std::fmt;
use std::ops::{Deref, Range};
use std::sync::Arc;

/// The text of one sampled path.
#[derive(Clone)]
pub struct PathText(Repr);

#[derive(Clone)]
enum Repr {
    Owned(Box<str>),
    Shared { source: Arc<Source>, range: Range<usize> },
}

impl PathText {
    /// `slice` as a range of `source` when it lies inside it (a string
    /// borrowed by the parser), a copy otherwise.
    pub fn within(source: &Arc<Source>, slice: &str) -> Self {
        let base = source.as_ptr() as usize;
        let start = (slice.as_ptr() as usize).wrapping_sub(base);
        if start <= source.len() && slice.len() <= source.len() - start {
            PathText(Repr::Shared { source: Arc::clone(source), range: start..start + slice.len() })
        } else {
            PathText::from(slice)
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Owned(s) => s,
            Repr::Shared { source, range } => &source[range.clone()],
        }
    }

    /// Whether the text is a range of an input file (not a copy).
    pub fn is_shared(&self) -> bool {
        matches!(self.0, Repr::Shared { .. })
    }

    /// The same text, owned (a copy if it was shared).
    pub fn detached(&self) -> Self {
        match &self.0 {
            Repr::Owned(_) => self.clone(),
            Repr::Shared { .. } => PathText::from(self.as_str()),
        }
    }
}

impl Deref for PathText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for PathText {
    fn from(s: String) -> Self {
        PathText(Repr::Owned(s.into_boxed_str()))
    }
}

impl From<&str> for PathText {
    fn from(s: &str) -> Self {
        PathText(Repr::Owned(s.into()))
    }
}

impl PartialEq for PathText {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for PathText {}

impl PartialEq<str> for PathText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for PathText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for PathText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for PathText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_text_is_a_range_of_its_source_and_copies_otherwise() {
        let source = Arc::new(Source::Owned("{\"a\": \"hello world\"}".to_string()));
        let inside = &source[7..18];
        let t = PathText::within(&source, inside);
        assert!(t.is_shared());
        assert_eq!(t, "hello world");
        assert_eq!(Arc::strong_count(&source), 2);
        let elsewhere = String::from("hello world");
        let u = PathText::within(&source, &elsewhere);
        assert!(!u.is_shared());
        assert_eq!(t, u);
        let d = t.detached();
        assert!(!d.is_shared());
        assert_eq!(d, t);
        drop((t, d));
        assert_eq!(Arc::strong_count(&source), 1);
        // The empty string at the very end of the source is inside it.
        assert!(PathText::within(&source, &source[source.len()..]).is_shared());
    }
}
