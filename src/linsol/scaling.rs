//! Symmetric equilibration `D A D` (Ruiz's iteration): every row and column of
//! the scaled matrix gets largest entry close to 1, which makes the pivot
//! threshold and the zero-pivot tolerance act on comparable numbers. Scaling
//! by a positive diagonal does not change the inertia.

use super::LowerCsc;

/// Number of Ruiz sweeps; each halves the log-distance of the row norms from 1.
const SWEEPS: usize = 8;

/// Computes scaling factors `d` (overwritten) for the symmetric matrix; rows
/// that are entirely zero keep the factor 1. `row_max` is scratch.
pub(crate) fn equilibrate(
    pattern: &LowerCsc,
    values: &[f64],
    d: &mut Vec<f64>,
    row_max: &mut Vec<f64>,
) {
    let n = pattern.dim;
    d.clear();
    d.resize(n, 1.0);
    row_max.resize(n, 0.0);
    for _ in 0..SWEEPS {
        row_max.fill(0.0);
        for j in 0..n {
            for (i, v) in pattern.column_entries(values, j) {
                let a = (d[i] * v * d[j]).abs();
                row_max[i] = row_max[i].max(a);
                row_max[j] = row_max[j].max(a);
            }
        }
        let mut converged = true;
        for (di, &r) in d.iter_mut().zip(row_max.iter()) {
            if r > 0.0 {
                *di /= r.sqrt();
                converged &= (r - 1.0).abs() <= 0.1;
            }
        }
        if converged {
            break;
        }
    }
}
