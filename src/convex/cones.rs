//! Cones of the conic form and their Nesterov–Todd scalings.
//!
//! Every operation of the interior-point method that depends on the cone goes
//! through [`Cone`]: the barrier degree, the scaling `W` with `WᵀW` entering the
//! KKT matrix, the scaled variable `λ = W z = W⁻ᵀ s`, the complementarity
//! right-hand sides and the step-length limit. The KKT assembly only asks a cone
//! which entries of its `WᵀW` block it stores ([`Cone::block_column_rows`]), so a
//! cone with a dense scaling block (the second-order cone) fits in the same
//! assembly as the diagonal ones here.

use std::ops::Range;

use super::soc::SecondOrderCone;

/// Description of one cone block, as problem data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConeSpec {
    /// `{0}^d`: equality rows.
    Zero(usize),
    /// `R₊^d`: inequality rows.
    Nonnegative(usize),
    /// One second-order cone `{(t, v) : ‖v‖ ≤ t}` of dimension `d ≥ 2`.
    SecondOrder(usize),
}

/// One cone block of dimension `dim()`. Slices passed in are the block's part of
/// the full vectors.
pub trait Cone: Send + Sync {
    fn dim(&self) -> usize;

    /// Barrier degree ν (0 for the zero cone, `dim` for the nonnegative orthant).
    fn degree(&self) -> usize;

    /// Local rows stored in local column `col` of the upper triangle of the block's
    /// `WᵀW`; for a diagonal scaling, only `col` itself.
    fn block_column_rows(&self, col: usize) -> Range<usize>;

    /// Writes `WᵀW`, entry by entry in the order of [`Cone::block_column_rows`],
    /// column by column.
    fn wtw_values(&self, out: &mut [f64]);

    /// Number of extra KKT variables of a sparse expansion of `WᵀW` (a diagonal
    /// block plus rank-one terms, each carried by one extra variable); 0 when the
    /// block itself holds `WᵀW`.
    fn expansion_dim(&self) -> usize {
        0
    }

    /// Writes expansion column `k < expansion_dim()` over the block's rows into
    /// `col` and returns its pivot (`±1`, whose sign is the pivot's expected sign).
    fn expansion_column(&self, _k: usize, _col: &mut [f64]) -> f64 {
        0.0
    }

    /// Whether the block's `WᵀW` enters the KKT matrix as a positive diagonal (its
    /// rank-one terms, if any, carried by expansion columns), so that a row with a
    /// few entries in `A` can be eliminated from the matrix ([`super::kkt`]).
    fn diagonal_in_kkt(&self) -> bool {
        false
    }

    /// Sets `W = I` (or the cone's equivalent), used for the initial point.
    fn set_identity_scaling(&mut self);

    /// Computes the Nesterov–Todd scaling at the interior pair `(s, z)`.
    fn update_scaling(&mut self, s: &[f64], z: &[f64]);

    /// Moves a primal slack into the cone's interior (or onto the cone for `{0}`).
    fn shift_primal_to_interior(&self, s: &mut [f64]);

    /// Moves a dual variable into the dual cone's interior.
    fn shift_dual_to_interior(&self, z: &[f64], out: &mut [f64]);

    /// `ds ← λ∘λ`, the complementarity residual of the predictor step.
    fn affine_ds(&self, ds: &mut [f64]);

    /// `ds ← ds + (W⁻ᵀΔs)∘(WΔz) − σμ e`, Mehrotra's second-order correction and
    /// centring, from the predictor step.
    fn add_corrector(&self, ds: &mut [f64], step_s: &[f64], step_z: &[f64], sigma_mu: f64);

    /// `out ← Wᵀ(λ \ ds)`, the complementarity term moved into the KKT right-hand side.
    fn complementarity_rhs(&self, ds: &[f64], out: &mut [f64]);

    /// `step_s ← −Wᵀ(λ \ ds) − WᵀW step_z`, the slack step from the dual step.
    fn slack_step(&self, ds: &[f64], step_z: &[f64], step_s: &mut [f64]);

    /// Largest `α ≤ alpha_max` with `s + α step_s` and `z + α step_z` in the cone.
    fn max_step(&self, s: &[f64], z: &[f64], step_s: &[f64], step_z: &[f64], alpha_max: f64)
    -> f64;
}

/// `{0}^d`: the slack is zero, the dual is free.
#[derive(Clone, Debug)]
pub struct ZeroCone {
    dim: usize,
}

