//! Symbolic analysis of a sparsity pattern, done once per pattern: fill-reducing
//! ordering, elimination tree, postorder, column counts, relaxed supernodes and
//! the row structure of every front.

use crate::counting_sort::group_by_key;

use super::assembly::AssemblyMaps;
use super::ordering::QuotientGraph;
use super::{LinsolError, LowerCsc};

/// Marks "no parent" in the trees.
pub(crate) const NONE: usize = usize::MAX;

/// A supernode: contiguous pivot columns `first..end` of the permuted matrix
/// sharing one front.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Supernode {
    pub first: usize,
    pub end: usize,
    /// Parent supernode in the assembly tree, or [`NONE`] for a root.
    pub parent: usize,
    /// Range in [`Symbolic::structure`] of the front's rows after its columns.
    pub struct_start: usize,
    pub struct_end: usize,
    /// Number of children (their contribution blocks are on top of the stack).
    pub children: usize,
}

impl Supernode {
    pub fn ncols(&self) -> usize {
        self.end - self.first
    }
    pub fn nstruct(&self) -> usize {
        self.struct_end - self.struct_start
    }
}

/// Result of the analysis; every index after `perm` is in the permuted numbering.
#[derive(Clone, Debug)]
pub(crate) struct Symbolic {
    pub dim: usize,
    /// `perm[new] = old`.
    pub perm: Vec<usize>,
    /// Supernodes in postorder (children before parents).
    pub supernodes: Vec<Supernode>,
    pub structure: Vec<usize>,
    /// Lower triangle of the permuted matrix by columns: rows and the index of
    /// the value in the caller's array (assembly map).
    pub col_ptr: Vec<usize>,
    pub col_row: Vec<usize>,
    pub col_value: Vec<usize>,
    /// Front positions of the assembly when no pivot is delayed.
    pub maps: AssemblyMaps,
    /// Entries of `L` (lower trapezoids of all fronts) without delayed pivots.
    pub nnz_l: usize,
}

/// Lower triangle of `P A Pᵀ` by columns, with the original value index of each entry.
fn permuted_columns(pattern: &LowerCsc, iperm: &[usize]) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    let entries = (0..pattern.dim).flat_map(|j| {
        pattern.column(j).map(move |e| {
            let (a, b) = (iperm[pattern.row_idx[e]], iperm[j]);
            (a.min(b), (a.max(b), e))
        })
    });
    let (ptr, entries) = group_by_key(pattern.dim, entries);
    let (rows, vals) = entries.into_iter().unzip();
    (ptr, rows, vals)
}

/// For each row `i`, the columns `k < i` with `a_ik ≠ 0` (transpose of the strict lower part).
fn strict_rows(n: usize, ptr: &[usize], rows: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let entries = (0..n).flat_map(|c| {
        rows[ptr[c]..ptr[c + 1]]
            .iter()
            .filter(move |&&r| r != c)
            .map(move |&r| (r, c))
    });
    group_by_key(n, entries)
}

/// Elimination tree by Liu's algorithm with path compression: `parent[j]`, or
/// [`NONE`] for a root. Row `i` of the lower triangle lists its columns in
/// `rcols[rptr[i]..rptr[i + 1]]` (in any order; the same arrays are the upper
/// triangle by columns); entries on or above the diagonal are ignored.
pub(crate) fn elimination_tree(n: usize, rptr: &[usize], rcols: &[usize]) -> Vec<usize> {
    let (mut parent, mut ancestor) = (vec![NONE; n], vec![NONE; n]);
    for i in 0..n {
        for &k in rcols[rptr[i]..rptr[i + 1]].iter().filter(|&&k| k < i) {
            let mut r = k;
            while ancestor[r] != NONE && ancestor[r] != i {
                let t = ancestor[r];
                ancestor[r] = i;
                r = t;
            }
            if ancestor[r] == NONE {
                ancestor[r] = i;
                parent[r] = i;
            }
        }
    }
    parent
}

/// Postorder of a forest: `post[k]` is the `k`-th node visited.
fn postorder(parent: &[usize]) -> Vec<usize> {
    let n = parent.len();
    let (mut head, mut next) = (vec![NONE; n], vec![NONE; n]);
    for j in (0..n).rev() {
        if parent[j] != NONE {
            next[j] = head[parent[j]];
            head[parent[j]] = j;
        }
    }
    let mut post = Vec::with_capacity(n);
    let mut stack = Vec::new();
    for root in (0..n).filter(|&j| parent[j] == NONE) {
        stack.push(root);
        while let Some(&top) = stack.last() {
            let child = head[top];
            if child == NONE {
                post.push(top);
                stack.pop();
            } else {
                head[top] = next[child];
                stack.push(child);
            }
        }
    }
    post
}

