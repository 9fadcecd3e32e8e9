//! Assembly and factorization of the primal-dual (augmented) KKT system
//!
//! ```text
//! [ W + Σ + δw I    Aᵀ  ] [dw]   [r_w]
//! [ A             −δc I ] [dy] = [r_y]
//! ```
//!
//! with `A` the Jacobian of the internal constraints `r(w)` (slack columns included) and
//! `Σ` the primal-dual barrier term. The lower-triangle pattern is built once; values
//! are written in place each iteration. The perturbations `δw`, `δc` follow the inertia
//! correction heuristic of Wächter & Biegler (2006, §3.1): the matrix must have exactly
//! `dim(w)` positive and `dim(y)` negative eigenvalues for `dw` to be a descent
//! direction of the barrier problem on the null space of `A`.

use crate::linsol::{Inertia, LinsolError, LowerCsc, SymmetricIndefiniteSolver};

use super::options::IpmOptions;
use super::perturbation::Perturbation;

/// The step could not be computed even with the largest allowed perturbation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StepFailure;

/// Which Hessian enters the (1,1) block.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum HessianBlock<'v> {
    /// Exact Hessian values in the order of the internal Hessian structure.
    Exact(&'v [f64]),
    /// A multiple of the identity on the `x` part (quasi-Newton or least-squares systems).
    Identity(f64),
}

pub(crate) struct Kkt {
    n_w: usize,
    n_x: usize,
    pattern: LowerCsc,
    /// Values without perturbations, then the factored values.
    base: Vec<f64>,
    values: Vec<f64>,
    diag_pos: Vec<usize>,
    hess_pos: Vec<usize>,
    jac_pos: Vec<usize>,
    solver: Box<dyn SymmetricIndefiniteSolver>,
    perturbation: Perturbation,
    /// Perturbations of the current factorization.
    pub delta_w: f64,
    pub delta_c: f64,
    residual: Vec<f64>,
    correction: Vec<f64>,
}

impl Kkt {
    /// Builds the pattern from the internal Hessian (`x` part, lower triangle) and
    /// Jacobian structures and analyses it.
    pub fn new(
        n_x: usize,
        n_w: usize,
        n_y: usize,
        hess: (&[usize], &[usize]),
        jac: (&[usize], &[usize]),
        mut solver: Box<dyn SymmetricIndefiniteSolver>,
    ) -> Result<Self, LinsolError> {
        let dim = n_w + n_y;
        let mut entries: Vec<(usize, usize)> = Vec::with_capacity(dim + hess.0.len() + jac.0.len());
        entries.extend((0..dim).map(|i| (i, i)));
        entries.extend(hess.0.iter().zip(hess.1).map(|(&r, &c)| (c, r)));
        entries.extend(jac.0.iter().zip(jac.1).map(|(&r, &c)| (c, n_w + r)));
        entries.sort_unstable();
        entries.dedup();
        let mut col_ptr = vec![0usize; dim + 1];
        let mut row_idx = Vec::with_capacity(entries.len());
        for &(c, r) in &entries {
            col_ptr[c + 1] += 1;
            row_idx.push(r);
        }
        for c in 0..dim {
            col_ptr[c + 1] += col_ptr[c];
        }
        let find = |c: usize, r: usize| -> usize {
            let lo = col_ptr[c];
            lo + row_idx[lo..col_ptr[c + 1]]
                .binary_search(&r)
                .expect("entry in pattern")
        };
        let diag_pos = (0..dim).map(|i| find(i, i)).collect();
        let hess_pos = hess
            .0
            .iter()
            .zip(hess.1)
            .map(|(&r, &c)| find(c, r))
            .collect();
        let jac_pos = jac
            .0
            .iter()
            .zip(jac.1)
            .map(|(&r, &c)| find(c, n_w + r))
            .collect();
        let pattern = LowerCsc {
            dim,
            col_ptr,
            row_idx,
        };
        solver.analyse(&pattern)?;
        let nnz = pattern.row_idx.len();
        Ok(Kkt {
            n_w,
            n_x,
            pattern,
            base: vec![0.0; nnz],
            values: vec![0.0; nnz],
            diag_pos,
            hess_pos,
            jac_pos,
            solver,
            perturbation: Perturbation::new(),
            delta_w: 0.0,
            delta_c: 0.0,
            residual: vec![0.0; dim],
            correction: vec![0.0; dim],
        })
    }

    pub fn dim(&self) -> usize {
        self.pattern.dim
    }

    /// Writes the unperturbed matrix for Hessian block `h`, Jacobian values `jac` and
    /// diagonal `sigma` (length `n_w`).
    pub fn assemble(&mut self, h: HessianBlock<'_>, jac: &[f64], sigma: &[f64]) {
        self.base.fill(0.0);
        match h {
            HessianBlock::Exact(vals) => {
                for (&p, &v) in self.hess_pos.iter().zip(vals) {
                    self.base[p] += v;
                }
            }
            HessianBlock::Identity(v) => {
                for k in 0..self.n_x {
                    self.base[self.diag_pos[k]] += v;
                }
            }
        }
        for (&p, &v) in self.jac_pos.iter().zip(jac) {
            self.base[p] += v;
        }
        for (k, &s) in sigma.iter().enumerate() {
            self.base[self.diag_pos[k]] += s;
        }
    }

