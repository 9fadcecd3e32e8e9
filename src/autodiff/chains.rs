//! Univariate chains: operations that depend on a single variable through
//! operations with one active argument each, such as the terms `(x_j + 0.5)^4` or
//! `c · exp(x_j)` of a sum, or `c · cos(k · acos(2 x_j − 1))` inside a square.
//!
//! Edge pushing would eliminate every operation of a chain on its own, walking the
//! row of `W` it received from above once per operation, with a search of the `W`
//! pattern per entry. Along a chain the second derivative instead follows from the
//! first and second partials by the chain rule, `f'' = φ''·g'² + φ'·g''` for
//! `f = φ(g)`, and every off-diagonal entry of the top's row reaches the variable
//! multiplied by the chain's partials: the whole chain is eliminated at its top, one
//! walk of its row. The same operations are done in the same order as edge pushing
//! would do them, so the values do not change in the last bit.
//!
//! Every operation of a chain is read exactly once, by the next one up, so no other
//! operation couples to the inner ones. A chain is taken where its operations are
//! consecutive slots, so that eliminating it at its top is the order of the sweep
//! itself and the pattern of `W` is unchanged, or where its top is an argument of a
//! `Sum` at the root of its piece (whose row of `W` is always empty, a sum being
//! linear, so nothing but the diagonal entry comes out of the chain).

use super::edge_push::Pattern;
use super::ops::{Exponent, hessian_pattern};
use super::program::{Piece, Program, SlotSet, carries};
use crate::nl::tape::Op;
use std::ops::Range;

/// One step up a chain.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Step {
    /// An affine operation with a constant partial and no second derivative
    /// (adding, subtracting, negating, multiplying or dividing by a constant).
    Scale(f64),
    /// A power with a constant exponent, of the argument in slot `arg`.
    Power { arg: u32, exponent: Exponent },
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
    /// Variable slot at the bottom of each chain.
    pub var: Vec<u32>,
    /// Position of the variable's diagonal entry among the Hessian entries, or
    /// `usize::MAX` when the Hessian has no such entry.
    pub pos: Vec<usize>,
    /// The operations of chains below their tops, which the reverse sweep skips.
    inner: SlotSet,
}

/// Operations of one chain with the position of their active argument.
type ChainOps = Vec<(u32, u8)>;

/// Whether operation `op` with `nargs` arguments has dense local derivatives of at
/// most two arguments (see [`super::ops::Local::Dense`]).
fn dense(op: Op, nargs: usize) -> bool {
    nargs <= 2 && !matches!(op, Op::Sum | Op::Min | Op::Max | Op::If) && carries(op, 0)
}

impl Chains {
    /// Finds the chains of `pieces`, the pieces that edge pushing handles, and of
    /// the defined variables, outside the slots of ridge terms (`ridges`); `hess` is
    /// the pattern they were swept into.
    pub fn find(prog: &Program, pieces: &[&Piece], ridges: &SlotSet, hess: &Pattern) -> Chains {
        let uses = prog.use_counts();
        // (top slot, operations top first, variable, diagonal position)
        let mut found: Vec<(u32, ChainOps, u32, usize)> = Vec::new();
        for p in pieces.iter().copied().chain(&prog.defined) {
            let root_sum = (p.root as usize)
                .checked_sub(prog.op_base)
                .filter(|k| p.ops.contains(k) && prog.op[*k] == Op::Sum);
            for k in p.ops.clone() {
                // An operation that can itself be a step of a chain is no chain's
                // reader: its argument's chain continues through it.
                let slot = (prog.op_base + k) as u32;
                if ridges.contains(slot as usize)
                    || slot != p.root && Self::link(prog, &uses, k).is_some()
                {
                    continue;
                }
                let op = prog.op[k];
                for (pos, &t) in prog.args_of(k).iter().enumerate() {
                    if !carries(op, pos) || ridges.contains(t as usize) {
                        continue;
                    }
                    let Some((ops, var)) = Self::walk(prog, &uses, &p.ops, t) else {
                        continue;
                    };
                    let diag = hess.position(var, var);
                    let consecutive = (ops.iter().enumerate())
                        .all(|(i, o)| o.0 as usize + i == ops[0].0 as usize);
                    let taken = if root_sum == Some(k) {
                        let has_second = ops.iter().any(|&(k, pos)| {
                            hessian_pattern(prog.op[k as usize])[2 * pos as usize]
                        });
                        has_second && diag.is_some()
                    } else {
                        consecutive && ops.len() > 1
                    };
                    if taken {
                        found.push((t, ops, var, diag.unwrap_or(usize::MAX)));
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
            var: Vec::with_capacity(found.len()),
            pos: Vec::with_capacity(found.len()),
            inner: SlotSet::new(prog.n_slots()),
        };
        for (t, ops, var, p) in found {
            chains.top.push(t);
            for &(k, _) in &ops[1..] {
                chains.inner.insert(prog.op_base + k as usize);
            }
            // Where the top's row of `W` holds no entry off its diagonal, only the
            // diagonal comes out of the chain, and a step that multiplies by one
            // changes none of its values (`1 · 1 · w` and `1 · adj` are exact): such
            // steps are left out, but for one to keep the chain.
            let diagonal_only = hess.key[hess.start[t as usize]..hess.start[t as usize + 1]]
                .iter()
                .all(|&p| p == t);
            let first = chains.steps.len();
            for &(k, pos) in ops.iter().rev() {
                let step = Self::step(prog, k as usize, pos as usize);
                if !(diagonal_only && matches!(step, Step::Scale(1.0))) {
                    chains.steps.push(step);
                }
            }
            if chains.steps.len() == first {
                chains.steps.push(Step::Scale(1.0));
            }
            chains.start.push(chains.steps.len());
            chains.var.push(var);
            chains.pos.push(p);
        }
        chains
    }

    /// Whether `slot` is an operation of a chain below its top.
    #[inline]
    pub fn is_inner(&self, slot: usize) -> bool {
        self.inner.contains(slot)
    }

    /// Whether the operation in slot `t` of piece `p` heads a univariate chain down
    /// to a variable (`uses` from [`Program::use_counts`]).
    pub fn is_chain(prog: &Program, uses: &[u8], p: &Piece, t: u32) -> bool {
        Self::walk(prog, uses, &p.ops, t).is_some()
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
                exponent: Exponent::new(2.0),
            },
            (None, Op::PowConstExp) => Step::Power {
                arg: args[0],
                exponent: Exponent::new(prog.consts[prog.aux[k] as usize]),
            },
            (None, Op::Pow) if pos == 0 && constant().is_some() => Step::Power {
                arg: args[0],
                exponent: Exponent::new(constant().expect("constant exponent")),
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
            let (pos, next) = Self::link(prog, uses, k)?;
            ops.push((k as u32, pos as u8));
            cur = next as usize;
        }
    }

    /// The position and slot of the only active argument of operation `k`, when `k`
    /// can be a step of a chain: read once, active, with dense local derivatives.
    fn link(prog: &Program, uses: &[u8], k: usize) -> Option<(usize, u32)> {
        let slot = prog.op_base + k;
        let args = prog.args_of(k);
        let op = prog.op[k];
        if uses[slot] != 1 || !prog.active[slot] || !dense(op, args.len()) {
            return None;
        }
        let mut active = args
            .iter()
            .enumerate()
            .filter(|&(pos, &a)| carries(op, pos) && prog.active[a as usize]);
        let (pos, &next) = active.next()?;
        active.next().is_none().then_some((pos, next))
    }
}
