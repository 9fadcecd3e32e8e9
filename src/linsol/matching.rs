//! Pairing of rows that cannot be 1×1 pivots with a neighbour, so that the
//! ordering keeps both in one front and a 2×2 pivot is available there.
//!
//! In a KKT matrix the constraint rows have a zero (or `−δc`) diagonal. A
//! fill-reducing ordering of the graph alone may place such a row in a front
//! that does not contain any of its variables; the row then fails every pivot
//! test there and is delayed to the parent, enlarging every front on the way
//! (extra fill and work). Ordering each such row together with the variable of
//! its largest entry — as one vertex of a compressed graph — removes most
//! delays: `[[a_vv, a_vc], [a_vc, 0]]` is a good 2×2 pivot when `|a_vc|` is
//! large in both columns, and after eliminating a nonzero `a_vv` the row has a
//! nonzero diagonal anyway.

use crate::counting_sort::group_by_key;

use super::LowerCsc;
use super::symbolic::NONE;

/// A diagonal below this fraction of its row's largest entry fails the
/// threshold test as a 1×1 pivot at the largest threshold the solver raises
/// its default to in common use (`u = 0.01`); pairing such rows costs little
/// fill and keeps the zero diagonals of constraint rows out of fronts without
/// their variables at every threshold.
const SMALL_DIAGONAL: f64 = 0.01;

/// Matched pairs `(variable, row)`: `row` has a small diagonal, `variable` is
/// its neighbour with the largest entry among those not matched before
/// (neighbours with a large diagonal preferred). Every index is in at most one pair.
pub(crate) fn small_diagonal_pairs(pattern: &LowerCsc, values: &[f64]) -> Vec<(usize, usize)> {
    let n = pattern.dim;
    let mut diag = vec![0.0_f64; n];
    let mut row_max = vec![0.0_f64; n];
    for j in 0..n {
        for (i, v) in pattern.column_entries(values, j) {
            let a = v.abs();
            if i == j {
                diag[j] = a;
            } else {
                row_max[i] = row_max[i].max(a);
                row_max[j] = row_max[j].max(a);
            }
        }
    }
    let small: Vec<bool> = (0..n)
        .map(|i| row_max[i] > 0.0 && diag[i] < SMALL_DIAGONAL * row_max[i])
        .collect();
    if !small.iter().any(|&s| s) {
        return Vec::new();
    }
    let edges = (0..n).flat_map(|j| {
        (pattern.column_entries(values, j))
            .filter(move |&(i, _)| i != j)
            .flat_map(move |(i, v)| [(i, (j, v.abs())), (j, (i, v.abs()))])
    });
    let (ptr, adj) = group_by_key(n, edges);
    let mut mate = vec![NONE; n];
    let mut pairs = Vec::new();
    for r in (0..n).filter(|&r| small[r]) {
        if mate[r] != NONE {
            continue;
        }
        let best = adj[ptr[r]..ptr[r + 1]]
            .iter()
            .filter(|&&(v, a)| mate[v] == NONE && a > 0.0)
            .max_by(|x, y| (!small[x.0]).cmp(&!small[y.0]).then(x.1.total_cmp(&y.1)));
        if let Some(&(v, _)) = best {
            mate[r] = v;
            mate[v] = r;
            pairs.push((v, r));
        }
    }
    pairs
}
