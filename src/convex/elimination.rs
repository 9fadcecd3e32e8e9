//! Cone rows taken out of the KKT matrix by their own pivot.
//!
//! A cone row with a few entries `a` in `A` (a variable bound, a row `Fᵀx` of a
//! second-order cone with a sparse factor) whose cone keeps `WᵀW` diagonal in the
//! matrix ([`super::cones::Cone::diagonal_in_kkt`]) has the pivot `−dᵢ` (`dᵢ > 0` its
//! `WᵀW` diagonal). Eliminating it exactly adds `a aᵀ/dᵢ` on its variables and
//! `a·cₖ/dᵢ`, `cₖcₗ/dᵢ` between the variables and its cone's expansion unknowns
//! (entries `cₖ`), and folds `a rᵢ/dᵢ`, `cₖ rᵢ/dᵢ` into the right-hand side. The
//! eliminated unknown is recovered after each solve from its row,
//! `zᵢ = (aᵀx + Σₖ cₖ eₖ − rᵢ)/dᵢ`, which that row then satisfies up to round-off.
//!
//! [`super::kkt::KktSystem`] builds the pattern with room for these terms and the
//! positions recorded here; this module owns the per-factorization and per-solve work.

use std::ops::Range;

/// Most entries in `A` of an eliminated row: its elimination adds a clique over its
/// variables (and its cone's expansion unknowns) to the matrix, which a
/// minimum-degree ordering of the full matrix would create as early.
pub(super) const MAX_ELIMINATED_ENTRIES: usize = 4;

/// The eliminated rows of one cone. The solves walk every eliminated row twice, so
/// what they read per row is kept to its index, its entries and `1/dᵢ`; everything
/// shared by the cone's rows is here.
#[derive(Clone, Debug)]
pub(super) struct EliminatedBlock {
    /// Its rows in [`Elimination::rows`].
    pub rows: Range<usize>,
    /// The cone's first row: cone row `i` is the cone's row `i − first_row`.
    pub first_row: usize,
    /// Index of the cone's first `WᵀW` diagonal in the cones' value order (the cone
    /// keeps `WᵀW` diagonal, one value per row).
    pub wtw: usize,
    /// Index of the cone's first row in its first expansion column, in the expansion
    /// value order; column `k`'s entries are `stride·k` further.
    pub expansion: usize,
    pub stride: usize,
    /// The cone's expansion unknowns: the first one's index and their number.
    pub expansion_col: usize,
    pub expansion_count: usize,
    /// Start of the positions of `(expansion l, expansion k)`, `l < k`, `k`-major, in
    /// [`Elimination::pair_pos`].
    pub pairs: usize,
}

/// The eliminated rows of a KKT system, with where their terms land in its values.
pub(super) struct Elimination {
    /// The eliminated cone rows, ascending; eliminated row `r` is cone row `rows[r]`.
    pub rows: Vec<usize>,
    /// The eliminated rows grouped by cone, in order.
    pub blocks: Vec<EliminatedBlock>,
    /// `1/dᵢ` of each eliminated row at the current factorization.
    pub inv_d: Vec<f64>,
    /// `rᵢ/dᵢ` of each eliminated row for the current solve's right-hand side.
    pub scaled_rhs: Vec<f64>,
    /// Eliminated row `r`'s entries in `A` are `entry_ptr[r]..entry_ptr[r + 1]` of
    /// `entry_vars` and `entry_coefs`.
    pub entry_ptr: Vec<usize>,
    pub entry_vars: Vec<usize>,
    pub entry_coefs: Vec<f64>,
    /// Positions of the entries between two variables of an eliminated row: its pairs
    /// `(s, t)`, `s < t`, `t`-major, row after row.
    pub var_pair_pos: Vec<usize>,
    /// Positions of the entries between an eliminated row's variables and its cone's
    /// expansion unknowns: `(variable t, expansion unknown k)`, `t`-major, row after
    /// row.
    pub cross_pos: Vec<usize>,
    /// Positions of the entries between two expansion unknowns of one cone
    /// ([`EliminatedBlock::pairs`]).
    pub pair_pos: Vec<usize>,
}

impl Elimination {
    /// The `WᵀW` diagonal `dᵢ` of each eliminated row, from the cones' values `wtw`.
    pub fn wtw_diagonal<'a>(&'a self, wtw: &'a [f64]) -> impl Iterator<Item = f64> + 'a {
        self.blocks.iter().flat_map(move |b| {
            self.rows[b.rows.clone()]
                .iter()
                .map(move |&i| wtw[b.wtw + i - b.first_row])
        })
    }

