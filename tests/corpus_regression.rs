//! Corpus regression run: solves every model listed in `tests/expectations/cute.tsv` with
//! the release `pounce` executable and fails when a model got worse than recorded there.
//!
//! Worse means: a model that was `optimal` is not any more; both optimal but the objective
//! moved by more than 1e-6 (relative, |a - b| / max(1, |a|, |b|)); or both optimal and the
//! iteration count rose by more than 25%. Anything else that changed (fewer iterations, a
//! model newly optimal, a different failure) is printed as a note and does not fail.
//!
//! Each model runs as `pounce STUB -AMPL max_cpu_time=T` in a fresh directory holding a link
//! to the `.nl` (T = `POUNCE_REGRESSION_TIME_LIMIT`, default 5 s; the process is killed at
//! 2T + 1 s), two models at a time. The outcome is read from the `.sol`'s `objno` line
//! (solve_result_num), iterations and objective from the console's final block.
//!
//! Updating the expectations is an explicit command whose diff shows in review:
//!
//! ```sh
//! POUNCE_UPDATE_EXPECTATIONS=1 cargo test --release --test corpus_regression
//! ```
//!
//! reruns the models already listed plus every `.nl` in the corpus folders named by
//! `POUNCE_REGRESSION_DIRS` (default `cute/ampl`, relative to the corpus root), and rewrites
//! the file. Models that took more than half the time limit are left out, then the slowest
//! ones until
//! the recorded models' seconds sum to at most `POUNCE_REGRESSION_BUDGET` (default 240 s,
//! so about 2 minutes on two threads): the CI run's length stays known. The update prints
//! that sum.
//!
//! Other settings: `POUNCE_CORPUS` (corpus root, default `../shared/corpus`),
//! `POUNCE_EXPECTATIONS` (another expectations file), `POUNCE_REGRESSION_BIN` (another
//! AMPL solver executable instead of the pounce under test).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const HEADER: &str = "file\tstatus\tobjective\titerations";
const OBJECTIVE_TOL: f64 = 1e-6;
const ITERATION_GROWTH: f64 = 1.25;
const THREADS: usize = 2;
/// Default sum of model seconds the recorded models may take (about half as long on
/// `THREADS` threads), so that the CI run keeps a known bound.
const DEFAULT_BUDGET: f64 = 240.0;
const UPDATE_COMMAND: &str =
    "POUNCE_UPDATE_EXPECTATIONS=1 cargo test --release --test corpus_regression";

/// One model's outcome: the columns of the expectations file.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    /// Path relative to the corpus root, e.g. `cute/ampl/hs100.nl`.
    file: String,
    /// `optimal`, `acceptable`, `feasible`, `solved?`, `infeasible`, `unbounded`, `limit`,
    /// `failure` (the solve_result_num ranges of spec C.1), or `timeout`, `crash`, `no-sol`.
    status: String,
    /// In the model's own sense; NaN when the console printed none.
    objective: f64,
    iterations: Option<u64>,
}

impl Row {
    fn is_optimal(&self) -> bool {
        self.status == "optimal"
    }

    fn to_line(&self) -> String {
        let objective = if self.objective.is_nan() {
            String::new()
        } else {
            format!("{:e}", self.objective)
        };
        let iterations = self.iterations.map_or(String::new(), |i| i.to_string());
        format!("{}\t{}\t{objective}\t{iterations}", self.file, self.status)
    }
}

fn parse_expectations(text: &str) -> Result<Vec<Row>, String> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h.trim_end() == HEADER => {}
        _ => return Err(format!("first line must be the header `{HEADER}`")),
    }
    lines
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let fields: Vec<&str> = line.split('\t').collect();
            let bad = |what: &str| format!("line {}: {what}: {line:?}", i + 1);
            let [file, status, objective, iterations] = fields[..] else {
                return Err(bad("expected 4 tab-separated fields"));
            };
            let objective = if objective.is_empty() {
                f64::NAN
            } else {
                objective.parse().map_err(|_| bad("objective"))?
            };
            let iterations = if iterations.is_empty() {
                None
            } else {
                Some(iterations.parse().map_err(|_| bad("iterations"))?)
            };
            Ok(Row {
                file: file.to_string(),
                status: status.to_string(),
                objective,
                iterations,
            })
        })
        .collect()
}

