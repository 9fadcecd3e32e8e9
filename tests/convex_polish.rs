//! The Newton polish of LP and QP interior-point end points: netlib's agg2 ends its
//! iteration with a KKT error just above `tol` (the last directions lose accuracy on
//! its badly scaled rows); polished on its active set it is certified on the convex
//! path, at the objective Clarabel and HiGHS agree on, without the NLP fallback.
//! netlib's degen3 (a degenerate active set, singular Newton matrix) needs the
//! proximal-point steps, Maros–Meszaros QSHELL the best of the active sets tried.

mod convex_common;

use convex_common::{reference_record, solve_auto};
use pounce::outcome::SolveStatus;

/// The HiGHS objective of `name` in `../shared/reference/convex-CORPUS.jsonl`, where
/// Clarabel agrees with it.
fn reference_objective(corpus: &str, name: &str) -> f64 {
    let record = reference_record(corpus, name);
    assert_eq!(record["agree"], true, "{name}: the references disagree");
    record["highs"]["obj"].as_f64().unwrap()
}

/// Solves `corpus/name.nl` under `solver_selection=auto` and checks that the polish
/// ran, that no NLP fallback was needed and that the certified objective is within
/// 1e-6 of the agreeing references.
fn certified_after_the_polish(corpus: &str, name: &str) {
    let (outcome, log) = solve_auto(corpus, name);
    assert!(log.contains("Newton polish on the active set"), "{log}");
    assert!(!log.contains("solving again with the NLP method"), "{log}");
    assert_eq!(outcome.solution.status, SolveStatus::Success, "{log}");
    let reference = reference_objective(corpus, name);
    let objective = outcome.solution.objective;
    assert!(
        (objective - reference).abs() <= 1e-6 * reference.abs().max(1.0),
        "objective {objective} against {reference}"
    );
}

#[test]
fn agg2_is_certified_on_the_convex_path_after_the_polish() {
    certified_after_the_polish("netlib", "agg2");
}

#[test]
fn degen3_is_certified_on_the_convex_path_after_the_polish() {
    certified_after_the_polish("netlib", "degen3");
}

#[test]
fn qshell_is_certified_on_the_convex_path_after_the_polish() {
    certified_after_the_polish("maros-meszaros", "QSHELL");
}