/// Walks the row subtrees of `L`: for each row `i` and each entry `k < i` of the row
/// in `rcols[rptr[i]..rptr[i + 1]]` (entries on or above the diagonal are ignored), the
/// path from `k` up the elimination tree `parent` to `i`, calling `entry(j)` once for
/// each column `j` with `l_ij ≠ 0`, `j < i`. Stops, returning `false`, as soon as
/// `entry` returns `false`; the work is that of the entries visited plus the row's.
pub(crate) fn walk_factor_entries(
    parent: &[usize],
    rptr: &[usize],
    rcols: &[usize],
    mut entry: impl FnMut(usize) -> bool,
) -> bool {
    let n = parent.len();
    let mut mark = vec![NONE; n];
    for i in 0..n {
        mark[i] = i;
        for &k in rcols[rptr[i]..rptr[i + 1]].iter().filter(|&&k| k < i) {
            let mut j = k;
            while mark[j] != i {
                if !entry(j) {
                    return false;
                }
                mark[j] = i;
                j = parent[j];
            }
        }
    }
    true
}

/// Number of entries in each column of `L` (diagonal included), by traversing
/// the row subtrees.
fn column_counts(parent: &[usize], rptr: &[usize], rcols: &[usize]) -> Vec<usize> {
    let mut count = vec![1usize; parent.len()];
    walk_factor_entries(parent, rptr, rcols, |j| {
        count[j] += 1;
        true
    });
    count
}

/// Matrices of lower dimension are ordered by METIS nested dissection alone.
///
/// Below 10⁴ rows the ordering takes a few milliseconds whichever is used, so there is
/// nothing to gain, while the pivot order sets the rounding of every solve and the
/// iterates of path-sensitive models follow it: with minimum degree, CUTE's `hs107`
/// (KKT dimension under 50) takes 117 iterations instead of 61, and `fletchbv` and
/// `haldmads` end in other local minima. From 10⁴ rows on (CUTE's large models) the
/// ordering's own cost and the factor's size matter.
const MINIMUM_DEGREE_FROM_DIM: usize = 10_000;

/// The fill-reducing ordering. Below [`MINIMUM_DEGREE_FROM_DIM`] rows, METIS nested
/// dissection. From there on, CHOLMOD's default strategy: approximate minimum degree,
/// kept when its factor is cheap (fewer than 500 flops per entry of `L`, or fewer than
/// five entries of `L` per entry of the matrix); otherwise METIS nested dissection too,
/// and the one whose factorization costs fewer flops. On the interior-point method's KKT
/// matrices of 10⁴–3·10⁴ rows (CUTE's large models) minimum degree takes a few
/// milliseconds where nested dissection takes tens, and its factors have 15–40% fewer
/// entries.
fn fill_reducing_order(
    pattern: &LowerCsc,
    pairs: &[(usize, usize)],
) -> Result<Elimination, LinsolError> {
    let graph = QuotientGraph::new(pattern, pairs);
    if pattern.dim < MINIMUM_DEGREE_FROM_DIM {
        return Ok(Elimination::of(pattern, graph.nested_dissection()?));
    }
    let amd = Elimination::of(pattern, graph.minimum_degree()?);
    let (amd_nnz_l, amd_flops) = amd.cost();
    if amd_flops < 500.0 * amd_nnz_l || amd_nnz_l < 5.0 * pattern.nnz() as f64 {
        return Ok(amd);
    }
    let nd = Elimination::of(pattern, graph.nested_dissection()?);
    Ok(if nd.cost().1 < amd_flops { nd } else { amd })
}

/// An ordering with the elimination tree and the column counts of `L` it gives: what
/// both the choice of ordering (the factor's size and work) and the analysis need, so
/// it is computed once per candidate ordering.
struct Elimination {
    /// `order[new] = old`.
    order: Vec<usize>,
    /// Elimination tree of the ordered matrix (new indices), [`NONE`] at roots.
    parent: Vec<usize>,
    /// Entries of each column of `L`, diagonal included (pivoting and supernode
    /// amalgamation aside).
    count: Vec<usize>,
}

impl Elimination {
    fn of(pattern: &LowerCsc, order: Vec<usize>) -> Self {
        let n = pattern.dim;
        let (ptr, rows, _) = permuted_columns(pattern, &inverse(&order));
        let (rptr, rcols) = strict_rows(n, &ptr, &rows);
        let parent = elimination_tree(n, &rptr, &rcols);
        let count = column_counts(&parent, &rptr, &rcols);
        Elimination {
            order,
            parent,
            count,
        }
    }

