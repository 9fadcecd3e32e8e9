//! `pounce verify MODEL.nl SOLUTION.sol`: checks any solver's `.sol` against the model.
//!
//! The point and multipliers are read in AMPL's conventions (spec B.3), converted to
//! Ipopt's for the objective sense, and certified by a fresh evaluation of the model
//! ([`crate::certificate`]): feasibility always, stationarity and complementarity when the
//! file has duals. Exit codes: 0 the point verifies, 1 it does not, 2 bad input.

use super::cli::{Backend, Pounce};
use super::sol_read::{SolFile, read_sol};
use crate::certificate::{Certificate, Multipliers, NlpScaling, Tolerances, certify_point, worst};
use crate::nl::model::{Model, Sense};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Ipopt's default `nlp_scaling_min_value`.
const NLP_SCALING_MIN_VALUE: f64 = 1e-8;

/// The point verifies.
pub const EXIT_VERIFIED: i32 = 0;
/// The point does not verify.
pub const EXIT_NOT_VERIFIED: i32 = 1;
/// A file cannot be read or does not fit the model.
pub const EXIT_BAD_INPUT: i32 = 2;

/// Arguments of `pounce verify`.
#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 the point verifies, 1 it does not, 2 bad input.\n\
    Names are taken from MODEL.row and MODEL.col when they exist."
)]
pub struct VerifyArgs {
    /// The model file.
    pub model: PathBuf,
    /// The solution file (text or binary, from any solver).
    pub solution: PathBuf,
    /// Bound on the overall NLP error (Ipopt's `tol`).
    #[arg(long, default_value_t = Tolerances::default().tol)]
    pub tol: f64,
    /// Bound on constraint and variable bound violation (Ipopt's `constr_viol_tol`).
    #[arg(long, default_value_t = Tolerances::default().constr_viol_tol)]
    pub constr_viol_tol: f64,
    /// Bound on the unscaled dual infeasibility (Ipopt's `dual_inf_tol`).
    #[arg(long, default_value_t = Tolerances::default().dual_inf_tol)]
    pub dual_inf_tol: f64,
    /// Bound on the unscaled complementarity (Ipopt's `compl_inf_tol`).
    #[arg(long, default_value_t = Tolerances::default().compl_inf_tol)]
    pub compl_inf_tol: f64,
    /// Ipopt's `bound_relax_factor`: the overall error measures constraint violation
    /// beyond inequality bounds relaxed by this factor times max(1, |bound|), as Ipopt does.
    #[arg(long, default_value_t = Tolerances::default().bound_relax_factor)]
    pub bound_relax_factor: f64,
    /// Ipopt's `nlp_scaling_max_gradient`: `tol` bounds the overall error of the problem
    /// scaled as Ipopt scales it by default (gradient-based, at the starting point).
    #[arg(long, default_value_t = 100.0)]
    pub nlp_scaling_max_gradient: f64,
    /// Check `tol` on the unscaled problem (as with Ipopt's `nlp_scaling_method none`).
    #[arg(long)]
    pub unscaled: bool,
    /// How many of the worst rows and of the worst columns to list.
    #[arg(long, default_value_t = 10)]
    pub worst: usize,
}

/// Runs the command; returns the exit code.
pub fn run(args: &VerifyArgs) -> i32 {
    verify(args, &mut io::stdout().lock(), &mut io::stderr().lock())
}

/// Bad input: the message for stderr.
struct BadInput(String);

/// What `pounce verify` found, ready to print.
struct Verification {
    model: Model,
    names: Names,
    sol: SolFile,
    certificate: Certificate,
    integer_vars: usize,
    /// Wall-clock time of the certificate (fresh evaluation and residuals).
    seconds: f64,
}

