//! The sparse factorization on KKT matrices written by pounce itself
//! (`kkt_dump_iter`): inertia against a dense eigendecomposition where the
//! matrix is small enough, against feral (an independent sparse LDLᵀ with
//! delayed pivoting) always, and the refined residual of the dumped Newton
//! right-hand side.
//!
//! Small dumps are kept in `testdata/kkt/`; others are written here by running
//! the pounce executable on corpus models (`POUNCE_CORPUS`, default
//! `../shared/corpus`), stopping the solve right after the dumped iteration.

mod linsol_common;

use std::path::{Path, PathBuf};
use std::process::Command;

use faer::Mat;
use pounce::linsol::sparse::SparseLdlt;
use pounce::linsol::{Inertia, LinsolError, LowerCsc, SymmetricIndefiniteSolver, mtx};

/// Dense eigendecompositions above this dimension take too long for a test.
const DENSE_MAX: usize = 1200;

/// A dumped KKT system.
struct Dump {
    name: String,
    pattern: LowerCsc,
    values: Vec<f64>,
    rhs: Vec<f64>,
    /// Primal dimension (rows of the (1,1) block), from the dump's comment.
    n_w: usize,
}

fn read_dump(prefix: &Path) -> Dump {
    let path = prefix.with_extension("mtx");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let n_w = text
        .lines()
        .find_map(|l| l.strip_prefix("% n_w "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{}: no 'n_w' comment line", path.display()));
    let (pattern, values) = mtx::read(text.as_bytes()).unwrap();
    let rhs_path = PathBuf::from(format!("{}-rhs.mtx", prefix.display()));
    let rhs = mtx::read_vector(std::io::BufReader::new(
        std::fs::File::open(&rhs_path).unwrap(),
    ))
    .unwrap();
    assert_eq!(rhs.len(), pattern.dim);
    Dump {
        name: prefix.file_name().unwrap().to_string_lossy().into_owned(),
        pattern,
        values,
        rhs,
        n_w,
    }
}

/// Runs pounce on `model` with the NLP method and writes the KKT system of
/// iteration `k` to `dir/<name>`; the solve stops after that iteration.
fn dump_model(model: &Path, k: usize, dir: &Path) -> PathBuf {
    let name = model.file_stem().unwrap().to_string_lossy();
    let prefix = dir.join(format!("{name}-it{k}"));
    let out = Command::new(env!("CARGO_BIN_EXE_pounce"))
        .arg(model)
        .arg("solver_selection=nlp")
        .arg(format!("max_iter={}", k + 1))
        .arg(format!("kkt_dump_iter={k}"))
        .arg(format!("kkt_dump_file={}", prefix.display()))
        .output()
        .expect("pounce runs");
    assert!(
        prefix.with_extension("mtx").exists(),
        "{name}: no dump of iteration {k}; pounce said:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    prefix
}

/// Inertia from a dense eigendecomposition of `S A S`, with `S` the diagonal
/// that brings every row's largest entry near 1 (Ruiz sweeps): by Sylvester's
/// law `S A S` has the inertia of `A`, and its small eigenvalues are resolved
/// where those of `A` would drown in the roundoff of its largest barrier
/// terms. A backward-stable eigensolver computes each eigenvalue to about
/// `n ε max|λ|`; only those within a wide margin of that error count as zero.
/// (A KKT matrix regularized by a small `δc` has genuine eigenvalues near
/// `−δc`, far below `1e-10 max|λ|`.)
fn eigen_inertia(pattern: &LowerCsc, values: &[f64]) -> Inertia {
    let n = pattern.dim;
    let mut s = vec![1.0_f64; n];
    for _ in 0..20 {
        let mut row_max = vec![0.0_f64; n];
        for j in 0..n {
            for (i, v) in pattern.column_entries(values, j) {
                let a = (s[i] * v * s[j]).abs();
                row_max[i] = row_max[i].max(a);
                row_max[j] = row_max[j].max(a);
            }
        }
        for (si, r) in s.iter_mut().zip(row_max) {
            if r > 0.0 {
                *si /= r.sqrt();
            }
        }
    }
    let mut a = Mat::<f64>::zeros(n, n);
    for j in 0..n {
        for (i, v) in pattern.column_entries(values, j) {
            a[(i, j)] = s[i] * v * s[j];
            a[(j, i)] = s[i] * v * s[j];
        }
    }
    let eig = a
        .self_adjoint_eigenvalues(faer::Side::Lower)
        .expect("eigendecomposition converges");
    let scale = eig.iter().fold(0.0_f64, |a, &b| a.max(b.abs()));
    let tol = 100.0 * pattern.dim as f64 * f64::EPSILON * scale;
    let mut inertia = Inertia::default();
    for &l in &eig {
        if l.abs() <= tol {
            inertia.zero += 1;
        } else if l > 0.0 {
            inertia.positive += 1;
        } else {
            inertia.negative += 1;
        }
    }
    inertia
}

fn feral_inertia(pattern: &LowerCsc, values: &[f64]) -> Option<Inertia> {
    let m = feral::CscMatrix {
        n: pattern.dim,
        col_ptr: pattern.col_ptr.clone(),
        row_idx: pattern.row_idx.clone(),
        values: values.to_vec(),
    };
    let mut s = feral::Solver::new();
    let status = s.factor(&m, None);
    match (status, s.inertia()) {
        (feral::FactorStatus::Success, Some(i)) => Some(Inertia {
            positive: i.positive,
            negative: i.negative,
            zero: i.zero,
        }),
        _ => None,
    }
}

/// `‖b − A x‖∞ / (‖A‖∞ ‖x‖∞ + ‖b‖∞)`, the normwise backward error.
fn backward_error(pattern: &LowerCsc, values: &[f64], x: &[f64], b: &[f64]) -> f64 {
    let inf = |v: &[f64]| v.iter().fold(0.0_f64, |a, &x| a.max(x.abs()));
    let mut ax = vec![0.0; x.len()];
    pattern.sym_matvec(values, x, &mut ax);
    let r: Vec<f64> = ax.iter().zip(b).map(|(p, q)| p - q).collect();
    let norm_a = pattern.sym_inf_norm(values, &mut Vec::new());
    inf(&r) / (norm_a * inf(x) + inf(b))
}

/// Factors the dump and checks inertia and residual; returns the inertia.
fn check_dump(d: &Dump) -> Inertia {
    let mut solver = SparseLdlt::new();
    solver.analyse(&d.pattern).unwrap();
    let inertia = match solver.factor(&d.values) {
        Ok(i) | Err(LinsolError::Singular(i)) => i,
        Err(e) => panic!("{}: {e}", d.name),
    };
    if d.pattern.dim <= DENSE_MAX {
        let expected = eigen_inertia(&d.pattern, &d.values);
        assert_eq!(inertia, expected, "{}: inertia vs eigenvalues", d.name);
    }
    let feral = feral_inertia(&d.pattern, &d.values);
    assert_eq!(Some(inertia), feral, "{}: inertia vs feral", d.name);
    if inertia.zero == 0 {
        let mut x = d.rhs.clone();
        solver.solve_in_place(&mut x).unwrap();
        let err = backward_error(&d.pattern, &d.values, &x, &d.rhs);
        assert!(err <= 1e-10, "{}: backward error {err:e}", d.name);
    }
    inertia
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus() -> PathBuf {
    std::env::var_os("POUNCE_CORPUS").map_or_else(|| root().join("../shared/corpus"), PathBuf::from)
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pounce-kkt-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The dumps kept in the repository: inertia as the IPM accepted it (`n_w`
/// positive, the rest negative), confirmed by eigenvalues and feral.
#[test]
fn stored_dumps_have_the_reference_inertia() {
    let dir = root().join("testdata/kkt");
    let mut prefixes: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name()?.to_str()?.to_string();
            let stem = name.strip_suffix(".mtx")?;
            (!stem.ends_with("-rhs")).then(|| dir.join(stem))
        })
        .collect();
    prefixes.sort();
    assert!(prefixes.len() >= 4, "only {} stored dumps", prefixes.len());
    for p in prefixes {
        let d = read_dump(&p);
        let inertia = check_dump(&d);
        assert_eq!(
            inertia,
            Inertia {
                positive: d.n_w,
                negative: d.pattern.dim - d.n_w,
                zero: 0
            },
            "{}",
            d.name
        );
    }
}

/// Small and degenerate models (degenerate LPs, redundant or rank-deficient
/// constraints, indefinite Hessians), dumped at an early and a late iteration.
#[test]
fn small_corpus_dumps_match_eigenvalues_and_feral() {
    let dir = scratch("small");
    let models = [
        ("degenlpa", [1, 12]),
        ("hs099", [1, 5]),
        ("gilbert", [2, 15]),
        ("coolhans", [1, 6]),
        ("hs087", [1, 14]),
        ("core1", [3, 60]),
        ("hs057", [1, 15]),
        ("avion2", [0, 10]),
        ("haldmads", [1, 8]),
        ("makela4", [1, 5]),
    ];
    let mut checked = 0;
    for (name, iters) in models {
        let model = corpus().join(format!("cute/ampl/{name}.nl"));
        for k in iters {
            let d = read_dump(&dump_model(&model, k, &dir));
            check_dump(&d);
            checked += 1;
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(checked, 2 * models.len());
}

/// Large corpus models (among the ten largest by n + m): inertia against feral.
#[test]
fn large_corpus_dumps_match_feral() {
    let dir = scratch("large");
    for (name, k) in [("dtoc1l", 4), ("broydn3d", 3), ("liswet1", 10)] {
        let model = corpus().join(format!("cute/ampl/{name}.nl"));
        let d = read_dump(&dump_model(&model, k, &dir));
        assert!(d.pattern.dim > 10_000);
        check_dump(&d);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
