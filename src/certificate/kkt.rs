//! The KKT residuals of a point, from a fresh evaluation of the unscaled model.
//!
//! Ipopt's formulation, without its slacks: `min σ·f(x)` subject to `lo ≤ g(x) ≤ up` and
//! `x_L ≤ x ≤ x_U`, Lagrangian `σf + λᵀg − z_Lᵀ(x − x_L) + z_Uᵀ(x − x_U)`. Where Ipopt has a
//! slack `s = g(x)` with bound multipliers `v_L, v_U` on an inequality row, stationarity in
//! `s` gives `λ = v_U − v_L`, so the certificate takes `v_U = max(λ, 0)`, `v_L = max(−λ, 0)`
//! and evaluates everything at `g(x)` itself: a multiplier of the wrong sign for a one-sided
//! row is dual infeasibility of that row.

use super::evaluation::Evaluation;
use super::multipliers::Multipliers;
use crate::nl::model::Model;

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
    /// Ipopt's NLP scaling, under which `tol` bounds the overall error; `None`: unscaled.
    pub scaling: Option<&'a Scaling>,
}

impl<'a> Bounds<'a> {
    /// The bounds and sense of `model`, with bound relaxation `relax` and NLP `scaling`.
    pub fn of_model(model: &'a Model, relax: f64, scaling: Option<&'a Scaling>) -> Self {
        Bounds {
            sigma: super::sigma_of(model),
            var_lower: &model.var_lower,
            var_upper: &model.var_upper,
            con_lower: &model.con_lower,
            con_upper: &model.con_upper,
            relax,
            scaling,
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
    fn take(&mut self, value: f64, rel: f64, entry: Entry) {
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
    /// `max(v_L·(g − lo), v_U·(up − g))`, with gaps measured to the band between
    /// each bound and its relaxation (see [`Bounds::relax`]).
    pub complementarity: f64,
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
    /// Constraint violation beyond the relaxed bounds (see [`Bounds::relax`]): the part
    /// of the overall NLP error Ipopt's `tol` bounds.
    pub relaxed_constraint_violation: f64,
    pub bound_violation: Figure,
    /// Stationarity of the Lagrangian (with dual sign errors); `None` without multipliers.
    pub dual_infeasibility: Option<Figure>,
    pub complementarity: Option<Figure>,
    /// Ipopt's `s_d` and `s_c` (1 without multipliers).
    pub dual_scale: f64,
    pub complementarity_scale: f64,
    /// Ipopt's overall NLP error of the scaled problem (equal to [`Residuals::overall_error`]
    /// without scaling): what `tol` bounds.
    pub scaled_overall_error: f64,
    /// How `tol` sees each figure: the overall error holds stationarity / `dual`,
    /// complementarity / `complementarity` and row `i`'s violation × `rows[i]`.
    pub tol_scales: TolScales,
    /// Whether the bound multipliers were inferred (none were given).
    pub inferred_bound_multipliers: bool,
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
        let mut rows = vec![RowResidual::default(); m];
        let mut columns = vec![ColumnResidual::default(); n];
        let mut constraint_violation = Figure::ZERO;
        let mut relaxed_constraint_violation = 0.0f64;
        let mut bound_violation = Figure::ZERO;
        for (i, (r, &g)) in rows.iter_mut().zip(&eval.constraints).enumerate() {
            let (lo, up) = (bounds.con_lower[i], bounds.con_upper[i]);
            r.violation = distance(g, lo, up);
            let (rlo, rup) = bounds.relaxed(lo, up);
            r.relaxed_violation = distance(g, rlo, rup);
            relaxed_constraint_violation = relaxed_constraint_violation.max(r.relaxed_violation);
            let rel = r.violation / g.abs().max(1.0);
            constraint_violation.take(r.violation, rel, Entry::Row(i));
        }
        for (j, (c, &xj)) in columns.iter_mut().zip(x).enumerate() {
            c.violation = distance(xj, bounds.var_lower[j], bounds.var_upper[j]);
            let rel = c.violation / xj.abs().max(1.0);
            bound_violation.take(c.violation, rel, Entry::Column(j));
        }
        let mut residuals = Residuals {
            objective: if eval.objective.is_nan() {
                f64::INFINITY
            } else {
                eval.objective
            },
            constraint_violation,
            relaxed_constraint_violation,
            bound_violation,
            dual_infeasibility: None,
            complementarity: None,
            dual_scale: 1.0,
            complementarity_scale: 1.0,
            scaled_overall_error: 0.0,
            tol_scales: TolScales {
                dual: 1.0,
                complementarity: 1.0,
                rows: None,
            },
            inferred_bound_multipliers: false,
            bound_sum: 0.0,
            bound_count: 0,
            rows,
            columns,
        };
        if let Some(mult) = multipliers {
            residuals.add_dual(bounds, x, eval, mult);
        }
        residuals.tol_scales.dual = residuals.dual_scale;
        residuals.tol_scales.complementarity = residuals.complementarity_scale;
        residuals.scaled_overall_error = match bounds.scaling {
            None => residuals.overall_error(),
            Some(s) => residuals.scaled_error(s, multipliers),
        };
        residuals
    }

    fn add_dual(&mut self, b: &Bounds<'_>, x: &[f64], eval: &Evaluation, mult: &Multipliers) {
        let lambda = &mult.lambda;
        assert_eq!(lambda.len(), b.con_lower.len());
        // Ipopt's s_d and s_c: 1-norms of all multipliers over their number, where a
        // bound multiplier counts only for a bound that exists (and a fixed variable,
        // which Ipopt takes out of the problem, not at all).
        let mut sum_lambda = 0.0;
        let mut sum_z = 0.0;
        let mut count_z = 0usize;
        let mut dual = Figure::ZERO;
        let mut compl_abs = Figure::ZERO;
        for (i, r) in self.rows.iter_mut().enumerate() {
            let (lo, up, g, l) = (
                b.con_lower[i],
                b.con_upper[i],
                eval.constraints[i],
                lambda[i],
            );
            sum_lambda += l.abs();
            let (v_lower, v_upper) = ((-l).max(0.0), l.max(0.0));
            if lo == up {
                continue;
            }
            r.dual_sign = if lo.is_finite() { 0.0 } else { v_lower }
                + if up.is_finite() { 0.0 } else { v_upper };
            if l.is_nan() {
                r.dual_sign = f64::INFINITY;
            }
            let (gap_lo, gap_up) = b.gaps(g, lo, up);
            r.complementarity = product(gap_lo, v_lower).max(product(gap_up, v_upper));
            for (bound, v) in [(lo, v_lower), (up, v_upper)] {
                if bound.is_finite() {
                    sum_z += v;
                    count_z += 1;
                }
            }
            dual.take(r.dual_sign, r.dual_sign, Entry::Row(i));
            compl_abs.take(r.complementarity, r.complementarity, Entry::Row(i));
        }
        let mut grad = vec![0.0; x.len()];
        eval.lagrangian_gradient(b.sigma, lambda, &mut grad);
        self.inferred_bound_multipliers = mult.bounds.is_none();
        for (j, c) in self.columns.iter_mut().enumerate() {
            let (lo, up, r) = (b.var_lower[j], b.var_upper[j], grad[j]);
            let fixed = lo == up;
            // Multipliers a fixed variable can take are free in sign and size: Ipopt takes
            // it out of the problem, so no given value is binding.
            let (z_lower, z_upper, sign_error) = match &mult.bounds {
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
            c.complementarity = if fixed {
                0.0
            } else {
                let (gap_lo, gap_up) = b.gaps(x[j], lo, up);
                product(gap_lo, z_lower).max(product(gap_up, z_upper))
            };
            if !fixed {
                for (bound, z) in [(lo, z_lower), (up, z_upper)] {
                    if bound.is_finite() {
                        sum_z += z.abs();
                        count_z += 1;
                    }
                }
            }
            dual.take(c.stationarity, c.stationarity, Entry::Column(j));
            compl_abs.take(c.complementarity, c.complementarity, Entry::Column(j));
        }
        self.bound_sum = sum_z;
        self.bound_count = count_z;
        let m = lambda.len();
        self.dual_scale = if m + count_z == 0 {
            1.0
        } else {
            S_MAX.max((sum_lambda + sum_z) / (m + count_z) as f64) / S_MAX
        };
        self.complementarity_scale = if count_z == 0 {
            1.0
        } else {
            S_MAX.max(sum_z / count_z as f64) / S_MAX
        };
        if !self.dual_scale.is_finite() {
            self.dual_scale = 1.0;
        }
        if !self.complementarity_scale.is_finite() {
            self.complementarity_scale = 1.0;
        }
        dual.relative = dual.absolute / self.dual_scale;
        compl_abs.relative = compl_abs.absolute / self.complementarity_scale;
        self.dual_infeasibility = Some(dual);
        self.complementarity = Some(compl_abs);
    }

    /// The overall error under `scaling`: Ipopt's `s_d`, `s_c` from the scaled multipliers,
    /// scaled stationarity and complementarity, scaled row violations.
    ///
    /// Row slack multipliers enter `s_d` and `s_c` as `sf·v` (not divided by their row's
    /// factor), a slight difference from Ipopt when rows are scaled.
    fn scaled_error(&mut self, scaling: &Scaling, mult: Option<&Multipliers>) -> f64 {
        let sf = scaling.objective;
        self.tol_scales.rows = Some(scaling.constraints.clone());
        let mut e = 0.0f64;
        for (r, &sc) in self.rows.iter().zip(&scaling.constraints) {
            let v = sc * r.relaxed_violation;
            e = e.max(if v.is_nan() { f64::INFINITY } else { v });
        }
        let Some(mult) = mult else {
            return e;
        };
        let (Some(dual), Some(compl)) = (&self.dual_infeasibility, &self.complementarity) else {
            return e;
        };
        // Multiplier sums as in `add_dual`, with λ̃ = sf·λ/sc and z̃ = sf·z.
        let lambda: f64 = mult
            .lambda
            .iter()
            .zip(&scaling.constraints)
            .map(|(l, sc)| (sf * l / sc).abs())
            .sum();
        // The bound-multiplier part of s_d and s_c scales by sf exactly; the unscaled
        // scales hold (Σ|λ| + Σz)/(m + k) and Σz/k, so recover Σz·/k from s_c.
        let (m, k) = (self.rows.len() as f64, self.bound_count as f64);
        let z_mean = if self.bound_count == 0 {
            0.0
        } else {
            self.bound_sum / k
        };
        let s_c = (S_MAX.max(sf * z_mean) / S_MAX).max(1.0);
        let s_d = if m + k == 0.0 {
            1.0
        } else {
            S_MAX.max((lambda + sf * self.bound_sum) / (m + k)) / S_MAX
        };
        self.tol_scales.dual = s_d / sf;
        self.tol_scales.complementarity = s_c / sf;
        let d = sf * dual.absolute / s_d;
        let c = sf * compl.absolute / s_c;
        e.max(if d.is_nan() { f64::INFINITY } else { d })
            .max(if c.is_nan() { f64::INFINITY } else { c })
    }

    /// Ipopt's overall NLP error of the unscaled problem:
    /// `max(dual infeasibility / s_d, constraint violation, complementarity / s_c)`, with the
    /// constraint violation measured beyond the relaxed bounds as in Ipopt.
    pub fn overall_error(&self) -> f64 {
        let mut e = self.relaxed_constraint_violation;
        if let Some(d) = &self.dual_infeasibility {
            e = e.max(d.relative);
        }
        if let Some(c) = &self.complementarity {
            e = e.max(c.relative);
        }
        e
    }
}
