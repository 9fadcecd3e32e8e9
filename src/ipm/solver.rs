//! The main loop of the interior-point method and the state it works on.
//!
//! Each concern lives in its own file as an `impl Solver` block: initialization
//! (`init.rs`), barrier parameter (`barrier.rs`), search direction (`direction.rs`), line
//! search (`line_search.rs`), restoration (`restoration.rs`), termination
//! (`termination.rs`). All vectors are allocated in [`Solver::new`]; the loop reuses them.

use std::time::Instant;

use super::LinearSolverFactory;
use super::barrier::AdaptiveMu;
use super::filter::Filter;
use super::iterate::{BoundSet, Iterate};
use super::kkt::Kkt;
use super::lbfgs::Lbfgs;
use super::nlp_form::InternalNlp;
use super::options::IpmOptions;
use super::output::{IterLine, Printer, StepInfo};
use super::timing::LinearAlgebraTimes;
use super::watchdog::Watchdog;
use crate::outcome::SolveStatus;
use crate::stop::Stop;

/// How a run of the main loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RunEnd {
    Finished(SolveStatus),
    /// The restoration monitor found a point acceptable to the regular phase.
    LeaveRestoration,
}

/// Observer of a restoration-phase solve, owned by the regular phase.
pub(crate) trait RestorationMonitor {
    /// Objective and constraint violation of the original problem at the restoration
    /// iterate `w` (for the iteration table).
    fn display(&mut self, w: &[f64]) -> (f64, f64);
    /// The restoration's barrier parameter changed to `mu` (its proximity term follows).
    fn barrier_changed(&mut self, mu: f64);
    /// `true` if the restoration iterate `w` is acceptable to the regular phase.
    fn acceptable(&mut self, w: &[f64]) -> bool;
}

/// Evaluations at one primal point.
pub(crate) struct PointEval {
    pub f: f64,
    pub r: Vec<f64>,
    pub d: Vec<f64>,
}

impl PointEval {
    pub fn new(n_y: usize, m_d: usize) -> Self {
        PointEval {
            f: 0.0,
            r: vec![0.0; n_y],
            d: vec![0.0; m_d],
        }
    }
}

/// Search direction.
pub(crate) struct Direction {
    pub dw: Vec<f64>,
    pub dy: Vec<f64>,
    pub dzl: Vec<f64>,
    pub dzu: Vec<f64>,
}

impl Direction {
    pub fn zeros(n_w: usize, n_y: usize) -> Self {
        Direction {
            dw: vec![0.0; n_w],
            dy: vec![0.0; n_y],
            dzl: vec![0.0; n_w],
            dzu: vec![0.0; n_w],
        }
    }

    /// A placeholder that owns no memory, for taking a direction out temporarily.
    pub fn empty() -> Self {
        Direction::zeros(0, 0)
    }
}

pub(crate) struct Solver<'a, 'p, 'o> {
    pub nlp: InternalNlp<'a>,
    pub opt: IpmOptions,
    pub factory: &'p LinearSolverFactory<'p>,
    pub kkt: Kkt,
    pub bounds: BoundSet,
    pub n_w: usize,
    pub n_y: usize,
    /// Current iterate and the values at it.
    pub it: Iterate,
    pub cur: PointEval,
    pub grad: Vec<f64>,
    pub jac: Vec<f64>,
    pub hess: Vec<f64>,
    /// Gradient of the Lagrangian at the current iterate.
    pub grad_lag: Vec<f64>,
    /// Trial point and the values at it.
    pub trial: Iterate,
    pub tri: PointEval,
    pub dir: Direction,
    pub dir_soc: Direction,
    /// Scratch: barrier gradient, Σ, KKT right-hand side and solution.
    pub grad_barrier: Vec<f64>,
    pub sigma: Vec<f64>,
    pub rhs: Vec<f64>,
    pub sol: Vec<f64>,
    pub c_soc: Vec<f64>,
    pub mu: f64,
    pub tau: f64,
    pub filter: Filter,
    pub theta_max: f64,
    pub theta_min: f64,
    pub iter: usize,
    /// Added to the iteration number printed (restoration continues the count).
    pub iter_offset: usize,
    pub step: StepInfo,
    pub tiny_step_last: bool,
    pub tiny_step_flag: bool,
    pub acceptable_count: usize,
    pub last_objective: f64,
    pub skip_output_once: bool,
    pub resto_failures: usize,
    pub watchdog: Watchdog,
    /// The KKT matrix of this iteration is already factored (by the μ oracle).
    pub kkt_factored: bool,
    pub adaptive: AdaptiveMu,
    /// Quasi-Newton model when exact second derivatives are not used, and the values at
    /// the previous iterate its update needs.
    pub lbfgs: Option<Lbfgs>,
    pub prev_w: Vec<f64>,
    pub prev_grad: Vec<f64>,
    pub prev_jac: Vec<f64>,
    pub filter_rejections: usize,
    pub filter_resets: usize,
    pub printer: &'p mut Printer<'o>,
    pub monitor: Option<&'p mut dyn RestorationMonitor>,
    /// Limits and interrupt, shared with the restoration phase and the linear solver.
    pub stop: Stop,
    /// Seconds spent in problem evaluations.
    pub eval_seconds: f64,
    /// Linear algebra of the restoration phases (the regular phase's is in `kkt`).
    pub resto_linalg: LinearAlgebraTimes,
}

