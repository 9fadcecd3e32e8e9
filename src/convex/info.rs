//! Termination measures in the units of the unscaled problem, and the tests for
//! optimality, infeasibility and stalling.
//!
//! Optimality is judged on `(x, s, z)/τ` mapped back through the equilibration:
//! relative primal and dual residuals and the duality gap. Infeasibility is judged
//! on the unnormalized iterate once `κ/τ` is large: `z` certifies primal
//! infeasibility when `bᵀz < 0` and `Aᵀz ≈ 0`; `x` certifies dual infeasibility
//! (unboundedness) when `qᵀx < 0`, `Px ≈ 0` and `Ax + s ≈ 0`.

use super::equilibrate::Equilibration;
use super::residuals::{Residuals, ScaledData};
use super::settings::Settings;
use super::variables::{Variables, norm_inf_scaled, norm_inf_unscaled};
use crate::outcome::slack;

/// How the convex solver ended, in its own terms (mapped to
/// [`crate::outcome::SolveStatus`] by [`ConvexStatus::solve_status`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvexStatus {
    Unsolved,
    Solved,
    AlmostSolved,
    PrimalInfeasible,
    AlmostPrimalInfeasible,
    DualInfeasible,
    AlmostDualInfeasible,
    MaxIterations,
    MaxTime,
    /// The solve's stop signal fired (a time limit or an interrupt).
    Stopped(crate::stop::StopReason),
    InsufficientProgress,
    NumericalError,
    /// A row or variable has contradictory sides; found before iterating.
    InconsistentBounds,
}

impl ConvexStatus {
    pub fn solve_status(self) -> crate::outcome::SolveStatus {
        use crate::outcome::SolveStatus as S;
        match self {
            ConvexStatus::Solved => S::Success,
            ConvexStatus::AlmostSolved => S::StopAtAcceptablePoint,
            ConvexStatus::PrimalInfeasible | ConvexStatus::AlmostPrimalInfeasible => {
                S::LocalInfeasibility
            }
            ConvexStatus::DualInfeasible | ConvexStatus::AlmostDualInfeasible => {
                S::DivergingIterates
            }
            ConvexStatus::MaxIterations => S::MaxIterExceeded,
            ConvexStatus::MaxTime => S::WallTimeExceeded,
            ConvexStatus::Stopped(reason) => reason.status(),
            ConvexStatus::InsufficientProgress => S::StopAtTinyStep,
            ConvexStatus::NumericalError => S::ErrorInStepComputation,
            ConvexStatus::Unsolved => S::InternalError,
            ConvexStatus::InconsistentBounds => S::InvalidProblemDefinition,
        }
    }

    pub fn is_primal_infeasible(self) -> bool {
        matches!(
            self,
            ConvexStatus::PrimalInfeasible | ConvexStatus::AlmostPrimalInfeasible
        )
    }

    pub fn is_dual_infeasible(self) -> bool {
        matches!(
            self,
            ConvexStatus::DualInfeasible | ConvexStatus::AlmostDualInfeasible
        )
    }
}

/// Termination measures of one iterate (unscaled problem units).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Info {
    pub iterations: usize,
    /// `½xᵀPx + qᵀx` at `x/τ` (without the objective constant).
    pub cost_primal: f64,
    /// `−½xᵀPx − bᵀz` at `(x, z)/τ` (without the objective constant).
    pub cost_dual: f64,
    pub gap_abs: f64,
    /// `gap_abs / max(1, min(|primal objective|, |dual objective|))`, the objectives
    /// with their constant: the value the user sees, which a large constant can make far
    /// smaller than the costs without it.
    pub gap_rel: f64,
    /// The objective's constant term, set by the caller before the first update.
    pub objective_constant: f64,
    /// Largest complementarity of a row at `(x, z)/τ` (unscaled), measured on the best
    /// slack as the certificate measures it ([`slack::row_error`]).
    pub compl_max: f64,
    /// `maxᵢ |Ax + s − b|ᵢ / max(1, |bᵢ|, |Ax|ᵢ, |sᵢ|)` at `(x, s)/τ`.
    pub res_primal: f64,
    /// `‖Px + Aᵀz + q‖∞ / max(1, ‖q‖∞, ‖Px‖∞, ‖Aᵀz‖∞)` at `(x, z)/τ`.
    pub res_dual: f64,
    /// `‖Px + Aᵀz + q‖∞` at `(x, z)/τ`, unscaled.
    pub res_dual_abs: f64,
    /// `‖Aᵀz‖∞ / max(1, ‖z‖)` and `bᵀz / max(1, ‖z‖)` of the unnormalized iterate.
    pub res_primal_inf: f64,
    pub bz_normalized: f64,
    /// `max(‖Px‖/max(1,‖x‖), ‖Ax + s‖/max(1, ‖x‖ + ‖s‖))` and `qᵀx / max(1, ‖x‖)`.
    pub res_dual_inf: f64,
    pub qx_normalized: f64,
    pub kappa_over_tau: f64,
    /// First-order bound on how far the residuals can move the objective,
    /// `(Σ|zᵢ rzᵢ| + Σ|xⱼ rxⱼ|)/τ²` (unscaled; the equilibration cancels), relative to
    /// `max(1, |primal cost|)`.
    pub objective_error: f64,
    pub mu: f64,
    pub step_length: f64,
    pub sigma: f64,
}

