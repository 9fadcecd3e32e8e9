//! The fill-reducing ordering of a KKT matrix.
//!
//! A minimum-degree ordering costs far more than the symbolic analysis it serves on
//! matrices whose own order already factors with almost no fill: the KKT matrices of
//! a diagonal (or block-diagonal) objective with a few coupling rows placed after the
//! variables, such as a factor-model portfolio's. Counting the factor's entries in the
//! natural order, stopped as soon as they exceed the fill allowed, tells those apart
//! from the rest at a cost linear in the matrix's entries.

use faer::perm::PermRef;
use faer::sparse::SymbolicSparseColMatRef;
use faer::sparse::linalg::cholesky::SymmetricOrdering;

use crate::counting_sort::group_by_key;
use crate::linsol::{elimination_tree, walk_factor_entries};

/// Fill, relative to the matrix's entries, up to which a cheap order is kept: no
/// ordering makes the factor sparser than the matrix's own pattern, so a
/// minimum-degree ordering could save at most this share of the factor's entries.
const CHEAP_FILL: f64 = 0.05;

/// The ordering a KKT matrix is factored in.
pub enum FillReducing {
    /// The matrix's own order.
    Natural,
    /// Columns by ascending degree (ties in their own order): `perm[k]` is the
    /// column placed `k`-th, `inverse` its inverse. It keeps the factor of a
    /// matrix whose long rows come before its short ones, such as an active set's
    /// Newton matrix with its bound rows after its coupling rows, as sparse as the
    /// matrix.
    Degree {
        perm: Vec<usize>,
        inverse: Vec<usize>,
    },
    /// Approximate minimum degree.
    Amd,
}

impl FillReducing {
    /// The first of the natural and the degree order whose factor has at most
    /// [`CHEAP_FILL`] more entries than the upper triangle `pattern` (diagonal
    /// included), an AMD ordering otherwise.
    pub fn of(pattern: SymbolicSparseColMatRef<'_, usize>) -> Self {
        let budget = ((1.0 + CHEAP_FILL) * pattern.compute_nnz() as f64) as usize;
        if factor_fits(pattern.col_ptr(), pattern.row_idx(), budget) {
            return Self::Natural;
        }
        let (perm, inverse) = degree_order(pattern);
        let (col_ptr, row_idx) = permuted_upper(pattern, &inverse);
        if factor_fits(&col_ptr, &row_idx, budget) {
            Self::Degree { perm, inverse }
        } else {
            Self::Amd
        }
    }

    /// The ordering as faer's symbolic factorization takes it.
    pub fn as_faer(&self) -> SymmetricOrdering<'_, usize> {
        match self {
            Self::Natural => SymmetricOrdering::Identity,
            Self::Degree { perm, inverse } => {
                SymmetricOrdering::Custom(PermRef::new_checked(perm, inverse, perm.len()))
            }
            Self::Amd => SymmetricOrdering::Amd,
        }
    }
}

/// The columns of the symmetric matrix stored by its upper triangle `pattern` by
/// ascending number of off-diagonal entries (stable), and the inverse permutation.
fn degree_order(pattern: SymbolicSparseColMatRef<'_, usize>) -> (Vec<usize>, Vec<usize>) {
    let dim = pattern.ncols();
    let mut degree = vec![0usize; dim];
    for j in 0..dim {
        for i in pattern.row_idx_of_col(j).filter(|&i| i < j) {
            degree[i] += 1;
            degree[j] += 1;
        }
    }
    let mut perm: Vec<usize> = (0..dim).collect();
    perm.sort_by_key(|&j| degree[j]);
    let mut inverse = vec![0; dim];
    for (k, &j) in perm.iter().enumerate() {
        inverse[j] = k;
    }
    (perm, inverse)
}

/// The upper triangle of the symmetric matrix stored by its upper triangle `pattern`
/// with column `j` moved to `inverse[j]`, as column pointers and (unsorted) rows.
fn permuted_upper(
    pattern: SymbolicSparseColMatRef<'_, usize>,
    inverse: &[usize],
) -> (Vec<usize>, Vec<usize>) {
    let dim = pattern.ncols();
    let entries = (0..dim).flat_map(|j| {
        pattern.row_idx_of_col(j).map(move |i| {
            let (a, b) = (inverse[i], inverse[j]);
            (a.max(b), a.min(b))
        })
    });
    group_by_key(dim, entries)
}

/// Whether the Cholesky factor of the upper triangle `(col_ptr, row_idx)` (rows in
/// any order within a column) has at most `budget` entries, diagonal included.
/// The upper triangle by columns is the lower triangle by rows, as linsol's
/// elimination tree and row-subtree walk take it; the walk gives up once the count
/// passes `budget`, so the work stays within `O(budget)` plus the tree's.
fn factor_fits(col_ptr: &[usize], row_idx: &[usize], budget: usize) -> bool {
    let dim = col_ptr.len() - 1;
    let parent = elimination_tree(dim, col_ptr, row_idx);
    // The diagonal's `dim` entries, then those below it.
    let mut count = dim;
    walk_factor_entries(&parent, col_ptr, row_idx, |_| {
        count += 1;
        count <= budget
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Upper triangle of an arrow matrix: `dim - 1` diagonal entries coupled to one
    /// row, placed last (`tip_last`) or first.
    fn arrow(dim: usize, tip_last: bool) -> (Vec<usize>, Vec<usize>) {
        let (mut col_ptr, mut row_idx) = (vec![0], Vec::new());
        for j in 0..dim {
            if tip_last && j + 1 == dim {
                row_idx.extend(0..dim);
            } else if !tip_last && j > 0 {
                row_idx.extend([0, j]);
            } else {
                row_idx.push(j);
            }
            col_ptr.push(row_idx.len());
        }
        (col_ptr, row_idx)
    }

    #[test]
    fn an_arrow_with_its_tip_last_keeps_its_order() {
        let (col_ptr, row_idx) = arrow(50, true);
        let pattern = SymbolicSparseColMatRef::new_checked(50, 50, &col_ptr, None, &row_idx);
        assert!(factor_fits(&col_ptr, &row_idx, row_idx.len()));
        assert!(matches!(FillReducing::of(pattern), FillReducing::Natural));
    }

    #[test]
    fn an_arrow_with_its_tip_first_is_ordered_by_degree() {
        let (col_ptr, row_idx) = arrow(50, false);
        let pattern = SymbolicSparseColMatRef::new_checked(50, 50, &col_ptr, None, &row_idx);
        // Its factor in this order is dense: 50 · 51 / 2 entries.
        assert!(factor_fits(&col_ptr, &row_idx, 50 * 51 / 2));
        assert!(!factor_fits(&col_ptr, &row_idx, 50 * 51 / 2 - 1));
        // By degree the tip goes last, and the factor has the matrix's entries.
        let FillReducing::Degree { perm, inverse } = FillReducing::of(pattern) else {
            panic!("the degree order fits");
        };
        assert_eq!(perm[49], 0);
        let (col_ptr, row_idx) = permuted_upper(pattern, &inverse);
        assert!(factor_fits(&col_ptr, &row_idx, 99));
    }
}
