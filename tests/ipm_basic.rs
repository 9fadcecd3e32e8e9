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