/// Tolerances of one family of tests (full or reduced).
struct Tolerances {
    gap_abs: f64,
    gap_rel: f64,
    compl: f64,
    dual_abs: f64,
    feas: f64,
    infeas_abs: f64,
    infeas_rel: f64,
    ktratio: f64,
}

impl Default for Info {
    /// Measures of a point not yet evaluated.
    fn default() -> Self {
        Self {
            iterations: 0,
            cost_primal: f64::NAN,
            cost_dual: f64::NAN,
            gap_abs: f64::INFINITY,
            gap_rel: f64::INFINITY,
            objective_constant: 0.0,
            res_primal: f64::INFINITY,
            res_dual: f64::INFINITY,
            res_dual_abs: f64::INFINITY,
            res_primal_inf: f64::INFINITY,
            bz_normalized: 0.0,
            res_dual_inf: f64::INFINITY,
            qx_normalized: 0.0,
            kappa_over_tau: f64::NAN,
            objective_error: f64::INFINITY,
            compl_max: f64::INFINITY,
            mu: f64::NAN,
            step_length: 0.0,
            sigma: 0.0,
        }
    }
}

impl Info {
    /// Computes the measures at `v` from the residuals already evaluated there.
    pub fn update(&mut self, data: &ScaledData, eq: &Equilibration, v: &Variables, r: &Residuals) {
        let tau_inv = 1.0 / v.tau;
        let c_inv = 1.0 / eq.c;
        let half_xpx = 0.5 * r.dot_xpx * tau_inv * tau_inv;
        self.cost_primal = (r.dot_qx * tau_inv + half_xpx) * c_inv;
        self.cost_dual = (-r.dot_bz * tau_inv - half_xpx) * c_inv;

        // Unscaled norms of the unnormalized iterate: x = D x̂, z = E ẑ / c, s = E⁻¹ ŝ.
        let norm_x = norm_inf_scaled(&v.x, &eq.d);
        let norm_z = norm_inf_scaled(&v.z, &eq.e) * c_inv;
        let norm_s = norm_inf_unscaled(&v.s, &eq.e);

        // Unscaled Aᵀz = D⁻¹ Âᵀẑ / c; Px = D⁻¹ P̂x̂ / c; Ax + s = E⁻¹(Âx̂ + ŝ).
        let z_scale = norm_z.max(1.0);
        self.res_primal_inf = norm_inf_unscaled(&r.atz, &eq.d) * c_inv / z_scale;
        self.bz_normalized = r.dot_bz * c_inv / z_scale;
        let x_scale = norm_x.max(1.0);
        self.res_dual_inf = (norm_inf_unscaled(&r.px, &eq.d) * c_inv / x_scale)
            .max(norm_inf_unscaled(&r.ax_s, &eq.e) / (norm_x + norm_s).max(1.0));
        self.qx_normalized = r.dot_qx * c_inv / x_scale;

        // The primal residual relative to the terms it is made of, row by row, in
        // unscaled units: whole-vector norms would let one row with a huge right-hand
        // side (a far bound) excuse violations elsewhere that still move the objective.
        self.res_primal = 0.0;
        for i in 0..v.s.len() {
            let e = eq.e[i];
            let s_i = (v.s[i] / e * tau_inv).abs();
            let ax_i = ((r.ax_s[i] - v.s[i]) / e * tau_inv).abs();
            let b_i = (data.b[i] / e).abs();
            let res = (r.rz[i] / e * tau_inv).abs() / b_i.max(ax_i).max(s_i).max(1.0);
            self.res_primal = self.res_primal.max(res);
        }
        // The dual residual against whole-vector norms of its terms: the
        // equilibration's column scaling amplifies round-off column by column, which a
        // column-wise test would mistake for a lack of convergence.
        let norm_q = norm_inf_unscaled(&data.q, &eq.d) * c_inv;
        let norm_px = norm_inf_unscaled(&r.px, &eq.d) * c_inv * tau_inv;
        let norm_atz = norm_inf_unscaled(&r.atz, &eq.d) * c_inv * tau_inv;
        self.res_dual_abs = norm_inf_unscaled(&r.rx, &eq.d) * c_inv * tau_inv;
        self.res_dual = self.res_dual_abs / norm_q.max(norm_px).max(norm_atz).max(1.0);

        // Each row's complementarity as the certificate measures it at the returned x
        // ([`slack`]): the row value b − Ax = (s − rz)/τ may be read on any slack
        // within the bounds, trading distance from the bound against violation. A
        // product zᵢ(b − Ax)ᵢ would hold an active row whose value cannot be computed
        // closer to its bound than the rounding of its terms to a product with its
        // multiplier (Maros–Meszaros STADAT1: a row value of 2⁻³⁰ with multiplier
        // 3.6e3 kept the iteration going 28 iterations past the certified point).
        self.compl_max =
            v.s.iter()
                .zip(&r.rz)
                .zip(&v.z)
                .zip(&eq.e)
                .fold(0.0f64, |m, (((s, rz), z), e)| {
                    let gap = (s - rz) / e * tau_inv;
                    let multiplier = (z * e * c_inv * tau_inv).abs();
                    let row = slack::row_error(
                        (-gap).max(0.0),
                        multiplier * gap.max(0.0),
                        multiplier,
                        1.0,
                        1.0,
                    );
                    m.max(row)
                });
        self.gap_abs = (self.cost_primal - self.cost_dual).abs();
        let c0 = self.objective_constant;
        self.gap_rel = self.gap_abs
            / (self.cost_primal + c0)
                .abs()
                .min((self.cost_dual + c0).abs())
                .max(1.0);
        self.kappa_over_tau = v.kappa / v.tau;
        let weighted =
            v.z.iter()
                .zip(&r.rz)
                .map(|(z, r)| (z * r).abs())
                .sum::<f64>()
                + v.x
                    .iter()
                    .zip(&r.rx)
                    .map(|(x, r)| (x * r).abs())
                    .sum::<f64>();
        self.objective_error =
            weighted * c_inv * tau_inv * tau_inv / self.cost_primal.abs().max(1.0);
    }

