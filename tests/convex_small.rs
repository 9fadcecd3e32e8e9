//! Small LPs and QPs with hand-derived optima and multipliers, infeasible and
//! unbounded LPs with their certificates checked against the problem data, and a
//! degenerate LP.

mod convex_common;

use convex_common::{assert_close, stationarity};
use pounce::convex::{self, Certificate, ConvexStatus, CscMatrix, QpProblem, Settings};
use pounce::outcome::SolveStatus;

const INF: f64 = f64::INFINITY;

/// A row `l ≤ Σ a_j x_j ≤ u` as `(entries, l, u)`.
type Row = (Vec<(usize, f64)>, f64, f64);

struct Qp {
    n: usize,
    p: Vec<(usize, usize, f64)>,
    q: Vec<f64>,
    c0: f64,
    rows: Vec<Row>,
    bounds: Vec<(f64, f64)>,
}

impl Qp {
    fn build(&self) -> QpProblem {
        let mut a = Vec::new();
        for (i, (row, _, _)) in self.rows.iter().enumerate() {
            a.extend(row.iter().map(|&(j, v)| (i, j, v)));
        }
        QpProblem {
            p: CscMatrix::from_triplets(self.n, self.n, &self.p).unwrap(),
            q: self.q.clone(),
            c0: self.c0,
            a: CscMatrix::from_triplets(self.rows.len(), self.n, &a).unwrap(),
            row_lower: self.rows.iter().map(|r| r.1).collect(),
            row_upper: self.rows.iter().map(|r| r.2).collect(),
            var_lower: self.bounds.iter().map(|b| b.0).collect(),
            var_upper: self.bounds.iter().map(|b| b.1).collect(),
        }
    }
}

fn quiet() -> Settings {
    Settings {
        verbose: false,
        ..Settings::default()
    }
}

fn run(qp: &QpProblem) -> convex::ConvexResult {
    convex::solve(qp, &quiet(), &mut std::io::sink()).expect("valid problem data")
}

#[test]
fn lp_with_two_active_inequalities() {
    // min −x − y  s.t.  x + 2y ≤ 4,  3x + y ≤ 6,  x, y ≥ 0  →  (8/5, 6/5), λ = (2/5, 1/5).
    let qp = Qp {
        n: 2,
        p: vec![],
        q: vec![-1.0, -1.0],
        c0: 0.0,
        rows: vec![
            (vec![(0, 1.0), (1, 2.0)], -INF, 4.0),
            (vec![(0, 3.0), (1, 1.0)], -INF, 6.0),
        ],
        bounds: vec![(0.0, INF), (0.0, INF)],
    }
    .build();
    let r = run(&qp);
    assert_eq!(r.status, ConvexStatus::Solved);
    assert_eq!(r.solution.status, SolveStatus::Success);
    assert_close(&r.solution.x, &[1.6, 1.2], 1e-7, "x");
    assert_close(&r.solution.lambda, &[0.4, 0.2], 1e-7, "lambda");
    assert_close(&r.solution.z_lower, &[0.0, 0.0], 1e-7, "z_lower");
    assert!((r.solution.objective + 2.8).abs() < 1e-7);
    assert!(stationarity(&qp, &r.solution) < 1e-7);
}

/// `(x − 1)² + (y − 2)²` as `½xᵀPx + qᵀx + c0`.
fn distance_to_1_2(rows: Vec<Row>) -> QpProblem {
    Qp {
        n: 2,
        p: vec![(0, 0, 2.0), (1, 1, 2.0)],
        q: vec![-2.0, -4.0],
        c0: 5.0,
        rows,
        bounds: vec![(-INF, INF), (-INF, INF)],
    }
    .build()
}

#[test]
fn qp_equality_row_free_variables() {
    // Projection of (1, 2) on x + y = 1 is (0, 1); ∇f = (−2, −2) so λ = 2.
    let qp = distance_to_1_2(vec![(vec![(0, 1.0), (1, 1.0)], 1.0, 1.0)]);
    let r = run(&qp);
    assert_eq!(r.status, ConvexStatus::Solved);
    assert_close(&r.solution.x, &[0.0, 1.0], 1e-7, "x");
    assert_close(&r.solution.lambda, &[2.0], 1e-7, "lambda");
    assert!((r.solution.objective - 2.0).abs() < 1e-7);
}

