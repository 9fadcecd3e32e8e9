//! Partial LDLᵀ factorization of one dense frontal matrix with threshold
//! Bunch–Kaufman pivoting.
//!
//! A front is an `m × m` symmetric matrix stored column-major (leading dimension
//! `m`, only the lower triangle is read or written) whose first `p` rows/columns
//! are *fully summed*: they may be eliminated. Pivots are chosen among them only,
//! 1×1 or 2×2, and a pivot is accepted only if it bounds the entries of `L` by
//! `1/u` (the threshold test of Duff and Reid). Columns that find no acceptable
//! pivot are left at the end of the fully-summed block and *delayed*: the caller
//! passes them to the parent front, where more of the matrix has been summed.
//! When elimination is mandatory (the dense path and the root of the tree),
//! the classical Bunch–Kaufman rule decides instead, which always finds a pivot.
//!
//! Columns are processed in chunks: within a chunk, pivots are applied to the
//! chunk's own columns as they are chosen (rank-1/rank-2 updates), and the rest
//! of the front is updated once per chunk with a single lower-triangular matrix
//! product, so the bulk of the work runs in faer's blocked kernels.

use super::Inertia;
use faer::linalg::matmul::triangular::{BlockStructure, matmul};
use faer::{Accum, MatMut, MatRef, Par};

/// Number of fully-summed columns eliminated between two blocked updates.
const CHUNK: usize = 48;

/// A column is a zero pivot when its diagonal is at most `zero_tol` and its
/// other entries at most `zero_tol / ZERO_COLUMN`: a small diagonal with a real
/// coupling is not a zero eigenvalue (it belongs in a 2×2 pivot), whatever the
/// pivot threshold.
const ZERO_COLUMN: f64 = 0.01;

/// Bunch–Kaufman's growth-optimal constant (1 + √17) / 8.
const BK_ALPHA: f64 = 0.640_388_203_202_208_4;

/// One diagonal block of `D`, in elimination order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Pivot {
    /// 1×1 block `d`; `d == 0` marks a zero pivot (a zero eigenvalue).
    One(f64),
    /// First column of the 2×2 block `[[a, b], [b, c]]`.
    TwoFirst { a: f64, b: f64, c: f64 },
    /// Second column of a 2×2 block (the block is stored with its first column).
    TwoSecond,
}

/// Tolerances of the pivot search, absolute (already scaled by the caller).
#[derive(Clone, Copy, Debug)]
pub(crate) struct PivotRule {
    /// Threshold `u`: a pivot is acceptable if the resulting `|L| ≤ 1/u`.
    pub threshold: f64,
    /// A diagonal `≤ zero_tol` in magnitude in a column that is small too is a
    /// zero pivot (see [`ZERO_COLUMN`]).
    pub zero_tol: f64,
}

/// The pivot chosen for position `k`.
enum Choice {
    Zero(usize),
    One(usize),
    Two(usize, usize),
}

/// Column-major view of the lower triangle of a front.
struct Front<'a> {
    f: &'a mut [f64],
    m: usize,
}

