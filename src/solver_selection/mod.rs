//! The dispatcher between the solver interface and the two solvers: classifies a
//! model and hands it to `convex` or `ipm`.

mod ipm_settings;
mod model_nlp;

pub use ipm_settings::ipm_options;
pub use model_nlp::ModelNlp;

use crate::certificate::{
    Certificate, NlpScaling, Tolerances, certify, check_farkas, check_ray, sigma_of,
};
use crate::convex::Certificate as ConvexCertificate;
use crate::convex::extract::NotQp;
use crate::ipm::{IpmOptions, LinearSolverFactory, Stopwatch};
use crate::linsol::sparse::SparseLdlt;
use crate::linsol::{LdltOptions, SymmetricIndefiniteSolver};
use crate::nl::model::Model;
use crate::options::Options;
use crate::outcome::{Solution, SolveStatus};
use crate::stop::Stop;
use std::io::Write;

/// A solve's result with the one-line summary of its certificate, which the `.sol`
/// message carries (`None` when the result was not certified: a solve that could not
/// start; for the convex method's infeasibility or unboundedness, the summary of the
/// checked Farkas certificate or ray).
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub solution: Solution,
    pub certificate: Option<String>,
}

impl From<Solution> for Outcome {
    fn from(solution: Solution) -> Self {
        Outcome {
            solution,
            certificate: None,
        }
    }
}

/// Which solver a model goes to (option `solver_selection`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    /// Classify the model: LPs, convex QPs and convex QCQPs to the convex path, the
    /// rest to the IPM.
    Auto,
    Nlp,
    Lp,
    Qp,
    Socp,
}

impl Route {
    fn from_options(options: &Options) -> Route {
        match options.string("solver_selection") {
            "nlp" => Route::Nlp,
            "lp-ipm" => Route::Lp,
            "qp-ipm" => Route::Qp,
            "socp" => Route::Socp,
            _ => Route::Auto,
        }
    }
}

/// Solves `model` with `options`, writing the solver's log to `journal`.
///
/// The log ends with the certificate block and then the `EXIT:` line, printed here once
/// with the status that is reported: the solvers leave it out, since the certificate may
/// revise their status.
pub fn solve(model: &Model, options: &Options, stop: &Stop, journal: &mut dyn Write) -> Outcome {
    let outcome = solve_routed(model, options, stop, journal);
    // Ipopt prints the line at its summary level.
    if options.int("print_level") >= 3 {
        let _ = writeln!(journal, "\nEXIT: {}", outcome.solution.status.exit_line());
    }
    outcome
}

/// Routes `model` to a solver and certifies the result.
///
/// Under `solver_selection=auto` a model whose constraints are linear and whose objective
/// is a convex quadratic (certified by a factorization during extraction) goes to the
/// convex interior-point method, and so does a model whose nonlinear rows are one-sided
/// convex quadratics (each certified by a factor of its Hessian), whose rows become
/// second-order cones. The convex result is kept when it is a certified optimum or a
/// proof of infeasibility or unboundedness, and otherwise the model is solved again by
/// the NLP method, as the log says. A forced route that does not fit the model is an
/// option error.
///
/// `stop` carries the time limits (`max_wall_time`, `max_cpu_time`, counted from its
/// creation) and the interrupt flag; both methods poll it and report the current point
/// when it fires.
fn solve_routed(model: &Model, options: &Options, stop: &Stop, journal: &mut dyn Write) -> Outcome {
    let route = Route::from_options(options);
    match route {
        Route::Nlp => return solve_nlp(model, options, stop, journal),
        Route::Socp => return solve_socp(model, options, stop, journal, route),
        Route::Auto | Route::Lp | Route::Qp => {}
    }
    // Ipopt refuses a problem with more equality constraints than free variables before
    // iterating; the NLP method reports that outcome, whichever method fits the model.
    if too_few_degrees_of_freedom(model) {
        return solve_nlp(model, options, stop, journal);
    }
    let qp = match crate::convex::extract::extract(model) {
        Ok(qp) => qp,
        Err(NotQp::NonlinearConstraint(_)) if route == Route::Auto => {
            return solve_socp(model, options, stop, journal, route);
        }
        Err(why) if route == Route::Auto => {
            log::info!("not an LP or convex QP ({why}): using the NLP method");
            return solve_nlp(model, options, stop, journal);
        }
        Err(why) => {
            let _ = writeln!(journal, "solver_selection does not fit this model: {why}.");
            return unsolved(model, SolveStatus::InvalidOption).into();
        }
    };
    if route == Route::Lp && qp.problem.p.nnz() > 0 {
        let _ = writeln!(
            journal,
            "solver_selection=lp-ipm does not fit this model: its objective is quadratic."
        );
        return unsolved(model, SolveStatus::InvalidOption).into();
    }
    let settings = crate::convex::Settings {
        stop: stop.clone(),
        ..convex_settings(options, model, &qp.problem)
    };
    let clock = Stopwatch::start();
    let result = crate::convex::solve(&qp.problem, &settings, journal);
    log_solve_call("convex", &clock);
    conclude_convex(model, options, stop, journal, route, result, |s| {
        qp.model_solution(s)
    })
}

