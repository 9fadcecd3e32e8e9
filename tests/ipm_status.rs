//! Outcomes other than an optimum: infeasibility, limits, evaluation errors, bad input,
//! and the restoration phase. Expected iteration counts are Ipopt 3.14.19's.

mod ipm_common;

use ipm_common::*;
use pounce::ipm::IpmOptions;
use pounce::outcome::SolveStatus;

#[test]
fn contradictory_equalities_are_locally_infeasible() {
    let (sol, log) = run(&infeasible(), &quiet());
    assert_eq!(sol.status, SolveStatus::LocalInfeasibility, "{log}");
    // Ipopt 3.14.19 stops after restoration iterate 4r; pounce needs one more.
    assert!(sol.iterations <= 5, "{log}");
    assert!(log.contains("   1r"), "{log}");
    assert!(log.contains(
        "\nEXIT: Converged to a point of local infeasibility. Problem may be infeasible.\n"
    ));
}

#[test]
fn iteration_limit() {
    let opt = IpmOptions {
        max_iter: 3,
        ..quiet()
    };
    let (sol, log) = run(&hs071(), &opt);
    assert_eq!(sol.status, SolveStatus::MaxIterExceeded, "{log}");
    assert_eq!(sol.iterations, 3);
    // Ipopt stops at its iterate 3 with objective 16.84942372.
    assert!(
        (sol.objective - 16.84942372).abs() < 1e-7,
        "{}",
        sol.objective
    );
    assert!(log.contains("\nEXIT: Maximum Number of Iterations Exceeded.\n"));
}

#[test]
fn zero_iterations_allowed() {
    let opt = IpmOptions {
        max_iter: 0,
        ..quiet()
    };
    let (sol, log) = run(&hs071(), &opt);
    assert_eq!(sol.status, SolveStatus::MaxIterExceeded, "{log}");
    assert_eq!(sol.iterations, 0);
    assert!(log.contains("   0  1.6109693e+01"), "{log}");
}

#[test]
fn invalid_number_at_start() {
    let (sol, log) = run(&log_at_negative_start(), &quiet());
    assert_eq!(sol.status, SolveStatus::InvalidNumberDetected, "{log}");
    assert!(sol.objective.is_nan());
    assert!(!log.contains("Overall NLP error"), "{log}");
    assert!(log.contains("\nEXIT: Invalid number in NLP function or derivative detected.\n"));
}

#[test]
fn inconsistent_bounds_detected_before_solving() {
    let mut p = hs071();
    p.xl[2] = 6.0;
    let (sol, log) = run(&p, &quiet());
    assert_eq!(sol.status, SolveStatus::InvalidProblemDefinition, "{log}");
    assert!(!log.contains("iter"), "{log}");
    let mut p = hs071();
    p.gl[0] = 30.0;
    p.gu[0] = 20.0;
    assert_eq!(
        run(&p, &quiet()).0.status,
        SolveStatus::InvalidProblemDefinition
    );
}

#[test]
fn more_equalities_than_variables() {
    let mut p = duplicate_constraints();
    p.xl[1] = 0.25;
    p.xu[1] = 0.25;
    let (sol, log) = run(&p, &quiet());
    assert_eq!(sol.status, SolveStatus::TooFewDegreesOfFreedom, "{log}");
}

#[test]
fn starting_in_restoration_returns_to_the_regular_phase() {
    let opt = IpmOptions {
        start_with_resto: true,
        ..quiet()
    };
    let (sol, log) = run(&hs071(), &opt);
    assert_eq!(sol.status, SolveStatus::Success, "{log}");
    assert!((sol.objective - 17.014017145).abs() < 1e-7);
    // Ipopt: restoration iterates 1r and 2r, then 8 regular iterations (10 in all).
    assert!(log.contains("   1r 1.6109693e+01 1.12e+01"), "{log}");
    assert!(log.contains("   2r"), "{log}");
    assert_eq!(sol.iterations, 10, "{log}");
}

#[test]
fn limits_on_time() {
    let opt = IpmOptions {
        max_wall_time: 1e-12,
        ..quiet()
    };
    let (sol, _) = run(&rosenbrock(), &opt);
    assert_eq!(sol.status, SolveStatus::WallTimeExceeded);
}

#[test]
fn acceptable_point_when_tol_unreachable() {
    // Ipopt stops with Solved_To_Acceptable_Level under these options (spec C.2).
    let opt = IpmOptions {
        tol: 1e-30,
        acceptable_iter: 2,
        acceptable_tol: 1e-3,
        ..quiet()
    };
    let (sol, log) = run(&hs071(), &opt);
    assert_eq!(sol.status, SolveStatus::StopAtAcceptablePoint, "{log}");
    assert!((sol.objective - 17.014).abs() < 1e-2);
}

#[test]
fn print_level_zero_is_silent() {
    let opt = IpmOptions {
        print_level: 0,
        ..quiet()
    };
    let (sol, log) = run(&hs071(), &opt);
    assert_eq!(sol.status, SolveStatus::Success);
    assert!(log.is_empty(), "{log}");
}
