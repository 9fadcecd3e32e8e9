//! Optimality certificates: the KKT conditions of the original model, checked afresh at the
//! point a solver returns.
//!
//! A solver's own convergence test runs on its scaled, slack-extended internal problem with
//! quantities cached across iterations; a bug anywhere in that chain can report a wrong
//! point as optimal. The certificate shares none of it: it evaluates the unscaled model's
//! functions anew at the returned point ([`evaluate`]), and measures constraint and bound
//! violation, stationarity of the Lagrangian with the returned multipliers, and
//! complementarity, as absolute figures and relative ones (Ipopt's scaling `s_d`, `s_c`).
//! A solve may be reported optimal only when its [`Certificate`] meets the user's
//! tolerances; `pounce verify` applies the same check to any `.sol` file.

mod evaluation;
mod infeasibility;
mod kkt;
mod multipliers;
mod report;

pub use evaluation::{Evaluation, NlpScaling};
pub use infeasibility::{CERTIFICATE_TOLERANCE, FarkasCheck, RayCheck, check_farkas, check_ray};
pub use kkt::{
    Bounds, ColumnResidual, Entry, Figure, Residuals, RowResidual, ScaledFigure, Scaling, TolScales,
};
pub use multipliers::{BoundMultipliers, Multipliers};
pub use report::{Shortfall, worst};

use crate::nl::model::{Model, Sense};
use crate::options::Options;
use crate::outcome::{Solution, SolveStatus};

/// The termination tolerances a certificate is checked against, as Ipopt defines them:
/// `tol` bounds the overall NLP error (dual infeasibility over `s_d`, constraint violation,
/// complementarity over `s_c`); the other three bound the unscaled figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerances {
    pub tol: f64,
    pub constr_viol_tol: f64,
    pub dual_inf_tol: f64,
    pub compl_inf_tol: f64,
    /// Ipopt's `bound_relax_factor` (see [`Bounds::relax`]).
    pub bound_relax_factor: f64,
}

impl Default for Tolerances {
    /// Ipopt's defaults.
    fn default() -> Self {
        Tolerances {
            tol: 1e-8,
            constr_viol_tol: 1e-4,
            dual_inf_tol: 1.0,
            compl_inf_tol: 1e-4,
            bound_relax_factor: 1e-8,
        }
    }
}

impl Tolerances {
    /// The tolerances for an optimal point (`tol`, `constr_viol_tol`, `dual_inf_tol`,
    /// `compl_inf_tol`).
    pub fn from_options(options: &Options) -> Tolerances {
        Tolerances {
            tol: options.real("tol"),
            constr_viol_tol: options.real("constr_viol_tol"),
            dual_inf_tol: options.real("dual_inf_tol"),
            compl_inf_tol: options.real("compl_inf_tol"),
            bound_relax_factor: options.real("bound_relax_factor"),
        }
    }

    /// The tolerances for an acceptable point (`acceptable_tol` and its three companions).
    pub fn acceptable_from_options(options: &Options) -> Tolerances {
        Tolerances {
            tol: options.real("acceptable_tol"),
            constr_viol_tol: options.real("acceptable_constr_viol_tol"),
            dual_inf_tol: options.real("acceptable_dual_inf_tol"),
            compl_inf_tol: options.real("acceptable_compl_inf_tol"),
            bound_relax_factor: options.real("bound_relax_factor"),
        }
    }
}

/// The certificate of one point: its residuals, the tolerances it was checked against and
/// the objective value the solver reported, if any.
#[derive(Clone, Debug, PartialEq)]
pub struct Certificate {
    pub residuals: Residuals,
    pub tolerances: Tolerances,
    /// The objective the solver reported; it must agree with the fresh value.
    pub reported_objective: Option<f64>,
    /// Why the functions could not be evaluated at the point, if they could not.
    pub evaluation_error: Option<String>,
}

impl Certificate {
    /// Whether the point meets `tolerances` (all figures, see [`Certificate::shortfalls`]).
    pub fn meets(&self, tolerances: &Tolerances) -> bool {
        self.shortfalls(tolerances).is_empty()
    }

    /// Whether the point meets the tolerances it was certified with.
    pub fn verified(&self) -> bool {
        self.meets(&self.tolerances)
    }

    /// The status to report for a solver outcome `status`: an optimal claim stands only
    /// when the certificate is verified; otherwise it becomes `StopAtAcceptablePoint` when
    /// the point meets `acceptable`, and `ErrorInStepComputation` when it does not (the
    /// solver's own test passed on a point the original model refutes; the log and the
    /// `.sol` message line say that the certificate failed). Every route, forced or
    /// chosen, reports through this. Other outcomes are unchanged.
    pub fn status_for(&self, status: SolveStatus, acceptable: &Tolerances) -> SolveStatus {
        match status {
            SolveStatus::Success if self.verified() => SolveStatus::Success,
            SolveStatus::Success | SolveStatus::StopAtAcceptablePoint if self.meets(acceptable) => {
                SolveStatus::StopAtAcceptablePoint
            }
            SolveStatus::Success | SolveStatus::StopAtAcceptablePoint => {
                SolveStatus::ErrorInStepComputation
            }
            other => other,
        }
    }
}

