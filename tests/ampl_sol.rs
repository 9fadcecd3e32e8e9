//! The `.sol` writer: exact text against the spec's complete examples (B.4, B.6) and
//! against every `.sol` the reference Ipopt wrote in `../shared/reference/ipopt-sol/`,
//! binary layout against a reader written from spec B.4, and snapshots of edge cases.

use pounce::ampl::sol::{SolContents, SolFormat, SolHeader, VarSuffix, write_atomically};
use pounce::nl::model::Sense;
use pounce::outcome::{Solution, SolveStatus};
use std::path::{Path, PathBuf};

mod common;
use common::{HS071_SOL, scratch};

fn hs071() -> Solution {
    common::hs071(SolveStatus::Success)
}

fn ampl_header(format: SolFormat) -> SolHeader {
    SolHeader {
        format,
        ampl_options: vec![1, 1, 0],
        vbtol: None,
        want_suffixes: true,
    }
}

#[test]
fn hs071_text_matches_spec_b6_byte_for_byte() {
    let c = SolContents::new("Ipopt 3.14.15", Sense::Minimize, 2, 4, &hs071());
    let text = c.to_bytes(&ampl_header(SolFormat::Text));
    assert_eq!(String::from_utf8(text).unwrap(), HS071_SOL);
}

/// The data of spec B.4's example (only an `ipopt_zL_out` suffix).
fn b4_contents() -> SolContents {
    SolContents {
        status: SolveStatus::Success,
        message: " \nTest 1.0: Optimal Solution Found".into(),
        n_con: 2,
        n_var: 4,
        duals: Some(vec![0.5, -0.125]),
        primals: Some(vec![1.0, 4.5, 3.25, 0.1]),
        suffixes: vec![VarSuffix {
            name: "ipopt_zL_out",
            entries: vec![(0, 1.5), (3, 2e-9)],
        }],
    }
}

#[test]
fn b4_example_text_and_binary_bytes() {
    let text = b4_contents().to_bytes(&ampl_header(SolFormat::Text));
    let want = " \nTest 1.0: Optimal Solution Found\n\nOptions\n3\n1\n1\n0\n2\n2\n4\n4\n0.5\n-0.125\n1\n4.5\n3.25\n0.1\n\
objno 0 0\nsuffix 4 2 13 0 0\nipopt_zL_out\n0 1.5\n3 2e-09\n";
    assert_eq!(String::from_utf8(text).unwrap(), want);

    let bin = b4_contents().to_bytes(&ampl_header(SolFormat::Binary));
    let mut want = Vec::new();
    let i = |w: &mut Vec<u8>, v: i32| w.extend_from_slice(&v.to_ne_bytes());
    let d = |w: &mut Vec<u8>, v: f64| w.extend_from_slice(&v.to_ne_bytes());
    i(&mut want, 6);
    want.extend_from_slice(b"binary");
    i(&mut want, 6);
    i(&mut want, 0x22);
    want.extend_from_slice(b" \nTest 1.0: Optimal Solution Found");
    i(&mut want, 0x22);
    i(&mut want, 0);
    i(&mut want, 0);
    i(&mut want, 39);
    want.extend_from_slice(b"Options");
    for v in [3, 1, 1, 0, 2, 2, 4, 4, 39] {
        i(&mut want, v);
    }
    i(&mut want, 16);
    d(&mut want, 0.5);
    d(&mut want, -0.125);
    i(&mut want, 16);
    i(&mut want, 32);
    for v in [1.0, 4.5, 3.25, 0.1] {
        d(&mut want, v);
    }
    i(&mut want, 32);
    for v in [8, 0, 0, 8] {
        i(&mut want, v);
    }
    i(&mut want, 61);
    want.extend_from_slice(b"\nSuffix\n");
    for v in [4, 2, 13, 0] {
        i(&mut want, v);
    }
    want.extend_from_slice(b"ipopt_zL_out\0");
    i(&mut want, 0);
    d(&mut want, 1.5);
    i(&mut want, 3);
    d(&mut want, 2e-9);
    i(&mut want, 61);
    assert_eq!(bin, want);
}

/// A reader of binary .sol files written from spec B.4 alone.
struct BinarySol {
    message: Vec<u8>,
    options: Vec<i32>,
    duals: Vec<f64>,
    primals: Vec<f64>,
    objno_code: (i32, i32),
    suffixes: Vec<(String, Vec<(i32, f64)>)>,
}

