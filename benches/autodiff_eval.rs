//! Benchmark of derivative evaluation on the ten largest CUTE corpus models (by file
//! size, AMPL-written): seconds per evaluation of ∇f + J and of the Lagrangian
//! Hessian, beside the ASL's times for the same files from
//! `../shared/reference/asl-timing-cute.tsv` (ASL's `asldump --time`).
//!
//! Run: `cargo bench --bench autodiff_eval [-- NAME ...]`.
//!
//! Each ∇f + J evaluation is at a new point (x0 and x1 alternate), so it includes the
//! forward sweep and the defined-variable gradients; each Hessian evaluation follows
//! one at the same point, as in an interior-point iteration.

use pounce::autodiff::Derivatives;
use pounce::nl::read_file;
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

const LARGEST: [&str; 10] = [
    "drcav3lq", "curly30", "dtoc1l", "curly10", "hager3", "liswet2", "liswet1", "liswet10",
    "liswet12", "hues-mod",
];

/// Seconds per call of `f`, repeated until about `budget` has passed (at least 3 calls).
fn time_per_call(budget: Duration, mut f: impl FnMut()) -> (f64, usize) {
    let start = Instant::now();
    let mut reps = 0;
    while reps < 3 || start.elapsed() < budget {
        f();
        reps += 1;
    }
    (start.elapsed().as_secs_f64() / reps as f64, reps)
}

fn main() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let asl: HashMap<String, Vec<String>> =
        std::fs::read_to_string(shared.join("reference/asl-timing-cute.tsv"))
            .expect("ASL timing table")
            .lines()
            .skip(1)
            .map(|l| l.split('\t').map(str::to_string).collect::<Vec<_>>())
            .filter(|f| f[1] == "ampl")
            .map(|f| (f[0].clone(), f))
            .collect();
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let names: Vec<&str> = if args.is_empty() {
        LARGEST.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };
    println!(
        "{:<10} {:>6} {:>6} {:>7} {:>7} {:>9} {:>10} {:>10} {:>6} {:>10} {:>10} {:>6}",
        "model",
        "n",
        "m",
        "nnz_j",
        "nnz_h",
        "setup_s",
        "gj_s",
        "asl_gj_s",
        "ratio",
        "hess_s",
        "asl_hess_s",
        "ratio"
    );
    for name in names {
        let model =
            read_file(&shared.join(format!("corpus/cute/ampl/{name}.nl"))).expect("corpus model");
        let t = Instant::now();
        let mut d = Derivatives::new(&model).expect("valid tape");
        let setup = t.elapsed().as_secs_f64();
        let x0: Vec<f64> = model.x0.iter().map(|v| v.unwrap_or(0.0)).collect();
        let x1: Vec<f64> = x0
            .iter()
            .enumerate()
            .map(|(j, &v)| v + 0.1 * (1.0 + v.abs()) * ((j + 1) as f64).sin())
            .collect();
        let y: Vec<f64> = (0..model.n_con)
            .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 } * (1 + i % 7) as f64 / 8.0)
            .collect();
        let (nnz_j, nnz_h) = (
            d.jacobian_structure().0.len(),
            d.hessian_structure().0.len(),
        );
        let mut g = vec![0.0; model.n_var];
        let mut j = vec![0.0; nnz_j];
        let mut h = vec![0.0; nnz_h];
        let budget = Duration::from_millis(300);
        let mut flip = false;
        let (gj, _) = time_per_call(budget, || {
            flip = !flip;
            let x = if flip { &x0 } else { &x1 };
            d.gradient(x, &mut g).expect("gradient");
            d.jacobian_values(x, &mut j).expect("jacobian");
        });
        d.gradient(&x0, &mut g).expect("gradient");
        let (hs, _) = time_per_call(budget, || {
            d.hessian_values(&x0, 1.0, &y, &mut h).expect("hessian")
        });
        let (asl_gj, asl_h) = asl.get(name).map_or((f64::NAN, f64::NAN), |f| {
            (
                f[8].parse().unwrap_or(f64::NAN),
                f[9].parse().unwrap_or(f64::NAN),
            )
        });
        println!(
            "{:<10} {:>6} {:>6} {:>7} {:>7} {:>9.2e} {:>10.2e} {:>10.2e} {:>6.2} {:>10.2e} {:>10.2e} {:>6.2}",
            name,
            model.n_var,
            model.n_con,
            nnz_j,
            nnz_h,
            setup,
            gj,
            asl_gj,
            gj / asl_gj,
            hs,
            asl_h,
            hs / asl_h
        );
    }
}
