//! Recognition of convex QCQPs in a `.nl` model and extraction of their data.
//!
//! A model qualifies when its objective is a convex quadratic (as for
//! [`super::extract`]) and every constraint is linear or a one-sided quadratic
//! row whose Hessian has the convex sign: positive semidefinite on a row with only
//! an upper side, negative semidefinite on a row with only a lower side. Convexity
//! is certified by the factor `F` of [`super::psd_factor`] (`Q = ±FFᵀ`), which is
//! also the data of the row's second-order cone. Equality, range and free rows
//! with quadratic terms, nonconvex rows and non-polynomial rows do not qualify.

use super::csc::CscMatrix;
use super::extract::{NotQp, extract_with_linear_parts, model_solution};
use super::polynomial::QuadraticReader;
use super::psd_factor::{FactorError, psd_factor};
use super::qcqp::{QcqpProblem, QuadraticRow, QuadraticSide};
use crate::nl::Model;
use crate::nl::model::Sense;
use crate::outcome::Solution;

/// Why a model is not a convex QCQP.
#[derive(Clone, Debug, PartialEq)]
pub enum NotQcqp {
    /// The objective, or the model as a whole, does not fit (as for an LP/QP).
    Objective(NotQp),
    /// Constraint `row` is not a polynomial of degree at most two.
    NonQuadraticRow { row: usize, why: &'static str },
    /// Constraint `row` has quadratic terms and two finite sides or none.
    NotOneSided(usize),
    /// Constraint `row`'s Hessian does not have the sign its side needs.
    NotConvex { row: usize, why: FactorError },
}

impl std::fmt::Display for NotQcqp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotQcqp::Objective(why) => write!(f, "{why}"),
            NotQcqp::NonQuadraticRow { row, why } => {
                write!(f, "constraint {row} is not quadratic: {why}")
            }
            NotQcqp::NotOneSided(row) => write!(
                f,
                "constraint {row} is quadratic with two finite sides or none"
            ),
            NotQcqp::NotConvex { row, why } => {
                write!(f, "constraint {row} is not convex on its side: {why}")
            }
        }
    }
}

impl std::error::Error for NotQcqp {}

/// A model's QCQP data in minimization form.
#[derive(Clone, Debug)]
pub struct ExtractedQcqp {
    pub problem: QcqpProblem,
    pub sense: Sense,
}

impl ExtractedQcqp {
    /// See [`super::extract::ExtractedQp::model_solution`].
    pub fn model_solution(&self, solution: Solution) -> Solution {
        model_solution(self.sense, solution)
    }
}

/// Extracts the convex QCQP of `model`, or says why it is not one.
pub fn extract_qcqp(model: &Model) -> Result<ExtractedQcqp, NotQcqp> {
    let n = model.n_var;
    let mut reader = QuadraticReader::new(n);
    let extracted = extract_with_linear_parts(model, &mut reader).map_err(NotQcqp::Objective)?;
    let mut qp = extracted.problem;
    let mut extra_linear = Vec::new();
    let mut quadratic = Vec::new();
    for (row, piece) in model.tape.constraints.iter().enumerate() {
        if piece.nodes.is_empty() {
            continue;
        }
        let poly = reader
            .read(&model.tape, piece.nodes.clone())
            .map_err(|e| match e {
                NotQp::NonQuadraticObjective(why) => NotQcqp::NonQuadraticRow { row, why },
                other => NotQcqp::Objective(other),
            })?;
        extra_linear.extend(poly.linear.iter().map(|&(j, v)| (row, j as usize, v)));
        qp.row_lower[row] -= poly.constant;
        qp.row_upper[row] -= poly.constant;
        let terms: Vec<(u32, u32, f64)> = poly
            .quadratic
            .into_iter()
            .filter(|&(_, _, v)| v != 0.0)
            .collect();
        if terms.is_empty() {
            continue;
        }
        let side = match (
            super::problem::is_finite_bound(qp.row_lower[row]),
            super::problem::is_finite_bound(qp.row_upper[row]),
        ) {
            (false, true) => QuadraticSide::Upper,
            (true, false) => QuadraticSide::Lower,
            _ => return Err(NotQcqp::NotOneSided(row)),
        };
        // xᵀQx with Q symmetric: c·xᵢ² gives Qᵢᵢ = c, c·xᵢxⱼ gives Qᵢⱼ = Qⱼᵢ = c/2;
        // the factor is of Q on an upper side and of −Q on a lower one.
        let sign = side.sign();
        let upper: Vec<(usize, usize, f64)> = terms
            .iter()
            .map(|&(i, j, v)| {
                let q = if i == j { v } else { 0.5 * v };
                (i as usize, j as usize, sign * q)
            })
            .collect();
        let factor = psd_factor(n, &upper).map_err(|why| NotQcqp::NotConvex { row, why })?;
        quadratic.push(QuadraticRow { row, side, factor });
    }
    if !extra_linear.is_empty() {
        let mut triplets: Vec<(usize, usize, f64)> = qp.a.triplets().collect();
        triplets.extend(extra_linear);
        qp.a = CscMatrix::from_triplets(qp.a.nrows(), n, &triplets)
            .map_err(|e| NotQcqp::Objective(NotQp::InvalidCoefficient(e.to_string())))?;
    }
    Ok(ExtractedQcqp {
        problem: QcqpProblem { qp, quadratic },
        sense: extracted.sense,
    })
}
