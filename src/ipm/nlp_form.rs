//! The user's problem in the form the algorithm iterates on.
//!
//! The algorithm sees `min f̃(x)` s.t. `c̃(x) = 0`, `d̃(x) − s = 0`, `w_L ≤ w ≤ w_U` with
//! `w = (x, s)`: fixed variables removed (or turned into constraints), equalities and
//! inequalities separated, slacks added for the inequalities, bounds relaxed and all
//! functions scaled. Keeping one primal vector `w` lets bounds on variables and slacks
//! share one code path everywhere else.

use super::options::{FixedVariableTreatment, HessianApproximation, IpmOptions, NlpScalingMethod};
use super::problem::{EvalError, EvalResult, Nlp, StartingPoint};
use super::scaling;

/// Why the problem cannot be iterated on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SetupError {
    /// Lower above upper bound, or a sparsity structure indexing outside the problem.
    InconsistentBounds,
    TooFewDegreesOfFreedom,
    InvalidStartingPoint,
}

/// Where an internal constraint row comes from.
#[derive(Clone, Copy, Debug)]
enum RowSource {
    /// Constraint `i` of the user's problem.
    Constraint(usize),
    /// `x_j = value` for a fixed variable kept under `make_constraint`.
    FixedVariable { var: usize, value: f64 },
}

/// Counts of problem evaluations, as Ipopt reports them.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct EvalCounts {
    pub f: usize,
    pub grad_f: usize,
    pub g: usize,
    pub jac: usize,
    pub hess: usize,
}

/// Counts of bound kinds for the problem statistics block.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct BoundCounts {
    pub lower_only: usize,
    pub both: usize,
    pub upper_only: usize,
}

/// The internal problem; see the module documentation.
pub(crate) struct InternalNlp<'a> {
    nlp: &'a dyn Nlp,
    pub n_x: usize,
    pub m_c: usize,
    pub m_d: usize,
    free: Vec<usize>,
    fixed: Vec<usize>,
    /// The user's variables; fixed ones hold their value.
    x_full: Vec<f64>,
    rows: Vec<RowSource>,
    /// Internal equality right-hand sides (scaled), length `m_c`.
    c_rhs: Vec<f64>,
    /// Bounds of `w = (x, s)` (scaled, relaxed; infinite when absent).
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// Original bounds of `w` (scaled, not relaxed), for the bound violation.
    orig_lower: Vec<f64>,
    orig_upper: Vec<f64>,
    /// Objective scale `σ·s_f` (σ = −1 when maximizing).
    obj_scale: f64,
    /// The objective's scale without the maximize sign: divides f̃ for display.
    display_scale: f64,
    /// Per free variable: `x̃ = x_scale·x`.
    x_scale: Vec<f64>,
    /// Per internal row: `c̃ = g_scale·c`.
    g_scale: Vec<f64>,
    /// For each user Jacobian entry, its internal entry (None: column fixed).
    jac_map: Vec<Option<usize>>,
    pub jac_rows: Vec<usize>,
    pub jac_cols: Vec<usize>,
    hess_map: Vec<Option<usize>>,
    pub hess_rows: Vec<usize>,
    pub hess_cols: Vec<usize>,
    has_hessian: bool,
    g_buf: Vec<f64>,
    grad_buf: Vec<f64>,
    jac_buf: Vec<f64>,
    hess_buf: Vec<f64>,
    lambda_buf: Vec<f64>,
    pub counts: EvalCounts,
    pub x_bounds: BoundCounts,
    pub d_bounds: BoundCounts,
    /// Structural nonzeros of the user's equality / inequality Jacobian rows.
    pub nnz_jac_c: usize,
    pub nnz_jac_d: usize,
    pub start: StartingPoint,
}

fn relax(b: f64, factor: f64, cap: f64) -> f64 {
    (factor * b.abs().max(1.0)).min(cap)
}

