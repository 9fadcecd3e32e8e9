//! Times reading the ten largest CUTE corpus files (by bytes).
//!
//! Run: `cargo bench --bench reader` (from the project root; needs ../shared).
//! Prints a Markdown table: file, bytes, best and median read time over the repeats,
//! read throughput, best time of one evaluation of f and c at x0.
//!
//! Same-run comparison with the AMPL Solver Library: build its reader timer with
//! `bash benches/asl/build.sh`, then
//! `POUNCE_ASLREAD=target/asl/aslread cargo bench --bench reader`.
//! For each file, `ROUNDS` rounds alternate three fresh processes: this binary
//! reading the file `READS` times with `pounce::nl::read_file`, `aslread` reading it
//! `READS` times with `fg_read` (plain reading) and `aslread --pfgh` (reading plus the
//! ASL's Hessian set-up). Times are process CPU time per read; a side's best is its
//! fastest read over all rounds, its median the median of the rounds' medians. Peak
//! memory is each process's VmHWM after its first read. Ratios are pounce / ASL.
//! The corpus files are all text; each is also converted to binary (little-endian,
//! the ASL's native order on this machine) with `pounce::nl::write::write_binary`
//! into `target/reader-bench/` and timed the same way, as AMPL writes binary files
//! by default.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use pounce::nl::eval::Evaluator;
use pounce::nl::write::write_binary;
use pounce::nl::{ByteOrder, read_file};
use pounce::stop::process_cpu_seconds;

const REPEATS: usize = 31;
/// Reads per process in the same-run comparison.
const READS: usize = 7;
/// Alternating rounds (pounce, ASL fg_read, ASL pfgh_read) per file.
const ROUNDS: usize = 5;
/// First argument of the child process that times pounce's reads.
const CHILD: &str = "--time-reads";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(CHILD) {
        time_reads_child(Path::new(&args[2]));
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/cute");
    if !root.is_dir() {
        eprintln!("{} is absent; nothing to time", root.display());
        std::process::exit(1);
    }
    let files = largest_files(&root);
    match std::env::var_os("POUNCE_ASLREAD") {
        Some(aslread) => same_run(&root, &files, Path::new(&aslread)),
        None => pounce_only(&root, &files),
    }
}

/// The ten largest `.nl` files of both writers, largest first.
fn largest_files(root: &Path) -> Vec<(u64, PathBuf)> {
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
    files
}

fn pounce_only(root: &Path, files: &[(u64, PathBuf)]) {
    println!(
        "| file | bytes | read best (ms) | read median (ms) | MB/s (best) | f+c at x0 best (ms) |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (bytes, path) in files {
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
        let name = path.strip_prefix(root).unwrap_or(path).display();
        println!(
            "| {name} | {bytes} | {:.2} | {:.2} | {:.0} | {:.3} |",
            ms(reads[0]),
            ms(reads[REPEATS / 2]),
            *bytes as f64 / 1e6 / reads[0].as_secs_f64(),
            ms(evals[0]),
        );
    }
}

/// This process's peak resident memory in KiB (VmHWM).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Child process: reads `path` `READS` times and prints, as aslread does, the best
/// and median CPU seconds per read and the peak memory after the first read.
fn time_reads_child(path: &Path) {
    let mut cpu = Vec::with_capacity(READS);
    let mut first_peak = 0;
    for k in 0..READS {
        let t = process_cpu_seconds().expect("the process CPU clock");
        let model = read_file(path).unwrap_or_else(|e| panic!("{e}"));
        cpu.push(process_cpu_seconds().expect("the process CPU clock") - t);
        if k == 0 {
            first_peak = peak_rss_kib();
        }
        drop(std::hint::black_box(model));
    }
    cpu.sort_by(f64::total_cmp);
    println!(
        "{{\"best_s\": {:e}, \"median_s\": {:e}, \"peak_rss_first_kib\": {first_peak}}}",
        cpu[0],
        cpu[READS / 2]
    );
}

/// One side's figures over the rounds: best read, median of the rounds' medians,
/// peak memory after the first read (largest over the rounds).
#[derive(Default)]
struct Side {
    best: Vec<f64>,
    median: Vec<f64>,
    peak_kib: u64,
}

impl Side {
    fn add(&mut self, json: &str) {
        let num = |key: &str| -> f64 {
            let at = json
                .find(&format!("\"{key}\":"))
                .unwrap_or_else(|| panic!("no {key} in {json}"));
            let rest = json[at + key.len() + 3..].trim_start();
            let end = rest.find([',', '}']).expect("number ends");
            rest[..end].trim().parse().expect("number")
        };
        self.best.push(num("best_s"));
        self.median.push(num("median_s"));
        self.peak_kib = self.peak_kib.max(num("peak_rss_first_kib") as u64);
    }
    fn best(&self) -> f64 {
        self.best.iter().copied().fold(f64::INFINITY, f64::min)
    }
    fn median(&self) -> f64 {
        let mut m = self.median.clone();
        m.sort_by(f64::total_cmp);
        m[m.len() / 2]
    }
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("child process starts");
    assert!(out.status.success(), "{cmd:?}: {out:?}");
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn same_run(root: &Path, files: &[(u64, PathBuf)], aslread: &Path) {
    let me = std::env::current_exe().expect("own executable");
    let reads = READS.to_string();
    println!(
        "| file | bytes | pounce best (ms) | median | ASL fg_read best (ms) | median | ASL pfgh_read best (ms) | median | best ratio vs fg_read | median ratio vs fg_read | best ratio vs pfgh_read | peak KiB pounce | fg_read | pfgh_read |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let bin_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/reader-bench");
    std::fs::create_dir_all(&bin_dir).expect("binary copies' directory");
    let mut all: Vec<(u64, PathBuf, String)> = Vec::new();
    for (bytes, path) in files {
        let name = path
            .strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string();
        all.push((*bytes, path.clone(), name.clone()));
    }
    for (_, path) in files {
        let name = path
            .strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string();
        let text = std::fs::read(path).expect("corpus file");
        let bin = write_binary(&name, &text, ByteOrder::Little).unwrap_or_else(|e| panic!("{e}"));
        let bin_path = bin_dir.join(name.replace('/', "-"));
        std::fs::write(&bin_path, &bin).expect("binary copy written");
        all.push((bin.len() as u64, bin_path, format!("{name} (binary)")));
    }
    for (bytes, path, name) in &all {
        let (mut p, mut fg, mut pfgh) = (Side::default(), Side::default(), Side::default());
        for _ in 0..ROUNDS {
            p.add(&run(Command::new(&me).arg(CHILD).arg(path)));
            fg.add(&run(Command::new(aslread)
                .args(["--repeat", &reads])
                .arg(path)));
            pfgh.add(&run(Command::new(aslread)
                .args(["--repeat", &reads, "--pfgh"])
                .arg(path)));
        }
        let ms = |s: f64| s * 1e3;
        println!(
            "| {name} | {bytes} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} | {} |",
            ms(p.best()),
            ms(p.median()),
            ms(fg.best()),
            ms(fg.median()),
            ms(pfgh.best()),
            ms(pfgh.median()),
            p.best() / fg.best(),
            p.median() / fg.median(),
            p.best() / pfgh.best(),
            p.peak_kib,
            fg.peak_kib,
            pfgh.peak_kib,
        );
    }
}
