//! The interior-point method on small hand-written problems with known solutions.
//! Iteration counts are those real Ipopt 3.14.19 (CasADi 3.8.2 wheel, default options)
//! reports on the same problems.

mod ipm_common;

use ipm_common::*;
use pounce::ipm::FixedVariableTreatment;
use pounce::outcome::SolveStatus;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn hs071_matches_ipopt() {
    let (sol, log) = run(&hs071(), &quiet());
    assert_eq!(sol.status, SolveStatus::Success, "{log}");
    assert_eq!(sol.iterations, 8, "{log}");
    assert!(
        close(sol.objective, 17.014017145, 1e-8),
        "{}",
        sol.objective
    );
    let expected = [0.99999999, 4.742999642, 3.821149982, 1.379408290];
    for (x, e) in sol.x.iter().zip(expected) {
        assert!(close(*x, e, 1e-7), "{x} vs {e}");
    }
    // Ipopt's multipliers in its own convention (spec B.3).
    assert!(close(sol.lambda[0], -0.5522936588816064, 1e-7));
    assert!(close(sol.lambda[1], 0.16146856313488814, 1e-7));
    assert!(close(sol.z_lower[0], 1.0878712258659013, 1e-6));
    // The iteration table is Ipopt's, line for line (spec G.2).
    assert!(log.contains(
        "   1  1.6982239e+01 7.30e-01 1.02e+01  -1.0 6.11e-01    -  7.19e-02 1.00e+00f  1"
    ));
    assert!(log.contains(
        "   8  1.7014017e+01 1.77e-11 2.52e-11  -8.6 3.32e-06    -  1.00e+00 1.00e+00h  1"
    ));
    assert!(log.contains("\nEXIT: Optimal Solution Found.\n"));
}

#[test]
fn rosenbrock_matches_ipopt() {
    let (sol, log) = run(&rosenbrock(), &quiet());
    assert_eq!(sol.status, SolveStatus::Success, "{log}");
    assert_eq!(sol.iterations, 21, "{log}");
    assert!(close(sol.x[0], 1.0, 1e-8) && close(sol.x[1], 1.0, 1e-8));
}

#[test]
fn hs006_equality_constrained() {
    let (sol, log) = run(&hs006(), &quiet());
    assert_eq!(sol.status, SolveStatus::Success, "{log}");
    assert_eq!(sol.iterations, 5, "{log}");
    assert!(close(sol.x[0], 1.0, 1e-7) && close(sol.x[1], 1.0, 1e-7));
}

#[test]
fn hs035_inequality_and_bounds() {
    let (sol, log) = run(&hs035(), &quiet());
    assert_eq!(sol.status, SolveStatus::Success, "{log}");
    assert_eq!(sol.iterations, 7, "{log}");
    assert!(close(sol.objective, 1.0 / 9.0, 1e-7));
    assert!(close(sol.x[0], 4.0 / 3.0, 1e-6) && close(sol.x[2], 4.0 / 9.0, 1e-6));
    assert!(close(sol.lambda[0], 0.22222222, 1e-6));
}

#[test]
fn bound_active_solution() {
    let (sol, log) = run(&box_qp(), &quiet());
    assert_eq!(sol.status, SolveStatus::Success, "{log}");
    assert_eq!(sol.iterations, 5, "{log}");
    assert!(close(sol.x[0], 1.0, 1e-7) && close(sol.x[1], 0.0, 1e-7));
    // Active upper bound of x0 and lower bound of x1, both with multiplier 2.
    assert!(close(sol.z_upper[0], 2.0, 1e-6) && close(sol.z_lower[1], 2.0, 1e-6));
}

#[test]
fn maximize_reports_objective_as_written() {
    let (sol, log) = run(&max_concave(), &quiet());
    assert_eq!(sol.status, SolveStatus::Success, "{log}");
    assert_eq!(sol.iterations, 4, "{log}");
    assert!(close(sol.x[0], 0.5, 1e-7));
    assert!(close(sol.objective, -0.25, 1e-7), "{}", sol.objective);
    // The log shows the internal objective −f (spec B.6) and λ is Ipopt's +1.
    assert!(log.contains("   4  2.4999999e-01"), "{log}");
    assert!(close(sol.lambda[0], 1.0, 1e-6));
}

#[test]
fn concave_objective_on_a_box() {
    let (sol, log) = run(&concave_box(), &quiet());
    assert_eq!(sol.status, SolveStatus::Success, "{log}");
    assert_eq!(sol.iterations, 5, "{log}");
    assert!(close(sol.objective, -2.0, 1e-7));
}

#[test]
fn rank_deficient_jacobian_is_regularized() {
    let (sol, log) = run(&duplicate_constraints(), &quiet());
    assert_eq!(sol.status, SolveStatus::Success, "{log}");
    assert!(close(sol.x[0], 0.5, 1e-7) && close(sol.x[1], 0.5, 1e-7));
}