fn read_binary_sol(bytes: &[u8]) -> BinarySol {
    let mut records = Vec::new();
    let mut at = 0;
    let int = |b: &[u8], at: usize| i32::from_ne_bytes(b[at..at + 4].try_into().unwrap());
    let dbl = |b: &[u8], at: usize| f64::from_ne_bytes(b[at..at + 8].try_into().unwrap());
    while at < bytes.len() {
        let len = int(bytes, at) as usize;
        let body = &bytes[at + 4..at + 4 + len];
        assert_eq!(
            int(bytes, at + 4 + len) as usize,
            len,
            "record markers differ"
        );
        records.push(body);
        at += 8 + len;
    }
    assert_eq!(records[0], b"binary");
    let message = records[1].to_vec();
    assert!(records[2].is_empty());
    let opts = records[3];
    assert_eq!(&opts[..7], b"Options");
    let k = int(opts, 7) as usize;
    let options: Vec<i32> = (0..k + 4).map(|j| int(opts, 11 + 4 * j)).collect();
    let doubles = |r: &[u8]| (0..r.len() / 8).map(|j| dbl(r, 8 * j)).collect::<Vec<_>>();
    let duals = doubles(records[4]);
    let primals = doubles(records[5]);
    let objno_code = (int(records[6], 0), int(records[6], 4));
    let suffixes = records[7..]
        .iter()
        .map(|r| {
            assert_eq!(&r[..8], b"\nSuffix\n");
            let (kind, count, namelen) = (int(r, 8), int(r, 12) as usize, int(r, 16) as usize);
            assert_eq!(kind, 4);
            let name = String::from_utf8(r[24..24 + namelen - 1].to_vec()).unwrap();
            let base = 24 + namelen;
            let entries = (0..count)
                .map(|j| (int(r, base + 12 * j), dbl(r, base + 12 * j + 4)))
                .collect();
            (name, entries)
        })
        .collect();
    BinarySol {
        message,
        options,
        duals,
        primals,
        objno_code,
        suffixes,
    }
}

#[test]
fn hs071_binary_round_trip() {
    let c = SolContents::new("pounce 0.1.0", Sense::Minimize, 2, 4, &hs071());
    let sol = read_binary_sol(&c.to_bytes(&ampl_header(SolFormat::Binary)));
    assert_eq!(sol.message, b" \npounce 0.1.0: Optimal Solution Found");
    assert_eq!(sol.options, vec![1, 1, 0, 2, 2, 4, 4]);
    assert_eq!(sol.duals, c.duals.clone().unwrap());
    assert_eq!(sol.primals, hs071().x);
    assert_eq!(sol.objno_code, (0, 0));
    let names: Vec<&str> = sol.suffixes.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(names, ["ipopt_zU_out", "ipopt_zL_out"]);
    assert_eq!(sol.suffixes[1].1[0], (0, 1.0878712258659013));
    assert_eq!(sol.suffixes[0].1[3], (3, -6.925197858855533e-10));
}

#[test]
fn maximize_flips_duals_and_bound_multipliers() {
    // max x − y², 1 ≤ x ≤ 2 (spec B.6 table): Ipopt minimizes −f, so the upper bound of x
    // is active with z_U ≈ 1 internally; AMPL shows ipopt_zU_out = +z_U, zL_out = −z_L.
    let s = Solution {
        status: SolveStatus::Success,
        x: vec![0.0, 2.0],
        lambda: vec![0.75],
        z_lower: vec![0.0, 2.5e-9],
        z_upper: vec![0.0, 1.0000000025],
        objective: 2.0,
        iterations: 5,
    };
    let max = SolContents::new("pounce", Sense::Maximize, 1, 2, &s);
    assert_eq!(max.duals, Some(vec![0.75]));
    assert_eq!(max.suffixes[0].entries, vec![(1, 1.0000000025)]);
    assert_eq!(max.suffixes[1].entries, vec![(1, -2.5e-9)]);
    let min = SolContents::new("pounce", Sense::Minimize, 1, 2, &s);
    assert_eq!(min.duals, Some(vec![-0.75]));
    assert_eq!(min.suffixes[0].entries, vec![(1, -1.0000000025)]);
    assert_eq!(min.suffixes[1].entries, vec![(1, 2.5e-9)]);
}

