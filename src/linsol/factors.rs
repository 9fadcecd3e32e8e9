//! Storage of a computed `P K Pᵀ = L D Lᵀ` as a sequence of front panels, and
//! the triangular and block-diagonal solves through it.

use super::front::Pivot;

/// The columns eliminated in one front: an `m × q` panel of `L`, column-major,
/// whose rows are the global (permuted) indices `idx[0..m]`, the first `q` of
/// which are the pivots.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Panel {
    pub l_start: usize,
    pub idx_start: usize,
    pub m: usize,
    pub q: usize,
    /// Position of the panel's first pivot in the global pivot sequence.
    pub piv_start: usize,
}

/// All panels of a factorization; buffers keep their capacity across
/// refactorizations of the same pattern. `l` may extend past the last panel.
#[derive(Clone, Debug, Default)]
pub(crate) struct LdlFactors {
    pub panels: Vec<Panel>,
    pub l: Vec<f64>,
    pub idx: Vec<usize>,
    pub pivots: Vec<Pivot>,
}

impl LdlFactors {
    pub fn clear(&mut self) {
        self.clear_keeping_l();
        self.l.clear();
    }

    /// Empties the factorization but keeps the length of `l`, which panels
    /// address by offset: the multifrontal factorization factors each front
    /// in place after the panels stored so far, over the space of the
    /// previous factorization, which needs no zero-filling again.
    pub fn clear_keeping_l(&mut self) {
        self.panels.clear();
        self.idx.clear();
        self.pivots.clear();
    }

    /// Overwrites `x` with `(L D Lᵀ)⁻¹ x`. Zero pivots act as a pseudo-inverse
    /// (their component of the solution is set to zero).
    pub fn solve_in_place(&self, x: &mut [f64]) {
        for p in &self.panels {
            let idx = &self.idx[p.idx_start..p.idx_start + p.m];
            for t in 0..p.q {
                let xt = x[idx[t]];
                if xt != 0.0 {
                    let col = &self.l[p.l_start + t * p.m..p.l_start + (t + 1) * p.m];
                    for i in t + 1..p.m {
                        x[idx[i]] -= col[i] * xt;
                    }
                }
            }
        }
        for p in &self.panels {
            let idx = &self.idx[p.idx_start..p.idx_start + p.q];
            let piv = &self.pivots[p.piv_start..p.piv_start + p.q];
            for t in 0..p.q {
                match piv[t] {
                    Pivot::One(d) => x[idx[t]] = if d == 0.0 { 0.0 } else { x[idx[t]] / d },
                    Pivot::TwoFirst { a, b, c } => {
                        let det = a * c - b * b;
                        let (u, v) = (x[idx[t]], x[idx[t + 1]]);
                        x[idx[t]] = (c * u - b * v) / det;
                        x[idx[t + 1]] = (a * v - b * u) / det;
                    }
                    Pivot::TwoSecond => {}
                }
            }
        }
        for p in self.panels.iter().rev() {
            let idx = &self.idx[p.idx_start..p.idx_start + p.m];
            for t in (0..p.q).rev() {
                let col = &self.l[p.l_start + t * p.m..p.l_start + (t + 1) * p.m];
                let mut s = 0.0;
                for i in t + 1..p.m {
                    s += col[i] * x[idx[i]];
                }
                x[idx[t]] -= s;
            }
        }
    }
}