/// Runs `pounce verify`, writing the report to `out` and problems with the input to `err`.
pub fn verify(args: &VerifyArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let tolerances = Tolerances {
        tol: args.tol,
        constr_viol_tol: args.constr_viol_tol,
        dual_inf_tol: args.dual_inf_tol,
        compl_inf_tol: args.compl_inf_tol,
        bound_relax_factor: args.bound_relax_factor,
    };
    let bad = [
        ("tol", tolerances.tol),
        ("constr-viol-tol", tolerances.constr_viol_tol),
        ("dual-inf-tol", tolerances.dual_inf_tol),
        ("compl-inf-tol", tolerances.compl_inf_tol),
    ]
    .into_iter()
    .find(|(_, v)| !(*v > 0.0 && v.is_finite()))
    .or(
        (!(args.bound_relax_factor >= 0.0 && args.bound_relax_factor.is_finite()))
            .then_some(("bound-relax-factor", args.bound_relax_factor)),
    );
    if let Some((name, v)) = bad {
        let _ = writeln!(
            err,
            "pounce verify: --{name} {v}: must be positive (bound-relax-factor: non-negative) and finite"
        );
        return EXIT_BAD_INPUT;
    }
    match prepare(args, tolerances) {
        Err(BadInput(message)) => {
            let _ = writeln!(err, "pounce verify: {message}");
            EXIT_BAD_INPUT
        }
        Ok(v) => {
            let _ = v.print(args.worst, out);
            if v.certificate.verified() {
                EXIT_VERIFIED
            } else {
                EXIT_NOT_VERIFIED
            }
        }
    }
}

/// The certificate of the point and multipliers of `sol` (AMPL's conventions) for `model`;
/// an error when the file has no primal values or a suffix names a variable out of range.
pub fn certify_sol(
    model: &Model,
    sol: &SolFile,
    tolerances: Tolerances,
    scaling: &NlpScaling,
) -> Result<Certificate, String> {
    let x = sol
        .primals
        .as_deref()
        .ok_or("the file holds no primal values")?;
    let sense = model
        .objective_sense
        .first()
        .copied()
        .unwrap_or(Sense::Minimize);
    let suffix = |name: &str| -> Result<Option<Vec<f64>>, String> {
        sol.variable_suffix(name)
            .map(|s| {
                s.dense(model.n_var)
                    .ok_or(format!("suffix {name} names a variable out of range"))
            })
            .transpose()
    };
    let zl = suffix("ipopt_zL_out")?;
    let zu = suffix("ipopt_zU_out")?;
    let multipliers = sol.duals.as_deref().map(|duals| {
        Multipliers::from_ampl(sense, duals, zl.as_deref(), zu.as_deref(), model.n_var)
    });
    Ok(certify_point(
        model,
        x,
        multipliers.as_ref(),
        tolerances,
        scaling,
        None,
    ))
}

fn prepare(args: &VerifyArgs, tolerances: Tolerances) -> Result<Verification, BadInput> {
    let input = Pounce
        .read(&args.model)
        .map_err(|e| BadInput(e.to_string()))?;
    let model = input.model;
    let sol_path = args.solution.display();
    let data = std::fs::read(&args.solution).map_err(|e| BadInput(format!("{sol_path}: {e}")))?;
    let sol = read_sol(&data, model.n_con, model.n_var)
        .map_err(|e| BadInput(format!("{sol_path}: {e}")))?;
    let start = std::time::Instant::now();
    let scaling = if args.unscaled {
        NlpScaling::None
    } else {
        NlpScaling::GradientBased {
            max_gradient: args.nlp_scaling_max_gradient,
            min_value: NLP_SCALING_MIN_VALUE,
            obj_target_gradient: 0.0,
            constr_target_gradient: 0.0,
        }
    };
    let certificate = certify_sol(&model, &sol, tolerances, &scaling)
        .map_err(|e| BadInput(format!("{sol_path}: {e}")))?;
    let seconds = start.elapsed().as_secs_f64();
    let names = Names::beside(&args.model, &model);
    Ok(Verification {
        model,
        names,
        sol,
        certificate,
        integer_vars: input.integer_vars + input.binary_vars,
        seconds,
    })
}