/// The second-order cone route: a convex QCQP to the convex method, anything else to
/// the NLP method under `auto` and an option error when forced.
fn solve_socp(
    model: &Model,
    options: &Options,
    stop: &Stop,
    journal: &mut dyn Write,
    route: Route,
) -> Outcome {
    let qcqp = match crate::convex::extract_qcqp::extract_qcqp(model) {
        Ok(qcqp) => qcqp,
        Err(why) if route == Route::Auto => {
            log::info!("not a convex QCQP ({why}): using the NLP method");
            return solve_nlp(model, options, stop, journal);
        }
        Err(why) => {
            let _ = writeln!(
                journal,
                "solver_selection=socp does not fit this model: {why}."
            );
            return unsolved(model, SolveStatus::InvalidOption).into();
        }
    };
    // The gap and residual tolerances are those of a QP, and no bound on single
    // products: the entries of a second-order cone pair have products of the order of
    // the row's multiplier whatever the gap, and the method's Newton polish on the
    // model's own KKT conditions sets each active side's slack and each inactive
    // side's multiplier to zero — it also removes the error that a cone pair's
    // misalignment leaves in the quadratic rows' multipliers.
    let settings = crate::convex::Settings {
        tol_compl: f64::INFINITY,
        stop: stop.clone(),
        ..convex_settings(options, model, &qcqp.problem.qp)
    };
    let clock = Stopwatch::start();
    let result = crate::convex::solve_qcqp(&qcqp.problem, &settings, journal);
    log_solve_call("socp", &clock);
    conclude_convex(model, options, stop, journal, route, result, |s| {
        qcqp.model_solution(s)
    })
}

