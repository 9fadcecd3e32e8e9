//! Expressions in prefix notation (A.4, A.6) onto the tape, with an explicit stack so
//! that deeply nested expressions cannot overflow the call stack.

use super::error::{ErrorKind, ReadError};
use super::source::{Source, Token, count};
use super::tape::{NodeId, Op, PlTerm, Tape};

/// How many operands an operator takes.
#[derive(Clone, Copy)]
enum Arity {
    Fixed(u32),
    /// Operand count follows the opcode.
    Counted {
        min: u32,
    },
    /// o64: slopes and breakpoints follow, then one operand.
    PiecewiseLinear,
}

/// File opcodes that the reader treats specially when their operands are complete.
const OP_POW: i64 = 5;
const OP_IF: i64 = 35;
const OP_IMPELSE: i64 = 72;
const OP_POW_CONST_EXP: i64 = 76;
const OP_POW_CONST_BASE: i64 = 78;

/// The operator of file opcode `code` (table A.6), or `None` for an unknown number.
fn operator(code: i64) -> Option<(Op, Arity)> {
    use Arity::*;
    let unary = Fixed(1);
    let binary = Fixed(2);
    Some(match code {
        0 => (Op::Add, binary),
        1 => (Op::Sub, binary),
        2 => (Op::Mul, binary),
        3 => (Op::Div, binary),
        4 => (Op::Rem, binary),
        5 => (Op::Pow, binary),
        6 => (Op::Less, binary),
        11 => (Op::Min, Counted { min: 1 }),
        12 => (Op::Max, Counted { min: 1 }),
        13 => (Op::Floor, unary),
        14 => (Op::Ceil, unary),
        15 => (Op::Abs, unary),
        16 => (Op::Neg, unary),
        20 => (Op::Or, binary),
        21 => (Op::And, binary),
        22 => (Op::Lt, binary),
        23 => (Op::Le, binary),
        24 => (Op::Eq, binary),
        28 => (Op::Ge, binary),
        29 => (Op::Gt, binary),
        30 => (Op::Ne, binary),
        34 => (Op::Not, unary),
        35 => (Op::If, Fixed(3)),
        37 => (Op::Tanh, unary),
        38 => (Op::Tan, unary),
        39 => (Op::Sqrt, unary),
        40 => (Op::Sinh, unary),
        41 => (Op::Sin, unary),
        42 => (Op::Log10, unary),
        43 => (Op::Log, unary),
        44 => (Op::Exp, unary),
        45 => (Op::Cosh, unary),
        46 => (Op::Cos, unary),
        47 => (Op::Atanh, unary),
        48 => (Op::Atan2, binary),
        49 => (Op::Atan, unary),
        50 => (Op::Asinh, unary),
        51 => (Op::Asin, unary),
        52 => (Op::Acosh, unary),
        53 => (Op::Acos, unary),
        54 => (Op::Sum, Counted { min: 1 }),
        55 => (Op::IntDiv, binary),
        56 => (Op::Precision, binary),
        57 => (Op::Round, binary),
        58 => (Op::Trunc, binary),
        59 => (Op::Count, Counted { min: 1 }),
        60 => (Op::NumberOf, Counted { min: 1 }),
        62 => (Op::AtLeast, binary),
        63 => (Op::AtMost, binary),
        64 => (Op::PlTerm, PiecewiseLinear),
        66 => (Op::Exactly, binary),
        67 => (Op::NotAtLeast, binary),
        68 => (Op::NotAtMost, binary),
        69 => (Op::NotExactly, binary),
        70 => (Op::AndList, Counted { min: 1 }),
        71 => (Op::OrList, Counted { min: 1 }),
        72 => (Op::ImpElse, Fixed(3)),
        73 => (Op::Iff, binary),
        74 => (Op::AllDiff, Counted { min: 1 }),
        75 => (Op::SomeSame, Counted { min: 1 }),
        76 => (Op::Pow, binary),
        77 => (Op::Square, unary),
        78 => (Op::Pow, binary),
        79 => (Op::Logistic, unary),
        80 => (Op::SignPow, binary),
        _ => return None,
    })
}

/// A finished operand: a node, or a constant not yet put on the tape (so that constant
/// exponents and bases can become part of their power node instead).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Value {
    Node(NodeId),
    Const(f64),
}

