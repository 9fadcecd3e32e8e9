//! Every CUTE corpus file (both writers) is read and its objective and constraint
//! values at x0 and x1 are compared with the ASL reference evaluations in
//! `../shared/reference/eval-*/NAME.json`.

use std::path::{Path, PathBuf};

use pounce::nl::eval::{EvalError, Evaluator};
use pounce::nl::write::write_binary;
use pounce::nl::{ByteOrder, Format, Model, read_bytes, read_file};
use serde_json::Value;

/// |a − b| ≤ 1e-12 · (1 + max(|a|, |b|)).
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
}

/// Neumaier-compensated sum (the reference sums are exactly rounded).
fn sum(v: impl Iterator<Item = f64>) -> f64 {
    let (mut s, mut comp) = (0.0f64, 0.0f64);
    for x in v {
        let t = s + x;
        comp += if s.abs() >= x.abs() {
            (s - t) + x
        } else {
            (x - t) + s
        };
        s = t;
    }
    s + comp
}

fn x1_of(x0: &[f64]) -> Vec<f64> {
    x0.iter()
        .enumerate()
        .map(|(j, &v)| v + 0.1 * (1.0 + v.abs()) * ((j + 1) as f64).sin())
        .collect()
}

/// Objective 0 and all constraint values at `x`.
fn evaluate(model: &Model, x: &[f64]) -> (Result<f64, EvalError>, Result<Vec<f64>, EvalError>) {
    let ev = Evaluator::new(model);
    let mut ws = ev.workspace();
    let mut c = vec![0.0; model.n_con];
    let (f, ok) = ev.objective_and_constraints(x, &mut ws, &mut c);
    (f, ok.map(|()| c))
}

/// Compares our constraint values with a reference list or summary; returns a
/// description of the first disagreement.
fn compare_c(c: &[f64], reference: &Value) -> Option<String> {
    if let Some(list) = reference.as_array() {
        if list.len() != c.len() {
            return Some(format!(
                "c has {} entries, reference {}",
                c.len(),
                list.len()
            ));
        }
        for (i, (r, &a)) in list.iter().zip(c).enumerate() {
            let b = r.as_f64().expect("number");
            if !close(a, b) {
                return Some(format!("c[{i}] = {a:e}, reference {b:e}"));
            }
        }
        return None;
    }
    let get = |k: &str| reference[k].as_f64().expect("summary number");
    if reference["count"].as_u64() != Some(c.len() as u64) {
        return Some("c count differs".into());
    }
    let sum_abs = sum(c.iter().map(|v| v.abs()));
    let checks = [
        (
            "sum",
            sum(c.iter().copied()),
            get("sum"),
            1.0 + sum_abs.max(get("sum_abs")),
        ),
        (
            "sum_abs",
            sum_abs,
            get("sum_abs"),
            1.0 + sum_abs.max(get("sum_abs")),
        ),
        (
            "norm2",
            sum(c.iter().map(|v| v * v)).sqrt(),
            get("norm2"),
            1.0 + get("norm2"),
        ),
    ];
    for (what, a, b, scale) in checks {
        if (a - b).abs() > 1e-12 * scale {
            return Some(format!("c {what} = {a:e}, reference {b:e}"));
        }
    }
    for (i, r) in reference["first"]
        .as_array()
        .expect("first")
        .iter()
        .enumerate()
    {
        let b = r.as_f64().expect("number");
        if !close(c[i], b) {
            return Some(format!("c[{i}] = {:e}, reference {b:e}", c[i]));
        }
    }
    None
}

/// Checks one point; returns a description of the first disagreement.
fn check_point(model: &Model, x: &[f64], dump: &Value) -> Option<String> {
    if let Some(ref_x) = dump["x"].as_array()
        && ref_x.iter().zip(x).any(|(r, &v)| r.as_f64() != Some(v))
    {
        return Some("point differs from the reference's point".into());
    }
    let (f, c) = evaluate(model, x);
    match (&f, dump["f"].as_f64()) {
        (Ok(a), Some(b)) if !close(*a, b) => return Some(format!("f = {a:e}, reference {b:e}")),
        (Err(e), Some(_)) => return Some(format!("f: unexpected error {e}")),
        (Ok(a), None) => return Some(format!("f = {a:e}, but the reference reports an error")),
        _ => {}
    }
    match (&c, dump["c"].is_null()) {
        (Ok(c), false) => compare_c(c, &dump["c"]),
        (Err(e), false) => Some(format!("c: unexpected error {e}")),
        (Ok(_), true) => Some("c evaluated, but the reference reports an error".into()),
        (Err(_), true) => None,
    }
}

