//! The quasi-definite KKT system of the interior-point method,
//!
//! ```text
//! K = [[P + δI,  Aᵀ          ],
//!      [A,       −(WᵀW + δI) ]]
//! ```
//!
//! stored by its upper triangle. The pattern, the fill-reducing ordering and the
//! symbolic factorization are computed once; each iteration rewrites only the
//! `WᵀW` block and the static regularization `δ` in place and refactors.
//! Quasi-definiteness (positive definite (1,1) block, negative definite (2,2)
//! block) means an `LDLᵀ` with any symmetric ordering exists, with `n` positive
//! and `m` negative pivots; faer's dynamic regularization enforces exactly these
//! signs when round-off (or a singular `P` with a zero-cone block) threatens them.
//! Every solve is refined against `K` without the static term (by GMRES with the
//! factorization as preconditioner, [`super::krylov`]), so the regularization does
//! not perturb the Newton direction beyond round-off.
//!
//! A cone whose `WᵀW` is a diagonal plus rank-one terms (the second-order cone)
//! adds one extra row and column per term after the `m` cone rows
//! ([`super::cones::Cone::expansion_dim`]); the solves still take and return
//! vectors of length `n + m`, the extra unknowns being internal.

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::cholesky::ldlt::factor::LdltRegularization;
use faer::sparse::linalg::cholesky::{
    LdltRef, SymbolicCholesky, SymmetricOrdering, factorize_symbolic_cholesky,
};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::{Conj, MatMut, Par, Side};

use super::cones::CompositeCone;
use super::csc::CscMatrix;
use super::krylov::{Gmres, RefineControl};
use super::settings::Settings;

/// Why a KKT factorization could not be used.
#[derive(Clone, Debug, PartialEq)]
pub enum KktError {
    /// Symbolic analysis failed (out of memory).
    Symbolic(String),
    /// A pivot was exactly zero despite regularization.
    ZeroPivot(usize),
    /// The matrix contains a non-finite value.
    NonFinite,
}

impl std::fmt::Display for KktError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KktError::Symbolic(why) => write!(f, "KKT symbolic factorization failed: {why}"),
            KktError::ZeroPivot(i) => write!(f, "zero pivot {i} in the KKT factorization"),
            KktError::NonFinite => write!(f, "non-finite value in the KKT matrix"),
        }
    }
}

impl std::error::Error for KktError {}

/// KKT matrix, its factorization and the workspaces of its solves.
pub struct KktSystem {
    n: usize,
    /// `n + m`, the length of the callers' vectors.
    nm: usize,
    col_ptr: Vec<usize>,
    row_idx: Vec<usize>,
    values: Vec<f64>,
    /// Position of each diagonal entry (all `n + m` are stored).
    diag_pos: Vec<usize>,
    /// Unregularized diagonal of `P`.
    p_diag: Vec<f64>,
    /// Positions of the `WᵀW` entries, block by block in the cones' own order.
    wtw_pos: Vec<usize>,
    wtw: Vec<f64>,
    /// Positions and values of the expansion columns' off-diagonal entries, block by
    /// block and column by column.
    expansion_pos: Vec<usize>,
    expansion_values: Vec<f64>,
    /// Static regularization in the current values.
    delta: f64,
    signs: Vec<i8>,
    symbolic: SymbolicCholesky<usize>,
    l_values: Vec<f64>,
    mem: MemBuffer,
    gmres: Gmres,
    /// Right-hand side and solution extended by the expansion unknowns.
    full_rhs: Vec<f64>,
    full_x: Vec<f64>,
    settings: KktSettings,
    /// Whether solves are refined to the end-game tolerances.
    endgame: bool,
}

/// The settings of [`Settings`] that concern the KKT system.
#[derive(Clone, Copy, Debug)]
struct KktSettings {
    static_constant: f64,
    static_proportional: f64,
    dynamic_eps: f64,
    dynamic_delta: f64,
    refine_reltol: f64,
    refine_abstol: f64,
    endgame_reltol: f64,
    endgame_abstol: f64,
    refine_max_cycles: usize,
    refine_stop_ratio: f64,
}

