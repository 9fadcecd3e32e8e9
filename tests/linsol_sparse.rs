//! Multifrontal LDLᵀ: inertia against a dense eigendecomposition, refined
//! residuals, delayed pivots, reuse of the analysis.

mod linsol_common;

use faer::Mat;
use linsol_common::{KktSpec, Rng, TestMatrix, check, from_dense, kkt};
use pounce::linsol::sparse::SparseLdlt;
use pounce::linsol::{Inertia, LdltOptions, LinsolError, SymmetricIndefiniteSolver};

/// Random KKT matrices of many shapes: convex / indefinite / LP-like Hessians,
/// zero and −δc (2,2) blocks, duplicate constraints.
fn random_cases(seed: u64, count: usize, max_n: usize) {
    let mut rng = Rng::new(seed);
    let (mut singular, mut ambiguous) = (0, 0);
    for case in 0..count {
        let n = 1 + rng.below(max_n);
        let m = rng.below(n + 1);
        let mut spec = KktSpec::new(n, m);
        spec.h_diag_min = [0.1, -1.0, 0.0][case % 3];
        spec.delta_c = if case % 4 == 0 { 1e-4 } else { 0.0 };
        spec.duplicate_rows = if case % 5 == 0 { 1 + rng.below(3) } else { 0 };
        spec.h_per_row = rng.below(5);
        spec.j_per_row = 1 + rng.below(4);
        let t = kkt(&mut rng, spec);
        match check(&mut SparseLdlt::new(), &t, &mut rng) {
            Some(inertia) if inertia.zero > 0 => singular += 1,
            Some(_) => {}
            None => ambiguous += 1,
        }
    }
    assert!(
        singular >= count / 10,
        "only {singular} singular cases exercised"
    );
    assert!(
        ambiguous <= count / 20,
        "{ambiguous} of {count} cases had no reliable reference"
    );
}

#[test]
fn sparse_inertia_matches_eigenvalues_small() {
    random_cases(1, 200, 40);
}

#[test]
fn sparse_inertia_matches_eigenvalues_medium() {
    random_cases(2, 40, 400);
}

/// 2-D grid Laplacian Hessian (shifted to be indefinite or not) with a sparse
/// random Jacobian: fronts large enough for chunked elimination and delays.
fn grid_kkt(rng: &mut Rng, side: usize, m: usize, shift: f64, delta_c: f64) -> TestMatrix {
    let n = side * side;
    let mut a = Mat::<f64>::zeros(n + m, n + m);
    for y in 0..side {
        for x in 0..side {
            let i = y * side + x;
            a[(i, i)] = 4.0 + shift + 0.1 * rng.unit();
            if x + 1 < side {
                a[(i, i + 1)] = -1.0;
                a[(i + 1, i)] = -1.0;
            }
            if y + 1 < side {
                a[(i, i + side)] = -1.0;
                a[(i + side, i)] = -1.0;
            }
        }
    }
    for r in 0..m {
        for _ in 0..3 {
            let j = rng.below(n);
            let v = rng.range(-1.0, 1.0);
            a[(n + r, j)] = v;
            a[(j, n + r)] = v;
        }
        a[(n + r, n + r)] = -delta_c;
    }
    from_dense(a)
}

#[test]
fn sparse_inertia_on_grid_kkt_up_to_thousands() {
    let mut rng = Rng::new(5);
    for (side, m, shift, delta_c) in [
        (20, 150, 0.0, 0.0),
        (30, 400, -3.0, 0.0),
        (45, 900, -1.5, 1e-6),
        (50, 1200, 0.5, 0.0),
    ] {
        let t = grid_kkt(&mut rng, side, m, shift, delta_c);
        let mut solver = SparseLdlt::new();
        let inertia = check(&mut solver, &t, &mut rng).expect("reliable reference");
        assert_eq!(inertia.zero, 0);
        // At the raised threshold of `increase_quality` (u = 0.01), pivots that
        // the default accepts fail the test and are delayed to an ancestor
        // front: that path is exercised here.
        let mut strict = SparseLdlt::with_options(LdltOptions {
            pivot_threshold: 0.01,
            ..LdltOptions::default()
        });
        assert_eq!(check(&mut strict, &t, &mut rng), Some(inertia));
        assert!(strict.stats().delayed > 0);
    }
}

#[test]
fn sparse_refactorization_reuses_analysis_and_tracks_shifts() {
    let mut rng = Rng::new(9);
    let t = grid_kkt(&mut rng, 15, 60, 0.0, 0.0);
    let n = 225;
    let mut solver = SparseLdlt::new();
    solver.analyse(&t.pattern).unwrap();
    let base = solver.factor(&t.values).unwrap();
    assert_eq!(
        base,
        Inertia {
            positive: n,
            negative: 60,
            zero: 0
        }
    );
    // Shifting the Hessian down makes it indefinite: the inertia must follow.
    for shift in [-2.0, -5.0, -9.0] {
        let mut v = t.values.clone();
        for j in 0..n {
            v[t.pattern.col_ptr[j]] += shift;
        }
        let mut dense = t.dense.clone();
        for j in 0..n {
            dense[(j, j)] += shift;
        }
        let expected = linsol_common::reference_inertia(&dense).expect("reliable reference");
        assert_eq!(solver.factor(&v), Ok(expected).map_err(|e: LinsolError| e));
    }
}

