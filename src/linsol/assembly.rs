//! Front positions of the assembly, computed once per pattern.
//!
//! A front whose children delayed no pivot has the layout the analysis
//! predicts: its own columns, then its structure rows, `m = ncols + nstruct`.
//! Where every original entry and every row of a child's contribution block
//! lands in that front is then fixed by the pattern, so the numeric
//! factorization reads these maps instead of looking positions up through a
//! global-to-front index map per front and per factorization (on the
//! near-banded fronts of a minimum-degree ordering those lookups cost as much
//! as the eliminations). Fronts that receive delayed pivots fall back to the
//! lookup.

use super::symbolic::Supernode;

/// Static front positions, aligned with the analysis' arrays.
#[derive(Clone, Debug, Default)]
pub(crate) struct AssemblyMaps {
    /// For each entry of the permuted lower triangle (in `col_row` order), its
    /// index `row + col · m` in the column-major front of its column's
    /// supernode, on the lower triangle.
    pub entry: Vec<usize>,
    /// For each row of a supernode's structure (in `structure` order), its row
    /// in the parent's front; unused for roots.
    pub parent_row: Vec<usize>,
}

impl AssemblyMaps {
    /// Maps for supernodes in postorder whose children are
    /// `children[child_ptr[s]..child_ptr[s + 1]]`.
    pub fn new(
        dim: usize,
        supernodes: &[Supernode],
        structure: &[usize],
        child_ptr: &[usize],
        children: &[usize],
        col_ptr: &[usize],
        col_row: &[usize],
    ) -> Self {
        let mut local = vec![0usize; dim];
        let mut entry = vec![0usize; col_row.len()];
        let mut parent_row = vec![0usize; structure.len()];
        for (s, sn) in supernodes.iter().enumerate() {
            let rows = &structure[sn.struct_start..sn.struct_end];
            for (pos, g) in (sn.first..sn.end).chain(rows.iter().copied()).enumerate() {
                local[g] = pos;
            }
            let m = sn.ncols() + sn.nstruct();
            for c in sn.first..sn.end {
                let lc = local[c];
                for k in col_ptr[c]..col_ptr[c + 1] {
                    entry[k] = local[col_row[k]] + lc * m;
                }
            }
            for &child in &children[child_ptr[s]..child_ptr[s + 1]] {
                let range = supernodes[child].struct_start..supernodes[child].struct_end;
                for k in range {
                    parent_row[k] = local[structure[k]];
                }
            }
        }
        AssemblyMaps { entry, parent_row }
    }
}
