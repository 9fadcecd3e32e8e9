//! Command-line entry point.
//!
//! `pounce SUBCOMMAND …` runs one of pounce's own tools (parsed by clap); anything else is
//! the AMPL solver command line `pounce [options] stub[.nl] [-AMPL] [key=value …]` (spec D),
//! handled by [`solve_command`] with the outcomes and exit codes of spec C.3.
//!
//! Reading the model and solving it are reached through the [`Backend`] trait, so that this
//! module depends only on the `Model` type and on [`Outcome`]; [`run`] uses [`Pounce`],
//! the backend of the executable.

use super::option_docs;
use super::option_sources::{LoadedOptions, OptionInputs, load_options};
use super::sol::{SolContents, SolFormat, SolHeader, write_atomically};
use crate::nl::model::{Model, Sense};
use crate::options::{Effect, Options, registry};
use crate::outcome::SolveStatus;
use crate::solver_selection::Outcome;
use crate::stop::Stop;
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

#[derive(Parser)]
#[command(name = "pounce", about = "pounce's own tools")]
struct Tools {
    #[command(subcommand)]
    command: Tool,
}

#[derive(Subcommand)]
enum Tool {
    /// Evaluate a model's functions and derivatives at a point and print JSON.
    Eval(super::eval::EvalArgs),
    /// Check a .sol file against its model: feasibility, stationarity, complementarity.
    Verify(super::verify::VerifyArgs),
}

const TOOL_NAMES: &[&str] = &["eval", "verify"];

/// pounce's name and version, as in the `.sol` message and the `-AMPL` banner.
pub const BANNER: &str = concat!("pounce ", env!("CARGO_PKG_VERSION"));

/// The Ipopt version whose AMPL interface pounce reproduces; reported by `--version` when
/// the executable is invoked under the name `ipopt` (see [`version_line`]).
pub const IPOPT_INTERFACE_VERSION: &str = "3.14";

/// A model as read from a `.nl` file, with the header facts the interface needs.
#[derive(Clone, Debug)]
pub struct NlInput {
    pub model: Model,
    /// Format, AMPL options and flags of the `.nl` header, echoed into the `.sol`.
    pub sol_header: SolHeader,
    /// Binary variables (header line 7, `nbv`).
    pub binary_vars: usize,
    /// Other integer variables (header line 7: `niv + nlvbi + nlvci + nlvoi`).
    pub integer_vars: usize,
}

/// Reading and solving, as the interface sees them.
pub trait Backend {
    /// Reads the `.nl` file at `path`; the error's `Display` is the complete message for
    /// the user (e.g. `bad line 12 of bad7.nl: o7`).
    fn read(&self, path: &Path) -> Result<NlInput, Box<dyn std::error::Error>>;

    /// Solves `model` with `options` until it ends or `stop` fires, writing the solver's
    /// log to `journal`.
    fn solve(
        &self,
        model: &Model,
        options: &Options,
        stop: &Stop,
        journal: &mut dyn Write,
    ) -> Outcome;
}

/// The backend of the `pounce` executable.
pub struct Pounce;

impl Backend for Pounce {
    fn read(&self, path: &Path) -> Result<NlInput, Box<dyn std::error::Error>> {
        let model = crate::nl::read_file(path)?;
        let header = &model.header;
        let sol_header = SolHeader {
            format: match model.format {
                crate::nl::header::Format::Text => SolFormat::Text,
                crate::nl::header::Format::Binary(_) => SolFormat::Binary,
            },
            ampl_options: header.ampl_options.iter().map(|&o| o as i32).collect(),
            vbtol: header.vbtol,
            want_suffixes: header.flags & 1 != 0,
        };
        let binary_vars = header.nbv;
        let integer_vars = header.n_integer();
        Ok(NlInput {
            model,
            sol_header,
            binary_vars,
            integer_vars,
        })
    }

    fn solve(
        &self,
        model: &Model,
        options: &Options,
        stop: &Stop,
        journal: &mut dyn Write,
    ) -> Outcome {
        crate::solver_selection::solve(model, options, stop, journal)
    }
}

