//! Local first and second derivatives of every tape operation, with the ASL's
//! conventions (spec A.6): abs'(0) = +1, min/max follow the first extreme operand,
//! piecewise constant operations have derivative 0, if-then-else takes the
//! derivative of the branch taken, and a piecewise-linear term uses at a breakpoint
//! the slope of the piece on the side of zero. Values are not defined here: they come
//! from the reader's evaluator (`nl::eval`), the one place that defines them.

use crate::nl::tape::{Op, PlTerm};

/// Constant data of the tape that operations refer to through `Node::aux`.
#[derive(Clone, Copy)]
pub(crate) struct Aux<'a> {
    pub consts: &'a [f64],
    pub plterms: &'a [PlTerm],
}

/// How an operation's partial derivatives look, structurally.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Piecewise constant (rounding, logic, relations): derivative 0 everywhere.
    Flat,
    /// Derivative only with respect to the branches (arguments 1 and 2) of an `If`.
    Branches,
    /// Derivatives with respect to every argument.
    All,
}

/// Structural form of the partial derivatives of `op`.
pub(crate) fn shape(op: Op) -> Shape {
    use Op::*;
    match op {
        Floor | Ceil | Not | IntDiv | Precision | Round | Trunc | Lt | Le | Eq | Ge | Gt | Ne
        | And | Or | Iff | AtLeast | AtMost | Exactly | NotAtLeast | NotAtMost | NotExactly
        | ImpElse | Count | NumberOf | AllDiff | SomeSame | AndList | OrList => Shape::Flat,
        If => Shape::Branches,
        _ => Shape::All,
    }
}

/// Structural second derivatives `(h00, h01, h11)` of a unary or binary operation:
/// which entries of its local Hessian can be nonzero. All other operations are
/// piecewise linear in their arguments.
pub(crate) fn hessian_pattern(op: Op) -> [bool; 3] {
    use Op::*;
    match op {
        Sqrt | Exp | Log | Log10 | Sin | Cos | Tan | Sinh | Cosh | Tanh | Asin | Acos | Atan
        | Asinh | Acosh | Atanh | Logistic | Square | PowConstExp | PowConstBase => {
            [true, false, false]
        }
        Mul => [false, true, false],
        Div | Pow | Atan2 | SignPow => [true, true, true],
        _ => [false, false, false],
    }
}

fn is_true(a: f64) -> bool {
    a != 0.0
}

/// `c` as an integer exponent when it is one of modest size.
fn small_integer(c: f64) -> Option<i32> {
    // `c as i32` instead of `c.trunc()`, which is a library call on baseline x86-64.
    (c.abs() <= 64.0 && f64::from(c as i32) == c).then_some(c as i32)
}

/// Index of the first operand that is extreme under `better`.
fn first_extreme(a: &[f64], better: impl Fn(f64, f64) -> bool) -> usize {
    let mut k = 0;
    for (i, &x) in a.iter().enumerate().skip(1) {
        if better(x, a[k]) {
            k = i;
        }
    }
    k
}

/// Index of the piece of `t` that holds `x`: at a breakpoint, the piece on the side
/// of zero.
fn plterm_piece(t: &PlTerm, x: f64) -> usize {
    if x >= 0.0 {
        t.breakpoints
            .iter()
            .position(|&b| x <= b)
            .unwrap_or(t.breakpoints.len())
    } else {
        t.breakpoints
            .iter()
            .rposition(|&b| x >= b)
            .map_or(0, |k| k + 1)
    }
}

/// Local derivatives of one operation at a point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Local {
    /// Partial 1 with respect to every argument (sums).
    Ones,
    /// Partial 1 with respect to argument `k` only (min, max, the branch of an `If`).
    Pick(usize),
    /// First partials `d` and second partials `h = (h00, h01, h11)` of a unary or
    /// binary operation (entries for absent arguments are 0).
    Dense { d: [f64; 2], h: [f64; 3] },
    /// No derivative (piecewise constant operation).
    Zero,
}

fn unary(d: f64, h: f64) -> Local {
    Local::Dense {
        d: [d, 0.0],
        h: [h, 0.0, 0.0],
    }
}

fn binary(d0: f64, d1: f64, h: [f64; 3]) -> Local {
    Local::Dense { d: [d0, d1], h }
}

