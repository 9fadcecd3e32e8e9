//! Benchmark of the sparse LDLᵀ on KKT matrices against faer's unpivoted
//! supernodal LDLᵀ (same ordering; the speed limit of the approach) and feral.
//!
//! `cargo bench --bench linsol` runs the generated KKT set;
//! `cargo bench --bench linsol -- FILE.mtx ...` runs Matrix Market files
//! (the first `--primal N` rows are the primal block, for faer's signs; a
//! KKT dump written by pounce with `kkt_dump_iter` says it itself).
//! Times are processor time of the process (`CLOCK_PROCESS_CPUTIME_ID`).

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::ldlt::factor::LdltRegularization;
use faer::perm::PermRef;
use faer::sparse::linalg::SupernodalThreshold;
use faer::sparse::linalg::cholesky::{
    CholeskySymbolicParams, SymmetricOrdering, factorize_symbolic_cholesky,
};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::{Par, Side};
use pounce::linsol::sparse::SparseLdlt;
use pounce::linsol::{Inertia, LowerCsc, SymmetricIndefiniteSolver, mtx};
use pounce::stop::process_cpu_seconds;

/// splitmix64 for reproducible matrices.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Case {
    name: String,
    pattern: LowerCsc,
    values: Vec<f64>,
    /// Rows `0..primal` are the Hessian block (sign +1), the rest constraints (−1).
    primal: usize,
}

/// KKT matrix: grid Laplacian Hessian on `dims` (2-D or 3-D), shifted by
/// `shift`, plus `m` constraint rows with `per_row` entries near a moving
/// window of the variables (Jacobians of discretized constraints are local),
/// and `−δc I` in the (2,2) block.
fn grid_kkt(
    name: &str,
    dims: &[usize],
    m: usize,
    per_row: usize,
    shift: f64,
    delta_c: f64,
    seed: u64,
) -> Case {
    let mut rng = Rng(seed);
    let n: usize = dims.iter().product();
    let mut cols: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n + m];
    let strides: Vec<usize> = dims
        .iter()
        .scan(1, |s, &d| {
            let cur = *s;
            *s *= d;
            Some(cur)
        })
        .collect();
    for (i, col) in cols.iter_mut().enumerate().take(n) {
        col.push((i, 2.0 * dims.len() as f64 + shift + 0.1 * rng.unit()));
        for (axis, &stride) in strides.iter().enumerate() {
            if (i / stride) % dims[axis] + 1 < dims[axis] {
                col.push((i + stride, -1.0));
            }
        }
    }
    let window = (n / m.max(1)).max(1) * 8;
    for r in 0..m {
        let centre = r * n / m.max(1);
        let mut picked = Vec::new();
        while picked.len() < per_row.min(n) {
            let j = (centre + rng.next() as usize % window) % n;
            if !picked.contains(&j) {
                picked.push(j);
            }
        }
        for j in picked {
            cols[j].push((n + r, 2.0 * rng.unit() - 1.0));
        }
        cols[n + r].push((n + r, -delta_c));
    }
    let (mut col_ptr, mut row_idx, mut values) = (vec![0], Vec::new(), Vec::new());
    for col in &mut cols {
        col.sort_by_key(|&(i, _)| i);
        for &(i, v) in col.iter() {
            row_idx.push(i);
            values.push(v);
        }
        col_ptr.push(row_idx.len());
    }
    Case {
        name: name.into(),
        pattern: LowerCsc {
            dim: n + m,
            col_ptr,
            row_idx,
        },
        values,
        primal: n,
    }
}

