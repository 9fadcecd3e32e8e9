//! Decoder of text (`g`) `.nl` segments.

use super::error::{ErrorKind, Location, ReadError, show_bytes};
use super::source::{Source, Token};

/// Parses an optionally negative decimal integer at the start of `s`; returns the value
/// and the number of bytes used.
pub(crate) fn parse_int(s: &[u8]) -> Option<(i64, usize)> {
    let neg = s.first() == Some(&b'-');
    let start = usize::from(neg);
    let mut v: i64 = 0;
    let mut i = start;
    while i < s.len() && s[i].is_ascii_digit() {
        v = v.checked_mul(10)?.checked_add(i64::from(s[i] - b'0'))?;
        i += 1;
    }
    (i > start).then_some((if neg { -v } else { v }, i))
}

/// Length of the token at the start of `s` (up to a blank, line end or comment).
fn token_len(s: &[u8]) -> usize {
    s.iter()
        .position(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'#'))
        .unwrap_or(s.len())
}

/// Parses a real as C's `strtod` does (decimal forms, `inf`, `infinity`, `nan`, any
/// case) at the start of `s`; the token must end at a blank, line end or comment.
pub(crate) fn parse_real(s: &[u8]) -> Option<(f64, usize)> {
    if let Some(r) = parse_short_decimal(s) {
        return Some(r);
    }
    let len = token_len(s);
    let t = std::str::from_utf8(&s[..len]).ok()?;
    let v = t.parse::<f64>().ok()?;
    Some((v, len))
}

