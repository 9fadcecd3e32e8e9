//! Console output in the layout of Ipopt's journal (problem statistics, iteration
//! table, final summary), so that tools parsing Ipopt logs read pounce's too.
//!
//! Write errors on the console are ignored on purpose: a closed pipe must not stop a
//! solve whose result is still written to the `.sol` file.

use std::fmt;
use std::io::Write;

use super::nlp_form::{EvalCounts, InternalNlp};
use super::timing::LinearAlgebraTimes;
use crate::outcome::SolveStatus;

/// Journal levels of Ipopt (`print_level`).
pub(crate) const SUMMARY: i32 = 3;
pub(crate) const ITERATION: i32 = 5;

/// A number in C's `%.<prec>e` format (two-digit signed exponent).
pub(crate) struct Sci(pub f64, pub usize);

impl fmt::Display for Sci {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Sci(v, prec) = *self;
        if v.is_nan() {
            return f.pad("nan");
        }
        if v.is_infinite() {
            return f.pad(if v > 0.0 { "inf" } else { "-inf" });
        }
        let s = format!("{v:.prec$e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        f.pad(&format!("{mantissa}e{sign}{:02}", exp.abs()))
    }
}

/// What the iteration line reports about the step that led to the current iterate.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StepInfo {
    pub d_norm: f64,
    pub reg: f64,
    pub alpha_du: f64,
    pub alpha_pr: f64,
    pub tag: char,
    pub ls: usize,
}

impl StepInfo {
    pub fn start() -> Self {
        StepInfo {
            d_norm: 0.0,
            reg: 0.0,
            alpha_du: 0.0,
            alpha_pr: 0.0,
            tag: ' ',
            ls: 0,
        }
    }
}

/// One row of the iteration table.
pub(crate) struct IterLine {
    pub iter: usize,
    pub resto: bool,
    pub objective: f64,
    pub inf_pr: f64,
    pub inf_du: f64,
    pub mu: f64,
    pub step: StepInfo,
}

/// Final values of the summary block, scaled and unscaled.
pub(crate) struct Summary {
    pub iterations: usize,
    pub objective: (f64, f64),
    pub dual_inf: (f64, f64),
    pub constr_viol: (f64, f64),
    pub bound_viol: (f64, f64),
    pub compl: (f64, f64),
    pub nlp_error: (f64, f64),
}

pub(crate) struct Printer<'w> {
    out: &'w mut dyn Write,
    level: i32,
    print_exit_line: bool,
}

impl<'w> Printer<'w> {
    pub fn new(out: &'w mut dyn Write, level: i32, print_exit_line: bool) -> Self {
        Printer {
            out,
            level,
            print_exit_line,
        }
    }

    pub fn enabled(&self, level: i32) -> bool {
        self.level >= level
    }

    /// Writes `args` when the print level reaches `level`.
    pub fn print(&mut self, level: i32, args: fmt::Arguments<'_>) {
        if self.enabled(level) {
            let _ = self.out.write_fmt(args);
        }
    }

    pub fn banner(&mut self, linear_solver: &str, show_box: bool) {
        if show_box {
            let _ = write!(
                self.out,
                "\n******************************************************************************\n\
                 pounce {}: nonlinear optimization by a filter line-search interior-point\n\
                 method (Wachter & Biegler). Use option sb=yes to hide this box.\n\
                 ******************************************************************************\n\n",
                env!("CARGO_PKG_VERSION")
            );
        }
        self.print(
            ITERATION,
            format_args!(
                "This is pounce version {}, running with linear solver {linear_solver}.\n\n",
                env!("CARGO_PKG_VERSION")
            ),
        );
    }

    pub fn statistics(&mut self, nlp: &InternalNlp<'_>) {
        let nnz_hess = nlp.nnz_hess_user();
        self.print(
            ITERATION,
            format_args!(
                "Number of nonzeros in equality constraint Jacobian...:{:9}\n\
                 Number of nonzeros in inequality constraint Jacobian.:{:9}\n\
                 Number of nonzeros in Lagrangian Hessian.............:{:9}\n\n",
                nlp.nnz_jac_c, nlp.nnz_jac_d, nnz_hess
            ),
        );
        let (x, d) = (nlp.x_bounds, nlp.d_bounds);
        self.print(
            SUMMARY,
            format_args!(
                "Total number of variables............................: {:8}\n\
                 \x20                    variables with only lower bounds: {:8}\n\
                 \x20               variables with lower and upper bounds: {:8}\n\
                 \x20                    variables with only upper bounds: {:8}\n\
                 Total number of equality constraints.................: {:8}\n\
                 Total number of inequality constraints...............: {:8}\n\
                 \x20       inequality constraints with only lower bounds: {:8}\n\
                 \x20  inequality constraints with lower and upper bounds: {:8}\n\
                 \x20       inequality constraints with only upper bounds: {:8}\n\n",
                nlp.n_x,
                x.lower_only,
                x.both,
                x.upper_only,
                nlp.m_c,
                nlp.m_d,
                d.lower_only,
                d.both,
                d.upper_only
            ),
        );
    }