fn generated(quick: bool) -> Vec<Case> {
    let mut cases = vec![
        grid_kkt(
            "grid2d-100 m=5000 zero22",
            &[100, 100],
            5000,
            3,
            0.0,
            0.0,
            1,
        ),
        grid_kkt(
            "grid2d-100 m=5000 indef",
            &[100, 100],
            5000,
            3,
            -3.0,
            0.0,
            2,
        ),
        grid_kkt(
            "grid3d-20 m=4000 zero22",
            &[20, 20, 20],
            4000,
            4,
            0.0,
            0.0,
            3,
        ),
        grid_kkt(
            "grid3d-20 m=4000 dc=1e-8",
            &[20, 20, 20],
            4000,
            4,
            -2.0,
            1e-8,
            4,
        ),
    ];
    if !quick {
        cases.extend([
            grid_kkt(
                "grid2d-250 m=30000 zero22",
                &[250, 250],
                30000,
                3,
                0.0,
                0.0,
                5,
            ),
            grid_kkt(
                "grid2d-300 m=20000 dc=1e-8",
                &[300, 300],
                20000,
                4,
                -1.0,
                1e-8,
                6,
            ),
            grid_kkt(
                "grid3d-30 m=13500 zero22",
                &[30, 30, 30],
                13500,
                4,
                0.0,
                0.0,
                7,
            ),
            grid_kkt(
                "grid3d-36 m=20000 indef",
                &[36, 36, 36],
                20000,
                4,
                -4.0,
                0.0,
                8,
            ),
            grid_kkt(
                "grid3d-40 m=32000 zero22",
                &[40, 40, 40],
                32000,
                3,
                0.0,
                0.0,
                9,
            ),
            grid_kkt(
                "grid2d-300 m=45000 j=5",
                &[300, 300],
                45000,
                5,
                0.0,
                0.0,
                10,
            ),
        ]);
    }
    cases
}

/// Minimum and median of repeated timings: on a shared machine the minimum is
/// the least disturbed run, the median says how typical it is.
#[derive(Clone, Copy, Debug, Default)]
struct Times {
    min: f64,
    median: f64,
}

impl Times {
    fn of(mut v: Vec<f64>) -> Self {
        v.sort_by(f64::total_cmp);
        Self {
            min: v[0],
            median: v[v.len() / 2],
        }
    }
}

impl std::fmt::Display for Times {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.4} / {:.4}", self.min, self.median)
    }
}

fn best(v: Vec<f64>) -> f64 {
    Times::of(v).min
}

/// Processor time of `f`: on a loaded machine the wall clock also counts the
/// time the process waited for a core.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let cpu = || process_cpu_seconds().expect("the process CPU clock");
    let t = cpu();
    let r = f();
    (r, cpu() - t)
}

const REPEATS: usize = 15;

fn fmt_inertia(r: Result<Inertia, pounce::linsol::LinsolError>) -> String {
    match r {
        Ok(i) => format!("+{} -{} 0:{}", i.positive, i.negative, i.zero),
        Err(e) => format!("{e}"),
    }
}

/// Our solver after its first factorization (analysis included).
struct Ours {
    solver: SparseLdlt,
    first: f64,
    inertia: String,
}

impl Ours {
    fn new(c: &Case) -> Self {
        let mut solver = SparseLdlt::new();
        // The symbolic analysis runs at the first factorization.
        let (r, first) = timed(|| {
            solver.analyse(&c.pattern).expect("analysis");
            solver.factor(&c.values)
        });
        Self {
            solver,
            first,
            inertia: fmt_inertia(r),
        }
    }

    /// One refactorization of the same values (the buffers are grown, as in an IPM).
    fn refactor(&mut self, c: &Case) -> f64 {
        let (r, t) = timed(|| self.solver.factor(&c.values));
        self.inertia = fmt_inertia(r);
        t
    }

    /// Solve time (fastest of [`REPEATS`]) and the normwise backward error
    /// `‖b − Ax‖∞ / (‖A‖∞‖x‖∞ + ‖b‖∞)` of the solve.
    fn solve(&self, c: &Case) -> (f64, f64) {
        let n = c.pattern.dim;
        let b: Vec<f64> = (0..n)
            .map(|i| ((i * 7919) % 1000) as f64 / 500.0 - 1.0)
            .collect();
        let mut x = b.clone();
        let solve = best(
            (0..REPEATS)
                .map(|_| {
                    x.copy_from_slice(&b);
                    timed(|| self.solver.solve_in_place(&mut x)).1
                })
                .collect(),
        );
        let mut ax = vec![0.0; n];
        c.pattern.sym_matvec(&c.values, &x, &mut ax);
        let inf = |v: &[f64]| v.iter().fold(0.0_f64, |a, &b| a.max(b.abs()));
        let r: Vec<f64> = ax.iter().zip(&b).map(|(p, q)| p - q).collect();
        let norm_a = c.pattern.sym_inf_norm(&c.values, &mut Vec::new());
        (solve, inf(&r) / (norm_a * inf(&x) + inf(&b)))
    }
}

