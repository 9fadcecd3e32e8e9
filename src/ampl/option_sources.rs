//! Reading option settings from their three sources, in Ipopt's order (spec E.1): the
//! environment variables (`ipopt_options`, then `pounce_options`), the keyword assignments
//! after the stub on the command line, then the options file. Each later setting replaces
//! an earlier one, so the command line beats the environment and the options file beats
//! both, as in Ipopt.

use crate::options::{OptionError, OptionErrorKind, OptionWarning, Options, Source, split_prefix};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One keyword assignment as typed: `name=value`, `name value` or `name="a b"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub name: String,
    /// `None` when the name stands alone.
    pub value: Option<String>,
    /// The assignment exactly as typed, for the echo.
    pub text: String,
}

/// Splits an AMPL keyword string (an environment variable or one argument) into
/// assignments (spec D.3). Values may be quoted with `"` or `'`; a doubled quote inside
/// stands for one quote character.
pub fn split_assignments(s: &str) -> Result<Vec<Assignment>, OptionErrorKind> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let skip_ws = |mut i: usize| {
        while i < chars.len() && chars[i].1.is_whitespace() {
            i += 1;
        }
        i
    };
    let byte = |i: usize| chars.get(i).map_or(s.len(), |c| c.0);
    loop {
        i = skip_ws(i);
        if i >= chars.len() {
            return Ok(out);
        }
        let start = i;
        while i < chars.len() && !chars[i].1.is_whitespace() && chars[i].1 != '=' {
            i += 1;
        }
        let name = s[byte(start)..byte(i)].to_string();
        let mut j = skip_ws(i);
        let bare = if j < chars.len() && chars[j].1 == '=' {
            j = skip_ws(j + 1);
            j >= chars.len()
        } else {
            // `name value`, unless the next token is itself an assignment (`sb tol=1`).
            j >= chars.len() || next_token_is_assignment(&chars[j..])
        };
        if bare {
            out.push(Assignment {
                text: s[byte(start)..byte(i)].to_string(),
                name,
                value: None,
            });
            i = j;
            continue;
        }
        let (value, end) = match chars[j].1 {
            q @ ('"' | '\'') => {
                let mut value = String::new();
                let mut k = j + 1;
                loop {
                    match chars.get(k) {
                        None => {
                            return Err(OptionErrorKind::UnterminatedQuote {
                                text: s[byte(start)..].to_string(),
                            });
                        }
                        Some(&(_, c)) if c == q => {
                            if chars.get(k + 1).is_some_and(|&(_, d)| d == q) {
                                value.push(q);
                                k += 2;
                            } else {
                                break (value, k + 1);
                            }
                        }
                        Some(&(_, c)) => {
                            value.push(c);
                            k += 1;
                        }
                    }
                }
            }
            _ => {
                let mut k = j;
                while k < chars.len() && !chars[k].1.is_whitespace() {
                    k += 1;
                }
                (s[byte(j)..byte(k)].to_string(), k)
            }
        };
        out.push(Assignment {
            name,
            value: Some(value),
            text: s[byte(start)..byte(end)].to_string(),
        });
        i = end;
    }
}

/// Whether the token starting `rest` is itself `name=…` (so it cannot be a bare value).
fn next_token_is_assignment(rest: &[(usize, char)]) -> bool {
    rest.iter()
        .take_while(|&&(_, c)| !c.is_whitespace())
        .any(|&(_, c)| c == '=')
}

