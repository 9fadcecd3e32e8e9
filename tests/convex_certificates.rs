//! Infeasibility and unboundedness results of the convex method: the Farkas
//! certificate or improving ray is checked on the model itself before it is reported,
//! and a tampered certificate is rejected.

use pounce::certificate::{check_farkas, check_ray};
use pounce::nl::model::Model;
use pounce::nl::read_bytes;
use pounce::options::Options;
use pounce::outcome::SolveStatus;
use pounce::solver_selection::solve;
use pounce::stop::Stop;

/// Row sides in the `.nl` `r` segment: `(lower, upper)`, `±inf` for absent sides.
type Sides = (f64, f64);

/// An `.nl` model with linear rows `rows` (sparse, with sides), variable bounds
/// `bounds`, and objective `sense` (0 minimize, 1 maximize) `tape + Σ linear`.
fn model(
    rows: &[(Vec<(usize, f64)>, Sides)],
    bounds: &[Sides],
    linear: &[f64],
    sense: u8,
    tape: &str,
) -> Model {
    let (n, m) = (bounds.len(), rows.len());
    let side = |(l, u): Sides| match (l.is_finite(), u.is_finite()) {
        (true, true) if l == u => format!("4 {l}"),
        (true, true) => format!("0 {l} {u}"),
        (false, true) => format!("1 {u}"),
        (true, false) => format!("2 {l}"),
        (false, false) => "3".to_string(),
    };
    let nnz_j: usize = rows.iter().map(|(r, _)| r.len()).sum();
    let nnz_g = linear.iter().filter(|c| **c != 0.0).count();
    let ranges = rows
        .iter()
        .filter(|(_, (l, u))| l.is_finite() && u.is_finite() && l != u)
        .count();
    let eqns = rows.iter().filter(|(_, (l, u))| l == u).count();
    let nl_obj_vars = if tape.is_empty() { 0 } else { n };
    let nonlinear_objs = usize::from(!tape.is_empty());
    let mut text = format!(
        "g3 1 1 0\n {n} {m} 1 {ranges} {eqns}\n 0 {nonlinear_objs}\n 0 0\n 0 {nl_obj_vars} 0\n 0 0 0 1\n 0 0 0 0 0\n {nnz_j} {nnz_g}\n 0 0\n 0 0 0 0 0\n"
    );
    for i in 0..m {
        text += &format!("C{i}\nn0\n");
    }
    text += &format!(
        "O0 {sense}\n{}",
        if tape.is_empty() { "n0\n" } else { tape }
    );
    text += "r\n";
    for (_, sides) in rows {
        text += &(side(*sides) + "\n");
    }
    text += "b\n";
    for b in bounds {
        text += &(side(*b) + "\n");
    }
    let mut per_column = vec![0usize; n];
    for (r, _) in rows {
        for &(j, _) in r {
            per_column[j] += 1;
        }
    }
    text += &format!("k{}\n", n - 1);
    let mut cumulative = 0;
    for count in &per_column[..n - 1] {
        cumulative += count;
        text += &format!("{cumulative}\n");
    }
    for (i, (r, _)) in rows.iter().enumerate() {
        text += &format!("J{i} {}\n", r.len());
        for (j, v) in r {
            text += &format!("{j} {v}\n");
        }
    }
    text += &format!("G0 {nnz_g}\n");
    for (j, c) in linear.iter().enumerate().filter(|(_, c)| **c != 0.0) {
        text += &format!("{j} {c}\n");
    }
    read_bytes("model", text.as_bytes()).unwrap()
}

const INF: f64 = f64::INFINITY;

/// x + y ≤ 1, x + y ≥ 2, x, y ≥ 0: infeasible.
fn infeasible_lp() -> Model {
    model(
        &[
            (vec![(0, 1.0), (1, 1.0)], (-INF, 1.0)),
            (vec![(0, 1.0), (1, 1.0)], (2.0, INF)),
        ],
        &[(0.0, INF), (0.0, INF)],
        &[1.0, 2.0],
        0,
        "",
    )
}

/// min −x s.t. x − y ≤ 1, x, y ≥ 0: unbounded along (1, 1).
fn unbounded_lp() -> Model {
    model(
        &[(vec![(0, 1.0), (1, -1.0)], (-INF, 1.0))],
        &[(0.0, INF), (0.0, INF)],
        &[-1.0, 0.0],
        0,
        "",
    )
}

/// min x0² − x1 s.t. x0 + x1 ≥ 1, x1 free: unbounded along (0, 1) with P(0, 1) = 0.
fn unbounded_qp() -> Model {
    model(
        &[(vec![(0, 1.0), (1, 1.0)], (1.0, INF))],
        &[(-INF, INF), (-INF, INF)],
        &[0.0, -1.0],
        0,
        "o5\nv0\nn2\n",
    )
}

/// maximize x1 − x0² s.t. x0 + x1 ≥ 1, x0, x1 free: unbounded above along (0, 1).
fn unbounded_maximize_qp() -> Model {
    model(
        &[(vec![(0, 1.0), (1, 1.0)], (1.0, INF))],
        &[(-INF, INF), (-INF, INF)],
        &[0.0, 1.0],
        1,
        "o16\no5\nv0\nn2\n",
    )
}

