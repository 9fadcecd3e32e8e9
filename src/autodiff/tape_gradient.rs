//! First derivatives at one point straight from the tape, for callers that need them once
//! (the optimality certificate) and should not pay for a solver's setup.
//!
//! [`Derivatives`](super::Derivatives) compiles the tape into a program, analyses the
//! sparsity of the Jacobian and the Hessian and stores the gradients of the defined
//! variables, all of which pays off over the many evaluations of a solve. Here the only
//! set-up is one pass over the nodes that marks which depend on the variables; each
//! function is then differentiated by a reverse sweep over its own nodes, using the
//! values the reader's evaluator left in its workspace and the local partials of
//! [`ops::local`]. A defined variable read by a function is swept through with the
//! adjoint it received, so the work per function is the size of its expression plus
//! that of the defined variables it reads.

use std::collections::BinaryHeap;

use super::ops::{self, Aux, Local};
use super::program::carries;
use crate::nl::eval::{EvalError, Evaluator, Workspace};
use crate::nl::model::{Model, SparseRows};
use crate::nl::tape::{Op, Piece, Tape};

/// Reverse-mode first derivatives of one model, straight from its tape.
pub struct TapeGradient<'m> {
    model: &'m Model,
    eval: Evaluator<'m>,
    ws: Workspace,
    sweeper: Sweeper,
    /// Per variable: the function (numbered by `mark`) whose entry `slot` holds its
    /// partial, so that a row's entries need no clearing between rows.
    stamp: Vec<u32>,
    slot: Vec<u32>,
    /// Number of the function being differentiated.
    mark: u32,
}

/// The state of the reverse sweeps, apart from where the partials go.
struct Sweeper {
    /// Per node: whether its value depends on the variables.
    varies: Vec<bool>,
    /// Per node of the piece being swept, from its first: adjoint during a sweep, zero
    /// between sweeps (a node's arguments lie in its own piece, so no more is needed).
    adj: Vec<f64>,
    /// Per defined variable: adjoint received from the function being swept.
    def_adj: Vec<f64>,
    /// Defined variables with a pending adjoint, highest index first (a defined variable
    /// reads only lower ones, so this order finishes each before its inputs).
    pending: BinaryHeap<u32>,
    /// Argument values of an operation with more than two arguments.
    args: Vec<f64>,
}

/// Where the partials of the function being swept go.
trait Partials {
    fn add(&mut self, j: u32, v: f64);
}

/// The objective's dense gradient.
struct Dense<'a>(&'a mut [f64]);

impl Partials for Dense<'_> {
    #[inline]
    fn add(&mut self, j: u32, v: f64) {
        self.0[j as usize] += v;
    }
}

/// One Jacobian row, appended to the triplets: a variable's first partial opens its
/// entry, later ones add to it.
struct Row<'a> {
    row: u32,
    mark: u32,
    stamp: &'a mut [u32],
    slot: &'a mut [u32],
    out: &'a mut FirstOrder,
}

impl Partials for Row<'_> {
    #[inline]
    fn add(&mut self, j: u32, v: f64) {
        let k = j as usize;
        if self.stamp[k] == self.mark {
            self.out.jacobian_values[self.slot[k] as usize] += v;
        } else {
            self.stamp[k] = self.mark;
            self.slot[k] = self.out.jacobian_values.len() as u32;
            self.out.jacobian_rows.push(self.row);
            self.out.jacobian_cols.push(j);
            self.out.jacobian_values.push(v);
        }
    }
}

/// A non-finite first derivative: the function and the variable.
#[derive(Clone, Debug, PartialEq)]
pub struct NonFiniteDerivative {
    /// `None` for the objective, else the constraint.
    pub constraint: Option<usize>,
    pub variable: usize,
}

/// Why the first derivatives could not be computed at a point.
#[derive(Clone, Debug, PartialEq)]
pub enum GradientError {
    /// A function value could not be evaluated (as the ASL would refuse it).
    Value(EvalError),
    /// A partial derivative is not finite (e.g. `sqrt` at 0).
    Derivative(NonFiniteDerivative),
}

impl std::fmt::Display for GradientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GradientError::Value(e) => write!(f, "{e}"),
            GradientError::Derivative(d) => match d.constraint {
                None => write!(
                    f,
                    "the objective's derivative in variable {} is not finite",
                    d.variable
                ),
                Some(i) => write!(
                    f,
                    "constraint {i}'s derivative in variable {} is not finite",
                    d.variable
                ),
            },
        }
    }
}

