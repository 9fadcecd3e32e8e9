//! The AMPL command line: the built executable for everything that needs no model, and
//! `solve_command` with a stand-in backend (fixed model and solution) for the solve path.

use pounce::ampl::cli::{Backend, Environment, NlInput, solve_command};
use pounce::ampl::sol::{SolFormat, SolHeader};
use pounce::nl::model::{Model, Sense, SparseRows};
use pounce::nl::tape::Tape;
use pounce::nl::{Format, Header};
use pounce::options::{Options, registry};
use pounce::outcome::SolveStatus;
use pounce::solver_selection::Outcome;
use pounce::stop::Stop;
use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

fn pounce(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pounce"))
        .args(args)
        .env_remove("ipopt_options")
        .env_remove("pounce_options")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    common::scratch("cli", name)
}

#[test]
fn version_flags() {
    for flag in ["-v", "--version"] {
        let o = pounce(&[flag]);
        assert_eq!(o.status.code(), Some(0));
        let out = text(&o.stdout);
        assert!(out.starts_with("pounce 0.1.0 ("), "{out}");
        assert!(out.ends_with(")\n\n"), "{out:?}");
        // Pyomo's asl:NAME check: a dotted version number somewhere in the output.
        assert!(out.split_whitespace().nth(1).unwrap().contains('.'));
    }
}

