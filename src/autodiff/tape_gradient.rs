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
use crate::nl::tape::{Op, Piece};

/// Reverse-mode first derivatives of one model, straight from its tape.
pub struct TapeGradient<'m> {
    model: &'m Model,
    eval: Evaluator<'m>,
    ws: Workspace,
    /// Per node: whether its value depends on the variables.
    varies: Vec<bool>,
    /// Per node: adjoint during a sweep, zero between sweeps.
    adj: Vec<f64>,
    /// Per defined variable: adjoint received from the function being swept.
    def_adj: Vec<f64>,
    /// Defined variables with a pending adjoint, highest index first (a defined variable
    /// reads only lower ones, so this order finishes each before its inputs).
    pending: BinaryHeap<u32>,
    /// Dense gradient of the function being swept, and which entries it touched.
    acc: Vec<f64>,
    touched: Vec<u32>,
    in_touched: Vec<bool>,
    args: Vec<f64>,
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
        for (defines, piece) in pieces {
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
            varies,
            adj: vec![0.0; tape.nodes.len()],
            def_adj: vec![0.0; tape.defined.len()],
            pending: BinaryHeap::new(),
            acc: vec![0.0; model.n_var],
            touched: Vec::new(),
            in_touched: vec![false; model.n_var],
            args: Vec::new(),
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
        if let Some(piece) = model.tape.objectives.first() {
            self.gradient_of(piece, &model.gradient, 0);
            for j in self.touched.drain(..) {
                let j = j as usize;
                out.gradient[j] = std::mem::take(&mut self.acc[j]);
                self.in_touched[j] = false;
            }
            if let Some(j) = out.gradient.iter().position(|g| !g.is_finite()) {
                return Err(GradientError::Derivative(NonFiniteDerivative {
                    constraint: None,
                    variable: j,
                }));
            }
        }

        out.jacobian_rows.clear();
        out.jacobian_cols.clear();
        out.jacobian_values.clear();
        for (i, piece) in model.tape.constraints.iter().enumerate() {
            self.gradient_of(piece, &model.jacobian, i);
            for j in self.touched.drain(..) {
                let v = std::mem::take(&mut self.acc[j as usize]);
                self.in_touched[j as usize] = false;
                if !v.is_finite() {
                    return Err(GradientError::Derivative(NonFiniteDerivative {
                        constraint: Some(i),
                        variable: j as usize,
                    }));
                }
                out.jacobian_rows.push(i as u32);
                out.jacobian_cols.push(j);
                out.jacobian_values.push(v);
            }
        }
        Ok(())
    }

    /// Adds the gradient of function `row` of `linear` plus `piece` into `acc`.
    fn gradient_of(&mut self, piece: &Piece, linear: &SparseRows, row: usize) {
        if row < linear.rows() {
            let (index, value) = linear.row(row);
            for (&j, &v) in index.iter().zip(value) {
                self.add(j, v);
            }
        }
        self.sweep(piece, 1.0);
        let model = self.model;
        while let Some(d) = self.pending.pop() {
            let a = std::mem::take(&mut self.def_adj[d as usize]);
            self.sweep(&model.tape.defined[d as usize], a);
        }
    }

    fn add(&mut self, j: u32, v: f64) {
        let j = j as usize;
        if !self.in_touched[j] {
            self.in_touched[j] = true;
            self.touched.push(j as u32);
        }
        self.acc[j] += v;
    }

    /// Propagates `seed` at the root of `piece` to its leaves: variables into `acc`,
    /// defined variables into `def_adj` (and `pending`). Leaves `adj` zero.
    fn sweep(&mut self, piece: &Piece, seed: f64) {
        let Some(root) = piece.root() else {
            return;
        };
        let model = self.model;
        let tape = &model.tape;
        if !self.varies[root as usize] || seed == 0.0 {
            return;
        }
        let data = Aux {
            consts: &tape.consts,
            plterms: &tape.plterms,
        };
        self.adj[root as usize] = seed;
        for id in piece.nodes.clone().rev() {
            let a = std::mem::take(&mut self.adj[id as usize]);
            if a == 0.0 {
                continue;
            }
            let node = &tape.nodes[id as usize];
            match node.op {
                Op::Var => self.add(node.aux, a),
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
                    let local = if op == Op::Sum {
                        Local::Ones
                    } else {
                        self.args.clear();
                        self.args
                            .extend(args.iter().map(|&k| self.ws.values[k as usize]));
                        let varies = [
                            self.varies[args[0] as usize],
                            args.get(1).is_some_and(|&k| self.varies[k as usize]),
                        ];
                        let v = self.ws.values[id as usize];
                        ops::local(op, node.aux, &self.args, v, varies, false, data)
                    };
                    let mut push = |pos: usize, d: f64| {
                        let k = args[pos] as usize;
                        if carries(op, pos) && self.varies[k] {
                            self.adj[k] += a * d;
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
