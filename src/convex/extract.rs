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

use std::collections::HashMap;

use super::convexity::is_positive_semidefinite;
use super::csc::CscMatrix;
use super::problem::QpProblem;
use crate::nl::Model;
use crate::nl::model::Sense;
use crate::nl::tape::{NodeId, Op, Tape};
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

/// A polynomial of degree ≤ 2: constant, linear and quadratic terms (the quadratic
/// map is keyed by `(i, j)` with `i ≤ j` and stands for `coef · x_i · x_j`).
#[derive(Clone, Debug, Default)]
pub(super) struct Quadratic {
    pub(super) constant: f64,
    pub(super) linear: HashMap<u32, f64>,
    pub(super) quadratic: HashMap<(u32, u32), f64>,
}

impl Quadratic {
    fn constant(c: f64) -> Self {
        Self {
            constant: c,
            ..Self::default()
        }
    }

    fn is_constant(&self) -> bool {
        self.linear.is_empty() && self.quadratic.is_empty()
    }

    fn scale(mut self, c: f64) -> Self {
        self.constant *= c;
        self.linear.values_mut().for_each(|v| *v *= c);
        self.quadratic.values_mut().for_each(|v| *v *= c);
        self
    }

    fn add(mut self, other: &Quadratic, sign: f64) -> Self {
        self.constant += sign * other.constant;
        for (&k, &v) in &other.linear {
            *self.linear.entry(k).or_insert(0.0) += sign * v;
        }
        for (&k, &v) in &other.quadratic {
            *self.quadratic.entry(k).or_insert(0.0) += sign * v;
        }
        self
    }

    fn mul(&self, other: &Quadratic) -> Result<Self, NotQp> {
        if self.is_constant() {
            return Ok(other.clone().scale(self.constant));
        }
        if other.is_constant() {
            return Ok(self.clone().scale(other.constant));
        }
        if !self.quadratic.is_empty() || !other.quadratic.is_empty() {
            return Err(NotQp::NonQuadraticObjective("product of degree above two"));
        }
        let mut out = Quadratic::constant(self.constant * other.constant);
        for (&k, &v) in &self.linear {
            *out.linear.entry(k).or_insert(0.0) += v * other.constant;
        }
        for (&k, &v) in &other.linear {
            *out.linear.entry(k).or_insert(0.0) += v * self.constant;
        }
        for (&i, &a) in &self.linear {
            for (&j, &b) in &other.linear {
                *out.quadratic.entry((i.min(j), i.max(j))).or_insert(0.0) += a * b;
            }
        }
        Ok(out)
    }
}

/// The polynomial computed by the tape piece `nodes` (its root is the last node).
///
/// A node's polynomial is moved into its (last) consumer rather than copied: a
/// chain of binary sums would otherwise copy its growing partial sum at every node,
/// quadratic work in the number of terms.
pub(super) fn quadratic_of(
    tape: &Tape,
    nodes: std::ops::Range<NodeId>,
) -> Result<Quadratic, NotQp> {
    let start = nodes.start;
    let mut uses = vec![0u32; nodes.len()];
    for id in nodes.clone() {
        for &a in tape.args_of(&tape.nodes[id as usize]) {
            uses[(a - start) as usize] += 1;
        }
    }
    let mut values: Vec<Quadratic> = Vec::with_capacity(nodes.len());
    for id in nodes {
        let node = &tape.nodes[id as usize];
        let args = tape.args_of(node);
        // The value of argument `k`, moved out at its last use.
        let mut take = |k: usize| -> Quadratic {
            let slot = (args[k] - start) as usize;
            uses[slot] -= 1;
            if uses[slot] == 0 {
                std::mem::take(&mut values[slot])
            } else {
                values[slot].clone()
            }
        };
        let value = match node.op {
            Op::Const => Quadratic::constant(tape.consts[node.aux as usize]),
            Op::Var => {
                let mut q = Quadratic::default();
                q.linear.insert(node.aux, 1.0);
                q
            }
            Op::Neg => take(0).scale(-1.0),
            Op::Add => {
                let a = take(0);
                a.add(&take(1), 1.0)
            }
            Op::Sub => {
                let a = take(0);
                a.add(&take(1), -1.0)
            }
            Op::Sum if args.is_empty() => Quadratic::default(),
            Op::Sum => (1..args.len()).fold(take(0), |acc, k| acc.add(&take(k), 1.0)),
            Op::Mul => {
                let a = take(0);
                a.mul(&take(1))?
            }
            Op::Square => {
                let a = take(0);
                a.mul(&a)?
            }
            Op::Div => {
                let (a, b) = (take(0), take(1));
                if !(b.is_constant() && b.constant != 0.0) {
                    return Err(NotQp::NonQuadraticObjective("nonpolynomial operation"));
                }
                a.scale(1.0 / b.constant)
            }
            Op::PowConstExp => {
                let e = tape.consts[node.aux as usize];
                let a = take(0);
                if e == 0.0 {
                    Quadratic::constant(1.0)
                } else if e == 1.0 {
                    a
                } else if e == 2.0 {
                    a.mul(&a)?
                } else {
                    return Err(NotQp::NonQuadraticObjective("power other than 0, 1, 2"));
                }
            }
            Op::DefVar => return Err(NotQp::NonQuadraticObjective("defined variable")),
            _ => return Err(NotQp::NonQuadraticObjective("nonpolynomial operation")),
        };
        values.push(value);
    }
    Ok(values.pop().unwrap_or_default())
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
    extract_with_linear_parts(model)
}

/// The QP made of `model`'s objective and the linear parts (`J` segments) of its
/// rows, the nonlinear parts of rows left aside.
pub(super) fn extract_with_linear_parts(model: &Model) -> Result<ExtractedQp, NotQp> {
    let n = model.n_var;
    let n_obj = model.objective_sense.len();
    if n_obj > 1 {
        return Err(NotQp::MultipleObjectives(n_obj));
    }
    let mut poly = Quadratic::default();
    let mut sense = Sense::Minimize;
    if n_obj == 1 {
        sense = model.objective_sense[0];
        let (idx, val) = model.gradient.row(0);
        for (&j, &v) in idx.iter().zip(val) {
            *poly.linear.entry(j).or_insert(0.0) += v;
        }
        if let Some(piece) = model
            .tape
            .objectives
            .first()
            .filter(|p| !p.nodes.is_empty())
        {
            let nonlinear = quadratic_of(&model.tape, piece.nodes.clone())?;
            poly = poly.add(&nonlinear, 1.0);
        }
    }
    if sense == Sense::Maximize {
        poly = poly.scale(-1.0);
    }
    let mut q = vec![0.0; n];
    for (&j, &v) in &poly.linear {
        q[j as usize] += v;
    }
    // ½ xᵀPx with P upper triangular: a term c·x_i·x_j (i < j) gives P_ij = c,
    // a term c·x_i² gives P_ii = 2c.
    let p_triplets: Vec<(usize, usize, f64)> = poly
        .quadratic
        .iter()
        .filter(|&(_, &v)| v != 0.0)
        .map(|(&(i, j), &v)| (i as usize, j as usize, if i == j { 2.0 * v } else { v }))
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
            c0: poly.constant,
            a,
            row_lower: model.con_lower.clone(),
            row_upper: model.con_upper.clone(),
            var_lower: model.var_lower.clone(),
            var_upper: model.var_upper.clone(),
        },
        sense,
    })
}
