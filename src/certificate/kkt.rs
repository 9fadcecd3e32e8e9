//! The KKT residuals of a point, from a fresh evaluation of the unscaled model.
//!
//! Ipopt's formulation: `min σ·f(x)` subject to `lo ≤ g(x) ≤ up` and `x_L ≤ x ≤ x_U`,
//! Lagrangian `σf + λᵀg − z_Lᵀ(x − x_L) + z_Uᵀ(x − x_U)`. Where Ipopt has a slack `s` for
//! `g(x)` with bound multipliers `v_L, v_U` on an inequality row, stationarity in `s` gives
//! `λ = v_U − v_L`, so the certificate takes `v_U = max(λ, 0)`, `v_L = max(−λ, 0)`: a
//! multiplier of the wrong sign for a one-sided row is dual infeasibility of that row.
//! Violation and stationarity are evaluated at `g(x)` itself; a row's complementarity is
//! measured at the nearest point of its relaxed bounds, and its term in the overall error
//! on the best slack within them ([`crate::outcome::slack`]).

use super::evaluation::Evaluation;
use super::multipliers::{BoundMultipliers, Multipliers};
use crate::nl::model::Model;
use crate::outcome::{multiplier_scale, slack};

/// Ipopt's `s_max` in the scaling of dual infeasibility and complementarity.
const S_MAX: f64 = 100.0;

/// Bounds and sense of a model: what the certificate needs besides the evaluation.
#[derive(Clone, Copy, Debug)]
pub struct Bounds<'a> {
    /// σ of Ipopt's `min σ·f`: 1 for minimize, −1 for maximize.
    pub sigma: f64,
    pub var_lower: &'a [f64],
    pub var_upper: &'a [f64],
    pub con_lower: &'a [f64],
    pub con_upper: &'a [f64],
    /// Ipopt's `bound_relax_factor`: Ipopt solves a problem whose inequality bounds are
    /// moved outwards by this factor times `max(1, |bound|)`, so its own termination test
    /// measures constraint violation beyond those relaxed bounds.
    pub relax: f64,
}

impl<'a> Bounds<'a> {
    /// The bounds and sense of `model`, with bound relaxation `relax`.
    pub fn of_model(model: &'a Model, relax: f64) -> Self {
        Bounds {
            sigma: super::sigma_of(model),
            var_lower: &model.var_lower,
            var_upper: &model.var_upper,
            con_lower: &model.con_lower,
            con_upper: &model.con_upper,
            relax,
        }
    }
}

/// Multiplicative factors of Ipopt's NLP scaling: `f̃ = objective·f`, `g̃ᵢ = constraints[i]·gᵢ`
/// (variables are not scaled). In the scaled problem multipliers are `λ̃ᵢ = objective·λᵢ /
/// constraints[i]` and `z̃ = objective·z`, so stationarity and complementarity residuals
/// scale by `objective` and the violation of row `i` by `constraints[i]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Scaling {
    pub objective: f64,
    pub constraints: Vec<f64>,
}

/// What [`Residuals::scaled_overall_error`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScaledFigure {
    /// No NLP scaling applies: the overall error of the unscaled problem.
    Unscaled,
    /// The overall error of the scaled problem, computed with the scaling factors.
    Computed,
    /// The overall error of the unscaled problem, standing for the scaled one it bounds
    /// from above (see [`Residuals::bound_scaled_error`]); the factors were not computed.
    AtMost,
}

/// A row or a column of the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    Row(usize),
    Column(usize),
}

/// One measure of a point: its largest absolute value, the same relative to a scale, and
/// the row or column where the absolute value is largest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Figure {
    pub absolute: f64,
    pub relative: f64,
    pub worst: Option<Entry>,
}

impl Figure {
    const ZERO: Figure = Figure {
        absolute: 0.0,
        relative: 0.0,
        worst: None,
    };

    /// Takes `value` (relative `rel`) at `entry` into the maximum; NaN counts as infinite.
    #[inline]
    fn take(&mut self, value: f64, rel: f64, entry: Entry) {
        // Most entries change nothing (a NaN fails every comparison and goes on).
        if value <= self.absolute && rel <= self.relative && (value <= 0.0 || self.worst.is_some())
        {
            return;
        }
        let value = if value.is_nan() { f64::INFINITY } else { value };
        let rel = if rel.is_nan() { f64::INFINITY } else { rel };
        if value > self.absolute || (self.worst.is_none() && value > 0.0) {
            self.absolute = value;
            self.worst = Some(entry);
        }
        self.relative = self.relative.max(rel);
    }
}

