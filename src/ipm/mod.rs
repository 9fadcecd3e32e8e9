//! The filter line-search interior-point method of Wächter & Biegler (Ipopt).
//!
//! The method works on any problem implementing [`Nlp`]; [`solve`] runs it with the
//! given options and linear solver and writes an Ipopt-shaped log.

// Loops here walk several parallel arrays (iterate, bounds, directions) by index.
#![allow(clippy::needless_range_loop)]

mod barrier;
mod direction;
mod filter;
mod init;
mod iterate;
mod kkt;
mod lbfgs;
mod line_search;
mod nlp_form;
pub mod options;
mod output;
mod perturbation;
pub mod problem;
mod restoration;
mod scaling;
mod solver;
mod square;
mod termination;
mod timing;
mod watchdog;

use std::io::Write;
use std::time::Instant;

pub use options::*;
pub use problem::{EvalError, EvalResult, Nlp, StartingPoint, UserScaling};
pub use timing::Stopwatch;

use crate::linsol::SymmetricIndefiniteSolver;
use crate::outcome::{Solution, SolveStatus};
use crate::stop::Stop;
use nlp_form::{InternalNlp, SetupError};
use output::{Printer, Summary};
use solver::{RunEnd, Solver, StartError};

/// Makes fresh linear solvers: one for the regular phase, one per restoration phase
/// (whose KKT pattern differs).
pub struct LinearSolverFactory<'f> {
    /// Name printed in the log (`running with linear solver <name>`).
    pub name: &'f str,
    pub make: &'f dyn Fn() -> Box<dyn SymmetricIndefiniteSolver>,
}

/// Solves `nlp`, writing the log to `out`, within the options' time limits.
pub fn solve(
    nlp: &dyn Nlp,
    options: &IpmOptions,
    linear_solver: &LinearSolverFactory<'_>,
    out: &mut dyn Write,
) -> Solution {
    let stop = Stop::new(None, options.max_wall_time, options.max_cpu_time);
    solve_until(nlp, options, linear_solver, &stop, out)
}

/// Solves `nlp` until it ends or `stop` fires (the options' time limits are not read:
/// `stop` carries the limits). A stopped solve reports the current point with the
/// stop's status.
pub fn solve_until(
    nlp: &dyn Nlp,
    options: &IpmOptions,
    linear_solver: &LinearSolverFactory<'_>,
    stop: &Stop,
    out: &mut dyn Write,
) -> Solution {
    let start = Instant::now();
    let mut printer = Printer::new(out, options.print_level, options.print_exit_line);
    printer.banner(linear_solver.name, !options.sb);
    let failed = |status: SolveStatus, printer: &mut Printer<'_>| {
        printer.exit(status);
        let x = nlp.starting_point().x;
        let n = nlp.num_variables();
        Solution {
            status,
            x: if x.len() == n { x } else { vec![0.0; n] },
            lambda: vec![0.0; nlp.num_constraints()],
            z_lower: vec![0.0; n],
            z_upper: vec![0.0; n],
            objective: f64::NAN,
            iterations: 0,
        }
    };
    let internal = match InternalNlp::new(nlp, options) {
        Ok(i) => i,
        Err(SetupError::InconsistentBounds) => {
            return failed(SolveStatus::InvalidProblemDefinition, &mut printer);
        }
        Err(SetupError::TooFewDegreesOfFreedom) => {
            return failed(SolveStatus::TooFewDegreesOfFreedom, &mut printer);
        }
        Err(SetupError::InvalidStartingPoint) => {
            return failed(SolveStatus::InvalidNumberDetected, &mut printer);
        }
    };
    printer.statistics(&internal);
    let mut solver = match Solver::new(
        internal,
        options.clone(),
        linear_solver,
        &mut printer,
        None,
        stop.clone(),
    ) {
        Ok(s) => s,
        Err(StartError::Status(s)) => return failed(s, &mut printer),
    };
    let status = match solver.initialize() {
        // An initialization cut short by the stop signal reports the stop.
        Err(s) => stop.status().unwrap_or(s),
        Ok(()) => match solver.run() {
            RunEnd::Finished(s) => s,
            RunEnd::LeaveRestoration => SolveStatus::InternalError,
        },
    };
    finish(&mut solver, status, start)
}

/// Final output and the solution in the user's terms.
fn finish(solver: &mut Solver<'_, '_, '_>, mut status: SolveStatus, start: Instant) -> Solution {
    let valid = status != SolveStatus::InvalidNumberDetected;
    solver.compute_grad_lag();
    let e = solver.errors();
    let (s_d, s_c) = solver.error_scalings();
    let nlp_error_u = (e.dual_inf_u / s_d)
        .max(e.constr_viol_u)
        .max(e.compl_u / s_c);
    let f_display = solver.nlp.display_objective(solver.cur.f);
    let summary = Summary {
        iterations: solver.iter + solver.iter_offset,
        objective: (solver.cur.f, f_display),
        dual_inf: (e.dual_inf, e.dual_inf_u),
        constr_viol: (e.constr_viol, e.constr_viol_u),
        bound_viol: (
            solver.nlp.bound_violation(&solver.it.w, true),
            solver.nlp.bound_violation(&solver.it.w, false),
        ),
        compl: (e.compl, e.compl_u),
        nlp_error: (e.nlp_error, nlp_error_u),
    };
    if solver.opt.honor_original_bounds {
        solver.nlp.project_to_original_bounds(&mut solver.it.w);
    }
    let fixed_duals = solver.opt.fixed_variable_treatment == FixedVariableTreatment::MakeParameter;
    let (x, lambda, z_lower, z_upper) = solver.nlp.user_solution(
        &solver.it.w,
        &solver.it.y,
        &solver.it.zl,
        &solver.it.zu,
        fixed_duals,
    );
    let sign = if solver.nlp.maximizes() { -1.0 } else { 1.0 };
    let objective = sign * f_display;
    let all_finite = x
        .iter()
        .chain(&lambda)
        .chain(&z_lower)
        .chain(&z_upper)
        .all(|v| v.is_finite())
        && objective.is_finite();
    if !all_finite {
        status = SolveStatus::InvalidNumberDetected;
    }
    let linalg = solver.linalg_times();
    let printer = &mut *solver.printer;
    printer.summary(&summary, valid && all_finite);
    let counts = solver.nlp.counts;
    printer.counts(&counts, solver.nlp.m_c > 0, solver.nlp.m_d > 0);
    let total = start.elapsed().as_secs_f64();
    let split = solver
        .opt
        .print_timing_statistics
        .then_some(solver.eval_seconds);
    printer.timing(total, split);
    if solver.opt.print_timing_statistics {
        printer.timing_statistics(total, solver.eval_seconds, &linalg);
    }
    printer.exit(status);
    log::info!(
        target: "pounce::timing",
        "interior-point method: {total:.6} s; evaluations {:.6} s; {} factorizations {:.6} s; {} solves {:.6} s",
        solver.eval_seconds,
        linalg.factor.count,
        linalg.factor.seconds,
        linalg.backsolve.count,
        linalg.backsolve.seconds,
    );
    Solution {
        status,
        x,
        lambda,
        z_lower,
        z_upper,
        objective: if all_finite { objective } else { f64::NAN },
        iterations: summary.iterations,
    }
}
