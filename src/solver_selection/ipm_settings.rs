//! The interior-point method's settings from the option registry.
//!
//! [`IpmOptions`] uses Ipopt's option names as field names, so the mapping is one line per
//! option; string options become the method's enums here.

use crate::ipm::{
    BoundMultInitMethod, ConstraintViolationNormType, FixedVariableTreatment, HessianApproximation,
    InfPrOutput, IpmOptions, LimitedMemoryInitialization, LimitedMemoryUpdateType, MuOracle,
    MuStrategy, NlpScalingMethod,
};
use crate::options::Options;

/// Settings for the interior-point method from `options`.
pub fn ipm_options(options: &Options) -> IpmOptions {
    let mut o = IpmOptions::default();
    macro_rules! real {
        ($($name:ident),* $(,)?) => { $(o.$name = options.real(stringify!($name));)* };
    }
    macro_rules! count {
        ($($name:ident),* $(,)?) => {
            $(o.$name = usize::try_from(options.int(stringify!($name))).unwrap_or(usize::MAX);)*
        };
    }
    macro_rules! flag {
        ($($name:ident),* $(,)?) => { $(o.$name = options.flag(stringify!($name));)* };
    }
    real!(
        tol,
        s_max,
        max_wall_time,
        max_cpu_time,
        dual_inf_tol,
        constr_viol_tol,
        compl_inf_tol,
        acceptable_tol,
        acceptable_dual_inf_tol,
        acceptable_constr_viol_tol,
        acceptable_compl_inf_tol,
        acceptable_obj_change_tol,
        diverging_iterates_tol,
        mu_target,
        nlp_lower_bound_inf,
        nlp_upper_bound_inf,
        kappa_d,
        bound_relax_factor,
        obj_scaling_factor,
        nlp_scaling_max_gradient,
        nlp_scaling_obj_target_gradient,
        nlp_scaling_constr_target_gradient,
        nlp_scaling_min_value,
        bound_push,
        bound_frac,
        slack_bound_push,
        slack_bound_frac,
        constr_mult_init_max,
        bound_mult_init_val,
        warm_start_bound_push,
        warm_start_bound_frac,
        warm_start_slack_bound_push,
        warm_start_slack_bound_frac,
        warm_start_mult_bound_push,
        warm_start_mult_init_max,
        mu_init,
        mu_max_fact,
        mu_max,
        mu_min,
        barrier_tol_factor,
        mu_linear_decrease_factor,
        mu_superlinear_decrease_power,
        tau_min,
        sigma_max,
        sigma_min,
        adaptive_mu_kkterror_red_fact,
        adaptive_mu_monotone_init_factor,
        quality_function_section_sigma_tol,
        quality_function_section_qf_tol,
        alpha_red_factor,
        tiny_step_tol,
        tiny_step_y_tol,
        theta_max_fact,
        theta_min_fact,
        eta_phi,
        delta,
        s_phi,
        s_theta,
        gamma_phi,
        gamma_theta,
        alpha_min_frac,
        kappa_soc,
        obj_max_inc,
        kappa_sigma,
        slack_move,
        residual_ratio_max,
        residual_ratio_singular,
        residual_improvement_factor,
        max_hessian_perturbation,
        min_hessian_perturbation,
        perturb_inc_fact_first,
        perturb_inc_fact,
        perturb_dec_fact,
        first_hessian_perturbation,
        jacobian_regularization_value,
        jacobian_regularization_exponent,
        expect_infeasible_problem_ctol,
        required_infeasibility_reduction,
        resto_penalty_parameter,
        resto_proximity_weight,
        bound_mult_reset_threshold,
        constr_mult_reset_threshold,
        resto_failure_feasibility_threshold,
        limited_memory_init_val,
        limited_memory_init_val_max,
        limited_memory_init_val_min,
    );
    count!(
        max_iter,
        acceptable_iter,
        print_frequency_iter,
        adaptive_mu_kkterror_red_iters,
        quality_function_max_section_steps,
        watchdog_shortened_iter_trigger,
        watchdog_trial_iter_max,
        max_soc,
        max_filter_resets,
        filter_reset_trigger,
        min_refinement_steps,
        max_refinement_steps,
        max_resto_iter,
        limited_memory_max_history,
        limited_memory_max_skipping,
    );
    flag!(
        print_info_string,
        print_timing_statistics,
        sb,
        honor_original_bounds,
        check_derivatives_for_naninf,
        warm_start_init_point,
        mu_allow_fast_monotone_decrease,
        accept_every_trial_step,
        perturb_always_cd,
        expect_infeasible_problem,
        start_with_resto,
    );
    o.print_level = options.int("print_level") as i32;
    o.accept_after_max_steps = options.int("accept_after_max_steps");
    o.kkt_dump_iter = usize::try_from(options.int("kkt_dump_iter")).ok();
    o.kkt_dump_file = options.string("kkt_dump_file").to_string();
    o.inf_pr_output = match options.string("inf_pr_output") {
        "internal" => InfPrOutput::Internal,
        _ => InfPrOutput::Original,
    };
    o.fixed_variable_treatment = match options.string("fixed_variable_treatment") {
        "make_parameter_nodual" => FixedVariableTreatment::MakeParameterNodual,
        "make_constraint" => FixedVariableTreatment::MakeConstraint,
        "relax_bounds" => FixedVariableTreatment::RelaxBounds,
        _ => FixedVariableTreatment::MakeParameter,
    };
    o.nlp_scaling_method = match options.string("nlp_scaling_method") {
        "none" => NlpScalingMethod::None,
        "user-scaling" => NlpScalingMethod::UserScaling,
        "equilibration-based" => NlpScalingMethod::EquilibrationBased,
        _ => NlpScalingMethod::GradientBased,
    };
    o.bound_mult_init_method = match options.string("bound_mult_init_method") {
        "mu-based" => BoundMultInitMethod::MuBased,
        _ => BoundMultInitMethod::Constant,
    };
    o.mu_strategy = match options.string("mu_strategy") {
        "adaptive" => MuStrategy::Adaptive,
        _ => MuStrategy::Monotone,
    };
    o.mu_oracle = match options.string("mu_oracle") {
        "probing" => MuOracle::Probing,
        "loqo" => MuOracle::Loqo,
        _ => MuOracle::QualityFunction,
    };
    o.constraint_violation_norm_type = match options.string("constraint_violation_norm_type") {
        "2-norm" => ConstraintViolationNormType::TwoNorm,
        "max-norm" => ConstraintViolationNormType::MaxNorm,
        _ => ConstraintViolationNormType::OneNorm,
    };
    o.hessian_approximation = match options.string("hessian_approximation") {
        "limited-memory" => HessianApproximation::LimitedMemory,
        _ => HessianApproximation::Exact,
    };
    o.limited_memory_update_type = match options.string("limited_memory_update_type") {
        "sr1" => LimitedMemoryUpdateType::Sr1,
        _ => LimitedMemoryUpdateType::Bfgs,
    };
    o.limited_memory_initialization = match options.string("limited_memory_initialization") {
        "scalar2" => LimitedMemoryInitialization::Scalar2,
        "scalar3" => LimitedMemoryInitialization::Scalar3,
        "scalar4" => LimitedMemoryInitialization::Scalar4,
        "constant" => LimitedMemoryInitialization::Constant,
        _ => LimitedMemoryInitialization::Scalar1,
    };
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_defaults_give_ipopt_defaults() {
        assert_eq!(ipm_options(&Options::new()), IpmOptions::default());
    }

    #[test]
    fn settings_reach_the_method() {
        let options = Options::with(&[
            ("tol", "1e-5"),
            ("max_iter", "7"),
            ("mu_strategy", "adaptive"),
            ("hessian_approximation", "limited-memory"),
        ])
        .unwrap();
        let o = ipm_options(&options);
        assert_eq!(o.tol, 1e-5);
        assert_eq!(o.max_iter, 7);
        assert_eq!(o.mu_strategy, MuStrategy::Adaptive);
        assert_eq!(o.hessian_approximation, HessianApproximation::LimitedMemory);
    }
}