/// Exact powers of ten up to 10^15.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The common case of `[-]digits[.digits]` with at most 15 digits and no exponent:
/// the digits form an integer w < 2^53 and the value is w / 10^k with both operands
/// exact, so one correctly rounded division gives the correctly rounded value (the
/// same double `str::parse` returns). Anything else returns `None`.
fn parse_short_decimal(s: &[u8]) -> Option<(f64, usize)> {
    let mut i = usize::from(s.first() == Some(&b'-'));
    let (mut w, mut digits, mut frac) = (0u64, 0usize, 0usize);
    let mut seen_point = false;
    while let Some(&c) = s.get(i) {
        match c {
            b'0'..=b'9' => {
                w = w * 10 + u64::from(c - b'0');
                digits += 1;
                frac += usize::from(seen_point);
                if digits > 15 {
                    return None;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => break,
        }
        i += 1;
    }
    if digits == 0 || token_len(&s[i..]) != 0 {
        return None;
    }
    let v = w as f64 / POW10[frac];
    Some((if s[0] == b'-' { -v } else { v }, i))
}

/// Reads text segments.
pub(crate) struct TextSource<'a> {
    file: &'a str,
    data: &'a [u8],
    pos: usize,
    /// 1-based number of the line `pos` is on.
    line: usize,
    /// Line of the item read last (for error locations).
    item_line: usize,
}

impl<'a> TextSource<'a> {
    /// Starts reading `data` at `pos`, which is the beginning of line `line`.
    pub(crate) fn new(file: &'a str, data: &'a [u8], pos: usize, line: usize) -> Self {
        TextSource {
            file,
            data,
            pos,
            line,
            item_line: line,
        }
    }

    fn skip_blanks(&mut self) {
        self.item_line = self.line;
        while self.pos < self.data.len() && matches!(self.data[self.pos], b' ' | b'\t') {
            self.pos += 1;
        }
    }

    /// The error for a missing or malformed `expected` item at the current position.
    fn unexpected(&self, expected: &'static str) -> ReadError {
        let rest = &self.data[self.pos..];
        let kind = if rest.is_empty() {
            ErrorKind::Truncated { expected }
        } else if matches!(rest[0], b'\r' | b'\n') {
            ErrorKind::Expected {
                expected,
                found: "end of line".into(),
            }
        } else {
            ErrorKind::Expected {
                expected,
                found: show_bytes(&rest[..token_len(rest).max(1)]),
            }
        };
        self.error(kind)
    }
}

impl<'a> Source<'a> for TextSource<'a> {
    fn key(&mut self) -> Result<Option<u8>, ReadError> {
        loop {
            self.skip_blanks();
            match self.data.get(self.pos) {
                None => return Ok(None),
                Some(b'\r' | b'\n') => self.end_line(),
                Some(&c) => {
                    self.item_line = self.line;
                    self.pos += 1;
                    return Ok(Some(c));
                }
            }
        }
    }

    fn int(&mut self, what: &'static str) -> Result<i64, ReadError> {
        self.skip_blanks();
        let rest = &self.data[self.pos..];
        match parse_int(rest) {
            Some((v, len)) if token_len(&rest[len..]) == 0 => {
                self.pos += len;
                Ok(v)
            }
            _ => Err(self.unexpected(what)),
        }
    }

    fn real(&mut self, what: &'static str) -> Result<f64, ReadError> {
        self.skip_blanks();
        match parse_real(&self.data[self.pos..]) {
            Some((v, len)) => {
                self.pos += len;
                Ok(v)
            }
            None => Err(self.unexpected(what)),
        }
    }

    fn end_line(&mut self) {
        match self.data[self.pos..].iter().position(|&b| b == b'\n') {
            Some(k) => {
                self.pos += k + 1;
                self.line += 1;
            }
            None => self.pos = self.data.len(),
        }
    }

    fn name(&mut self) -> Result<&'a [u8], ReadError> {
        self.skip_blanks();
        let rest = &self.data[self.pos..];
        let len = rest
            .iter()
            .position(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .unwrap_or(rest.len());
        if len == 0 {
            return Err(self.unexpected("a name"));
        }
        self.pos += len;
        Ok(&rest[..len])
    }

    fn bound_type(&mut self) -> Result<u8, ReadError> {
        self.skip_blanks();
        match self.data.get(self.pos) {
            Some(&c @ b'0'..=b'5') => {
                self.pos += 1;
                Ok(c - b'0')
            }
            _ => Err(self.unexpected("a bound type 0..5")),
        }
    }

    fn token(&mut self) -> Result<Token<'a>, ReadError> {
        const WHAT: &str = "an expression token (n, v, o, f, h, s, l)";
        self.skip_blanks();
        let line = self.line;
        let Some(&c) = self.data.get(self.pos) else {
            return Err(self.unexpected(WHAT));
        };
        self.pos += 1;
        let tok = match c {
            b'o' => Token::Op(self.int("an operator number after 'o'")?),
            b'v' => Token::Var(self.int("a variable index after 'v'")?),
            b'n' => Token::Num(self.real("a number after 'n'")?),
            b's' => Token::Short(self.int("an integer after 's'")?),
            b'l' => Token::Long(self.int("an integer after 'l'")?),
            b'f' => {
                let index = self.int("a function number after 'f'")?;
                let nargs = self.int("an argument count")?;
                Token::Func { index, nargs }
            }
            b'h' => {
                let len = self.int("a string length after 'h'")?;
                if self.data.get(self.pos) != Some(&b':') {
                    return Err(self.unexpected("':' after the string length"));
                }
                self.pos += 1;
                let len = usize::try_from(len).unwrap_or(usize::MAX);
                if len > self.data.len() - self.pos {
                    return Err(self.error(ErrorKind::Truncated {
                        expected: "the bytes of a string",
                    }));
                }
                let s = &self.data[self.pos..self.pos + len];
                self.line += s.iter().filter(|&&b| b == b'\n').count();
                self.pos += len;
                Token::Str(s)
            }
            _ => {
                self.pos -= 1;
                return Err(self.unexpected(WHAT));
            }
        };
        self.end_line();
        self.item_line = line;
        Ok(tok)
    }

    fn error(&self, kind: ErrorKind) -> ReadError {
        ReadError {
            file: self.file.to_string(),
            location: Location::Line(self.item_line),
            kind,
        }
    }

    fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_real, parse_short_decimal};

    #[test]
    fn short_decimals_parse_as_the_standard_library_does() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut fast = 0;
        for _ in 0..200_000 {
            let digits = 1 + next() % 17;
            let mut t: String = (0..digits)
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            let point = next() % (digits + 2);
            if point <= digits {
                t.insert(point as usize, '.');
            }
            if next() % 2 == 0 {
                t.insert(0, '-');
            }
            let want: f64 = t.parse().unwrap();
            let (got, len) = parse_real(t.as_bytes()).unwrap();
            assert_eq!((got.to_bits(), len), (want.to_bits(), t.len()), "{t}");
            fast += usize::from(parse_short_decimal(t.as_bytes()).is_some());
        }
        assert!(fast > 100_000, "fast path taken {fast} times");
        for t in ["-0", "5.", ".5", "0.1", "1125.0", "123456789012345"] {
            let want: f64 = t.parse().unwrap();
            assert_eq!(
                parse_short_decimal(t.as_bytes()).unwrap().0.to_bits(),
                want.to_bits(),
                "{t}"
            );
        }
        for t in ["1e5", ".", "-", "1.2.3", "1234567890123456", "inf", "1x"] {
            assert!(parse_short_decimal(t.as_bytes()).is_none(), "{t}");
        }
    }
}
