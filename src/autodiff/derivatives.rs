//! [`Derivatives`]: values, gradient, sparse Jacobian and sparse Lagrangian Hessian
//! of a model, with all sparsity structures fixed when the object is built.
//!
//! Gradient and Jacobian rows come from one reverse sweep per piece. A defined
//! variable's gradient with respect to the variables is computed once per point and
//! then combined into every reader, so shared defined variables are differentiated
//! once. Linear parts come from the model's `J`/`G` segments and are not
//! differentiated. The Hessian comes from edge pushing ([`super::edge_push`]).

use super::chains::{Chains, Step};
use super::edge_push::{self, Partial, Pattern, Row, ValueEdges};
use super::error::{EvalError, Failure, Function, TapeError};
use super::ops::{self, Local};
use super::program::{Piece, Program, carries};
use super::quadratic;
use super::ridge::Ridges;
use crate::nl::eval::{Evaluator, OpError, Workspace as EvalWorkspace, apply};
use crate::nl::model::Model;
use crate::nl::tape::Op;
use std::ops::Range;

/// Fixed sparsity structure of the Jacobian, row by row with increasing columns: the
/// union of the `J` segment entries and the variables the row's expression depends on.
struct JacobianPattern {
    /// Row `i` has entries `start[i]..start[i + 1]`.
    start: Vec<usize>,
    rows: Vec<u32>,
    cols: Vec<u32>,
    /// Linear coefficient of each entry (0 where the variable is only nonlinear).
    lin: Vec<f64>,
    /// The rows whose values are not just their linear coefficients, increasing: a
    /// nonlinear part depends on the variables, or a coefficient is not finite (an
    /// error the row's sweep reports).
    swept_rows: Vec<u32>,
}

/// A piece whose Hessian is constant (degree ≤ 2): its entries' positions in the
/// Hessian and their values, added with the piece's multiplier.
struct ConstantHessian {
    /// Constraint index, or `None` for the objective.
    constraint: Option<usize>,
    pos: Vec<u32>,
    val: Vec<f64>,
}

/// Reusable storage of the numeric phase, sized once.
struct Workspace {
    /// Point of the current slot values.
    x: Vec<f64>,
    /// Slot values at `x`, valid when `have_values`.
    vals: Vec<f64>,
    have_values: bool,
    /// Gradients of the defined variables at `x` over their dependencies, valid when
    /// `have_defgrads`.
    defgrad: Vec<f64>,
    have_defgrads: bool,
    /// Whether `defgrad` holds the constant gradients of the affine defined
    /// variables (computed at the first point, kept for all others).
    have_affine_defgrads: bool,
    /// Argument values of one operation.
    buf: Vec<f64>,
    /// Sorting space of the value of `AllDiff`/`SomeSame`.
    scratch: Vec<f64>,
    /// Adjoints per slot; all zero between sweeps.
    adj: Vec<f64>,
    /// Dense accumulator per variable; all zero between uses.
    acc: Vec<f64>,
    /// Partials of one operation.
    partials: Vec<Partial>,
    /// Partials of the steps of one univariate chain.
    chain_d: Vec<f64>,
    /// First and second tangents of the operations of one ridge term.
    tangents: Vec<[f64; 2]>,
    /// Values of the edge-pushing matrix.
    w: Vec<f64>,
    /// Evaluation error of each constraint and of the objective at `x`.
    constraint_error: Vec<Option<OpError>>,
    /// The first constraint with an evaluation error at `x`.
    first_constraint_error: Option<usize>,
    objective_error: Option<OpError>,
}

/// Derivatives of one model. Built once (symbolic phase), then evaluated at any
/// number of points without allocating.
pub struct Derivatives<'m> {
    model: &'m Model,
    /// The reader's evaluator, which computes all values.
    eval: Evaluator<'m>,
    eval_ws: EvalWorkspace,
    prog: Program,
    n_con: usize,
    /// The objective that `objective`/`gradient` and the Hessian use.
    objective: Option<usize>,
    obj_lin_index: Vec<u32>,
    obj_lin_value: Vec<f64>,
    jac: JacobianPattern,
    /// Defined variable `d` has its gradient at `defgrad[defgrad_start[d]..]`, one
    /// value per entry of its `deps`.
    defgrad_start: Vec<usize>,
    /// The defined variables whose gradient depends on the point; the others are
    /// affine functions of the variables (their reverse sweep multiplies constants
    /// only), differentiated once.
    varying_defined: Vec<u32>,
    hess: Pattern,
    /// Terms of separable sums whose Hessian follows a single-variable chain.
    chains: Chains,
    /// Terms that are functions of one affine form, whose Hessian is a multiple of
    /// a fixed block.
    ridges: Ridges,
    /// Pieces left out of edge pushing because their Hessian is constant.
    constant_hessians: Vec<ConstantHessian>,
    /// The constraints swept by edge pushing (not in `constant_hessians`) whose
    /// nonlinear part has a derivative: index and root slot, seeded with the
    /// constraint's multiplier.
    swept_constraints: Vec<(u32, u32)>,
    /// Whether the objective is one of `constant_hessians`.
    constant_objective: bool,
    hess_rows: Vec<u32>,
    hess_cols: Vec<u32>,
    /// Slots the Hessian sweep visits, in its order: the active operations except
    /// the inner steps of chains.
    sweep: Vec<u32>,
    ws: Workspace,
}

