//! Certificates of primal infeasibility (Farkas multipliers) and of unboundedness
//! (improving rays) for models with linear constraints and an objective of degree at
//! most two, checked on the model evaluated afresh.
//!
//! A solver that reports a model infeasible or unbounded hands over a vector that
//! proves it; this module checks the proof against the model's own functions, so a
//! bug in the solver's scaling, conic reformulation or sign conventions cannot turn
//! into a wrong "infeasible" verdict.
//!
//! *Farkas.* Multipliers `(y, z_L, z_U)` in Ipopt's convention (`yᵢ > 0` weighs the
//! upper side of row `i`, `yᵢ < 0` its lower side; `z_L, z_U ≥ 0`) prove
//! `{x : l ≤ Ax ≤ u, l_x ≤ x ≤ u_x}` empty when `r = Aᵀy − z_L + z_U = 0` and the
//! support value `h = Σ (uᵢ yᵢ⁺ − lᵢ yᵢ⁻) + Σ (u_xⱼ z_Uⱼ − l_xⱼ z_Lⱼ) < 0`: every
//! feasible `x` would give `0 = rᵀx ≤ h`. Weights on absent sides are dropped before
//! `r` is formed, so they cannot hide anything. Numerically `r` is small, not zero;
//! the certificate is accepted when `‖r‖∞ ≤ ε |h|` after scaling it to unit size.
//!
//! *Ray.* A direction `d` proves the objective unbounded on a nonempty feasible set
//! when `Pd = 0`, `σ∇fᵀd < 0` (σ = −1 for maximize) and `d` lies in the recession
//! cone: `(Ad)ᵢ ≤ 0` where `uᵢ` is finite, `≥ 0` where `lᵢ` is, and likewise for the
//! variable bounds. `Ad` is the Jacobian at the origin times `d`, and `Pd` the
//! difference of the objective's gradients at `d` and at the origin, both exact for
//! the model class; violations are accepted up to `ε |σ∇fᵀd|`.

use super::evaluation::Fresh;
use crate::nl::model::Model;

/// Bounds of magnitude at least this are absent (AMPL's and Pyomo's sentinels).
const ABSENT_BOUND: f64 = 1e20;

/// Relative tolerance `ε` of both checks, on a certificate of unit infinity norm.
pub const CERTIFICATE_TOLERANCE: f64 = 1e-6;

fn present(bound: f64) -> bool {
    bound.abs() < ABSENT_BOUND
}

/// The figures of a checked Farkas certificate (scaled to unit infinity norm).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FarkasCheck {
    /// `‖Aᵀy − z_L + z_U‖∞` with weights on absent sides dropped.
    pub residual: f64,
    /// The support value `h`; negative for a proof.
    pub support: f64,
    /// Largest negative bound multiplier (a sign error), as a positive number.
    pub sign_violation: f64,
}

impl FarkasCheck {
    pub fn verified(&self) -> bool {
        self.support < 0.0
            && self.residual <= CERTIFICATE_TOLERANCE * -self.support
            && self.sign_violation <= CERTIFICATE_TOLERANCE * -self.support
    }

    pub fn summary_line(&self) -> String {
        format!(
            "Farkas certificate {}: support value {:.3e}, |A'y - zL + zU| {:.3e}",
            if self.verified() {
                "verified"
            } else {
                "NOT verified"
            },
            self.support,
            self.residual
        )
    }
}

/// The figures of a checked improving ray (scaled to unit infinity norm).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RayCheck {
    /// `σ∇f(0)ᵀd`; negative for a proof.
    pub slope: f64,
    /// `‖Pd‖∞`.
    pub curvature: f64,
    /// Largest violation of the recession cone by `Ad` and `d`.
    pub recession_violation: f64,
}

impl RayCheck {
    pub fn verified(&self) -> bool {
        let allowed = CERTIFICATE_TOLERANCE * -self.slope;
        self.slope < 0.0 && self.curvature <= allowed && self.recession_violation <= allowed
    }

    pub fn summary_line(&self) -> String {
        format!(
            "unbounded ray {}: slope {:.3e}, |Pd| {:.3e}, recession violation {:.3e}",
            if self.verified() {
                "verified"
            } else {
                "NOT verified"
            },
            self.slope,
            self.curvature,
            self.recession_violation
        )
    }
}

