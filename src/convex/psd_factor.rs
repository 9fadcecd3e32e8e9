//! A factor `F` with `Q = FFᵀ` of a symmetric positive semidefinite matrix, which
//! both certifies that a quadratic row is convex and gives its second-order cone
//! form `xᵀQx = ‖Fᵀx‖²`.
//!
//! The variables of `Q` split into the connected components of its sparsity graph
//! (`Q` is block diagonal over them), each factored on its own, so `F` is as sparse
//! as the block structure allows: a diagonal `Q` gives a diagonal `F`.
//!
//! - A component of more than [`SPARSE_FIRST`] variables first gets a sparse `LLᵀ`
//!   with a fill-reducing ordering; when that succeeds (the component is positive
//!   definite) its factor is kept, as sparse as the ordering makes it, at the cost
//!   of the component's nonzeros rather than `d³/3`.
//! - Otherwise a component of at most [`DENSE_LIMIT`] variables gets a dense Cholesky
//!   factorization with diagonal pivoting, stopped when every remaining pivot is at
//!   most `τ = 1e-9 · max|Qᵢⱼ|`. Its remainder (a Schur complement) must then have
//!   every entry within `τ` in magnitude, which a semidefinite remainder satisfies
//!   (`|Sᵢⱼ| ≤ √(SᵢᵢSⱼⱼ)`) and an indefinite `Q` (an eigenvalue below about `−τ`)
//!   does not. The number of columns is the numerical rank, so a low-rank `Q` gets
//!   a thin factor.
//! - A larger component must be positive definite (a singular large block is not
//!   certified).

use faer::sparse::linalg::SupernodalThreshold;
use faer::sparse::linalg::cholesky::{CholeskySymbolicParams, SymbolicCholeskyRaw};

use crate::counting_sort::group_by_key;

use super::convexity::sparse_llt;
use super::csc::CscMatrix;

/// Relative size of the pivots and remainder entries treated as zero.
const RELATIVE_TOLERANCE: f64 = 1e-9;

/// Largest component factored densely (with pivoting, so semidefinite blocks are
/// accepted); its `d²` workspace is 2 MB at this size.
pub const DENSE_LIMIT: usize = 500;

/// Smallest component tried with the sparse factorization first: below, the dense
/// factorization costs no more than the sparse one's ordering and analysis.
pub const SPARSE_FIRST: usize = 32;

/// Why no factor was produced.
#[derive(Clone, Debug, PartialEq)]
pub enum FactorError {
    /// `Q` has a negative eigenvalue (beyond the tolerance).
    NotSemidefinite,
    /// A component larger than [`DENSE_LIMIT`] is not positive definite; whether it is
    /// semidefinite is not decided.
    LargeSingularBlock(usize),
    /// A coefficient is not finite.
    NonFinite,
}

impl std::fmt::Display for FactorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FactorError::NotSemidefinite => write!(f, "not positive semidefinite"),
            FactorError::LargeSingularBlock(d) => write!(
                f,
                "a block of {d} coupled variables is singular or indefinite"
            ),
            FactorError::NonFinite => write!(f, "a coefficient is not finite"),
        }
    }
}

impl std::error::Error for FactorError {}

/// `F` (`n × k`) with `Q = FFᵀ` for the symmetric `n × n` matrix `Q` given by its
/// upper-triangle entries `(i, j, Qᵢⱼ)`, `i ≤ j` (duplicates are summed).
pub fn psd_factor(n: usize, upper: &[(usize, usize, f64)]) -> Result<CscMatrix, FactorError> {
    if upper.iter().any(|t| !t.2.is_finite()) {
        return Err(FactorError::NonFinite);
    }
    let max_abs = upper.iter().fold(0.0f64, |m, t| m.max(t.2.abs()));
    let tol = RELATIVE_TOLERANCE * max_abs;
    let mut columns: Vec<Vec<(usize, f64)>> = Vec::new();
    let components = Components::new(upper);
    for c in 0..components.len() {
        let (vars, entries) = components.get(c);
        if let [var] = vars {
            single(*var, entries, tol, &mut columns)?;
            continue;
        }
        let factored =
            vars.len() > SPARSE_FIRST && sparse_definite(vars, entries, &mut columns).is_ok();
        if factored {
            continue;
        }
        if vars.len() <= DENSE_LIMIT {
            dense_pivoted(vars, entries, tol, &mut columns)?;
        } else {
            return Err(FactorError::LargeSingularBlock(vars.len()));
        }
    }
    let triplets: Vec<(usize, usize, f64)> = columns
        .iter()
        .enumerate()
        .flat_map(|(k, col)| col.iter().map(move |&(i, v)| (i, k, v)))
        .collect();
    Ok(CscMatrix::from_triplets(n, columns.len(), &triplets)
        .expect("factor entries lie inside the matrix"))
}

