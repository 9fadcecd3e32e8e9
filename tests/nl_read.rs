//! Reading and evaluating the hand-written models in `testdata/nl/`, text against
//! binary, and the pitfalls of A.2–A.6.

use std::path::Path;

use pounce::nl::eval::{EvalError, Evaluator, Item};
use pounce::nl::model::{Sense, SuffixTarget};
use pounce::nl::tape::Op;
use pounce::nl::write::write_binary;
use pounce::nl::{ByteOrder, Format, Model, read_bytes, read_file};

fn testdata(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/nl")
        .join(name)
}

fn read(name: &str) -> Model {
    read_file(&testdata(name)).unwrap_or_else(|e| panic!("{e}"))
}

/// Objective 0 and all constraint values at `x`.
fn values(model: &Model, x: &[f64]) -> (Result<f64, EvalError>, Result<Vec<f64>, EvalError>) {
    let ev = Evaluator::new(model);
    let mut ws = ev.workspace();
    let mut c = vec![0.0; model.n_con];
    let (f, ok) = ev.objective_and_constraints(x, &mut ws, &mut c);
    (f, ok.map(|()| c))
}

/// A minimal text file: header for `n` variables and `m` nonlinear constraints, then
/// `body` (segments), with `nzc` Jacobian and `nzo` gradient entries.
fn nl(n: usize, m: usize, nzc: usize, nzo: usize, body: &str) -> Vec<u8> {
    format!(
        "g3 1 1 0\n {n} {m} 1 0 0\n {m} 1\n 0 0\n {n} {n} {n}\n 0 0 0 1\n 0 0 0 0 0\n {nzc} {nzo}\n 0 0\n 0 0 0 0 0\n{body}"
    )
    .into_bytes()
}

