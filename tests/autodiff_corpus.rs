//! Every CUTE corpus file (both writers): ∇f, the Jacobian and the lower triangle of
//! the Lagrangian Hessian at x0 and x1 against the ASL reference evaluations in
//! `../shared/reference/eval-*/NAME.json`, entry by entry within 1e-9 relative (1e-9
//! absolute near zero), duplicates summed, summaries compared as the reference
//! gives them. ∇f and the Jacobian of the certificate's [`TapeGradient`] are checked
//! against the same reference.
//!
//! One documented exception: the AMPL-written `hs085` declares Jacobian rows that
//! miss variables its expressions depend on through defined variables, and the ASL
//! then drops those derivatives (reference README). pounce takes its structure from
//! the expressions, so that file's Jacobian and Hessian are compared with the
//! reference of the Pyomo-written `hs085`, whose structure is complete and whose
//! values agree with finite differences.

use pounce::autodiff::report::at_point;
use pounce::autodiff::{FirstOrder, TapeGradient};
use pounce::nl::read_file;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const RTOL: f64 = 1e-9;

fn close_scaled(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= RTOL + RTOL * scale
}

fn close(a: f64, b: f64) -> bool {
    close_scaled(a, b, a.abs().max(b.abs()))
}

/// Entry `k` of a reference list: a dense value (key `(k, 0)`) or a
/// `[row, col, value]` triple.
fn entry(e: &Value, k: usize, dense: bool) -> ((usize, usize), f64) {
    if dense {
        return ((k, 0), e.as_f64().unwrap());
    }
    let t = e.as_array().unwrap();
    let index = |i: usize| t[i].as_u64().unwrap() as usize;
    ((index(0), index(1)), t[2].as_f64().unwrap())
}

fn x1_of(x0: &[f64]) -> Vec<f64> {
    x0.iter()
        .enumerate()
        .map(|(j, &v)| v + 0.1 * (1.0 + v.abs()) * ((j + 1) as f64).sin())
        .collect()
}

fn y_default(m: usize) -> Vec<f64> {
    (0..m)
        .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 } * (1 + i % 7) as f64 / 8.0)
        .collect()
}

