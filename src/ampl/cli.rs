//! Command-line entry point.
//!
//! `pounce SUBCOMMAND …` runs one of pounce's own tools (parsed by clap);
//! anything else is the AMPL solver command line `pounce stub[.nl] [-AMPL] [key=value …]`.

use clap::{Parser, Subcommand};
use std::ffi::OsString;

#[derive(Parser)]
#[command(name = "pounce", about = "pounce's own tools")]
struct Tools {
    #[command(subcommand)]
    command: Tool,
}

#[derive(Subcommand)]
enum Tool {
    /// Evaluate a model's functions and derivatives at a point and print JSON.
    Eval(super::eval::EvalArgs),
}

const TOOL_NAMES: &[&str] = &["eval"];

/// Runs the command line `args` (including the program name) and returns the exit code.
pub fn run(args: Vec<OsString>) -> i32 {
    let is_tool = args
        .get(1)
        .and_then(|a| a.to_str())
        .is_some_and(|a| TOOL_NAMES.contains(&a));
    if is_tool {
        let tools = match Tools::try_parse_from(&args) {
            Ok(t) => t,
            Err(e) => {
                let _ = e.print();
                return if e.use_stderr() { 2 } else { 0 };
            }
        };
        return match tools.command {
            Tool::Eval(a) => super::eval::run(&a),
        };
    }
    eprintln!("usage: pounce eval MODEL.nl [--point P.json]");
    1
}