/// Errors of the constructor, before any iteration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StartError {
    Status(SolveStatus),
}

impl<'a, 'p, 'o> Solver<'a, 'p, 'o> {
    pub fn new(
        nlp: InternalNlp<'a>,
        opt: IpmOptions,
        factory: &'p LinearSolverFactory<'p>,
        printer: &'p mut Printer<'o>,
        monitor: Option<&'p mut dyn RestorationMonitor>,
        stop: Stop,
    ) -> Result<Self, StartError> {
        let n_w = nlp.n_w();
        let n_y = nlp.n_rows();
        let kkt = Kkt::new(
            nlp.n_x,
            n_w,
            n_y,
            (&nlp.hess_rows, &nlp.hess_cols),
            (&nlp.jac_rows, &nlp.jac_cols),
            (factory.make)(),
        )
        .map_err(|_| StartError::Status(SolveStatus::ErrorInStepComputation))?;
        let dim = kkt.dim();
        let bounds = BoundSet::new(&nlp.lower, &nlp.upper);
        let m_d = nlp.m_d;
        let n_jac = nlp.jac_rows.len();
        let n_hess = nlp.hess_rows.len();
        let mu = opt.mu_init;
        let tau = opt.tau_min.max(1.0 - mu);
        let quasi_newton = !nlp.has_hessian();
        let mut solver = Solver {
            nlp,
            opt,
            factory,
            kkt,
            bounds,
            n_w,
            n_y,
            it: Iterate::zeros(n_w, n_y),
            cur: PointEval::new(n_y, m_d),
            grad: vec![0.0; n_w],
            jac: vec![0.0; n_jac],
            hess: vec![0.0; n_hess],
            grad_lag: vec![0.0; n_w],
            trial: Iterate::zeros(n_w, n_y),
            tri: PointEval::new(n_y, m_d),
            dir: Direction::zeros(n_w, n_y),
            dir_soc: Direction::zeros(n_w, n_y),
            grad_barrier: vec![0.0; n_w],
            sigma: vec![0.0; n_w],
            rhs: vec![0.0; dim],
            sol: vec![0.0; dim],
            c_soc: vec![0.0; n_y],
            mu,
            tau,
            filter: Filter::new(),
            theta_max: -1.0,
            theta_min: -1.0,
            iter: 0,
            iter_offset: 0,
            step: StepInfo::start(),
            tiny_step_last: false,
            tiny_step_flag: false,
            acceptable_count: 0,
            last_objective: f64::NAN,
            skip_output_once: false,
            resto_failures: 0,
            watchdog: Watchdog::new(n_w, n_y, m_d, n_jac),
            kkt_factored: false,
            adaptive: AdaptiveMu::new(),
            lbfgs: None,
            prev_w: Vec::new(),
            prev_grad: Vec::new(),
            prev_jac: Vec::new(),
            filter_rejections: 0,
            filter_resets: 0,
            printer,
            monitor,
            stop,
            eval_seconds: 0.0,
            resto_linalg: LinearAlgebraTimes::default(),
        };
        if quasi_newton {
            solver.lbfgs = Some(Lbfgs::new(solver.nlp.n_x, &solver.opt));
            solver.prev_w = vec![0.0; n_w];
            solver.prev_grad = vec![0.0; n_w];
            solver.prev_jac = vec![0.0; n_jac];
        }
        Ok(solver)
    }

