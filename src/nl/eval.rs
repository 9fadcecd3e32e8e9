//! Forward evaluation of the tape: function values at a point.
//!
//! Defined variables are evaluated once per point, in order; a piece then reads them
//! through its `DefVar` leaves. Node values go into a caller-owned [`Workspace`], so
//! repeated evaluation allocates nothing. An operation the ASL would refuse (log of a
//! non-positive number, division by zero, overflow of exp, …) is a typed error naming
//! the model function and the operation with its arguments.

use std::fmt;
use std::ops::Range;

use super::fmt::format_g;
use super::model::{Model, SparseRows};
use super::tape::{Node, NodeId, Op, Piece, PlTerm, Tape};

/// An operation that could not be evaluated, with its arguments.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OpError {
    /// Name of the operation as the ASL prints it (`log`, `pow`, `/`, …).
    pub op: &'static str,
    pub args: [f64; 2],
    pub nargs: u8,
}

impl fmt::Display for OpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = format_g(self.args[0], 6);
        match (self.op, self.nargs) {
            ("/" | "div", _) => write!(f, "can't compute {a}{}0", self.op),
            (op, 1) => write!(f, "can't evaluate {op}({a})"),
            (op, _) => write!(f, "can't evaluate {op}({a},{})", format_g(self.args[1], 6)),
        }
    }
}

/// The model function an evaluation error belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    Objective(usize),
    Constraint(usize),
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Objective(i) => write!(f, "objective {i}"),
            Item::Constraint(i) => write!(f, "constraint {i}"),
        }
    }
}

/// A function that could not be evaluated at the point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EvalError {
    pub item: Item,
    pub error: OpError,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.item, self.error)
    }
}

impl std::error::Error for EvalError {}

/// Node values and defined-variable states of one point.
pub struct Workspace {
    /// Value of every node of the tape (stale for nodes of an `If` branch not taken).
    pub values: Vec<f64>,
    /// Error of each defined variable that could not be evaluated at this point.
    defined_error: Vec<Option<OpError>>,
    /// Sorting space of `AllDiff`/`SomeSame`, grown to the longest list once.
    scratch: Vec<f64>,
}

/// Control flow at a node: where `If` lets evaluation skip a branch.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Branch {
    None,
    /// Node is the condition of an `If`; when it is false, continue after `then_end`.
    Cond {
        then_end: NodeId,
    },
    /// Node is the last of a then-branch; when `cond` was true, continue after
    /// `else_end`.
    ThenEnd {
        cond: NodeId,
        else_end: NodeId,
    },
}

/// Evaluates the functions of a model; holds what is derived once from the tape.
pub struct Evaluator<'m> {
    model: &'m Model,
    /// Root node of each defined variable.
    defined_root: Vec<NodeId>,
    /// Per node, when the tape has conditionals; empty otherwise.
    branch: Vec<Branch>,
}

impl<'m> Evaluator<'m> {
    pub fn new(model: &'m Model) -> Self {
        let tape = &model.tape;
        let defined_root = tape
            .defined
            .iter()
            .map(|p| p.root().expect("a defined variable has a root node"))
            .collect();
        let mut branch = Vec::new();
        for (id, node) in tape.nodes.iter().enumerate() {
            if !matches!(node.op, Op::If | Op::ImpElse) {
                continue;
            }
            let &[c, t, e] = tape.args_of(node) else {
                continue;
            };
            // The reader lays out condition, then- and else-subtrees contiguously just
            // before the node; only then can a branch be skipped.
            if c < t && t < e && e as usize + 1 == id {
                if branch.is_empty() {
                    branch = vec![Branch::None; tape.nodes.len()];
                }
                branch[c as usize] = Branch::Cond { then_end: t };
                branch[t as usize] = Branch::ThenEnd {
                    cond: c,
                    else_end: e,
                };
            }
        }
        Evaluator {
            model,
            defined_root,
            branch,
        }
    }

    /// A workspace for this model.
    pub fn workspace(&self) -> Workspace {
        Workspace {
            values: vec![0.0; self.model.tape.nodes.len()],
            defined_error: vec![None; self.defined_root.len()],
            scratch: Vec::new(),
        }
    }

