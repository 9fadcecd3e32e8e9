//! Sparse symmetric indefinite linear solvers for the interior-point KKT systems.
//!
//! The interior-point method needs, for a fixed sparsity pattern, many numeric
//! factorizations of `K = [[W + Σ + δw I, Jᵀ], [J, −δc I]]` together with the exact
//! inertia of `K`: the inertia decides the Hessian perturbation. The
//! [`SymmetricIndefiniteSolver`] trait is the seam between the IPM and the
//! factorization: analyse once per pattern, factor per iteration, solve many times.
//!
//! [`sparse::SparseLdlt`] is the multifrontal factorization with delayed
//! threshold pivoting; [`dense::DenseLdlt`] factors small systems as one dense block.

mod assembly;
pub mod auto;
pub mod dense;
mod factors;
mod front;
mod matching;
mod matrix;
pub mod mtx;
mod numeric;
mod ordering;
mod refine;
mod scaling;
pub mod sparse;
mod symbolic;

pub(crate) use symbolic::{elimination_tree, walk_factor_entries};

/// Sparsity pattern of a symmetric matrix, given by its lower triangle in
/// compressed sparse column form (row indices within a column strictly increasing,
/// every row index ≥ its column index).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowerCsc {
    /// Matrix dimension.
    pub dim: usize,
    /// `col_ptr[j]..col_ptr[j + 1]` are the entries of column `j`; length `dim + 1`.
    pub col_ptr: Vec<usize>,
    /// Row index of each entry.
    pub row_idx: Vec<usize>,
}

/// Numerical parameters shared by the factorizations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LdltOptions {
    /// Threshold `u ∈ (0, 0.5]` of the pivot test: a 1×1 or 2×2 pivot is accepted
    /// only if the entries of `L` it creates are at most `1/u` in magnitude.
    /// Larger is more stable, smaller delays fewer pivots.
    pub pivot_threshold: f64,
    /// Largest threshold [`SymmetricIndefiniteSolver::increase_quality`] raises
    /// `pivot_threshold` to.
    pub pivot_threshold_max: f64,
    /// A pivot of magnitude at most `zero_pivot · max|a_ij|` (whose column is
    /// also that small, up to a factor 100) is counted as a zero eigenvalue.
    /// Roundoff turns an exact zero eigenvalue into a pivot of order
    /// `n ε · growth`, hence the default well above `ε`.
    pub zero_pivot: f64,
    /// Maximum number of iterative refinement steps per solve.
    pub max_refinement_steps: usize,
}

impl LdltOptions {
    /// Parameters for the dense path: pivot choice close to Bunch–Kaufman's,
    /// since a dense front never delays a pivot.
    pub fn dense() -> Self {
        Self {
            pivot_threshold: 0.1,
            ..Self::default()
        }
    }

    /// Raises the pivot threshold for [`SymmetricIndefiniteSolver::increase_quality`]
    /// to `u^¾` (Ipopt's rule for its pivot tolerances: `1e-8` reaches `0.01`
    /// in five steps), at most `pivot_threshold_max`; `false` when it is there already.
    pub fn raise_threshold(&mut self) -> bool {
        let u = self.pivot_threshold;
        if u >= self.pivot_threshold_max {
            return false;
        }
        self.pivot_threshold = u.powf(0.75).min(self.pivot_threshold_max);
        true
    }
}

impl Default for LdltOptions {
    /// `u = 1e-8` (Ipopt's pivot tolerance for MA27 and MA57), raised up to
    /// `0.01` (MA57's own default) on request; zero pivots below `1e-10·max|a_ij|`; at most 10
    /// refinement steps.
    ///
    /// A threshold that small accepts almost every pivot of its front, so
    /// hardly any is delayed (delays were most of the factor time of the
    /// large corpus KKT matrices at `u = 0.01`). The inertia stays exact up to
    /// rounding, which growth in `L` can disturb; the interior-point method
    /// sees that as an inaccurate solve and asks for a larger threshold.
    fn default() -> Self {
        Self {
            pivot_threshold: 1e-8,
            pivot_threshold_max: 0.01,
            zero_pivot: 1e-10,
            max_refinement_steps: 10,
        }
    }
}

/// Numbers of positive, negative and zero eigenvalues of a symmetric matrix.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Inertia {
    pub positive: usize,
    pub negative: usize,
    pub zero: usize,
}

impl Inertia {
    /// The outcome of a factorization with this inertia: a matrix with a zero
    /// eigenvalue is an error that still carries the inertia, for callers (the IPM's
    /// inertia correction) that act on it.
    pub(crate) fn nonsingular(self) -> Result<Inertia, LinsolError> {
        if self.zero > 0 {
            Err(LinsolError::Singular(self))
        } else {
            Ok(self)
        }
    }
}

/// Why a factorization or solve did not produce a usable result.
#[derive(Clone, Debug, PartialEq)]
pub enum LinsolError {
    /// The pattern handed to `analyse` is malformed (the text says how).
    InvalidPattern(String),
    /// `factor` was called before `analyse`, or `solve` before a successful `factor`.
    NotReady,
    /// The value array does not match the analysed pattern.
    ValueCountMismatch { expected: usize, got: usize },
    /// A non-finite number was found in the values.
    NonFiniteValue,
    /// The matrix is singular to working precision; the inertia found so far is reported.
    Singular(Inertia),
    /// The factorization was abandoned because the solve's stop signal fired.
    Interrupted,
}

impl std::fmt::Display for LinsolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinsolError::InvalidPattern(why) => write!(f, "invalid sparsity pattern: {why}"),
            LinsolError::NotReady => write!(f, "linear solver used before analysis/factorization"),
            LinsolError::ValueCountMismatch { expected, got } => {
                write!(f, "expected {expected} matrix values, got {got}")
            }
            LinsolError::NonFiniteValue => write!(f, "non-finite value in matrix"),
            LinsolError::Singular(i) => write!(
                f,
                "matrix is singular (inertia +{} -{} 0:{})",
                i.positive, i.negative, i.zero
            ),
            LinsolError::Interrupted => write!(f, "factorization interrupted"),
        }
    }
}

impl std::error::Error for LinsolError {}

/// A factorization of sparse symmetric indefinite matrices with a fixed pattern.
///
/// Values are passed in the order of the entries of the analysed [`LowerCsc`].
pub trait SymmetricIndefiniteSolver {
    /// Symbolic analysis (ordering, elimination tree, storage) for `pattern`.
    /// Done once per pattern; every later `factor` reuses it.
    fn analyse(&mut self, pattern: &LowerCsc) -> Result<(), LinsolError>;

    /// Numeric factorization of the matrix with these values; returns its inertia.
    fn factor(&mut self, values: &[f64]) -> Result<Inertia, LinsolError>;

    /// Overwrites `rhs` with the solution of `K x = rhs` using the last factorization.
    fn solve_in_place(&self, rhs: &mut [f64]) -> Result<(), LinsolError>;

    /// Makes the following factorizations more accurate (a larger pivot
    /// threshold), after a solve with the last one was not accurate enough;
    /// `false` when they cannot be made more accurate. The request holds for
    /// every later factorization, as in Ipopt's `IncreaseQuality`.
    fn increase_quality(&mut self) -> bool {
        false
    }
}
