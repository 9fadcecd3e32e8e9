//! QPs with only equality rows and fixed variables (no inequality, no finite bound),
//! which the convex route solves with one KKT solve when the optimality conditions
//! have a solution, and by the iteration, with its certificates, when they have none.

mod convex_common;

use convex_common::{assert_close, stationarity};
use pounce::convex::{self, Certificate, ConvexStatus, CscMatrix, QpProblem, Settings};

const INF: f64 = f64::INFINITY;

/// `min ½xᵀPx + qᵀx  s.t.  aᵢᵀx = bᵢ`, with the variables in `fixed` fixed at their
/// values and the others free.
fn equality_qp(
    n: usize,
    p: &[(usize, usize, f64)],
    q: &[f64],
    rows: &[(&[(usize, f64)], f64)],
    fixed: &[(usize, f64)],
) -> QpProblem {
    let a: Vec<(usize, usize, f64)> = rows
        .iter()
        .enumerate()
        .flat_map(|(i, (row, _))| row.iter().map(move |&(j, v)| (i, j, v)))
        .collect();
    let (mut var_lower, mut var_upper) = (vec![-INF; n], vec![INF; n]);
    for &(j, v) in fixed {
        (var_lower[j], var_upper[j]) = (v, v);
    }
    QpProblem {
        p: CscMatrix::from_triplets(n, n, p).unwrap(),
        q: q.to_vec(),
        c0: 0.0,
        a: CscMatrix::from_triplets(rows.len(), n, &a).unwrap(),
        row_lower: rows.iter().map(|r| r.1).collect(),
        row_upper: rows.iter().map(|r| r.1).collect(),
        var_lower,
        var_upper,
    }
}

fn run(qp: &QpProblem) -> convex::ConvexResult {
    let quiet = Settings {
        verbose: false,
        ..Settings::default()
    };
    convex::solve(qp, &quiet, &mut std::io::sink()).expect("valid problem data")
}

/// `min x₁² + x₂² + x₃² + x₄² + x₄  s.t.  x₁ + x₂ + x₃ = 3,  x₁ − x₂ = 1,  x₄ = 2`.
fn projection_with_fixed_variable(rows: &[(&[(usize, f64)], f64)]) -> QpProblem {
    let p: Vec<(usize, usize, f64)> = (0..4).map(|j| (j, j, 2.0)).collect();
    equality_qp(4, &p, &[0.0, 0.0, 0.0, 1.0], rows, &[(3, 2.0)])
}

const SUM: &[(usize, f64)] = &[(0, 1.0), (1, 1.0), (2, 1.0)];
const DIFFERENCE: &[(usize, f64)] = &[(0, 1.0), (1, -1.0)];

#[test]
fn equality_qp_is_solved_by_one_kkt_solve() {
    // 2x + Aᵀλ = 0 and Ax = b: x = −Aᵀλ/2, AAᵀ = diag(3, 2), so λ = −2(AAᵀ)⁻¹b =
    // (−2, −1) and x = (1.5, 0.5, 1). The fixed x₄ = 2 has gradient 2·2 + 1 = 5,
    // balanced by z_L = 5. f = 2.25 + 0.25 + 1 + 4 + 2 = 9.5.
    let qp = projection_with_fixed_variable(&[(SUM, 3.0), (DIFFERENCE, 1.0)]);
    let r = run(&qp);
    assert_eq!(r.status, ConvexStatus::Solved);
    assert_eq!(r.info.iterations, 0, "one KKT solve, no iteration");
    assert_close(&r.solution.x, &[1.5, 0.5, 1.0, 2.0], 1e-12, "x");
    assert_close(&r.solution.lambda, &[-2.0, -1.0], 1e-12, "lambda");
    assert_close(&r.solution.z_lower, &[0.0, 0.0, 0.0, 5.0], 1e-12, "z_lower");
    assert_close(&r.solution.z_upper, &[0.0; 4], 1e-12, "z_upper");
    assert!((r.solution.objective - 9.5).abs() < 1e-12);
}

