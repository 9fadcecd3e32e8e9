//! Newton polish of a convex QCQP's interior-point result on the problem's own KKT
//! conditions.
//!
//! A second-order cone pair `(s, z)` with `sᵀz = ε` can be misaligned — the vector
//! part `s₀z₁ + z₀s₁` of its Jordan product — by order `√ε` where the Nesterov–Todd
//! scaling is ill-conditioned, and the quadratic row's multiplier, recovered from
//! `z`, carries that error into the stationarity of the original problem: the conic
//! iterate meets its tolerances while the model's dual residual stays orders of
//! magnitude above them. At that iterate the active set is already plain, however
//! (each multiplier either dominates its slack or is dominated by it), and on it the
//! optimality conditions are a square system,
//!
//! ```text
//! Px + q + Σₖ yₖ ∇cₖ(x) = 0,    c_A(x) = b_A,
//! ```
//!
//! with `cₖ` an active row (linear or quadratic) or variable bound. Newton's method
//! from the interior-point result converges in a few steps; its matrix
//! `[[P + Σ yₖ∇²cₖ, J_Aᵀ], [J_A, 0]]` is quasi-definite after regularization and is
//! factored once (a chord iteration: the start is close enough that the fixed matrix
//! contracts the error by orders of magnitude per step), through the same
//! [`KktSystem`] as the interior-point method with a zero cone for the active rows.
//! The caller keeps the polished point only if it measures better on the original
//! problem than the point it started from.

use super::cones::{CompositeCone, ConeSpec};
use super::conic::OriginalDuals;
use super::csc::CscMatrix;
use super::kkt::KktSystem;
use super::problem::{QpProblem, is_finite_bound};
use super::qcqp::QuadraticRow;
use super::settings::Settings;
use super::variables::norm_inf;

/// Newton steps at most per active set.
const MAX_STEPS: usize = 8;

/// Slowest contraction of the residual per step that keeps the Newton matrix.
const CHORD_CONTRACTION: f64 = 0.1;

/// A step that fails after one contracting the residual this much found round-off.
const ROUND_OFF_CONTRACTION: f64 = 1e-3;

/// Static regularization of the proximal-point Newton steps (see [`polish`]).
const PROXIMAL_REGULARIZATION: f64 = 1e-6;

/// Active sets tried at most: the first from the interior-point result, each next
/// one corrected by what the previous polish violated.
const MAX_ROUNDS: usize = 3;

/// What an active constraint is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Row `row`, with the index of its quadratic part in the `quadratic` slice.
    Row {
        row: usize,
        quad: Option<usize>,
    },
    Variable(usize),
}

/// Which sign the constraint's multiplier must have at an optimum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Equality,
    /// Upper side active: multiplier `≥ 0`.
    Upper,
    /// Lower side active: multiplier `≤ 0`.
    Lower,
}

#[derive(Clone, Copy, Debug)]
struct Active {
    kind: Kind,
    side: Side,
    /// The value the constraint function takes on the active side.
    target: f64,
}

/// Sizes against which a multiplier and a slack are compared (see [`Scales::is_active`]).
struct Scales {
    /// `‖∇cᵢ(x)‖∞` of every row.
    row_gradients: Vec<f64>,
    /// `‖Px + q‖∞`.
    objective_gradient: f64,
    /// `max(‖x‖∞, 1)`.
    x: f64,
}

impl Scales {
    /// Whether a side with multiplier `multiplier` (positive when of the side's sign)
    /// and slack `slack`, of a constraint whose gradient has norm `gradient`, is
    /// active: its force on the objective, `|y|‖∇c‖` relative to `‖∇f‖`, is at least
    /// its distance from `x`, `slack/‖∇c‖` relative to `‖x‖`. At the end of an
    /// interior-point solve one of the two is small for every side, and comparing
    /// them in these units keeps the test independent of how rows are scaled.
    fn is_active(&self, multiplier: f64, slack: f64, gradient: f64) -> bool {
        let force = multiplier * gradient / self.objective_gradient.max(f64::EPSILON);
        let distance = slack / (gradient.max(f64::EPSILON) * self.x);
        force > 0.0 && force >= distance
    }
}