impl Front<'_> {
    #[inline(always)]
    fn at(&self, i: usize, j: usize) -> f64 {
        self.f[i + j * self.m]
    }

    /// Entry `(i, j)` of the symmetric matrix, read from the lower triangle.
    #[inline(always)]
    fn sym(&self, i: usize, j: usize) -> f64 {
        if i >= j { self.at(i, j) } else { self.at(j, i) }
    }

    /// Largest `|a_ij|` over rows `i ≥ k` of symmetric column `j`, skipping
    /// row `j` and row `skip`; returns the value and its row.
    #[inline(always)]
    fn col_max(&self, k: usize, j: usize, skip: usize) -> (f64, usize) {
        let (mut best, mut row) = (0.0_f64, j);
        for i in k..j {
            let v = self.at(j, i).abs();
            if v > best && i != skip {
                (best, row) = (v, i);
            }
        }
        let below = &self.f[j * self.m + j + 1..(j + 1) * self.m];
        for (i, &a) in (j + 1..).zip(below) {
            let v = a.abs();
            if v > best && i != skip {
                (best, row) = (v, i);
            }
        }
        (best, row)
    }

    /// Row `i ∈ [k, end)`, `i ≠ j`, of the largest nonzero `|a_ij|`, if any.
    #[inline(always)]
    fn chunk_partner(&self, k: usize, j: usize, end: usize) -> Option<usize> {
        let (mut best, mut row) = (0.0_f64, None);
        for i in k..end {
            let v = self.sym(i, j).abs();
            if v > best && i != j {
                (best, row) = (v, Some(i));
            }
        }
        row
    }

    /// Symmetric permutation exchanging positions `a` and `b` (rows and columns).
    #[inline(always)]
    fn swap(&mut self, idx: &mut [usize], a: usize, b: usize) {
        let (a, b) = (a.min(b), a.max(b));
        if a == b {
            return;
        }
        let m = self.m;
        for c in 0..a {
            self.f.swap(a + c * m, b + c * m);
        }
        self.f.swap(a + a * m, b + b * m);
        for i in a + 1..b {
            self.f.swap(i + a * m, b + i * m);
        }
        for i in b + 1..m {
            self.f.swap(i + a * m, i + b * m);
        }
        idx.swap(a, b);
    }

    /// Threshold test on candidate column `j` at step `k`; the 2×2 partner must
    /// lie in the current chunk `[k, end)`.
    #[inline(always)]
    fn threshold_choice(&self, k: usize, j: usize, end: usize, rule: PivotRule) -> Option<Choice> {
        let u = rule.threshold;
        // A 1×1 pivot passes the threshold test and is not itself a zero
        // eigenvalue (with a small `u`, a diagonal at roundoff level would).
        let one_ok = |d: f64, g: f64| d.abs() > rule.zero_tol && d.abs() >= u * g;
        let ajj = self.at(j, j);
        let (gj, r) = self.col_max(k, j, j);
        if ajj.abs().max(ZERO_COLUMN * gj) <= rule.zero_tol {
            return Some(Choice::Zero(j));
        }
        if one_ok(ajj, gj) {
            return Some(Choice::One(j));
        }
        // The 2×2 partner: the largest entry of the column if it lies in the
        // chunk, else the largest among the chunk's rows (the partner the
        // ordering paired with a small diagonal is one of them).
        let r = if r < end {
            r
        } else {
            self.chunk_partner(k, j, end)?
        };
        let arr = self.at(r, r);
        let (gr, _) = self.col_max(k, r, r);
        if one_ok(arr, gr) {
            return Some(Choice::One(r));
        }
        let b = self.sym(r, j);
        let (gj2, _) = self.col_max(k, j, r);
        let (gr2, _) = self.col_max(k, r, j);
        let det = (ajj * arr - b * b).abs();
        let ok = det > 0.0
            && u * (arr.abs() * gj2 + b.abs() * gr2) <= det
            && u * (b.abs() * gj2 + ajj.abs() * gr2) <= det;
        ok.then_some(Choice::Two(j, r))
    }

    /// Classical Bunch–Kaufman choice for column `k`; every remaining column must
    /// lie in the chunk. Always succeeds.
    #[inline(always)]
    fn bunch_kaufman_choice(&self, k: usize, rule: PivotRule) -> Choice {
        let akk = self.at(k, k).abs();
        let (g1, r) = self.col_max(k, k, k);
        if akk.max(g1) <= rule.zero_tol {
            return Choice::Zero(k);
        }
        if akk >= BK_ALPHA * g1 {
            return Choice::One(k);
        }
        let (gr, _) = self.col_max(k, r, r);
        if akk * gr >= BK_ALPHA * g1 * g1 {
            Choice::One(k)
        } else if self.at(r, r).abs() >= BK_ALPHA * gr {
            Choice::One(r)
        } else {
            Choice::Two(k, r)
        }
    }

    /// Eliminates the 1×1 pivot at `k`, updating chunk columns `k+1..end`.
    #[inline(always)]
    fn eliminate_one(&mut self, k: usize, end: usize) -> f64 {
        let m = self.m;
        let d = self.at(k, k);
        let inv_d = 1.0 / d;
        for j in k + 1..end {
            let lj = self.at(j, k) * inv_d;
            if lj != 0.0 {
                let (left, right) = self.f.split_at_mut(j * m);
                let col_k = &left[k * m..(k + 1) * m];
                for (x, &a) in right[j..m].iter_mut().zip(&col_k[j..m]) {
                    *x -= lj * a;
                }
            }
        }
        for x in &mut self.f[k * m + k + 1..(k + 1) * m] {
            *x *= inv_d;
        }
        d
    }

    /// Eliminates the 2×2 pivot at `k, k+1`, updating chunk columns `k+2..end`.
    #[inline(always)]
    fn eliminate_two(&mut self, k: usize, end: usize) -> Pivot {
        let m = self.m;
        let (a, b, c) = (self.at(k, k), self.at(k + 1, k), self.at(k + 1, k + 1));
        // Entries of the inverse block: products instead of divisions per row.
        let det = a * c - b * b;
        let (ia, ib, ic) = (c / det, -b / det, a / det);
        let inv = |x: f64, y: f64| (ia * x + ib * y, ib * x + ic * y);
        for j in k + 2..end {
            let (l0, l1) = inv(self.at(j, k), self.at(j, k + 1));
            if l0 == 0.0 && l1 == 0.0 {
                // Column `j` is not coupled to the pivot (common in the
                // near-banded fronts of a minimum-degree ordering).
                continue;
            }
            let (left, right) = self.f.split_at_mut(j * m);
            let col_k = &left[k * m + j..(k + 1) * m];
            let col_k1 = &left[(k + 1) * m + j..(k + 2) * m];
            for ((x, &a), &b) in right[j..m].iter_mut().zip(col_k).zip(col_k1) {
                *x -= l0 * a + l1 * b;
            }
        }
        for i in k + 2..m {
            let (l0, l1) = inv(self.at(i, k), self.at(i, k + 1));
            self.f[i + k * m] = l0;
            self.f[i + (k + 1) * m] = l1;
        }
        self.f[k + 1 + k * m] = 0.0;
        Pivot::TwoFirst { a, b, c }
    }

    /// Applies the pivots of columns `c0..k` (with blocks `pivots`) to the trailing
    /// lower triangle `[end.., end..]` in one matrix product.
    #[inline(always)]
    fn trailing_update(
        &mut self,
        c0: usize,
        k: usize,
        end: usize,
        pivots: &[Pivot],
        work: &mut Vec<f64>,
    ) {
        let (m, w) = (self.m, k - c0);
        let rows = m - end;
        if w == 0 || rows == 0 {
            return;
        }
        // work = L[end.., c0..k] · D
        work.clear();
        work.resize(rows * w, 0.0);
        let mut t = 0;
        while t < w {
            let lcol = |s: usize| &self.f[(c0 + s) * m + end..(c0 + s + 1) * m];
            match pivots[t] {
                Pivot::One(d) => {
                    for (x, &l) in work[t * rows..(t + 1) * rows].iter_mut().zip(lcol(t)) {
                        *x = l * d;
                    }
                    t += 1;
                }
                Pivot::TwoFirst { a, b, c } => {
                    let (l0, l1) = (lcol(t), lcol(t + 1));
                    let (w0, w1) = work[t * rows..(t + 2) * rows].split_at_mut(rows);
                    for i in 0..rows {
                        w0[i] = l0[i] * a + l1[i] * b;
                        w1[i] = l0[i] * b + l1[i] * c;
                    }
                    t += 2;
                }
                Pivot::TwoSecond => unreachable!("2×2 block starts with its first column"),
            }
        }
        let (left, right) = self.f.split_at_mut(end * m);
        let l = MatRef::from_column_major_slice(&left[c0 * m..k * m], m, w).subrows(end, rows);
        let dst = MatMut::from_column_major_slice_mut(right, m, rows).subrows_mut(end, rows);
        let wd = MatRef::from_column_major_slice(&work[..], rows, w);
        matmul(
            dst,
            BlockStructure::TriangularLower,
            Accum::Add,
            l,
            BlockStructure::Rectangular,
            wd.transpose(),
            BlockStructure::Rectangular,
            -1.0,
            Par::Seq,
        );
    }
}

