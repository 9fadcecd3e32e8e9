//! Reading `.sol` files: round trips through the writer (text and binary, with and without
//! the Options block, vbtol and suffixes) and every file Ipopt wrote in the reference set.

use pounce::ampl::sol::{SolContents, SolFormat, SolHeader};
use pounce::ampl::sol_read::read_sol;
use pounce::nl::model::Sense;
use pounce::outcome::{Solution, SolveStatus};
use std::path::Path;

fn solution() -> Solution {
    Solution {
        status: SolveStatus::Success,
        x: vec![1.0, -4.742999641809297, 3.25e-300, 1e20],
        lambda: vec![-0.5522936588816064, 0.16146856313488814],
        z_lower: vec![1.0878712258659013, 0.0, 6.5e-9, 0.0],
        z_upper: vec![0.0, 2.0, 0.0, 0.0],
        objective: 17.0,
        iterations: 8,
    }
}

fn header(format: SolFormat, options: &[i32], vbtol: Option<f64>, suffixes: bool) -> SolHeader {
    SolHeader {
        format,
        ampl_options: options.to_vec(),
        vbtol,
        want_suffixes: suffixes,
    }
}

#[test]
fn round_trip_through_the_writer() {
    for format in [SolFormat::Text, SolFormat::Binary] {
        for sense in [Sense::Minimize, Sense::Maximize] {
            for (options, vbtol) in [(vec![1, 1, 0], None), (vec![1, 3, 0], Some(1e-7))] {
                if format == SolFormat::Binary && vbtol.is_some() {
                    continue;
                }
                for suffixes in [true, false] {
                    let h = header(format, &options, vbtol, suffixes);
                    let contents = SolContents::new("pounce 0", sense, 2, 4, &solution());
                    let bytes = contents.to_bytes(&h);
                    let read = read_sol(&bytes, 2, 4)
                        .unwrap_or_else(|e| panic!("{format:?} {options:?} {suffixes}: {e}"));
                    assert_eq!(read.format, format);
                    assert_eq!(read.message, contents.message);
                    assert_eq!(read.duals, contents.duals);
                    assert_eq!(read.primals, contents.primals);
                    let o = read.options.expect("Options block");
                    assert_eq!((o.n_con, o.n_var), (2, 4));
                    assert_eq!(o.header.ampl_options, options);
                    assert_eq!(o.header.vbtol, vbtol);
                    assert_eq!(o.header.want_suffixes, suffixes);
                    if suffixes {
                        assert_eq!(read.objno, Some(0));
                        assert_eq!(read.solve_result_num, Some(0));
                        assert_eq!(read.suffixes.len(), 2);
                        for (r, w) in read.suffixes.iter().zip(&contents.suffixes) {
                            assert_eq!(r.name, w.name);
                            assert_eq!(r.kind, 4);
                            assert_eq!(r.entries, w.entries);
                        }
                    } else {
                        assert_eq!(read.solve_result_num, None);
                        assert!(read.suffixes.is_empty());
                    }
                }
            }
        }
    }
}

#[test]
fn files_without_options_block() {
    for format in [SolFormat::Text, SolFormat::Binary] {
        let h = header(format, &[], None, true);
        let contents = SolContents::new("pounce 0", Sense::Minimize, 2, 4, &solution());
        let read = read_sol(&contents.to_bytes(&h), 2, 4).unwrap();
        assert!(read.options.is_none());
        assert_eq!(read.duals, contents.duals);
        assert_eq!(read.primals, contents.primals);
        assert_eq!(read.solve_result_num, Some(0));
        // The model's dimensions must fit the number of values.
        let e = read_sol(&contents.to_bytes(&h), 3, 4).unwrap_err();
        assert!(e.to_string().contains("without an Options block"), "{e}");
    }
}

