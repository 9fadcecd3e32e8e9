//! The convex method's own stopping test against the certificate's measures.
//!
//! Maros–Meszaros STADAT1 has an active row whose value cannot be computed closer to its
//! bound than about 2⁻³⁰ (terms of 1e7) while its multiplier is 3.6e3. Read on its best
//! slack, as the certificate reads it, the row's complementarity is about 1e-9; as the
//! product of row value and multiplier it is 3.6e-6, which kept the iteration going 28
//! iterations past the point the certificate accepts (44 iterations; Clarabel takes 15).

mod convex_common;

use convex_common::{reference_record, solve_auto};
use pounce::outcome::SolveStatus;

#[test]
fn stadat1_stops_when_its_rows_meet_the_certificates_complementarity_measure() {
    let (outcome, log) = solve_auto("maros-meszaros", "STADAT1");
    assert!(!log.contains("solving again with the NLP method"), "{log}");
    assert_eq!(outcome.solution.status, SolveStatus::Success, "{log}");
    assert!(outcome.solution.iterations <= 20, "{log}");
    let record = reference_record("maros-meszaros", "STADAT1");
    assert_eq!(record["agree"], true);
    let reference = record["highs"]["obj"].as_f64().unwrap();
    let objective = outcome.solution.objective;
    assert!(
        (objective - reference).abs() <= 1e-6 * reference.abs(),
        "objective {objective} against {reference}"
    );
}