/// Splits an options file into `(line, name, value)` triples (spec E.2): whitespace
/// separated tokens taken in pairs, `#` at the start of a token comments out the rest of
/// the line, `"…"` makes one token of text with blanks.
pub fn parse_option_file(
    text: &str,
    path: &Path,
) -> Result<Vec<(usize, String, String)>, OptionError> {
    let mut tokens: Vec<(usize, String)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        let mut rest = line;
        loop {
            rest = rest.trim_start();
            if rest.is_empty() || rest.starts_with('#') {
                break;
            }
            if let Some(quoted) = rest.strip_prefix('"') {
                let Some(end) = quoted.find('"') else {
                    return Err(OptionError {
                        source: Source::File {
                            path: path.to_path_buf(),
                            line: line_no,
                        },
                        kind: OptionErrorKind::UnterminatedQuote {
                            text: rest.to_string(),
                        },
                    });
                };
                tokens.push((line_no, quoted[..end].to_string()));
                rest = &quoted[end + 1..];
            } else {
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                tokens.push((line_no, rest[..end].to_string()));
                rest = &rest[end..];
            }
        }
    }
    let mut pairs = Vec::new();
    let mut it = tokens.into_iter();
    while let Some((line, name)) = it.next() {
        match it.next() {
            Some((_, value)) => pairs.push((line, name, value)),
            None => {
                return Err(OptionError {
                    source: Source::File {
                        path: path.to_path_buf(),
                        line,
                    },
                    kind: OptionErrorKind::MissingValue { name },
                });
            }
        }
    }
    Ok(pairs)
}

/// Where option settings come from for one run.
#[derive(Clone, Debug, Default)]
pub struct OptionInputs {
    /// Environment variables holding keyword strings, in the order they are applied.
    pub env: Vec<(String, String)>,
    /// Keyword arguments after the stub, with their argv positions.
    pub args: Vec<(usize, String)>,
    /// Directory in which `ipopt.opt` / `pounce.opt` and relative file names are looked up.
    pub cwd: PathBuf,
}

/// The outcome of reading all sources.
#[derive(Debug)]
pub struct LoadedOptions {
    pub options: Options,
    /// Accepted settings without effect, and other notes for the user.
    pub warnings: Vec<OptionWarning>,
    /// Number of keyword assignments processed from the environment and the command line.
    pub assignments: usize,
}

/// Applies all sources in order. Keyword assignments are echoed to `out` as typed when
/// `echo` is set, and `name=?` prints the current value. Every refused setting is
/// collected (not only the first), so the user can fix them all at once.
pub fn load_options(
    inputs: &OptionInputs,
    echo: bool,
    out: &mut dyn Write,
) -> Result<LoadedOptions, Vec<OptionError>> {
    let mut options = Options::new();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    let mut assignments = 0;
    let keyword_sources = inputs
        .env
        .iter()
        .map(|(var, text)| (Source::Env(var.clone()), text.as_str()))
        .chain(
            inputs
                .args
                .iter()
                .map(|(i, text)| (Source::Arg(*i), text.as_str())),
        );
    for (source, text) in keyword_sources {
        let list = match split_assignments(text) {
            Ok(list) => list,
            Err(kind) => {
                errors.push(OptionError { source, kind });
                continue;
            }
        };
        for a in list {
            assignments += 1;
            if echo {
                let _ = writeln!(out, "{}", a.text);
            }
            let result = match a.value.as_deref() {
                None => Err(OptionError {
                    source: source.clone(),
                    kind: if known(&a.name) {
                        OptionErrorKind::MissingValue { name: a.name }
                    } else {
                        OptionErrorKind::Unknown { name: a.name }
                    },
                }),
                Some("?") => query(&options, &a.name, &source, out),
                Some(v) => options.set(&a.name, v, source.clone()),
            };
            match result {
                Ok(w) => warnings.extend(w),
                Err(e) => errors.push(e),
            }
        }
    }
    if errors.is_empty() {
        read_option_files(inputs, &mut options, &mut warnings, &mut errors, out);
    }
    if errors.is_empty() {
        Ok(LoadedOptions {
            options,
            warnings,
            assignments,
        })
    } else {
        Err(errors)
    }
}

/// Whether `name` (possibly with a `prefix.`) is a registered option.
fn known(name: &str) -> bool {
    crate::options::registry()
        .find(split_prefix(name).1)
        .is_some()
}

/// `name=?`: prints the current value (ASL behaviour) without changing it.
fn query(
    options: &Options,
    name: &str,
    source: &Source,
    out: &mut dyn Write,
) -> Result<Option<OptionWarning>, OptionError> {
    if !known(name) {
        return Err(OptionError {
            source: source.clone(),
            kind: OptionErrorKind::Unknown {
                name: name.to_string(),
            },
        });
    }
    // A query is not a use of the option: read from a copy.
    let snapshot = options.clone();
    let value = match split_prefix(name) {
        (Some(prefix), base) => snapshot.value_for(prefix, base),
        (None, base) => snapshot.value(base),
    };
    let _ = writeln!(out, "{name}={value}");
    Ok(None)
}