#[test]
fn spec_b4_binary_example() {
    // The verified byte dump of spec B.4, little-endian.
    let mut b = Vec::new();
    let int = |b: &mut Vec<u8>, v: i32| b.extend_from_slice(&v.to_le_bytes());
    let rec = |b: &mut Vec<u8>, body: &[u8]| {
        int(b, body.len() as i32);
        b.extend_from_slice(body);
        int(b, body.len() as i32);
    };
    rec(&mut b, b"binary");
    rec(&mut b, b" \nTest 1.0: Optimal Solution Found");
    rec(&mut b, b"");
    let mut o = b"Options".to_vec();
    for v in [3, 1, 1, 0, 2, 2, 4, 4] {
        o.extend_from_slice(&i32::to_le_bytes(v));
    }
    rec(&mut b, &o);
    let reals = |v: &[f64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    rec(&mut b, &reals(&[0.5, -0.125]));
    rec(&mut b, &reals(&[1.0, 4.5, 3.25, 0.1]));
    rec(&mut b, &[0, 0, 0, 0, 0, 0, 0, 0]);
    let mut s = b"\nSuffix\n".to_vec();
    for v in [4, 2, 13, 0] {
        s.extend_from_slice(&i32::to_le_bytes(v));
    }
    s.extend_from_slice(b"ipopt_zL_out\0");
    s.extend_from_slice(&0i32.to_le_bytes());
    s.extend_from_slice(&1.5f64.to_le_bytes());
    s.extend_from_slice(&3i32.to_le_bytes());
    s.extend_from_slice(&2e-9f64.to_le_bytes());
    assert_eq!(s.len(), 61);
    rec(&mut b, &s);
    let read = read_sol(&b, 2, 4).unwrap();
    assert_eq!(read.format, SolFormat::Binary);
    assert_eq!(read.message, " \nTest 1.0: Optimal Solution Found");
    assert_eq!(read.duals, Some(vec![0.5, -0.125]));
    assert_eq!(read.primals, Some(vec![1.0, 4.5, 3.25, 0.1]));
    let zl = read.variable_suffix("ipopt_zL_out").unwrap();
    assert_eq!(zl.entries, vec![(0, 1.5), (3, 2e-9)]);
    assert_eq!(zl.dense(4), Some(vec![1.5, 0.0, 0.0, 2e-9]));
}

#[test]
fn bad_files_are_reported_with_their_place() {
    let text = " \nx: y\n\nOptions\n3\n1\n1\n0\n2\n2\n2\n2\n0.5\nabc\n1\n2\nobjno 0 0\n";
    let e = read_sol(text.as_bytes(), 2, 2).unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 14: expected a dual value, found \"abc\""
    );
    let e = read_sol(text.as_bytes(), 2, 3).unwrap_err();
    assert!(
        e.to_string().contains("2 constraints and 2 variables"),
        "{e}"
    );
    let truncated = " \nx: y\n\nOptions\n3\n1\n1\n0\n2\n2\n2\n2\n0.5\n";
    let e = read_sol(truncated.as_bytes(), 2, 2).unwrap_err();
    assert!(e.to_string().contains("ends where a dual value"), "{e}");
    let h = header(SolFormat::Binary, &[1, 1, 0], None, true);
    let bytes = SolContents::new("p", Sense::Minimize, 2, 4, &solution()).to_bytes(&h);
    for cut in [20, bytes.len() - 3] {
        let e = read_sol(&bytes[..cut], 2, 4).unwrap_err();
        assert!(e.to_string().starts_with("byte "), "{e}");
    }
}

/// Dimensions from header line 2 of a `.nl` (`n_var n_con ...`).
fn nl_dims(path: &Path) -> (usize, usize) {
    let data = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&data[..data.len().min(400)]).into_owned();
    let line = text.lines().nth(1).unwrap();
    let mut w = line.split_whitespace().map(|t| t.parse::<usize>().unwrap());
    let n_var = w.next().unwrap();
    let n_con = w.next().unwrap();
    (n_con, n_var)
}

#[test]
fn reads_every_ipopt_sol_of_the_reference_set() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/ipopt-sol");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "sol") {
            continue;
        }
        let (n_con, n_var) = nl_dims(&path.with_extension("nl"));
        let sol = read_sol(&std::fs::read(&path).unwrap(), n_con, n_var)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            sol.message.contains("Optimal Solution Found"),
            "{}",
            path.display()
        );
        assert_eq!(sol.solve_result_num, Some(0));
        assert_eq!(sol.duals.as_ref().map(Vec::len), Some(n_con));
        assert_eq!(sol.primals.as_ref().map(Vec::len), Some(n_var));
        for name in ["ipopt_zL_out", "ipopt_zU_out"] {
            let s = sol.variable_suffix(name).expect(name);
            assert!(s.dense(n_var).is_some());
        }
        count += 1;
    }
    assert!(count >= 39, "only {count} .sol files");
}
