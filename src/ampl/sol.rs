//! Writing AMPL `.sol` files (spec B), text and binary.
//!
//! The writer works on plain data: what the `.nl` header said ([`SolHeader`]), the
//! objective sense, and a [`Solution`] in the solver's (Ipopt's) sign convention, which
//! [`SolContents::new`] converts to AMPL's (spec B.3). A `.sol` never carries a non-finite
//! value: such vectors are withheld and the outcome is downgraded to an error code, so a
//! NaN can never be reported as a solution. Files are written to a temporary name and
//! renamed, so a reader never sees a partial `.sol`.

use super::number::{g_fmt, short_g};
use crate::nl::model::Sense;
use crate::outcome::{Solution, SolveStatus};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

/// Encoding of the `.nl`, and therefore of the `.sol` (binary iff the `.nl` was binary).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SolFormat {
    Text,
    Binary,
}

/// What the `.sol` needs from the `.nl` header (spec A.1 line 1 and line 6).
#[derive(Clone, Debug, PartialEq)]
pub struct SolHeader {
    pub format: SolFormat,
    /// The "AMPL options" integers of header line 1 (`g3 1 1 0` → `[1, 1, 0]`).
    pub ampl_options: Vec<i32>,
    /// The variable-bound tolerance following the options when `ampl_options[1] == 3`.
    pub vbtol: Option<f64>,
    /// Bit 0 of the header's `flags` (line 6): write `objno <n> <code>` and suffixes.
    pub want_suffixes: bool,
}

/// A real-valued variable suffix (kind 4): nonzero entries only, by variable index.
#[derive(Clone, Debug, PartialEq)]
pub struct VarSuffix {
    pub name: &'static str,
    pub entries: Vec<(usize, f64)>,
}

/// Everything that goes into a `.sol`, already in AMPL's conventions.
#[derive(Clone, Debug, PartialEq)]
pub struct SolContents {
    /// The outcome reported, which may be stricter than the solver's (see [`SolContents::new`]).
    pub status: SolveStatus,
    /// Solver message; Ipopt's starts with a line holding one space.
    pub message: String,
    pub n_con: usize,
    pub n_var: usize,
    /// Constraint duals (one per constraint), or `None` when withheld.
    pub duals: Option<Vec<f64>>,
    /// Primal values (one per variable), or `None` when withheld.
    pub primals: Option<Vec<f64>>,
    /// `ipopt_zU_out` then `ipopt_zL_out` (Ipopt's order).
    pub suffixes: Vec<VarSuffix>,
}