/// Values and first derivatives at one point: objective 0 and its dense gradient, the
/// constraint bodies and the Jacobian, row by row (linear and nonlinear parts merged).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FirstOrder {
    pub objective: f64,
    pub gradient: Vec<f64>,
    pub constraints: Vec<f64>,
    pub jacobian_rows: Vec<u32>,
    pub jacobian_cols: Vec<u32>,
    pub jacobian_values: Vec<f64>,
}

impl<'m> TapeGradient<'m> {
    pub fn new(model: &'m Model) -> TapeGradient<'m> {
        let tape = &model.tape;
        let mut varies = vec![false; tape.nodes.len()];
        let mut def_varies = vec![false; tape.defined.len()];
        let pieces = tape
            .defined
            .iter()
            .enumerate()
            .map(|(d, p)| (Some(d), p))
            .chain(tape.constraints.iter().map(|p| (None, p)))
            .chain(tape.objectives.iter().map(|p| (None, p)));
        let mut longest = 0;
        for (defines, piece) in pieces {
            longest = longest.max(piece.nodes.len());
            for id in piece.nodes.clone() {
                let node = &tape.nodes[id as usize];
                varies[id as usize] = match node.op {
                    Op::Var => true,
                    Op::Const => false,
                    Op::DefVar => def_varies.get(node.aux as usize).copied().unwrap_or(true),
                    op => tape
                        .args_of(node)
                        .iter()
                        .enumerate()
                        .any(|(pos, &a)| carries(op, pos) && varies[a as usize]),
                };
            }
            if let (Some(d), Some(root)) = (defines, piece.root()) {
                def_varies[d] = varies[root as usize];
            }
        }
        let eval = Evaluator::new(model);
        let ws = eval.workspace();
        TapeGradient {
            model,
            eval,
            ws,
            sweeper: Sweeper {
                varies,
                adj: vec![0.0; longest],
                def_adj: vec![0.0; tape.defined.len()],
                pending: BinaryHeap::new(),
                args: Vec::new(),
            },
            stamp: vec![u32::MAX; model.n_var],
            slot: vec![0; model.n_var],
            mark: 0,
        }
    }

    /// Values and first derivatives at `x` into `out` (its vectors are resized).
    pub fn evaluate(&mut self, x: &[f64], out: &mut FirstOrder) -> Result<(), GradientError> {
        let model = self.model;
        assert_eq!(x.len(), model.n_var, "point of the wrong dimension");
        self.eval.eval_defined(x, &mut self.ws);
        out.constraints.resize(model.n_con, 0.0);
        self.eval
            .constraints(x, &mut self.ws, &mut out.constraints)
            .map_err(GradientError::Value)?;
        out.objective = if model.tape.objectives.is_empty() {
            0.0
        } else {
            self.eval
                .objective(0, x, &mut self.ws)
                .map_err(GradientError::Value)?
        };

        out.gradient.clear();
        out.gradient.resize(model.n_var, 0.0);
        let tape = &model.tape;
        let values = &self.ws.values;
        if let Some(piece) = tape.objectives.first() {
            let mut dense = Dense(&mut out.gradient);
            if let Some((index, value)) = linear_row(&model.gradient, 0) {
                for (&j, &v) in index.iter().zip(value) {
                    dense.add(j, v);
                }
            }
            self.sweeper.function(tape, values, piece, &mut dense);
            if let Some(j) = out.gradient.iter().position(|g| !g.is_finite()) {
                return Err(GradientError::Derivative(NonFiniteDerivative {
                    constraint: None,
                    variable: j,
                }));
            }
        }

        // At least the linear entries; nonlinear ones extend it.
        let entries = model.jacobian.index.len();
        for v in [&mut out.jacobian_rows, &mut out.jacobian_cols] {
            v.clear();
            v.reserve(entries);
        }
        out.jacobian_values.clear();
        out.jacobian_values.reserve(entries);
        for (i, piece) in tape.constraints.iter().enumerate() {
            // The linear entries are copied as they are (a row's indices are distinct);
            // only a row whose nonlinear part varies is swept, its partials added to
            // those entries or appended.
            let start = out.jacobian_values.len();
            let (index, value) = linear_row(&model.jacobian, i).unwrap_or_default();
            out.jacobian_rows.resize(start + index.len(), i as u32);
            out.jacobian_cols.extend_from_slice(index);
            out.jacobian_values.extend_from_slice(value);
            if self.sweeper.varies(piece) {
                if self.mark == u32::MAX - 1 {
                    self.stamp.fill(u32::MAX);
                    self.mark = 0;
                }
                self.mark += 1;
                for (k, &j) in index.iter().enumerate() {
                    self.stamp[j as usize] = self.mark;
                    self.slot[j as usize] = (start + k) as u32;
                }
                let mut row = Row {
                    row: i as u32,
                    mark: self.mark,
                    stamp: &mut self.stamp,
                    slot: &mut self.slot,
                    out,
                };
                self.sweeper.function(tape, values, piece, &mut row);
            }
            if let Some(k) = out.jacobian_values[start..]
                .iter()
                .position(|v| !v.is_finite())
            {
                return Err(GradientError::Derivative(NonFiniteDerivative {
                    constraint: Some(i),
                    variable: out.jacobian_cols[start + k] as usize,
                }));
            }
        }
        Ok(())
    }
}

/// Row `i` of the linear parts `linear`, when it has one.
fn linear_row(linear: &SparseRows, i: usize) -> Option<(&[u32], &[f64])> {
    (i < linear.rows()).then(|| linear.row(i))
}

impl Sweeper {
    /// Whether the nonlinear part `piece` depends on the variables.
    fn varies(&self, piece: &Piece) -> bool {
        piece.root().is_some_and(|root| self.varies[root as usize])
    }

