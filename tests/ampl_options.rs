//! Option sources, precedence (spec E.1) and every kind of option error (spec D.3, E.2).

use pounce::ampl::option_sources::{OptionInputs, load_options};
use pounce::options::{OptionError, OptionErrorKind, Source};
use std::path::{Path, PathBuf};

mod common;

fn scratch(name: &str) -> PathBuf {
    common::scratch("opts", name)
}

fn inputs(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> OptionInputs {
    OptionInputs {
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        args: args
            .iter()
            .enumerate()
            .map(|(i, a)| (i + 3, a.to_string()))
            .collect(),
        cwd: dir.to_path_buf(),
    }
}

fn max_iter(i: &OptionInputs) -> i64 {
    load_options(i, false, &mut Vec::new())
        .unwrap()
        .options
        .int("max_iter")
}

fn errors(i: &OptionInputs) -> Vec<OptionError> {
    load_options(i, false, &mut Vec::new()).unwrap_err()
}

#[test]
fn precedence_env_then_command_line_then_file() {
    // Pitfall 35: ipopt_options=5, argument 6, ipopt.opt 7.
    let dir = scratch("precedence");
    let env = [("ipopt_options", "max_iter=5")];
    std::fs::write(dir.join("ipopt.opt"), "max_iter 7\n").unwrap();
    assert_eq!(max_iter(&inputs(&dir, &env, &["max_iter=6"])), 7);
    std::fs::remove_file(dir.join("ipopt.opt")).unwrap();
    assert_eq!(max_iter(&inputs(&dir, &env, &["max_iter=6"])), 6);
    assert_eq!(max_iter(&inputs(&dir, &env, &[])), 5);
    assert_eq!(max_iter(&inputs(&dir, &[], &[])), 3000);
    // pounce_options is read after ipopt_options; pounce.opt after ipopt.opt.
    let both = [
        ("ipopt_options", "max_iter=5"),
        ("pounce_options", "maxit 8"),
    ];
    assert_eq!(max_iter(&inputs(&dir, &both, &[])), 8);
    std::fs::write(dir.join("ipopt.opt"), "max_iter 7\n").unwrap();
    std::fs::write(dir.join("pounce.opt"), "max_iter 9\n").unwrap();
    assert_eq!(max_iter(&inputs(&dir, &both, &["max_iter=6"])), 9);
    // The source of the winning value is recorded.
    let loaded = load_options(&inputs(&dir, &both, &[]), false, &mut Vec::new()).unwrap();
    assert_eq!(
        loaded.options.source("max_iter"),
        &Source::File {
            path: "pounce.opt".into(),
            line: 1
        }
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn named_option_file_replaces_the_default_ones() {
    let dir = scratch("named");
    std::fs::write(dir.join("ipopt.opt"), "max_iter 7\n").unwrap();
    std::fs::write(
        dir.join("my run.opt"),
        "# settings\ntol 1d-10 max_iter 11\noutput_file \"my log.txt\"\n",
    )
    .unwrap();
    let i = inputs(&dir, &[], &["option_file_name=\"my run.opt\""]);
    let mut out = Vec::new();
    let loaded = load_options(&i, true, &mut out).unwrap();
    assert_eq!(loaded.options.int("max_iter"), 11);
    assert_eq!(loaded.options.real("tol"), 1e-10);
    assert_eq!(loaded.options.string("output_file"), "my log.txt");
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "option_file_name=\"my run.opt\"\nUsing option file \"my run.opt\".\n\n"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn missing_named_option_file_warns() {
    // Spec E.1: Ipopt ignores a named file that does not exist; pounce also warns.
    let dir = scratch("missing");
    let i = inputs(&dir, &[], &["option_file_name=nothere.opt", "max_iter=4"]);
    let loaded = load_options(&i, false, &mut Vec::new()).unwrap();
    assert_eq!(loaded.options.int("max_iter"), 4);
    assert_eq!(loaded.warnings.len(), 1);
    assert_eq!(
        loaded.warnings[0].to_string(),
        "Warning (command-line argument 3): option file \"nothere.opt\" does not exist; no options read from it."
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn quoted_values_and_both_assignment_forms() {
    // Pitfalls 36 and 37.
    let dir = scratch("quoted");
    let i = inputs(
        &dir,
        &[("ipopt_options", "max_iter 3 output_file=\"a b.txt\"")],
        &["print_user_options=\"yes\"", "linear_solver='pounce'"],
    );
    let loaded = load_options(&i, false, &mut Vec::new()).unwrap();
    assert_eq!(loaded.options.int("max_iter"), 3);
    assert_eq!(loaded.options.string("output_file"), "a b.txt");
    assert!(loaded.options.flag("print_user_options"));
    assert_eq!(loaded.assignments, 4);
    assert!(loaded.warnings.is_empty());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn echo_lists_assignments_as_typed() {
    let dir = scratch("echo");
    let i = inputs(
        &dir,
        &[("ipopt_options", "max_iter=2")],
        &["max_iter=3", "tol=?", "resto.tol=1e-3", "resto.tol=?"],
    );
    let mut out = Vec::new();
    load_options(&i, true, &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "max_iter=2\nmax_iter=3\ntol=?\ntol=1e-8\nresto.tol=1e-3\nresto.tol=?\nresto.tol=0.001\n"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn unknown_keyword() {
    let dir = scratch("unknown");
    let e = errors(&inputs(&dir, &[], &["foo=1"]));
    assert_eq!(
        e[0].to_string(),
        "command-line argument 3: Unknown keyword \"foo\" (`pounce -=` lists all options)."
    );
    // Two argv elements `max_iter` `3` do not make an assignment (spec D.3).
    let e = errors(&inputs(&dir, &[], &["max_iter", "3"]));
    assert_eq!(
        e.iter().map(|e| e.kind.clone()).collect::<Vec<_>>(),
        vec![
            OptionErrorKind::MissingValue {
                name: "max_iter".into()
            },
            OptionErrorKind::Unknown { name: "3".into() }
        ]
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_number() {
    let dir = scratch("badnum");
    let e = errors(&inputs(&dir, &[("ipopt_options", "max_iter=abc")], &[]));
    assert_eq!(
        e[0].to_string(),
        "environment variable ipopt_options: Bad character 'a' in numeric string \"abc\" for option max_iter."
    );
    let e = errors(&inputs(&dir, &[], &["tol=1e-8x"]));
    assert!(matches!(
        e[0].kind,
        OptionErrorKind::BadNumber { bad: 'x', .. }
    ));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn out_of_range_and_bad_string_value() {
    let dir = scratch("range");
    let e = errors(&inputs(
        &dir,
        &[],
        &["tol=-1", "mu_strategy=foo", "print_level=13"],
    ));
    assert_eq!(e.len(), 3, "all errors are reported, not only the first");
    assert_eq!(
        e[0].to_string(),
        "command-line argument 3: Setting: \"-1\" is not a valid setting for Option: tol. \
         Check the option documentation. Valid values: 0 < x."
    );
    assert!(e[1].to_string().contains("Option: mu_strategy"));
    assert_eq!(e[2].source, Source::Arg(5));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_option_file_lines() {
    let dir = scratch("badfile");
    std::fs::write(dir.join("ipopt.opt"), "tol 1e-9\n\nfoo_bar 1\n").unwrap();
    let e = errors(&inputs(&dir, &[], &[]));
    assert_eq!(
        e[0].to_string(),
        "ipopt.opt, line 3: Unknown keyword \"foo_bar\" (`pounce -=` lists all options)."
    );
    std::fs::write(dir.join("ipopt.opt"), "tol -1\n").unwrap();
    let e = errors(&inputs(&dir, &[], &[]));
    assert!(matches!(e[0].kind, OptionErrorKind::InvalidSetting { .. }));
    assert_eq!(
        e[0].source,
        Source::File {
            path: "ipopt.opt".into(),
            line: 1
        }
    );
    std::fs::write(dir.join("ipopt.opt"), "tol 1e-9\nmax_iter\n").unwrap();
    let e = errors(&inputs(&dir, &[], &[]));
    assert_eq!(
        e[0].to_string(),
        "ipopt.opt, line 2: No value given for option max_iter."
    );
    std::fs::write(dir.join("ipopt.opt"), "output_file \"unterminated\n").unwrap();
    let e = errors(&inputs(&dir, &[], &[]));
    assert!(matches!(
        e[0].kind,
        OptionErrorKind::UnterminatedQuote { .. }
    ));
    // An options file that cannot be read (here: a directory) is an error, not skipped.
    std::fs::remove_file(dir.join("ipopt.opt")).unwrap();
    std::fs::create_dir(dir.join("ipopt.opt")).unwrap();
    let e = errors(&inputs(&dir, &[], &[]));
    assert!(matches!(e[0].kind, OptionErrorKind::UnreadableFile { .. }));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn compatibility_options_warn_instead_of_silently_doing_nothing() {
    let dir = scratch("compat");
    let i = inputs(&dir, &[], &["linear_solver=ma27", "ma57_pivtol=1e-4"]);
    let loaded = load_options(&i, false, &mut Vec::new()).unwrap();
    let text: Vec<String> = loaded.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(text.len(), 2);
    assert!(text[0].contains("linear_solver=ma27") && text[0].contains("no effect"));
    assert!(text[1].contains("ma57_pivtol"));
    std::fs::remove_dir_all(dir).unwrap();
}
