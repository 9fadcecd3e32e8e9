//! Value and local derivatives of every tape operation, with the ASL's conventions
//! (spec A.6): abs'(0) = +1, min/max follow the first extreme operand, piecewise
//! constant operations have derivative 0, if-then-else takes the derivative of the
//! branch taken, and a piecewise-linear term uses at a breakpoint the slope of the
//! piece on the side of zero.
//!
//! Values that cannot be computed (log of a negative number, division by zero,
//! overflow) come out as NaN; NaN then propagates through every operation (also the
//! logical ones, whose comparisons would otherwise swallow it) so that a piece whose
//! root is NaN is known to have failed. An if-then-else only propagates the NaN of its
//! condition and of the branch it takes, as the ASL evaluates only that branch.

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

/// Whether the arguments of `op` must be checked for NaN by the caller: the
/// operations whose arithmetic does not propagate NaN by itself.
fn swallows_nan(op: Op) -> bool {
    !matches!(
        op,
        Op::If
            | Op::Add
            | Op::Sub
            | Op::Mul
            | Op::Div
            | Op::Sum
            | Op::Neg
            | Op::Exp
            | Op::Log
            | Op::Sqrt
    )
}

fn truth(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

fn is_true(a: f64) -> bool {
    a != 0.0
}

/// Value of `op` applied to argument values `a`. Never fails: an operation that
/// cannot be evaluated returns NaN.
pub(crate) fn value(op: Op, aux: u32, a: &[f64], data: Aux<'_>) -> f64 {
    use Op::*;
    if op == If {
        return if a[0].is_nan() {
            f64::NAN
        } else if is_true(a[0]) {
            a[1]
        } else {
            a[2]
        };
    }
    if swallows_nan(op) && a.iter().any(|v| v.is_nan()) {
        return f64::NAN;
    }
    let c = || data.consts[aux as usize];
    let v = match op {
        Const | Var | DefVar => unreachable!("leaves have no arguments"),
        Neg => -a[0],
        Abs => a[0].abs(),
        Floor => a[0].floor(),
        Ceil => a[0].ceil(),
        Sqrt => a[0].sqrt(),
        Exp => a[0].exp(),
        Log => a[0].ln(),
        Log10 => a[0].log10(),
        Sin => a[0].sin(),
        Cos => a[0].cos(),
        Tan => a[0].tan(),
        Sinh => a[0].sinh(),
        Cosh => a[0].cosh(),
        Tanh => a[0].tanh(),
        Asin => a[0].asin(),
        Acos => a[0].acos(),
        Atan => a[0].atan(),
        Asinh => a[0].asinh(),
        Acosh => a[0].acosh(),
        Atanh => a[0].atanh(),
        Logistic => 1.0 / (1.0 + (-a[0]).exp()),
        Square => a[0] * a[0],
        PowConstExp => pow_const_exp(a[0], c()),
        PowConstBase => c().powf(a[0]),
        Not => truth(!is_true(a[0])),
        PlTerm => plterm_value(&data.plterms[aux as usize], a[0]),
        Add => a[0] + a[1],
        Sub => a[0] - a[1],
        Mul => a[0] * a[1],
        Div => a[0] / a[1],
        Rem => a[0] % a[1],
        Pow => a[0].powf(a[1]),
        Less => (a[0] - a[1]).max(0.0),
        Atan2 => a[0].atan2(a[1]),
        IntDiv => (a[0] / a[1]).trunc(),
        Precision => precision(a[0], a[1]),
        Round => round_places(a[0], a[1]),
        Trunc => trunc_places(a[0], a[1]),
        SignPow => a[0].signum() * a[0].abs().powf(a[1]),
        Lt => truth(a[0] < a[1]),
        Le => truth(a[0] <= a[1]),
        Eq => truth(a[0] == a[1]),
        Ge => truth(a[0] >= a[1]),
        Gt => truth(a[0] > a[1]),
        Ne => truth(a[0] != a[1]),
        And => truth(is_true(a[0]) && is_true(a[1])),
        Or => truth(is_true(a[0]) || is_true(a[1])),
        Iff => truth(is_true(a[0]) == is_true(a[1])),
        AtLeast => truth(a[0] <= a[1]),
        AtMost => truth(a[0] >= a[1]),
        Exactly => truth(a[0] == a[1]),
        NotAtLeast => truth(a[0] > a[1]),
        NotAtMost => truth(a[0] < a[1]),
        NotExactly => truth(a[0] != a[1]),
        If => unreachable!("handled above"),
        ImpElse => truth(if is_true(a[0]) {
            is_true(a[1])
        } else {
            is_true(a[2])
        }),
        Sum => a.iter().sum(),
        Min => a[first_extreme(a, |x, best| x < best)],
        Max => a[first_extreme(a, |x, best| x > best)],
        Count => a.iter().filter(|&&x| is_true(x)).count() as f64,
        NumberOf => a[1..].iter().filter(|&&x| x == a[0]).count() as f64,
        AllDiff => truth(!some_same(a)),
        SomeSame => truth(some_same(a)),
        AndList => truth(a.iter().all(|&x| is_true(x))),
        OrList => truth(a.iter().any(|&x| is_true(x))),
    };
    if v.is_finite() { v } else { f64::NAN }
}

/// a ^ c for a constant exponent: small integer exponents by multiplication (no
/// exp/log detour; valid for negative bases), others by `powf`.
fn pow_const_exp(a: f64, c: f64) -> f64 {
    match small_integer(c) {
        Some(k) => a.powi(k),
        None => a.powf(c),
    }
}

/// `c` as an integer exponent when it is one of modest size.
fn small_integer(c: f64) -> Option<i32> {
    (c == c.trunc() && c.abs() <= 64.0).then_some(c as i32)
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

fn some_same(a: &[f64]) -> bool {
    a.iter()
        .enumerate()
        .any(|(i, x)| a[i + 1..].iter().any(|y| y == x))
}

/// `a` rounded to `digits` significant decimal digits.
fn precision(a: f64, digits: f64) -> f64 {
    if a == 0.0 || digits < 1.0 {
        return if digits < 1.0 { f64::NAN } else { 0.0 };
    }
    let d = digits as usize;
    format!("{:.*e}", d - 1, a).parse().unwrap_or(f64::NAN)
}

/// `a` rounded to `places` decimal places, ties to even on the exact binary value.
fn round_places(a: f64, places: f64) -> f64 {
    let p = places.trunc();
    if p >= 0.0 {
        format!("{:.*}", p as usize, a).parse().unwrap_or(f64::NAN)
    } else {
        let scale = 10f64.powf(-p);
        (a / scale).round_ties_even() * scale
    }
}

/// `a` truncated toward zero to `places` decimal places.
fn trunc_places(a: f64, places: f64) -> f64 {
    let p = places.trunc();
    if p == 0.0 {
        a.trunc()
    } else {
        (a * 10f64.powf(p)).trunc() * 10f64.powf(-p)
    }
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

/// The continuous piecewise-linear function with f(0) = 0.
fn plterm_value(t: &PlTerm, x: f64) -> f64 {
    let (lo, hi) = if x >= 0.0 { (0.0, x) } else { (x, 0.0) };
    let mut integral = 0.0;
    for (k, &s) in t.slopes.iter().enumerate() {
        let left = if k == 0 {
            f64::NEG_INFINITY
        } else {
            t.breakpoints[k - 1]
        };
        let right = t.breakpoints.get(k).copied().unwrap_or(f64::INFINITY);
        let width = hi.min(right) - lo.max(left);
        if width > 0.0 {
            integral += s * width;
        }
    }
    if x >= 0.0 { integral } else { -integral }
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
    if c == 0.0 {
        unary(0.0, 0.0)
    } else if c == 1.0 {
        unary(1.0, 0.0)
    } else if c == 2.0 {
        unary(2.0 * x, 2.0)
    } else if let Some(k) = small_integer(c) {
        let p2 = x.powi(k - 2);
        unary(c * p2 * x, c * (c - 1.0) * p2)
    } else {
        unary(c * x.powf(c - 1.0), c * (c - 1.0) * x.powf(c - 2.0))
    }
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