/// Residuals of one constraint row.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RowResidual {
    /// Distance of the body `g(x)` from `[lo, up]`.
    pub violation: f64,
    /// Distance of `g(x)` from `[lo, up]` relaxed as Ipopt relaxes inequality bounds.
    pub relaxed_violation: f64,
    /// The part of `λ` that points at a side the row does not have.
    pub dual_sign: f64,
    /// `max(v_L·(p − lo), v_U·(up − p))` at the point `p` of the relaxed bounds nearest
    /// `g(x)`, with gaps measured to the band between each bound and its relaxation (see
    /// [`Bounds::relax`]).
    pub complementarity: f64,
    /// The slack multiplier `v_L` or `v_U` that is not zero (0 on an equality row).
    pub slack_multiplier: f64,
}

/// Residuals of one variable.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ColumnResidual {
    /// Distance of `x` from `[x_L, x_U]`.
    pub violation: f64,
    /// `|σ∇f + Jᵀλ − z_L + z_U|`, plus any bound multiplier of the wrong sign or on an
    /// absent bound.
    pub stationarity: f64,
    /// `max(z_L·(x − x_L), z_U·(x_U − x))`, with gaps measured to the band between
    /// each bound and its relaxation (see [`Bounds::relax`]).
    pub complementarity: f64,
}

/// The KKT residuals of a point (see the module documentation).
#[derive(Clone, Debug, PartialEq)]
pub struct Residuals {
    /// Objective as written (not negated for maximize).
    pub objective: f64,
    pub constraint_violation: Figure,
    /// Constraint violation beyond the relaxed bounds (see [`Bounds::relax`]).
    pub relaxed_constraint_violation: f64,
    pub bound_violation: Figure,
    /// Stationarity of the Lagrangian (with dual sign errors); `None` without multipliers.
    pub dual_infeasibility: Option<Figure>,
    pub complementarity: Option<Figure>,
    /// Ipopt's `s_d` and `s_c` (1 without multipliers).
    pub dual_scale: f64,
    pub complementarity_scale: f64,
    /// Ipopt's overall NLP error of the scaled problem, what `tol` bounds, or a bound of
    /// it (see [`Residuals::scaled_figure`]).
    pub scaled_overall_error: f64,
    /// Whether [`Residuals::scaled_overall_error`] is computed, a bound or unscaled.
    pub scaled_figure: ScaledFigure,
    /// How `tol` sees each figure: the overall error holds stationarity / `dual`,
    /// complementarity / `complementarity` and row `i`'s violation × `rows[i]`.
    pub tol_scales: TolScales,
    /// Whether the bound multipliers were inferred (none were given).
    pub inferred_bound_multipliers: bool,
    /// [`Residuals::overall_error`].
    overall_error: f64,
    /// The largest complementarity of a column (rows trade theirs, see [`crate::outcome::slack`]).
    column_complementarity: f64,
    /// Sum and number of the bound multipliers of existing bounds (variables' and rows'
    /// slack bounds), from which `s_d` and `s_c` are formed.
    bound_sum: f64,
    bound_count: usize,
    pub rows: Vec<RowResidual>,
    pub columns: Vec<ColumnResidual>,
}

impl Bounds<'_> {
    /// `[lo, up]` moved outwards as Ipopt relaxes inequality bounds; an equality (or a
    /// fixed variable) is not relaxed.
    fn relaxed(&self, lo: f64, up: f64) -> (f64, f64) {
        if lo == up {
            return (lo, up);
        }
        (lo - self.relax_by(lo), up + self.relax_by(up))
    }

    fn relax_by(&self, bound: f64) -> f64 {
        self.relax * bound.abs().max(1.0)
    }

    /// Gaps of `v` to its lower and upper bound for complementarity. The bound Ipopt holds
    /// the point to lies anywhere between the original bound and the relaxed one, so the
    /// gap is the distance to that band (0 inside it).
    fn gaps(&self, v: f64, lo: f64, up: f64) -> (f64, f64) {
        let band = |side: f64, bound: f64| {
            let inside = side * (v - bound);
            if inside >= 0.0 {
                inside
            } else {
                (-inside - self.relax_by(bound)).max(0.0)
            }
        };
        (band(1.0, lo), band(-1.0, up))
    }
}

