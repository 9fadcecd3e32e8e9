//! What a convex solve returns: the solver-independent [`Solution`] plus the
//! convex-specific status, termination measures and infeasibility certificates.

use super::conic::OriginalDuals;
use super::info::{ConvexStatus, Info};
use crate::outcome::Solution;

/// A certificate of infeasibility in the original problem's terms, normalized to
/// unit infinity norm.
#[derive(Clone, Debug, PartialEq)]
pub enum Certificate {
    /// Farkas multipliers `(y, z_lower, z_upper)` with `z_lower, z_upper ≥ 0`, `y`
    /// signed like Ipopt's `λ` (positive on an upper side, negative on a lower side):
    /// `Aᵀy − z_lower + z_upper ≈ 0` while the support value
    /// `Σ (uᵢ yᵢ⁺ − lᵢ yᵢ⁻) + Σ (ux_j z_upper_j − lx_j z_lower_j) < 0`,
    /// which no feasible `x` allows.
    PrimalInfeasible(OriginalDuals),
    /// A direction `d` with `Pd ≈ 0`, `qᵀd < 0` and `x + t d` feasible for every
    /// `t ≥ 0` from any feasible `x` (`aᵢᵀd ≤ 0` where `uᵢ` is finite, `≥ 0` where
    /// `lᵢ` is, and likewise for the variable bounds): the objective is unbounded
    /// below if the problem is feasible.
    DualInfeasible { direction: Vec<f64> },
}

/// The outcome of [`super::solve`].
#[derive(Clone, Debug)]
pub struct ConvexResult {
    /// Primal point, multipliers (Ipopt's sign convention) and status. For a primal
    /// infeasible problem the multipliers are the Farkas certificate; for a dual
    /// infeasible one `x` is the last (diverging) iterate.
    pub solution: Solution,
    pub status: ConvexStatus,
    /// Termination measures at the returned point.
    pub info: Info,
    pub certificate: Option<Certificate>,
    /// Wall-clock seconds of the solve.
    pub solve_time: f64,
}
