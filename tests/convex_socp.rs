//! Convex QCQPs through the second-order cone route: the Pyomo-written test set of
//! `testdata/gen_socp.py` solved under `solver_selection=auto`, which must keep the
//! SOCP route's result with a verified certificate (no fallback to the NLP method),
//! compared with the NLP route (run here) and with Clarabel on the equivalent SOCP
//! (`testdata/socp_reference.json`, written by `testdata/socp_clarabel.py`);
//! multipliers of the small models against their KKT conditions solved by hand.

use pounce::convex::extract_qcqp::{NotQcqp, extract_qcqp};
use pounce::nl::{Model, read_bytes};
use pounce::options::Options;
use pounce::outcome::{Solution, SolveStatus};
use pounce::solver_selection::solve;
use pounce::stop::Stop;

fn model(name: &str) -> Model {
    let path = format!("{}/testdata/nl/{name}.nl", env!("CARGO_MANIFEST_DIR"));
    read_bytes(name, &std::fs::read(path).unwrap()).unwrap()
}

fn solve_by(route: &str, m: &Model) -> Solution {
    let options = Options::with(&[("solver_selection", route), ("print_level", "0")]).unwrap();
    solve(m, &options, &Stop::never(), &mut std::io::sink()).solution
}

/// Clarabel's objective for `name` from the committed reference file.
fn clarabel_objective(name: &str) -> f64 {
    let path = format!(
        "{}/testdata/socp_reference.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let entry = &json[name];
    // AlmostSolved (Clarabel's reduced tolerances) still has to agree with both routes.
    assert!(
        entry["status"] == "Solved" || entry["status"] == "AlmostSolved",
        "{name}: Clarabel's status {}",
        entry["status"]
    );
    entry["objective"].as_f64().unwrap()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1.0)
}

/// Solves `m` under `solver_selection=auto` and checks that the result is the SOCP
/// route's, optimal, with the certificate verified: the log of a fallback to the NLP
/// method says so, and the certificate's summary line ends with its verdict.
fn socp_under_auto(name: &str, m: &Model) -> Solution {
    let options = Options::with(&[("print_level", "1")]).unwrap();
    let mut log = Vec::new();
    let outcome = solve(m, &options, &Stop::never(), &mut log);
    let log = String::from_utf8(log).unwrap();
    assert!(
        !log.contains("solving again with the NLP method"),
        "{name}: auto fell back to the NLP method:\n{log}"
    );
    assert_eq!(outcome.solution.status, SolveStatus::Success, "{name}");
    let certificate = outcome.certificate.expect("a certified result");
    assert!(
        certificate.ends_with(": verified"),
        "{name}: certificate {certificate}"
    );
    outcome.solution
}

/// Solves `name` by the SOCP route (under `auto`, see [`socp_under_auto`]) and the NLP
/// route; the SOCP route's optimum agrees with Clarabel's to 1e-6. Returns (SOCP,
/// NLP) solutions.
fn both_routes(name: &str) -> (Solution, Solution) {
    let m = model(name);
    extract_qcqp(&m).unwrap_or_else(|e| panic!("{name} is not detected as a QCQP: {e}"));
    let socp = socp_under_auto(name, &m);
    let nlp = solve_by("nlp", &m);
    let reference = clarabel_objective(name);
    assert_eq!(nlp.status, SolveStatus::Success, "{name}: NLP route");
    assert!(
        close(socp.objective, reference, 1e-6),
        "{name}: SOCP {} vs Clarabel {reference}",
        socp.objective
    );
    (socp, nlp)
}

/// The SOCP route's optimum agrees with the NLP route's and with Clarabel's to 1e-6.
fn same_optimum(name: &str) {
    let (socp, nlp) = both_routes(name);
    assert!(
        close(socp.objective, nlp.objective, 1e-6),
        "{name}: SOCP {} vs NLP {}",
        socp.objective,
        nlp.objective
    );
}

#[test]
fn portfolio_models_reach_the_same_optimum() {
    same_optimum("socp_portfolio_small");
    same_optimum("socp_portfolio_dense");
}

#[test]
fn ball_constrained_least_squares_reach_the_same_optimum() {
    same_optimum("socp_ball_lsq_small");
    same_optimum("socp_ball_lsq_dense");
}

#[test]
fn trust_region_subproblems_reach_the_same_optimum() {
    same_optimum("socp_trust_region_small");
    same_optimum("socp_trust_region_dense");
}

#[test]
fn large_models_reach_the_same_optimum() {
    // On the large portfolio the NLP route stops with an objective 4e-5 (relative)
    // below the optimum that the SOCP route and Clarabel agree on; it cannot exceed it.
    let (socp, nlp) = both_routes("socp_portfolio_large");
    assert!(nlp.objective <= socp.objective + 1e-9);
    same_optimum("socp_ball_lsq_large");
    // socp_qcqp_blocks_20k (20 000 variables, a 3.9 MB .nl file) is generated and
    // compared by benches/socp_routes.py.
    same_optimum("socp_qcqp_chain_10k");
}

/// Index of the one quadratic row of a small model (Pyomo writes nonlinear rows first).
fn quadratic_row(m: &Model) -> usize {
    let q = extract_qcqp(m).unwrap();
    assert_eq!(q.problem.quadratic.len(), 1);
    q.problem.quadratic[0].row
}

