//! The filter of the line search: pairs `(θ, φ)` that trial points must improve on in
//! at least one of constraint violation θ or barrier objective φ.

use super::options::ConstraintViolationNormType;

/// Relaxed `a ≤ b` that tolerates rounding relative to `reference` (Ipopt's
/// `Compare_le`): without it, a point equal to a filter entry up to round-off would be
/// rejected and the line search could stall.
pub(crate) fn compare_le(a: f64, b: f64, reference: f64) -> bool {
    a - b <= 10.0 * f64::EPSILON * reference.abs()
}

/// The filter: a set of mutually non-dominated `(θ, φ)` pairs.
pub(crate) struct Filter {
    entries: Vec<(f64, f64)>,
}

impl Filter {
    pub fn new() -> Self {
        Filter {
            entries: Vec::with_capacity(64),
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// `true` if `(theta, phi)` is not dominated by any entry.
    pub fn acceptable(&self, theta: f64, phi: f64) -> bool {
        self.entries
            .iter()
            .all(|&(t, p)| compare_le(phi, p, p) || compare_le(theta, t, t))
    }

    /// Adds `(theta, phi)` and drops the entries it dominates.
    pub fn add(&mut self, theta: f64, phi: f64) {
        self.entries.retain(|&(t, p)| !(theta <= t && phi <= p));
        self.entries.push((theta, phi));
    }
}

/// Constraint violation θ of residuals `r` in the chosen norm.
pub(crate) fn violation_norm(norm: ConstraintViolationNormType, r: &[f64]) -> f64 {
    match norm {
        ConstraintViolationNormType::OneNorm => r.iter().map(|v| v.abs()).sum(),
        ConstraintViolationNormType::TwoNorm => r.iter().map(|v| v * v).sum::<f64>().sqrt(),
        ConstraintViolationNormType::MaxNorm => super::kkt::inf_norm(r),
    }
}