    /// Evaluates every defined variable at `x` (call once per point, before pieces).
    pub fn eval_defined(&self, x: &[f64], ws: &mut Workspace) {
        for (d, piece) in self.model.tape.defined.iter().enumerate() {
            ws.defined_error[d] = self.run(piece.nodes.clone(), x, ws).err();
        }
    }

    /// Value of one piece (0 for an empty piece); needs [`Self::eval_defined`] first.
    pub fn eval_piece(&self, piece: &Piece, x: &[f64], ws: &mut Workspace) -> Result<f64, OpError> {
        match piece.root() {
            None => Ok(0.0),
            Some(root) => {
                self.run(piece.nodes.clone(), x, ws)?;
                Ok(ws.values[root as usize])
            }
        }
    }

    /// Objective `i` (nonlinear part plus `G` linear part) at `x`; needs
    /// [`Self::eval_defined`] first.
    pub fn objective(&self, i: usize, x: &[f64], ws: &mut Workspace) -> Result<f64, EvalError> {
        let m = self.model;
        let v = self
            .eval_piece(&m.tape.objectives[i], x, ws)
            .map_err(|error| EvalError {
                item: Item::Objective(i),
                error,
            })?;
        Ok(add_linear(v, &m.gradient, i, x))
    }

    /// All constraint bodies (nonlinear part plus `J` linear part) into `c`; needs
    /// [`Self::eval_defined`] first. Stops at the first constraint that fails.
    pub fn constraints(
        &self,
        x: &[f64],
        ws: &mut Workspace,
        c: &mut [f64],
    ) -> Result<(), EvalError> {
        let m = self.model;
        for (i, piece) in m.tape.constraints.iter().enumerate() {
            let v = self.eval_piece(piece, x, ws).map_err(|error| EvalError {
                item: Item::Constraint(i),
                error,
            })?;
            c[i] = add_linear(v, &m.jacobian, i, x);
        }
        Ok(())
    }

    /// Objective 0 (0 for a model without objectives) and every constraint body into
    /// `c`, at a new point `x`: evaluates the defined variables first.
    pub fn objective_and_constraints(
        &self,
        x: &[f64],
        ws: &mut Workspace,
        c: &mut [f64],
    ) -> (Result<f64, EvalError>, Result<(), EvalError>) {
        self.eval_defined(x, ws);
        let f = if self.model.tape.objectives.is_empty() {
            Ok(0.0)
        } else {
            self.objective(0, x, ws)
        };
        (f, self.constraints(x, ws, c))
    }

    /// Evaluates nodes `range` in order, skipping `If` branches not taken.
    fn run(&self, range: Range<NodeId>, x: &[f64], ws: &mut Workspace) -> Result<(), OpError> {
        let tape = &self.model.tape;
        if self.branch.is_empty() {
            for i in range {
                let v = self.node(tape, &tape.nodes[i as usize], x, ws)?;
                ws.values[i as usize] = v;
            }
            return Ok(());
        }
        let mut i = range.start;
        while i < range.end {
            let v = self.node(tape, &tape.nodes[i as usize], x, ws)?;
            ws.values[i as usize] = v;
            i = match self.branch[i as usize] {
                Branch::Cond { then_end } if v == 0.0 => then_end + 1,
                Branch::ThenEnd { cond, else_end } if ws.values[cond as usize] != 0.0 => {
                    else_end + 1
                }
                _ => i + 1,
            };
        }
        Ok(())
    }

    /// Value of one node from its arguments' values.
    #[inline]
    fn node(
        &self,
        tape: &Tape,
        node: &Node,
        x: &[f64],
        ws: &mut Workspace,
    ) -> Result<f64, OpError> {
        let Workspace {
            values, scratch, ..
        } = ws;
        match node.op {
            Op::Const => Ok(tape.consts[node.aux as usize]),
            Op::Var => Ok(x[node.aux as usize]),
            Op::DefVar => {
                let d = node.aux as usize;
                match ws.defined_error[d] {
                    Some(e) => Err(e),
                    None => Ok(values[self.defined_root[d] as usize]),
                }
            }
            op => apply(tape, op, node.aux, tape.args_of(node), values, scratch),
        }
    }

    /// Whether the tape has an if-then-else whose branches evaluation skips.
    pub fn has_branches(&self) -> bool {
        !self.branch.is_empty()
    }
}

