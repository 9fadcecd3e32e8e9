//! Benchmark of derivative evaluation on the ten largest CUTE corpus models (by file
//! size, AMPL-written): seconds per evaluation of the values, of ∇f + J and of the
//! Lagrangian Hessian, beside the ASL's times for the same files from
//! `../shared/reference/asl-timing-cute.tsv` (ASL's `asldump --time`).
//!
//! Run: `cargo bench --bench autodiff_eval [-- NAME ...]`.
//!
//! Same run: after `bash benches/asl/build.sh`, set `POUNCE_ASLDUMP=target/asl/asldump`
//! and the ASL columns come from running `asldump --time K` on each model right after
//! pounce's rounds on it, instead of the recorded table. K is chosen so that the ASL
//! spends at least as many evaluations as pounce's budget would at pounce's speed.
//! asldump times its loops with the wall clock; to compare CPU with CPU, its loops'
//! CPU time is measured as the CPU time of `asldump --time K` less that of a plain
//! `asldump` run on the same file (children's rusage), and its three figures are
//! scaled by that CPU time over their wall-clock sum. `asl_wall` is that wall-clock
//! / CPU ratio.
//!
//! One round is one interior-point iteration at a new point (x0 and x1 alternate):
//! objective and constraint values (`fc`), then gradient and Jacobian at that point
//! (`gj`), then the Hessian at that point (`hess`); each part is timed on its own.
//! This is how `asldump --time` splits its figures too: its `gj` and `hess` loops run
//! at the point its `fc` loop evaluated, and the ASL computes the operations' partial
//! derivatives during the function evaluation, so its `fc` carries part of what is
//! derivative work here. `total` (fc + gj + hess) is therefore the like-for-like
//! figure; the parts show where the time goes.
//!
//! Times are the thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), not wall-clock time:
//! on a shared machine the wall clock mostly measures the other jobs. The last
//! column gives wall-clock / CPU time of the whole model's run, which shows how
//! much the machine was shared.

use pounce::autodiff::Derivatives;
use pounce::nl::read_file;
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

const LARGEST: [&str; 10] = [
    "drcav3lq", "curly30", "dtoc1l", "curly10", "hager3", "liswet2", "liswet1", "liswet10",
    "liswet12", "hues-mod",
];

/// CPU time consumed by the calling thread so far.
fn cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant Linux
    // supports.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// CPU seconds per round of each of the three parts, rounds repeated until about
/// `budget` of CPU time has passed (at least 5 rounds), and the wall-clock / CPU
/// time ratio of the whole.
fn time_rounds(
    budget: Duration,
    mut round: impl FnMut(usize, &mut [Duration; 3]),
) -> ([f64; 3], f64) {
    let (wall, cpu) = (Instant::now(), cpu_time());
    let mut total = [Duration::ZERO; 3];
    let mut reps = 0;
    while reps < 5 || cpu_time() - cpu < budget {
        round(reps, &mut total);
        reps += 1;
    }
    let share = wall.elapsed().as_secs_f64() / (cpu_time() - cpu).as_secs_f64();
    (total.map(|t| t.as_secs_f64() / reps as f64), share)
}