/// The shared material, or `None` (with a printed notice) when it is absent.
fn shared_root(what: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if !root.is_dir() {
        println!("NOTICE: {} is absent; {what} skipped", root.display());
        return None;
    }
    Some(root)
}

/// `(writer, path)` of every corpus file, sorted.
fn corpus_files(root: &Path) -> Vec<(String, PathBuf)> {
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for writer in ["ampl", "pyomo"] {
        let dir = root.join("corpus/cute").join(writer);
        for e in std::fs::read_dir(&dir).expect("corpus dir") {
            let p = e.expect("dir entry").path();
            if p.extension().is_some_and(|x| x == "nl") {
                files.push((writer.to_string(), p));
            }
        }
    }
    files.sort();
    assert_eq!(files.len(), 475, "corpus file count");
    files
}

#[test]
fn cute_corpus_matches_asl_reference() {
    let Some(root) = shared_root("corpus comparison") else {
        return;
    };
    let files = corpus_files(&root);
    let mut failures = Vec::new();
    let mut eval_errors = 0;
    for (writer, path) in &files {
        let name = path.file_stem().unwrap().to_str().unwrap();
        let reference = root.join(format!("reference/eval-{writer}/{name}.json"));
        let reference: Value =
            serde_json::from_str(&std::fs::read_to_string(&reference).expect("reference file"))
                .expect("reference JSON");
        let model = match read_file(path) {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{writer}/{name}: {e}"));
                continue;
            }
        };
        let x0: Vec<f64> = model.x0.iter().map(|v| v.unwrap_or(0.0)).collect();
        for (label, x) in [("x0", x0.clone()), ("x1", x1_of(&x0))] {
            let dump = &reference[label];
            if dump["f"].is_null() {
                eval_errors += 1;
            }
            if let Some(msg) = check_point(&model, &x, dump) {
                failures.push(format!("{writer}/{name} at {label}: {msg}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // bigbank, chebyqad and hs112 at x1, for both writers.
    assert_eq!(eval_errors, 6, "reference points with an objective error");
}

#[test]
fn cute_corpus_in_binary_reads_identically_in_both_byte_orders() {
    let Some(root) = shared_root("binary round trip") else {
        return;
    };
    for (writer, path) in corpus_files(&root) {
        let name = format!("{writer}/{}", path.file_name().unwrap().to_string_lossy());
        let text = std::fs::read(&path).unwrap();
        let base = read_bytes(&name, &text).unwrap();
        let x0: Vec<f64> = base.x0.iter().map(|v| v.unwrap_or(0.0)).collect();
        let points = [x0.clone(), x1_of(&x0)];
        let bits = |r: &Result<f64, EvalError>| r.as_ref().ok().map(|v| v.to_bits());
        let want: Vec<_> = points.iter().map(|x| evaluate(&base, x)).collect();
        for order in [ByteOrder::Little, ByteOrder::Big] {
            let bin = write_binary(&name, &text, order).unwrap();
            let mut m = read_bytes(&name, &bin).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(m.format, Format::Binary(order));
            for (x, (f0, c0)) in points.iter().zip(&want) {
                let (f, c) = evaluate(&m, x);
                assert_eq!(bits(&f), bits(f0), "{name} {order:?}: f");
                let c_bits = |c: &Result<Vec<f64>, EvalError>| {
                    c.as_ref()
                        .ok()
                        .map(|c| c.iter().map(|v| v.to_bits()).collect::<Vec<_>>())
                };
                assert_eq!(c_bits(&c), c_bits(c0), "{name} {order:?}: c");
            }
            m.format = base.format;
            m.header.arith = base.header.arith;
            assert!(
                m == base,
                "{name} {order:?}: model differs from the text file's"
            );
        }
    }
}