/// Value of operation `op` (not a leaf: constant, variable or defined variable),
/// with payload `aux`, whose arguments are the entries `args` of `vals`. The one
/// definition of every operation's value, shared by the tape's evaluator and the
/// derivatives' slot program.
#[inline]
pub fn apply(
    tape: &Tape,
    op: Op,
    aux: u32,
    args: &[NodeId],
    vals: &[f64],
    scratch: &mut Vec<f64>,
) -> Result<f64, OpError> {
    let arg = |k: usize| vals[args[k] as usize];
    let b = |c: bool| f64::from(u8::from(c));
    let (a0, a1) = match args.len() {
        0 => (0.0, 0.0),
        1 => (arg(0), 0.0),
        _ => (arg(0), arg(1)),
    };
    let f1 = |op: &'static str, v: f64| check(op, v, [a0, 0.0], 1);
    let f2 = |op: &'static str, v: f64| check(op, v, [a0, a1], 2);
    Ok(match op {
        Op::Const | Op::Var | Op::DefVar => unreachable!("leaves are not operations"),
        Op::Neg => -a0,
        Op::Abs => a0.abs(),
        Op::Floor => a0.floor(),
        Op::Ceil => a0.ceil(),
        Op::Sqrt => f1("sqrt", a0.sqrt())?,
        Op::Exp => f1("exp", a0.exp())?,
        Op::Log => f1("log", a0.ln())?,
        Op::Log10 => f1("log10", a0.log10())?,
        Op::Sin => f1("sin", a0.sin())?,
        Op::Cos => f1("cos", a0.cos())?,
        Op::Tan => f1("tan", a0.tan())?,
        Op::Sinh => f1("sinh", a0.sinh())?,
        Op::Cosh => f1("cosh", a0.cosh())?,
        Op::Tanh => a0.tanh(),
        Op::Asin => f1("asin", a0.asin())?,
        Op::Acos => f1("acos", a0.acos())?,
        Op::Atan => a0.atan(),
        Op::Asinh => f1("asinh", a0.asinh())?,
        Op::Acosh => f1("acosh", a0.acosh())?,
        Op::Atanh => f1("atanh", a0.atanh())?,
        Op::Logistic => 1.0 / (1.0 + (-a0).exp()),
        Op::Square => a0 * a0,
        Op::PowConstExp => {
            let c = tape.consts[aux as usize];
            check("pow", a0.powf(c), [a0, c], 2)?
        }
        Op::PowConstBase => {
            let c = tape.consts[aux as usize];
            check("pow", c.powf(a0), [c, a0], 2)?
        }
        Op::Not => b(a0 == 0.0),
        Op::PlTerm => plterm(&tape.plterms[aux as usize], a0),
        Op::Add => a0 + a1,
        Op::Sub => a0 - a1,
        Op::Mul => a0 * a1,
        Op::Div => {
            if a1 == 0.0 {
                return Err(OpError {
                    op: "/",
                    args: [a0, a1],
                    nargs: 2,
                });
            }
            a0 / a1
        }
        Op::Rem => f2("fmod", a0 % a1)?,
        Op::Pow => f2("pow", a0.powf(a1))?,
        Op::Less => {
            let d = a0 - a1;
            if d < 0.0 { 0.0 } else { d }
        }
        Op::Atan2 => a0.atan2(a1),
        Op::IntDiv => {
            if a1 == 0.0 {
                return Err(OpError {
                    op: "div",
                    args: [a0, a1],
                    nargs: 2,
                });
            }
            (a0 / a1).trunc()
        }
        Op::Precision => decimal::precision(a0, a1),
        Op::Round => decimal::round(a0, a1),
        Op::Trunc => decimal::trunc(a0, a1),
        Op::SignPow => f2("signpow", a0.abs().powf(a1).copysign(a0))?,
        Op::Lt => b(a0 < a1),
        Op::Le => b(a0 <= a1),
        Op::Eq => b(a0 == a1),
        Op::Ge => b(a0 >= a1),
        Op::Gt => b(a0 > a1),
        Op::Ne => b(a0 != a1),
        Op::And => b(a0 != 0.0 && a1 != 0.0),
        Op::Or => b(a0 != 0.0 || a1 != 0.0),
        Op::Iff => b((a0 != 0.0) == (a1 != 0.0)),
        Op::AtLeast => b(a0 <= a1),
        Op::AtMost => b(a0 >= a1),
        Op::Exactly => b(a0 == a1),
        Op::NotAtLeast => b(a0 > a1),
        Op::NotAtMost => b(a0 < a1),
        Op::NotExactly => b(a0 != a1),
        Op::If => {
            if a0 != 0.0 {
                a1
            } else {
                arg(2)
            }
        }
        Op::ImpElse => b(if a0 != 0.0 { a1 != 0.0 } else { arg(2) != 0.0 }),
        Op::Sum => args.iter().fold(0.0, |s, &k| s + vals[k as usize]),
        Op::Min => args[1..]
            .iter()
            .map(|&k| vals[k as usize])
            .fold(a0, |m, v| if v < m { v } else { m }),
        Op::Max => args[1..]
            .iter()
            .map(|&k| vals[k as usize])
            .fold(a0, |m, v| if v > m { v } else { m }),
        Op::Count => args.iter().filter(|&&k| vals[k as usize] != 0.0).count() as f64,
        Op::NumberOf => args[1..]
            .iter()
            .filter(|&&k| vals[k as usize] == a0)
            .count() as f64,
        Op::AllDiff => b(all_different(args, vals, scratch)),
        Op::SomeSame => b(!all_different(args, vals, scratch)),
        Op::AndList => b(args.iter().all(|&k| vals[k as usize] != 0.0)),
        Op::OrList => b(args.iter().any(|&k| vals[k as usize] != 0.0)),
    })
}