impl<'m> Derivatives<'m> {
    /// Symbolic phase for `model`, using objective 0 (if any).
    pub fn new(model: &'m Model) -> Result<Self, TapeError> {
        Self::with_objective(model, (!model.tape.objectives.is_empty()).then_some(0))
    }

    /// Symbolic phase for `model`, using objective `objective` (`None`: no objective,
    /// a feasibility problem).
    pub fn with_objective(model: &'m Model, objective: Option<usize>) -> Result<Self, TapeError> {
        Self::build(model, objective, true)
    }

    /// Symbolic phase for values, gradient and Jacobian only, using objective 0 (if any):
    /// the Hessian's sparsity is not computed and its structure is empty. For one-off
    /// first-order evaluations (optimality certificates), where the Hessian's symbolic
    /// phase would cost more than the evaluation itself.
    pub fn first_order(model: &'m Model) -> Result<Self, TapeError> {
        Self::build(
            model,
            (!model.tape.objectives.is_empty()).then_some(0),
            false,
        )
    }

    fn build(model: &'m Model, objective: Option<usize>, hessian: bool) -> Result<Self, TapeError> {
        let n = model.n_var;
        let shape_err = |function, message: &str| TapeError {
            function,
            message: message.into(),
        };
        if model.tape.constraints.len() != model.n_con || model.jacobian.rows() != model.n_con {
            return Err(shape_err(
                Function::Constraint(0),
                "constraint count disagrees with the model",
            ));
        }
        if let Some(o) = objective.filter(|&o| o >= model.tape.objectives.len()) {
            return Err(shape_err(Function::Objective(o), "no such objective"));
        }
        for (f, rows) in [
            (Function::Constraint(0), &model.jacobian),
            (Function::Objective(0), &model.gradient),
        ] {
            if rows.index.iter().any(|&j| j as usize >= n) || rows.index.len() != rows.value.len() {
                return Err(shape_err(
                    f,
                    "linear part refers to a variable out of range",
                ));
            }
        }
        let prog = Program::compile(&model.tape, n)?;
        let (obj_lin_index, obj_lin_value) = match objective {
            Some(o) if o < model.gradient.rows() => {
                let (i, v) = model.gradient.row(o);
                (i.to_vec(), v.to_vec())
            }
            _ => (Vec::new(), Vec::new()),
        };
        let jac = jacobian_pattern(model, &prog);
        let mut defgrad_start = vec![0];
        for p in &prog.defined {
            defgrad_start.push(defgrad_start.last().unwrap() + p.deps.len());
        }
        let varying_defined = (prog.defined.iter().enumerate())
            .filter(|(_, p)| !quadratic::is_affine(&prog, p))
            .map(|(d, _)| d as u32)
            .collect();
        let mut found: Vec<(Option<usize>, quadratic::HessianTerms)> = Vec::new();
        let mut swept: Vec<&Piece> = Vec::new();
        let pieces = prog
            .constraints
            .iter()
            .enumerate()
            .map(|(i, p)| (Some(i), p));
        let hessian_objective = objective.filter(|_| hessian);
        let pieces = pieces.filter(|_| hessian);
        for (which, p) in pieces.chain(hessian_objective.map(|o| (None, &prog.objectives[o]))) {
            match quadratic::constant_hessian(&prog, p) {
                Some(q) => found.push((which, q)),
                None => swept.push(p),
            }
        }
        let mut ridges = Ridges::find(&prog, &swept);
        let extra = (found.iter())
            .flat_map(|(_, q)| q.iter().map(|t| (t.0, t.1)))
            .chain(ridges.entries(prog.n_var));
        let roots: Vec<u32> = swept.iter().map(|p| p.root).collect();
        let hess = Pattern::build(&prog, &roots, &ridges.slots, extra);
        ridges.place(&hess);
        let chains = Chains::find(&prog, &swept, &ridges.slots, &hess);
        let is_ridge_top = |s: usize| ridges.top.binary_search_by(|t| (s as u32).cmp(t)).is_ok();
        let sweep = (prog.op_base..prog.n_slots())
            .rev()
            .filter(|&s| {
                prog.active[s]
                    && !chains.is_inner(s)
                    && (!ridges.slots.contains(s) || is_ridge_top(s))
            })
            .map(|s| s as u32)
            .collect();
        let mut constant_constraint = vec![false; model.n_con];
        let mut constant_objective = false;
        let constant_hessians = found
            .into_iter()
            .map(|(constraint, q)| {
                match constraint {
                    Some(i) => constant_constraint[i] = true,
                    None => constant_objective = true,
                }
                let pos = q
                    .iter()
                    .map(|t| hess.position(t.0, t.1).expect("entry in the pattern") as u32)
                    .collect();
                let val = q.iter().map(|t| t.2).collect();
                ConstantHessian {
                    constraint,
                    pos,
                    val,
                }
            })
            .collect();
        let swept_constraints = (prog.constraints.iter().enumerate())
            .filter(|&(i, p)| hessian && !constant_constraint[i] && prog.active[p.root as usize])
            .map(|(i, p)| (i as u32, p.root))
            .collect();
        let nnz_h = hess.hessian_nnz(n);
        let mut hess_rows = Vec::with_capacity(nnz_h);
        for r in 0..n {
            hess_rows.extend(std::iter::repeat_n(
                r as u32,
                hess.start[r + 1] - hess.start[r],
            ));
        }
        let hess_cols = hess.key[..nnz_h].to_vec();
        let n_slots = prog.n_slots();
        let ws = Workspace {
            x: vec![0.0; n],
            vals: prog.init.clone(),
            have_values: false,
            defgrad: vec![0.0; *defgrad_start.last().unwrap()],
            have_defgrads: false,
            have_affine_defgrads: false,
            buf: Vec::new(),
            scratch: Vec::new(),
            adj: vec![0.0; n_slots],
            acc: vec![0.0; n],
            partials: Vec::new(),
            chain_d: Vec::new(),
            tangents: Vec::new(),
            w: vec![0.0; hess.key.len()],
            constraint_error: vec![None; model.n_con],
            first_constraint_error: None,
            objective_error: None,
        };
        let eval = Evaluator::new(model);
        let eval_ws = eval.workspace();
        Ok(Derivatives {
            model,
            eval,
            eval_ws,
            prog,
            n_con: model.n_con,
            objective,
            obj_lin_index,
            obj_lin_value,
            jac,
            defgrad_start,
            varying_defined,
            hess,
            chains,
            ridges,
            constant_hessians,
            swept_constraints,
            constant_objective,
            hess_rows,
            hess_cols,
            sweep,
            ws,
        })
    }

