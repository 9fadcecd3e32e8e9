//! Algorithmic options of the interior-point method.
//!
//! Field names are Ipopt's option names and defaults are Ipopt 3.14's, so that an option
//! registry keyed by Ipopt's names maps onto this struct one to one and default runs
//! follow Ipopt's iterates.

/// How variables with equal lower and upper bounds are handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixedVariableTreatment {
    /// Removed from the problem; their multipliers are recovered at the end.
    MakeParameter,
    /// Removed from the problem; their bound multipliers are reported as zero.
    MakeParameterNodual,
    /// Kept as variables with an added equality constraint `x_i = value`.
    MakeConstraint,
    /// Kept as variables with their (relaxed) bounds.
    RelaxBounds,
}

/// Automatic scaling of the problem functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NlpScalingMethod {
    None,
    UserScaling,
    GradientBased,
    /// Accepted for compatibility; handled as gradient-based scaling.
    EquilibrationBased,
}

/// How the initial bound multipliers are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundMultInitMethod {
    Constant,
    MuBased,
}

/// Barrier parameter update rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MuStrategy {
    Monotone,
    Adaptive,
}

/// Oracle proposing the barrier parameter in adaptive mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MuOracle {
    Probing,
    Loqo,
    QualityFunction,
}

/// Safeguard that switches the adaptive barrier update to monotone mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdaptiveMuGlobalization {
    KktError,
    ObjConstrFilter,
    NeverMonotoneMode,
}

/// Second-derivative information used in the KKT system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HessianApproximation {
    Exact,
    LimitedMemory,
}

/// Quasi-Newton update formula.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitedMemoryUpdateType {
    Bfgs,
    Sr1,
}

/// Initial scaling of the limited-memory Hessian approximation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitedMemoryInitialization {
    Scalar1,
    Scalar2,
    Scalar3,
    Scalar4,
    Constant,
}

/// Norm of the constraint violation θ used by the filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstraintViolationNormType {
    OneNorm,
    TwoNorm,
    MaxNorm,
}

/// What the `inf_pr` column of the iteration table shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InfPrOutput {
    Internal,
    Original,
}

