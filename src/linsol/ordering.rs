//! Fill-reducing ordering: METIS nested dissection of the matrix graph.

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

/// Nested-dissection ordering by METIS: `perm[new] = old`.
pub(crate) fn nested_dissection(pattern: &LowerCsc) -> Result<Vec<usize>, LinsolError> {
    let n = pattern.dim;
    let (ptr, adj) = adjacency(pattern);
    if adj.is_empty() {
        return Ok((0..n).collect());
    }
    let to_idx = |v: usize| {
        metis_sys::idx_t::try_from(v)
            .map_err(|_| LinsolError::InvalidPattern("matrix too large for METIS".into()))
    };
    let mut xadj = ptr
        .iter()
        .map(|&v| to_idx(v))
        .collect::<Result<Vec<_>, _>>()?;
    let mut adjncy = adj
        .iter()
        .map(|&v| to_idx(v))
        .collect::<Result<Vec<_>, _>>()?;
    let mut nvtxs = to_idx(n)?;
    let mut perm = vec![0 as metis_sys::idx_t; n];
    let mut iperm = vec![0 as metis_sys::idx_t; n];
    let mut options = [0 as metis_sys::idx_t; metis_sys::METIS_NOPTIONS as usize];
    // SAFETY: the arrays are valid CSR of `nvtxs` vertices without self loops,
    // `perm`/`iperm` have `nvtxs` entries, `options` has METIS_NOPTIONS entries.
    let status = unsafe {
        metis_sys::METIS_SetDefaultOptions(options.as_mut_ptr());
        options[metis_sys::moptions_et_METIS_OPTION_NUMBERING as usize] = 0;
        metis_sys::METIS_NodeND(
            &mut nvtxs,
            xadj.as_mut_ptr(),
            adjncy.as_mut_ptr(),
            std::ptr::null_mut(),
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
