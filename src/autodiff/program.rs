//! The tape compiled once per model into one global program over *slots*.
//!
//! Slots `0..n_var` hold the variables, the next ones hold constants (slot `n_var`
//! is always the constant 0, the value of an empty piece), and from `op_base` on every
//! slot is one operation. Leaves disappear: an argument refers directly to the slot of
//! a variable, of a constant, or of the root of a defined variable. Operations are
//! laid out piece by piece — defined variables in index order, then constraints, then
//! objectives — so increasing slot order is a topological order of the whole model
//! and decreasing order a valid reverse sweep, in which a defined variable read by
//! many pieces is reached once, after all of its readers.

use super::error::{Function, TapeError};
use super::ops::{self, Aux, Shape};
use crate::nl::tape::{Op, Piece as TapePiece, PlTerm, Tape};
use std::ops::Range;

/// One compiled piece (a defined variable, a constraint or an objective).
#[derive(Clone, Debug)]
pub(crate) struct Piece {
    /// Operation indices (slot − `op_base`) of the piece, in topological order.
    pub ops: Range<usize>,
    /// Slot holding the piece's value.
    pub root: u32,
    /// Variables the piece reads directly with a derivative, sorted.
    pub vars: Vec<u32>,
    /// Defined variables the piece reads directly with a derivative, sorted.
    pub defs: Vec<u32>,
    /// Every variable the piece depends on with a derivative (through defined
    /// variables too), sorted.
    pub deps: Vec<u32>,
}

/// The compiled model expressions.
pub(crate) struct Program {
    pub n_var: usize,
    /// First operation slot.
    pub op_base: usize,
    pub op: Vec<Op>,
    pub aux: Vec<u32>,
    /// Tape node of each operation, whose value the reader's evaluator computes.
    pub node: Vec<u32>,
    /// Arguments of operation `k` are `args[arg_start[k]..arg_start[k + 1]]` (slots).
    pub arg_start: Vec<usize>,
    pub args: Vec<u32>,
    /// Slot values before any evaluation: constants filled in, the rest 0.
    pub init: Vec<f64>,
    /// Per slot: whether the slot's value has a derivative with respect to some
    /// variable (constants and piecewise-constant operations do not).
    pub active: Vec<bool>,
    /// Per slot: the defined variable whose root it is, or `u32::MAX`.
    pub def_of_slot: Vec<u32>,
    pub defined: Vec<Piece>,
    pub constraints: Vec<Piece>,
    pub objectives: Vec<Piece>,
    pub consts: Vec<f64>,
    pub plterms: Vec<PlTerm>,
}

/// A set of slots, one bit per slot.
pub(crate) struct SlotSet(Vec<u64>);

impl SlotSet {
    pub fn new(n_slots: usize) -> SlotSet {
        SlotSet(vec![0; n_slots.div_ceil(64)])
    }

    pub fn insert(&mut self, slot: usize) {
        self.0[slot / 64] |= 1 << (slot % 64);
    }

    #[inline]
    pub fn contains(&self, slot: usize) -> bool {
        self.0[slot / 64] >> (slot % 64) & 1 != 0
    }
}

/// The pieces of one kind and how to name one of them.
type PieceGroup<'a> = (&'a [TapePiece], fn(usize) -> Function);

/// Whether argument `pos` of `op` carries a derivative.
pub(crate) fn carries(op: Op, pos: usize) -> bool {
    match ops::shape(op) {
        Shape::All => true,
        Shape::Branches => pos >= 1,
        Shape::Flat => false,
    }
}

fn expected_arity(op: Op) -> Option<usize> {
    use Op::*;
    match op {
        Const | Var | DefVar => Some(0),
        Neg | Abs | Floor | Ceil | Sqrt | Exp | Log | Log10 | Sin | Cos | Tan | Sinh | Cosh
        | Tanh | Asin | Acos | Atan | Asinh | Acosh | Atanh | Logistic | Square | PowConstExp
        | PowConstBase | Not | PlTerm => Some(1),
        If | ImpElse => Some(3),
        Sum | Min | Max | Count | NumberOf | AllDiff | SomeSame | AndList | OrList => None,
        _ => Some(2),
    }
}

impl Program {
    pub fn n_slots(&self) -> usize {
        self.init.len()
    }