// Values computed independently (Python's math module) at x = (0.5, 2, -1.5); each
// string is the constraint's expression, one token per line in the file.
// The literals are Python's results, kept as printed rather than std constants.
#[allow(clippy::approx_constant)]
const EXPECTED: [(&str, f64); 81] = [
    ("o0 v0 v1", 2.5),
    ("o1 v0 v1", -1.5),
    ("o2 v0 v1", 1.0),
    ("o3 v0 v1", 0.25),
    ("o4 n-7 n2", -1.0),
    ("o5 v1 v0", 1.4142135623730951),
    ("o5 v2 n3", -3.375),
    ("o5 n2 v1", 4.0),
    ("o5 v2 n2", 2.25),
    ("o6 n7 n5", 2.0),
    ("o6 n3 n5", 0.0),
    ("o11 3 v0 v1 v2", -1.5),
    ("o12 3 v0 v1 v2", 2.0),
    ("o13 v2", -2.0),
    ("o14 v2", -1.0),
    ("o15 v2", 1.5),
    ("o16 v0", -0.5),
    ("o20 n0 v0", 1.0),
    ("o21 n0 v0", 0.0),
    ("o22 v0 v1", 1.0),
    ("o23 v1 v1", 1.0),
    ("o24 v0 v1", 0.0),
    ("o28 v0 v1", 0.0),
    ("o29 v1 v0", 1.0),
    ("o30 v0 v1", 1.0),
    ("o34 n0", 1.0),
    ("o35 o22 v0 v1 v1 v2", 2.0),
    ("o35 o22 v1 v0 o43 v2 v0", 0.5),
    ("o37 v0", 0.46211715726000974),
    ("o38 v0", 0.5463024898437905),
    ("o39 v1", 1.4142135623730951),
    ("o40 v0", 0.5210953054937474),
    ("o41 v0", 0.479425538604203),
    ("o42 v1", 0.3010299956639812),
    ("o43 v1", 0.6931471805599453),
    ("o44 v0", 1.6487212707001282),
    ("o45 v0", 1.1276259652063807),
    ("o46 v0", 0.8775825618903728),
    ("o47 v0", 0.5493061443340548),
    ("o48 v0 v2", 2.819842099193151),
    ("o49 v0", 0.4636476090008061),
    ("o50 v2", -1.1947632172871094),
    ("o51 v0", 0.5235987755982989),
    ("o52 v1", 1.3169578969248166),
    ("o53 v0", 1.0471975511965979),
    ("o54 3 v0 v1 v2", 1.0),
    ("o54 2 v0 v1", 2.5),
    ("o55 n-7 n2", -3.0),
    ("o56 n123456 n2", 120000.0),
    ("o57 n2.5 n0", 2.0),
    ("o57 n1.245 n2", 1.25),
    ("o57 n-2.5 n0", -2.0),
    ("o58 n-2.75 n1", -2.7),
    ("o59 3 o22 v0 v1 o22 v1 v0 n1", 2.0),
    ("o60 4 n2 v1 v0 n2", 2.0),
    ("o62 n2 o59 3 o22 v0 v1 o22 v1 v0 n1", 1.0),
    ("o63 n3 o59 3 o22 v0 v1 o22 v1 v0 n1", 1.0),
    ("o66 n2 o59 3 o22 v0 v1 o22 v1 v0 n1", 1.0),
    ("o67 n2 o59 3 o22 v0 v1 o22 v1 v0 n1", 0.0),
    ("o68 n2 o59 3 o22 v0 v1 o22 v1 v0 n1", 0.0),
    ("o69 n2 o59 3 o22 v0 v1 o22 v1 v0 n1", 0.0),
    ("o64 3 n-1 n1 n0.5 n3 n2 v1", -0.5),
    ("o70 3 n1 v0 v1", 1.0),
    ("o71 3 n0 n0 v0", 1.0),
    ("o72 n1 n0 n1", 0.0),
    ("o73 n0 n0", 1.0),
    ("o74 3 v0 v1 v2", 1.0),
    ("o75 3 v0 v1 v0", 1.0),
    ("o76 v2 n3", -3.375),
    ("o77 v2", 2.25),
    ("o78 n2 v1", 4.0),
    ("o79 v0", 0.6224593312018546),
    ("o80 v2 n2", -2.25),
    ("s3", 3.0),
    ("l-4", -4.0),
    ("ninf", f64::INFINITY),
    ("n-Infinity", f64::NEG_INFINITY),
    ("n1e+20", 1e+20),
    ("n.5", 0.5),
    ("n5.", 5.0),
    ("n1E-05", 1e-05),
];

#[test]
fn every_operator_and_number_form_evaluates_as_specified() {
    let model = read("operators.nl");
    assert_eq!(model.n_con, EXPECTED.len());
    let x = [0.5, 2.0, -1.5];
    let (f, c) = values(
        &model,
        &model.x0.iter().map(|v| v.unwrap()).collect::<Vec<_>>(),
    );
    assert_eq!(f.unwrap(), 8.0);
    let c = c.unwrap();
    for (i, &(expr, want)) in EXPECTED.iter().enumerate() {
        // Row 0 also has the linear term 1·x2 (J0).
        let want = if i == 0 { want + x[2] } else { want };
        let ok = if want.is_finite() {
            (c[i] - want).abs() <= 1e-15 * want.abs().max(1.0)
        } else {
            c[i] == want
        };
        assert!(ok, "row {i} ({expr}): got {}, want {want}", c[i]);
    }
}

#[test]
fn powers_are_specialised() {
    let model = read("operators.nl");
    let root_op = |i: usize| {
        let r = model.tape.constraints[i].root().unwrap();
        model.tape.nodes[r as usize].op
    };
    let row = |e: &str| EXPECTED.iter().position(|r| r.0 == e).unwrap();
    assert_eq!(root_op(row("o5 v1 v0")), Op::Pow);
    assert_eq!(root_op(row("o5 v2 n3")), Op::PowConstExp);
    assert_eq!(root_op(row("o5 n2 v1")), Op::PowConstBase);
    assert_eq!(root_op(row("o5 v2 n2")), Op::Square);
    assert_eq!(root_op(row("o77 v2")), Op::Square);
    // A constant exponent does not stay on the tape as a node of its own.
    let p = &model.tape.constraints[row("o5 v2 n3")];
    assert_eq!(p.nodes.len(), 2);
}