/// Keeps a convex method's result when it is a certified optimum, a checked proof of
/// infeasibility or unboundedness, or the route was forced; otherwise solves the model
/// again by the NLP method. `to_model` maps the solution to the model's objective sense.
fn conclude_convex(
    model: &Model,
    options: &Options,
    stop: &Stop,
    journal: &mut dyn Write,
    route: Route,
    result: Result<crate::convex::ConvexResult, crate::convex::ProblemError>,
    to_model: impl FnOnce(Solution) -> Solution,
) -> Outcome {
    let verbose = options.int("print_level") > 0;
    let result = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(journal, "the convex method cannot take this model: {e}");
            return solve_nlp(model, options, stop, journal);
        }
    };
    let gap = (result.info.gap_abs, result.info.gap_rel);
    let solution = to_model(result.solution);
    if solution.status == SolveStatus::InvalidProblemDefinition {
        return solution.into();
    }
    if let Some(proof) = &result.certificate {
        match infeasibility_check(model, proof) {
            Ok((true, line)) => {
                if verbose {
                    let _ = writeln!(journal, "\n{line}");
                }
                return Outcome {
                    solution,
                    certificate: Some(line),
                };
            }
            Ok((false, line)) if route != Route::Auto => {
                let _ = writeln!(
                    journal,
                    "\n{line}\nThe convex method's certificate is not confirmed; reporting instead:\nEXIT: {}",
                    SolveStatus::ErrorInStepComputation.exit_line()
                );
                return Outcome {
                    solution: Solution {
                        status: SolveStatus::ErrorInStepComputation,
                        ..solution
                    },
                    certificate: Some(line),
                };
            }
            Ok((false, line)) | Err(line) => {
                if verbose {
                    let _ = writeln!(
                        journal,
                        "\n{line}\nThe convex method's certificate is not confirmed; solving again with the NLP method.\n"
                    );
                }
                return solve_nlp(model, options, stop, journal);
            }
        }
    }
    if stopped(solution.status) {
        return solution.into();
    }
    let certificate = certificate_of(model, options, &solution);
    // A point the convex method itself accepted only at its reduced tolerances is still
    // an optimum when the certificate verifies it against the user's `tol` and its
    // duality gap met the full tolerance: the certificate bounds each complementarity
    // product, but on a model with many active bounds their sum — the objective's
    // distance from the optimum — can still be far above `tol`.
    let acceptable_is_optimal = solution.status == SolveStatus::StopAtAcceptablePoint
        && gap_converged(&gap, options.real("tol"));
    let verified_optimum = (solution.status == SolveStatus::Success || acceptable_is_optimal)
        && certificate.verified();
    if verified_optimum && solution.status != SolveStatus::Success {
        if verbose {
            let _ = writeln!(
                journal,
                "\nThe certificate verifies the point against tol; reporting instead:\nEXIT: {}",
                SolveStatus::Success.exit_line()
            );
        }
        let solution = Solution {
            status: SolveStatus::Success,
            ..solution
        };
        return report(options, solution, &certificate, journal);
    }
    // A stopped solve ends here: the time is spent or the user asked to stop.
    if verified_optimum || route != Route::Auto || stop.check().is_some() {
        return report(options, solution, &certificate, journal);
    }
    if verbose {
        let _ = write!(journal, "{}", certificate.log_block());
        let _ = writeln!(
            journal,
            "\nThe convex method ended without a certified optimum ({}); solving again with the NLP method.\n",
            solution.status.exit_line()
        );
    }
    solve_nlp(model, options, stop, journal)
}

/// Whether the convex method's duality gap `(absolute, relative)` meets the accuracy
/// its full tolerances ask for under `tol` (see [`convex_settings`]).
fn gap_converged(gap: &(f64, f64), tol: f64) -> bool {
    gap.0 < CONVEX_GAP_FACTOR * tol || gap.1 < CONVEX_GAP_FACTOR * tol
}

/// Gap tolerance of the LP/QP route relative to `tol`: the duality gap is a sum of
/// complementarity products, and a tenth of `tol` keeps each product within the
/// tolerance the certificate checks.
const CONVEX_GAP_FACTOR: f64 = 0.1;

/// A solve ended by a time limit or by the user: reported as it is, without a
/// certificate, whose fresh evaluation structures cost about as much as the solver's
/// setup — time the user did not grant — and which could not change the status.
fn stopped(status: SolveStatus) -> bool {
    matches!(
        status,
        SolveStatus::CpuTimeExceeded
            | SolveStatus::WallTimeExceeded
            | SolveStatus::UserRequestedStop
    )
}

/// More equality rows than variables that are not fixed (Ipopt's test, made before
/// any iteration).
fn too_few_degrees_of_freedom(model: &Model) -> bool {
    let equalities = (model.con_lower.iter().zip(&model.con_upper))
        .filter(|(l, u)| l == u)
        .count();
    let free = (model.var_lower.iter().zip(&model.var_upper))
        .filter(|(l, u)| l != u)
        .count();
    equalities > free
}