    fn check(&self, t: &Tolerances) -> ConvexStatus {
        let gap_ok =
            (self.gap_abs < t.gap_abs || self.gap_rel < t.gap_rel) && self.compl_max <= t.compl;
        if self.kappa_over_tau <= 1.0
            && gap_ok
            && self.res_primal < t.feas
            && self.res_dual < t.feas
            && self.res_dual_abs <= t.dual_abs
        {
            return ConvexStatus::Solved;
        }
        if self.kappa_over_tau > 1000.0 / t.ktratio {
            if self.bz_normalized < -t.infeas_abs
                && self.res_primal_inf < -t.infeas_rel * self.bz_normalized
            {
                return ConvexStatus::PrimalInfeasible;
            }
            if self.qx_normalized < -t.infeas_abs
                && self.res_dual_inf < -t.infeas_rel * self.qx_normalized
            {
                return ConvexStatus::DualInfeasible;
            }
        }
        ConvexStatus::Unsolved
    }

    /// How far the point is from the full optimality tests: the largest ratio of a
    /// measure to its tolerance (at most 1 when all are met), `∞` while `κ/τ > 1`.
    pub fn optimality_score(&self, s: &Settings) -> f64 {
        // NaN (an unevaluated point) counts as not converged.
        if self.kappa_over_tau.is_nan() || self.kappa_over_tau > 1.0 {
            return f64::INFINITY;
        }
        let ratio = |value: f64, tol: f64| if tol.is_finite() { value / tol } else { 0.0 };
        let gap = ratio(self.gap_abs, s.tol_gap_abs).min(ratio(self.gap_rel, s.tol_gap_rel));
        [
            gap,
            ratio(self.compl_max, s.tol_compl),
            ratio(self.res_primal, s.tol_feas),
            ratio(self.res_dual, s.tol_feas),
            ratio(self.res_dual_abs, s.tol_dual_abs),
        ]
        .into_iter()
        .fold(0.0, f64::max)
    }

