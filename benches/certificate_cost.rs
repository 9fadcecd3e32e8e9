//! What the optimality certificate costs next to the solve it certifies.
//!
//! ```sh
//! cargo bench --bench certificate_cost -- ../shared/corpus/cute/ampl/{dtoc1l,broydn3d,hager1}.nl
//! ```
//!
//! For each model: the solve through the dispatcher with the default options and no log
//! (certificate included, as in the executable; the minimum of 3 runs), and the certificate
//! of that solve's result alone (the minimum of 7 runs), with its ratio to the solve. The
//! certificate is the one that runs after a solve (`certify`), which leaves out the NLP
//! scaling when the unscaled error already meets `tol` (the last column says whether the
//! scaled error was computed or bounded); `full cpu` is the certificate with the scaled
//! error always computed (`certify_point`, as `pounce verify` runs it), for comparison.
//! Both are timed as the process's CPU time (`CLOCK_PROCESS_CPUTIME_ID`), the ratio that
//! matters, and as wall-clock time, which on a shared machine also measures the other
//! jobs: a short certificate often escapes preemption, a long solve does not.

use std::path::PathBuf;
use std::time::Instant;

use pounce::certificate::{
    Multipliers, NlpScaling, ScaledFigure, Tolerances, certify, certify_point,
};
use pounce::options::Options;
use pounce::stop::process_cpu_seconds;

/// CPU time consumed by the process so far, in seconds.
fn cpu_time() -> f64 {
    process_cpu_seconds().expect("the process CPU clock")
}

/// The minimum CPU and the minimum wall-clock seconds of `runs` calls of `f`.
fn min_seconds(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    (0..runs)
        .map(|_| {
            let (cpu, wall) = (cpu_time(), Instant::now());
            f();
            (cpu_time() - cpu, wall.elapsed().as_secs_f64())
        })
        .fold((f64::INFINITY, f64::INFINITY), |(c, w), (a, b)| {
            (c.min(a), w.min(b))
        })
}

fn main() {
    let files: Vec<PathBuf> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .collect();
    if files.is_empty() {
        eprintln!("usage: cargo bench --bench certificate_cost -- MODEL.nl...");
        std::process::exit(2);
    }
    let options = Options::with(&[("print_level", "0")]).expect("valid options");
    let scaling = NlpScaling::IPOPT_DEFAULT;
    let tolerances = Tolerances::default();
    println!(
        "{:<12} {:>8} {:>10} {:>10} {:>7} {:>10} {:>10} {:>7} {:>10} {:>7}  status",
        "model",
        "n+m",
        "solve cpu",
        "cert cpu",
        "ratio",
        "solve wall",
        "cert wall",
        "ratio",
        "full cpu",
        "ratio"
    );
    for path in &files {
        let name = path.file_stem().unwrap_or_default().to_string_lossy();
        let model = match pounce::nl::read_file(path) {
            Ok(m) => m,
            Err(e) => {
                println!("{name:<12} cannot read: {e}");
                continue;
            }
        };
        let mut outcome = None;
        let solve = min_seconds(3, || {
            let o = pounce::solver_selection::solve(
                &model,
                &options,
                &pounce::stop::Stop::never(),
                &mut std::io::sink(),
            );
            outcome = Some(o);
        });
        let solution = outcome.expect("three runs").solution;
        let mut certificate = None;
        let cert = min_seconds(7, || {
            certificate = Some(certify(&model, &solution, tolerances, &scaling));
        });
        let certificate = certificate.expect("seven runs");
        let multipliers = Multipliers::of_solution(&solution);
        let full = min_seconds(7, || {
            let c = certify_point(
                &model,
                &solution.x,
                Some(&multipliers),
                tolerances,
                &scaling,
                Some(solution.objective),
            );
            assert_eq!(c.verified(), certificate.verified(), "same verdict");
        });
        println!(
            "{name:<12} {:>8} {:>10.4} {:>10.5} {:>6.2}% {:>10.4} {:>10.5} {:>6.2}% {:>10.5} {:>6.2}%  {} (certificate {}, scaled error {})",
            model.n_var + model.n_con,
            solve.0,
            cert.0,
            100.0 * cert.0 / solve.0,
            solve.1,
            cert.1,
            100.0 * cert.1 / solve.1,
            full.0,
            100.0 * full.0 / solve.0,
            solution.status.exit_line(),
            if certificate.verified() {
                "verified"
            } else {
                "not verified"
            },
            match certificate.residuals.scaled_figure {
                ScaledFigure::Computed => "computed",
                ScaledFigure::AtMost => "bounded",
                ScaledFigure::Unscaled => "unscaled",
            },
        );
    }
}