    pub fn n_var(&self) -> usize {
        self.prog.n_var
    }

    pub fn n_con(&self) -> usize {
        self.n_con
    }

    /// Row and column indices of the Jacobian entries, in the order of
    /// [`Self::jacobian_values`] (row-major, increasing columns).
    pub fn jacobian_structure(&self) -> (&[u32], &[u32]) {
        (&self.jac.rows, &self.jac.cols)
    }

    /// Row and column indices (row ≥ column) of the lower triangle of the Lagrangian
    /// Hessian, in the order of [`Self::hessian_values`].
    pub fn hessian_structure(&self) -> (&[u32], &[u32]) {
        (&self.hess_rows, &self.hess_cols)
    }

    /// Number of entries of the edge-pushing matrix over all slots: the work and
    /// memory of one Hessian evaluation are proportional to it.
    pub fn edge_pattern_size(&self) -> usize {
        self.hess.key.len()
    }

    /// Number of slots (variables, constants and operations) of the compiled program.
    pub fn slot_count(&self) -> usize {
        self.prog.n_slots()
    }

    /// Number of pieces (constraints and the objective) recognized as quadratic, whose
    /// Hessian comes from constant coefficients.
    pub fn constant_hessian_count(&self) -> usize {
        self.constant_hessians.len()
    }

    /// Number of univariate chains (operations depending on one variable through
    /// operations with one active argument each) eliminated as a whole by the chain
    /// rule instead of operation by operation.
    pub fn univariate_term_count(&self) -> usize {
        self.chains.top.len()
    }

    /// Number of ridge terms (functions of one affine form with more than one
    /// variable or read more than once) whose Hessian is added as a multiple of a
    /// fixed block instead of by edge pushing.
    pub fn ridge_term_count(&self) -> usize {
        self.ridges.top.len()
    }

    /// Total length of the stored gradients of the defined variables.
    pub fn defined_gradient_size(&self) -> usize {
        self.ws.defgrad.len()
    }

    /// Evaluates all slots at `x` unless they already hold this point.
    ///
    /// Every operation's value comes from [`apply`], the reader's one definition of
    /// it with the ASL's evaluation errors. Without if-then-else branches to skip,
    /// the compiled program is run over the slots directly (constants in place,
    /// variables and defined variables read from their slots, nothing copied);
    /// otherwise, or when a defined variable cannot be evaluated (whose error each
    /// reader must report where it reads it), the reader's evaluator runs the tape
    /// and its node values are copied into the slots.
    fn at(&mut self, x: &[f64]) {
        assert_eq!(x.len(), self.prog.n_var, "point of the wrong dimension");
        let ws = &mut self.ws;
        if ws.have_values && same_bits(&ws.x, x) {
            return;
        }
        ws.x.copy_from_slice(x);
        if self.eval.has_branches() || !self.eval_slots(x) {
            self.eval_tape(x);
        }
        let ws = &mut self.ws;
        ws.first_constraint_error = ws.constraint_error.iter().position(Option::is_some);
        ws.have_values = true;
        ws.have_defgrads = false;
    }

    /// Runs the compiled program at `x`; `false` when a defined variable fails.
    fn eval_slots(&mut self, x: &[f64]) -> bool {
        let prog = &self.prog;
        let tape = &self.model.tape;
        let ws = &mut self.ws;
        ws.vals[..x.len()].copy_from_slice(x);
        let mut run = |ops: Range<usize>| {
            for k in ops {
                let v = apply(
                    tape,
                    prog.op[k],
                    prog.aux[k],
                    prog.args_of(k),
                    &ws.vals,
                    &mut ws.scratch,
                )?;
                ws.vals[prog.op_base + k] = v;
            }
            Ok(())
        };
        if prog.defined.iter().any(|p| run(p.ops.clone()).is_err()) {
            return false;
        }
        for (err, p) in ws.constraint_error.iter_mut().zip(&prog.constraints) {
            *err = run(p.ops.clone()).err();
        }
        ws.objective_error = self
            .objective
            .and_then(|o| run(prog.objectives[o].ops.clone()).err());
        true
    }

