//! Random KKT-shaped test matrices and a reference inertia from a dense
//! symmetric eigendecomposition.
#![allow(dead_code)]

use faer::{Mat, Side};
use pounce::linsol::{Inertia, LinsolError, LowerCsc, SymmetricIndefiniteSolver};

/// splitmix64: small, seedable, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Shape of a KKT matrix `[[H, Jᵀ], [J, −δc I]]`.
#[derive(Clone, Copy, Debug)]
pub struct KktSpec {
    /// Number of primal variables.
    pub n: usize,
    /// Number of constraints (rows of `J`).
    pub m: usize,
    /// Off-diagonal entries per row of `H`.
    pub h_per_row: usize,
    /// Entries per row of `J`.
    pub j_per_row: usize,
    /// Lower bound of the diagonal of `H` (negative makes `H` indefinite, zero
    /// allows LP-like zero columns).
    pub h_diag_min: f64,
    /// Number of rows of `J` that duplicate an earlier row.
    pub duplicate_rows: usize,
    /// `δc ≥ 0` of the (2,2) block; zero gives a zero block.
    pub delta_c: f64,
}

impl KktSpec {
    pub fn new(n: usize, m: usize) -> Self {
        KktSpec {
            n,
            m,
            h_per_row: 3,
            j_per_row: 3,
            h_diag_min: 0.1,
            duplicate_rows: 0,
            delta_c: 0.0,
        }
    }
}

/// A symmetric test matrix in the pattern/value form and densely.
pub struct TestMatrix {
    pub pattern: LowerCsc,
    pub values: Vec<f64>,
    pub dense: Mat<f64>,
}

/// Builds the lower-triangular pattern and values of a dense symmetric matrix,
/// keeping every diagonal entry (as KKT assembly does) and nonzero off-diagonals.
pub fn from_dense(dense: Mat<f64>) -> TestMatrix {
    let dim = dense.nrows();
    let (mut col_ptr, mut row_idx, mut values) = (vec![0], Vec::new(), Vec::new());
    for j in 0..dim {
        for i in j..dim {
            let v = dense[(i, j)];
            if i == j || v != 0.0 {
                row_idx.push(i);
                values.push(v);
            }
        }
        col_ptr.push(row_idx.len());
    }
    TestMatrix {
        pattern: LowerCsc {
            dim,
            col_ptr,
            row_idx,
        },
        values,
        dense,
    }
}

/// A random KKT matrix of the given shape.
pub fn kkt(rng: &mut Rng, spec: KktSpec) -> TestMatrix {
    let (n, m) = (spec.n, spec.m);
    let mut a = Mat::<f64>::zeros(n + m, n + m);
    for i in 0..n {
        a[(i, i)] = rng.range(spec.h_diag_min, 2.0);
        for _ in 0..spec.h_per_row.min(i) {
            let j = rng.below(i);
            let v = rng.range(-1.0, 1.0);
            a[(i, j)] = v;
            a[(j, i)] = v;
        }
    }
    for r in 0..m {
        let row = n + r;
        if r >= m - spec.duplicate_rows.min(m) && r > 0 {
            let src = n + rng.below(r);
            for j in 0..n {
                let v = a[(src, j)];
                a[(row, j)] = v;
                a[(j, row)] = v;
            }
        } else {
            for _ in 0..spec.j_per_row.max(1) {
                let j = rng.below(n);
                let v = rng.range(-1.0, 1.0);
                a[(row, j)] = v;
                a[(j, row)] = v;
            }
        }
        a[(row, row)] = -spec.delta_c;
    }
    from_dense(a)
}

/// Inertia from the eigenvalues: `|λ| ≤ 1e-10 · max|λ|` counts as zero. `None` if
/// an eigenvalue falls in the ambiguous band `(1e-10, 1e-7] · max|λ|`, where the
/// reference itself is unreliable (random data is occasionally that close to
/// singular).
pub fn reference_inertia(dense: &Mat<f64>) -> Option<Inertia> {
    let eig = dense
        .self_adjoint_eigenvalues(Side::Lower)
        .expect("eigendecomposition converges");
    let scale = eig.iter().fold(0.0_f64, |a, &b| a.max(b.abs()));
    let mut inertia = Inertia::default();
    for &l in &eig {
        let rel = l.abs() / scale.max(f64::MIN_POSITIVE);
        if rel > 1e-10 && rel <= 1e-7 {
            return None;
        }
        if rel <= 1e-10 {
            inertia.zero += 1;
        } else if l > 0.0 {
            inertia.positive += 1;
        } else {
            inertia.negative += 1;
        }
    }
    Some(inertia)
}

/// `‖b − A x‖∞ / ‖b‖∞` with the symmetric lower-triangular matrix.
pub fn relative_residual(t: &TestMatrix, x: &[f64], b: &[f64]) -> f64 {
    let mut ax = vec![0.0; x.len()];
    t.pattern.sym_matvec(&t.values, x, &mut ax);
    let r = ax
        .iter()
        .zip(b)
        .fold(0.0_f64, |a, (p, q)| a.max((p - q).abs()));
    r / b.iter().fold(0.0_f64, |a, &v| a.max(v.abs()))
}

/// Factors `t`, checks the inertia (also when reported as singular), and for a
/// nonsingular matrix checks the refined residual of a random right-hand side.
/// Returns the reference inertia, or `None` (nothing checked) when the
/// eigenvalues do not determine it reliably.
pub fn check(
    solver: &mut impl SymmetricIndefiniteSolver,
    t: &TestMatrix,
    rng: &mut Rng,
) -> Option<Inertia> {
    let expected = reference_inertia(&t.dense)?;
    solver.analyse(&t.pattern).unwrap();
    match solver.factor(&t.values) {
        Ok(inertia) => {
            assert_eq!(inertia, expected);
            let b: Vec<f64> = (0..t.pattern.dim).map(|_| rng.range(-1.0, 1.0)).collect();
            let mut x = b.clone();
            solver.solve_in_place(&mut x).unwrap();
            let res = relative_residual(t, &x, &b);
            assert!(res <= 1e-10, "relative residual {res:e}");
        }
        Err(LinsolError::Singular(inertia)) => {
            assert!(
                expected.zero > 0,
                "reported singular, eigenvalues say {expected:?}"
            );
            assert_eq!(inertia, expected);
        }
        Err(e) => panic!("unexpected error {e}"),
    }
    Some(expected)
}