    /// Optimality or infeasibility at full tolerances.
    pub fn check_full(&self, s: &Settings) -> ConvexStatus {
        self.check(&Tolerances {
            gap_abs: s.tol_gap_abs,
            gap_rel: s.tol_gap_rel,
            compl: s.tol_compl,
            dual_abs: s.tol_dual_abs,
            feas: s.tol_feas,
            infeas_abs: s.tol_infeas_abs,
            infeas_rel: s.tol_infeas_rel,
            ktratio: s.tol_ktratio,
        })
    }

    /// The "almost" variant of a stalled solve's end point at reduced tolerances.
    /// An almost-optimal point must also have residuals too small to move the
    /// objective by more than the relative gap tolerance: with huge multipliers a
    /// tiny relative infeasibility can hide a large objective error.
    pub fn check_reduced(&self, s: &Settings) -> ConvexStatus {
        match self.check(&Tolerances {
            gap_abs: s.reduced_tol_gap_abs,
            gap_rel: s.reduced_tol_gap_rel,
            compl: f64::INFINITY,
            dual_abs: f64::INFINITY,
            feas: s.reduced_tol_feas,
            infeas_abs: s.reduced_tol_infeas_abs,
            infeas_rel: s.reduced_tol_infeas_rel,
            ktratio: s.reduced_tol_ktratio,
        }) {
            ConvexStatus::Solved if self.objective_error <= s.reduced_tol_gap_rel => {
                ConvexStatus::AlmostSolved
            }
            ConvexStatus::Solved => ConvexStatus::Unsolved,
            ConvexStatus::PrimalInfeasible => ConvexStatus::AlmostPrimalInfeasible,
            ConvexStatus::DualInfeasible => ConvexStatus::AlmostDualInfeasible,
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nearly_optimal() -> Info {
        Info {
            cost_primal: 10.0,
            cost_dual: 10.0 - 1e-5,
            gap_abs: 1e-5,
            gap_rel: 1e-6,
            res_primal: 1e-6,
            res_dual: 1e-6,
            kappa_over_tau: 1e-3,
            objective_error: 1e-7,
            ..Info::default()
        }
    }

    #[test]
    fn stalled_point_is_almost_solved_only_if_residuals_cannot_move_the_objective() {
        let s = Settings::default();
        let info = nearly_optimal();
        assert_eq!(info.check_full(&s), ConvexStatus::Unsolved);
        assert_eq!(info.check_reduced(&s), ConvexStatus::AlmostSolved);
        let hidden_error = Info {
            objective_error: 0.3,
            ..nearly_optimal()
        };
        assert_eq!(hidden_error.check_reduced(&s), ConvexStatus::Unsolved);
    }

    #[test]
    fn absolute_dual_residual_bound_blocks_optimality_and_drives_the_score() {
        let s = Settings {
            tol_gap_abs: 1e-3,
            tol_gap_rel: 1e-3,
            tol_feas: 1e-5,
            tol_dual_abs: 1e-8,
            ..Settings::default()
        };
        let met = Info {
            res_dual_abs: 5e-9,
            ..nearly_optimal()
        };
        assert_eq!(met.check_full(&s), ConvexStatus::Solved);
        assert!(met.optimality_score(&s) <= 1.0);
        let missed = Info {
            res_dual_abs: 4e-8,
            ..nearly_optimal()
        };
        assert_eq!(missed.check_full(&s), ConvexStatus::Unsolved);
        assert!((missed.optimality_score(&s) - 4.0).abs() < 1e-12);
        let not_converged = Info {
            kappa_over_tau: 2.0,
            ..met
        };
        assert_eq!(not_converged.optimality_score(&s), f64::INFINITY);
    }

    #[test]
    fn infeasibility_needs_a_large_kappa_over_tau() {
        let s = Settings::default();
        let certificate = Info {
            bz_normalized: -1.0,
            res_primal_inf: 1e-12,
            kappa_over_tau: 1e12,
            ..Info::default()
        };
        assert_eq!(certificate.check_full(&s), ConvexStatus::PrimalInfeasible);
        let early = Info {
            kappa_over_tau: 10.0,
            ..certificate
        };
        assert_eq!(early.check_full(&s), ConvexStatus::Unsolved);
    }
}
