//! The expression tape: every nonlinear expression of a model as flat arrays.
//!
//! A model's nonlinear parts (defined variables, constraint bodies, objectives) are
//! stored as one array of [`Node`]s. Each *piece* (one defined variable, one
//! constraint's nonlinear part, one objective's nonlinear part) occupies a contiguous
//! range of nodes in topological order: every argument of a node lies earlier in the
//! same range, and the last node of the range is the piece's root. Pieces reference
//! each other only through [`Op::DefVar`] leaves, so a shared defined variable is
//! evaluated (and differentiated) once per point and read by every user.
//!
//! Linear terms of constraints and objectives (`J`/`G` segments) are *not* on the
//! tape; they live beside it in the model. The linear terms of a defined variable
//! (`V` segment) are on the tape, inside that defined variable's range, because a
//! defined variable is used as a single value.

use std::ops::Range;

/// Index of a node in [`Tape::nodes`].
pub type NodeId = u32;

/// Operation of a tape node. Comments give the meaning of `Node::aux` and the arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Op {
    // --- leaves (no arguments) ---
    /// Constant `consts[aux]`.
    Const,
    /// Model variable `x[aux]`.
    Var,
    /// Value of defined variable `aux` (0-based among the defined variables).
    DefVar,

    // --- unary: one argument ---
    Neg,
    Abs,
    Floor,
    Ceil,
    Sqrt,
    Exp,
    Log,
    Log10,
    Sin,
    Cos,
    Tan,
    Sinh,
    Cosh,
    Tanh,
    Asin,
    Acos,
    Atan,
    Asinh,
    Acosh,
    Atanh,
    /// 1 / (1 + e^(−a)) (o79).
    Logistic,
    /// a² (from `a ^ 2` or o77).
    Square,
    /// a ^ consts[aux] with a constant exponent (from o5 with a constant exponent, o76).
    PowConstExp,
    /// consts[aux] ^ a with a constant base (from o5 with a constant base, o78).
    PowConstBase,
    /// Logical not (o34).
    Not,
    /// Piecewise-linear function of the argument; `aux` indexes [`Tape::plterms`] (o64).
    PlTerm,

    // --- binary: two arguments ---
    Add,
    Sub,
    Mul,
    Div,
    /// fmod(a, b) (o4).
    Rem,
    /// a ^ b, both non-constant (o5).
    Pow,
    /// max(a − b, 0) (o6).
    Less,
    /// atan2(a, b), a is y (o48).
    Atan2,
    /// trunc(a / b) (o55).
    IntDiv,
    /// a to b significant digits (o56).
    Precision,
    /// a rounded to b decimal places, ties to even (o57).
    Round,
    /// a truncated to b decimal places (o58).
    Trunc,
    /// sign(a)·|a|^b (o80).
    SignPow,
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
    Ne,
    And,
    Or,
    Iff,
    /// k ≤ count (o62); likewise the next five.
    AtLeast,
    AtMost,
    Exactly,
    NotAtLeast,
    NotAtMost,
    NotExactly,

    // --- ternary ---
    /// if args[0] then args[1] else args[2] (o35).
    If,
    /// a ==> b else c, logical (o72).
    ImpElse,

    // --- n-ary: `nargs` arguments ---
    Sum,
    Min,
    Max,
    /// Number of true arguments (o59).
    Count,
    /// How many of args[1..] equal args[0] (o60).
    NumberOf,
    AllDiff,
    SomeSame,
    AndList,
    OrList,
}

/// One tape node. Arguments are `Tape::args[first_arg .. first_arg + nargs]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Node {
    pub op: Op,
    /// Payload of leaves and of `PowConstExp`/`PowConstBase`/`PlTerm` (see [`Op`]).
    pub aux: u32,
    /// Start of this node's arguments in [`Tape::args`].
    pub first_arg: u32,
    /// Number of arguments.
    pub nargs: u32,
}

/// A piecewise-linear function with f(0) = 0 (opcode o64).
#[derive(Clone, Debug, PartialEq)]
pub struct PlTerm {
    /// Slopes s₁..sₙ.
    pub slopes: Vec<f64>,
    /// Strictly increasing breakpoints b₁..bₙ₋₁.
    pub breakpoints: Vec<f64>,
}

/// A contiguous piece of the tape whose last node is its root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    /// Node range of the piece; empty when the piece has no nonlinear part.
    pub nodes: Range<NodeId>,
}

impl Piece {
    /// Root node of the piece, or `None` when it is empty.
    pub fn root(&self) -> Option<NodeId> {
        (!self.nodes.is_empty()).then(|| self.nodes.end - 1)
    }
}

/// All expressions of a model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tape {
    pub nodes: Vec<Node>,
    /// Argument lists of all nodes, as node ids.
    pub args: Vec<NodeId>,
    /// Constants referenced by `Const`, `PowConstExp` and `PowConstBase` nodes.
    pub consts: Vec<f64>,
    pub plterms: Vec<PlTerm>,
    /// One piece per defined variable, in evaluation order (a defined variable reads
    /// only defined variables with smaller index).
    pub defined: Vec<Piece>,
    /// Nonlinear part of each constraint body (empty piece for a linear row).
    pub constraints: Vec<Piece>,
    /// Nonlinear part of each objective, including its constant term.
    pub objectives: Vec<Piece>,
}

impl Tape {
    /// Arguments of `node`.
    #[inline]
    pub fn args_of(&self, node: &Node) -> &[NodeId] {
        let s = node.first_arg as usize;
        &self.args[s..s + node.nargs as usize]
    }
}