#[cfg(unix)]
#[test]
fn invoked_as_ipopt_passes_pyomo_contrib_version_check() {
    let dir = scratch("ipopt-link");
    let link = dir.join("ipopt");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_pounce"), &link).unwrap();
    let o = Command::new(&link).arg("--version").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    // Pyomo: stdout+stderr, exactly three parts with split(maxsplit=2), first "ipopt",
    // second a dotted integer version; the first line split on ' ' gives the version too.
    let out = text(&o.stdout) + &text(&o.stderr);
    let parts: Vec<&str> = out.trim().splitn(3, char::is_whitespace).collect();
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0].to_lowercase(), "ipopt");
    let version: Vec<u32> = parts[1].split('.').map(|p| p.parse().unwrap()).collect();
    assert_eq!(version, vec![3, 14]);
    assert!(out.contains("pounce 0.1.0") && out.contains("not COIN-OR Ipopt"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn keyword_list() {
    let o = pounce(&["-="]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    assert_eq!(out.lines().count(), registry().specs().len());
    for kw in [
        "wantsol",
        "outlev",
        "maxit",
        "halt_on_ampl_error",
        "solver_selection",
        "sb",
    ] {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(kw));
        assert!(line.is_some_and(|l| l.len() > 50), "{kw}");
    }
}

#[test]
fn print_options() {
    let o = pounce(&["--print-options"]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    assert!(out.contains("### Termination ###"));
    assert!(out.contains("\nlinear_solver "));
    let o = pounce(&["--print-options=latex"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("not available"));
}

#[test]
fn committed_options_doc_is_current() {
    let o = pounce(&["--print-options=markdown"]);
    assert_eq!(o.status.code(), Some(0));
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/options.md")).unwrap();
    assert!(
        text(&o.stdout) == committed,
        "docs/options.md is stale: run `cargo run --release -- --print-options=markdown > docs/options.md`"
    );
}

#[test]
fn usage_errors_exit_1() {
    let o = pounce(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).starts_with("No stub!\nusage: "));
    let o = pounce(&["-x", "m"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("bad option -x"));
    let o = pounce(&["-?"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o.stdout).starts_with("usage: "));
}

#[test]
fn missing_model_and_option_errors_exit_1_without_sol() {
    let dir = scratch("nomodel");
    let stub = dir.join("nothere");
    let o = pounce(&[stub.to_str().unwrap(), "-AMPL"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains(&format!("can't open {}.nl", stub.display())));
    // Options are checked before the model is opened (as the ASL does).
    let o = pounce(&[stub.to_str().unwrap(), "-AMPL", "foo=1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("Unknown keyword \"foo\""));
    assert!(text(&o.stdout).contains("EXIT: Invalid option encountered."));
    assert!(!dir.join("nothere.sol").exists());
    std::fs::remove_dir_all(dir).unwrap();
}

// ----- the solve path with a stand-in backend -----

fn hs071_model(sense: Sense) -> Model {
    Model {
        n_var: 4,
        n_con: 2,
        var_lower: vec![1.0; 4],
        var_upper: vec![5.0; 4],
        con_lower: vec![25.0, 40.0],
        con_upper: vec![f64::INFINITY, 40.0],
        x0: vec![Some(1.0), Some(5.0), Some(5.0), Some(1.0)],
        y0: vec![None; 2],
        objective_sense: vec![sense],
        jacobian: SparseRows::default(),
        gradient: SparseRows::default(),
        tape: Tape::default(),
        suffixes: Vec::new(),
        header: Header::default(),
        format: Format::Text,
    }
}

/// Returns a fixed model and solution; records what the solver was given.
struct StandIn {
    sense: Sense,
    status: SolveStatus,
    format: SolFormat,
    integer_vars: usize,
    /// Options the stand-in solver reads, and the values it saw.
    reads: Vec<&'static str>,
    seen: RefCell<Vec<String>>,
    fail_read: bool,
}

impl StandIn {
    fn new() -> StandIn {
        StandIn {
            sense: Sense::Minimize,
            status: SolveStatus::Success,
            format: SolFormat::Text,
            integer_vars: 0,
            reads: vec!["max_iter"],
            seen: RefCell::new(Vec::new()),
            fail_read: false,
        }
    }
}

impl Backend for StandIn {
    fn read(&self, path: &Path) -> Result<NlInput, Box<dyn std::error::Error>> {
        if self.fail_read {
            return Err(format!("bad line 12 of {}: o7", path.display()).into());
        }
        Ok(NlInput {
            model: hs071_model(self.sense),
            sol_header: SolHeader {
                format: self.format,
                ampl_options: vec![1, 1, 0],
                vbtol: None,
                want_suffixes: true,
            },
            binary_vars: 0,
            integer_vars: self.integer_vars,
        })
    }

    fn solve(
        &self,
        model: &Model,
        options: &Options,
        _stop: &Stop,
        journal: &mut dyn Write,
    ) -> Outcome {
        assert_eq!(model.n_var, 4);
        for name in &self.reads {
            self.seen
                .borrow_mut()
                .push(format!("{name}={}", options.value(name)));
        }
        writeln!(journal, "EXIT: {}", self.status.exit_line()).unwrap();
        common::hs071(self.status).into()
    }
}

struct Run {
    code: i32,
    out: String,
    err: String,
}

fn run_in(dir: &Path, backend: &StandIn, args: &[&str], env: &[(&str, &str)]) -> Run {
    run_with_msg(dir, backend, args, env, None)
}

fn run_with_msg(
    dir: &Path,
    backend: &StandIn,
    args: &[&str],
    env: &[(&str, &str)],
    solver_msg: Option<&str>,
) -> Run {
    let mut argv = vec!["pounce".to_string()];
    argv.extend(args.iter().map(|s| s.to_string()));
    let env = Environment {
        option_vars: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        solver_msg: solver_msg.map(str::to_string),
        cwd: dir.to_path_buf(),
        interrupt: None,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = solve_command(&argv, &env, backend, &mut out, &mut err);
    Run {
        code,
        out: text(&out),
        err: text(&err),
    }
}

fn with_model(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join("sub dir")).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/nl/hs071.nl"),
        dir.join("sub dir/hs071.nl"),
    )
    .unwrap();
    dir
}

#[test]
fn ampl_mode_writes_sol_next_to_the_nl() {
    let dir = with_model("ampl");
    let b = StandIn::new();
    // Stub without `.nl`, in a subdirectory with a space, run from elsewhere (pitfalls 32, 39).
    let r = run_in(&dir, &b, &["sub dir/hs071", "-AMPL"], &[]);
    assert_eq!(r.code, 0, "{}", r.err);
    let sol = std::fs::read_to_string(dir.join("sub dir/hs071.sol")).unwrap();
    // The reference Ipopt's file (spec B.6) but for the banner.
    assert_eq!(
        sol,
        common::HS071_SOL.replace("Ipopt 3.14.15", "pounce 0.1.0")
    );
    // Banner, newline, log, then backspaces erasing the banner (no assignments given).
    let banner = "pounce 0.1.0: ";
    assert!(
        r.out
            .starts_with(&format!("{banner}\nEXIT: Optimal Solution Found.\n")),
        "{:?}",
        r.out
    );
    assert!(r.out.ends_with(&"\u{8}".repeat(banner.len())));
    assert!(!dir.join("hs071.sol").exists());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn failed_solves_still_write_the_sol_and_exit_0() {
    // Pitfalls 30, 33.
    for (status, code) in [
        (SolveStatus::LocalInfeasibility, 200),
        (SolveStatus::MaxIterExceeded, 400),
        (SolveStatus::ErrorInStepComputation, 502),
        (SolveStatus::TooFewDegreesOfFreedom, 551),
    ] {
        let dir = with_model("failed");
        let b = StandIn {
            status,
            ..StandIn::new()
        };
        let r = run_in(&dir, &b, &["sub dir/hs071.nl", "-AMPL", "max_iter=3"], &[]);
        assert_eq!(r.code, 0);
        let sol = std::fs::read_to_string(dir.join("sub dir/hs071.sol")).unwrap();
        assert!(sol.contains(&format!("\nobjno 0 {code}\n")), "{sol}");
        assert!(sol.starts_with(&format!(" \npounce 0.1.0: {}\n", status.sol_message())));
        // Assignments were echoed, so no backspaces.
        assert!(
            r.out.starts_with("pounce 0.1.0: max_iter=3\n\n"),
            "{:?}",
            r.out
        );
        assert!(!r.out.contains('\u{8}'));
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn binary_nl_gives_binary_sol() {
    let dir = with_model("binary");
    let b = StandIn {
        format: SolFormat::Binary,
        ..StandIn::new()
    };
    let r = run_in(&dir, &b, &["sub dir/hs071", "-AMPL"], &[]);
    assert_eq!(r.code, 0);
    let sol = std::fs::read(dir.join("sub dir/hs071.sol")).unwrap();
    assert_eq!(
        &sol[..14],
        &[&6i32.to_ne_bytes()[..], b"binary", &6i32.to_ne_bytes()].concat()[..]
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn without_ampl_the_message_is_printed_and_no_sol_written() {
    // Pitfall 34.
    let dir = with_model("plain");
    let b = StandIn::new();
    let r = run_in(&dir, &b, &["sub dir/hs071"], &[]);
    assert_eq!(r.code, 0);
    assert!(
        r.out
            .ends_with("EXIT: Optimal Solution Found.\n \npounce 0.1.0: Optimal Solution Found\n"),
        "{:?}",
        r.out
    );
    assert!(!dir.join("sub dir/hs071.sol").exists());
    for args in [
        &["sub dir/hs071", "wantsol=1"][..],
        &["-s", "sub dir/hs071"],
    ] {
        run_in(&dir, &b, args, &[]);
        assert!(dir.join("sub dir/hs071.sol").exists(), "{args:?}");
        std::fs::remove_file(dir.join("sub dir/hs071.sol")).unwrap();
    }
    let r = run_in(&dir, &b, &["-o", "elsewhere.sol", "sub dir/hs071"], &[]);
    assert_eq!(r.code, 0);
    assert!(dir.join("elsewhere.sol").exists());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn wantsol_listings() {
    let dir = with_model("listing");
    let b = StandIn::new();
    let r = run_in(&dir, &b, &["sub dir/hs071", "wantsol=14"], &[]);
    let want = "\nvariable  value\n_svar[1]  0.9999999923235379\n_svar[2]  4.742999641809297\n\
                _svar[3]  3.8211499817883077\n_svar[4]  1.3794082897556983\n\n\
                constraint  dual value\n_scon[1]    0.5522936588816064\n_scon[2]    -0.16146856313488814\n";
    assert!(
        r.out
            .ends_with(&format!("EXIT: Optimal Solution Found.\n{want}")),
        "{:?}",
        r.out
    );
    // Names from the .col file when present.
    std::fs::write(dir.join("sub dir/hs071.col"), "x[1]\nx[2]\nx[3]\nx[4]\n").unwrap();
    let r = run_in(&dir, &b, &["sub dir/hs071", "wantsol=2"], &[]);
    assert!(
        r.out
            .contains("\nvariable  value\nx[1]      0.9999999923235379\n"),
        "{:?}",
        r.out
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn maximize_signs_reach_the_sol() {
    let dir = with_model("max");
    let b = StandIn {
        sense: Sense::Maximize,
        ..StandIn::new()
    };
    run_in(&dir, &b, &["sub dir/hs071", "-AMPL"], &[]);
    let sol = std::fs::read_to_string(dir.join("sub dir/hs071.sol")).unwrap();
    assert!(
        sol.contains("\n4\n-0.5522936588816064\n0.16146856313488814\n"),
        "{sol}"
    );
    assert!(sol.contains("ipopt_zL_out\n0 -1.0878712258659013\n"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn options_reach_the_solver_with_precedence() {
    let dir = with_model("precedence");
    let b = StandIn::new();
    let env = [("ipopt_options", "max_iter=5")];
    std::fs::write(dir.join("ipopt.opt"), "max_iter 7\n").unwrap();
    run_in(&dir, &b, &["sub dir/hs071", "-AMPL", "max_iter=6"], &env);
    std::fs::remove_file(dir.join("ipopt.opt")).unwrap();
    run_in(&dir, &b, &["sub dir/hs071", "-AMPL", "max_iter=6"], &env);
    run_in(&dir, &b, &["sub dir/hs071", "-AMPL"], &env);
    assert_eq!(*b.seen.borrow(), ["max_iter=7", "max_iter=6", "max_iter=5"]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn settings_the_solver_ignored_are_reported() {
    let dir = with_model("unused");
    let b = StandIn::new();
    let r = run_in(
        &dir,
        &b,
        &["sub dir/hs071", "-AMPL", "max_iter=9", "mu_init=0.5"],
        &[],
    );
    assert_eq!(r.code, 0);
    assert!(
        r.out.contains(
            "Warning (command-line argument 4): option mu_init was set but not used by the solver."
        ),
        "{}",
        r.out
    );
    assert!(!r.out.contains("option max_iter was set"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn integer_variables_are_relaxed_with_a_warning() {
    // Pitfall 21 / spec G.4.
    let dir = with_model("integer");
    let b = StandIn {
        integer_vars: 2,
        ..StandIn::new()
    };
    let r = run_in(&dir, &b, &["sub dir/hs071", "-AMPL"], &[]);
    assert!(
        r.out
            .contains("==> Warning: Treating 0 binary and 2 integer variables as continuous.\n\n")
    );
    let r = run_in(&dir, &b, &["sub dir/hs071", "-AMPL", "print_level=3"], &[]);
    assert!(!r.out.contains("==> Warning"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn reader_and_option_errors_exit_1_without_sol() {
    let dir = with_model("errors");
    let b = StandIn {
        fail_read: true,
        ..StandIn::new()
    };
    let r = run_in(&dir, &b, &["sub dir/hs071", "-AMPL"], &[]);
    assert_eq!(r.code, 1);
    assert!(r.err.contains("bad line 12 of") && r.err.contains("hs071.nl: o7"));
    let b = StandIn::new();
    for bad in ["tol=-1", "mu_strategy=foo", "max_iter=abc", "foo=1"] {
        let r = run_in(&dir, &b, &["sub dir/hs071", "-AMPL", bad], &[]);
        assert_eq!(r.code, 1, "{bad}");
        assert!(r.err.contains("command-line argument 3"), "{}", r.err);
    }
    std::fs::write(dir.join("ipopt.opt"), "tol -1\n").unwrap();
    let r = run_in(&dir, &b, &["sub dir/hs071", "-AMPL"], &[]);
    assert_eq!(r.code, 1);
    assert!(r.err.contains("ipopt.opt, line 1"));
    assert!(!dir.join("sub dir/hs071.sol").exists());
    assert!(b.seen.borrow().is_empty(), "no solve after an option error");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn unwritable_sol_exits_2() {
    let dir = with_model("unwritable");
    let b = StandIn::new();
    let r = run_in(&dir, &b, &["-o", "no/such/dir/x.sol", "sub dir/hs071"], &[]);
    assert_eq!(r.code, 2);
    assert!(r.err.contains("can't open"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn echo_can_be_turned_off() {
    let dir = with_model("echo");
    let b = StandIn::new();
    let env = [("ipopt_options", "max_iter=2")];
    let r = run_in(&dir, &b, &["sub dir/hs071", "-AMPL", "max_iter=3"], &env);
    assert!(
        r.out
            .starts_with("pounce 0.1.0: max_iter=2\nmax_iter=3\n\n"),
        "{:?}",
        r.out
    );
    let r = run_in(
        &dir,
        &b,
        &["-e", "sub dir/hs071", "-AMPL", "max_iter=3"],
        &env,
    );
    assert!(r.out.starts_with("pounce 0.1.0: \nEXIT"), "{:?}", r.out);
    let r = run_with_msg(
        &dir,
        &b,
        &["sub dir/hs071", "-AMPL", "max_iter=3"],
        &env,
        Some("0"),
    );
    assert!(r.out.starts_with("pounce 0.1.0: \nEXIT"), "{:?}", r.out);
    let r = run_with_msg(
        &dir,
        &b,
        &["sub dir/hs071", "-AMPL", "max_iter=3"],
        &env,
        Some("1"),
    );
    assert!(
        r.out.starts_with("pounce 0.1.0: max_iter=2\n"),
        "{:?}",
        r.out
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn executable_reads_options_file_and_environment_of_its_working_directory() {
    let dir = scratch("exe-opt");
    std::fs::write(dir.join("ipopt.opt"), "tol 1e-9\nmu_strategy foo\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_pounce"))
        .args(["model", "-AMPL"])
        .current_dir(&dir)
        .env_remove("ipopt_options")
        .env("pounce_options", "max_iter=4")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).starts_with("pounce 0.1.0: max_iter=4\n\n"));
    assert!(
        text(&o.stderr).starts_with(
            "ipopt.opt, line 2: Setting: \"foo\" is not a valid setting for Option: mu_strategy."
        ),
        "{}",
        text(&o.stderr)
    );
    std::fs::remove_dir_all(dir).unwrap();
}