/// faer's supernodal LDLᵀ without pivoting, on the same ordering, with the
/// signs regularization of the KKT structure.
struct FaerUnpivoted {
    symbolic: faer::sparse::linalg::cholesky::SymbolicCholesky<usize>,
    l_values: Vec<f64>,
    signs: Vec<i8>,
    mem: MemBuffer,
    /// faer reported failure (e.g. for an indefinite Hessian block).
    failed: bool,
}

impl FaerUnpivoted {
    fn new(c: &Case, perm: &[usize]) -> Self {
        let n = c.pattern.dim;
        let a_sym = SymbolicSparseColMatRef::new_checked(
            n,
            n,
            &c.pattern.col_ptr,
            None,
            &c.pattern.row_idx,
        );
        let mut inv = vec![0usize; n];
        for (new, &old) in perm.iter().enumerate() {
            inv[old] = new;
        }
        let perm_ref = PermRef::new_checked(perm, &inv, n);
        let params = CholeskySymbolicParams {
            supernodal_flop_ratio_threshold: SupernodalThreshold::FORCE_SUPERNODAL,
            ..Default::default()
        };
        let symbolic = factorize_symbolic_cholesky(
            a_sym,
            Side::Lower,
            SymmetricOrdering::Custom(perm_ref),
            params,
        )
        .expect("faer symbolic");
        let l_values = vec![0.0; symbolic.len_val()];
        let signs: Vec<i8> = (0..n).map(|i| if i < c.primal { 1 } else { -1 }).collect();
        let mem = MemBuffer::new(
            symbolic.factorize_numeric_ldlt_scratch::<f64>(Par::Seq, Default::default()),
        );
        Self {
            symbolic,
            l_values,
            signs,
            mem,
            failed: false,
        }
    }

    fn refactor(&mut self, c: &Case) -> f64 {
        let n = c.pattern.dim;
        let a_sym = SymbolicSparseColMatRef::new_checked(
            n,
            n,
            &c.pattern.col_ptr,
            None,
            &c.pattern.row_idx,
        );
        let a = SparseColMatRef::new(a_sym, &c.values);
        let reg = LdltRegularization {
            dynamic_regularization_signs: Some(&self.signs),
            dynamic_regularization_delta: 1e-8,
            dynamic_regularization_epsilon: 1e-12,
        };
        let (r, t) = timed(|| {
            self.symbolic
                .factorize_numeric_ldlt(
                    &mut self.l_values,
                    a,
                    Side::Lower,
                    reg,
                    Par::Seq,
                    MemStack::new(&mut self.mem),
                    Default::default(),
                )
                .map(|_| ())
        });
        self.failed |= r.is_err();
        t
    }
}

/// feral's sparse solver (its own ordering and scaling, default parameters).
struct Feral {
    matrix: feral::CscMatrix,
    solver: feral::Solver,
    first: f64,
    status: feral::FactorStatus,
}

impl Feral {
    fn new(c: &Case) -> Self {
        let matrix = feral::CscMatrix {
            n: c.pattern.dim,
            col_ptr: c.pattern.col_ptr.clone(),
            row_idx: c.pattern.row_idx.clone(),
            values: c.values.clone(),
        };
        let mut solver = feral::Solver::new();
        let (status, first) = timed(|| solver.factor(&matrix, None));
        Self {
            matrix,
            solver,
            first,
            status,
        }
    }

    fn refactor(&mut self) -> f64 {
        let (status, t) = timed(|| self.solver.factor(&self.matrix, None));
        self.status = status;
        t
    }

    fn inertia(&self) -> String {
        match (&self.status, self.solver.inertia()) {
            (feral::FactorStatus::Success, Some(i)) => {
                format!("+{} -{} 0:{}", i.positive, i.negative, i.zero)
            }
            (st, _) => format!("{st:?}"),
        }
    }
}