    pub fn data(&self) -> Aux<'_> {
        Aux {
            consts: &self.consts,
            plterms: &self.plterms,
        }
    }

    /// How many times each slot is read as an argument (saturating at 255).
    pub fn use_counts(&self) -> Vec<u8> {
        let mut uses = vec![0u8; self.n_slots()];
        for &a in &self.args {
            uses[a as usize] = uses[a as usize].saturating_add(1);
        }
        uses
    }

    /// Argument slots of operation `k`.
    #[inline]
    pub fn args_of(&self, k: usize) -> &[u32] {
        &self.args[self.arg_start[k]..self.arg_start[k + 1]]
    }

    /// Compiles `tape` for a model with `n_var` variables.
    pub fn compile(tape: &Tape, n_var: usize) -> Result<Program, TapeError> {
        let groups: [PieceGroup<'_>; 3] = [
            (&tape.defined, Function::Defined),
            (&tape.constraints, Function::Constraint),
            (&tape.objectives, Function::Objective),
        ];
        // Constants first, so that every operation slot comes after them.
        let mut init = vec![0.0; n_var + 1];
        let mut slot_of = vec![u32::MAX; tape.nodes.len()];
        for (pieces, func) in groups {
            for (i, p) in pieces.iter().enumerate() {
                check_range(tape, &p.nodes, func(i))?;
                for id in p.nodes.clone() {
                    let node = &tape.nodes[id as usize];
                    if node.op == Op::Const {
                        let c = tape.consts.get(node.aux as usize).copied().ok_or_else(|| {
                            TapeError {
                                function: func(i),
                                message: format!("constant {} out of range", node.aux),
                            }
                        })?;
                        slot_of[id as usize] = init.len() as u32;
                        init.push(c);
                    }
                }
            }
        }
        let op_base = init.len();
        let mut prog = Program {
            n_var,
            op_base,
            op: Vec::new(),
            aux: Vec::new(),
            node: Vec::new(),
            arg_start: vec![0],
            args: Vec::new(),
            init,
            active: Vec::new(),
            def_of_slot: Vec::new(),
            defined: Vec::new(),
            constraints: Vec::new(),
            objectives: Vec::new(),
            consts: tape.consts.clone(),
            plterms: tape.plterms.clone(),
        };
        let mut def_root: Vec<u32> = Vec::with_capacity(tape.defined.len());
        for (g, (pieces, func)) in groups.into_iter().enumerate() {
            for (i, p) in pieces.iter().enumerate() {
                let visible_defs = if g == 0 { i } else { def_root.len() };
                let piece =
                    prog.compile_piece(tape, p, func(i), &mut slot_of, &def_root[..visible_defs])?;
                match g {
                    0 => {
                        def_root.push(piece.root);
                        prog.defined.push(piece);
                    }
                    1 => prog.constraints.push(piece),
                    _ => prog.objectives.push(piece),
                }
            }
        }
        prog.finish_symbolic();
        Ok(prog)
    }

    fn compile_piece(
        &mut self,
        tape: &Tape,
        p: &TapePiece,
        func: Function,
        slot_of: &mut [u32],
        def_root: &[u32],
    ) -> Result<Piece, TapeError> {
        let err = |message: String| TapeError {
            function: func,
            message,
        };
        let first_op = self.op.len();
        for id in p.nodes.clone() {
            let node = &tape.nodes[id as usize];
            let slot = match node.op {
                Op::Const => continue,
                Op::Var => {
                    if node.aux as usize >= self.n_var {
                        return Err(err(format!("variable {} out of range", node.aux)));
                    }
                    node.aux
                }
                Op::DefVar => *def_root.get(node.aux as usize).ok_or_else(|| {
                    err(format!(
                        "defined variable {} read before it is defined",
                        node.aux
                    ))
                })?,
                op => {
                    let nargs = node.nargs as usize;
                    if expected_arity(op).is_some_and(|k| k != nargs) || nargs == 0 {
                        return Err(err(format!("{op:?} with {nargs} arguments")));
                    }
                    if (node.first_arg as usize + nargs) > tape.args.len() {
                        return Err(err(format!("arguments of node {id} out of range")));
                    }
                    let aux_ok = match op {
                        Op::PowConstExp | Op::PowConstBase => {
                            (node.aux as usize) < tape.consts.len()
                        }
                        Op::PlTerm => tape.plterms.get(node.aux as usize).is_some_and(|t| {
                            !t.slopes.is_empty() && t.breakpoints.len() + 1 == t.slopes.len()
                        }),
                        _ => true,
                    };
                    if !aux_ok {
                        return Err(err(format!("{op:?} with bad auxiliary index {}", node.aux)));
                    }
                    for &a in tape.args_of(node) {
                        if a < p.nodes.start || a >= id {
                            return Err(err(format!("node {id} reads node {a} outside its order")));
                        }
                        self.args.push(slot_of[a as usize]);
                    }
                    self.arg_start.push(self.args.len());
                    self.op.push(op);
                    self.aux.push(node.aux);
                    self.node.push(id);
                    (self.op_base + self.op.len() - 1) as u32
                }
            };
            slot_of[id as usize] = slot;
        }
        let root = p.root().map_or(self.n_var as u32, |r| slot_of[r as usize]);
        Ok(Piece {
            ops: first_op..self.op.len(),
            root,
            vars: Vec::new(),
            defs: Vec::new(),
            deps: Vec::new(),
        })
    }

    /// Activity of every slot and, per piece, the variables and defined variables it
    /// reads with a derivative.
    fn finish_symbolic(&mut self) {
        let n_slots = self.op_base + self.op.len();
        self.init.resize(n_slots, 0.0);
        self.active = vec![false; n_slots];
        self.active[..self.n_var].fill(true);
        for k in 0..self.op.len() {
            let op = self.op[k];
            let act = self
                .args_of(k)
                .iter()
                .enumerate()
                .any(|(pos, &a)| carries(op, pos) && self.active[a as usize]);
            self.active[self.op_base + k] = act;
        }
        self.def_of_slot = vec![u32::MAX; n_slots];
        for (d, p) in self.defined.iter().enumerate() {
            let r = p.root as usize;
            if r >= self.op_base && self.def_of_slot[r] == u32::MAX {
                self.def_of_slot[r] = d as u32;
            }
        }
        let mut reached = vec![false; n_slots];
        let mut mark = vec![0u32; self.n_var];
        let mut stamp = 0u32;
        let mut defined = std::mem::take(&mut self.defined);
        for d in 0..defined.len() {
            let (done, rest) = defined.split_at_mut(d);
            let p = &mut rest[0];
            self.direct_reads(p, &mut reached);
            stamp += 1;
            p.deps = union_deps(p, done, &mut mark, stamp);
        }
        self.defined = defined;
        let mut others = [
            std::mem::take(&mut self.constraints),
            std::mem::take(&mut self.objectives),
        ];
        for p in others.iter_mut().flatten() {
            self.direct_reads(p, &mut reached);
            stamp += 1;
            p.deps = union_deps(p, &self.defined, &mut mark, stamp);
        }
        let [constraints, objectives] = others;
        self.constraints = constraints;
        self.objectives = objectives;
    }

    /// Fills `p.vars` and `p.defs` by a reverse reachability sweep from the root.
    fn direct_reads(&self, p: &mut Piece, reached: &mut [bool]) {
        let mut vars = Vec::new();
        let mut defs = Vec::new();
        let visit = |s: u32, reached: &mut [bool], vars: &mut Vec<u32>, defs: &mut Vec<u32>| {
            let su = s as usize;
            if !self.active[su] {
                return;
            }
            if su < self.n_var {
                vars.push(s);
            } else if su >= self.op_base && !p.ops.contains(&(su - self.op_base)) {
                defs.push(self.def_of_slot[su]);
            } else {
                reached[su] = true;
            }
        };
        visit(p.root, reached, &mut vars, &mut defs);
        for k in p.ops.clone().rev() {
            let s = self.op_base + k;
            if !reached[s] {
                continue;
            }
            reached[s] = false;
            let op = self.op[k];
            for (pos, &a) in self.args_of(k).iter().enumerate() {
                if carries(op, pos) {
                    visit(a, reached, &mut vars, &mut defs);
                }
            }
        }
        vars.sort_unstable();
        vars.dedup();
        defs.sort_unstable();
        defs.dedup();
        p.vars = vars;
        p.defs = defs;
    }

    /// Argument values of operation `k`: in `small` for up to three arguments (the
    /// common case, no copying through the heap buffer), else in `buf`.
    #[inline]
    pub fn gather<'b>(
        &self,
        k: usize,
        vals: &[f64],
        buf: &'b mut Vec<f64>,
        small: &'b mut [f64; 3],
    ) -> &'b [f64] {
        let args = self.args_of(k);
        if args.len() <= 3 {
            for (s, &a) in small.iter_mut().zip(args) {
                *s = vals[a as usize];
            }
            &small[..args.len()]
        } else {
            buf.clear();
            buf.extend(args.iter().map(|&a| vals[a as usize]));
            buf
        }
    }
}

/// Sorted union of the variables `p` reads directly and the dependencies of the
/// defined variables it reads; `mark` holds `stamp` for variables already taken.
fn union_deps(p: &Piece, defined: &[Piece], mark: &mut [u32], stamp: u32) -> Vec<u32> {
    let mut deps = Vec::with_capacity(p.vars.len());
    let reads = p.defs.iter().flat_map(|&d| defined[d as usize].deps.iter());
    for &v in p.vars.iter().chain(reads) {
        if mark[v as usize] != stamp {
            mark[v as usize] = stamp;
            deps.push(v);
        }
    }
    deps.sort_unstable();
    deps
}

fn check_range(tape: &Tape, r: &Range<u32>, func: Function) -> Result<(), TapeError> {
    if r.start > r.end || r.end as usize > tape.nodes.len() {
        return Err(TapeError {
            function: func,
            message: format!("node range {r:?} out of range"),
        });
    }
    Ok(())
}
