//! Entry point of the convex path: validation, conic transformation, the
//! iteration, and the mapping of its end point back to the original problem
//! (solution, multipliers in Ipopt's convention, certificates, console summary).

use std::io::Write;
use std::time::Instant;

use super::cones::ConeSpec;
use super::conic::ConicProblem;
use super::info::{ConvexStatus, Info};
use super::output::{self, FinalMeasures, ProblemSizes};
use super::polish::{self, Passes};
use super::problem::{BoundConflict, ProblemError, QpProblem, is_finite_bound};
use super::qcqp::{self, QcqpProblem, QuadraticRow};
use super::result::{Certificate, ConvexResult};
use super::scaled_error::MultiplierScales;
use super::settings::Settings;
use super::solver::Engine;
use super::variables::norm_inf;
use crate::outcome::Solution;

/// Solves `problem`, writing the iteration log and Ipopt's final block and `EXIT:`
/// line to `log` (when `settings.verbose`). Malformed data is an `Err`; every
/// outcome of the method itself, including infeasibility, is an `Ok` result.
pub fn solve(
    problem: &QpProblem,
    settings: &Settings,
    log: &mut dyn Write,
) -> Result<ConvexResult, ProblemError> {
    solve_with_quadratic_rows(problem, &[], settings, log)
}

/// Solves a convex QCQP as [`solve`] does a QP: each quadratic row becomes a
/// second-order cone and gets its multiplier back in Ipopt's convention.
pub fn solve_qcqp(
    problem: &QcqpProblem,
    settings: &Settings,
    log: &mut dyn Write,
) -> Result<ConvexResult, ProblemError> {
    solve_with_quadratic_rows(&problem.qp, &problem.quadratic, settings, log)
}

