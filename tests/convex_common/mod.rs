//! Checks shared by the convex-route tests: hand-derived values, stationarity of a QP
//! solution, and corpus models solved under `solver_selection=auto` against the
//! Clarabel/HiGHS references in `../shared/reference/convex-*.jsonl`.
// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use std::path::PathBuf;

use pounce::convex::QpProblem;
use pounce::nl::read_file;
use pounce::options::Options;
use pounce::outcome::Solution;
use pounce::solver_selection::{Outcome, solve};
use pounce::stop::Stop;

pub fn assert_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol, "{what}[{k}]: got {g}, want {w}");
    }
}

/// `‖Px + q + Aᵀλ − z_L + z_U‖∞` in Ipopt's sign convention.
pub fn stationarity(qp: &QpProblem, s: &Solution) -> f64 {
    let mut g = qp.q.clone();
    qp.p.symv(1.0, &s.x, &mut g);
    qp.a.gemv_t(1.0, &s.lambda, &mut g);
    g.iter()
        .enumerate()
        .map(|(j, gj)| (gj - s.z_lower[j] + s.z_upper[j]).abs())
        .fold(0.0, f64::max)
}

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

/// `../shared/corpus/CORPUS/NAME.nl` solved under `solver_selection=auto`, with its log.
pub fn solve_auto(corpus: &str, name: &str) -> (Outcome, String) {
    let model = read_file(&shared().join(format!("corpus/{corpus}/{name}.nl"))).unwrap();
    let options = Options::with(&[("solver_selection", "auto")]).unwrap();
    let mut log = Vec::new();
    let outcome = solve(&model, &options, &Stop::never(), &mut log);
    (outcome, String::from_utf8(log).unwrap())
}

/// The record of `name` in `../shared/reference/convex-CORPUS.jsonl`.
pub fn reference_record(corpus: &str, name: &str) -> serde_json::Value {
    let path = shared().join(format!("reference/convex-{corpus}.jsonl"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("{name} has no reference"))
}
