//! Ridge terms: terms `g(aᵀx)` of a piece that depend on the variables through one
//! affine form only, such as curly10's `Q (Q (Q² − 20) − 0.1)` with `Q` a defined
//! variable summing a window of eleven variables.
//!
//! Their Hessian is `g''(t) a aᵀ`. Edge pushing would eliminate such a term
//! operation by operation and then push the dense row of `W` it leaves on the affine
//! form through the form's sum, searching the pattern per entry. Here `g''` is
//! propagated forward along the term from its affine leaves, a leaf `s aᵀx + b`
//! having the tangent `s` and no curvature, and `w g'' a aᵀ` is added into positions
//! of the Hessian found once. Where the entries of each row of `a aᵀ` are consecutive
//! in the pattern (a band, as in curly10), only the first position of each row is
//! stored.
//!
//! A term is taken when it is a whole piece or an argument of a linear operation at
//! the root of its piece, so that no entry of `W` reaches it, only its adjoint (the
//! weight `w`); its operations are consecutive slots read once each; every affine
//! subexpression read by one of its nonlinear operations (a variable, an affine
//! defined variable, a sum or scaling of them) has the same linear part up to a
//! constant factor; it has a second derivative; and it is not a univariate chain,
//! which [`super::chains`] eliminates.

use super::chains::Chains;
use super::derivatives::local_at;
use super::edge_push::Pattern;
use super::ops::{Local, hessian_pattern};
use super::program::{Piece, Program, SlotSet};
use crate::counting_sort::group_by_key;
use crate::nl::tape::Op;
use std::ops::Range;

/// Longest affine form taken: its block `a aᵀ` has `MAX_LEN (MAX_LEN + 1) / 2`
/// entries. Longer forms (a dense row) are left to edge pushing.
const MAX_LEN: usize = 256;

/// Defined variables read through defined variables deeper than this are not
/// expanded into affine forms.
const MAX_DEPTH: usize = 8;

/// Most argument reads spent expanding defined variables for one term, so that a
/// large defined variable read by many terms, or defined variables that read each
/// other many times over, are not expanded at a cost beyond the terms' sizes.
const EXPANSION_BUDGET: usize = 8 * MAX_LEN;

/// Sparse linear part of an affine form: variables increasing, no zero coefficient.
type Linear = Vec<(u32, f64)>;

/// What a slot is as a function of the variables.
#[derive(Clone)]
enum Form {
    /// No derivative; its value when known at build time.
    Constant(Option<f64>),
    Affine(Linear),
    /// The operation at this index of the term's propagated operations.
    Nonlinear(u32),
}

/// Where a propagated operation's argument takes its tangents `(t', t'')` from.
#[derive(Clone, Copy)]
enum Source {
    /// No derivative.
    Zero,
    /// An affine leaf `s aᵀx + b`: tangents `(s, 0)`.
    Leaf(f64),
    /// The propagated operation at this index of the term.
    Op(u32),
}

/// One ridge term.
struct Ridge {
    /// Operation indices to propagate, in topological order; the last is the top.
    ops: Range<usize>,
    /// Sources of their arguments, in the order of the operations and arguments.
    sources: Range<usize>,
    /// The coefficients of `a`, or empty when all of them are 1.
    coef: Range<usize>,
    /// Length of `a`.
    len: usize,
    /// Hessian positions: with `prefix`, one per row `i` of `a aᵀ` (its entries
    /// `j ≤ i` follow it); otherwise one per entry, row after row.
    pos: Range<usize>,
    prefix: bool,
}

/// The ridge terms of a program, by decreasing top slot (the order of the reverse
/// sweep).
pub(crate) struct Ridges {
    /// Slot of each ridge's top operation.
    pub top: Vec<u32>,
    ridges: Vec<Ridge>,
    ops: Vec<u32>,
    sources: Vec<Source>,
    coef: Vec<f64>,
    pos: Vec<u32>,
    /// Every operation slot of a ridge term, tops included.
    pub slots: SlotSet,
}

