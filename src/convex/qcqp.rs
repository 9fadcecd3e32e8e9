//! Convex quadratically constrained QPs and their second-order cone form.
//!
//! A quadratic row `g(x) = aᵀx + xᵀQx` of a [`QcqpProblem`] has one finite side and a
//! factor `F` with `Q = FFᵀ` on an upper side (`g ≤ u`) or `Q = −FFᵀ` on a lower side
//! (`g ≥ l`). Either way it reads `‖Fᵀx‖² ≤ t` with `t = ū − āᵀx` (`ā = a, ū = u`
//! or `ā = −a, ū = −l`), and since `((1 + t)/2)² − ((1 − t)/2)² = t`,
//!
//! ```text
//! ‖Fᵀx‖² ≤ t   ⇔   ((1 + t)/2, (1 − t)/2, Fᵀx) ∈ SOC(k + 2),
//! ```
//!
//! a second-order cone of dimension `k + 2` for a rank-`k` factor: conic rows
//! `āᵀx/2 + s₀ = (1 + ū)/2`, `−āᵀx/2 + s₁ = (1 − ū)/2`, `−Fᵀx + s₂.. = 0`. No
//! variable is added. The row's multiplier is `μ = (z₀ − z₁)/2 ≥ 0`: `Aᵀz` of the
//! block is `μ ā − F z₂..`, and at a complementary pair `z₂.. = −(z₀/s₀)Fᵀx` with
//! `z₀/s₀ = 2μ` (because `s₀ + s₁ = 1`), which is `μ ∇(‖Fᵀx‖² + āᵀx)`.
//!
//! When `ā = 2Fh` is in the range of `F` (a row of full rank, or no linear part),
//! the square is completed instead ([`super::centre`]):
//!
//! ```text
//! ‖Fᵀx‖² + āᵀx ≤ ū   ⇔   (ρ, Fᵀx + h) ∈ SOC(k + 1),   ρ² = ū + ‖h‖²,
//! ```
//!
//! with conic rows `s₀ = ρ`, `−Fᵀx + s₁.. = h`: the cone's height is a constant, so
//! `ā` puts no entries in `A` (the rotated form has it in two rows, dense in the KKT
//! matrix when `ā` is). Here `Aᵀz` of the block is `−F z₁..`, which at a
//! complementary pair is `(z₀/ρ)F(Fᵀx + h) = μ ∇(‖Fᵀx‖² + āᵀx)` with `μ = z₀/(2ρ)`.

use super::centre::Centring;
use super::cones::ConeSpec;
use super::conic::{ConeForm, ConicProblem, QuadraticBlock, RowOrigin};
use super::csc::CscMatrix;
use super::problem::{ProblemError, QpProblem, is_finite_bound};

/// Which side of a quadratic row is finite, and so the sign of its Hessian.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuadraticSide {
    /// `g(x) ≤ u` with `Q = FFᵀ`.
    Upper,
    /// `g(x) ≥ l` with `Q = −FFᵀ`.
    Lower,
}

impl QuadraticSide {
    /// `+1` for an upper side, `−1` for a lower one: `Q = sign · FFᵀ`.
    pub fn sign(self) -> f64 {
        match self {
            QuadraticSide::Upper => 1.0,
            QuadraticSide::Lower => -1.0,
        }
    }
}

/// The quadratic part of one constraint row.
#[derive(Clone, Debug, PartialEq)]
pub struct QuadraticRow {
    /// Index of the row in the problem (its linear part is that row of `A`).
    pub row: usize,
    pub side: QuadraticSide,
    /// `n × k`, `Q = sign · FFᵀ`.
    pub factor: CscMatrix,
}

impl QuadraticRow {
    /// `xᵀQx`.
    pub fn value(&self, x: &[f64]) -> f64 {
        let mut ftx = vec![0.0; self.factor.ncols()];
        self.factor.gemv_t(1.0, x, &mut ftx);
        self.side.sign() * ftx.iter().map(|v| v * v).sum::<f64>()
    }