impl Cone for ZeroCone {
    fn dim(&self) -> usize {
        self.dim
    }
    fn degree(&self) -> usize {
        0
    }
    fn block_column_rows(&self, col: usize) -> Range<usize> {
        col..col + 1
    }
    fn wtw_values(&self, out: &mut [f64]) {
        out.fill(0.0);
    }
    fn set_identity_scaling(&mut self) {}
    fn update_scaling(&mut self, _s: &[f64], _z: &[f64]) {}
    fn shift_primal_to_interior(&self, s: &mut [f64]) {
        s.fill(0.0);
    }
    fn shift_dual_to_interior(&self, z: &[f64], out: &mut [f64]) {
        out.copy_from_slice(z);
    }
    fn affine_ds(&self, ds: &mut [f64]) {
        ds.fill(0.0);
    }
    fn add_corrector(&self, _ds: &mut [f64], _step_s: &[f64], _step_z: &[f64], _sigma_mu: f64) {}
    fn complementarity_rhs(&self, _ds: &[f64], out: &mut [f64]) {
        out.fill(0.0);
    }
    fn slack_step(&self, _ds: &[f64], _step_z: &[f64], step_s: &mut [f64]) {
        step_s.fill(0.0);
    }
    fn max_step(&self, _: &[f64], _: &[f64], _: &[f64], _: &[f64], alpha_max: f64) -> f64 {
        alpha_max
    }
}

/// `R₊^d` with its diagonal scaling `W = diag(√(s/z))`, `λ = √(s∘z)`.
#[derive(Clone, Debug)]
pub struct NonnegativeCone {
    w: Vec<f64>,
    lambda: Vec<f64>,
}

impl NonnegativeCone {
    fn new(dim: usize) -> Self {
        Self {
            w: vec![1.0; dim],
            lambda: vec![1.0; dim],
        }
    }
}

/// Largest `α ≤ alpha_max` with `v + α dv ≥ 0`.
fn orthant_step(v: &[f64], dv: &[f64], alpha_max: f64) -> f64 {
    v.iter()
        .zip(dv)
        .filter(|&(_, &d)| d < 0.0)
        .fold(alpha_max, |a, (&vi, &d)| a.min(-vi / d))
}

/// Shift making every entry at least 1 when some entry is not safely positive:
/// keeps the initial point away from the boundary, as the central path requires.
fn orthant_shift(v: &[f64], out: &mut [f64]) {
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    let shift = if min < f64::EPSILON.sqrt() {
        1.0 - min
    } else {
        0.0
    };
    for (o, &vi) in out.iter_mut().zip(v) {
        *o = vi + shift;
    }
}

impl Cone for NonnegativeCone {
    fn dim(&self) -> usize {
        self.w.len()
    }
    fn degree(&self) -> usize {
        self.w.len()
    }
    fn block_column_rows(&self, col: usize) -> Range<usize> {
        col..col + 1
    }
    fn wtw_values(&self, out: &mut [f64]) {
        for (o, w) in out.iter_mut().zip(&self.w) {
            *o = w * w;
        }
    }
    fn diagonal_in_kkt(&self) -> bool {
        true
    }
    fn set_identity_scaling(&mut self) {
        self.w.fill(1.0);
        self.lambda.fill(1.0);
    }
    fn update_scaling(&mut self, s: &[f64], z: &[f64]) {
        for (k, (&si, &zi)) in s.iter().zip(z).enumerate() {
            self.w[k] = (si / zi).sqrt();
            self.lambda[k] = (si * zi).sqrt();
        }
    }
    fn shift_primal_to_interior(&self, s: &mut [f64]) {
        let v = s.to_vec();
        orthant_shift(&v, s);
    }
    fn shift_dual_to_interior(&self, z: &[f64], out: &mut [f64]) {
        orthant_shift(z, out);
    }
    fn affine_ds(&self, ds: &mut [f64]) {
        for (d, l) in ds.iter_mut().zip(&self.lambda) {
            *d = l * l;
        }
    }
    fn add_corrector(&self, ds: &mut [f64], step_s: &[f64], step_z: &[f64], sigma_mu: f64) {
        // With a diagonal W, (W⁻ᵀΔs)∘(WΔz) = Δs∘Δz.
        for ((d, a), b) in ds.iter_mut().zip(step_s).zip(step_z) {
            *d += a * b - sigma_mu;
        }
    }
    fn complementarity_rhs(&self, ds: &[f64], out: &mut [f64]) {
        for (k, o) in out.iter_mut().enumerate() {
            *o = self.w[k] * ds[k] / self.lambda[k];
        }
    }
    fn slack_step(&self, ds: &[f64], step_z: &[f64], step_s: &mut [f64]) {
        for (k, o) in step_s.iter_mut().enumerate() {
            let w = self.w[k];
            *o = -w * (ds[k] / self.lambda[k] + w * step_z[k]);
        }
    }
    fn max_step(
        &self,
        s: &[f64],
        z: &[f64],
        step_s: &[f64],
        step_z: &[f64],
        alpha_max: f64,
    ) -> f64 {
        orthant_step(z, step_z, orthant_step(s, step_s, alpha_max))
    }
}

/// The product of cone blocks making up `K`, each owning a contiguous row range.
pub struct CompositeCone {
    blocks: Vec<(Box<dyn Cone>, Range<usize>)>,
    degree: usize,
}

