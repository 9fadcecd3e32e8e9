//! Repeated factorizations and solves of one pattern allocate nothing once the
//! first has grown the buffers: a counting global allocator watches them.

mod linsol_common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use linsol_common::{KktSpec, Rng, TestMatrix, kkt};
use pounce::linsol::dense::DenseLdlt;
use pounce::linsol::sparse::SparseLdlt;
use pounce::linsol::{LinsolError, SymmetricIndefiniteSolver};

/// Counts allocations (and reallocations) made by the current thread, so that
/// tests running in parallel do not see each other's.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the thread-local may already be gone while a thread exits.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every call is forwarded to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

/// Values of `t` with the (1,1) diagonal shifted by `shift` and the (2,2)
/// diagonal by `-shift`: the same pattern, different numbers (and pivots).
fn shifted(t: &TestMatrix, n: usize, shift: f64) -> Vec<f64> {
    let mut v = t.values.clone();
    for j in 0..t.pattern.dim {
        let first = t.pattern.col_ptr[j];
        if t.pattern.row_idx[first] == j {
            v[first] += if j < n { shift } else { -shift };
        }
    }
    v
}

/// Factors and solves `t` with `shifts.len()` value sets after one warm-up
/// round; returns the allocations made after the warm-up.
fn allocations_after_first(
    solver: &mut impl SymmetricIndefiniteSolver,
    t: &TestMatrix,
    n: usize,
    shifts: &[f64],
) -> usize {
    let values: Vec<Vec<f64>> = shifts.iter().map(|&s| shifted(t, n, s)).collect();
    let mut x: Vec<f64> = (0..t.pattern.dim).map(|i| (i % 7) as f64 - 3.0).collect();
    let start = allocations();
    solver.analyse(&t.pattern).unwrap();
    // Warm-up: every value set once, so the buffers reach their largest size.
    for v in &values {
        match solver.factor(v) {
            Ok(_) | Err(LinsolError::Singular(_)) => {}
            Err(e) => panic!("{e}"),
        }
        solver.solve_in_place(&mut x).unwrap();
    }
    let before = allocations();
    // The counter sees the solver: the first round grew its buffers.
    assert!(
        before > start + 5,
        "{} allocations in the warm-up",
        before - start
    );
    for _ in 0..3 {
        for v in &values {
            let inertia = solver.factor(v).unwrap();
            assert_eq!(inertia.positive + inertia.negative, t.pattern.dim);
            solver.solve_in_place(&mut x).unwrap();
        }
    }
    assert!(x.iter().all(|v| v.is_finite()));
    allocations() - before
}

#[test]
fn sparse_refactorization_does_not_allocate() {
    let mut rng = Rng::new(11);
    let (n, m) = (600, 250);
    let mut spec = KktSpec::new(n, m);
    spec.h_diag_min = -1.0;
    spec.delta_c = 1e-6;
    let t = kkt(&mut rng, spec);
    let mut solver = SparseLdlt::new();
    let count = allocations_after_first(&mut solver, &t, n, &[0.0, 1e-3, 0.5, 3.0]);
    assert!(solver.stats().fronts > 1);
    assert_eq!(count, 0, "allocations in repeated factor + solve");
}

#[test]
fn dense_refactorization_does_not_allocate() {
    let mut rng = Rng::new(12);
    let (n, m) = (40, 15);
    let t = kkt(&mut rng, KktSpec::new(n, m));
    let count = allocations_after_first(&mut DenseLdlt::new(), &t, n, &[0.0, 1e-2, 2.0]);
    assert_eq!(count, 0, "allocations in repeated factor + solve");
}
