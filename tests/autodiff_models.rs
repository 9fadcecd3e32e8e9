//! Whole models: defined variables, linear parts, structures, evaluation errors and
//! the derivative checker.

mod autodiff_support;

use autodiff_support::*;
use pounce::autodiff::check::{CheckOptions, Report, check};
use pounce::autodiff::{Derivatives, Failure, Function};
use pounce::nl::tape::Op;

/// Pitfall 11: V2 = 3 x0 + x1², V3 = V2 · V2, C0 = V3.
/// The derivative checker at `x`, second derivatives included, with the default
/// perturbation and tolerance.
fn check_second_order(d: &mut Derivatives<'_>, x: &[f64]) -> Report {
    let opts = CheckOptions {
        second_order: true,
        ..Default::default()
    };
    check(d, x, &opts).unwrap()
}

fn chained_defined_variables() -> Derivatives<'static> {
    let mut b = TapeBuilder::default();
    b.begin();
    let x0 = b.var(0);
    let c3 = b.num(3.0);
    let lin = b.bin(Op::Mul, c3, x0);
    let x1 = b.var(1);
    let sq = b.pow_const(x1, 2.0);
    b.bin(Op::Add, lin, sq);
    b.end_defined();
    b.begin();
    let v = b.def(0);
    b.bin(Op::Mul, v, v);
    b.end_defined();
    b.begin();
    b.def(1);
    b.end_constraint();
    b.begin();
    let v = b.def(1);
    let x1 = b.var(1);
    b.bin(Op::Add, v, x1);
    b.end_objective();
    let m = model(2, b.tape, &[vec![(0, 0.0), (1, 0.0)]], &[vec![(0, 2.0)]]);
    Derivatives::new(Box::leak(Box::new(m))).unwrap()
}

#[test]
fn defined_variables_chain() {
    let mut d = chained_defined_variables();
    let x = [0.5, -1.5];
    let u: f64 = 3.0 * x[0] + x[1] * x[1];
    // f = u² + x1 + 2 x0 (the 2 x0 from the G segment)
    assert_close(
        d.objective(&x).unwrap(),
        u * u + x[1] + 2.0 * x[0],
        1e-15,
        "f",
    );
    let mut c = [0.0];
    d.constraints(&x, &mut c).unwrap();
    assert_close(c[0], u * u, 1e-15, "c");
    let mut g = [0.0; 2];
    d.gradient(&x, &mut g).unwrap();
    assert_close(g[0], 6.0 * u + 2.0, 1e-15, "df/dx0");
    assert_close(g[1], 4.0 * u * x[1] + 1.0, 1e-15, "df/dx1");
    let mut j = [0.0; 2];
    d.jacobian_values(&x, &mut j).unwrap();
    assert_eq!(d.jacobian_structure(), (&[0u32, 0][..], &[0u32, 1][..]));
    assert_close(j[0], 6.0 * u, 1e-15, "dc/dx0");
    assert_close(j[1], 4.0 * u * x[1], 1e-15, "dc/dx1");
    // Lagrangian Hessian with σ = 2, y = 0.5: 2.5 ∇²(u²)
    let (hr, hc) = d.hessian_structure();
    let (hr, hc) = (hr.to_vec(), hc.to_vec());
    let mut hv = vec![0.0; hr.len()];
    d.hessian_values(&x, 2.0, &[0.5], &mut hv).unwrap();
    let h = dense_lower(2, &hr, &hc, &hv);
    assert_close(h[0][0], 2.5 * 18.0, 1e-15, "h00");
    assert_close(h[1][0], 2.5 * 12.0 * x[1], 1e-15, "h10");
    assert_close(h[1][1], 2.5 * (8.0 * x[1] * x[1] + 4.0 * u), 1e-15, "h11");
    let report = check_second_order(&mut d, &x);
    assert!(report.suspicious.is_empty(), "{report}");
    assert!(report.checked >= 8);
}