fn write_expectations(rows: &[Row]) -> String {
    let mut out = format!("{HEADER}\n");
    for row in rows {
        out.push_str(&row.to_line());
        out.push('\n');
    }
    out
}

/// What changed for one model between the expectations and this run.
#[derive(Debug, PartialEq)]
struct Change {
    file: String,
    what: &'static str,
    expected: String,
    now: String,
}

#[derive(Debug, Default)]
struct Comparison {
    /// Changes that fail the run.
    regressions: Vec<Change>,
    /// Other changes (improvements, different failures): printed only.
    notes: Vec<Change>,
}

fn relative_difference(a: f64, b: f64) -> f64 {
    if a.is_nan() && b.is_nan() {
        return 0.0;
    }
    let d = (a - b).abs() / 1f64.max(a.abs()).max(b.abs());
    if d.is_nan() { f64::INFINITY } else { d }
}

/// Compares this run (`now`) with the expectations (`expected`), model by model.
fn compare(expected: &[Row], now: &[Row]) -> Comparison {
    let now: BTreeMap<&str, &Row> = now.iter().map(|r| (r.file.as_str(), r)).collect();
    let mut result = Comparison::default();
    for old in expected {
        let change = |what, expected: String, now: String| Change {
            file: old.file.clone(),
            what,
            expected,
            now,
        };
        let Some(new) = now.get(old.file.as_str()) else {
            let missing = change("not run", old.status.clone(), "-".into());
            result.regressions.push(missing);
            continue;
        };
        if old.is_optimal() && !new.is_optimal() {
            let c = change("status", old.status.clone(), new.status.clone());
            result.regressions.push(c);
            continue;
        }
        if !old.is_optimal() {
            if old.status != new.status {
                let c = change("status", old.status.clone(), new.status.clone());
                result.notes.push(c);
            }
            continue;
        }
        let moved = relative_difference(old.objective, new.objective);
        if moved > OBJECTIVE_TOL {
            let c = change(
                "objective",
                format!("{:e}", old.objective),
                format!("{:e} (rel. {moved:.1e})", new.objective),
            );
            result.regressions.push(c);
        }
        match (old.iterations, new.iterations) {
            (Some(a), Some(b)) if b as f64 > a as f64 * ITERATION_GROWTH => {
                let c = change("iterations", a.to_string(), b.to_string());
                result.regressions.push(c);
            }
            (Some(a), Some(b)) if b < a => {
                result
                    .notes
                    .push(change("iterations", a.to_string(), b.to_string()));
            }
            (Some(a), None) => {
                let c = change("iterations", a.to_string(), "none printed".into());
                result.regressions.push(c);
            }
            _ => {}
        }
    }
    result
}

fn change_table(changes: &[Change]) -> String {
    let mut out = String::from("| file | what | expected | now |\n|---|---|---|---|\n");
    for c in changes {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            c.file, c.what, c.expected, c.now
        );
    }
    out
}

/// AMPL's solve_result_num ranges (spec C.1) as the status words of the expectations file.
fn status_of_code(code: i64) -> &'static str {
    match code {
        0 => "optimal",
        1 => "acceptable",
        2..=99 => "feasible",
        100..=199 => "solved?",
        200..=299 => "infeasible",
        300..=399 => "unbounded",
        400..=499 => "limit",
        _ => "failure",
    }
}

/// solve_result_num from a text `.sol`: the last `objno <objno> <solve_result_num>` line.
fn sol_code(sol: &str) -> Option<i64> {
    sol.lines()
        .rev()
        .filter_map(|l| l.strip_prefix("objno "))
        .find_map(|rest| rest.split_whitespace().nth(1)?.parse().ok())
}

/// (iterations, objective) from the console's final block (spec G.3). The printed
/// objective is the internal one, -f for a maximize model, so its sign is turned back.
fn console_results(console: &str, maximize: bool) -> (Option<u64>, f64) {
    let mut iterations = None;
    let mut objective = f64::NAN;
    for line in console.lines() {
        if let Some(rest) = line.strip_prefix("Number of Iterations....:") {
            iterations = rest.trim().parse().ok();
        } else if let Some(rest) = line.strip_prefix("Objective...............:") {
            // Only the final block's line has two columns (scaled, unscaled); other
            // "Objective" lines (e.g. a certificate after the EXIT line) have one.
            let fields: Vec<&str> = rest.split_whitespace().collect();
            if let [_, unscaled] = fields[..] {
                let v: f64 = unscaled.parse().unwrap_or(f64::NAN);
                objective = if maximize { -v } else { v };
            }
        }
    }
    (iterations, objective)
}