    pub fn iteration(&mut self, line: &IterLine) {
        if !self.enabled(ITERATION) {
            return;
        }
        if line.iter.is_multiple_of(10) {
            let _ = writeln!(
                self.out,
                "iter    objective    inf_pr   inf_du lg(mu)  ||d||  lg(rg) alpha_du alpha_pr  ls"
            );
        }
        let s = &line.step;
        let reg = if s.reg > 0.0 {
            format!("{:5.1}", s.reg.log10())
        } else {
            "   - ".to_string()
        };
        let _ = writeln!(
            self.out,
            "{:4}{}{:>14} {:>7} {:>7} {:5.1} {:>7} {:>5} {:>7} {:>7}{}{:3}",
            line.iter,
            if line.resto { 'r' } else { ' ' },
            Sci(line.objective, 7),
            Sci(line.inf_pr, 2),
            Sci(line.inf_du, 2),
            line.mu.log10(),
            Sci(s.d_norm, 2),
            reg,
            Sci(s.alpha_du, 2),
            Sci(s.alpha_pr, 2),
            s.tag,
            s.ls
        );
    }

    pub fn summary(&mut self, s: &Summary, show_block: bool) {
        self.print(
            SUMMARY,
            format_args!("\nNumber of Iterations....: {}\n", s.iterations),
        );
        if !show_block {
            return;
        }
        self.print(
            SUMMARY,
            format_args!(
                "\n                                   (scaled)                 (unscaled)\n"
            ),
        );
        let rows = [
            ("Objective...............", s.objective),
            ("Dual infeasibility......", s.dual_inf),
            ("Constraint violation....", s.constr_viol),
            ("Variable bound violation", s.bound_viol),
            ("Complementarity.........", s.compl),
            ("Overall NLP error.......", s.nlp_error),
        ];
        for (label, (a, b)) in rows {
            self.print(
                SUMMARY,
                format_args!("{label}: {:>24}  {:>24}\n", Sci(a, 16), Sci(b, 16)),
            );
        }
        self.print(SUMMARY, format_args!("\n"));
    }

    pub fn counts(&mut self, c: &EvalCounts, has_eq: bool, has_ineq: bool) {
        let eq = if has_eq { c.g } else { 0 };
        let ineq = if has_ineq { c.g } else { 0 };
        let jeq = if has_eq { c.jac } else { 0 };
        let jineq = if has_ineq { c.jac } else { 0 };
        let lines = [
            ("Number of objective function evaluations", c.f),
            ("Number of objective gradient evaluations", c.grad_f),
            ("Number of equality constraint evaluations", eq),
            ("Number of inequality constraint evaluations", ineq),
            ("Number of equality constraint Jacobian evaluations", jeq),
            (
                "Number of inequality constraint Jacobian evaluations",
                jineq,
            ),
            ("Number of Lagrangian Hessian evaluations", c.hess),
        ];
        self.print(SUMMARY, format_args!("\n"));
        for (label, v) in lines {
            self.print(SUMMARY, format_args!("{label:<53}= {v}\n"));
        }
    }

    pub fn timing(&mut self, total: f64, in_functions: Option<f64>) {
        match in_functions {
            None => self.print(
                SUMMARY,
                format_args!("{:<53}= {total:.3}\n", "Total seconds in IPOPT"),
            ),
            Some(fun) => self.print(
                SUMMARY,
                format_args!(
                    "{:<53}= {:10.3}\n{:<53}= {fun:10.3}\n",
                    "Total seconds in IPOPT (w/o function evaluations)",
                    total - fun,
                    "Total seconds in NLP function evaluations"
                ),
            ),
        }
    }

    /// The `print_timing_statistics` block: where the solve's wall-clock time went.
    pub fn timing_statistics(&mut self, total: f64, eval: f64, linalg: &LinearAlgebraTimes) {
        let (f, b) = (linalg.factor, linalg.backsolve);
        let rest = total - eval - f.seconds - b.seconds;
        let lines = [
            ("OverallAlgorithm", total, None),
            (" LinearSystemFactorization", f.seconds, Some(f.count)),
            (" LinearSystemBackSolve", b.seconds, Some(b.count)),
            (" FunctionEvaluations", eval, None),
            (" Other", rest, None),
        ];
        self.print(
            SUMMARY,
            format_args!("\nTiming Statistics (wall clock):\n\n"),
        );
        for (label, secs, count) in lines {
            let label = format!("{label:.<36}");
            match count {
                Some(c) => self.print(SUMMARY, format_args!("{label}: {secs:10.3} ({c} calls)\n")),
                None => self.print(SUMMARY, format_args!("{label}: {secs:10.3}\n")),
            }
        }
    }

    /// The `EXIT:` line, unless the caller prints it (`print_exit_line`).
    pub fn exit(&mut self, status: SolveStatus) {
        if self.print_exit_line {
            self.print(SUMMARY, format_args!("\nEXIT: {}\n", status.exit_line()));
        }
    }
}
