//! Iterates of the homogeneous embedding: `(x, s, z, τ, κ)`, and steps of the same shape.

/// A point (or a step) of the homogeneous self-dual embedding. The candidate
/// solution of the conic problem is `(x, s, z) / τ`; `τ → 0` with `κ > 0` signals
/// infeasibility, with `(x, s)` or `z` tending to a certificate.
#[derive(Clone, Debug)]
pub struct Variables {
    pub x: Vec<f64>,
    pub s: Vec<f64>,
    pub z: Vec<f64>,
    pub tau: f64,
    pub kappa: f64,
}

impl Variables {
    pub fn new(n: usize, m: usize) -> Self {
        Self {
            x: vec![0.0; n],
            s: vec![0.0; m],
            z: vec![0.0; m],
            tau: 1.0,
            kappa: 1.0,
        }
    }

    /// `self ← self + α step`.
    pub fn add_step(&mut self, alpha: f64, step: &Variables) {
        let axpy = |y: &mut [f64], x: &[f64]| {
            y.iter_mut().zip(x).for_each(|(yi, xi)| *yi += alpha * xi);
        };
        axpy(&mut self.x, &step.x);
        axpy(&mut self.s, &step.s);
        axpy(&mut self.z, &step.z);
        self.tau += alpha * step.tau;
        self.kappa += alpha * step.kappa;
    }

    /// Copies `other` into `self` without reallocating.
    pub fn copy_from(&mut self, other: &Variables) {
        self.x.copy_from_slice(&other.x);
        self.s.copy_from_slice(&other.s);
        self.z.copy_from_slice(&other.z);
        self.tau = other.tau;
        self.kappa = other.kappa;
    }

    /// Barrier parameter `μ = (sᵀz + τκ) / (ν + 1)`.
    pub fn mu(&self, degree: usize) -> f64 {
        (dot(&self.s, &self.z) + self.tau * self.kappa) / (degree as f64 + 1.0)
    }
}

pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

pub fn norm_inf(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// `‖diag(d) a‖∞`.
pub fn norm_inf_scaled(a: &[f64], d: &[f64]) -> f64 {
    a.iter().zip(d).fold(0.0, |m, (v, s)| m.max((v * s).abs()))
}

/// `‖diag(d)⁻¹ a‖∞`.
pub fn norm_inf_unscaled(a: &[f64], d: &[f64]) -> f64 {
    a.iter().zip(d).fold(0.0, |m, (v, s)| m.max((v / s).abs()))
}