#[test]
fn auto_solver_takes_both_paths() {
    use pounce::linsol::auto::{AutoLdlt, DENSE_MAX_DIM};
    let mut rng = Rng::new(21);
    for n in [DENSE_MAX_DIM / 2, 3 * DENSE_MAX_DIM] {
        let t = kkt(&mut rng, KktSpec::new(n, n / 3));
        let mut solver = AutoLdlt::new();
        check(&mut solver, &t, &mut rng).expect("reliable reference");
        assert_eq!(
            matches!(solver, AutoLdlt::Dense(_)),
            t.pattern.dim <= DENSE_MAX_DIM
        );
    }
}

/// A loose pivot test (`u = 1e-4`) still gives
/// the exact inertia and refined solutions, before and after each tightening; the
/// tightening stops at `pivot_threshold_max`.
#[test]
fn loose_pivot_test_and_its_tightening() {
    let mut rng = Rng::new(29);
    let mut solver = SparseLdlt::with_options(LdltOptions {
        pivot_threshold: 1e-4,
        pivot_threshold_max: 0.01,
        ..LdltOptions::default()
    });
    let mut tightenings = 0;
    loop {
        for case in 0..40 {
            let n = 1 + rng.below(30);
            let mut spec = KktSpec::new(n, rng.below(n + 1));
            spec.h_diag_min = [0.1, -1.0, 0.0][case % 3];
            spec.h_per_row = rng.below(5);
            spec.j_per_row = 1 + rng.below(4);
            let t = kkt(&mut rng, spec);
            check(&mut solver, &t, &mut rng);
        }
        if !solver.increase_quality() {
            break;
        }
        tightenings += 1;
        assert!(
            tightenings <= 3,
            "1e-4 reaches 0.01 in three steps of u ↦ u^(3/4)"
        );
    }
    assert_eq!(tightenings, 3);
}

#[test]
fn increase_quality_raises_the_threshold_to_its_maximum() {
    let mut options = LdltOptions::default();
    let mut steps = 0;
    let mut last = options.pivot_threshold;
    while options.raise_threshold() {
        assert!(options.pivot_threshold > last);
        last = options.pivot_threshold;
        steps += 1;
    }
    assert_eq!(options.pivot_threshold, options.pivot_threshold_max);
    assert!((1..=10).contains(&steps));
    // The solver keeps its inertia at every threshold on the way.
    let mut rng = Rng::new(17);
    let t = grid_kkt(&mut rng, 20, 150, -1.0, 0.0);
    let mut solver = SparseLdlt::new();
    let expected = check(&mut solver, &t, &mut rng).expect("reliable reference");
    for _ in 0..steps {
        assert!(solver.increase_quality());
        assert_eq!(check(&mut solver, &t, &mut rng), Some(expected));
    }
    assert!(!solver.increase_quality());
}

/// A KKT matrix whose Hessian diagonal collapses after the analysis (made from
/// the first values, with a unit diagonal): no 1×1 pivot is left, the 2×2
/// partners are found inside the fronts (a reanalysis from the new values
/// included) rather than delayed up to the root, and the inertia stays the
/// eigenvalue count.
#[test]
fn collapsed_hessian_diagonal_keeps_pivots_in_their_fronts() {
    let mut rng = Rng::new(33);
    let (side, m) = (24, 300);
    let first = grid_kkt(&mut rng, side, m, 0.0, 0.0);
    let n = side * side;
    let mut dense = first.dense.clone();
    for j in 0..n {
        // A diagonal at roundoff level, the couplings kept.
        dense[(j, j)] = 1e-13 * (1.0 + rng.unit());
    }
    let collapsed = from_dense(dense);
    let mut solver = SparseLdlt::new();
    check(&mut solver, &first, &mut rng).expect("reliable reference");
    // Same pattern: the values are given in the first matrix's entry order.
    let mut values = vec![0.0; first.values.len()];
    for j in 0..first.pattern.dim {
        for e in first.pattern.column(j) {
            values[e] = collapsed.dense[(first.pattern.row_idx[e], j)];
        }
    }
    let expected = linsol_common::reference_inertia(&collapsed.dense).expect("reliable reference");
    assert_eq!(solver.factor(&values), Ok(expected));
    assert!(
        solver.stats().delayed < first.pattern.dim / 2,
        "{} delayed pivots",
        solver.stats().delayed
    );
}