/// The parts of the process environment the command line depends on.
#[derive(Clone, Debug, Default)]
pub struct Environment {
    /// Keyword strings from `ipopt_options` then `pounce_options`, when set.
    pub option_vars: Vec<(String, String)>,
    /// The `solver_msg` variable: an even number ≥ 0 turns off the echo of assignments.
    pub solver_msg: Option<String>,
    /// The directory relative paths are taken from (where `ipopt.opt` and `pounce.opt` are
    /// looked up); empty for the process's working directory, so that paths in messages
    /// stay as the user typed them.
    pub cwd: PathBuf,
    /// Set when the user interrupts the solve (Ctrl-C): the solve stops at the current
    /// point with `User_Requested_Stop` and the `.sol` is written.
    pub interrupt: Option<Arc<AtomicBool>>,
}

impl Environment {
    /// Whether `solver_msg` (an even number ≥ 0) turns off the echo of assignments.
    fn echo_suppressed(&self) -> bool {
        self.solver_msg
            .as_deref()
            .and_then(|v| v.trim().parse::<i64>().ok())
            .is_some_and(|v| v >= 0 && v % 2 == 0)
    }

    /// Captures the environment of this process.
    pub fn from_process() -> Environment {
        let option_vars = ["ipopt_options", "pounce_options"]
            .iter()
            .filter_map(|&var| {
                std::env::var_os(var).map(|v| (var.to_string(), v.to_string_lossy().into_owned()))
            })
            .collect();
        Environment {
            option_vars,
            solver_msg: std::env::var("solver_msg").ok(),
            cwd: PathBuf::new(),
            interrupt: None,
        }
    }
}

/// Routes SIGINT (Ctrl-C) to a flag the solvers poll, so that an interrupted solve
/// still writes its `.sol`; a second SIGINT, while the first is being honoured, ends the
/// process at once with the shell's code for it (130). `None` if the handler cannot be
/// installed: SIGINT then keeps its default action.
fn interrupt_flag() -> Option<Arc<AtomicBool>> {
    use signal_hook::consts::SIGINT;
    let flag = Arc::new(AtomicBool::new(false));
    // Registered first, so it sees the flag as it was before this signal.
    signal_hook::flag::register_conditional_shutdown(SIGINT, 130, Arc::clone(&flag)).ok()?;
    signal_hook::flag::register(SIGINT, Arc::clone(&flag)).ok()?;
    Some(flag)
}

/// Runs the command line `args` (including the program name) and returns the exit code.
pub fn run(args: Vec<OsString>) -> i32 {
    let is_tool = args
        .get(1)
        .and_then(|a| a.to_str())
        .is_some_and(|a| TOOL_NAMES.contains(&a));
    if is_tool {
        let tools = match Tools::try_parse_from(&args) {
            Ok(t) => t,
            Err(e) => {
                let _ = e.print();
                return if e.use_stderr() { 2 } else { 0 };
            }
        };
        return match tools.command {
            Tool::Eval(a) => super::eval::run(&a),
            Tool::Verify(a) => super::verify::run(&a),
        };
    }
    let args: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let stdout = io::stdout();
    let stderr = io::stderr();
    let env = Environment {
        interrupt: interrupt_flag(),
        ..Environment::from_process()
    };
    solve_command(&args, &env, &Pounce, &mut stdout.lock(), &mut stderr.lock())
}

/// What the command line asks for.
#[derive(Debug, PartialEq)]
enum Request {
    Solve(SolveRequest),
    Version,
    Keywords,
    Usage,
    PrintOptions(String),
}

#[derive(Debug, PartialEq)]
struct SolveRequest {
    stub_arg: String,
    ampl: bool,
    /// Keyword arguments with their argv positions.
    keywords: Vec<(usize, String)>,
    echo: bool,
    sol_file: Option<PathBuf>,
    write_sol: bool,
}

/// A command-line error: message for stderr (the usage text follows it).
struct Misuse(String);

