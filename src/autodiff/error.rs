//! Typed errors: a tape that breaks its contract, and a function that cannot be
//! evaluated (or differentiated) at a point.

use crate::nl::eval::OpError;
use crate::nl::tape::Op;
use std::fmt;

/// One of the model's functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    Objective(usize),
    Constraint(usize),
    /// A defined variable (common expression), 0-based among the defined variables.
    Defined(usize),
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Function::Objective(i) => write!(f, "objective {i}"),
            Function::Constraint(i) => write!(f, "constraint {i}"),
            Function::Defined(i) => write!(f, "defined variable {i}"),
        }
    }
}

/// What could not be evaluated.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// The value (as the reader's evaluator reports it).
    Value(OpError),
    /// The derivative of an operation whose value exists (e.g. sqrt at 0), with its
    /// argument values (at most two).
    Derivative { op: Op, args: Vec<f64> },
}

/// A function could not be evaluated or differentiated at the given point.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalError {
    /// The function being evaluated.
    pub function: Function,
    pub failure: Failure,
}

impl EvalError {
    /// Whether the value exists and only a derivative failed.
    pub fn is_derivative(&self) -> bool {
        matches!(self.failure, Failure::Derivative { .. })
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.failure {
            Failure::Value(e) => write!(f, "{}: {e}", self.function),
            Failure::Derivative { op, args } => {
                let args: Vec<String> = args.iter().map(|a| format!("{a}")).collect();
                let name = super::ops::name(*op);
                write!(
                    f,
                    "{}: can't evaluate {name}'({})",
                    self.function,
                    args.join(",")
                )
            }
        }
    }
}

impl std::error::Error for EvalError {}

/// The tape or the model breaks the contract of `nl::tape` / `nl::model`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TapeError {
    pub function: Function,
    pub message: String,
}

impl fmt::Display for TapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "malformed expression of {}: {}",
            self.function, self.message
        )
    }
}

impl std::error::Error for TapeError {}
