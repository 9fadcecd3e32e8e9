//! The table of every option pounce accepts, parsed once from `options/ipopt-options.tsv`.
//!
//! The data lives in a table rather than in code so that the list of ~260 options, their
//! ranges and descriptions can be read and reviewed in one place; `tests` below check that
//! the table parses and is internally consistent (defaults inside their ranges, aliases
//! pointing at options of the same type).

use super::OptionValue;
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../../options/ipopt-options.tsv");

/// Who shows an option in documentation listings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Listed everywhere.
    Public,
    /// Ipopt hides it unless `print_advanced_options=yes`; pounce's `--print-options` shows it.
    Advanced,
    /// Registered by Ipopt but never documented: accepted, listed only by `-=`.
    Undocumented,
    /// An AMPL keyword of Ipopt's AMPL driver rather than an Ipopt option.
    Ampl,
}

/// What setting an option does in pounce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Read by the solvers.
    Solver,
    /// Acted on by the AMPL interface itself (option file, documentation printing, wantsol).
    Interface,
    /// Accepted for compatibility with Ipopt; has no equivalent in pounce (a warning says so).
    Ignored,
    /// Another name for the option with this index.
    Alias(usize),
}

/// A bound of a numeric range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limit {
    pub value: f64,
    /// `true` for `<`, `false` for `<=`.
    pub strict: bool,
}

/// One allowed value of a string option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    /// Accepted for compatibility but without effect in pounce (marked `~` in the table).
    pub inert: bool,
}

/// The values an option admits.
#[derive(Clone, Debug, PartialEq)]
pub enum Domain {
    Real {
        lower: Option<Limit>,
        upper: Option<Limit>,
    },
    Int {
        lower: Option<Limit>,
        upper: Option<Limit>,
    },
    /// One of a fixed list, matched case-insensitively.
    Choice(Vec<Choice>),
    /// Any string.
    Text,
}

impl Domain {
    /// Type name as Ipopt prints it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Domain::Real { .. } => "real",
            Domain::Int { .. } => "int",
            Domain::Choice(_) | Domain::Text => "string",
        }
    }

    /// Whether `x` lies in a numeric range (always true for string domains).
    pub fn contains(&self, x: f64) -> bool {
        let (lower, upper) = match self {
            Domain::Real { lower, upper } | Domain::Int { lower, upper } => (lower, upper),
            _ => return true,
        };
        let above = lower.is_none_or(|l| if l.strict { x > l.value } else { x >= l.value });
        let below = upper.is_none_or(|u| if u.strict { x < u.value } else { x <= u.value });
        above && below && !x.is_nan()
    }
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionSpec {
    pub name: String,
    pub domain: Domain,
    pub default: OptionValue,
    /// The "valid values" column as written in the table, for documentation.
    pub valid: String,
    pub category: String,
    pub level: Level,
    pub effect: Effect,
    pub description: String,
}

/// All options, in table order (which groups them by category).
#[derive(Debug)]
pub struct Registry {
    specs: Vec<OptionSpec>,
    index: HashMap<String, usize>,
}

/// A defect in the option table, with its line number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "options/ipopt-options.tsv line {}: {}",
            self.line, self.message
        )
    }
}

impl std::error::Error for TableError {}

/// The registry of the built-in table, parsed on first use.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        Registry::parse(TABLE).unwrap_or_else(|e| panic!("built-in option table: {e}"))
    })
}

