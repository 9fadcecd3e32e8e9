//! The second-order cone `{(t, v) : ‖v‖₂ ≤ t}` with its Nesterov–Todd scaling.
//!
//! For an interior pair `(s, z)` the NT scaling is `W = η W̄` with
//!
//! ```text
//! W̄ = [[w₀, w₁ᵀ], [w₁, I + w₁w₁ᵀ/(1 + w₀)]],   w₀² − ‖w₁‖² = 1,
//! ```
//!
//! `w̄ ∝ s/√(sᵀJs) + J z/√(zᵀJz)` normalized to unit `J`-norm, `η = (sᵀJs / zᵀJz)^¼`
//! and `J = diag(1, −I)`; it maps both variables to the same point `λ = W z = W⁻¹ s`.
//! `W` is symmetric, and every product with it or its inverse costs one dot product
//! and two vector updates, so no operation here forms a matrix.
//!
//! `WᵀW = η²(2wwᵀ − J)` is dense. The KKT matrix receives it in the sparse form
//! `η²(D + uuᵀ − vvᵀ)` with `D = diag(d, 1, …, 1)`, `u = (u₀, u₁w₁)`,
//! `v = (0, v₁w₁)`: the block keeps the diagonal `−η²D`, and two extra KKT
//! variables carry the rank-one terms (columns `ηv` with pivot `−1` and `ηu` with
//! pivot `+1`; eliminating them gives back `−WᵀW`). With `d = 1/(2‖w‖²)` the
//! negative part `D − vvᵀ` stays positive definite, so the expanded matrix is
//! quasi-definite like the rest of the system.

use std::ops::Range;

use super::cones::Cone;

/// One second-order cone block of dimension `dim ≥ 2` (its first entry is the
/// "height" `t`).
#[derive(Clone, Debug)]
pub struct SecondOrderCone {
    /// The normalized scaling point `w̄`.
    w: Vec<f64>,
    eta: f64,
    /// `λ = W z`.
    lambda: Vec<f64>,
    /// Leading entry of `D` and the rank-one vectors of `WᵀW/η²`.
    d: f64,
    u: Vec<f64>,
    v: Vec<f64>,
}