    /// Entries of `L` and `Σ c_j²` over the column counts `c_j` (the work).
    fn cost(&self) -> (f64, f64) {
        self.count.iter().fold((0.0, 0.0), |(l, f), &c| {
            let c = c as f64;
            (l + c, f + c * c)
        })
    }

    /// The same elimination in a postorder of its tree, which keeps every subtree
    /// contiguous. A topological reordering of the elimination tree leaves the structure
    /// of `L` unchanged up to the renumbering, so the tree and the counts are renumbered
    /// instead of computed again.
    fn postordered(self) -> Self {
        let post = postorder(&self.parent);
        let position = inverse(&post);
        let parent = post
            .iter()
            .map(|&k| match self.parent[k] {
                NONE => NONE,
                p => position[p],
            })
            .collect();
        Elimination {
            order: post.iter().map(|&k| self.order[k]).collect(),
            parent,
            count: post.iter().map(|&k| self.count[k]).collect(),
        }
    }
}

/// The inverse of a permutation given as `perm[new] = old`.
fn inverse(perm: &[usize]) -> Vec<usize> {
    let mut inv = vec![0; perm.len()];
    for (new, &old) in perm.iter().enumerate() {
        inv[old] = new;
    }
    inv
}

/// Entries of a lower trapezoid with `ncols` columns and `nrows` rows.
fn trapezoid(ncols: usize, nrows: usize) -> usize {
    ncols * nrows - ncols * (ncols - 1) / 2
}

/// Candidate supernode during amalgamation.
#[derive(Clone, Copy)]
struct Block {
    first: usize,
    end: usize,
    nrows: usize,
    zeros: usize,
}

/// Whether merging a child into its parent is worth the explicit zeros
/// (the relaxation rule of CHOLMOD: more zeros are tolerated in small fronts,
/// where dense kernels gain most from larger blocks).
fn relax(ncols: usize, zeros: usize, total: usize) -> bool {
    let frac = zeros as f64 / total as f64;
    ncols <= 4 || (ncols <= 16 && frac < 0.8) || (ncols <= 48 && frac < 0.1) || frac < 0.05
}

/// Fundamental supernodes, then relaxed amalgamation of each parent with its
/// last child (which precedes it in postorder, keeping columns contiguous).
/// Columns `k` with `joined[k]` are always kept in one supernode with `k + 1`.
fn amalgamate(parent: &[usize], count: &[usize], joined: &[bool]) -> Vec<Block> {
    let n = parent.len();
    let mut nchild = vec![0usize; n];
    for &p in parent.iter().filter(|&&p| p != NONE) {
        nchild[p] += 1;
    }
    let mut blocks: Vec<Block> = Vec::new();
    let mut j = 0;
    while j < n {
        let first = j;
        j += 1;
        while j < n && parent[j - 1] == j && count[j - 1] == count[j] + 1 && nchild[j] == 1 {
            j += 1;
        }
        let mut cur = Block {
            first,
            end: j,
            nrows: count[first],
            zeros: 0,
        };
        while let Some(&top) = blocks.last() {
            let p = parent[top.end - 1];
            if top.end != cur.first || p == NONE || p >= cur.end {
                break;
            }
            let (ct, cc) = (top.end - top.first, cur.end - cur.first);
            let nrows = ct + cur.nrows;
            let total = trapezoid(ct + cc, nrows);
            let real = trapezoid(ct, top.nrows) - top.zeros + trapezoid(cc, cur.nrows) - cur.zeros;
            let zeros = total - real;
            if !joined[top.end - 1] && !relax(ct + cc, zeros, total) {
                break;
            }
            blocks.pop();
            cur = Block {
                first: top.first,
                end: cur.end,
                nrows,
                zeros,
            };
        }
        blocks.push(cur);
    }
    blocks
}

impl Symbolic {
    /// Writes the values of the scaled permuted matrix `S P A Pᵀ S` in the order
    /// of `col_row`, where `scale` is the diagonal of `S` in permuted order, so
    /// that the assembly of every front reads them sequentially; returns their
    /// largest magnitude.
    pub fn scaled_values(&self, values: &[f64], scale: &[f64], out: &mut Vec<f64>) -> f64 {
        out.clear();
        let mut max_abs = 0.0_f64;
        for c in 0..self.dim {
            let sc = scale[c];
            let range = self.col_ptr[c]..self.col_ptr[c + 1];
            for (&r, &e) in self.col_row[range.clone()]
                .iter()
                .zip(&self.col_value[range])
            {
                let a = scale[r] * values[e] * sc;
                max_abs = max_abs.max(a.abs());
                out.push(a);
            }
        }
        max_abs
    }

