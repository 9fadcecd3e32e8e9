//! Decoder of binary (`b`) `.nl` segments (A.3), in either byte order.

use super::error::{ErrorKind, Location, ReadError};
use super::header::ByteOrder;
use super::source::{Source, Token};

/// Reads binary segments.
pub(crate) struct BinarySource<'a> {
    file: &'a str,
    data: &'a [u8],
    pos: usize,
    /// Start of the item read last (for error locations).
    item: usize,
    order: ByteOrder,
}

impl<'a> BinarySource<'a> {
    pub(crate) fn new(file: &'a str, data: &'a [u8], pos: usize, order: ByteOrder) -> Self {
        BinarySource {
            file,
            data,
            pos,
            item: pos,
            order,
        }
    }

    fn bytes<const N: usize>(&mut self, expected: &'static str) -> Result<[u8; N], ReadError> {
        self.item = self.pos;
        match self.data.get(self.pos..self.pos + N) {
            Some(b) => {
                self.pos += N;
                Ok(b.try_into().expect("slice of length N"))
            }
            None => Err(self.error(ErrorKind::Truncated { expected })),
        }
    }

    fn i32(&mut self, what: &'static str) -> Result<i64, ReadError> {
        let b = self.bytes::<4>(what)?;
        Ok(i64::from(match self.order {
            ByteOrder::Little => i32::from_le_bytes(b),
            ByteOrder::Big => i32::from_be_bytes(b),
        }))
    }

    fn sized_bytes(&mut self, what: &'static str) -> Result<&'a [u8], ReadError> {
        let len = self.i32(what)?;
        let start = self.item;
        let len = usize::try_from(len).map_err(|_| {
            self.error(ErrorKind::Malformed(format!(
                "negative length {len} of {what}"
            )))
        })?;
        if len > self.data.len() - self.pos {
            return Err(self.error(ErrorKind::Truncated { expected: what }));
        }
        let s = &self.data[self.pos..self.pos + len];
        self.pos += len;
        self.item = start;
        Ok(s)
    }
}

impl<'a> Source<'a> for BinarySource<'a> {
    fn key(&mut self) -> Result<Option<u8>, ReadError> {
        if self.pos == self.data.len() {
            return Ok(None);
        }
        Ok(Some(self.bytes::<1>("a segment letter")?[0]))
    }

    fn int(&mut self, what: &'static str) -> Result<i64, ReadError> {
        self.i32(what)
    }

    fn real(&mut self, what: &'static str) -> Result<f64, ReadError> {
        let b = self.bytes::<8>(what)?;
        Ok(match self.order {
            ByteOrder::Little => f64::from_le_bytes(b),
            ByteOrder::Big => f64::from_be_bytes(b),
        })
    }

    fn end_line(&mut self) {}

    fn name(&mut self) -> Result<&'a [u8], ReadError> {
        self.sized_bytes("a name")
    }

    fn bound_type(&mut self) -> Result<u8, ReadError> {
        let c = self.bytes::<1>("a bound type")?[0];
        match c {
            b'0'..=b'5' => Ok(c - b'0'),
            _ => Err(self.error(ErrorKind::Expected {
                expected: "a bound type '0'..'5'",
                found: format!("byte 0x{c:02x}"),
            })),
        }
    }

    fn token(&mut self) -> Result<Token<'a>, ReadError> {
        let c = self.bytes::<1>("an expression token")?[0];
        let start = self.item;
        let tok = match c {
            b'o' => Token::Op(self.i32("an operator number")?),
            b'v' => Token::Var(self.i32("a variable index")?),
            b'n' => Token::Num(self.real("a number")?),
            b's' => {
                let b = self.bytes::<2>("a short integer")?;
                Token::Short(i64::from(match self.order {
                    ByteOrder::Little => i16::from_le_bytes(b),
                    ByteOrder::Big => i16::from_be_bytes(b),
                }))
            }
            b'l' => Token::Long(self.i32("a long integer")?),
            b'f' => {
                let index = self.i32("a function number")?;
                let nargs = self.i32("an argument count")?;
                Token::Func { index, nargs }
            }
            b'h' => Token::Str(self.sized_bytes("a string")?),
            _ => {
                return Err(self.error(ErrorKind::Expected {
                    expected: "an expression token (n, v, o, f, h, s, l)",
                    found: format!("byte 0x{c:02x}"),
                }));
            }
        };
        self.item = start;
        Ok(tok)
    }

    fn error(&self, kind: ErrorKind) -> ReadError {
        ReadError {
            file: self.file.to_string(),
            location: Location::Byte(self.item),
            kind,
        }
    }

    fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }
}