/// `v` unless the operation turned finite arguments into a non-finite value (a domain
/// error, pole or overflow), which the ASL reports as "can't evaluate".
#[inline]
fn check(op: &'static str, v: f64, args: [f64; 2], nargs: u8) -> Result<f64, OpError> {
    if v.is_finite() || args[..nargs as usize].iter().any(|a| !a.is_finite()) {
        Ok(v)
    } else {
        Err(OpError { op, args, nargs })
    }
}

/// `v` plus row `i` of `lin` at `x`, added in file order after the nonlinear part.
fn add_linear(v: f64, lin: &SparseRows, i: usize, x: &[f64]) -> f64 {
    if i + 1 >= lin.start.len() {
        return v;
    }
    let (idx, coef) = lin.row(i);
    idx.iter()
        .zip(coef)
        .fold(v, |s, (&j, &c)| s + c * x[j as usize])
}

/// Whether the argument values are pairwise different (`==` semantics: 0 = −0, NaN
/// differs from everything), by sorting a copy: long lists stay O(n log n).
fn all_different(args: &[NodeId], vals: &[f64], scratch: &mut Vec<f64>) -> bool {
    scratch.clear();
    scratch.extend(args.iter().map(|&k| vals[k as usize]));
    scratch.sort_unstable_by(f64::total_cmp);
    scratch.windows(2).all(|w| w[0] != w[1])
}

/// The piecewise-linear function with f(0) = 0 (o64): integral of the slope from 0.
fn plterm(p: &PlTerm, x: f64) -> f64 {
    let n = p.slopes.len();
    let left = |i: usize| {
        if i == 0 {
            f64::NEG_INFINITY
        } else {
            p.breakpoints[i - 1]
        }
    };
    let right = |i: usize| {
        if i + 1 == n {
            f64::INFINITY
        } else {
            p.breakpoints[i]
        }
    };
    let (lo, hi, sign) = if x >= 0.0 {
        (0.0, x, 1.0)
    } else {
        (x, 0.0, -1.0)
    };
    let mut v = 0.0;
    for (i, &s) in p.slopes.iter().enumerate() {
        let len = hi.min(right(i)) - lo.max(left(i));
        if len > 0.0 {
            v += s * len;
        }
    }
    sign * v
}

/// Decimal rounding operators (o56–o58), done on the exact binary value through
/// Rust's correctly rounded decimal formatting into a stack buffer.
mod decimal {
    use std::io::Write;

    /// Formats with `args` into a stack buffer and parses the result back.
    fn reparse(args: std::fmt::Arguments<'_>) -> Option<f64> {
        let mut buf = [0u8; 400];
        let mut cur = std::io::Cursor::new(&mut buf[..]);
        cur.write_fmt(args).ok()?;
        let len = cur.position() as usize;
        std::str::from_utf8(&buf[..len]).ok()?.parse().ok()
    }

