//! Console output of the convex solver: a header, one line per iteration and
//! Ipopt's final block and `EXIT:` line (spec G.3, C.2), so that tools parsing
//! Ipopt's log read the convex path's results the same way.

use std::fmt;
use std::io::{self, Write};

use super::info::Info;
use crate::outcome::SolveStatus;

/// A number in C's `%.<prec>e` format (two-digit exponent at least), written without
/// allocating: Rust's `{:e}` omits the exponent's sign and leading zero.
pub struct CExp(pub f64, pub usize);

impl fmt::Display for CExp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let CExp(v, prec) = *self;
        if !v.is_finite() {
            let text = if v.is_nan() {
                "nan"
            } else if v > 0.0 {
                "inf"
            } else {
                "-inf"
            };
            return f.pad(text);
        }
        let mut buf = StackText::default();
        write!(buf, "{v:.prec$e}")?;
        let text = buf.as_str();
        let (mantissa, exponent) = text.split_once('e').expect("`{:e}` writes an exponent");
        let exponent: i32 = exponent.parse().expect("`{:e}` writes an integer exponent");
        let mut out = StackText::default();
        let sign = if exponent < 0 { '-' } else { '+' };
        write!(out, "{mantissa}e{sign}{:02}", exponent.abs())?;
        f.pad(out.as_str())
    }
}

/// A small fixed-capacity text buffer for formatting one number.
struct StackText {
    bytes: [u8; 64],
    len: usize,
}

impl Default for StackText {
    fn default() -> Self {
        Self {
            bytes: [0; 64],
            len: 0,
        }
    }
}

impl StackText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).expect("only UTF-8 is written")
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.bytes.len() {
            return Err(fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

use std::fmt::Write as _;

/// Sizes printed in the header.
pub struct ProblemSizes {
    pub variables: usize,
    pub constraints: usize,
    pub zero_rows: usize,
    pub nonnegative_rows: usize,
    /// Second-order cones (one per quadratic row).
    pub second_order_cones: usize,
    pub nnz_p: usize,
    pub nnz_a: usize,
}

pub fn header(out: &mut dyn Write, sizes: &ProblemSizes) -> io::Result<()> {
    writeln!(
        out,
        "Convex interior-point method (homogeneous self-dual embedding)\n\n\
         Number of variables.....................: {:>8}\n\
         Number of constraints...................: {:>8}\n\
         Number of equality cone rows............: {:>8}\n\
         Number of inequality cone rows..........: {:>8}",
        sizes.variables, sizes.constraints, sizes.zero_rows, sizes.nonnegative_rows,
    )?;
    if sizes.second_order_cones > 0 {
        writeln!(
            out,
            "Number of second-order cones............: {:>8}",
            sizes.second_order_cones
        )?;
    }
    writeln!(
        out,
        "Number of nonzeros in P (one triangle)..: {:>8}\n\
         Number of nonzeros in the conic A.......: {:>8}\n",
        sizes.nnz_p, sizes.nnz_a
    )?;
    writeln!(
        out,
        "iter    pcost          dcost         gap       pres      dres      k/t       mu        step"
    )
}

/// One line of the iteration table; `c0` is added to both objectives.
pub fn iteration(out: &mut dyn Write, info: &Info, c0: f64) -> io::Result<()> {
    write!(
        out,
        "{:>4}  {:>13}  {:>13}  {:>8}  {:>8}  {:>8}  {:>8}  {:>8}",
        info.iterations,
        CExp(info.cost_primal + c0, 5),
        CExp(info.cost_dual + c0, 5),
        CExp(info.gap_abs, 2),
        CExp(info.res_primal, 2),
        CExp(info.res_dual, 2),
        CExp(info.kappa_over_tau, 2),
        CExp(info.mu, 2),
    )?;
    if info.iterations == 0 {
        // No step yet: `-`, as Ipopt marks an empty column; log parsers such as Pyomo's
        // read it as "no value".
        writeln!(out, "  {:>8}", "-")
    } else {
        writeln!(out, "  {:>8}", CExp(info.step_length, 2))
    }
}

/// Final optimality measures, in model units.
pub struct FinalMeasures {
    pub objective: f64,
    pub dual_infeasibility: f64,
    pub constraint_violation: f64,
    pub bound_violation: f64,
    pub complementarity: f64,
}

/// Ipopt's final block (spec G.3) and, when `exit_line`, the `EXIT:` line. The convex
/// path has no NLP scaling, so the "(scaled)" and "(unscaled)" columns agree. The problem
/// data are evaluated once (objective and constraints once per iteration for the
/// residuals).
pub fn final_block(
    out: &mut dyn Write,
    iterations: usize,
    m: &FinalMeasures,
    status: SolveStatus,
    seconds: f64,
    exit_line: bool,
) -> io::Result<()> {
    if status != SolveStatus::InvalidProblemDefinition {
        writeln!(out, "\nNumber of Iterations....: {iterations}")?;
        writeln!(
            out,
            "\n                                   (scaled)                 (unscaled)"
        )?;
        let overall = m
            .dual_infeasibility
            .max(m.constraint_violation)
            .max(m.bound_violation)
            .max(m.complementarity);
        let rows = [
            ("Objective...............", m.objective),
            ("Dual infeasibility......", m.dual_infeasibility),
            ("Constraint violation....", m.constraint_violation),
            ("Variable bound violation", m.bound_violation),
            ("Complementarity.........", m.complementarity),
            ("Overall NLP error.......", overall),
        ];
        for (label, v) in rows {
            writeln!(out, "{label}: {:>24}  {:>24}", CExp(v, 16), CExp(v, 16))?;
        }
        writeln!(out)?;
        let evals = iterations + 1;
        let counts = [
            ("Number of objective function evaluations", evals),
            ("Number of objective gradient evaluations", evals),
            ("Number of equality constraint evaluations", evals),
            ("Number of inequality constraint evaluations", evals),
            ("Number of equality constraint Jacobian evaluations", 1),
            ("Number of inequality constraint Jacobian evaluations", 1),
            ("Number of Lagrangian Hessian evaluations", 1),
        ];
        writeln!(out)?;
        for (label, count) in counts {
            writeln!(out, "{label:<53}= {count}")?;
        }
        writeln!(out, "{:<53}= {seconds:.3}", "Total seconds in IPOPT")?;
    }
    if exit_line {
        writeln!(out, "\nEXIT: {}", status.exit_line())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::CExp;

    #[test]
    fn c_exponent_format() {
        assert_eq!(
            format!("{:>24}", CExp(17.014017145179164, 16)),
            "  1.7014017145179164e+01"
        );
        assert_eq!(format!("{}", CExp(-2.5e-11, 2)), "-2.50e-11");
        assert_eq!(format!("{}", CExp(0.0, 2)), "0.00e+00");
        assert_eq!(format!("{}", CExp(1e100, 1)), "1.0e+100");
    }
}