    /// `out ← out + weight · 2Qx`.
    pub fn add_gradient(&self, weight: f64, x: &[f64], out: &mut [f64]) {
        let mut ftx = vec![0.0; self.factor.ncols()];
        self.factor.gemv_t(1.0, x, &mut ftx);
        self.factor.gemv(2.0 * weight * self.side.sign(), &ftx, out);
    }
}

/// A QP plus convex quadratic terms on some of its rows.
#[derive(Clone, Debug, PartialEq)]
pub struct QcqpProblem {
    /// Objective, linear parts of every row, all bounds.
    pub qp: QpProblem,
    /// At most one entry per row, each row with exactly the finite side `side`.
    pub quadratic: Vec<QuadraticRow>,
}

/// Checks the quadratic rows against `qp` (already validated).
pub fn validate(qp: &QpProblem, rows: &[QuadraticRow]) -> Result<(), ProblemError> {
    let (n, m) = (qp.num_vars(), qp.num_rows());
    let mut seen = vec![false; m];
    for r in rows {
        let bad = |why: &'static str| Err(ProblemError::InvalidQuadraticRow { row: r.row, why });
        if r.row >= m {
            return bad("no such row");
        }
        if std::mem::replace(&mut seen[r.row], true) {
            return bad("two quadratic parts for one row");
        }
        if r.factor.nrows() != n {
            return bad("factor has the wrong number of rows");
        }
        if r.factor.values().iter().any(|v| !v.is_finite()) {
            return bad("factor entry not finite");
        }
        let (l, u) = (qp.row_lower[r.row], qp.row_upper[r.row]);
        let one_sided = match r.side {
            QuadraticSide::Upper => is_finite_bound(u) && !is_finite_bound(l),
            QuadraticSide::Lower => is_finite_bound(l) && !is_finite_bound(u),
        };
        if !one_sided {
            return bad("a convex quadratic row needs exactly its convex side finite");
        }
    }
    Ok(())
}

/// `qp` with the quadratic rows made free, so that [`ConicProblem::from_qp`] gives
/// them no linear cone rows; [`append_cones`] adds their cones.
pub fn without_quadratic_rows(qp: &QpProblem, rows: &[QuadraticRow]) -> QpProblem {
    let mut relaxed = qp.clone();
    for r in rows {
        relaxed.row_lower[r.row] = f64::NEG_INFINITY;
        relaxed.row_upper[r.row] = f64::INFINITY;
    }
    relaxed
}

/// Appends one second-order cone block per quadratic row to `conic` (built from
/// [`without_quadratic_rows`]), centred where the square can be completed and
/// rotated otherwise, with the map of its duals back to the row.
pub fn append_cones(conic: &mut ConicProblem, qp: &QpProblem, rows: &[QuadraticRow]) {
    let qp_rows = qp.a.transpose();
    let mut triplets: Vec<(usize, usize, f64)> = conic.a.triplets().collect();
    let mut r = conic.num_rows();
    let mut centring = Centring::new(qp.num_vars());
    let mut linear: Vec<(usize, f64)> = Vec::new();
    for quad in rows {
        let sign = quad.side.sign();
        let side = match quad.side {
            QuadraticSide::Upper => qp.row_upper[quad.row],
            QuadraticSide::Lower => -qp.row_lower[quad.row],
        };
        linear.clear();
        linear.extend(
            qp_rows
                .column(quad.row)
                .filter(|&(_, v)| v != 0.0)
                .map(|(j, v)| (j, sign * v)),
        );
        let centre = if linear.is_empty() {
            None
        } else {
            centring.centre(&quad.factor, &linear, side)
        };
        let (form, h) = match centre {
            Some(centre) => {
                conic.b.push(centre.radius);
                let form = ConeForm::Centred {
                    radius: centre.radius,
                };
                (form, centre.h)
            }
            None => {
                for &(j, v) in &linear {
                    triplets.push((r, j, 0.5 * v));
                    triplets.push((r + 1, j, -0.5 * v));
                }
                conic.b.push(0.5 * (1.0 + side));
                conic.b.push(0.5 * (1.0 - side));
                (ConeForm::Rotated, vec![0.0; quad.factor.ncols()])
            }
        };
        let block = QuadraticBlock {
            row: quad.row,
            start: r,
            sign,
            form,
        };
        let first = block.factor_start();
        for (k, hk) in h.into_iter().enumerate() {
            triplets.extend(quad.factor.column(k).map(|(j, v)| (first + k, j, -v)));
            conic.b.push(hk);
        }
        let dim = first - r + quad.factor.ncols();
        conic
            .origin
            .extend(std::iter::repeat_n(RowOrigin::Quadratic(quad.row), dim));
        conic.cones.push(ConeSpec::SecondOrder(dim));
        conic.quadratic.push(block);
        r += dim;
    }
    conic.a = CscMatrix::from_triplets(r, conic.num_vars(), &triplets)
        .expect("cone rows built from valid matrices are valid");
}