/// The connected components of `Q`'s sparsity graph, in the order of their smallest
/// variable: each as its sorted variables and its entries in local indices (upper
/// triangle), stored one component after the other.
struct Components {
    var_ptr: Vec<usize>,
    vars: Vec<usize>,
    entry_ptr: Vec<usize>,
    entries: Vec<(usize, usize, f64)>,
}

impl Components {
    /// The union–find runs over the positions of the variables with a nonzero entry
    /// (ascending, so the relabeling keeps every comparison), not over all `n`
    /// variables: a row on a few variables of a large model costs its own size.
    fn new(upper: &[(usize, usize, f64)]) -> Self {
        let mut support: Vec<usize> = upper
            .iter()
            .filter(|t| t.2 != 0.0)
            .flat_map(|&(i, j, _)| [i, j])
            .collect();
        support.sort_unstable();
        support.dedup();
        let position = |v: usize| {
            support
                .binary_search(&v)
                .expect("a variable with a nonzero entry")
        };
        let d = support.len();
        let mut parent: Vec<usize> = (0..d).collect();
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        for &(i, j, v) in upper {
            if v == 0.0 {
                continue;
            }
            let (ri, rj) = (
                root(&mut parent, position(i)),
                root(&mut parent, position(j)),
            );
            if ri != rj {
                parent[ri.max(rj)] = ri.min(rj);
            }
        }
        // Component of each position, numbered by first appearance.
        let mut index_of_root = vec![usize::MAX; d];
        let mut count = 0;
        let component: Vec<usize> = (0..d)
            .map(|p| {
                let r = root(&mut parent, p);
                if index_of_root[r] == usize::MAX {
                    index_of_root[r] = count;
                    count += 1;
                }
                index_of_root[r]
            })
            .collect();
        // The positions of each component, ascending, and each one's index in its own.
        let (var_ptr, members) = group_by_key(count, component.iter().copied().zip(0..d));
        let vars = members.iter().map(|&p| support[p]).collect();
        let mut local = vec![0; d];
        for w in var_ptr.windows(2) {
            for (l, &p) in members[w[0]..w[1]].iter().enumerate() {
                local[p] = l;
            }
        }
        let entries = upper.iter().filter(|t| t.2 != 0.0).map(|&(i, j, v)| {
            let (pi, pj) = (position(i), position(j));
            let (a, b) = (local[pi], local[pj]);
            (component[pi], (a.min(b), a.max(b), v))
        });
        let (entry_ptr, entries) = group_by_key(count, entries);
        Self {
            var_ptr,
            vars,
            entry_ptr,
            entries,
        }
    }

    fn len(&self) -> usize {
        self.var_ptr.len() - 1
    }

    fn get(&self, c: usize) -> (&[usize], &[(usize, usize, f64)]) {
        (
            &self.vars[self.var_ptr[c]..self.var_ptr[c + 1]],
            &self.entries[self.entry_ptr[c]..self.entry_ptr[c + 1]],
        )
    }
}

/// [`dense_pivoted`] of a one-variable component (a diagonal entry of `Q`, summed
/// in the same order), without its workspaces: a diagonal `Q` of a large model has
/// as many components as variables.
fn single(
    var: usize,
    entries: &[(usize, usize, f64)],
    tol: f64,
    columns: &mut Vec<Vec<(usize, f64)>>,
) -> Result<(), FactorError> {
    let q = entries.iter().fold(0.0, |q, e| q + e.2);
    if q > tol {
        columns.push(vec![(var, q.sqrt())]);
        Ok(())
    } else if q.abs() <= tol {
        Ok(())
    } else {
        Err(FactorError::NotSemidefinite)
    }
}

