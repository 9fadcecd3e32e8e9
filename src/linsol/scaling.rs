//! Symmetric equilibration `D A D` (Ruiz's iteration): every row and column of
//! the scaled matrix gets largest entry close to 1, which makes the pivot
//! threshold and the zero-pivot tolerance act on comparable numbers. Scaling
//! by a positive diagonal does not change the inertia.

use super::LowerCsc;

/// Maximum number of Ruiz sweeps; each halves the log-distance of the row
/// maxima from 1.
const SWEEPS: usize = 8;

/// Buffers of the equilibration, reused across factorizations. The sweeps are
/// the hottest loop of a factorization of a very sparse matrix: they run
/// column by column, keeping the column's own maximum in a register, and take
/// the magnitudes from the values as they go (a copy of them costs more than
/// the `abs`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Equilibration {
    row_max: Vec<f64>,
    row_sum: Vec<f64>,
    /// The scaling factors `D`, in the original order.
    pub d: Vec<f64>,
}

#[inline]
fn max(a: f64, b: f64) -> f64 {
    // Values are finite (checked before factoring): no NaN handling needed.
    if b > a { b } else { a }
}

impl Equilibration {
    /// Computes `D` for the values (rows that are entirely zero keep the
    /// factor 1) and returns `‖A‖∞` of the unscaled matrix. Runs compiled for
    /// the widest SIMD instruction set available (see `Multifrontal::factor`).
    pub fn compute(&mut self, pattern: &LowerCsc, values: &[f64]) -> f64 {
        pulp::Arch::new().dispatch(
            // The closure takes `self` by value, which makes it `FnOnce`: its
            // body is then the `call_once` that pulp inlines into the function
            // compiled for the instruction set. A closure that only borrows is
            // called through a `call_once` shim, which is not inlined, and the
            // sweeps would run without the wider instructions.
            #[inline(always)]
            move || {
                let this = self;
                this.sweeps(pattern, values)
            },
        )
    }

    #[inline(always)]
    fn sweeps(&mut self, pattern: &LowerCsc, values: &[f64]) -> f64 {
        let n = pattern.dim;
        let rows = &pattern.row_idx;
        let (row_max, row_sum) = (&mut self.row_max, &mut self.row_sum);
        row_max.clear();
        row_max.resize(n, 0.0);
        row_sum.clear();
        row_sum.resize(n, 0.0);
        for j in 0..n {
            let (mut m, mut sum) = (0.0_f64, 0.0_f64);
            for e in pattern.column(j) {
                let (i, a) = (rows[e], values[e].abs());
                m = max(m, a);
                sum += a;
                if i != j {
                    row_max[i] = max(row_max[i], a);
                    row_sum[i] += a;
                }
            }
            row_max[j] = max(row_max[j], m);
            row_sum[j] += sum;
        }
        let norm = row_sum.iter().fold(0.0_f64, |a, &b| max(a, b));
        let d = &mut self.d;
        d.clear();
        d.resize(n, 1.0);
        for sweep in 0..SWEEPS {
            let mut converged = true;
            // Branch-free, so that the square roots and divisions run in
            // vector registers: a zero row divides by 1.
            for (di, &r) in d.iter_mut().zip(row_max.iter()) {
                let nonzero = r > 0.0;
                let root = r.sqrt();
                *di /= if nonzero { root } else { 1.0 };
                converged &= !nonzero | ((r - 1.0).abs() <= 0.1);
            }
            if converged || sweep + 1 == SWEEPS {
                break;
            }
            row_max.fill(0.0);
            for j in 0..n {
                let (dj, mut m) = (d[j], 0.0_f64);
                for e in pattern.column(j) {
                    let i = rows[e];
                    let s = values[e].abs() * d[i] * dj;
                    m = max(m, s);
                    if i != j {
                        row_max[i] = max(row_max[i], s);
                    }
                }
                row_max[j] = max(row_max[j], m);
            }
        }
        norm
    }

    /// Writes the values of `D A D` to `scaled`, in the order of `pattern`.
    pub fn apply(&self, pattern: &LowerCsc, values: &[f64], scaled: &mut Vec<f64>) {
        let d = &self.d;
        scaled.clear();
        for j in 0..pattern.dim {
            let dj = d[j];
            scaled.extend(
                pattern
                    .column(j)
                    .map(|e| d[pattern.row_idx[e]] * values[e] * dj),
            );
        }
    }
}