#[test]
fn qp_greater_equal_row_has_negative_multiplier() {
    // Projection of (1, 2) on x + y ≥ 4 is (1.5, 2.5); ∇f = (1, 1) so λ = −1.
    let qp = distance_to_1_2(vec![(vec![(0, 1.0), (1, 1.0)], 4.0, INF)]);
    let r = run(&qp);
    assert_eq!(r.status, ConvexStatus::Solved);
    assert_close(&r.solution.x, &[1.5, 2.5], 1e-7, "x");
    assert_close(&r.solution.lambda, &[-1.0], 1e-7, "lambda");
    assert!((r.solution.objective - 0.5).abs() < 1e-7);
}

#[test]
fn qp_range_row_active_at_upper_side() {
    // min (x − 3)² + y²  s.t.  0 ≤ x − y ≤ 0.5  →  (1.75, 1.25), λ = 2.5, f = 3.125.
    let qp = Qp {
        n: 2,
        p: vec![(0, 0, 2.0), (1, 1, 2.0)],
        q: vec![-6.0, 0.0],
        c0: 9.0,
        rows: vec![(vec![(0, 1.0), (1, -1.0)], 0.0, 0.5)],
        bounds: vec![(-INF, INF), (-INF, INF)],
    }
    .build();
    let r = run(&qp);
    assert_eq!(r.status, ConvexStatus::Solved);
    assert_close(&r.solution.x, &[1.75, 1.25], 1e-7, "x");
    assert_close(&r.solution.lambda, &[2.5], 1e-7, "lambda");
    assert!((r.solution.objective - 3.125).abs() < 1e-7);
}

#[test]
fn qp_variable_bounds_and_free_variable() {
    // min (x − 3)² + (y + 1)² + (w − 5)²,  0 ≤ x ≤ 2,  y ≥ 0,  w free
    // → (2, 0, 5); ∇f = (−2, 2, 0) so z_U(x) = 2, z_L(y) = 2; f = 1 + 1 = 2.
    let qp = Qp {
        n: 3,
        p: vec![(0, 0, 2.0), (1, 1, 2.0), (2, 2, 2.0)],
        q: vec![-6.0, 2.0, -10.0],
        c0: 35.0,
        rows: vec![],
        bounds: vec![(0.0, 2.0), (0.0, INF), (-INF, INF)],
    }
    .build();
    let r = run(&qp);
    assert_eq!(r.status, ConvexStatus::Solved);
    assert_close(&r.solution.x, &[2.0, 0.0, 5.0], 1e-7, "x");
    assert_close(&r.solution.z_upper, &[2.0, 0.0, 0.0], 1e-7, "z_upper");
    assert_close(&r.solution.z_lower, &[0.0, 2.0, 0.0], 1e-7, "z_lower");
    assert!((r.solution.objective - 2.0).abs() < 1e-7);
}

#[test]
fn qp_fixed_variable_and_lower_triangle_hessian() {
    // min x² + y² + xy (P given by its lower triangle), x fixed at 1, x + y ≥ 3
    // → y = 2; ∇f = (2x + y, 2y + x) = (4, 5); y: 5 + λ = 0 → λ = −5;
    // x: 4 + λ + z_U − z_L = 0 → z_U = 1. f = 1 + 4 + 2 = 7.
    let qp = Qp {
        n: 2,
        p: vec![(0, 0, 2.0), (1, 0, 1.0), (1, 1, 2.0)],
        q: vec![0.0, 0.0],
        c0: 0.0,
        rows: vec![(vec![(0, 1.0), (1, 1.0)], 3.0, INF)],
        bounds: vec![(1.0, 1.0), (-INF, INF)],
    }
    .build();
    let r = run(&qp);
    assert_eq!(r.status, ConvexStatus::Solved);
    assert_close(&r.solution.x, &[1.0, 2.0], 1e-7, "x");
    assert_close(&r.solution.lambda, &[-5.0], 1e-7, "lambda");
    assert_close(&r.solution.z_upper, &[1.0, 0.0], 1e-7, "z_upper");
    assert_close(&r.solution.z_lower, &[0.0, 0.0], 1e-7, "z_lower");
    assert!((r.solution.objective - 7.0).abs() < 1e-7);
}

