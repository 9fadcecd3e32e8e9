//! A `.nl` model seen through the interior-point method's [`Nlp`] interface.

use crate::autodiff::Derivatives;
use crate::ipm::{EvalError, EvalResult, Nlp, StartingPoint, UserScaling};
use crate::nl::model::{Model, Sense, SuffixTarget};
use std::cell::RefCell;

/// Objective 0 of `model` (or none), its constraints and bounds, with derivatives from
/// the tape. Evaluation needs mutable workspaces while the [`Nlp`] interface hands out
/// shared references, hence the `RefCell`; the solver is single-threaded.
pub struct ModelNlp<'m> {
    model: &'m Model,
    derivatives: RefCell<Derivatives<'m>>,
    maximize: bool,
}

impl<'m> ModelNlp<'m> {
    /// Builds the derivative structures of `model` (once per model).
    pub fn new(model: &'m Model) -> Result<Self, crate::autodiff::TapeError> {
        Ok(ModelNlp {
            model,
            derivatives: RefCell::new(Derivatives::new(model)?),
            maximize: model.objective_sense.first() == Some(&Sense::Maximize),
        })
    }

    fn suffix(&self, name: &str, target: SuffixTarget) -> Option<Vec<f64>> {
        let len = match target {
            SuffixTarget::Variable => self.model.n_var,
            SuffixTarget::Constraint => self.model.n_con,
            SuffixTarget::Objective => self.model.objective_sense.len(),
            SuffixTarget::Problem => 1,
        };
        let s = self
            .model
            .suffixes
            .iter()
            .find(|s| s.name == name && s.target == target)?;
        let mut values = vec![0.0; len];
        for &(i, v) in &s.values {
            if let Some(slot) = values.get_mut(i as usize) {
                *slot = v;
            }
        }
        Some(values)
    }
}

fn eval<T>(r: Result<T, crate::autodiff::EvalError>) -> EvalResult<T> {
    r.map_err(|e| {
        log::debug!("evaluation failed: {e}");
        EvalError
    })
}

impl Nlp for ModelNlp<'_> {
    fn num_variables(&self) -> usize {
        self.model.n_var
    }

    fn num_constraints(&self) -> usize {
        self.model.n_con
    }

    fn variable_bounds(&self, lower: &mut [f64], upper: &mut [f64]) {
        lower.copy_from_slice(&self.model.var_lower);
        upper.copy_from_slice(&self.model.var_upper);
    }

    fn constraint_bounds(&self, lower: &mut [f64], upper: &mut [f64]) {
        lower.copy_from_slice(&self.model.con_lower);
        upper.copy_from_slice(&self.model.con_upper);
    }

    /// The `x` segment's values; a variable without one starts at 0 projected onto its
    /// bounds, as Ipopt's AMPL driver does.
    fn starting_point(&self) -> StartingPoint {
        let m = self.model;
        let x = (0..m.n_var)
            .map(|j| m.x0[j].unwrap_or_else(|| 0f64.max(m.var_lower[j]).min(m.var_upper[j])))
            .collect();
        // AMPL's conventions (spec B.3): λ = −σ·d, z_L = σ·zL_in, z_U = −σ·zU_in.
        let sigma = if self.maximize { -1.0 } else { 1.0 };
        let lambda =
            m.y0.iter()
                .any(Option::is_some)
                .then(|| m.y0.iter().map(|y| -sigma * y.unwrap_or(0.0)).collect());
        let scaled = |v: Vec<f64>, factor: f64| v.into_iter().map(|z| factor * z).collect();
        StartingPoint {
            x,
            lambda,
            z_lower: self
                .suffix("ipopt_zL_in", SuffixTarget::Variable)
                .map(|z| scaled(z, sigma)),
            z_upper: self
                .suffix("ipopt_zU_in", SuffixTarget::Variable)
                .map(|z| scaled(z, -sigma)),
        }
    }

    fn maximize(&self) -> bool {
        self.maximize
    }

    fn eval_f(&self, x: &[f64]) -> EvalResult<f64> {
        if self.model.tape.objectives.is_empty() {
            return Ok(0.0);
        }
        eval(self.derivatives.borrow_mut().objective(x))
    }

    fn eval_grad_f(&self, x: &[f64], grad: &mut [f64]) -> EvalResult<()> {
        if self.model.tape.objectives.is_empty() {
            grad.fill(0.0);
            return Ok(());
        }
        eval(self.derivatives.borrow_mut().gradient(x, grad))
    }

    fn eval_g(&self, x: &[f64], g: &mut [f64]) -> EvalResult<()> {
        eval(self.derivatives.borrow_mut().constraints(x, g))
    }

    fn jacobian_structure(&self) -> Vec<(usize, usize)> {
        let d = self.derivatives.borrow();
        let (rows, cols) = d.jacobian_structure();
        rows.iter()
            .zip(cols)
            .map(|(&r, &c)| (r as usize, c as usize))
            .collect()
    }

    fn eval_jacobian(&self, x: &[f64], values: &mut [f64]) -> EvalResult<()> {
        eval(self.derivatives.borrow_mut().jacobian_values(x, values))
    }

    fn hessian_structure(&self) -> Option<Vec<(usize, usize)>> {
        let d = self.derivatives.borrow();
        let (rows, cols) = d.hessian_structure();
        Some(
            rows.iter()
                .zip(cols)
                .map(|(&r, &c)| (r as usize, c as usize))
                .collect(),
        )
    }

    fn eval_hessian(
        &self,
        x: &[f64],
        obj_factor: f64,
        lambda: &[f64],
        values: &mut [f64],
    ) -> EvalResult<()> {
        eval(
            self.derivatives
                .borrow_mut()
                .hessian_values(x, obj_factor, lambda, values),
        )
    }

    fn user_scaling(&self) -> Option<UserScaling> {
        let variables = self.suffix("scaling_factor", SuffixTarget::Variable);
        let constraints = self.suffix("scaling_factor", SuffixTarget::Constraint);
        let objective = self
            .suffix("scaling_factor", SuffixTarget::Objective)
            .and_then(|o| o.first().copied())
            .filter(|&s| s != 0.0)
            .unwrap_or(1.0);
        // A scaling_factor of 0 (an index the suffix does not list) means "not scaled".
        let unit = |v: Vec<f64>| {
            v.into_iter()
                .map(|s| if s == 0.0 { 1.0 } else { s })
                .collect()
        };
        Some(UserScaling {
            objective,
            variables: variables.map(unit),
            constraints: constraints.map(unit),
        })
    }
}
