//! Random LPs and QPs built around a chosen KKT point: the data are generated so
//! that `x*` with multipliers `(λ*, z*)` satisfies the KKT conditions, hence
//! `f(x*)` is the optimal value (the problems are convex). The solver must reach
//! that value and return a point and multipliers satisfying the KKT conditions.

use pounce::convex::{self, ConvexStatus, CscMatrix, QpProblem, Settings};

/// A small deterministic generator (SplitMix64), enough for test data.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    fn below(&mut self, k: usize) -> usize {
        (self.next_u64() % k as u64) as usize
    }
}

const INF: f64 = f64::INFINITY;

struct Instance {
    qp: QpProblem,
    optimum: f64,
}

/// `n` variables, `m` rows, density of `A`, and `rank` of `P = BᵀB` (0 for an LP).
fn generate(seed: u64, n: usize, m: usize, density: f64, rank: usize) -> Instance {
    let mut rng = Rng(seed);
    let mut a = Vec::new();
    for i in 0..m {
        for j in 0..n {
            if rng.unit() < density {
                a.push((i, j, rng.range(-1.0, 1.0)));
            }
        }
        // No empty rows: an empty row with an active side would have no effect.
        if !a.iter().any(|&(r, _, _)| r == i) {
            a.push((i, rng.below(n), 1.0));
        }
    }
    let a = CscMatrix::from_triplets(m, n, &a).unwrap();
    let mut b = Vec::new();
    for k in 0..rank {
        for j in 0..n {
            if rng.unit() < 0.5 {
                b.push((k, j, rng.range(-1.0, 1.0)));
            }
        }
    }
    // P = BᵀB, upper triangle.
    let bm = CscMatrix::from_triplets(rank, n, &b).unwrap();
    let mut p = Vec::new();
    for j in 0..n {
        for i in 0..=j {
            let v: f64 = (0..rank)
                .map(|k| {
                    let bki = bm.column(i).find(|&(r, _)| r == k).map_or(0.0, |e| e.1);
                    let bkj = bm.column(j).find(|&(r, _)| r == k).map_or(0.0, |e| e.1);
                    bki * bkj
                })
                .sum();
            if v != 0.0 {
                p.push((i, j, v));
            }
        }
    }
    let p = CscMatrix::from_triplets(n, n, &p).unwrap();

    let x: Vec<f64> = (0..n).map(|_| rng.range(-2.0, 2.0)).collect();
    let mut ax = vec![0.0; m];
    a.gemv(1.0, &x, &mut ax);
    let (mut row_lower, mut row_upper, mut lambda) = (vec![0.0; m], vec![0.0; m], vec![0.0; m]);
    for i in 0..m {
        let (gap_lo, gap_hi) = (rng.range(0.1, 2.0), rng.range(0.1, 2.0));
        let (l, u, y) = match rng.below(6) {
            0 => (ax[i], ax[i], rng.range(-1.0, 1.0)),
            1 => (-INF, ax[i], rng.range(0.1, 1.0)),
            2 => (ax[i] - gap_lo, ax[i], rng.range(0.1, 1.0)),
            3 => (ax[i], INF, -rng.range(0.1, 1.0)),
            4 => (ax[i] - gap_lo, ax[i] + gap_hi, 0.0),
            _ => (ax[i] - gap_lo, INF, 0.0),
        };
        row_lower[i] = l;
        row_upper[i] = u;
        lambda[i] = y;
    }
    let (mut var_lower, mut var_upper) = (vec![-INF; n], vec![INF; n]);
    let (mut z_lower, mut z_upper) = (vec![0.0; n], vec![0.0; n]);
    for j in 0..n {
        match rng.below(5) {
            0 => {
                var_lower[j] = x[j];
                z_lower[j] = rng.range(0.1, 1.0);
            }
            1 => {
                var_upper[j] = x[j];
                var_lower[j] = x[j] - 1.0;
                z_upper[j] = rng.range(0.1, 1.0);
            }
            2 => {
                var_lower[j] = x[j] - rng.range(0.1, 1.0);
                var_upper[j] = x[j] + rng.range(0.1, 1.0);
            }
            _ => {}
        }
    }
    // Stationarity: q = −Px* − Aᵀλ* + z_L − z_U.
    let mut q = vec![0.0; n];
    p.symv(-1.0, &x, &mut q);
    a.gemv_t(-1.0, &lambda, &mut q);
    for j in 0..n {
        q[j] += z_lower[j] - z_upper[j];
    }
    let qp = QpProblem {
        p,
        q,
        c0: rng.range(-1.0, 1.0),
        a,
        row_lower,
        row_upper,
        var_lower,
        var_upper,
    };
    let optimum = qp.objective(&x);
    Instance { qp, optimum }
}

fn check(inst: &Instance, label: &str) {
    let settings = Settings {
        verbose: false,
        ..Settings::default()
    };
    let r = convex::solve(&inst.qp, &settings, &mut std::io::sink()).unwrap();
    let qp = &inst.qp;
    let s = &r.solution;
    assert_eq!(r.status, ConvexStatus::Solved, "{label}: {:?}", r.info);
    let scale = inst.optimum.abs().max(1.0);
    assert!(
        (s.objective - inst.optimum).abs() <= 1e-7 * scale,
        "{label}: objective {} vs {}",
        s.objective,
        inst.optimum
    );
    // Primal feasibility.
    let mut ax = vec![0.0; qp.num_rows()];
    qp.a.gemv(1.0, &s.x, &mut ax);
    for (i, &v) in ax.iter().enumerate() {
        assert!(
            v >= qp.row_lower[i] - 1e-7 && v <= qp.row_upper[i] + 1e-7,
            "{label}: row {i}"
        );
    }
    for j in 0..qp.num_vars() {
        assert!(
            s.x[j] >= qp.var_lower[j] - 1e-7 && s.x[j] <= qp.var_upper[j] + 1e-7,
            "{label}: var {j}"
        );
    }
    // Stationarity and multiplier signs.
    let mut g = qp.q.clone();
    qp.p.symv(1.0, &s.x, &mut g);
    qp.a.gemv_t(1.0, &s.lambda, &mut g);
    for (j, gj) in g.iter().enumerate() {
        let r = gj - s.z_lower[j] + s.z_upper[j];
        assert!(r.abs() <= 1e-6, "{label}: stationarity {j}: {r}");
        assert!(s.z_lower[j] >= 0.0 && s.z_upper[j] >= 0.0);
    }
    for i in 0..qp.num_rows() {
        if qp.row_upper[i].is_infinite() {
            assert!(s.lambda[i] <= 1e-9, "{label}: λ[{i}] on a ≥ row");
        }
        if qp.row_lower[i].is_infinite() {
            assert!(s.lambda[i] >= -1e-9, "{label}: λ[{i}] on a ≤ row");
        }
    }
}

#[test]
fn random_lps_reach_the_known_optimum() {
    for seed in 0..25 {
        let inst = generate(seed, 30, 20, 0.3, 0);
        check(&inst, &format!("LP seed {seed}"));
    }
}

#[test]
fn random_qps_reach_the_known_optimum() {
    for seed in 100..125 {
        let inst = generate(seed, 30, 20, 0.3, 10);
        check(&inst, &format!("QP seed {seed}"));
    }
}

#[test]
fn larger_random_sparse_qp() {
    for seed in 200..203 {
        let inst = generate(seed, 300, 200, 0.02, 40);
        check(&inst, &format!("QP seed {seed}"));
    }
}