impl<'a> InternalNlp<'a> {
    /// Builds the internal form; evaluates the user's derivatives at the start when the
    /// scaling method needs them.
    pub fn new(nlp: &'a dyn Nlp, opt: &IpmOptions) -> Result<Self, SetupError> {
        let n = nlp.num_variables();
        let m = nlp.num_constraints();
        let (mut xl, mut xu) = (vec![0.0; n], vec![0.0; n]);
        let (mut gl, mut gu) = (vec![0.0; m], vec![0.0; m]);
        nlp.variable_bounds(&mut xl, &mut xu);
        nlp.constraint_bounds(&mut gl, &mut gu);
        let (li, ui) = (opt.nlp_lower_bound_inf, opt.nlp_upper_bound_inf);
        for v in xl.iter_mut().chain(gl.iter_mut()) {
            if *v <= li {
                *v = f64::NEG_INFINITY;
            }
        }
        for v in xu.iter_mut().chain(gu.iter_mut()) {
            if *v >= ui {
                *v = f64::INFINITY;
            }
        }
        if xl
            .iter()
            .zip(&xu)
            .chain(gl.iter().zip(&gu))
            .any(|(l, u)| l > u || l.is_nan() || u.is_nan())
        {
            return Err(SetupError::InconsistentBounds);
        }
        let start = nlp.starting_point();
        if start.x.len() != n || start.x.iter().any(|v| !v.is_finite()) {
            return Err(SetupError::InvalidStartingPoint);
        }
        let remove_fixed = matches!(
            opt.fixed_variable_treatment,
            FixedVariableTreatment::MakeParameter | FixedVariableTreatment::MakeParameterNodual
        );
        let is_fixed = |j: usize| xl[j] == xu[j];
        let mut free = Vec::with_capacity(n);
        let mut fixed = Vec::new();
        let mut x_full = start.x.clone();
        for j in 0..n {
            if is_fixed(j) && remove_fixed {
                fixed.push(j);
                x_full[j] = xl[j];
            } else {
                free.push(j);
            }
        }
        let mut free_index = vec![usize::MAX; n];
        for (k, &j) in free.iter().enumerate() {
            free_index[j] = k;
        }
        // Rows: equalities first (user rows, then fixed-variable rows), then inequalities.
        let mut rows = Vec::with_capacity(m);
        for i in 0..m {
            if gl[i] == gu[i] {
                rows.push(RowSource::Constraint(i));
            }
        }
        if opt.fixed_variable_treatment == FixedVariableTreatment::MakeConstraint {
            for j in 0..n {
                if is_fixed(j) {
                    rows.push(RowSource::FixedVariable {
                        var: j,
                        value: xl[j],
                    });
                }
            }
        }
        let m_c = rows.len();
        for i in 0..m {
            if gl[i] != gu[i] {
                rows.push(RowSource::Constraint(i));
            }
        }
        let m_d = rows.len() - m_c;
        let n_x = free.len();
        if m_c > n_x {
            return Err(SetupError::TooFewDegreesOfFreedom);
        }
        let mut row_of = vec![usize::MAX; m];
        for (r, src) in rows.iter().enumerate() {
            if let RowSource::Constraint(i) = *src {
                row_of[i] = r;
            }
        }

        // Jacobian: user entries in non-fixed columns, fixed-variable rows, slack entries.
        let jac_struct = nlp.jacobian_structure();
        let mut jac_map = Vec::with_capacity(jac_struct.len());
        let (mut jac_rows, mut jac_cols) = (Vec::new(), Vec::new());
        let (mut nnz_jac_c, mut nnz_jac_d) = (0, 0);
        for &(i, j) in &jac_struct {
            if i >= m || j >= n {
                return Err(SetupError::InconsistentBounds);
            }
            if gl[i] == gu[i] {
                nnz_jac_c += 1;
            } else {
                nnz_jac_d += 1;
            }
            if free_index[j] == usize::MAX {
                jac_map.push(None);
            } else {
                jac_map.push(Some(jac_rows.len()));
                jac_rows.push(row_of[i]);
                jac_cols.push(free_index[j]);
            }
        }
        for (r, src) in rows.iter().enumerate() {
            if let RowSource::FixedVariable { var, .. } = *src {
                jac_rows.push(r);
                jac_cols.push(free_index[var]);
            }
        }
        for k in 0..m_d {
            jac_rows.push(m_c + k);
            jac_cols.push(n_x + k);
        }

        let hess_struct = match opt.hessian_approximation {
            HessianApproximation::Exact => nlp.hessian_structure(),
            HessianApproximation::LimitedMemory => None,
        };
        let has_hessian = hess_struct.is_some();
        let hess_struct = hess_struct.unwrap_or_default();
        let mut hess_map = Vec::with_capacity(hess_struct.len());
        let (mut hess_rows, mut hess_cols) = (Vec::new(), Vec::new());
        if hess_struct.iter().any(|&(i, j)| i >= n || j >= n) {
            return Err(SetupError::InconsistentBounds);
        }
        for &(i, j) in &hess_struct {
            let (fi, fj) = (free_index[i.max(j)], free_index[i.min(j)]);
            if fi == usize::MAX || fj == usize::MAX {
                hess_map.push(None);
            } else {
                hess_map.push(Some(hess_rows.len()));
                hess_rows.push(fi.max(fj));
                hess_cols.push(fi.min(fj));
            }
        }

        let sign = if nlp.maximize() { -1.0 } else { 1.0 };
        let scales = match opt.nlp_scaling_method {
            NlpScalingMethod::None => scaling::Scales::identity(n, m),
            NlpScalingMethod::UserScaling => scaling::Scales::from_user(nlp, n, m),
            NlpScalingMethod::GradientBased | NlpScalingMethod::EquilibrationBased => {
                scaling::Scales::gradient_based(nlp, &x_full, &jac_struct, opt)
                    .ok_or(SetupError::InvalidStartingPoint)?
            }
        };
        let display_scale = scales.objective * opt.obj_scaling_factor;
        let obj_scale = sign * display_scale;
        let x_scale: Vec<f64> = free.iter().map(|&j| scales.variables[j]).collect();
        let g_scale: Vec<f64> = rows
            .iter()
            .map(|src| match *src {
                RowSource::Constraint(i) => scales.constraints[i],
                RowSource::FixedVariable { .. } => 1.0,
            })
            .collect();

        // Bounds of w, relaxed then scaled; equality right-hand sides scaled.
        let nw = n_x + m_d;
        let (mut lower, mut upper) = (vec![0.0; nw], vec![0.0; nw]);
        let (mut orig_lower, mut orig_upper) = (vec![0.0; nw], vec![0.0; nw]);
        let relax_all = opt.fixed_variable_treatment == FixedVariableTreatment::RelaxBounds;
        let (brf, cap) = (opt.bound_relax_factor, opt.constr_viol_tol);
        let mut bound_pair = |k: usize, l: f64, u: f64, s: f64, fixed_relax: bool| {
            let fix = l == u;
            let rl = if fix && !fixed_relax {
                0.0
            } else {
                relax(l, brf, cap)
            };
            let ru = if fix && !fixed_relax {
                0.0
            } else {
                relax(u, brf, cap)
            };
            orig_lower[k] = l * s;
            orig_upper[k] = u * s;
            lower[k] = if l.is_finite() { (l - rl) * s } else { l };
            upper[k] = if u.is_finite() { (u + ru) * s } else { u };
        };
        let as_constraint = opt.fixed_variable_treatment == FixedVariableTreatment::MakeConstraint;
        for (k, &j) in free.iter().enumerate() {
            if as_constraint && is_fixed(j) {
                // The equality row holds the variable; bounds would leave no interior.
                bound_pair(k, f64::NEG_INFINITY, f64::INFINITY, x_scale[k], false);
            } else {
                bound_pair(k, xl[j], xu[j], x_scale[k], relax_all);
            }
        }
        let mut c_rhs = Vec::with_capacity(m_c);
        for (r, src) in rows.iter().enumerate() {
            match *src {
                RowSource::Constraint(i) if r < m_c => c_rhs.push(gl[i] * g_scale[r]),
                RowSource::FixedVariable { value, .. } => c_rhs.push(value),
                RowSource::Constraint(i) => {
                    bound_pair(n_x + r - m_c, gl[i], gu[i], g_scale[r], false)
                }
            }
        }
        let count = |lo: &[f64], up: &[f64]| {
            let mut c = BoundCounts::default();
            for (l, u) in lo.iter().zip(up) {
                match (l.is_finite(), u.is_finite()) {
                    (true, true) => c.both += 1,
                    (true, false) => c.lower_only += 1,
                    (false, true) => c.upper_only += 1,
                    _ => {}
                }
            }
            c
        };
        let x_bounds = count(&lower[..n_x], &upper[..n_x]);
        let d_bounds = count(&lower[n_x..], &upper[n_x..]);
        let nnz_jac = jac_struct.len();
        let nnz_hess = hess_struct.len();
        Ok(InternalNlp {
            nlp,
            n_x,
            m_c,
            m_d,
            free,
            fixed,
            x_full,
            rows,
            c_rhs,
            lower,
            upper,
            orig_lower,
            orig_upper,
            obj_scale,
            display_scale,
            x_scale,
            g_scale,
            jac_map,
            jac_rows,
            jac_cols,
            hess_map,
            hess_rows,
            hess_cols,
            has_hessian,
            g_buf: vec![0.0; m],
            grad_buf: vec![0.0; n],
            jac_buf: vec![0.0; nnz_jac],
            hess_buf: vec![0.0; nnz_hess],
            lambda_buf: vec![0.0; m],
            counts: EvalCounts::default(),
            x_bounds,
            d_bounds,
            nnz_jac_c,
            nnz_jac_d,
            start,
        })
    }

