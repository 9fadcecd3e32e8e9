//! The Lagrangian Hessian by edge pushing (Gower & Mello 2012) over the whole
//! program.
//!
//! One reverse sweep visits the operation slots from the last to the first. Besides
//! the adjoint `ā`, it carries a symmetric matrix `W` over slots whose entry (a, b)
//! is the second derivative of the Lagrangian with respect to the values of slots a
//! and b. Visiting slot `s = φ(args)` eliminates it: every entry `W[s, p]` is pushed
//! to `W[arg, p]` with the partial of the argument, `W[s, s]` becomes
//! `∇φ W[s, s] ∇φᵀ` over the arguments, and `ā_s ∇²φ` is created. What is left on the
//! variable slots at the end is the Hessian. Because defined variables are ordinary
//! slots that come before all their readers, a defined variable used in many places
//! is eliminated once, with all contributions of its readers summed.
//!
//! The cost is proportional to the number of nonzero `W` entries touched, so a sum of
//! many separable terms (a dense budget row) stays linear, and no coloring is needed.
//! The pattern of `W` is found once by the same sweep run on structure only (the
//! [`Edges`] implementation decides), so the numeric sweep only adds into fixed slots.

use super::ops::hessian_pattern;
use super::program::{Program, SlotSet, carries};

/// Where edge pushing writes entries of `W`.
pub(crate) trait Edges {
    /// `W[a, b] += v` (and symmetrically).
    fn add(&mut self, a: u32, b: u32, v: f64);

    /// `W[r, k] += v` for every `(k, v)` of `entries`, whose columns `k` are
    /// increasing and below `r`.
    fn add_row(&mut self, r: u32, entries: impl Iterator<Item = (u32, f64)>) {
        for (k, v) in entries {
            self.add(r, k, v);
        }
    }

    /// `W[a.slot, b.slot] += a.d · b.d · w` for every pair `a ≤ b` of `dv`, whose
    /// slots are strictly increasing: the dense block `w ∇φ ∇φᵀ` of an n-ary linear
    /// operation.
    fn add_outer(&mut self, dv: &[Partial], w: f64) {
        for (t, a) in dv.iter().enumerate() {
            for b in &dv[t..] {
                self.add(a.slot, b.slot, a.d * b.d * w);
            }
        }
    }
}

/// One argument with a derivative: its slot, its argument position, the partial.
#[derive(Clone, Copy)]
pub(crate) struct Partial {
    pub slot: u32,
    pub pos: usize,
    pub d: f64,
}

/// Row `s` of `W` while slot `s` is eliminated: entries `W[s, keys[i]] = vals[i]`,
/// all keys ≤ s.
#[derive(Clone, Copy)]
pub(crate) struct Row<'a> {
    pub keys: &'a [u32],
    pub vals: &'a [f64],
}

impl<'a> Row<'a> {
    /// The row without its diagonal entry `W[s, s]`, and that entry if it is in the
    /// pattern (the last key, keys being sorted).
    #[inline]
    pub fn split_diagonal(self, s: u32) -> (Row<'a>, Option<f64>) {
        match self.keys.split_last() {
            Some((&last, keys)) if last == s => (
                Row {
                    keys,
                    vals: &self.vals[..keys.len()],
                },
                self.vals.last().copied(),
            ),
            _ => (self, None),
        }
    }
}

/// Pushes the off-diagonal entries of a row, `W[s, p]` for `p` in `row` (none of
/// them `s`), to argument `slot` with partial `d`: `W[slot, p] += d · scale(W[s, p])`,
/// twice that when `p` is `slot` itself. The entries below `slot` all land in row
/// `slot` at increasing columns, which is walked once instead of searched per entry.
/// Every target entry receives the same additions in the same order as pushing the
/// row entry by entry would give.
#[inline]
pub(crate) fn push_row<E: Edges>(
    edges: &mut E,
    row: Row<'_>,
    slot: u32,
    d: f64,
    scale: impl Fn(f64) -> f64,
) {
    let split = row.keys.partition_point(|&p| p < slot);
    let (below, above) = row.keys.split_at(split);
    let (wb, wa) = row.vals.split_at(split);
    edges.add_row(slot, below.iter().zip(wb).map(|(&p, &w)| (p, d * scale(w))));
    for (&p, &w) in above.iter().zip(wa) {
        if p == slot {
            edges.add(p, p, 2.0 * d * scale(w));
        } else {
            edges.add(slot, p, d * scale(w));
        }
    }
}