#[test]
fn failures_keep_their_code_and_message() {
    let mut s = hs071();
    s.status = SolveStatus::MaxIterExceeded;
    let c = SolContents::new("pounce 0.1.0", Sense::Minimize, 2, 4, &s);
    let text = String::from_utf8(c.to_bytes(&ampl_header(SolFormat::Text))).unwrap();
    assert!(text.starts_with(" \npounce 0.1.0: Maximum Number of Iterations Exceeded.\n\n"));
    assert!(text.contains("\nobjno 0 400\n"));
}

#[test]
fn nan_is_never_written_as_a_solution() {
    let mut s = hs071();
    s.x[2] = f64::NAN;
    let c = SolContents::new("pounce 0.1.0", Sense::Minimize, 2, 4, &s);
    assert_eq!(c.status, SolveStatus::InvalidNumberDetected);
    assert_eq!(c.primals, None);
    assert!(c.duals.is_some());
    let text = String::from_utf8(c.to_bytes(&ampl_header(SolFormat::Text))).unwrap();
    assert!(!text.to_lowercase().contains("nan"));
    insta::assert_snapshot!("nan_primal_withheld", text);

    // Non-finite multipliers: values withheld, a failure status already set is kept.
    let mut s = hs071();
    s.status = SolveStatus::RestorationFailure;
    s.z_upper[0] = f64::INFINITY;
    let c = SolContents::new("pounce 0.1.0", Sense::Minimize, 2, 4, &s);
    assert_eq!(c.status, SolveStatus::RestorationFailure);
    assert!(c.suffixes.iter().all(|s| s.entries.is_empty()));

    // A vector of the wrong length is an internal error, never a silent truncation.
    let mut s = hs071();
    s.lambda.pop();
    let c = SolContents::new("pounce 0.1.0", Sense::Minimize, 2, 4, &s);
    assert_eq!(c.status, SolveStatus::InternalError);
    assert_eq!(c.duals, None);
}

#[test]
fn header_variants_snapshots() {
    let c = SolContents::new("pounce 0.1.0", Sense::Minimize, 2, 4, &hs071());
    // vbtol (opt2 == 3): k + 2 written, vbtol after the four counts (pitfall 27).
    let vbtol = SolHeader {
        format: SolFormat::Text,
        ampl_options: vec![0, 3],
        vbtol: Some(1.5),
        want_suffixes: true,
    };
    let text = String::from_utf8(c.to_bytes(&vbtol)).unwrap();
    assert!(text.contains("\nOptions\n4\n0\n3\n2\n2\n4\n4\n1.5\n0.55"));
    insta::assert_snapshot!("vbtol_header", text);
    // flags bit 0 clear: no objno line, no suffixes (pitfall 28).
    let no_flags = SolHeader {
        want_suffixes: false,
        ..ampl_header(SolFormat::Text)
    };
    let text = String::from_utf8(c.to_bytes(&no_flags)).unwrap();
    assert!(text.ends_with("\n1.3794082897556983\n"));
    // k = 0: no Options block at all.
    let no_options = SolHeader {
        ampl_options: vec![],
        ..ampl_header(SolFormat::Text)
    };
    let text = String::from_utf8(c.to_bytes(&no_options)).unwrap();
    assert!(text.starts_with(" \npounce 0.1.0: Optimal Solution Found\n\n0.5522936588816064\n"));
    // No variable has a bound: both suffix headers, count 0 (spec B.2).
    let free = Solution {
        status: SolveStatus::Success,
        x: vec![0.5],
        lambda: vec![],
        z_lower: vec![0.0],
        z_upper: vec![0.0],
        objective: 0.25,
        iterations: 1,
    };
    let c = SolContents::new("pounce 0.1.0", Sense::Minimize, 0, 1, &free);
    let text = String::from_utf8(c.to_bytes(&ampl_header(SolFormat::Text))).unwrap();
    insta::assert_snapshot!("free_variable", text);
}