impl KktSystem {
    /// Builds the pattern of `K` for `P` (upper triangle), `A` and the cones, orders
    /// it and computes the symbolic factorization. Values are set by [`Self::update`].
    pub fn new(
        p: &CscMatrix,
        a: &CscMatrix,
        cones: &CompositeCone,
        settings: &Settings,
    ) -> Result<Self, KktError> {
        let (n, m) = (p.ncols(), a.nrows());
        let extra: usize = cones.blocks().map(|(c, _)| c.expansion_dim()).sum();
        let dim = n + m + extra;
        let at = a.transpose();
        let mut col_ptr = Vec::with_capacity(dim + 1);
        col_ptr.push(0);
        let mut row_idx = Vec::new();
        let mut values = Vec::new();
        let mut diag_pos = vec![0; dim];
        let mut p_diag = vec![0.0; n];
        for j in 0..n {
            for (i, v) in p.column(j).filter(|&(i, _)| i < j) {
                row_idx.push(i);
                values.push(v);
            }
            p_diag[j] = p.column(j).find(|&(i, _)| i == j).map_or(0.0, |(_, v)| v);
            diag_pos[j] = row_idx.len();
            row_idx.push(j);
            values.push(p_diag[j]);
            col_ptr.push(row_idx.len());
        }
        // Cone block entries come column by column; remember where each lands so the
        // cones' value order can be scattered back.
        let mut block_entries = Vec::new();
        for (cone, range) in cones.blocks() {
            for local_col in 0..range.len() {
                let i = range.start + local_col;
                for (j, v) in at.column(i) {
                    row_idx.push(j);
                    values.push(v);
                }
                for local_row in cone.block_column_rows(local_col) {
                    let row = n + range.start + local_row;
                    if row == n + i {
                        diag_pos[n + i] = row_idx.len();
                    }
                    block_entries.push(row_idx.len());
                    row_idx.push(row);
                    values.push(0.0);
                }
                col_ptr.push(row_idx.len());
            }
        }
        let mut signs = vec![1i8; dim];
        signs[n..n + m].fill(-1);
        let mut expansion_pos = Vec::new();
        let mut column = Vec::new();
        for (cone, range) in cones.blocks() {
            column.resize(range.len(), 0.0);
            for k in 0..cone.expansion_dim() {
                let pivot = cone.expansion_column(k, &mut column);
                for local_row in 0..range.len() {
                    expansion_pos.push(row_idx.len());
                    row_idx.push(n + range.start + local_row);
                    values.push(0.0);
                }
                let col = col_ptr.len() - 1;
                diag_pos[col] = row_idx.len();
                signs[col] = if pivot < 0.0 { -1 } else { 1 };
                row_idx.push(col);
                values.push(pivot);
                col_ptr.push(row_idx.len());
            }
        }
        let pattern = SymbolicSparseColMatRef::new_checked(dim, dim, &col_ptr, None, &row_idx);
        let symbolic = factorize_symbolic_cholesky(
            pattern,
            Side::Upper,
            SymmetricOrdering::Amd,
            Default::default(),
        )
        .map_err(|e| KktError::Symbolic(format!("{e:?}")))?;
        let req = StackReq::any_of(&[
            symbolic.factorize_numeric_ldlt_scratch::<f64>(Par::Seq, Default::default()),
            symbolic.solve_in_place_scratch::<f64>(1, Par::Seq),
        ]);
        let mem =
            MemBuffer::try_new(req).map_err(|_| KktError::Symbolic("out of memory".into()))?;
        let l_values = vec![0.0; symbolic.len_val()];
        Ok(Self {
            n,
            nm: n + m,
            col_ptr,
            row_idx,
            values,
            diag_pos,
            p_diag,
            wtw: vec![0.0; block_entries.len()],
            wtw_pos: block_entries,
            expansion_values: vec![0.0; expansion_pos.len()],
            expansion_pos,
            delta: 0.0,
            signs,
            symbolic,
            l_values,
            mem,
            gmres: Gmres::new(dim, settings.iterative_refinement_max_iter),
            full_rhs: vec![0.0; dim],
            full_x: vec![0.0; dim],
            settings: KktSettings {
                static_constant: settings.static_regularization_constant,
                static_proportional: settings.static_regularization_proportional,
                dynamic_eps: settings.dynamic_regularization_eps,
                dynamic_delta: settings.dynamic_regularization_delta,
                refine_reltol: settings.iterative_refinement_reltol,
                refine_abstol: settings.iterative_refinement_abstol,
                endgame_reltol: settings.endgame_refinement_reltol,
                endgame_abstol: settings.endgame_refinement_abstol,
                refine_max_cycles: settings.iterative_refinement_max_cycles,
                refine_stop_ratio: settings.iterative_refinement_stop_ratio,
            },
            endgame: false,
        })
    }

