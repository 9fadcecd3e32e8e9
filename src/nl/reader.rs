//! The segment grammar of A.2: turns a [`Source`] into a [`Model`].

use crate::counting_sort::group_by_key;

use super::error::{ErrorKind, Location, ReadError};
use super::expr::{ExprParser, Scope, Value, materialize, push_node};
use super::header::{Format, Header};
use super::model::{Model, Sense, SparseRows, Suffix, SuffixTarget};
use super::source::{Source, count};
use super::tape::{NodeId, Op, Piece, Tape};

/// Reads the segments of a file whose header is `header`.
pub(crate) fn read_segments<'a, S: Source<'a>>(
    src: &mut S,
    file: &str,
    header: Header,
    format: Format,
) -> Result<Model, ReadError> {
    let mut r = Reader::new(header);
    while let Some(key) = src.key()? {
        r.segment(src, key)?;
    }
    r.finish(file, format)
}

/// Linear entries `(row, var, coef)` of J or G segments, in file order.
struct Linear {
    entries: Vec<(u32, u32, f64)>,
    seen: Vec<bool>,
}

impl Linear {
    fn new(rows: usize) -> Self {
        Linear {
            entries: Vec::new(),
            seen: vec![false; rows],
        }
    }

    /// Rows in compressed form (entries of a row are already sorted by variable).
    fn into_rows(self) -> SparseRows {
        let entries = self.entries.iter().map(|&(r, j, v)| (r as usize, (j, v)));
        let (start, entries) = group_by_key(self.seen.len(), entries);
        let (index, value) = entries.into_iter().unzip();
        SparseRows {
            start,
            index,
            value,
        }
    }
}

struct Reader {
    h: Header,
    tape: Tape,
    parser: ExprParser,
    defined_ready: Vec<bool>,
    con_seen: Vec<bool>,
    obj_seen: Vec<bool>,
    var_lower: Vec<f64>,
    var_upper: Vec<f64>,
    con_lower: Vec<f64>,
    con_upper: Vec<f64>,
    have_b: bool,
    have_r: bool,
    x0: Vec<Option<f64>>,
    y0: Vec<Option<f64>>,
    sense: Vec<Sense>,
    /// Cumulative column counts from `k`.
    col_cum: Option<Vec<usize>>,
    jac: Linear,
    grad: Linear,
    suffixes: Vec<Suffix>,
}

impl Reader {
    fn new(h: Header) -> Self {
        let (n, m, no, nd) = (h.n_var, h.n_con, h.n_obj, h.n_defined());
        let empty = Piece { nodes: 0..0 };
        let tape = Tape {
            defined: vec![empty.clone(); nd],
            constraints: vec![empty.clone(); m],
            objectives: vec![empty; no],
            ..Tape::default()
        };
        Reader {
            tape,
            parser: ExprParser::default(),
            defined_ready: vec![false; nd],
            con_seen: vec![false; m],
            obj_seen: vec![false; no],
            var_lower: vec![0.0; n],
            var_upper: vec![0.0; n],
            con_lower: vec![0.0; m],
            con_upper: vec![0.0; m],
            have_b: false,
            have_r: false,
            x0: vec![None; n],
            y0: vec![None; m],
            sense: vec![Sense::Minimize; no],
            col_cum: None,
            jac: Linear::new(m),
            grad: Linear::new(no),
            suffixes: Vec::new(),
            h,
        }
    }

