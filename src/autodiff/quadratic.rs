//! Recognition of constraint and objective pieces that are polynomials of degree at
//! most two in the variables. Their Hessian is a constant matrix, found once from
//! the tape; the Lagrangian Hessian then adds `y_i Q_i` from those coefficients
//! instead of sweeping the piece at every point. Values and gradients still come
//! from the tape: expanding a square such as (x − 1000)² into coefficients would
//! lose the accuracy the factored form has.

use super::program::{Piece, Program};
use crate::nl::tape::Op;

/// Largest number of Hessian terms one product may create: beyond it the piece is
/// left to edge pushing (which handles dense products just as well).
const MAX_TERMS: usize = 1 << 20;

/// A polynomial of degree ≤ 2: constant, linear terms (not merged), Hessian terms
/// `(row, col, value)` with row ≥ col (not merged).
#[derive(Clone, Default)]
struct Poly {
    c: f64,
    lin: Vec<(u32, f64)>,
    quad: Vec<(u32, u32, f64)>,
}

impl Poly {
    fn degree(&self) -> u8 {
        if !self.quad.is_empty() {
            2
        } else if !self.lin.is_empty() {
            1
        } else {
            0
        }
    }

    fn scale(mut self, s: f64) -> Poly {
        self.c *= s;
        self.lin.iter_mut().for_each(|t| t.1 *= s);
        self.quad.iter_mut().for_each(|t| t.2 *= s);
        self
    }

    fn add(mut self, other: Poly) -> Poly {
        self.c += other.c;
        self.lin.extend(other.lin);
        self.quad.extend(other.quad);
        self
    }

    fn merged_lin(mut self) -> Poly {
        self.lin.sort_unstable_by_key(|t| t.0);
        let mut out: Vec<(u32, f64)> = Vec::with_capacity(self.lin.len());
        for (j, v) in self.lin.drain(..) {
            match out.last_mut() {
                Some(last) if last.0 == j => last.1 += v,
                _ => out.push((j, v)),
            }
        }
        self.lin = out;
        self
    }

    fn mul(a: Poly, b: Poly) -> Option<Poly> {
        if a.degree() + b.degree() > 2 {
            return None;
        }
        if a.degree() == 0 {
            return Some(b.scale(a.c));
        }
        if b.degree() == 0 {
            return Some(a.scale(b.c));
        }
        let (a, b) = (a.merged_lin(), b.merged_lin());
        if a.lin.len().saturating_mul(b.lin.len()) > MAX_TERMS {
            return None;
        }
        let mut quad = Vec::with_capacity(a.lin.len() * b.lin.len());
        for &(i, ai) in &a.lin {
            for &(j, bj) in &b.lin {
                quad.push(match i.cmp(&j) {
                    std::cmp::Ordering::Equal => (i, i, 2.0 * ai * bj),
                    std::cmp::Ordering::Greater => (i, j, ai * bj),
                    std::cmp::Ordering::Less => (j, i, ai * bj),
                });
            }
        }
        let mut lin: Vec<(u32, f64)> = a.lin.iter().map(|&(j, v)| (j, v * b.c)).collect();
        lin.extend(b.lin.iter().map(|&(j, v)| (j, v * a.c)));
        Some(Poly {
            c: a.c * b.c,
            lin,
            quad,
        })
    }
}

/// Constant Hessian entries `(row, col, value)`, row ≥ col.
pub(crate) type HessianTerms = Vec<(u32, u32, f64)>;

/// Whether piece `p` is an affine function of the variables that reads no defined
/// variable: its partials are products of constants, the same at every point.
pub(crate) fn is_affine(prog: &Program, p: &Piece) -> bool {
    constant_hessian(prog, p).is_some_and(|q| q.is_empty())
}

/// The constant Hessian `(row, col, value)`, row ≥ col, sorted and merged, of piece
/// `p` if it is a polynomial of degree ≤ 2 that reads no defined variable.
pub(crate) fn constant_hessian(prog: &Program, p: &Piece) -> Option<HessianTerms> {
    if !p.defs.is_empty() {
        return None;
    }
    let first = prog.op_base + p.ops.start;
    let local = |s: u32| (s as usize).checked_sub(first).filter(|&i| i < p.ops.len());
    let mut uses = vec![0u32; p.ops.len()];
    for k in p.ops.clone() {
        for &a in prog.args_of(k) {
            if let Some(i) = local(a) {
                uses[i] += 1;
            }
        }
    }
    let mut polys: Vec<Option<Poly>> = vec![None; p.ops.len()];
    let mut read = |s: u32, polys: &mut Vec<Option<Poly>>| -> Option<Poly> {
        let su = s as usize;
        if su < prog.n_var {
            return Some(Poly {
                lin: vec![(s, 1.0)],
                ..Poly::default()
            });
        }
        if su < prog.op_base {
            return Some(Poly {
                c: prog.init[su],
                ..Poly::default()
            });
        }
        let i = local(s)?;
        uses[i] -= 1;
        if uses[i] == 0 {
            polys[i].take()
        } else {
            polys[i].clone()
        }
    };
    for k in p.ops.clone() {
        let args = prog.args_of(k);
        let mut arg = |pos: usize| read(args[pos], &mut polys);
        let poly = match prog.op[k] {
            Op::Add => arg(0)?.add(arg(1)?),
            Op::Sub => arg(0)?.add(arg(1)?.scale(-1.0)),
            Op::Neg => arg(0)?.scale(-1.0),
            Op::Sum => {
                let mut s = Poly::default();
                for pos in 0..args.len() {
                    s = s.add(arg(pos)?);
                }
                s
            }
            Op::Mul => Poly::mul(arg(0)?, arg(1)?)?,
            Op::Square => {
                let a = arg(0)?;
                Poly::mul(a.clone(), a)?
            }
            Op::PowConstExp if prog.consts[prog.aux[k] as usize] == 2.0 => {
                let a = arg(0)?;
                Poly::mul(a.clone(), a)?
            }
            Op::PowConstExp if prog.consts[prog.aux[k] as usize] == 1.0 => arg(0)?,
            Op::Div => {
                let (a, b) = (arg(0)?, arg(1)?);
                if b.degree() != 0 || b.c == 0.0 {
                    return None;
                }
                a.scale(1.0 / b.c)
            }
            _ => return None,
        };
        polys[k - p.ops.start] = Some(poly);
    }
    let root = local(p.root)?;
    let mut quad = polys[root].take()?.quad;
    quad.sort_unstable_by_key(|t| (t.0, t.1));
    let mut out: Vec<(u32, u32, f64)> = Vec::with_capacity(quad.len());
    for (r, c, v) in quad {
        match out.last_mut() {
            Some(last) if (last.0, last.1) == (r, c) => last.2 += v,
            _ => out.push((r, c, v)),
        }
    }
    Some(out)
}
