//! Derivative checker: compares [`Derivatives`] with forward finite differences, as
//! Ipopt's `derivative_test` option does.
//!
//! First order: for every variable j, `x_j` is moved by
//! `h = perturbation · max(1, |x_j|)` and `(f(x + h e_j) − f(x)) / h`,
//! `(c(x + h e_j) − c(x)) / h` are compared with the gradient and with column j of the
//! Jacobian. Second order: the same differences of the gradient and of the Jacobian
//! rows are compared with the Hessian of the objective and of every constraint
//! (each obtained from the Lagrangian Hessian with one unit multiplier). The relative
//! error of an entry is `|approx − exact| / max(1, |approx|)`; entries above the
//! tolerance are reported, worst first.

use super::{Derivatives, EvalError};
use crate::nl::model::Model;
use crate::options::Options;
use std::collections::HashMap;
use std::fmt;
use std::io::Write;

/// Settings of the check (Ipopt's option names in parentheses).
#[derive(Clone, Copy, Debug)]
pub struct CheckOptions {
    /// Relative perturbation of a variable (`derivative_test_perturbation`).
    pub perturbation: f64,
    /// Relative error above which an entry is reported (`derivative_test_tol`).
    pub tol: f64,
    /// Also check second derivatives (`derivative_test second-order`).
    pub second_order: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            perturbation: 1e-8,
            tol: 1e-4,
            second_order: false,
        }
    }
}

/// Which derivative an entry belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    Gradient(usize),
    Jacobian(usize, usize),
    /// Objective Hessian entry (row ≥ column).
    ObjectiveHessian(usize, usize),
    /// Hessian entry (row ≥ column) of a constraint.
    ConstraintHessian {
        constraint: usize,
        row: usize,
        col: usize,
    },
}

/// One compared entry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Compared {
    pub entry: Entry,
    pub exact: f64,
    pub approx: f64,
    pub rel_error: f64,
}

/// Outcome of a check.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Number of entries compared.
    pub checked: usize,
    /// Entries whose relative error exceeds the tolerance, worst first.
    pub suspicious: Vec<Compared>,
    /// The entry with the largest relative error.
    pub worst: Option<Compared>,
}

impl Report {
    fn compare(&mut self, entry: Entry, exact: f64, approx: f64, tol: f64) {
        let rel_error = (approx - exact).abs() / approx.abs().max(1.0);
        let c = Compared {
            entry,
            exact,
            approx,
            rel_error,
        };
        self.checked += 1;
        // NaN errors count as worst.
        let worse = self
            .worst
            .is_none_or(|w| rel_error > w.rel_error || rel_error.is_nan());
        if worse {
            self.worst = Some(c);
        }
        if rel_error > tol || rel_error.is_nan() {
            self.suspicious.push(c);
        }
    }

    fn finish(&mut self) {
        self.suspicious
            .sort_by(|a, b| b.rel_error.total_cmp(&a.rel_error));
    }
}

impl fmt::Display for Compared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.entry {
            Entry::Gradient(j) => format!("grad_f[{j:>10}]"),
            Entry::Jacobian(i, j) => format!("jac_g [{i:>5},{j:>5}]"),
            Entry::ObjectiveHessian(r, c) => format!("obj_hess[{r:>5},{c:>5}]"),
            Entry::ConstraintHessian {
                constraint,
                row,
                col,
            } => {
                format!("{constraint:>5}-th constr_hess[{row:>5},{col:>5}]")
            }
        };
        write!(
            f,
            "* {name} = {:>23.16e} ~ {:>23.16e}  [{:>10.3e}]",
            self.exact, self.approx, self.rel_error
        )
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.suspicious {
            writeln!(f, "{c}")?;
        }
        if self.suspicious.is_empty() {
            writeln!(
                f,
                "No errors detected by derivative checker ({} entries compared).",
                self.checked
            )
        } else {
            writeln!(
                f,
                "Derivative checker detected {} error(s) in {} entries.",
                self.suspicious.len(),
                self.checked
            )
        }
    }
}

/// What Ipopt's `derivative_test` option asks for (`first-order`, `second-order`,
/// `only-second-order`; nothing for `none`), with `derivative_test_perturbation` and
/// `derivative_test_tol`: checks the derivatives of `model` at `x` and writes the
/// suspicious entries, worst first, to `journal`.
pub fn derivative_test(
    model: &Model,
    x: &[f64],
    options: &Options,
    journal: &mut dyn Write,
) -> std::io::Result<()> {
    let mode = options.string("derivative_test");
    if mode == "none" {
        return Ok(());
    }
    let opts = CheckOptions {
        perturbation: options.real("derivative_test_perturbation"),
        tol: options.real("derivative_test_tol"),
        second_order: mode != "first-order",
    };
    let order = if opts.second_order {
        "first and second"
    } else {
        "first"
    };
    writeln!(
        journal,
        "Starting derivative checker for {order} derivatives.\n"
    )?;
    let report = Derivatives::new(model)
        .map_err(|e| e.to_string())
        .and_then(|mut d| check(&mut d, x, &opts).map_err(|e| e.to_string()));
    match report {
        Ok(report) => write!(journal, "{report}"),
        Err(e) => writeln!(
            journal,
            "Derivative checker could not evaluate the model: {e}"
        ),
    }
}

