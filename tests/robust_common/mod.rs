//! Helpers of the robustness tests: generated models, running the executable as a
//! child process with its resource usage, reading the status out of a `.sol`.
// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};

/// A fresh empty directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pounce-robust-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/nl")
        .join(name)
}

/// `min Σ_edges (x_i − x_j)² + Σ_i (x_i² − 1)²` over a `k × k × len` grid (edges between
/// grid neighbours), no constraints, as a text `.nl`. Its Hessian has the grid's
/// pattern: for a long bar (`len ≫ k`) the factorization costs about `n·k⁴` operations
/// spread over many fronts of a few `k²` rows — a model that is cheap to read and
/// evaluate but whose every iteration is slow.
pub fn grid_model(k: usize, len: usize) -> String {
    let n = k * k * len;
    let id = |a: usize, b: usize, c: usize| a + k * (b + k * c);
    let mut edges = Vec::new();
    for c in 0..len {
        for b in 0..k {
            for a in 0..k {
                if a + 1 < k {
                    edges.push((id(a, b, c), id(a + 1, b, c)));
                }
                if b + 1 < k {
                    edges.push((id(a, b, c), id(a, b + 1, c)));
                }
                if c + 1 < len {
                    edges.push((id(a, b, c), id(a, b, c + 1)));
                }
            }
        }
    }
    let mut s = String::new();
    let _ = write!(
        s,
        "g3 1 1 0\t# {k}x{k}x{len} grid\n {n} 0 1 0 0\n 0 1 0 0 0 0\n 0 0\n 0 {n} 0\n 0 0 0 1\n \
         0 0 0 0 0\n 0 {n}\n 0 0\n 0 0 0 0 0\nO0 0\no54\n{}\n",
        edges.len() + n
    );
    for (i, j) in edges {
        let _ = write!(s, "o5\no1\nv{i}\nv{j}\nn2\n");
    }
    for i in 0..n {
        let _ = write!(s, "o5\no1\no5\nv{i}\nn2\nn1\nn2\n");
    }
    let _ = writeln!(s, "b");
    for _ in 0..n {
        let _ = writeln!(s, "3");
    }
    let _ = writeln!(s, "x{n}");
    for i in 0..n {
        let _ = writeln!(s, "{i} {}", 0.1 + 0.8 * ((i * 7919) % 101) as f64 / 101.0);
    }
    let _ = writeln!(s, "G0 {n}");
    for i in 0..n {
        let _ = writeln!(s, "{i} 0");
    }
    s
}

/// How a child process ended and what it used.
pub struct Finished {
    pub status: ExitStatus,
    /// User + system CPU seconds of the child.
    pub cpu_seconds: f64,
    /// Peak resident set size in bytes.
    pub max_rss: u64,
}

/// Waits for `child` and collects its resource usage (`wait4`).
pub fn wait_with_usage(child: Child) -> Finished {
    use std::os::unix::process::ExitStatusExt;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: zeroed rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own unwaited child; the pointers are to live locals.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(rc, pid, "wait4 failed");
    let seconds = |t: libc::timeval| t.tv_sec as f64 + 1e-6 * t.tv_usec as f64;
    // The Child is dropped without waiting again: the process is already reaped.
    std::mem::forget(child);
    Finished {
        status: ExitStatus::from_raw(status),
        cpu_seconds: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        max_rss: usage.ru_maxrss as u64 * 1024,
    }
}

/// Runs `pounce args…` to completion, output captured to files in `dir`.
pub fn run_pounce(dir: &Path, args: &[&str]) -> (Finished, String, String) {
    let out = std::fs::File::create(dir.join("stdout.txt")).unwrap();
    let err = std::fs::File::create(dir.join("stderr.txt")).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_pounce"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap();
    let finished = wait_with_usage(child);
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap_or_default();
    (finished, read("stdout.txt"), read("stderr.txt"))
}

/// `solve_result_num` of a text `.sol` (the integer after `objno 0`).
pub fn sol_status(sol: &str) -> i32 {
    let line = sol
        .lines()
        .find(|l| l.starts_with("objno "))
        .unwrap_or_else(|| panic!("no objno line in\n{sol}"));
    line.split_whitespace().nth(2).unwrap().parse().unwrap()
}

/// The values of a text `.sol` (duals then primals): the lines between the four sizes
/// after `Options` and the `objno` line.
pub fn sol_values(sol: &str) -> Vec<f64> {
    let lines: Vec<&str> = sol.lines().collect();
    let at = lines.iter().position(|l| *l == "Options").unwrap();
    let n_opts: usize = lines[at + 1].trim().parse().unwrap();
    let end = lines.iter().position(|l| l.starts_with("objno")).unwrap();
    lines[at + 2 + n_opts + 4..end]
        .iter()
        .map(|l| l.trim().parse::<f64>().unwrap())
        .collect()
}