    /// Dimension of `w = (x, s)`.
    pub fn n_w(&self) -> usize {
        self.n_x + self.m_d
    }

    /// Number of internal constraints.
    pub fn n_rows(&self) -> usize {
        self.m_c + self.m_d
    }

    pub fn has_hessian(&self) -> bool {
        self.has_hessian
    }

    /// Structural nonzeros of the user's Hessian lower triangle.
    pub fn nnz_hess_user(&self) -> usize {
        self.hess_map.len()
    }

    /// The user's starting point mapped to free, scaled variables.
    pub fn initial_x(&self, x: &mut [f64]) {
        for (k, &j) in self.free.iter().enumerate() {
            x[k] = self.start.x[j] * self.x_scale[k];
        }
    }

    fn expand(&mut self, w: &[f64]) {
        for (k, &j) in self.free.iter().enumerate() {
            self.x_full[j] = w[k] / self.x_scale[k];
        }
    }

    /// Scaled objective `f̃(x)`.
    pub fn eval_f(&mut self, w: &[f64]) -> EvalResult<f64> {
        self.expand(w);
        self.counts.f += 1;
        let f = self.nlp.eval_f(&self.x_full)?;
        if !f.is_finite() {
            return Err(EvalError);
        }
        Ok(self.obj_scale * f)
    }

