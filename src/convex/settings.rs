//! Settings of the convex interior-point method. Defaults follow Clarabel's, except
//! `tol_feas` (1e-8 here), so that results are comparable with NLP-path tolerances.

/// Tolerances, limits and numerical constants of the HSDE interior-point method.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Iteration limit.
    pub max_iter: usize,
    /// Wall-clock limit in seconds.
    pub time_limit: f64,
    /// Limits and interrupt of the whole solve, polled every iteration.
    pub stop: crate::stop::Stop,
    /// Print the iteration table and final block.
    pub verbose: bool,
    /// End the final block with the `EXIT:` line. A caller that confirms or revises the
    /// status after the solve (the optimality certificate) turns it off and prints the
    /// line itself, so that the log states the final status once.
    pub print_exit_line: bool,
    /// Fraction of the distance to the cone boundary a step may cover.
    pub max_step_fraction: f64,

    /// Absolute duality gap tolerance.
    pub tol_gap_abs: f64,
    /// Relative duality gap tolerance.
    pub tol_gap_rel: f64,
    /// Bound on every complementarity product `sᵢzᵢ` (unscaled) at an optimum, on
    /// top of the gap: a caller that checks the result against an absolute
    /// complementarity tolerance (Ipopt's `tol`) sets it; infinite by default.
    pub tol_compl: f64,
    /// Bound on the unscaled dual residual `‖Px + Aᵀz + q‖∞` at an optimum, on top of
    /// the relative one: a caller that checks stationarity against an absolute
    /// tolerance (Ipopt's `tol` under its objective scaling) sets it; infinite by
    /// default.
    pub tol_dual_abs: f64,
    /// Bounds on a polished point's unscaled stationarity and largest complementarity
    /// product whatever the size of its multipliers (half of Ipopt's `dual_inf_tol` and
    /// `compl_inf_tol` for a caller that checks those); infinite by default. The
    /// polished point's other figures are judged relative to the multipliers, as Ipopt's
    /// overall error ([`super::scaled_error`]).
    pub tol_dual_inf: f64,
    pub tol_compl_inf: f64,
    /// Relative primal and dual residual tolerance.
    pub tol_feas: f64,
    /// Absolute tolerance of the infeasibility certificates' objective terms.
    pub tol_infeas_abs: f64,
    /// Relative tolerance of the infeasibility certificates' residuals.
    pub tol_infeas_rel: f64,
    /// `κ/τ` below which (inverse: above which) optimality (infeasibility) is judged.
    pub tol_ktratio: f64,

    /// Looser tolerances accepted when the method stalls ("solved to acceptable level").
    pub reduced_tol_gap_abs: f64,
    pub reduced_tol_gap_rel: f64,
    pub reduced_tol_feas: f64,
    pub reduced_tol_infeas_abs: f64,
    pub reduced_tol_infeas_rel: f64,
    pub reduced_tol_ktratio: f64,

    /// Ruiz equilibration of the data.
    pub equilibrate_enable: bool,
    pub equilibrate_max_iter: usize,
    pub equilibrate_min_scaling: f64,
    pub equilibrate_max_scaling: f64,

    /// Static regularization `δ = constant + proportional · max |diag(K)|`.
    pub static_regularization_constant: f64,
    pub static_regularization_proportional: f64,
    /// The constant of `δ` from the first factorization after a step of nearly full
    /// length (`α(1 − σ) ≥ stall_full_step`) left more than
    /// `regularization_failure_ratio` of the primal residual of an infeasible iterate.
    /// Such a step shows directions whose error is of the residual's size: `K` has
    /// eigenvalues far below `δ`, more than the refinement's Krylov space resolves (on
    /// a second-difference constraint matrix, `A P⁻¹ Aᵀ` has dozens of eigenvalues
    /// down to 1e-14), so the factored matrix answers mostly with `δ` and the
    /// iteration plateaus above tolerance while `μ` falls a hundredfold per step.
    pub static_regularization_reduced_constant: f64,
    pub regularization_failure_ratio: f64,
    /// Dynamic regularization: a pivot of the wrong sign or below `eps` in magnitude
    /// is replaced by `±delta`.
    pub dynamic_regularization_eps: f64,
    pub dynamic_regularization_delta: f64,

    /// Refinement of each KKT solve against the unregularized matrix by restarted
    /// GMRES: residual tolerance, Krylov dimension per cycle and number of cycles.
    pub iterative_refinement_reltol: f64,
    pub iterative_refinement_abstol: f64,
    pub iterative_refinement_max_iter: usize,
    pub iterative_refinement_max_cycles: usize,
    /// Refinement stops when a cycle reduces the residual by less than this factor.
    pub iterative_refinement_stop_ratio: f64,
    /// Residual tolerances of the refinement in the end game, once the largest relative
    /// residual or gap is below `endgame_threshold` (or the solve stalls): the
    /// equilibration's column and row factors (up to `equilibrate_max_scaling`) and the
    /// cost scale magnify a scaled solve's error in the unscaled residuals the
    /// termination tests and the certificate check, so the last directions are solved
    /// to round-off rather than to the looser tolerance that suffices far away.
    pub endgame_refinement_reltol: f64,
    pub endgame_refinement_abstol: f64,
    pub endgame_threshold: f64,

    /// Iterations without halving the largest relative residual or gap, once `μ`
    /// is below `stall_mu_ratio` times its initial value, that end the solve as
    /// "insufficient progress".
    pub stall_iterations: usize,
    pub stall_mu_ratio: f64,
    /// Fewer such iterations that end the solve in the end game when every step
    /// since the last halving was at least `stall_full_step`: full Newton steps
    /// that leave the residuals where they were show the iterates at the error
    /// floor of the directions, which more iterations do not lower.
    pub stall_full_step_iterations: usize,
    pub stall_full_step: f64,
    /// Step lengths below this end the solve as "insufficient progress".
    pub min_terminate_step_length: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_iter: 200,
            time_limit: f64::INFINITY,
            stop: crate::stop::Stop::never(),
            verbose: true,
            print_exit_line: true,
            max_step_fraction: 0.99,
            tol_gap_abs: 1e-8,
            tol_gap_rel: 1e-8,
            tol_compl: f64::INFINITY,
            tol_dual_abs: f64::INFINITY,
            tol_dual_inf: f64::INFINITY,
            tol_compl_inf: f64::INFINITY,
            tol_feas: 1e-8,
            tol_infeas_abs: 1e-8,
            tol_infeas_rel: 1e-8,
            tol_ktratio: 1e-6,
            reduced_tol_gap_abs: 5e-5,
            reduced_tol_gap_rel: 5e-5,
            reduced_tol_feas: 1e-4,
            reduced_tol_infeas_abs: 5e-12,
            reduced_tol_infeas_rel: 5e-5,
            reduced_tol_ktratio: 1e-4,
            equilibrate_enable: true,
            equilibrate_max_iter: 10,
            equilibrate_min_scaling: 1e-4,
            equilibrate_max_scaling: 1e4,
            static_regularization_constant: 1e-8,
            static_regularization_proportional: f64::EPSILON * f64::EPSILON,
            static_regularization_reduced_constant: 1e-14,
            regularization_failure_ratio: 0.25,
            dynamic_regularization_eps: 1e-13,
            dynamic_regularization_delta: 2e-7,
            iterative_refinement_reltol: 1e-13,
            iterative_refinement_abstol: 1e-12,
            iterative_refinement_max_iter: 10,
            iterative_refinement_max_cycles: 3,
            iterative_refinement_stop_ratio: 5.0,
            endgame_refinement_reltol: 1e-16,
            endgame_refinement_abstol: 0.0,
            endgame_threshold: 1e-5,
            stall_iterations: 30,
            stall_mu_ratio: 1e-12,
            stall_full_step_iterations: 10,
            stall_full_step: 0.9,
            min_terminate_step_length: 1e-4,
        }
    }
}
