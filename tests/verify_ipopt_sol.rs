//! `pounce verify` on the `.sol` files the AMPL `ipopt` executable wrote
//! (`../shared/reference/ipopt-sol/`, each beside its `.nl`): every one is accepted as
//! written, and rejected after a deliberate perturbation of x, of a dual or of a bound
//! multiplier, with the perturbed row or column named where the perturbation pins it down.

use pounce::ampl::sol_read::{SolFile, SolSuffix, read_sol};
use pounce::ampl::verify::certify_sol;
use pounce::certificate::{Certificate, Tolerances, worst};
use pounce::nl::model::{Model, Sense};
use std::path::{Path, PathBuf};

fn reference_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/ipopt-sol");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sol"))
        .collect();
    files.sort();
    assert!(files.len() >= 39, "{} .sol files", files.len());
    files
}

fn load(sol: &Path) -> (Model, SolFile) {
    let model = pounce::nl::read_file(&sol.with_extension("nl")).unwrap();
    let data = std::fs::read(sol).unwrap();
    let file = read_sol(&data, model.n_con, model.n_var).unwrap();
    (model, file)
}

fn check(model: &Model, sol: &SolFile) -> Certificate {
    certify_sol(model, sol, Tolerances::default()).unwrap()
}

fn set_suffix(sol: &mut SolFile, name: &str, j: usize, value: f64) {
    let s: &mut SolSuffix = sol
        .suffixes
        .iter_mut()
        .find(|s| s.name == name)
        .expect("Ipopt writes both bound suffixes");
    s.entries.retain(|e| e.0 != j);
    s.entries.push((j, value));
}

fn suffix_value(sol: &SolFile, name: &str, j: usize) -> f64 {
    sol.variable_suffix(name)
        .and_then(|s| s.entries.iter().find(|e| e.0 == j))
        .map_or(0.0, |e| e.1)
}

#[test]
fn accepts_every_reference_solution() {
    let mut worst_error: f64 = 0.0;
    for path in reference_files() {
        let (model, sol) = load(&path);
        let c = check(&model, &sol);
        assert!(c.verified(), "{}\n{}", path.display(), c.log_block());
        assert!(c.residuals.dual_infeasibility.is_some());
        worst_error = worst_error.max(c.residuals.overall_error());
    }
    assert!(worst_error > 0.0);
}

#[test]
fn rejects_each_reference_solution_after_a_perturbed_x() {
    for path in reference_files() {
        let (model, mut sol) = load(&path);
        for x in sol.primals.as_mut().unwrap() {
            *x += 1e-3 * (1.0 + x.abs());
        }
        let c = check(&model, &sol);
        assert!(!c.verified(), "{}", path.display());
    }
}

#[test]
fn rejects_each_reference_solution_after_a_perturbed_dual() {
    for path in reference_files() {
        let (model, mut sol) = load(&path);
        let duals = sol.duals.as_mut().unwrap();
        if duals.is_empty() {
            // No rows (e.g. rosenbr): the x and bound-multiplier perturbations cover it.
            continue;
        }
        // A one-sided row: its dual given the wrong sign (spec B.3) must be named.
        let sigma = match model.objective_sense[0] {
            Sense::Minimize => 1.0,
            Sense::Maximize => -1.0,
        };
        let one_sided = (0..model.n_con)
            .find(|&i| model.con_lower[i].is_finite() != model.con_upper[i].is_finite());
        match one_sided {
            Some(i) => {
                // Minimize: a `≥` row's dual is ≥ 0, a `≤` row's ≤ 0; maximize flips.
                let lower = model.con_lower[i].is_finite();
                let right_sign = if lower { sigma } else { -sigma };
                duals[i] = -right_sign * (1.0 + duals[i].abs());
                let c = check(&model, &sol);
                assert!(!c.verified(), "{}", path.display());
                assert_eq!(
                    worst(&c.row_scores(), 1),
                    vec![i],
                    "{}\n{}",
                    path.display(),
                    c.log_block()
                );
                assert!(c.residuals.rows[i].dual_sign >= 1.0);
            }
            None => {
                duals[0] += 1.0;
                let c = check(&model, &sol);
                assert!(!c.verified(), "{}", path.display());
            }
        }
    }
}

#[test]
fn rejects_each_reference_solution_after_a_perturbed_bound_multiplier() {
    for path in reference_files() {
        let (model, mut sol) = load(&path);
        let sigma = match model.objective_sense[0] {
            Sense::Minimize => 1.0,
            Sense::Maximize => -1.0,
        };
        // The first variable that is not fixed: its lower-bound multiplier grows by 1
        // (ipopt_zL_out = σ·z_L).
        let j = (0..model.n_var)
            .find(|&j| model.var_lower[j] != model.var_upper[j])
            .unwrap();
        let v = suffix_value(&sol, "ipopt_zL_out", j) + sigma;
        set_suffix(&mut sol, "ipopt_zL_out", j, v);
        let c = check(&model, &sol);
        assert!(!c.verified(), "{}", path.display());
        assert_eq!(
            worst(&c.column_scores(), 1),
            vec![j],
            "{}\n{}",
            path.display(),
            c.log_block()
        );
    }
}
