//! `pounce eval`: values and derivatives of a model at a point, as JSON.

use std::path::PathBuf;

/// Arguments of `pounce eval`.
#[derive(clap::Args)]
pub struct EvalArgs {
    /// The model file.
    pub model: PathBuf,
    /// JSON file `{"x": [...], "y": [...], "obj_factor": 1.0}` with the point.
    #[arg(long)]
    pub point: Option<PathBuf>,
}

/// Runs the command; returns the exit code.
pub fn run(args: &EvalArgs) -> i32 {
    eprintln!("pounce eval: cannot read {} yet", args.model.display());
    2
}
