//! A corpus of broken `.nl` files, generated from good ones: truncated at every segment,
//! wrong counts, bad indices, garbage bytes in binary files, and huge declared sizes.
//! Each must give a typed error (never a panic); the executable prints one message and
//! exits with code 1 without writing a `.sol`; a file declaring sizes it does not
//! contain must not make the reader allocate for them.

mod robust_common;

use std::path::Path;

use pounce::nl::{ByteOrder, ReadError, read_bytes, write::write_binary};
use robust_common::{run_pounce, scratch, testdata};

/// Reads `data`, turning a panic into a test failure that names the case.
fn read(case: &str, data: &[u8]) -> Result<pounce::nl::Model, ReadError> {
    std::panic::catch_unwind(|| read_bytes("bad.nl", data))
        .unwrap_or_else(|_| panic!("the reader panicked on {case}"))
}

fn expect_error(case: &str, data: &[u8]) -> ReadError {
    match read(case, data) {
        Ok(_) => panic!(
            "{case}: broken file accepted:\n{}",
            String::from_utf8_lossy(data)
        ),
        Err(e) => e,
    }
}

fn text(name: &str) -> String {
    std::fs::read_to_string(testdata(name)).unwrap()
}

/// Byte offsets of the lines that open a segment (after the ten header lines).
fn segment_starts(t: &str) -> Vec<(usize, char)> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for (i, line) in t.split_inclusive('\n').enumerate() {
        let key = line.chars().next().unwrap_or(' ');
        if i >= 10 && "CODVFSxrbkJGdL".contains(key) {
            starts.push((offset, key));
        }
        offset += line.len();
    }
    starts
}

#[test]
fn truncated_at_every_segment() {
    let mut cases = 0;
    for name in [
        "hs071.nl",
        "defvars.nl",
        "operators.nl",
        "suffixes_ranges.nl",
        "kkt_max.nl",
    ] {
        let t = text(name);
        let starts = segment_starts(&t);
        for (k, &(at, key)) in starts.iter().enumerate() {
            // Cut before the segment and in the middle of its first line: if a constraint
            // or objective body (always required) is lost, the file must be rejected.
            let line_end = at + t[at..].find('\n').unwrap_or(t.len() - at);
            for cut in [at, (at + line_end) / 2 + 1] {
                let case = format!("{name} cut at byte {cut} ({key} segment {k})");
                let lost_body = t[cut..]
                    .lines()
                    .any(|l| l.starts_with('C') || l.starts_with('O'));
                match read(&case, &t.as_bytes()[..cut]) {
                    Ok(_) if lost_body => panic!("{case}: accepted without all bodies"),
                    Ok(_) => {}
                    Err(e) => assert!(e.to_string().starts_with("bad.nl: "), "{case}: {e}"),
                }
                cases += 1;
            }
        }
        // Every cut of the binary form, byte by byte, through the whole file.
        let bin = write_binary(name, t.as_bytes(), ByteOrder::Little).unwrap();
        for cut in 0..bin.len() {
            let _ = read(&format!("binary {name} cut at {cut}"), &bin[..cut]);
        }
        cases += bin.len();
    }
    assert!(cases > 500, "{cases}");
}

/// hs071 with the `n`-th (1-based) line replaced by `with`.
fn hs071_with_line(n: usize, with: &str) -> String {
    let t = text("hs071.nl");
    let mut lines: Vec<&str> = t.lines().collect();
    assert!(n <= lines.len());
    lines[n - 1] = with;
    lines.join("\n") + "\n"
}

/// Line number (1-based) of the first line equal to `line`, from line `from` on.
fn line_of(line: &str, from: usize) -> usize {
    let t = text("hs071.nl");
    from + t.lines().skip(from - 1).position(|l| l == line).unwrap()
}

#[test]
fn wrong_counts_and_bad_indices() {
    let cases = [
        // Header counts that disagree with the segments.
        ("one variable too many", hs071_with_line(2, " 5 2 1 0 1")),
        ("one variable too few", hs071_with_line(2, " 3 2 1 0 1")),
        ("one constraint too many", hs071_with_line(2, " 4 3 1 0 1")),
        ("one constraint too few", hs071_with_line(2, " 4 1 1 0 1")),
        ("Jacobian count too high", hs071_with_line(8, " 9 4")),
        ("Jacobian count too low", hs071_with_line(8, " 7 4")),
        ("gradient count too low", hs071_with_line(8, " 8 3")),
        // Indices out of range.
        (
            "variable index in an expression",
            hs071_with_line(line_of("v3", 11), "v9"),
        ),
        (
            "constraint index of a C segment",
            hs071_with_line(line_of("C1", 11), "C7"),
        ),
        (
            "variable index in J",
            hs071_with_line(line_of("J0 4", 11) + 4, "7 0"),
        ),
        (
            "variable index in x",
            hs071_with_line(line_of("x4", 11) + 1, "4 1"),
        ),
        (
            "entry count of J",
            hs071_with_line(line_of("J0 4", 11), "J0 5"),
        ),
        (
            "k segment not cumulative",
            hs071_with_line(line_of("k3", 11) + 2, "1"),
        ),
        ("negative count", hs071_with_line(line_of("x4", 11), "x-4")),
    ];
    for (case, file) in &cases {
        let e = expect_error(case, file.as_bytes());
        let message = e.to_string();
        assert!(
            message.starts_with("bad.nl: line ") || message.starts_with("bad.nl: "),
            "{case}: {message}"
        );
    }
}