    /// Runs the reader's evaluator on the tape at `x` and copies its node values
    /// into the slots.
    fn eval_tape(&mut self, x: &[f64]) {
        let ws = &mut self.ws;
        let tape = &self.model.tape;
        let ev = &mut self.eval_ws;
        self.eval.eval_defined(x, ev);
        for (err, p) in ws.constraint_error.iter_mut().zip(&tape.constraints) {
            *err = self.eval.eval_piece(p, x, ev).err();
        }
        ws.objective_error = self
            .objective
            .and_then(|o| self.eval.eval_piece(&tape.objectives[o], x, ev).err());
        ws.vals[..x.len()].copy_from_slice(x);
        let ops = &mut ws.vals[self.prog.op_base..];
        for (v, &node) in ops.iter_mut().zip(&self.prog.node) {
            *v = ev.values[node as usize];
        }
    }

    /// Value of piece `p` of function `f` at the current point.
    fn piece_value(&self, p: &Piece, f: Function) -> Result<f64, EvalError> {
        let err = match f {
            Function::Constraint(i) => self.ws.constraint_error[i],
            Function::Objective(_) => self.ws.objective_error,
            Function::Defined(_) => None,
        };
        match err {
            Some(e) => Err(EvalError {
                function: f,
                failure: Failure::Value(e),
            }),
            None => Ok(self.ws.vals[p.root as usize]),
        }
    }

    /// The evaluation error of the objective at the current point, if it has one.
    fn objective_error(&self) -> Result<(), EvalError> {
        match self.objective {
            Some(o) => self
                .piece_value(&self.prog.objectives[o], Function::Objective(o))
                .map(drop),
            None => Ok(()),
        }
    }

    /// The evaluation error of the first constraint that has one at the current
    /// point.
    fn constraint_error(&self) -> Result<(), EvalError> {
        match self.ws.first_constraint_error {
            Some(i) => self
                .piece_value(&self.prog.constraints[i], Function::Constraint(i))
                .map(drop),
            None => Ok(()),
        }
    }

    /// Objective value at `x` (0 without an objective).
    pub fn objective(&mut self, x: &[f64]) -> Result<f64, EvalError> {
        self.at(x);
        let Some(o) = self.objective else {
            return Ok(0.0);
        };
        let v = self.piece_value(&self.prog.objectives[o], Function::Objective(o))?;
        let lin: f64 = self
            .obj_lin_index
            .iter()
            .zip(&self.obj_lin_value)
            .map(|(&j, &c)| c * x[j as usize])
            .sum();
        Ok(v + lin)
    }

    /// Constraint bodies at `x` (nonlinear part plus linear part; bounds not
    /// subtracted).
    pub fn constraints(&mut self, x: &[f64], out: &mut [f64]) -> Result<(), EvalError> {
        self.at(x);
        for (i, p) in self.prog.constraints.iter().enumerate() {
            let v = self.piece_value(p, Function::Constraint(i))?;
            let r = self.jac.start[i]..self.jac.start[i + 1];
            let lin: f64 = self.jac.cols[r.clone()]
                .iter()
                .zip(&self.jac.lin[r])
                .map(|(&j, &c)| c * x[j as usize])
                .sum();
            out[i] = v + lin;
        }
        Ok(())
    }

    /// Dense gradient of the objective at `x`.
    pub fn gradient(&mut self, x: &[f64], out: &mut [f64]) -> Result<(), EvalError> {
        out.fill(0.0);
        let Some(o) = self.objective else {
            return Ok(());
        };
        self.at(x);
        self.objective_error()?;
        self.ensure_defgrads();
        for (&j, &c) in self.obj_lin_index.iter().zip(&self.obj_lin_value) {
            out[j as usize] += c;
        }
        let ws = &mut self.ws;
        let p = &self.prog.objectives[o];
        reverse_piece(
            &self.prog,
            p,
            &ws.vals,
            &mut ws.adj,
            out,
            &mut ws.buf,
            &ws.defgrad,
            &self.defgrad_start,
        );
        if out.iter().any(|v| !v.is_finite()) {
            return Err(self.derivative_failure(p, Function::Objective(o), false));
        }
        Ok(())
    }

