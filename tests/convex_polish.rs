//! The Newton polish of an LP's interior-point end point: netlib's agg2 ends its
//! iteration with a KKT error just above `tol` (the last directions lose accuracy on
//! its badly scaled rows); polished on its active set it is certified on the convex
//! path, at the objective Clarabel and HiGHS agree on, without the NLP fallback.

use std::path::PathBuf;

use pounce::nl::read_file;
use pounce::options::Options;
use pounce::outcome::SolveStatus;
use pounce::solver_selection::solve;
use pounce::stop::Stop;

/// The HiGHS objective of `name` in `../shared/reference/convex-netlib.jsonl`, where
/// Clarabel agrees with it.
fn reference_objective(shared: &std::path::Path, name: &str) -> f64 {
    let path = shared.join("reference/convex-netlib.jsonl");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let record: serde_json::Value = text
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("{name} has no reference"));
    assert_eq!(record["agree"], true, "{name}: the references disagree");
    record["highs"]["obj"].as_f64().unwrap()
}

#[test]
fn agg2_is_certified_on_the_convex_path_after_the_polish() {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let model = read_file(&shared.join("corpus/netlib/agg2.nl")).unwrap();
    let options = Options::with(&[("solver_selection", "auto")]).unwrap();
    let mut log = Vec::new();
    let outcome = solve(&model, &options, &Stop::never(), &mut log);
    let log = String::from_utf8(log).unwrap();
    assert!(log.contains("Newton polish on the active set"), "{log}");
    assert!(!log.contains("solving again with the NLP method"), "{log}");
    assert_eq!(outcome.solution.status, SolveStatus::Success, "{log}");
    let reference = reference_objective(&shared, "agg2");
    let objective = outcome.solution.objective;
    assert!(
        (objective - reference).abs() <= 1e-6 * reference.abs().max(1.0),
        "objective {objective} against {reference}"
    );
}