/// Options of the interior-point method (Ipopt's names and defaults).
#[derive(Clone, Debug, PartialEq)]
pub struct IpmOptions {
    // Termination
    pub tol: f64,
    pub s_max: f64,
    pub max_iter: usize,
    pub max_wall_time: f64,
    pub max_cpu_time: f64,
    pub dual_inf_tol: f64,
    pub constr_viol_tol: f64,
    pub compl_inf_tol: f64,
    pub acceptable_tol: f64,
    pub acceptable_iter: usize,
    pub acceptable_dual_inf_tol: f64,
    pub acceptable_constr_viol_tol: f64,
    pub acceptable_compl_inf_tol: f64,
    pub acceptable_obj_change_tol: f64,
    pub diverging_iterates_tol: f64,
    pub mu_target: f64,
    // Output
    pub print_level: i32,
    pub print_info_string: bool,
    pub inf_pr_output: InfPrOutput,
    pub print_frequency_iter: usize,
    /// Print the timing split between function evaluations and the rest.
    pub print_timing_statistics: bool,
    /// Suppress the banner (Ipopt's `sb`).
    pub sb: bool,
    /// End the log with the `EXIT:` line. A caller that confirms or revises the status
    /// after the solve (the optimality certificate) turns it off and prints the line
    /// itself, so that the log states the final status once.
    pub print_exit_line: bool,
    // NLP
    pub nlp_lower_bound_inf: f64,
    pub nlp_upper_bound_inf: f64,
    pub fixed_variable_treatment: FixedVariableTreatment,
    pub kappa_d: f64,
    pub bound_relax_factor: f64,
    pub honor_original_bounds: bool,
    pub check_derivatives_for_naninf: bool,
    // NLP scaling
    pub nlp_scaling_method: NlpScalingMethod,
    pub obj_scaling_factor: f64,
    pub nlp_scaling_max_gradient: f64,
    pub nlp_scaling_obj_target_gradient: f64,
    pub nlp_scaling_constr_target_gradient: f64,
    pub nlp_scaling_min_value: f64,
    // Initialization
    pub bound_push: f64,
    pub bound_frac: f64,
    pub slack_bound_push: f64,
    pub slack_bound_frac: f64,
    pub constr_mult_init_max: f64,
    pub bound_mult_init_val: f64,
    pub bound_mult_init_method: BoundMultInitMethod,
    pub warm_start_init_point: bool,
    pub warm_start_bound_push: f64,
    pub warm_start_bound_frac: f64,
    pub warm_start_slack_bound_push: f64,
    pub warm_start_slack_bound_frac: f64,
    pub warm_start_mult_bound_push: f64,
    pub warm_start_mult_init_max: f64,
    // Barrier parameter update
    pub mu_strategy: MuStrategy,
    pub mu_oracle: MuOracle,
    pub mu_init: f64,
    pub mu_max_fact: f64,
    pub mu_max: f64,
    pub mu_min: f64,
    pub barrier_tol_factor: f64,
    pub mu_linear_decrease_factor: f64,
    pub mu_superlinear_decrease_power: f64,
    pub mu_allow_fast_monotone_decrease: bool,
    pub tau_min: f64,
    pub sigma_max: f64,
    pub sigma_min: f64,
    pub adaptive_mu_globalization: AdaptiveMuGlobalization,
    pub adaptive_mu_kkterror_red_iters: usize,
    pub filter_margin_fact: f64,
    pub filter_max_margin: f64,
    pub adaptive_mu_kkterror_red_fact: f64,
    pub adaptive_mu_monotone_init_factor: f64,
    pub quality_function_max_section_steps: usize,
    pub quality_function_section_sigma_tol: f64,
    pub quality_function_section_qf_tol: f64,
    // Line search
    pub alpha_red_factor: f64,
    pub accept_every_trial_step: bool,
    pub accept_after_max_steps: i64,
    pub tiny_step_tol: f64,
    pub tiny_step_y_tol: f64,
    pub watchdog_shortened_iter_trigger: usize,
    pub watchdog_trial_iter_max: usize,
    pub theta_max_fact: f64,
    pub theta_min_fact: f64,
    pub eta_phi: f64,
    pub delta: f64,
    pub s_phi: f64,
    pub s_theta: f64,
    pub gamma_phi: f64,
    pub gamma_theta: f64,
    pub alpha_min_frac: f64,
    pub max_soc: usize,
    pub kappa_soc: f64,
    pub obj_max_inc: f64,
    pub max_filter_resets: usize,
    pub filter_reset_trigger: usize,
    pub kappa_sigma: f64,
    pub slack_move: f64,
    pub constraint_violation_norm_type: ConstraintViolationNormType,
    // Step calculation
    pub min_refinement_steps: usize,
    pub max_refinement_steps: usize,
    pub residual_ratio_max: f64,
    pub residual_ratio_singular: f64,
    pub residual_improvement_factor: f64,
    /// Debug: iteration whose KKT matrix and right-hand side are written to
    /// `kkt_dump_file` (`.mtx`, `-rhs.mtx`) in Matrix Market format.
    pub kkt_dump_iter: Option<usize>,
    pub kkt_dump_file: String,
    pub max_hessian_perturbation: f64,
    pub min_hessian_perturbation: f64,
    pub perturb_inc_fact_first: f64,
    pub perturb_inc_fact: f64,
    pub perturb_dec_fact: f64,
    pub first_hessian_perturbation: f64,
    pub jacobian_regularization_value: f64,
    pub jacobian_regularization_exponent: f64,
    pub perturb_always_cd: bool,
    // Restoration phase
    pub expect_infeasible_problem: bool,
    pub expect_infeasible_problem_ctol: f64,
    pub start_with_resto: bool,
    pub required_infeasibility_reduction: f64,
    pub max_resto_iter: usize,
    pub resto_penalty_parameter: f64,
    pub resto_proximity_weight: f64,
    pub bound_mult_reset_threshold: f64,
    pub constr_mult_reset_threshold: f64,
    pub resto_failure_feasibility_threshold: f64,
    // Hessian approximation
    pub hessian_approximation: HessianApproximation,
    pub limited_memory_max_history: usize,
    pub limited_memory_update_type: LimitedMemoryUpdateType,
    pub limited_memory_initialization: LimitedMemoryInitialization,
    pub limited_memory_init_val: f64,
    pub limited_memory_init_val_max: f64,
    pub limited_memory_init_val_min: f64,
    pub limited_memory_max_skipping: usize,
}