    /// Scaled gradient of `f̃` with respect to `w` (zero on the slacks).
    pub fn eval_grad_f(&mut self, w: &[f64], grad: &mut [f64]) -> EvalResult<()> {
        self.expand(w);
        self.counts.grad_f += 1;
        self.nlp.eval_grad_f(&self.x_full, &mut self.grad_buf)?;
        for (k, &j) in self.free.iter().enumerate() {
            grad[k] = self.obj_scale * self.grad_buf[j] / self.x_scale[k];
        }
        grad[self.n_x..].fill(0.0);
        check_finite(grad)
    }

    /// Internal constraint residuals `r = (c̃(x) − rhs, d̃(x) − s)` and the values `d̃(x)`.
    pub fn eval_constraints(&mut self, w: &[f64], r: &mut [f64], d: &mut [f64]) -> EvalResult<()> {
        self.expand(w);
        self.counts.g += 1;
        if !self.g_buf.is_empty() {
            self.nlp.eval_g(&self.x_full, &mut self.g_buf)?;
        }
        for (row, src) in self.rows.iter().enumerate() {
            let v = match *src {
                RowSource::Constraint(i) => self.g_scale[row] * self.g_buf[i],
                RowSource::FixedVariable { var, .. } => self.x_full[var],
            };
            if row < self.m_c {
                r[row] = v - self.c_rhs[row];
            } else {
                let k = row - self.m_c;
                d[k] = v;
                r[row] = v - w[self.n_x + k];
            }
        }
        check_finite(r)
    }

