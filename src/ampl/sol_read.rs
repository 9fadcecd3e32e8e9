//! Reading AMPL `.sol` files (spec B), text and binary: the inverse of [`super::sol`].
//!
//! The reader accepts any writer's file, not only pounce's: Ipopt's, the ASL's and other
//! solvers' (with or without an `Options` block, with or without a tail). Values are kept
//! in AMPL's sign conventions; converting them to the solver's convention needs the
//! objective sense and is done by the certificate.

use super::sol::{SolFormat, SolHeader};
use std::fmt;

/// What the `Options` block of a `.sol` says (spec B.2).
#[derive(Clone, Debug, PartialEq)]
pub struct SolOptions {
    /// AMPL options and the variable-bound tolerance, as they would be echoed by a writer.
    pub header: SolHeader,
    /// Number of constraints and of variables of the model the file answers.
    pub n_con: usize,
    pub n_var: usize,
}

/// A suffix table of the tail (spec B.2, B.4).
#[derive(Clone, Debug, PartialEq)]
pub struct SolSuffix {
    pub name: String,
    /// Kind: 0 variable, 1 constraint, 2 objective, 3 problem, plus 4 when real-valued.
    pub kind: i32,
    /// Nonzero entries `(index, value)`; integer values are stored exactly as `f64`.
    pub entries: Vec<(usize, f64)>,
}

impl SolSuffix {
    /// Whether the suffix belongs to variables.
    pub fn is_variable_suffix(&self) -> bool {
        self.kind & 3 == 0
    }

    /// The dense vector of length `len` (0 where no entry is given), or `None` when an
    /// index is out of range.
    pub fn dense(&self, len: usize) -> Option<Vec<f64>> {
        let mut v = vec![0.0; len];
        for &(i, value) in &self.entries {
            *v.get_mut(i)? = value;
        }
        Some(v)
    }
}

/// The contents of a `.sol` file, in AMPL's conventions.
#[derive(Clone, Debug, PartialEq)]
pub struct SolFile {
    pub format: SolFormat,
    /// The solver's message, lines joined with `\n`.
    pub message: String,
    /// The `Options` block, when the file has one.
    pub options: Option<SolOptions>,
    /// Constraint duals (one per constraint), or `None` when none were written.
    pub duals: Option<Vec<f64>>,
    /// Primal values (one per variable), or `None` when none were written.
    pub primals: Option<Vec<f64>>,
    /// Objective number of the tail, when there is a tail.
    pub objno: Option<i32>,
    /// AMPL's `solve_result_num`, when the tail carries one.
    pub solve_result_num: Option<i32>,
    pub suffixes: Vec<SolSuffix>,
}

impl SolFile {
    /// The variable suffix named `name`, if present.
    pub fn variable_suffix(&self, name: &str) -> Option<&SolSuffix> {
        self.suffixes
            .iter()
            .find(|s| s.name == name && s.is_variable_suffix())
    }
}

/// Why a `.sol` could not be read; `Display` gives where (line or byte offset) and what.
#[derive(Clone, Debug, PartialEq)]
pub struct SolReadError {
    /// Where the problem was found: `line N` (text) or `byte N` (binary).
    pub at: String,
    pub message: String,
}

impl fmt::Display for SolReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

impl std::error::Error for SolReadError {}

/// Reads a `.sol` held in memory, written for a model with `n_con` constraints and
/// `n_var` variables. The dimensions are needed when the file has no `Options` block (the
/// file then does not say how many values it holds); when it has one, they must agree.
pub fn read_sol(data: &[u8], n_con: usize, n_var: usize) -> Result<SolFile, SolReadError> {
    let order = binary_order(data);
    let mut file = match order {
        Some(order) => Binary {
            data,
            pos: 0,
            order,
        }
        .read(n_con, n_var)?,
        None => read_text(data, n_con, n_var)?,
    };
    file.format = if order.is_some() {
        SolFormat::Binary
    } else {
        SolFormat::Text
    };
    Ok(file)
}

/// How many values a file without an `Options` block holds: `count` values after the
/// message are duals then primals (`n_con + n_var`), primals only (`n_var`) or none.
fn split_counts(count: usize, n_con: usize, n_var: usize) -> Option<(usize, usize)> {
    if count == n_con + n_var {
        Some((n_con, n_var))
    } else if count == n_var {
        Some((0, n_var))
    } else if count == 0 {
        Some((0, 0))
    } else {
        None
    }
}

