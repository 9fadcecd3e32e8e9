//! The dispatcher between the solver interface and the two solvers: classifies a
//! model and hands it to `convex` or `ipm`.

mod ipm_settings;
mod model_nlp;

pub use ipm_settings::ipm_options;
pub use model_nlp::ModelNlp;

use crate::ipm::LinearSolverFactory;
use crate::linsol::SymmetricIndefiniteSolver;
use crate::linsol::sparse::SparseLdlt;
use crate::nl::model::Model;
use crate::options::Options;
use crate::outcome::{Solution, SolveStatus};
use std::io::Write;

/// Solves `model` with `options`, writing the solver's log to `journal`.
pub fn solve(model: &Model, options: &Options, journal: &mut dyn Write) -> Solution {
    let nlp = match ModelNlp::new(model) {
        Ok(nlp) => nlp,
        Err(e) => {
            let _ = writeln!(journal, "cannot differentiate the model: {e}");
            return unsolved(model, SolveStatus::InternalError);
        }
    };
    let x0 = crate::ipm::Nlp::starting_point(&nlp).x;
    let _ = crate::autodiff::check::derivative_test(model, &x0, options, journal);
    let make = || -> Box<dyn SymmetricIndefiniteSolver> { Box::new(SparseLdlt::new()) };
    let factory = LinearSolverFactory {
        name: "pounce-ldlt",
        make: &make,
    };
    crate::ipm::solve(&nlp, &ipm_options(options), &factory, journal)
}

/// A solution that reports `status` at the starting point, for solves that could not start.
fn unsolved(model: &Model, status: SolveStatus) -> Solution {
    Solution {
        status,
        x: model.x0.iter().map(|x| x.unwrap_or(0.0)).collect(),
        lambda: vec![0.0; model.n_con],
        z_lower: vec![0.0; model.n_var],
        z_upper: vec![0.0; model.n_var],
        objective: f64::NAN,
        iterations: 0,
    }
}
