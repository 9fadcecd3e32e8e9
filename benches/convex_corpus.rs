//! Runs the convex solver on a corpus exported by `scripts/convex_npz_export.py`
//! and compares with the Clarabel/HiGHS references (`shared/reference/convex-*.jsonl`).
//!
//! ```sh
//! cargo bench --bench convex_corpus -- ../shared/corpus/netlib ../shared/reference/convex-netlib.jsonl [NAME...]
//! # or from the exported matrices, without the .nl reader:
//! python3 scripts/convex_npz_export.py target/convex-corpus/netlib ../shared/corpus/netlib/npz/*.npz
//! cargo bench --bench convex_corpus -- target/convex-corpus/netlib ../shared/reference/convex-netlib.jsonl
//! ```
//!
//! `.nl` files go through `pounce::nl::read_file` and `convex::extract`; the reported
//! seconds are the solve only (reading and extraction excluded), as are Clarabel's.
//!
//! One line per problem (status, iterations, seconds, objective, relative difference
//! to the agreed reference objective), then counts and total times. Only problems
//! where Clarabel and HiGHS agree (`agree: true`) are scored against the reference.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use pounce::convex::{self, ConvexStatus, CscMatrix, QpProblem, Settings};

struct Reference {
    agree: bool,
    objective: Option<f64>,
    clarabel_status: String,
    clarabel_seconds: f64,
}

fn read_references(path: &Path) -> HashMap<String, Reference> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut refs = HashMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("reference line is JSON");
        let name = v["name"].as_str().unwrap_or_default().to_string();
        refs.insert(
            name,
            Reference {
                agree: v["agree"].as_bool().unwrap_or(false),
                // HiGHS's objective: where the two agree to 1e-6, HiGHS (simplex or
                // active set, vertex solutions) is the more accurate of the two (e.g.
                // forplan, LISWET6: Clarabel is 8e-7 to 1e-6 from HiGHS and the
                // published optimum).
                objective: v["highs"]["obj"].as_f64(),
                clarabel_status: v["clarabel"]["status"].as_str().unwrap_or("?").to_string(),
                clarabel_seconds: v["clarabel"]["solve_s"].as_f64().unwrap_or(f64::NAN)
                    + v["clarabel"]["setup_s"].as_f64().unwrap_or(0.0),
            },
        );
    }
    refs
}

/// Parses the exported text form (see the script's docstring).
fn read_problem(path: &Path) -> Result<QpProblem, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut tok = text.split_ascii_whitespace();
    let mut next = |what: &str| -> Result<&str, String> {
        tok.next().ok_or_else(|| format!("missing {what}"))
    };
    let num = |s: &str| s.parse::<f64>().map_err(|e| format!("{s}: {e}"));
    let idx = |s: &str| s.parse::<usize>().map_err(|e| format!("{s}: {e}"));
    let n = idx(next("n")?)?;
    let m = idx(next("m")?)?;
    let c0 = num(next("c0")?)?;
    let mut read_vec = |len: usize, int: bool| -> Result<Vec<f64>, String> {
        (0..len)
            .map(|_| {
                let s = next("vector entry")?;
                if int {
                    idx(s).map(|v| v as f64)
                } else {
                    num(s)
                }
            })
            .collect()
    };
    let p_nnz = read_vec(1, true)?[0] as usize;
    let p_ptr = read_vec(n + 1, true)?;
    let p_idx = read_vec(p_nnz, true)?;
    let p_val = read_vec(p_nnz, false)?;
    let q = read_vec(n, false)?;
    let a_nnz = read_vec(1, true)?[0] as usize;
    let a_ptr = read_vec(m + 1, true)?;
    let a_idx = read_vec(a_nnz, true)?;
    let a_val = read_vec(a_nnz, false)?;
    let row_lower = read_vec(m, false)?;
    let row_upper = read_vec(m, false)?;
    let var_lower = read_vec(n, false)?;
    let var_upper = read_vec(n, false)?;
    let compressed = |ptr: &[f64], idx: &[f64], val: &[f64], transpose: bool| {
        let mut t = Vec::with_capacity(val.len());
        for outer in 0..ptr.len() - 1 {
            for k in ptr[outer] as usize..ptr[outer + 1] as usize {
                let inner = idx[k] as usize;
                t.push(if transpose {
                    (outer, inner, val[k])
                } else {
                    (inner, outer, val[k])
                });
            }
        }
        t
    };
    let p = CscMatrix::from_triplets(n, n, &compressed(&p_ptr, &p_idx, &p_val, false))
        .map_err(|e| e.to_string())?;
    let a = CscMatrix::from_triplets(m, n, &compressed(&a_ptr, &a_idx, &a_val, true))
        .map_err(|e| e.to_string())?;
    Ok(QpProblem {
        p,
        q,
        c0,
        a,
        row_lower,
        row_upper,
        var_lower,
        var_upper,
    })
}

