//! Snapshots of the console output of the `pounce` executable (spec D.5, G) on small models:
//! an NLP in AMPL mode and interactively, a maximize model, a model the convex path proves
//! infeasible, a solve whose optimal claim the certificate revises, and every kind of option
//! error. Times are masked; everything else is compared byte for byte, so a change to the
//! log's layout shows up here (review with `cargo insta review`).

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/nl")
        .join(name)
}

/// What one run printed, with its exit status and whether it wrote `<stub>.sol`.
struct Run {
    stdout: String,
    stderr: String,
    code: i32,
    wrote_sol: bool,
}

impl Run {
    /// The transcript compared by the snapshots.
    fn transcript(&self) -> String {
        format!(
            "exit status {}, .sol written: {}\n--- stdout\n{}--- stderr\n{}",
            self.code,
            self.wrote_sol,
            mask_times(&self.stdout),
            self.stderr
        )
    }
}

/// Replaces the value of every timing line (`Total seconds in …  = 0.012`) by `<time>`.
fn mask_times(log: &str) -> String {
    log.split_inclusive('\n')
        .map(|line| match line.split_once('=') {
            Some((label, _)) if label.starts_with("Total seconds in") => {
                format!("{label}= <time>\n")
            }
            _ => line.to_string(),
        })
        .collect()
}

/// Runs `pounce <args>` in a scratch directory holding copies of `files` (from
/// testdata/nl), with `extra` written there as `(name, contents)`.
fn run(test: &str, files: &[&str], extra: &[(&str, &str)], args: &[&str]) -> Run {
    let dir = common::scratch("console", test);
    for f in files {
        std::fs::copy(testdata(f), dir.join(f)).unwrap();
    }
    for (name, contents) in extra {
        std::fs::write(dir.join(name), contents).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_pounce"))
        .args(args)
        .current_dir(&dir)
        .env_remove("ipopt_options")
        .env_remove("pounce_options")
        .env_remove("solver_msg")
        .output()
        .unwrap();
    let stub = files.first().map_or("", |f| f.trim_end_matches(".nl"));
    let run = Run {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        code: out.status.code().unwrap_or(-1),
        wrote_sol: dir.join(format!("{stub}.sol")).exists(),
    };
    std::fs::remove_dir_all(dir).unwrap();
    run
}

#[test]
fn hs071_ampl_mode() {
    let r = run("hs071", &["hs071.nl"], &[], &["hs071.nl", "-AMPL"]);
    assert_eq!((r.code, r.wrote_sol), (0, true));
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn hs071_interactive_with_listing() {
    let r = run(
        "hs071i",
        &["hs071.nl"],
        &[],
        &["hs071", "wantsol=6", "print_level=0"],
    );
    assert_eq!((r.code, r.wrote_sol), (0, false));
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn maximize_model() {
    let files = ["kkt_max.nl", "kkt_max.row", "kkt_max.col"];
    let r = run("kkt_max", &files, &[], &["kkt_max.nl", "-AMPL"]);
    assert_eq!((r.code, r.wrote_sol), (0, true));
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn convex_path_infeasible_model() {
    let r = run(
        "ranges",
        &["suffixes_ranges.nl"],
        &[],
        &["suffixes_ranges.nl", "-AMPL"],
    );
    assert_eq!((r.code, r.wrote_sol), (0, true));
    insta::assert_snapshot!(r.transcript());
}

/// With the objective scaled by 1e-9 the interior-point method's own test (on the scaled
/// problem) is met far from the optimum; the certificate, on the unscaled model, is not.
/// The log states the solver's claim once and the revised status in the only `EXIT:` line,
/// the last one, after the certificate block.
#[test]
fn certificate_revision_is_stated_once_in_the_exit_line() {
    let r = run(
        "revised",
        &["hs071.nl"],
        &[],
        &["hs071.nl", "-AMPL", "obj_scaling_factor=1e-9"],
    );
    assert_eq!((r.code, r.wrote_sol), (0, true));
    let exits: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("EXIT:"))
        .collect();
    assert_eq!(exits.len(), 1, "{}", r.stdout);
    assert_ne!(exits[0], "EXIT: Optimal Solution Found.");
    let exit_at = r.stdout.find("\nEXIT:").unwrap();
    assert!(r.stdout[..exit_at].contains("NOT verified"));
    assert!(r.stdout[..exit_at].contains(
        "The certificate does not confirm the solver's outcome \"Optimal Solution Found.\""
    ));
    insta::assert_snapshot!(r.transcript());
}

/// What an option-error case is, the files it puts in the directory and its keywords.
type OptionErrorCase<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [&'a str]);

/// Each kind of option error (spec E.2, D.3), end to end: the message names the source,
/// nothing is solved, no `.sol` is written, exit status 1.
#[test]
fn option_errors() {
    let cases: [OptionErrorCase; 9] = [
        ("unknown keyword", &[], &["foo=1"]),
        ("bad number", &[], &["tol=1e-8x"]),
        ("integer option given a fraction", &[], &["max_iter=2.5"]),
        ("out of range", &[], &["tol=-1"]),
        ("not one of the allowed strings", &[], &["mu_strategy=fast"]),
        ("keyword without value", &[], &["max_iter"]),
        ("unterminated quote", &[], &["output_file=\"a.txt"]),
        (
            "unknown name in ipopt.opt",
            &[("ipopt.opt", "tol 1e-9\nfoo_bar 1\n")],
            &[],
        ),
        (
            "name without value at the end of ipopt.opt",
            &[("ipopt.opt", "max_iter\n")],
            &[],
        ),
    ];
    let mut all = String::new();
    for (i, (what, files, keywords)) in cases.iter().enumerate() {
        let mut args = vec!["hs071.nl", "-AMPL"];
        args.extend_from_slice(keywords);
        let r = run(&format!("opterr{i}"), &["hs071.nl"], files, &args);
        assert_eq!(
            (r.code, r.wrote_sol),
            (1, false),
            "{what}: {}",
            r.transcript()
        );
        assert!(
            !r.stdout.contains("Number of Iterations"),
            "{what}: nothing is solved"
        );
        all.push_str(&format!("=== {what}: {args:?}\n{}\n", r.transcript()));
    }
    insta::assert_snapshot!(all);
}