/// HS071: min x0 x3 (x0 + x1 + x2) + x2 s.t. x0 x1 x2 x3 ≥ 25, Σ xi² = 40.
fn hs071() -> Derivatives<'static> {
    let mut b = TapeBuilder::default();
    b.begin();
    let x: Vec<_> = (0..4).map(|i| b.var(i)).collect();
    let p01 = b.bin(Op::Mul, x[0], x[1]);
    let p012 = b.bin(Op::Mul, p01, x[2]);
    b.bin(Op::Mul, p012, x[3]);
    b.end_constraint();
    b.begin();
    let sq: Vec<_> = (0..4)
        .map(|i| {
            let v = b.var(i);
            b.pow_const(v, 2.0)
        })
        .collect();
    b.node(Op::Sum, 0, &sq);
    b.end_constraint();
    b.begin();
    let x: Vec<_> = (0..4).map(|i| b.var(i)).collect();
    let s = b.node(Op::Sum, 0, &x[..3]);
    let a = b.bin(Op::Mul, x[0], x[3]);
    b.bin(Op::Mul, a, s);
    b.end_objective();
    let all = vec![(0, 0.0), (1, 0.0), (2, 0.0), (3, 0.0)];
    let m = model(4, b.tape, &[all.clone(), all], &[vec![(2, 1.0)]]);
    Derivatives::new(Box::leak(Box::new(m))).unwrap()
}

#[test]
fn hs071_matches_hand_derivatives() {
    let mut d = hs071();
    let x = [1.0, 5.0, 5.0, 1.0];
    assert_eq!(d.objective(&x).unwrap(), 16.0);
    let mut g = [0.0; 4];
    d.gradient(&x, &mut g).unwrap();
    assert_eq!(g, [12.0, 1.0, 2.0, 11.0]);
    let mut c = [0.0; 2];
    d.constraints(&x, &mut c).unwrap();
    assert_eq!(c, [25.0, 52.0]);
    let mut j = [0.0; 8];
    d.jacobian_values(&x, &mut j).unwrap();
    assert_eq!(j, [25.0, 5.0, 5.0, 25.0, 2.0, 10.0, 10.0, 2.0]);
    let (hr, hc) = d.hessian_structure();
    let (hr, hc) = (hr.to_vec(), hc.to_vec());
    assert_eq!(hr.len(), 10, "full lower triangle of a 4×4 matrix");
    let mut hv = vec![0.0; 10];
    let y = [0.5, -2.0];
    d.hessian_values(&x, 1.0, &y, &mut hv).unwrap();
    let h = dense_lower(4, &hr, &hc, &hv);
    // objective: [[2x3, x3, x3, 2x0+x1+x2], [.,0,0,x0], [.,.,0,x0], [.,.,.,0]]
    let ho = [
        [2.0, 0.0, 0.0, 0.0],
        [1.0, 0.0, 0.0, 0.0],
        [1.0, 0.0, 0.0, 0.0],
        [12.0, 1.0, 1.0, 0.0],
    ];
    // constraint 0: products of the other two variables
    let hc0 = [
        [0.0, 0.0, 0.0, 0.0],
        [5.0, 0.0, 0.0, 0.0],
        [5.0, 1.0, 0.0, 0.0],
        [25.0, 5.0, 5.0, 0.0],
    ];
    for r in 0..4 {
        for col in 0..=r {
            let want = ho[r][col] + y[0] * hc0[r][col] + if r == col { 2.0 * y[1] } else { 0.0 };
            assert_close(h[r][col], want, 1e-15, &format!("h[{r}][{col}]"));
        }
    }
}

#[test]
fn linear_part_comes_from_the_jacobian_segment() {
    // row x0 + x0²: J has coefficient 1 for x0, the tape has x0²
    let mut b = TapeBuilder::default();
    b.begin();
    let x0 = b.var(0);
    b.pow_const(x0, 2.0);
    b.end_constraint();
    b.begin();
    b.num(0.0);
    b.end_constraint();
    let m = model(2, b.tape, &[vec![(0, 1.0)], vec![(0, 2.0), (1, -1.0)]], &[]);
    let mut d = Derivatives::new(&m).unwrap();
    let x = [3.0, 4.0];
    let mut c = [0.0; 2];
    d.constraints(&x, &mut c).unwrap();
    assert_eq!(c, [12.0, 2.0]);
    let mut j = [0.0; 3];
    d.jacobian_values(&x, &mut j).unwrap();
    assert_eq!(
        d.jacobian_structure(),
        (&[0u32, 1, 1][..], &[0u32, 0, 1][..])
    );
    assert_eq!(j, [7.0, 2.0, -1.0]);
    assert_eq!(d.objective(&x).unwrap(), 0.0, "no objective");
}