/// Factors between the figures and the overall error `tol` bounds (see
/// [`Residuals::tol_scales`]).
#[derive(Clone, Debug, PartialEq)]
pub struct TolScales {
    pub dual: f64,
    pub complementarity: f64,
    /// Row factors; `None` for all ones.
    pub rows: Option<Vec<f64>>,
}

impl TolScales {
    /// The factor of row `i`.
    pub fn row(&self, i: usize) -> f64 {
        self.rows.as_ref().map_or(1.0, |r| r[i])
    }
}

/// Distance of `v` from `[lo, up]` (infinite when `v` is NaN).
fn distance(v: f64, lo: f64, up: f64) -> f64 {
    if v.is_nan() {
        return f64::INFINITY;
    }
    (lo - v).max(v - up).max(0.0)
}

/// `v`, with NaN as infinite (so that it fails every tolerance and wins every maximum).
fn nan_as_infinite(v: f64) -> f64 {
    if v.is_nan() { f64::INFINITY } else { v }
}

/// `|gap · mult|` for a finite bound, 0 for an absent one.
fn product(gap: f64, mult: f64) -> f64 {
    if gap.is_finite() {
        (gap * mult).abs()
    } else if gap.is_nan() {
        f64::INFINITY
    } else {
        0.0
    }
}

/// The figures and multiplier sums of [`Residuals`], gathered in one pass over the rows
/// and one over the columns.
struct Tally {
    constraint_violation: Figure,
    relaxed_constraint_violation: f64,
    bound_violation: Figure,
    dual: Figure,
    complementarity: Figure,
    column_complementarity: f64,
    /// Ipopt's `s_d` and `s_c` are formed from 1-norms of all multipliers over their
    /// number, where a bound multiplier counts only for a bound that exists (and a fixed
    /// variable, which Ipopt takes out of the problem, not at all).
    sum_lambda: f64,
    sum_z: f64,
    count_z: usize,
}

impl Tally {
    /// The residuals of row `i` with body value `g` and multiplier `lambda` (`None`:
    /// feasibility only).
    fn row(&mut self, b: &Bounds<'_>, i: usize, g: f64, lambda: Option<f64>) -> RowResidual {
        let (lo, up) = (b.con_lower[i], b.con_upper[i]);
        let mut r = RowResidual {
            violation: distance(g, lo, up),
            ..RowResidual::default()
        };
        // The relaxed violation is at most the violation, and a zero leaves every
        // figure as it is.
        if r.violation > 0.0 {
            let (rlo, rup) = b.relaxed(lo, up);
            r.relaxed_violation = distance(g, rlo, rup);
            self.relaxed_constraint_violation =
                self.relaxed_constraint_violation.max(r.relaxed_violation);
            let rel = r.violation / g.abs().max(1.0);
            self.constraint_violation
                .take(r.violation, rel, Entry::Row(i));
        }
        let Some(l) = lambda else {
            return r;
        };
        self.sum_lambda += l.abs();
        if lo == up {
            return r;
        }
        let (v_lower, v_upper) = ((-l).max(0.0), l.max(0.0));
        r.slack_multiplier = v_lower.max(v_upper);
        r.dual_sign =
            if lo.is_finite() { 0.0 } else { v_lower } + if up.is_finite() { 0.0 } else { v_upper };
        if l.is_nan() {
            r.dual_sign = f64::INFINITY;
        }
        // Ipopt's slack stays within the relaxed bounds; what lies beyond them is
        // violation, already counted.
        let (rlo, rup) = b.relaxed(lo, up);
        let (gap_lo, gap_up) = b.gaps(g.max(rlo).min(rup), lo, up);
        r.complementarity = product(gap_lo, v_lower).max(product(gap_up, v_upper));
        for (bound, v) in [(lo, v_lower), (up, v_upper)] {
            if bound.is_finite() {
                self.sum_z += v;
                self.count_z += 1;
            }
        }
        self.dual.take(r.dual_sign, r.dual_sign, Entry::Row(i));
        self.complementarity
            .take(r.complementarity, r.complementarity, Entry::Row(i));
        r
    }