/// `v / ‖v‖∞` over the concatenation of `parts`; `None` when all are zero or any is
/// not finite.
fn unit_scale(parts: &[&[f64]]) -> Option<f64> {
    let norm = parts
        .iter()
        .flat_map(|p| p.iter())
        .try_fold(0.0f64, |m, v| v.is_finite().then(|| m.max(v.abs())))?;
    (norm > 0.0).then(|| 1.0 / norm)
}

/// Checks Farkas multipliers `(lambda, z_lower, z_upper)` of `model`'s constraints.
pub fn check_farkas(
    model: &Model,
    lambda: &[f64],
    z_lower: &[f64],
    z_upper: &[f64],
) -> Result<FarkasCheck, String> {
    let (n, m) = (model.n_var, model.n_con);
    if lambda.len() != m || z_lower.len() != n || z_upper.len() != n {
        return Err("the certificate has vectors of the wrong length".into());
    }
    let scale =
        unit_scale(&[lambda, z_lower, z_upper]).ok_or("the certificate is zero or not finite")?;
    let eval = Fresh::new(model).at(&vec![0.0; n])?;
    let mut y = vec![0.0; m];
    let mut support = 0.0;
    for i in 0..m {
        let yi = lambda[i] * scale;
        if yi > 0.0 && present(model.con_upper[i]) {
            y[i] = yi;
            support += model.con_upper[i] * yi;
        } else if yi < 0.0 && present(model.con_lower[i]) {
            y[i] = yi;
            support += model.con_lower[i] * yi;
        }
    }
    let mut r = vec![0.0; n];
    eval.lagrangian_gradient(0.0, &y, &mut r);
    let mut sign_violation = 0.0f64;
    for j in 0..n {
        for (z, bound, sign) in [
            (z_lower[j] * scale, model.var_lower[j], -1.0),
            (z_upper[j] * scale, model.var_upper[j], 1.0),
        ] {
            sign_violation = sign_violation.max(-z);
            if z > 0.0 && present(bound) {
                r[j] += sign * z;
                support += sign * bound * z;
            }
        }
    }
    Ok(FarkasCheck {
        residual: r.iter().fold(0.0, |a, v| a.max(v.abs())),
        support,
        sign_violation,
    })
}

/// Checks an improving ray `direction` of `model` (σ from its objective sense).
pub fn check_ray(model: &Model, sigma: f64, direction: &[f64]) -> Result<RayCheck, String> {
    let n = model.n_var;
    if direction.len() != n {
        return Err("the ray has the wrong length".into());
    }
    let scale = unit_scale(&[direction]).ok_or("the ray is zero or not finite")?;
    let d: Vec<f64> = direction.iter().map(|v| v * scale).collect();
    let mut fresh = Fresh::new(model);
    let at_origin = fresh.at(&vec![0.0; n])?;
    let at_d = fresh.at(&d)?;
    let slope = sigma
        * at_origin
            .gradient
            .iter()
            .zip(&d)
            .map(|(g, v)| g * v)
            .sum::<f64>();
    let curvature = at_d
        .gradient
        .iter()
        .zip(&at_origin.gradient)
        .fold(0.0f64, |a, (g1, g0)| a.max((g1 - g0).abs()));
    let mut ad = vec![0.0; model.n_con];
    for ((&i, &j), &v) in at_origin
        .jacobian_rows
        .iter()
        .zip(&at_origin.jacobian_cols)
        .zip(&at_origin.jacobian_values)
    {
        ad[i as usize] += v * d[j as usize];
    }
    let cone_violation = |v: f64, lower: f64, upper: f64| {
        let above = if present(upper) { v } else { 0.0 };
        let below = if present(lower) { -v } else { 0.0 };
        above.max(below).max(0.0)
    };
    let rows =
        (0..model.n_con).map(|i| cone_violation(ad[i], model.con_lower[i], model.con_upper[i]));
    let columns = (0..n).map(|j| cone_violation(d[j], model.var_lower[j], model.var_upper[j]));
    Ok(RayCheck {
        slope,
        curvature,
        recession_violation: rows.chain(columns).fold(0.0, f64::max),
    })
}
