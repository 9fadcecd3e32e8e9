//! Matrix Market (`coordinate real symmetric`) output and input of a symmetric
//! matrix given by its lower triangle, for dumping KKT matrices and reading them
//! back in tests and benchmarks.

use std::fmt;
use std::io::{BufRead, Write};

use super::LowerCsc;

/// Why a Matrix Market text could not be read.
#[derive(Debug)]
pub enum MtxError {
    Io(std::io::Error),
    /// Line `line` (1-based) is malformed; the text says how.
    Parse {
        line: usize,
        why: String,
    },
}

impl fmt::Display for MtxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MtxError::Io(e) => write!(f, "cannot read matrix: {e}"),
            MtxError::Parse { line, why } => write!(f, "line {line}: {why}"),
        }
    }
}

impl std::error::Error for MtxError {}

impl From<std::io::Error> for MtxError {
    fn from(e: std::io::Error) -> Self {
        MtxError::Io(e)
    }
}

/// Writes the symmetric matrix (lower triangle `pattern`, `values`) as
/// `%%MatrixMarket matrix coordinate real symmetric`, 1-based, with values
/// printed exactly (shortest round-trip form).
pub fn write(out: &mut impl Write, pattern: &LowerCsc, values: &[f64]) -> std::io::Result<()> {
    write_commented(out, &[], pattern, values)
}

/// [`write`] with `% ` comment lines after the header (one per string).
pub fn write_commented(
    out: &mut impl Write,
    comments: &[String],
    pattern: &LowerCsc,
    values: &[f64],
) -> std::io::Result<()> {
    writeln!(out, "%%MatrixMarket matrix coordinate real symmetric")?;
    for c in comments {
        writeln!(out, "% {c}")?;
    }
    writeln!(out, "{} {} {}", pattern.dim, pattern.dim, pattern.nnz())?;
    for j in 0..pattern.dim {
        for (i, v) in pattern.column_entries(values, j) {
            writeln!(out, "{} {} {:e}", i + 1, j + 1, v)?;
        }
    }
    Ok(())
}

/// Reads a square `coordinate real` matrix, `symmetric` or `general`. Entries
/// above the diagonal of a symmetric file are mirrored to the lower triangle;
/// those of a general file are dropped (the matrix is taken to be symmetric).
/// Duplicate entries are summed.
pub fn read(input: impl BufRead) -> Result<(LowerCsc, Vec<f64>), MtxError> {
    let mut lines = input.lines().enumerate();
    let err = |line: usize, why: &str| MtxError::Parse {
        line: line + 1,
        why: why.to_string(),
    };
    let (_, header) = lines.next().ok_or_else(|| err(0, "empty file"))?;
    let header = header?.to_ascii_lowercase();
    let words: Vec<&str> = header.split_whitespace().collect();
    if words.len() < 5
        || words[0] != "%%matrixmarket"
        || words[1] != "matrix"
        || words[2] != "coordinate"
    {
        return Err(err(0, "expected '%%MatrixMarket matrix coordinate ...'"));
    }
    if !matches!(words[3], "real" | "integer") {
        return Err(err(0, "only real or integer matrices are supported"));
    }
    let symmetric = match words[4] {
        "symmetric" => true,
        "general" => false,
        other => return Err(err(0, &format!("unsupported symmetry '{other}'"))),
    };
    let mut size = None;
    let mut triplets = Vec::new();
    let mut read_entries = 0;
    for (no, line) in lines {
        let line = line?;
        let line = line.trim();
        if line.is_empty() || line.starts_with('%') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let Some((dim, nnz)) = size else {
            let parsed: Vec<usize> = fields
                .iter()
                .map(|f| f.parse())
                .collect::<Result<_, _>>()
                .map_err(|_| err(no, "bad size line"))?;
            if parsed.len() != 3 || parsed[0] != parsed[1] {
                return Err(err(no, "expected 'n n nnz' of a square matrix"));
            }
            size = Some((parsed[0], parsed[2]));
            triplets.reserve(parsed[2]);
            continue;
        };
        if fields.len() != 3 {
            return Err(err(no, "expected 'row col value'"));
        }
        let index = |f: &str| {
            f.parse::<usize>()
                .ok()
                .filter(|&k| k >= 1 && k <= dim)
                .map(|k| k - 1)
        };
        let (Some(i), Some(j)) = (index(fields[0]), index(fields[1])) else {
            return Err(err(no, &format!("index out of range 1..={dim}")));
        };
        let v: f64 = fields[2].parse().map_err(|_| err(no, "bad value"))?;
        if !v.is_finite() {
            return Err(err(no, "non-finite value"));
        }
        if read_entries == nnz {
            return Err(err(no, "more entries than declared"));
        }
        read_entries += 1;
        if i >= j {
            triplets.push((j, i, v));
        } else if symmetric {
            triplets.push((i, j, v));
        }
    }
    let (dim, nnz) = size.ok_or_else(|| err(0, "missing size line"))?;
    if read_entries != nnz {
        return Err(err(
            0,
            &format!("{nnz} entries declared, {read_entries} found"),
        ));
    }
    triplets.sort_unstable_by_key(|&(j, i, _)| (j, i));
    let (mut col_ptr, mut row_idx, mut values) =
        (vec![0usize; dim + 1], Vec::new(), Vec::<f64>::new());
    let mut last = None;
    for (j, i, v) in triplets {
        if last == Some((j, i)) {
            *values.last_mut().expect("previous entry") += v;
            continue;
        }
        last = Some((j, i));
        col_ptr[j + 1] += 1;
        row_idx.push(i);
        values.push(v);
    }
    for k in 0..dim {
        col_ptr[k + 1] += col_ptr[k];
    }
    Ok((
        LowerCsc {
            dim,
            col_ptr,
            row_idx,
        },
        values,
    ))
}

