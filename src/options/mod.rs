//! Solver options: the registry of every accepted option and a typed, validated set of
//! values that the AMPL interface fills and the solvers read.
//!
//! Every value is checked against the registry when it is set, so a solver reading an
//! option always gets a value of the registered type inside its range. Reads are recorded:
//! after a solve the interface can tell the user which of their settings no code looked
//! at, so no option is ever silently ignored.

pub mod registry;

pub use registry::{Domain, Effect, Level, OptionSpec, Registry, registry};

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

/// A typed option value.
#[derive(Clone, Debug, PartialEq)]
pub enum OptionValue {
    Int(i64),
    Real(f64),
    Str(String),
}

impl fmt::Display for OptionValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionValue::Int(i) => write!(f, "{i}"),
            // Debug gives the shortest round-trip form (`1e-8`, `0.5`, `100000.0`).
            OptionValue::Real(x) => write!(f, "{x:?}"),
            OptionValue::Str(s) => write!(f, "{s}"),
        }
    }
}

/// Where a setting came from; errors and listings name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Default,
    /// An environment variable such as `ipopt_options`.
    Env(String),
    /// A command-line argument, by its position in argv (program name = 0).
    Arg(usize),
    /// A line of an options file.
    File {
        path: PathBuf,
        line: usize,
    },
    /// Set by a program through [`Options::with`] (tests, library use).
    Api,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => write!(f, "default"),
            Source::Env(var) => write!(f, "environment variable {var}"),
            Source::Arg(i) => write!(f, "command-line argument {i}"),
            Source::File { path, line } => write!(f, "{}, line {line}", path.display()),
            Source::Api => write!(f, "set by the caller"),
        }
    }
}

/// Why a setting was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum OptionErrorKind {
    /// No option of that name.
    Unknown { name: String },
    /// A numeric option got text that is not a number.
    BadNumber {
        name: String,
        text: String,
        bad: char,
    },
    /// A value of the right form but outside the allowed range or list.
    InvalidSetting {
        name: String,
        value: String,
        valid: String,
    },
    /// A name without a value.
    MissingValue { name: String },
    /// A quoted value without its closing quote.
    UnterminatedQuote { text: String },
    /// An options file that exists but cannot be read.
    UnreadableFile { reason: String },
}

/// A refused setting and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionError {
    pub source: Source,
    pub kind: OptionErrorKind,
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use OptionErrorKind::*;
        write!(f, "{}: ", self.source)?;
        match &self.kind {
            Unknown { name } => write!(
                f,
                "Unknown keyword \"{name}\" (`pounce -=` lists all options)."
            ),
            BadNumber { name, text, bad } => write!(
                f,
                "Bad character '{bad}' in numeric string \"{text}\" for option {name}."
            ),
            InvalidSetting { name, value, valid } => write!(
                f,
                "Setting: \"{value}\" is not a valid setting for Option: {name}. \
                 Check the option documentation. Valid values: {valid}."
            ),
            MissingValue { name } => write!(f, "No value given for option {name}."),
            UnterminatedQuote { text } => write!(f, "Missing closing quote in {text}"),
            UnreadableFile { reason } => write!(f, "cannot read the options file: {reason}"),
        }
    }
}

impl std::error::Error for OptionError {}

/// A setting that was accepted but will have no effect, with the reason.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionWarning {
    pub source: Source,
    pub message: String,
}

impl fmt::Display for OptionWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Warning ({}): {}", self.source, self.message)
    }
}

#[derive(Debug)]
struct Slot {
    value: OptionValue,
    source: Source,
    used: AtomicBool,
}

impl Clone for Slot {
    fn clone(&self) -> Self {
        Slot {
            value: self.value.clone(),
            source: self.source.clone(),
            used: AtomicBool::new(self.used.load(Ordering::Relaxed)),
        }
    }
}

/// A set of option values, one per registered option, plus settings addressed to a
/// sub-algorithm with a prefix (`resto.tol` sets `tol` for the restoration phase).
#[derive(Clone, Debug)]
pub struct Options {
    slots: Vec<Slot>,
    prefixed: Vec<(String, usize, Slot)>,
}

impl Default for Options {
    fn default() -> Self {
        Self::new()
    }
}