/// The model's σ (1 minimize, −1 maximize) for objective 0; a model without objective is a
/// feasibility problem (σ is then irrelevant, as the gradient is zero).
pub fn sigma_of(model: &Model) -> f64 {
    multipliers::sigma(
        model
            .objective_sense
            .first()
            .copied()
            .unwrap_or(Sense::Minimize),
    )
}

/// The certificate of `x` with `multipliers` (`None`: feasibility only) for `model`,
/// evaluating the model afresh; `tol` bounds the overall error under `scaling` (Ipopt's
/// NLP scaling; `None` for the unscaled problem), which is computed exactly.
pub fn certify_point(
    model: &Model,
    x: &[f64],
    multipliers: Option<&Multipliers>,
    tolerances: Tolerances,
    scaling: &NlpScaling,
    reported_objective: Option<f64>,
) -> Certificate {
    certify_at(
        model,
        x,
        multipliers,
        tolerances,
        scaling,
        reported_objective,
        ScaledError::Exact,
    )
}

/// How a certificate obtains the overall error under the NLP scaling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ScaledError {
    /// Always from the scaling factors.
    Exact,
    /// From the factors only when the unscaled error does not already meet `tol` under a
    /// scaling that cannot raise it ([`Residuals::bound_scaled_error`]): the verdict is
    /// the same, and the evaluation at the starting point is saved.
    BoundedWhenDecided,
}

fn certify_at(
    model: &Model,
    x: &[f64],
    multipliers: Option<&Multipliers>,
    tolerances: Tolerances,
    scaling: &NlpScaling,
    reported_objective: Option<f64>,
    scaled_error: ScaledError,
) -> Certificate {
    let mut fresh = evaluation::Fresh::new(model);
    let bounds = Bounds::of_model(model, tolerances.bound_relax_factor);
    let (eval, evaluation_error) = match fresh.at(x) {
        Ok(e) => (e, None),
        Err(e) => (Evaluation::failed(model.n_var, model.n_con), Some(e)),
    };
    let mut residuals = Residuals::new(&bounds, x, &eval, multipliers);
    let decided = scaled_error == ScaledError::BoundedWhenDecided
        && scaling.contracts_at_start()
        && residuals.overall_error() <= tolerances.tol;
    if decided {
        residuals.bound_scaled_error();
    } else if let Some(factors) = scaling.factors(model, &mut fresh) {
        residuals.apply_scaling(&factors, multipliers);
    }
    Certificate {
        residuals,
        tolerances,
        reported_objective,
        evaluation_error,
    }
}

/// The certificate of a point where nothing could be evaluated: every figure infinite.
fn failed(
    model: &Model,
    tolerances: Tolerances,
    reported_objective: Option<f64>,
    error: String,
) -> Certificate {
    let bounds = Bounds::of_model(model, tolerances.bound_relax_factor);
    let x = vec![f64::NAN; model.n_var];
    let eval = Evaluation::failed(model.n_var, model.n_con);
    Certificate {
        residuals: Residuals::new(&bounds, &x, &eval, None),
        tolerances,
        reported_objective,
        evaluation_error: Some(error),
    }
}

/// The certificate of a solver's result (in Ipopt's convention) for `model`: the step that
/// runs after every solve, before the outcome is reported. `scaling` is the NLP scaling
/// the options ask for ([`NlpScaling::IPOPT_DEFAULT`] by default), recomputed from the
/// model, never taken from the solver. When the unscaled figures already meet `tol` and
/// the scaling cannot raise them, the scaled overall error is not computed: the
/// certificate reports the unscaled one as its bound ([`ScaledFigure::AtMost`]).
pub fn certify(
    model: &Model,
    solution: &Solution,
    tolerances: Tolerances,
    scaling: &NlpScaling,
) -> Certificate {
    let n_ok = solution.x.len() == model.n_var
        && solution.lambda.len() == model.n_con
        && solution.z_lower.len() == model.n_var
        && solution.z_upper.len() == model.n_var;
    if !n_ok {
        return failed(
            model,
            tolerances,
            None,
            "the solver returned vectors of the wrong length".into(),
        );
    }
    certify_at(
        model,
        &solution.x,
        Some(&Multipliers::of_solution(solution)),
        tolerances,
        scaling,
        Some(solution.objective),
        ScaledError::BoundedWhenDecided,
    )
}
