//! Option documentation generated from the registry: the `-=` keyword list, the
//! `--print-options` text, and the Markdown of `docs/options.md`.
//!
//! `docs/options.md` is regenerated with
//! `cargo run --release -- --print-options=markdown > docs/options.md`; a test fails when the
//! committed file differs from what the registry produces.

use crate::options::{Effect, Level, OptionSpec, OptionValue, Registry};
use std::io::{self, Write};

/// The default as shown in documentation.
fn default_text(spec: &OptionSpec) -> String {
    match &spec.default {
        OptionValue::Str(s) if s.is_empty() => "(empty)".to_string(),
        OptionValue::Real(x) => super::number::short_g(*x),
        v => v.to_string(),
    }
}

/// What pounce does with the option, for documentation; empty for ordinary options.
fn effect_note(reg: &Registry, spec: &OptionSpec) -> String {
    match spec.effect {
        Effect::Ignored => "accepted, no effect in pounce".to_string(),
        Effect::Alias(t) => format!("synonym of {}", reg.spec(t).name),
        Effect::Solver | Effect::Interface => String::new(),
    }
}

/// `-=`: every keyword, left-justified in 50 columns, then its one-line description.
pub fn write_keyword_list(reg: &Registry, out: &mut dyn Write) -> io::Result<()> {
    for spec in reg.specs() {
        writeln!(out, "{:<50}{}", spec.name, spec.description)?;
    }
    Ok(())
}

/// `--print-options`: options grouped by category, advanced ones included, registered but
/// undocumented ones left out (as Ipopt does).
pub fn write_text(reg: &Registry, out: &mut dyn Write) -> io::Result<()> {
    let mut category = "";
    for spec in reg.specs() {
        if spec.level == Level::Undocumented {
            continue;
        }
        if spec.category != category {
            category = &spec.category;
            writeln!(out, "\n### {category} ###\n")?;
        }
        let mut notes = vec![
            spec.domain.type_name().to_string(),
            spec.valid.replace('~', ""),
            format!("default {}", default_text(spec)),
        ];
        if spec.level == Level::Advanced {
            notes.push("advanced".into());
        }
        let effect = effect_note(reg, spec);
        if !effect.is_empty() {
            notes.push(effect);
        }
        writeln!(out, "{:<30}{}", spec.name, notes.join("; "))?;
        writeln!(out, "{:30}{}", "", spec.description)?;
        if let Some(inert) = inert_values(spec) {
            writeln!(
                out,
                "{:30}values accepted without effect in pounce: {inert}",
                ""
            )?;
        }
    }
    Ok(())
}

fn inert_values(spec: &OptionSpec) -> Option<String> {
    let crate::options::Domain::Choice(choices) = &spec.domain else {
        return None;
    };
    let inert: Vec<&str> = choices
        .iter()
        .filter(|c| c.inert)
        .map(|c| c.value.as_str())
        .collect();
    (!inert.is_empty()).then(|| inert.join(", "))
}

/// The Markdown reference of `docs/options.md`.
pub fn markdown(reg: &Registry) -> String {
    let mut s = String::from(
        "# pounce options\n\n\
         Generated from `options/ipopt-options.tsv`; do not edit by hand. Regenerate with\n\n\
         ```sh\ncargo run --release -- --print-options=markdown > docs/options.md\n```\n\n\
         pounce accepts every option of Ipopt 3.14 under the same name, type, default and\n\
         range, the four keywords of Ipopt's AMPL driver, and its own `solver_selection`.\n\
         Options are set, in increasing order of precedence, in the environment variables\n\
         `ipopt_options` and `pounce_options`, as `name=value` arguments after the model on\n\
         the command line, and in an options file (`ipopt.opt` and `pounce.opt` in the\n\
         working directory, or the file named by `option_file_name`), whose lines are\n\
         `name value`. A name that is not listed here, a malformed number, a value outside\n\
         the range or not in the list stops the run with a message naming the option and\n\
         where it was set (exit status 1).\n\n\
         Options marked *no effect* are accepted so that existing option files keep\n\
         working; pounce prints a warning when one is set. After a solve, pounce also warns\n\
         about any setting that the solver did not read. Values marked ~ are accepted with\n\
         the same warning. Advanced options are those Ipopt hides unless\n\
         `print_advanced_options=yes`; undocumented ones are registered by Ipopt without\n\
         documentation.\n",
    );
    let mut category = "";
    for spec in reg.specs() {
        if spec.category != category {
            category = &spec.category;
            s.push_str(&format!(
                "\n## {category}\n\n| option | type | default | valid values | description |\n|---|---|---|---|---|\n"
            ));
        }
        let mut description = spec.description.clone();
        let mut notes = Vec::new();
        match spec.level {
            Level::Advanced => notes.push("advanced".to_string()),
            Level::Undocumented => notes.push("undocumented".to_string()),
            Level::Ampl => notes.push("AMPL keyword".to_string()),
            Level::Public => {}
        }
        match spec.effect {
            Effect::Ignored => notes.push("*no effect*".to_string()),
            Effect::Alias(t) => notes.push(format!("synonym of `{}`", reg.spec(t).name)),
            _ => {}
        }
        if !notes.is_empty() {
            description = format!("({}) {description}", notes.join(", "));
        }
        s.push_str(&format!(
            "| `{}` | {} | `{}` | {} | {} |\n",
            spec.name,
            spec.domain.type_name(),
            default_text(spec),
            spec.valid,
            description.replace('|', "/")
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::registry;

    #[test]
    fn keyword_list_has_every_option_in_fifty_columns() {
        let mut out = Vec::new();
        write_keyword_list(registry(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), registry().specs().len());
        let maxit = text.lines().find(|l| l.starts_with("maxit ")).unwrap();
        assert_eq!(&maxit[50..], "synonym of max_iter");
    }

    #[test]
    fn text_documentation_has_no_digit_leading_lines() {
        // Pyomo's log parser takes any line starting with a digit for an iteration row.
        let mut out = Vec::new();
        write_text(registry(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\n### Termination ###\n\ntol "));
        assert!(
            !text.contains("\nsb "),
            "undocumented options are not printed"
        );
        for line in text.lines() {
            assert!(
                !line.trim_start().starts_with(|c: char| c.is_ascii_digit()),
                "{line}"
            );
        }
    }
}
