//! Refinement of a KKT solve by flexible GMRES, preconditioned by the regularized
//! factorization.
//!
//! Classical iterative refinement `x ← x + M⁻¹(b − Kx)` converges only while the
//! spectral radius of `I − M⁻¹K` is below one, where `M = K + Δ` is the factored
//! matrix with static (and possibly dynamic) regularization `Δ`. Near the solution
//! of a degenerate LP, `K = [[0, Aᵀ], [A, −WᵀW]]` has eigenvalues far below the
//! static `δ = 1e-8`, so `M⁻¹Δ` has a few eigenvalues above one and refinement
//! stalls or diverges: the Newton directions then carry errors that stop the
//! residuals from decreasing. Those eigenvalues are few, which is exactly the case
//! GMRES resolves in a few iterations; with a well-conditioned `K` the first
//! residual already meets the tolerance and this costs what refinement costs.
//!
//! The preconditioned basis vectors `zⱼ = M⁻¹vⱼ` are stored ("flexible" GMRES), so
//! forming the update needs no extra solve. All workspaces are allocated once.

/// Workspace of restarted flexible GMRES for a system of fixed dimension.
pub struct Gmres {
    dim: usize,
    /// Krylov dimension per cycle.
    restart: usize,
    /// Orthonormal basis `v₀ … v_k`, column-major.
    basis: Vec<f64>,
    /// Preconditioned basis `z₀ … z_{k−1}`.
    precond: Vec<f64>,
    /// Hessenberg matrix, column-major `(k + 1) × k`, rotated to upper triangular.
    hess: Vec<f64>,
    cos: Vec<f64>,
    sin: Vec<f64>,
    /// Right-hand side of the least-squares problem, rotated along with `hess`.
    g: Vec<f64>,
    work: Vec<f64>,
    residual: Vec<f64>,
    best: Vec<f64>,
}

/// Stopping rules of [`Gmres::refine`].
#[derive(Clone, Copy, Debug)]
pub struct RefineControl {
    /// Infinity-norm residual that ends the refinement.
    pub tol: f64,
    /// Maximum number of restarted cycles.
    pub max_cycles: usize,
    /// A cycle that reduces the residual by less than this factor ends the refinement.
    pub stop_ratio: f64,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm_inf(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m, v| m.max(v.abs()))
}

impl Gmres {
    pub fn new(dim: usize, restart: usize) -> Self {
        let k = restart.max(1);
        Self {
            dim,
            restart: k,
            basis: vec![0.0; dim * (k + 1)],
            precond: vec![0.0; dim * k],
            hess: vec![0.0; (k + 1) * k],
            cos: vec![0.0; k],
            sin: vec![0.0; k],
            g: vec![0.0; k + 1],
            work: vec![0.0; dim],
            residual: vec![0.0; dim],
            best: vec![0.0; dim],
        }
    }

    /// Improves `x` towards the solution of `K x = rhs`, with `apply(u, out)`
    /// computing `out = K u` and `solve(u)` overwriting `u` with `M⁻¹u`. Returns the
    /// infinity norm of the final residual; `x` is the best iterate seen.
    pub fn refine(
        &mut self,
        mut apply: impl FnMut(&[f64], &mut [f64]),
        mut solve: impl FnMut(&mut [f64]),
        rhs: &[f64],
        x: &mut [f64],
        control: RefineControl,
    ) -> f64 {
        let (dim, k) = (self.dim, self.restart);
        let mut norm = self.residual_of(&mut apply, rhs, x);
        self.best.copy_from_slice(x);
        let mut best_norm = norm;
        for _ in 0..control.max_cycles {
            if norm <= control.tol {
                break;
            }
            let beta = dot(&self.residual, &self.residual).sqrt();
            if beta == 0.0 || !beta.is_finite() {
                break;
            }
            for (v, r) in self.basis[..dim].iter_mut().zip(&self.residual) {
                *v = r / beta;
            }
            self.g.fill(0.0);
            self.g[0] = beta;
            let mut used = 0;
            for j in 0..k {
                let (head, tail) = self.basis.split_at_mut((j + 1) * dim);
                let z = &mut self.precond[j * dim..(j + 1) * dim];
                z.copy_from_slice(&head[j * dim..]);
                solve(z);
                let w = &mut tail[..dim];
                apply(z, w);
                // Modified Gram–Schmidt against v₀ … vⱼ.
                let h = &mut self.hess[j * (k + 1)..(j + 1) * (k + 1)];
                for (i, hi) in h.iter_mut().enumerate().take(j + 1) {
                    let v = &head[i * dim..(i + 1) * dim];
                    *hi = dot(w, v);
                    w.iter_mut().zip(v).for_each(|(wl, vl)| *wl -= *hi * vl);
                }
                let h_next = dot(w, w).sqrt();
                h[j + 1] = h_next;
                // Earlier rotations, then the one that annihilates h[j + 1].
                for i in 0..j {
                    let (a, b) = (h[i], h[i + 1]);
                    h[i] = self.cos[i] * a + self.sin[i] * b;
                    h[i + 1] = -self.sin[i] * a + self.cos[i] * b;
                }
                let r = h[j].hypot(h[j + 1]);
                used = j + 1;
                if r == 0.0 || !r.is_finite() {
                    used = j;
                    break;
                }
                self.cos[j] = h[j] / r;
                self.sin[j] = h[j + 1] / r;
                h[j] = r;
                h[j + 1] = 0.0;
                self.g[j + 1] = -self.sin[j] * self.g[j];
                self.g[j] *= self.cos[j];
                // The 2-norm bounds the infinity norm the tolerance is stated in.
                if self.g[j + 1].abs() <= control.tol || h_next == 0.0 {
                    break;
                }
                w.iter_mut().for_each(|wl| *wl /= h_next);
            }
            // Back substitution for y (stored in g) and the update x += Z y.
            for i in (0..used).rev() {
                let mut yi = self.g[i];
                for l in i + 1..used {
                    yi -= self.hess[l * (k + 1) + i] * self.g[l];
                }
                self.g[i] = yi / self.hess[i * (k + 1) + i];
            }
            for i in 0..used {
                let yi = self.g[i];
                let z = &self.precond[i * dim..(i + 1) * dim];
                x.iter_mut().zip(z).for_each(|(xl, zl)| *xl += yi * zl);
            }
            let new_norm = self.residual_of(&mut apply, rhs, x);
            // A NaN residual counts as no improvement.
            if new_norm.is_nan() || new_norm >= best_norm {
                break;
            }
            self.best.copy_from_slice(x);
            best_norm = new_norm;
            let ratio = norm / new_norm;
            norm = new_norm;
            if ratio < control.stop_ratio {
                break;
            }
        }
        x.copy_from_slice(&self.best);
        best_norm
    }

