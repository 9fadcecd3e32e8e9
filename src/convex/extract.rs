//! Recognition of LPs and QPs in a `.nl` model and extraction of their data.
//!
//! A model qualifies when every constraint is linear (its tape piece is empty, so
//! the `J` segment holds the whole row) and the first objective is its linear part
//! (`G` segment) plus a tape expression that is a polynomial of degree at most two
//! in the variables: sums, differences, products, squares, constant powers 0, 1, 2,
//! divisions by constants and negations of such terms with constant coefficients.
//! Anything else (a nonlinear row, a defined variable, a transcendental function,
//! a product of degree three) is not a QP, and neither is a QP whose minimized
//! objective is not convex (see [`super::convexity`]).

use super::convexity::is_positive_semidefinite;
use super::csc::CscMatrix;
use super::polynomial::QuadraticReader;
use super::problem::QpProblem;
use crate::nl::Model;
use crate::nl::model::Sense;
use crate::outcome::Solution;

/// Why a model is not an LP/QP of the form the convex solver takes.
#[derive(Clone, Debug, PartialEq)]
pub enum NotQp {
    /// Constraint `index` has a nonlinear part.
    NonlinearConstraint(usize),
    /// The objective contains an operation that is not a polynomial of degree ≤ 2.
    NonQuadraticObjective(&'static str),
    /// The model has more than one objective.
    MultipleObjectives(usize),
    /// A coefficient of the objective or a constraint is not finite.
    InvalidCoefficient(String),
    /// The quadratic part of the (minimized) objective is not positive semidefinite.
    NotConvex,
}

impl std::fmt::Display for NotQp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotQp::NonlinearConstraint(i) => write!(f, "constraint {i} is nonlinear"),
            NotQp::NonQuadraticObjective(why) => write!(f, "objective is not quadratic: {why}"),
            NotQp::MultipleObjectives(k) => write!(f, "model has {k} objectives"),
            NotQp::InvalidCoefficient(why) => write!(f, "invalid coefficient: {why}"),
            NotQp::NotConvex => write!(f, "quadratic objective is not convex"),
        }
    }
}

impl std::error::Error for NotQp {}

/// A model's QP data in minimization form.
#[derive(Clone, Debug)]
pub struct ExtractedQp {
    /// The QP to minimize: the objective is negated for a maximize model, which is
    /// also Ipopt's internal objective (`s·f` with `s = −1`).
    pub problem: QpProblem,
    pub sense: Sense,
}

impl ExtractedQp {
    /// Turns a solution of [`ExtractedQp::problem`] into one of the model: the
    /// multipliers already follow Ipopt's convention `s·∇f + Jᵀλ − z_L + z_U = 0`;
    /// only the objective value is reported as the model writes it.
    pub fn model_solution(&self, solution: Solution) -> Solution {
        model_solution(self.sense, solution)
    }
}

/// A solution of the minimization form of a model with objective sense `sense`,
/// reported as the model writes its objective.
pub(super) fn model_solution(sense: Sense, mut solution: Solution) -> Solution {
    if sense == Sense::Maximize {
        solution.objective = -solution.objective;
    }
    solution
}

/// Extracts the QP of `model`, or says why it is not one.
pub fn extract(model: &Model) -> Result<ExtractedQp, NotQp> {
    if let Some(i) = model
        .tape
        .constraints
        .iter()
        .position(|p| !p.nodes.is_empty())
    {
        return Err(NotQp::NonlinearConstraint(i));
    }
    extract_with_linear_parts(model, &mut QuadraticReader::new(model.n_var))
}

/// The QP made of `model`'s objective and the linear parts (`J` segments) of its
/// rows, the nonlinear parts of rows left aside; `reader` reads the objective's
/// tape piece.
pub(super) fn extract_with_linear_parts(
    model: &Model,
    reader: &mut QuadraticReader,
) -> Result<ExtractedQp, NotQp> {
    let n = model.n_var;
    let n_obj = model.objective_sense.len();
    if n_obj > 1 {
        return Err(NotQp::MultipleObjectives(n_obj));
    }
    let mut q = vec![0.0; n];
    let mut c0 = 0.0;
    let mut quadratic = Vec::new();
    let mut sense = Sense::Minimize;
    if n_obj == 1 {
        sense = model.objective_sense[0];
        let (idx, val) = model.gradient.row(0);
        for (&j, &v) in idx.iter().zip(val) {
            q[j as usize] += v;
        }
        if let Some(piece) = model
            .tape
            .objectives
            .first()
            .filter(|p| !p.nodes.is_empty())
        {
            let nonlinear = reader.read(&model.tape, piece.nodes.clone())?;
            for &(j, v) in &nonlinear.linear {
                q[j as usize] += v;
            }
            c0 = nonlinear.constant;
            quadratic = nonlinear.quadratic;
        }
    }
    let s = if sense == Sense::Maximize { -1.0 } else { 1.0 };
    q.iter_mut().for_each(|v| *v *= s);
    // ½ xᵀPx with P upper triangular: a term c·x_i·x_j (i < j) gives P_ij = c,
    // a term c·x_i² gives P_ii = 2c.
    let p_triplets: Vec<(usize, usize, f64)> = quadratic
        .iter()
        .filter(|&&(_, _, v)| v != 0.0)
        .map(|&(i, j, v)| (i as usize, j as usize, s * if i == j { 2.0 * v } else { v }))
        .collect();
    let invalid = |e: super::problem::ProblemError| NotQp::InvalidCoefficient(e.to_string());
    let p = CscMatrix::from_triplets(n, n, &p_triplets).map_err(invalid)?;
    if !is_positive_semidefinite(&p) {
        return Err(NotQp::NotConvex);
    }
    let mut a_triplets = Vec::new();
    for i in 0..model.n_con {
        let (idx, val) = model.jacobian.row(i);
        a_triplets.extend(
            idx.iter()
                .zip(val)
                .filter(|&(_, &v)| v != 0.0)
                .map(|(&j, &v)| (i, j as usize, v)),
        );
    }
    let a = CscMatrix::from_triplets(model.n_con, n, &a_triplets).map_err(invalid)?;
    if let Some(j) = q.iter().position(|v| !v.is_finite()) {
        return Err(NotQp::InvalidCoefficient(format!(
            "objective coefficient of variable {j}"
        )));
    }
    Ok(ExtractedQp {
        problem: QpProblem {
            p,
            q,
            c0: s * c0,
            a,
            row_lower: model.con_lower.clone(),
            row_upper: model.con_upper.clone(),
            var_lower: model.var_lower.clone(),
            var_upper: model.var_upper.clone(),
        },
        sense,
    })
}