/// Whether a text `.nl` maximizes its first objective (`O0 1`); binary files count as not.
fn maximizes(nl: &Path) -> bool {
    let Ok(bytes) = fs::read(nl) else {
        return false;
    };
    if !bytes.starts_with(b"g") {
        return false;
    }
    String::from_utf8_lossy(&bytes)
        .lines()
        .find(|l| l.starts_with('O'))
        .and_then(|l| l.split_whitespace().nth(1))
        == Some("1")
}

fn scratch_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("pounce-regression-{}-{n}", std::process::id()))
}

/// Runs `solver STUB -AMPL max_cpu_time=T` on one corpus model and returns its row and wall
/// seconds; never panics on what the solver does (crash, hang, no `.sol`): those become
/// the row's status.
fn run_model(solver: &Path, corpus: &Path, file: &str, time_limit: f64) -> (Row, f64) {
    let mut row = Row {
        file: file.to_string(),
        status: "no-sol".into(),
        objective: f64::NAN,
        iterations: None,
    };
    let nl = corpus.join(file);
    let dir = scratch_dir();
    let name = Path::new(file)
        .file_stem()
        .map_or("model".into(), |s| s.to_string_lossy().into_owned());
    let set_up = fs::create_dir_all(&dir).and_then(|()| {
        std::os::unix::fs::symlink(nl.canonicalize()?, dir.join(format!("{name}.nl")))?;
        fs::File::create(dir.join("console.txt"))
    });
    let console_file = match set_up {
        Ok(f) => f,
        Err(e) => panic!("cannot set up {} for {file}: {e}", dir.display()),
    };
    let child = console_file.try_clone().and_then(|err| {
        Command::new(solver)
            .args([&name, "-AMPL", &format!("max_cpu_time={time_limit}")])
            .current_dir(&dir)
            // Options from the caller's environment would change the solves being compared.
            .env_remove("ipopt_options")
            .env_remove("pounce_options")
            .stdin(Stdio::null())
            .stdout(console_file)
            .stderr(err)
            .spawn()
    });
    let mut child = child.unwrap_or_else(|e| panic!("cannot start {}: {e}", solver.display()));
    let start = Instant::now();
    let deadline = Instant::now() + Duration::from_secs_f64(2.0 * time_limit + 1.0);
    let exit = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    let console = fs::read_to_string(dir.join("console.txt")).unwrap_or_default();
    let sol = fs::read_to_string(dir.join(format!("{name}.sol")));
    let _ = fs::remove_dir_all(&dir);
    match exit {
        None => row.status = "timeout".into(),
        Some(status) if status.code().is_none() => row.status = "crash".into(),
        Some(_) => {
            if let Some(code) = sol.ok().as_deref().and_then(sol_code) {
                row.status = status_of_code(code).into();
                (row.iterations, row.objective) = console_results(&console, maximizes(&nl));
            }
        }
    }
    (row, seconds)
}

/// Runs `files` on `THREADS` threads; (row, seconds) come back in the order of `files`.
fn run_all(solver: &Path, corpus: &Path, files: &[String], time_limit: f64) -> Vec<(Row, f64)> {
    let next = AtomicUsize::new(0);
    let rows = Mutex::new(vec![None; files.len()]);
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    let row = run_model(solver, corpus, file, time_limit);
                    rows.lock().unwrap()[i] = Some(row);
                }
            });
        }
    });
    rows.into_inner().unwrap().into_iter().flatten().collect()
}

/// The rows an update records: models that took more than half the time limit are left
/// out (a busier CI machine could push them over it), then the slowest models until the
/// others' seconds sum to at most `budget`. Sorted by file.
fn within_budget(mut timed: Vec<(Row, f64)>, time_limit: f64, budget: f64) -> Vec<Row> {
    timed.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut total = 0.0;
    let mut kept = Vec::new();
    for (row, seconds) in timed {
        if row.status == "timeout" || seconds > time_limit / 2.0 {
            println!(
                "left out (over half the time limit): {} ({seconds:.2} s)",
                row.file
            );
        } else if total + seconds > budget {
            println!(
                "left out (budget of {budget} s): {} ({seconds:.2} s)",
                row.file
            );
        } else {
            total += seconds;
            kept.push(row);
        }
    }
    println!("recorded models take {total:.1} s in all (about half on {THREADS} threads)");
    kept.sort_by(|a, b| a.file.cmp(&b.file));
    kept
}