#[test]
fn ball_least_squares_multiplier_matches_kkt() {
    // min (x0−3)² + (x1−4)² + x2²  s.t.  ‖x‖² ≤ 1:  2(x − c) + 2λx = 0 with ‖x‖ = 1
    // gives x = c/(1 + λ), 1 + λ = ‖c‖ = 5: x = (0.6, 0.8, 0), λ = 4, f = 16.
    let m = model("socp_ball_lsq_small");
    let s = solve_by("socp", &m);
    assert_eq!(s.status, SolveStatus::Success);
    for (x, e) in s.x.iter().zip([0.6, 0.8, 0.0]) {
        assert!((x - e).abs() < 1e-7, "x {:?}", s.x);
    }
    assert!((s.lambda[quadratic_row(&m)] - 4.0).abs() < 1e-6);
    assert!((s.objective - 16.0).abs() < 1e-6);
}

#[test]
fn trust_region_multiplier_matches_kkt() {
    // min ½xᵀdiag(1, 1, 3)x − 3x0 − 4x1  s.t.  ‖x‖² ≤ 1:  Hx + g + 2λx = 0 gives
    // x2 = 0 and (x0, x1) = (3, 4)/(1 + 2λ) with norm 1: λ = 2, f = ½ − 5 = −4.5.
    let m = model("socp_trust_region_small");
    let s = solve_by("socp", &m);
    assert_eq!(s.status, SolveStatus::Success);
    for (x, e) in s.x.iter().zip([0.6, 0.8, 0.0]) {
        assert!((x - e).abs() < 1e-7, "x {:?}", s.x);
    }
    assert!((s.lambda[quadratic_row(&m)] - 2.0).abs() < 1e-6);
    assert!((s.objective + 4.5).abs() < 1e-6);
}

#[test]
fn portfolio_multipliers_match_kkt() {
    // max μᵀx  s.t.  1ᵀx = 1,  xᵀΣx ≤ σ²,  Σ = diag(s²). In Ipopt's convention for a
    // maximized objective, −μ + ν1 + 2λΣx = 0, so x = Σ⁻¹(μ − ν1)/(2λ); 1ᵀx = 1 gives
    // 2λ = b − νa and the active risk row gives c − 2νb + ν²a = σ²(b − νa)², with
    // a = 1ᵀΣ⁻¹1, b = 1ᵀΣ⁻¹μ, c = μᵀΣ⁻¹μ: a quadratic in ν, whose root with λ > 0 is
    // the optimum.
    let mu = [0.05, 0.07, 0.10, 0.12, 0.15];
    let sd = [0.10, 0.15, 0.20, 0.25, 0.30];
    let sigma2: f64 = 0.15 * 0.15;
    let (mut a, mut b, mut c) = (0.0, 0.0, 0.0);
    for j in 0..5 {
        let inv = 1.0 / (sd[j] * sd[j]);
        a += inv;
        b += inv * mu[j];
        c += inv * mu[j] * mu[j];
    }
    let (qa, qb, qc) = (
        a - sigma2 * a * a,
        -2.0 * b + 2.0 * sigma2 * a * b,
        c - sigma2 * b * b,
    );
    let disc = (qb * qb - 4.0 * qa * qc).sqrt();
    let nu = [(-qb + disc) / (2.0 * qa), (-qb - disc) / (2.0 * qa)]
        .into_iter()
        .find(|nu| b - nu * a > 0.0)
        .unwrap();
    let lambda = 0.5 * (b - nu * a);
    let x: Vec<f64> = (0..5)
        .map(|j| (mu[j] - nu) / (sd[j] * sd[j] * 2.0 * lambda))
        .collect();
    let objective: f64 = (0..5).map(|j| mu[j] * x[j]).sum();

    let m = model("socp_portfolio_small");
    let s = solve_by("socp", &m);
    let quad = quadratic_row(&m);
    let linear = 1 - quad;
    for (got, want) in s.x.iter().zip(&x) {
        assert!((got - want).abs() < 1e-6, "x {:?} vs {x:?}", s.x);
    }
    assert!(
        (s.lambda[quad] - lambda).abs() < 1e-6 * lambda.max(1.0),
        "λ {} vs {lambda}",
        s.lambda[quad]
    );
    assert!(
        (s.lambda[linear] - nu).abs() < 1e-6,
        "ν {} vs {nu}",
        s.lambda[linear]
    );
    assert!((s.objective - objective).abs() < 1e-8);
}

/// The early polish of a QCQP iterate waits for the looser relative residual and gap
/// tests only: a bound on the absolute dual residual, as the routes set from Ipopt's
/// `tol` (5e-9 for the default 1e-8), is loosened like them and does not hold the
/// polish back. Held at its full value, it took each of these models one more
/// iteration.
#[test]
fn absolute_dual_bound_does_not_delay_the_early_polish() {
    use pounce::convex::{ConvexStatus, Settings, solve_qcqp};
    for name in ["socp_ball_lsq_small", "socp_trust_region_small"] {
        let qcqp = extract_qcqp(&model(name)).unwrap().problem;
        let iterations = |tol_dual_abs: f64| {
            let settings = Settings {
                verbose: false,
                tol_dual_abs,
                ..Settings::default()
            };
            let result = solve_qcqp(&qcqp, &settings, &mut std::io::sink()).unwrap();
            assert_eq!(result.status, ConvexStatus::Solved, "{name}");
            result.info.iterations
        };
        assert_eq!(iterations(5e-9), iterations(f64::INFINITY), "{name}");
    }
}

#[test]
fn non_qcqp_models_are_refused() {
    // HS071's objective and first row are of degree four.
    let hs071 = model("hs071");
    assert!(matches!(
        extract_qcqp(&hs071),
        Err(NotQcqp::Objective(_) | NotQcqp::NonQuadraticRow { .. })
    ));
    // Forcing the route on it is an option error, not a wrong answer.
    assert_eq!(solve_by("socp", &hs071).status, SolveStatus::InvalidOption);
}
