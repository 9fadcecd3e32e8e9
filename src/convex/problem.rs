//! The convex path's problem data: a QP with two-sided row and variable bounds,
//!
//! ```text
//! minimize ½ xᵀPx + qᵀx + c0   subject to  l ≤ Ax ≤ u,  lx ≤ x ≤ ux,
//! ```
//!
//! with `P` symmetric positive semidefinite stored by one triangle. Any side may be
//! infinite; a row or variable with equal sides is an equality / a fixed variable.
//! This is the form a model's linear constraints and quadratic objective arrive in;
//! [`super::conic`] turns it into the conic form the interior-point method works on.

use super::csc::CscMatrix;

/// Magnitude from which a bound counts as infinite (AMPL writes `±1e20` or larger
/// for "no bound", besides IEEE infinities).
pub const INFINITE_BOUND: f64 = 1e20;

/// Whether `v` is a finite bound in the sense of [`INFINITE_BOUND`].
pub fn is_finite_bound(v: f64) -> bool {
    v.abs() < INFINITE_BOUND
}

/// A convex quadratic program with two-sided row and variable bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct QpProblem {
    /// `n × n`, one triangle (upper or lower) of the symmetric PSD Hessian.
    pub p: CscMatrix,
    /// Linear objective coefficients, length `n`.
    pub q: Vec<f64>,
    /// Objective constant.
    pub c0: f64,
    /// `m × n` constraint matrix.
    pub a: CscMatrix,
    /// Row lower sides `l`, length `m` (`-inf` or `≤ -1e20` for none).
    pub row_lower: Vec<f64>,
    /// Row upper sides `u`, length `m` (`+inf` or `≥ 1e20` for none).
    pub row_upper: Vec<f64>,
    /// Variable lower bounds `lx`, length `n`.
    pub var_lower: Vec<f64>,
    /// Variable upper bounds `ux`, length `n`.
    pub var_upper: Vec<f64>,
}

/// Why problem data cannot be solved at all (as opposed to a solve that ends with a
/// status such as infeasible).
#[derive(Clone, Debug, PartialEq)]
pub enum ProblemError {
    /// The CSC arrays of a matrix are inconsistent (the text says how).
    MalformedMatrix(String),
    /// A vector or matrix has the wrong size: `what` has `got` entries, `expected` wanted.
    DimensionMismatch {
        what: &'static str,
        expected: usize,
        got: usize,
    },
    /// `P` stores entries on both sides of the diagonal.
    HessianNotTriangular,
    /// A NaN (or an infinite value where only finite ones make sense) in `what` at `index`.
    InvalidNumber { what: &'static str, index: usize },
    /// The quadratic part given for constraint `row` does not fit it.
    InvalidQuadraticRow { row: usize, why: &'static str },
}

impl std::fmt::Display for ProblemError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProblemError::MalformedMatrix(why) => write!(f, "malformed sparse matrix: {why}"),
            ProblemError::DimensionMismatch {
                what,
                expected,
                got,
            } => write!(f, "{what} has {got} entries, expected {expected}"),
            ProblemError::HessianNotTriangular => write!(
                f,
                "the quadratic objective matrix must be given by one triangle only"
            ),
            ProblemError::InvalidNumber { what, index } => {
                write!(f, "invalid number in {what} at index {index}")
            }
            ProblemError::InvalidQuadraticRow { row, why } => {
                write!(f, "quadratic part of constraint {row}: {why}")
            }
        }
    }
}

impl std::error::Error for ProblemError {}

impl QpProblem {
    /// Number of variables.
    pub fn num_vars(&self) -> usize {
        self.q.len()
    }

    /// Number of constraint rows.
    pub fn num_rows(&self) -> usize {
        self.a.nrows()
    }

    /// Checks sizes, triangularity of `P` and the numbers; bounds may be inconsistent
    /// (`l > u`), which [`QpProblem::inconsistent_bounds`] reports separately because it
    /// is a property of the model, not malformed data.
    pub fn validate(&self) -> Result<(), ProblemError> {
        let n = self.num_vars();
        let m = self.num_rows();
        let dims = [
            ("P rows", self.p.nrows(), n),
            ("P columns", self.p.ncols(), n),
            ("A columns", self.a.ncols(), n),
            ("row lower sides", self.row_lower.len(), m),
            ("row upper sides", self.row_upper.len(), m),
            ("variable lower bounds", self.var_lower.len(), n),
            ("variable upper bounds", self.var_upper.len(), n),
        ];
        for (what, got, expected) in dims {
            if got != expected {
                return Err(ProblemError::DimensionMismatch {
                    what,
                    expected,
                    got,
                });
            }
        }
        let upper = self.p.triplets().any(|(i, j, _)| i < j);
        let lower = self.p.triplets().any(|(i, j, _)| i > j);
        if upper && lower {
            return Err(ProblemError::HessianNotTriangular);
        }
        let finite = [("q", &self.q[..])];
        for (what, v) in finite {
            if let Some(index) = v.iter().position(|x| !x.is_finite()) {
                return Err(ProblemError::InvalidNumber { what, index });
            }
        }
        if !self.c0.is_finite() {
            return Err(ProblemError::InvalidNumber {
                what: "objective constant",
                index: 0,
            });
        }
        let bounds = [
            ("row lower sides", &self.row_lower[..]),
            ("row upper sides", &self.row_upper[..]),
            ("variable lower bounds", &self.var_lower[..]),
            ("variable upper bounds", &self.var_upper[..]),
        ];
        for (what, v) in bounds {
            if let Some(index) = v.iter().position(|x| x.is_nan()) {
                return Err(ProblemError::InvalidNumber { what, index });
            }
        }
        Ok(())
    }

    /// The first row or variable whose lower side exceeds its upper side, or whose
    /// sides are both infinite in the same direction.
    pub fn inconsistent_bounds(&self) -> Option<BoundConflict> {
        let conflict = |l: f64, u: f64| l > u || l >= INFINITE_BOUND || u <= -INFINITE_BOUND;
        if let Some(i) =
            (0..self.num_rows()).find(|&i| conflict(self.row_lower[i], self.row_upper[i]))
        {
            return Some(BoundConflict::Row(i));
        }
        (0..self.num_vars())
            .find(|&j| conflict(self.var_lower[j], self.var_upper[j]))
            .map(BoundConflict::Variable)
    }

    /// The objective `½ xᵀPx + qᵀx + c0` at `x`.
    pub fn objective(&self, x: &[f64]) -> f64 {
        let mut px = vec![0.0; x.len()];
        self.p.symv(1.0, x, &mut px);
        let quad: f64 = x.iter().zip(&px).map(|(a, b)| a * b).sum();
        let lin: f64 = x.iter().zip(&self.q).map(|(a, b)| a * b).sum();
        0.5 * quad + lin + self.c0
    }
}

/// A row or variable with contradictory sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundConflict {
    Row(usize),
    Variable(usize),
}