#[test]
fn structure_includes_dependencies_missing_from_the_j_segment() {
    // C0 = V0 = x0 · x1 but the J segment lists only x0 (as in ampl/hs085)
    let mut b = TapeBuilder::default();
    b.begin();
    let x0 = b.var(0);
    let x1 = b.var(1);
    b.bin(Op::Mul, x0, x1);
    b.end_defined();
    b.begin();
    b.def(0);
    b.end_constraint();
    let m = model(2, b.tape, &[vec![(0, 0.0)]], &[]);
    let mut d = Derivatives::new(&m).unwrap();
    assert_eq!(d.jacobian_structure().1, &[0, 1]);
    let mut j = [0.0; 2];
    d.jacobian_values(&[2.0, 3.0], &mut j).unwrap();
    assert_eq!(j, [3.0, 2.0]);
}

#[test]
fn evaluation_errors_name_function_and_operation() {
    // f = log(x0); c0 = sqrt(x1); c1 = if x0 > 0 then log(x0) else 0
    let mut b = TapeBuilder::default();
    b.begin();
    let x1 = b.var(1);
    b.un(Op::Sqrt, x1);
    b.end_constraint();
    b.begin();
    let x0 = b.var(0);
    let z = b.num(0.0);
    let cond = b.bin(Op::Gt, x0, z);
    let l = b.un(Op::Log, x0);
    let z2 = b.num(0.0);
    b.node(Op::If, 0, &[cond, l, z2]);
    b.end_constraint();
    b.begin();
    let x0 = b.var(0);
    b.un(Op::Log, x0);
    b.end_objective();
    let m = model(2, b.tape, &[vec![(1, 0.0)], vec![(0, 0.0)]], &[vec![]]);
    let mut d = Derivatives::new(&m).unwrap();
    let e = d.objective(&[-0.5, 1.0]).unwrap_err();
    assert_eq!(e.function, Function::Objective(0));
    match &e.failure {
        Failure::Value(op) => assert_eq!((op.op, op.args[0]), ("log", -0.5)),
        f => panic!("expected a value failure, got {f:?}"),
    }
    assert!(e.to_string().contains("can't evaluate log(-0.5)"), "{e}");
    // the untaken branch's log(-0.5) is not an error
    let mut c = [0.0; 2];
    d.constraints(&[-0.5, 1.0], &mut c).unwrap();
    assert_eq!(c, [1.0, 0.0]);
    let mut j = [0.0; 2];
    d.jacobian_values(&[-0.5, 1.0], &mut j).unwrap();
    assert_eq!(j, [0.5, 0.0]);
    // sqrt at 0 has a value but no derivative
    d.constraints(&[1.0, 0.0], &mut c).unwrap();
    let e = d.jacobian_values(&[1.0, 0.0], &mut j).unwrap_err();
    assert_eq!(e.function, Function::Constraint(0));
    assert_eq!(
        e.failure,
        Failure::Derivative {
            op: Op::Sqrt,
            args: vec![0.0]
        }
    );
    assert!(e.is_derivative());
    let mut h = vec![0.0; d.hessian_structure().0.len()];
    assert!(
        d.hessian_values(&[1.0, 0.0], 1.0, &[1.0, 1.0], &mut h)
            .is_err()
    );
    // an error in a defined variable is reported by its readers
    let mut b = TapeBuilder::default();
    b.begin();
    let x0 = b.var(0);
    b.un(Op::Log, x0);
    b.end_defined();
    b.begin();
    let v = b.def(0);
    b.un(Op::Exp, v);
    b.end_constraint();
    let m = model(1, b.tape, &[vec![(0, 0.0)]], &[]);
    let mut d = Derivatives::new(&m).unwrap();
    let mut c = [0.0];
    let e = d.constraints(&[-1.0], &mut c).unwrap_err();
    assert_eq!(e.function, Function::Constraint(0));
    assert!(
        matches!(e.failure, Failure::Value(op) if op.op == "log"),
        "{e}"
    );
    // without if-then-else the values come from the compiled program: an error in
    // one constraint names it, the others keep their values
    let mut b = TapeBuilder::default();
    b.begin();
    let x0 = b.var(0);
    b.un(Op::Exp, x0);
    b.end_constraint();
    b.begin();
    let x0 = b.var(0);
    b.un(Op::Log, x0);
    b.end_constraint();
    let m = model(1, b.tape, &[vec![(0, 0.0)], vec![(0, 0.0)]], &[]);
    let mut d = Derivatives::new(&m).unwrap();
    let mut c = [0.0; 2];
    let e = d.constraints(&[-1.0], &mut c).unwrap_err();
    assert_eq!(e.function, Function::Constraint(1));
    assert!(e.to_string().contains("can't evaluate log(-1)"), "{e}");
    d.constraints(&[1.0], &mut c).unwrap();
    assert_eq!(c, [1f64.exp(), 0.0]);
}

