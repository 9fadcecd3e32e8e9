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
//!
//! A cone row with a few entries in `A` whose cone keeps `WᵀW` diagonal can be
//! eliminated when the caller asks for it ([`super::elimination`]). The Schur
//! complement of a quasi-definite matrix on a negative pivot is again
//! quasi-definite: the positive block gains a semidefinite term, and the negative
//! block is the Schur complement of the cone's own negative definite part
//! (`D − vvᵀ`, see [`super::soc`]). The solves' residual is that of the rows kept.

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::cholesky::ldlt::factor::LdltRegularization;
use faer::sparse::linalg::cholesky::{LdltRef, SymbolicCholesky, factorize_symbolic_cholesky};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::{Conj, MatMut, Par, Side};

use super::cones::CompositeCone;
use super::csc::CscMatrix;
use super::elimination::{EliminatedBlock, Elimination, MAX_ELIMINATED_ENTRIES};
use super::krylov::{Gmres, RefineControl};
use super::ordering::FillReducing;
use super::settings::Settings;

/// Multiples of the static regularization `δ` tried in turn when a factorization
/// fails.
const REGULARIZATION_RETRY_BOOSTS: [f64; 3] = [1.0, 1e2, 1e4];

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
    /// The cone rows kept in the matrix, in order; kept row `k` is unknown `n + k`.
    kept_rows: Vec<usize>,
    /// `n` plus the number of kept rows: the first expansion unknown.
    expansion_start: usize,
    col_ptr: Vec<usize>,
    row_idx: Vec<usize>,
    values: Vec<f64>,
    /// Position of each diagonal entry (all are stored).
    diag_pos: Vec<usize>,
    /// Unregularized diagonal of `P`.
    p_diag: Vec<f64>,
    /// Positions of the `WᵀW` entries, block by block in the cones' own order; `None`
    /// for the diagonal of an eliminated row.
    wtw_pos: Vec<Option<usize>>,
    wtw: Vec<f64>,
    /// Positions of the expansion columns' off-diagonal entries at the cone rows,
    /// block by block and column by column (`None` at eliminated rows).
    expansion_pos: Vec<Option<usize>>,
    expansion_values: Vec<f64>,
    /// Values of the variables' columns (`P`, zeros where only eliminated rows put
    /// entries), restored before each update adds the eliminated rows' terms.
    x_base: Vec<f64>,
    /// The eliminated cone rows and what their pivots add to the matrix.
    elimination: Elimination,
    /// Static regularization in the current values.
    delta: f64,
    /// Whether `δ` uses the reduced constant ([`Self::reduce_regularization`]).
    reduced: bool,
    signs: Vec<i8>,
    symbolic: SymbolicCholesky<usize>,
    l_values: Vec<f64>,
    mem: MemBuffer,
    gmres: Gmres,
    /// Right-hand side and solution of the reduced system (kept rows and expansion
    /// unknowns).
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
    reduced_constant: f64,
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
    /// it and computes the symbolic factorization. Values are set by
    /// [`Self::update_and_factor`]. With `eliminate`, the rows of at most
    /// [`MAX_ELIMINATED_ENTRIES`] entries of cones that allow it are taken out of the
    /// matrix (see the module documentation).
    pub fn new(
        p: &CscMatrix,
        a: &CscMatrix,
        cones: &CompositeCone,
        settings: &Settings,
        eliminate: bool,
    ) -> Result<Self, KktError> {
        let (n, m) = (p.ncols(), a.nrows());
        let at = a.transpose();
        let mut is_eliminated = vec![false; m];
        if eliminate {
            for (_, range) in cones.blocks().filter(|(c, _)| c.diagonal_in_kkt()) {
                for i in range {
                    let count = at.column(i).count();
                    is_eliminated[i] = (1..=MAX_ELIMINATED_ENTRIES).contains(&count);
                }
            }
        }
        // The entries between two variables of an eliminated row, as (column, row).
        let mut var_pairs: Vec<(usize, usize)> = Vec::new();
        for i in (0..m).filter(|&i| is_eliminated[i]) {
            for (t, (jt, _)) in at.column(i).enumerate() {
                var_pairs.extend(at.column(i).take(t).map(|(js, _)| (jt, js)));
            }
        }
        var_pairs.sort_unstable();
        var_pairs.dedup();
        let kept_rows: Vec<usize> = (0..m).filter(|&i| !is_eliminated[i]).collect();
        // Reduced index of each cone row (unused for eliminated rows).
        let mut reduced = vec![usize::MAX; m];
        for (k, &i) in kept_rows.iter().enumerate() {
            reduced[i] = n + k;
        }
        let expansion_start = n + kept_rows.len();
        let extra: usize = cones.blocks().map(|(c, _)| c.expansion_dim()).sum();
        let dim = expansion_start + extra;
        let mut col_ptr = Vec::with_capacity(dim + 1);
        col_ptr.push(0);
        let mut row_idx = Vec::new();
        let mut values = Vec::new();
        let mut diag_pos = vec![0; dim];
        let mut p_diag = vec![0.0; n];
        let mut pairs = var_pairs.iter().peekable();
        for j in 0..n {
            let mut column: Vec<(usize, f64)> = p.column(j).filter(|&(i, _)| i < j).collect();
            while let Some(&(_, i)) = pairs.next_if(|&&(col, _)| col == j) {
                column.push((i, 0.0));
            }
            // Stable: an entry of P comes before a zero for the same row, and stays.
            column.sort_by_key(|e| e.0);
            column.dedup_by_key(|e| e.0);
            for (i, v) in column {
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
        let mut wtw_pos = Vec::new();
        for (cone, range) in cones.blocks() {
            for local_col in 0..range.len() {
                let i = range.start + local_col;
                if is_eliminated[i] {
                    wtw_pos.push(None);
                    continue;
                }
                for (j, v) in at.column(i) {
                    row_idx.push(j);
                    values.push(v);
                }
                for local_row in cone.block_column_rows(local_col) {
                    let row = reduced[range.start + local_row];
                    if row == reduced[i] {
                        diag_pos[row] = row_idx.len();
                    }
                    wtw_pos.push(Some(row_idx.len()));
                    row_idx.push(row);
                    values.push(0.0);
                }
                col_ptr.push(row_idx.len());
            }
        }
        let x_base = values[..col_ptr[n]].to_vec();
        let mut signs = vec![1i8; dim];
        signs[n..expansion_start].fill(-1);
        let mut expansion_pos = Vec::new();
        let eliminated_rows: Vec<usize> = (0..m).filter(|&i| is_eliminated[i]).collect();
        let mut entry_ptr = Vec::with_capacity(eliminated_rows.len() + 1);
        let (mut entry_vars, mut entry_coefs) = (Vec::new(), Vec::new());
        let (mut var_pair_pos, mut cross_pos, mut pair_pos) = (Vec::new(), Vec::new(), Vec::new());
        // Position of entry (row, col) of a variable column, which exists.
        let position = |row_idx: &[usize], col: usize, row: usize| {
            let range = col_ptr[col]..col_ptr[col + 1];
            range.start
                + row_idx[range]
                    .binary_search(&row)
                    .expect("entry in the pattern")
        };
        for &i in &eliminated_rows {
            let start = entry_vars.len();
            entry_ptr.push(start);
            for (jt, v) in at.column(i) {
                for &js in &entry_vars[start..] {
                    var_pair_pos.push(position(&row_idx, jt, js));
                }
                entry_vars.push(jt);
                entry_coefs.push(v);
            }
        }
        entry_ptr.push(entry_vars.len());
        let entries = |r: usize| entry_ptr[r]..entry_ptr[r + 1];
        let mut eliminated_blocks = Vec::new();
        let mut first_eliminated = 0;
        let mut column = Vec::new();
        let (mut wtw_offset, mut expansion_offset) = (0, 0);
        for (cone, range) in cones.blocks() {
            let count = cone.expansion_dim();
            let first_col = col_ptr.len() - 1;
            let block_rows = first_eliminated
                ..first_eliminated
                    + eliminated_rows[first_eliminated..].partition_point(|&i| i < range.end);
            first_eliminated = block_rows.end;
            // The block's eliminated variables, each once and ascending: the rows of
            // their entries in the expansion columns.
            let mut vars: Vec<usize> = block_rows
                .clone()
                .flat_map(|r| entry_vars[entries(r)].iter().copied())
                .collect();
            vars.sort_unstable();
            vars.dedup();
            let mut var_pos = vec![Vec::with_capacity(count); vars.len()];
            let pairs = pair_pos.len();
            column.resize(range.len(), 0.0);
            for k in 0..count {
                let pivot = cone.expansion_column(k, &mut column);
                for (pos, &var) in var_pos.iter_mut().zip(&vars) {
                    pos.push(row_idx.len());
                    row_idx.push(var);
                    values.push(0.0);
                }
                for local_row in 0..range.len() {
                    let i = range.start + local_row;
                    if is_eliminated[i] {
                        expansion_pos.push(None);
                    } else {
                        expansion_pos.push(Some(row_idx.len()));
                        row_idx.push(reduced[i]);
                        values.push(0.0);
                    }
                }
                if !block_rows.is_empty() {
                    for l in 0..k {
                        pair_pos.push(row_idx.len());
                        row_idx.push(first_col + l);
                        values.push(0.0);
                    }
                }
                let col = col_ptr.len() - 1;
                diag_pos[col] = row_idx.len();
                signs[col] = if pivot < 0.0 { -1 } else { 1 };
                row_idx.push(col);
                values.push(pivot);
                col_ptr.push(row_idx.len());
            }
            for r in block_rows.clone() {
                for var in &entry_vars[entries(r)] {
                    let slot = vars.binary_search(var).expect("listed variable");
                    cross_pos.extend(&var_pos[slot]);
                }
            }
            if !block_rows.is_empty() {
                eliminated_blocks.push(EliminatedBlock {
                    rows: block_rows,
                    first_row: range.start,
                    wtw: wtw_offset,
                    expansion: expansion_offset,
                    stride: range.len(),
                    expansion_col: first_col,
                    expansion_count: count,
                    pairs,
                });
            }
            wtw_offset += (0..range.len())
                .map(|c| cone.block_column_rows(c).len())
                .sum::<usize>();
            expansion_offset += count * range.len();
        }
        let pattern = SymbolicSparseColMatRef::new_checked(dim, dim, &col_ptr, None, &row_idx);
        let symbolic = factorize_symbolic_cholesky(
            pattern,
            Side::Upper,
            FillReducing::of(pattern).as_faer(),
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
        // The residual product of `solve_refined` relies on it.
        assert!(
            diag_pos
                .iter()
                .zip(&col_ptr[1..])
                .all(|(&d, &end)| d + 1 == end),
            "each KKT column ends with its diagonal"
        );
        Ok(Self {
            n,
            kept_rows,
            expansion_start,
            col_ptr,
            row_idx,
            values,
            diag_pos,
            p_diag,
            wtw: vec![0.0; wtw_pos.len()],
            wtw_pos,
            expansion_values: vec![0.0; expansion_pos.len()],
            expansion_pos,
            x_base,
            elimination: Elimination {
                inv_d: vec![0.0; eliminated_rows.len()],
                scaled_rhs: vec![0.0; eliminated_rows.len()],
                rows: eliminated_rows,
                blocks: eliminated_blocks,
                entry_ptr,
                entry_vars,
                entry_coefs,
                var_pair_pos,
                cross_pos,
                pair_pos,
            },
            delta: 0.0,
            reduced: false,
            signs,
            symbolic,
            l_values,
            mem,
            gmres: Gmres::new(dim, settings.iterative_refinement_max_iter),
            full_rhs: vec![0.0; dim],
            full_x: vec![0.0; dim],
            settings: KktSettings {
                static_constant: settings.static_regularization_constant,
                reduced_constant: settings.static_regularization_reduced_constant,
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

    /// Uses [`Settings::static_regularization_reduced_constant`] in `δ` from the next
    /// factorization on (see there why).
    pub fn reduce_regularization(&mut self) {
        self.reduced = true;
    }

    /// Dimension of the factored matrix: variables, kept cone rows and expansion
    /// unknowns.
    pub fn dim(&self) -> usize {
        self.diag_pos.len()
    }

    /// Writes the cones' current `WᵀW`, the eliminated rows' terms and the static
    /// regularization into the values and factors the matrix.
    pub fn update_and_factor(&mut self, cones: &CompositeCone) -> Result<(), KktError> {
        let mut offset = 0;
        for (cone, range) in cones.blocks() {
            let count: usize = (0..range.len())
                .map(|c| cone.block_column_rows(c).len())
                .sum();
            cone.wtw_values(&mut self.wtw[offset..offset + count]);
            offset += count;
        }
        for (pos, &w) in self.wtw_pos.iter().zip(&self.wtw) {
            if let Some(pos) = *pos {
                self.values[pos] = -w;
            }
        }
        let (mut offset, mut col) = (0, self.expansion_start);
        for (cone, range) in cones.blocks() {
            for k in 0..cone.expansion_dim() {
                let entries = offset..offset + range.len();
                let pivot = cone.expansion_column(k, &mut self.expansion_values[entries.clone()]);
                for (pos, &v) in self.expansion_pos[entries.clone()]
                    .iter()
                    .zip(&self.expansion_values[entries])
                {
                    if let Some(pos) = *pos {
                        self.values[pos] = v;
                    }
                }
                self.values[self.diag_pos[col]] = pivot;
                offset += range.len();
                col += 1;
            }
        }
        // δ from the diagonal of the matrix without elimination, so that taking rows
        // out does not change the regularization of the others.
        let n = self.n;
        let max_diag = self.p_diag.iter().map(|v| v.abs()).fold(0.0, f64::max);
        let max_diag = self.diag_pos[n..self.expansion_start]
            .iter()
            .map(|&p| self.values[p].abs())
            .chain(self.elimination.wtw_diagonal(&self.wtw))
            .fold(max_diag, f64::max);
        let constant = if self.reduced {
            self.settings.reduced_constant
        } else {
            self.settings.static_constant
        };
        let delta = constant + self.settings.static_proportional * max_diag;
        self.values[..self.x_base.len()].copy_from_slice(&self.x_base);
        self.elimination.add_terms(
            &mut self.values,
            &self.diag_pos,
            &self.wtw,
            &self.expansion_values,
        );
        if self.values.iter().any(|v| !v.is_finite()) {
            return Err(KktError::NonFinite);
        }
        // A pivot that overflows (faer reports a non-finite pivot as a zero one) is
        // retried with a larger `δ`: the refinement against the unregularized matrix
        // takes the difference out of the directions, at the cost of more steps.
        let mut added = 0.0;
        let mut failure = KktError::NonFinite;
        for boost in REGULARIZATION_RETRY_BOOSTS {
            self.delta = boost * delta;
            for (&p, &sign) in self.diag_pos.iter().zip(&self.signs) {
                self.values[p] += f64::from(sign) * (self.delta - added);
            }
            added = self.delta;
            match self.factor_values() {
                Ok(()) => return Ok(()),
                Err(e) => failure = e,
            }
        }
        Err(failure)
    }

    /// Factors the current values in place of the previous factor.
    fn factor_values(&mut self) -> Result<(), KktError> {
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
    /// the residual over the unknowns of the factored matrix (an eliminated row's own
    /// residual is round-off).
    pub fn solve(&mut self, rhs: &[f64], x: &mut [f64]) -> f64 {
        let n = self.n;
        let mut full_rhs = std::mem::take(&mut self.full_rhs);
        let mut full_x = std::mem::take(&mut self.full_x);
        full_rhs[..n].copy_from_slice(&rhs[..n]);
        for (r, &i) in full_rhs[n..].iter_mut().zip(&self.kept_rows) {
            *r = rhs[n + i];
        }
        full_rhs[self.expansion_start..].fill(0.0);
        self.elimination
            .fold_rhs(&rhs[n..], &mut full_rhs, &self.expansion_values);
        let rhs_norm = rhs.iter().fold(0.0, |a: f64, v| a.max(v.abs()));
        let residual = self.solve_refined(&full_rhs, rhs_norm, &mut full_x);
        x[..n].copy_from_slice(&full_x[..n]);
        for (&v, &i) in full_x[n..].iter().zip(&self.kept_rows) {
            x[n + i] = v;
        }
        self.elimination
            .recover(&rhs[n..], &full_x, &mut x[n..], &self.expansion_values);
        self.full_rhs = full_rhs;
        self.full_x = full_x;
        residual
    }

    /// Solves `K₀ x = rhs` over the unknowns of the factored matrix, refined to the
    /// tolerances relative to `rhs_norm` (the callers' right-hand side's, which the
    /// eliminated rows' terms `a rᵢ/dᵢ` would inflate); returns the infinity norm of
    /// the residual.
    fn solve_refined(&mut self, rhs: &[f64], rhs_norm: f64, x: &mut [f64]) -> f64 {
        x.copy_from_slice(rhs);
        self.solve_factored(x);
        let s = self.settings;
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
        // with each pivot's sign). Each column's diagonal is its last entry, and row `j`
        // gets nothing from the columns before `j`, so column `j` sets `out[j]` and the
        // later columns add to it (no clearing pass, no test for the diagonal; the sums
        // are the same, term for term, as the entry-by-entry product's).
        let apply = |u: &[f64], out: &mut [f64]| {
            for j in 0..dim {
                let uj = u[j];
                let diag = col_ptr[j + 1] - 1;
                let mut acc = 0.0;
                for (&i, &v) in row_idx[col_ptr[j]..diag]
                    .iter()
                    .zip(&values[col_ptr[j]..diag])
                {
                    out[i] += v * uj;
                    acc += v * u[i];
                }
                out[j] = values[diag] * uj + acc;
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
        let mut kkt = KktSystem::new(&p, &a, &cones, &Settings::default(), false).unwrap();
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

    #[test]
    fn overflowing_pivot_is_refactored_with_a_larger_regularization() {
        // K₀ = [[0, a], [a, −1]] with a = 2e150: in the variable-first order the second
        // pivot is −1 − a²/δ, which overflows at δ = 1e-8 and not at 100δ.
        let a_value = 2e150;
        let p = CscMatrix::from_triplets(1, 1, &[]).unwrap();
        let a = CscMatrix::from_triplets(1, 1, &[(0, 0, a_value)]).unwrap();
        let mut cones = CompositeCone::new(&[ConeSpec::Nonnegative(1)]);
        cones.update_scaling(&[1.0], &[1.0]);
        let settings = Settings::default();
        let mut kkt = KktSystem::new(&p, &a, &cones, &settings, false).unwrap();
        assert!((a_value * a_value / settings.static_regularization_constant).is_infinite());
        kkt.update_and_factor(&cones).unwrap();
        assert!(kkt.delta > settings.static_regularization_constant);
        let rhs = [1.0, 1.0];
        let mut x = [0.0; 2];
        kkt.solve(&rhs, &mut x);
        let residual = [a_value * x[1] - rhs[0], a_value * x[0] - x[1] - rhs[1]];
        assert!(residual.iter().all(|r| r.abs() < 1e-12), "{residual:?}");
    }

    #[test]
    fn eliminated_rows_give_the_solution_of_the_full_system() {
        // n = 20 variables; a zero row, an upper bound on each of the first 10 and a
        // lower bound on x₀ (nonnegative rows with one entry), a two-entry inequality
        // on x₃, x₄ (coupled in P), and an expanded second-order cone of dimension 22
        // whose first two rows are dense, 17 rows are −xⱼ (some variables repeated)
        // and 3 rows have two entries (x₂, x₉ not coupled in P).
        let n = 20;
        let mut p = vec![];
        for j in 0..n {
            p.push((j, j, 1.0 + 0.1 * j as f64));
            if j + 1 < n {
                p.push((j, j + 1, 0.2));
            }
        }
        let p = CscMatrix::from_triplets(n, n, &p).unwrap();
        let mut a = vec![];
        let mut row = 0;
        a.extend((0..n).map(|j| (row, j, 1.0)));
        row += 1;
        for j in 0..10 {
            a.push((row, j, 1.0 + j as f64));
            row += 1;
        }
        a.push((row, 0, -1.0));
        a.push((row + 1, 3, 1.0));
        a.push((row + 1, 4, -2.0));
        row += 2;
        let soc = 22;
        for j in 0..n {
            a.push((row, j, 0.5 + 0.01 * j as f64));
            a.push((row + 1, j, -0.3));
        }
        for k in 0..n {
            a.push((row + 2 + k, k % 17, -1.0 - 0.05 * k as f64));
        }
        for k in 0..3 {
            a.push((row + 2 + k, 9, 0.4));
        }
        let m = row + soc;
        let a = CscMatrix::from_triplets(m, n, &a).unwrap();
        let mut cones = CompositeCone::new(&[
            ConeSpec::Zero(1),
            ConeSpec::Nonnegative(12),
            ConeSpec::SecondOrder(soc),
        ]);
        let mut s = vec![0.0; m];
        let mut z = vec![0.0; m];
        for i in 1..13 {
            s[i] = 0.1 + 0.3 * i as f64;
            z[i] = 2.0 / (1.0 + i as f64);
        }
        s[13] = 5.0;
        z[13] = 4.0;
        for k in 1..soc {
            s[13 + k] = 0.2 * (k as f64).sin();
            z[13 + k] = 0.15 * (k as f64).cos();
        }
        cones.update_scaling(&s, &z);
        let rhs: Vec<f64> = (0..n + m).map(|i| ((i * 7 % 11) as f64) - 5.0).collect();
        let mut solutions = vec![];
        for eliminate in [false, true] {
            let mut kkt = KktSystem::new(&p, &a, &cones, &Settings::default(), eliminate).unwrap();
            kkt.update_and_factor(&cones).unwrap();
            let mut x = vec![0.0; n + m];
            kkt.solve(&rhs, &mut x);
            solutions.push((kkt.dim(), x));
        }
        let (full, reduced) = (&solutions[0], &solutions[1]);
        // 11 bounds, the inequality and 20 cone rows leave the matrix.
        assert_eq!(full.0 - reduced.0, 32);
        let scale = full.1.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        for (i, (u, v)) in full.1.iter().zip(&reduced.1).enumerate() {
            assert!((u - v).abs() <= 1e-10 * scale, "unknown {i}: {u} vs {v}");
        }
    }
}
