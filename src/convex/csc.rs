//! Compressed sparse column matrices: the storage of `P` and `A` and of the KKT matrix.
//!
//! Only what the interior-point method needs is here: validated construction,
//! products with a matrix, its transpose, or a symmetric matrix stored by one
//! triangle, and row/column scaling for equilibration.

use crate::counting_sort::group_by_key;

use super::problem::ProblemError;

/// A sparse matrix in compressed sparse column form.
///
/// Invariants (checked by [`CscMatrix::new`]): `col_ptr` has `ncols + 1`
/// non-decreasing entries starting at 0 and ending at `row_idx.len()`; row indices
/// within a column are strictly increasing and `< nrows`; `values` has one entry per
/// row index.
#[derive(Clone, Debug, PartialEq)]
pub struct CscMatrix {
    nrows: usize,
    ncols: usize,
    col_ptr: Vec<usize>,
    row_idx: Vec<usize>,
    values: Vec<f64>,
}

impl CscMatrix {
    /// Builds a matrix from its CSC arrays, checking every invariant.
    pub fn new(
        nrows: usize,
        ncols: usize,
        col_ptr: Vec<usize>,
        row_idx: Vec<usize>,
        values: Vec<f64>,
    ) -> Result<Self, ProblemError> {
        let bad = |why: String| Err(ProblemError::MalformedMatrix(why));
        if col_ptr.len() != ncols + 1 || col_ptr[0] != 0 {
            return bad(format!(
                "column pointer array has length {} (expected {}) or does not start at 0",
                col_ptr.len(),
                ncols + 1
            ));
        }
        if col_ptr[ncols] != row_idx.len() || row_idx.len() != values.len() {
            return bad(format!(
                "{} row indices and {} values for {} stored entries",
                row_idx.len(),
                values.len(),
                col_ptr[ncols]
            ));
        }
        for j in 0..ncols {
            if col_ptr[j] > col_ptr[j + 1] {
                return bad(format!("column pointers decrease at column {j}"));
            }
            let rows = &row_idx[col_ptr[j]..col_ptr[j + 1]];
            if rows.windows(2).any(|w| w[0] >= w[1]) {
                return bad(format!("row indices of column {j} not strictly increasing"));
            }
            if let Some(&i) = rows.last().filter(|&&i| i >= nrows) {
                return bad(format!("row index {i} out of range in column {j}"));
            }
        }
        if let Some(k) = values.iter().position(|v| !v.is_finite()) {
            return bad(format!("non-finite value at stored entry {k}"));
        }
        Ok(Self {
            nrows,
            ncols,
            col_ptr,
            row_idx,
            values,
        })
    }

    /// Builds a matrix from `(row, col, value)` triplets; duplicates are summed.
    pub fn from_triplets(
        nrows: usize,
        ncols: usize,
        triplets: &[(usize, usize, f64)],
    ) -> Result<Self, ProblemError> {
        if let Some(&(i, j, _)) = triplets.iter().find(|&&(i, j, _)| i >= nrows || j >= ncols) {
            return Err(ProblemError::MalformedMatrix(format!(
                "entry ({i}, {j}) outside a {nrows}x{ncols} matrix"
            )));
        }
        // Bucketed by column, then each column ordered by row, both stably: the entries
        // of one position keep their input order, so duplicates sum as they come.
        let (start, mut sorted) =
            group_by_key(ncols, triplets.iter().map(|&(i, j, v)| (j, (i, v))));
        let mut col_ptr = Vec::with_capacity(ncols + 1);
        col_ptr.push(0);
        let mut row_idx = Vec::with_capacity(sorted.len());
        let mut values: Vec<f64> = Vec::with_capacity(sorted.len());
        for j in 0..ncols {
            let column = &mut sorted[start[j]..start[j + 1]];
            column.sort_by_key(|e| e.0);
            let first = row_idx.len();
            for &(i, v) in column.iter() {
                if row_idx.len() > first && row_idx.last() == Some(&i) {
                    *values.last_mut().expect("a previous entry exists") += v;
                } else {
                    row_idx.push(i);
                    values.push(v);
                }
            }
            col_ptr.push(row_idx.len());
        }
        Self::new(nrows, ncols, col_ptr, row_idx, values)
    }

    /// An `nrows × ncols` matrix without entries.
    pub fn zeros(nrows: usize, ncols: usize) -> Self {
        Self {
            nrows,
            ncols,
            col_ptr: vec![0; ncols + 1],
            row_idx: Vec::new(),
            values: Vec::new(),
        }
    }