#[test]
fn checker_reports_wrong_derivatives() {
    // A correct model passes; with a perturbation far too large for a curved
    // function, the checker must flag entries.
    let mut d = hs071();
    let x = [1.0, 5.0, 5.0, 1.0];
    let ok = check_second_order(&mut d, &x);
    assert!(ok.suspicious.is_empty(), "{ok}");
    let coarse = CheckOptions {
        perturbation: 0.5,
        tol: 1e-4,
        second_order: false,
    };
    let bad = check(&mut d, &x, &coarse).unwrap();
    assert!(!bad.suspicious.is_empty());
    let worst = bad.worst.unwrap();
    assert_eq!(worst.rel_error, bad.suspicious[0].rel_error);
}

#[test]
fn malformed_tapes_are_typed_errors() {
    let mut b = TapeBuilder::default();
    b.begin();
    b.def(0);
    b.end_defined();
    let m = model(1, b.tape, &[], &[]);
    let e = Derivatives::new(&m)
        .err()
        .expect("defined variable reads itself");
    assert_eq!(e.function, Function::Defined(0));
    let mut b = TapeBuilder::default();
    b.begin();
    b.var(3);
    b.end_constraint();
    let m = model(1, b.tape, &[vec![]], &[]);
    assert!(Derivatives::new(&m).is_err(), "variable out of range");
}

#[test]
fn quadratic_pieces_use_constant_hessians() {
    // f = (x0 − 3)² + 2 x0 x1 − x1 / 4;  c0 = (x0 + x1)² / 2;  c1 = x0 x1 x2 (cubic)
    let mut b = TapeBuilder::default();
    b.begin();
    let (x0, x1) = (b.var(0), b.var(1));
    let sum = b.bin(Op::Add, x0, x1);
    let sq = b.un(Op::Square, sum);
    let two = b.num(2.0);
    b.bin(Op::Div, sq, two);
    b.end_constraint();
    b.begin();
    let (x0, x1, x2) = (b.var(0), b.var(1), b.var(2));
    let p = b.bin(Op::Mul, x0, x1);
    b.bin(Op::Mul, p, x2);
    b.end_constraint();
    b.begin();
    let x0 = b.var(0);
    let three = b.num(3.0);
    let d = b.bin(Op::Sub, x0, three);
    let sq = b.pow_const(d, 2.0);
    let two = b.num(2.0);
    let x0 = b.var(0);
    let x1 = b.var(1);
    let t = b.bin(Op::Mul, two, x0);
    let t = b.bin(Op::Mul, t, x1);
    let four = b.num(4.0);
    let x1b = b.var(1);
    let q = b.bin(Op::Div, x1b, four);
    let nq = b.un(Op::Neg, q);
    b.node(Op::Sum, 0, &[sq, t, nq]);
    b.end_objective();
    let all = vec![(0, 0.0), (1, 0.0), (2, 0.0)];
    let m = model(3, b.tape, &[all.clone(), all], &[vec![]]);
    let mut d = Derivatives::new(&m).unwrap();
    assert_eq!(
        d.constant_hessian_count(),
        2,
        "objective and c0, not the cubic c1"
    );
    let x = [0.5, -2.0, 3.0];
    let y = [0.5, 2.0];
    let (hr, hc) = d.hessian_structure();
    let (hr, hc) = (hr.to_vec(), hc.to_vec());
    let mut hv = vec![0.0; hr.len()];
    d.hessian_values(&x, 1.5, &y, &mut hv).unwrap();
    let h = dense_lower(3, &hr, &hc, &hv);
    let want = [
        [1.5 * 2.0 + 0.5, 0.0, 0.0],
        [1.5 * 2.0 + 0.5 + 2.0 * x[2], 0.5, 0.0],
        [2.0 * x[1], 2.0 * x[0], 0.0],
    ];
    for r in 0..3 {
        for c in 0..=r {
            assert_close(h[r][c], want[r][c], 1e-15, &format!("h[{r}][{c}]"));
        }
    }
    let report = check_second_order(&mut d, &x);
    assert!(report.suspicious.is_empty(), "{report}");
}