impl Default for IpmOptions {
    fn default() -> Self {
        IpmOptions {
            tol: 1e-8,
            s_max: 100.0,
            max_iter: 3000,
            max_wall_time: 1e20,
            max_cpu_time: 1e20,
            dual_inf_tol: 1.0,
            constr_viol_tol: 1e-4,
            compl_inf_tol: 1e-4,
            acceptable_tol: 1e-6,
            acceptable_iter: 15,
            acceptable_dual_inf_tol: 1e10,
            acceptable_constr_viol_tol: 1e-2,
            acceptable_compl_inf_tol: 1e-2,
            acceptable_obj_change_tol: 1e20,
            diverging_iterates_tol: 1e20,
            mu_target: 0.0,
            print_level: 5,
            print_info_string: false,
            inf_pr_output: InfPrOutput::Original,
            print_frequency_iter: 1,
            print_timing_statistics: false,
            sb: false,
            print_exit_line: true,
            nlp_lower_bound_inf: -1e19,
            nlp_upper_bound_inf: 1e19,
            fixed_variable_treatment: FixedVariableTreatment::MakeParameter,
            kappa_d: 1e-5,
            bound_relax_factor: 1e-8,
            honor_original_bounds: false,
            check_derivatives_for_naninf: false,
            nlp_scaling_method: NlpScalingMethod::GradientBased,
            obj_scaling_factor: 1.0,
            nlp_scaling_max_gradient: 100.0,
            nlp_scaling_obj_target_gradient: 0.0,
            nlp_scaling_constr_target_gradient: 0.0,
            nlp_scaling_min_value: 1e-8,
            bound_push: 1e-2,
            bound_frac: 1e-2,
            slack_bound_push: 1e-2,
            slack_bound_frac: 1e-2,
            constr_mult_init_max: 1000.0,
            bound_mult_init_val: 1.0,
            bound_mult_init_method: BoundMultInitMethod::Constant,
            warm_start_init_point: false,
            warm_start_bound_push: 1e-3,
            warm_start_bound_frac: 1e-3,
            warm_start_slack_bound_push: 1e-3,
            warm_start_slack_bound_frac: 1e-3,
            warm_start_mult_bound_push: 1e-3,
            warm_start_mult_init_max: 1e6,
            mu_strategy: MuStrategy::Monotone,
            mu_oracle: MuOracle::QualityFunction,
            mu_init: 0.1,
            mu_max_fact: 1000.0,
            mu_max: 1e5,
            mu_min: 1e-11,
            barrier_tol_factor: 10.0,
            mu_linear_decrease_factor: 0.2,
            mu_superlinear_decrease_power: 1.5,
            mu_allow_fast_monotone_decrease: true,
            tau_min: 0.99,
            sigma_max: 100.0,
            sigma_min: 1e-6,
            adaptive_mu_globalization: AdaptiveMuGlobalization::ObjConstrFilter,
            adaptive_mu_kkterror_red_iters: 4,
            filter_margin_fact: 1e-5,
            filter_max_margin: 1.0,
            adaptive_mu_kkterror_red_fact: 0.9999,
            adaptive_mu_monotone_init_factor: 0.8,
            quality_function_max_section_steps: 8,
            quality_function_section_sigma_tol: 1e-2,
            quality_function_section_qf_tol: 0.0,
            alpha_red_factor: 0.5,
            accept_every_trial_step: false,
            accept_after_max_steps: -1,
            tiny_step_tol: 10.0 * f64::EPSILON,
            tiny_step_y_tol: 1e-2,
            watchdog_shortened_iter_trigger: 10,
            watchdog_trial_iter_max: 3,
            theta_max_fact: 1e4,
            theta_min_fact: 1e-4,
            eta_phi: 1e-8,
            delta: 1.0,
            s_phi: 2.3,
            s_theta: 1.1,
            gamma_phi: 1e-8,
            gamma_theta: 1e-5,
            alpha_min_frac: 0.05,
            max_soc: 4,
            kappa_soc: 0.99,
            obj_max_inc: 5.0,
            max_filter_resets: 5,
            filter_reset_trigger: 5,
            kappa_sigma: 1e10,
            slack_move: f64::EPSILON.powf(0.75),
            constraint_violation_norm_type: ConstraintViolationNormType::OneNorm,
            min_refinement_steps: 1,
            max_refinement_steps: 10,
            residual_ratio_max: 1e-10,
            residual_ratio_singular: 1e-5,
            residual_improvement_factor: 1.0,
            kkt_dump_iter: None,
            kkt_dump_file: "kkt".into(),
            max_hessian_perturbation: 1e20,
            min_hessian_perturbation: 1e-20,
            perturb_inc_fact_first: 100.0,
            perturb_inc_fact: 8.0,
            perturb_dec_fact: 1.0 / 3.0,
            first_hessian_perturbation: 1e-4,
            jacobian_regularization_value: 1e-8,
            jacobian_regularization_exponent: 0.25,
            perturb_always_cd: false,
            expect_infeasible_problem: false,
            expect_infeasible_problem_ctol: 1e-3,
            start_with_resto: false,
            required_infeasibility_reduction: 0.9,
            max_resto_iter: 3_000_000,
            resto_penalty_parameter: 1000.0,
            resto_proximity_weight: 1.0,
            bound_mult_reset_threshold: 1000.0,
            constr_mult_reset_threshold: 0.0,
            resto_failure_feasibility_threshold: 0.0,
            hessian_approximation: HessianApproximation::Exact,
            limited_memory_max_history: 6,
            limited_memory_update_type: LimitedMemoryUpdateType::Bfgs,
            limited_memory_initialization: LimitedMemoryInitialization::Scalar1,
            limited_memory_init_val: 1.0,
            limited_memory_init_val_max: 1e8,
            limited_memory_init_val_min: 1e-8,
            limited_memory_max_skipping: 2,
        }
    }
}
