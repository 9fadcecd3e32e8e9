//! The model's functions at one point, evaluated afresh.

use crate::autodiff::Derivatives;
use crate::nl::model::Model;

/// Values and first derivatives of a model at a point, as the certificate needs them: the
/// objective as written (not negated for maximize), its gradient, the constraint bodies
/// (linear and nonlinear parts, bounds not subtracted) and the sparse Jacobian.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub objective: f64,
    pub gradient: Vec<f64>,
    pub constraints: Vec<f64>,
    /// Row and column of each Jacobian entry.
    pub jacobian_rows: Vec<u32>,
    pub jacobian_cols: Vec<u32>,
    pub jacobian_values: Vec<f64>,
}

impl Evaluation {
    /// The evaluation of a point where the functions could not be evaluated: every value
    /// NaN, so that every figure of the certificate is infinite.
    pub fn failed(n_var: usize, n_con: usize) -> Evaluation {
        Evaluation {
            objective: f64::NAN,
            gradient: vec![f64::NAN; n_var],
            constraints: vec![f64::NAN; n_con],
            jacobian_rows: Vec::new(),
            jacobian_cols: Vec::new(),
            jacobian_values: Vec::new(),
        }
    }

    /// `out = σ·∇f + Jᵀ·lambda`.
    pub(crate) fn lagrangian_gradient(&self, sigma: f64, lambda: &[f64], out: &mut [f64]) {
        for (o, g) in out.iter_mut().zip(&self.gradient) {
            *o = sigma * g;
        }
        for ((&i, &j), &v) in self
            .jacobian_rows
            .iter()
            .zip(&self.jacobian_cols)
            .zip(&self.jacobian_values)
        {
            out[j as usize] += v * lambda[i as usize];
        }
    }
}

/// Evaluates `model` at `x` with a derivative evaluator built for this call alone, so that
/// nothing a solver cached (values, scaling, slacks) enters the certificate.
pub fn evaluate(model: &Model, x: &[f64]) -> Result<Evaluation, String> {
    let mut d = Derivatives::new(model).map_err(|e| e.to_string())?;
    let (rows, cols) = d.jacobian_structure();
    let (jacobian_rows, jacobian_cols) = (rows.to_vec(), cols.to_vec());
    let mut eval = Evaluation {
        objective: d.objective(x).map_err(|e| e.to_string())?,
        gradient: vec![0.0; model.n_var],
        constraints: vec![0.0; model.n_con],
        jacobian_values: vec![0.0; jacobian_rows.len()],
        jacobian_rows,
        jacobian_cols,
    };
    d.gradient(x, &mut eval.gradient)
        .map_err(|e| e.to_string())?;
    d.constraints(x, &mut eval.constraints)
        .map_err(|e| e.to_string())?;
    d.jacobian_values(x, &mut eval.jacobian_values)
        .map_err(|e| e.to_string())?;
    Ok(eval)
}
