//! Positive semidefiniteness of the quadratic objective, the condition under which
//! the homogeneous embedding's guarantees (optimum or certificate) hold.
//!
//! `P` is PSD exactly when `P + δI` has a Cholesky factorization for every `δ > 0`.
//! One sparse `LLᵀ` of `P + δI` with `δ = 1e-9 · max|Pᵢⱼ|` on the variables that
//! occur in `P` accepts every PSD matrix (round-off in the pivots stays far below δ)
//! and refuses any matrix with an eigenvalue below `−δ`.

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::cholesky::llt::factor::LltRegularization;
use faer::sparse::linalg::cholesky::{
    CholeskySymbolicParams, SymbolicCholesky, SymmetricOrdering, factorize_symbolic_cholesky,
};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::{Par, Side};

use super::csc::CscMatrix;

/// Relative shift of the diagonal in the test.
const RELATIVE_SHIFT: f64 = 1e-9;

/// Whether the symmetric matrix stored by its upper triangle `p` is positive
/// semidefinite (up to the relative tolerance above).
pub fn is_positive_semidefinite(p: &CscMatrix) -> bool {
    let n = p.ncols();
    let max_abs = p.values().iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if max_abs == 0.0 {
        return true;
    }
    // Restrict to the variables that occur in P.
    let mut compact = vec![usize::MAX; n];
    let mut dim = 0;
    for (i, j, _) in p.triplets() {
        for k in [i, j] {
            if compact[k] == usize::MAX {
                compact[k] = dim;
                dim += 1;
            }
        }
    }
    let shift = RELATIVE_SHIFT * max_abs;
    let mut triplets: Vec<(usize, usize, f64)> = p
        .triplets()
        .map(|(i, j, v)| {
            let (a, b) = (compact[i], compact[j]);
            (a.min(b), a.max(b), v)
        })
        .collect();
    triplets.extend((0..dim).map(|k| (k, k, shift)));
    let Ok(shifted) = CscMatrix::from_triplets(dim, dim, &triplets) else {
        return false;
    };
    sparse_llt(&shifted, Default::default()).is_some()
}

/// The sparse `LLᵀ` (AMD ordering, no regularization) of the symmetric matrix stored by
/// its upper triangle `q`: the symbolic factor and `L`'s values, or `None` when `q` is
/// not numerically positive definite.
pub(super) fn sparse_llt(
    q: &CscMatrix,
    params: CholeskySymbolicParams<'_>,
) -> Option<(SymbolicCholesky<usize>, Vec<f64>)> {
    let d = q.ncols();
    let pattern = SymbolicSparseColMatRef::new_checked(d, d, q.col_ptr(), None, q.row_idx());
    let symbolic =
        factorize_symbolic_cholesky(pattern, Side::Upper, SymmetricOrdering::Amd, params).ok()?;
    let req = symbolic.factorize_numeric_llt_scratch::<f64>(Par::Seq, Default::default());
    let mut mem = MemBuffer::try_new(StackReq::any_of(&[req])).ok()?;
    let mut l_values = vec![0.0; symbolic.len_val()];
    symbolic
        .factorize_numeric_llt(
            &mut l_values,
            SparseColMatRef::new(pattern, q.values()),
            Side::Upper,
            LltRegularization {
                dynamic_regularization_delta: 0.0,
                dynamic_regularization_epsilon: 0.0,
            },
            Par::Seq,
            MemStack::new(&mut mem),
            Default::default(),
        )
        .ok()?;
    Some((symbolic, l_values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semidefinite_accepted_indefinite_refused() {
        // [[1, 1], [1, 1]] is PSD and singular.
        let psd = CscMatrix::from_triplets(3, 3, &[(0, 0, 1.0), (0, 1, 1.0), (1, 1, 1.0)]).unwrap();
        assert!(is_positive_semidefinite(&psd));
        // [[1, 2], [2, 1]] has eigenvalue −1.
        let indefinite =
            CscMatrix::from_triplets(2, 2, &[(0, 0, 1.0), (0, 1, 2.0), (1, 1, 1.0)]).unwrap();
        assert!(!is_positive_semidefinite(&indefinite));
        // x0·x1 alone is indefinite.
        let bilinear = CscMatrix::from_triplets(2, 2, &[(0, 1, 1.0)]).unwrap();
        assert!(!is_positive_semidefinite(&bilinear));
        assert!(is_positive_semidefinite(&CscMatrix::zeros(4, 4)));
    }
}