fn env_path(var: &str, default: PathBuf) -> PathBuf {
    std::env::var_os(var).map_or(default, PathBuf::from)
}

/// Every `.nl` directly in `corpus/dir`, as paths relative to `corpus`, sorted.
fn corpus_files(corpus: &Path, dir: &str) -> Vec<String> {
    let entries = fs::read_dir(corpus.join(dir))
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", corpus.join(dir).display()));
    let mut files: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".nl"))
        .map(|n| format!("{dir}/{n}"))
        .collect();
    files.sort();
    files
}

#[test]
fn corpus_regression() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let expectations_path = env_path(
        "POUNCE_EXPECTATIONS",
        root.join("tests/expectations/cute.tsv"),
    );
    let corpus = env_path("POUNCE_CORPUS", root.join("../shared/corpus"));
    let solver = env_path(
        "POUNCE_REGRESSION_BIN",
        PathBuf::from(env!("CARGO_BIN_EXE_pounce")),
    );
    let time_limit: f64 = std::env::var("POUNCE_REGRESSION_TIME_LIMIT").map_or(5.0, |v| {
        v.parse().expect("POUNCE_REGRESSION_TIME_LIMIT: seconds")
    });
    let update = std::env::var_os("POUNCE_UPDATE_EXPECTATIONS").is_some();

    let text = fs::read_to_string(&expectations_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", expectations_path.display()));
    let expected = parse_expectations(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", expectations_path.display()));

    let mut files: Vec<String> = expected.iter().map(|r| r.file.clone()).collect();
    if update {
        let dirs = std::env::var("POUNCE_REGRESSION_DIRS").unwrap_or("cute/ampl".into());
        for dir in dirs.split(',').filter(|d| !d.is_empty()) {
            files.extend(corpus_files(&corpus, dir));
        }
        files.sort();
        files.dedup();
    } else if files.is_empty() {
        println!(
            "corpus regression: 0 models covered ({} has no rows yet); record them with\n  {UPDATE_COMMAND}",
            expectations_path.display()
        );
        return;
    }
    assert!(
        corpus.is_dir(),
        "corpus not found at {} (set POUNCE_CORPUS)",
        corpus.display()
    );

    let start = Instant::now();
    let timed = run_all(&solver, &corpus, &files, time_limit);
    let elapsed = start.elapsed().as_secs_f64();
    let optimal = timed.iter().filter(|(r, _)| r.is_optimal()).count();
    println!(
        "corpus regression: {} models, {optimal} optimal, {elapsed:.1} s on {THREADS} threads \
         (limit {time_limit} s per model)",
        timed.len()
    );

    if update {
        let budget: f64 = std::env::var("POUNCE_REGRESSION_BUDGET").map_or(DEFAULT_BUDGET, |v| {
            v.parse().expect("POUNCE_REGRESSION_BUDGET: seconds")
        });
        let kept = within_budget(timed, time_limit, budget);
        fs::write(&expectations_path, write_expectations(&kept))
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", expectations_path.display()));
        println!(
            "wrote {} rows to {}",
            kept.len(),
            expectations_path.display()
        );
        return;
    }

    let now: Vec<Row> = timed.into_iter().map(|(r, _)| r).collect();
    let result = compare(&expected, &now);
    if !result.notes.is_empty() {
        println!(
            "Changes that are not regressions (record them with `{UPDATE_COMMAND}`):\n{}",
            change_table(&result.notes)
        );
    }
    assert!(
        result.regressions.is_empty(),
        "{} of {} models got worse:\n{}",
        result.regressions.len(),
        expected.len(),
        change_table(&result.regressions)
    );
}

mod comparison {
    use super::*;

    fn row(file: &str, status: &str, objective: f64, iterations: u64) -> Row {
        Row {
            file: file.into(),
            status: status.into(),
            objective,
            iterations: Some(iterations),
        }
    }

    #[test]
    fn identical_run_has_no_changes() {
        let rows = vec![
            row("a.nl", "optimal", 1.5, 10),
            row("b.nl", "limit", 3.0, 3000),
        ];
        let c = compare(&rows, &rows);
        assert!(c.regressions.is_empty() && c.notes.is_empty());
    }

    #[test]
    fn optimal_that_is_no_longer_optimal_fails() {
        let old = [row("a.nl", "optimal", 1.5, 10)];
        for status in ["acceptable", "failure", "timeout", "crash", "no-sol"] {
            let c = compare(&old, &[row("a.nl", status, 1.5, 10)]);
            assert_eq!(c.regressions.len(), 1, "{status}");
            assert_eq!(c.regressions[0].what, "status");
        }
    }

    #[test]
    fn objective_moved_beyond_tolerance_fails() {
        let old = [row("a.nl", "optimal", 1000.0, 10)];
        assert!(
            compare(&old, &[row("a.nl", "optimal", 1000.0005, 10)])
                .regressions
                .is_empty()
        );
        let c = compare(&old, &[row("a.nl", "optimal", 1000.002, 10)]);
        assert_eq!(c.regressions[0].what, "objective");
        // A better (lower) objective also moved: the expectations must be updated on purpose.
        assert_eq!(
            compare(&old, &[row("a.nl", "optimal", 999.0, 10)])
                .regressions
                .len(),
            1
        );
        // Near zero the difference is absolute.
        let zero = [row("z.nl", "optimal", 0.0, 5)];
        assert!(
            compare(&zero, &[row("z.nl", "optimal", 5e-7, 5)])
                .regressions
                .is_empty()
        );
        assert_eq!(
            compare(&zero, &[row("z.nl", "optimal", f64::NAN, 5)])
                .regressions
                .len(),
            1
        );
    }

    #[test]
    fn iterations_up_more_than_a_quarter_fails() {
        let old = [row("a.nl", "optimal", 1.0, 20)];
        assert!(
            compare(&old, &[row("a.nl", "optimal", 1.0, 25)])
                .regressions
                .is_empty()
        );
        let c = compare(&old, &[row("a.nl", "optimal", 1.0, 26)]);
        assert_eq!(
            c.regressions,
            vec![Change {
                file: "a.nl".into(),
                what: "iterations",
                expected: "20".into(),
                now: "26".into(),
            }]
        );
    }

    #[test]
    fn improvements_are_notes_not_failures() {
        let old = [
            row("a.nl", "optimal", 1.0, 20),
            row("b.nl", "failure", 0.0, 7),
        ];
        let now = [
            row("a.nl", "optimal", 1.0, 12),
            row("b.nl", "optimal", 2.0, 9),
        ];
        let c = compare(&old, &now);
        assert!(c.regressions.is_empty());
        assert_eq!(c.notes.len(), 2);
    }

    #[test]
    fn a_model_missing_from_the_run_fails() {
        let c = compare(&[row("a.nl", "infeasible", 1.0, 20)], &[]);
        assert_eq!(c.regressions[0].what, "not run");
    }

    #[test]
    fn regressions_are_reported_as_a_table() {
        let c = compare(
            &[row("a.nl", "optimal", 1.0, 20)],
            &[row("a.nl", "limit", 1.0, 3000)],
        );
        assert_eq!(
            change_table(&c.regressions),
            "| file | what | expected | now |\n|---|---|---|---|\n| a.nl | status | optimal | limit |\n"
        );
    }

    #[test]
    fn expectations_round_trip_and_reject_bad_lines() {
        let rows = vec![
            row("cute/ampl/a.nl", "optimal", -0.1234567890123, 10),
            Row {
                file: "cute/ampl/b.nl".into(),
                status: "failure".into(),
                objective: f64::NAN,
                iterations: None,
            },
        ];
        let text = write_expectations(&rows);
        let back = parse_expectations(&text).unwrap();
        assert_eq!(back[0], rows[0]);
        assert!(back[1].objective.is_nan() && back[1].iterations.is_none());
        assert_eq!(parse_expectations(&format!("{HEADER}\n")).unwrap(), vec![]);
        assert!(parse_expectations("file\tstatus\n").is_err());
        assert!(parse_expectations(&format!("{HEADER}\na.nl\toptimal\tx\t3\n")).is_err());
    }

    #[test]
    fn update_leaves_out_slow_models_and_the_slowest_beyond_the_budget() {
        let timed = vec![
            (row("c.nl", "optimal", 1.0, 5), 3.0),
            (row("a.nl", "timeout", f64::NAN, 0), 0.5),
            (row("b.nl", "optimal", 1.0, 5), 1.0),
            (row("d.nl", "failure", 1.0, 5), 2.0),
            (row("e.nl", "optimal", 1.0, 5), 5.5),
        ];
        let kept: Vec<String> = within_budget(timed, 10.0, 3.5)
            .into_iter()
            .map(|r| r.file)
            .collect();
        assert_eq!(kept, ["b.nl", "d.nl"]);
    }

    #[test]
    fn sol_and_console_parsing() {
        let sol =
            " \nIpopt 3.14.15: Optimal Solution Found\n\n0.5\nobjno 0 400\nsuffix 4 0 13 0 0\n";
        assert_eq!(sol_code(sol), Some(400));
        assert_eq!(sol_code(" \nmessage\n\n0.5\n"), None);
        let console = "\nNumber of Iterations....: 8\n\n   (scaled)   (unscaled)\n\
             Objective...............:   1.5e+01    1.7014017145179164e+01\n\
             \nEXIT: Optimal Solution Found.\n\nObjective...............:   1.7e+01\n";
        assert_eq!(
            console_results(console, false),
            (Some(8), 17.014017145179164)
        );
        assert_eq!(console_results(console, true).1, -17.014017145179164);
        assert_eq!(status_of_code(401), "limit");
        assert_eq!(status_of_code(502), "failure");
    }
}

/// The runner against small stand-in solvers (shell scripts), to show that what a solver
/// does — a solution, a worse solution, a crash, a hang — reaches the comparison.
mod runner {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        let path = dir.join(name);
        fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    /// A solver that writes `STUB.sol` with solve_result_num `code` and prints the final block.
    fn fake_solver(dir: &Path, name: &str, code: i64, iterations: u64, objective: &str) -> PathBuf {
        script(
            dir,
            name,
            &format!(
                "printf ' \\nfake\\n\\nobjno 0 {code}\\n' > \"$1.sol\"\n\
                 printf '\\nNumber of Iterations....: {iterations}\\n\\n'\n\
                 printf 'Objective...............:   {objective}    {objective}\\n'"
            ),
        )
    }

    #[test]
    fn solver_outcomes_reach_the_comparison() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let corpus = root.join("testdata");
        let file = "nl/hs071.nl".to_string();
        let dir = scratch_dir();
        fs::create_dir_all(&dir).unwrap();

        let good = fake_solver(&dir, "good", 0, 8, "1.7014017e+01");
        let rows = |solver: &Path, limit| -> Vec<Row> {
            let timed = run_all(solver, &corpus, std::slice::from_ref(&file), limit);
            timed.into_iter().map(|(r, _)| r).collect()
        };
        let expected = rows(&good, 2.0);
        assert_eq!(
            expected,
            vec![Row {
                file: file.clone(),
                status: "optimal".into(),
                objective: 17.014017,
                iterations: Some(8),
            }]
        );

        let slower = fake_solver(&dir, "slower", 0, 11, "1.7014017e+01");
        let worse_optimum = fake_solver(&dir, "other", 0, 8, "1.8e+01");
        let limit = fake_solver(&dir, "limit", 400, 3000, "1.7e+01");
        let crash = script(&dir, "crash", "kill -SEGV $$");
        let no_sol = script(&dir, "nosol", "echo cannot read; exit 1");
        let hang = script(&dir, "hang", "exec sleep 30");
        for (solver, what) in [
            (&slower, "iterations"),
            (&worse_optimum, "objective"),
            (&limit, "status"),
            (&crash, "status"),
            (&no_sol, "status"),
            (&hang, "status"),
        ] {
            let now = rows(solver, 0.2);
            let c = compare(&expected, &now);
            assert_eq!(c.regressions.len(), 1, "{}: {now:?}", solver.display());
            assert_eq!(c.regressions[0].what, what, "{}", solver.display());
        }
        let statuses: Vec<String> = [&crash, &no_sol, &hang]
            .iter()
            .map(|s| run_model(s, &corpus, &file, 0.2).0.status)
            .collect();
        assert_eq!(statuses, ["crash", "no-sol", "timeout"]);
        fs::remove_dir_all(&dir).unwrap();
    }
}