    pub fn nrows(&self) -> usize {
        self.nrows
    }
    pub fn ncols(&self) -> usize {
        self.ncols
    }
    pub fn nnz(&self) -> usize {
        self.values.len()
    }
    pub fn col_ptr(&self) -> &[usize] {
        &self.col_ptr
    }
    pub fn row_idx(&self) -> &[usize] {
        &self.row_idx
    }
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Entries of column `j` as `(row, value)` pairs.
    pub fn column(&self, j: usize) -> impl Iterator<Item = (usize, f64)> + Clone + '_ {
        let range = self.col_ptr[j]..self.col_ptr[j + 1];
        self.row_idx[range.clone()]
            .iter()
            .copied()
            .zip(self.values[range].iter().copied())
    }

    /// Iterates over all entries as `(row, col, value)`.
    pub fn triplets(&self) -> impl Iterator<Item = (usize, usize, f64)> + Clone + '_ {
        (0..self.ncols).flat_map(move |j| self.column(j).map(move |(i, v)| (i, j, v)))
    }

    /// The transpose, as a new CSC matrix (the CSR form of `self`).
    pub fn transpose(&self) -> Self {
        let entries = self.triplets().map(|(i, j, v)| (i, (j, v)));
        let (col_ptr, entries) = group_by_key(self.nrows, entries);
        let (row_idx, values) = entries.into_iter().unzip();
        Self {
            nrows: self.ncols,
            ncols: self.nrows,
            col_ptr,
            row_idx,
            values,
        }
    }

    /// `y ← y + α A x`.
    pub fn gemv(&self, alpha: f64, x: &[f64], y: &mut [f64]) {
        for (j, &xj) in x.iter().enumerate() {
            let axj = alpha * xj;
            if axj != 0.0 {
                for (i, v) in self.column(j) {
                    y[i] += v * axj;
                }
            }
        }
    }

    /// `y ← y + α Aᵀ x`.
    pub fn gemv_t(&self, alpha: f64, x: &[f64], y: &mut [f64]) {
        for (j, yj) in y.iter_mut().enumerate() {
            let dot: f64 = self.column(j).map(|(i, v)| v * x[i]).sum();
            *yj += alpha * dot;
        }
    }

    /// `y ← y + α S x` where `S` is the symmetric matrix of which `self` stores one
    /// triangle (each off-diagonal entry stands for itself and its mirror).
    pub fn symv(&self, alpha: f64, x: &[f64], y: &mut [f64]) {
        for j in 0..self.ncols {
            let mut acc = 0.0;
            for (i, v) in self.column(j) {
                y[i] += alpha * v * x[j];
                if i != j {
                    acc += v * x[i];
                }
            }
            y[j] += alpha * acc;
        }
    }

    /// Largest absolute value per column, and per row, of the symmetric matrix that
    /// `self` stores by one triangle, folded into `norms` with `max`.
    pub fn sym_col_norms_max(&self, norms: &mut [f64]) {
        for j in 0..self.ncols {
            for (i, v) in self.column(j) {
                norms[j] = norms[j].max(v.abs());
                norms[i] = norms[i].max(v.abs());
            }
        }
    }

    /// Largest absolute value per column, folded into `norms` with `max`.
    pub fn col_norms_max(&self, norms: &mut [f64]) {
        for (j, nj) in norms.iter_mut().enumerate() {
            for (_, v) in self.column(j) {
                *nj = nj.max(v.abs());
            }
        }
    }

    /// Largest absolute value per row, folded into `norms` with `max`.
    pub fn row_norms_max(&self, norms: &mut [f64]) {
        // Entry by entry in storage order: the column of an entry plays no part.
        for (&i, &v) in self.row_idx.iter().zip(&self.values) {
            norms[i] = norms[i].max(v.abs());
        }
    }

    /// `A ← diag(left) · A · diag(right)`.
    pub fn scale(&mut self, left: &[f64], right: &[f64]) {
        for (j, &rj) in right.iter().enumerate() {
            for k in self.col_ptr[j]..self.col_ptr[j + 1] {
                self.values[k] *= left[self.row_idx[k]] * rj;
            }
        }
    }

    /// `A ← c A`.
    pub fn scale_all(&mut self, c: f64) {
        self.values.iter_mut().for_each(|v| *v *= c);
    }
}

#[cfg(test)]
mod tests {
    use super::CscMatrix;

    #[test]
    fn symmetric_product_uses_mirror_entries() {
        // S = [[2, 1], [1, 3]] stored by its upper triangle.
        let s = CscMatrix::from_triplets(2, 2, &[(0, 0, 2.0), (0, 1, 1.0), (1, 1, 3.0)]).unwrap();
        let mut y = vec![0.0; 2];
        s.symv(1.0, &[1.0, 2.0], &mut y);
        assert_eq!(y, vec![4.0, 7.0]);
    }

    #[test]
    fn transpose_and_products_agree() {
        let a =
            CscMatrix::from_triplets(2, 3, &[(0, 0, 1.0), (1, 2, 4.0), (0, 2, -2.0), (1, 2, 1.0)])
                .unwrap();
        assert_eq!(a.nnz(), 3, "duplicates are summed");
        let at = a.transpose();
        let x = [1.0, 2.0];
        let (mut y1, mut y2) = (vec![0.0; 3], vec![0.0; 3]);
        a.gemv_t(1.0, &x, &mut y1);
        at.gemv(1.0, &x, &mut y2);
        assert_eq!(y1, y2);
        assert_eq!(y1, vec![1.0, 0.0, 8.0]);
    }

    #[test]
    fn malformed_arrays_are_rejected() {
        assert!(CscMatrix::new(2, 1, vec![0, 2], vec![1, 0], vec![1.0, 1.0]).is_err());
        assert!(CscMatrix::new(2, 1, vec![0, 1], vec![2], vec![1.0]).is_err());
        assert!(CscMatrix::new(2, 1, vec![0, 1], vec![0], vec![f64::NAN]).is_err());
    }
}
