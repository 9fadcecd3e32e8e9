//! Ipopt's scaling of stationarity and complementarity by the size of the multipliers,
//! by which a polished point is judged as the optimality certificate judges it.
//!
//! Ipopt's overall error divides the stationarity residual by
//! `s_d = max(s_max, mean |multiplier|)/s_max` and the complementarity products by
//! `s_c = max(s_max, mean bound multiplier)/s_max`: on a model whose multipliers are
//! large (Maros–Meszaros CVXQP1_L, mean `|λ|` about 1e5, objective 1e8) round-off
//! in `Px + Aᵀλ + q` alone exceeds an absolute `1e-8`, which no Newton polish can
//! meet, while the certificate, checking the same point, verifies it.

use super::conic::OriginalDuals;
use super::problem::{QpProblem, is_finite_bound};
use crate::outcome::multiplier_scale;

/// Ipopt's `s_max`.
const S_MAX: f64 = 100.0;

/// Ipopt's `s_d` and `s_c` at the multipliers of a point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MultiplierScales {
    pub dual: f64,
    pub complementarity: f64,
}

impl MultiplierScales {
    /// The scales of `d` on `problem`, counted as Ipopt counts them: every row's
    /// multiplier, and the multiplier of each finite side of an inequality row (its
    /// slack's bound) and of a variable that is not fixed.
    pub fn of(problem: &QpProblem, d: &OriginalDuals) -> Self {
        let sum_lambda: f64 = d.lambda.iter().map(|l| l.abs()).sum();
        let (mut sum_z, mut count_z) = (0.0, 0usize);
        let mut add = |bound: f64, z: f64| {
            if is_finite_bound(bound) {
                sum_z += z.abs();
                count_z += 1;
            }
        };
        for (i, &l) in d.lambda.iter().enumerate() {
            let (lo, up) = (problem.row_lower[i], problem.row_upper[i]);
            if lo != up {
                add(lo, (-l).max(0.0));
                add(up, l.max(0.0));
            }
        }
        for j in 0..problem.num_vars() {
            let (lo, up) = (problem.var_lower[j], problem.var_upper[j]);
            if lo != up {
                add(lo, d.z_lower[j]);
                add(up, d.z_upper[j]);
            }
        }
        Self {
            dual: multiplier_scale(S_MAX, sum_lambda + sum_z, d.lambda.len() + count_z),
            complementarity: multiplier_scale(S_MAX, sum_z, count_z),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convex::CscMatrix;

    /// Two variables (`0 ≤ x₀ ≤ 10`, `x₁` fixed at 1) and two rows (an equality and
    /// `row ≤ 5`): the scales count every row multiplier, the finite side of the
    /// inequality and the finite bounds of the free variable, never the fixed one's.
    #[test]
    fn counts_multipliers_as_ipopt() {
        let inf = f64::INFINITY;
        let a = [(0, 0, 1.0), (0, 1, 1.0), (1, 0, 1.0)];
        let problem = QpProblem {
            p: CscMatrix::zeros(2, 2),
            q: vec![1.0, 1.0],
            c0: 0.0,
            a: CscMatrix::from_triplets(2, 2, &a).unwrap(),
            row_lower: vec![1.0, -inf],
            row_upper: vec![1.0, 5.0],
            var_lower: vec![0.0, 1.0],
            var_upper: vec![10.0, 1.0],
        };
        let duals = OriginalDuals {
            lambda: vec![-3000.0, 5000.0],
            z_lower: vec![4000.0, 1e9],
            z_upper: vec![0.0, 1e9],
        };
        // Σ|λ| = 8000; bound multipliers 5000 (row 1's upper side), 4000 and 0 (x₀).
        let scales = MultiplierScales::of(&problem, &duals);
        assert_eq!(scales.dual, (8000.0 + 9000.0) / 5.0 / S_MAX);
        assert_eq!(scales.complementarity, 9000.0 / 3.0 / S_MAX);

        // Multipliers below s_max on average leave both scales at 1.
        let small = OriginalDuals {
            lambda: vec![1.0, 2.0],
            z_lower: vec![3.0, 0.0],
            z_upper: vec![0.0, 0.0],
        };
        let scales = MultiplierScales::of(&problem, &small);
        assert_eq!((scales.dual, scales.complementarity), (1.0, 1.0));
    }
}
