//! The dense reference solver used by the interior-point tests solves and counts
//! inertia correctly (checked against nalgebra's symmetric eigendecomposition).

mod ipm_common;

use ipm_common::DenseBk;
use pounce::linsol::{LowerCsc, SymmetricIndefiniteSolver};

fn lower_dense(n: usize) -> LowerCsc {
    let mut col_ptr = vec![0];
    let mut row_idx = Vec::new();
    for c in 0..n {
        row_idx.extend(c..n);
        col_ptr.push(row_idx.len());
    }
    LowerCsc {
        dim: n,
        col_ptr,
        row_idx,
    }
}

#[test]
fn bunch_kaufman_matches_eigendecomposition() {
    let mut seed = 12345u64;
    let mut rnd = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    };
    for n in [1, 2, 3, 5, 8, 13] {
        for trial in 0..20 {
            let p = lower_dense(n);
            let mut m = nalgebra::DMatrix::<f64>::zeros(n, n);
            let mut vals = Vec::new();
            for c in 0..n {
                for r in c..n {
                    // Small diagonals force 2×2 pivots.
                    let v = if r == c && trial % 2 == 0 {
                        1e-3 * rnd()
                    } else {
                        rnd()
                    };
                    m[(r, c)] = v;
                    m[(c, r)] = v;
                    vals.push(v);
                }
            }
            let mut s = DenseBk::default();
            s.analyse(&p).unwrap();
            let inertia = s.factor(&vals).unwrap();
            let eig = m.clone().symmetric_eigen();
            let pos = eig.eigenvalues.iter().filter(|&&l| l > 0.0).count();
            assert_eq!(inertia.positive, pos, "n={n} trial={trial}");
            assert_eq!(inertia.negative, n - pos, "n={n} trial={trial}");
            let b: Vec<f64> = (0..n).map(|_| rnd()).collect();
            let mut x = b.clone();
            s.solve_in_place(&mut x).unwrap();
            let r = &m * nalgebra::DVector::from_column_slice(&x)
                - nalgebra::DVector::from_column_slice(&b);
            assert!(r.amax() < 1e-8, "n={n} trial={trial} residual {}", r.amax());
        }
    }
}