/// Dense Cholesky with diagonal pivoting of one component; appends its columns.
fn dense_pivoted(
    vars: &[usize],
    entries: &[(usize, usize, f64)],
    tol: f64,
    columns: &mut Vec<Vec<(usize, f64)>>,
) -> Result<(), FactorError> {
    let d = vars.len();
    let mut a = vec![0.0; d * d];
    for &(i, j, v) in entries {
        a[i * d + j] += v;
        if i != j {
            a[j * d + i] += v;
        }
    }
    let mut remaining: Vec<usize> = (0..d).collect();
    let mut l = vec![0.0; d];
    while let Some((pos, &p)) = remaining
        .iter()
        .enumerate()
        .max_by(|x, y| a[x.1 * d + x.1].total_cmp(&a[y.1 * d + y.1]))
    {
        let pivot = a[p * d + p];
        if pivot <= tol {
            break;
        }
        remaining.swap_remove(pos);
        let root = pivot.sqrt();
        let mut column = vec![(vars[p], root)];
        for &i in &remaining {
            l[i] = a[i * d + p] / root;
            if l[i] != 0.0 {
                column.push((vars[i], l[i]));
            }
        }
        for &i in &remaining {
            if l[i] == 0.0 {
                continue;
            }
            for &j in &remaining {
                a[i * d + j] -= l[i] * l[j];
            }
        }
        columns.push(column);
    }
    let semidefinite_remainder = remaining
        .iter()
        .all(|&i| remaining.iter().all(|&j| a[i * d + j].abs() <= tol));
    if semidefinite_remainder {
        Ok(())
    } else {
        Err(FactorError::NotSemidefinite)
    }
}

