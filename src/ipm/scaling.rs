//! Scaling factors of the objective, the variables and the constraints.
//!
//! Gradient-based scaling (Ipopt's default) shrinks the objective and every constraint
//! whose gradient at the starting point exceeds `nlp_scaling_max_gradient` in max-norm,
//! so that no function dominates the first Newton step; it never enlarges one.

use super::options::IpmOptions;
use super::problem::Nlp;

/// Multiplicative factors: `f̃ = objective·f`, `x̃_j = variables[j]·x_j`,
/// `g̃_i = constraints[i]·g_i`.
pub(crate) struct Scales {
    pub objective: f64,
    pub variables: Vec<f64>,
    pub constraints: Vec<f64>,
}

impl Scales {
    pub fn identity(n: usize, m: usize) -> Self {
        Scales {
            objective: 1.0,
            variables: vec![1.0; n],
            constraints: vec![1.0; m],
        }
    }

    /// Factors from the user's `scaling_factor` suffixes; missing or non-positive entries
    /// mean 1.
    pub fn from_user(nlp: &dyn Nlp, n: usize, m: usize) -> Self {
        let mut s = Scales::identity(n, m);
        if let Some(u) = nlp.user_scaling() {
            let positive = |v: f64| if v.is_finite() && v > 0.0 { v } else { 1.0 };
            if u.objective.is_finite() && u.objective != 0.0 {
                s.objective = u.objective;
            }
            if let Some(v) = u.variables.filter(|v| v.len() == n) {
                s.variables = v.into_iter().map(positive).collect();
            }
            if let Some(c) = u.constraints.filter(|c| c.len() == m) {
                s.constraints = c.into_iter().map(positive).collect();
            }
        }
        s
    }

    /// Gradient-based factors at `x` (the user's starting point, fixed variables at their
    /// values). `None` when the derivatives cannot be evaluated there.
    pub fn gradient_based(
        nlp: &dyn Nlp,
        x: &[f64],
        jac_structure: &[(usize, usize)],
        opt: &IpmOptions,
    ) -> Option<Self> {
        let n = x.len();
        let m = nlp.num_constraints();
        let mut s = Scales::identity(n, m);
        let factor = |norm: f64, target: f64| {
            if target > 0.0 {
                (target / norm.max(f64::MIN_POSITIVE)).max(opt.nlp_scaling_min_value)
            } else if norm > opt.nlp_scaling_max_gradient {
                (opt.nlp_scaling_max_gradient / norm).max(opt.nlp_scaling_min_value)
            } else {
                1.0
            }
        };
        let mut grad = vec![0.0; n];
        nlp.eval_grad_f(x, &mut grad).ok()?;
        let gmax = grad.iter().fold(0.0f64, |a, g| a.max(g.abs()));
        if !gmax.is_finite() {
            return None;
        }
        s.objective = factor(gmax, opt.nlp_scaling_obj_target_gradient);
        if m > 0 {
            let mut vals = vec![0.0; jac_structure.len()];
            nlp.eval_jacobian(x, &mut vals).ok()?;
            let mut row_max = vec![0.0f64; m];
            for (&(i, _), v) in jac_structure.iter().zip(&vals) {
                row_max[i] = row_max[i].max(v.abs());
            }
            if row_max.iter().any(|v| !v.is_finite()) {
                return None;
            }
            for (c, &rm) in s.constraints.iter_mut().zip(&row_max) {
                *c = factor(rm, opt.nlp_scaling_constr_target_gradient);
            }
        }
        Some(s)
    }
}
