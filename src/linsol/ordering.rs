//! Fill-reducing ordering: METIS nested dissection of the matrix graph, with
//! matched pairs (see [`super::matching`]) kept together.

use super::symbolic::NONE;
use super::{LinsolError, LowerCsc};

/// Adjacency (CSR, both triangles, no diagonal) of the graph of a symmetric pattern.
pub(crate) fn adjacency(pattern: &LowerCsc) -> (Vec<usize>, Vec<usize>) {
    let n = pattern.dim;
    let mut degree = vec![0usize; n + 1];
    for j in 0..n {
        for &i in &pattern.row_idx[pattern.column(j)] {
            if i != j {
                degree[i + 1] += 1;
                degree[j + 1] += 1;
            }
        }
    }
    for k in 0..n {
        degree[k + 1] += degree[k];
    }
    let ptr = degree;
    let mut next = ptr.clone();
    let mut adj = vec![0usize; ptr[n]];
    for j in 0..n {
        for &i in &pattern.row_idx[pattern.column(j)] {
            if i != j {
                adj[next[i]] = j;
                next[i] += 1;
                adj[next[j]] = i;
                next[j] += 1;
            }
        }
    }
    (ptr, adj)
}

/// Nested-dissection ordering by METIS: `perm[new] = old`. Each pair
/// `(first, second)` of `pairs` is ordered as one vertex of weight 2 and
/// comes out as `first` immediately followed by `second`.
pub(crate) fn nested_dissection(
    pattern: &LowerCsc,
    pairs: &[(usize, usize)],
) -> Result<Vec<usize>, LinsolError> {
    let n = pattern.dim;
    let (ptr, adj) = adjacency(pattern);
    if adj.is_empty() {
        return Ok((0..n).collect());
    }
    // Compressed graph: one vertex per pair or unpaired index.
    let mut vertex = vec![NONE; n];
    let mut members: Vec<(usize, usize)> = Vec::with_capacity(n - pairs.len());
    for &(a, b) in pairs {
        vertex[a] = members.len();
        vertex[b] = members.len();
        members.push((a, b));
    }
    for (i, v) in vertex.iter_mut().enumerate() {
        if *v == NONE {
            *v = members.len();
            members.push((i, NONE));
        }
    }
    let nc = members.len();
    let mut cptr = Vec::with_capacity(nc + 1);
    let mut cadj = Vec::with_capacity(adj.len());
    let mut mark = vec![NONE; nc];
    cptr.push(0);
    for (s, &(a, b)) in members.iter().enumerate() {
        mark[s] = s;
        for &old in [a, b].iter().filter(|&&i| i != NONE) {
            for &nb in &adj[ptr[old]..ptr[old + 1]] {
                let t = vertex[nb];
                if mark[t] != s {
                    mark[t] = s;
                    cadj.push(t);
                }
            }
        }
        cptr.push(cadj.len());
    }
    let weights: Vec<usize> = members
        .iter()
        .map(|&(_, b)| if b == NONE { 1 } else { 2 })
        .collect();
    let order = metis_node_nd(&cptr, &cadj, &weights)?;
    let mut perm = Vec::with_capacity(n);
    for s in order {
        let (a, b) = members[s];
        perm.push(a);
        if b != NONE {
            perm.push(b);
        }
    }
    Ok(perm)
}

/// `METIS_NodeND` on the graph `(ptr, adj)` (CSR, no self loops) with vertex
/// weights: `perm[new] = old`.
fn metis_node_nd(
    ptr: &[usize],
    adj: &[usize],
    weights: &[usize],
) -> Result<Vec<usize>, LinsolError> {
    let n = weights.len();
    if adj.is_empty() {
        return Ok((0..n).collect());
    }
    let idx = |v: &[usize]| {
        v.iter()
            .map(|&v| {
                metis_sys::idx_t::try_from(v)
                    .map_err(|_| LinsolError::InvalidPattern("matrix too large for METIS".into()))
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let (mut xadj, mut adjncy, mut vwgt) = (idx(ptr)?, idx(adj)?, idx(weights)?);
    let mut nvtxs = metis_sys::idx_t::try_from(n)
        .map_err(|_| LinsolError::InvalidPattern("matrix too large for METIS".into()))?;
    let mut perm = vec![0 as metis_sys::idx_t; n];
    let mut iperm = vec![0 as metis_sys::idx_t; n];
    let mut options = [0 as metis_sys::idx_t; metis_sys::METIS_NOPTIONS as usize];
    // SAFETY: the arrays are valid CSR of `nvtxs` vertices without self loops,
    // `vwgt`, `perm`, `iperm` have `nvtxs` entries, `options` has METIS_NOPTIONS entries.
    let status = unsafe {
        metis_sys::METIS_SetDefaultOptions(options.as_mut_ptr());
        options[metis_sys::moptions_et_METIS_OPTION_NUMBERING as usize] = 0;
        metis_sys::METIS_NodeND(
            &mut nvtxs,
            xadj.as_mut_ptr(),
            adjncy.as_mut_ptr(),
            vwgt.as_mut_ptr(),
            options.as_mut_ptr(),
            perm.as_mut_ptr(),
            iperm.as_mut_ptr(),
        )
    };
    if status != metis_sys::rstatus_et_METIS_OK {
        return Err(LinsolError::InvalidPattern(format!(
            "METIS_NodeND failed with status {status}"
        )));
    }
    Ok(perm.iter().map(|&v| v as usize).collect())
}
