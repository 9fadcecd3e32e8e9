//! Typed errors: a tape that breaks its contract, and a function that cannot be
//! evaluated (or differentiated) at a point.

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

/// A function could not be evaluated at the given point.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalError {
    /// The function being evaluated.
    pub function: Function,
    /// Where the failing operation is: the function itself, or a defined variable it
    /// reads.
    pub origin: Function,
    /// The operation that failed.
    pub op: Op,
    /// Its argument values (at most two are kept).
    pub args: Vec<f64>,
    /// True when the value exists but the derivative does not (e.g. sqrt at 0).
    pub derivative: bool,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let args: Vec<String> = self.args.iter().map(|a| format!("{a}")).collect();
        let prime = if self.derivative { "'" } else { "" };
        write!(
            f,
            "{}: can't evaluate {}{prime}({})",
            self.function,
            super::ops::name(self.op),
            args.join(", ")
        )?;
        if self.origin != self.function {
            write!(f, " in {}", self.origin)?;
        }
        Ok(())
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