/// Checks the convex method's proof of infeasibility or unboundedness on the model
/// itself: whether it holds, and its one-line summary (`Err`: it could not be checked).
fn infeasibility_check(model: &Model, proof: &ConvexCertificate) -> Result<(bool, String), String> {
    match proof {
        ConvexCertificate::PrimalInfeasible(y) => {
            let check = check_farkas(model, &y.lambda, &y.z_lower, &y.z_upper)?;
            Ok((check.verified(), check.summary_line()))
        }
        ConvexCertificate::DualInfeasible { direction } => {
            let check = check_ray(model, sigma_of(model), direction)?;
            Ok((check.verified(), check.summary_line()))
        }
    }
    .map_err(|e: String| format!("the convex method's certificate could not be checked: {e}"))
}

/// Settings of the convex method from the options it shares with the NLP method.
fn convex_settings(
    options: &Options,
    model: &Model,
    problem: &crate::convex::QpProblem,
) -> crate::convex::Settings {
    let sf = objective_scaling(options, model, problem);
    crate::convex::Settings {
        max_iter: usize::try_from(options.int("max_iter")).unwrap_or(usize::MAX),
        verbose: options.int("print_level") > 0,
        print_exit_line: false,
        tol_gap_abs: CONVEX_GAP_FACTOR * options.real("tol"),
        tol_gap_rel: CONVEX_GAP_FACTOR * options.real("tol"),
        // The certificate bounds each product by `tol` after Ipopt's gradient-based
        // objective scaling, and by `compl_inf_tol` unscaled; half of each leaves room
        // for the round-off of the check. Stationarity likewise (`tol`, `dual_inf_tol`):
        // its scaling `s_d ≥ 1` only loosens the certificate's test, so the unscaled
        // residual is held to the same bound.
        tol_compl: 0.5 * (options.real("tol") / sf).min(options.real("compl_inf_tol")),
        tol_dual_abs: 0.5 * (options.real("tol") / sf).min(options.real("dual_inf_tol")),
        tol_dual_inf: 0.5 * options.real("dual_inf_tol"),
        tol_compl_inf: 0.5 * options.real("compl_inf_tol"),
        ..Default::default()
    }
}

/// Ipopt's gradient-based objective scaling factor `min(1, max_gradient/‖∇f(x₀)‖∞)` at
/// the model's starting point (1 under any other `nlp_scaling_method`).
fn objective_scaling(options: &Options, model: &Model, problem: &crate::convex::QpProblem) -> f64 {
    if options.string("nlp_scaling_method") != "gradient-based" {
        return 1.0;
    }
    let x0: Vec<f64> = model.x0.iter().map(|x| x.unwrap_or(0.0)).collect();
    let mut gradient = problem.q.clone();
    problem.p.symv(1.0, &x0, &mut gradient);
    let norm = gradient.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    let max_gradient = options.real("nlp_scaling_max_gradient");
    if norm > max_gradient {
        (max_gradient / norm).max(options.real("nlp_scaling_min_value"))
    } else {
        1.0
    }
}

/// Solves `model` by the filter line-search interior-point method.
fn solve_nlp(model: &Model, options: &Options, stop: &Stop, journal: &mut dyn Write) -> Outcome {
    let nlp = match ModelNlp::new(model) {
        Ok(nlp) => nlp,
        Err(e) => {
            let _ = writeln!(journal, "cannot differentiate the model: {e}");
            return unsolved(model, SolveStatus::InternalError).into();
        }
    };
    let x0 = crate::ipm::Nlp::starting_point(&nlp).x;
    let _ = crate::autodiff::check::derivative_test(model, &x0, options, journal);
    let make = || kkt_solver(stop);
    let factory = LinearSolverFactory {
        name: "pounce-ldlt",
        make: &make,
    };
    let settings = IpmOptions {
        print_exit_line: false,
        ..ipm_options(options)
    };
    let clock = Stopwatch::start();
    let solution = crate::ipm::solve_until(&nlp, &settings, &factory, stop, journal);
    log_solve_call("nlp", &clock);
    if stopped(solution.status) {
        return solution.into();
    }
    certified(model, options, solution, journal)
}

