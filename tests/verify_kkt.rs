//! Certificates on small models whose KKT point is derived by hand, for minimize and
//! maximize, with a `≥` (nonlinear), a `≤`, a range and an equality row and active lower and
//! upper variable bounds; perturbed points must fail with the right row or column named.
//!
//! `testdata/nl/kkt_min.nl`: minimize Σⱼ (xⱼ − 2)² over x ∈ ℝ⁷ subject to
//! row 0: x₀² ≥ 9, row 1: x₁ ≤ 1, row 2: 0 ≤ x₂ + x₃ ≤ 3, row 3: x₄ + x₅ = 2,
//! x₀ ≥ 0, x₅ ≤ 0.5, x₆ ≥ 3. `kkt_max.nl` maximizes the negated objective.
//!
//! By hand: x* = (3, 1, 1.5, 1.5, 1.5, 0.5, 3), f* = 6. With ∇f = 2(x − 2) =
//! (2, −2, −1, −1, −1, −3, 2) and Ipopt's stationarity ∇f + Jᵀλ − z_L + z_U = 0 (σf is the same
//! function for both models): column 0: 2 + 6λ₀ = 0 → λ₀ = −1/3; column 1: λ₁ = 2;
//! columns 2, 3: λ₂ = 1; column 4: λ₃ = 1; column 5: −3 + λ₃ + z_U5 = 0 → z_U5 = 2;
//! column 6: 2 − z_L6 = 0 → z_L6 = 2. In AMPL's conventions (spec B.3) the `.sol` holds,
//! for minimize, duals −λ = (1/3, −2, −1, −1), ipopt_zL_out 6: 2, ipopt_zU_out 5: −2; for
//! maximize, duals +λ = (−1/3, 2, 1, 1), ipopt_zL_out 6: −2, ipopt_zU_out 5: 2.

use pounce::ampl::sol::{SolContents, SolHeader};
use pounce::ampl::sol_read::{SolFile, read_sol};
use pounce::ampl::verify::certify_sol;
use pounce::certificate::{
    Certificate, Entry, Multipliers, NlpScaling, Tolerances, certify, worst,
};
use pounce::nl::model::{Model, Sense};
use pounce::outcome::{Solution, SolveStatus};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

const X: [f64; 7] = [3.0, 1.0, 1.5, 1.5, 1.5, 0.5, 3.0];

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/nl")
        .join(name)
}

fn model(name: &str) -> Model {
    pounce::nl::read_file(&testdata(name)).unwrap()
}

/// The hand-derived `.sol` contents in AMPL's conventions.
struct AmplPoint {
    duals: Vec<f64>,
    zl_out: Vec<f64>,
    zu_out: Vec<f64>,
}

fn hand_ampl(sense: Sense) -> AmplPoint {
    let s = match sense {
        Sense::Minimize => 1.0,
        Sense::Maximize => -1.0,
    };
    let mut zl_out = vec![0.0; 7];
    let mut zu_out = vec![0.0; 7];
    zl_out[6] = 2.0 * s;
    zu_out[5] = -2.0 * s;
    AmplPoint {
        duals: vec![s / 3.0, -2.0 * s, -s, -s],
        zl_out,
        zu_out,
    }
}