fn solve_with_quadratic_rows(
    problem: &QpProblem,
    quadratic: &[QuadraticRow],
    settings: &Settings,
    log: &mut dyn Write,
) -> Result<ConvexResult, ProblemError> {
    problem.validate()?;
    qcqp::validate(problem, quadratic)?;
    let start = Instant::now();
    let (n, m) = (problem.num_vars(), problem.num_rows());
    if let Some(conflict) = problem.inconsistent_bounds() {
        if settings.verbose {
            let _ = match conflict {
                BoundConflict::Row(i) => {
                    writeln!(log, "Constraint {i} has lower side above its upper side.")
                }
                BoundConflict::Variable(j) => {
                    writeln!(log, "Variable {j} has lower bound above its upper bound.")
                }
            };
        }
        return Ok(finish(
            problem,
            quadratic,
            settings,
            log,
            start,
            Finished::without_iterate(
                ConvexStatus::InconsistentBounds,
                problem
                    .var_lower
                    .iter()
                    .zip(&problem.var_upper)
                    .map(|(&l, &u)| clamp_start(l, u))
                    .collect(),
            ),
        ));
    }
    let conic = if quadratic.is_empty() {
        ConicProblem::from_qp(problem)
    } else {
        let mut conic = ConicProblem::from_qp(&qcqp::without_quadratic_rows(problem, quadratic));
        qcqp::append_cones(&mut conic, problem, quadratic);
        conic
    };
    if settings.verbose {
        let rows_of = |wanted: fn(&ConeSpec) -> Option<usize>| -> usize {
            conic.cones.iter().filter_map(wanted).sum()
        };
        let _ = output::header(
            log,
            &ProblemSizes {
                variables: n,
                constraints: m,
                zero_rows: rows_of(|c| match c {
                    ConeSpec::Zero(d) => Some(*d),
                    _ => None,
                }),
                nonnegative_rows: rows_of(|c| match c {
                    ConeSpec::Nonnegative(d) => Some(*d),
                    _ => None,
                }),
                second_order_cones: quadratic.len(),
                nnz_p: conic.p.nnz(),
                nnz_a: conic.a.nnz(),
            },
        );
    }
    let mut engine = match Engine::new(&conic, settings) {
        Ok(e) => e,
        Err(status) => {
            return Ok(finish(
                problem,
                quadratic,
                settings,
                log,
                start,
                Finished::without_iterate(status, vec![0.0; n]),
            ));
        }
    };
    // The iterate is polished once the solve is nearly done, and the solve ends there
    // when the polished point meets the full tolerances; otherwise the iteration goes
    // on and its end point is polished again. A QCQP's iterate is polished once it
    // meets looser tolerances, the absolute dual residual's included (its cone pairs
    // limit the multipliers' accuracy, and that residual otherwise holds the polish
    // back by one or two iterations whose last one can lose the accuracy the polish
    // needs: socp_qcqp_blocks_20k's ninth iterate, primal residual 1.2e-8 → 2.1e-6,
    // is discarded before the same polish is made at the eighth); an LP's
    // or QP's once it meets its relative residual and gap tolerances, when only the
    // absolute bounds on single complementarity products and on the dual residual
    // remain, which on models with a large objective take the iteration many more
    // steps (Maros–Meszaros HUES-MOD, objective 3.5e7: 35 iterations past that point)
    // and the polish on the active set meets at once when judged, as the certificate
    // judges it, relative to the multipliers' size ([`meets_full_tolerance`]; CVXQP1_L,
    // multipliers about 1e5: 31 iterations past that point otherwise).
    let early_test = if quadratic.is_empty() {
        Settings {
            tol_compl: f64::INFINITY,
            tol_dual_abs: f64::INFINITY,
            ..settings.clone()
        }
    } else {
        Settings {
            tol_feas: POLISH_TOLERANCE_FACTOR * settings.tol_feas,
            tol_gap_abs: POLISH_TOLERANCE_FACTOR * settings.tol_gap_abs,
            tol_gap_rel: POLISH_TOLERANCE_FACTOR * settings.tol_gap_rel,
            tol_dual_abs: POLISH_TOLERANCE_FACTOR * settings.tol_dual_abs,
            ..settings.clone()
        }
    };
    let mut early: Option<(Finished, PolishGain)> = None;
    let mut tried = false;
    let status = engine.run(log, problem.c0, start, &mut |engine| {
        if tried || engine.info.check_full(&early_test) != ConvexStatus::Solved {
            return false;
        }
        tried = true;
        let mut f = unscale(
            engine,
            &conic,
            problem,
            quadratic,
            ConvexStatus::AlmostSolved,
        );
        match polish_finished(problem, quadratic, settings, &mut f, Passes::Refined) {
            Some(gain) if f.status == ConvexStatus::Solved => {
                early = Some((f, gain));
                true
            }
            _ => false,
        }
    });
    let (finished, gain) = match early {
        Some((f, gain)) => (f, Some(gain)),
        None => {
            let mut f = unscale(&engine, &conic, problem, quadratic, status);
            // An LP or QP is polished only when its iteration fell short of the full
            // tolerances: the last directions can lose the accuracy the badly scaled
            // rows of some models need, which the polish on the active set restores.
            let gain = if polishable(status)
                && (!quadratic.is_empty() || status != ConvexStatus::Solved)
            {
                polish_finished(problem, quadratic, settings, &mut f, Passes::All)
            } else {
                None
            };
            (f, gain)
        }
    };
    if let (Some(gain), true) = (gain, settings.verbose) {
        let _ = writeln!(
            log,
            "Newton polish on the active set: KKT error {} -> {}",
            output::CExp(gain.before, 2),
            output::CExp(gain.after, 2)
        );
    }
    Ok(finish(problem, quadratic, settings, log, start, finished))
}

/// A starting value inside `[l, u]` for a solve that never iterated.
fn clamp_start(l: f64, u: f64) -> f64 {
    if is_finite_bound(l) {
        l
    } else if is_finite_bound(u) {
        u
    } else {
        0.0
    }
}

/// The end point mapped to the original problem, before output.
struct Finished {
    status: ConvexStatus,
    x: Vec<f64>,
    duals: Option<super::conic::OriginalDuals>,
    certificate: Option<Certificate>,
    info: Info,
}

impl Finished {
    /// The outcome of a solve that ended before the first iterate.
    fn without_iterate(status: ConvexStatus, x: Vec<f64>) -> Self {
        Self {
            status,
            x,
            duals: None,
            certificate: None,
            info: Info::default(),
        }
    }
}