/// Checks the derivatives of `d` at `x`.
pub fn check(d: &mut Derivatives<'_>, x: &[f64], opts: &CheckOptions) -> Result<Report, EvalError> {
    let (n, m) = (d.n_var(), d.n_con());
    let (jrows, jcols) = d.jacobian_structure();
    let (jrows, jcols): (Vec<u32>, Vec<u32>) = (jrows.to_vec(), jcols.to_vec());
    let f0 = d.objective(x)?;
    let mut c0 = vec![0.0; m];
    d.constraints(x, &mut c0)?;
    let mut g0 = vec![0.0; n];
    d.gradient(x, &mut g0)?;
    let mut j0 = vec![0.0; jrows.len()];
    d.jacobian_values(x, &mut j0)?;
    let second = opts
        .second_order
        .then(|| exact_hessians(d, x))
        .transpose()?;

    let mut report = Report::default();
    let mut xp = x.to_vec();
    let (mut c1, mut g1, mut j1) = (vec![0.0; m], vec![0.0; n], vec![0.0; jrows.len()]);
    let mut jac_col = vec![0.0; m];
    for j in 0..n {
        let h = opts.perturbation * x[j].abs().max(1.0);
        xp[j] = x[j] + h;
        let f1 = d.objective(&xp)?;
        d.constraints(&xp, &mut c1)?;
        report.compare(Entry::Gradient(j), g0[j], (f1 - f0) / h, opts.tol);
        jac_col.fill(0.0);
        for k in (0..jcols.len()).filter(|&k| jcols[k] as usize == j) {
            jac_col[jrows[k] as usize] += j0[k];
        }
        for i in 0..m {
            let approx = (c1[i] - c0[i]) / h;
            if jac_col[i] != 0.0 || approx != 0.0 {
                report.compare(Entry::Jacobian(i, j), jac_col[i], approx, opts.tol);
            }
        }
        if let Some(hs) = &second {
            d.gradient(&xp, &mut g1)?;
            d.jacobian_values(&xp, &mut j1)?;
            for r in j..n {
                let exact = hs.objective.get(&(r, j)).copied().unwrap_or(0.0);
                let approx = (g1[r] - g0[r]) / h;
                if exact != 0.0 || approx != 0.0 {
                    report.compare(Entry::ObjectiveHessian(r, j), exact, approx, opts.tol);
                }
            }
            for k in 0..jcols.len() {
                let (i, r) = (jrows[k] as usize, jcols[k] as usize);
                if r < j {
                    continue;
                }
                let exact = hs.constraints[i].get(&(r, j)).copied().unwrap_or(0.0);
                let approx = (j1[k] - j0[k]) / h;
                if exact != 0.0 || approx != 0.0 {
                    report.compare(
                        Entry::ConstraintHessian {
                            constraint: i,
                            row: r,
                            col: j,
                        },
                        exact,
                        approx,
                        opts.tol,
                    );
                }
            }
        }
        xp[j] = x[j];
    }
    report.finish();
    Ok(report)
}

/// Hessians of the objective and of each constraint, as maps (row, col) → value.
struct Hessians {
    objective: HashMap<(usize, usize), f64>,
    constraints: Vec<HashMap<(usize, usize), f64>>,
}

fn exact_hessians(d: &mut Derivatives<'_>, x: &[f64]) -> Result<Hessians, EvalError> {
    let m = d.n_con();
    let (hr, hc) = d.hessian_structure();
    let (hr, hc) = (hr.to_vec(), hc.to_vec());
    let mut vals = vec![0.0; hr.len()];
    let mut y = vec![0.0; m];
    let mut as_map = |d: &mut Derivatives,
                      sigma: f64,
                      y: &[f64]|
     -> Result<HashMap<(usize, usize), f64>, EvalError> {
        d.hessian_values(x, sigma, y, &mut vals)?;
        let mut map = HashMap::new();
        for k in 0..hr.len() {
            if vals[k] != 0.0 {
                *map.entry((hr[k] as usize, hc[k] as usize)).or_insert(0.0) += vals[k];
            }
        }
        Ok(map)
    };
    let objective = as_map(d, 1.0, &y)?;
    let mut constraints = Vec::with_capacity(m);
    for i in 0..m {
        y[i] = 1.0;
        constraints.push(as_map(d, 0.0, &y)?);
        y[i] = 0.0;
    }
    Ok(Hessians {
        objective,
        constraints,
    })
}