    /// Refines every later solve to the end-game tolerances
    /// ([`Settings::endgame_refinement_reltol`]).
    pub fn enter_endgame(&mut self) {
        self.endgame = true;
    }

    /// Dimension `n + m`.
    pub fn dim(&self) -> usize {
        self.diag_pos.len()
    }

    /// Writes the cones' current `WᵀW` and the static regularization into the values
    /// and factors the matrix.
    pub fn update_and_factor(&mut self, cones: &CompositeCone) -> Result<(), KktError> {
        let mut offset = 0;
        for (cone, range) in cones.blocks() {
            let count: usize = (0..range.len())
                .map(|c| cone.block_column_rows(c).len())
                .sum();
            cone.wtw_values(&mut self.wtw[offset..offset + count]);
            offset += count;
        }
        for (&pos, &w) in self.wtw_pos.iter().zip(&self.wtw) {
            self.values[pos] = -w;
        }
        let (mut offset, mut col) = (0, self.nm);
        for (cone, range) in cones.blocks() {
            for k in 0..cone.expansion_dim() {
                let entries = offset..offset + range.len();
                let pivot = cone.expansion_column(k, &mut self.expansion_values[entries.clone()]);
                for (&pos, &v) in self.expansion_pos[entries.clone()]
                    .iter()
                    .zip(&self.expansion_values[entries])
                {
                    self.values[pos] = v;
                }
                self.values[self.diag_pos[col]] = pivot;
                offset += range.len();
                col += 1;
            }
        }
        let n = self.n;
        let max_diag = self.p_diag.iter().map(|v| v.abs()).fold(0.0, f64::max);
        let max_diag = self.diag_pos[n..self.nm]
            .iter()
            .map(|&p| self.values[p].abs())
            .fold(max_diag, f64::max);
        self.delta = self.settings.static_constant + self.settings.static_proportional * max_diag;
        for j in 0..n {
            self.values[self.diag_pos[j]] = self.p_diag[j] + self.delta;
        }
        for (&p, &sign) in self.diag_pos[n..].iter().zip(&self.signs[n..]) {
            self.values[p] += f64::from(sign) * self.delta;
        }
        if self.values.iter().any(|v| !v.is_finite()) {
            return Err(KktError::NonFinite);
        }
        let dim = self.dim();
        let matrix = SparseColMatRef::new(
            SymbolicSparseColMatRef::new_checked(dim, dim, &self.col_ptr, None, &self.row_idx),
            &self.values,
        );
        let regularization = LdltRegularization {
            dynamic_regularization_signs: Some(&self.signs),
            dynamic_regularization_delta: self.settings.dynamic_delta,
            dynamic_regularization_epsilon: self.settings.dynamic_eps,
        };
        self.symbolic
            .factorize_numeric_ldlt(
                &mut self.l_values,
                matrix,
                Side::Upper,
                regularization,
                Par::Seq,
                MemStack::new(&mut self.mem),
                Default::default(),
            )
            .map_err(|e| match e {
                faer::linalg::cholesky::ldlt::factor::LdltError::ZeroPivot { index } => {
                    KktError::ZeroPivot(index)
                }
            })?;
        Ok(())
    }

    fn solve_factored(&mut self, x: &mut [f64]) {
        let dim = self.dim();
        LdltRef::new(&self.symbolic, &self.l_values).solve_in_place_with_conj(
            Conj::No,
            MatMut::from_column_major_slice_mut(x, dim, 1),
            Par::Seq,
            MemStack::new(&mut self.mem),
        );
    }