fn parse_args(program: &str, args: &[String]) -> Result<Request, Misuse> {
    let mut echo = true;
    let mut write_sol = false;
    let mut sol_file = None;
    let mut i = 1;
    let stub_at = loop {
        let Some(arg) = args.get(i) else {
            return Err(Misuse("No stub!".into()));
        };
        match arg.as_str() {
            "--" => {
                if i + 1 >= args.len() {
                    return Err(Misuse("No stub!".into()));
                }
                break i + 1;
            }
            "-=" => return Ok(Request::Keywords),
            "-?" | "--help" => return Ok(Request::Usage),
            "-v" | "--version" => return Ok(Request::Version),
            "-e" => echo = false,
            "-s" => write_sol = true,
            "--print-options" => return Ok(Request::PrintOptions("text".into())),
            a if a.starts_with("--print-options=") => {
                return Ok(Request::PrintOptions(a["--print-options=".len()..].into()));
            }
            a if a.starts_with("-o") => {
                let file = if a.len() > 2 {
                    a[2..].to_string()
                } else {
                    i += 1;
                    args.get(i)
                        .cloned()
                        .ok_or_else(|| Misuse(format!("{program}: missing file after -o")))?
                };
                sol_file = Some(PathBuf::from(file));
            }
            a if a.starts_with('-') => {
                return Err(Misuse(format!("{program}: bad option {a}")));
            }
            _ => break i,
        }
        i += 1;
    };
    let mut rest = stub_at + 1;
    let ampl = args.get(rest).is_some_and(|a| a.starts_with("-AMPL"));
    if ampl {
        rest += 1;
    }
    Ok(Request::Solve(SolveRequest {
        stub_arg: args[stub_at].clone(),
        ampl,
        keywords: (rest..args.len()).map(|j| (j, args[j].clone())).collect(),
        echo,
        sol_file,
        write_sol,
    }))
}

/// Whether the executable was invoked under the name `ipopt` (a link or copy named
/// `ipopt`): then `-v`/`--version` answer as an Ipopt-compatible executable, which is what
/// Pyomo's Ipopt interfaces check before using it.
fn invoked_as_ipopt(program: &str) -> bool {
    Path::new(program)
        .file_stem()
        .and_then(|s| s.to_str())
        .is_some_and(|s| s.eq_ignore_ascii_case("ipopt"))
}

/// The `-v` / `--version` line (spec D.2). Under the name `ipopt` it starts
/// `Ipopt 3.14 (pounce …)` so that Pyomo's contrib interface, which requires
/// `ipopt <dotted version> <more>`, accepts it; the rest of the line says what it is.
pub fn version_line(program: &str) -> String {
    let platform = format!("{} {}", std::env::consts::OS, std::env::consts::ARCH);
    if invoked_as_ipopt(program) {
        format!(
            "Ipopt {IPOPT_INTERFACE_VERSION} ({BANNER}, {platform}; \
             an Ipopt-compatible solver, not COIN-OR Ipopt)"
        )
    } else {
        format!(
            "{BANNER} ({platform}; AMPL interface compatible with Ipopt {IPOPT_INTERFACE_VERSION})"
        )
    }
}

fn usage(program: &str) -> String {
    format!(
        "usage: {program} [options] stub [-AMPL] [<assignment> ...]\n\n\
         Options:\n\
         \t--  {{end of options}}\n\
         \t-=  {{show name= possibilities}}\n\
         \t-?  {{show usage}}\n\
         \t-e  {{suppress echoing of assignments}}\n\
         \t-o<file>  {{write the .sol to <file> instead of stub.sol}}\n\
         \t-s  {{write .sol file (without -AMPL)}}\n\
         \t-v  {{just show version}}\n\
         \t--print-options[=text|markdown]  {{document all options}}\n\
         \t--version  {{just show version}}\n\n\
         Assignments are name=value (see `{program} -=`); `{program} eval MODEL.nl` evaluates a model.\n"
    )
}

