//! The CPU-time limit measured where it applies, in a test binary of its own so that no
//! other test's work counts in the process's CPU time: from the creation of the stop
//! signal to the end of the solve. The model's iterations take about 0.7 CPU seconds
//! each, after a setup of a few seconds (most of it the METIS ordering, which cannot be
//! interrupted); the limit is set past the setup, inside the iterations, where a limit
//! checked only between iterations overshoots by up to an iteration.

mod robust_common;

use pounce::options::Options;
use pounce::outcome::SolveStatus;
use pounce::solver_selection::solve;
use pounce::stop::{Stop, process_cpu_seconds};
use robust_common::grid_model;

/// Solves `model` with a CPU limit of `limit` seconds; returns the status and the CPU
/// seconds from the creation of the stop signal to the end of the solve.
fn solve_within(model: &pounce::nl::Model, limit: f64) -> (SolveStatus, f64) {
    let options = Options::with(&[("print_level", "0")]).unwrap();
    let before = process_cpu_seconds().expect("the process CPU clock");
    let stop = Stop::new(None, 1e20, limit);
    let outcome = solve(model, &options, &stop, &mut std::io::sink());
    assert!(outcome.solution.x.iter().all(|v| v.is_finite()));
    (
        outcome.solution.status,
        process_cpu_seconds().expect("the process CPU clock") - before,
    )
}

#[test]
fn cpu_time_limit_stops_within_a_fraction_of_a_second() {
    let model = pounce::nl::read_bytes("grid.nl", grid_model(20, 160).as_bytes()).unwrap();
    // Setup (derivative structures, ordering, symbolic analysis) runs before the first
    // check; an expired limit measures it.
    let (status, setup) = solve_within(&model, 1e-9);
    assert_eq!(status, SolveStatus::CpuTimeExceeded);
    let limit = setup + 1.2;
    let (status, used) = solve_within(&model, limit);
    assert_eq!(status, SolveStatus::CpuTimeExceeded);
    let overshoot = used - limit;
    eprintln!("setup {setup:.3} s, limit {limit:.3} s, CPU time after the limit: {overshoot:.3} s");
    assert!(
        overshoot < 0.15,
        "the solve ended {overshoot:.2} CPU seconds after its limit"
    );
}
