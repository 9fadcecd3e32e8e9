//! Homogeneous self-dual interior-point method for LPs and convex QPs.
//!
//! A [`QpProblem`] (two-sided rows and bounds) is turned into the conic form
//! `Ax + s = b, s ∈ K` ([`conic`]), equilibrated ([`equilibrate`]) and solved by a
//! Mehrotra predictor–corrector method on the homogeneous self-dual embedding
//! ([`solver`]), which either converges to an optimum or to a certificate of
//! primal or dual infeasibility.

mod centre;
pub mod cones;
pub mod conic;
pub mod convexity;
pub mod csc;
mod driver;
mod elimination;
pub mod equilibrate;
pub mod extract;
pub mod extract_qcqp;
pub mod info;
pub mod kkt;
pub mod krylov;
mod ordering;
pub mod output;
pub mod polish;
mod polynomial;
pub mod problem;
pub mod psd_factor;
pub mod qcqp;
pub mod residuals;
pub mod result;
mod scaled_error;
pub mod settings;
pub mod soc;
mod solver;
pub mod variables;

pub use conic::OriginalDuals;
pub use csc::CscMatrix;
pub use driver::{solve, solve_qcqp};
pub use info::ConvexStatus;
pub use problem::{ProblemError, QpProblem};
pub use qcqp::{QcqpProblem, QuadraticRow, QuadraticSide};
pub use result::{Certificate, ConvexResult};
pub use settings::Settings;