/// A summary line for listings of user settings.
#[derive(Clone, Debug, PartialEq)]
pub struct UserSetting<'a> {
    /// The option's name, with its prefix if any (`resto.tol`).
    pub name: String,
    pub value: &'a OptionValue,
    pub source: &'a Source,
    pub effect: Effect,
    /// Whether any code has read the value so far.
    pub used: bool,
}

impl Options {
    /// All options at their defaults.
    pub fn new() -> Self {
        let slots = registry()
            .specs()
            .iter()
            .map(|s| Slot {
                value: s.default.clone(),
                source: Source::Default,
                used: AtomicBool::new(false),
            })
            .collect();
        Options {
            slots,
            prefixed: Vec::new(),
        }
    }

    /// Defaults with the given settings applied, validated as any other source.
    pub fn with(settings: &[(&str, &str)]) -> Result<Options, OptionError> {
        let mut options = Options::new();
        for (name, value) in settings {
            options.set(name, value, Source::Api)?;
        }
        Ok(options)
    }

    /// Sets option `name` (possibly `prefix.name`) from text, validating it against the
    /// registry. Returns a warning when the setting is accepted but has no effect in pounce.
    pub fn set(
        &mut self,
        name: &str,
        text: &str,
        source: Source,
    ) -> Result<Option<OptionWarning>, OptionError> {
        let reg = registry();
        let (prefix, base) = split_prefix(name);
        let err = |kind| OptionError {
            source: source.clone(),
            kind,
        };
        let Some(found) = reg.find(base) else {
            return Err(err(OptionErrorKind::Unknown {
                name: name.to_string(),
            }));
        };
        let index = reg.resolve(found);
        let spec = reg.spec(index);
        let (value, inert) = parse_value(spec, text).map_err(err)?;
        let warning = if reg.spec(found).effect == Effect::Ignored {
            Some(format!(
                "option {name} is accepted for compatibility with Ipopt but has no effect in pounce."
            ))
        } else if inert {
            Some(format!(
                "{name}={value} is accepted for compatibility with Ipopt but has no effect in pounce; {}.",
                spec.description
            ))
        } else {
            None
        };
        let slot = Slot {
            value,
            source: source.clone(),
            used: AtomicBool::new(false),
        };
        match prefix {
            None => self.slots[index] = slot,
            Some(p) => {
                self.prefixed.retain(|(q, i, _)| !(q == p && *i == index));
                self.prefixed.push((p.to_string(), index, slot));
            }
        }
        Ok(warning.map(|message| OptionWarning { source, message }))
    }

    #[track_caller]
    fn slot(&self, prefix: Option<&str>, name: &str) -> &Slot {
        let reg = registry();
        let index = reg
            .find(name)
            .map(|i| reg.resolve(i))
            .unwrap_or_else(|| panic!("`{name}` is not a registered option"));
        let slot = prefix
            .and_then(|p| {
                self.prefixed
                    .iter()
                    .find(|(q, i, _)| q == p && *i == index)
                    .map(|(_, _, s)| s)
            })
            .unwrap_or(&self.slots[index]);
        slot.used.store(true, Ordering::Relaxed);
        slot
    }

    /// The value of option `name` for the sub-algorithm `prefix` (e.g. `"resto"`): the
    /// prefixed setting if one was made, else the plain one.
    ///
    /// # Panics
    /// If `name` is not a registered option (a programming error).
    #[track_caller]
    pub fn value_for(&self, prefix: &str, name: &str) -> &OptionValue {
        &self.slot(Some(prefix), name).value
    }

    /// The value of option `name`.
    ///
    /// # Panics
    /// If `name` is not a registered option (a programming error).
    #[track_caller]
    pub fn value(&self, name: &str) -> &OptionValue {
        &self.slot(None, name).value
    }

    /// A real option's value.
    ///
    /// # Panics
    /// If `name` is not a registered real option (a programming error).
    #[track_caller]
    pub fn real(&self, name: &str) -> f64 {
        match self.value(name) {
            OptionValue::Real(x) => *x,
            other => panic!("option `{name}` is not real: {other:?}"),
        }
    }

    /// An integer option's value.
    ///
    /// # Panics
    /// If `name` is not a registered integer option (a programming error).
    #[track_caller]
    pub fn int(&self, name: &str) -> i64 {
        match self.value(name) {
            OptionValue::Int(i) => *i,
            other => panic!("option `{name}` is not an integer: {other:?}"),
        }
    }

