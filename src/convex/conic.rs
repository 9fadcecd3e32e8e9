//! The conic form the interior-point method solves,
//!
//! ```text
//! minimize ½ xᵀPx + qᵀx   subject to  Ax + s = b,  s ∈ K = {0}^{m_z} × R₊^{m_+},
//! ```
//!
//! built from a [`QpProblem`]: each equality row and fixed variable becomes a
//! zero-cone row, each finite side of an inequality row or variable bound becomes
//! a nonnegative-cone row (`aᵢᵀx + s = uᵢ` for an upper side, `−aᵢᵀx + s = −lᵢ` for
//! a lower side). The origin of every conic row is kept so that the conic duals
//! map back to one multiplier per original row and per variable bound.

use super::cones::ConeSpec;
use super::csc::CscMatrix;
use super::problem::{QpProblem, is_finite_bound};

/// Where a conic row comes from, with the sign it carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowOrigin {
    /// `aᵢᵀx = lᵢ = uᵢ` (zero cone).
    RowEquality(usize),
    /// `aᵢᵀx ≤ uᵢ`.
    RowUpper(usize),
    /// `−aᵢᵀx ≤ −lᵢ`.
    RowLower(usize),
    /// `x_j = lx_j = ux_j` (zero cone).
    VarFixed(usize),
    /// `x_j ≤ ux_j`.
    VarUpper(usize),
    /// `−x_j ≤ −lx_j`.
    VarLower(usize),
    /// A row of the second-order cone of quadratic row `i` (see [`super::qcqp`]).
    Quadratic(usize),
}

/// The second-order cone block of a quadratic row: its first conic row, the sign
/// of the row's side (`+1` upper, `−1` lower) and its form; the row's multiplier
/// in Ipopt's convention is `sign · μ` with `μ` from [`Self::multiplier`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuadraticBlock {
    pub row: usize,
    pub start: usize,
    pub sign: f64,
    pub form: ConeForm,
}

/// How a quadratic row `‖Fᵀx‖² + āᵀx ≤ ū` sits in its cone (see [`super::qcqp`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ConeForm {
    /// `((1 + t)/2, (1 − t)/2, Fᵀx)` with `t = ū − āᵀx`: `μ = (z₀ − z₁)/2`.
    Rotated,
    /// `(ρ, Fᵀx + h)` with `2Fh = ā` ([`super::centre`]): `μ = z₀/(2ρ)`.
    Centred { radius: f64 },
}

impl QuadraticBlock {
    /// `μ ≥ 0`, the multiplier of `‖Fᵀx‖² + āᵀx ≤ ū` at a complementary pair.
    pub fn multiplier(&self, z: &[f64]) -> f64 {
        match self.form {
            ConeForm::Rotated => 0.5 * (z[self.start] - z[self.start + 1]),
            ConeForm::Centred { radius } => 0.5 * z[self.start] / radius,
        }
    }

    /// The first conic row of `Fᵀx`.
    pub fn factor_start(&self) -> usize {
        match self.form {
            ConeForm::Rotated => self.start + 2,
            ConeForm::Centred { .. } => self.start + 1,
        }
    }
}

/// Conic problem data plus the map back to the original rows and bounds.
#[derive(Clone, Debug)]
pub struct ConicProblem {
    /// Upper triangle of `P`, `n × n`.
    pub p: CscMatrix,
    pub q: Vec<f64>,
    pub a: CscMatrix,
    pub b: Vec<f64>,
    /// Cone blocks in row order: zero cone first, then the nonnegative cone.
    pub cones: Vec<ConeSpec>,
    /// Origin of each conic row.
    pub origin: Vec<RowOrigin>,
    /// Number of original constraint rows.
    pub num_original_rows: usize,
    /// Second-order cone blocks of quadratic rows.
    pub quadratic: Vec<QuadraticBlock>,
}

/// Multipliers in the original problem's terms, in Ipopt's sign convention:
/// `Px + q + Aᵀλ − z_lower + z_upper = 0`.
#[derive(Clone, Debug, PartialEq)]
pub struct OriginalDuals {
    pub lambda: Vec<f64>,
    pub z_lower: Vec<f64>,
    pub z_upper: Vec<f64>,
}

