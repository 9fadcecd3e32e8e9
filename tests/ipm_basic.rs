//! The interior-point method on small hand-written problems with known solutions.

mod ipm_common;

use ipm_common::*;
use pounce::outcome::SolveStatus;

#[test]
fn hs071_reaches_known_optimum() {
    let (sol, log) = run(&hs071(), &quiet());
    println!("{log}");
    assert_eq!(sol.status, SolveStatus::Success);
    assert!(
        (sol.objective - 17.014017145).abs() < 1e-7,
        "{}",
        sol.objective
    );
    let expected = [0.99999999, 4.742999642, 3.821149982, 1.379408290];
    for (x, e) in sol.x.iter().zip(expected) {
        assert!((x - e).abs() < 1e-6, "{x} vs {e}");
    }
}

#[test]
fn rosenbrock_unconstrained() {
    let (sol, log) = run(&rosenbrock(), &quiet());
    println!("{log}");
    assert_eq!(sol.status, SolveStatus::Success);
    assert!((sol.x[0] - 1.0).abs() < 1e-6 && (sol.x[1] - 1.0).abs() < 1e-6);
}