/// Row and column names from `STUB.row` / `STUB.col`, when present.
struct Names {
    rows: Vec<String>,
    columns: Vec<String>,
}

impl Names {
    fn beside(model_path: &Path, model: &Model) -> Names {
        let stub = if model_path.extension().is_some_and(|e| e == "nl") {
            model_path.with_extension("")
        } else {
            model_path.to_path_buf()
        };
        let read = |ext: &str, count: usize| -> Vec<String> {
            let mut path = stub.clone().into_os_string();
            path.push(ext);
            std::fs::read_to_string(path)
                .map(|t| t.lines().take(count).map(str::to_string).collect())
                .unwrap_or_default()
        };
        Names {
            rows: read(".row", model.n_con),
            columns: read(".col", model.n_var),
        }
    }

    fn row(&self, i: usize) -> &str {
        self.rows.get(i).map_or("", String::as_str)
    }

    fn column(&self, j: usize) -> &str {
        self.columns.get(j).map_or("", String::as_str)
    }
}

impl Verification {
    fn print(&self, k: usize, out: &mut dyn Write) -> io::Result<()> {
        let sol = &self.sol;
        let status = sol
            .solve_result_num
            .map_or("none".to_string(), |n| n.to_string());
        let first = sol
            .message
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        writeln!(out, "Solution: \"{first}\" (solve_result_num {status})")?;
        writeln!(
            out,
            "Model: {} variables, {} constraints, {}",
            self.model.n_var,
            self.model.n_con,
            match self.model.objective_sense.first() {
                Some(Sense::Maximize) => "maximize",
                Some(Sense::Minimize) => "minimize",
                None => "no objective",
            }
        )?;
        if self.integer_vars > 0 {
            writeln!(
                out,
                "Warning: the model has {} integer variables; they are checked as continuous.",
                self.integer_vars
            )?;
        }
        if sol.duals.is_none() {
            writeln!(
                out,
                "The file has no dual values: feasibility is checked, optimality is not."
            )?;
        }
        let c = &self.certificate;
        let (row_scores, col_scores) = (c.row_scores(), c.column_scores());
        let r = &c.residuals;
        let rows = worst(&row_scores, k);
        if !rows.is_empty() {
            writeln!(out, "\nWorst rows (score = residual / tightest limit):")?;
            writeln!(
                out,
                "{:>8}  {:<20} {:>12} {:>12} {:>12} {:>12} {:>10}",
                "row", "name", "violation", "dual", "dual sign", "compl", "score"
            )?;
            for i in rows {
                let dual = sol.duals.as_ref().map_or(f64::NAN, |d| d[i]);
                let row = &r.rows[i];
                writeln!(
                    out,
                    "{i:>8}  {:<20} {:>12.4e} {:>12.4e} {:>12.4e} {:>12.4e} {:>10.3e}",
                    self.names.row(i),
                    row.violation,
                    dual,
                    row.dual_sign,
                    row.complementarity,
                    row_scores[i]
                )?;
            }
        }
        let cols = worst(&col_scores, k);
        if !cols.is_empty() {
            writeln!(out, "\nWorst columns (score = residual / tightest limit):")?;
            writeln!(
                out,
                "{:>8}  {:<20} {:>12} {:>12} {:>12} {:>12} {:>10}",
                "column", "name", "x", "violation", "stationarity", "compl", "score"
            )?;
            let x = sol.primals.as_deref().unwrap_or(&[]);
            for j in cols {
                let c = &r.columns[j];
                writeln!(
                    out,
                    "{j:>8}  {:<20} {:>12.4e} {:>12.4e} {:>12.4e} {:>12.4e} {:>10.3e}",
                    self.names.column(j),
                    x[j],
                    c.violation,
                    c.stationarity,
                    c.complementarity,
                    col_scores[j]
                )?;
            }
        }
        write!(out, "{}", self.certificate.log_block())?;
        writeln!(out, "Certificate computed in {:.6} s.", self.seconds)
    }
}
