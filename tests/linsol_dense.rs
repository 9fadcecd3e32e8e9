//! Dense LDLᵀ: inertia against a dense eigendecomposition, refined residuals,
//! typed errors.

mod linsol_common;

use linsol_common::{KktSpec, Rng, check, kkt};
use pounce::linsol::dense::DenseLdlt;
use pounce::linsol::{Inertia, LinsolError, LowerCsc, SymmetricIndefiniteSolver};

#[test]
fn dense_inertia_matches_eigenvalues_on_random_kkt() {
    let mut rng = Rng::new(7);
    let (mut singular, mut ambiguous) = (0, 0);
    for case in 0..120 {
        let n = 1 + rng.below(60);
        let m = rng.below(n + 1);
        let mut spec = KktSpec::new(n, m);
        spec.h_diag_min = [0.1, -1.0, 0.0][case % 3];
        spec.delta_c = if case % 4 == 0 { 1e-4 } else { 0.0 };
        spec.duplicate_rows = if case % 5 == 0 { 1 + rng.below(3) } else { 0 };
        spec.j_per_row = 1 + rng.below(4);
        let t = kkt(&mut rng, spec);
        match check(&mut DenseLdlt::new(), &t, &mut rng) {
            Some(inertia) if inertia.zero > 0 => singular += 1,
            Some(_) => {}
            None => ambiguous += 1,
        }
    }
    assert!(singular >= 10, "only {singular} singular cases exercised");
    assert!(
        ambiguous <= 6,
        "{ambiguous} of 120 cases had no reliable reference"
    );
}

#[test]
fn dense_handles_larger_kkt_with_zero_block() {
    let mut rng = Rng::new(11);
    let mut spec = KktSpec::new(300, 120);
    spec.h_diag_min = -0.5;
    let t = kkt(&mut rng, spec);
    let inertia = check(&mut DenseLdlt::new(), &t, &mut rng).expect("reliable reference");
    assert_eq!(inertia.negative + inertia.positive, 420);
}

#[test]
fn dense_refactors_same_pattern() {
    let mut rng = Rng::new(3);
    let t = kkt(&mut rng, KktSpec::new(40, 15));
    let mut solver = DenseLdlt::new();
    check(&mut solver, &t, &mut rng).expect("reliable reference");
    let mut shifted = t.values.clone();
    for j in 0..40 {
        shifted[t.pattern.col_ptr[j]] += 10.0;
    }
    let inertia = solver.factor(&shifted).unwrap();
    assert_eq!(
        inertia,
        Inertia {
            positive: 40,
            negative: 15,
            zero: 0
        }
    );
}

#[test]
fn dense_reports_typed_errors() {
    let mut solver = DenseLdlt::new();
    assert_eq!(solver.factor(&[1.0]), Err(LinsolError::NotReady));
    let bad = LowerCsc {
        dim: 2,
        col_ptr: vec![0, 1, 2],
        row_idx: vec![1, 0],
    };
    assert!(matches!(
        solver.analyse(&bad),
        Err(LinsolError::InvalidPattern(_))
    ));
    let ok = LowerCsc {
        dim: 2,
        col_ptr: vec![0, 2, 3],
        row_idx: vec![0, 1, 1],
    };
    solver.analyse(&ok).unwrap();
    assert_eq!(
        solver.factor(&[1.0]),
        Err(LinsolError::ValueCountMismatch {
            expected: 3,
            got: 1
        })
    );
    assert_eq!(
        solver.factor(&[1.0, f64::NAN, 0.0]),
        Err(LinsolError::NonFiniteValue)
    );
    let mut x = [1.0, 1.0];
    assert_eq!(solver.solve_in_place(&mut x), Err(LinsolError::NotReady));
    // [[0, 1], [1, 0]]: one 2×2 block, one positive and one negative eigenvalue.
    assert_eq!(
        solver.factor(&[0.0, 1.0, 0.0]),
        Ok(Inertia {
            positive: 1,
            negative: 1,
            zero: 0
        })
    );
    solver.solve_in_place(&mut x).unwrap();
    assert_eq!(x, [1.0, 1.0]);
    assert_eq!(
        solver.factor(&[0.0, 0.0, 0.0]),
        Err(LinsolError::Singular(Inertia {
            positive: 0,
            negative: 0,
            zero: 2
        }))
    );
}
