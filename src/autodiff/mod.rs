//! Gradients, sparse Jacobians and sparse Lagrangian Hessians from the expression tape.
//!
//! [`Derivatives`] compiles a model's tape once (sparsity of the Jacobian and of the
//! Hessian's lower triangle, workspaces) and then evaluates values and derivatives at
//! any point without allocating. [`check`] compares them with finite differences, as
//! Ipopt's `derivative_test` option does.

mod chains;
pub mod check;
mod derivatives;
mod edge_push;
mod error;
mod ops;
mod program;
mod quadratic;
pub mod report;
mod ridge;
mod tape_gradient;

pub use derivatives::Derivatives;
pub use error::{EvalError, Failure, Function, TapeError};
pub use tape_gradient::{FirstOrder, GradientError, NonFiniteDerivative, TapeGradient};
