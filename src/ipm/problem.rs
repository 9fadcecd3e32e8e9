//! The problem interface of the interior-point method.
//!
//! [`Nlp`] describes `min f(x)` subject to `g_L ≤ g(x) ≤ g_U`, `x_L ≤ x ≤ x_U` in the
//! shape Ipopt's TNLP uses: fixed sparsity structures given once, values evaluated on
//! demand. Every evaluation may fail (a logarithm of a negative number, an overflow):
//! the solver then shortens its step instead of aborting.

/// An evaluation failed at the given point (domain error, non-finite result).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvalError;

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "function evaluation failed")
    }
}

impl std::error::Error for EvalError {}

/// Result of one problem evaluation.
pub type EvalResult<T> = Result<T, EvalError>;

/// Starting values handed to the solver.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StartingPoint {
    /// Primal start, one per variable.
    pub x: Vec<f64>,
    /// Constraint multipliers in the solver's sign convention (see
    /// [`crate::outcome::Solution`]); `None` lets the solver estimate them.
    pub lambda: Option<Vec<f64>>,
    /// Lower-bound multipliers (≥ 0); `None` lets the solver choose them.
    pub z_lower: Option<Vec<f64>>,
    /// Upper-bound multipliers (≥ 0); `None` lets the solver choose them.
    pub z_upper: Option<Vec<f64>>,
}

/// User-supplied scaling factors (AMPL's `scaling_factor` suffixes).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserScaling {
    /// Factor for the objective.
    pub objective: f64,
    /// One factor per variable (`x̃ = s·x`), or `None` for no variable scaling.
    pub variables: Option<Vec<f64>>,
    /// One factor per constraint, or `None` for no constraint scaling.
    pub constraints: Option<Vec<f64>>,
}

/// A smooth nonlinear program `min f(x)` s.t. `g_L ≤ g(x) ≤ g_U`, `x_L ≤ x ≤ x_U`.
///
/// Infinite bounds are `±f64::INFINITY` (values beyond the `nlp_*_bound_inf` options are
/// treated as infinite too). Sparse structures are triplets `(row, col)` that never change
/// between calls; values are written in the same order. Repeated positions are summed.
pub trait Nlp {
    /// Number of variables.
    fn num_variables(&self) -> usize;
    /// Number of constraints.
    fn num_constraints(&self) -> usize;
    /// Variable bounds, written into `lower` and `upper` (length `n`).
    fn variable_bounds(&self, lower: &mut [f64], upper: &mut [f64]);
    /// Constraint bounds, written into `lower` and `upper` (length `m`).
    fn constraint_bounds(&self, lower: &mut [f64], upper: &mut [f64]);
    /// Starting point (and optionally starting multipliers).
    fn starting_point(&self) -> StartingPoint;
    /// `true` if the objective is to be maximized; the solver then minimizes `−f`.
    fn maximize(&self) -> bool {
        false
    }
    /// Objective value `f(x)`.
    fn eval_f(&self, x: &[f64]) -> EvalResult<f64>;
    /// Objective gradient, written into `grad` (length `n`).
    fn eval_grad_f(&self, x: &[f64], grad: &mut [f64]) -> EvalResult<()>;
    /// Constraint values, written into `g` (length `m`).
    fn eval_g(&self, x: &[f64], g: &mut [f64]) -> EvalResult<()>;
    /// Jacobian sparsity: `(row, col)` of each structural nonzero.
    fn jacobian_structure(&self) -> Vec<(usize, usize)>;
    /// Jacobian values in the order of [`Nlp::jacobian_structure`].
    fn eval_jacobian(&self, x: &[f64], values: &mut [f64]) -> EvalResult<()>;
    /// Lower-triangle (`row ≥ col`) sparsity of the Lagrangian Hessian, or `None` when
    /// second derivatives are not available (the solver then uses a quasi-Newton model).
    fn hessian_structure(&self) -> Option<Vec<(usize, usize)>>;
    /// Values of `obj_factor·∇²f + Σ λ_i ∇²g_i` in the order of
    /// [`Nlp::hessian_structure`].
    fn eval_hessian(
        &self,
        x: &[f64],
        obj_factor: f64,
        lambda: &[f64],
        values: &mut [f64],
    ) -> EvalResult<()>;
    /// User scaling factors, used with `nlp_scaling_method = user-scaling`.
    fn user_scaling(&self) -> Option<UserScaling> {
        None
    }
}
