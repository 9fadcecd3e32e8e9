//! What the optimality certificate costs next to the solve it certifies.
//!
//! ```sh
//! cargo bench --bench certificate_cost -- ../shared/corpus/cute/ampl/{dtoc1l,broydn3d,hager1}.nl
//! ```
//!
//! For each model: the solve through the dispatcher with the default options and no log
//! (certificate included, as in the executable; the minimum of 3 runs), and the certificate
//! of that solve's result alone (the minimum of 7 runs), with its ratio to the solve.

use std::path::PathBuf;
use std::time::Instant;

use pounce::certificate::{NlpScaling, Tolerances, certify};
use pounce::options::Options;

fn min_seconds(runs: usize, mut f: impl FnMut()) -> f64 {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
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
        "{:<12} {:>8} {:>10} {:>10} {:>7}  status",
        "model", "n+m", "solve s", "cert s", "ratio"
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
        let mut verified = false;
        let cert = min_seconds(7, || {
            verified = certify(&model, &solution, tolerances, &scaling).verified();
        });
        println!(
            "{name:<12} {:>8} {solve:>10.4} {cert:>10.5} {:>6.2}%  {} (certificate {})",
            model.n_var + model.n_con,
            100.0 * cert / solve,
            solution.status.exit_line(),
            if verified { "verified" } else { "not verified" },
        );
    }
}