    /// Adds the Schur complement terms of the pivots `−dᵢ` to `values`: `c cᵀ/dᵢ` over
    /// each row's variables (its entries `a`) and its cone's expansion unknowns. The
    /// entries only these terms fill are zeroed first; the others hold the matrix's
    /// own values.
    pub fn add_terms(
        &mut self,
        values: &mut [f64],
        diag_pos: &[usize],
        wtw: &[f64],
        expansion_values: &[f64],
    ) {
        for &pos in self.cross_pos.iter().chain(&self.pair_pos) {
            values[pos] = 0.0;
        }
        // The rows' variable pairs and cross entries follow each other row by row.
        let (mut var_pair, mut cross) = (0, 0);
        for b in &self.blocks {
            for r in b.rows.clone() {
                let local = self.rows[r] - b.first_row;
                let inv_d = 1.0 / wtw[b.wtw + local];
                self.inv_d[r] = inv_d;
                let c = |k: usize| expansion_values[b.expansion + local + k * b.stride];
                let entries = self.entry_ptr[r]..self.entry_ptr[r + 1];
                let vars = &self.entry_vars[entries.clone()];
                let coefs = &self.entry_coefs[entries];
                for (t, (&jt, &at)) in vars.iter().zip(coefs).enumerate() {
                    let at_d = at * inv_d;
                    values[diag_pos[jt]] += at * at_d;
                    for &a_s in &coefs[..t] {
                        values[self.var_pair_pos[var_pair]] += a_s * at_d;
                        var_pair += 1;
                    }
                    for k in 0..b.expansion_count {
                        values[self.cross_pos[cross]] += c(k) * at_d;
                        cross += 1;
                    }
                }
                for k in 0..b.expansion_count {
                    let ck = c(k) * inv_d;
                    values[diag_pos[b.expansion_col + k]] += c(k) * ck;
                    let pairs = b.pairs + k * k.saturating_sub(1) / 2;
                    for l in 0..k {
                        values[self.pair_pos[pairs + l]] += c(l) * ck;
                    }
                }
            }
        }
    }

    /// Adds the eliminated rows' right-hand sides `rᵢ` (from `cone_rhs`, indexed by
    /// cone row) into the reduced system's `full_rhs`: `a rᵢ/dᵢ` on the variables and
    /// `cₖ rᵢ/dᵢ` on the expansion unknowns.
    pub fn fold_rhs(&mut self, cone_rhs: &[f64], full_rhs: &mut [f64], expansion_values: &[f64]) {
        for b in &self.blocks {
            for r in b.rows.clone() {
                let t = cone_rhs[self.rows[r]] * self.inv_d[r];
                self.scaled_rhs[r] = t;
                for p in self.entry_ptr[r]..self.entry_ptr[r + 1] {
                    full_rhs[self.entry_vars[p]] += self.entry_coefs[p] * t;
                }
            }
            // Each expansion unknown's sum in a register, in the rows' order.
            for k in 0..b.expansion_count {
                let column = b.expansion + k * b.stride;
                full_rhs[b.expansion_col + k] += b
                    .rows
                    .clone()
                    .map(|r| {
                        let local = self.rows[r] - b.first_row;
                        expansion_values[column + local] * self.scaled_rhs[r]
                    })
                    .fold(0.0, |acc, v| acc + v);
            }
        }
    }

    /// Recovers each eliminated unknown `zᵢ` into `cone_x` (indexed by cone row) from
    /// its row, given the reduced system's solution `full_x`.
    pub fn recover(
        &self,
        cone_rhs: &[f64],
        full_x: &[f64],
        cone_x: &mut [f64],
        expansion_values: &[f64],
    ) {
        for b in &self.blocks {
            for r in b.rows.clone() {
                let i = self.rows[r];
                let mut row = -cone_rhs[i];
                for p in self.entry_ptr[r]..self.entry_ptr[r + 1] {
                    row += self.entry_coefs[p] * full_x[self.entry_vars[p]];
                }
                for k in 0..b.expansion_count {
                    row += expansion_values[b.expansion + i - b.first_row + k * b.stride]
                        * full_x[b.expansion_col + k];
                }
                cone_x[i] = row * self.inv_d[r];
            }
        }
    }
}