    /// Jacobian values at `x` in the order of [`Self::jacobian_structure`].
    pub fn jacobian_values(&mut self, x: &[f64], out: &mut [f64]) -> Result<(), EvalError> {
        self.at(x);
        self.constraint_error()?;
        self.ensure_defgrads();
        // The other rows are their linear coefficients (`+ 0.0`, the partial of
        // their constant nonlinear part, as in the swept rows).
        for (o, &l) in out.iter_mut().zip(&self.jac.lin) {
            *o = l + 0.0;
        }
        let ws = &mut self.ws;
        for &i in &self.jac.swept_rows {
            let (i, p) = (i as usize, &self.prog.constraints[i as usize]);
            reverse_piece(
                &self.prog,
                p,
                &ws.vals,
                &mut ws.adj,
                &mut ws.acc,
                &mut ws.buf,
                &ws.defgrad,
                &self.defgrad_start,
            );
            let r = self.jac.start[i]..self.jac.start[i + 1];
            let mut finite = true;
            for k in r {
                let j = self.jac.cols[k] as usize;
                out[k] = self.jac.lin[k] + ws.acc[j];
                finite &= out[k].is_finite();
                ws.acc[j] = 0.0;
            }
            if !finite {
                return Err(self.derivative_failure(p, Function::Constraint(i), false));
            }
        }
        Ok(())
    }

    /// Lower triangle of `obj_factor ∇²f(x) + Σ y_i ∇²c_i(x)` in the order of
    /// [`Self::hessian_structure`].
    pub fn hessian_values(
        &mut self,
        x: &[f64],
        obj_factor: f64,
        y: &[f64],
        out: &mut [f64],
    ) -> Result<(), EvalError> {
        assert_eq!(y.len(), self.n_con, "multipliers of the wrong dimension");
        self.at(x);
        self.objective_error()?;
        self.constraint_error()?;
        // `w` and `adj` are all zero here: every sweep clears what it wrote.
        let ws = &mut self.ws;
        if let Some(o) = self.objective.filter(|_| !self.constant_objective) {
            let root = self.prog.objectives[o].root as usize;
            if self.prog.active[root] {
                ws.adj[root] += obj_factor;
            }
        }
        for &(i, root) in &self.swept_constraints {
            ws.adj[root as usize] += y[i as usize];
        }
        let (mut next_chain, mut next_ridge) = (0, 0);
        for i in 0..self.sweep.len() {
            let s = self.sweep[i] as usize;
            let row = self.hess.start[s]..self.hess.start[s + 1];
            let a = std::mem::take(&mut self.ws.adj[s]);
            if self.ridges.top.get(next_ridge) == Some(&(s as u32)) {
                // A ridge term: only its adjoint reaches it.
                if a != 0.0 {
                    let ws = &mut self.ws;
                    let work = (&mut ws.tangents, &mut ws.buf);
                    let r = next_ridge;
                    (self.ridges).add_hessian(r, a, &self.prog, &ws.vals, work, &mut ws.w);
                }
                next_ridge += 1;
                continue;
            }
            let is_top = self.chains.top.get(next_chain) == Some(&(s as u32));
            next_chain += usize::from(is_top);
            if a == 0.0 && self.ws.w[row.clone()].iter().all(|&v| v == 0.0) {
                continue;
            }
            if is_top && row.is_empty() {
                // A chain under a root sum: only its diagonal entry.
                let c = next_chain - 1;
                let chains = &self.chains;
                let steps = &chains.steps[chains.start[c]..chains.start[c + 1]];
                let ws = &mut self.ws;
                let m = chain_diagonal(&self.prog, steps, a, 0.0, &ws.vals, &mut ws.buf, drop);
                if let Some(w) = ws.w.get_mut(chains.pos[c]) {
                    *w += m;
                }
                continue;
            }
            self.hess_eliminate(s, a, is_top.then(|| next_chain - 1));
            if !row.is_empty() {
                self.ws.w[row].fill(0.0);
            }
        }
        let prog = &self.prog;
        // What is left: the Hessian in the variables' rows of `W`, adjoints on the
        // variables.
        let ws = &mut self.ws;
        ws.adj[..prog.n_var].fill(0.0);
        let nnz = out.len();
        out.copy_from_slice(&ws.w[..nnz]);
        ws.w[..nnz].fill(0.0);
        debug_assert!(ws.adj.iter().chain(&ws.w).all(|&v| v == 0.0));
        for q in &self.constant_hessians {
            let weight = q.constraint.map_or(obj_factor, |i| y[i]);
            for (&k, &v) in q.pos.iter().zip(&q.val) {
                out[k as usize] += weight * v;
            }
        }
        if out.iter().any(|v| !v.is_finite()) {
            return Err(self.hessian_failure());
        }
        Ok(())
    }