#[test]
fn defined_variables_chain_and_sit_between_segments() {
    let model = read("defvars.nl");
    assert_eq!(model.tape.defined.len(), 4);
    let (f, c) = values(&model, &[1.0, 2.0]);
    // v2 = 3x0 + x1², v3 = v2², C0 = v3; C1 = exp(x0) + v2 + x0; f = 2x1 + sin(x0) + 1.
    assert_eq!(c.unwrap(), vec![49.0, 1f64.exp() + 7.0 + 1.0]);
    assert_eq!(f.unwrap(), 4.0 + 1f64.sin() + 1.0);
    let (_, c) = values(&model, &[-2.0, 0.5]);
    assert_eq!(c.unwrap()[0], (-6.0f64 + 0.25).powi(2));
}

#[test]
fn bounds_suffixes_duals_and_sense() {
    let m = read("suffixes_ranges.nl");
    let inf = f64::INFINITY;
    assert_eq!(m.con_lower, vec![-1.0, -inf, -3.0, -inf, 2.5]);
    assert_eq!(m.con_upper, vec![1.0, 4.0, inf, inf, 2.5]);
    assert_eq!(m.var_lower, vec![0.0, -inf, -inf, 3.0]);
    assert_eq!(m.var_upper, vec![1.0, 1e20, inf, 3.0]);
    assert_eq!(m.y0, vec![Some(1.5), None, None, None, Some(-2.0)]);
    assert_eq!(m.x0, vec![None; 4]);
    assert_eq!(m.objective_sense, vec![Sense::Maximize]);
    assert_eq!((m.header.nbv, m.header.n_integer()), (1, 1));
    let names: Vec<_> = m
        .suffixes
        .iter()
        .map(|s| (s.name.as_str(), s.target, s.real))
        .collect();
    assert_eq!(
        names,
        vec![
            ("sosno", SuffixTarget::Variable, false),
            ("scaling_factor", SuffixTarget::Constraint, true),
            ("obj_scale", SuffixTarget::Objective, true),
            ("problem_flag", SuffixTarget::Problem, false),
            ("ipopt_zL_in", SuffixTarget::Variable, true),
        ]
    );
    assert_eq!(m.suffixes[0].values, vec![(0, 1.0), (3, -2.0)]);
    assert_eq!(m.suffixes[1].values, vec![(0, 10.0), (4, 0.5)]);
    let (f, c) = values(&m, &[1.0, 2.0, 3.0, 4.0]);
    assert_eq!(f.unwrap(), 3.0 - 4.0 + 7.0);
    assert_eq!(c.unwrap(), vec![1.0, 2.0, 3.0, 4.0, 2.0]);
    assert_eq!(m.header.ampl_options, vec![1, 1, 0]);
    assert_eq!(m.header.flags, 1);
}

