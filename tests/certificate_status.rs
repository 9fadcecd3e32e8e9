//! The status a forced route reports when the certificate refutes its optimum: the same
//! downgrade as every route (`Certificate::status_for`), Solved_To_Acceptable_Level when
//! the point meets the acceptable tolerances and Error_In_Step_Computation otherwise,
//! with the log saying that the certificate did not confirm the solver's outcome.
//!
//! The model: minimize x₀ + 2·x₁ subject to x₀ + x₁ ≥ 1, 0 ≤ x ≤ 10 (optimum x = (1, 0)).
//! An interior-point solution has small positive complementarity products, which no
//! solver drives to zero: `compl_inf_tol=1e-30` refutes every optimum it reports.

use pounce::options::Options;
use pounce::outcome::SolveStatus;
use pounce::solver_selection::{Outcome, solve};
use pounce::stop::Stop;

const LP: &str = "g3 1 1 0\t# problem lp
 2 1 1 0 0\t# vars, constraints, objectives, ranges, eqns
 0 0\t# nonlinear constraints, objectives
 0 0\t# network constraints: nonlinear, linear
 0 0 0\t# nonlinear vars in constraints, objectives, both
 0 0 0 1\t# linear network variables; functions; arith, flags
 0 0 0 0 0\t# discrete variables: binary, integer, nonlinear (b,c,o)
 2 2\t# nonzeros in Jacobian, gradients
 0 0\t# max name lengths: constraints, variables
 0 0 0 0 0\t# common exprs: b,c,o,c1,o1
C0
n0
O0 0
n0
r
2 1
b
0 0 10
0 0 10
k1
1
J0 2
0 1
1 1
G0 2
0 1
1 2
";

fn run(settings: &[(&str, &str)]) -> (Outcome, String) {
    let model = pounce::nl::read_bytes("lp.nl", LP.as_bytes()).expect("a valid model");
    let options = Options::with(settings).expect("valid options");
    let mut log = Vec::new();
    let outcome = solve(&model, &options, &Stop::never(), &mut log);
    (outcome, String::from_utf8(log).expect("a UTF-8 log"))
}

const ROUTES: [&str; 2] = ["lp-ipm", "qp-ipm"];

#[test]
fn a_confirmed_optimum_stays_optimal() {
    for route in ROUTES {
        let (outcome, log) = run(&[("solver_selection", route)]);
        assert_eq!(outcome.solution.status, SolveStatus::Success, "{log}");
        assert!((outcome.solution.x[0] - 1.0).abs() < 1e-6);
        assert!(outcome.certificate.unwrap().ends_with(": verified"));
    }
}

#[test]
fn a_refuted_optimum_meeting_the_acceptable_tolerances_is_acceptable() {
    for route in ROUTES {
        let (outcome, log) = run(&[("solver_selection", route), ("compl_inf_tol", "1e-30")]);
        assert_eq!(
            outcome.solution.status,
            SolveStatus::StopAtAcceptablePoint,
            "{log}"
        );
        assert!(log.contains("complementarity"), "{log}");
        assert!(log.contains("EXIT: Solved To Acceptable Level."), "{log}");
    }
}

#[test]
fn a_refuted_optimum_beyond_the_acceptable_tolerances_is_an_error_that_says_why() {
    for route in ROUTES {
        let (outcome, log) = run(&[
            ("solver_selection", route),
            ("compl_inf_tol", "1e-30"),
            ("acceptable_compl_inf_tol", "1e-30"),
        ]);
        assert_eq!(
            outcome.solution.status,
            SolveStatus::ErrorInStepComputation,
            "{log}"
        );
        // The solver's own claim is "Optimal Solution Found." or, where its termination
        // test honours compl_inf_tol itself, "Solved To Acceptable Level."
        assert!(
            log.contains("The certificate does not confirm the solver's outcome \""),
            "{log}"
        );
        assert!(
            log.contains("\nEXIT: Error in step computation!\n"),
            "{log}"
        );
        assert!(!log.contains("INTERNAL ERROR"), "{log}");
        assert!(outcome.certificate.unwrap().ends_with(": NOT verified"));
    }
}