impl SolContents {
    /// Converts a solution from the solver's convention to AMPL's (spec B.3): with σ = 1
    /// for minimize and −1 for maximize, duals are `−σ·λ`, `ipopt_zL_out = σ·z_L` and
    /// `ipopt_zU_out = −σ·z_U`.
    ///
    /// Vectors of the wrong length or holding NaN/∞ are withheld (written as "no values")
    /// and a status that claimed success, infeasibility, unboundedness or a limit becomes
    /// `InvalidNumberDetected` (wrong content) or `InternalError` (wrong length); the
    /// message says what was withheld.
    pub fn new(
        banner: &str,
        sense: Sense,
        n_con: usize,
        n_var: usize,
        solution: &Solution,
    ) -> SolContents {
        let sigma = match sense {
            Sense::Minimize => 1.0,
            Sense::Maximize => -1.0,
        };
        let mut status = solution.status;
        let mut withheld = Vec::new();
        let mut check = |v: &[f64], len: usize, what: &'static str| -> bool {
            let (ok, replacement) = if v.len() != len {
                (false, SolveStatus::InternalError)
            } else if v.iter().any(|x| !x.is_finite()) {
                (false, SolveStatus::InvalidNumberDetected)
            } else {
                (true, status)
            };
            if !ok {
                withheld.push(what);
                if status.solve_result_num() < 500 {
                    status = replacement;
                }
            }
            ok
        };
        let primals_ok = check(&solution.x, n_var, "primal values");
        let duals_ok = check(&solution.lambda, n_con, "dual values");
        let bounds_ok = check(&solution.z_lower, n_var, "bound multipliers")
            & check(&solution.z_upper, n_var, "bound multipliers");
        let nonzero = |z: &[f64], factor: f64| -> Vec<(usize, f64)> {
            if !bounds_ok {
                return Vec::new();
            }
            z.iter()
                .enumerate()
                .filter(|&(_, &v)| v != 0.0)
                .map(|(i, &v)| (i, factor * v))
                .collect()
        };
        withheld.dedup();
        let mut message = format!(" \n{banner}: {}", status.sol_message());
        if !withheld.is_empty() {
            let _ = write!(
                message,
                "\nThe solver returned invalid {}; they are not reported.",
                withheld.join(" and ")
            );
        }
        SolContents {
            status,
            message,
            n_con,
            n_var,
            duals: duals_ok.then(|| solution.lambda.iter().map(|l| -sigma * l).collect()),
            primals: primals_ok.then(|| solution.x.clone()),
            suffixes: vec![
                VarSuffix {
                    name: "ipopt_zU_out",
                    entries: nonzero(&solution.z_upper, -sigma),
                },
                VarSuffix {
                    name: "ipopt_zL_out",
                    entries: nonzero(&solution.z_lower, sigma),
                },
            ],
        }
    }

    /// The file's bytes in the given header's format.
    pub fn to_bytes(&self, header: &SolHeader) -> Vec<u8> {
        match header.format {
            SolFormat::Text => self.to_text(header).into_bytes(),
            SolFormat::Binary => self.to_binary(header),
        }
    }

    /// `k` as written after `Options`: the ASL writes k + 2 when a vbtol follows.
    fn options_count(header: &SolHeader) -> i32 {
        let k = header.ampl_options.len() as i32;
        if header.vbtol.is_some() { k + 2 } else { k }
    }

    fn to_text(&self, header: &SolHeader) -> String {
        let mut s = String::new();
        let message = self.message.trim_end_matches('\n');
        if !message.is_empty() {
            for piece in message.split('\n') {
                s.push_str(if piece.is_empty() { " " } else { piece });
                s.push('\n');
            }
        }
        s.push('\n');
        let duals = self.duals.as_deref().unwrap_or(&[]);
        let primals = self.primals.as_deref().unwrap_or(&[]);
        if !header.ampl_options.is_empty() {
            let _ = writeln!(s, "Options\n{}", Self::options_count(header));
            for o in &header.ampl_options {
                let _ = writeln!(s, "{o}");
            }
            let _ = writeln!(
                s,
                "{}\n{}\n{}\n{}",
                self.n_con,
                duals.len(),
                self.n_var,
                primals.len()
            );
            if let Some(v) = header.vbtol {
                let _ = writeln!(s, "{}", g_fmt(v));
            }
        }
        for &v in duals.iter().chain(primals) {
            let _ = writeln!(s, "{}", g_fmt(v));
        }
        if header.want_suffixes {
            let _ = writeln!(s, "objno 0 {}", self.status.solve_result_num());
            for suffix in &self.suffixes {
                let _ = writeln!(
                    s,
                    "suffix 4 {} {} 0 0\n{}",
                    suffix.entries.len(),
                    suffix.name.len() + 1,
                    suffix.name
                );
                for &(i, v) in &suffix.entries {
                    let _ = writeln!(s, "{i} {}", short_g(v));
                }
            }
        }
        s
    }

    fn to_binary(&self, header: &SolHeader) -> Vec<u8> {
        let mut out = Vec::new();
        let int = |out: &mut Vec<u8>, v: i32| out.extend_from_slice(&v.to_ne_bytes());
        let len = |n: usize| i32::try_from(n).expect(".sol record larger than 2 GiB");
        let record = |out: &mut Vec<u8>, body: &[u8]| {
            int(out, len(body.len()));
            out.extend_from_slice(body);
            int(out, len(body.len()));
        };
        record(&mut out, b"binary");
        let message = self.message.trim_end_matches('\n');
        if !message.is_empty() {
            record(&mut out, message.as_bytes());
        }
        record(&mut out, b"");
        let duals = self.duals.as_deref().unwrap_or(&[]);
        let primals = self.primals.as_deref().unwrap_or(&[]);
        if !header.ampl_options.is_empty() {
            let k = header.ampl_options.len();
            // L3 counts k + 5 integers and the word; the ASL leaves a vbtol out of it.
            let l3 = len(4 * (k + 5) + 7);
            int(&mut out, l3);
            out.extend_from_slice(b"Options");
            int(&mut out, Self::options_count(header));
            for &o in &header.ampl_options {
                int(&mut out, o);
            }
            for n in [self.n_con, duals.len(), self.n_var, primals.len()] {
                int(&mut out, len(n));
            }
            if let Some(v) = header.vbtol {
                out.extend_from_slice(&v.to_ne_bytes());
            }
            int(&mut out, l3);
        }
        for values in [duals, primals] {
            let body: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
            record(&mut out, &body);
        }
        if header.want_suffixes {
            let mut body = Vec::with_capacity(8);
            int(&mut body, 0);
            int(&mut body, self.status.solve_result_num());
            record(&mut out, &body);
            for suffix in &self.suffixes {
                let mut body = b"\nSuffix\n".to_vec();
                let name_len = suffix.name.len() + 1;
                for v in [4, suffix.entries.len(), name_len, 0] {
                    int(&mut body, len(v));
                }
                body.extend_from_slice(suffix.name.as_bytes());
                body.push(0);
                for &(i, v) in &suffix.entries {
                    int(&mut body, len(i));
                    body.extend_from_slice(&v.to_ne_bytes());
                }
                record(&mut out, &body);
            }
        }
        out
    }
}

/// Writes `bytes` to `path` atomically: into a temporary file in the same directory, then
/// renamed over `path`, so that no reader ever sees a partial file. The rename alone gives
/// that guarantee to other processes; the file is not forced to disk (no `fsync`), which
/// would cost a solve of a small model several times its solving time, for durability
/// across a power loss that a solver's output does not need (the solve can be repeated).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
