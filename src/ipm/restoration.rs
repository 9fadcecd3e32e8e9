//! Feasibility restoration phase.
//!
//! When the line search cannot find an acceptable step, Ipopt's restoration problem
//!
//! ```text
//! min ρ Σ (p + n) + ζ/2 ‖D_R (x − x_R)‖²   s.t.  r(w) − p + n = 0,  w_L ≤ w ≤ w_U,  p, n ≥ 0
//! ```
//!
//! is solved by the same interior-point machinery on a wrapped problem ([`RestoNlp`]),
//! until a point is found that reduces the constraint violation and is acceptable to
//! the regular phase's filter. A restoration that converges to a minimizer of the
//! violation that is not feasible means the problem is locally infeasible.

use std::cell::RefCell;

use super::filter::violation_norm;
use super::iterate::BoundSet;
use super::kkt::inf_norm;
use super::nlp_form::InternalNlp;
use super::options::{ConstraintViolationNormType, FixedVariableTreatment, NlpScalingMethod};
use super::output::Printer;
use super::problem::{EvalError, EvalResult, Nlp, StartingPoint};
use super::solver::{PointEval, RestorationMonitor, RunEnd, Solver};
use crate::outcome::SolveStatus;

/// `theta_max_fact` of the restoration problem's line search (Ipopt's
/// `resto.theta_max_fact` default; the regular phase's is 10⁴).
const RESTO_THETA_MAX_FACT: f64 = 1e8;

struct RestoState<'o, 'a> {
    outer: &'o mut InternalNlp<'a>,
    r: Vec<f64>,
    d: Vec<f64>,
}

/// The restoration problem over `(w, p, n)` with one equality per internal row.
pub(crate) struct RestoNlp<'o, 'a> {
    state: RefCell<RestoState<'o, 'a>>,
    n_w: usize,
    n_x: usize,
    m: usize,
    rho: f64,
    /// Proximity weight `ζ = weight·√μ`, following the restoration's barrier parameter.
    zeta: std::cell::Cell<f64>,
    proximity_weight: f64,
    /// Squared proximity weights `D_R²` on the `x` part.
    dr2: Vec<f64>,
    w_ref: Vec<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    start: StartingPoint,
    jac_struct: Vec<(usize, usize)>,
    hess_struct: Option<Vec<(usize, usize)>>,
    n_outer_hess: usize,
}

impl Nlp for RestoNlp<'_, '_> {
    fn num_variables(&self) -> usize {
        self.n_w + 2 * self.m
    }
    fn num_constraints(&self) -> usize {
        self.m
    }
    fn variable_bounds(&self, lower: &mut [f64], upper: &mut [f64]) {
        lower[..self.n_w].copy_from_slice(&self.lower);
        upper[..self.n_w].copy_from_slice(&self.upper);
        lower[self.n_w..].fill(0.0);
        upper[self.n_w..].fill(f64::INFINITY);
    }
    fn constraint_bounds(&self, lower: &mut [f64], upper: &mut [f64]) {
        lower.fill(0.0);
        upper.fill(0.0);
    }
    fn starting_point(&self) -> StartingPoint {
        self.start.clone()
    }
    fn eval_f(&self, x: &[f64]) -> EvalResult<f64> {
        let penalty: f64 = x[self.n_w..].iter().sum();
        let mut prox = 0.0;
        for k in 0..self.n_x {
            let e = x[k] - self.w_ref[k];
            prox += self.dr2[k] * e * e;
        }
        Ok(self.rho * penalty + 0.5 * self.zeta.get() * prox)
    }
    fn eval_grad_f(&self, x: &[f64], grad: &mut [f64]) -> EvalResult<()> {
        for k in 0..self.n_w {
            grad[k] = if k < self.n_x {
                self.zeta.get() * self.dr2[k] * (x[k] - self.w_ref[k])
            } else {
                0.0
            };
        }
        grad[self.n_w..].fill(self.rho);
        Ok(())
    }
    fn eval_g(&self, x: &[f64], g: &mut [f64]) -> EvalResult<()> {
        let mut st = self.state.borrow_mut();
        let RestoState { outer, r, d } = &mut *st;
        outer.eval_constraints(&x[..self.n_w], r, d)?;
        let (p, n) = x[self.n_w..].split_at(self.m);
        for i in 0..self.m {
            g[i] = r[i] - p[i] + n[i];
        }
        Ok(())
    }
    fn jacobian_structure(&self) -> Vec<(usize, usize)> {
        self.jac_struct.clone()
    }
    fn eval_jacobian(&self, x: &[f64], values: &mut [f64]) -> EvalResult<()> {
        let mut st = self.state.borrow_mut();
        let nnz = st.outer.jac_rows.len();
        st.outer.eval_jacobian(&x[..self.n_w], &mut values[..nnz])?;
        for i in 0..self.m {
            values[nnz + 2 * i] = -1.0;
            values[nnz + 2 * i + 1] = 1.0;
        }
        Ok(())
    }
    fn hessian_structure(&self) -> Option<Vec<(usize, usize)>> {
        self.hess_struct.clone()
    }
    fn eval_hessian(
        &self,
        x: &[f64],
        obj_factor: f64,
        lambda: &[f64],
        values: &mut [f64],
    ) -> EvalResult<()> {
        let mut st = self.state.borrow_mut();
        let nnz = self.n_outer_hess;
        st.outer
            .eval_hessian(&x[..self.n_w], 0.0, lambda, &mut values[..nnz])?;
        for k in 0..self.n_x {
            values[nnz + k] = obj_factor * self.zeta.get() * self.dr2[k];
        }
        if values.iter().all(|v| v.is_finite()) {
            Ok(())
        } else {
            Err(EvalError)
        }
    }
}