/// A ridge found before the Hessian's pattern is known: its propagated operations
/// and their sources, the variables and coefficients of `a`.
struct Found {
    top: u32,
    ops: Vec<u32>,
    sources: Vec<Source>,
    a: Linear,
}

impl Ridges {
    /// Finds the ridge terms of `pieces` (the pieces that edge pushing handles).
    pub fn find(prog: &Program, pieces: &[&Piece]) -> Ridges {
        let uses = prog.use_counts();
        let mut found = Vec::new();
        for p in pieces {
            let Some(root) = local_op(prog, p, p.root) else {
                continue;
            };
            let linear_root = matches!(prog.op[root], Op::Sum | Op::Add | Op::Sub | Op::Neg);
            let tops = if linear_root {
                prog.args_of(root)
            } else {
                std::slice::from_ref(&p.root)
            };
            for &t in tops {
                if local_op(prog, p, t).is_some()
                    && prog.active[t as usize]
                    && !Chains::is_chain(prog, &uses, p, t)
                    && let Some(r) = recognize(prog, p, &uses, t)
                {
                    found.push(r);
                }
            }
        }
        found.sort_unstable_by_key(|r| std::cmp::Reverse(r.top));
        let mut ridges = Ridges {
            top: Vec::with_capacity(found.len()),
            ridges: Vec::with_capacity(found.len()),
            ops: Vec::new(),
            sources: Vec::new(),
            coef: Vec::new(),
            pos: Vec::new(),
            slots: SlotSet::new(prog.n_slots()),
        };
        for r in found {
            let first = r.ops[0] as usize;
            for k in first..=r.ops.last().copied().unwrap_or_default() as usize {
                ridges.slots.insert(prog.op_base + k);
            }
            let unit = r.a.iter().all(|&(_, c)| c == 1.0);
            let coef = ridges.coef.len()..ridges.coef.len() + if unit { 0 } else { r.a.len() };
            ridges
                .coef
                .extend(r.a.iter().map(|t| t.1).filter(|_| !unit));
            // The variables of `a` wait in `pos` until `place` turns them into
            // positions.
            let pos = ridges.pos.len()..ridges.pos.len() + r.a.len();
            ridges.pos.extend(r.a.iter().map(|t| t.0));
            ridges.top.push(r.top);
            ridges.ridges.push(Ridge {
                ops: ridges.ops.len()..ridges.ops.len() + r.ops.len(),
                sources: ridges.sources.len()..ridges.sources.len() + r.sources.len(),
                coef,
                len: r.a.len(),
                pos,
                prefix: false,
            });
            ridges.ops.extend(r.ops);
            ridges.sources.extend(r.sources);
        }
        ridges.ops.shrink_to_fit();
        ridges.sources.shrink_to_fit();
        ridges.coef.shrink_to_fit();
        ridges.pos.shrink_to_fit();
        ridges
    }

    /// The Hessian entries `(row, col)`, row ≥ col, of the ridges' blocks `a aᵀ`,
    /// each once (`n_var` variables). Overlapping blocks (a band of windows) share
    /// most of their entries: row by row, a stamp per column keeps the first, instead
    /// of the pattern sorting every block's copy out of its rows.
    pub fn entries(&self, n_var: usize) -> Vec<(u32, u32)> {
        // Row `v[i]` of a block with the variables `v` (ascending) holds `v[..=i]`:
        // the (ridge, i) of each row, in compressed rows.
        let blocks = self.ridges.iter().enumerate().flat_map(|(r, ridge)| {
            (self.pos[ridge.pos.clone()].iter().enumerate())
                .map(move |(i, &v)| (v as usize, (r as u32, i as u32)))
        });
        let (start, rows) = group_by_key(n_var, blocks);
        let mut stamp = vec![u32::MAX; n_var];
        let mut out = Vec::new();
        for row in 0..n_var {
            for &(r, i) in &rows[start[row]..start[row + 1]] {
                let vars = &self.pos[self.ridges[r as usize].pos.clone()];
                for &c in &vars[..=i as usize] {
                    if stamp[c as usize] != row as u32 {
                        stamp[c as usize] = row as u32;
                        out.push((row as u32, c));
                    }
                }
            }
        }
        out
    }