    /// Eliminates slot `s` (adjoint `a`, already taken) from the edge-pushing sweep:
    /// pushes its row of `W` and its adjoint to its arguments and creates its second
    /// derivatives. `chain` is the univariate chain whose top `s` is, if any.
    fn hess_eliminate(&mut self, s: usize, a: f64, chain: Option<usize>) {
        let prog = &self.prog;
        let chains = &self.chains;
        let ws = &mut self.ws;
        let row = self.hess.start[s]..self.hess.start[s + 1];
        if let Some(c) = chain {
            let steps = &chains.steps[chains.start[c]..chains.start[c + 1]];
            let (mut edges, view) = self.hess.split(&mut ws.w, s);
            let diag = eliminate_chain(
                prog,
                steps,
                (s as u32, chains.var[c]),
                a,
                view,
                &mut edges,
                &ws.vals,
                &mut ws.buf,
                &mut ws.chain_d,
            );
            debug_assert!(
                chains.pos[c] != usize::MAX || diag == 0.0,
                "diagonal missing from the pattern"
            );
            if let Some(w) = ws.w.get_mut(chains.pos[c]) {
                *w += diag;
            }
            return;
        }
        let k = s - prog.op_base;
        let op = prog.op[k];
        if row.is_empty() && ops::hessian_pattern(op) == [false; 3] {
            // Nothing to push and no second derivative to create (a sum at the
            // root of a piece): only the adjoint moves on.
            push_adjoint(prog, k, a, &ws.vals, &mut ws.adj, &mut ws.buf);
            return;
        }
        let local = local_at(prog, k, &ws.vals, &mut ws.buf, true);
        if let Local::Dense { d, h } = local {
            // One active argument (unary operations, binary ones with a constant
            // operand): no list of partials, no pairs.
            if let Some(q) = single_partial(prog, k, d) {
                let (mut edges, view) = self.hess.split(&mut ws.w, s);
                let h = (ops::hessian_pattern(op)[2 * q.pos]).then_some(h[2 * q.pos]);
                edge_push::eliminate_single(&mut edges, s as u32, view, q, a, h);
                ws.adj[q.slot as usize] += a * q.d;
                return;
            }
        }
        ws.partials.clear();
        for_each_partial(prog, k, local, |q| ws.partials.push(q));
        let (hmask, h) = match local {
            Local::Dense { h, .. } => (ops::hessian_pattern(op), h),
            _ => ([false; 3], [0.0; 3]),
        };
        let (mut edges, view) = self.hess.split(&mut ws.w, s);
        edge_push::eliminate(&mut edges, s as u32, view, &ws.partials, a, hmask, h);
        for q in &ws.partials {
            ws.adj[q.slot as usize] += a * q.d;
        }
    }

    /// Gradients of all defined variables at the current point (of those whose
    /// gradient varies, once the constant ones are known).
    fn ensure_defgrads(&mut self) {
        let ws = &mut self.ws;
        if ws.have_defgrads {
            return;
        }
        let all = 0..self.prog.defined.len() as u32;
        let which: &mut dyn Iterator<Item = u32> = if ws.have_affine_defgrads {
            &mut self.varying_defined.iter().copied()
        } else {
            &mut all.into_iter()
        };
        for d in which {
            let (d, p) = (d as usize, &self.prog.defined[d as usize]);
            let (done, rest) = ws.defgrad.split_at_mut(self.defgrad_start[d]);
            reverse_piece(
                &self.prog,
                p,
                &ws.vals,
                &mut ws.adj,
                &mut ws.acc,
                &mut ws.buf,
                done,
                &self.defgrad_start,
            );
            for (g, &j) in rest.iter_mut().zip(&p.deps) {
                *g = ws.acc[j as usize];
                ws.acc[j as usize] = 0.0;
            }
        }
        ws.have_defgrads = true;
        ws.have_affine_defgrads = true;
    }

    /// The failing derivative of function `f` (piece `p`): the first operation with
    /// a non-finite partial in `p` or in a defined variable it reads.
    fn derivative_failure(&self, p: &Piece, f: Function, second: bool) -> EvalError {
        let mut stack = vec![p];
        let mut seen = vec![false; self.prog.defined.len()];
        let mut buf = Vec::new();
        while let Some(piece) = stack.pop() {
            for k in piece.ops.clone() {
                if let Some(failure) = self.bad_partial(k, &mut buf, second) {
                    return EvalError {
                        function: f,
                        failure,
                    };
                }
            }
            for &d in &piece.defs {
                if !std::mem::replace(&mut seen[d as usize], true) {
                    stack.push(&self.prog.defined[d as usize]);
                }
            }
        }
        let root = p.root as usize;
        let op = root
            .checked_sub(self.prog.op_base)
            .map_or(Op::Var, |k| self.prog.op[k]);
        EvalError {
            function: f,
            failure: Failure::Derivative { op, args: vec![] },
        }
    }

    /// The first function whose first or second derivatives are not finite.
    fn hessian_failure(&self) -> EvalError {
        let objective = self
            .objective
            .map(|o| (&self.prog.objectives[o], Function::Objective(o)));
        let constraints = self
            .prog
            .constraints
            .iter()
            .enumerate()
            .map(|(i, p)| (p, Function::Constraint(i)));
        let mut first = None;
        for (p, f) in objective.into_iter().chain(constraints) {
            let e = self.derivative_failure(p, f, true);
            if matches!(&e.failure, Failure::Derivative { args, .. } if !args.is_empty()) {
                return e;
            }
            first.get_or_insert(e);
        }
        first.unwrap_or(EvalError {
            function: Function::Objective(0),
            failure: Failure::Derivative {
                op: Op::Var,
                args: vec![],
            },
        })
    }

    /// A failure if operation `k` has non-finite partials at the current point.
    fn bad_partial(&self, k: usize, buf: &mut Vec<f64>, second: bool) -> Option<Failure> {
        let prog = &self.prog;
        let vals = &self.ws.vals;
        if !prog.active[prog.op_base + k] {
            return None;
        }
        let local = local_at(prog, k, vals, buf, second);
        let mut bad = false;
        for_each_partial(prog, k, local, |q| bad |= !q.d.is_finite());
        if let Local::Dense { h, .. } = local {
            let mask = ops::hessian_pattern(prog.op[k]);
            bad |= second && h.iter().zip(mask).any(|(v, m)| m && !v.is_finite());
        }
        bad.then(|| {
            let args = prog
                .args_of(k)
                .iter()
                .take(2)
                .map(|&a| vals[a as usize])
                .collect();
            Failure::Derivative {
                op: prog.op[k],
                args,
            }
        })
    }
}