#[test]
fn vanishing_constraint_gradient_needs_inertia_correction() {
    let (sol, log) = run(&circle(), &quiet());
    assert_eq!(sol.status, SolveStatus::Success, "{log}");
    assert_eq!(sol.iterations, 12, "{log}");
    // Ipopt perturbs the Hessian in the first step: lg(rg) = −2.0 (first_hessian_perturbation).
    let first = log.lines().find(|l| l.starts_with("   1 ")).unwrap();
    assert!(first.contains(" 1.00e+02  -2.0 "), "{first}");
    assert!(close(sol.objective, -2f64.sqrt(), 1e-7));
}

#[test]
fn evaluation_errors_cut_the_step_back() {
    let (sol, log) = run(&rosenbrock_domain(), &quiet());
    assert_eq!(sol.status, SolveStatus::Success, "{log}");
    assert!(close(sol.x[0], 1.0, 1e-7) && close(sol.x[1], 1.0, 1e-7));
}

#[test]
fn fixed_variable_treatments_agree() {
    // HS071 with x3 fixed at 1.5: Ipopt (make_parameter) takes 10 iterations to 17.569568.
    let mut p = hs071();
    p.xl[3] = 1.5;
    p.xu[3] = 1.5;
    let (sol, log) = run(&p, &quiet());
    assert_eq!(sol.status, SolveStatus::Success, "{log}");
    assert_eq!(sol.iterations, 10, "{log}");
    assert!(close(sol.objective, 17.569568, 1e-6));
    assert!(log.contains("Total number of variables............................:        3"));
    for t in [
        FixedVariableTreatment::MakeConstraint,
        FixedVariableTreatment::RelaxBounds,
        FixedVariableTreatment::MakeParameterNodual,
    ] {
        let opt = pounce::ipm::IpmOptions {
            fixed_variable_treatment: t,
            ..quiet()
        };
        let (other, log) = run(&p, &opt);
        assert_eq!(other.status, SolveStatus::Success, "{t:?}\n{log}");
        assert!(close(other.objective, sol.objective, 1e-6), "{t:?}");
        assert!(close(other.x[3], 1.5, 1e-6), "{t:?}");
    }
}

#[test]
fn dense_and_sparse_factorizations_agree() {
    for p in [hs071(), hs035(), circle(), duplicate_constraints()] {
        let (a, _) = run(&p, &quiet());
        let (b, _) = run_dense(&p, &quiet());
        assert_eq!(a.status, b.status);
        assert_eq!(a.iterations, b.iterations);
        assert!(close(a.objective, b.objective, 1e-9));
    }
}

#[test]
fn hs039_matches_ipopt() {
    let (sol, log) = run(&hs039(), &quiet());
    assert_eq!(sol.status, SolveStatus::Success, "{log}");
    assert_eq!(sol.iterations, 13, "{log}");
    assert!(close(sol.objective, -1.0, 1e-8));
}

#[test]
fn chained_rosenbrock_matches_ipopt() {
    let (sol, log) = run(&chained_rosenbrock(), &quiet());
    assert_eq!(sol.status, SolveStatus::Success, "{log}");
    // Ipopt: 27 iterations to the local minimizer near x0 = −0.9933 (f = 3.98657911).
    assert_eq!(sol.iterations, 27, "{log}");
    assert!(close(sol.objective, 3.986579112, 1e-7), "{}", sol.objective);
}

fn limited_memory() -> pounce::ipm::IpmOptions {
    pounce::ipm::IpmOptions {
        hessian_approximation: pounce::ipm::HessianApproximation::LimitedMemory,
        ..quiet()
    }
}

#[test]
fn limited_memory_quasi_newton() {
    // Ipopt 3.14.19 with hessian_approximation=limited-memory: 8, 47 and 10 iterations.
    for (p, f_star, ipopt_iters) in [
        (hs071(), 17.014017145, 8),
        (rosenbrock(), 0.0, 47),
        (hs035(), 1.0 / 9.0, 10),
    ] {
        let (sol, log) = run(&p, &limited_memory());
        assert_eq!(sol.status, SolveStatus::Success, "{log}");
        assert!(close(sol.objective, f_star, 1e-6), "{}", sol.objective);
        assert!(log.contains("Number of Lagrangian Hessian evaluations             = 0"));
        assert!(sol.iterations <= ipopt_iters + 2, "{}", sol.iterations);
    }
}

#[test]
fn missing_hessian_falls_back_to_quasi_newton() {
    let mut p = hs071();
    p.hess = None;
    let (sol, log) = run(&p, &quiet());
    assert_eq!(sol.status, SolveStatus::Success, "{log}");
    assert!(close(sol.objective, 17.014017145, 1e-6));
}