/// CPU seconds per evaluation (`fc`, `gj`, `hess`) of `asldump --time k` on `file`,
/// and the wall-clock / CPU ratio of its timing loops (see the module comment).
fn asldump_times(asldump: &Path, file: &Path, k: usize) -> ([f64; 3], f64) {
    let children_cpu = || {
        // SAFETY: an all-zero rusage is a valid value for getrusage to overwrite.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `ru` is a valid, writable rusage.
        assert_eq!(
            unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) },
            0
        );
        let s = |t: libc::timeval| t.tv_sec as f64 + 1e-6 * t.tv_usec as f64;
        s(ru.ru_utime) + s(ru.ru_stime)
    };
    let run = |extra: &[String]| {
        let cpu = children_cpu();
        let out = std::process::Command::new(asldump)
            .args(extra)
            .args(["--summary", "0"])
            .arg(file)
            .output()
            .expect("asldump runs");
        assert!(
            out.status.success(),
            "asldump on {}: {out:?}",
            file.display()
        );
        (out.stdout, children_cpu() - cpu)
    };
    let (_, cpu_plain) = run(&[]);
    let (stdout, cpu_timed) = run(&["--time".into(), k.to_string()]);
    let json: serde_json::Value = serde_json::from_slice(&stdout).expect("asldump JSON");
    let wall = ["fc_s", "gj_s", "hess_s"].map(|key| json["timing"][key].as_f64().unwrap_or(0.0));
    let share = k as f64 * wall.iter().sum::<f64>() / (cpu_timed - cpu_plain);
    (wall.map(|w| w / share), share)
}

fn main() {
    let asldump = std::env::var_os("POUNCE_ASLDUMP");
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
        "{:<9} {:>6} {:>6} {:>7} {:>7} {:>8} | {:>8} {:>8} {:>5} | {:>8} {:>8} {:>5} | {:>8} {:>8} {:>5} | {:>8} {:>8} {:>5} | {:>5} {:>8}",
        "model",
        "n",
        "m",
        "nnz_j",
        "nnz_h",
        "setup_s",
        "fc_s",
        "asl",
        "ratio",
        "gj_s",
        "asl",
        "ratio",
        "hess_s",
        "asl",
        "ratio",
        "total_s",
        "asl",
        "ratio",
        "wall",
        "asl_wall"
    );
    for name in names {
        let model =
            read_file(&shared.join(format!("corpus/cute/ampl/{name}.nl"))).expect("corpus model");
        let t = cpu_time();
        let mut d = Derivatives::new(&model).expect("valid tape");
        let setup = (cpu_time() - t).as_secs_f64();
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
        let budget = Duration::from_millis(400);
        let mut c = vec![0.0; model.n_con];
        let ([fc, gj, hs], share) = time_rounds(budget, |round, total| {
            let x = if round % 2 == 0 { &x0 } else { &x1 };
            let t0 = cpu_time();
            d.objective(x).expect("objective");
            d.constraints(x, &mut c).expect("constraints");
            let t1 = cpu_time();
            d.gradient(x, &mut g).expect("gradient");
            d.jacobian_values(x, &mut j).expect("jacobian");
            let t2 = cpu_time();
            d.hessian_values(x, 1.0, &y, &mut h).expect("hessian");
            let t3 = cpu_time();
            total[0] += t1 - t0;
            total[1] += t2 - t1;
            total[2] += t3 - t2;
        });
        let asl_col = |k: usize| {
            asl.get(name)
                .and_then(|f| f[k].parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        let ([afc, agj, ah], asl_share) = match &asldump {
            Some(exe) => {
                let k = (budget.as_secs_f64() / (fc + gj + hs)).clamp(5.0, 5000.0) as usize;
                let file = shared.join(format!("corpus/cute/ampl/{name}.nl"));
                asldump_times(Path::new(exe), &file, k)
            }
            None => ([asl_col(7), asl_col(8), asl_col(9)], f64::NAN),
        };
        println!(
            "{:<9} {:>6} {:>6} {:>7} {:>7} {:>8.2e} | {:>8.2e} {:>8.2e} {:>5.2} | {:>8.2e} {:>8.2e} {:>5.2} | {:>8.2e} {:>8.2e} {:>5.2} | {:>8.2e} {:>8.2e} {:>5.2} | {:>5.1} {:>8.1}",
            name,
            model.n_var,
            model.n_con,
            nnz_j,
            nnz_h,
            setup,
            fc,
            afc,
            fc / afc,
            gj,
            agj,
            gj / agj,
            hs,
            ah,
            hs / ah,
            fc + gj + hs,
            afc + agj + ah,
            (fc + gj + hs) / (afc + agj + ah),
            share,
            asl_share
        );
    }
}
