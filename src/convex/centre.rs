//! Completing the square of a quadratic row: `‖Fᵀx‖² + āᵀx = ‖Fᵀx + h‖² − ‖h‖²`
//! when `ā = 2Fh` lies in the range of the factor `F`.
//!
//! The row `‖Fᵀx‖² + āᵀx ≤ ū` then reads `‖Fᵀx + h‖ ≤ ρ` with `ρ² = ū + ‖h‖²`: a
//! second-order cone whose height is the constant `ρ`, so the linear part `ā` no
//! longer fills the cone's first two rows (the rotated form of [`super::qcqp`]
//! carries it twice, and those rows are dense in the KKT matrix when `ā` is).
//!
//! [`super::psd_factor`] builds each column of `F` with a pivot variable that no
//! later column touches (a permuted triangular factor, possibly with fewer columns
//! than rows), so `Fh = ā/2` is solved by forward substitution, the pivot of
//! column `k` being found as an entry of `k` whose row appears in no later column.
//! The substitution is exact on the pivot rows; what remains on the other rows
//! (the part of `ā` outside the range, or a wrong pivot choice) is measured, and the
//! row keeps the rotated form unless it is at round-off level.

use super::csc::CscMatrix;

/// Largest remainder `‖ā/2 − Fh‖∞`, relative to `‖ā/2‖∞`, accepted as round-off.
const RANGE_TOLERANCE: f64 = 1e-12;

/// Smallest `ρ²` relative to `‖h‖²`: below, `ū + ‖h‖²` would have lost most of its
/// digits to cancellation, and the feasible set is a point or empty.
const MIN_RELATIVE_RADIUS_SQ: f64 = 1e-6;

/// Per-variable workspaces, kept across the rows of one model so that a row costs
/// the size of its own data, not `n`. Both are restored after each row.
pub struct Centring {
    /// Remainder `ā/2 − Fh` (zero outside the current row's support).
    remainder: Vec<f64>,
    /// Last column of `F` that has an entry in each variable's row.
    last_column: Vec<usize>,
}

/// The constant part of a centred cone: `h` (one entry per column of `F`) and `ρ`.
pub struct Centre {
    pub h: Vec<f64>,
    pub radius: f64,
}

impl Centring {
    pub fn new(n: usize) -> Self {
        Self {
            remainder: vec![0.0; n],
            last_column: vec![usize::MAX; n],
        }
    }

    /// The centre of `‖Fᵀx‖² + āᵀx ≤ ū` (`linear` the entries of `ā`, each variable
    /// once), or `None` when `ā` is not in the range of `F` to round-off or `ρ²`
    /// is not clearly positive.
    pub fn centre(
        &mut self,
        factor: &CscMatrix,
        linear: &[(usize, f64)],
        upper: f64,
    ) -> Option<Centre> {
        for (k, col) in (0..factor.ncols()).map(|k| (k, factor.column(k))) {
            col.for_each(|(i, _)| self.last_column[i] = k);
        }
        let scale = linear
            .iter()
            .fold(0.0f64, |s, &(_, v)| s.max(0.5 * v.abs()));
        for &(j, v) in linear {
            self.remainder[j] = 0.5 * v;
        }
        let mut h = vec![0.0; factor.ncols()];
        let mut triangular = true;
        for (k, hk) in h.iter_mut().enumerate() {
            let pivot = factor
                .column(k)
                .filter(|&(i, _)| self.last_column[i] == k)
                .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
            let Some((p, fpk)) = pivot.filter(|&(_, v)| v != 0.0) else {
                triangular = false;
                break;
            };
            *hk = self.remainder[p] / fpk;
            for (i, v) in factor.column(k) {
                self.remainder[i] -= *hk * v;
            }
            // Exactly what the pivot row's equation leaves.
            self.remainder[p] = 0.0;
        }
        let support = || factor.row_idx().iter().chain(linear.iter().map(|(j, _)| j));
        let left = support().fold(0.0f64, |m, &i| m.max(self.remainder[i].abs()));
        for &i in support() {
            self.remainder[i] = 0.0;
            self.last_column[i] = usize::MAX;
        }
        if !triangular || left > RANGE_TOLERANCE * scale {
            return None;
        }
        let h_sq: f64 = h.iter().map(|v| v * v).sum();
        let radius_sq = upper + h_sq;
        (radius_sq > 0.0 && radius_sq >= MIN_RELATIVE_RADIUS_SQ * h_sq).then(|| Centre {
            h,
            radius: radius_sq.sqrt(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_part_in_the_range_is_absorbed_exactly() {
        // F = [[2, 0], [1, 3], [0, 0]] on (x0, x1, x2) with pivots x0 then x1
        // (columns ordered so that no later column touches an earlier pivot).
        let factor =
            CscMatrix::from_triplets(3, 2, &[(0, 0, 2.0), (1, 0, 1.0), (1, 1, 3.0)]).unwrap();
        // ā = 2F(1, −1) = (4, −4).
        let mut centring = Centring::new(3);
        let centre = centring
            .centre(&factor, &[(0, 4.0), (1, -4.0)], 7.0)
            .expect("ā is in the range of F");
        assert_eq!(centre.h, vec![1.0, -1.0]);
        assert_eq!(centre.radius, 3.0);
        // ‖Fᵀx + h‖² − ρ² = ‖Fᵀx‖² + āᵀx − ū at x = (0.5, 2, 9).
        let x = [0.5, 2.0, 9.0];
        let ftx: [f64; 2] = [2.0 * x[0] + x[1], 3.0 * x[1]];
        let centred = (ftx[0] + 1.0).powi(2) + (ftx[1] - 1.0).powi(2) - 9.0;
        let original = ftx[0].powi(2) + ftx[1].powi(2) + 4.0 * x[0] - 4.0 * x[1] - 7.0;
        assert!((centred - original).abs() < 1e-12);
        // The workspaces are restored: the next row starts clean.
        assert!(centring.remainder.iter().all(|&r| r == 0.0));
        assert!(centring.last_column.iter().all(|&c| c == usize::MAX));
    }

    #[test]
    fn linear_part_outside_the_range_or_an_empty_ball_keeps_the_rotated_form() {
        let factor = CscMatrix::from_triplets(3, 1, &[(0, 0, 1.0)]).unwrap();
        let mut centring = Centring::new(3);
        // x2 has no quadratic term.
        assert!(
            centring
                .centre(&factor, &[(0, 1.0), (2, 1.0)], 1.0)
                .is_none()
        );
        // x0² + 2x0 ≤ −1 is the single point x0 = −1: ρ² = 0.
        assert!(centring.centre(&factor, &[(0, 2.0)], -1.0).is_none());
        // Without a linear part the centre is 0 and ρ = √ū.
        let centre = centring.centre(&factor, &[], 4.0).unwrap();
        assert_eq!((centre.h, centre.radius), (vec![0.0], 2.0));
    }
}