/// Checks the `Options` block's dimensions against the model's.
fn check_dims(
    options: &SolOptions,
    n_con: usize,
    n_var: usize,
    at: impl Fn() -> String,
) -> Result<(), SolReadError> {
    if options.n_con != n_con || options.n_var != n_var {
        return Err(SolReadError {
            at: at(),
            message: format!(
                "the file answers a model with {} constraints and {} variables, not {n_con} and {n_var}",
                options.n_con, options.n_var
            ),
        });
    }
    Ok(())
}

fn vbtol_follows(ampl_options: &[i32]) -> bool {
    ampl_options.get(1) == Some(&3)
}

// ---------------------------------------------------------------------------------------
// Text layout (spec B.2)

struct Lines<'a> {
    lines: Vec<&'a str>,
    next: usize,
}

impl<'a> Lines<'a> {
    fn err(&self, message: impl Into<String>) -> SolReadError {
        SolReadError {
            at: format!("line {}", self.next.min(self.lines.len()).max(1)),
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<&'a str> {
        self.lines.get(self.next).copied()
    }

    fn line(&mut self, what: &str) -> Result<&'a str, SolReadError> {
        let l = self
            .peek()
            .ok_or_else(|| self.err(format!("the file ends where {what} was expected")))?;
        self.next += 1;
        Ok(l)
    }

    fn parse<T: std::str::FromStr>(&mut self, what: &str) -> Result<T, SolReadError> {
        let l = self.line(what)?.trim();
        l.parse()
            .map_err(|_| self.err(format!("expected {what}, found \"{l}\"")))
    }

    fn reals(&mut self, count: usize, what: &str) -> Result<Vec<f64>, SolReadError> {
        (0..count).map(|_| self.parse(what)).collect()
    }
}

fn read_text(data: &[u8], n_con: usize, n_var: usize) -> Result<SolFile, SolReadError> {
    let text = std::str::from_utf8(data).map_err(|e| SolReadError {
        at: format!("byte {}", e.valid_up_to()),
        message: "neither a binary .sol nor text".into(),
    })?;
    let mut lines = Lines {
        lines: text.lines().collect(),
        next: 0,
    };
    let mut message = Vec::new();
    loop {
        let l = lines.line("the empty line ending the message")?;
        if l.is_empty() {
            break;
        }
        message.push(l);
    }
    let options = if lines.peek().map(str::trim) == Some("Options") {
        lines.next += 1;
        let k_written: usize = lines.parse("the number of options")?;
        let mut ampl_options: Vec<i32> = Vec::with_capacity(k_written);
        for _ in 0..k_written {
            ampl_options.push(lines.parse("an option value")?);
        }
        // The ASL writes k + 2 for k options when a vbtol follows (opt2 == 3): the two
        // extra "options" are then the first two dimension lines, which we re-read.
        let with_vbtol = k_written >= 2 && vbtol_follows(&ampl_options[..k_written - 2]);
        if with_vbtol {
            ampl_options.truncate(k_written - 2);
            lines.next -= 2;
        }
        let n_con_file: usize = lines.parse("the number of constraints")?;
        let m: usize = lines.parse("the number of dual values")?;
        let n_var_file: usize = lines.parse("the number of variables")?;
        let n: usize = lines.parse("the number of primal values")?;
        let vbtol = if with_vbtol {
            Some(lines.parse("the variable-bound tolerance")?)
        } else {
            None
        };
        let options = SolOptions {
            header: SolHeader {
                format: SolFormat::Text,
                ampl_options,
                vbtol,
                want_suffixes: false,
            },
            n_con: n_con_file,
            n_var: n_var_file,
        };
        check_dims(&options, n_con, n_var, || lines.err("").at)?;
        if (m != 0 && m != n_con) || (n != 0 && n != n_var) {
            return Err(lines.err(format!(
                "{m} dual and {n} primal values announced for {n_con} constraints and {n_var} variables"
            )));
        }
        Some((options, m, n))
    } else {
        None
    };
    let (m, n) = match &options {
        Some((_, m, n)) => (*m, *n),
        None => {
            let count = lines.lines[lines.next..]
                .iter()
                .take_while(|l| !l.starts_with("objno") && !l.starts_with("suffix"))
                .count();
            split_counts(count, n_con, n_var).ok_or_else(|| {
                lines.err(format!(
                    "{count} values without an Options block fit neither {n_con} constraints \
                     and {n_var} variables nor {n_var} variables"
                ))
            })?
        }
    };
    let duals = lines.reals(m, "a dual value")?;
    let primals = lines.reals(n, "a primal value")?;
    let mut objno = None;
    let mut solve_result_num = None;
    let mut suffixes = Vec::new();
    while let Some(l) = lines.peek() {
        let words: Vec<&str> = l.split_whitespace().collect();
        match words.first().copied() {
            None => lines.next += 1,
            Some("objno") => {
                let ints: Result<Vec<i32>, _> = words[1..].iter().map(|w| w.parse()).collect();
                match ints.as_deref() {
                    Ok([o]) => objno = Some(*o),
                    Ok([o, s]) => (objno, solve_result_num) = (Some(*o), Some(*s)),
                    _ => return Err(lines.err(format!("malformed objno line \"{l}\""))),
                }
                lines.next += 1;
            }
            Some("suffix") => suffixes.push(text_suffix(&mut lines, &words)?),
            Some(_) => return Err(lines.err(format!("unexpected line \"{l}\""))),
        }
    }
    let has_options = options.is_some();
    Ok(SolFile {
        format: SolFormat::Text,
        message: message.join("\n"),
        options: options.map(|(mut o, _, _)| {
            o.header.want_suffixes = solve_result_num.is_some();
            o
        }),
        duals: (m > 0 || (has_options && n_con == 0)).then_some(duals),
        primals: (n > 0 || (has_options && n_var == 0)).then_some(primals),
        objno,
        solve_result_num,
        suffixes,
    })
}

