//! Judging a certificate against tolerances, and writing it: one line for the `.sol`
//! message, a block for the log in the style of Ipopt's final statistics.

use super::kkt::{Entry, Figure, ScaledFigure};
use super::{Certificate, Tolerances};
use std::fmt::{self, Write as _};

/// One tolerance a certificate does not meet.
#[derive(Clone, Debug, PartialEq)]
pub struct Shortfall {
    /// What is measured, e.g. `dual infeasibility`.
    pub what: &'static str,
    pub value: f64,
    /// The option bounding it and its value.
    pub option: &'static str,
    pub limit: f64,
    /// Where the figure is largest.
    pub at: Option<Entry>,
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Row(i) => write!(f, "row {i}"),
            Entry::Column(j) => write!(f, "column {j}"),
        }
    }
}

impl fmt::Display for Shortfall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} > {} {}",
            self.what,
            short(self.value),
            self.option,
            short(self.limit)
        )?;
        if let Some(at) = self.at {
            write!(f, " (worst at {at})")?;
        }
        Ok(())
    }
}

/// `%.3g`-like short form for one-line summaries.
fn short(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if !x.is_finite() {
        format!("{x}")
    } else {
        let s = format!("{x:.2e}");
        let (mantissa, exp) = s.split_once('e').expect("exponent form");
        let exp: i32 = exp.parse().expect("integer exponent");
        format!(
            "{mantissa}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        )
    }
}

/// Ipopt's `%23.16e`-style number of its final statistics (`1.7014017140224134e+01`).
fn sci(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x:>23}");
    }
    let s = format!("{x:.16e}");
    let (mantissa, exp) = s.split_once('e').expect("exponent form");
    let exp: i32 = exp.parse().expect("integer exponent");
    format!(
        "{mantissa}e{}{:02}",
        if exp < 0 { '-' } else { '+' },
        exp.abs()
    )
}

/// `value ≤ limit`, with NaN failing.
fn within(value: f64, limit: f64) -> bool {
    value <= limit
}

/// How far a residual is from failing: its ratio to the tightest limit that applies to it
/// (the absolute tolerance, or `tol` times its scale in the overall error).
fn ratio(value: f64, abs_tol: f64, scaled_tol: f64) -> f64 {
    if value.is_nan() {
        f64::INFINITY
    } else {
        (value / abs_tol).max(value / scaled_tol)
    }
}

/// Indices of the `k` largest positive scores, largest first.
pub fn worst(scores: &[f64], k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..scores.len()).filter(|&i| scores[i] > 0.0).collect();
    idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    idx.truncate(k);
    idx
}