/// Sparse `LLᵀ` (AMD ordering, simplicial) of a positive definite component;
/// appends the columns of `PᵀL`.
fn sparse_definite(
    vars: &[usize],
    entries: &[(usize, usize, f64)],
    columns: &mut Vec<Vec<(usize, f64)>>,
) -> Result<(), FactorError> {
    let d = vars.len();
    let singular = FactorError::LargeSingularBlock(d);
    let q = CscMatrix::from_triplets(d, d, entries).map_err(|_| singular.clone())?;
    let params = CholeskySymbolicParams {
        supernodal_flop_ratio_threshold: SupernodalThreshold::FORCE_SIMPLICIAL,
        ..Default::default()
    };
    let (symbolic, l_values) = sparse_llt(&q, params).ok_or(singular.clone())?;
    let SymbolicCholeskyRaw::Simplicial(simplicial) = symbolic.raw() else {
        return Err(singular);
    };
    // The factored matrix is Q permuted: (PQPᵀ)ᵢⱼ = Q[fwd[i], fwd[j]] = (LLᵀ)ᵢⱼ, so
    // row i of L belongs to variable fwd[i].
    let identity: Vec<usize> = (0..d).collect();
    let fwd = symbolic.perm().map_or(&identity[..], |p| p.arrays().0);
    let (col_ptr, row_idx) = (simplicial.col_ptr(), simplicial.row_idx());
    for j in 0..d {
        columns.push(
            (col_ptr[j]..col_ptr[j + 1])
                .filter(|&k| l_values[k] != 0.0)
                .map(|k| (vars[fwd[row_idx[k]]], l_values[k]))
                .collect(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `FFᵀ` as a dense matrix.
    fn product(f: &CscMatrix) -> Vec<Vec<f64>> {
        let n = f.nrows();
        let mut out = vec![vec![0.0; n]; n];
        for k in 0..f.ncols() {
            let col: Vec<_> = f.column(k).collect();
            for &(i, a) in &col {
                for &(j, b) in &col {
                    out[i][j] += a * b;
                }
            }
        }
        out
    }

    fn assert_reproduces(n: usize, upper: &[(usize, usize, f64)], f: &CscMatrix) {
        let mut q = vec![vec![0.0; n]; n];
        for &(i, j, v) in upper {
            q[i][j] += v;
            if i != j {
                q[j][i] += v;
            }
        }
        let ffv = product(f);
        for i in 0..n {
            for j in 0..n {
                assert!((q[i][j] - ffv[i][j]).abs() < 1e-10, "({i}, {j})");
            }
        }
    }

    #[test]
    fn diagonal_and_low_rank_blocks_get_thin_factors() {
        // Variables 0 and 3 alone (diagonal), 1 and 2 coupled with rank one: (x1 + 2x2)².
        let upper = [
            (0, 0, 4.0),
            (3, 3, 1.0),
            (1, 1, 1.0),
            (1, 2, 2.0),
            (2, 2, 4.0),
        ];
        let f = psd_factor(5, &upper).unwrap();
        assert_eq!(f.ncols(), 3);
        assert_eq!(f.nnz(), 4);
        assert_reproduces(5, &upper, &f);
    }

    #[test]
    fn indefinite_matrices_are_refused() {
        let upper = [(0, 0, 1.0), (0, 1, 2.0), (1, 1, 1.0)];
        assert_eq!(psd_factor(2, &upper), Err(FactorError::NotSemidefinite));
        assert_eq!(
            psd_factor(2, &[(0, 1, 1.0)]),
            Err(FactorError::NotSemidefinite)
        );
        assert_eq!(
            psd_factor(2, &[(0, 0, -1.0)]),
            Err(FactorError::NotSemidefinite)
        );
        assert_eq!(psd_factor(3, &[]).unwrap().ncols(), 0);
    }

    #[test]
    fn large_definite_block_is_factored_sparsely() {
        // Tridiagonal [2, −1] of size 600: one component above the dense limit.
        let n = 600;
        let mut upper: Vec<_> = (0..n).map(|i| (i, i, 2.0)).collect();
        upper.extend((0..n - 1).map(|i| (i, i + 1, -1.0)));
        let f = psd_factor(n, &upper).unwrap();
        assert!(f.nnz() < 4 * n, "fill {}", f.nnz());
        assert_reproduces(n, &upper, &f);
        // Tridiagonal [1, −1] has eigenvalues 1 − 2cos(kπ/(n+1)) down to about −1.
        let mut indefinite: Vec<_> = (0..n).map(|i| (i, i, 1.0)).collect();
        indefinite.extend((0..n - 1).map(|i| (i, i + 1, -1.0)));
        assert_eq!(
            psd_factor(n, &indefinite),
            Err(FactorError::LargeSingularBlock(n))
        );
    }

    #[test]
    fn mid_sized_blocks_are_sparse_when_definite_and_thin_when_singular() {
        // Σ (xᵢ − xᵢ₊₁)² + ½ Σ xᵢ² over 100 variables: definite and tridiagonal, so
        // the sparse factor is bidiagonal (the dense pivoted one fills in).
        let n = 100;
        let mut upper: Vec<_> = (0..n)
            .map(|i| (i, i, if i == 0 || i == n - 1 { 1.5 } else { 2.5 }))
            .collect();
        upper.extend((0..n - 1).map(|i| (i, i + 1, -1.0)));
        let f = psd_factor(n, &upper).unwrap();
        assert_eq!(f.ncols(), n);
        assert!(f.nnz() <= 2 * n, "fill {}", f.nnz());
        assert_reproduces(n, &upper, &f);
        // Σ (xᵢ − xᵢ₊₁)² alone is singular (constant vectors): the dense pivoted
        // factorization certifies it with rank n − 1.
        let mut singular: Vec<_> = (0..n)
            .map(|i| (i, i, if i == 0 || i == n - 1 { 1.0 } else { 2.0 }))
            .collect();
        singular.extend((0..n - 1).map(|i| (i, i + 1, -1.0)));
        let f = psd_factor(n, &singular).unwrap();
        assert_eq!(f.ncols(), n - 1);
        assert_reproduces(n, &singular, &f);
    }
}