#[test]
fn infeasible_lp_returns_farkas_certificate() {
    // x + y ≤ 1 and x + y ≥ 2 (two rows), x, y ≥ 0.
    let qp = Qp {
        n: 2,
        p: vec![],
        q: vec![1.0, 2.0],
        c0: 0.0,
        rows: vec![
            (vec![(0, 1.0), (1, 1.0)], -INF, 1.0),
            (vec![(0, 1.0), (1, 1.0)], 2.0, INF),
        ],
        bounds: vec![(0.0, INF), (0.0, INF)],
    }
    .build();
    let r = run(&qp);
    assert_eq!(r.status, ConvexStatus::PrimalInfeasible);
    assert_eq!(r.solution.status, SolveStatus::LocalInfeasibility);
    assert_eq!(r.solution.status.solve_result_num(), 200);
    let Some(Certificate::PrimalInfeasible(d)) = &r.certificate else {
        panic!("expected a Farkas certificate, got {:?}", r.certificate)
    };
    // Aᵀy − z_L + z_U = 0.
    let mut g = vec![0.0; 2];
    qp.a.gemv_t(1.0, &d.lambda, &mut g);
    for j in 0..2 {
        g[j] += d.z_upper[j] - d.z_lower[j];
        assert!(g[j].abs() < 1e-8, "Aᵀy − z_L + z_U = {g:?}");
        assert!(d.z_lower[j] >= 0.0 && d.z_upper[j] >= 0.0);
    }
    // Support value Σ uᵢyᵢ⁺ − lᵢyᵢ⁻ + Σ ux z_U − lx z_L < 0 (only finite sides carry weight).
    let mut support = 0.0;
    for i in 0..2 {
        let y = d.lambda[i];
        if y > 0.0 {
            assert!(
                qp.row_upper[i].is_finite(),
                "weight on an infinite upper side"
            );
            support += qp.row_upper[i] * y;
        } else if y < 0.0 {
            assert!(
                qp.row_lower[i].is_finite(),
                "weight on an infinite lower side"
            );
            support += qp.row_lower[i] * y;
        }
    }
    for j in 0..2 {
        support -= qp.var_lower[j] * d.z_lower[j];
        assert!(d.z_upper[j].abs() < 1e-12, "no upper bounds exist");
    }
    assert!(support < -1e-3, "support value {support}");
}

#[test]
fn unbounded_lp_returns_improving_ray() {
    // min −x  s.t.  x − y ≤ 1,  x, y ≥ 0: ray (1, 1).
    let qp = Qp {
        n: 2,
        p: vec![],
        q: vec![-1.0, 0.0],
        c0: 0.0,
        rows: vec![(vec![(0, 1.0), (1, -1.0)], -INF, 1.0)],
        bounds: vec![(0.0, INF), (0.0, INF)],
    }
    .build();
    let r = run(&qp);
    assert_eq!(r.status, ConvexStatus::DualInfeasible);
    assert_eq!(r.solution.status, SolveStatus::DivergingIterates);
    assert_eq!(r.solution.status.solve_result_num(), 300);
    let Some(Certificate::DualInfeasible { direction: d }) = &r.certificate else {
        panic!("expected a ray, got {:?}", r.certificate)
    };
    let qd: f64 = qp.q.iter().zip(d).map(|(a, b)| a * b).sum();
    assert!(qd < -1e-3, "qᵀd = {qd}");
    let mut ad = vec![0.0; 1];
    qp.a.gemv(1.0, d, &mut ad);
    assert!(
        ad[0] <= 1e-8,
        "row direction {ad:?} must not increase toward the upper side"
    );
    assert!(
        d.iter().all(|&v| v >= -1e-8),
        "direction must keep x ≥ 0: {d:?}"
    );
}

#[test]
fn unbounded_qp_with_psd_hessian() {
    // min x² − y, y ≥ 0: P d = 0 needs d_x = 0, ray (0, 1).
    let qp = Qp {
        n: 2,
        p: vec![(0, 0, 2.0)],
        q: vec![0.0, -1.0],
        c0: 0.0,
        rows: vec![],
        bounds: vec![(-INF, INF), (0.0, INF)],
    }
    .build();
    let r = run(&qp);
    assert_eq!(r.status, ConvexStatus::DualInfeasible);
    let Some(Certificate::DualInfeasible { direction: d }) = &r.certificate else {
        panic!("expected a ray")
    };
    assert!(d[0].abs() < 1e-6 && d[1] > 0.99, "direction {d:?}");
}

#[test]
fn degenerate_lp_reaches_the_optimal_face() {
    // min x + y  s.t.  x + y ≥ 1,  x + 2y ≥ 1,  2x + y ≥ 1,  x, y ≥ 0:
    // optimum 1 on the segment from (1, 0) to (0, 1), three constraints active at
    // each end point.
    let qp = Qp {
        n: 2,
        p: vec![],
        q: vec![1.0, 1.0],
        c0: 0.0,
        rows: vec![
            (vec![(0, 1.0), (1, 1.0)], 1.0, INF),
            (vec![(0, 1.0), (1, 2.0)], 1.0, INF),
            (vec![(0, 2.0), (1, 1.0)], 1.0, INF),
        ],
        bounds: vec![(0.0, INF), (0.0, INF)],
    }
    .build();
    let r = run(&qp);
    assert_eq!(r.status, ConvexStatus::Solved);
    assert!((r.solution.objective - 1.0).abs() < 1e-7);
    assert!(stationarity(&qp, &r.solution) < 1e-7);
    assert!(
        r.solution.lambda.iter().all(|&l| l <= 1e-9),
        "≥ rows need λ ≤ 0"
    );
}