/// The active set of `(x, duals)` and the multipliers of its constraints, in Ipopt's
/// convention (`∇f + Σ yₖ∇cₖ = 0`).
fn active_set(
    problem: &QpProblem,
    quad_of_row: &[Option<usize>],
    values: &[f64],
    x: &[f64],
    duals: &OriginalDuals,
    scales: &Scales,
) -> (Vec<Active>, Vec<f64>) {
    let (mut active, mut y) = (Vec::new(), Vec::new());
    let mut classify = |kind: Kind, (l, u): (f64, f64), value: f64, multiplier: f64, gradient| {
        let side = if l == u {
            Some((Side::Equality, u))
        } else if is_finite_bound(u) && scales.is_active(multiplier, u - value, gradient) {
            Some((Side::Upper, u))
        } else if is_finite_bound(l) && scales.is_active(-multiplier, value - l, gradient) {
            Some((Side::Lower, l))
        } else {
            None
        };
        if let Some((side, target)) = side {
            active.push(Active { kind, side, target });
            y.push(multiplier);
        }
    };
    for (row, &quad) in quad_of_row.iter().enumerate() {
        classify(
            Kind::Row { row, quad },
            (problem.row_lower[row], problem.row_upper[row]),
            values[row],
            duals.lambda[row],
            scales.row_gradients[row],
        );
    }
    for (j, &xj) in x.iter().enumerate() {
        classify(
            Kind::Variable(j),
            (problem.var_lower[j], problem.var_upper[j]),
            xj,
            duals.z_upper[j] - duals.z_lower[j],
            1.0,
        );
    }
    (active, y)
}

/// The data of the polish: the problem, its active set and the fixed Newton matrix.
struct Polish<'a> {
    problem: &'a QpProblem,
    quadratic: &'a [QuadraticRow],
    active: Vec<Active>,
    /// Row `i` of `A` as column `i`.
    rows: CscMatrix,
    /// Upper triangle of `P`.
    p_upper: CscMatrix,
}