#[test]
fn redundant_consistent_rows_still_give_the_optimum() {
    // The first row repeated: A has rank 2 of 3 rows, the conditions still have a
    // solution (x unique, the first row's multiplier −2 split between the copies).
    let qp = projection_with_fixed_variable(&[(SUM, 3.0), (DIFFERENCE, 1.0), (SUM, 3.0)]);
    let r = run(&qp);
    assert_eq!(r.status, ConvexStatus::Solved);
    assert_close(&r.solution.x, &[1.5, 0.5, 1.0, 2.0], 1e-8, "x");
    assert!((r.solution.lambda[0] + r.solution.lambda[2] + 2.0).abs() < 1e-8);
    assert!((r.solution.lambda[1] + 1.0).abs() < 1e-8);
    assert!(stationarity(&qp, &r.solution) < 1e-8);
}

#[test]
fn inconsistent_rows_are_primal_infeasible_with_a_farkas_certificate() {
    // x₁ + x₂ + x₃ = 3 and = 4: A rank deficient and b outside its range.
    let qp = projection_with_fixed_variable(&[(SUM, 3.0), (DIFFERENCE, 1.0), (SUM, 4.0)]);
    let r = run(&qp);
    assert_eq!(r.status, ConvexStatus::PrimalInfeasible);
    let Some(Certificate::PrimalInfeasible(d)) = &r.certificate else {
        panic!("expected a Farkas certificate, got {:?}", r.certificate)
    };
    // Aᵀy − z_L + z_U = 0 and bᵀy + (fixed value)·(z_U − z_L) < 0.
    let mut g = vec![0.0; 4];
    qp.a.gemv_t(1.0, &d.lambda, &mut g);
    for ((gj, zu), zl) in g.iter_mut().zip(&d.z_upper).zip(&d.z_lower) {
        *gj += zu - zl;
    }
    assert!(g.iter().all(|v| v.abs() < 1e-8), "Aᵀy − z_L + z_U = {g:?}");
    let support: f64 = d
        .lambda
        .iter()
        .zip(&qp.row_upper)
        .map(|(y, b)| y * b)
        .sum::<f64>()
        + 2.0 * (d.z_upper[3] - d.z_lower[3]);
    assert!(support < -1e-3, "support value {support}");
}

#[test]
fn objective_unbounded_on_the_null_space_is_dual_infeasible_with_a_ray() {
    // min x₁² − x₂  s.t.  x₁ + x₃ = 1: P is singular on the null space of A, which
    // holds the direction (0, 1, 0) of decrease.
    let qp = equality_qp(
        3,
        &[(0, 0, 2.0)],
        &[0.0, -1.0, 0.0],
        &[(&[(0, 1.0), (2, 1.0)], 1.0)],
        &[],
    );
    let r = run(&qp);
    assert_eq!(r.status, ConvexStatus::DualInfeasible);
    let Some(Certificate::DualInfeasible { direction: d }) = &r.certificate else {
        panic!("expected a ray, got {:?}", r.certificate)
    };
    assert!(d[1] > 0.99, "direction {d:?}");
    assert!(d[0].abs() < 1e-6 && d[2].abs() < 1e-6, "direction {d:?}");
}

#[test]
fn singular_objective_definite_on_the_null_space_is_solved_directly() {
    // min (x₁ + x₂)² − 2x₁ − 2x₂ + x₃  s.t.  x₁ − x₂ − x₃ = 0,  x₁ − x₂ = 0: P has
    // rank 1 but is positive on the null space of A, spanned by (1, 1, 0). There
    // f = 4x₁² − 4x₁, least at x = (½, ½, 0) with f = −1; ∇f = (0, 0, 1), so
    // λ₁ + λ₂ = 0 and 1 − λ₁ = 0: λ = (1, −1).
    let qp = equality_qp(
        3,
        &[(0, 0, 2.0), (0, 1, 2.0), (1, 1, 2.0)],
        &[-2.0, -2.0, 1.0],
        &[
            (&[(0, 1.0), (1, -1.0), (2, -1.0)], 0.0),
            (&[(0, 1.0), (1, -1.0)], 0.0),
        ],
        &[],
    );
    let r = run(&qp);
    assert_eq!(r.status, ConvexStatus::Solved);
    assert_eq!(r.info.iterations, 0, "one KKT solve, no iteration");
    assert_close(&r.solution.x, &[0.5, 0.5, 0.0], 1e-10, "x");
    assert_close(&r.solution.lambda, &[1.0, -1.0], 1e-10, "lambda");
    assert!((r.solution.objective + 1.0).abs() < 1e-10);
}
