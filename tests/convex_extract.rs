//! LP/QP recognition in `.nl` models and the solve of the extracted problem.

use pounce::convex::extract::{NotQp, extract};
use pounce::convex::{self, ConvexStatus, Settings};
use pounce::nl::read_bytes;

/// min x0² + x0·x1 + x1² + 2·x1 − 3  s.t.  x0 + x1 ≥ 1,  0 ≤ x0 ≤ 10 (objective
/// sense `sense`: 0 minimize, 1 maximize of the negated objective). The quadratic
/// part and the constant are on the tape, the linear part in the G segment.
fn qp_nl(sense: u8, objective: &str) -> String {
    format!(
        "g3 1 1 0\n 2 1 1 0 0\n 0 1 0 0 0 0\n 0 0\n 0 2 0\n 0 0 0 1\n 0 0 0 0 0\n 2 2\n 0 0\n 0 0 0 0 0\n\
         C0\nn0\nO0 {sense}\n{objective}r\n2 1\nb\n0 0 10\n3\nk1\n1\nJ0 2\n0 1\n1 1\nG0 2\n0 0\n1 {}\n",
        if sense == 0 { 2 } else { -2 }
    )
}

const QUADRATIC: &str = "o54\n4\no5\nv0\nn2\no2\nv0\nv1\no5\nv1\nn2\nn-3\n";
const QUADRATIC_NEGATED: &str = "o16\no54\n4\no5\nv0\nn2\no2\nv0\nv1\no5\nv1\nn2\nn-3\n";

#[test]
fn quadratic_objective_and_linear_rows_are_extracted() {
    let model = read_bytes("qp", qp_nl(0, QUADRATIC).as_bytes()).unwrap();
    let qp = extract(&model).unwrap();
    let p: Vec<_> = qp.problem.p.triplets().collect();
    assert_eq!(p, vec![(0, 0, 2.0), (0, 1, 1.0), (1, 1, 2.0)]);
    assert_eq!(qp.problem.q, vec![0.0, 2.0]);
    assert_eq!(qp.problem.c0, -3.0);
    assert_eq!(qp.problem.row_lower, vec![1.0]);
    assert_eq!(qp.problem.var_upper[0], 10.0);

    // Optimum (3/2, −1/2) with λ = −5/2 on the ≥ row, f = −9/4.
    let settings = Settings {
        verbose: false,
        ..Settings::default()
    };
    let r = convex::solve(&qp.problem, &settings, &mut std::io::sink()).unwrap();
    assert_eq!(r.status, ConvexStatus::Solved);
    let s = qp.model_solution(r.solution);
    assert!((s.x[0] - 1.5).abs() < 1e-7 && (s.x[1] + 0.5).abs() < 1e-7);
    assert!((s.lambda[0] + 2.5).abs() < 1e-7);
    assert!((s.objective + 2.25).abs() < 1e-7);
}

#[test]
fn maximize_model_keeps_ipopt_multipliers_and_model_objective() {
    // maximize −(x0² + x0·x1 + x1² + 2·x1 − 3): same point; Ipopt's convention
    // s·∇f + Jᵀλ − z_L + z_U = 0 with s = −1 gives the same λ; objective +9/4.
    let model = read_bytes("qp", qp_nl(1, QUADRATIC_NEGATED).as_bytes()).unwrap();
    let qp = extract(&model).unwrap();
    let settings = Settings {
        verbose: false,
        ..Settings::default()
    };
    let r = convex::solve(&qp.problem, &settings, &mut std::io::sink()).unwrap();
    let s = qp.model_solution(r.solution);
    assert!((s.x[0] - 1.5).abs() < 1e-7 && (s.x[1] + 0.5).abs() < 1e-7);
    assert!((s.lambda[0] + 2.5).abs() < 1e-7);
    assert!((s.objective - 2.25).abs() < 1e-7);
}

#[test]
fn non_quadratic_models_are_refused() {
    let cubic = "o2\no5\nv0\nn2\nv1\n";
    let model = read_bytes("cubic", qp_nl(0, cubic).as_bytes()).unwrap();
    assert!(matches!(
        extract(&model),
        Err(NotQp::NonQuadraticObjective(_))
    ));
    let exp = "o44\nv0\n";
    let model = read_bytes("exp", qp_nl(0, exp).as_bytes()).unwrap();
    assert!(matches!(
        extract(&model),
        Err(NotQp::NonQuadraticObjective(_))
    ));
    let hs071 =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/nl/hs071.nl")).unwrap();
    let model = read_bytes("hs071", &hs071).unwrap();
    assert_eq!(extract(&model).unwrap_err(), NotQp::NonlinearConstraint(0));
}

#[test]
fn nonconvex_quadratic_is_refused() {
    // min x0·x1 is indefinite; so is maximize of a convex quadratic.
    let bilinear = "o2\nv0\nv1\n";
    let model = read_bytes("bilinear", qp_nl(0, bilinear).as_bytes()).unwrap();
    assert_eq!(extract(&model).unwrap_err(), NotQp::NotConvex);
    let model = read_bytes("max", qp_nl(1, QUADRATIC).as_bytes()).unwrap();
    assert_eq!(extract(&model).unwrap_err(), NotQp::NotConvex);
}
