//! End to end: the executable reads HS071, solves it with the NLP method, certifies the
//! result and writes a `.sol` that agrees with Ipopt's (spec A.12 and B.6).

mod common;

use std::process::Command;

#[test]
fn hs071_solves_to_ipopts_point_and_sol_carries_the_certificate() {
    let dir = common::scratch("solve_hs071", "ampl_mode");
    let nl = dir.join("hs071.nl");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/nl/hs071.nl"),
        &nl,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pounce"))
        .arg(&nl)
        .arg("-AMPL")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Number of Iterations....: 8"), "{stdout}");
    assert!(stdout.contains("EXIT: Optimal Solution Found."), "{stdout}");

    let sol = std::fs::read_to_string(dir.join("hs071.sol")).unwrap();
    let lines: Vec<&str> = sol.lines().collect();
    assert!(lines[1].ends_with(": Optimal Solution Found"), "{sol}");
    assert!(
        lines[2].starts_with("certificate: ") && lines[2].ends_with(": verified"),
        "{sol}"
    );
    // After `Options`, the count 3 and the header's options 1 1 0, come n_con, n_con,
    // n_var, n_var, then the duals and the primals.
    let options = lines.iter().position(|l| *l == "Options").unwrap();
    let numbers: Vec<f64> = lines[options + 5..options + 9]
        .iter()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert_eq!(numbers, [2.0, 2.0, 4.0, 4.0]);
    let values: Vec<f64> = lines[options + 9..options + 15]
        .iter()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    // Ipopt 3.14.15's .sol for the same file (spec A.12 / B.6).
    let ipopt_duals = [0.5522936589, -0.1614685631];
    let ipopt_x = [0.9999999923, 4.742999642, 3.821149982, 1.379408290];
    for (got, want) in values.iter().zip(ipopt_duals.iter().chain(&ipopt_x)) {
        assert!(
            (got - want).abs() <= 1e-7 * want.abs().max(1.0),
            "{got} vs {want}"
        );
    }
    assert!(sol.contains("objno 0 0"), "{sol}");
}
