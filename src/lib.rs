//! pounce: a nonlinear optimization solver that reads AMPL `.nl` files and
//! behaves as a drop-in replacement for the `ipopt` executable.
//!
//! Data flows one way through the modules:
//! `ampl` (solver interface) → `solver_selection` (dispatcher) →
//! `convex` / `ipm` (solvers) → `autodiff` / `linsol` → `nl`.
//! No module imports from a module to its left. `options` (the validated option
//! values), `outcome` and `stop` (limits and interrupt) are shared by the interface and
//! the solvers and import neither. `counting_sort` (grouping entries by column or
//! row) imports nothing and serves every module.

pub mod ampl;
pub mod autodiff;
pub mod certificate;
pub mod convex;
pub(crate) mod counting_sort;
pub mod ipm;
pub mod linsol;
pub mod nl;
pub mod options;
pub mod outcome;
pub mod solver_selection;
pub mod stop;