    /// A string option's value; values from a fixed list are in the table's spelling.
    ///
    /// # Panics
    /// If `name` is not a registered string option (a programming error).
    #[track_caller]
    pub fn string(&self, name: &str) -> &str {
        match self.value(name) {
            OptionValue::Str(s) => s,
            other => panic!("option `{name}` is not a string: {other:?}"),
        }
    }

    /// A `yes`/`no` option as a boolean.
    ///
    /// # Panics
    /// If `name` is not a registered string option (a programming error).
    #[track_caller]
    pub fn flag(&self, name: &str) -> bool {
        self.string(name) == "yes"
    }

    /// Where the current value of `name` came from (does not count as a use).
    ///
    /// # Panics
    /// If `name` is not a registered option (a programming error).
    pub fn source(&self, name: &str) -> &Source {
        let reg = registry();
        let i = reg
            .find(name)
            .map(|i| reg.resolve(i))
            .unwrap_or_else(|| panic!("`{name}` is not a registered option"));
        &self.slots[i].source
    }

    /// Every setting not at its default, in registry order, then prefixed ones.
    pub fn user_settings(&self) -> Vec<UserSetting<'_>> {
        let reg = registry();
        let plain = self
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.source != Source::Default)
            .map(|(i, s)| (reg.spec(i).name.clone(), i, s));
        let prefixed = self
            .prefixed
            .iter()
            .map(|(p, i, s)| (format!("{p}.{}", reg.spec(*i).name), *i, s));
        plain
            .chain(prefixed)
            .map(|(name, i, s)| UserSetting {
                name,
                value: &s.value,
                source: &s.source,
                effect: reg.spec(i).effect,
                used: s.used.load(Ordering::Relaxed),
            })
            .collect()
    }
}

/// Splits `resto.tol` into `(Some("resto"), "tol")`; a name without prefix is `(None, name)`.
pub fn split_prefix(name: &str) -> (Option<&str>, &str) {
    match name.rsplit_once('.') {
        Some((p, b)) if !p.is_empty() => (Some(p), b),
        _ => (None, name),
    }
}

/// Checks `text` against an option's domain. Returns the value and whether it is one of
/// the values accepted without effect.
fn parse_value(spec: &OptionSpec, text: &str) -> Result<(OptionValue, bool), OptionErrorKind> {
    let text = text.trim();
    let invalid = || OptionErrorKind::InvalidSetting {
        name: spec.name.clone(),
        value: text.to_string(),
        valid: spec.valid.clone(),
    };
    let bad_number = |bad| OptionErrorKind::BadNumber {
        name: spec.name.clone(),
        text: text.to_string(),
        bad,
    };
    match &spec.domain {
        Domain::Real { .. } => {
            // Fortran exponents (`1d-8`) are accepted as in Ipopt's options file.
            let normalized = text.replace(['d', 'D'], "e");
            let x: f64 = normalized
                .parse()
                .map_err(|_| bad_number(first_bad_char(text, |p| p.parse::<f64>().is_ok())))?;
            if !spec.domain.contains(x) {
                return Err(invalid());
            }
            Ok((OptionValue::Real(x), false))
        }
        Domain::Int { .. } => {
            let i: i64 = text
                .parse()
                .map_err(|_| bad_number(first_bad_char(text, |p| p.parse::<i64>().is_ok())))?;
            if !spec.domain.contains(i as f64) {
                return Err(invalid());
            }
            Ok((OptionValue::Int(i), false))
        }
        Domain::Text => Ok((OptionValue::Str(text.to_string()), false)),
        Domain::Choice(choices) => choices
            .iter()
            .find(|c| c.value.eq_ignore_ascii_case(text))
            .map(|c| (OptionValue::Str(c.value.clone()), c.inert))
            .ok_or_else(invalid),
    }
}

