//! Multifrontal numeric factorization over the assembly tree of a [`Symbolic`].
//!
//! Fronts are processed in postorder. Each front gathers the original entries
//! of its columns and the contribution blocks of its children (extend-add),
//! eliminates its fully-summed columns with threshold pivoting ([`factor_front`]),
//! stores the panel of `L`, and pushes its Schur complement as a contribution
//! block for the parent. Columns the pivot test rejects travel up inside the
//! contribution block and become fully summed in the parent; roots must
//! eliminate everything, with Bunch–Kaufman pivots and zero pivots as needed.

use super::Inertia;
use super::factors::{LdlFactors, Panel};
use super::front::{PivotRule, factor_front};
use super::symbolic::{NONE, Symbolic};

/// Why a numeric factorization was abandoned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Abandoned {
    /// The stop signal fired.
    Stopped,
    /// More pivots were delayed than the caller allowed.
    Delays,
}

/// A contribution block on the stack: `size` indices, the first `delayed` of
/// which are delayed pivot columns, and the lower triangle of a dense
/// `size × size` matrix packed by columns (half the copying of a square).
#[derive(Clone, Copy, Debug)]
struct Contribution {
    idx_start: usize,
    val_start: usize,
    size: usize,
    delayed: usize,
    /// Start of the rows' parent positions in [`AssemblyMaps::parent_row`]
    /// (valid when `delayed == 0`: the rows are then the child's structure).
    ///
    /// [`AssemblyMaps::parent_row`]: super::assembly::AssemblyMaps::parent_row
    rel_start: usize,
}

impl Contribution {
    fn val_range(&self) -> std::ops::Range<usize> {
        self.val_start..self.val_start + self.size * (self.size + 1) / 2
    }
}

/// Adds a contribution block (its lower triangle packed by columns, `vals`)
/// whose rows are the front rows `rel` to the front `f` of leading dimension
/// `m`. When the rows increase (`sorted`, always so without delayed columns)
/// each packed column lands in one front column, as one contiguous slice
/// where the rows are consecutive there.
#[inline(always)]
fn extend_add(f: &mut [f64], m: usize, rel: &[usize], mut vals: &[f64], sorted: bool) {
    let size = rel.len();
    let last = rel.last().copied().unwrap_or(0);
    for (jj, &lj) in rel.iter().enumerate() {
        let (col, rest) = vals.split_at(size - jj);
        let rows = &rel[jj..];
        if sorted && last - lj == rows.len() - 1 {
            let dst = &mut f[lj + lj * m..=last + lj * m];
            for (x, &v) in dst.iter_mut().zip(col) {
                *x += v;
            }
        } else if sorted {
            let dst = &mut f[lj * m..(lj + 1) * m];
            for (&li, &v) in rows.iter().zip(col) {
                dst[li] += v;
            }
        } else {
            for (&li, &v) in rows.iter().zip(col) {
                let (a, b) = if li >= lj { (li, lj) } else { (lj, li) };
                f[a + b * m] += v;
            }
        }
        vals = rest;
    }
}

/// Buffers of the numeric factorization, grown on first use and reused for
/// every later factorization of the same pattern.
#[derive(Debug, Default)]
pub(crate) struct Multifrontal {
    front_idx: Vec<usize>,
    local: Vec<usize>,
    /// Front positions of a contribution block's rows.
    rel: Vec<usize>,
    stack: Vec<Contribution>,
    stack_idx: Vec<usize>,
    stack_val: Vec<f64>,
    work: Vec<f64>,
    /// Pivots delayed from a child front to its parent in the last factorization.
    pub delayed: usize,
}

impl Multifrontal {
    /// Bytes held by the workspaces (contribution stack, maps; the fronts live in the factor).
    pub fn bytes(&self) -> usize {
        8 * (self.front_idx.capacity()
            + self.local.capacity()
            + self.rel.capacity()
            + self.stack_idx.capacity()
            + self.stack_val.capacity()
            + self.work.capacity())
            + self.stack.capacity() * std::mem::size_of::<Contribution>()
    }

    /// Factors the permuted, scaled matrix whose lower-triangle values are
    /// `values`, in the order of the analysis' permuted columns (`sym.col_row`);
    /// fills `factors` and returns the inertia. Abandons the factorization when
    /// `stop()` asks before some front, or once more than `max_delayed` pivots
    /// have been delayed (an ordering that no longer suits the values).
    ///
    /// The fronts' loops run in a function compiled for the widest SIMD
    /// instruction set the processor has (AVX2 and FMA where available): the
    /// build targets baseline x86-64, whose 2-wide vectors halve the speed of
    /// the in-front eliminations. Without `mul_add` the compiler fuses nothing,
    /// so the results are the same on every instruction set.
    pub fn factor(
        &mut self,
        sym: &Symbolic,
        values: &[f64],
        rule: PivotRule,
        max_delayed: usize,
        factors: &mut LdlFactors,
        stop: impl Fn() -> bool,
    ) -> Result<Inertia, Abandoned> {
        pulp::Arch::new().dispatch(
            #[inline(always)]
            || self.factor_fronts(sym, values, rule, max_delayed, factors, stop),
        )
    }