/// `x₀² − ‖x₁‖²`.
fn residual(x: &[f64]) -> f64 {
    x[0] * x[0] - x[1..].iter().map(|v| v * v).sum::<f64>()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Cones up to this dimension keep `WᵀW` as a dense block: `dim(dim+1)/2` entries
/// are no more than the expansion's `3·dim + 2`, and the dense block avoids the
/// cancellation between `uuᵀ` and `vvᵀ` when `w` is large (iterates near the
/// boundary), which costs the expansion accuracy in the last iterations.
pub const DENSE_BLOCK_LIMIT: usize = 16;

impl SecondOrderCone {
    fn is_expanded(&self) -> bool {
        self.w.len() > DENSE_BLOCK_LIMIT
    }

    pub fn new(dim: usize) -> Self {
        assert!(dim >= 2, "a second-order cone has dimension at least 2");
        let mut cone = Self {
            w: vec![0.0; dim],
            eta: 1.0,
            lambda: vec![0.0; dim],
            d: 0.5,
            u: vec![0.0; dim],
            v: vec![0.0; dim],
        };
        cone.set_identity_scaling();
        cone
    }

    /// `x ← factor · W̄ x` in place (`factor = η` gives `W`).
    fn mul_wbar(&self, factor: f64, x: &mut [f64]) {
        let w = &self.w;
        let zeta = dot(&w[1..], &x[1..]);
        let c = x[0] + zeta / (1.0 + w[0]);
        x[0] = factor * (w[0] * x[0] + zeta);
        for (xi, wi) in x[1..].iter_mut().zip(&w[1..]) {
            *xi = factor * (*xi + c * wi);
        }
    }

    /// `x ← W⁻¹ x` in place (`W̄⁻¹ = J W̄ J`).
    #[cfg(test)]
    fn mul_w_inverse(&self, x: &mut [f64]) {
        let w = &self.w;
        let zeta = dot(&w[1..], &x[1..]);
        let c = -x[0] + zeta / (1.0 + w[0]);
        let f = 1.0 / self.eta;
        x[0] = f * (w[0] * x[0] - zeta);
        for (xi, wi) in x[1..].iter_mut().zip(&w[1..]) {
            *xi = f * (*xi + c * wi);
        }
    }

    /// `out ← λ \ r`, the solution of `λ ∘ out = r` in the Jordan algebra.
    fn lambda_inverse_product(&self, r: &[f64], out: &mut [f64]) {
        let l = &self.lambda;
        let p = residual(l);
        let v = dot(&l[1..], &r[1..]);
        out[0] = (l[0] * r[0] - v) / p;
        let c1 = (v / l[0] - r[0]) / p;
        let c2 = 1.0 / l[0];
        for ((o, li), ri) in out[1..].iter_mut().zip(&l[1..]).zip(&r[1..]) {
            *o = c1 * li + c2 * ri;
        }
    }

    /// Rank-one vectors of `WᵀW = η²(D + uuᵀ − vvᵀ)` from the current `w̄`.
    fn update_expansion(&mut self) {
        let w1_sq: f64 = self.w[1..].iter().map(|v| v * v).sum();
        let w_sq = self.w[0] * self.w[0] + w1_sq;
        self.d = 0.5 / w_sq;
        let u0 = (w_sq - self.d).sqrt();
        let u1 = 2.0 * self.w[0] / u0;
        // u₁² − v₁² = 2 matches the (1:, 1:) block; this form avoids the cancellation.
        let v1 = ((4.0 * w_sq + 2.0) / (2.0 * w_sq * w_sq - 1.0)).sqrt();
        self.u[0] = u0;
        self.v[0] = 0.0;
        for k in 1..self.w.len() {
            self.u[k] = u1 * self.w[k];
            self.v[k] = v1 * self.w[k];
        }
    }

    /// Largest `α ≤ alpha_max` with `x + α dx` in the cone, `x` interior: the
    /// smallest positive root of `(x₀ + α dx₀)² − ‖x₁ + α dx₁‖²`, which reaches zero
    /// before `x₀ + α dx₀` can change sign.
    fn boundary_step(x: &[f64], dx: &[f64], alpha_max: f64) -> f64 {
        let a = residual(dx);
        let b = 2.0 * (x[0] * dx[0] - dot(&x[1..], &dx[1..]));
        let c = residual(x).max(0.0);
        if c == 0.0 {
            // On the boundary already: a direction into the cone keeps the full step.
            return if a >= 0.0 && b >= 0.0 { alpha_max } else { 0.0 };
        }
        let disc = b * b - 4.0 * a * c;
        if disc < 0.0 {
            return alpha_max;
        }
        // Both roots without cancellation: r₁ = 2c/t, r₂ = t/(2a).
        let t = if b >= 0.0 {
            -b - disc.sqrt()
        } else {
            -b + disc.sqrt()
        };
        let positive = |r: f64| if r > 0.0 { r } else { f64::INFINITY };
        let r1 = if t != 0.0 {
            positive(2.0 * c / t)
        } else {
            f64::INFINITY
        };
        let r2 = if a != 0.0 {
            positive(t / (2.0 * a))
        } else {
            f64::INFINITY
        };
        alpha_max.min(r1).min(r2)
    }

    /// Shift along `e = (1, 0, …)` making `x₀ − ‖x₁‖ = 1` when `x` is not safely
    /// interior, as the orthant's shift makes its smallest entry 1.
    fn shift(x: &mut [f64]) {
        let margin = x[0] - dot(&x[1..], &x[1..]).sqrt();
        if margin < f64::EPSILON.sqrt() {
            x[0] += 1.0 - margin;
        }
    }
}

impl Cone for SecondOrderCone {
    fn dim(&self) -> usize {
        self.w.len()
    }

    fn degree(&self) -> usize {
        1
    }

    fn block_column_rows(&self, col: usize) -> Range<usize> {
        if self.is_expanded() {
            col..col + 1
        } else {
            0..col + 1
        }
    }

    fn wtw_values(&self, out: &mut [f64]) {
        let eta_sq = self.eta * self.eta;
        if self.is_expanded() {
            out.fill(eta_sq);
            out[0] *= self.d;
            return;
        }
        // η²(2wwᵀ − J), upper triangle column by column.
        let w = &self.w;
        let mut k = 0;
        for j in 0..w.len() {
            for i in 0..=j {
                let j_entry = match (i == j, i) {
                    (false, _) => 0.0,
                    (true, 0) => 1.0,
                    (true, _) => -1.0,
                };
                out[k] = eta_sq * (2.0 * w[i] * w[j] - j_entry);
                k += 1;
            }
        }
    }

    fn expansion_dim(&self) -> usize {
        if self.is_expanded() { 2 } else { 0 }
    }

    fn diagonal_in_kkt(&self) -> bool {
        self.is_expanded()
    }

    fn expansion_column(&self, k: usize, col: &mut [f64]) -> f64 {
        let (vector, pivot) = if k == 0 {
            (&self.v, -1.0)
        } else {
            (&self.u, 1.0)
        };
        for (c, x) in col.iter_mut().zip(vector) {
            *c = self.eta * x;
        }
        pivot
    }

    fn set_identity_scaling(&mut self) {
        self.w.fill(0.0);
        self.w[0] = 1.0;
        self.eta = 1.0;
        self.lambda.fill(0.0);
        self.lambda[0] = 1.0;
        self.update_expansion();
    }

    fn update_scaling(&mut self, s: &[f64], z: &[f64]) {
        let (s_res, z_res) = (residual(s), residual(z));
        if !(s_res > 0.0 && z_res > 0.0) {
            // Not interior (only through round-off): keep the previous scaling.
            return;
        }
        let (s_scale, z_scale) = (s_res.sqrt(), z_res.sqrt());
        let gamma = ((1.0 + dot(s, z) / (s_scale * z_scale)) / 2.0).sqrt();
        let f = 1.0 / (2.0 * gamma);
        self.w[0] = f * (s[0] / s_scale + z[0] / z_scale);
        for k in 1..s.len() {
            self.w[k] = f * (s[k] / s_scale - z[k] / z_scale);
        }
        // Restore the unit J-norm lost to round-off.
        self.w[0] = (1.0 + dot(&self.w[1..], &self.w[1..])).sqrt();
        self.eta = (s_scale / z_scale).sqrt();
        let mut lambda = std::mem::take(&mut self.lambda);
        lambda.copy_from_slice(z);
        self.mul_wbar(self.eta, &mut lambda);
        self.lambda = lambda;
        self.update_expansion();
    }

    fn shift_primal_to_interior(&self, s: &mut [f64]) {
        Self::shift(s);
    }

    fn shift_dual_to_interior(&self, z: &[f64], out: &mut [f64]) {
        out.copy_from_slice(z);
        Self::shift(out);
    }

    fn affine_ds(&self, ds: &mut [f64]) {
        let l = &self.lambda;
        ds[0] = dot(l, l);
        for (d, li) in ds[1..].iter_mut().zip(&l[1..]) {
            *d = 2.0 * l[0] * li;
        }
    }

    fn add_corrector(&self, ds: &mut [f64], step_s: &[f64], step_z: &[f64], sigma_mu: f64) {
        // a = W⁻¹Δs and b = WΔz are combinations of (Δs₁, w₁) and (Δz₁, w₁); their
        // Jordan product a∘b = (aᵀb, a₀b₁ + b₀a₁) is formed without storing them.
        let (w, eta) = (&self.w, self.eta);
        let zeta_s = dot(&w[1..], &step_s[1..]);
        let zeta_z = dot(&w[1..], &step_z[1..]);
        let a0 = (w[0] * step_s[0] - zeta_s) / eta;
        let ca = -step_s[0] + zeta_s / (1.0 + w[0]);
        let b0 = eta * (w[0] * step_z[0] + zeta_z);
        let cb = step_z[0] + zeta_z / (1.0 + w[0]);
        let w1_sq = dot(&w[1..], &w[1..]);
        // a₁ᵀb₁ = (Δs₁ + ca w₁)ᵀ(Δz₁ + cb w₁) (η cancels).
        let a1b1 = dot(&step_s[1..], &step_z[1..]) + cb * zeta_s + ca * zeta_z + ca * cb * w1_sq;
        ds[0] += a0 * b0 + a1b1 - sigma_mu;
        for k in 1..ds.len() {
            let a1 = (step_s[k] + ca * w[k]) / eta;
            let b1 = eta * (step_z[k] + cb * w[k]);
            ds[k] += a0 * b1 + b0 * a1;
        }
    }

    fn complementarity_rhs(&self, ds: &[f64], out: &mut [f64]) {
        self.lambda_inverse_product(ds, out);
        self.mul_wbar(self.eta, out);
    }

    fn slack_step(&self, ds: &[f64], step_z: &[f64], step_s: &mut [f64]) {
        // Δs = −W(λ \ ds + W Δz).
        self.lambda_inverse_product(ds, step_s);
        let w = &self.w;
        let zeta = dot(&w[1..], &step_z[1..]);
        let c = step_z[0] + zeta / (1.0 + w[0]);
        step_s[0] += self.eta * (w[0] * step_z[0] + zeta);
        for k in 1..step_s.len() {
            step_s[k] += self.eta * (step_z[k] + c * w[k]);
        }
        self.mul_wbar(-self.eta, step_s);
    }

    fn max_step(
        &self,
        s: &[f64],
        z: &[f64],
        step_s: &[f64],
        step_z: &[f64],
        alpha_max: f64,
    ) -> f64 {
        let alpha = Self::boundary_step(s, step_s, alpha_max);
        Self::boundary_step(z, step_z, alpha)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dense_w(cone: &SecondOrderCone) -> Vec<Vec<f64>> {
        let dim = cone.dim();
        (0..dim)
            .map(|j| {
                let mut e = vec![0.0; dim];
                e[j] = 1.0;
                cone.mul_wbar(cone.eta, &mut e);
                e
            })
            .collect()
    }

    fn scaled_pair() -> (SecondOrderCone, Vec<f64>, Vec<f64>) {
        let s = vec![3.0, 1.0, -2.0, 0.5];
        let z = vec![2.0, -0.3, 0.4, 1.2];
        let mut cone = SecondOrderCone::new(4);
        cone.update_scaling(&s, &z);
        (cone, s, z)
    }

    /// A scaled cone of dimension `dim` (above [`DENSE_BLOCK_LIMIT`]: expanded).
    fn scaled_cone(dim: usize) -> SecondOrderCone {
        let mut s: Vec<f64> = (0..dim).map(|k| 0.5 * (k as f64).sin()).collect();
        let mut z: Vec<f64> = (0..dim).map(|k| 0.3 * (k as f64).cos()).collect();
        s[0] = 10.0;
        z[0] = 8.0;
        let mut cone = SecondOrderCone::new(dim);
        cone.update_scaling(&s, &z);
        cone
    }

    #[test]
    fn nt_scaling_maps_s_and_z_to_the_same_point() {
        let (cone, s, z) = scaled_pair();
        let mut ws = s.clone();
        cone.mul_w_inverse(&mut ws);
        let mut wz = z.clone();
        cone.mul_wbar(cone.eta, &mut wz);
        for k in 0..4 {
            assert!((ws[k] - cone.lambda[k]).abs() < 1e-13);
            assert!((wz[k] - cone.lambda[k]).abs() < 1e-13);
        }
    }

    #[test]
    fn dense_block_is_wtw() {
        let (cone, _, _) = scaled_pair();
        assert_eq!(cone.expansion_dim(), 0);
        let w = dense_w(&cone);
        let mut block = vec![0.0; 10];
        cone.wtw_values(&mut block);
        let mut k = 0;
        for j in 0..4 {
            assert_eq!(cone.block_column_rows(j), 0..j + 1);
            for i in 0..=j {
                let dense: f64 = (0..4).map(|l| w[i][l] * w[j][l]).sum();
                assert!((dense - block[k]).abs() < 1e-12);
                k += 1;
            }
        }
    }

    #[test]
    fn sparse_expansion_reproduces_wtw() {
        let dim = DENSE_BLOCK_LIMIT + 3;
        let cone = scaled_cone(dim);
        assert_eq!(cone.expansion_dim(), 2);
        let w = dense_w(&cone);
        let mut diag = vec![0.0; dim];
        cone.wtw_values(&mut diag);
        let (mut cv, mut cu) = (vec![0.0; dim], vec![0.0; dim]);
        assert_eq!(cone.expansion_column(0, &mut cv), -1.0);
        assert_eq!(cone.expansion_column(1, &mut cu), 1.0);
        for i in 0..dim {
            for j in 0..dim {
                // W symmetric: (WᵀW)_ij = Σ_k W_ik W_kj, columns of `w` are W e_j.
                let dense: f64 = (0..dim).map(|k| w[i][k] * w[j][k]).sum();
                let d = if i == j { diag[i] } else { 0.0 };
                let sparse = d + cu[i] * cu[j] - cv[i] * cv[j];
                assert!(
                    (dense - sparse).abs() < 1e-12,
                    "({i}, {j}): {dense} vs {sparse}"
                );
            }
        }
        // D − vvᵀ positive definite: the expanded matrix is quasi-definite.
        let vtv: f64 = cv.iter().map(|x| x * x).sum::<f64>() / (cone.eta * cone.eta);
        assert!(vtv < 1.0);
    }

    #[test]
    fn slack_step_satisfies_linearized_complementarity() {
        // λ∘(W⁻¹Δs + WΔz) = −ds.
        let (cone, _, _) = scaled_pair();
        let ds = [0.7, -0.2, 0.1, 0.4];
        let dz = [0.3, 0.5, -1.0, 0.2];
        let mut dsl = [0.0; 4];
        cone.slack_step(&ds, &dz, &mut dsl);
        let mut a = dsl;
        cone.mul_w_inverse(&mut a);
        let mut b = dz;
        cone.mul_wbar(cone.eta, &mut b);
        let sum: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
        let l = &cone.lambda;
        let prod0 = dot(l, &sum);
        assert!((prod0 + ds[0]).abs() < 1e-12);
        for k in 1..4 {
            assert!((l[0] * sum[k] + sum[0] * l[k] + ds[k]).abs() < 1e-12);
        }
    }

    #[test]
    fn corrector_is_the_jordan_product_of_scaled_steps() {
        let (cone, _, _) = scaled_pair();
        let step_s = [0.3, -0.1, 0.2, 0.9];
        let step_z = [-0.4, 0.6, 0.1, -0.2];
        let mut ds = [0.0; 4];
        cone.add_corrector(&mut ds, &step_s, &step_z, 0.25);
        let mut a = step_s;
        cone.mul_w_inverse(&mut a);
        let mut b = step_z;
        cone.mul_wbar(cone.eta, &mut b);
        assert!((ds[0] - (dot(&a, &b) - 0.25)).abs() < 1e-12);
        for k in 1..4 {
            assert!((ds[k] - (a[0] * b[k] + b[0] * a[k])).abs() < 1e-12);
        }
    }

    #[test]
    fn step_length_stops_at_the_boundary() {
        // From (1, 0) towards (−1, 1): (1 − α)² = α² at α = ½.
        let a = SecondOrderCone::boundary_step(&[1.0, 0.0], &[-1.0, 1.0], 1.0);
        assert!((a - 0.5).abs() < 1e-15);
        // A direction inside the cone never leaves it.
        assert_eq!(
            SecondOrderCone::boundary_step(&[2.0, 1.0], &[1.0, 0.5], 1.0),
            1.0
        );
        let mut x = [0.5, 1.0, 0.0];
        SecondOrderCone::shift(&mut x);
        assert!((x[0] - 2.0).abs() < 1e-15);
    }
}