/// Exactly rounded sum (the reference summaries use `math.fsum`).
fn fsum(v: impl Iterator<Item = f64>) -> f64 {
    let mut partials: Vec<f64> = Vec::new();
    for mut x in v {
        let mut i = 0;
        for k in 0..partials.len() {
            let mut y = partials[k];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        partials.truncate(i);
        partials.push(x);
    }
    partials.iter().sum()
}

/// Compares a list of values (dense or triplets summed into a map) with a reference
/// list or summary.
fn compare(
    key: &str,
    got: &[((usize, usize), f64)],
    reference: &Value,
    dense: bool,
) -> Option<String> {
    if let Some(list) = reference.as_array() {
        let mut want = BTreeMap::new();
        for (k, e) in list.iter().enumerate() {
            let (key, v) = entry(e, k, dense);
            *want.entry(key).or_insert(0.0) += v;
        }
        if dense && list.len() != got.len() {
            return Some(format!(
                "{key}: length {}, reference {}",
                got.len(),
                list.len()
            ));
        }
        let mut have: BTreeMap<(usize, usize), f64> = BTreeMap::new();
        for &(k, v) in got {
            *have.entry(k).or_insert(0.0) += v;
        }
        for k in want.keys().chain(have.keys()) {
            let (a, b) = (
                have.get(k).copied().unwrap_or(0.0),
                want.get(k).copied().unwrap_or(0.0),
            );
            if !close(a, b) {
                return Some(format!("{key}{k:?}: pounce {a:e}, reference {b:e}"));
            }
        }
        return None;
    }
    let mut have: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for &(k, v) in got {
        *have.entry(k).or_insert(0.0) += v;
    }
    let vals: Vec<f64> = have.values().copied().collect();
    let get = |k: &str| reference[k].as_f64().unwrap();
    let sum_abs = fsum(vals.iter().map(|v| v.abs()));
    let scale = sum_abs.max(get("sum_abs"));
    let checks = [
        ("sum", fsum(vals.iter().copied()), get("sum"), scale),
        (
            "sum_abs",
            sum_abs,
            get("sum_abs"),
            sum_abs.max(get("sum_abs")),
        ),
        (
            "norm2",
            fsum(vals.iter().map(|v| v * v)).sqrt(),
            get("norm2"),
            get("norm2"),
        ),
    ];
    for (what, a, b, scale) in checks {
        if !close_scaled(a, b, scale.max(a.abs())) {
            return Some(format!("{key} {what}: pounce {a:e}, reference {b:e}"));
        }
    }
    let first = reference["first"].as_array().unwrap();
    for (k, e) in first.iter().enumerate() {
        let (key_k, b) = entry(e, k, dense);
        let a = have.get(&key_k).copied().unwrap_or(0.0);
        if !close(a, b) {
            return Some(format!("{key}{key_k:?}: pounce {a:e}, reference {b:e}"));
        }
    }
    None
}

fn triplets(v: &[(usize, usize, f64)]) -> Vec<((usize, usize), f64)> {
    v.iter().map(|&(r, c, x)| ((r, c), x)).collect()
}

#[test]
fn cute_corpus_derivatives_match_asl_reference() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if !root.is_dir() {
        println!(
            "NOTICE: {} is absent; corpus comparison skipped",
            root.display()
        );
        return;
    }
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for writer in ["ampl", "pyomo"] {
        for e in std::fs::read_dir(root.join("corpus/cute").join(writer)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "nl") {
                files.push((writer.to_string(), p));
            }
        }
    }
    files.sort();
    assert_eq!(files.len(), 475, "corpus file count");
    let read_ref = |writer: &str, name: &str| -> Value {
        let p = root.join(format!("reference/eval-{writer}/{name}.json"));
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    let mut failures = Vec::new();
    let mut derivative_errors = 0;
    let mut tape_errors = 0;
    for (writer, path) in &files {
        let name = path.file_stem().unwrap().to_str().unwrap();
        let reference = read_ref(writer, name);
        let structure_ref = if writer == "ampl" && name == "hs085" {
            read_ref("pyomo", name)
        } else {
            reference.clone()
        };
        let model = read_file(path).unwrap();
        let x0: Vec<f64> = model.x0.iter().map(|v| v.unwrap_or(0.0)).collect();
        let y = y_default(model.n_con);
        let mut tape_gradient = TapeGradient::new(&model);
        for (label, x) in [("x0", x0.clone()), ("x1", x1_of(&x0))] {
            let d = at_point(&model, &x, 1.0, &y).unwrap();
            let dump = &reference[label];
            let mut first = FirstOrder::default();
            match tape_gradient.evaluate(&x, &mut first) {
                Err(_) if dump["grad"].is_null() => tape_errors += 1,
                Err(e) => failures.push(format!("{writer}/{name} at {label}: tape: {e}")),
                Ok(()) => {
                    let grad: Vec<_> = first
                        .gradient
                        .iter()
                        .enumerate()
                        .map(|(k, &v)| ((k, 0), v))
                        .collect();
                    let jac: Vec<_> = (0..first.jacobian_values.len())
                        .map(|k| {
                            let (i, j) = (first.jacobian_rows[k], first.jacobian_cols[k]);
                            ((i as usize, j as usize), first.jacobian_values[k])
                        })
                        .collect();
                    let tape_parts = [
                        ("tape grad", grad, &dump["grad"], true),
                        ("tape jac", jac, &structure_ref[label]["jac"], false),
                    ];
                    for (key, got, want, dense) in tape_parts {
                        if let Some(msg) = compare(key, &got, want, dense) {
                            failures.push(format!("{writer}/{name} at {label}: {msg}"));
                        }
                    }
                }
            }
            let grad: Option<Vec<((usize, usize), f64)>> = d
                .grad
                .as_ref()
                .map(|g| g.iter().enumerate().map(|(k, &v)| ((k, 0), v)).collect());
            let parts = [
                ("grad", grad, &dump["grad"], true),
                (
                    "jac",
                    d.jac.as_deref().map(triplets),
                    &structure_ref[label]["jac"],
                    false,
                ),
                (
                    "hess",
                    d.hess.as_deref().map(triplets),
                    &structure_ref[label]["hess"],
                    false,
                ),
            ];
            for (key, got, want, dense) in parts {
                let msg = match (got, want.is_null()) {
                    (Some(g), false) => compare(key, &g, want, dense),
                    (None, false) => Some(format!("{key}: error {:?}", d.errors)),
                    (Some(_), true) => Some(format!(
                        "{key}: evaluated, but the reference reports an error"
                    )),
                    (None, true) => {
                        derivative_errors += 1;
                        None
                    }
                };
                if let Some(msg) = msg {
                    failures.push(format!("{writer}/{name} at {label}: {msg}"));
                }
            }
            if key_is_hess_lower(&d.hess) {
                failures.push(format!(
                    "{writer}/{name} at {label}: hess entry above the diagonal"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // bigbank, chebyqad and hs112 at x1 (both writers): grad and hess are null.
    assert_eq!(
        derivative_errors, 12,
        "reference points without derivatives"
    );
    assert_eq!(tape_errors, 6, "reference points without a gradient");
}

fn key_is_hess_lower(h: &Option<Vec<(usize, usize, f64)>>) -> bool {
    h.as_ref().is_some_and(|h| h.iter().any(|&(r, c, _)| r < c))
}
