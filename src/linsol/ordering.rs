//! Fill-reducing orderings of the matrix graph, approximate minimum degree and METIS
//! nested dissection, with matched pairs (see [`super::matching`]) kept together.

use crate::counting_sort::group_by_key;

use super::symbolic::NONE;
use super::{LinsolError, LowerCsc};

/// Adjacency (CSR, both triangles, no diagonal) of the graph of a symmetric pattern.
pub(crate) fn adjacency(pattern: &LowerCsc) -> (Vec<usize>, Vec<usize>) {
    let edges = (0..pattern.dim).flat_map(|j| {
        pattern.row_idx[pattern.column(j)]
            .iter()
            .filter(move |&&i| i != j)
            .flat_map(move |&i| [(i, j), (j, i)])
    });
    group_by_key(pattern.dim, edges)
}

/// The graph of a symmetric pattern with each matched pair `(first, second)` merged
/// into one vertex of weight 2 (see [`super::matching`]), so that any ordering of it
/// keeps the pair together: [`QuotientGraph::expand`] puts `first` immediately
/// before `second`.
pub(crate) struct QuotientGraph {
    /// Dimension of the original pattern.
    dim: usize,
    /// The original indices of each vertex (`NONE` as second for a single index).
    members: Vec<(usize, usize)>,
    ptr: Vec<usize>,
    adj: Vec<usize>,
    weights: Vec<usize>,
}

impl QuotientGraph {
    pub fn new(pattern: &LowerCsc, pairs: &[(usize, usize)]) -> Self {
        let n = pattern.dim;
        let (ptr, adj) = adjacency(pattern);
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
        let weights = members
            .iter()
            .map(|&(_, b)| if b == NONE { 1 } else { 2 })
            .collect();
        QuotientGraph {
            dim: n,
            members,
            ptr: cptr,
            adj: cadj,
            weights,
        }
    }

    /// Approximate minimum degree (faer's AMD, aggressive absorption and dense rows
    /// deferred as in SuiteSparse): `perm[new] = old`.
    pub fn minimum_degree(&self) -> Result<Vec<usize>, LinsolError> {
        use faer::dyn_stack::{MemBuffer, MemStack};
        use faer::sparse::SymbolicSparseColMatRef;
        use faer::sparse::linalg::amd;
        let n = self.members.len();
        if self.adj.is_empty() {
            return Ok(self.expand((0..n).collect()));
        }
        let graph = SymbolicSparseColMatRef::new_unsorted_checked(n, n, &self.ptr, None, &self.adj);
        let (mut order, mut inverse) = (vec![0usize; n], vec![0usize; n]);
        let mut mem = MemBuffer::new(amd::order_maybe_unsorted_scratch::<usize>(
            n,
            self.adj.len(),
        ));
        amd::order_maybe_unsorted(
            &mut order,
            &mut inverse,
            graph,
            amd::Control::default(),
            MemStack::new(&mut mem),
        )
        .map_err(|e| LinsolError::InvalidPattern(format!("minimum degree ordering: {e:?}")))?;
        Ok(self.expand(order))
    }

    /// Nested dissection by METIS, pairs weighted 2: `perm[new] = old`.
    pub fn nested_dissection(&self) -> Result<Vec<usize>, LinsolError> {
        let order = metis_node_nd(&self.ptr, &self.adj, &self.weights)?;
        Ok(self.expand(order))
    }

    /// An ordering of the vertices as one of the original indices.
    fn expand(&self, order: Vec<usize>) -> Vec<usize> {
        let mut perm = Vec::with_capacity(self.dim);
        for s in order {
            let (a, b) = self.members[s];
            perm.push(a);
            if b != NONE {
                perm.push(b);
            }
        }
        perm
    }
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