/// Logs (target `pounce::timing`, level info) the wall-clock and processor time of one
/// call of a solver: the algorithm with its evaluations, without reading the model,
/// building derivative structures or checking the result — the part of a run that
/// Ipopt's own "Total seconds" measures.
fn log_solve_call(method: &str, clock: &Stopwatch) {
    log::info!(
        target: "pounce::timing",
        "solve call ({method}): wall {:.6} s, cpu {:.6} s",
        clock.wall(),
        clock.cpu()
    );
}

/// The linear solver of the interior-point method's KKT systems. It does no iterative
/// refinement of its own: the method refines each solve against the perturbed KKT
/// matrix it factored (`min_refinement_steps`, `max_refinement_steps`), so refining
/// inside the solver too would only repeat triangular solves.
///
/// Its pivot test starts at the linear solver's loose default (`u = 1e-8`, Ipopt's
/// `ma27_pivtol`) and is tightened towards `u = 0.01` only when the method finds a solve
/// inaccurate, as Ipopt drives its linear solvers (`ma27_pivtol` and `ma27_pivtolmax`).
/// A strict test from the start delays pivots on ill-conditioned KKT matrices late in a
/// solve: on `bigbank` it made each factorization 60 times slower than the loose one.
fn kkt_solver(stop: &Stop) -> Box<dyn SymmetricIndefiniteSolver> {
    Box::new(
        SparseLdlt::with_options(LdltOptions {
            max_refinement_steps: 0,
            ..LdltOptions::default()
        })
        .with_stop(stop.clone()),
    )
}

/// The certificate of `solution`: the original model evaluated afresh at the returned
/// point, against the user's tolerances under Ipopt's NLP scaling.
fn certificate_of(model: &Model, options: &Options, solution: &Solution) -> Certificate {
    certify(
        model,
        solution,
        Tolerances::from_options(options),
        &NlpScaling::from_options(options, model),
    )
}

/// Checks `solution` against the original model (see [`report`]).
fn certified(
    model: &Model,
    options: &Options,
    solution: Solution,
    journal: &mut dyn Write,
) -> Outcome {
    let certificate = certificate_of(model, options, &solution);
    report(options, solution, &certificate, journal)
}

/// Appends the certificate block to the log and keeps an optimal status only when the
/// certificate meets the user's tolerances (otherwise the status says what the point
/// does meet, and the log says that the solver's own status was revised).
fn report(
    options: &Options,
    mut solution: Solution,
    certificate: &Certificate,
    journal: &mut dyn Write,
) -> Outcome {
    let status = certificate.status_for(
        solution.status,
        &Tolerances::acceptable_from_options(options),
    );
    if options.int("print_level") > 0 {
        let _ = write!(journal, "{}", certificate.log_block());
        if status != solution.status {
            let _ = writeln!(
                journal,
                "\nThe certificate does not confirm the solver's outcome \"{}\"",
                solution.status.exit_line()
            );
        }
    }
    solution.status = status;
    Outcome {
        solution,
        certificate: Some(certificate.summary_line()),
    }
}

/// A solution that reports `status` at the starting point, for solves that could not start.
fn unsolved(model: &Model, status: SolveStatus) -> Solution {
    Solution {
        status,
        x: model.x0.iter().map(|x| x.unwrap_or(0.0)).collect(),
        lambda: vec![0.0; model.n_con],
        z_lower: vec![0.0; model.n_var],
        z_upper: vec![0.0; model.n_var],
        objective: f64::NAN,
        iterations: 0,
    }
}
