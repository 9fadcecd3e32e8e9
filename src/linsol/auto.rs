//! Choice between the dense and the sparse factorization by problem size.

use super::dense::DenseLdlt;
use super::sparse::SparseLdlt;
use super::{Inertia, LinsolError, LowerCsc, SymmetricIndefiniteSolver};

/// Systems up to this dimension are factored densely: below it the dense
/// kernel beats the multifrontal one's ordering and assembly overhead even on
/// sparse KKT matrices (measured in `docs/linsol-benchmark.md`).
pub const DENSE_MAX_DIM: usize = 64;

/// The dense path for small systems, the sparse path otherwise; decided at
/// `analyse` from the dimension.
#[derive(Debug)]
pub enum AutoLdlt {
    Dense(Box<DenseLdlt>),
    Sparse(Box<SparseLdlt>),
}

impl AutoLdlt {
    /// A solver that picks its path at the first `analyse`.
    pub fn new() -> Self {
        AutoLdlt::Sparse(Box::default())
    }

    fn solver(&self) -> &dyn SymmetricIndefiniteSolver {
        match self {
            AutoLdlt::Dense(s) => s.as_ref(),
            AutoLdlt::Sparse(s) => s.as_ref(),
        }
    }

    fn solver_mut(&mut self) -> &mut dyn SymmetricIndefiniteSolver {
        match self {
            AutoLdlt::Dense(s) => s.as_mut(),
            AutoLdlt::Sparse(s) => s.as_mut(),
        }
    }
}

impl Default for AutoLdlt {
    fn default() -> Self {
        Self::new()
    }
}

impl SymmetricIndefiniteSolver for AutoLdlt {
    fn analyse(&mut self, pattern: &LowerCsc) -> Result<(), LinsolError> {
        let dense = pattern.dim <= DENSE_MAX_DIM;
        match (dense, &*self) {
            (true, AutoLdlt::Sparse(_)) => *self = AutoLdlt::Dense(Box::new(DenseLdlt::new())),
            (false, AutoLdlt::Dense(_)) => *self = AutoLdlt::Sparse(Box::default()),
            _ => {}
        }
        self.solver_mut().analyse(pattern)
    }

    fn factor(&mut self, values: &[f64]) -> Result<Inertia, LinsolError> {
        self.solver_mut().factor(values)
    }

    fn solve_in_place(&self, rhs: &mut [f64]) -> Result<(), LinsolError> {
        self.solver().solve_in_place(rhs)
    }

    fn increase_quality(&mut self) -> bool {
        self.solver_mut().increase_quality()
    }
}