#[test]
fn derivative_test_option_writes_ipopt_style_report() {
    use pounce::autodiff::check::derivative_test;
    use pounce::options::Options;
    let mut b = TapeBuilder::default();
    b.begin();
    let x0 = b.var(0);
    let x1 = b.var(1);
    let p = b.bin(Op::Mul, x0, x1);
    b.un(Op::Exp, p);
    b.end_objective();
    let m = model(2, b.tape, &[], &[vec![(0, 1.0)]]);
    let x = [0.3, -0.7];
    let mut out = Vec::new();
    derivative_test(&m, &x, &Options::with(&[]).unwrap(), &mut out).unwrap();
    assert!(out.is_empty(), "derivative_test none prints nothing");
    let second = Options::with(&[("derivative_test", "second-order")]).unwrap();
    derivative_test(&m, &x, &second, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with("Starting derivative checker for first and second derivatives."),
        "{text}"
    );
    assert!(
        text.contains("No errors detected by derivative checker (5 entries compared)"),
        "{text}"
    );
    // a perturbation far too large reports the curved entries, worst first
    let coarse = Options::with(&[
        ("derivative_test", "first-order"),
        ("derivative_test_perturbation", "0.5"),
    ])
    .unwrap();
    let mut out = Vec::new();
    derivative_test(&m, &x, &coarse, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("* grad_f["), "{text}");
    assert!(
        text.contains("Derivative checker detected 2 error(s)"),
        "{text}"
    );
}

#[test]
fn univariate_terms_of_a_root_sum() {
    // f = 2 (x0 − 1)³ + exp(−x1) / 4 + t + t·x2 with t = x2² shared by two terms:
    // the first two terms are single-variable chains, the last two are not (t is
    // read twice, t·x2 has two active arguments).
    let mut b = TapeBuilder::default();
    b.begin();
    let x0 = b.var(0);
    let one = b.num(1.0);
    let d = b.bin(Op::Sub, x0, one);
    let cube = b.pow_const(d, 3.0);
    let two = b.num(2.0);
    let t0 = b.bin(Op::Mul, two, cube);
    let x1 = b.var(1);
    let n = b.un(Op::Neg, x1);
    let e = b.un(Op::Exp, n);
    let four = b.num(4.0);
    let t1 = b.bin(Op::Div, e, four);
    let x2 = b.var(2);
    let t = b.un(Op::Square, x2);
    let x2b = b.var(2);
    let t3 = b.bin(Op::Mul, t, x2b);
    b.node(Op::Sum, 0, &[t0, t1, t, t3]);
    b.end_objective();
    let m = model(3, b.tape, &[], &[vec![]]);
    let mut d = Derivatives::new(&m).unwrap();
    assert_eq!(d.univariate_term_count(), 2);
    let x = [0.25, -0.5, 1.5];
    let (hr, hc) = d.hessian_structure();
    let (hr, hc) = (hr.to_vec(), hc.to_vec());
    let mut hv = vec![0.0; hr.len()];
    d.hessian_values(&x, 3.0, &[], &mut hv).unwrap();
    let h = dense_lower(3, &hr, &hc, &hv);
    let want = [
        3.0 * 12.0 * (x[0] - 1.0),
        3.0 * (-x[1]).exp() / 4.0,
        3.0 * (2.0 + 6.0 * x[2]),
    ];
    for (j, w) in want.iter().enumerate() {
        assert_close(h[j][j], *w, 1e-14, &format!("h[{j}][{j}]"));
    }
    assert_eq!((h[1][0], h[2][0], h[2][1]), (0.0, 0.0, 0.0));
    let report = check_second_order(&mut d, &x);
    assert!(report.suspicious.is_empty(), "{report}");
}