    fn factor_with(&mut self, delta_w: f64, delta_c: f64) -> Result<Inertia, LinsolError> {
        self.values.copy_from_slice(&self.base);
        for k in 0..self.n_w {
            self.values[self.diag_pos[k]] += delta_w;
        }
        for k in self.n_w..self.pattern.dim {
            self.values[self.diag_pos[k]] -= delta_c;
        }
        self.delta_w = delta_w;
        self.delta_c = delta_c;
        self.solver.factor(&self.values)
    }

    fn inertia_ok(&self, i: Inertia) -> bool {
        i.zero == 0 && i.positive == self.n_w && i.negative == self.pattern.dim - self.n_w
    }

    /// Factors the assembled matrix without perturbation; `true` if the inertia is right.
    /// Used for the least-squares multiplier estimate, which needs no correction.
    pub fn factor_plain(&mut self) -> bool {
        matches!(self.factor_with(0.0, 0.0), Ok(i) if self.inertia_ok(i))
    }

    /// Factors the assembled matrix, perturbing until the inertia is right.
    /// `retry` asks for a larger perturbation than the last factorization of this same
    /// matrix had (its solve was inaccurate).
    pub fn factor_corrected(
        &mut self,
        mu: f64,
        opt: &IpmOptions,
        retry: bool,
    ) -> Result<(), StepFailure> {
        let has_constraints = self.pattern.dim > self.n_w;
        let ok = if retry {
            self.perturbation.singular(opt)
        } else {
            self.perturbation.new_system(mu, opt)
        };
        if !ok {
            return Err(StepFailure);
        }
        loop {
            let (dw, dc) = (self.perturbation.delta_w, self.perturbation.delta_c);
            let singular = match self.factor_with(dw, dc) {
                Ok(i) if self.inertia_ok(i) => return Ok(()),
                Ok(i) => i.zero > 0 || i.negative < self.pattern.dim - self.n_w,
                Err(LinsolError::Singular(_)) => true,
                Err(_) => return Err(StepFailure),
            };
            let ok = if singular && has_constraints {
                self.perturbation.singular(opt)
            } else {
                self.perturbation.wrong_inertia(opt)
            };
            if !ok {
                return Err(StepFailure);
            }
        }
    }

    /// `out = K·v` with the factored (perturbed) matrix.
    fn multiply(&self, v: &[f64], out: &mut [f64]) {
        out.fill(0.0);
        let p = &self.pattern;
        for c in 0..p.dim {
            for e in p.col_ptr[c]..p.col_ptr[c + 1] {
                let r = p.row_idx[e];
                let a = self.values[e];
                out[r] += a * v[c];
                if r != c {
                    out[c] += a * v[r];
                }
            }
        }
    }

    /// Solves `K·sol = rhs` with iterative refinement; returns `false` when the residual
    /// stays above `residual_ratio_singular` (the factorization is not to be trusted).
    pub fn solve(&mut self, rhs: &[f64], sol: &mut [f64], opt: &IpmOptions) -> bool {
        sol.copy_from_slice(rhs);
        if self.solver.solve_in_place(sol).is_err() {
            return false;
        }
        let rhs_norm = inf_norm(rhs);
        let mut last_ratio = f64::INFINITY;
        let mut ratio = f64::INFINITY;
        for step in 0..=opt.max_refinement_steps {
            let mut residual = std::mem::take(&mut self.residual);
            self.multiply(sol, &mut residual);
            for (r, b) in residual.iter_mut().zip(rhs) {
                *r = b - *r;
            }
            ratio = inf_norm(&residual)
                / (inf_norm(sol).min(1e6 * rhs_norm.max(1.0)) + rhs_norm).max(f64::MIN_POSITIVE);
            let done = step >= opt.min_refinement_steps
                && (ratio <= opt.residual_ratio_max
                    || ratio > opt.residual_improvement_factor * last_ratio)
                || step == opt.max_refinement_steps
                || !ratio.is_finite();
            if done {
                self.residual = residual;
                break;
            }
            last_ratio = ratio;
            self.correction.copy_from_slice(&residual);
            self.residual = residual;
            if self.solver.solve_in_place(&mut self.correction).is_err() {
                return false;
            }
            for (s, c) in sol.iter_mut().zip(&self.correction) {
                *s += c;
            }
        }
        ratio.is_finite()
            && ratio <= opt.residual_ratio_singular
            && sol.iter().all(|v| v.is_finite())
    }
}

pub(crate) fn inf_norm(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |a, x| a.max(x.abs()))
}