fn text_suffix(lines: &mut Lines<'_>, words: &[&str]) -> Result<SolSuffix, SolReadError> {
    let header: Result<Vec<usize>, _> = words[1..].iter().map(|w| w.parse()).collect();
    let Ok(&[kind, count, _namelen, tablen, tablines]) = header.as_deref() else {
        return Err(lines.err(format!("malformed suffix header \"{}\"", words.join(" "))));
    };
    lines.next += 1;
    let name = lines.line("a suffix name")?.trim().to_string();
    if tablen > 0 {
        for _ in 0..tablines {
            lines.line("a suffix table line")?;
        }
    }
    let real = kind & 4 != 0;
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        let l = lines.line("a suffix entry")?;
        let mut w = l.split_whitespace();
        let index = w.next().and_then(|i| i.parse::<usize>().ok());
        let value = w.next().and_then(|v| {
            if real {
                v.parse::<f64>().ok()
            } else {
                v.parse::<i64>().ok().map(|i| i as f64)
            }
        });
        match (index, value, w.next()) {
            (Some(i), Some(v), None) => entries.push((i, v)),
            _ => return Err(lines.err(format!("malformed entry \"{l}\" of suffix {name}"))),
        }
    }
    Ok(SolSuffix {
        name,
        kind: kind as i32,
        entries,
    })
}

// ---------------------------------------------------------------------------------------
// Binary layout (spec B.4)

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    Little,
    Big,
}

/// The byte order of a binary `.sol` (its first record is the word `binary`), or `None`
/// for a text file.
fn binary_order(data: &[u8]) -> Option<Order> {
    let head = data.get(..10)?;
    if &head[4..10] != b"binary" {
        return None;
    }
    match head[..4] {
        [6, 0, 0, 0] => Some(Order::Little),
        [0, 0, 0, 6] => Some(Order::Big),
        _ => None,
    }
}

struct Binary<'a> {
    data: &'a [u8],
    pos: usize,
    order: Order,
}

impl<'a> Binary<'a> {
    fn err(&self, message: impl Into<String>) -> SolReadError {
        SolReadError {
            at: format!("byte {}", self.pos),
            message: message.into(),
        }
    }