/// Eliminates slot `s` whose row of `W` is `row`, with adjoint `adj`, first partials `dv` and, for unary/binary
/// operations with second derivatives, local Hessian `h = (h00, h01, h11)` of which
/// `hmask` gives the structurally nonzero entries.
pub(crate) fn eliminate<E: Edges>(
    edges: &mut E,
    s: u32,
    row: Row<'_>,
    dv: &[Partial],
    adj: f64,
    hmask: [bool; 3],
    h: [f64; 3],
) {
    let (row, wss) = row.split_diagonal(s);
    // Entry W[a, b] receives two pushes when both a and b are arguments and keys of
    // the row; they are then made key by key, the order of the sums not changing
    // with the order of the arguments. Otherwise every target receives one push,
    // and the row is pushed argument by argument.
    if dv.iter().any(|q| row.keys.binary_search(&q.slot).is_ok()) {
        for (&p, &w) in row.keys.iter().zip(row.vals) {
            for q in dv {
                if q.slot == p {
                    edges.add(p, p, 2.0 * q.d * w);
                } else {
                    edges.add(q.slot, p, q.d * w);
                }
            }
        }
    } else {
        for q in dv {
            push_row(edges, row, q.slot, q.d, |w| w);
        }
    }
    if wss.is_none() && hmask == [false; 3] {
        return;
    }
    let increasing = || dv.windows(2).all(|p| p[0].slot < p[1].slot);
    if let Some(w) = wss.filter(|_| hmask == [false; 3] && dv.len() > 2 && increasing()) {
        edges.add_outer(dv, w);
        return;
    }
    for (t, a) in dv.iter().enumerate() {
        for b in &dv[t..] {
            let k = a.pos + b.pos;
            let creates = k < 3 && hmask[k];
            if wss.is_none() && !creates {
                continue;
            }
            let mut m = wss.map_or(0.0, |w| a.d * b.d * w);
            if creates {
                m += adj * h[k];
            }
            if std::ptr::eq(a, b) {
                edges.add(a.slot, a.slot, m);
            } else if a.slot == b.slot {
                edges.add(a.slot, a.slot, 2.0 * m);
            } else {
                edges.add(a.slot, b.slot, m);
            }
        }
    }
}

/// [`eliminate`] for an operation with a single argument carrying a derivative,
/// partial `q`, and second partial `h` with respect to it when structurally nonzero.
#[inline]
pub(crate) fn eliminate_single<E: Edges>(
    edges: &mut E,
    s: u32,
    row: Row<'_>,
    q: Partial,
    adj: f64,
    h: Option<f64>,
) {
    let (row, wss) = row.split_diagonal(s);
    push_row(edges, row, q.slot, q.d, |w| w);
    if wss.is_none() && h.is_none() {
        return;
    }
    let mut m = wss.map_or(0.0, |w| q.d * q.d * w);
    if let Some(h) = h {
        m += adj * h;
    }
    edges.add(q.slot, q.slot, m);
}

/// Pattern of `W` collected row by row (row = larger slot), duplicates allowed until
/// the row is read.
struct PatternEdges {
    rows: Vec<Vec<u32>>,
}

impl Edges for PatternEdges {
    fn add(&mut self, a: u32, b: u32, _: f64) {
        let (r, k) = if a >= b { (a, b) } else { (b, a) };
        let row = &mut self.rows[r as usize];
        // A row that many overlapping blocks reach (a band of dense blocks) receives
        // each entry many times: it is deduplicated whenever it is full, so that it
        // holds at most about twice its distinct entries.
        if row.len() == row.capacity() && row.len() >= 16 {
            row.sort_unstable();
            row.dedup();
        }
        row.push(k);
    }
}

/// Fixed pattern of `W` for all slots, in compressed rows (row `s` has the keys
/// `key[start[s]..start[s + 1]]`, sorted, all ≤ s). The rows of the variable slots,
/// which come first, are the lower triangle of the Lagrangian Hessian.
pub(crate) struct Pattern {
    pub start: Vec<usize>,
    pub key: Vec<u32>,
}