    /// Values of the internal Jacobian in the order of `jac_rows` / `jac_cols`.
    pub fn eval_jacobian(&mut self, w: &[f64], vals: &mut [f64]) -> EvalResult<()> {
        self.expand(w);
        self.counts.jac += 1;
        if !self.jac_buf.is_empty() {
            self.nlp.eval_jacobian(&self.x_full, &mut self.jac_buf)?;
        }
        for (e, slot) in self.jac_map.iter().enumerate() {
            if let Some(t) = *slot {
                let (r, c) = (self.jac_rows[t], self.jac_cols[t]);
                vals[t] = self.jac_buf[e] * self.g_scale[r] / self.x_scale[c];
            }
        }
        let first_extra = self.jac_map.iter().flatten().count();
        for t in first_extra..vals.len() {
            let c = self.jac_cols[t];
            vals[t] = if c < self.n_x {
                1.0 / self.x_scale[c]
            } else {
                -1.0
            };
        }
        check_finite(vals)
    }

    /// Values of `obj_factor·∇²f̃ + Σ y_r ∇²r̃_r` in the order of `hess_rows` / `hess_cols`.
    pub fn eval_hessian(
        &mut self,
        w: &[f64],
        obj_factor: f64,
        y: &[f64],
        vals: &mut [f64],
    ) -> EvalResult<()> {
        self.expand(w);
        self.counts.hess += 1;
        self.lambda_buf.fill(0.0);
        for (row, src) in self.rows.iter().enumerate() {
            if let RowSource::Constraint(i) = *src {
                self.lambda_buf[i] = y[row] * self.g_scale[row];
            }
        }
        self.nlp.eval_hessian(
            &self.x_full,
            obj_factor * self.obj_scale,
            &self.lambda_buf,
            &mut self.hess_buf,
        )?;
        vals.fill(0.0);
        for (e, slot) in self.hess_map.iter().enumerate() {
            if let Some(t) = *slot {
                let (a, b) = (self.hess_rows[t], self.hess_cols[t]);
                vals[t] += self.hess_buf[e] / (self.x_scale[a] * self.x_scale[b]);
            }
        }
        check_finite(vals)
    }

    /// The user's starting multipliers (see [`StartingPoint`]) in internal scaling.
    pub fn internal_constraint_multipliers(&self, y: &mut [f64]) {
        y.fill(0.0);
        if let Some(lambda) = &self.start.lambda {
            for (row, src) in self.rows.iter().enumerate() {
                if let RowSource::Constraint(i) = *src {
                    y[row] = lambda.get(i).copied().unwrap_or(0.0) * self.display_scale
                        / self.g_scale[row];
                }
            }
        }
    }

    /// The user's starting bound multipliers in internal scaling (slacks get zero).
    pub fn internal_bound_multipliers(&self, zl: &mut [f64], zu: &mut [f64]) {
        zl.fill(0.0);
        zu.fill(0.0);
        let scale = self.display_scale;
        for (k, &j) in self.free.iter().enumerate() {
            if let Some(z) = &self.start.z_lower {
                zl[k] = z.get(j).copied().unwrap_or(0.0) * scale / self.x_scale[k];
            }
            if let Some(z) = &self.start.z_upper {
                zu[k] = z.get(j).copied().unwrap_or(0.0) * scale / self.x_scale[k];
            }
        }
    }

    /// The objective as Ipopt displays it (internal sign, scaling undone).
    pub fn display_objective(&self, f_scaled: f64) -> f64 {
        f_scaled / self.display_scale
    }

    /// `true` when the user's objective is maximized (the solver minimizes `−f`).
    pub fn maximizes(&self) -> bool {
        self.obj_scale * self.display_scale < 0.0
    }

    /// Objective scale without sign: unscaled quantities of the dual side divide by it.
    pub fn dual_unscale(&self) -> f64 {
        self.display_scale.abs()
    }

