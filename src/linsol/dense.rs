//! Dense symmetric indefinite factorization for small systems.
//!
//! The whole matrix is one front, eliminated with threshold Bunch–Kaufman
//! pivoting; the inertia is read from the 1×1 and 2×2 blocks of `D`
//! (Sylvester's law of inertia). Cost is `O(n³)`, so this path is meant for
//! systems up to a few hundred unknowns.

use std::cell::RefCell;

use super::factors::{LdlFactors, Panel};
use super::front::{PivotRule, factor_front};
use super::matrix::{check_rhs, check_values};
use super::refine::{RefineWork, refine};
use super::{Inertia, LdltOptions, LinsolError, LowerCsc, SymmetricIndefiniteSolver};

/// Dense `P K Pᵀ = L D Lᵀ` with exact inertia; see the module documentation.
#[derive(Debug, Default)]
pub struct DenseLdlt {
    options: LdltOptions,
    pattern: Option<LowerCsc>,
    values: Vec<f64>,
    norm_a: f64,
    factors: LdlFactors,
    factored: bool,
    work: Vec<f64>,
    refine_work: RefCell<RefineWork>,
}

impl DenseLdlt {
    /// A dense solver with [`LdltOptions::dense`].
    pub fn new() -> Self {
        Self::with_options(LdltOptions::dense())
    }

    pub fn with_options(options: LdltOptions) -> Self {
        Self {
            options,
            ..Self::default()
        }
    }
}

impl SymmetricIndefiniteSolver for DenseLdlt {
    fn analyse(&mut self, pattern: &LowerCsc) -> Result<(), LinsolError> {
        pattern.validate()?;
        let n = pattern.dim;
        self.pattern = Some(pattern.clone());
        self.factored = false;
        self.factors.clear();
        self.factors.l.reserve(n * n);
        self.factors.idx.reserve(n);
        self.factors.pivots.reserve(n);
        Ok(())
    }

    fn factor(&mut self, values: &[f64]) -> Result<Inertia, LinsolError> {
        self.factored = false;
        let pattern = self.pattern.as_ref().ok_or(LinsolError::NotReady)?;
        check_values(pattern, values)?;
        let n = pattern.dim;
        self.values.clear();
        self.values.extend_from_slice(values);
        self.norm_a = pattern.sym_inf_norm(values, &mut self.work);

        let f = &mut self.factors;
        f.clear();
        f.l.resize(n * n, 0.0);
        let mut max_abs = 0.0_f64;
        for j in 0..n {
            for (i, v) in pattern.column_entries(values, j) {
                f.l[i + j * n] = v;
                max_abs = max_abs.max(v.abs());
            }
        }
        f.idx.extend(0..n);
        let rule = PivotRule {
            threshold: self.options.pivot_threshold,
            zero_tol: self.options.zero_pivot * max_abs,
        };
        let mut inertia = Inertia::default();
        let q = factor_front(
            &mut f.l,
            n,
            n,
            &mut f.idx,
            rule,
            true,
            &mut f.pivots,
            &mut inertia,
            &mut self.work,
            &|| false,
        );
        debug_assert_eq!(q, Some(n));
        f.panels.push(Panel {
            l_start: 0,
            idx_start: 0,
            m: n,
            q: n,
            piv_start: 0,
        });
        self.factored = true;
        inertia.nonsingular()
    }

    fn increase_quality(&mut self) -> bool {
        self.options.raise_threshold()
    }

    fn solve_in_place(&self, rhs: &mut [f64]) -> Result<(), LinsolError> {
        let pattern = self.pattern.as_ref().ok_or(LinsolError::NotReady)?;
        if !self.factored {
            return Err(LinsolError::NotReady);
        }
        check_rhs(pattern, rhs)?;
        let mut work = self.refine_work.borrow_mut();
        refine(
            pattern,
            &self.values,
            self.norm_a,
            rhs,
            self.options.max_refinement_steps,
            &mut work,
            |x| self.factors.solve_in_place(x),
        );
        Ok(())
    }
}
