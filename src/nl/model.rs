//! A model as read from a `.nl` file: dimensions, bounds, starting values, linear
//! parts, suffixes and the expression tape.

use super::header::{Format, Header};
use super::tape::Tape;

/// Sparse rows in compressed form: row `i` has entries `start[i]..start[i + 1]`.
/// Within a row, indices are strictly increasing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SparseRows {
    pub start: Vec<usize>,
    pub index: Vec<u32>,
    pub value: Vec<f64>,
}

impl SparseRows {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    /// Indices and values of row `i`.
    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let r = self.start[i]..self.start[i + 1];
        (&self.index[r.clone()], &self.value[r])
    }
}

/// Optimization sense of an objective.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sense {
    Minimize,
    Maximize,
}

/// A `.nl` model. Variables and constraints are in the file's order.
///
/// Infinite bounds are `f64::INFINITY` / `f64::NEG_INFINITY`; an equality row or fixed
/// variable has `lower == upper`.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub n_var: usize,
    pub n_con: usize,
    pub var_lower: Vec<f64>,
    pub var_upper: Vec<f64>,
    pub con_lower: Vec<f64>,
    pub con_upper: Vec<f64>,
    /// Initial primal values; `None` where the file gives none.
    pub x0: Vec<Option<f64>>,
    /// Initial constraint duals from the `d` segment; `None` where none is given.
    pub y0: Vec<Option<f64>>,
    /// Sense of each objective.
    pub objective_sense: Vec<Sense>,
    /// Linear part and full sparsity of each constraint (the `J` segments): every variable
    /// of the row, with coefficient 0 where it appears only nonlinearly.
    pub jacobian: SparseRows,
    /// Linear part and full sparsity of each objective (the `G` segments).
    pub gradient: SparseRows,
    /// Nonlinear parts of defined variables, constraints and objectives.
    pub tape: Tape,
    /// Suffixes in file order.
    pub suffixes: Vec<Suffix>,
    /// Every field of the ten header lines (AMPL options, integer counts, flags, …).
    pub header: Header,
    /// Whether the file was text or binary (and its byte order).
    pub format: Format,
}

/// What a suffix is attached to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuffixTarget {
    Variable,
    Constraint,
    Objective,
    Problem,
}

/// A suffix from an `S` segment (A.8): values at the listed indices, 0 elsewhere.
#[derive(Clone, Debug, PartialEq)]
pub struct Suffix {
    pub name: String,
    pub target: SuffixTarget,
    /// Declared real (kind bit 4); integer suffix values are stored exactly as `f64`.
    pub real: bool,
    /// `(index, value)` in file order.
    pub values: Vec<(u32, f64)>,
}