    /// Analysis of `pattern`; each pair `(a, b)` of `pairs` (indices adjacent in
    /// the graph) ends up in consecutive columns of one supernode.
    pub fn analyse(pattern: &LowerCsc, pairs: &[(usize, usize)]) -> Result<Self, LinsolError> {
        let n = pattern.dim;
        // Ordering, then postorder of its elimination tree (same fill, contiguous subtrees).
        let Elimination {
            order: perm,
            parent,
            count,
        } = fill_reducing_order(pattern, pairs)?.postordered();
        let iperm = inverse(&perm);
        let (col_ptr, col_row, col_value) = permuted_columns(pattern, &iperm);
        // A pair is consecutive in the ordering, hence `a` is a child of `b` in the
        // elimination tree; the postorder visits the largest-numbered child
        // last, which keeps them adjacent.
        let mut joined = vec![false; n];
        for &(a, b) in pairs {
            if iperm[a] + 1 == iperm[b] {
                joined[iperm[a]] = true;
            }
        }
        let blocks = amalgamate(&parent, &count, &joined);

        let mut sn_of = vec![0usize; n];
        for (s, b) in blocks.iter().enumerate() {
            sn_of[b.first..b.end].fill(s);
        }
        let mut supernodes: Vec<Supernode> = blocks
            .iter()
            .map(|b| {
                let p = parent[b.end - 1];
                Supernode {
                    first: b.first,
                    end: b.end,
                    parent: if p == NONE { NONE } else { sn_of[p] },
                    struct_start: 0,
                    struct_end: 0,
                    children: 0,
                }
            })
            .collect();
        // Children lists (CSR) to merge their structures into the parent's.
        let ns = supernodes.len();
        let (cptr, children) = group_by_key(
            ns,
            (supernodes.iter().enumerate())
                .filter(|(_, sn)| sn.parent != NONE)
                .map(|(s, sn)| (sn.parent, s)),
        );
        let mut structure = Vec::new();
        let mut mark = vec![NONE; n];
        let mut nnz_l = 0;
        for s in 0..ns {
            let Supernode { first, end, .. } = supernodes[s];
            let start = structure.len();
            for &r in &col_row[col_ptr[first]..col_ptr[end]] {
                if r >= end && mark[r] != s {
                    mark[r] = s;
                    structure.push(r);
                }
            }
            for &c in &children[cptr[s]..cptr[s + 1]] {
                for k in supernodes[c].struct_start..supernodes[c].struct_end {
                    let r = structure[k];
                    if r >= end && mark[r] != s {
                        mark[r] = s;
                        structure.push(r);
                    }
                }
            }
            structure[start..].sort_unstable();
            let sn = &mut supernodes[s];
            sn.struct_start = start;
            sn.struct_end = structure.len();
            sn.children = cptr[s + 1] - cptr[s];
            nnz_l += trapezoid(sn.ncols(), sn.ncols() + sn.nstruct());
        }
        let maps = AssemblyMaps::new(
            n,
            &supernodes,
            &structure,
            &cptr,
            &children,
            &col_ptr,
            &col_row,
        );
        Ok(Symbolic {
            dim: n,
            perm,
            supernodes,
            structure,
            col_ptr,
            col_row,
            col_value,
            maps,
            nnz_l,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lower triangle of a 2-D grid Laplacian with a few long-range couplings.
    fn grid_pattern(side: usize) -> LowerCsc {
        let n = side * side;
        let mut cols: Vec<Vec<usize>> = (0..n).map(|j| vec![j]).collect();
        for (j, col) in cols.iter_mut().enumerate() {
            if j % side + 1 < side {
                col.push(j + 1);
            }
            if j + side < n {
                col.push(j + side);
            }
            if j % 7 == 0 && j + 3 * side + 2 < n {
                col.push(j + 3 * side + 2);
            }
        }
        let mut col_ptr = vec![0];
        let mut row_idx = Vec::new();
        for mut c in cols {
            c.sort_unstable();
            row_idx.extend(c);
            col_ptr.push(row_idx.len());
        }
        LowerCsc {
            dim: n,
            col_ptr,
            row_idx,
        }
    }

    #[test]
    fn postordering_renumbers_tree_and_counts_exactly() {
        let pattern = grid_pattern(13);
        let n = pattern.dim;
        // A scrambled ordering, so that the postorder moves most columns.
        let order: Vec<usize> = (0..n).map(|k| (k * 37 + 11) % n).collect();
        let post = Elimination::of(&pattern, order).postordered();
        let fresh = Elimination::of(&pattern, post.order.clone());
        assert_eq!(post.parent, fresh.parent);
        assert_eq!(post.count, fresh.count);
        assert!(
            post.parent
                .iter()
                .enumerate()
                .all(|(k, &p)| p == NONE || p > k)
        );
    }
}
