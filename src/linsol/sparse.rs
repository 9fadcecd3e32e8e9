//! Sparse symmetric indefinite `LDLᵀ` with exact inertia: METIS ordering that
//! keeps small-diagonal rows with a partner, and relaxed supernodes (once per
//! pattern, at the first factorization), symmetric equilibration and a
//! multifrontal factorization with delayed threshold pivots (per matrix),
//! solves with iterative refinement against the original matrix.

use std::cell::RefCell;

use super::factors::LdlFactors;
use super::front::PivotRule;
use super::matching::small_diagonal_pairs;
use super::matrix::{check_rhs, check_values};
use super::numeric::{Abandoned, Multifrontal};
use super::refine::{RefineWork, refine};
use super::scaling::Equilibration;
use super::symbolic::Symbolic;
use super::{Inertia, LdltOptions, LinsolError, LowerCsc, SymmetricIndefiniteSolver};
use crate::stop::Stop;

/// A factorization that delays more than `dim / REANALYSIS_DELAYS` pivots is
/// abandoned and the analysis redone from its values: the pairs of the
/// ordering were chosen from the values of the first factorization, and values
/// that differ enough (a Hessian diagonal that vanished, say) can delay nearly
/// every pivot to the root, whose dense front then costs `O(n³)` (seconds for
/// `n` ≈ 14 000, against a few milliseconds for the reanalysis). At most one
/// reanalysis per factorization.
const REANALYSIS_DELAYS: usize = 8;

/// Sizes of the last factorization, for diagnostics and benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FactorStats {
    /// Supernodes (fronts) of the analysis.
    pub fronts: usize,
    /// Largest front without delayed pivots.
    pub max_front: usize,
    /// Entries of `L` predicted by the analysis (no delays).
    pub nnz_l_symbolic: usize,
    /// Entries of `L` actually stored (including delayed pivots).
    pub nnz_l: usize,
    /// Pivots passed from a front to its parent.
    pub delayed: usize,
    /// 2×2 pivot blocks.
    pub two_by_two: usize,
}

/// Solve-time buffers (the trait's `solve_in_place` takes `&self`).
#[derive(Debug, Default)]
struct SolveWork {
    refine: RefineWork,
    permuted: Vec<f64>,
}

/// Multifrontal `P D K D Pᵀ = L B Lᵀ` with 1×1/2×2 blocks `B`; see the module
/// documentation.
#[derive(Debug, Default)]
pub struct SparseLdlt {
    options: LdltOptions,
    pattern: Option<LowerCsc>,
    symbolic: Option<Symbolic>,
    numeric: Multifrontal,
    factors: LdlFactors,
    values: Vec<f64>,
    /// Equilibration factors in the permuted order.
    scale: Vec<f64>,
    equilibration: Equilibration,
    /// Values of the equilibrated matrix, in the analysis' permuted column
    /// order (in the original order while the analysis is pending).
    scaled: Vec<f64>,
    norm_a: f64,
    factored: bool,
    /// Polled between fronts: a factorization can outlast a solve's time limit.
    stop: Stop,
    solve_work: RefCell<SolveWork>,
}

impl SparseLdlt {
    pub fn new() -> Self {
        Self::with_options(LdltOptions::default())
    }

    pub fn with_options(options: LdltOptions) -> Self {
        Self {
            options,
            ..Self::default()
        }
    }

    /// Abandons each factorization (with [`LinsolError::Interrupted`]) once `stop` fires.
    pub fn with_stop(mut self, stop: Stop) -> Self {
        self.stop = stop;
        self
    }

    /// Statistics of the last analysis and factorization.
    pub fn stats(&self) -> FactorStats {
        let Some(sym) = &self.symbolic else {
            return FactorStats::default();
        };
        let nnz_l = self
            .factors
            .panels
            .iter()
            .map(|p| p.m * p.q - p.q * p.q.saturating_sub(1) / 2)
            .sum();
        let two_by_two = self
            .factors
            .pivots
            .iter()
            .filter(|p| matches!(p, super::front::Pivot::TwoSecond))
            .count();
        FactorStats {
            fronts: sym.supernodes.len(),
            max_front: sym
                .supernodes
                .iter()
                .map(|s| s.ncols() + s.nstruct())
                .max()
                .unwrap_or(0),
            nnz_l_symbolic: sym.nnz_l,
            nnz_l,
            delayed: self.numeric.delayed,
            two_by_two,
        }
    }

