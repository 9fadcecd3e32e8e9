//! Ruiz equilibration of the conic data.
//!
//! The method works on `P̂ = c D P D`, `q̂ = c D q`, `Â = E A D`, `b̂ = E b` with
//! positive diagonal `D`, `E` chosen so that the columns of the KKT matrix
//! `[[P, Aᵀ], [A, 0]]` have infinity norms near 1, and a cost scale `c`. Scaled
//! iterates map back as `x = D x̂`, `s = E⁻¹ ŝ`, `z = E ẑ / c`. Scaling makes the
//! KKT factorization and the termination tests far less sensitive to badly scaled
//! models (netlib has rows with entries spanning ten orders of magnitude).
//!
//! A second-order cone is not invariant under unequal scaling of its rows, so the
//! rows of each such block share one factor (the mean of their Ruiz factors).

use super::cones::ConeSpec;
use super::csc::CscMatrix;
use super::settings::Settings;

/// The diagonal scalings applied to the data.
#[derive(Clone, Debug)]
pub struct Equilibration {
    pub d: Vec<f64>,
    pub e: Vec<f64>,
    pub c: f64,
}

impl Equilibration {
    /// Scales `p`, `q`, `a`, `b` (whose rows form the blocks `cones`) in place and
    /// returns the scalings used.
    pub fn apply(
        p: &mut CscMatrix,
        q: &mut [f64],
        a: &mut CscMatrix,
        b: &mut [f64],
        cones: &[ConeSpec],
        settings: &Settings,
    ) -> Self {
        let (n, m) = (q.len(), b.len());
        let mut eq = Self {
            d: vec![1.0; n],
            e: vec![1.0; m],
            c: 1.0,
        };
        if !settings.equilibrate_enable {
            return eq;
        }
        let (lo, hi) = (
            settings.equilibrate_min_scaling,
            settings.equilibrate_max_scaling,
        );
        let mut col = vec![0.0; n];
        let mut row = vec![0.0; m];
        for _ in 0..settings.equilibrate_max_iter {
            col.fill(0.0);
            row.fill(0.0);
            p.sym_col_norms_max(&mut col);
            a.col_norms_max(&mut col);
            a.row_norms_max(&mut row);
            // Step factors, limited so that the accumulated scaling stays in [lo, hi].
            for (dj, cj) in eq.d.iter_mut().zip(col.iter_mut()) {
                let step = if *cj > 0.0 { 1.0 / cj.sqrt() } else { 1.0 };
                let new = (*dj * step).clamp(lo, hi);
                *cj = new / *dj;
                *dj = new;
            }
            for (ei, ri) in eq.e.iter_mut().zip(row.iter_mut()) {
                let step = if *ri > 0.0 { 1.0 / ri.sqrt() } else { 1.0 };
                let new = (*ei * step).clamp(lo, hi);
                *ri = new / *ei;
                *ei = new;
            }
            uniform_on_second_order_blocks(cones, &mut eq.e, &mut row);
            p.scale(&col, &col);
            a.scale(&row, &col);
        }
        // Cost scaling: bring the objective's largest terms near 1.
        col.fill(0.0);
        p.sym_col_norms_max(&mut col);
        let mean_p = if n > 0 {
            col.iter().sum::<f64>() / n as f64
        } else {
            0.0
        };
        let qmax = q
            .iter()
            .zip(&eq.d)
            .map(|(qj, dj)| (qj * dj).abs())
            .fold(0.0, f64::max);
        let scale = mean_p.max(qmax);
        eq.c = if scale > 0.0 {
            (1.0 / scale).clamp(lo, hi)
        } else {
            1.0
        };
        p.scale_all(eq.c);
        for (qj, dj) in q.iter_mut().zip(&eq.d) {
            *qj *= eq.c * dj;
        }
        for (bi, ei) in b.iter_mut().zip(&eq.e) {
            *bi *= ei;
        }
        eq
    }
}

/// Replaces the step factors `step` of each second-order block by their mean and
/// updates the accumulated factors `e` (uniform on the block before the step) to match.
fn uniform_on_second_order_blocks(cones: &[ConeSpec], e: &mut [f64], step: &mut [f64]) {
    let mut start = 0;
    for spec in cones {
        let dim = match *spec {
            ConeSpec::Zero(d) | ConeSpec::Nonnegative(d) => {
                start += d;
                continue;
            }
            ConeSpec::SecondOrder(d) => d,
        };
        let rows = start..start + dim;
        start += dim;
        let mean = step[rows.clone()].iter().sum::<f64>() / dim as f64;
        for i in rows {
            e[i] *= mean / step[i];
            step[i] = mean;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badly_scaled_rows_are_balanced() {
        let mut p = CscMatrix::zeros(2, 2);
        let mut a =
            CscMatrix::from_triplets(2, 2, &[(0, 0, 1e4), (0, 1, 2e4), (1, 0, 1e-3), (1, 1, 1.0)])
                .unwrap();
        let a0 = a.clone();
        let (mut q, mut b) = (vec![1.0, 1.0], vec![1.0, 2.0]);
        let eq = Equilibration::apply(
            &mut p,
            &mut q,
            &mut a,
            &mut b,
            &[ConeSpec::Nonnegative(2)],
            &Settings::default(),
        );
        let mut rows = vec![0.0; 2];
        a.row_norms_max(&mut rows);
        for r in rows {
            assert!(r > 0.3 && r < 3.0, "row norm {r}");
        }
        // Â = E A D entry by entry.
        for ((i, j, v), (_, _, v0)) in a.triplets().zip(a0.triplets()) {
            assert!((v - eq.e[i] * v0 * eq.d[j]).abs() <= 1e-12 * v.abs());
        }
        assert_eq!(b, vec![eq.e[0], 2.0 * eq.e[1]]);
    }
}