/// Counts the eigenvalue signs of a 2×2 block `[[a, b], [b, c]]` into `inertia`;
/// eigenvalues of magnitude `≤ zero_tol` count as zero.
#[inline(always)]
fn count_two(a: f64, b: f64, c: f64, zero_tol: f64, inertia: &mut Inertia) {
    let mean = 0.5 * (a + c);
    let radius = (0.5 * (a - c)).hypot(b);
    for lambda in [mean + radius, mean - radius] {
        count_one(lambda, zero_tol, inertia);
    }
}

#[inline(always)]
fn count_one(lambda: f64, zero_tol: f64, inertia: &mut Inertia) {
    if lambda.abs() <= zero_tol {
        inertia.zero += 1;
    } else if lambda > 0.0 {
        inertia.positive += 1;
    } else {
        inertia.negative += 1;
    }
}

/// Partially factors the front `f` (`m × m`, column-major, lower triangle) over
/// its first `p` columns. Pivot positions are permuted symmetrically, and `idx`
/// (the front's row indices) follows the permutation.
///
/// On return, with `q` the returned count of eliminated pivots: columns `0..q`
/// hold `L` below its unit diagonal (zero inside 2×2 blocks), `pivots` has `q`
/// new blocks of `D`, `inertia` counts their eigenvalue signs, and the lower
/// triangle of `f[q.., q..]` is the Schur complement, whose first `p - q`
/// rows/columns are the delayed ones. With `must_eliminate` (which requires
/// `p == m`) every column is eliminated. `stop` is polled after each chunk of
/// columns (a root front can take seconds): `None` when it asked to give up.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn factor_front(
    f: &mut [f64],
    m: usize,
    p: usize,
    idx: &mut [usize],
    rule: PivotRule,
    must_eliminate: bool,
    pivots: &mut Vec<Pivot>,
    inertia: &mut Inertia,
    work: &mut Vec<f64>,
    stop: &dyn Fn() -> bool,
) -> Option<usize> {
    debug_assert!(p <= m && f.len() >= m * m && idx.len() >= m);
    debug_assert!(!must_eliminate || p == m);
    let mut front = Front {
        f: &mut f[..m * m],
        m,
    };
    let first_pivot = pivots.len();
    let mut k = 0;
    let mut end = p.min(CHUNK);
    loop {
        let c0 = k;
        'chunk: while k < end {
            let last_chunk = end == p;
            let mut choice = None;
            for j in k..end {
                choice = front.threshold_choice(k, j, end, rule);
                if choice.is_some() {
                    break;
                }
            }
            if choice.is_none() && must_eliminate && last_chunk {
                choice = Some(front.bunch_kaufman_choice(k, rule));
            }
            match choice {
                None => break 'chunk,
                Some(Choice::Zero(j)) => {
                    front.swap(idx, k, j);
                    front.f[k * m + k..(k + 1) * m].fill(0.0);
                    pivots.push(Pivot::One(0.0));
                    inertia.zero += 1;
                    k += 1;
                }
                Some(Choice::One(j)) => {
                    front.swap(idx, k, j);
                    let d = front.eliminate_one(k, end);
                    pivots.push(Pivot::One(d));
                    count_one(d, rule.zero_tol, inertia);
                    k += 1;
                }
                Some(Choice::Two(j, r)) => {
                    front.swap(idx, k, j);
                    // `r` may have been moved by the first exchange.
                    let r = if r == k { j } else { r };
                    front.swap(idx, k + 1, r);
                    let block = front.eliminate_two(k, end);
                    if let Pivot::TwoFirst { a, b, c } = block {
                        count_two(a, b, c, rule.zero_tol, inertia);
                    }
                    pivots.push(block);
                    pivots.push(Pivot::TwoSecond);
                    k += 2;
                }
            }
        }
        front.trailing_update(c0, k, end, &pivots[first_pivot + c0..], work);
        if end == p {
            return Some(k);
        }
        if stop() {
            return None;
        }
        end = (end + CHUNK).min(p);
    }
}