#[test]
fn garbage_bytes_in_binary_files() {
    for name in ["hs071.nl", "operators.nl"] {
        for order in [ByteOrder::Little, ByteOrder::Big] {
            let bin = write_binary(name, text(name).as_bytes(), order).unwrap();
            let header_end = bin
                .windows(1)
                .enumerate()
                .filter(|(_, w)| w[0] == b'\n')
                .nth(9)
                .unwrap()
                .0
                + 1;
            for at in header_end..bin.len() {
                for garbage in [0xff, 0x00, 0x80, b'o'] {
                    let mut bad = bin.clone();
                    bad[at] = garbage;
                    let _ = read(&format!("{name} byte {at} = {garbage:#x}"), &bad);
                }
            }
            // A run of random-looking bytes after the header.
            let mut junk = bin[..header_end].to_vec();
            junk.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
            expect_error(&format!("{name}: junk body"), &junk);
        }
    }
}

/// A tiny file whose header declares `n` variables and `m` constraints with the given
/// nonzero counts, and nothing else.
fn huge_header(n: u64, m: u64, nnz: u64) -> String {
    format!(
        "g3 1 1 0\n {n} {m} 1 0 0\n 0 0 0 0 0 0\n 0 0\n 0 0 0\n 0 0 0 1\n 0 0 0 0 0\n \
         {nnz} {nnz}\n 0 0\n 0 0 0 0 0\nO0 0\nn0\n"
    )
}

#[test]
fn huge_declared_sizes_are_rejected_without_allocating_them() {
    let huge = [
        huge_header(2_000_000_000, 0, 0),
        huge_header(10, 2_000_000_000, 0),
        huge_header(10, 10, 4_000_000_000),
        huge_header(1 << 40, 1 << 40, 1 << 50),
    ];
    for (i, file) in huge.iter().enumerate() {
        let start = std::time::Instant::now();
        expect_error(&format!("huge header {i}"), file.as_bytes());
        assert!(
            start.elapsed().as_secs_f64() < 2.0,
            "huge header {i} took long"
        );
    }
    // Through the executable: one message, exit 1, no .sol, and a peak memory that
    // reflects the bytes of the file, not its declared sizes.
    let dir = scratch("huge");
    for (i, file) in huge.iter().enumerate() {
        let name = format!("huge{i}.nl");
        std::fs::write(dir.join(&name), file).unwrap();
        let (run, out, err) = run_pounce(&dir, &[&name, "-AMPL"]);
        assert_eq!(run.status.code(), Some(1), "{out}{err}");
        assert!(err.starts_with(&name) && !err.contains("panicked"), "{err}");
        assert!(!dir.join(format!("huge{i}.sol")).exists());
        assert!(
            run.max_rss < 64 << 20,
            "{name}: peak memory {} MB",
            run.max_rss >> 20
        );
    }
}

#[test]
fn executable_reports_broken_files_with_exit_code_1() {
    let dir = scratch("broken");
    let t = text("hs071.nl");
    let bin = write_binary("hs071.nl", t.as_bytes(), ByteOrder::Little).unwrap();
    let files: [(&str, Vec<u8>); 4] = [
        ("cut.nl", t.as_bytes()[..t.len() / 2].to_vec()),
        ("count.nl", hs071_with_line(2, " 5 2 1 0 1").into_bytes()),
        (
            "index.nl",
            hs071_with_line(line_of("v3", 11), "v9").into_bytes(),
        ),
        ("binary.nl", bin[..bin.len() / 2].to_vec()),
    ];
    for (name, data) in &files {
        std::fs::write(dir.join(name), data).unwrap();
        let (run, out, err) = run_pounce(&dir, &[name, "-AMPL"]);
        assert_eq!(run.status.code(), Some(1), "{name}: {out}{err}");
        assert_eq!(err.lines().count(), 1, "{name}: one message\n{err}");
        assert!(err.contains(name) && !err.contains("panicked"), "{err}");
        let stub = Path::new(name).with_extension("sol");
        assert!(!dir.join(stub).exists(), "{name}: no .sol");
    }
}
