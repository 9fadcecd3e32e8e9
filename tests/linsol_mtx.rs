//! Matrix Market round trip and malformed input.

mod linsol_common;

use linsol_common::{KktSpec, Rng, kkt};
use pounce::linsol::mtx::{self, MtxError};

#[test]
fn mtx_round_trip_is_exact() {
    let mut rng = Rng::new(4);
    let t = kkt(&mut rng, KktSpec::new(50, 20));
    let mut text = Vec::new();
    mtx::write(&mut text, &t.pattern, &t.values).unwrap();
    let (pattern, values) = mtx::read(&text[..]).unwrap();
    assert_eq!(pattern, t.pattern);
    assert_eq!(values, t.values);
}

#[test]
fn mtx_mirrors_upper_entries_and_sums_duplicates() {
    let text = "%%MatrixMarket matrix coordinate real symmetric\n% comment\n3 3 4\n1 1 2.0\n1 3 -1.5\n3 1 0.5\n2 2 1\n";
    let (pattern, values) = mtx::read(text.as_bytes()).unwrap();
    assert_eq!(pattern.col_ptr, vec![0, 2, 3, 3]);
    assert_eq!(pattern.row_idx, vec![0, 2, 1]);
    assert_eq!(values, vec![2.0, -1.0, 1.0]);
}

#[test]
fn mtx_reports_the_bad_line() {
    let bad = [
        ("%%MatrixMarket matrix array real general\n", 1),
        (
            "%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n3 1 1.0\n",
            3,
        ),
        (
            "%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n1 1 x\n",
            3,
        ),
        (
            "%%MatrixMarket matrix coordinate real symmetric\n2 3 1\n",
            2,
        ),
        (
            "%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n1 1 1.0\n",
            1,
        ),
    ];
    for (text, expected_line) in bad {
        match mtx::read(text.as_bytes()) {
            Err(MtxError::Parse { line, .. }) => assert_eq!(line, expected_line, "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn mtx_vector_round_trip_and_errors() {
    let v = vec![1.5, -0.0, 3.0e-300, -7.25e12];
    let mut text = Vec::new();
    mtx::write_vector(&mut text, &v).unwrap();
    assert_eq!(mtx::read_vector(&text[..]).unwrap(), v);
    let short = "%%MatrixMarket matrix array real general\n3 1\n1.0\n2.0\n";
    assert!(matches!(
        mtx::read_vector(short.as_bytes()),
        Err(MtxError::Parse { line: 1, .. })
    ));
    let wide = "%%MatrixMarket matrix array real general\n2 2\n1.0\n";
    assert!(matches!(
        mtx::read_vector(wide.as_bytes()),
        Err(MtxError::Parse { line: 2, .. })
    ));
}