    /// Replaces the variables of each `a` by the positions of its block in the
    /// Hessian pattern `hess`, which contains [`Self::entries`].
    pub fn place(&mut self, hess: &Pattern) {
        let vars = std::mem::take(&mut self.pos);
        for r in &mut self.ridges {
            let v = &vars[r.pos.clone()];
            let at = |i: usize, j: usize| {
                hess.position(v[i], v[j])
                    .expect("ridge entry in the pattern") as u32
            };
            let start = self.pos.len();
            // Row i holds (v_i, v_0..=v_i) at consecutive positions when its keys
            // there are exactly those variables.
            self.pos.extend((0..v.len()).map(|i| at(i, 0)));
            r.prefix = (0..v.len()).all(|i| {
                let p = self.pos[start + i] as usize;
                hess.key.get(p..=p + i) == Some(&v[..=i])
            });
            if !r.prefix {
                self.pos.truncate(start);
                for i in 0..v.len() {
                    self.pos.extend((0..=i).map(|j| at(i, j)));
                }
            }
            r.pos = start..self.pos.len();
        }
        self.pos.shrink_to_fit();
    }

    /// Adds `w g''(t) a aᵀ` of ridge `r` at the slot values `vals` into the Hessian
    /// values `h`; `tan` and `buf` are workspaces.
    pub fn add_hessian(
        &self,
        r: usize,
        w: f64,
        prog: &Program,
        vals: &[f64],
        (tan, buf): (&mut Vec<[f64; 2]>, &mut Vec<f64>),
        h: &mut [f64],
    ) {
        let ridge = &self.ridges[r];
        let s = w * self.curvature(ridge, prog, vals, tan, buf);
        let coef = &self.coef[ridge.coef.clone()];
        let pos = &self.pos[ridge.pos.clone()];
        if ridge.prefix {
            for (i, &p) in pos.iter().enumerate() {
                let row = &mut h[p as usize..=p as usize + i];
                if coef.is_empty() {
                    row.iter_mut().for_each(|e| *e += s);
                } else {
                    let si = s * coef[i];
                    row.iter_mut().zip(coef).for_each(|(e, &c)| *e += si * c);
                }
            }
        } else {
            let c = |i: usize| coef.get(i).copied().unwrap_or(1.0);
            let mut pos = pos.iter();
            for i in 0..ridge.len {
                let si = s * c(i);
                for (j, &p) in (0..=i).zip(pos.by_ref()) {
                    h[p as usize] += si * c(j);
                }
            }
        }
    }

    /// `g''(t)` of a ridge: its tangents propagated forward along its operations.
    fn curvature(
        &self,
        ridge: &Ridge,
        prog: &Program,
        vals: &[f64],
        tan: &mut Vec<[f64; 2]>,
        buf: &mut Vec<f64>,
    ) -> f64 {
        tan.clear();
        let mut next = ridge.sources.start;
        for &k in &self.ops[ridge.ops.clone()] {
            let k = k as usize;
            let args = &self.sources[next..next + prog.args_of(k).len()];
            next += args.len();
            let t = |s: &Source| match *s {
                Source::Zero => None,
                Source::Leaf(c) => Some([c, 0.0]),
                Source::Op(j) => Some(tan[j as usize]),
            };
            let out = match local_at(prog, k, vals, buf, true) {
                Local::Ones => {
                    (args.iter().filter_map(t)).fold([0.0; 2], |a, u| [a[0] + u[0], a[1] + u[1]])
                }
                Local::Pick(p) => args.get(p).and_then(t).unwrap_or([0.0; 2]),
                Local::Zero => [0.0; 2],
                Local::Dense { d, h } => {
                    let mask = hessian_pattern(prog.op[k]);
                    let u = [args.first().and_then(t), args.get(1).and_then(t)];
                    let mut out = [0.0; 2];
                    for (i, ui) in u.iter().enumerate() {
                        if let Some(ui) = ui {
                            out[0] += d[i] * ui[0];
                            out[1] += d[i] * ui[1];
                        }
                    }
                    if let (Some(u0), true) = (u[0], mask[0]) {
                        out[1] += h[0] * u0[0] * u0[0];
                    }
                    if let (Some(u0), Some(u1), true) = (u[0], u[1], mask[1]) {
                        out[1] += 2.0 * h[1] * u0[0] * u1[0];
                    }
                    if let (Some(u1), true) = (u[1], mask[2]) {
                        out[1] += h[2] * u1[0] * u1[0];
                    }
                    out
                }
            };
            tan.push(out);
        }
        tan.last().map_or(0.0, |t| t[1])
    }
}