    #[inline(always)]
    fn factor_fronts(
        &mut self,
        sym: &Symbolic,
        values: &[f64],
        rule: PivotRule,
        max_delayed: usize,
        factors: &mut LdlFactors,
        stop: impl Fn() -> bool,
    ) -> Result<Inertia, Abandoned> {
        factors.clear_keeping_l();
        let mut l_end = 0;
        self.local.resize(sym.dim, NONE);
        self.stack.clear();
        self.stack_idx.clear();
        self.stack_val.clear();
        self.delayed = 0;
        let mut inertia = Inertia::default();
        for sn in &sym.supernodes {
            if stop() {
                return Err(Abandoned::Stopped);
            }
            if self.delayed > max_delayed {
                return Err(Abandoned::Delays);
            }
            let children = self.stack.len() - sn.children..self.stack.len();
            let delayed_in: usize = self.stack[children.clone()].iter().map(|c| c.delayed).sum();
            // Front rows: own columns, delayed columns of the children, structure.
            self.front_idx.clear();
            self.front_idx.extend(sn.first..sn.end);
            for c in &self.stack[children.clone()] {
                self.front_idx
                    .extend_from_slice(&self.stack_idx[c.idx_start..c.idx_start + c.delayed]);
            }
            self.front_idx
                .extend_from_slice(&sym.structure[sn.struct_start..sn.struct_end]);
            let m = self.front_idx.len();
            let p = sn.ncols() + delayed_in;
            // The front is factored in place after the panels stored so far,
            // so its first columns become the panel without a copy. Only the
            // lower triangle is assembled, eliminated and read (the solve
            // reads the panels' strictly lower part), so only it is zeroed.
            let l_start = l_end;
            if factors.l.len() < l_start + m * m {
                factors.l.resize(l_start + m * m, 0.0);
            }
            let f = &mut factors.l[l_start..l_start + m * m];
            for j in 0..m {
                f[j + j * m..(j + 1) * m].fill(0.0);
            }
            let entries = sym.col_ptr[sn.first]..sym.col_ptr[sn.end];
            if delayed_in == 0 {
                // The layout of the analysis: positions from its maps.
                for (&pos, &v) in sym.maps.entry[entries.clone()].iter().zip(&values[entries]) {
                    f[pos] += v;
                }
                for cb in &self.stack[children.clone()] {
                    let rel = &sym.maps.parent_row[cb.rel_start..cb.rel_start + cb.size];
                    extend_add(f, m, rel, &self.stack_val[cb.val_range()], true);
                }
            } else {
                for (pos, &g) in self.front_idx.iter().enumerate() {
                    self.local[g] = pos;
                }
                let lower = |a: usize, b: usize| if a >= b { a + b * m } else { b + a * m };
                for c in sn.first..sn.end {
                    let lc = self.local[c];
                    for k in sym.col_ptr[c]..sym.col_ptr[c + 1] {
                        f[lower(self.local[sym.col_row[k]], lc)] += values[k];
                    }
                }
                for cb in &self.stack[children.clone()] {
                    let idx = &self.stack_idx[cb.idx_start..cb.idx_start + cb.size];
                    // Front positions of the block's rows, looked up once per block.
                    self.rel.clear();
                    self.rel.extend(idx.iter().map(|&g| self.local[g]));
                    let sorted = self.rel.windows(2).all(|w| w[0] < w[1]);
                    extend_add(f, m, &self.rel, &self.stack_val[cb.val_range()], sorted);
                }
                for &g in &self.front_idx {
                    self.local[g] = NONE;
                }
            }
            if let Some(first_child) = self.stack[children.clone()].first() {
                self.stack_idx.truncate(first_child.idx_start);
                self.stack_val.truncate(first_child.val_start);
            }
            self.stack.truncate(children.start);

            let root = sn.parent == NONE;
            let piv_start = factors.pivots.len();
            let Some(q) = factor_front(
                f,
                m,
                p,
                &mut self.front_idx,
                rule,
                root,
                &mut factors.pivots,
                &mut inertia,
                &mut self.work,
                &stop,
            ) else {
                return Err(Abandoned::Stopped);
            };
            let panel = Panel {
                l_start,
                idx_start: factors.idx.len(),
                m,
                q,
                piv_start,
            };
            l_end += m * q;
            factors.idx.extend_from_slice(&self.front_idx);
            factors.panels.push(panel);
            if !root {
                let size = m - q;
                self.delayed += p - q;
                self.stack.push(Contribution {
                    idx_start: self.stack_idx.len(),
                    val_start: self.stack_val.len(),
                    size,
                    delayed: p - q,
                    rel_start: sn.struct_start,
                });
                self.stack_idx.extend_from_slice(&self.front_idx[q..]);
                for j in q..m {
                    self.stack_val.extend_from_slice(&f[j + j * m..(j + 1) * m]);
                }
            }
        }
        Ok(inertia)
    }
}