/// The `.sol` of the hand-derived point, built directly in AMPL's conventions.
fn sol_file(p: &AmplPoint, x: &[f64]) -> SolFile {
    let text = format!(
        " \nhand: Optimal Solution Found\n\nOptions\n3\n1\n1\n0\n4\n4\n7\n7\n{}\n{}\nobjno 0 0\n\
         suffix 4 7 13 0 0\nipopt_zU_out\n{}\nsuffix 4 7 13 0 0\nipopt_zL_out\n{}\n",
        p.duals
            .iter()
            .map(|v| format!("{v:e}"))
            .collect::<Vec<_>>()
            .join("\n"),
        x.iter()
            .map(|v| format!("{v:e}"))
            .collect::<Vec<_>>()
            .join("\n"),
        (0..7)
            .map(|j| format!("{j} {:e}", p.zu_out[j]))
            .collect::<Vec<_>>()
            .join("\n"),
        (0..7)
            .map(|j| format!("{j} {:e}", p.zl_out[j]))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    read_sol(text.as_bytes(), 4, 7).unwrap()
}

fn tight() -> Tolerances {
    Tolerances::default()
}

fn certificate(name: &str, p: &AmplPoint, x: &[f64]) -> Certificate {
    certify_sol(&model(name), &sol_file(p, x), tight(), &NlpScaling::None).unwrap()
}

fn assert_verified(c: &Certificate) {
    assert!(c.verified(), "{}", c.log_block());
}

fn first_row(c: &Certificate) -> Option<usize> {
    worst(&c.row_scores(), 1).first().copied()
}

fn first_column(c: &Certificate) -> Option<usize> {
    worst(&c.column_scores(), 1).first().copied()
}

#[test]
fn hand_derived_points_verify_for_minimize_and_maximize() {
    for (name, sense, f) in [
        ("kkt_min.nl", Sense::Minimize, 6.0),
        ("kkt_max.nl", Sense::Maximize, -6.0),
    ] {
        assert_eq!(model(name).objective_sense, vec![sense]);
        let c = certificate(name, &hand_ampl(sense), &X);
        assert_verified(&c);
        let r = &c.residuals;
        assert!((r.objective - f).abs() < 1e-12, "{name}: {}", r.objective);
        assert!(r.dual_infeasibility.unwrap().absolute < 1e-14);
        assert_eq!(r.complementarity.unwrap().absolute, 0.0);
        assert!(!r.inferred_bound_multipliers);
    }
}

#[test]
fn the_writer_produces_the_hand_derived_ampl_signs() {
    for (name, sense) in [
        ("kkt_min.nl", Sense::Minimize),
        ("kkt_max.nl", Sense::Maximize),
    ] {
        let mut z_lower = vec![0.0; 7];
        let mut z_upper = vec![0.0; 7];
        z_lower[6] = 2.0;
        z_upper[5] = 2.0;
        let solution = Solution {
            status: SolveStatus::Success,
            x: X.to_vec(),
            lambda: vec![-1.0 / 3.0, 2.0, 1.0, 1.0],
            z_lower,
            z_upper,
            objective: if sense == Sense::Minimize { 6.0 } else { -6.0 },
            iterations: 0,
        };
        // The solver-side certificate of the same point (Ipopt's convention).
        assert_verified(&certify(
            &model(name),
            &solution,
            tight(),
            &NlpScaling::None,
        ));
        let contents = SolContents::new("t", sense, 4, 7, &solution);
        let header = SolHeader {
            format: pounce::ampl::sol::SolFormat::Text,
            ampl_options: vec![1, 1, 0],
            vbtol: None,
            want_suffixes: true,
        };
        let sol = read_sol(&contents.to_bytes(&header), 4, 7).unwrap();
        let hand = hand_ampl(sense);
        assert_eq!(sol.duals.as_deref(), Some(&hand.duals[..]), "{name}");
        let zl = sol
            .variable_suffix("ipopt_zL_out")
            .unwrap()
            .dense(7)
            .unwrap();
        let zu = sol
            .variable_suffix("ipopt_zU_out")
            .unwrap()
            .dense(7)
            .unwrap();
        assert_eq!((zl, zu), (hand.zl_out, hand.zu_out), "{name}");
    }
}

#[test]
fn the_other_sense_convention_fails_on_every_inequality_row() {
    // Duals written with the maximize convention do not certify a minimize model, and
    // vice versa; each one-sided row with a flipped dual is named.
    for (name, wrong) in [
        ("kkt_min.nl", Sense::Maximize),
        ("kkt_max.nl", Sense::Minimize),
    ] {
        let c = certificate(name, &hand_ampl(wrong), &X);
        assert!(!c.verified());
        let r = &c.residuals;
        assert!(r.rows[0].dual_sign > 0.0, "≥ row with a ≤ row's sign");
        assert!(r.rows[1].dual_sign > 0.0, "≤ row with a ≥ row's sign");
        assert!(r.columns[5].stationarity > 0.0 && r.columns[6].stationarity > 0.0);
    }
}

#[test]
fn a_single_flipped_dual_names_its_row() {
    for (name, sense) in [
        ("kkt_min.nl", Sense::Minimize),
        ("kkt_max.nl", Sense::Maximize),
    ] {
        for row in 0..2 {
            let mut p = hand_ampl(sense);
            p.duals[row] = -p.duals[row];
            let c = certificate(name, &p, &X);
            assert!(!c.verified(), "{name} row {row}");
            assert_eq!(first_row(&c), Some(row), "{name}\n{}", c.log_block());
            assert!(c.residuals.rows[row].dual_sign > 0.0);
        }
        // The range row accepts either sign, but a negated dual points at the inactive
        // side: complementarity of that row fails.
        let mut p = hand_ampl(sense);
        p.duals[2] = -p.duals[2];
        let c = certificate(name, &p, &X);
        assert!(!c.verified());
        assert_eq!(first_row(&c), Some(2));
        assert!(c.residuals.rows[2].complementarity > 1.0);
        // An equality row's dual has no sign; a wrong value shows in its columns 4 and 5.
        let mut p = hand_ampl(sense);
        p.duals[3] *= 1.5;
        let c = certificate(name, &p, &X);
        assert!(!c.verified());
        let cols = worst(&c.column_scores(), 2);
        assert_eq!(cols.len(), 2);
        assert!(cols.contains(&4) && cols.contains(&5), "{cols:?}");
    }
}

#[test]
fn a_perturbed_x_names_its_column_and_violated_row() {
    for name in ["kkt_min.nl", "kkt_max.nl"] {
        let sense = model(name).objective_sense[0];
        for j in 0..7 {
            let mut x = X;
            x[j] += 1e-3;
            let c = certificate(name, &hand_ampl(sense), &x);
            assert!(!c.verified(), "{name} x{j}");
            assert_eq!(first_column(&c), Some(j), "{name} x{j}\n{}", c.log_block());
        }
        // Moving x₂ up violates the range row 2 by 0.01 > constr_viol_tol.
        let mut x = X;
        x[2] += 0.01;
        let c = certificate(name, &hand_ampl(sense), &x);
        let cv = c.residuals.constraint_violation;
        assert!((cv.absolute - 0.01).abs() < 1e-12);
        assert_eq!(cv.worst, Some(Entry::Row(2)));
        assert_eq!(first_row(&c), Some(2));
    }
}

#[test]
fn a_perturbed_bound_multiplier_names_its_column() {
    for (name, sense) in [
        ("kkt_min.nl", Sense::Minimize),
        ("kkt_max.nl", Sense::Maximize),
    ] {
        let s = if sense == Sense::Minimize { 1.0 } else { -1.0 };
        // Wrong size of an active bound's multiplier.
        let mut p = hand_ampl(sense);
        p.zl_out[6] *= 1.25;
        let c = certificate(name, &p, &X);
        assert!(!c.verified());
        assert_eq!(first_column(&c), Some(6));
        // A multiplier on an inactive lower bound (x₀ = 3 > 0) breaks complementarity
        // and stationarity of column 0.
        let mut p = hand_ampl(sense);
        p.zl_out[0] = 1e-3 * s;
        let c = certificate(name, &p, &X);
        assert!(!c.verified());
        assert_eq!(first_column(&c), Some(0));
        assert!(c.residuals.columns[0].complementarity > 1e-3);
        // A multiplier on a bound that does not exist (x₁ has no upper bound).
        let mut p = hand_ampl(sense);
        p.zu_out[1] = -1e-3 * s;
        let c = certificate(name, &p, &X);
        assert!(!c.verified());
        assert_eq!(first_column(&c), Some(1));
        // Wrong sign: the bound multiplier of x₅'s upper bound negated.
        let mut p = hand_ampl(sense);
        p.zu_out[5] = -p.zu_out[5];
        let c = certificate(name, &p, &X);
        assert!(!c.verified());
        assert_eq!(first_column(&c), Some(5));
    }
}

#[test]
fn without_bound_multipliers_they_are_inferred() {
    for (name, sense) in [
        ("kkt_min.nl", Sense::Minimize),
        ("kkt_max.nl", Sense::Maximize),
    ] {
        let p = hand_ampl(sense);
        let m = model(name);
        let mult = Multipliers::from_ampl(sense, &p.duals, None, None, 7);
        let c = pounce::certificate::certify_point(
            &m,
            &X,
            Some(&mult),
            tight(),
            &NlpScaling::None,
            None,
        );
        assert!(c.residuals.inferred_bound_multipliers);
        assert_verified(&c);
        // Without duals only feasibility is checked.
        let c = pounce::certificate::certify_point(&m, &X, None, tight(), &NlpScaling::None, None);
        assert!(c.residuals.dual_infeasibility.is_none());
        assert_verified(&c);
        let mut x = X;
        x[1] = 1.01;
        let c = pounce::certificate::certify_point(&m, &x, None, tight(), &NlpScaling::None, None);
        assert!(!c.verified());
        assert_eq!(first_row(&c), Some(1));
    }
}

#[test]
fn reported_objective_must_match_and_status_follows_the_certificate() {
    let m = model("kkt_min.nl");
    let mut z_lower = vec![0.0; 7];
    let mut z_upper = vec![0.0; 7];
    z_lower[6] = 2.0;
    z_upper[5] = 2.0;
    let mut solution = Solution {
        status: SolveStatus::Success,
        x: X.to_vec(),
        lambda: vec![-1.0 / 3.0, 2.0, 1.0, 1.0],
        z_lower,
        z_upper,
        objective: 6.0,
        iterations: 0,
    };
    let acceptable = Tolerances {
        tol: 1e-6,
        constr_viol_tol: 1e-2,
        dual_inf_tol: 1e10,
        compl_inf_tol: 1e-2,
        bound_relax_factor: 1e-8,
    };
    let c = certify(&m, &solution, tight(), &NlpScaling::None);
    assert_eq!(
        c.status_for(SolveStatus::Success, &acceptable),
        SolveStatus::Success
    );
    assert!(
        c.summary_line().ends_with(": verified"),
        "{}",
        c.summary_line()
    );
    solution.objective = 6.5;
    let c = certify(&m, &solution, tight(), &NlpScaling::None);
    assert!(!c.verified());
    solution.objective = 6.0;
    // Slightly off multiplier: acceptable, not optimal.
    solution.lambda[1] += 1e-7;
    let c = certify(&m, &solution, tight(), &NlpScaling::None);
    assert_eq!(
        c.status_for(SolveStatus::Success, &acceptable),
        SolveStatus::StopAtAcceptablePoint
    );
    assert!(c.summary_line().ends_with(": NOT verified"));
    assert!(c.log_block().contains("NOT verified"));
    // Far off: a failure, never optimal.
    solution.lambda[1] += 1.0;
    let c = certify(&m, &solution, tight(), &NlpScaling::None);
    assert_eq!(
        c.status_for(SolveStatus::Success, &acceptable),
        SolveStatus::ErrorInStepComputation
    );
    // Other outcomes pass through.
    assert_eq!(
        c.status_for(SolveStatus::MaxIterExceeded, &acceptable),
        SolveStatus::MaxIterExceeded
    );
}

fn run_verify(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pounce"))
        .arg("verify")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_command_names_rows_and_columns_and_exits_by_outcome() {
    let dir = common::scratch("verify", "kkt");
    let nl = testdata("kkt_min.nl");
    let nl = nl.to_str().unwrap();
    let write = |name: &str, p: &AmplPoint, x: &[f64]| -> String {
        let f = sol_file(p, x);
        let mut s =
            String::from(" \nhand: Optimal Solution Found\n\nOptions\n3\n1\n1\n0\n4\n4\n7\n7\n");
        for v in f.duals.unwrap().iter().chain(f.primals.as_ref().unwrap()) {
            s.push_str(&format!("{v:e}\n"));
        }
        s.push_str("objno 0 0\n");
        for (name, v) in [("ipopt_zU_out", &p.zu_out), ("ipopt_zL_out", &p.zl_out)] {
            let nz: Vec<_> = v.iter().enumerate().filter(|e| *e.1 != 0.0).collect();
            s.push_str(&format!("suffix 4 {} 13 0 0\n{name}\n", nz.len()));
            for (i, z) in nz {
                s.push_str(&format!("{i} {z:e}\n"));
            }
        }
        let path = dir.join(name);
        std::fs::write(&path, s).unwrap();
        path.to_str().unwrap().to_string()
    };
    let good = write("good.sol", &hand_ampl(Sense::Minimize), &X);
    let (code, out, _) = run_verify(&[nl, &good]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("verified."), "{out}");
    let mut p = hand_ampl(Sense::Minimize);
    p.duals[1] = 2.0;
    let bad = write("bad.sol", &p, &X);
    let (code, out, _) = run_verify(&[nl, &bad]);
    assert_eq!(code, 1, "{out}");
    let table = out.split("Worst rows").nth(1).expect("a row table");
    let first = table.lines().nth(2).unwrap();
    assert!(first.trim_start().starts_with("1  le "), "{out}");
    assert!(out.contains("NOT verified"));
    // Looser tolerances on the command line are honoured.
    let mut p = hand_ampl(Sense::Minimize);
    p.duals[3] += 1e-7;
    let near = write("near.sol", &p, &X);
    assert_eq!(run_verify(&[nl, &near]).0, 1);
    assert_eq!(run_verify(&[nl, &near, "--tol", "1e-6"]).0, 0);
    // Bad input: exit 2 with one message.
    let (code, _, err) = run_verify(&[nl, "/nonexistent.sol"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent.sol"), "{err}");
    let other = testdata("hs071.nl");
    let (code, _, err) = run_verify(&[other.to_str().unwrap(), &good]);
    assert_eq!(code, 2);
    assert!(err.contains("constraints"), "{err}");
    let (code, _, err) = run_verify(&[nl, &good, "--tol", "-1"]);
    assert_eq!(code, 2, "{err}");
}
