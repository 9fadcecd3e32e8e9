//! The model's functions at one point, evaluated afresh.

use super::kkt::Scaling;
use crate::autodiff::{FirstOrder, TapeGradient};
use crate::nl::model::{Model, SuffixTarget};
use crate::options::Options;

/// Values and first derivatives of a model at a point, as the certificate needs them: the
/// objective as written (not negated for maximize), its gradient, the constraint bodies
/// (linear and nonlinear parts, bounds not subtracted) and the sparse Jacobian.
pub type Evaluation = FirstOrder;

impl FirstOrder {
    /// The evaluation of a point where the functions could not be evaluated: every value
    /// NaN, so that every figure of the certificate is infinite.
    pub fn failed(n_var: usize, n_con: usize) -> Evaluation {
        Evaluation {
            objective: f64::NAN,
            gradient: vec![f64::NAN; n_var],
            constraints: vec![f64::NAN; n_con],
            ..Evaluation::default()
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

/// A first-order evaluator of one model, built anew for one certificate so that nothing a
/// solver cached (values, scaling, slacks, compiled derivative programs) enters it. It
/// differentiates the tape directly ([`TapeGradient`]): a certificate needs first
/// derivatives at two points only, so a solver's symbolic set-up would cost more than
/// the evaluations themselves.
pub(crate) struct Fresh<'m>(TapeGradient<'m>);

impl<'m> Fresh<'m> {
    pub(crate) fn new(model: &'m Model) -> Fresh<'m> {
        Fresh(TapeGradient::new(model))
    }

    pub(crate) fn at(&mut self, x: &[f64]) -> Result<Evaluation, String> {
        let mut v = Evaluation::default();
        self.0.evaluate(x, &mut v).map_err(|e| e.to_string())?;
        Ok(v)
    }
}

/// Which NLP scaling `tol` is judged under (Ipopt's `nlp_scaling_method`).
#[derive(Clone, Debug, PartialEq)]
pub enum NlpScaling {
    /// The unscaled problem (`none`).
    None,
    /// Ipopt's default: at the model's starting point (0 where the file gives none), the
    /// objective and each row whose gradient exceeds `max_gradient` in max-norm is scaled
    /// down to it, never below `min_value`; a positive target gradient (objective or
    /// rows) instead scales that gradient to the target, up or down.
    GradientBased {
        max_gradient: f64,
        min_value: f64,
        obj_target_gradient: f64,
        constr_target_gradient: f64,
    },
    /// Factors given by the user (`user-scaling`).
    Given(Scaling),
}

impl NlpScaling {
    /// Ipopt's defaults (gradient-based, 100, 1e-8, no target gradients).
    pub const IPOPT_DEFAULT: NlpScaling = NlpScaling::GradientBased {
        max_gradient: 100.0,
        min_value: 1e-8,
        obj_target_gradient: 0.0,
        constr_target_gradient: 0.0,
    };

    /// The scaling the options ask for (`nlp_scaling_method`, `nlp_scaling_max_gradient`,
    /// `nlp_scaling_min_value`, `nlp_scaling_obj_target_gradient`,
    /// `nlp_scaling_constr_target_gradient`; `user-scaling` takes the model's
    /// `scaling_factor` suffixes). `obj_scaling_factor` other than 1 is not reflected.
    pub fn from_options(options: &Options, model: &Model) -> NlpScaling {
        match options.string("nlp_scaling_method") {
            "none" => NlpScaling::None,
            "user-scaling" => {
                let suffix = |target: SuffixTarget, len: usize| {
                    let mut v = vec![1.0; len];
                    for s in &model.suffixes {
                        if s.name == "scaling_factor" && s.target == target {
                            for &(i, value) in &s.values {
                                if let Some(slot) = v.get_mut(i as usize)
                                    && value.is_finite()
                                    && value > 0.0
                                {
                                    *slot = value;
                                }
                            }
                        }
                    }
                    v
                };
                NlpScaling::Given(Scaling {
                    objective: suffix(SuffixTarget::Objective, 1)[0],
                    constraints: suffix(SuffixTarget::Constraint, model.n_con),
                })
            }
            _ => NlpScaling::GradientBased {
                max_gradient: options.real("nlp_scaling_max_gradient"),
                min_value: options.real("nlp_scaling_min_value"),
                obj_target_gradient: options.real("nlp_scaling_obj_target_gradient"),
                constr_target_gradient: options.real("nlp_scaling_constr_target_gradient"),
            },
        }
    }

    /// Whether the factors are computed at the starting point and never exceed 1, so
    /// that the scaled overall error is at most the unscaled one
    /// ([`Residuals::bound_scaled_error`](super::Residuals::bound_scaled_error)): the
    /// gradient-based scaling without target gradients and with `min_value ≤ 1` (a
    /// factor is then 1 or `max(max_gradient/‖∇‖∞, min_value)` with `‖∇‖∞ >
    /// max_gradient`). A target gradient may scale a function up; given factors cost no
    /// evaluation, so there is nothing to save.
    pub(crate) fn contracts_at_start(&self) -> bool {
        matches!(
            *self,
            NlpScaling::GradientBased {
                min_value,
                obj_target_gradient,
                constr_target_gradient,
                ..
            } if min_value <= 1.0 && obj_target_gradient <= 0.0 && constr_target_gradient <= 0.0
        )
    }

    /// The factors for `model`, evaluating with `fresh` where needed; `None` for the
    /// unscaled problem or when the starting point cannot be differentiated.
    pub(crate) fn factors(&self, model: &Model, fresh: &mut Fresh<'_>) -> Option<Scaling> {
        let (max_gradient, min_value, obj_target, constr_target) = match self {
            NlpScaling::None => return None,
            NlpScaling::Given(s) => return Some(s.clone()),
            NlpScaling::GradientBased {
                max_gradient,
                min_value,
                obj_target_gradient,
                constr_target_gradient,
            } => (
                *max_gradient,
                *min_value,
                *obj_target_gradient,
                *constr_target_gradient,
            ),
        };
        let x0: Vec<f64> = model.x0.iter().map(|v| v.unwrap_or(0.0)).collect();
        let eval = fresh.at(&x0).ok()?;
        let factor = |norm: f64, target: f64| {
            if target > 0.0 {
                (target / norm.max(f64::MIN_POSITIVE)).max(min_value)
            } else if norm > max_gradient {
                (max_gradient / norm).max(min_value)
            } else {
                1.0
            }
        };
        let gmax = eval.gradient.iter().fold(0.0f64, |a, g| a.max(g.abs()));
        let mut row_max = vec![0.0f64; model.n_con];
        for (&i, v) in eval.jacobian_rows.iter().zip(&eval.jacobian_values) {
            row_max[i as usize] = row_max[i as usize].max(v.abs());
        }
        if !gmax.is_finite() || row_max.iter().any(|v| !v.is_finite()) {
            return None;
        }
        Some(Scaling {
            objective: factor(gmax, obj_target),
            constraints: row_max
                .into_iter()
                .map(|norm| factor(norm, constr_target))
                .collect(),
        })
    }
}