/// Whether `a` and `b` hold the same bits. Compares blocks without branching inside
/// them (so the comparison vectorizes), stopping at the first block that differs.
fn same_bits(a: &[f64], b: &[f64]) -> bool {
    const BLOCK: usize = 64;
    a.len() == b.len()
        && a.chunks(BLOCK).zip(b.chunks(BLOCK)).all(|(p, q)| {
            p.iter()
                .zip(q)
                .fold(0, |d, (u, v)| d | (u.to_bits() ^ v.to_bits()))
                == 0
        })
}

/// Local derivatives of operation `k` at the slot values `vals`.
pub(super) fn local_at(
    prog: &Program,
    k: usize,
    vals: &[f64],
    buf: &mut Vec<f64>,
    second: bool,
) -> Local {
    let op = prog.op[k];
    if op == Op::Sum {
        return Local::Ones;
    }
    let args = prog.args_of(k);
    let mut small = [0.0; 3];
    let values = prog.gather(k, vals, buf, &mut small);
    let varies = [
        prog.active[args[0] as usize],
        args.get(1).is_some_and(|&a| prog.active[a as usize]),
    ];
    ops::local(
        op,
        prog.aux[k],
        values,
        vals[prog.op_base + k],
        varies,
        second,
        prog.data(),
    )
}

/// Eliminates the univariate chain `steps` (bottom first) from its top slot `top`
/// down to its variable `var`, where the top has adjoint `adj` and row `row` of `W`:
/// every off-diagonal entry of the row goes to the variable's row times the chain's
/// partials, and the result is the contribution to the variable's diagonal entry.
/// Each value is computed with the same operations, in the same order, as edge
/// pushing eliminating the steps one by one: an entry is multiplied by each step's
/// partial from the top down. `chain_d` is a workspace for the partials.
#[allow(clippy::too_many_arguments)]
fn eliminate_chain(
    prog: &Program,
    steps: &[Step],
    (top, var): (u32, u32),
    adj: f64,
    row: Row<'_>,
    edges: &mut ValueEdges<'_>,
    vals: &[f64],
    buf: &mut Vec<f64>,
    chain_d: &mut Vec<f64>,
) -> f64 {
    let (row, w) = row.split_diagonal(top);
    chain_d.clear();
    let w0 = w.unwrap_or(0.0);
    let diagonal = chain_diagonal(prog, steps, adj, w0, vals, buf, |d| chain_d.push(d));
    if let Some((&last, upper)) = chain_d.split_last() {
        edge_push::push_row(edges, row, var, last, |w| {
            upper.iter().fold(w, |w, &d| d * w)
        });
    }
    diagonal
}

/// Contribution to the diagonal Hessian entry of the variable of the univariate
/// chain `steps` (bottom first) whose top has adjoint `adj` and diagonal entry `w`
/// of `W`, computed from the top down as edge pushing would: the diagonal entry of
/// each step's argument is `d² w + adj · h`. `partial` receives each step's first
/// partial `d`, from the top down.
#[inline]
fn chain_diagonal(
    prog: &Program,
    steps: &[Step],
    mut adj: f64,
    mut w: f64,
    vals: &[f64],
    buf: &mut Vec<f64>,
    mut partial: impl FnMut(f64),
) -> f64 {
    for &step in steps.iter().rev() {
        let (d, h) = match step {
            Step::Scale(d) => (d, None),
            Step::Power { arg, exponent } => {
                let (d, h) = exponent.derivatives(vals[arg as usize]);
                (d, Some(h))
            }
            Step::Op { k, pos } => {
                let (k, pos) = (k as usize, pos as usize);
                let Local::Dense { d, h } = local_at(prog, k, vals, buf, true) else {
                    unreachable!("chains hold operations with dense local derivatives")
                };
                let h = ops::hessian_pattern(prog.op[k])[2 * pos].then_some(h[2 * pos]);
                (d[pos], h)
            }
        };
        partial(d);
        let mut m = d * d * w;
        if let Some(h) = h {
            m += adj * h;
        }
        w = m;
        adj *= d;
    }
    w
}

/// The only partial of unary or binary operation `k` (first partials `d`) when
/// exactly one argument carries a derivative.
#[inline]
fn single_partial(prog: &Program, k: usize, d: [f64; 2]) -> Option<Partial> {
    let args = prog.args_of(k);
    let on = |pos: usize| args.get(pos).is_some_and(|&a| prog.active[a as usize]);
    let pos = match (on(0), on(1)) {
        (true, false) => 0,
        (false, true) => 1,
        _ => return None,
    };
    carries(prog.op[k], pos).then(|| Partial {
        slot: args[pos],
        pos,
        d: d[pos],
    })
}