/// x0 = 1, x0 = 2 inside a QP: infeasible through equality rows.
fn infeasible_qp() -> Model {
    model(
        &[
            (vec![(0, 1.0), (1, 1.0)], (1.0, 1.0)),
            (vec![(0, 1.0), (1, 1.0)], (2.0, 2.0)),
        ],
        &[(-5.0, 5.0), (-INF, INF)],
        &[1.0, 0.0],
        0,
        "o5\nv1\nn2\n",
    )
}

fn run(model: &Model, route: &str) -> (pounce::solver_selection::Outcome, String) {
    let options = Options::with(&[("solver_selection", route)]).unwrap();
    let mut log = Vec::new();
    let outcome = solve(model, &options, &Stop::never(), &mut log);
    (outcome, String::from_utf8(log).unwrap())
}

#[test]
fn infeasible_models_are_reported_with_a_verified_farkas_certificate() {
    for (name, m, route) in [
        ("LP", infeasible_lp(), "lp-ipm"),
        ("QP", infeasible_qp(), "qp-ipm"),
    ] {
        for route in ["auto", route] {
            let (outcome, log) = run(&m, route);
            assert_eq!(
                outcome.solution.status,
                SolveStatus::LocalInfeasibility,
                "{name} {route}\n{log}"
            );
            let line = outcome.certificate.unwrap_or_default();
            assert!(
                line.starts_with("Farkas certificate verified"),
                "{name} {route}: {line}"
            );
            assert!(
                log.contains(&line),
                "{name} {route}: the log shows the check"
            );
            let s = &outcome.solution;
            assert!(
                check_farkas(&m, &s.lambda, &s.z_lower, &s.z_upper)
                    .unwrap()
                    .verified()
            );
        }
    }
}

#[test]
fn unbounded_models_are_reported_with_a_verified_ray() {
    for (name, m) in [
        ("LP", unbounded_lp()),
        ("QP", unbounded_qp()),
        ("maximize QP", unbounded_maximize_qp()),
    ] {
        let (outcome, log) = run(&m, "auto");
        assert_eq!(
            outcome.solution.status,
            SolveStatus::DivergingIterates,
            "{name}\n{log}"
        );
        let line = outcome.certificate.unwrap_or_default();
        assert!(line.starts_with("unbounded ray verified"), "{name}: {line}");
    }
}

#[test]
fn tampered_farkas_certificates_are_rejected() {
    let m = infeasible_lp();
    // The proof by hand: y = (1, −1) (upper side of row 0, lower side of row 1):
    // Aᵀy = 0, support 1·1 − 2·1 = −1.
    let ok = check_farkas(&m, &[1.0, -1.0], &[0.0, 0.0], &[0.0, 0.0]).unwrap();
    assert!(ok.verified(), "{ok:?}");
    assert!((ok.support + 1.0).abs() < 1e-15 && ok.residual == 0.0);
    // Aᵀy ≠ 0.
    let unbalanced = check_farkas(&m, &[1.0, -0.5], &[0.0, 0.0], &[0.0, 0.0]).unwrap();
    assert!(!unbalanced.verified(), "{unbalanced:?}");
    // Weights on the absent sides (lower of row 0, upper of row 1) prove nothing.
    let wrong_sides = check_farkas(&m, &[-1.0, 1.0], &[0.0, 0.0], &[0.0, 0.0]).unwrap();
    assert!(!wrong_sides.verified(), "{wrong_sides:?}");
    // Balancing Aᵀy by bound multipliers of the wrong sign.
    let negative_bound = check_farkas(&m, &[1.0, 0.0], &[-1.0, -1.0], &[0.0, 0.0]).unwrap();
    assert!(!negative_bound.verified(), "{negative_bound:?}");
    // A feasible model has no certificate: the rows of the infeasible LP with row 1
    // moved to x + y ≥ 0.5 make the same y's support positive.
    let feasible = model(
        &[
            (vec![(0, 1.0), (1, 1.0)], (-INF, 1.0)),
            (vec![(0, 1.0), (1, 1.0)], (0.5, INF)),
        ],
        &[(0.0, INF), (0.0, INF)],
        &[1.0, 2.0],
        0,
        "",
    );
    let check = check_farkas(&feasible, &[1.0, -1.0], &[0.0, 0.0], &[0.0, 0.0]).unwrap();
    assert!(!check.verified() && check.support > 0.0, "{check:?}");
}

#[test]
fn tampered_rays_are_rejected() {
    let lp = unbounded_lp();
    assert!(check_ray(&lp, 1.0, &[1.0, 1.0]).unwrap().verified());
    // Leaves the recession cone of x − y ≤ 1.
    assert!(!check_ray(&lp, 1.0, &[1.0, 0.5]).unwrap().verified());
    // Leaves the recession cone of y ≥ 0.
    assert!(!check_ray(&lp, 1.0, &[0.0, -1.0]).unwrap().verified());
    // Not improving for maximize (σ = −1).
    assert!(!check_ray(&lp, -1.0, &[1.0, 1.0]).unwrap().verified());
    let qp = unbounded_qp();
    assert!(check_ray(&qp, 1.0, &[0.0, 1.0]).unwrap().verified());
    // Improves the linear part but the quadratic one curves up: Pd ≠ 0.
    let curved = check_ray(&qp, 1.0, &[0.1, 1.0]).unwrap();
    assert!(!curved.verified() && curved.curvature > 0.1, "{curved:?}");
    assert!(
        check_ray(&qp, 1.0, &[0.0, 0.0]).is_err(),
        "a zero ray proves nothing"
    );
}