    fn bytes(&mut self, len: usize, what: &str) -> Result<&'a [u8], SolReadError> {
        let end = self.pos.checked_add(len).filter(|&e| e <= self.data.len());
        let end = end.ok_or_else(|| self.err(format!("the file ends inside {what}")))?;
        let b = &self.data[self.pos..end];
        self.pos = end;
        Ok(b)
    }

    fn int_of(&self, b: &[u8]) -> i32 {
        let a: [u8; 4] = b.try_into().expect("4 bytes");
        match self.order {
            Order::Little => i32::from_le_bytes(a),
            Order::Big => i32::from_be_bytes(a),
        }
    }

    fn real_of(&self, b: &[u8]) -> f64 {
        let a: [u8; 8] = b.try_into().expect("8 bytes");
        match self.order {
            Order::Little => f64::from_le_bytes(a),
            Order::Big => f64::from_be_bytes(a),
        }
    }

    fn int(&mut self, what: &str) -> Result<i32, SolReadError> {
        let b = self.bytes(4, what)?;
        Ok(self.int_of(b))
    }

    fn count(&mut self, what: &str) -> Result<usize, SolReadError> {
        let at = self.pos;
        let v = self.int(what)?;
        usize::try_from(v).map_err(|_| SolReadError {
            at: format!("byte {at}"),
            message: format!("negative {what} {v}"),
        })
    }

    /// One record `[L][L bytes][L]`; returns the body.
    fn record(&mut self, what: &str) -> Result<&'a [u8], SolReadError> {
        let len = self.count(&format!("the length of {what}"))?;
        let body = self.bytes(len, what)?;
        let end = self.count(&format!("the length closing {what}"))?;
        if end != len {
            return Err(self.err(format!(
                "{what} opens with length {len} but closes with {end}"
            )));
        }
        Ok(body)
    }

    fn reals(&self, body: &[u8], count: usize, what: &str) -> Result<Vec<f64>, SolReadError> {
        if body.len() != 8 * count {
            return Err(self.err(format!(
                "{what}: {} bytes where {count} values need {}",
                body.len(),
                8 * count
            )));
        }
        Ok(body.chunks_exact(8).map(|c| self.real_of(c)).collect())
    }

    fn read(mut self, n_con: usize, n_var: usize) -> Result<SolFile, SolReadError> {
        self.record("the word binary")?;
        let mut message = Vec::new();
        loop {
            let body = self.record("the message")?;
            if body.is_empty() {
                break;
            }
            message.push(String::from_utf8_lossy(body).into_owned());
        }
        let options = if self.data.get(self.pos + 4..self.pos + 11) == Some(b"Options") {
            Some(self.options(n_con, n_var)?)
        } else {
            None
        };
        let remaining_records = self.value_records(2);
        let (m, n) = match &options {
            Some((_, m, n)) => (*m, *n),
            None => {
                let lens: Vec<usize> = remaining_records.iter().map(|l| l / 8).collect();
                match lens.as_slice() {
                    [] => (0, 0),
                    [a] => (0, *a),
                    [a, b, ..] => (*a, *b),
                }
            }
        };
        let d = self.record("the dual values")?;
        let duals = self.reals(d, m, "dual values")?;
        let p = self.record("the primal values")?;
        let primals = self.reals(p, n, "primal values")?;
        if options.is_none() && split_counts(m + n, n_con, n_var) != Some((m, n)) {
            return Err(self.err(format!(
                "{m} dual and {n} primal values without an Options block for {n_con} \
                 constraints and {n_var} variables"
            )));
        }
        let mut objno = None;
        let mut solve_result_num = None;
        let mut suffixes = Vec::new();
        while self.pos < self.data.len() {
            let body = self.record("a tail record")?;
            if let Some(rest) = body.strip_prefix(b"\nSuffix\n") {
                suffixes.push(self.suffix(rest)?);
            } else if body.len() == 8 {
                objno = Some(self.int_of(&body[..4]));
                solve_result_num = Some(self.int_of(&body[4..]));
            } else if body.len() == 4 {
                objno = Some(self.int_of(body));
            } else {
                return Err(self.err("a tail record that is neither objno nor a suffix"));
            }
        }
        let has_options = options.is_some();
        Ok(SolFile {
            format: SolFormat::Binary,
            message: message.join(""),
            options: options.map(|(mut o, _, _)| {
                o.header.format = SolFormat::Binary;
                o.header.want_suffixes = solve_result_num.is_some();
                o
            }),
            duals: (m > 0 || (has_options && n_con == 0)).then_some(duals),
            primals: (n > 0 || (has_options && n_var == 0)).then_some(primals),
            objno,
            solve_result_num,
            suffixes,
        })
    }

    /// Lengths of the next `count` records, without consuming them.
    fn value_records(&self, count: usize) -> Vec<usize> {
        let mut probe = Binary {
            data: self.data,
            pos: self.pos,
            order: self.order,
        };
        (0..count)
            .map_while(|_| probe.record("").ok().map(<[u8]>::len))
            .collect()
    }

    /// The `Options` record; its length counts k + 5 integers and the word, but not a
    /// vbtol, which the ASL writes inside the record without counting it.
    fn options(
        &mut self,
        n_con: usize,
        n_var: usize,
    ) -> Result<(SolOptions, usize, usize), SolReadError> {
        let start = self.pos;
        let l3 = self.count("the length of the Options record")?;
        if l3 < 27 || (l3 - 7) % 4 != 0 {
            return Err(self.err(format!("Options record of length {l3}")));
        }
        let k = (l3 - 7) / 4 - 5;
        self.bytes(7, "the word Options")?;
        let k_written = self.count("the number of options")?;
        let mut ampl_options = Vec::with_capacity(k);
        for _ in 0..k {
            ampl_options.push(self.int("an option value")?);
        }
        let n_con_file = self.count("the number of constraints")?;
        let m = self.count("the number of dual values")?;
        let n_var_file = self.count("the number of variables")?;
        let n = self.count("the number of primal values")?;
        let vbtol = if k_written == k + 2 && vbtol_follows(&ampl_options) {
            let b = self.bytes(8, "the variable-bound tolerance")?;
            Some(self.real_of(b))
        } else {
            None
        };
        let end = self.count("the length closing the Options record")?;
        if end != l3 {
            return Err(self.err(format!(
                "Options record opens with length {l3} but closes with {end}"
            )));
        }
        let options = SolOptions {
            header: SolHeader {
                format: SolFormat::Binary,
                ampl_options,
                vbtol,
                want_suffixes: false,
            },
            n_con: n_con_file,
            n_var: n_var_file,
        };
        check_dims(&options, n_con, n_var, || format!("byte {start}"))?;
        if (m != 0 && m != n_con) || (n != 0 && n != n_var) {
            return Err(self.err(format!(
                "{m} dual and {n} primal values announced for {n_con} constraints and {n_var} variables"
            )));
        }
        Ok((options, m, n))
    }

    fn suffix(&self, body: &[u8]) -> Result<SolSuffix, SolReadError> {
        let bad = |what: &str| self.err(format!("malformed suffix record: {what}"));
        if body.len() < 16 {
            return Err(bad("short header"));
        }
        let h: Vec<i32> = body[..16].chunks_exact(4).map(|c| self.int_of(c)).collect();
        let (kind, count, namelen, tablen) = (h[0], h[1], h[2], h[3]);
        let [count, namelen, tablen] =
            [count, namelen, tablen].map(|v| usize::try_from(v).unwrap_or(usize::MAX));
        let rest = &body[16..];
        let name_bytes = rest.get(..namelen).ok_or_else(|| bad("name"))?;
        let name = String::from_utf8_lossy(name_bytes.strip_suffix(&[0]).unwrap_or(name_bytes))
            .into_owned();
        let rest = rest
            .get(namelen.saturating_add(tablen)..)
            .ok_or_else(|| bad("table"))?;
        let real = kind & 4 != 0;
        let width = if real { 12 } else { 8 };
        if Some(rest.len()) != count.checked_mul(width) {
            return Err(bad(&format!("{count} entries of suffix {name}")));
        }
        let entries = rest
            .chunks_exact(width)
            .map(|c| {
                let i = self.int_of(&c[..4]);
                let v = if real {
                    self.real_of(&c[4..])
                } else {
                    f64::from(self.int_of(&c[4..]))
                };
                (usize::try_from(i).map_err(|_| bad("negative index")), v)
            })
            .map(|(i, v)| i.map(|i| (i, v)))
            .collect::<Result<_, _>>()?;
        Ok(SolSuffix {
            name,
            kind,
            entries,
        })
    }
}