#[test]
fn inconsistent_bounds_are_reported_without_iterating() {
    let qp = Qp {
        n: 1,
        p: vec![],
        q: vec![1.0],
        c0: 0.0,
        rows: vec![],
        bounds: vec![(2.0, 1.0)],
    }
    .build();
    let mut log = Vec::new();
    let r = convex::solve(&qp, &Settings::default(), &mut log).unwrap();
    assert_eq!(r.solution.status, SolveStatus::InvalidProblemDefinition);
    let text = String::from_utf8(log).unwrap();
    assert!(
        text.ends_with("\nEXIT: Problem has inconsistent variable bounds or constraint sides.\n")
    );
}

#[test]
fn console_log_ends_with_ipopt_final_block() {
    let qp = distance_to_1_2(vec![(vec![(0, 1.0), (1, 1.0)], 1.0, 1.0)]);
    let mut log = Vec::new();
    let r = convex::solve(&qp, &Settings::default(), &mut log).unwrap();
    let text = String::from_utf8(log).unwrap();
    assert!(text.contains(&format!(
        "\nNumber of Iterations....: {}\n",
        r.info.iterations
    )));
    assert!(
        text.contains("\n                                   (scaled)                 (unscaled)\n")
    );
    let objective_line = text
        .lines()
        .find(|l| l.starts_with("Objective...............: "))
        .expect("objective line");
    let value: f64 = objective_line
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert!((value - 2.0).abs() < 1e-7);
    assert!(text.ends_with("\n\nEXIT: Optimal Solution Found.\n"));
}

#[test]
fn malformed_data_is_an_error() {
    let mut qp = distance_to_1_2(vec![]);
    qp.q.push(1.0);
    assert!(convex::solve(&qp, &quiet(), &mut std::io::sink()).is_err());
    let mut qp = distance_to_1_2(vec![]);
    qp.p = CscMatrix::from_triplets(2, 2, &[(0, 1, 1.0), (1, 0, 1.0)]).unwrap();
    assert!(convex::solve(&qp, &quiet(), &mut std::io::sink()).is_err());
}

#[test]
fn edge_cases_do_not_fail() {
    // No variables at all: the objective constant is the optimum.
    let empty = Qp {
        n: 0,
        p: vec![],
        q: vec![],
        c0: 4.0,
        rows: vec![],
        bounds: vec![],
    }
    .build();
    let r = run(&empty);
    assert_eq!(r.status, ConvexStatus::Solved);
    assert_eq!(r.solution.objective, 4.0);

    // Free variables, zero objective: any point is optimal.
    let free = Qp {
        n: 2,
        p: vec![],
        q: vec![0.0, 0.0],
        c0: 0.0,
        rows: vec![],
        bounds: vec![(-INF, INF), (-INF, INF)],
    }
    .build();
    assert_eq!(run(&free).status, ConvexStatus::Solved);

    // Free variable with a linear objective: unbounded.
    let unbounded = Qp {
        n: 1,
        p: vec![],
        q: vec![1.0],
        c0: 0.0,
        rows: vec![],
        bounds: vec![(-INF, INF)],
    }
    .build();
    assert_eq!(run(&unbounded).status, ConvexStatus::DualInfeasible);

    // Every variable fixed, plus a redundant equality row.
    let fixed = Qp {
        n: 2,
        p: vec![(0, 0, 1.0)],
        q: vec![1.0, -1.0],
        c0: 0.0,
        rows: vec![(vec![(0, 1.0), (1, 1.0)], 3.0, 3.0)],
        bounds: vec![(1.0, 1.0), (2.0, 2.0)],
    }
    .build();
    let r = run(&fixed);
    assert_eq!(r.status, ConvexStatus::Solved);
    assert_close(&r.solution.x, &[1.0, 2.0], 1e-7, "x");
    assert!((r.solution.objective - (0.5 + 1.0 - 2.0)).abs() < 1e-7);

    // Contradictory equalities: infeasible.
    let contradictory = Qp {
        n: 1,
        p: vec![],
        q: vec![1.0],
        c0: 0.0,
        rows: vec![(vec![(0, 1.0)], 1.0, 1.0), (vec![(0, 1.0)], 2.0, 2.0)],
        bounds: vec![(-INF, INF)],
    }
    .build();
    assert_eq!(run(&contradictory).status, ConvexStatus::PrimalInfeasible);
}