impl Certificate {
    /// Per row, the largest ratio of a residual to the tightest limit on it: above 1, the
    /// row alone fails the certificate.
    pub fn row_scores(&self) -> Vec<f64> {
        let r = &self.residuals;
        let t = &self.tolerances;
        r.rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                ratio(row.violation, t.constr_viol_tol, t.constr_viol_tol)
                    .max(ratio(r.row_error(i), t.tol, t.tol))
                    .max(ratio(
                        row.dual_sign,
                        t.dual_inf_tol,
                        r.tol_scales.dual * t.tol,
                    ))
                    .max(ratio(row.complementarity, t.compl_inf_tol, t.compl_inf_tol))
            })
            .collect()
    }

    /// Per column, as [`Certificate::row_scores`].
    pub fn column_scores(&self) -> Vec<f64> {
        let r = &self.residuals;
        let t = &self.tolerances;
        r.columns
            .iter()
            .map(|c| {
                ratio(c.violation, t.constr_viol_tol, t.constr_viol_tol)
                    .max(ratio(
                        c.stationarity,
                        t.dual_inf_tol,
                        r.tol_scales.dual * t.tol,
                    ))
                    .max(ratio(
                        c.complementarity,
                        t.compl_inf_tol,
                        r.tol_scales.complementarity * t.tol,
                    ))
            })
            .collect()
    }

    /// The row or column with the largest score, if any score is positive.
    pub fn worst_entry(&self) -> Option<Entry> {
        let rows = self.row_scores();
        let cols = self.column_scores();
        let row = worst(&rows, 1).first().map(|&i| (rows[i], Entry::Row(i)));
        let col = worst(&cols, 1)
            .first()
            .map(|&j| (cols[j], Entry::Column(j)));
        match (row, col) {
            (Some(r), Some(c)) => Some(if c.0 > r.0 { c.1 } else { r.1 }),
            (r, c) => r.or(c).map(|e| e.1),
        }
    }

    /// The tolerances the point does not meet (empty when it meets them all).
    pub fn shortfalls(&self, t: &Tolerances) -> Vec<Shortfall> {
        let r = &self.residuals;
        let mut out = Vec::new();
        let mut check = |what, figure: &Figure, option, limit| {
            if !within(figure.absolute, limit) {
                out.push(Shortfall {
                    what,
                    value: figure.absolute,
                    option,
                    limit,
                    at: figure.worst,
                });
            }
        };
        check(
            "constraint violation",
            &r.constraint_violation,
            "constr_viol_tol",
            t.constr_viol_tol,
        );
        check(
            "variable bound violation",
            &r.bound_violation,
            "constr_viol_tol",
            t.constr_viol_tol,
        );
        if let Some(d) = &r.dual_infeasibility {
            check("dual infeasibility", d, "dual_inf_tol", t.dual_inf_tol);
        }
        if let Some(c) = &r.complementarity {
            check("complementarity", c, "compl_inf_tol", t.compl_inf_tol);
        }
        let overall = r.scaled_overall_error;
        if !within(overall, t.tol) {
            let worst = [
                (
                    r.constraint_violation.absolute,
                    r.constraint_violation.worst,
                ),
                r.dual_infeasibility
                    .map_or((0.0, None), |d| (d.relative, d.worst)),
                r.complementarity
                    .map_or((0.0, None), |c| (c.relative, c.worst)),
            ]
            .into_iter()
            .fold(
                (0.0, None),
                |a, b| if b.0 > a.0 || b.0.is_nan() { b } else { a },
            );
            out.push(Shortfall {
                what: "overall NLP error",
                value: overall,
                option: "tol",
                limit: t.tol,
                at: worst.1,
            });
        }
        let f = r.objective;
        if let Some(reported) = self.reported_objective {
            let gap = (reported - f).abs();
            if !within(gap, t.tol * f.abs().max(1.0)) {
                out.push(Shortfall {
                    what: "objective differs from the reported value by",
                    value: gap,
                    option: "tol·max(1,|f|)",
                    limit: t.tol * f.abs().max(1.0),
                    at: None,
                });
            }
        }
        if self.evaluation_error.is_some() || !f.is_finite() {
            out.push(Shortfall {
                what: "objective",
                value: f,
                option: "a finite value",
                limit: f64::MAX,
                at: None,
            });
        }
        out
    }

    /// One short line for the `.sol` message: the figures and the verdict.
    pub fn summary_line(&self) -> String {
        let r = &self.residuals;
        let mut s = format!(
            "certificate: viol {}",
            short(
                r.constraint_violation
                    .absolute
                    .max(r.bound_violation.absolute)
            )
        );
        match (&r.dual_infeasibility, &r.complementarity) {
            (Some(d), Some(c)) => {
                let _ = write!(
                    s,
                    ", dual {}, compl {}, error {}{}",
                    short(d.absolute),
                    short(c.absolute),
                    if r.scaled_figure == ScaledFigure::AtMost {
                        "<= "
                    } else {
                        ""
                    },
                    short(r.scaled_overall_error)
                );
            }
            _ => s.push_str(", no multipliers"),
        }
        s.push_str(if self.verified() {
            ": verified"
        } else {
            ": NOT verified"
        });
        s
    }

    /// The log block that follows the solver's final statistics.
    pub fn log_block(&self) -> String {
        let r = &self.residuals;
        let mut s = String::from(
            "\nCertificate (original model evaluated afresh at the returned point):\n\n",
        );
        s.push_str("                                   (absolute)               (relative)\n");
        let mut line = |label: &str, f: Option<&Figure>| {
            if let Some(f) = f {
                let _ = writeln!(
                    s,
                    "{label:.<24}: {:>24}  {:>24}",
                    sci(f.absolute),
                    sci(f.relative)
                );
            }
        };
        line("Constraint violation", Some(&r.constraint_violation));
        line("Variable bound violation", Some(&r.bound_violation));
        line("Dual infeasibility", r.dual_infeasibility.as_ref());
        line("Complementarity", r.complementarity.as_ref());
        let _ = writeln!(
            s,
            "{:.<24}: {:>24}  {:>24}",
            "Overall NLP error",
            sci(r.overall_error()),
            sci(r.scaled_overall_error)
        );
        s.push_str(match r.scaled_figure {
            ScaledFigure::Computed | ScaledFigure::Unscaled => {
                "(overall NLP error: unscaled, then under the NLP scaling that tol bounds)\n"
            }
            ScaledFigure::AtMost => {
                "(overall NLP error: unscaled, then an upper bound under the NLP scaling that \
                 tol bounds)\n"
            }
        });
        let _ = writeln!(s, "{:.<24}: {:>24}", "Objective", sci(r.objective));
        if r.inferred_bound_multipliers && r.dual_infeasibility.is_some() {
            s.push_str("(bound multipliers not given: inferred from the reduced costs)\n");
        }
        if let Some(e) = &self.evaluation_error {
            let _ = writeln!(s, "Evaluation failed: {e}");
        }
        let t = &self.tolerances;
        let _ = write!(
            s,
            "\nCertificate: tol={}, constr_viol_tol={}, dual_inf_tol={}, compl_inf_tol={}: ",
            short(t.tol),
            short(t.constr_viol_tol),
            short(t.dual_inf_tol),
            short(t.compl_inf_tol)
        );
        let shortfalls = self.shortfalls(t);
        if shortfalls.is_empty() {
            s.push_str("verified.\n");
        } else {
            s.push_str("NOT verified:\n");
            for f in shortfalls {
                let _ = writeln!(s, "  {f}");
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::{sci, short};

    #[test]
    fn numbers_in_ipopt_style() {
        assert_eq!(sci(17.014017140224134), "1.7014017140224134e+01");
        assert_eq!(sci(0.0), "0.0000000000000000e+00");
        assert_eq!(sci(-0.25), "-2.5000000000000000e-01");
        assert_eq!(short(2.5e-9), "2.50e-09");
        assert_eq!(short(0.0), "0");
    }
}
