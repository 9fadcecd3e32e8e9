//! The ten text header lines of a `.nl` file.

use super::error::{ErrorKind, Location, ReadError};

/// Byte order of the binary part of a binary `.nl` file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ByteOrder {
    Little,
    Big,
}

/// Encoding of the segments after the header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Binary(ByteOrder),
}

/// Every field of the ten header lines (names as in the ASL).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Header {
    /// The "AMPL options" integers of line 1 (echoed into the `.sol`).
    pub ampl_options: Vec<i64>,
    /// Variable-bound tolerance, present when options\[1\] == 3.
    pub vbtol: Option<f64>,
    pub n_var: usize,
    pub n_con: usize,
    pub n_obj: usize,
    pub n_ranges: usize,
    /// Equality rows; `None` when the field is absent.
    pub n_eqn: Option<usize>,
    pub n_lcon: usize,
    pub nlc: usize,
    pub nlo: usize,
    pub n_cc: usize,
    pub nlcc: usize,
    pub ndcc: usize,
    pub nzlb: usize,
    pub nlnc: usize,
    pub lnc: usize,
    pub nlvc: usize,
    pub nlvo: usize,
    pub nlvb: usize,
    pub nwv: usize,
    pub nfunc: usize,
    /// 0 unspecified, 1 little-endian, 2 big-endian.
    pub arith: i64,
    pub flags: i64,
    pub nbv: usize,
    pub niv: usize,
    pub nlvbi: usize,
    pub nlvci: usize,
    pub nlvoi: usize,
    pub nzc: usize,
    pub nzo: usize,
    pub max_row_name_len: usize,
    pub max_col_name_len: usize,
    pub comb: usize,
    pub comc: usize,
    pub como: usize,
    pub comc1: usize,
    pub como1: usize,
}

impl Header {
    /// Number of defined variables (`V` segments).
    pub fn n_defined(&self) -> usize {
        self.comb + self.comc + self.como + self.comc1 + self.como1
    }

    /// Number of integer variables that are not binary.
    pub fn n_integer(&self) -> usize {
        self.niv + self.nlvbi + self.nlvci + self.nlvoi
    }
}

/// The header, the format, and where the segments start.
pub(crate) struct ParsedHeader {
    pub header: Header,
    pub format: Format,
    pub body_start: usize,
}

