//! Degenerate models (testdata/nl/degenerate_*.nl), evaluation errors at trial points,
//! and a `.sol` path that cannot be written, through the executable.
//!
//! Expected outcomes are Ipopt's (spec C.2, C.3, pitfalls 49; where the spec is silent,
//! Ipopt 3.14.19 through `../shared/tools/ipopt_ref.py`): too few degrees of freedom and
//! inconsistent bounds end before iterating, where pounce — unlike Ipopt, which writes
//! nothing — writes a `.sol` with codes 551 and 200 (a documented improvement); a model
//! without objective, without constraints or with all variables fixed is solved (code 0);
//! a file without variables is a read error.

mod robust_common;

use std::path::Path;

use robust_common::{run_pounce, scratch, sol_status, sol_values, testdata};

/// Solves `name` from testdata in a scratch directory; returns (log, .sol text).
fn solve(name: &str, extra: &[&str]) -> (String, String) {
    let dir = scratch(name);
    std::fs::copy(testdata(name), dir.join(name)).unwrap();
    let mut args = vec![name, "-AMPL"];
    args.extend_from_slice(extra);
    let (run, out, err) = run_pounce(&dir, &args);
    assert_eq!(run.status.code(), Some(0), "{name}: {out}{err}");
    assert!(!err.contains("panicked"), "{err}");
    let sol = std::fs::read_to_string(dir.join(Path::new(name).with_extension("sol")))
        .unwrap_or_else(|_| panic!("{name}: no .sol\n{out}"));
    (out, sol)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

#[test]
fn too_few_degrees_of_freedom() {
    let (out, sol) = solve("degenerate_dof.nl", &[]);
    assert!(
        out.contains("EXIT: Problem has too few degrees of freedom."),
        "{out}"
    );
    // Improved over Ipopt (no .sol there): the .sol carries code 551.
    assert_eq!(sol_status(&sol), 551);
    assert!(sol.contains("NLP has too few degrees of freedom."));
}

#[test]
fn inconsistent_bounds() {
    let (out, sol) = solve("degenerate_bounds.nl", &[]);
    assert!(
        out.contains("EXIT: Problem has inconsistent variable bounds or constraint sides."),
        "{out}"
    );
    assert_eq!(sol_status(&sol), 200);
}

#[test]
fn no_objective_finds_a_feasible_point() {
    let (out, sol) = solve("degenerate_noobj.nl", &[]);
    assert_eq!(sol_status(&sol), 0, "{out}");
    let v = sol_values(&sol);
    let (x0, x1) = (v[2], v[3]);
    assert!(close(x0 * x0 + x1 * x1, 4.0) && close(x0, x1), "{v:?}");
}

#[test]
fn no_constraints() {
    let (out, sol) = solve("degenerate_nocons.nl", &[]);
    assert_eq!(sol_status(&sol), 0, "{out}");
    let v = sol_values(&sol);
    assert!(close(v[0], 1.0) && close(v[1], 2.0), "{v:?}");
}

#[test]
fn all_variables_fixed() {
    let (out, sol) = solve("degenerate_fixed.nl", &[]);
    assert_eq!(sol_status(&sol), 0, "{out}");
    let v = sol_values(&sol);
    // One dual, then the fixed values.
    assert_eq!(v.len(), 3);
    assert_eq!((v[1], v[2]), (1.0, 2.0));
}

/// A file with no variables is rejected by the reader (line 2 of the header), with one
/// message, exit code 1 and no `.sol`. (Ipopt's library, given such a problem through
/// `ipopt_ref.py`, reports success; AMPL and Pyomo do not write such files.)
#[test]
fn empty_model() {
    let dir = scratch("empty");
    let name = "degenerate_empty.nl";
    std::fs::copy(testdata(name), dir.join(name)).unwrap();
    let (run, out, err) = run_pounce(&dir, &[name, "-AMPL"]);
    assert_eq!(run.status.code(), Some(1), "{out}{err}");
    assert_eq!(
        err.trim_end(),
        format!("{name}: line 2: bad header: the model has no variables")
    );
    assert!(!dir.join("degenerate_empty.sol").exists());
}

/// `min x − log(x)` from x = 3 with no bound on x: the first Newton step lands at
/// x = −3, where the log is undefined; the step must shrink and the solve go on to x = 1.
#[test]
fn evaluation_error_at_a_trial_point_shrinks_the_step() {
    let dir = scratch("trial-eval");
    let model = "g3 1 1 0\t# min x - log(x), x0 = 3\n 1 0 1 0 0\n 0 1 0 0 0 0\n 0 0\n 0 1 0\n \
                 0 0 0 1\n 0 0 0 0 0\n 0 1\n 0 0\n 0 0 0 0 0\nO0 0\no16\no43\nv0\nx1\n0 3\n\
                 b\n3\nG0 1\n0 1\n";
    std::fs::write(dir.join("logx.nl"), model).unwrap();
    let (run, out, err) = run_pounce(&dir, &["logx.nl", "-AMPL"]);
    assert_eq!(run.status.code(), Some(0), "{out}{err}");
    let sol = std::fs::read_to_string(dir.join("logx.sol")).unwrap();
    assert_eq!(sol_status(&sol), 0, "{out}");
    let x = sol_values(&sol)[0];
    assert!(close(x, 1.0), "x = {x}");
    // Iteration 1 needed more than one trial step.
    let first = out
        .lines()
        .find(|l| l.trim_start().starts_with("1 "))
        .unwrap_or_else(|| panic!("no iteration 1 in\n{out}"));
    let trials: usize = first.split_whitespace().last().unwrap().parse().unwrap();
    assert!(trials > 1, "{first}");
    assert!(!out.to_lowercase().contains("nan"), "{out}");
}

#[test]
fn unwritable_sol_path_is_an_error_with_exit_code_2() {
    let dir = scratch("unwritable");
    std::fs::copy(testdata("hs071.nl"), dir.join("hs071.nl")).unwrap();
    std::fs::create_dir(dir.join("taken.sol")).unwrap();
    for target in ["missing/dir/out.sol", "taken.sol"] {
        let (run, out, err) = run_pounce(&dir, &["-o", target, "hs071.nl", "-AMPL"]);
        assert_eq!(run.status.code(), Some(2), "{target}: {out}{err}");
        assert!(err.starts_with(&format!("can't open {target}: ")), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    // Nothing partial is left behind: only the model and the directory in the way.
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".txt"))
        .collect();
    left.sort();
    assert_eq!(left, ["hs071.nl", "taken.sol"]);
    assert_eq!(std::fs::read_dir(dir.join("taken.sol")).unwrap().count(), 0);
}
