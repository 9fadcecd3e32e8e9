//! The dispatcher between the solver interface and the two solvers: classifies a
//! model and hands it to `convex` or `ipm`.

mod ipm_settings;
mod model_nlp;

pub use ipm_settings::ipm_options;
pub use model_nlp::ModelNlp;

use crate::certificate::{Certificate, NlpScaling, Tolerances, certify};
use crate::convex::extract::NotQp;
use crate::ipm::LinearSolverFactory;
use crate::linsol::SymmetricIndefiniteSolver;
use crate::linsol::sparse::SparseLdlt;
use crate::nl::model::Model;
use crate::options::Options;
use crate::outcome::{Solution, SolveStatus};
use std::io::Write;

/// A solve's result with the one-line summary of its certificate, which the `.sol`
/// message carries (`None` when the result was not certified: a solve that could not
/// start, or an infeasibility or unboundedness certificate of the convex method).
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
/// Under `solver_selection=auto` a model whose constraints are linear and whose objective
/// is a convex quadratic (certified by a factorization during extraction) goes to the
/// convex interior-point method, and so does a model whose nonlinear rows are one-sided
/// convex quadratics (each certified by a factor of its Hessian), whose rows become
/// second-order cones. The convex result is kept when it is a certified optimum or a
/// proof of infeasibility or unboundedness, and otherwise the model is solved again by
/// the NLP method, as the log says. A forced route that does not fit the model is an
/// option error.
pub fn solve(model: &Model, options: &Options, journal: &mut dyn Write) -> Outcome {
    let route = Route::from_options(options);
    match route {
        Route::Nlp => return solve_nlp(model, options, journal),
        Route::Socp => return solve_socp(model, options, journal, route),
        Route::Auto | Route::Lp | Route::Qp => {}
    }
    let qp = match crate::convex::extract::extract(model) {
        Ok(qp) => qp,
        Err(NotQp::NonlinearConstraint(_)) if route == Route::Auto => {
            return solve_socp(model, options, journal, route);
        }
        Err(why) if route == Route::Auto => {
            log::info!("not an LP or convex QP ({why}): using the NLP method");
            return solve_nlp(model, options, journal);
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
    let result = crate::convex::solve(&qp.problem, &convex_settings(options), journal);
    conclude_convex(model, options, journal, route, result, |s| {
        qp.model_solution(s)
    })
}

/// The second-order cone route: a convex QCQP to the convex method, anything else to
/// the NLP method under `auto` and an option error when forced.
fn solve_socp(model: &Model, options: &Options, journal: &mut dyn Write, route: Route) -> Outcome {
    let qcqp = match crate::convex::extract_qcqp::extract_qcqp(model) {
        Ok(qcqp) => qcqp,
        Err(why) if route == Route::Auto => {
            log::info!("not a convex QCQP ({why}): using the NLP method");
            return solve_nlp(model, options, journal);
        }
        Err(why) => {
            let _ = writeln!(
                journal,
                "solver_selection=socp does not fit this model: {why}."
            );
            return unsolved(model, SolveStatus::InvalidOption).into();
        }
    };
    // A second-order cone pair whose product `sᵀz` is ε can be misaligned (in
    // `s₀z₁ + z₀s₁`) by order √ε where the scaling is ill-conditioned, and the model's
    // stationarity inherits that error: the gap is driven further down than for a QP.
    let settings = crate::convex::Settings {
        tol_gap_abs: SOC_GAP_FACTOR * options.real("tol"),
        tol_gap_rel: SOC_GAP_FACTOR * options.real("tol"),
        ..convex_settings(options)
    };
    let result = crate::convex::solve_qcqp(&qcqp.problem, &settings, journal);
    conclude_convex(model, options, journal, route, result, |s| {
        qcqp.model_solution(s)
    })
}

/// Keeps a convex method's result when it is a certified optimum, a proof of
/// infeasibility or unboundedness, or the route was forced; otherwise solves the model
/// again by the NLP method. `to_model` maps the solution to the model's objective sense.
fn conclude_convex(
    model: &Model,
    options: &Options,
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
            return solve_nlp(model, options, journal);
        }
    };
    let solution = to_model(result.solution);
    match solution.status {
        SolveStatus::LocalInfeasibility | SolveStatus::DivergingIterates
            if result.certificate.is_some() =>
        {
            return solution.into();
        }
        SolveStatus::InvalidProblemDefinition => return solution.into(),
        _ => {}
    }
    let certificate = certificate_of(model, options, &solution);
    let verified_optimum = solution.status == SolveStatus::Success && certificate.verified();
    if verified_optimum || route != Route::Auto {
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
    solve_nlp(model, options, journal)
}

/// Gap tolerance of the second-order cone route relative to `tol`.
const SOC_GAP_FACTOR: f64 = 1e-4;

/// Settings of the convex method from the options it shares with the NLP method.
fn convex_settings(options: &Options) -> crate::convex::Settings {
    crate::convex::Settings {
        max_iter: usize::try_from(options.int("max_iter")).unwrap_or(usize::MAX),
        time_limit: options
            .real("max_wall_time")
            .min(options.real("max_cpu_time")),
        verbose: options.int("print_level") > 0,
        // The convex method stops on the duality gap, a sum of complementarity products;
        // a tenth of `tol` keeps each product within the tolerance the certificate checks.
        tol_gap_abs: 0.1 * options.real("tol"),
        tol_gap_rel: 0.1 * options.real("tol"),
        ..Default::default()
    }
}

/// Solves `model` by the filter line-search interior-point method.
fn solve_nlp(model: &Model, options: &Options, journal: &mut dyn Write) -> Outcome {
    let nlp = match ModelNlp::new(model) {
        Ok(nlp) => nlp,
        Err(e) => {
            let _ = writeln!(journal, "cannot differentiate the model: {e}");
            return unsolved(model, SolveStatus::InternalError).into();
        }
    };
    let x0 = crate::ipm::Nlp::starting_point(&nlp).x;
    let _ = crate::autodiff::check::derivative_test(model, &x0, options, journal);
    let make = || -> Box<dyn SymmetricIndefiniteSolver> { Box::new(SparseLdlt::new()) };
    let factory = LinearSolverFactory {
        name: "pounce-ldlt",
        make: &make,
    };
    let solution = crate::ipm::solve(&nlp, &ipm_options(options), &factory, journal);
    certified(model, options, solution, journal)
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
/// does meet).
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
                "\nThe certificate does not confirm the solver's outcome; reporting instead:\nEXIT: {}",
                status.exit_line()
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