/// Parses the ten header lines of `data`; `file` names the file in errors.
pub(crate) fn parse_header(file: &str, data: &[u8]) -> Result<ParsedHeader, ReadError> {
    let mut lines = [&data[..0]; 10];
    let mut pos = 0;
    for (i, line) in lines.iter_mut().enumerate() {
        let rest = &data[pos..];
        let Some(len) = rest.iter().position(|&b| b == b'\n') else {
            return Err(ReadError {
                file: file.to_string(),
                location: Location::Line(i + 1),
                kind: ErrorKind::Truncated {
                    expected: "ten header lines",
                },
            });
        };
        *line = &rest[..len];
        pos += len + 1;
    }
    let bad = |line: usize, msg: String| ReadError {
        file: file.to_string(),
        location: Location::Line(line),
        kind: ErrorKind::BadHeader(msg),
    };

    let first = lines[0];
    let letter = first.first().copied().unwrap_or(b' ');
    let binary = match letter {
        b'g' | b'G' => false,
        b'b' | b'B' => true,
        b'h' | b'H' | b'z' | b'Z' | b'E' => {
            return Err(bad(
                1,
                format!("unsupported .nl format letter '{}'", char::from(letter)),
            ));
        }
        _ => {
            return Err(bad(
                1,
                "not a .nl file (first byte is not 'g' or 'b')".into(),
            ));
        }
    };
    let mut f1 = Fields::new(&first[1..]);
    let k = f1
        .int_immediate()
        .ok_or_else(|| bad(1, "missing option count after the format letter".into()))?;
    if !(0..=9).contains(&k) {
        return Err(bad(1, format!("ampl_options = {k} is too large")));
    }
    let mut header = Header::default();
    for _ in 0..k {
        let v = f1
            .int()
            .ok_or_else(|| bad(1, format!("expected {k} option integers")))?;
        header.ampl_options.push(v);
    }
    if k >= 2 && header.ampl_options[1] == 3 {
        header.vbtol = Some(
            f1.real()
                .ok_or_else(|| bad(1, "missing vbtol after option 2 = 3".into()))?,
        );
    }

    let read = |line: usize, min: usize, max: usize| -> Result<Vec<i64>, ReadError> {
        let mut f = Fields::new(lines[line - 1]);
        let mut v = Vec::with_capacity(max);
        while v.len() < max {
            match f.int() {
                Some(x) if x < 0 && line != 6 => {
                    return Err(bad(line, format!("negative count {x}")));
                }
                Some(x) => v.push(x),
                None => break,
            }
        }
        if v.len() < min {
            return Err(bad(
                line,
                format!("expected at least {min} integers, found {}", v.len()),
            ));
        }
        v.resize(max, 0);
        Ok(v)
    };
    let u = |x: i64| x as usize;

    let l2 = read(2, 3, 6)?;
    let l2_len = Fields::new(lines[1]).count_ints(6);
    header.n_var = u(l2[0]);
    header.n_con = u(l2[1]);
    header.n_obj = u(l2[2]);
    header.n_ranges = u(l2[3]);
    header.n_eqn = (l2_len >= 5).then(|| u(l2[4]));
    header.n_lcon = u(l2[5]);
    let l3 = read(3, 2, 6)?;
    [
        header.nlc,
        header.nlo,
        header.n_cc,
        header.nlcc,
        header.ndcc,
        header.nzlb,
    ] = [u(l3[0]), u(l3[1]), u(l3[2]), u(l3[3]), u(l3[4]), u(l3[5])];
    let l4 = read(4, 2, 2)?;
    [header.nlnc, header.lnc] = [u(l4[0]), u(l4[1])];
    let l5 = read(5, 2, 3)?;
    [header.nlvc, header.nlvo, header.nlvb] = [u(l5[0]), u(l5[1]), u(l5[2])];
    let l6 = read(6, 2, 4)?;
    if l6[0] < 0 || l6[1] < 0 {
        return Err(bad(6, "negative count".into()));
    }
    [header.nwv, header.nfunc] = [u(l6[0]), u(l6[1])];
    [header.arith, header.flags] = [l6[2], l6[3]];
    let l7 = read(7, 5, 5)?;
    [
        header.nbv,
        header.niv,
        header.nlvbi,
        header.nlvci,
        header.nlvoi,
    ] = [u(l7[0]), u(l7[1]), u(l7[2]), u(l7[3]), u(l7[4])];
    let l8 = read(8, 2, 2)?;
    [header.nzc, header.nzo] = [u(l8[0]), u(l8[1])];
    let l9 = read(9, 2, 2)?;
    [header.max_row_name_len, header.max_col_name_len] = [u(l9[0]), u(l9[1])];
    let l10 = read(10, 5, 5)?;
    [
        header.comb,
        header.comc,
        header.como,
        header.comc1,
        header.como1,
    ] = [u(l10[0]), u(l10[1]), u(l10[2]), u(l10[3]), u(l10[4])];

    if header.n_var == 0 {
        return Err(bad(2, "the model has no variables".into()));
    }
    if header.nlc > header.n_con {
        return Err(bad(
            3,
            format!(
                "{} nonlinear constraints but only {} constraints",
                header.nlc, header.n_con
            ),
        ));
    }
    if header.nlo > header.n_obj {
        return Err(bad(
            3,
            format!(
                "{} nonlinear objectives but only {} objectives",
                header.nlo, header.n_obj
            ),
        ));
    }
    // Every declared item needs at least one byte of the file, so larger counts are
    // malformed; this bounds all allocations by the file size.
    let budget = data.len();
    let counts = [
        ("variables", header.n_var, 2),
        ("constraints", header.n_con, 2),
        ("objectives", header.n_obj, 2),
        ("logical constraints", header.n_lcon, 2),
        ("Jacobian nonzeros", header.nzc, 8),
        ("gradient nonzeros", header.nzo, 8),
        ("defined variables", header.n_defined(), 8),
    ];
    for (what, n, line) in counts {
        if n > budget {
            return Err(bad(
                line,
                format!("{n} {what} declared, more than the file's {budget} bytes can hold"),
            ));
        }
    }

    let format = if binary {
        Format::Binary(match header.arith {
            0 | 1 => ByteOrder::Little,
            2 => ByteOrder::Big,
            a => return Err(bad(6, format!("unrecognized binary format (arith = {a})"))),
        })
    } else {
        Format::Text
    };
    Ok(ParsedHeader {
        header,
        format,
        body_start: pos,
    })
}

/// Whitespace-separated fields of one header line.
struct Fields<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> Fields<'a> {
    fn new(s: &'a [u8]) -> Self {
        Fields { s, pos: 0 }
    }

    fn skip_blanks(&mut self) {
        while self.pos < self.s.len() && matches!(self.s[self.pos], b' ' | b'\t' | b'\r') {
            self.pos += 1;
        }
    }

    /// An integer starting exactly here (no blanks before it).
    fn int_immediate(&mut self) -> Option<i64> {
        let (v, len) = super::text::parse_int(&self.s[self.pos..])?;
        self.pos += len;
        Some(v)
    }

    fn int(&mut self) -> Option<i64> {
        self.skip_blanks();
        let start = self.pos;
        let v = self.int_immediate()?;
        // A field such as `1.5` or `3x` is not an integer field.
        if self.pos < self.s.len() && !matches!(self.s[self.pos], b' ' | b'\t' | b'\r' | b'#') {
            self.pos = start;
            return None;
        }
        Some(v)
    }

    fn real(&mut self) -> Option<f64> {
        self.skip_blanks();
        let (v, len) = super::text::parse_real(&self.s[self.pos..])?;
        self.pos += len;
        Some(v)
    }

    fn count_ints(mut self, max: usize) -> usize {
        let mut n = 0;
        while n < max && self.int().is_some() {
            n += 1;
        }
        n
    }
}