/// Runs the three solvers on `c`, their refactorizations interleaved round by
/// round so that each round sees the same load, and prints a table row.
fn compare(c: &Case) {
    let mut ours = Ours::new(c);
    let perm = ours.solver.permutation().expect("analysed").to_vec();
    let mut faer = FaerUnpivoted::new(c, &perm);
    let mut feral = Feral::new(c);
    let (mut t_ours, mut t_faer, mut t_feral) = (Vec::new(), Vec::new(), Vec::new());
    let mut ratios = Vec::new();
    for _ in 0..REPEATS {
        let (a, b) = (ours.refactor(c), faer.refactor(c));
        t_ours.push(a);
        t_faer.push(b);
        t_feral.push(feral.refactor());
        ratios.push(a / b);
    }
    let (solve, residual) = ours.solve(c);
    let stats = ours.solver.stats();
    let (t_ours, t_faer, t_feral) = (Times::of(t_ours), Times::of(t_faer), Times::of(t_feral));
    let ratio = Times::of(ratios);
    let feral_nnz = feral.solver.last_factor_stats().map_or(0, |st| st.nnz_l);
    println!(
        "| {} | {} | {} | {:.3} | {} | {} | {} | {} | {:.3} | {} | {:.2} / {:.2} | {:.4} | {} | {} | {} | {} | {:.0} | {} | {} | {:.1e} |",
        c.name,
        c.pattern.dim,
        c.pattern.nnz(),
        ours.first,
        t_ours,
        if faer.failed {
            "failed".into()
        } else {
            t_faer.to_string()
        },
        if faer.failed {
            "-".into()
        } else {
            format!(
                "{:.2} / {:.2}",
                t_ours.min / t_faer.min,
                t_ours.median / t_faer.median
            )
        },
        if faer.failed {
            "-".into()
        } else {
            format!("{:.2}", ratio.median)
        },
        feral.first,
        t_feral,
        t_feral.min / t_ours.min,
        t_feral.median / t_ours.median,
        solve,
        stats.nnz_l,
        faer.symbolic.len_val(),
        feral_nnz,
        stats.delayed,
        ours.solver.factor_bytes() as f64 / 1e6,
        ours.inertia,
        feral.inertia(),
        residual
    );
}

/// Factor time of the dense and the sparse path on small random KKT matrices,
/// to place `auto::DENSE_MAX_DIM`.
fn small_sizes() {
    use pounce::linsol::dense::DenseLdlt;
    println!("| n | dense factor µs | sparse factor µs |");
    println!("|---|---|---|");
    for n in [16, 32, 48, 64, 96, 128, 192, 256] {
        let c = grid_kkt("small", &[n * 2 / 3], n / 3, 3, 0.0, 0.0, n as u64);
        let time = |s: &mut dyn SymmetricIndefiniteSolver| {
            s.analyse(&c.pattern).expect("analysis");
            let _ = s.factor(&c.values);
            best(
                (0..21)
                    .map(|_| timed(|| s.factor(&c.values)).1 * 1e6)
                    .collect(),
            )
        };
        println!(
            "| {} | {:.1} | {:.1} |",
            c.pattern.dim,
            time(&mut DenseLdlt::new()),
            time(&mut SparseLdlt::new())
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.iter().any(|a| a == "--small") {
        small_sizes();
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let primal: Option<usize> = args
        .iter()
        .position(|a| a == "--primal")
        .and_then(|k| args.get(k + 1))
        .and_then(|v| v.parse().ok());
    let files: Vec<&String> = args.iter().filter(|a| a.ends_with(".mtx")).collect();
    let cases: Vec<Case> = if files.is_empty() {
        generated(quick)
    } else {
        files
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{f}: {e}"));
                let (pattern, values) =
                    mtx::read(text.as_bytes()).unwrap_or_else(|e| panic!("{f}: {e}"));
                // A dump written by pounce (`kkt_dump_iter`) names its primal block.
                let dumped = text
                    .lines()
                    .find_map(|l| l.strip_prefix("% n_w "))
                    .and_then(|rest| rest.split_whitespace().next())
                    .and_then(|v| v.parse().ok());
                let primal = primal.or(dumped).unwrap_or(pattern.dim);
                Case {
                    name: std::path::Path::new(f.as_str())
                        .file_stem()
                        .map_or_else(|| f.to_string(), |s| s.to_string_lossy().into_owned()),
                    pattern,
                    values,
                    primal,
                }
            })
            .collect()
    };
    println!(
        "| matrix | n | nnz(A) | analyse+1st s | factor s min / med | faer-unpiv s min / med | ratio min / med | ratio per round, med | feral 1st s | feral refactor s min / med | feral/ours min / med | solve+refine s | nnz(L) ours | nnz(L) faer | nnz(L) feral | delayed | MB | inertia ours | inertia feral | bwd err |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for c in &cases {
        compare(c);
    }
}
