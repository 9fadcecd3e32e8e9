//! Writer of binary `.nl` files: converts a text `.nl` file token by token (A.3).
//!
//! `Transcoder` wraps the text decoder and re-encodes, in binary, every item the
//! segment grammar pulls through it, so the conversion follows exactly the grammar the
//! reader uses and cannot drift from it.

use super::error::{ErrorKind, Location, ReadError};
use super::header::{ByteOrder, Format, Header, parse_header};
use super::reader::read_segments;
use super::source::{Source, Token};
use super::text::TextSource;

/// Converts the text `.nl` file `text` (named `name` in errors) to a binary `.nl`
/// file in byte order `order`.
pub fn write_binary(name: &str, text: &[u8], order: ByteOrder) -> Result<Vec<u8>, ReadError> {
    let h = parse_header(name, text)?;
    if h.format != Format::Text {
        return Err(ReadError {
            file: name.to_string(),
            location: Location::Line(1),
            kind: ErrorKind::BadHeader("write_binary needs a text .nl file".into()),
        });
    }
    let mut out = binary_header(&text[..h.body_start], &h.header, order);
    let mut src = Transcoder {
        inner: TextSource::new(name, text, h.body_start, 11),
        out: &mut out,
        order,
    };
    read_segments(&mut src, name, h.header, Format::Binary(order))?;
    Ok(out)
}

/// The ten header lines with format letter `b` and `arith` set for `order`.
fn binary_header(head: &[u8], header: &Header, order: ByteOrder) -> Vec<u8> {
    let mut out = Vec::with_capacity(head.len() + 8);
    for (i, line) in head.split_inclusive(|&b| b == b'\n').enumerate() {
        match i {
            0 => {
                out.push(b'b');
                out.extend_from_slice(&line[1..]);
            }
            5 => {
                // Line 6 (`nwv nfunc arith flags`) as read, with our arith.
                let arith = match order {
                    ByteOrder::Little => 1,
                    ByteOrder::Big => 2,
                };
                let Header {
                    nwv, nfunc, flags, ..
                } = header;
                out.extend_from_slice(format!(" {nwv} {nfunc} {arith} {flags}\n").as_bytes());
            }
            _ => out.extend_from_slice(line),
        }
    }
    out
}

/// A text decoder that writes the binary encoding of everything read through it.
struct Transcoder<'a, 'o> {
    inner: TextSource<'a>,
    out: &'o mut Vec<u8>,
    order: ByteOrder,
}

impl Transcoder<'_, '_> {
    fn i32(&mut self, v: i64) -> Result<(), ReadError> {
        let v = i32::try_from(v).map_err(|_| {
            self.inner.error(ErrorKind::Malformed(format!(
                "integer {v} does not fit in 32 bits"
            )))
        })?;
        let b = match self.order {
            ByteOrder::Little => v.to_le_bytes(),
            ByteOrder::Big => v.to_be_bytes(),
        };
        self.out.extend_from_slice(&b);
        Ok(())
    }

    fn f64(&mut self, v: f64) {
        let b = match self.order {
            ByteOrder::Little => v.to_le_bytes(),
            ByteOrder::Big => v.to_be_bytes(),
        };
        self.out.extend_from_slice(&b);
    }

    fn bytes(&mut self, s: &[u8]) -> Result<(), ReadError> {
        self.i32(s.len() as i64)?;
        self.out.extend_from_slice(s);
        Ok(())
    }
}

impl<'a> Source<'a> for Transcoder<'a, '_> {
    fn key(&mut self) -> Result<Option<u8>, ReadError> {
        let k = self.inner.key()?;
        if let Some(k) = k {
            self.out.push(k);
        }
        Ok(k)
    }

    fn int(&mut self, what: &'static str) -> Result<i64, ReadError> {
        let v = self.inner.int(what)?;
        self.i32(v)?;
        Ok(v)
    }

    fn real(&mut self, what: &'static str) -> Result<f64, ReadError> {
        let v = self.inner.real(what)?;
        self.f64(v);
        Ok(v)
    }

    fn end_line(&mut self) {
        self.inner.end_line();
    }

    fn name(&mut self) -> Result<&'a [u8], ReadError> {
        let s = self.inner.name()?;
        self.bytes(s)?;
        Ok(s)
    }

    fn bound_type(&mut self) -> Result<u8, ReadError> {
        let t = self.inner.bound_type()?;
        self.out.push(b'0' + t);
        Ok(t)
    }

    fn token(&mut self) -> Result<Token<'a>, ReadError> {
        let t = self.inner.token()?;
        match t {
            Token::Op(k) => {
                self.out.push(b'o');
                self.i32(k)?;
            }
            Token::Var(k) => {
                self.out.push(b'v');
                self.i32(k)?;
            }
            Token::Num(v) => {
                self.out.push(b'n');
                self.f64(v);
            }
            Token::Short(v) => {
                let s = i16::try_from(v).map_err(|_| {
                    self.inner.error(ErrorKind::Malformed(format!(
                        "s constant {v} does not fit in 16 bits"
                    )))
                })?;
                self.out.push(b's');
                self.out.extend_from_slice(&match self.order {
                    ByteOrder::Little => s.to_le_bytes(),
                    ByteOrder::Big => s.to_be_bytes(),
                });
            }
            Token::Long(v) => {
                self.out.push(b'l');
                self.i32(v)?;
            }
            Token::Func { index, nargs } => {
                self.out.push(b'f');
                self.i32(index)?;
                self.i32(nargs)?;
            }
            Token::Str(s) => {
                self.out.push(b'h');
                self.bytes(s)?;
            }
        }
        Ok(t)
    }

    fn error(&self, kind: ErrorKind) -> ReadError {
        self.inner.error(kind)
    }

    fn remaining(&self) -> usize {
        self.inner.remaining()
    }
}