impl Registry {
    /// Parses a table in the format of `options/ipopt-options.tsv`.
    pub fn parse(text: &str) -> Result<Registry, TableError> {
        let mut specs = Vec::new();
        let mut index = HashMap::new();
        let mut aliases = Vec::new();
        let mut header_seen = false;
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let err = |message: String| TableError {
                line: line_no,
                message,
            };
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() != 8 {
                return Err(err(format!("expected 8 columns, found {}", cols.len())));
            }
            if !header_seen {
                header_seen = true;
                continue;
            }
            let [
                name,
                ty,
                default,
                valid,
                category,
                level,
                effect,
                description,
            ] = cols[..].try_into().expect("length checked");
            let domain = parse_domain(ty, valid).map_err(&err)?;
            let default = parse_default(&domain, default).map_err(&err)?;
            let level = match level {
                "public" => Level::Public,
                "advanced" => Level::Advanced,
                "undocumented" => Level::Undocumented,
                "ampl" => Level::Ampl,
                other => return Err(err(format!("unknown level `{other}`"))),
            };
            let effect = match effect {
                "solver" => Effect::Solver,
                "interface" => Effect::Interface,
                "ignored" => Effect::Ignored,
                other => match other.strip_prefix("alias:") {
                    Some(target) => {
                        aliases.push((specs.len(), target.to_string(), line_no));
                        Effect::Alias(usize::MAX)
                    }
                    None => return Err(err(format!("unknown effect `{other}`"))),
                },
            };
            if index.insert(name.to_string(), specs.len()).is_some() {
                return Err(err(format!("option `{name}` listed twice")));
            }
            specs.push(OptionSpec {
                name: name.to_string(),
                domain,
                default,
                valid: valid.to_string(),
                category: category.to_string(),
                level,
                effect,
                description: description.to_string(),
            });
        }
        for (at, target, line) in aliases {
            let err = |message: String| TableError { line, message };
            let &t = index
                .get(&target)
                .ok_or_else(|| err(format!("alias of unknown option `{target}`")))?;
            if matches!(specs[t].effect, Effect::Alias(_)) {
                return Err(err(format!("alias of alias `{target}`")));
            }
            if specs[t].domain != specs[at].domain {
                return Err(err(format!("alias domain differs from `{target}`")));
            }
            specs[at].effect = Effect::Alias(t);
        }
        Ok(Registry { specs, index })
    }

    /// All options in table order.
    pub fn specs(&self) -> &[OptionSpec] {
        &self.specs
    }

    /// Index of an option by its exact (case-sensitive) name.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The option at `index`.
    pub fn spec(&self, index: usize) -> &OptionSpec {
        &self.specs[index]
    }

    /// The option an alias stands for (the option itself otherwise).
    pub fn resolve(&self, index: usize) -> usize {
        match self.specs[index].effect {
            Effect::Alias(t) => t,
            _ => index,
        }
    }
}

fn parse_domain(ty: &str, valid: &str) -> Result<Domain, String> {
    match ty {
        "real" | "int" => {
            let (lower, upper) = parse_range(valid)?;
            Ok(if ty == "real" {
                Domain::Real { lower, upper }
            } else {
                Domain::Int { lower, upper }
            })
        }
        "string" if valid == "any string" => Ok(Domain::Text),
        "string" => {
            let choices: Vec<Choice> = valid
                .split(',')
                .map(|v| {
                    let v = v.trim();
                    match v.strip_prefix('~') {
                        Some(rest) => Choice {
                            value: rest.to_string(),
                            inert: true,
                        },
                        None => Choice {
                            value: v.to_string(),
                            inert: false,
                        },
                    }
                })
                .collect();
            if choices.iter().any(|c| c.value.is_empty()) {
                return Err(format!("empty value in `{valid}`"));
            }
            Ok(Domain::Choice(choices))
        }
        other => Err(format!("unknown type `{other}`")),
    }
}

/// Parses `unrestricted`, `a < x`, `a <= x`, `a < x < b`, `a <= x <= b` and mixtures.
fn parse_range(valid: &str) -> Result<(Option<Limit>, Option<Limit>), String> {
    if valid == "unrestricted" {
        return Ok((None, None));
    }
    let bad = || format!("bad range `{valid}`");
    let tokens: Vec<&str> = valid.split_whitespace().collect();
    let limit = |value: &str, op: &str| -> Result<Limit, String> {
        let value = value.parse::<f64>().map_err(|_| bad())?;
        let strict = match op {
            "<" => true,
            "<=" => false,
            _ => return Err(bad()),
        };
        Ok(Limit { value, strict })
    };
    match tokens[..] {
        [lo, op, "x"] => Ok((Some(limit(lo, op)?), None)),
        [lo, op1, "x", op2, hi] => Ok((Some(limit(lo, op1)?), Some(limit(hi, op2)?))),
        _ => Err(bad()),
    }
}