fn read_option_files(
    inputs: &OptionInputs,
    options: &mut Options,
    warnings: &mut Vec<OptionWarning>,
    errors: &mut Vec<OptionError>,
    out: &mut dyn Write,
) {
    let named = *options.source("option_file_name") != Source::Default;
    let files: Vec<PathBuf> = if named {
        let name = options.string("option_file_name").to_string();
        if name != "ipopt.opt" {
            let _ = writeln!(out, "Using option file \"{name}\".\n");
        }
        let path = inputs.cwd.join(&name);
        if !path.exists() {
            warnings.push(OptionWarning {
                source: options.source("option_file_name").clone(),
                message: format!("option file \"{name}\" does not exist; no options read from it."),
            });
            return;
        }
        vec![path]
    } else {
        ["ipopt.opt", "pounce.opt"]
            .iter()
            .map(|f| inputs.cwd.join(f))
            .filter(|p| p.exists())
            .collect()
    };
    for path in files {
        let shown = path
            .strip_prefix(&inputs.cwd)
            .unwrap_or(&path)
            .to_path_buf();
        let text = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                errors.push(OptionError {
                    source: Source::File {
                        path: shown,
                        line: 0,
                    },
                    kind: OptionErrorKind::UnreadableFile {
                        reason: e.to_string(),
                    },
                });
                continue;
            }
        };
        match parse_option_file(&text, &shown) {
            Ok(pairs) => {
                for (line, name, value) in pairs {
                    let source = Source::File {
                        path: shown.clone(),
                        line,
                    };
                    match options.set(&name, &value, source) {
                        Ok(w) => warnings.extend(w),
                        Err(e) => errors.push(e),
                    }
                }
            }
            Err(e) => errors.push(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_values(s: &str) -> Vec<(String, Option<String>)> {
        split_assignments(s)
            .unwrap()
            .into_iter()
            .map(|a| (a.name, a.value))
            .collect()
    }

    fn nv(n: &str, v: Option<&str>) -> (String, Option<String>) {
        (n.to_string(), v.map(str::to_string))
    }

    #[test]
    fn keyword_strings() {
        assert_eq!(
            names_values("max_iter=3 tol = 1e-5  mu_strategy adaptive"),
            vec![
                nv("max_iter", Some("3")),
                nv("tol", Some("1e-5")),
                nv("mu_strategy", Some("adaptive"))
            ]
        );
        assert_eq!(
            names_values("linear_solver=\"mumps\""),
            vec![nv("linear_solver", Some("mumps"))]
        );
        assert_eq!(
            names_values("output_file=\"my log.txt\" x='it''s'"),
            vec![nv("output_file", Some("my log.txt")), nv("x", Some("it's"))]
        );
        assert_eq!(names_values("max_iter"), vec![nv("max_iter", None)]);
        assert_eq!(
            names_values("sb tol=1"),
            vec![nv("sb", None), nv("tol", Some("1"))]
        );
        assert_eq!(names_values("tol=?"), vec![nv("tol", Some("?"))]);
        let a = split_assignments("  tol = 1e-5 ").unwrap();
        assert_eq!(a[0].text, "tol = 1e-5");
        assert!(matches!(
            split_assignments("output_file=\"abc"),
            Err(OptionErrorKind::UnterminatedQuote { .. })
        ));
    }

    #[test]
    fn option_file_tokens() {
        let text =
            "# comment line\ntol 1d-10 max_iter 5\noutput_file \"my log.txt\" # trailing\nmu#x 1\n";
        let pairs = parse_option_file(text, Path::new("ipopt.opt")).unwrap();
        let got: Vec<(usize, &str, &str)> = pairs
            .iter()
            .map(|(l, n, v)| (*l, n.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "tol", "1d-10"),
                (2, "max_iter", "5"),
                (3, "output_file", "my log.txt"),
                (4, "mu#x", "1"),
            ]
        );
        let e = parse_option_file("tol 1\nmax_iter\n", Path::new("a.opt")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.opt, line 2: No value given for option max_iter."
        );
    }
}
