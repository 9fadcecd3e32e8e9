//! Checks and products on a symmetric matrix given by its lower triangle.

use super::{LinsolError, LowerCsc};

impl LowerCsc {
    /// Positions of the entries of column `j` in `row_idx` and the value array.
    pub fn column(&self, j: usize) -> std::ops::Range<usize> {
        self.col_ptr[j]..self.col_ptr[j + 1]
    }

    /// Row indices and values of column `j`.
    pub fn column_entries<'a>(
        &'a self,
        values: &'a [f64],
        j: usize,
    ) -> impl Iterator<Item = (usize, f64)> + Clone + 'a {
        let range = self.column(j);
        self.row_idx[range.clone()]
            .iter()
            .copied()
            .zip(values[range].iter().copied())
    }

    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.row_idx.len()
    }

    /// Checks the invariants documented on the type.
    pub fn validate(&self) -> Result<(), LinsolError> {
        let bad = |why: String| Err(LinsolError::InvalidPattern(why));
        if self.col_ptr.len() != self.dim + 1 {
            return bad(format!(
                "col_ptr has {} entries, expected {}",
                self.col_ptr.len(),
                self.dim + 1
            ));
        }
        if self.col_ptr[0] != 0 || self.col_ptr[self.dim] != self.row_idx.len() {
            return bad("col_ptr does not span row_idx".into());
        }
        for j in 0..self.dim {
            let (s, e) = (self.col_ptr[j], self.col_ptr[j + 1]);
            if s > e {
                return bad(format!("col_ptr decreases at column {j}"));
            }
            let rows = &self.row_idx[s..e];
            if let Some(&r) = rows.iter().find(|&&r| r < j || r >= self.dim) {
                return bad(format!(
                    "row {r} in column {j} is outside the lower triangle"
                ));
            }
            if rows.windows(2).any(|w| w[0] >= w[1]) {
                return bad(format!("rows of column {j} are not strictly increasing"));
            }
        }
        Ok(())
    }

    /// `y = A x` for the symmetric `A` whose lower triangle has these `values`.
    pub fn sym_matvec(&self, values: &[f64], x: &[f64], y: &mut [f64]) {
        y.fill(0.0);
        for j in 0..self.dim {
            let mut yj = 0.0;
            for (i, v) in self.column_entries(values, j) {
                y[i] += v * x[j];
                if i != j {
                    yj += v * x[i];
                }
            }
            y[j] += yj;
        }
    }

    /// `‖A‖∞` (largest absolute row sum) of the symmetric matrix.
    pub fn sym_inf_norm(&self, values: &[f64], work: &mut Vec<f64>) -> f64 {
        work.clear();
        work.resize(self.dim, 0.0);
        for j in 0..self.dim {
            for (i, v) in self.column_entries(values, j) {
                let v = v.abs();
                work[i] += v;
                if i != j {
                    work[j] += v;
                }
            }
        }
        work.iter().fold(0.0, |a, &b| a.max(b))
    }
}

/// Checks that `values` fits the pattern and is finite.
pub(crate) fn check_values(pattern: &LowerCsc, values: &[f64]) -> Result<(), LinsolError> {
    if values.len() != pattern.nnz() {
        return Err(LinsolError::ValueCountMismatch {
            expected: pattern.nnz(),
            got: values.len(),
        });
    }
    if values.iter().any(|v| !v.is_finite()) {
        return Err(LinsolError::NonFiniteValue);
    }
    Ok(())
}

/// Checks that a right-hand side fits the pattern's dimension.
pub(crate) fn check_rhs(pattern: &LowerCsc, rhs: &[f64]) -> Result<(), LinsolError> {
    if rhs.len() != pattern.dim {
        return Err(LinsolError::ValueCountMismatch {
            expected: pattern.dim,
            got: rhs.len(),
        });
    }
    Ok(())
}
