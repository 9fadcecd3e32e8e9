//! Malformed and unsupported `.nl` files: each gives one typed error with the file,
//! the line (text) or byte offset (binary), and what was expected; `pounce eval`
//! prints it on stderr alone and exits with code 2.

use std::path::Path;
use std::process::Command;

use pounce::nl::write::write_binary;
use pounce::nl::{ByteOrder, ErrorKind, Location, ReadError, read_bytes};

fn hs071() -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/nl/hs071.nl");
    std::fs::read_to_string(p).unwrap()
}

/// hs071 with the `n`-th (1-based) line replaced by `with`.
fn with_line(n: usize, with: &str) -> String {
    let t = hs071();
    let mut lines: Vec<&str> = t.lines().collect();
    lines[n - 1] = with;
    lines.join("\n") + "\n"
}

fn error(text: &str) -> ReadError {
    match read_bytes("bad.nl", text.as_bytes()) {
        Ok(_) => panic!("malformed file was accepted:\n{text}"),
        Err(e) => e,
    }
}

#[test]
fn hs071_itself_reads() {
    assert!(read_bytes("hs071.nl", hs071().as_bytes()).is_ok());
}

#[test]
fn truncated_files() {
    let t = hs071();
    for cut in [
        5,
        100,
        t.find("C1").unwrap() + 3,
        t.find("o54").unwrap() + 5,
    ] {
        let e = error(&t[..cut]);
        assert!(
            matches!(e.kind, ErrorKind::Truncated { .. } | ErrorKind::Missing(_)),
            "cut at {cut}: {e}"
        );
    }
    let e = error(&t[..t.find("o54").unwrap() + 5]);
    assert!(matches!(e.kind, ErrorKind::Truncated { .. }), "{e}");
    assert!(e.to_string().starts_with("bad.nl: line "), "{e}");
}

#[test]
fn bad_headers() {
    for (line, text) in [
        (1, "x3 1 1 0"),
        (1, "h3 1 1 0"),
        (2, " 4 two 1"),
        (2, " 0 2 1 0 1"),
        (7, " 0 0"),
    ] {
        let e = error(&with_line(line, text));
        assert!(matches!(e.kind, ErrorKind::BadHeader(_)), "{e}");
        assert_eq!(e.location, Location::Line(line), "{e}");
    }
}

#[test]
fn huge_declared_sizes_are_rejected_before_allocation() {
    let e = error(&with_line(2, " 4000000000 2 1 0 1"));
    assert!(matches!(e.kind, ErrorKind::BadHeader(_)), "{e}");
    assert!(e.to_string().contains("more than the file's"), "{e}");
    let e = error(&with_line(8, " 800000000 4"));
    assert!(e.to_string().contains("more than the file's"), "{e}");
    // A count inside a segment that the rest of the file cannot hold.
    let e = error(&with_line(31, "o54\n999999999"));
    assert!(matches!(e.kind, ErrorKind::Truncated { .. }), "{e}");
    let e = error(&hs071().replace("x4\n", "x-4\n"));
    assert!(matches!(e.kind, ErrorKind::Malformed(_)), "{e}");
}

#[test]
fn unknown_segment_and_opcode() {
    let e = error(&(hs071() + "Q0\n"));
    assert_eq!(e.kind, ErrorKind::UnknownSegment(b'Q'));
    // Spec pitfall 48: o2 → o7 on line 12 of HS071.
    let e = error(&with_line(12, "o7"));
    assert_eq!(
        (e.kind.clone(), e.location),
        (ErrorKind::UnknownOpcode(7), Location::Line(12))
    );
    assert_eq!(e.to_string(), "bad.nl: line 12: unknown operator o7");
    for op in ["o36", "o81", "o-1"] {
        assert!(matches!(
            error(&with_line(12, op)).kind,
            ErrorKind::UnknownOpcode(_)
        ));
    }
}

#[test]
fn indices_out_of_range() {
    let e = error(&with_line(15, "v9"));
    assert!(
        matches!(
            e.kind,
            ErrorKind::IndexOutOfRange {
                what: "variable",
                index: 9,
                limit: 4
            }
        ),
        "{e}"
    );
    assert_eq!(e.location, Location::Line(15));
    let e = error(&with_line(11, "C7"));
    assert!(
        matches!(e.kind, ErrorKind::IndexOutOfRange { index: 7, .. }),
        "{e}"
    );
    let t = hs071().replace("x4\n0 1\n", "x4\n9 1\n");
    assert!(matches!(
        error(&t).kind,
        ErrorKind::IndexOutOfRange { index: 9, .. }
    ));
}

#[test]
fn counts_disagreeing_with_the_header() {
    let e = error(&with_line(8, " 9 4"));
    assert!(
        matches!(
            e.kind,
            ErrorKind::CountMismatch {
                expected: 9,
                found: 8,
                ..
            }
        ),
        "{e}"
    );
    let e = error(&with_line(8, " 8 3"));
    assert!(
        matches!(
            e.kind,
            ErrorKind::CountMismatch {
                expected: 3,
                found: 4,
                ..
            }
        ),
        "{e}"
    );
    let t = hs071().replace("k3\n2\n4\n6\n", "k3\n2\n3\n6\n");
    assert!(matches!(error(&t).kind, ErrorKind::CountMismatch { .. }));
    let t = hs071().replace("k3\n", "k2\n");
    assert!(matches!(error(&t).kind, ErrorKind::CountMismatch { .. }));
}