/// An operator whose operands are being read.
struct Frame {
    code: i64,
    op: Op,
    nargs: u32,
    /// Start of this operator's operands on the value stack.
    base: usize,
    aux: u32,
}

/// What the expression may reference.
pub(crate) struct Scope<'s> {
    pub n_var: usize,
    /// Defined variables whose `V` segment has been read; `v` of any other is an error.
    pub defined_ready: &'s [bool],
    /// In a `V` segment: its own index (only smaller ones may be referenced).
    pub defining: Option<usize>,
    /// Names the model item in messages ("constraint 3").
    pub item: &'s dyn Fn() -> String,
}

/// Reusable stacks of the expression parser.
#[derive(Default)]
pub(crate) struct ExprParser {
    frames: Vec<Frame>,
    values: Vec<Value>,
    ids: Vec<NodeId>,
}

impl ExprParser {
    /// Reads one expression from `src` onto `tape` and returns its root. Every node
    /// created lies after the tape's previous end; arguments precede their operator,
    /// and the operands of `If`/`ImpElse` are laid out as three consecutive subtrees
    /// (condition, then-branch, else-branch) immediately before the node, which lets
    /// the evaluator skip the branch not taken.
    pub(crate) fn parse<'a, S: Source<'a>>(
        &mut self,
        src: &mut S,
        tape: &mut Tape,
        scope: &Scope<'_>,
    ) -> Result<Value, ReadError> {
        self.frames.clear();
        self.values.clear();
        loop {
            let mut value = match src.token()? {
                Token::Num(v) => Value::Const(v),
                Token::Short(v) | Token::Long(v) => Value::Const(v as f64),
                Token::Var(i) => Value::Node(var_node(src, tape, scope, i)?),
                Token::Func { index, .. } => {
                    return Err(src.error(ErrorKind::Unsupported {
                        feature: "imported functions",
                        item: format!("call of function {index} in {}", (scope.item)()),
                    }));
                }
                Token::Str(_) => {
                    return Err(src.error(ErrorKind::Unsupported {
                        feature: "string expressions",
                        item: (scope.item)(),
                    }));
                }
                Token::Op(code) => {
                    self.open(src, tape, scope, code)?;
                    continue;
                }
            };
            // Close every operator whose operands are now complete.
            loop {
                let Some(top) = self.frames.last() else {
                    return Ok(value);
                };
                if matches!(top.code, OP_IF | OP_IMPELSE) {
                    value = Value::Node(materialize(tape, value));
                }
                self.values.push(value);
                if self.values.len() - top.base < top.nargs as usize {
                    break;
                }
                let frame = self.frames.pop().expect("frame exists");
                value = self.close(tape, &frame);
                self.values.truncate(frame.base);
            }
        }
    }

    /// Starts operator `code`: reads its operand count (and o64's table).
    fn open<'a, S: Source<'a>>(
        &mut self,
        src: &mut S,
        tape: &mut Tape,
        scope: &Scope<'_>,
        code: i64,
    ) -> Result<(), ReadError> {
        if code == 61 || code == 65 {
            return Err(src.error(ErrorKind::Unsupported {
                feature: "symbolic (string) operators",
                item: format!("o{code} in {}", (scope.item)()),
            }));
        }
        let (op, arity) =
            operator(code).ok_or_else(|| src.error(ErrorKind::UnknownOpcode(code)))?;
        let mut aux = 0;
        let nargs = match arity {
            Arity::Fixed(n) => n,
            Arity::Counted { min } => {
                let n = src.int("an operand count")?;
                src.end_line();
                let n = count(src, n, "the operands of an n-ary operator")?;
                if n < min as usize || n > u32::MAX as usize {
                    return Err(src.error(ErrorKind::Malformed(format!(
                        "operand count {n} of o{code} is invalid"
                    ))));
                }
                n as u32
            }
            Arity::PiecewiseLinear => {
                aux = read_plterm(src, tape)?;
                1
            }
        };
        self.frames.push(Frame {
            code,
            op,
            nargs,
            base: self.values.len(),
            aux,
        });
        Ok(())
    }

