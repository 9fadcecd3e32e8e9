//! The fill-reducing ordering of a KKT matrix.
//!
//! A minimum-degree ordering costs far more than the symbolic analysis it serves on
//! matrices whose own order already factors with almost no fill: the KKT matrices of
//! a diagonal (or block-diagonal) objective with a few coupling rows placed after the
//! variables, such as a factor-model portfolio's. Counting the factor's entries in the
//! natural order, stopped as soon as they exceed the fill allowed, tells those apart
//! from the rest at a cost linear in the matrix's entries.

use faer::sparse::SymbolicSparseColMatRef;
use faer::sparse::linalg::cholesky::SymmetricOrdering;

/// Fill of the natural order, relative to the matrix's entries, up to which it is
/// kept: no ordering makes the factor sparser than the matrix's own pattern, so a
/// minimum-degree ordering could save at most this share of the factor's entries.
const NATURAL_FILL: f64 = 0.05;

/// The natural order when its factor has at most [`NATURAL_FILL`] more entries than
/// the upper triangle `pattern` (diagonal included), an AMD ordering otherwise.
pub fn fill_reducing(
    pattern: SymbolicSparseColMatRef<'_, usize>,
) -> SymmetricOrdering<'static, usize> {
    let budget = ((1.0 + NATURAL_FILL) * pattern.compute_nnz() as f64) as usize;
    if natural_factor_fits(pattern, budget) {
        SymmetricOrdering::Identity
    } else {
        SymmetricOrdering::Amd
    }
}

/// Whether the Cholesky factor of the upper triangle `pattern` in its own order has
/// at most `budget` entries (diagonal included). Builds the elimination tree (Liu's
/// algorithm with path compression) and, column by column, walks each entry's path
/// up the tree to the diagonal (the row's entries of the factor), giving up once the
/// count passes `budget`: the work stays within `O(budget)` plus the tree's.
fn natural_factor_fits(pattern: SymbolicSparseColMatRef<'_, usize>, budget: usize) -> bool {
    const NONE: usize = usize::MAX;
    let dim = pattern.ncols();
    let mut parent = vec![NONE; dim];
    let mut ancestor = vec![NONE; dim];
    let mut mark = vec![NONE; dim];
    let mut count = dim;
    for k in 0..dim {
        let rows = pattern.row_idx_of_col(k).filter(|&i| i < k);
        for mut i in rows.clone() {
            while ancestor[i] != NONE && ancestor[i] != k {
                let next = ancestor[i];
                ancestor[i] = k;
                i = next;
            }
            if ancestor[i] == NONE {
                ancestor[i] = k;
                parent[i] = k;
            }
        }
        mark[k] = k;
        for mut i in rows {
            while mark[i] != k {
                mark[i] = k;
                count += 1;
                i = parent[i];
            }
            if count > budget {
                return false;
            }
        }
    }
    true
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
        assert!(natural_factor_fits(pattern, row_idx.len()));
        assert!(matches!(
            fill_reducing(pattern),
            SymmetricOrdering::Identity
        ));
    }

    #[test]
    fn an_arrow_with_its_tip_first_is_reordered() {
        let (col_ptr, row_idx) = arrow(50, false);
        let pattern = SymbolicSparseColMatRef::new_checked(50, 50, &col_ptr, None, &row_idx);
        // Its factor in this order is dense: 50 · 51 / 2 entries.
        assert!(natural_factor_fits(pattern, 50 * 51 / 2));
        assert!(!natural_factor_fits(pattern, 50 * 51 / 2 - 1));
        assert!(matches!(fill_reducing(pattern), SymmetricOrdering::Amd));
    }
}