    /// Linear algebra of the whole solve, restoration phases included.
    pub fn linalg_times(&self) -> LinearAlgebraTimes {
        let mut t = self.kkt.times;
        t.merge(self.resto_linalg);
        t
    }

    /// Constraint violation θ of the internal problem (norm per option).
    pub fn theta(&self, r: &[f64]) -> f64 {
        super::filter::violation_norm(self.opt.constraint_violation_norm_type, r)
    }

    /// Barrier function at the current iterate.
    pub fn current_barrier(&self) -> f64 {
        self.bounds
            .barrier(self.cur.f, &self.it.w, self.mu, self.opt.kappa_d)
            .unwrap_or(f64::INFINITY)
    }

    /// Evaluates `f`, `r`, `d` at `w` into `into` (timed).
    pub fn eval_point(
        nlp: &mut InternalNlp<'_>,
        w: &[f64],
        into: &mut PointEval,
        eval_seconds: &mut f64,
    ) -> bool {
        let t = Instant::now();
        let ok = nlp
            .eval_constraints(w, &mut into.r, &mut into.d)
            .and_then(|_| nlp.eval_f(w))
            .map(|f| into.f = f)
            .is_ok();
        *eval_seconds += t.elapsed().as_secs_f64();
        ok
    }

    /// Evaluates the first derivatives at the current iterate.
    pub fn eval_derivatives(&mut self) -> bool {
        let t = Instant::now();
        let ok = self.nlp.eval_grad_f(&self.it.w, &mut self.grad).is_ok()
            && self.nlp.eval_jacobian(&self.it.w, &mut self.jac).is_ok();
        self.eval_seconds += t.elapsed().as_secs_f64();
        ok
    }

    /// `grad_lag = ∇f + Aᵀy − z_L + z_U` at the current iterate.
    pub fn compute_grad_lag(&mut self) {
        self.grad_lag.copy_from_slice(&self.grad);
        for (t, &v) in self.jac.iter().enumerate() {
            self.grad_lag[self.nlp.jac_cols[t]] += v * self.it.y[self.nlp.jac_rows[t]];
        }
        for k in 0..self.n_w {
            self.grad_lag[k] += self.it.zu[k] - self.it.zl[k];
        }
    }

    fn print_iteration(&mut self) {
        if self.skip_output_once {
            self.skip_output_once = false;
            return;
        }
        let number = self.iter + self.iter_offset;
        if !number.is_multiple_of(self.opt.print_frequency_iter.max(1)) {
            return;
        }
        let (objective, inf_pr) = match self.monitor.as_deref_mut() {
            Some(m) => m.display(&self.it.w),
            None => (
                self.nlp.display_objective(self.cur.f),
                match self.opt.inf_pr_output {
                    super::options::InfPrOutput::Original => {
                        self.nlp
                            .constraint_violation(&self.cur.r, &self.cur.d, false)
                    }
                    super::options::InfPrOutput::Internal => super::kkt::inf_norm(&self.cur.r),
                },
            ),
        };
        let line = IterLine {
            iter: number,
            resto: self.monitor.is_some(),
            objective,
            inf_pr,
            inf_du: super::kkt::inf_norm(&self.grad_lag),
            mu: self.mu,
            step: self.step,
        };
        self.printer.iteration(&line);
    }