    /// The residuals of column `j` at `xj`, with `dual` the column's entry of
    /// `σ∇f + Jᵀλ` and the bound multipliers (`None`: feasibility only; `Some((r,
    /// None))`: bound multipliers inferred).
    fn column(
        &mut self,
        b: &Bounds<'_>,
        j: usize,
        xj: f64,
        dual: Option<(f64, Option<&BoundMultipliers>)>,
    ) -> ColumnResidual {
        let (lo, up) = (b.var_lower[j], b.var_upper[j]);
        let mut c = ColumnResidual {
            violation: distance(xj, lo, up),
            ..ColumnResidual::default()
        };
        if c.violation > 0.0 {
            let rel = c.violation / xj.abs().max(1.0);
            self.bound_violation
                .take(c.violation, rel, Entry::Column(j));
        }
        let Some((r, given)) = dual else {
            return c;
        };
        let fixed = lo == up;
        // Multipliers a fixed variable can take are free in sign and size: Ipopt takes
        // it out of the problem, so no given value is binding.
        let (z_lower, z_upper, sign_error) = match given {
            Some(z) if !fixed => {
                let (zl, zu) = (z.lower[j], z.upper[j]);
                let wrong = |z: f64, bound: f64| {
                    if z.is_nan() {
                        f64::INFINITY
                    } else if bound.is_finite() {
                        (-z).max(0.0)
                    } else {
                        z.abs()
                    }
                };
                (zl, zu, wrong(zl, lo).max(wrong(zu, up)))
            }
            _ => {
                let zl = if lo.is_finite() { r.max(0.0) } else { 0.0 };
                let zu = if up.is_finite() { (-r).max(0.0) } else { 0.0 };
                (zl, zu, 0.0)
            }
        };
        c.stationarity = (r - z_lower + z_upper).abs().max(sign_error);
        if c.stationarity.is_nan() {
            c.stationarity = f64::INFINITY;
        }
        if !fixed {
            let (gap_lo, gap_up) = b.gaps(xj, lo, up);
            c.complementarity = product(gap_lo, z_lower).max(product(gap_up, z_upper));
            for (bound, z) in [(lo, z_lower), (up, z_upper)] {
                if bound.is_finite() {
                    self.sum_z += z.abs();
                    self.count_z += 1;
                }
            }
        }
        self.dual
            .take(c.stationarity, c.stationarity, Entry::Column(j));
        self.complementarity
            .take(c.complementarity, c.complementarity, Entry::Column(j));
        self.column_complementarity = self
            .column_complementarity
            .max(nan_as_infinite(c.complementarity));
        c
    }
}