#[test]
fn non_numeric_tokens() {
    let e = error(&with_line(23, "nabc"));
    assert_eq!(e.location, Location::Line(23));
    assert!(
        matches!(&e.kind, ErrorKind::Expected { expected, found } if expected.contains("number") && found == "abc"),
        "{e}"
    );
    let t = hs071().replace("r\n2 25\n", "r\n2 x25\n");
    assert!(matches!(error(&t).kind, ErrorKind::Expected { .. }));
    let t = hs071().replace("b\n0 1 5\n", "b\n7 1 5\n");
    assert!(matches!(error(&t).kind, ErrorKind::Expected { .. }));
    assert!(matches!(
        error(&with_line(12, "q2")).kind,
        ErrorKind::Expected { .. }
    ));
}

#[test]
fn structure_errors() {
    // Duplicate segment, missing bounds, J before k, defined variable used too early.
    let t = hs071() + "C0\nn0\n";
    assert!(matches!(error(&t).kind, ErrorKind::Duplicate(_)));
    let t = hs071().replace("b\n0 1 5\n0 1 5\n0 1 5\n0 1 5\n", "");
    assert!(matches!(error(&t).kind, ErrorKind::Missing(_)));
    let t = hs071();
    let k = t.find("k3").unwrap();
    let j = t.find("G0").unwrap();
    let moved = format!("{}{}{}", &t[..k], &t[k + 9..j], &t[k..k + 9]) + &t[j..];
    assert!(
        error(&moved)
            .to_string()
            .contains("J segment before the k segment")
    );
}

#[test]
fn unsupported_features_are_named() {
    let t = with_line(2, " 4 2 1 0 1 1") + "L0\no22\nv0\nv1\n";
    let e = error(&t);
    assert_eq!(
        e.kind,
        ErrorKind::Unsupported {
            feature: "logical constraints",
            item: "logical constraint 0".into()
        }
    );
    let t = hs071().replace("r\n2 25\n", "r\n5 1 2\n");
    let e = error(&t);
    assert!(
        e.to_string().contains(
            "complementarity constraints not supported (constraint 0 complements variable 1"
        ),
        "{e}"
    );
    let t = with_line(6, " 0 1 0 1").replace("C0\n", "F0 1 -1 myfunc\nC0\n");
    assert!(
        error(&t)
            .to_string()
            .contains("imported functions not supported (function 0 'myfunc')")
    );
    let e = error(&with_line(12, "f0 2"));
    assert!(
        e.to_string().contains("call of function 0 in constraint 0"),
        "{e}"
    );
}

#[test]
fn binary_errors_give_byte_offsets() {
    let bin = write_binary("hs071.nl", hs071().as_bytes(), ByteOrder::Little).unwrap();
    let e = read_bytes("b.nl", &bin[..bin.len() - 3]).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Truncated { .. }), "{e}");
    assert!(
        matches!(e.location, Location::Byte(p) if p < bin.len()),
        "{e}"
    );
    // A bound type written as byte 0x00 instead of '0' (pitfall 3).
    let b_at = bin.windows(2).position(|w| w == b"b0").unwrap();
    let mut bad = bin.clone();
    bad[b_at + 1] = 0;
    let e = read_bytes("b.nl", &bad).unwrap_err();
    assert_eq!(e.location, Location::Byte(b_at + 1));
    assert!(e.to_string().contains("bound type"), "{e}");
    // An unknown arith code.
    let t = String::from_utf8_lossy(&bin).replace(" 0 0 1 1\n", " 0 0 3 1\n");
    assert!(error(&t).to_string().contains("unrecognized binary format"));
}

#[test]
fn pounce_eval_reports_one_line_and_exits_2() {
    let dir = std::env::temp_dir().join(format!("pounce-nl-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.nl");
    std::fs::write(&bad, with_line(12, "o7")).unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_pounce"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["eval", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("line 12: unknown operator o7"), "{err}");
    // A point of the wrong dimension, and a missing file.
    let good = dir.join("good.nl");
    std::fs::write(&good, hs071()).unwrap();
    let point = dir.join("p.json");
    std::fs::write(&point, r#"{"x": [1, 2]}"#).unwrap();
    let out = run(&[
        "eval",
        good.to_str().unwrap(),
        "--point",
        point.to_str().unwrap(),
    ]);
    assert_eq!((out.status.code(), out.stdout.is_empty()), (Some(2), true));
    let out = run(&["eval", dir.join("none.nl").to_str().unwrap()]);
    assert_eq!((out.status.code(), out.stdout.is_empty()), (Some(2), true));
    let out = run(&["eval", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["f"].as_f64(), v["errors"].is_null()), (Some(16.0), true));
    // A model that cannot be evaluated at the point still prints its JSON, with
    // "errors" set and the failed key null.
    let ops = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/nl/operators.nl");
    std::fs::write(&point, r#"{"x": [0.5, -2, -1.5]}"#).unwrap();
    let out = run(&[
        "eval",
        ops.to_str().unwrap(),
        "--point",
        point.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["f"].as_f64(), Some(6.0));
    assert!(v["c"].is_null());
    assert_eq!(v["errors"], "constraint 5: can't evaluate pow(-2,0.5)");
    std::fs::remove_dir_all(dir).unwrap();
}
