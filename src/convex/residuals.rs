//! Residuals of the homogeneous embedding at the current iterate (scaled data):
//!
//! ```text
//! rx = Px + Aᵀz + qτ,   rz = Ax + s − bτ,   rτ = qᵀx + bᵀz + κ + xᵀPx/τ.
//! ```
//!
//! The products computed here (`Px`, `Aᵀz`, `Ax`) also serve the termination tests.

use super::csc::CscMatrix;
use super::variables::{Variables, dot};

/// The scaled conic data the iteration works on.
pub struct ScaledData {
    pub p: CscMatrix,
    pub q: Vec<f64>,
    pub a: CscMatrix,
    /// `Aᵀ`, kept for the row-wise products.
    pub at: CscMatrix,
    pub b: Vec<f64>,
}

/// Residual vectors and the inner products the embedding needs.
pub struct Residuals {
    pub rx: Vec<f64>,
    pub rz: Vec<f64>,
    pub rtau: f64,
    pub px: Vec<f64>,
    pub atz: Vec<f64>,
    /// `Ax + s` (the dual-infeasibility residual when `τ → 0`).
    pub ax_s: Vec<f64>,
    pub dot_qx: f64,
    pub dot_bz: f64,
    pub dot_xpx: f64,
}

impl Residuals {
    pub fn new(n: usize, m: usize) -> Self {
        Self {
            rx: vec![0.0; n],
            rz: vec![0.0; m],
            rtau: 0.0,
            px: vec![0.0; n],
            atz: vec![0.0; n],
            ax_s: vec![0.0; m],
            dot_qx: 0.0,
            dot_bz: 0.0,
            dot_xpx: 0.0,
        }
    }

    pub fn update(&mut self, data: &ScaledData, v: &Variables) {
        self.px.fill(0.0);
        data.p.symv(1.0, &v.x, &mut self.px);
        self.atz.fill(0.0);
        data.at.gemv(1.0, &v.z, &mut self.atz);
        self.ax_s.copy_from_slice(&v.s);
        data.a.gemv(1.0, &v.x, &mut self.ax_s);
        for (j, r) in self.rx.iter_mut().enumerate() {
            *r = self.px[j] + self.atz[j] + data.q[j] * v.tau;
        }
        for (i, r) in self.rz.iter_mut().enumerate() {
            *r = self.ax_s[i] - data.b[i] * v.tau;
        }
        self.dot_qx = dot(&data.q, &v.x);
        self.dot_bz = dot(&data.b, &v.z);
        self.dot_xpx = dot(&v.x, &self.px);
        self.rtau = self.dot_qx + self.dot_bz + v.kappa + self.dot_xpx / v.tau;
    }
}