    /// Runs the main loop from the initialized iterate.
    pub fn run(&mut self) -> RunEnd {
        loop {
            self.compute_grad_lag();
            let mut status = self.check_convergence();
            if status.is_none() && self.iter > 0 {
                let leave = match self.monitor.as_deref_mut() {
                    Some(m) => m.acceptable(&self.it.w),
                    None => false,
                };
                if leave {
                    self.print_iteration();
                    return RunEnd::LeaveRestoration;
                }
            }
            if status.is_some() {
                self.skip_output_once = false;
            }
            self.print_iteration();
            if let Some(s) = status.take() {
                return RunEnd::Finished(s);
            }
            if self.nlp.has_hessian() {
                let t = Instant::now();
                let ok = self
                    .nlp
                    .eval_hessian(&self.it.w, 1.0, &self.it.y, &mut self.hess)
                    .is_ok();
                self.eval_seconds += t.elapsed().as_secs_f64();
                if !ok {
                    return RunEnd::Finished(SolveStatus::InvalidNumberDetected);
                }
            }
            if let Err(s) = self.update_barrier_parameter() {
                return RunEnd::Finished(self.fail_status(s));
            }
            let start_in_resto =
                self.opt.start_with_resto && self.iter == 0 && self.monitor.is_none();
            let step_ok = !start_in_resto && self.compute_direction();
            let go_resto = if start_in_resto {
                self.step.alpha_pr = 0.0;
                self.step.ls = 1;
                self.step.tag = 'R';
                true
            } else if step_ok {
                match self.line_search() {
                    Ok(()) => false,
                    Err(()) => true,
                }
            } else {
                self.printer.print(
                    4,
                    format_args!(
                        "WARNING: Problem in step computation; switching to emergency mode.\n"
                    ),
                );
                self.step.alpha_pr = 0.0;
                self.step.ls = 0;
                self.step.tag = 'R';
                true
            };
            if go_resto {
                // A step that failed because a limit or an interrupt cut it short is
                // not a reason for restoration: stop at the current point.
                if let Some(s) = self.stop.status() {
                    return RunEnd::Finished(s);
                }
                if self.monitor.is_some() {
                    return RunEnd::Finished(self.fail_status(SolveStatus::RestorationFailure));
                }
                match self.restoration() {
                    Ok(()) => {}
                    Err(s) => return RunEnd::Finished(self.fail_status(s)),
                }
                continue;
            }
            if self.lbfgs.is_some() {
                self.prev_w.copy_from_slice(&self.it.w);
                self.prev_grad.copy_from_slice(&self.grad);
                self.prev_jac.copy_from_slice(&self.jac);
            }
            self.accept_trial();
            self.iter += 1;
            if !self.eval_derivatives() {
                return RunEnd::Finished(SolveStatus::InvalidNumberDetected);
            }
            self.update_quasi_newton();
            if self.is_square() {
                self.square_feasibility_multipliers();
            }
        }
    }

    /// A failure status, unless the current point is acceptable: then Ipopt's rule
    /// reports the acceptable point instead.
    pub fn fail_status(&self, s: SolveStatus) -> SolveStatus {
        if self.acceptable_count > 0
            && matches!(
                s,
                SolveStatus::RestorationFailure
                    | SolveStatus::ErrorInStepComputation
                    | SolveStatus::StopAtTinyStep
            )
        {
            SolveStatus::StopAtAcceptablePoint
        } else {
            s
        }
    }

    /// Moves to the trial point: the primal step and `y` with the primal step size, `z`
    /// with the dual step size, then the κ_σ safeguard.
    fn accept_trial(&mut self) {
        let a_pr = self.step.alpha_pr;
        let a_du = self.step.alpha_du;
        self.it.w.copy_from_slice(&self.trial.w);
        for (y, dy) in self.it.y.iter_mut().zip(&self.dir.dy) {
            *y += a_pr * dy;
        }
        for k in 0..self.n_w {
            self.it.zl[k] += a_du * self.dir.dzl[k];
            self.it.zu[k] += a_du * self.dir.dzu[k];
        }
        std::mem::swap(&mut self.cur, &mut self.tri);
        self.bounds
            .relax_tiny_slacks(&self.it.w, self.opt.slack_move, self.mu);
        self.bounds
            .reset_multipliers(&mut self.it, self.mu, self.opt.kappa_sigma);
    }

    /// Adds the latest step to the quasi-Newton model: `s = Δx` and `y` the change of the
    /// Lagrangian gradient in `x` at the new multipliers.
    fn update_quasi_newton(&mut self) {
        let Some(lbfgs) = self.lbfgs.as_mut() else {
            return;
        };
        let n_x = self.nlp.n_x;
        // prev_grad ← ∇ₓL(old x, new y) − ∇ₓL(new x, new y), then negated into y_k.
        for (t, (&old, &new)) in self.prev_jac.iter().zip(&self.jac).enumerate() {
            let c = self.nlp.jac_cols[t];
            if c < n_x {
                let y = self.it.y[self.nlp.jac_rows[t]];
                self.prev_grad[c] += old * y - new * y;
            }
        }
        for k in 0..n_x {
            self.prev_grad[k] = self.grad[k] - self.prev_grad[k];
            self.prev_w[k] = self.it.w[k] - self.prev_w[k];
        }
        lbfgs.update(&self.prev_w[..n_x], &self.prev_grad[..n_x]);
    }
}