    /// Max-norm of the constraint violation in the scaled (`scaled = true`) or the
    /// user's units: equalities `|c|`, inequalities the distance of `d(x)` from its bounds.
    pub fn constraint_violation(&self, r: &[f64], d: &[f64], scaled: bool) -> f64 {
        let mut v: f64 = 0.0;
        for row in 0..self.n_rows() {
            let s = if scaled { 1.0 } else { self.g_scale[row] };
            let e = if row < self.m_c {
                r[row].abs()
            } else {
                let k = row - self.m_c;
                let i = self.n_x + k;
                (self.lower[i] - d[k]).max(d[k] - self.upper[i]).max(0.0)
            };
            v = v.max(e / s);
        }
        v
    }

    /// Max-norm violation of the original (unrelaxed) variable bounds.
    pub fn bound_violation(&self, w: &[f64], scaled: bool) -> f64 {
        let mut v: f64 = 0.0;
        for k in 0..self.n_x {
            let e = (self.orig_lower[k] - w[k])
                .max(w[k] - self.orig_upper[k])
                .max(0.0);
            v = v.max(if scaled { e } else { e / self.x_scale[k] });
        }
        v
    }

    /// Scale factors turning a scaled dual-infeasibility component of `w_k` into user units.
    pub fn dual_component_unscale(&self, k: usize) -> f64 {
        let s = if k < self.n_x {
            self.x_scale[k]
        } else {
            self.g_scale[self.m_c + k - self.n_x]
        };
        s / self.dual_unscale()
    }

    /// Projects `w` back into the original bounds (`honor_original_bounds`).
    pub fn project_to_original_bounds(&self, w: &mut [f64]) {
        for k in 0..self.n_x {
            w[k] = w[k].max(self.orig_lower[k]).min(self.orig_upper[k]);
        }
    }

    /// Maps an internal primal-dual point to the user's variables and multipliers in the
    /// convention of [`crate::outcome::Solution`]. `grad_lag_fixed` receives, for removed
    /// fixed variables, the gradient of the Lagrangian, which gives their multipliers.
    pub fn user_solution(
        &mut self,
        w: &[f64],
        y: &[f64],
        z_l: &[f64],
        z_u: &[f64],
        want_fixed_duals: bool,
    ) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
        self.expand(w);
        let n = self.x_full.len();
        let m = self.g_buf.len();
        let unscale = self.display_scale;
        let mut lambda = vec![0.0; m];
        for (row, src) in self.rows.iter().enumerate() {
            if let RowSource::Constraint(i) = *src {
                lambda[i] = y[row] * self.g_scale[row] / unscale;
            }
        }
        let (mut zl, mut zu) = (vec![0.0; n], vec![0.0; n]);
        for (k, &j) in self.free.iter().enumerate() {
            zl[j] = z_l[k] * self.x_scale[k] / unscale;
            zu[j] = z_u[k] * self.x_scale[k] / unscale;
        }
        // make_constraint rows carry the multiplier of the fixed variable's bound.
        for (row, src) in self.rows.iter().enumerate() {
            if let RowSource::FixedVariable { var, .. } = *src {
                let v = y[row] / unscale;
                if v < 0.0 {
                    zl[var] += -v;
                } else {
                    zu[var] += v;
                }
            }
        }
        if want_fixed_duals && !self.fixed.is_empty() {
            let sign = self.obj_scale.signum();
            let mut grad = vec![0.0; n];
            let mut jac = vec![0.0; self.jac_buf.len()];
            let structure = self.nlp.jacobian_structure();
            if self.nlp.eval_grad_f(&self.x_full, &mut grad).is_ok()
                && self.nlp.eval_jacobian(&self.x_full, &mut jac).is_ok()
            {
                let mut gl: Vec<f64> = grad.iter().map(|g| sign * g).collect();
                for (e, &(i, j)) in structure.iter().enumerate() {
                    gl[j] += jac[e] * lambda[i];
                }
                for &j in &self.fixed {
                    if gl[j] > 0.0 {
                        zl[j] = gl[j];
                    } else {
                        zu[j] = -gl[j];
                    }
                }
            }
        }
        (self.x_full.clone(), lambda, zl, zu)
    }
}

fn check_finite(v: &[f64]) -> EvalResult<()> {
    if v.iter().all(|x| x.is_finite()) {
        Ok(())
    } else {
        Err(EvalError)
    }
}