/// Runs the AMPL solver command line: parses `args`, reads options, reads and solves the
/// model through `backend`, writes the `.sol` and returns the exit code (spec C.3).
pub fn solve_command(
    args: &[String],
    env: &Environment,
    backend: &dyn Backend,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let program = args.first().map_or("pounce", String::as_str);
    let request = match parse_args(program, args) {
        Ok(r) => r,
        Err(Misuse(message)) => {
            let _ = write!(err, "{message}\n{}", usage(program));
            return 1;
        }
    };
    let reg = registry();
    let printed = match request {
        Request::Solve(req) => return solve(program, req, env, backend, out, err),
        Request::Version => writeln!(out, "{}\n", version_line(program)),
        Request::Keywords => option_docs::write_keyword_list(reg, out),
        Request::Usage => write!(out, "{}", usage(program)),
        Request::PrintOptions(format) => match format.as_str() {
            "markdown" => write!(out, "{}", option_docs::markdown(reg)),
            "text" => option_docs::write_text(reg, out),
            other => {
                let _ = writeln!(
                    err,
                    "{program}: --print-options={other} is not available; use text or markdown"
                );
                return 1;
            }
        },
    };
    match printed {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

fn solve(
    program: &str,
    req: SolveRequest,
    env: &Environment,
    backend: &dyn Backend,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let banner = format!("{BANNER}: ");
    if req.ampl {
        let _ = write!(out, "{banner}");
    }
    let echo = req.echo && !env.echo_suppressed();
    let inputs = OptionInputs {
        env: env.option_vars.clone(),
        args: req.keywords.clone(),
        cwd: env.cwd.clone(),
    };
    let loaded = load_options(&inputs, echo, out);
    if req.ampl {
        let _ = writeln!(out);
    }
    let LoadedOptions {
        options,
        warnings,
        assignments,
    } = match loaded {
        Ok(l) => l,
        Err(errors) => {
            for e in errors {
                let _ = writeln!(err, "{e}");
            }
            let _ = writeln!(out, "\nEXIT: {}", SolveStatus::InvalidOption.exit_line());
            return 1;
        }
    };
    for w in &warnings {
        let _ = writeln!(out, "{w}");
    }

    let stub = req
        .stub_arg
        .strip_suffix(".nl")
        .unwrap_or(&req.stub_arg)
        .to_string();
    let nl_path = [format!("{stub}.nl"), req.stub_arg.clone()]
        .into_iter()
        .map(|p| env.cwd.join(p))
        .find(|p| p.is_file());
    let Some(nl_path) = nl_path else {
        let _ = writeln!(err, "{program}: can't open {stub}.nl");
        return 1;
    };
    let input = match backend.read(&nl_path) {
        Ok(input) => input,
        Err(message) => {
            let _ = writeln!(err, "{message}");
            return 1;
        }
    };

    print_preamble(&options, &input, out);
    let stop = Stop::new(
        env.interrupt.clone(),
        options.real("max_wall_time"),
        options.real("max_cpu_time"),
    );
    let outcome = backend.solve(&input.model, &options, &stop, out);
    let solution = &outcome.solution;

    report_unused(&options, out);
    let model = &input.model;
    let sense = model
        .objective_sense
        .first()
        .copied()
        .unwrap_or(Sense::Minimize);
    let mut contents = SolContents::new(BANNER, sense, model.n_con, model.n_var, solution);
    if let Some(line) = &outcome.certificate {
        contents.message.push('\n');
        contents.message.push_str(line);
    }
    let wantsol = options.int("wantsol");
    let sol_path = env.cwd.join(
        req.sol_file
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("{stub}.sol"))),
    );
    if req.ampl || req.write_sol || req.sol_file.is_some() || wantsol & 1 != 0 {
        let bytes = contents.to_bytes(&input.sol_header);
        if let Err(e) = write_atomically(&sol_path, &bytes) {
            let _ = writeln!(err, "can't open {}: {e}", sol_path.display());
            return 2;
        }
    }
    if req.ampl {
        if assignments == 0 {
            let _ = write!(out, "{}", "\u{8}".repeat(banner.len()));
        }
    } else {
        print_outcome(&contents, wantsol, &nl_path, out);
    }
    let _ = out.flush();
    0
}

/// What is printed between reading the model and solving it: documentation and user
/// settings when asked for, and the warning that integrality is dropped.
fn print_preamble(options: &Options, input: &NlInput, out: &mut dyn Write) {
    if options.flag("print_options_documentation") {
        let mode = options.string("print_options_mode");
        if mode != "text" {
            let _ = writeln!(
                out,
                "Warning: print_options_mode={mode} is not available; printing text."
            );
        }
        let _ = option_docs::write_text(registry(), out);
        let _ = writeln!(out);
    }
    if options.flag("print_user_options") {
        print_user_options(options, out);
    }
    if options.int("print_level") >= 4 && input.binary_vars + input.integer_vars > 0 {
        let _ = writeln!(
            out,
            "==> Warning: Treating {} binary and {} integer variables as continuous.\n",
            input.binary_vars, input.integer_vars
        );
    }
}

/// Warns about every setting meant for the solver that the solver never read.
fn report_unused(options: &Options, out: &mut dyn Write) {
    for s in options.user_settings() {
        if s.effect == Effect::Solver && !s.used {
            let _ = writeln!(
                out,
                "Warning ({}): option {} was set but not used by the solver.",
                s.source, s.name
            );
        }
    }
}