/// Calls `f` for every argument of operation `k` that has a partial derivative.
fn for_each_partial(prog: &Program, k: usize, local: Local, mut f: impl FnMut(Partial)) {
    let args = prog.args_of(k);
    let mut take = |pos: usize, d: f64| {
        let slot = args[pos];
        if prog.active[slot as usize] && carries(prog.op[k], pos) {
            f(Partial { slot, pos, d });
        }
    };
    match local {
        Local::Ones => (0..args.len()).for_each(|pos| take(pos, 1.0)),
        Local::Pick(pos) => take(pos, 1.0),
        Local::Dense { d, .. } => (0..args.len().min(2)).for_each(|pos| take(pos, d[pos])),
        Local::Zero => {}
    }
}

/// Reverse sweep of piece `p` with seed 1 at its root; adds its gradient with respect
/// to the variables into `acc` (through the stored gradients `defgrad` of the defined
/// variables it reads) and leaves `adj` all zero again.
#[allow(clippy::too_many_arguments)]
fn reverse_piece(
    prog: &Program,
    p: &Piece,
    vals: &[f64],
    adj: &mut [f64],
    acc: &mut [f64],
    buf: &mut Vec<f64>,
    defgrad: &[f64],
    defgrad_start: &[usize],
) {
    if !prog.active[p.root as usize] {
        return;
    }
    adj[p.root as usize] = 1.0;
    for k in p.ops.clone().rev() {
        let s = prog.op_base + k;
        let a = std::mem::take(&mut adj[s]);
        if a == 0.0 {
            continue;
        }
        push_adjoint(prog, k, a, vals, adj, buf);
    }
    for &j in &p.vars {
        acc[j as usize] += std::mem::take(&mut adj[j as usize]);
    }
    for &d in &p.defs {
        let root = prog.defined[d as usize].root as usize;
        let a = std::mem::take(&mut adj[root]);
        if a == 0.0 {
            continue;
        }
        let g = &defgrad[defgrad_start[d as usize]..defgrad_start[d as usize + 1]];
        for (&j, &gj) in prog.defined[d as usize].deps.iter().zip(g) {
            acc[j as usize] += a * gj;
        }
    }
}

/// Adds `a` times the partials of operation `k` into the adjoints of its active
/// arguments. The common operations are written out (same arithmetic as
/// [`ops::local`], without building the local derivatives); the others go through
/// [`ops::local`].
#[inline]
fn push_adjoint(
    prog: &Program,
    k: usize,
    a: f64,
    vals: &[f64],
    adj: &mut [f64],
    buf: &mut Vec<f64>,
) {
    let args = prog.args_of(k);
    let active = &prog.active;
    let mut push = |s: u32, v: f64| {
        if active[s as usize] {
            adj[s as usize] += v;
        }
    };
    match prog.op[k] {
        Op::Sum => args.iter().for_each(|&s| push(s, a)),
        Op::Add => {
            push(args[0], a);
            push(args[1], a);
        }
        Op::Sub => {
            push(args[0], a);
            push(args[1], -a);
        }
        Op::Neg => push(args[0], -a),
        Op::Mul => {
            let (x, y) = (args[0], args[1]);
            let (vx, vy) = (vals[x as usize], vals[y as usize]);
            push(x, a * vy);
            push(y, a * vx);
        }
        Op::Square => push(args[0], a * (2.0 * vals[args[0] as usize])),
        // Powers with a constant exponent, the most common nonlinear terms: the
        // partial of `ops::local`, without its second derivative.
        Op::PowConstExp => {
            let c = prog.consts[prog.aux[k] as usize];
            push(args[0], a * ops::pow_const_exp(vals[args[0] as usize], c).0);
        }
        Op::Pow if !active[args[1] as usize] => {
            let (x, c) = (vals[args[0] as usize], vals[args[1] as usize]);
            push(args[0], a * ops::pow_const_exp(x, c).0);
        }
        _ => {
            let local = local_at(prog, k, vals, buf, false);
            for_each_partial(prog, k, local, |q| adj[q.slot as usize] += a * q.d);
        }
    }
}

/// Union of each row's `J` segment and the variables its expression depends on.
fn jacobian_pattern(model: &Model, prog: &Program) -> JacobianPattern {
    let mut pat = JacobianPattern {
        start: vec![0],
        rows: Vec::new(),
        cols: Vec::new(),
        lin: Vec::new(),
        swept_rows: Vec::new(),
    };
    for (i, p) in prog.constraints.iter().enumerate() {
        let (idx, coef) = model.jacobian.row(i);
        let (mut a, mut b) = (0, 0);
        while a < idx.len() || b < p.deps.len() {
            let ja = idx.get(a).copied().unwrap_or(u32::MAX);
            let jb = p.deps.get(b).copied().unwrap_or(u32::MAX);
            let j = ja.min(jb);
            let mut c = 0.0;
            while idx.get(a) == Some(&j) {
                c += coef[a];
                a += 1;
            }
            if jb == j {
                b += 1;
            }
            pat.rows.push(i as u32);
            pat.cols.push(j);
            pat.lin.push(c);
        }
        let row = *pat.start.last().unwrap()..pat.cols.len();
        if prog.active[p.root as usize] || pat.lin[row].iter().any(|c| !c.is_finite()) {
            pat.swept_rows.push(i as u32);
        }
        pat.start.push(pat.cols.len());
    }
    pat
}
