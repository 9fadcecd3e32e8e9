//! Square problems (as many equalities as free variables): the multipliers are
//! recomputed at feasible points, and a restoration phase that solves the equations
//! ends the solve with "feasible point for square problem found", as in Ipopt.

mod ipm_common;

use ipm_common::*;
use pounce::ipm::IpmOptions;
use pounce::outcome::SolveStatus;

const INF: f64 = f64::INFINITY;

/// `x₀² + x₁² = 2`, `x₀ − x₁ = 0`, `x ≥ 0`: the root is (1, 1). The objective
/// `x₀ + 2x₁` cannot change it; its multipliers solve `∇f + Jᵀλ = 0` there.
fn circle_and_diagonal() -> Dense {
    Dense {
        n: 2,
        m: 2,
        xl: vec![0.0; 2],
        xu: vec![INF; 2],
        gl: vec![2.0, 0.0],
        gu: vec![2.0, 0.0],
        x0: vec![3.0, 0.5],
        maximize: false,
        f: |x| Some(x[0] + 2.0 * x[1]),
        grad: |_, g| {
            g[0] = 1.0;
            g[1] = 2.0;
            Some(())
        },
        g: |x, g| {
            g[0] = x[0] * x[0] + x[1] * x[1];
            g[1] = x[0] - x[1];
            Some(())
        },
        jac: |x, v| {
            v[0] = 2.0 * x[0];
            v[1] = 2.0 * x[1];
            v[2] = 1.0;
            v[3] = -1.0;
            Some(())
        },
        hess: Some(|_, _, l, v| {
            v[0] = 2.0 * l[0];
            v[1] = 0.0;
            v[2] = 2.0 * l[0];
        }),
    }
}

/// `∇f + Jᵀλ` at (1, 1) in the solver's sign convention must vanish, and the bound
/// multipliers are exactly zero (they are not needed at an interior root).
fn assert_square_multipliers(sol: &pounce::outcome::Solution, log: &str) {
    assert!(
        sol.z_lower.iter().all(|&z| z == 0.0),
        "{:?}\n{log}",
        sol.z_lower
    );
    assert!(
        sol.z_upper.iter().all(|&z| z == 0.0),
        "{:?}\n{log}",
        sol.z_upper
    );
    let l = &sol.lambda;
    let r0 = 1.0 + 2.0 * l[0] + l[1];
    let r1 = 2.0 + 2.0 * l[0] - l[1];
    assert!(r0.abs() < 1e-8 && r1.abs() < 1e-8, "{l:?}\n{log}");
}

#[test]
fn square_problem_solved_with_least_squares_multipliers() {
    let (sol, log) = run(&circle_and_diagonal(), &quiet());
    assert_eq!(sol.status, SolveStatus::Success, "{log}");
    assert!(
        (sol.x[0] - 1.0).abs() < 1e-8 && (sol.x[1] - 1.0).abs() < 1e-8,
        "{log}"
    );
    assert_square_multipliers(&sol, &log);
}

#[test]
fn square_problem_solved_by_restoration_is_a_feasible_point() {
    let opt = IpmOptions {
        start_with_resto: true,
        ..quiet()
    };
    let (sol, log) = run(&circle_and_diagonal(), &opt);
    assert_eq!(sol.status, SolveStatus::FeasiblePointFound, "{log}");
    assert!(
        (sol.x[0] - 1.0).abs() < 1e-8 && (sol.x[1] - 1.0).abs() < 1e-8,
        "{log}"
    );
    assert!(log.contains("   1r"), "{log}");
    assert!(
        log.contains("\nEXIT: Feasible point for square problem found.\n"),
        "{log}"
    );
    assert_square_multipliers(&sol, &log);
}

#[test]
fn one_free_variable_more_is_not_square() {
    // Without the second equality the problem is an optimization: min x₀ + 2x₁ on
    // the circle, x ≥ 0, ends at (√2, 0) with an active bound multiplier.
    let mut p = circle_and_diagonal();
    p.m = 1;
    p.gl.truncate(1);
    p.gu.truncate(1);
    p.g = |x, g| {
        g[0] = x[0] * x[0] + x[1] * x[1];
        Some(())
    };
    p.jac = |x, v| {
        v[0] = 2.0 * x[0];
        v[1] = 2.0 * x[1];
        Some(())
    };
    let (sol, log) = run(&p, &quiet());
    assert_eq!(sol.status, SolveStatus::Success, "{log}");
    assert!(
        (sol.x[0] - 2f64.sqrt()).abs() < 1e-7 && sol.x[1].abs() < 1e-7,
        "{log}"
    );
    assert!(sol.z_lower[1] > 0.1, "{:?}", sol.z_lower);
}