/// Watches the restoration iterates on behalf of the regular phase.
struct Monitor<'r, 'o, 'a> {
    resto: &'r RestoNlp<'o, 'a>,
    filter: &'r super::filter::Filter,
    bounds: &'r BoundSet,
    mu: f64,
    kappa_d: f64,
    norm: ConstraintViolationNormType,
    /// The max-norm violation must fall below this for the restoration to end.
    inf_pr_target: f64,
    /// The regular problem is square: any point meeting `inf_pr_target` (then
    /// `min(tol, constr_viol_tol)`) ends the restoration, filter or not.
    square: bool,
    at: Vec<f64>,
    eval: PointEval,
    ok: bool,
}

impl Monitor<'_, '_, '_> {
    fn evaluate(&mut self, w: &[f64]) {
        let w = &w[..self.resto.n_w];
        if self.at == w {
            return;
        }
        self.at.copy_from_slice(w);
        let mut st = self.resto.state.borrow_mut();
        let mut seconds = 0.0;
        self.ok = Solver::eval_point(st.outer, w, &mut self.eval, &mut seconds);
    }
}

impl RestorationMonitor for Monitor<'_, '_, '_> {
    fn barrier_changed(&mut self, mu: f64) {
        self.resto.zeta.set(self.resto.proximity_weight * mu.sqrt());
    }

    fn display(&mut self, w: &[f64]) -> (f64, f64) {
        self.evaluate(w);
        if !self.ok {
            return (f64::NAN, f64::NAN);
        }
        let st = self.resto.state.borrow();
        (
            st.outer.display_objective(self.eval.f),
            st.outer
                .constraint_violation(&self.eval.r, &self.eval.d, false),
        )
    }

    fn acceptable(&mut self, w: &[f64]) -> bool {
        self.evaluate(w);
        if !self.ok {
            return false;
        }
        if inf_norm(&self.eval.r) > self.inf_pr_target {
            return false;
        }
        if self.square {
            return true;
        }
        let theta = violation_norm(self.norm, &self.eval.r);
        let Some(phi) = self
            .bounds
            .barrier(self.eval.f, &self.at, self.mu, self.kappa_d)
        else {
            return false;
        };
        self.filter.acceptable(theta, phi)
    }
}