/// Reads a `.nl` model and extracts its LP/QP (the path `pounce model.nl` takes).
/// A maximize model is negated here; the corpora hold minimize models only.
fn read_nl(path: &Path) -> Result<QpProblem, String> {
    let model = pounce::nl::read_file(path).map_err(|e| e.to_string())?;
    let qp = pounce::convex::extract::extract(&model).map_err(|e| e.to_string())?;
    if qp.sense != pounce::nl::model::Sense::Minimize {
        return Err("maximize model".to_string());
    }
    Ok(qp.problem)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [dir, reference, names @ ..] = args.as_slice() else {
        eprintln!("usage: convex_corpus CORPUS_DIR REFERENCE.jsonl [NAME...]");
        std::process::exit(2);
    };
    let refs = read_references(Path::new(reference));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "qp" || e == "nl"))
        .filter(|p| {
            names.is_empty()
                || names
                    .iter()
                    .any(|n| p.file_stem().is_some_and(|s| s == n.as_str()))
        })
        .collect();
    files.sort_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0));
    let time_limit: f64 = std::env::var("CONVEX_TIME_LIMIT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60.0);
    // CONVEX_VERBOSE=1 prints each solve's console log.
    let verbose = std::env::var("CONVEX_VERBOSE").is_ok_and(|v| v == "1");
    let mut settings = Settings {
        verbose,
        time_limit,
        ..Settings::default()
    };
    if let Ok(spec) = std::env::var("CONVEX_SET") {
        for kv in spec.split(',') {
            let (k, v) = kv.split_once('=').expect("k=v");
            let v: f64 = v.parse().expect("number");
            match k {
                "static" => settings.static_regularization_constant = v,
                "dyn_eps" => settings.dynamic_regularization_eps = v,
                "dyn_delta" => settings.dynamic_regularization_delta = v,
                "ir_max" => settings.iterative_refinement_max_iter = v as usize,
                "ir_cycles" => settings.iterative_refinement_max_cycles = v as usize,
                "ir_ratio" => settings.iterative_refinement_stop_ratio = v,
                "eq_iter" => settings.equilibrate_max_iter = v as usize,
                _ => panic!("unknown {k}"),
            }
        }
    }

    let (mut total, mut solved, mut scored, mut matched) = (0, 0, 0, 0);
    let (mut ours_time, mut clarabel_time) = (0.0, 0.0);
    println!(
        "{:<12} {:>7} {:>7} {:<24} {:>5} {:>9} {:>22} {:>9}  reference",
        "name", "n", "m", "status", "iter", "seconds", "objective", "rel.diff"
    );
    for path in &files {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let loaded = if path.extension().is_some_and(|e| e == "nl") {
            read_nl(path)
        } else {
            read_problem(path)
        };
        let qp = match loaded {
            Ok(qp) => qp,
            Err(e) => {
                println!("{name:<12} unreadable: {e}");
                continue;
            }
        };
        total += 1;
        let start = Instant::now();
        let result = convex::solve(&qp, &settings, &mut std::io::stdout());
        let seconds = start.elapsed().as_secs_f64();
        let r = match result {
            Ok(r) => r,
            Err(e) => {
                println!("{name:<12} rejected: {e}");
                continue;
            }
        };
        if r.status == ConvexStatus::Solved {
            solved += 1;
        }
        let reference = refs.get(&name);
        let mut diff = f64::NAN;
        if let Some(rf) = reference.filter(|rf| rf.agree) {
            scored += 1;
            let want = rf.objective.unwrap_or(f64::NAN);
            let got = r.solution.objective;
            diff = (got - want).abs() / want.abs().max(got.abs()).max(1.0);
            if r.status == ConvexStatus::Solved && diff <= 1e-6 {
                matched += 1;
            }
            ours_time += seconds;
            clarabel_time += rf.clarabel_seconds;
        }
        println!(
            "{name:<12} {:>7} {:>7} {:<24} {:>5} {:>9.3} {:>22.14e} {:>9.1e}  {}",
            qp.num_vars(),
            qp.num_rows(),
            format!("{:?}", r.status),
            r.info.iterations,
            seconds,
            r.solution.objective,
            diff,
            reference.map_or("none".to_string(), |rf| format!(
                "{}{} {:.3}s",
                rf.clarabel_status,
                if rf.agree { "" } else { " (no agreement)" },
                rf.clarabel_seconds
            ))
        );
    }
    println!(
        "\nproblems {total}, Solved {solved}; with agreeing references {scored}, \
         Solved within 1e-6 of them {matched}"
    );
    println!(
        "time on the agreeing problems: pounce {ours_time:.2} s, Clarabel (reference file, \
         setup + solve) {clarabel_time:.2} s"
    );
}