    fn segment<'a, S: Source<'a>>(&mut self, src: &mut S, key: u8) -> Result<(), ReadError> {
        match key {
            b'F' => {
                let i = src.int("a function number")?;
                src.int("a function type")?;
                src.int("an argument count")?;
                let name = String::from_utf8_lossy(src.name()?).into_owned();
                Err(src.error(ErrorKind::Unsupported {
                    feature: "imported functions",
                    item: format!("function {i} '{name}'"),
                }))
            }
            b'S' => self.suffix(src),
            b'V' => self.defined(src),
            b'C' => {
                let i = index(src, "constraint number", self.h.n_con)?;
                src.end_line();
                once(src, &mut self.con_seen[i], || {
                    format!("C segment of constraint {i}")
                })?;
                let item = || format!("constraint {i}");
                self.tape.constraints[i] = self.piece(src, None, &item)?;
                Ok(())
            }
            b'L' => {
                let i = index(src, "logical constraint number", self.h.n_lcon)?;
                src.end_line();
                let item = || format!("logical constraint {i}");
                self.piece(src, None, &item)?;
                Err(src.error(ErrorKind::Unsupported {
                    feature: "logical constraints",
                    item: item(),
                }))
            }
            b'O' => {
                let i = index(src, "objective number", self.h.n_obj)?;
                let sense = src.int("an objective sense")?;
                src.end_line();
                once(src, &mut self.obj_seen[i], || {
                    format!("O segment of objective {i}")
                })?;
                self.sense[i] = if sense == 0 {
                    Sense::Minimize
                } else {
                    Sense::Maximize
                };
                let item = || format!("objective {i}");
                self.tape.objectives[i] = self.piece(src, None, &item)?;
                Ok(())
            }
            b'd' => {
                let m = self.h.n_con;
                let y0 = &mut self.y0;
                pairs(src, "constraint", m, |i, v| y0[i] = Some(v))
            }
            b'x' => {
                let n = self.h.n_var;
                let x0 = &mut self.x0;
                pairs(src, "variable", n, |i, v| x0[i] = Some(v))
            }
            b'r' => {
                src.end_line();
                once(src, &mut self.have_r, || "r segment".into())?;
                for i in 0..self.h.n_con {
                    let (lo, up) = bounds(src, true, &|| format!("constraint {i}"))?;
                    self.con_lower[i] = lo;
                    self.con_upper[i] = up;
                }
                Ok(())
            }
            b'b' => {
                src.end_line();
                once(src, &mut self.have_b, || "b segment".into())?;
                for j in 0..self.h.n_var {
                    let (lo, up) = bounds(src, false, &|| format!("variable {j}"))?;
                    self.var_lower[j] = lo;
                    self.var_upper[j] = up;
                }
                Ok(())
            }
            b'k' | b'K' => self.columns(src, key == b'K'),
            b'J' => {
                if self.col_cum.is_none() {
                    return Err(src.error(ErrorKind::Malformed(
                        "J segment before the k segment".into(),
                    )));
                }
                linear(src, &mut self.jac, "constraint", self.h.n_var)
            }
            b'G' => linear(src, &mut self.grad, "objective", self.h.n_var),
            _ => Err(src.error(ErrorKind::UnknownSegment(key))),
        }
    }

    /// Reads one expression as a piece of the tape.
    fn piece<'a, S: Source<'a>>(
        &mut self,
        src: &mut S,
        defining: Option<usize>,
        item: &dyn Fn() -> String,
    ) -> Result<Piece, ReadError> {
        let start = self.tape.nodes.len() as NodeId;
        let scope = Scope {
            n_var: self.h.n_var,
            defined_ready: &self.defined_ready,
            defining,
            item,
        };
        let root = self.parser.parse(src, &mut self.tape, &scope)?;
        if root != Value::Const(0.0) {
            materialize(&mut self.tape, root);
        }
        Ok(Piece {
            nodes: start..self.tape.nodes.len() as NodeId,
        })
    }

    /// `V<i> <nlin> <k>`: a defined variable; its linear terms go on the tape after
    /// its expression, summed in file order.
    fn defined<'a, S: Source<'a>>(&mut self, src: &mut S) -> Result<(), ReadError> {
        let n = self.h.n_var;
        let nd = self.h.n_defined();
        let i = src.int("a defined variable index")?;
        if i < n as i64 || i >= (n + nd) as i64 {
            return Err(src.error(ErrorKind::IndexOutOfRange {
                what: "defined variable",
                index: i,
                limit: n + nd,
            }));
        }
        let d = i as usize - n;
        let nlin = src.int("a number of linear terms")?;
        src.int("a user index")?;
        src.end_line();
        // `defined_ready[d]` is set only after the expression, so that it cannot
        // reference itself.
        if self.defined_ready[d] {
            return Err(src.error(ErrorKind::Duplicate(format!("V segment of v{i}"))));
        }
        let nlin = count(src, nlin, "the linear terms of a defined variable")?;
        let start = self.tape.nodes.len() as NodeId;
        let mut terms = Vec::with_capacity(nlin);
        for _ in 0..nlin {
            let j = index(src, "variable", n)?;
            let c = src.real("a coefficient")?;
            src.end_line();
            terms.push((j as u32, c));
        }
        let item = || format!("defined variable v{i}");
        let scope = Scope {
            n_var: n,
            defined_ready: &self.defined_ready,
            defining: Some(d),
            item: &item,
        };
        let root = self.parser.parse(src, &mut self.tape, &scope)?;
        let tape = &mut self.tape;
        if terms.is_empty() {
            materialize(tape, root);
        } else {
            let mut sum = Vec::with_capacity(terms.len() + 1);
            if root != Value::Const(0.0) {
                sum.push(materialize(tape, root));
            }
            for (j, c) in terms {
                let x = push_node(tape, Op::Var, j, &[]);
                let t = if c == 1.0 {
                    x
                } else {
                    let k = Value::Const(c);
                    let k = materialize(tape, k);
                    push_node(tape, Op::Mul, 0, &[k, x])
                };
                sum.push(t);
            }
            if sum.len() > 1 {
                push_node(tape, Op::Sum, 0, &sum);
            }
        }
        self.tape.defined[d] = Piece {
            nodes: start..self.tape.nodes.len() as NodeId,
        };
        self.defined_ready[d] = true;
        Ok(())
    }