fn parse_default(domain: &Domain, text: &str) -> Result<OptionValue, String> {
    let value = match domain {
        Domain::Real { .. } => OptionValue::Real(
            text.parse()
                .map_err(|_| format!("bad real default `{text}`"))?,
        ),
        Domain::Int { .. } => OptionValue::Int(
            text.parse()
                .map_err(|_| format!("bad integer default `{text}`"))?,
        ),
        Domain::Text if text == "\"\"" => OptionValue::Str(String::new()),
        Domain::Text => OptionValue::Str(text.to_string()),
        Domain::Choice(choices) => {
            if !choices.iter().any(|c| c.value == text && !c.inert) {
                return Err(format!(
                    "default `{text}` is not an effective allowed value"
                ));
            }
            OptionValue::Str(text.to_string())
        }
    };
    let inside = match value {
        OptionValue::Real(x) => domain.contains(x),
        OptionValue::Int(i) => domain.contains(i as f64),
        OptionValue::Str(_) => true,
    };
    if !inside {
        return Err(format!("default `{text}` outside the valid range"));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_table_is_consistent() {
        let r = Registry::parse(TABLE).unwrap();
        let ipopt = r
            .specs()
            .iter()
            .filter(|s| !matches!(s.level, Level::Ampl) && s.category != "pounce")
            .count();
        // Spec E.4: 217 documented options plus 34 registered-but-undocumented ones.
        assert_eq!(ipopt, 251);
        for name in ["wantsol", "outlev", "maxit", "halt_on_ampl_error"] {
            assert_eq!(r.spec(r.find(name).unwrap()).level, Level::Ampl);
        }
        assert_eq!(
            r.resolve(r.find("maxit").unwrap()),
            r.find("max_iter").unwrap()
        );
        assert_eq!(
            r.resolve(r.find("outlev").unwrap()),
            r.find("print_level").unwrap()
        );
        for s in r.specs() {
            assert!(!s.description.is_empty(), "{} has no description", s.name);
            assert!(
                s.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{}",
                s.name
            );
        }
    }

    #[test]
    fn spot_checks_against_spec_e4() {
        let r = registry();
        let tol = r.spec(r.find("tol").unwrap());
        assert_eq!(tol.default, OptionValue::Real(1e-8));
        assert!(!tol.domain.contains(0.0) && tol.domain.contains(1e-30));
        let pl = r.spec(r.find("print_level").unwrap());
        assert_eq!(pl.default, OptionValue::Int(5));
        assert!(pl.domain.contains(12.0) && !pl.domain.contains(13.0));
        let bf = r.spec(r.find("bound_frac").unwrap());
        assert!(bf.domain.contains(0.5) && !bf.domain.contains(0.50001));
        let sel = r.spec(r.find("solver_selection").unwrap());
        assert_eq!(sel.default, OptionValue::Str("auto".into()));
        assert_eq!(r.find("Tol"), None);
    }

    #[test]
    fn table_defects_are_reported_with_line() {
        let head = "name\ttype\tdefault\tvalid\tcategory\tlevel\teffect\tdescription\n";
        let bad_range = format!("{head}tol\treal\t1\t0 << x\tT\tpublic\tsolver\td\n");
        assert_eq!(Registry::parse(&bad_range).unwrap_err().line, 2);
        let outside = format!("{head}tol\treal\t-1\t0 < x\tT\tpublic\tsolver\td\n");
        assert!(
            Registry::parse(&outside)
                .unwrap_err()
                .message
                .contains("outside")
        );
        let dangling = format!("{head}maxit\tint\t1\t0 <= x\tA\tampl\talias:nope\td\n");
        assert!(
            Registry::parse(&dangling)
                .unwrap_err()
                .message
                .contains("unknown option")
        );
        let twice = format!(
            "{head}a\tint\t1\tunrestricted\tA\tpublic\tsolver\td\na\tint\t1\tunrestricted\tA\tpublic\tsolver\td\n"
        );
        assert_eq!(Registry::parse(&twice).unwrap_err().line, 3);
    }
}