impl Pattern {
    /// Runs edge pushing on structure only, starting from the given piece roots and
    /// leaving out the slots `skip`; adds the Hessian entries `extra` (row ≥ col) of
    /// the pieces and terms handled outside the sweep.
    pub fn build(
        prog: &Program,
        roots: &[u32],
        skip: &SlotSet,
        extra: impl Iterator<Item = (u32, u32)>,
    ) -> Pattern {
        let n_slots = prog.n_slots();
        let mut edges = PatternEdges {
            rows: vec![Vec::new(); n_slots],
        };
        for (r, c) in extra {
            edges.add(r, c, 0.0);
        }
        let mut reached = vec![false; n_slots];
        for &r in roots {
            reached[r as usize] = true;
        }
        let mut dv = Vec::new();
        let mut ones = Vec::new();
        for s in (prog.op_base..n_slots).rev() {
            if !prog.active[s] || skip.contains(s) {
                continue;
            }
            let mut row = std::mem::take(&mut edges.rows[s]);
            row.sort_unstable();
            row.dedup();
            let k = s - prog.op_base;
            if reached[s] || !row.is_empty() {
                let op = prog.op[k];
                dv.clear();
                for (pos, &a) in prog.args_of(k).iter().enumerate() {
                    if carries(op, pos) && prog.active[a as usize] {
                        dv.push(Partial {
                            slot: a,
                            pos,
                            d: 1.0,
                        });
                        reached[a as usize] |= reached[s];
                    }
                }
                let hmask = if reached[s] {
                    hessian_pattern(op)
                } else {
                    [false; 3]
                };
                ones.resize(row.len(), 1.0);
                let row_view = Row {
                    keys: &row,
                    vals: &ones[..row.len()],
                };
                eliminate(&mut edges, s as u32, row_view, &dv, 1.0, hmask, [1.0; 3]);
            }
            edges.rows[s] = row;
        }
        let mut start = Vec::with_capacity(n_slots + 1);
        let mut key = Vec::new();
        start.push(0);
        for (s, row) in edges.rows.iter_mut().enumerate() {
            if s < prog.n_var {
                row.sort_unstable();
                row.dedup();
            }
            key.extend_from_slice(row);
            start.push(key.len());
        }
        Pattern { start, key }
    }

    /// Number of entries of the Hessian (rows of the variable slots).
    pub fn hessian_nnz(&self, n_var: usize) -> usize {
        self.start[n_var]
    }

    /// The values `w` of `W` split for eliminating slot `s`: its row, read, and the
    /// rows below it, which receive the pushed entries.
    pub fn split<'a>(&'a self, w: &'a mut [f64], s: usize) -> (ValueEdges<'a>, Row<'a>) {
        let row = self.start[s]..self.start[s + 1];
        let (below, rest) = w.split_at_mut(row.start);
        let edges = ValueEdges {
            start: &self.start,
            key: &self.key,
            val: below,
        };
        let view = Row {
            keys: &self.key[row.clone()],
            vals: &rest[..row.len()],
        };
        (edges, view)
    }

    /// Position of Hessian entry (r, c), r ≥ c, among the variable rows.
    pub fn position(&self, r: u32, c: u32) -> Option<usize> {
        let (lo, hi) = (self.start[r as usize], self.start[r as usize + 1]);
        self.key[lo..hi].binary_search(&c).ok().map(|i| lo + i)
    }
}

/// Numeric `W`: values of the rows below the row being eliminated.
pub(crate) struct ValueEdges<'a> {
    pub start: &'a [usize],
    pub key: &'a [u32],
    pub val: &'a mut [f64],
}

impl Edges for ValueEdges<'_> {
    #[inline]
    fn add(&mut self, a: u32, b: u32, v: f64) {
        let (r, k) = if a >= b { (a, b) } else { (b, a) };
        let lo = self.start[r as usize];
        let hi = self.start[r as usize + 1];
        match self.key[lo..hi].binary_search(&k) {
            Ok(i) => self.val[lo + i] += v,
            Err(_) => debug_assert!(false, "entry ({r}, {k}) missing from the pattern"),
        }
    }

    /// One walk along row `r`: the next column is usually the next entry, else it
    /// is searched among the entries after the last one found.
    #[inline]
    fn add_row(&mut self, r: u32, entries: impl Iterator<Item = (u32, f64)>) {
        let (lo, hi) = (self.start[r as usize], self.start[r as usize + 1]);
        let keys = &self.key[lo..hi];
        let vals = &mut self.val[lo..hi];
        let mut i = 0;
        for (k, v) in entries {
            if keys.get(i) != Some(&k) {
                i += keys[i..].partition_point(|&c| c < k);
            }
            if keys.get(i) == Some(&k) {
                vals[i] += v;
                i += 1;
            } else {
                debug_assert!(false, "entry ({r}, {k}) missing from the pattern");
            }
        }
    }

    /// Row `b.slot` receives the entries of all `a ≤ b` at increasing columns, so
    /// each row is walked once from the first column instead of searched per entry.
    fn add_outer(&mut self, dv: &[Partial], w: f64) {
        let first = dv[0].slot;
        // Sums (all partials 1) add the same value everywhere.
        let unit = dv.iter().all(|q| q.d == 1.0);
        for (i, b) in dv.iter().enumerate() {
            let r = b.slot as usize;
            let keys = &self.key[self.start[r]..self.start[r + 1]];
            let vals = &mut self.val[self.start[r]..self.start[r + 1]];
            let mut p = keys.partition_point(|&k| k < first);
            for a in &dv[..=i] {
                while keys[p] < a.slot {
                    p += 1;
                }
                debug_assert_eq!(keys[p], a.slot, "entry missing from the pattern");
                vals[p] += if unit { w } else { a.d * b.d * w };
            }
        }
    }
}