#[test]
fn adaptive_barrier_update_oracles() {
    use pounce::ipm::{IpmOptions, MuOracle, MuStrategy};
    // Ipopt 3.14.19 with mu_strategy=adaptive: iterations on HS071, HS035, the box QP.
    let ipopt = [
        (MuOracle::QualityFunction, [8, 7, 4]),
        (MuOracle::Probing, [10, 7, 5]),
        (MuOracle::Loqo, [9, 7, 5]),
    ];
    for (oracle, counts) in ipopt {
        let opt = IpmOptions {
            mu_strategy: MuStrategy::Adaptive,
            mu_oracle: oracle,
            ..quiet()
        };
        let problems = [
            (hs071(), 17.014017145),
            (hs035(), 1.0 / 9.0),
            (box_qp(), 2.0),
        ];
        for ((p, f_star), ipopt_iters) in problems.into_iter().zip(counts) {
            let (sol, log) = run(&p, &opt);
            assert_eq!(sol.status, SolveStatus::Success, "{oracle:?}\n{log}");
            assert!(
                close(sol.objective, f_star, 1e-6),
                "{oracle:?} {}",
                sol.objective
            );
            assert!(
                sol.iterations <= ipopt_iters + 2,
                "{oracle:?} {}",
                sol.iterations
            );
        }
    }
}

#[test]
fn negative_objective_scaling_maximizes() {
    // max −(x − 1)² s.t. x ≤ 0.5, written as a minimize model with obj_scaling_factor −1.
    let mut p = max_concave();
    p.maximize = false;
    let opt = pounce::ipm::IpmOptions {
        obj_scaling_factor: -1.0,
        ..quiet()
    };
    let (sol, log) = run(&p, &opt);
    assert_eq!(sol.status, SolveStatus::Success, "{log}");
    assert!(close(sol.x[0], 0.5, 1e-7));
    assert!(close(sol.objective, -0.25, 1e-7));
}

struct Scaled(Dense);

impl pounce::ipm::Nlp for Scaled {
    fn num_variables(&self) -> usize {
        self.0.num_variables()
    }
    fn num_constraints(&self) -> usize {
        self.0.num_constraints()
    }
    fn variable_bounds(&self, l: &mut [f64], u: &mut [f64]) {
        self.0.variable_bounds(l, u)
    }
    fn constraint_bounds(&self, l: &mut [f64], u: &mut [f64]) {
        self.0.constraint_bounds(l, u)
    }
    fn starting_point(&self) -> pounce::ipm::StartingPoint {
        self.0.starting_point()
    }
    fn eval_f(&self, x: &[f64]) -> pounce::ipm::EvalResult<f64> {
        self.0.eval_f(x)
    }
    fn eval_grad_f(&self, x: &[f64], g: &mut [f64]) -> pounce::ipm::EvalResult<()> {
        self.0.eval_grad_f(x, g)
    }
    fn eval_g(&self, x: &[f64], g: &mut [f64]) -> pounce::ipm::EvalResult<()> {
        self.0.eval_g(x, g)
    }
    fn jacobian_structure(&self) -> Vec<(usize, usize)> {
        self.0.jacobian_structure()
    }
    fn eval_jacobian(&self, x: &[f64], v: &mut [f64]) -> pounce::ipm::EvalResult<()> {
        self.0.eval_jacobian(x, v)
    }
    fn hessian_structure(&self) -> Option<Vec<(usize, usize)>> {
        self.0.hessian_structure()
    }
    fn eval_hessian(
        &self,
        x: &[f64],
        of: f64,
        l: &[f64],
        v: &mut [f64],
    ) -> pounce::ipm::EvalResult<()> {
        self.0.eval_hessian(x, of, l, v)
    }
    fn user_scaling(&self) -> Option<pounce::ipm::UserScaling> {
        Some(pounce::ipm::UserScaling {
            objective: 0.5,
            variables: Some(vec![1.0, 0.2, 0.3, 2.0]),
            constraints: Some(vec![0.04, 0.5]),
        })
    }
}

#[test]
fn user_scaling_keeps_the_solution_and_multipliers() {
    let opt = pounce::ipm::IpmOptions {
        nlp_scaling_method: pounce::ipm::NlpScalingMethod::UserScaling,
        ..quiet()
    };
    let (sol, log) = run(&Scaled(hs071()), &opt);
    assert_eq!(sol.status, SolveStatus::Success, "{log}");
    assert!(close(sol.objective, 17.014017145, 1e-7));
    assert!(close(sol.x[1], 4.742999642, 1e-6));
    // Multipliers come back in the user's units.
    assert!(
        close(sol.lambda[0], -0.5522936588816064, 1e-6),
        "{:?}",
        sol.lambda
    );
    assert!(
        close(sol.lambda[1], 0.16146856313488814, 1e-6),
        "{:?}",
        sol.lambda
    );
    assert!(
        close(sol.z_lower[0], 1.0878712258659013, 1e-5),
        "{:?}",
        sol.z_lower
    );
    // The scaled objective column differs from the unscaled one.
    assert!(log.contains("Objective...............:   8.50700"), "{log}");
}