/// Replaces the multipliers `lambda` of the quadratic rows (mapped from the conic
/// duals `z` by [`ConicProblem::original_duals`]) by the projection of each cone's
/// term in the stationarity condition, `c = μā − F z₂..` (`−F z₁..` when centred),
/// onto the row's gradient `∇ḡ = ā + 2FFᵀx` at `x`. Both agree at an exactly complementary pair; at the
/// method's end point the projection leaves only the part of `c` that no multiplier
/// of the row can produce, so the model's dual residual stays that of the conic one.
pub fn project_multipliers(
    qp: &QpProblem,
    rows: &[QuadraticRow],
    blocks: &[QuadraticBlock],
    x: &[f64],
    z: &[f64],
    lambda: &mut [f64],
) {
    // A QP has nothing to project: no transpose of A, no workspaces.
    if rows.is_empty() {
        return;
    }
    let n = qp.num_vars();
    let qp_rows = qp.a.transpose();
    let (mut term, mut gradient) = (vec![0.0; n], vec![0.0; n]);
    // The variables of a row's linear part and factor: the only entries of `term`
    // and `gradient` a row touches, so the work is that of the row's data, not `n`.
    let mut support = Vec::new();
    for (quad, block) in rows.iter().zip(blocks) {
        let sign = block.sign;
        // The block's own multiplier of `ā` in `Aᵀz`: none in the centred form.
        let linear_weight = match block.form {
            ConeForm::Rotated => block.multiplier(z),
            ConeForm::Centred { .. } => 0.0,
        };
        let k = quad.factor.ncols();
        let z2 = &z[block.factor_start()..block.factor_start() + k];
        support.clear();
        support.extend(qp_rows.column(quad.row).map(|(j, _)| j));
        support.extend_from_slice(quad.factor.row_idx());
        support.sort_unstable();
        support.dedup();
        for &j in &support {
            term[j] = 0.0;
            gradient[j] = 0.0;
        }
        for (j, v) in qp_rows.column(quad.row) {
            term[j] = linear_weight * sign * v;
            gradient[j] = sign * v;
        }
        quad.factor.gemv(-1.0, z2, &mut term);
        // 2FFᵀx is the gradient of ‖Fᵀx‖² = sign · xᵀQx.
        quad.add_gradient(quad.side.sign(), x, &mut gradient);
        let norm_sq: f64 = support.iter().map(|&j| gradient[j] * gradient[j]).sum();
        if norm_sq > 0.0 {
            let projection: f64 = support.iter().map(|&j| term[j] * gradient[j]).sum();
            lambda[quad.row] = sign * projection / norm_sq;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A problem of `n` free variables and one row `aᵀx + ‖Fᵀx‖² ≤ upper`, `F` of
    /// `factor_cols` columns, with no objective.
    fn one_upper_row(
        n: usize,
        a: &[(usize, usize, f64)],
        upper: f64,
        factor: &[(usize, usize, f64)],
        factor_cols: usize,
    ) -> (QpProblem, [QuadraticRow; 1]) {
        let qp = QpProblem {
            p: CscMatrix::zeros(n, n),
            q: vec![0.0; n],
            c0: 0.0,
            a: CscMatrix::from_triplets(1, n, a).unwrap(),
            row_lower: vec![f64::NEG_INFINITY],
            row_upper: vec![upper],
            var_lower: vec![f64::NEG_INFINITY; n],
            var_upper: vec![f64::INFINITY; n],
        };
        let factor = CscMatrix::from_triplets(n, factor_cols, factor).unwrap();
        let rows = [QuadraticRow {
            row: 0,
            side: QuadraticSide::Upper,
            factor,
        }];
        (qp, rows)
    }

    #[test]
    fn ball_row_becomes_a_rotated_cone_with_its_multiplier() {
        // x0 + x1² + 4x2² ≤ 3 as aᵀx + ‖Fᵀx‖², F = diag(·, 1, 2) on x1, x2.
        let (qp, rows) = one_upper_row(3, &[(0, 0, 1.0)], 3.0, &[(1, 0, 1.0), (2, 1, 2.0)], 2);
        validate(&qp, &rows).unwrap();
        let mut conic = ConicProblem::from_qp(&without_quadratic_rows(&qp, &rows));
        assert_eq!(conic.num_rows(), 0);
        append_cones(&mut conic, &qp, &rows);
        assert_eq!(conic.cones, vec![ConeSpec::SecondOrder(4)]);
        assert_eq!(conic.b, vec![2.0, -1.0, 0.0, 0.0]);
        // At x = (2, 0.6, 0.2): t = 3 − 2 = 1, s = b − Ax = (1, 0, 0.6, 0.4).
        let x = [2.0, 0.6, 0.2];
        let mut s = conic.b.clone();
        conic.a.gemv(-1.0, &x, &mut s);
        let expected = [1.0, 0.0, 0.6, 0.4];
        for (si, ei) in s.iter().zip(expected) {
            assert!((si - ei).abs() < 1e-15);
        }
        assert!((rows[0].value(&x) - 0.52).abs() < 1e-15);
        let duals = conic.original_duals(&[3.0, 1.0, -0.5, 0.5]);
        assert_eq!(duals.lambda, vec![1.0]);
    }

    #[test]
    fn row_of_full_rank_becomes_a_centred_cone_with_its_multiplier() {
        // x0² + 4x1² + 2x0 ≤ 3 is ‖(x0 + 1, 2x1)‖ ≤ 2: h = (1, 0), ρ² = 3 + 1.
        let (qp, rows) = one_upper_row(2, &[(0, 0, 2.0)], 3.0, &[(0, 0, 1.0), (1, 1, 2.0)], 2);
        let mut conic = ConicProblem::from_qp(&without_quadratic_rows(&qp, &rows));
        append_cones(&mut conic, &qp, &rows);
        assert_eq!(conic.cones, vec![ConeSpec::SecondOrder(3)]);
        assert_eq!(conic.b, vec![2.0, 1.0, 0.0]);
        // The linear part is not in A: only the factor's two entries are.
        assert_eq!(conic.a.nnz(), 2);
        // On the boundary at x = (1, 0): s = (2, 2, 0); the complementary
        // z = (2, −2, 0) gives Aᵀz = −F z₁.. = (2, 0) = μ∇g = μ(2x0 + 2, 8x1), μ = ½.
        let x = [1.0, 0.0];
        let mut s = conic.b.clone();
        conic.a.gemv(-1.0, &x, &mut s);
        assert_eq!(s, vec![2.0, 2.0, 0.0]);
        let z = [2.0, -2.0, 0.0];
        let mut atz = vec![0.0; 2];
        conic.a.gemv_t(1.0, &z, &mut atz);
        assert_eq!(atz, vec![2.0, 0.0]);
        assert_eq!(conic.original_duals(&z).lambda, vec![0.5]);
    }

    #[test]
    fn rows_with_both_sides_or_the_wrong_side_are_refused() {
        let qp = QpProblem {
            p: CscMatrix::zeros(1, 1),
            q: vec![0.0],
            c0: 0.0,
            a: CscMatrix::zeros(1, 1),
            row_lower: vec![0.0],
            row_upper: vec![1.0],
            var_lower: vec![0.0],
            var_upper: vec![1.0],
        };
        let rows = [QuadraticRow {
            row: 0,
            side: QuadraticSide::Upper,
            factor: CscMatrix::from_triplets(1, 1, &[(0, 0, 1.0)]).unwrap(),
        }];
        assert!(matches!(
            validate(&qp, &rows),
            Err(ProblemError::InvalidQuadraticRow { row: 0, .. })
        ));
    }
}