#[test]
fn atomic_write_leaves_no_temporary() {
    let dir = scratch("sol", "atomic");
    let path = dir.join("model.sol");
    write_atomically(&path, b"first").unwrap();
    write_atomically(&path, HS071_SOL.as_bytes()).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), HS071_SOL);
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("model.sol")]);
    assert!(write_atomically(&dir.join("missing/x.sol"), b"x").is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Parsed text .sol as Ipopt wrote it.
struct TextSol {
    banner: String,
    options: Vec<i32>,
    n_con: usize,
    n_var: usize,
    values: Vec<f64>,
    code: i32,
    zu: Vec<(usize, f64)>,
    zl: Vec<(usize, f64)>,
}

fn parse_text_sol(text: &str) -> TextSol {
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], " ");
    let banner = lines[1].split(": ").next().unwrap().to_string();
    assert_eq!(lines[2], "");
    assert_eq!(lines[3], "Options");
    let k: usize = lines[4].parse().unwrap();
    let options = lines[5..5 + k].iter().map(|l| l.parse().unwrap()).collect();
    let n: Vec<usize> = lines[5 + k..9 + k]
        .iter()
        .map(|l| l.parse().unwrap())
        .collect();
    let body = 9 + k;
    let values: Vec<f64> = lines[body..body + n[1] + n[3]]
        .iter()
        .map(|l| l.parse().unwrap())
        .collect();
    let mut rest = lines[body + n[1] + n[3]..].iter();
    let code = rest
        .next()
        .unwrap()
        .strip_prefix("objno 0 ")
        .unwrap()
        .parse()
        .unwrap();
    let mut suffix = || {
        let count: usize = rest
            .next()
            .unwrap()
            .split(' ')
            .nth(2)
            .unwrap()
            .parse()
            .unwrap();
        let name = rest.next().unwrap().to_string();
        let entries = (0..count)
            .map(|_| {
                let (i, v) = rest.next().unwrap().split_once(' ').unwrap();
                (i.parse().unwrap(), v.parse().unwrap())
            })
            .collect::<Vec<(usize, f64)>>();
        (name, entries)
    };
    let (zu_name, zu) = suffix();
    let (zl_name, zl) = suffix();
    assert_eq!(
        (zu_name.as_str(), zl_name.as_str()),
        ("ipopt_zU_out", "ipopt_zL_out")
    );
    TextSol {
        banner,
        options,
        n_con: n[0],
        n_var: n[2],
        values,
        code,
        zu,
        zl,
    }
}

/// Sense of objective 0 of a text .nl (`O0 1` = maximize).
fn nl_sense(nl: &Path) -> Sense {
    let text = std::fs::read_to_string(nl).unwrap();
    let o = text.lines().find(|l| l.starts_with("O0 ")).unwrap();
    match o.split_whitespace().nth(1) {
        Some("1") => Sense::Maximize,
        _ => Sense::Minimize,
    }
}

#[test]
fn reproduces_every_reference_ipopt_sol() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/ipopt-sol");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: {} not present", dir.display());
        return;
    };
    let mut checked = 0;
    let mut maximize = 0;
    for e in entries {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "sol") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let r = parse_text_sol(&text);
        let sense = nl_sense(&path.with_extension("nl"));
        let sigma = if sense == Sense::Maximize { -1.0 } else { 1.0 };
        // Undo spec B.3 to get Ipopt's internal values, then let the writer redo it.
        let mut z_lower = vec![0.0; r.n_var];
        let mut z_upper = vec![0.0; r.n_var];
        for &(i, v) in &r.zl {
            z_lower[i] = sigma * v;
        }
        for &(i, v) in &r.zu {
            z_upper[i] = -sigma * v;
        }
        let solution = Solution {
            status: SolveStatus::Success,
            x: r.values[r.n_con..].to_vec(),
            lambda: r.values[..r.n_con].iter().map(|d| -sigma * d).collect(),
            z_lower,
            z_upper,
            objective: 0.0,
            iterations: 0,
        };
        assert_eq!(r.code, 0);
        let header = SolHeader {
            format: SolFormat::Text,
            ampl_options: r.options,
            vbtol: None,
            want_suffixes: true,
        };
        let ours = SolContents::new(&r.banner, sense, r.n_con, r.n_var, &solution);
        let ours = String::from_utf8(ours.to_bytes(&header)).unwrap();
        assert!(ours == text, "{} differs:\n{ours}", path.display());
        checked += 1;
        maximize += usize::from(sense == Sense::Maximize);
    }
    assert_eq!((checked, maximize), (39, 3));
}