    /// Solves `K₀ x = rhs` (both of length `n + m`) with the current factorization as
    /// the preconditioner of GMRES (see [`super::krylov`]); returns the infinity norm of
    /// the residual over all unknowns.
    pub fn solve(&mut self, rhs: &[f64], x: &mut [f64]) -> f64 {
        let mut full_rhs = std::mem::take(&mut self.full_rhs);
        let mut full_x = std::mem::take(&mut self.full_x);
        full_rhs[..self.nm].copy_from_slice(rhs);
        full_rhs[self.nm..].fill(0.0);
        let residual = self.solve_refined(&full_rhs, &mut full_x);
        x.copy_from_slice(&full_x[..self.nm]);
        self.full_rhs = full_rhs;
        self.full_x = full_x;
        residual
    }

    /// Solves `K₀ x = rhs` over all unknowns, expansion ones included; returns the
    /// infinity norm of the residual.
    fn solve_refined(&mut self, rhs: &[f64], x: &mut [f64]) -> f64 {
        x.copy_from_slice(rhs);
        self.solve_factored(x);
        let s = self.settings;
        let rhs_norm = rhs.iter().fold(0.0, |a: f64, v| a.max(v.abs()));
        let (abstol, reltol) = if self.endgame {
            (s.endgame_abstol, s.endgame_reltol)
        } else {
            (s.refine_abstol, s.refine_reltol)
        };
        let control = RefineControl {
            tol: abstol + reltol * rhs_norm,
            max_cycles: s.refine_max_cycles,
            stop_ratio: s.refine_stop_ratio,
        };
        let dim = self.dim();
        let Self {
            col_ptr,
            row_idx,
            values,
            signs,
            delta,
            symbolic,
            l_values,
            mem,
            gmres,
            ..
        } = self;
        let delta = *delta;
        // K₀ u from the stored upper triangle, minus the static regularization (added
        // with each pivot's sign).
        let apply = |u: &[f64], out: &mut [f64]| {
            out.fill(0.0);
            for j in 0..dim {
                let mut acc = 0.0;
                for k in col_ptr[j]..col_ptr[j + 1] {
                    let (i, v) = (row_idx[k], values[k]);
                    out[i] += v * u[j];
                    if i != j {
                        acc += v * u[i];
                    }
                }
                out[j] += acc;
            }
            for ((o, ui), &sign) in out.iter_mut().zip(u).zip(signs.iter()) {
                *o -= f64::from(sign) * delta * ui;
            }
        };
        let precondition = |u: &mut [f64]| {
            LdltRef::new(symbolic, l_values).solve_in_place_with_conj(
                Conj::No,
                MatMut::from_column_major_slice_mut(u, dim, 1),
                Par::Seq,
                MemStack::new(mem),
            )
        };
        gmres.refine(apply, precondition, rhs, x, control)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convex::cones::ConeSpec;

    #[test]
    fn solves_quasidefinite_system_to_round_off() {
        // P = [[4, 1], [1, 2]], A = [[1, 1], [1, 0], [0, 1]], cones {0} × R₊².
        let p = CscMatrix::from_triplets(2, 2, &[(0, 0, 4.0), (0, 1, 1.0), (1, 1, 2.0)]).unwrap();
        let a =
            CscMatrix::from_triplets(3, 2, &[(0, 0, 1.0), (0, 1, 1.0), (1, 0, 1.0), (2, 1, 1.0)])
                .unwrap();
        let mut cones = CompositeCone::new(&[ConeSpec::Zero(1), ConeSpec::Nonnegative(2)]);
        cones.update_scaling(&[0.0, 2.0, 1.0], &[0.0, 0.5, 4.0]);
        let mut kkt = KktSystem::new(&p, &a, &cones, &Settings::default()).unwrap();
        kkt.update_and_factor(&cones).unwrap();
        let rhs = [1.0, -2.0, 0.5, 3.0, -1.0];
        let mut x = [0.0; 5];
        kkt.solve(&rhs, &mut x);
        // Dense check: K₀ = [[P, Aᵀ], [A, −diag(0, 4, 0.25)]].
        let k = [
            [4.0, 1.0, 1.0, 1.0, 0.0],
            [1.0, 2.0, 1.0, 0.0, 1.0],
            [1.0, 1.0, 0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0, -4.0, 0.0],
            [0.0, 1.0, 0.0, 0.0, -0.25],
        ];
        for i in 0..5 {
            let r: f64 = (0..5).map(|j| k[i][j] * x[j]).sum::<f64>() - rhs[i];
            assert!(r.abs() < 1e-12, "row {i}: residual {r}");
        }
    }
}
