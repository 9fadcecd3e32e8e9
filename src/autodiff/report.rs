//! All derivatives of a model at one point, as `pounce eval` prints them.

use super::{Derivatives, EvalError, TapeError};
use crate::nl::model::Model;

/// Gradient, Jacobian and Lagrangian Hessian at a point; a part is `None` when it
/// could not be evaluated there.
#[derive(Debug, Default)]
pub struct PointDerivatives {
    pub grad: Option<Vec<f64>>,
    /// `(row, col, value)` in the order of the Jacobian structure.
    pub jac: Option<Vec<(usize, usize, f64)>>,
    /// Lower triangle `(row, col, value)`, row ≥ col, of
    /// `obj_factor ∇²f + Σ y_i ∇²c_i`.
    pub hess: Option<Vec<(usize, usize, f64)>>,
    /// Evaluation errors met, one message each.
    pub errors: Vec<EvalError>,
}

/// Evaluates ∇f (objective 0), J and the Lagrangian Hessian of `model` at `x`.
pub fn at_point(
    model: &Model,
    x: &[f64],
    obj_factor: f64,
    y: &[f64],
) -> Result<PointDerivatives, TapeError> {
    let mut d = Derivatives::new(model)?;
    let mut out = PointDerivatives::default();
    let mut grad = vec![0.0; d.n_var()];
    match d.gradient(x, &mut grad) {
        Ok(()) => out.grad = Some(grad),
        Err(e) => out.errors.push(e),
    }
    let mut vals = vec![0.0; d.jacobian_structure().0.len()];
    match d.jacobian_values(x, &mut vals) {
        Ok(()) => out.jac = Some(triplets(d.jacobian_structure(), &vals)),
        Err(e) => out.errors.push(e),
    }
    let mut vals = vec![0.0; d.hessian_structure().0.len()];
    match d.hessian_values(x, obj_factor, y, &mut vals) {
        Ok(()) => out.hess = Some(triplets(d.hessian_structure(), &vals)),
        Err(e) => out.errors.push(e),
    }
    Ok(out)
}

fn triplets((rows, cols): (&[u32], &[u32]), vals: &[f64]) -> Vec<(usize, usize, f64)> {
    rows.iter()
        .zip(cols)
        .zip(vals)
        .map(|((&r, &c), &v)| (r as usize, c as usize, v))
        .collect()
}
