//! Times reading the ten largest CUTE corpus files (by bytes) and one evaluation of
//! f and c at x0 for each.
//!
//! Run: `cargo bench --bench reader` (from the project root; needs ../shared).
//! Prints a Markdown table: file, bytes, best and median read time over the repeats,
//! read throughput, best f+c time.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pounce::nl::eval::Evaluator;
use pounce::nl::read_file;

const REPEATS: usize = 31;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/cute");
    if !root.is_dir() {
        eprintln!("{} is absent; nothing to time", root.display());
        std::process::exit(1);
    }
    let mut files: Vec<(u64, PathBuf)> = Vec::new();
    for writer in ["ampl", "pyomo"] {
        for e in std::fs::read_dir(root.join(writer)).expect("corpus directory") {
            let p = e.expect("directory entry").path();
            if p.extension().is_some_and(|x| x == "nl") {
                files.push((std::fs::metadata(&p).expect("metadata").len(), p));
            }
        }
    }
    files.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    files.truncate(10);

    println!(
        "| file | bytes | read best (ms) | read median (ms) | MB/s (best) | f+c at x0 best (ms) |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (bytes, path) in &files {
        let mut reads = Vec::with_capacity(REPEATS);
        let mut model = None;
        for _ in 0..REPEATS {
            let t = Instant::now();
            let m = read_file(path).unwrap_or_else(|e| panic!("{e}"));
            reads.push(t.elapsed());
            model = Some(m);
        }
        let model = model.expect("at least one repeat");
        let x: Vec<f64> = model.x0.iter().map(|v| v.unwrap_or(0.0)).collect();
        let ev = Evaluator::new(&model);
        let mut ws = ev.workspace();
        let mut c = vec![0.0; model.n_con];
        let mut evals = Vec::with_capacity(REPEATS);
        for _ in 0..REPEATS {
            let t = Instant::now();
            let (f, r) = ev.objective_and_constraints(&x, &mut ws, &mut c);
            evals.push(t.elapsed());
            assert!(f.is_ok() && r.is_ok(), "{} evaluates at x0", path.display());
            std::hint::black_box(&c);
        }
        reads.sort();
        evals.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let name = path.strip_prefix(&root).unwrap_or(path).display();
        println!(
            "| {name} | {bytes} | {:.2} | {:.2} | {:.0} | {:.3} |",
            ms(reads[0]),
            ms(reads[REPEATS / 2]),
            *bytes as f64 / 1e6 / reads[0].as_secs_f64(),
            ms(evals[0]),
        );
    }
}