/// Divides `v` by its infinity norm (if non-zero).
fn normalize(v: &mut [f64]) {
    let norm = norm_inf(v);
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

fn unscale(
    engine: &Engine,
    conic: &ConicProblem,
    problem: &QpProblem,
    quadratic: &[QuadraticRow],
    status: ConvexStatus,
) -> Finished {
    let (v, eq) = (&engine.v, &engine.eq);
    let x_unnormalized: Vec<f64> = v.x.iter().zip(&eq.d).map(|(x, d)| x * d).collect();
    let z_unnormalized: Vec<f64> = v.z.iter().zip(&eq.e).map(|(z, e)| z * e / eq.c).collect();
    let x: Vec<f64> = x_unnormalized.iter().map(|x| x / v.tau).collect();
    let mut certificate = None;
    let duals = if status.is_primal_infeasible() {
        let mut y = z_unnormalized;
        normalize(&mut y);
        let d = conic.original_duals(&y);
        certificate = Some(Certificate::PrimalInfeasible(d.clone()));
        d
    } else {
        let z: Vec<f64> = z_unnormalized.iter().map(|z| z / v.tau).collect();
        let mut d = conic.original_duals(&z);
        qcqp::project_multipliers(problem, quadratic, &conic.quadratic, &x, &z, &mut d.lambda);
        d
    };
    if status.is_dual_infeasible() {
        let mut direction = x_unnormalized;
        normalize(&mut direction);
        certificate = Some(Certificate::DualInfeasible { direction });
    }
    Finished {
        status,
        x,
        duals: Some(duals),
        certificate,
        info: engine.info,
    }
}

/// Whether a solve that ended with `status` is worth polishing: it converged, or it
/// stopped near the optimum because its last steps lost accuracy (the cone scalings'
/// or the KKT solves' conditioning at the boundary), which the polish does not depend
/// on.
fn polishable(status: ConvexStatus) -> bool {
    matches!(
        status,
        ConvexStatus::Solved
            | ConvexStatus::AlmostSolved
            | ConvexStatus::InsufficientProgress
            | ConvexStatus::NumericalError
    )
}

/// Factor of the full tolerances at which a QCQP iterate is first polished.
const POLISH_TOLERANCE_FACTOR: f64 = 1000.0;

/// The largest error of the optimality conditions (original problem, absolute) before
/// and after a polish.
#[derive(Clone, Copy, Debug)]
struct PolishGain {
    before: f64,
    after: f64,
}

/// Replaces the end point of a solve by its Newton polish ([`polish`]) when that
/// measures better on the original problem; a polished point meeting the full
/// tolerances there is an optimum, whatever tolerances the iteration itself reached.
fn polish_finished(
    problem: &QpProblem,
    quadratic: &[QuadraticRow],
    settings: &Settings,
    f: &mut Finished,
    passes: Passes,
) -> Option<PolishGain> {
    let duals = f.duals.as_ref()?;
    let error = |x: &[f64], d: &super::conic::OriginalDuals| kkt_error(problem, quadratic, x, d);
    let before = error(&f.x, duals);
    let (x, polished, after) =
        polish::polish(problem, quadratic, settings, &f.x, duals, &error, passes)?;
    // A NaN error counts as no improvement.
    if after.is_nan() || after >= before {
        return None;
    }
    if f.status != ConvexStatus::Solved
        && meets_full_tolerance(problem, quadratic, settings, &x, &polished)
    {
        f.status = ConvexStatus::Solved;
    }
    f.x = x;
    f.duals = Some(polished);
    Some(PolishGain { before, after })
}

/// Whether a polished point is an optimum: Ipopt's overall error — stationarity over
/// `s_d`, complementarity over `s_c`, row and bound violation ([`MultiplierScales`]) —
/// within [`polish::full_tolerance`], and the unscaled stationarity and
/// complementarity within their own bounds.
fn meets_full_tolerance(
    problem: &QpProblem,
    quadratic: &[QuadraticRow],
    settings: &Settings,
    x: &[f64],
    d: &super::conic::OriginalDuals,
) -> bool {
    let m = measures(
        problem, quadratic, x, &d.lambda, &d.z_lower, &d.z_upper, 0.0,
    );
    let scales = MultiplierScales::of(problem, d);
    let overall = (m.dual_infeasibility / scales.dual)
        .max(m.complementarity / scales.complementarity)
        .max(m.constraint_violation)
        .max(m.bound_violation);
    overall <= polish::full_tolerance(settings)
        && m.dual_infeasibility <= settings.tol_dual_inf
        && m.complementarity <= settings.tol_compl_inf
}

/// The largest error of the optimality conditions of `(x, duals)` on the original
/// problem (absolute): stationarity, row and bound violation, complementarity.
pub(super) fn kkt_error(
    problem: &QpProblem,
    quadratic: &[QuadraticRow],
    x: &[f64],
    d: &super::conic::OriginalDuals,
) -> f64 {
    let m = measures(
        problem, quadratic, x, &d.lambda, &d.z_lower, &d.z_upper, 0.0,
    );
    m.dual_infeasibility
        .max(m.constraint_violation)
        .max(m.bound_violation)
        .max(m.complementarity)
}

/// Builds the result and prints the final block.
fn finish(
    problem: &QpProblem,
    quadratic: &[QuadraticRow],
    settings: &Settings,
    log: &mut dyn Write,
    start: Instant,
    f: Finished,
) -> ConvexResult {
    let (n, m) = (problem.num_vars(), problem.num_rows());
    let sanitize = |v: Vec<f64>| -> Vec<f64> {
        v.into_iter()
            .map(|x| if x.is_finite() { x } else { 0.0 })
            .collect()
    };
    let x = sanitize(f.x);
    let (lambda, z_lower, z_upper) = match f.duals {
        Some(d) => (sanitize(d.lambda), sanitize(d.z_lower), sanitize(d.z_upper)),
        None => (vec![0.0; m], vec![0.0; n], vec![0.0; n]),
    };
    let objective = problem.objective(&x);
    let solve_status = f.status.solve_status();
    let solve_time = start.elapsed().as_secs_f64();
    if settings.verbose {
        let measures = measures(
            problem, quadratic, &x, &lambda, &z_lower, &z_upper, objective,
        );
        let _ = output::final_block(
            log,
            f.info.iterations,
            &measures,
            solve_status,
            solve_time,
            settings.print_exit_line,
        );
    }
    ConvexResult {
        solution: Solution {
            status: solve_status,
            x,
            lambda,
            z_lower,
            z_upper,
            objective,
            iterations: f.info.iterations,
        },
        status: f.status,
        info: f.info,
        certificate: f.certificate,
        solve_time,
    }
}

/// Optimality measures of `(x, λ, z)` in the original problem.
fn measures(
    problem: &QpProblem,
    quadratic: &[QuadraticRow],
    x: &[f64],
    lambda: &[f64],
    z_lower: &[f64],
    z_upper: &[f64],
    objective: f64,
) -> FinalMeasures {
    let (n, m) = (problem.num_vars(), problem.num_rows());
    let mut grad = problem.q.clone();
    problem.p.symv(1.0, x, &mut grad);
    problem.a.gemv_t(1.0, lambda, &mut grad);
    for j in 0..n {
        grad[j] += z_upper[j] - z_lower[j];
    }
    let mut ax = vec![0.0; m];
    problem.a.gemv(1.0, x, &mut ax);
    for row in quadratic {
        row.add_gradient(lambda[row.row], x, &mut grad);
        ax[row.row] += row.value(x);
    }
    let side_violation = |v: f64, l: f64, u: f64| {
        let below = if is_finite_bound(l) { l - v } else { 0.0 };
        let above = if is_finite_bound(u) { v - u } else { 0.0 };
        below.max(above).max(0.0)
    };
    // Complementarity of each side's multiplier with its slack.
    let side_compl = |v: f64, l: f64, u: f64, mult_low: f64, mult_up: f64| {
        let low = if is_finite_bound(l) {
            (mult_low * (v - l)).abs()
        } else {
            0.0
        };
        let up = if is_finite_bound(u) {
            (mult_up * (u - v)).abs()
        } else {
            0.0
        };
        if l == u { 0.0 } else { low.max(up) }
    };
    let mut constraint_violation = 0.0f64;
    let mut complementarity = 0.0f64;
    for i in 0..m {
        let (l, u) = (problem.row_lower[i], problem.row_upper[i]);
        constraint_violation = constraint_violation.max(side_violation(ax[i], l, u));
        let (ml, mu) = ((-lambda[i]).max(0.0), lambda[i].max(0.0));
        complementarity = complementarity.max(side_compl(ax[i], l, u, ml, mu));
    }
    let mut bound_violation = 0.0f64;
    for j in 0..n {
        let (l, u) = (problem.var_lower[j], problem.var_upper[j]);
        bound_violation = bound_violation.max(side_violation(x[j], l, u));
        complementarity = complementarity.max(side_compl(x[j], l, u, z_lower[j], z_upper[j]));
    }
    FinalMeasures {
        objective,
        dual_infeasibility: norm_inf(&grad),
        constraint_violation,
        bound_violation,
        complementarity,
    }
}