impl ConicProblem {
    /// Builds the conic form of a validated, bound-consistent QP.
    pub fn from_qp(qp: &QpProblem) -> Self {
        let n = qp.num_vars();
        let m = qp.num_rows();
        let mut origin = Vec::new();
        let mut rhs = Vec::new();
        for i in 0..m {
            let (l, u) = (qp.row_lower[i], qp.row_upper[i]);
            if l == u {
                origin.push(RowOrigin::RowEquality(i));
                rhs.push(u);
            }
        }
        for j in 0..n {
            let (l, u) = (qp.var_lower[j], qp.var_upper[j]);
            if l == u {
                origin.push(RowOrigin::VarFixed(j));
                rhs.push(u);
            }
        }
        let num_zero = origin.len();
        for i in 0..m {
            let (l, u) = (qp.row_lower[i], qp.row_upper[i]);
            if l != u {
                if is_finite_bound(u) {
                    origin.push(RowOrigin::RowUpper(i));
                    rhs.push(u);
                }
                if is_finite_bound(l) {
                    origin.push(RowOrigin::RowLower(i));
                    rhs.push(-l);
                }
            }
        }
        for j in 0..n {
            let (l, u) = (qp.var_lower[j], qp.var_upper[j]);
            if l != u {
                if is_finite_bound(u) {
                    origin.push(RowOrigin::VarUpper(j));
                    rhs.push(u);
                }
                if is_finite_bound(l) {
                    origin.push(RowOrigin::VarLower(j));
                    rhs.push(-l);
                }
            }
        }
        // Row i of the original A is column i of its transpose.
        let rows = qp.a.transpose();
        let mut triplets = Vec::new();
        for (r, o) in origin.iter().enumerate() {
            match *o {
                RowOrigin::RowEquality(i) | RowOrigin::RowUpper(i) => {
                    triplets.extend(rows.column(i).map(|(j, v)| (r, j, v)));
                }
                RowOrigin::RowLower(i) => {
                    triplets.extend(rows.column(i).map(|(j, v)| (r, j, -v)));
                }
                RowOrigin::VarFixed(j) | RowOrigin::VarUpper(j) => triplets.push((r, j, 1.0)),
                RowOrigin::VarLower(j) => triplets.push((r, j, -1.0)),
                RowOrigin::Quadratic(_) => unreachable!("a QP has no quadratic rows"),
            }
        }
        let a = CscMatrix::from_triplets(origin.len(), n, &triplets)
            .expect("rows built from a valid matrix are valid");
        let p_upper = if qp.p.triplets().any(|(i, j, _)| i > j) {
            qp.p.transpose()
        } else {
            qp.p.clone()
        };
        let mut cones = Vec::new();
        if num_zero > 0 {
            cones.push(ConeSpec::Zero(num_zero));
        }
        if origin.len() > num_zero {
            cones.push(ConeSpec::Nonnegative(origin.len() - num_zero));
        }
        Self {
            p: p_upper,
            q: qp.q.clone(),
            a,
            b: rhs,
            cones,
            origin,
            num_original_rows: m,
            quadratic: Vec::new(),
        }
    }

    pub fn num_vars(&self) -> usize {
        self.q.len()
    }

    pub fn num_rows(&self) -> usize {
        self.b.len()
    }

    /// Maps conic duals `z` (with `Px + q + Aᵀz = 0`) to one multiplier per
    /// original row and per variable bound. A fixed variable's multiplier goes to
    /// `z_upper` when positive and `z_lower` when negative.
    pub fn original_duals(&self, z: &[f64]) -> OriginalDuals {
        let n = self.num_vars();
        let mut d = OriginalDuals {
            lambda: vec![0.0; self.num_original_rows],
            z_lower: vec![0.0; n],
            z_upper: vec![0.0; n],
        };
        for (&o, &zr) in self.origin.iter().zip(z) {
            match o {
                RowOrigin::RowEquality(i) | RowOrigin::RowUpper(i) => d.lambda[i] += zr,
                RowOrigin::RowLower(i) => d.lambda[i] -= zr,
                RowOrigin::VarFixed(j) if zr >= 0.0 => d.z_upper[j] += zr,
                RowOrigin::VarFixed(j) => d.z_lower[j] -= zr,
                RowOrigin::VarUpper(j) => d.z_upper[j] += zr,
                RowOrigin::VarLower(j) => d.z_lower[j] += zr,
                RowOrigin::Quadratic(_) => {}
            }
        }
        for block in &self.quadratic {
            d.lambda[block.row] += block.sign * block.multiplier(z);
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_bounds_become_cone_rows() {
        // rows: x0 + x1 = 1, -1 ≤ x0 - x1 ≤ 2, x1 ≥ 0 (row); bounds: 0 ≤ x0, x1 ≤ 3
        let a = CscMatrix::from_triplets(
            3,
            2,
            &[
                (0, 0, 1.0),
                (0, 1, 1.0),
                (1, 0, 1.0),
                (1, 1, -1.0),
                (2, 1, 1.0),
            ],
        )
        .unwrap();
        let qp = QpProblem {
            p: CscMatrix::zeros(2, 2),
            q: vec![1.0, 1.0],
            c0: 0.0,
            a,
            row_lower: vec![1.0, -1.0, 0.0],
            row_upper: vec![1.0, 2.0, f64::INFINITY],
            var_lower: vec![0.0, f64::NEG_INFINITY],
            var_upper: vec![1e20, 3.0],
        };
        let c = ConicProblem::from_qp(&qp);
        assert_eq!(
            c.origin,
            vec![
                RowOrigin::RowEquality(0),
                RowOrigin::RowUpper(1),
                RowOrigin::RowLower(1),
                RowOrigin::RowLower(2),
                RowOrigin::VarLower(0),
                RowOrigin::VarUpper(1),
            ]
        );
        assert_eq!(c.b, vec![1.0, 2.0, 1.0, -0.0, -0.0, 3.0]);
        assert_eq!(c.cones, vec![ConeSpec::Zero(1), ConeSpec::Nonnegative(5)]);
        let d = c.original_duals(&[0.5, 1.0, 3.0, 2.0, 4.0, 5.0]);
        assert_eq!(d.lambda, vec![0.5, -2.0, -2.0]);
        assert_eq!(d.z_lower, vec![4.0, 0.0]);
        assert_eq!(d.z_upper, vec![0.0, 5.0]);
    }
}