    /// Decimal exponent of `a` ≠ 0 (the `e` of its scientific form).
    fn exponent10(a: f64) -> i32 {
        let mut buf = [0u8; 64];
        let mut cur = std::io::Cursor::new(&mut buf[..]);
        write!(cur, "{a:e}").expect("fits");
        let len = cur.position() as usize;
        let s = std::str::from_utf8(&buf[..len]).expect("ascii");
        s[s.find('e').expect("exponent") + 1..]
            .parse()
            .expect("digits")
    }

    /// `a` to `b` significant digits (o56).
    pub(super) fn precision(a: f64, b: f64) -> f64 {
        let n = b.trunc();
        if !a.is_finite() || a == 0.0 || n >= 17.0 {
            return a;
        }
        let n = n.max(1.0) as usize;
        reparse(format_args!("{:.*e}", n - 1, a)).unwrap_or(a)
    }

    /// `a` rounded to `b` decimal places, ties to even (o57).
    pub(super) fn round(a: f64, b: f64) -> f64 {
        if !a.is_finite() || a == 0.0 {
            return a;
        }
        let places = b.trunc().clamp(-400.0, 400.0) as i32;
        let e = exponent10(a);
        // Significant digits kept; from 17 on the value is its own rounding.
        let digits = e + 1 + places;
        if digits >= 17 {
            a
        } else if digits >= 1 {
            reparse(format_args!("{:.*e}", (digits - 1) as usize, a)).unwrap_or(a)
        } else if digits == 0 {
            // The unit is 10^(e+1) > |a| ≥ 10^e: the result is 0 or ±unit.
            let unit = 10f64.powi(e + 1);
            if a.abs() > 0.5 * unit {
                unit.copysign(a)
            } else {
                0.0_f64.copysign(a)
            }
        } else {
            0.0_f64.copysign(a)
        }
    }

    /// `a` truncated to `b` decimal places (o58): trunc(a·10^b)·10^−b.
    pub(super) fn trunc(a: f64, b: f64) -> f64 {
        let places = b.trunc();
        if places == 0.0 {
            return a.trunc();
        }
        (a * 10f64.powf(places)).trunc() * 10f64.powf(-places)
    }
}

#[cfg(test)]
mod tests {
    use super::decimal::{precision, round, trunc};
    use super::*;

    #[test]
    fn decimal_operators() {
        assert_eq!(round(2.5, 0.0), 2.0);
        assert_eq!(round(3.5, 0.0), 4.0);
        assert_eq!(round(-2.5, 0.0), -2.0);
        assert_eq!(round(1.235, 2.0), 1.24);
        assert_eq!(round(1.245, 2.0), 1.25);
        assert_eq!(round(1234.5, -2.0), 1200.0);
        assert_eq!(round(600.0, -3.0), 1000.0);
        assert_eq!(round(400.0, -3.0), 0.0);
        assert_eq!(trunc(-2.75, 0.0), -2.0);
        // Printed by the ASL with 17 digits as −2.7000000000000002: the double −2.7.
        assert_eq!(trunc(-2.75, 1.0), -2.7);
        assert_eq!(trunc(1.2345, 2.0), 1.23);
        assert_eq!(precision(123456.0, 2.0), 120000.0);
    }

    #[test]
    fn piecewise_linear() {
        let p = PlTerm {
            slopes: vec![-1.0, 2.0],
            breakpoints: vec![0.0],
        };
        assert_eq!(plterm(&p, -3.0), 3.0);
        assert_eq!(plterm(&p, 4.0), 8.0);
        let p = PlTerm {
            slopes: vec![-1.0, 0.5, 2.0],
            breakpoints: vec![1.0, 3.0],
        };
        assert_eq!(plterm(&p, 2.0), -0.5);
        assert_eq!(plterm(&p, 5.0), 4.0);
    }

    #[test]
    fn error_message_as_asl() {
        let e = OpError {
            op: "log",
            args: [-0.004745089, 0.0],
            nargs: 1,
        };
        assert_eq!(e.to_string(), "can't evaluate log(-0.00474509)");
    }
}