/// The character just after the longest prefix of `text` that `parses`, as the ASL reports
/// malformed numbers; the first character when no prefix parses.
fn first_bad_char(text: &str, parses: impl Fn(&str) -> bool) -> char {
    let good = text
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .filter(|&end| parses(&text[..end]))
        .last()
        .unwrap_or(0);
    text[good..].chars().next().unwrap_or(' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg() -> Source {
        Source::Arg(2)
    }

    #[test]
    fn typed_getters_and_aliases() {
        let mut o = Options::new();
        assert_eq!(o.int("max_iter"), 3000);
        o.set("maxit", "7", arg()).unwrap();
        assert_eq!(o.int("max_iter"), 7);
        assert_eq!(o.source("max_iter"), &arg());
        o.set("tol", "1d-10", arg()).unwrap();
        assert_eq!(o.real("tol"), 1e-10);
        o.set("mu_strategy", "ADAPTIVE", arg()).unwrap();
        assert_eq!(o.string("mu_strategy"), "adaptive");
        assert!(!o.flag("honor_original_bounds"));
        o.set("output_file", "my log.txt", arg()).unwrap();
        assert_eq!(o.string("output_file"), "my log.txt");
    }

    #[test]
    fn settings_from_code() {
        let o = Options::with(&[("max_iter", "10"), ("solver_selection", "qp-ipm")]).unwrap();
        assert_eq!(o.int("max_iter"), 10);
        assert_eq!(o.string("solver_selection"), "qp-ipm");
        assert_eq!(o.source("max_iter"), &Source::Api);
        let e = Options::with(&[("solver_selection", "simplex")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "set by the caller: Setting: \"simplex\" is not a valid setting for Option: solver_selection. \
             Check the option documentation. Valid values: auto, nlp, lp-ipm, qp-ipm, socp."
        );
    }

    #[test]
    fn prefixed_settings_fall_back_to_plain() {
        let mut o = Options::new();
        o.set("resto.tol", "1e-3", arg()).unwrap();
        assert_eq!(o.real("tol"), 1e-8);
        assert_eq!(o.value_for("resto", "tol"), &OptionValue::Real(1e-3));
        assert_eq!(o.value_for("resto", "max_iter"), &OptionValue::Int(3000));
        assert!(o.set("resto.nope", "1", arg()).is_err());
    }

    #[test]
    fn errors_name_option_value_and_source() {
        let mut o = Options::new();
        let e = o.set("foo", "1", Source::Env("ipopt_options".into()));
        assert_eq!(
            e.unwrap_err().to_string(),
            "environment variable ipopt_options: Unknown keyword \"foo\" (`pounce -=` lists all options)."
        );
        let e = o.set("max_iter", "abc", arg()).unwrap_err();
        assert_eq!(
            e.kind,
            OptionErrorKind::BadNumber {
                name: "max_iter".into(),
                text: "abc".into(),
                bad: 'a'
            }
        );
        let e = o.set("max_iter", "12x", arg()).unwrap_err();
        assert!(matches!(
            e.kind,
            OptionErrorKind::BadNumber { bad: 'x', .. }
        ));
        let e = o.set("max_iter", "2.5", arg()).unwrap_err();
        assert!(matches!(
            e.kind,
            OptionErrorKind::BadNumber { bad: '.', .. }
        ));
        let e = o.set("tol", "-1", arg()).unwrap_err();
        assert!(e.to_string().contains(
            "Setting: \"-1\" is not a valid setting for Option: tol. Check the option documentation."
        ));
        let e = o.set("tol", "nan", arg()).unwrap_err();
        assert!(matches!(e.kind, OptionErrorKind::InvalidSetting { .. }));
        let e = o.set("print_level", "13", arg()).unwrap_err();
        assert!(matches!(e.kind, OptionErrorKind::InvalidSetting { .. }));
        let e = o.set("mu_strategy", "foo", arg()).unwrap_err();
        assert!(e.to_string().contains("Valid values: monotone, adaptive."));
        // Nothing was changed by the refused settings.
        assert_eq!(o.user_settings(), vec![]);
    }

    #[test]
    fn compatibility_settings_warn() {
        let mut o = Options::new();
        let w = o.set("linear_solver", "ma27", arg()).unwrap().unwrap();
        assert!(w.message.contains("no effect in pounce"), "{w}");
        let w = o.set("ma27_pivtol", "1e-4", arg()).unwrap().unwrap();
        assert!(w.to_string().contains("ma27_pivtol"));
        assert_eq!(o.set("linear_solver", "pounce", arg()).unwrap(), None);
        assert_eq!(o.set("tol", "1e-9", arg()).unwrap(), None);
    }

    #[test]
    fn reads_are_recorded() {
        let mut o = Options::new();
        o.set("tol", "1e-9", arg()).unwrap();
        o.set("max_iter", "5", arg()).unwrap();
        let _ = o.real("tol");
        let used: Vec<(String, bool)> = o
            .user_settings()
            .into_iter()
            .map(|s| (s.name, s.used))
            .collect();
        assert_eq!(
            used,
            vec![("tol".to_string(), true), ("max_iter".to_string(), false)]
        );
    }
}