/// Writes a vector as a one-column `%%MatrixMarket matrix array real general`.
pub fn write_vector(out: &mut impl Write, v: &[f64]) -> std::io::Result<()> {
    writeln!(out, "%%MatrixMarket matrix array real general")?;
    writeln!(out, "{} 1", v.len())?;
    for x in v {
        writeln!(out, "{x:e}")?;
    }
    Ok(())
}

/// Reads a one-column `matrix array real general` file written by [`write_vector`].
pub fn read_vector(input: impl BufRead) -> Result<Vec<f64>, MtxError> {
    let mut lines = input.lines().enumerate();
    let err = |line: usize, why: &str| MtxError::Parse {
        line: line + 1,
        why: why.to_string(),
    };
    let (_, header) = lines.next().ok_or_else(|| err(0, "empty file"))?;
    let header = header?.to_ascii_lowercase();
    let words: Vec<&str> = header.split_whitespace().collect();
    if words.len() < 5 || words[..4] != ["%%matrixmarket", "matrix", "array", "real"] {
        return Err(err(0, "expected '%%MatrixMarket matrix array real ...'"));
    }
    let mut len: Option<usize> = None;
    let mut v = Vec::new();
    for (no, line) in lines {
        let line = line?;
        let line = line.trim();
        if line.is_empty() || line.starts_with('%') {
            continue;
        }
        let Some(len) = len else {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields[..] {
                [rows, "1"] => {
                    len = Some(
                        rows.parse::<usize>()
                            .map_err(|_| err(no, "bad size line"))?,
                    )
                }
                _ => return Err(err(no, "expected 'rows 1' of a single column")),
            }
            continue;
        };
        if v.len() == len {
            return Err(err(no, "more entries than declared"));
        }
        let x: f64 = line.parse().map_err(|_| err(no, "bad value"))?;
        v.push(x);
    }
    match len {
        None => Err(err(0, "missing size line")),
        Some(len) if len != v.len() => Err(err(
            0,
            &format!("{len} entries declared, {} found", v.len()),
        )),
        Some(_) => Ok(v),
    }
}