    /// Builds the node of a completed operator from its operands.
    fn close(&mut self, tape: &mut Tape, frame: &Frame) -> Value {
        let args = &self.values[frame.base..];
        let const_exp = matches!(frame.code, OP_POW | OP_POW_CONST_EXP);
        let const_base = matches!(frame.code, OP_POW | OP_POW_CONST_BASE);
        let id = match (frame.op, args) {
            (Op::Pow, &[base, Value::Const(e)]) if const_exp => {
                let a = materialize(tape, base);
                if e == 2.0 {
                    push_node(tape, Op::Square, 0, &[a])
                } else {
                    let c = push_const(tape, e);
                    push_node(tape, Op::PowConstExp, c, &[a])
                }
            }
            (Op::Pow, &[Value::Const(b), exp]) if const_base => {
                let a = materialize(tape, exp);
                let c = push_const(tape, b);
                push_node(tape, Op::PowConstBase, c, &[a])
            }
            _ => {
                self.ids.clear();
                for &v in args {
                    self.ids.push(materialize(tape, v));
                }
                push_node(tape, frame.op, frame.aux, &self.ids)
            }
        };
        Value::Node(id)
    }
}

/// Node of `v<i>`.
fn var_node<'a, S: Source<'a>>(
    src: &S,
    tape: &mut Tape,
    scope: &Scope<'_>,
    i: i64,
) -> Result<NodeId, ReadError> {
    let limit = scope.n_var + scope.defined_ready.len();
    if i < 0 || i as u64 >= limit as u64 {
        return Err(src.error(ErrorKind::IndexOutOfRange {
            what: "variable",
            index: i,
            limit,
        }));
    }
    let i = i as usize;
    if i < scope.n_var {
        return Ok(push_node(tape, Op::Var, i as u32, &[]));
    }
    let d = i - scope.n_var;
    if !scope.defined_ready[d] || scope.defining.is_some_and(|own| d >= own) {
        return Err(src.error(ErrorKind::Malformed(format!(
            "defined variable v{i} used in {} before its V segment",
            (scope.item)()
        ))));
    }
    Ok(push_node(tape, Op::DefVar, d as u32, &[]))
}

/// Reads o64's slope/breakpoint table; returns its index in `tape.plterms`.
fn read_plterm<'a, S: Source<'a>>(src: &mut S, tape: &mut Tape) -> Result<u32, ReadError> {
    let n = src.int("a number of slopes")?;
    src.end_line();
    let n = count(src, n, "the slopes of a piecewise-linear term")?;
    if n < 2 {
        return Err(src.error(ErrorKind::Malformed(format!(
            "o64 with {n} slopes (needs at least 2)"
        ))));
    }
    let mut slopes = Vec::with_capacity(n);
    let mut breakpoints = Vec::with_capacity(n - 1);
    for k in 0..2 * n - 1 {
        let v = match src.token()? {
            Token::Num(v) => v,
            Token::Short(v) | Token::Long(v) => v as f64,
            _ => {
                return Err(src.error(ErrorKind::Expected {
                    expected: "a constant of a piecewise-linear term",
                    found: "another token".into(),
                }));
            }
        };
        if k % 2 == 0 {
            slopes.push(v);
        } else {
            if breakpoints.last().is_some_and(|&b| b >= v) || v.is_nan() {
                return Err(src.error(ErrorKind::Malformed(
                    "breakpoints of o64 are not strictly increasing".into(),
                )));
            }
            breakpoints.push(v);
        }
    }
    tape.plterms.push(PlTerm {
        slopes,
        breakpoints,
    });
    Ok(tape.plterms.len() as u32 - 1)
}

/// Puts `v` on the tape if it is a pending constant.
pub(crate) fn materialize(tape: &mut Tape, v: Value) -> NodeId {
    match v {
        Value::Node(id) => id,
        Value::Const(c) => {
            let k = push_const(tape, c);
            push_node(tape, Op::Const, k, &[])
        }
    }
}

fn push_const(tape: &mut Tape, c: f64) -> u32 {
    tape.consts.push(c);
    tape.consts.len() as u32 - 1
}

/// Appends a node; returns its id.
pub(crate) fn push_node(tape: &mut Tape, op: Op, aux: u32, args: &[NodeId]) -> NodeId {
    let first_arg = tape.args.len() as u32;
    tape.args.extend_from_slice(args);
    tape.nodes.push(super::tape::Node {
        op,
        aux,
        first_arg,
        nargs: args.len() as u32,
    });
    tape.nodes.len() as NodeId - 1
}