/// Local first (and, when `second`, second) derivatives of `op` at argument values
/// `a` with value `v`. `varies[k]` says whether argument `k` of a binary operation
/// depends on the variables: a power whose exponent does not is differentiated as a
/// power with a constant exponent, as the ASL does, so that it stays valid for
/// negative bases. Partials that cannot be evaluated come out non-finite.
pub(crate) fn local(
    op: Op,
    aux: u32,
    a: &[f64],
    v: f64,
    varies: [bool; 2],
    second: bool,
    data: Aux<'_>,
) -> Local {
    use Op::*;
    let x = a[0];
    match op {
        Add => binary(1.0, 1.0, [0.0; 3]),
        Sub => binary(1.0, -1.0, [0.0; 3]),
        Neg => unary(-1.0, 0.0),
        Sum => Local::Ones,
        Min => Local::Pick(first_extreme(a, |x, best| x < best)),
        Max => Local::Pick(first_extreme(a, |x, best| x > best)),
        If => Local::Pick(if is_true(x) { 1 } else { 2 }),
        Abs => unary(if x < 0.0 { -1.0 } else { 1.0 }, 0.0),
        Less => {
            let d = if x - a[1] >= 0.0 { 1.0 } else { 0.0 };
            binary(d, -d, [0.0; 3])
        }
        Rem => binary(1.0, -(x / a[1]).trunc(), [0.0; 3]),
        PlTerm => {
            let t = &data.plterms[aux as usize];
            unary(t.slopes[plterm_piece(t, x)], 0.0)
        }
        Sqrt => {
            let d = 0.5 / v;
            unary(d, if second { -0.5 * d / x } else { 0.0 })
        }
        Exp => unary(v, v),
        Log => unary(1.0 / x, -1.0 / (x * x)),
        Log10 => {
            let d = 1.0 / (x * std::f64::consts::LN_10);
            unary(d, -d / x)
        }
        Sin => unary(x.cos(), -v),
        Cos => unary(-x.sin(), -v),
        Tan => {
            let c = x.cos();
            let d = 1.0 / (c * c);
            unary(d, 2.0 * v * d)
        }
        Sinh => unary(x.cosh(), v),
        Cosh => unary(x.sinh(), v),
        Tanh => {
            let d = 1.0 - v * v;
            unary(d, -2.0 * v * d)
        }
        Asin | Acos => {
            let q = 1.0 - x * x;
            let d = 1.0 / q.sqrt();
            let s = if op == Asin { 1.0 } else { -1.0 };
            unary(s * d, if second { s * x * d / q } else { 0.0 })
        }
        Atan => {
            let q = 1.0 + x * x;
            unary(1.0 / q, -2.0 * x / (q * q))
        }
        Asinh => {
            let q = x * x + 1.0;
            let d = 1.0 / q.sqrt();
            unary(d, if second { -x * d / q } else { 0.0 })
        }
        Acosh => {
            let q = x * x - 1.0;
            let d = 1.0 / q.sqrt();
            unary(d, if second { -x * d / q } else { 0.0 })
        }
        Atanh => {
            let q = 1.0 - x * x;
            unary(1.0 / q, 2.0 * x / (q * q))
        }
        Logistic => {
            let d = v * (1.0 - v);
            unary(d, d * (1.0 - 2.0 * v))
        }
        Square => unary(2.0 * x, 2.0),
        PowConstExp => pow_const_exp_local(x, data.consts[aux as usize]),
        PowConstBase => {
            let l = data.consts[aux as usize].ln();
            unary(l * v, l * l * v)
        }
        Mul => binary(a[1], x, [0.0, 1.0, 0.0]),
        Div => {
            let y = a[1];
            let r = 1.0 / y;
            let q = x * r;
            binary(r, -q * r, [0.0, -r * r, 2.0 * q * r * r])
        }
        Pow => match varies {
            [true, false] => pow_const_exp_local(x, a[1]),
            [false, true] => {
                let l = x.ln();
                binary(0.0, l * v, [0.0, 0.0, l * l * v])
            }
            _ => {
                if x <= 0.0 {
                    return binary(f64::NAN, f64::NAN, [f64::NAN; 3]);
                }
                let b = a[1];
                let l = x.ln();
                let p1 = v / x;
                let h = [b * (b - 1.0) * p1 / x, p1 * (1.0 + b * l), l * l * v];
                binary(b * p1, l * v, h)
            }
        },
        SignPow => {
            let b = a[1];
            let m = x.abs();
            let p1 = m.powf(b - 1.0);
            let d0 = b * p1;
            let h00 = x.signum() * b * (b - 1.0) * m.powf(b - 2.0);
            if !varies[1] {
                return binary(d0, 0.0, [h00, 0.0, 0.0]);
            }
            let l = m.ln();
            binary(d0, v * l, [h00, p1 * (1.0 + b * l), v * l * l])
        }
        Atan2 => atan2_local(x, a[1], second),
        _ => Local::Zero,
    }
}

fn pow_const_exp_local(x: f64, c: f64) -> Local {
    let (d, h) = pow_const_exp(x, c);
    unary(d, h)
}