    /// Bytes held by the factors and the numeric workspaces.
    pub fn factor_bytes(&self) -> usize {
        let f = &self.factors;
        f.l.capacity() * 8
            + f.idx.capacity() * 8
            + f.pivots.capacity() * std::mem::size_of::<super::front::Pivot>()
            + self.numeric.bytes()
    }

    /// The fill-reducing ordering of the analysis (done at the first
    /// factorization after `analyse`), `perm[new] = old`.
    pub fn permutation(&self) -> Option<&[usize]> {
        self.symbolic.as_ref().map(|s| &s.perm[..])
    }
}

impl SymmetricIndefiniteSolver for SparseLdlt {
    /// Checks and keeps the pattern; the symbolic analysis waits for the
    /// first values, whose small diagonals decide which pairs to keep together.
    fn analyse(&mut self, pattern: &LowerCsc) -> Result<(), LinsolError> {
        self.factored = false;
        self.symbolic = None;
        self.pattern = None;
        pattern.validate()?;
        self.pattern = Some(pattern.clone());
        Ok(())
    }

    fn factor(&mut self, values: &[f64]) -> Result<Inertia, LinsolError> {
        self.factored = false;
        let Some(pattern) = &self.pattern else {
            return Err(LinsolError::NotReady);
        };
        check_values(pattern, values)?;
        self.values.clear();
        self.values.extend_from_slice(values);
        self.norm_a = self.equilibration.compute(pattern, values);
        let d = &self.equilibration.d;
        let mut fresh = false;
        let inertia = loop {
            if self.symbolic.is_none() {
                self.equilibration.apply(pattern, values, &mut self.scaled);
                let pairs = small_diagonal_pairs(pattern, &self.scaled);
                self.symbolic = Some(Symbolic::analyse(pattern, &pairs)?);
                fresh = true;
            }
            let sym = self.symbolic.as_ref().expect("analysed above");
            self.scale.clear();
            self.scale.extend(sym.perm.iter().map(|&old| d[old]));
            let max_abs = sym.scaled_values(values, &self.scale, &mut self.scaled);
            let rule = PivotRule {
                threshold: self.options.pivot_threshold,
                zero_tol: self.options.zero_pivot * max_abs,
            };
            let max_delayed = if fresh {
                usize::MAX
            } else {
                pattern.dim / REANALYSIS_DELAYS
            };
            let stop = &self.stop;
            match self.numeric.factor(
                sym,
                &self.scaled,
                rule,
                max_delayed,
                &mut self.factors,
                || stop.check().is_some(),
            ) {
                Ok(inertia) => break inertia,
                Err(Abandoned::Stopped) => return Err(LinsolError::Interrupted),
                Err(Abandoned::Delays) => self.symbolic = None,
            }
        };
        self.factored = true;
        inertia.nonsingular()
    }

    fn increase_quality(&mut self) -> bool {
        self.options.raise_threshold()
    }

    fn solve_in_place(&self, rhs: &mut [f64]) -> Result<(), LinsolError> {
        let (Some(pattern), Some(sym)) = (&self.pattern, &self.symbolic) else {
            return Err(LinsolError::NotReady);
        };
        if !self.factored {
            return Err(LinsolError::NotReady);
        }
        check_rhs(pattern, rhs)?;
        let mut work = self.solve_work.borrow_mut();
        let SolveWork {
            refine: refine_work,
            permuted,
        } = &mut *work;
        permuted.resize(pattern.dim, 0.0);
        refine(
            pattern,
            &self.values,
            self.norm_a,
            rhs,
            self.options.max_refinement_steps,
            refine_work,
            |x| {
                for ((p, &old), &s) in permuted.iter_mut().zip(&sym.perm).zip(&self.scale) {
                    *p = s * x[old];
                }
                self.factors.solve_in_place(permuted);
                for ((&p, &old), &s) in permuted.iter().zip(&sym.perm).zip(&self.scale) {
                    x[old] = s * p;
                }
            },
        );
        Ok(())
    }
}
