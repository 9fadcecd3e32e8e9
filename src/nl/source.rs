//! The token interface between the segment grammar and the two file encodings.
//!
//! The grammar (segments, expressions) is written once, in `reader`/`expr`, against
//! [`Source`]; [`super::text::TextSource`] and [`super::binary::BinarySource`] decode
//! the two encodings of A.3, and [`super::write::Transcoder`] re-encodes every item it
//! passes through, which is how a text file becomes a binary one.

use super::error::{ErrorKind, ReadError};

/// One expression token (A.4).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Token<'a> {
    /// `o<k>`: operator number.
    Op(i64),
    /// `n<real>`.
    Num(f64),
    /// `s<int>`: constant given as a short integer.
    Short(i64),
    /// `l<int>`: constant given as a long integer.
    Long(i64),
    /// `v<i>`: variable or defined variable.
    Var(i64),
    /// `f<i> <nargs>`: imported function call.
    Func { index: i64, nargs: i64 },
    /// `h<len>:<bytes>`: string literal.
    Str(&'a [u8]),
}

/// A decoder of the segment part of a `.nl` file.
///
/// Text lines carry several items; `end_line` moves past the rest of the current
/// line (binary files have no lines, so it does nothing there). `token` reads a whole
/// expression token including its line end.
pub(crate) trait Source<'a> {
    /// Next segment key letter, or `None` at the end of the file.
    fn key(&mut self) -> Result<Option<u8>, ReadError>;
    /// An integer field; `what` names it in errors.
    fn int(&mut self, what: &'static str) -> Result<i64, ReadError>;
    /// A real field.
    fn real(&mut self, what: &'static str) -> Result<f64, ReadError>;
    /// Skips the rest of the current text line.
    fn end_line(&mut self);
    /// A name (suffix or imported function).
    fn name(&mut self) -> Result<&'a [u8], ReadError>;
    /// A bound type digit `'0'..='5'` of an `r`/`b` line, as a number.
    fn bound_type(&mut self) -> Result<u8, ReadError>;
    /// One expression token.
    fn token(&mut self) -> Result<Token<'a>, ReadError>;
    /// An error at the position of the item read last.
    fn error(&self, kind: ErrorKind) -> ReadError;
    /// Number of bytes not yet read (bounds counts declared inside the file).
    fn remaining(&self) -> usize;
}

/// Checks a count read from the file: not negative, and not more items than the rest
/// of the file can hold (each takes at least one byte), so that nothing is allocated
/// from an absurd count.
pub(crate) fn count<'a, S: Source<'a>>(
    src: &S,
    n: i64,
    what: &'static str,
) -> Result<usize, ReadError> {
    if n < 0 {
        return Err(src.error(ErrorKind::Malformed(format!(
            "negative count {n} of {what}"
        ))));
    }
    if n as u64 > src.remaining() as u64 {
        return Err(src.error(ErrorKind::Truncated { expected: what }));
    }
    Ok(n as usize)
}