impl Polish<'_> {
    /// Row values `Ax + xᵀQᵢx` of every row.
    fn row_values(&self, x: &[f64], out: &mut [f64]) {
        out.fill(0.0);
        self.problem.a.gemv(1.0, x, out);
        for quad in self.quadratic {
            out[quad.row] += quad.value(x);
        }
    }

    /// `rx = Px + q + Σ yₖ∇cₖ(x)` and `rc = c_A(x) − b_A`.
    fn residuals(&self, x: &[f64], y: &[f64], values: &mut [f64], rx: &mut [f64], rc: &mut [f64]) {
        self.row_values(x, values);
        rx.copy_from_slice(&self.problem.q);
        self.p_upper.symv(1.0, x, rx);
        for ((a, &yk), r) in self.active.iter().zip(y).zip(rc.iter_mut()) {
            match a.kind {
                Kind::Row { row, quad } => {
                    for (j, v) in self.rows.column(row) {
                        rx[j] += yk * v;
                    }
                    if let Some(q) = quad {
                        self.quadratic[q].add_gradient(yk, x, rx);
                    }
                    *r = values[row] - a.target;
                }
                Kind::Variable(j) => {
                    rx[j] += yk;
                    *r = x[j] - a.target;
                }
            }
        }
    }

    /// The entries `(j, ∂g/∂xⱼ)` of quadratic row `row`'s gradient `a + 2Qx` at `x`.
    fn quadratic_row_gradient(
        &self,
        row: usize,
        quad: &QuadraticRow,
        x: &[f64],
        work: &mut GradientWork,
        out: &mut Vec<(usize, f64)>,
    ) {
        let GradientWork {
            dense,
            marked,
            pattern,
        } = work;
        pattern.clear();
        for (j, v) in self.rows.column(row) {
            dense[j] += v;
            pattern.push(j);
            marked[j] = true;
        }
        quad.add_gradient(1.0, x, dense);
        for (i, _, _) in quad.factor.triplets() {
            if !std::mem::replace(&mut marked[i], true) {
                pattern.push(i);
            }
        }
        out.clear();
        for &j in pattern.iter() {
            out.push((j, dense[j]));
            dense[j] = 0.0;
            marked[j] = false;
        }
    }

    /// The scales of [`Scales::is_active`] at `x`.
    fn scales(&self, x: &[f64], quad_of_row: &[Option<usize>]) -> Scales {
        let mut work = GradientWork::new(x.len());
        let mut entries = Vec::new();
        let row_gradients = quad_of_row
            .iter()
            .enumerate()
            .map(|(row, quad)| match quad {
                Some(q) => {
                    let quad = &self.quadratic[*q];
                    self.quadratic_row_gradient(row, quad, x, &mut work, &mut entries);
                    entries.iter().fold(0.0, |m: f64, e| m.max(e.1.abs()))
                }
                None => self
                    .rows
                    .column(row)
                    .fold(0.0, |m: f64, e| m.max(e.1.abs())),
            })
            .collect();
        let mut gradient = self.problem.q.clone();
        self.p_upper.symv(1.0, x, &mut gradient);
        Scales {
            row_gradients,
            objective_gradient: norm_inf(&gradient),
            x: norm_inf(x).max(1.0),
        }
    }

    /// The active set corrected after a polish that ended at `(x, y)` with row values
    /// `values`: inactive sides that `x` violates by more than `tol` (relative) are
    /// added with multiplier 0, active inequality sides whose multiplier has the
    /// wrong sign beyond `tol` (relative to `‖∇f‖`) are dropped. `None` when nothing
    /// changes.
    fn corrected(
        &self,
        x: &[f64],
        y: &[f64],
        values: &[f64],
        scales: &Scales,
        quad_of_row: &[Option<usize>],
        tol: f64,
    ) -> Option<(Vec<Active>, Vec<f64>)> {
        let problem = self.problem;
        let (m, n) = (problem.num_rows(), problem.num_vars());
        let mut is_active = vec![false; m + n];
        let (mut active, mut kept_y) = (Vec::new(), Vec::new());
        let mut changed = false;
        for (a, &yk) in self.active.iter().zip(y) {
            let (index, gradient) = match a.kind {
                Kind::Row { row, .. } => (row, scales.row_gradients[row]),
                Kind::Variable(j) => (m + j, 1.0),
            };
            let wrong = match a.side {
                Side::Equality => 0.0,
                Side::Upper => (-yk).max(0.0),
                Side::Lower => yk.max(0.0),
            };
            if wrong * gradient > tol * scales.objective_gradient.max(1.0) {
                changed = true;
                continue;
            }
            is_active[index] = true;
            active.push(*a);
            kept_y.push(yk);
        }
        let violated = |value: f64, l: f64, u: f64| {
            let allowed = |bound: f64| tol * bound.abs().max(1.0);
            if is_finite_bound(u) && value - u > allowed(u) {
                Some((Side::Upper, u))
            } else if is_finite_bound(l) && l - value > allowed(l) {
                Some((Side::Lower, l))
            } else {
                None
            }
        };
        let rows = (0..m).map(|row| {
            let kind = Kind::Row {
                row,
                quad: quad_of_row[row],
            };
            (
                kind,
                values[row],
                problem.row_lower[row],
                problem.row_upper[row],
            )
        });
        let variables = (0..n).map(|j| {
            let kind = Kind::Variable(j);
            (kind, x[j], problem.var_lower[j], problem.var_upper[j])
        });
        for (index, (kind, value, l, u)) in rows.chain(variables).enumerate() {
            if is_active[index] {
                continue;
            }
            if let Some((side, target)) = violated(value, l, u) {
                changed = true;
                active.push(Active { kind, side, target });
                kept_y.push(0.0);
            }
        }
        changed.then_some((active, kept_y))
    }

    /// `J_A` at `x` (active constraints as rows) and the upper triangle of the
    /// Lagrangian's Hessian `P + Σ yₖ∇²cₖ` with the multipliers `y`.
    fn newton_matrices(&self, x: &[f64], y: &[f64]) -> (CscMatrix, CscMatrix) {
        let n = x.len();
        let mut jac = Vec::new();
        let mut hess: Vec<(usize, usize, f64)> = self.p_upper.triplets().collect();
        let mut work = GradientWork::new(n);
        let mut entries = Vec::new();
        for (k, (a, &yk)) in self.active.iter().zip(y).enumerate() {
            match a.kind {
                Kind::Variable(j) => jac.push((k, j, 1.0)),
                Kind::Row { row, quad: None } => {
                    jac.extend(self.rows.column(row).map(|(j, v)| (k, j, v)));
                }
                Kind::Row { row, quad: Some(q) } => {
                    let quad = &self.quadratic[q];
                    self.quadratic_row_gradient(row, quad, x, &mut work, &mut entries);
                    jac.extend(entries.iter().map(|&(j, v)| (k, j, v)));
                    // ∇²cₖ = 2 sign FFᵀ; the weight is kept nonnegative so that the
                    // Hessian stays positive semidefinite.
                    let weight = (2.0 * yk * quad.side.sign()).max(0.0);
                    if weight > 0.0 {
                        for col in 0..quad.factor.ncols() {
                            entries.clear();
                            entries.extend(quad.factor.column(col));
                            for &(i, vi) in &entries {
                                for &(j, vj) in &entries {
                                    if i <= j {
                                        hess.push((i, j, weight * vi * vj));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let jac = CscMatrix::from_triplets(self.active.len(), n, &jac)
            .expect("active constraints lie inside the problem");
        let hess =
            CscMatrix::from_triplets(n, n, &hess).expect("Hessian entries lie inside the problem");
        (jac, hess)
    }
}

/// Dense workspace for one row's gradient.
struct GradientWork {
    dense: Vec<f64>,
    marked: Vec<bool>,
    pattern: Vec<usize>,
}

impl GradientWork {
    fn new(n: usize) -> Self {
        Self {
            dense: vec![0.0; n],
            marked: vec![false; n],
            pattern: Vec::new(),
        }
    }
}

/// Newton steps on the KKT system of `polish.active` from `(x, y)`; returns the
/// iterate with the smallest residual, or `None` when a matrix cannot be factored.
///
/// The matrix is kept while it contracts the residual at least tenfold per step (a
/// chord iteration: from an interior-point result this is the rule, and one
/// factorization serves every step); after a slower step, or a failed one with a
/// stale matrix, it is rebuilt at the best iterate.
fn newton(
    polish: &Polish,
    settings: &Settings,
    x: &[f64],
    y: &[f64],
    values: &mut [f64],
) -> Option<(Vec<f64>, Vec<f64>)> {
    let (n, m_a) = (x.len(), polish.active.len());
    let cones = if m_a > 0 {
        CompositeCone::new(&[ConeSpec::Zero(m_a)])
    } else {
        CompositeCone::new(&[])
    };
    let factor = |x: &[f64], y: &[f64]| -> Option<KktSystem> {
        let (jac, hess) = polish.newton_matrices(x, y);
        let mut kkt = KktSystem::new(&hess, &jac, &cones, settings, false).ok()?;
        kkt.update_and_factor(&cones).ok()?;
        Some(kkt)
    };
    let (mut x, mut y) = (x.to_vec(), y.to_vec());
    let mut kkt = factor(&x, &y)?;
    let mut fresh = true;
    let (mut rx, mut rc) = (vec![0.0; n], vec![0.0; m_a]);
    let mut rhs = vec![0.0; n + m_a];
    let mut step = vec![0.0; n + m_a];
    polish.residuals(&x, &y, values, &mut rx, &mut rc);
    let mut norm = norm_inf(&rx).max(norm_inf(&rc));
    let (mut best_x, mut best_y) = (x.clone(), y.clone());
    let mut contraction = 1.0;
    // Residuals this small are round-off of the data's size.
    let floor = 100.0 * f64::EPSILON * (1.0 + norm_inf(&polish.problem.q) + norm_inf(&x));
    for _ in 0..MAX_STEPS {
        if norm <= floor {
            break;
        }
        for (r, v) in rhs.iter_mut().zip(rx.iter().chain(&rc)) {
            *r = -v;
        }
        kkt.solve(&rhs, &mut step);
        for (xj, dx) in x.iter_mut().zip(&step[..n]) {
            *xj += dx;
        }
        for (yk, dy) in y.iter_mut().zip(&step[n..]) {
            *yk += dy;
        }
        polish.residuals(&x, &y, values, &mut rx, &mut rc);
        let new_norm = norm_inf(&rx).max(norm_inf(&rc));
        if new_norm.is_nan() || new_norm >= norm {
            // Round-off level, or a matrix too far from the current point.
            if fresh || contraction < ROUND_OFF_CONTRACTION {
                break;
            }
            x.copy_from_slice(&best_x);
            y.copy_from_slice(&best_y);
            polish.residuals(&x, &y, values, &mut rx, &mut rc);
            kkt = factor(&x, &y)?;
            fresh = true;
            continue;
        }
        best_x.copy_from_slice(&x);
        best_y.copy_from_slice(&y);
        contraction = new_norm / norm;
        norm = new_norm;
        fresh = false;
        if contraction > CHORD_CONTRACTION {
            kkt = factor(&x, &y)?;
            fresh = true;
        }
    }
    let finite = best_x.iter().chain(&best_y).all(|v| v.is_finite());
    finite.then_some((best_x, best_y))
}

/// The largest KKT error on the original problem (absolute) at which a polished
/// point is an optimum.
pub fn full_tolerance(settings: &Settings) -> f64 {
    settings.tol_feas.min(settings.tol_gap_abs)
}

/// Which Newton steps [`polish`] tries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Passes {
    /// Steps solved to round-off only: the cheap attempt on an iterate the iteration
    /// can still improve.
    Refined,
    /// Then the proximal-point steps as well: the end point of the iteration.
    All,
}

/// The polished point and multipliers for the interior-point result `(x, duals)`:
/// of every active set tried, the one whose point `error` (the largest KKT error on
/// the original problem) measures smallest, with that error; `None` when no Newton
/// matrix can be factored. The multipliers of inactive sides are zero; those of the
/// active sides are clipped to their required sign (a wrong sign only from round-off
/// on a weakly active side), so the caller must compare the error with the start's.
///
/// The Newton steps are first solved to round-off (refined against the unregularized
/// matrix). On a degenerate active set — more active sides than free directions, as
/// at the vertex of a degenerate LP — that matrix is singular, and refining against
/// it moves the multipliers along its null space by amounts whose round-off swamps
/// the residual; if that pass falls short of [`full_tolerance`] and `passes` is
/// [`Passes::All`], the active sets are tried again with unrefined steps on the regularized matrix, proximal-point Newton steps
/// that leave the null space alone: first with the method's static regularization,
/// then with the larger [`PROXIMAL_REGULARIZATION`]. The regularization sets only the
/// rate of the iteration, not its fixed point (a KKT point of the active set); the
/// small one converges faster where the active rows' Schur complement is itself
/// small (Maros–Meszaros QSHELL polishes only with it), the large
/// one keeps the factorization's growth small where a `1e-8` pivot against rows of
/// the data's size loses the residual to round-off (netlib degen3's active set
/// cannot be factored at all with it).
pub fn polish(
    problem: &QpProblem,
    quadratic: &[QuadraticRow],
    settings: &Settings,
    x: &[f64],
    duals: &OriginalDuals,
    error: &dyn Fn(&[f64], &OriginalDuals) -> f64,
    passes: Passes,
) -> Option<(Vec<f64>, OriginalDuals, f64)> {
    let m = problem.num_rows();
    let mut quad_of_row = vec![None; m];
    for (k, quad) in quadratic.iter().enumerate() {
        quad_of_row[quad.row] = Some(k);
    }
    let p_upper = if problem.p.triplets().any(|(i, j, _)| i > j) {
        problem.p.transpose()
    } else {
        problem.p.clone()
    };
    let mut polish = Polish {
        problem,
        quadratic,
        active: Vec::new(),
        rows: problem.a.transpose(),
        p_upper,
    };
    let mut values = vec![0.0; m];
    polish.row_values(x, &mut values);
    let scales = polish.scales(x, &quad_of_row);
    let (first_active, first_y) = active_set(problem, &quad_of_row, &values, x, duals, &scales);
    let proximal = |delta: f64| Settings {
        iterative_refinement_max_cycles: 0,
        static_regularization_constant: delta,
        ..settings.clone()
    };
    let all_passes = [
        settings.clone(),
        proximal(settings.static_regularization_constant),
        proximal(PROXIMAL_REGULARIZATION),
    ];
    let tol = 0.1 * settings.tol_feas;
    let mut best: Option<(Vec<f64>, OriginalDuals, f64)> = None;
    let passes = match passes {
        Passes::Refined => &all_passes[..1],
        Passes::All => &all_passes[..],
    };
    let target = full_tolerance(settings);
    for step_settings in passes {
        polish.active.clone_from(&first_active);
        let mut y = first_y.clone();
        for round in 0..MAX_ROUNDS {
            let Some((px, py)) = newton(&polish, step_settings, x, &y, &mut values) else {
                break;
            };
            let d = signed_multipliers(problem, &polish.active, &py);
            let e = error(&px, &d);
            polish.row_values(&px, &mut values);
            let correction = polish.corrected(&px, &py, &values, &scales, &quad_of_row, tol);
            // A NaN error counts as no improvement.
            if best.as_ref().is_none_or(|b| e < b.2) {
                best = Some((px, d, e));
            }
            match correction {
                Some((active, corrected_y)) if round + 1 < MAX_ROUNDS => {
                    polish.active = active;
                    y = corrected_y;
                }
                _ => break,
            }
        }
        if best.as_ref().is_some_and(|b| b.2 <= target) {
            break;
        }
    }
    best
}

/// The multipliers of the active sides `active` from their values `y` in Ipopt's
/// convention, each clipped to its side's sign; zero on every inactive side.
fn signed_multipliers(problem: &QpProblem, active: &[Active], y: &[f64]) -> OriginalDuals {
    let (n, m) = (problem.num_vars(), problem.num_rows());
    let mut d = OriginalDuals {
        lambda: vec![0.0; m],
        z_lower: vec![0.0; n],
        z_upper: vec![0.0; n],
    };
    for (a, &yk) in active.iter().zip(y) {
        let yk = match a.side {
            Side::Equality => yk,
            Side::Upper => yk.max(0.0),
            Side::Lower => yk.min(0.0),
        };
        match a.kind {
            Kind::Row { row, .. } => d.lambda[row] = yk,
            Kind::Variable(j) if yk >= 0.0 => d.z_upper[j] = yk,
            Kind::Variable(j) => d.z_lower[j] = -yk,
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convex::driver::kkt_error;
    use crate::convex::qcqp::QuadraticSide;

    /// [`polish`] with the driver's error measure and default settings.
    fn polished(
        qp: &QpProblem,
        rows: &[QuadraticRow],
        x: &[f64],
        duals: &OriginalDuals,
    ) -> (Vec<f64>, OriginalDuals) {
        let error = |x: &[f64], d: &OriginalDuals| kkt_error(qp, rows, x, d);
        let (x, d, _) = polish(
            qp,
            rows,
            &Settings::default(),
            x,
            duals,
            &error,
            Passes::All,
        )
        .unwrap();
        (x, d)
    }

    /// min (x0 − 3)² + (x1 − 4)²  s.t.  x0² + x1² ≤ 1,  x1 ≤ 0.7:  the optimum is
    /// x = (√0.51, 0.7) with both rows active.
    fn ball_problem() -> (QpProblem, Vec<QuadraticRow>) {
        let a = CscMatrix::from_triplets(2, 2, &[(1, 1, 1.0)]).unwrap();
        let qp = QpProblem {
            p: CscMatrix::from_triplets(2, 2, &[(0, 0, 2.0), (1, 1, 2.0)]).unwrap(),
            q: vec![-6.0, -8.0],
            c0: 25.0,
            a,
            row_lower: vec![f64::NEG_INFINITY; 2],
            row_upper: vec![1.0, 0.7],
            var_lower: vec![f64::NEG_INFINITY; 2],
            var_upper: vec![f64::INFINITY; 2],
        };
        let factor = CscMatrix::from_triplets(2, 2, &[(0, 0, 1.0), (1, 1, 1.0)]).unwrap();
        let rows = vec![QuadraticRow {
            row: 0,
            side: QuadraticSide::Upper,
            factor,
        }];
        (qp, rows)
    }

    #[test]
    fn newton_polish_reaches_the_kkt_point_from_a_perturbed_one() {
        let (qp, rows) = ball_problem();
        // Stationarity: 2(x − c) + 2λx + ν e₁ = 0 gives λ = 3/x0 − 1 and
        // ν = 8 − 1.4(1 + λ).
        let x0 = 0.51f64.sqrt();
        let lambda = 3.0 / x0 - 1.0;
        let nu = 8.0 - 1.4 * (1.0 + lambda);
        let start = [x0 - 3e-5, 0.7 - 1e-6];
        let duals = OriginalDuals {
            lambda: vec![lambda * (1.0 + 1e-4), nu - 2e-4],
            z_lower: vec![0.0; 2],
            z_upper: vec![0.0; 2],
        };
        let (x, d) = polished(&qp, &rows, &start, &duals);
        assert!(
            (x[0] - x0).abs() < 1e-13 && (x[1] - 0.7).abs() < 1e-13,
            "{x:?}"
        );
        assert!((d.lambda[0] - lambda).abs() < 1e-12, "{:?}", d.lambda);
        assert!((d.lambda[1] - nu).abs() < 1e-12, "{:?}", d.lambda);
    }

    #[test]
    fn a_missed_active_side_is_added_by_the_correction() {
        // The linear row's multiplier is given as 0: the first polish solves the
        // ball-only problem, whose point (0.6, 0.8) violates x1 ≤ 0.7.
        let (qp, rows) = ball_problem();
        let x0 = 0.51f64.sqrt();
        let lambda = 3.0 / x0 - 1.0;
        let nu = 8.0 - 1.4 * (1.0 + lambda);
        let duals = OriginalDuals {
            lambda: vec![lambda, 0.0],
            z_lower: vec![0.0; 2],
            z_upper: vec![0.0; 2],
        };
        let (x, d) = polished(&qp, &rows, &[0.6, 0.75], &duals);
        assert!(
            (x[0] - x0).abs() < 1e-12 && (x[1] - 0.7).abs() < 1e-12,
            "{x:?}"
        );
        assert!((d.lambda[1] - nu).abs() < 1e-10, "{:?}", d.lambda);
    }

    #[test]
    fn inactive_sides_get_zero_multipliers() {
        let (mut qp, rows) = ball_problem();
        // With x1 ≤ 5 the linear row is inactive: x = c/‖c‖ = (0.6, 0.8), λ = 4.
        qp.row_upper[1] = 5.0;
        let duals = OriginalDuals {
            lambda: vec![3.9999, 1e-9],
            z_lower: vec![0.0; 2],
            z_upper: vec![0.0; 2],
        };
        let (x, d) = polished(&qp, &rows, &[0.59999, 0.79999], &duals);
        assert!(
            (x[0] - 0.6).abs() < 1e-13 && (x[1] - 0.8).abs() < 1e-13,
            "{x:?}"
        );
        assert!((d.lambda[0] - 4.0).abs() < 1e-12);
        assert_eq!(d.lambda[1], 0.0);
    }
}
