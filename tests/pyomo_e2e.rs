//! Pyomo drives pounce as its legacy `ipopt`, `asl:NAME` and contrib Ipopt solvers (spec F):
//! statuses, objective, duals and bound multipliers of small models with hand-derived KKT
//! points, an infeasible model, iteration-limited runs, options passed by each route and
//! options files in the working directory. Needs `python3` with Pyomo, which `.ci/run`
//! installs.

use std::process::Command;

#[test]
fn pyomo_solves_through_pounce() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pyomo/solve_models.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_pounce"))
        .env_remove("ipopt_options")
        .env_remove("pounce_options")
        .output()
        .expect("python3 must be installed (see .ci/run)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.ends_with("0 failed\n"), "{stdout}");
}