/// The operation index of `slot` when it is an operation of piece `p`.
fn local_op(prog: &Program, p: &Piece, slot: u32) -> Option<usize> {
    (slot as usize)
        .checked_sub(prog.op_base)
        .filter(|k| p.ops.contains(k))
}

/// The ridge term of piece `p` whose top is the operation in slot `t`, if it is one.
fn recognize(prog: &Program, p: &Piece, uses: &[u8], t: u32) -> Option<Found> {
    let top = local_op(prog, p, t)?;
    // The term's operations: its subtree, which must be the consecutive operations
    // `first..=top`, each read once (the top by the root, or not at all if it is
    // the root).
    let (mut first, mut count, mut stack) = (top, 0, vec![top]);
    while let Some(k) = stack.pop() {
        if uses[prog.op_base + k] > 1 || k != top && uses[prog.op_base + k] != 1 {
            return None;
        }
        first = first.min(k);
        count += 1;
        stack.extend(prog.args_of(k).iter().filter_map(|&a| local_op(prog, p, a)));
    }
    if count != top - first + 1 {
        return None;
    }
    let mut found = Found {
        top: t,
        ops: Vec::new(),
        sources: Vec::new(),
        a: Vec::new(),
    };
    let mut forms: Vec<Form> = Vec::with_capacity(count);
    let mut args: Vec<Form> = Vec::new();
    let mut budget = EXPANSION_BUDGET;
    // Sources that are affine leaves, with their linear parts.
    let mut leaves: Vec<(usize, Linear)> = Vec::new();
    let mut second = false;
    for k in first..=top {
        args.clear();
        for &a in prog.args_of(k) {
            args.push(match (a as usize).checked_sub(prog.op_base + first) {
                Some(i) if i < forms.len() => {
                    std::mem::replace(&mut forms[i], Form::Constant(None))
                }
                _ => slot_form(prog, a, MAX_DEPTH, &mut budget)?,
            });
        }
        let mut form = op_form(prog, k, &args);
        if let Form::Nonlinear(j) = &mut form {
            *j = found.ops.len() as u32;
            found.ops.push(k as u32);
            second |= hessian_pattern(prog.op[k]) != [false; 3];
            for f in args.drain(..) {
                found.sources.push(match f {
                    Form::Constant(_) => Source::Zero,
                    Form::Nonlinear(j) => Source::Op(j),
                    Form::Affine(lin) => {
                        leaves.push((found.sources.len(), lin));
                        Source::Leaf(0.0)
                    }
                });
            }
        }
        forms.push(form);
    }
    // The top must be nonlinear with a second derivative, the leaves proportional.
    if !matches!(forms.last(), Some(Form::Nonlinear(_))) || !second {
        return None;
    }
    let a = leaves.first()?.1.clone();
    if a.len() > MAX_LEN {
        return None;
    }
    for (i, lin) in &leaves {
        let s = lin[0].1 / a[0].1;
        let same =
            lin.len() == a.len() && (lin.iter().zip(&a)).all(|(l, b)| l.0 == b.0 && l.1 == s * b.1);
        if !same {
            return None;
        }
        found.sources[*i] = Source::Leaf(s);
    }
    found.a = a;
    Some(found)
}