impl Residuals {
    /// The residuals of the point `x` with `multipliers` (`None`: feasibility only), where
    /// `eval` holds the model's functions at `x`.
    ///
    /// # Panics
    /// When the lengths of `x`, `eval` and `multipliers` disagree with `bounds`.
    pub fn new(
        bounds: &Bounds<'_>,
        x: &[f64],
        eval: &Evaluation,
        multipliers: Option<&Multipliers>,
    ) -> Residuals {
        let n = bounds.var_lower.len();
        let m = bounds.con_lower.len();
        assert!(x.len() == n && eval.gradient.len() == n && eval.constraints.len() == m);
        if let Some(mult) = multipliers {
            assert_eq!(mult.lambda.len(), m);
        }
        let mut tally = Tally {
            constraint_violation: Figure::ZERO,
            relaxed_constraint_violation: 0.0,
            bound_violation: Figure::ZERO,
            dual: Figure::ZERO,
            complementarity: Figure::ZERO,
            column_complementarity: 0.0,
            sum_lambda: 0.0,
            sum_z: 0.0,
            count_z: 0,
        };
        let lambda = |i: usize| multipliers.map(|mult| mult.lambda[i]);
        let rows: Vec<RowResidual> = (eval.constraints.iter().enumerate())
            .map(|(i, &g)| tally.row(bounds, i, g, lambda(i)))
            .collect();
        let columns: Vec<ColumnResidual> = match multipliers {
            None => (x.iter().enumerate())
                .map(|(j, &xj)| tally.column(bounds, j, xj, None))
                .collect(),
            Some(mult) => {
                let mut grad = vec![0.0; n];
                eval.lagrangian_gradient(bounds.sigma, &mult.lambda, &mut grad);
                let given = mult.bounds.as_ref();
                (x.iter().zip(&grad).enumerate())
                    .map(|(j, (&xj, &r))| tally.column(bounds, j, xj, Some((r, given))))
                    .collect()
            }
        };
        let mut residuals = Residuals {
            objective: if eval.objective.is_nan() {
                f64::INFINITY
            } else {
                eval.objective
            },
            constraint_violation: tally.constraint_violation,
            relaxed_constraint_violation: tally.relaxed_constraint_violation,
            bound_violation: tally.bound_violation,
            dual_infeasibility: None,
            complementarity: None,
            dual_scale: 1.0,
            complementarity_scale: 1.0,
            scaled_overall_error: 0.0,
            scaled_figure: ScaledFigure::Unscaled,
            tol_scales: TolScales {
                dual: 1.0,
                complementarity: 1.0,
                rows: None,
            },
            inferred_bound_multipliers: multipliers.is_some_and(|mult| mult.bounds.is_none()),
            overall_error: 0.0,
            column_complementarity: tally.column_complementarity,
            bound_sum: tally.sum_z,
            bound_count: tally.count_z,
            rows,
            columns,
        };
        if multipliers.is_some() {
            residuals.set_dual_scales(tally.sum_lambda, tally.dual, tally.complementarity);
        }
        residuals.tol_scales.dual = residuals.dual_scale;
        residuals.tol_scales.complementarity = residuals.complementarity_scale;
        residuals.overall_error = residuals.error_under_tol_scales();
        residuals.scaled_overall_error = residuals.overall_error;
        residuals
    }

    /// Ipopt's `s_d` and `s_c` from the multiplier sums, and the dual figures relative
    /// to them.
    fn set_dual_scales(&mut self, sum_lambda: f64, mut dual: Figure, mut compl: Figure) {
        let (m, count_z, sum_z) = (self.rows.len(), self.bound_count, self.bound_sum);
        self.dual_scale = multiplier_scale(S_MAX, sum_lambda + sum_z, m + count_z);
        self.complementarity_scale = multiplier_scale(S_MAX, sum_z, count_z);
        dual.relative = dual.absolute / self.dual_scale;
        compl.relative = compl.absolute / self.complementarity_scale;
        self.dual_infeasibility = Some(dual);
        self.complementarity = Some(compl);
    }

    /// Takes the overall error under `scaling` as the figure `tol` bounds: Ipopt's `s_d`,
    /// `s_c` from the scaled multipliers, scaled stationarity and complementarity, scaled
    /// row violations. `mult` are the multipliers the residuals were computed with.
    ///
    /// Row slack multipliers enter `s_d` and `s_c` as `sf·v` (not divided by their row's
    /// factor), a slight difference from Ipopt when rows are scaled.
    pub fn apply_scaling(&mut self, scaling: &Scaling, mult: Option<&Multipliers>) {
        self.scaled_overall_error = self.scaled_error(scaling, mult);
        self.scaled_figure = ScaledFigure::Computed;
    }