    /// `residual ← rhs − K x`; returns its infinity norm.
    fn residual_of(
        &mut self,
        apply: &mut impl FnMut(&[f64], &mut [f64]),
        rhs: &[f64],
        x: &[f64],
    ) -> f64 {
        apply(x, &mut self.work);
        for ((r, b), kx) in self.residual.iter_mut().zip(rhs).zip(&self.work) {
            *r = b - kx;
        }
        norm_inf(&self.residual)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A symmetric indefinite 4×4 system whose first block has an effective pivot
    /// (−1e-6) of the opposite sign to the factored one (≈ +1e-4), as a dynamically
    /// regularized pivot has: fixed-point refinement diverges, GMRES converges.
    #[test]
    fn converges_where_fixed_point_refinement_diverges() {
        let k = [
            [0.0, 1e-3, 0.0, 0.0],
            [1e-3, 1.0, 0.0, 0.0],
            [0.0, 0.0, 2.0, 1.0],
            [0.0, 0.0, 1.0, -3.0],
        ];
        let m = [[1e-4, 1e-3], [1e-3, 1.0], [2.5, 1.0], [1.0, -3.5]];
        let apply = |u: &[f64], out: &mut [f64]| {
            for i in 0..4 {
                out[i] = (0..4).map(|j| k[i][j] * u[j]).sum();
            }
        };
        let solve = |u: &mut [f64]| {
            for (block, rows) in [(0, 0..2), (2, 2..4)] {
                let (a, b, c, d) = (m[block][0], m[block][1], m[block + 1][0], m[block + 1][1]);
                let det = a * d - b * c;
                let (u0, u1) = (u[rows.start], u[rows.start + 1]);
                u[rows.start] = (d * u0 - b * u1) / det;
                u[rows.start + 1] = (-c * u0 + a * u1) / det;
            }
        };
        let rhs = [1.0, 2.0, -1.0, 0.5];
        let residual = |x: &[f64]| {
            let mut kx = [0.0; 4];
            apply(x, &mut kx);
            (0..4).fold(0.0f64, |m, i| m.max((kx[i] - rhs[i]).abs()))
        };
        let mut x0 = rhs;
        solve(&mut x0);

        let mut fixed_point = x0;
        let first = residual(&fixed_point);
        for _ in 0..200 {
            let mut kx = [0.0; 4];
            apply(&fixed_point, &mut kx);
            let mut r: Vec<f64> = (0..4).map(|i| rhs[i] - kx[i]).collect();
            solve(&mut r);
            (0..4).for_each(|i| fixed_point[i] += r[i]);
        }
        assert!(
            residual(&fixed_point) > first,
            "fixed-point refinement converged"
        );

        let mut x = x0;
        let mut gmres = Gmres::new(4, 4);
        let control = RefineControl {
            tol: 1e-12,
            max_cycles: 2,
            stop_ratio: 5.0,
        };
        let res = gmres.refine(apply, solve, &rhs, &mut x, control);
        assert!(res <= 1e-12, "residual {res}");
        assert!(residual(&x) <= 1e-12);
    }
}
