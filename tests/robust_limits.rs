//! Time limits and interruption: `max_cpu_time` and `max_wall_time` end a solve within a
//! fraction of a second of the limit even when one iteration (one factorization) takes
//! seconds, with status 401 / 402 and a `.sol` of the current point; SIGINT ends it with
//! `User_Requested_Stop` (403) and a `.sol`; the sparse factorization itself gives up
//! between fronts once the stop signal fires.

mod robust_common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pounce::linsol::sparse::SparseLdlt;
use pounce::linsol::{LinsolError, LowerCsc, SymmetricIndefiniteSolver};
use pounce::stop::Stop;
use robust_common::{grid_model, run_pounce, scratch, sol_status, sol_values, wait_with_usage};

/// Shape of the slow model's grid (`k × k × len`): about 1.5 CPU seconds per iteration,
/// spent in fronts of a few hundred rows that take milliseconds each.
const SLOW_GRID: (usize, usize) = (20, 160);

/// The 7-point Laplacian plus `shift·I` of a `k³` grid, lower triangle.
fn grid_laplacian(k: usize, shift: f64) -> (LowerCsc, Vec<f64>) {
    let n = k * k * k;
    let (mut col_ptr, mut row_idx, mut values) = (vec![0], Vec::new(), Vec::new());
    for j in 0..n {
        row_idx.push(j);
        values.push(6.0 + shift);
        for step in [1, k, k * k] {
            let i = j + step;
            let neighbour = match step {
                1 => j % k + 1 < k,
                s if s == k => (j / k) % k + 1 < k,
                _ => i < n,
            };
            if neighbour {
                row_idx.push(i);
                values.push(-1.0);
            }
        }
        col_ptr.push(row_idx.len());
    }
    let pattern = LowerCsc {
        dim: n,
        col_ptr,
        row_idx,
    };
    (pattern, values)
}

#[test]
fn factorization_gives_up_once_the_stop_signal_fires() {
    let (pattern, values) = grid_laplacian(12, -0.5);
    let flag = Arc::new(AtomicBool::new(false));
    let mut solver = SparseLdlt::new().with_stop(Stop::new(Some(flag.clone()), 1e20, 1e20));
    solver.analyse(&pattern).unwrap();
    let inertia = solver.factor(&values).unwrap();
    assert_eq!(inertia.positive + inertia.negative, pattern.dim);
    flag.store(true, Ordering::Relaxed);
    assert_eq!(solver.factor(&values), Err(LinsolError::Interrupted));
    let mut rhs = vec![1.0; pattern.dim];
    assert_eq!(
        solver.solve_in_place(&mut rhs),
        Err(LinsolError::NotReady),
        "an abandoned factorization must not be used"
    );
    // An expired time limit stops it the same way.
    let mut timed = SparseLdlt::new().with_stop(Stop::new(None, 0.0, 1e20));
    timed.analyse(&pattern).unwrap();
    assert_eq!(timed.factor(&values), Err(LinsolError::Interrupted));
}

/// Writes the slow model into a fresh directory and returns it.
fn slow_model(test: &str) -> std::path::PathBuf {
    let dir = scratch(test);
    std::fs::write(dir.join("grid.nl"), grid_model(SLOW_GRID.0, SLOW_GRID.1)).unwrap();
    dir
}

/// The `.sol` of a stopped solve: the expected status and finite values throughout.
fn check_stopped_sol(dir: &std::path::Path, code: i32, message: &str) {
    let sol = std::fs::read_to_string(dir.join("grid.sol")).expect("a .sol is written");
    assert_eq!(sol_status(&sol), code, "{sol:.300}");
    assert!(sol.contains(message), "{sol:.300}");
    let values = sol_values(&sol);
    assert_eq!(values.len(), SLOW_GRID.0 * SLOW_GRID.0 * SLOW_GRID.1);
    assert!(values.iter().all(|v| v.is_finite()));
}

#[test]
fn cpu_time_limit_stops_inside_a_slow_iteration() {
    let dir = slow_model("cpu");
    // What the run costs around the solve (reading, setup, output), stopped at once.
    let (base, _, _) = run_pounce(&dir, &["grid.nl", "-AMPL", "max_cpu_time=1e-6"]);
    assert!(base.status.success());
    check_stopped_sol(&dir, 401, "Maximum CPU Time Exceeded.");
    let limit = 1.5;
    let (run, out, _) = run_pounce(
        &dir,
        &["grid.nl", "-AMPL", &format!("max_cpu_time={limit}")],
    );
    assert!(run.status.success(), "{out}");
    assert!(out.contains("EXIT: Maximum CPU time exceeded."), "{out}");
    check_stopped_sol(&dir, 401, "Maximum CPU Time Exceeded.");
    // One iteration of this model takes seconds: a limit checked only between
    // iterations overshoots by that much.
    let overshoot = run.cpu_seconds - base.cpu_seconds - limit;
    assert!(
        overshoot < 0.5,
        "stopped {overshoot:.2} CPU seconds after the limit (run {:.2} s, base {:.2} s)",
        run.cpu_seconds,
        base.cpu_seconds
    );
}

#[test]
fn wall_time_limit_reports_its_own_status() {
    let dir = slow_model("wall");
    let start = Instant::now();
    let (run, out, _) = run_pounce(&dir, &["grid.nl", "-AMPL", "max_wall_time=1"]);
    assert!(run.status.success(), "{out}");
    assert!(
        out.contains("EXIT: Maximum wallclock time exceeded."),
        "{out}"
    );
    check_stopped_sol(&dir, 402, "Maximum Wallclock Time Exceeded.");
    // Loose: the machine may be shared; the unlimited solve takes far longer.
    assert!(start.elapsed() < Duration::from_secs(60));
}

/// CPU seconds used so far by process `pid` (`/proc/PID/stat`, fields 14 and 15).
fn cpu_of(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let rest = stat.rsplit_once(')').unwrap().1;
    let fields: Vec<f64> = rest
        .split_whitespace()
        .map(|v| v.parse().unwrap_or(0.0))
        .collect();
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    (fields[11] + fields[12]) / ticks
}

#[test]
fn sigint_stops_at_the_current_point_and_writes_the_sol() {
    let dir = slow_model("sigint");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pounce"))
        .args(["grid.nl", "-AMPL"])
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut log = String::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            // Interrupt once the solve has taken its first step.
            if line.trim_start().starts_with("1 ") {
                let _ = tx.send(());
            }
            log.push_str(&line);
            log.push('\n');
        }
        log
    });
    rx.recv_timeout(Duration::from_secs(120))
        .expect("the solve reaches its first iteration");
    let cpu_at_signal = cpu_of(child.id());
    // SAFETY: kill has no memory-safety preconditions; the pid is our live child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let done = wait_with_usage(child);
    let log = reader.join().unwrap();
    assert_eq!(done.status.code(), Some(0), "{log}");
    assert!(
        log.contains("EXIT: Stopping optimization at current point as requested by user."),
        "{log}"
    );
    check_stopped_sol(&dir, 403, "User requested stop.");
    let after = done.cpu_seconds - cpu_at_signal;
    assert!(
        after < 0.5,
        "ran {after:.2} CPU seconds after SIGINT\n{log}"
    );
}