    /// Takes the unscaled overall error as the figure `tol` bounds, valid for any NLP
    /// scaling whose factors are all at most 1 (as Ipopt's gradient-based scaling without
    /// target gradients and with `nlp_scaling_min_value ≤ 1`): the scaled error is then at
    /// most the unscaled one, so a point whose unscaled error meets `tol` meets it scaled.
    ///
    /// Why, with objective factor `sf ≤ 1` and row factors `scᵢ ≤ 1` (variables are not
    /// scaled): a row's scaled violation is `scᵢ·vᵢ ≤ vᵢ`. The scaled multipliers are
    /// `λ̃ᵢ = sf·λᵢ/scᵢ`, `z̃ = sf·z`, and Ipopt's `s_d = max(s_max, mean|multiplier|)/s_max`
    /// is monotone in the multipliers, so with `|λ̃ᵢ| ≥ sf·|λᵢ|`:
    /// `s̃_d ≥ max(s_max, sf·mean)/s_max ≥ sf·max(s_max, mean)/s_max = sf·s_d` (as
    /// `sf·s_max ≤ s_max`); likewise `s̃_c ≥ sf·s_c` (its slack multipliers `ṽ = sf·v/scᵢ`
    /// or, as [`Residuals::apply_scaling`] takes them, `sf·v`, are at least `sf·v`).
    /// Stationarity and complementarity scale by `sf`, so `sf·d/s̃_d ≤ d/s_d` and
    /// `sf·c/s̃_c ≤ c/s_c`. Every term of the scaled error is at most its unscaled
    /// counterpart in [`Residuals::overall_error`]. The unscaled figures that
    /// `constr_viol_tol`, `dual_inf_tol` and `compl_inf_tol` bound do not depend on the
    /// scaling at all. The [`Residuals::tol_scales`] stay the unscaled ones, which are at
    /// most the scaled ones (`s_d ≤ s̃_d/sf`, `s_c ≤ s̃_c/sf`, row factors 1), so per-entry
    /// scores against `tol` stay upper bounds too.
    ///
    /// A row's term, the smallest over slacks of the larger of its weighted violation and
    /// complementarity ([`crate::outcome::slack`]), does not increase when either weight decreases,
    /// so the same holds for it.
    pub fn bound_scaled_error(&mut self) {
        self.scaled_overall_error = self.overall_error;
        self.scaled_figure = ScaledFigure::AtMost;
    }

    /// Row `i`'s term in the overall error under [`Residuals::tol_scales`]: its violation
    /// and complementarity traded on the best slack ([`crate::outcome::slack`]).
    pub fn row_error(&self, i: usize) -> f64 {
        self.row_error_weighted(i, 1.0 / self.tol_scales.complementarity)
    }

    /// [`Residuals::row_error`] with the complementarity weight `w_c` given.
    fn row_error_weighted(&self, i: usize, w_c: f64) -> f64 {
        let r = &self.rows[i];
        slack::row_error(
            r.relaxed_violation,
            r.complementarity,
            r.slack_multiplier,
            self.tol_scales.row(i),
            w_c,
        )
    }

    /// The overall error under [`Residuals::tol_scales`]: the largest of the rows' terms,
    /// the columns' complementarity and the dual infeasibility, each over its scale.
    fn error_under_tol_scales(&self) -> f64 {
        let w_c = 1.0 / self.tol_scales.complementarity;
        let rows = (0..self.rows.len()).fold(0.0f64, |e, i| e.max(self.row_error_weighted(i, w_c)));
        let Some(dual) = &self.dual_infeasibility else {
            return rows;
        };
        let d = dual.absolute / self.tol_scales.dual;
        let c = self.column_complementarity / self.tol_scales.complementarity;
        rows.max(nan_as_infinite(d)).max(nan_as_infinite(c))
    }

    fn scaled_error(&mut self, scaling: &Scaling, mult: Option<&Multipliers>) -> f64 {
        let sf = scaling.objective;
        self.tol_scales.rows = Some(scaling.constraints.clone());
        let (Some(mult), true) = (mult, self.dual_infeasibility.is_some()) else {
            return self.error_under_tol_scales();
        };
        // Multiplier sums as in `add_dual`, with λ̃ = sf·λ/sc and z̃ = sf·z.
        let lambda: f64 = mult
            .lambda
            .iter()
            .zip(&scaling.constraints)
            .map(|(l, sc)| (sf * l / sc).abs())
            .sum();
        // The bound-multiplier part of s_d and s_c scales by sf exactly.
        let (m, k) = (self.rows.len(), self.bound_count);
        let s_c = multiplier_scale(S_MAX, sf * self.bound_sum, k);
        let s_d = multiplier_scale(S_MAX, lambda + sf * self.bound_sum, m + k);
        self.tol_scales.dual = s_d / sf;
        self.tol_scales.complementarity = s_c / sf;
        self.error_under_tol_scales()
    }

    /// Ipopt's overall NLP error of the unscaled problem:
    /// `max(dual infeasibility / s_d, constraint violation, complementarity / s_c)`, with the
    /// constraint violation measured beyond the relaxed bounds as in Ipopt and each
    /// inequality row's violation and complementarity taken on the slack that makes the
    /// larger of the two smallest ([`crate::outcome::slack`]).
    pub fn overall_error(&self) -> f64 {
        self.overall_error
    }
}
