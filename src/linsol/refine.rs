//! Iterative refinement of solves against the original matrix.

use super::LowerCsc;

/// Reusable buffers of [`refine`].
#[derive(Clone, Debug, Default)]
pub(crate) struct RefineWork {
    rhs: Vec<f64>,
    residual: Vec<f64>,
    product: Vec<f64>,
    correction: Vec<f64>,
}

/// Relative backward error below which refinement stops: a few units of roundoff.
const TARGET: f64 = 4.0 * f64::EPSILON;

/// Normwise relative residual `‖b − A x‖∞ / (‖A‖∞ ‖x‖∞ + ‖b‖∞)`.
fn relative_residual(residual: &[f64], x: &[f64], rhs: &[f64], norm_a: f64) -> f64 {
    let inf = |v: &[f64]| v.iter().fold(0.0_f64, |a, &b| a.max(b.abs()));
    let denom = norm_a * inf(x) + inf(rhs);
    if denom == 0.0 {
        0.0
    } else {
        inf(residual) / denom
    }
}

/// `residual = rhs − A x`, using `product` as scratch.
fn residual_of(
    pattern: &LowerCsc,
    values: &[f64],
    x: &[f64],
    rhs: &[f64],
    product: &mut [f64],
    residual: &mut [f64],
) {
    pattern.sym_matvec(values, x, product);
    for ((r, b), ax) in residual.iter_mut().zip(rhs).zip(product.iter()) {
        *r = b - ax;
    }
}

/// Solves `A x = b` in place in `x` (which holds `b` on entry) with `solve`
/// (an approximate inverse of `A`) and up to `max_steps` refinement steps
/// (at least one when `max_steps` > 0); stops when the residual no longer halves, undoing a step
/// that made it worse. Without steps the residual is not formed at all: the
/// interior-point method refines against its own perturbed matrix and sets no
/// steps here, so every solve would otherwise pay a product with `A` for nothing.
pub(crate) fn refine(
    pattern: &LowerCsc,
    values: &[f64],
    norm_a: f64,
    x: &mut [f64],
    max_steps: usize,
    work: &mut RefineWork,
    mut solve: impl FnMut(&mut [f64]),
) {
    if max_steps == 0 {
        solve(x);
        return;
    }
    let RefineWork {
        rhs,
        residual,
        product,
        correction,
    } = work;
    let n = x.len();
    rhs.clear();
    rhs.extend_from_slice(x);
    residual.resize(n, 0.0);
    product.resize(n, 0.0);
    correction.resize(n, 0.0);
    solve(x);
    residual_of(pattern, values, x, rhs, product, residual);
    let mut omega = relative_residual(residual, x, rhs, norm_a);
    // One step even at a small backward error: on an ill-conditioned matrix
    // the residual relative to `b` alone can still be large, and one step
    // usually removes most of it.
    for step in 0..max_steps {
        if omega <= TARGET && step > 0 {
            break;
        }
        correction.copy_from_slice(residual);
        solve(correction);
        for (xi, di) in x.iter_mut().zip(correction.iter()) {
            *xi += di;
        }
        residual_of(pattern, values, x, rhs, product, residual);
        let next = relative_residual(residual, x, rhs, norm_a);
        if next > omega {
            for (xi, di) in x.iter_mut().zip(correction.iter()) {
                *xi -= di;
            }
            break;
        }
        let stalled = next > 0.5 * omega;
        omega = next;
        if stalled {
            break;
        }
    }
}