#[test]
fn crlf_and_comments_read_the_same() {
    let plain = std::fs::read(testdata("hs071.nl")).unwrap();
    let base = read_bytes("hs071.nl", &plain).unwrap();
    let text = String::from_utf8(plain).unwrap();
    let crlf = text.replace('\n', "\r\n");
    assert_eq!(read_bytes("crlf.nl", crlf.as_bytes()).unwrap(), base);
    // Pyomo's symbolic labels: comments after every needed integer.
    let labelled: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i >= 10 {
                format!("{l}\t#label {i}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    assert_eq!(
        read_bytes("labelled.nl", labelled.as_bytes()).unwrap(),
        base
    );
}

#[test]
fn binary_in_both_byte_orders_reads_identically() {
    for name in [
        "hs071.nl",
        "operators.nl",
        "defvars.nl",
        "suffixes_ranges.nl",
    ] {
        let text = std::fs::read(testdata(name)).unwrap();
        let base = read_bytes(name, &text).unwrap();
        for order in [ByteOrder::Little, ByteOrder::Big] {
            let bin = write_binary(name, &text, order).unwrap();
            assert_eq!(bin[0], b'b');
            let mut m = read_bytes(name, &bin).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(m.format, Format::Binary(order));
            assert_eq!(
                m.header.arith,
                if order == ByteOrder::Little { 1 } else { 2 }
            );
            m.format = Format::Text;
            m.header.arith = base.header.arith;
            assert_eq!(m, base, "{name} {order:?}");
        }
    }
}

#[test]
fn hs071_binary_bytes_follow_a3() {
    let text = std::fs::read(testdata("hs071.nl")).unwrap();
    let bin = write_binary("hs071.nl", &text, ByteOrder::Little).unwrap();
    let body = &bin[bin
        .iter()
        .enumerate()
        .filter(|p| *p.1 == b'\n')
        .nth(9)
        .unwrap()
        .0
        + 1..];
    // C0: 'C' int 0, then o2 as 'o' + int 2.
    assert_eq!(&body[..10], &[b'C', 0, 0, 0, 0, b'o', 2, 0, 0, 0]);
    let big = write_binary("hs071.nl", &text, ByteOrder::Big).unwrap();
    let body = &big[big.len() - body.len()..];
    assert_eq!(&body[..10], &[b'C', 0, 0, 0, 0, b'o', 0, 0, 0, 2]);
}

#[test]
fn n_ary_sum_of_two_and_nested_expressions() {
    let deep = 100_000;
    let mut body = String::from("C0\n");
    for _ in 0..deep {
        body.push_str("o16\n");
    }
    body.push_str("o54\n2\nv0\nv1\nO0 0\nn0\nr\n3\nb\n3\n3\n");
    let m = read_bytes("deep.nl", &nl(2, 1, 0, 0, &body)).unwrap();
    let (_, c) = values(&m, &[1.0, 2.0]);
    assert_eq!(c.unwrap(), vec![3.0]);
}

#[test]
fn evaluation_errors_name_function_and_operation() {
    let body = "C0\no43\nv0\nC1\no3\nn1\nv0\nV2 0 0\no39\nv0\nC2\no0\nv2\nn1\nO0 0\no44\nv1\nr\n3\n3\n3\nb\n3\n3\n";
    // Header line 10 declares the one shared defined variable v2.
    let text = String::from_utf8(nl(2, 3, 0, 0, body)).unwrap();
    let text = text
        .replace("\n 0 0 0 0 0\nC0", "\n 1 0 0 0 0\nC0")
        .into_bytes();
    let m = read_bytes("err.nl", &text).unwrap();
    let ev = Evaluator::new(&m);
    let mut ws = ev.workspace();
    let mut c = vec![0.0; 3];
    let x = [-0.25, 1000.0];
    ev.eval_defined(&x, &mut ws);
    let e = ev.constraints(&x, &mut ws, &mut c).unwrap_err();
    assert_eq!(e.item, Item::Constraint(0));
    assert_eq!(e.to_string(), "constraint 0: can't evaluate log(-0.25)");
    let e = ev.objective(0, &x, &mut ws).unwrap_err();
    assert_eq!(e.to_string(), "objective 0: can't evaluate exp(1000)");
    let x = [0.0, 0.0];
    ev.eval_defined(&x, &mut ws);
    let e = ev.constraints(&x, &mut ws, &mut c).unwrap_err();
    assert_eq!(e.to_string(), "constraint 0: can't evaluate log(0)");
    // Division by zero, and a defined variable's failure reported by its user.
    ev.eval_defined(&[0.0, 0.0], &mut ws);
    let e = ev
        .eval_piece(&m.tape.constraints[1], &[0.0, 0.0], &mut ws)
        .unwrap_err();
    assert_eq!(e.to_string(), "can't compute 1/0");
    ev.eval_defined(&[-4.0, 0.0], &mut ws);
    let e = ev
        .eval_piece(&m.tape.constraints[2], &[-4.0, 0.0], &mut ws)
        .unwrap_err();
    assert_eq!(e.to_string(), "can't evaluate sqrt(-4)");
}

#[test]
fn one_variable_empty_rows_and_several_objectives() {
    // n_var = 1 (`k0` without body), a row without J, two objectives (the second
    // without G), a variable bounded by ±1e20 numbers.
    let text = "g3 1 1 0\n 1 2 2 0 0\n 1 1\n 0 0\n 1 1 1\n 0 0 0 1\n 0 0 0 0 0\n 1 1\n 0 0\n 0 0 0 0 0\n\
C0\no5\nv0\nn3\nC1\nn0\nO0 0\no0\nv0\nn7\nO1 1\nn-2\nx1\n0 -2\nr\n3\n1 4\nb\n0 -1e+20 1e+20\nk0\nJ0 1\n0 2\nG0 1\n0 1\n";
    let m = read_bytes("small.nl", text.as_bytes()).unwrap();
    assert_eq!((m.n_var, m.n_con, m.tape.objectives.len()), (1, 2, 2));
    assert_eq!((m.var_lower[0], m.var_upper[0]), (-1e20, 1e20));
    assert_eq!(m.objective_sense, vec![Sense::Minimize, Sense::Maximize]);
    assert!(m.tape.constraints[1].root().is_none());
    let (f, c) = values(&m, &[-2.0]);
    assert_eq!(f.unwrap(), -2.0 + 7.0 - 2.0);
    assert_eq!(c.unwrap(), vec![-8.0 - 4.0, 0.0]);
    let ev = Evaluator::new(&m);
    let mut ws = ev.workspace();
    ev.eval_defined(&[-2.0], &mut ws);
    assert_eq!(ev.objective(1, &[-2.0], &mut ws).unwrap(), -2.0);
}

#[test]
fn segments_in_another_order_and_per_column_counts() {
    let text = std::fs::read_to_string(testdata("hs071.nl")).unwrap();
    let base = read_bytes("hs071.nl", text.as_bytes()).unwrap();
    // The order of the ASL's own writer: b, x, r first, then C, O, then k, J, G.
    let at = |s: &str| text.find(&format!("\n{s}")).unwrap() + 1;
    let (c, x, r, b, k) = (at("C0\n"), at("x4\n"), at("r\n"), at("b\n"), at("k3\n"));
    let reordered = [
        &text[..c],
        &text[b..k],
        &text[x..r],
        &text[r..b],
        &text[c..x],
        &text[k..],
    ]
    .concat();
    assert_ne!(reordered, text);
    assert_eq!(
        read_bytes("reordered.nl", reordered.as_bytes()).unwrap(),
        base
    );
    // `K`: per-column counts instead of cumulative ones.
    let per_column = text.replace("k3\n2\n4\n6\n", "K3\n2\n2\n2\n");
    assert_eq!(read_bytes("K.nl", per_column.as_bytes()).unwrap(), base);
}

#[test]
fn binary_header_keeps_line_6_as_read() {
    // Found by fuzzing: a stray byte on line 6 ends the integers there (flags = 0);
    // the binary header must say the same, not re-split the text.
    let text = std::fs::read_to_string(testdata("hs071.nl")).unwrap();
    let text = text.replace(" 0 0 0 1\t#", " 0 0 \x130 1\t#");
    let base = read_bytes("odd.nl", text.as_bytes()).unwrap();
    assert_eq!(base.header.flags, 0);
    let bin = write_binary("odd.nl", text.as_bytes(), ByteOrder::Big).unwrap();
    let m = read_bytes("odd.nl", &bin).unwrap();
    assert_eq!((m.header.flags, m.header.arith), (0, 2));
}