impl CompositeCone {
    pub fn new(specs: &[ConeSpec]) -> Self {
        let mut start = 0;
        let blocks: Vec<(Box<dyn Cone>, Range<usize>)> = specs
            .iter()
            .map(|spec| {
                let cone: Box<dyn Cone> = match *spec {
                    ConeSpec::Zero(dim) => Box::new(ZeroCone { dim }),
                    ConeSpec::Nonnegative(dim) => Box::new(NonnegativeCone::new(dim)),
                    ConeSpec::SecondOrder(dim) => Box::new(SecondOrderCone::new(dim)),
                };
                let range = start..start + cone.dim();
                start = range.end;
                (cone, range)
            })
            .collect();
        let degree = blocks.iter().map(|(c, _)| c.degree()).sum();
        Self { blocks, degree }
    }

    /// Total barrier degree ν.
    pub fn degree(&self) -> usize {
        self.degree
    }

    /// The blocks with their row ranges.
    pub fn blocks(&self) -> impl Iterator<Item = (&dyn Cone, Range<usize>)> {
        self.blocks.iter().map(|(c, r)| (c.as_ref(), r.clone()))
    }

    pub fn set_identity_scaling(&mut self) {
        self.blocks
            .iter_mut()
            .for_each(|(c, _)| c.set_identity_scaling());
    }

    pub fn update_scaling(&mut self, s: &[f64], z: &[f64]) {
        for (c, r) in &mut self.blocks {
            c.update_scaling(&s[r.clone()], &z[r.clone()]);
        }
    }

    pub fn shift_primal_to_interior(&self, s: &mut [f64]) {
        for (c, r) in self.blocks() {
            c.shift_primal_to_interior(&mut s[r]);
        }
    }

    pub fn shift_dual_to_interior(&self, z: &mut [f64]) {
        for (c, r) in self.blocks() {
            let v = z[r.clone()].to_vec();
            c.shift_dual_to_interior(&v, &mut z[r]);
        }
    }

    pub fn affine_ds(&self, ds: &mut [f64]) {
        for (c, r) in self.blocks() {
            c.affine_ds(&mut ds[r]);
        }
    }

    pub fn add_corrector(&self, ds: &mut [f64], step_s: &[f64], step_z: &[f64], sigma_mu: f64) {
        for (c, r) in self.blocks() {
            c.add_corrector(&mut ds[r.clone()], &step_s[r.clone()], &step_z[r], sigma_mu);
        }
    }

    pub fn complementarity_rhs(&self, ds: &[f64], out: &mut [f64]) {
        for (c, r) in self.blocks() {
            c.complementarity_rhs(&ds[r.clone()], &mut out[r]);
        }
    }

    pub fn slack_step(&self, ds: &[f64], step_z: &[f64], step_s: &mut [f64]) {
        for (c, r) in self.blocks() {
            c.slack_step(&ds[r.clone()], &step_z[r.clone()], &mut step_s[r]);
        }
    }

    pub fn max_step(
        &self,
        s: &[f64],
        z: &[f64],
        step_s: &[f64],
        step_z: &[f64],
        alpha_max: f64,
    ) -> f64 {
        self.blocks().fold(alpha_max, |a, (c, r)| {
            c.max_step(
                &s[r.clone()],
                &z[r.clone()],
                &step_s[r.clone()],
                &step_z[r],
                a,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonnegative_scaling_maps_s_and_z_to_lambda() {
        let mut k = CompositeCone::new(&[ConeSpec::Nonnegative(2)]);
        let (s, z) = ([4.0, 0.5], [1.0, 2.0]);
        k.update_scaling(&s, &z);
        let mut wtw = [0.0; 2];
        k.blocks().next().unwrap().0.wtw_values(&mut wtw);
        assert_eq!(wtw, [4.0, 0.25]);
        let mut ds = [0.0; 2];
        k.affine_ds(&mut ds);
        assert!((ds[0] - 4.0).abs() < 1e-15 && (ds[1] - 1.0).abs() < 1e-15);
        // Linearized complementarity z∘Δs + s∘Δz = −ds holds for the slack step.
        let dz = [0.3, -0.7];
        let mut dsl = [0.0; 2];
        k.slack_step(&ds, &dz, &mut dsl);
        for i in 0..2 {
            assert!((z[i] * dsl[i] + s[i] * dz[i] + ds[i]).abs() < 1e-14);
        }
    }

    #[test]
    fn step_length_stops_at_boundary() {
        let k = CompositeCone::new(&[ConeSpec::Zero(1), ConeSpec::Nonnegative(2)]);
        let a = k.max_step(
            &[0.0, 1.0, 1.0],
            &[5.0, 1.0, 2.0],
            &[0.0, -2.0, 1.0],
            &[-100.0, 0.0, -1.0],
            1.0,
        );
        assert_eq!(a, 0.5);
        assert_eq!(k.degree(), 2);
    }
}
