//! The solver interface: AMPL-style command line, options, `.sol` output and
//! pounce's own subcommands.

pub mod cli;
pub mod eval;
pub mod number;
pub mod option_docs;
pub mod option_sources;
pub mod sol;
pub mod sol_read;
pub mod verify;