/// First and second derivative of x^c for a constant exponent `c`.
#[inline]
pub(crate) fn pow_const_exp(x: f64, c: f64) -> (f64, f64) {
    Exponent::new(c).derivatives(x)
}

/// A constant exponent `c` with its integer value found once: the float-to-integer
/// round trip that finds it is the slowest step of a small power's derivatives.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Exponent {
    c: f64,
    int: Option<i32>,
}

impl Exponent {
    pub fn new(c: f64) -> Exponent {
        Exponent {
            c,
            int: small_integer(c),
        }
    }

    /// First and second derivative of x^c.
    #[inline]
    pub fn derivatives(self, x: f64) -> (f64, f64) {
        let c = self.c;
        if c == 0.0 {
            (0.0, 0.0)
        } else if c == 1.0 {
            (1.0, 0.0)
        } else if c == 2.0 {
            (2.0 * x, 2.0)
        } else if let Some(k) = self.int {
            let p2 = powi(x, k - 2);
            (c * p2 * x, c * (c - 1.0) * p2)
        } else {
            (c * x.powf(c - 1.0), c * (c - 1.0) * x.powf(c - 2.0))
        }
    }
}

/// `x^k` by binary exponentiation: the products, in the order, of `f64::powi`'s
/// run-time routine (compiler-rt's `__powidf2`), so the values are the same in the
/// last bit, but inlined where the exponent is only known at run time, which
/// `f64::powi` would make a call.
#[inline]
fn powi(mut x: f64, k: i32) -> f64 {
    // The exponents of the common powers x², x³, x⁴ (k = 0, 1, 2 here), whose loop
    // would give `1 · x` and `1 · (x · x)`: the same values without the loop.
    match k {
        0 => return 1.0,
        1 => return x,
        2 => return x * x,
        _ => {}
    }
    let mut n = k.unsigned_abs();
    let mut r = 1.0;
    loop {
        if n & 1 != 0 {
            r *= x;
        }
        n >>= 1;
        if n == 0 {
            break;
        }
        x *= x;
    }
    if k < 0 { 1.0 / r } else { r }
}

/// atan2(y, x) with first partials in the ASL's scaled form, which avoids overflow of
/// y² + x².
fn atan2_local(y: f64, x: f64, second: bool) -> Local {
    let (dy, dx) = if x.abs() >= y.abs() {
        let t = y / x;
        let dy = 1.0 / (x * (1.0 + t * t));
        (dy, -t * dy)
    } else {
        let t = x / y;
        let dx = -1.0 / (y * (1.0 + t * t));
        (-t * dx, dx)
    };
    let h = if second {
        let r2 = y * y + x * x;
        let r4 = r2 * r2;
        [-2.0 * x * y / r4, (y * y - x * x) / r4, 2.0 * x * y / r4]
    } else {
        [0.0; 3]
    };
    binary(dy, dx, h)
}

/// Name of an operation as the ASL spells it in evaluation errors.
pub(crate) fn name(op: Op) -> &'static str {
    use Op::*;
    match op {
        Const => "constant",
        Var => "variable",
        DefVar => "defined variable",
        Neg => "-",
        Abs => "abs",
        Floor => "floor",
        Ceil => "ceil",
        Sqrt => "sqrt",
        Exp => "exp",
        Log => "log",
        Log10 => "log10",
        Sin => "sin",
        Cos => "cos",
        Tan => "tan",
        Sinh => "sinh",
        Cosh => "cosh",
        Tanh => "tanh",
        Asin => "asin",
        Acos => "acos",
        Atan => "atan",
        Asinh => "asinh",
        Acosh => "acosh",
        Atanh => "atanh",
        Logistic => "logistic",
        Square | PowConstExp | PowConstBase | Pow => "pow",
        Not => "not",
        PlTerm => "piecewise-linear term",
        Add => "+",
        Sub => "-",
        Mul => "*",
        Div => "/",
        Rem => "mod",
        Less => "less",
        Atan2 => "atan2",
        IntDiv => "div",
        Precision => "precision",
        Round => "round",
        Trunc => "trunc",
        SignPow => "signpow",
        Lt => "<",
        Le => "<=",
        Eq => "=",
        Ge => ">=",
        Gt => ">",
        Ne => "!=",
        And => "and",
        Or => "or",
        Iff => "<==>",
        AtLeast => "atleast",
        AtMost => "atmost",
        Exactly => "exactly",
        NotAtLeast => "!atleast",
        NotAtMost => "!atmost",
        NotExactly => "!exactly",
        If => "if",
        ImpElse => "==>",
        Sum => "sum",
        Min => "min",
        Max => "max",
        Count => "count",
        NumberOf => "numberof",
        AllDiff => "alldiff",
        SomeSame => "!alldiff",
        AndList => "forall",
        OrList => "exists",
    }
}