    fn suffix<'a, S: Source<'a>>(&mut self, src: &mut S) -> Result<(), ReadError> {
        let kind = src.int("a suffix kind")?;
        let n = src.int("a suffix entry count")?;
        let name = String::from_utf8_lossy(src.name()?).into_owned();
        src.end_line();
        if !(0..=7).contains(&kind) {
            return Err(src.error(ErrorKind::Malformed(format!(
                "suffix '{name}' has invalid kind {kind}"
            ))));
        }
        let n = count(src, n, "the entries of a suffix")?;
        let h = &self.h;
        let (target, limit) = match kind & 3 {
            0 => (SuffixTarget::Variable, h.n_var),
            1 => (SuffixTarget::Constraint, h.n_con + h.n_lcon),
            2 => (SuffixTarget::Objective, h.n_obj),
            _ => (SuffixTarget::Problem, 1),
        };
        let real = kind & 4 != 0;
        let mut values = Vec::with_capacity(n);
        for _ in 0..n {
            let i = index(src, "suffix index", limit)?;
            let v = if real {
                src.real("a suffix value")?
            } else {
                src.int("an integer suffix value")? as f64
            };
            src.end_line();
            values.push((i as u32, v));
        }
        self.suffixes.push(Suffix {
            name,
            target,
            real,
            values,
        });
        Ok(())
    }

    /// `k` (cumulative) or `K` (per-column) Jacobian column counts.
    fn columns<'a, S: Source<'a>>(
        &mut self,
        src: &mut S,
        per_column: bool,
    ) -> Result<(), ReadError> {
        let n = self.h.n_var;
        let count = src.int("a column count")?;
        src.end_line();
        if count != n as i64 - 1 {
            return Err(src.error(ErrorKind::CountMismatch {
                what: "entries of the k segment".into(),
                expected: n - 1,
                found: count.max(0) as usize,
            }));
        }
        if self.col_cum.is_some() {
            return Err(src.error(ErrorKind::Duplicate("k segment".into())));
        }
        let mut cum = Vec::with_capacity(n - 1);
        let mut total = 0usize;
        for _ in 0..n - 1 {
            let v = src.int("a column count")?;
            src.end_line();
            let v = usize::try_from(v).unwrap_or(usize::MAX);
            let next = if per_column {
                total.saturating_add(v)
            } else {
                v
            };
            if next < total || next > self.h.nzc {
                return Err(src.error(ErrorKind::Malformed(format!(
                    "column counts of the k segment are not cumulative within 0..{}",
                    self.h.nzc
                ))));
            }
            total = next;
            cum.push(total);
        }
        self.col_cum = Some(cum);
        Ok(())
    }

    fn finish(self, file: &str, format: Format) -> Result<Model, ReadError> {
        let err = |kind| ReadError {
            file: file.to_string(),
            location: Location::File,
            kind,
        };
        let h = &self.h;
        if let Some(i) = self.defined_ready.iter().position(|&s| !s) {
            return Err(err(ErrorKind::Missing(format!(
                "V segment of v{}",
                h.n_var + i
            ))));
        }
        if let Some(i) = self.con_seen.iter().position(|&s| !s) {
            return Err(err(ErrorKind::Missing(format!(
                "C segment of constraint {i}"
            ))));
        }
        if let Some(i) = self.obj_seen.iter().position(|&s| !s) {
            return Err(err(ErrorKind::Missing(format!(
                "O segment of objective {i}"
            ))));
        }
        if !self.have_r && h.n_con > 0 {
            return Err(err(ErrorKind::Missing(
                "r segment (constraint bounds)".into(),
            )));
        }
        if !self.have_b {
            return Err(err(ErrorKind::Missing(
                "b segment (variable bounds)".into(),
            )));
        }
        for (what, lin, expected) in [
            ("Jacobian nonzeros in J segments", &self.jac, h.nzc),
            ("gradient nonzeros in G segments", &self.grad, h.nzo),
        ] {
            if lin.entries.len() != expected {
                return Err(err(ErrorKind::CountMismatch {
                    what: format!("{what} (header line 8)"),
                    expected,
                    found: lin.entries.len(),
                }));
            }
        }
        if let Some(cum) = &self.col_cum {
            let mut counts = vec![0usize; h.n_var];
            for &(_, j, _) in &self.jac.entries {
                counts[j as usize] += 1;
            }
            let mut total = 0;
            for (j, &c) in counts.iter().enumerate().take(h.n_var - 1) {
                total += c;
                if total != cum[j] {
                    return Err(err(ErrorKind::CountMismatch {
                        what: format!("Jacobian entries in columns 0..={j} (k segment)"),
                        expected: cum[j],
                        found: total,
                    }));
                }
            }
        }
        Ok(Model {
            n_var: h.n_var,
            n_con: h.n_con,
            var_lower: self.var_lower,
            var_upper: self.var_upper,
            con_lower: self.con_lower,
            con_upper: self.con_upper,
            x0: self.x0,
            y0: self.y0,
            objective_sense: self.sense,
            jacobian: self.jac.into_rows(),
            gradient: self.grad.into_rows(),
            tape: self.tape,
            suffixes: self.suffixes,
            format,
            header: self.h,
        })
    }
}

