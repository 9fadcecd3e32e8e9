//! Univariate chains: the terms of a sum at the root of a piece that depend on a
//! single variable through operations with one active argument each, such as
//! `(x_j + 0.5)^4` or `c · exp(x_j)`.
//!
//! Long separable sums of such terms are common objectives. Edge pushing would
//! eliminate every operation of every term, with a search of the `W` pattern per
//! entry; along a chain the second derivative instead follows from the first and
//! second partials by the chain rule, `f'' = φ''·g'² + φ'·g''` for `f = φ(g)`,
//! evaluated from the top down with the operations edge pushing would do, in its
//! order, so that the values do not change. The result goes straight into the
//! diagonal Hessian entry of the variable, whose position is found once here.
//!
//! A chain is only taken where edge pushing would find no other second-order
//! coupling: its top is an argument of a `Sum` that is the root of its piece (whose
//! row of `W` is then always empty, a sum being linear), and every operation of the
//! chain is read exactly once, by the next one up.

use super::edge_push::Pattern;
use super::ops::hessian_pattern;
use super::program::{Piece, Program, carries};
use crate::nl::tape::Op;
use std::ops::Range;

/// One step up a chain.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Step {
    /// An affine operation with a constant partial and no second derivative
    /// (adding, subtracting, negating, multiplying or dividing by a constant).
    Scale(f64),
    /// A power with a constant exponent, of the argument in slot `arg`.
    Power { arg: u32, exponent: f64 },
    /// Any other operation `k`, whose active argument is at position `pos`.
    Op { k: u32, pos: u8 },
}

/// The chains of a program, ordered by decreasing top slot (the order of the
/// reverse sweep).
pub(crate) struct Chains {
    /// Slot of the top operation of each chain.
    pub top: Vec<u32>,
    /// Chain `c` has the steps `steps[start[c]..start[c + 1]]`, bottom first.
    pub start: Vec<usize>,
    pub steps: Vec<Step>,
    /// Position of the variable's diagonal entry among the Hessian entries.
    pub pos: Vec<usize>,
    /// Bit set over slots: the operations of chains below their tops, which the
    /// reverse sweep skips.
    inner: Vec<u64>,
}

/// Operations of one chain with the position of their active argument.
type ChainOps = Vec<(u32, u8)>;

/// Whether operation `op` with `nargs` arguments has dense local derivatives of at
/// most two arguments (see [`super::ops::Local::Dense`]).
fn dense(op: Op, nargs: usize) -> bool {
    nargs <= 2 && !matches!(op, Op::Sum | Op::Min | Op::Max | Op::If) && carries(op, 0)
}

impl Chains {
    /// Finds the chains under the roots of `pieces`, the pieces that edge pushing
    /// handles; `hess` is the pattern they were swept into.
    pub fn find(prog: &Program, pieces: &[&Piece], hess: &Pattern) -> Chains {
        let mut uses = vec![0u8; prog.n_slots()];
        for &a in &prog.args {
            uses[a as usize] = uses[a as usize].saturating_add(1);
        }
        // (top slot, operations top first, diagonal position)
        let mut found: Vec<(u32, ChainOps, usize)> = Vec::new();
        for p in pieces {
            let Some(k) = (p.root as usize).checked_sub(prog.op_base) else {
                continue;
            };
            if !p.ops.contains(&k) || prog.op[k] != Op::Sum {
                continue;
            }
            for &t in prog.args_of(k) {
                if let Some((ops, var)) = Self::walk(prog, &uses, &p.ops, t) {
                    let has_second = ops
                        .iter()
                        .any(|&(k, pos)| hessian_pattern(prog.op[k as usize])[2 * pos as usize]);
                    if let Some(p) = hess.position(var, var).filter(|_| has_second) {
                        found.push((t, ops, p));
                    }
                }
            }
        }
        found.sort_unstable_by_key(|c| std::cmp::Reverse(c.0));
        found.dedup_by_key(|c| c.0);
        let mut chains = Chains {
            top: Vec::with_capacity(found.len()),
            start: vec![0],
            steps: Vec::new(),
            pos: Vec::with_capacity(found.len()),
            inner: vec![0; prog.n_slots().div_ceil(64)],
        };
        for (t, ops, p) in found {
            chains.top.push(t);
            for &(k, _) in &ops[1..] {
                let slot = prog.op_base + k as usize;
                chains.inner[slot / 64] |= 1 << (slot % 64);
            }
            for &(k, pos) in ops.iter().rev() {
                chains
                    .steps
                    .push(Self::step(prog, k as usize, pos as usize));
            }
            chains.start.push(chains.steps.len());
            chains.pos.push(p);
        }
        chains
    }

    /// Whether `slot` is an operation of a chain below its top.
    #[inline]
    pub fn is_inner(&self, slot: usize) -> bool {
        self.inner[slot / 64] >> (slot % 64) & 1 != 0
    }

    /// The step of operation `k` with active argument at `pos`.
    fn step(prog: &Program, k: usize, pos: usize) -> Step {
        let args = prog.args_of(k);
        // The value of the other argument when it is a constant slot.
        let constant = || {
            let other = args[1 - pos] as usize;
            (prog.n_var..prog.op_base)
                .contains(&other)
                .then(|| prog.init[other])
        };
        let scale = match (prog.op[k], pos) {
            (Op::Neg, _) => Some(-1.0),
            (Op::Add, _) => Some(1.0),
            (Op::Sub, 0) => Some(1.0),
            (Op::Sub, _) => Some(-1.0),
            (Op::Mul, _) => constant(),
            (Op::Div, 0) => constant().map(|c| 1.0 / c),
            _ => None,
        };
        match (scale, prog.op[k]) {
            (Some(s), _) => Step::Scale(s),
            (None, Op::Square) => Step::Power {
                arg: args[0],
                exponent: 2.0,
            },
            (None, Op::PowConstExp) => Step::Power {
                arg: args[0],
                exponent: prog.consts[prog.aux[k] as usize],
            },
            _ => Step::Op {
                k: k as u32,
                pos: pos as u8,
            },
        }
    }

    /// The chain from slot `t` down to its variable (top first), if there is one.
    fn walk(
        prog: &Program,
        uses: &[u8],
        ops_range: &Range<usize>,
        t: u32,
    ) -> Option<(ChainOps, u32)> {
        let mut ops = Vec::new();
        let mut cur = t as usize;
        loop {
            if cur < prog.n_var {
                return (!ops.is_empty()).then_some((ops, cur as u32));
            }
            let k = cur.checked_sub(prog.op_base)?;
            if !ops_range.contains(&k) {
                return None;
            }
            let args = prog.args_of(k);
            let op = prog.op[k];
            if uses[cur] != 1 || !prog.active[cur] || !dense(op, args.len()) {
                return None;
            }
            let mut active = args
                .iter()
                .enumerate()
                .filter(|&(pos, &a)| carries(op, pos) && prog.active[a as usize]);
            let (pos, &next) = active.next()?;
            if active.next().is_some() {
                return None;
            }
            ops.push((k as u32, pos as u8));
            cur = next as usize;
        }
    }
}