#[test]
fn univariate_chains_under_a_square() {
    // f = (t0 + t1 + t2 + x0)² with t_j = 3 exp(x_j / 2): each t_j is a chain of three
    // operations whose top has a full row of W (the square couples every pair), and
    // x0 is read both by its chain and directly.
    let mut b = TapeBuilder::default();
    b.begin();
    let mut terms = Vec::new();
    for j in 0..3 {
        let half = b.num(0.5);
        let x = b.var(j);
        let scaled = b.bin(Op::Mul, half, x);
        let e = b.un(Op::Exp, scaled);
        let three = b.num(3.0);
        terms.push(b.bin(Op::Mul, three, e));
    }
    let x0 = b.var(0);
    terms.push(x0);
    let s = b.node(Op::Sum, 0, &terms);
    b.un(Op::Square, s);
    b.end_objective();
    let m = model(3, b.tape, &[], &[vec![]]);
    let mut d = Derivatives::new(&m).unwrap();
    assert_eq!(d.univariate_term_count(), 3);
    let x: [f64; 3] = [0.3, -0.7, 1.1];
    let e: Vec<f64> = x.iter().map(|v| (0.5 * v).exp()).collect();
    let s: f64 = 3.0 * e.iter().sum::<f64>() + x[0];
    let g = [1.5 * e[0] + 1.0, 1.5 * e[1], 1.5 * e[2]];
    let (hr, hc) = d.hessian_structure();
    let (hr, hc) = (hr.to_vec(), hc.to_vec());
    let mut hv = vec![0.0; hr.len()];
    d.hessian_values(&x, 0.5, &[], &mut hv).unwrap();
    let h = dense_lower(3, &hr, &hc, &hv);
    for r in 0..3 {
        for c in 0..=r {
            // σ (2 ∇s ∇sᵀ + 2 s ∇²s) with σ = 0.5
            let diag = if r == c { 0.75 * e[r] } else { 0.0 };
            let want = g[r] * g[c] + s * diag;
            assert_close(h[r][c], want, 1e-14, &format!("h[{r}][{c}]"));
        }
    }
    let report = check_second_order(&mut d, &x);
    assert!(report.suspicious.is_empty(), "{report}");
}

/// Gradients kept from the first point must be those of affine defined variables
/// only: V0 = 3 x0 − x1/4 (affine), V1 = floor(x0) · x1 (its partial floor(x0)
/// changes with the point), C0 = V0², C1 = V1, C2 = x0 + 2 x1 (linear only),
/// f = exp(V0) + x1 · V1. Checked at two points in turn, then at the first again.
#[test]
fn affine_defined_gradients_are_kept_across_points() {
    let mut b = TapeBuilder::default();
    b.begin();
    let (c3, x0) = (b.num(3.0), b.var(0));
    let t = b.bin(Op::Mul, c3, x0);
    let (x1, c4) = (b.var(1), b.num(4.0));
    let q = b.bin(Op::Div, x1, c4);
    b.bin(Op::Sub, t, q);
    b.end_defined();
    b.begin();
    let x0 = b.var(0);
    let fl = b.un(Op::Floor, x0);
    let x1 = b.var(1);
    b.bin(Op::Mul, fl, x1);
    b.end_defined();
    b.begin();
    let v0 = b.def(0);
    b.bin(Op::Mul, v0, v0);
    b.end_constraint();
    b.begin();
    b.def(1);
    b.end_constraint();
    b.begin();
    b.end_constraint();
    b.begin();
    let v0 = b.def(0);
    let e = b.un(Op::Exp, v0);
    let (x1, v1) = (b.var(1), b.def(1));
    let p = b.bin(Op::Mul, x1, v1);
    b.bin(Op::Add, e, p);
    b.end_objective();
    let jac = [vec![], vec![], vec![(0, 1.0), (1, 2.0)]];
    let m = model(2, b.tape, &jac, &[vec![]]);
    let mut d = Derivatives::new(&m).unwrap();
    assert_eq!(d.jacobian_structure().1, &[0, 1, 1, 0, 1]);
    for x in [[0.5_f64, -1.5], [2.5, 1.0], [0.5, -1.5]] {
        let (v0, fl) = (3.0 * x[0] - x[1] / 4.0, x[0].floor());
        let mut g = [0.0; 2];
        d.gradient(&x, &mut g).unwrap();
        assert_close(g[0], 3.0 * v0.exp(), 1e-15, "df/dx0");
        assert_close(g[1], -0.25 * v0.exp() + 2.0 * fl * x[1], 1e-15, "df/dx1");
        let mut j = [0.0; 5];
        d.jacobian_values(&x, &mut j).unwrap();
        let want = [6.0 * v0, -0.5 * v0, fl, 1.0, 2.0];
        for (k, (&got, &w)) in j.iter().zip(&want).enumerate() {
            assert_close(got, w, 1e-15, &format!("jac[{k}] at {x:?}"));
        }
        let report = check_second_order(&mut d, &x);
        assert!(report.suspicious.is_empty(), "{report}");
    }
}