/// Without `-AMPL`: the outcome message and the listings selected by `wantsol` (spec D.4).
fn print_outcome(contents: &SolContents, wantsol: i64, nl_path: &Path, out: &mut dyn Write) {
    if wantsol & 8 == 0 {
        let _ = writeln!(out, "{}", contents.message);
    }
    let names = |ext: &str, prefix: &str, n: usize| {
        names_from_file(&nl_path.with_extension(ext), n)
            .unwrap_or_else(|| (1..=n).map(|i| format!("{prefix}[{i}]")).collect())
    };
    if let (true, Some(x)) = (wantsol & 2 != 0, &contents.primals) {
        list_values(out, "variable", "value", &names("col", "_svar", x.len()), x);
    }
    if let (true, Some(y)) = (wantsol & 4 != 0, &contents.duals) {
        let names = names("row", "_scon", y.len());
        list_values(out, "constraint", "dual value", &names, y);
    }
}

/// Names from a `.col` / `.row` file (one per line), if it exists and has enough lines.
fn names_from_file(path: &Path, n: usize) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(path).ok()?;
    let names: Vec<String> = text.lines().take(n).map(str::to_string).collect();
    (names.len() == n).then_some(names)
}

/// The `wantsol` listings (spec D.4): a blank line, a header, one `name value` line each.
fn list_values(out: &mut dyn Write, what: &str, heading: &str, names: &[String], values: &[f64]) {
    let width = names
        .iter()
        .map(String::len)
        .chain([what.len()])
        .max()
        .unwrap_or(0)
        + 2;
    let _ = writeln!(out, "\n{what:<width$}{heading}");
    for (name, &v) in names.iter().zip(values) {
        let _ = writeln!(out, "{name:<width$}{}", super::number::short_g(v));
    }
}

/// `print_user_options=yes`: the settings made by the user and where each came from.
fn print_user_options(options: &Options, out: &mut dyn Write) {
    let _ = writeln!(out, "\nList of user-set options:\n");
    for s in options.user_settings() {
        let _ = writeln!(
            out,
            "{:>40} = {:<20} ({})",
            s.name,
            s.value.to_string(),
            s.source
        );
    }
    let _ = writeln!(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn command_line_forms() {
        let r = parse_args(
            "pounce",
            &args(&["pounce", "-s", "-o", "x.sol", "m.nl", "-AMPL", "tol=1"]),
        );
        let Ok(Request::Solve(s)) = r else { panic!() };
        assert_eq!(s.stub_arg, "m.nl");
        assert!(s.ampl && s.write_sol && s.echo);
        assert_eq!(s.sol_file, Some(PathBuf::from("x.sol")));
        assert_eq!(s.keywords, vec![(6, "tol=1".to_string())]);
        let Ok(Request::Solve(s)) =
            parse_args("p", &args(&["p", "-ox.sol", "--", "-m", "max_iter=3"]))
        else {
            panic!()
        };
        assert_eq!((s.stub_arg.as_str(), s.ampl), ("-m", false));
        assert_eq!(s.sol_file, Some(PathBuf::from("x.sol")));
        // The first non-option argument is the stub even when it contains `=`.
        let Ok(Request::Solve(s)) = parse_args("p", &args(&["p", "max_iter=3"])) else {
            panic!()
        };
        assert_eq!(s.stub_arg, "max_iter=3");
        assert!(matches!(parse_args("p", &args(&["p"])), Err(Misuse(m)) if m == "No stub!"));
        assert!(
            matches!(parse_args("p", &args(&["p", "-x", "m"])), Err(Misuse(m)) if m == "p: bad option -x")
        );
        assert_eq!(
            parse_args("p", &args(&["p", "-v"])).ok(),
            Some(Request::Version)
        );
        assert_eq!(
            parse_args("p", &args(&["p", "--print-options=markdown"])).ok(),
            Some(Request::PrintOptions("markdown".into()))
        );
    }

    #[test]
    fn version_lines() {
        let pounce = version_line("/usr/bin/pounce");
        assert!(pounce.starts_with(BANNER), "{pounce}");
        let ipopt = version_line("/opt/bin/ipopt");
        let parts: Vec<&str> = ipopt.splitn(3, char::is_whitespace).collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].to_lowercase(), "ipopt");
        assert!(
            parts[1].split('.').all(|p| p.parse::<u32>().is_ok()),
            "{ipopt}"
        );
        assert!(ipopt.contains(BANNER) && ipopt.contains("not COIN-OR Ipopt"));
        assert!(invoked_as_ipopt("IPOPT.exe") && !invoked_as_ipopt("ipopt-old"));
    }
}