/// Reads an index and checks it against `0..limit`.
fn index<'a, S: Source<'a>>(
    src: &mut S,
    what: &'static str,
    limit: usize,
) -> Result<usize, ReadError> {
    let i = src.int(what)?;
    if i < 0 || i as u64 >= limit as u64 {
        return Err(src.error(ErrorKind::IndexOutOfRange {
            what,
            index: i,
            limit,
        }));
    }
    Ok(i as usize)
}

/// Marks a once-only item as seen; errors if it was seen before.
fn once<'a, S: Source<'a>>(
    src: &S,
    seen: &mut bool,
    what: impl Fn() -> String,
) -> Result<(), ReadError> {
    if std::mem::replace(seen, true) {
        return Err(src.error(ErrorKind::Duplicate(what())));
    }
    Ok(())
}

/// `d`/`x` body: a count, then `(index, value)` lines.
fn pairs<'a, S: Source<'a>>(
    src: &mut S,
    what: &'static str,
    limit: usize,
    mut set: impl FnMut(usize, f64),
) -> Result<(), ReadError> {
    let m = src.int("an entry count")?;
    src.end_line();
    let m = count(src, m, "the entries of a segment")?;
    for _ in 0..m {
        let i = index(src, what, limit)?;
        let v = src.real("a value")?;
        src.end_line();
        set(i, v);
    }
    Ok(())
}

/// One `r`/`b` body line (A.7); returns (lower, upper).
fn bounds<'a, S: Source<'a>>(
    src: &mut S,
    is_row: bool,
    item: &dyn Fn() -> String,
) -> Result<(f64, f64), ReadError> {
    let inf = f64::INFINITY;
    let t = src.bound_type()?;
    let b = match t {
        0 => (src.real("a lower bound")?, src.real("an upper bound")?),
        1 => (-inf, src.real("an upper bound")?),
        2 => (src.real("a lower bound")?, inf),
        3 => (-inf, inf),
        4 => {
            let v = src.real("a fixed value")?;
            (v, v)
        }
        _ => {
            let k = src.int("complementarity flags")?;
            let j = src.int("a complemented variable")?;
            let feature = "complementarity constraints";
            return Err(if is_row {
                src.error(ErrorKind::Unsupported {
                    feature,
                    item: format!("{} complements variable {} (flags {k})", item(), j - 1),
                })
            } else {
                src.error(ErrorKind::Malformed(format!("bound type 5 for {}", item())))
            });
        }
    };
    src.end_line();
    Ok(b)
}

/// `J`/`G` segment: `<i> <m>` then `m` lines `<var> <coef>`.
fn linear<'a, S: Source<'a>>(
    src: &mut S,
    lin: &mut Linear,
    what: &'static str,
    n_var: usize,
) -> Result<(), ReadError> {
    let i = index(src, what, lin.seen.len())?;
    let m = src.int("an entry count")?;
    src.end_line();
    once(src, &mut lin.seen[i], || {
        format!("linear segment of {what} {i}")
    })?;
    let m = count(src, m, "the entries of a segment")?;
    let first = lin.entries.len();
    for _ in 0..m {
        let j = index(src, "variable", n_var)?;
        let c = src.real("a coefficient")?;
        src.end_line();
        lin.entries.push((i as u32, j as u32, c));
    }
    let row = &mut lin.entries[first..];
    row.sort_by_key(|e| e.1);
    if row.windows(2).any(|w| w[0].1 == w[1].1) {
        return Err(src.error(ErrorKind::Duplicate(format!(
            "a variable in the linear part of {what} {i}"
        ))));
    }
    Ok(())
}