/// The form of a slot outside the operations being classified: a variable, a
/// constant, or a defined variable that is affine (expanded through up to `depth`
/// levels of defined variables, each expansion taking one plus its argument reads
/// from `budget`); `None` for any other, or when the budget runs out.
fn slot_form(prog: &Program, slot: u32, depth: usize, budget: &mut usize) -> Option<Form> {
    let s = slot as usize;
    if s < prog.n_var {
        return Some(Form::Affine(vec![(slot, 1.0)]));
    }
    if s < prog.op_base {
        return Some(Form::Constant(Some(prog.init[s])));
    }
    if !prog.active[s] {
        return Some(Form::Constant(None));
    }
    let d = prog.def_of_slot[s];
    if d == u32::MAX || depth == 0 {
        return None;
    }
    let p = &prog.defined[d as usize];
    let reads = prog.arg_start[p.ops.end] - prog.arg_start[p.ops.start];
    *budget = budget.checked_sub(1 + reads)?;
    let mut forms: Vec<Form> = Vec::with_capacity(p.ops.len());
    let mut args: Vec<Form> = Vec::new();
    for k in p.ops.clone() {
        args.clear();
        for &a in prog.args_of(k) {
            args.push(match local_op(prog, p, a) {
                Some(i) => forms[i - p.ops.start].clone(),
                None => slot_form(prog, a, depth - 1, budget)?,
            });
        }
        match op_form(prog, k, &args) {
            Form::Nonlinear(_) => return None,
            f => forms.push(f),
        }
    }
    local_op(prog, p, p.root).map_or_else(
        || slot_form(prog, p.root, depth - 1, budget),
        |i| Some(forms.swap_remove(i - p.ops.start)),
    )
}

/// The form of operation `k` whose arguments have the forms `args`: affine when it
/// is a sum, difference, negation or constant multiple of affine forms and
/// constants; `Nonlinear` (index to be assigned) when it has a derivative otherwise.
fn op_form(prog: &Program, k: usize, args: &[Form]) -> Form {
    if !prog.active[prog.op_base + k] {
        return Form::Constant(None);
    }
    let affine = |parts: &mut dyn Iterator<Item = (&Form, f64)>| {
        let mut lin: Linear = Vec::new();
        for (f, s) in parts {
            match f {
                Form::Constant(_) => {}
                Form::Affine(l) => lin.extend(l.iter().map(|&(j, c)| (j, s * c))),
                Form::Nonlinear(_) => return Form::Nonlinear(0),
            }
        }
        merge(lin)
    };
    match (prog.op[k], args) {
        (Op::Sum | Op::Add, _) => affine(&mut args.iter().map(|f| (f, 1.0))),
        (Op::Sub, [a, b]) => affine(&mut [(a, 1.0), (b, -1.0)].into_iter()),
        (Op::Neg, [a]) => affine(&mut std::iter::once((a, -1.0))),
        (Op::Mul, [Form::Constant(Some(c)), a @ Form::Affine(_)])
        | (Op::Mul, [a @ Form::Affine(_), Form::Constant(Some(c))]) => {
            affine(&mut std::iter::once((a, *c)))
        }
        (Op::Div, [a @ Form::Affine(_), Form::Constant(Some(c))]) if *c != 0.0 => {
            affine(&mut std::iter::once((a, 1.0 / *c)))
        }
        _ => Form::Nonlinear(0),
    }
}

/// `lin` sorted by variable with the coefficients of each variable summed and zeros
/// dropped; a constant when nothing is left.
fn merge(mut lin: Linear) -> Form {
    lin.sort_by_key(|t| t.0);
    let mut out: Linear = Vec::with_capacity(lin.len());
    for (j, c) in lin {
        match out.last_mut() {
            Some(last) if last.0 == j => last.1 += c,
            _ => out.push((j, c)),
        }
    }
    out.retain(|t| t.1 != 0.0);
    if out.is_empty() {
        Form::Constant(None)
    } else {
        Form::Affine(out)
    }
}