    /// Adds the partials of the nonlinear part `piece` of one function into `out`, with
    /// the node values `values`: a sweep of `piece`, then of each defined variable it
    /// reads, directly or not.
    fn function(&mut self, tape: &Tape, values: &[f64], piece: &Piece, out: &mut impl Partials) {
        self.sweep(tape, values, piece, 1.0, out);
        while let Some(d) = self.pending.pop() {
            let a = std::mem::take(&mut self.def_adj[d as usize]);
            self.sweep(tape, values, &tape.defined[d as usize], a, out);
        }
    }

    /// Propagates `seed` at the root of `piece` to its leaves: variables into `out`,
    /// defined variables into `def_adj` (and `pending`). Leaves `adj` zero.
    fn sweep(
        &mut self,
        tape: &Tape,
        values: &[f64],
        piece: &Piece,
        seed: f64,
        out: &mut impl Partials,
    ) {
        let Some(root) = piece.root() else {
            return;
        };
        if !self.varies[root as usize] || seed == 0.0 {
            return;
        }
        let data = Aux {
            consts: &tape.consts,
            plterms: &tape.plterms,
        };
        let first = piece.nodes.start;
        self.adj[(root - first) as usize] = seed;
        for id in piece.nodes.clone().rev() {
            let a = std::mem::take(&mut self.adj[(id - first) as usize]);
            if a == 0.0 {
                continue;
            }
            let node = &tape.nodes[id as usize];
            match node.op {
                Op::Var => out.add(node.aux, a),
                Op::Const => {}
                Op::DefVar => {
                    let d = node.aux as usize;
                    if self.def_adj[d] == 0.0 {
                        self.pending.push(node.aux);
                    }
                    self.def_adj[d] += a;
                }
                op => {
                    let args = tape.args_of(node);
                    // The commonest operations' first partials without the call (the
                    // same values `ops::local` gives).
                    let local = match op {
                        Op::Sum | Op::Add => Local::Ones,
                        Op::Sub => Local::Dense {
                            d: [1.0, -1.0],
                            h: [0.0; 3],
                        },
                        Op::Neg => Local::Dense {
                            d: [-1.0, 0.0],
                            h: [0.0; 3],
                        },
                        Op::Mul => Local::Dense {
                            d: [values[args[1] as usize], values[args[0] as usize]],
                            h: [0.0; 3],
                        },
                        _ => {
                            let varies = [
                                self.varies[args[0] as usize],
                                args.get(1).is_some_and(|&k| self.varies[k as usize]),
                            ];
                            let v = values[id as usize];
                            let pair;
                            let arg_values: &[f64] = if args.len() <= 2 {
                                pair = [
                                    values[args[0] as usize],
                                    args.get(1).map_or(0.0, |&k| values[k as usize]),
                                ];
                                &pair[..args.len()]
                            } else {
                                self.args.clear();
                                self.args.extend(args.iter().map(|&k| values[k as usize]));
                                &self.args
                            };
                            ops::local(op, node.aux, arg_values, v, varies, false, data)
                        }
                    };
                    let mut push = |pos: usize, d: f64| {
                        let k = args[pos] as usize;
                        if carries(op, pos) && self.varies[k] {
                            self.adj[k - first as usize] += a * d;
                        }
                    };
                    match local {
                        Local::Ones => (0..args.len()).for_each(|pos| push(pos, 1.0)),
                        Local::Pick(pos) => push(pos, 1.0),
                        Local::Dense { d, .. } => {
                            (0..args.len().min(2)).for_each(|pos| push(pos, d[pos]))
                        }
                        Local::Zero => {}
                    }
                }
            }
        }
    }
}
