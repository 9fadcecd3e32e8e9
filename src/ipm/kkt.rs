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

use std::time::Instant;

use crate::counting_sort::group_by_key;
use crate::linsol::{Inertia, LinsolError, LowerCsc, SymmetricIndefiniteSolver, mtx};

use super::options::IpmOptions;
use super::perturbation::Perturbation;
use super::timing::LinearAlgebraTimes;

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
    low_rank: LowRank,
    /// Factorizations and solves done with this matrix so far.
    pub times: LinearAlgebraTimes,
}

/// A low-rank term `−Ṽ N⁻¹ Ṽᵀ` added to the factored matrix `K₀` (quasi-Newton
/// Hessian), applied through Sherman–Morrison–Woodbury:
/// `(K₀ − Ṽ N⁻¹ Ṽᵀ)⁻¹ = K₀⁻¹ + Z (N − ṼᵀZ)⁻¹ Zᵀ` with `Z = K₀⁻¹Ṽ`.
/// `Ṽ` is `V` (on the `x` rows) padded with zeros.
struct LowRank {
    /// Number of columns of `V` (zero: no low-rank term).
    k: usize,
    /// `V`, column-major, `n_x × k`.
    v: Vec<f64>,
    /// `Z = K₀⁻¹Ṽ`, column-major, `dim × k`.
    z: Vec<f64>,
    n_lu: Option<nalgebra::LU<f64, nalgebra::Dyn, nalgebra::Dyn>>,
    g_lu: Option<nalgebra::LU<f64, nalgebra::Dyn, nalgebra::Dyn>>,
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
        let (col_ptr, row_idx) = lower_pattern(dim, n_w, hess, jac);
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
            low_rank: LowRank {
                k: 0,
                v: Vec::new(),
                z: Vec::new(),
                n_lu: None,
                g_lu: None,
            },
            times: LinearAlgebraTimes::default(),
        })
    }

    pub fn dim(&self) -> usize {
        self.pattern.dim
    }

    /// Writes the unperturbed matrix for Hessian block `h`, Jacobian values `jac` and
    /// diagonal `sigma` (length `n_w`).
    pub fn assemble(&mut self, h: HessianBlock<'_>, jac: &[f64], sigma: &[f64]) {
        self.low_rank.k = 0;
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
        let t = Instant::now();
        let result = self.solver.factor(&self.values);
        self.times.factor.add_since(t);
        result
    }

    fn inertia_ok(&self, i: Inertia) -> bool {
        i.zero == 0 && i.positive == self.n_w && i.negative == self.pattern.dim - self.n_w
    }

    /// Factors the assembled matrix without perturbation; `true` if the inertia is right.
    /// Used for the least-squares multiplier estimate, which needs no correction.
    pub fn factor_plain(&mut self) -> bool {
        matches!(self.factor_with(0.0, 0.0), Ok(i) if self.inertia_ok(i))
    }

    /// Factors the same matrix with the same perturbations again after tightening the
    /// linear solver's pivot test; `false` if the test cannot be tightened or the
    /// inertia is then wrong (the caller perturbs further).
    pub fn refactor_more_accurately(&mut self) -> bool {
        if !self.solver.increase_quality() {
            return false;
        }
        matches!(self.factor_with(self.delta_w, self.delta_c), Ok(i) if self.inertia_ok(i))
    }

    /// Factors the assembled matrix, perturbing until the inertia is right.
    /// `retry` asks for a larger perturbation than the last factorization of this same
    /// matrix had (its solve was inaccurate even at the strictest pivot test, see
    /// [`Self::refactor_more_accurately`]).
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

    /// Writes the factored (perturbed) matrix to `<file>.mtx` and `rhs` to
    /// `<file>-rhs.mtx` in Matrix Market format; the comment lines give the
    /// iteration, the block sizes and the perturbations.
    pub fn dump(&self, file: &str, iter: usize, rhs: &[f64]) -> std::io::Result<()> {
        use std::io::{BufWriter, Write};
        let comments = [
            format!("pounce KKT matrix of iteration {iter}"),
            format!(
                "n_w {} n_y {} delta_w {:e} delta_c {:e}",
                self.n_w,
                self.pattern.dim - self.n_w,
                self.delta_w,
                self.delta_c
            ),
        ];
        let mut out = BufWriter::new(std::fs::File::create(format!("{file}.mtx"))?);
        mtx::write_commented(&mut out, &comments, &self.pattern, &self.values)?;
        out.flush()?;
        let mut out = BufWriter::new(std::fs::File::create(format!("{file}-rhs.mtx"))?);
        mtx::write_vector(&mut out, rhs)?;
        out.flush()
    }

    /// Buffer for `V` of the low-rank term, to be filled before [`Kkt::set_low_rank`].
    pub fn low_rank_v(&mut self) -> &mut Vec<f64> {
        &mut self.low_rank.v
    }

    /// Adds `−Ṽ N⁻¹ Ṽᵀ` (with `V` in [`Kkt::low_rank_v`]) to the factored matrix;
    /// `false` if the capacitance matrix is singular.
    pub fn set_low_rank(&mut self, n: nalgebra::DMatrix<f64>) -> bool {
        let k = n.nrows();
        let dim = self.pattern.dim;
        let lr = &mut self.low_rank;
        lr.k = 0;
        lr.z.clear();
        lr.z.resize(dim * k, 0.0);
        for c in 0..k {
            let col = &mut lr.z[c * dim..(c + 1) * dim];
            col[..self.n_x].copy_from_slice(&lr.v[c * self.n_x..(c + 1) * self.n_x]);
            if self.solver.solve_in_place(col).is_err() {
                return false;
            }
        }
        let mut g = n.clone();
        for i in 0..k {
            for j in 0..k {
                let vi = &lr.v[i * self.n_x..(i + 1) * self.n_x];
                let zj = &lr.z[j * dim..j * dim + self.n_x];
                g[(i, j)] -= vi.iter().zip(zj).map(|(a, b)| a * b).sum::<f64>();
            }
        }
        let (n_lu, g_lu) = (n.lu(), g.lu());
        if !n_lu.is_invertible() || !g_lu.is_invertible() {
            return false;
        }
        lr.n_lu = Some(n_lu);
        lr.g_lu = Some(g_lu);
        lr.k = k;
        true
    }

    /// `Vᵀ·x` on the `x` rows.
    fn v_transpose(&self, x: &[f64]) -> nalgebra::DVector<f64> {
        let lr = &self.low_rank;
        nalgebra::DVector::from_iterator(
            lr.k,
            (0..lr.k).map(|c| {
                lr.v[c * self.n_x..(c + 1) * self.n_x]
                    .iter()
                    .zip(x)
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
            }),
        )
    }

    /// `x ← K⁻¹x` for the factored matrix plus the low-rank term.
    fn apply_inverse(&self, x: &mut [f64]) -> bool {
        if self.solver.solve_in_place(x).is_err() {
            return false;
        }
        let lr = &self.low_rank;
        if lr.k > 0 {
            let t = self.v_transpose(x);
            let Some(u) = lr.g_lu.as_ref().and_then(|g| g.solve(&t)) else {
                return false;
            };
            let dim = self.pattern.dim;
            for (c, uc) in u.iter().enumerate() {
                for (xi, zi) in x.iter_mut().zip(&lr.z[c * dim..(c + 1) * dim]) {
                    *xi += uc * zi;
                }
            }
        }
        true
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
        let lr = &self.low_rank;
        if lr.k > 0 {
            let t = self.v_transpose(v);
            if let Some(u) = lr.n_lu.as_ref().and_then(|n| n.solve(&t)) {
                for (c, uc) in u.iter().enumerate() {
                    let col = &lr.v[c * self.n_x..(c + 1) * self.n_x];
                    for (o, vi) in out.iter_mut().zip(col) {
                        *o -= uc * vi;
                    }
                }
            }
        }
    }

    /// Solves `K·sol = rhs` with iterative refinement; returns `false` when the residual
    /// stays above `residual_ratio_singular` (the factorization is not to be trusted).
    pub fn solve(&mut self, rhs: &[f64], sol: &mut [f64], opt: &IpmOptions) -> bool {
        let t = Instant::now();
        let accurate = self.solve_refined(rhs, sol, opt);
        self.times.backsolve.add_since(t);
        accurate
    }

    fn solve_refined(&mut self, rhs: &[f64], sol: &mut [f64], opt: &IpmOptions) -> bool {
        sol.copy_from_slice(rhs);
        if !self.apply_inverse(sol) {
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
            let mut correction = std::mem::take(&mut self.correction);
            let ok = self.apply_inverse(&mut correction);
            self.correction = correction;
            if !ok {
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

/// The KKT matrix's lower triangle by columns, `(col_ptr, row_idx)`: the diagonal, the
/// Hessian's entries and the Jacobian's below the `w` block, each column's rows sorted
/// and without duplicates. The entries are bucketed by column and each (short) column
/// sorted, instead of sorting all `(column, row)` pairs at once.
fn lower_pattern(
    dim: usize,
    n_w: usize,
    hess: (&[usize], &[usize]),
    jac: (&[usize], &[usize]),
) -> (Vec<usize>, Vec<usize>) {
    let entries = (0..dim)
        .map(|i| (i, i))
        .chain(hess.0.iter().zip(hess.1).map(|(&r, &c)| (c, r)))
        .chain(jac.0.iter().zip(jac.1).map(|(&r, &c)| (c, n_w + r)));
    let (mut col_ptr, mut row_idx) = group_by_key(dim, entries);
    // Sort each column and compact it over the duplicates, in place.
    let mut end = 0;
    for c in 0..dim {
        let rows = col_ptr[c]..col_ptr[c + 1];
        row_idx[rows.clone()].sort_unstable();
        col_ptr[c] = end;
        for k in rows {
            let r = row_idx[k];
            if end == col_ptr[c] || row_idx[end - 1] != r {
                row_idx[end] = r;
                end += 1;
            }
        }
    }
    col_ptr[dim] = end;
    row_idx.truncate(end);
    (col_ptr, row_idx)
}

pub(crate) fn inf_norm(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |a, x| a.max(x.abs()))
}

#[cfg(test)]
mod tests {
    use super::lower_pattern;

    #[test]
    fn lower_pattern_sorts_and_merges_each_column() {
        // Two variables, two constraints; the Hessian repeats (1, 0) and holds a
        // diagonal entry, the Jacobian's entries come out of column order.
        let hess_rows = [1, 0, 1];
        let hess_cols = [0, 0, 0];
        let jac_rows = [1, 0, 0];
        let jac_cols = [0, 1, 0];
        let (col_ptr, row_idx) =
            lower_pattern(4, 2, (&hess_rows, &hess_cols), (&jac_rows, &jac_cols));
        assert_eq!(col_ptr, [0, 4, 6, 7, 8]);
        assert_eq!(row_idx, [0, 1, 2, 3, 1, 2, 2, 3]);
    }
}