impl Solver<'_, '_, '_> {
    /// Runs the restoration phase from the current iterate. On success the current
    /// iterate is the restoration's result, evaluated, and the loop continues.
    pub fn restoration(&mut self) -> Result<(), SolveStatus> {
        let square = self.is_square();
        self.watchdog.active = false;
        self.watchdog.shortened = 0;
        let theta = self.theta(&self.cur.r);
        let phi = self.current_barrier();
        self.filter.add(
            (1.0 - self.opt.gamma_theta) * theta,
            phi - self.opt.gamma_phi * theta,
        );
        let o = &self.opt;
        let (n_w, n_x, m) = (self.n_w, self.nlp.n_x, self.n_y);
        let rho = o.resto_penalty_parameter;
        let mu_r = self.mu.max(inf_norm(&self.cur.r));
        let o_weight = o.resto_proximity_weight;
        let zeta = o_weight * mu_r.sqrt();

        // Starting point: w unchanged, p and n minimizing the barrier subproblem for fixed w.
        let mut x0 = Vec::with_capacity(n_w + 2 * m);
        x0.extend_from_slice(&self.it.w);
        let mut pn = vec![0.0; 2 * m];
        for (i, &c) in self.cur.r.iter().enumerate() {
            let a = (mu_r - rho * c) / (2.0 * rho);
            let nv = a + (a * a + mu_r * c / (2.0 * rho)).sqrt();
            pn[i] = c + nv;
            pn[m + i] = nv;
        }
        x0.extend_from_slice(&pn);
        let mut zl = vec![0.0; n_w + 2 * m];
        let mut zu = vec![0.0; n_w + 2 * m];
        for k in 0..n_w {
            zl[k] = self.it.zl[k].min(rho);
            zu[k] = self.it.zu[k].min(rho);
        }
        for (i, v) in pn.iter().enumerate() {
            zl[n_w + i] = mu_r / v;
        }
        let dr2: Vec<f64> = self.it.w[..n_x]
            .iter()
            .map(|w| {
                let d = 1.0f64.min(1.0 / w.abs());
                d * d
            })
            .collect();

        let mut jac_struct = pairs(&self.nlp.jac_rows, &self.nlp.jac_cols);
        for i in 0..m {
            jac_struct.push((i, n_w + i));
            jac_struct.push((i, n_w + m + i));
        }
        let n_outer_hess = self.nlp.hess_rows.len();
        let hess_struct = self.nlp.has_hessian().then(|| {
            let mut h = pairs(&self.nlp.hess_rows, &self.nlp.hess_cols);
            h.extend((0..n_x).map(|k| (k, k)));
            h
        });

        let mut inner_opt = self.opt.clone();
        inner_opt.mu_init = mu_r;
        inner_opt.warm_start_init_point = true;
        inner_opt.warm_start_bound_push = 0.0;
        inner_opt.warm_start_bound_frac = 0.0;
        inner_opt.warm_start_slack_bound_push = 0.0;
        inner_opt.warm_start_slack_bound_frac = 0.0;
        inner_opt.warm_start_mult_bound_push = 0.0;
        inner_opt.nlp_scaling_method = NlpScalingMethod::None;
        inner_opt.obj_scaling_factor = 1.0;
        inner_opt.bound_relax_factor = 0.0;
        inner_opt.fixed_variable_treatment = FixedVariableTreatment::MakeParameter;
        inner_opt.acceptable_iter = 0;
        // Ipopt's default for the restoration phase: its first steps move x far while
        // p and n absorb the violation, so θ of the restoration problem may grow far
        // beyond 10⁴ times its (near-zero) start without the step being bad.
        inner_opt.theta_max_fact = RESTO_THETA_MAX_FACT;

        let resto = RestoNlp {
            state: RefCell::new(RestoState {
                outer: &mut self.nlp,
                r: vec![0.0; m],
                d: vec![0.0; self.cur.d.len()],
            }),
            n_w,
            n_x,
            m,
            rho,
            zeta: std::cell::Cell::new(zeta),
            proximity_weight: o_weight,
            dr2,
            w_ref: self.it.w.clone(),
            lower: self.bounds.lower.clone(),
            upper: self.bounds.upper.clone(),
            start: StartingPoint {
                x: x0,
                lambda: Some(vec![0.0; m]),
                z_lower: Some(zl),
                z_upper: Some(zu),
            },
            jac_struct,
            hess_struct,
            n_outer_hess,
        };
        let reduction = if square {
            0.0
        } else {
            self.opt.required_infeasibility_reduction
        };
        let mut monitor = Monitor {
            resto: &resto,
            filter: &self.filter,
            bounds: &self.bounds,
            mu: self.mu,
            kappa_d: self.opt.kappa_d,
            norm: self.opt.constraint_violation_norm_type,
            // A square problem has nothing to optimize: its restoration is not left
            // before the equations are solved (Ipopt sets the reduction factor to 0).
            inf_pr_target: (reduction * inf_norm(&self.cur.r))
                .max(self.opt.tol.min(self.opt.constr_viol_tol)),
            square,
            at: vec![f64::NAN; n_w],
            eval: PointEval::new(m, self.cur.d.len()),
            ok: false,
        };
        let offset = self.iter + self.iter_offset + 1;
        let factory = self.factory;
        let printer: &mut Printer<'_> = &mut *self.printer;
        let outcome = (|| {
            let inner_nlp = InternalNlp::new(&resto, &inner_opt).ok()?;
            let mut inner = Solver::new(
                inner_nlp,
                inner_opt.clone(),
                factory,
                printer,
                Some(&mut monitor),
                self.stop.clone(),
            )
            .ok()?;
            inner.iter_offset = offset;
            inner.step = self.step;
            inner.initialize().ok()?;
            let end = inner.run();
            Some((
                end,
                inner.it.clone(),
                inner.iter,
                (inner.eval_seconds, inner.linalg_times()),
            ))
        })();
        drop(monitor);
        drop(resto);
        let Some((end, inner_it, inner_iter, (seconds, linalg))) = outcome else {
            return Err(SolveStatus::RestorationFailure);
        };
        self.eval_seconds += seconds;
        self.resto_linalg.merge(linalg);
        // Restoration iterations count in the total, whatever the outcome.
        self.iter = offset + inner_iter - self.iter_offset;
        let converged = match end {
            RunEnd::LeaveRestoration => false,
            RunEnd::Finished(SolveStatus::Success | SolveStatus::StopAtAcceptablePoint) => true,
            RunEnd::Finished(
                s @ (SolveStatus::MaxIterExceeded
                | SolveStatus::CpuTimeExceeded
                | SolveStatus::WallTimeExceeded
                | SolveStatus::UserRequestedStop),
            ) => return Err(s),
            RunEnd::Finished(_) => return Err(SolveStatus::RestorationFailure),
        };
        // Adopt the restoration point. Bound multipliers take a Newton step for
        // complementarity as if the whole restoration step were one primal-dual step
        // (cut by the fraction to the boundary); constraint multipliers are re-estimated
        // by least squares, or zeroed with the default `constr_mult_reset_threshold = 0`.
        let mu = self.mu;
        let b = &self.bounds;
        for k in 0..n_w {
            let dw = inner_it.w[k] - self.it.w[k];
            self.dir.dzl[k] = 0.0;
            self.dir.dzu[k] = 0.0;
            if b.has_l[k] {
                let (s, z) = (self.it.w[k] - b.lower[k], self.it.zl[k]);
                self.dir.dzl[k] = mu / s - z / s * dw - z;
            }
            if b.has_u[k] {
                let (s, z) = (b.upper[k] - self.it.w[k], self.it.zu[k]);
                self.dir.dzu[k] = mu / s + z / s * dw - z;
            }
        }
        let alpha = b.dual_step_max(&self.it, &self.dir.dzl, &self.dir.dzu, self.tau);
        for k in 0..n_w {
            self.it.zl[k] += alpha * self.dir.dzl[k];
            self.it.zu[k] += alpha * self.dir.dzu[k];
        }
        let zmax = inf_norm(&self.it.zl).max(inf_norm(&self.it.zu));
        if zmax > self.opt.bound_mult_reset_threshold {
            for k in 0..n_w {
                self.it.zl[k] = if b.has_l[k] { 1.0 } else { 0.0 };
                self.it.zu[k] = if b.has_u[k] { 1.0 } else { 0.0 };
            }
        }
        self.it.w.copy_from_slice(&inner_it.w[..n_w]);
        if !Self::eval_point(
            &mut self.nlp,
            &self.it.w,
            &mut self.cur,
            &mut self.eval_seconds,
        ) || !self.eval_derivatives()
        {
            return Err(SolveStatus::InvalidNumberDetected);
        }
        let threshold = self.opt.constr_mult_reset_threshold;
        if threshold > 0.0 {
            self.least_squares_multipliers(threshold);
        } else {
            self.it.y.fill(0.0);
        }
        if converged {
            // The restoration problem is solved: a minimizer of the violation that is
            // not feasible means local infeasibility.
            if inf_norm(&self.cur.r) > 1e2 * self.opt.tol {
                return Err(SolveStatus::LocalInfeasibility);
            }
        }
        if square {
            // The equations are solved (to `min(tol, constr_viol_tol)`, or 100·tol when
            // the restoration problem converged): that is the square problem's answer.
            self.square_multipliers();
            return Err(SolveStatus::FeasiblePointFound);
        }
        if converged {
            // Feasible but unacceptable to the filter: start afresh from this point.
            self.resto_failures += 1;
            if self.resto_failures > 1 {
                return Err(SolveStatus::RestorationFailure);
            }
            self.filter.clear();
        } else {
            self.resto_failures = 0;
        }
        self.skip_output_once = true;
        Ok(())
    }
}

/// `(row, col)` pairs of a triplet structure.
fn pairs(rows: &[usize], cols: &[usize]) -> Vec<(usize, usize)> {
    rows.iter().zip(cols).map(|(&r, &c)| (r, c)).collect()
}
