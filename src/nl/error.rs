//! Typed errors of the `.nl` reader.

use std::fmt;

/// Where in the file an error was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// 1-based line of a text file (header lines count in binary files too).
    Line(usize),
    /// Byte offset from the start of a binary file.
    Byte(usize),
    /// The file as a whole (e.g. a segment that is missing).
    File,
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq)]
pub enum ErrorKind {
    /// The file could not be read at all.
    Io(String),
    /// The file ended while `expected` was still to come.
    Truncated { expected: &'static str },
    /// A header line is malformed.
    BadHeader(String),
    /// A token is not what the grammar requires here.
    Expected {
        expected: &'static str,
        found: String,
    },
    /// A segment key letter that no segment has.
    UnknownSegment(u8),
    /// An operator number that is not in the operator table.
    UnknownOpcode(i64),
    /// An index outside its range.
    IndexOutOfRange {
        what: &'static str,
        index: i64,
        limit: usize,
    },
    /// A count that disagrees with the header or with another segment.
    CountMismatch {
        what: String,
        expected: usize,
        found: usize,
    },
    /// A segment or item that must appear once appears twice.
    Duplicate(String),
    /// A segment the model needs is missing.
    Missing(String),
    /// A feature pounce reads but cannot solve with.
    Unsupported { feature: &'static str, item: String },
    /// Any other structural error.
    Malformed(String),
}

/// An error of the `.nl` reader: file, location and what was expected.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadError {
    pub file: String,
    pub location: Location,
    pub kind: ErrorKind,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Location::Line(l) => write!(f, "{}: line {}: ", self.file, l)?,
            Location::Byte(b) => write!(f, "{}: byte offset {}: ", self.file, b)?,
            Location::File => write!(f, "{}: ", self.file)?,
        }
        match &self.kind {
            ErrorKind::Io(e) => write!(f, "cannot read file: {e}"),
            ErrorKind::Truncated { expected } => {
                write!(f, "file ends unexpectedly; expected {expected}")
            }
            ErrorKind::BadHeader(s) => write!(f, "bad header: {s}"),
            ErrorKind::Expected { expected, found } => {
                write!(f, "expected {expected}, found '{found}'")
            }
            ErrorKind::UnknownSegment(c) => {
                write!(
                    f,
                    "unknown segment letter '{}'",
                    char::from(*c).escape_default()
                )
            }
            ErrorKind::UnknownOpcode(k) => write!(f, "unknown operator o{k}"),
            ErrorKind::IndexOutOfRange { what, index, limit } => {
                write!(f, "{what} {index} out of range (must be in 0..{limit})")
            }
            ErrorKind::CountMismatch {
                what,
                expected,
                found,
            } => write!(f, "{what}: expected {expected}, found {found}"),
            ErrorKind::Duplicate(s) => write!(f, "{s} appears twice"),
            ErrorKind::Missing(s) => write!(f, "missing {s}"),
            ErrorKind::Unsupported { feature, item } => {
                write!(f, "{feature} not supported ({item})")
            }
            ErrorKind::Malformed(s) => write!(f, "{s}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// Shows at most a few bytes of an offending token.
pub(crate) fn show_bytes(b: &[u8]) -> String {
    let end = b.len().min(40);
    String::from_utf8_lossy(&b[..end])
        .escape_default()
        .to_string()
}
