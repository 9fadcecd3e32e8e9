//! Every differentiable operation: value, gradient, Jacobian and Hessian against
//! central finite differences; piecewise-constant operations have derivative 0; the
//! ASL's conventions at kinks.

mod autodiff_support;

use autodiff_support::*;
use pounce::autodiff::Derivatives;
use pounce::nl::tape::{NodeId, Op};

/// Builds f(x0, x1) = expr as objective 0 and as constraint 0.
fn both(build: &dyn Fn(&mut TapeBuilder) -> NodeId) -> Derivatives<'static> {
    let mut b = TapeBuilder::default();
    b.begin();
    build(&mut b);
    b.end_constraint();
    b.begin();
    build(&mut b);
    b.end_objective();
    let m = model(2, b.tape, &[vec![(0, 0.0), (1, 0.0)]], &[vec![]]);
    // Derivatives borrow their model; a leaked model lets the helper return them.
    Derivatives::new(Box::leak(Box::new(m))).expect("valid tape")
}

/// Checks gradient, Jacobian row and Hessian of `d` at `x` against central differences.
fn check_fd(d: &mut Derivatives<'_>, x: &[f64], what: &str) {
    let n = x.len();
    let h = 1e-6;
    let mut g = vec![0.0; n];
    d.gradient(x, &mut g).unwrap();
    let (jr, jc) = d.jacobian_structure();
    let (jr, jc) = (jr.to_vec(), jc.to_vec());
    let mut jv = vec![0.0; jr.len()];
    d.jacobian_values(x, &mut jv).unwrap();
    let (hr, hc) = d.hessian_structure();
    let (hr, hc) = (hr.to_vec(), hc.to_vec());
    let mut hv = vec![0.0; hr.len()];
    // objective Hessian plus 0.5 × constraint Hessian = 1.5 × Hessian of f
    d.hessian_values(x, 1.0, &[0.5], &mut hv).unwrap();
    let hess = dense_lower(n, &hr, &hc, &hv);
    for j in 0..n {
        let fd = central(&mut |p| d.objective(p).unwrap(), x, j, h);
        assert_close(g[j], fd, 1e-6, &format!("{what}: df/dx{j}"));
        let jac: f64 = (0..jr.len())
            .filter(|&k| jc[k] as usize == j)
            .map(|k| jv[k])
            .sum();
        assert_close(jac, g[j], 1e-14, &format!("{what}: jacobian {j}"));
        for i in j..n {
            let mut gi = vec![0.0; n];
            let fd2 = central(
                &mut |p| {
                    d.gradient(p, &mut gi).unwrap();
                    gi[i]
                },
                x,
                j,
                h,
            );
            assert_close(
                hess[i][j],
                1.5 * fd2,
                1e-5,
                &format!("{what}: d2f/dx{i}dx{j}"),
            );
        }
    }
}

#[test]
fn unary_operations_match_finite_differences() {
    let cases: &[(Op, f64)] = &[
        (Op::Neg, 0.7),
        (Op::Abs, -0.7),
        (Op::Sqrt, 0.7),
        (Op::Exp, 0.7),
        (Op::Log, 0.7),
        (Op::Log10, 0.7),
        (Op::Sin, 0.7),
        (Op::Cos, 0.7),
        (Op::Tan, 0.7),
        (Op::Sinh, 0.7),
        (Op::Cosh, 0.7),
        (Op::Tanh, 0.7),
        (Op::Asin, 0.7),
        (Op::Acos, 0.7),
        (Op::Atan, 0.7),
        (Op::Asinh, 0.7),
        (Op::Acosh, 1.7),
        (Op::Atanh, 0.7),
        (Op::Logistic, 0.7),
        (Op::Square, -0.7),
    ];
    for &(op, x0) in cases {
        // op(x0 · x1) so that second derivatives mix variables
        let mut d = both(&|b| {
            let u = b.var(0);
            let v = b.var(1);
            let p = b.bin(Op::Mul, u, v);
            b.un(op, p)
        });
        check_fd(&mut d, &[x0, 1.0], &format!("{op:?}"));
    }
}

#[test]
fn binary_operations_match_finite_differences() {
    let cases: &[(Op, [f64; 2])] = &[
        (Op::Add, [0.7, 1.3]),
        (Op::Sub, [0.7, 1.3]),
        (Op::Mul, [0.7, 1.3]),
        (Op::Div, [0.7, 1.3]),
        (Op::Pow, [0.7, 1.3]),
        (Op::Atan2, [0.7, -1.3]),
        (Op::Atan2, [2.7, 0.3]),
        (Op::SignPow, [-0.7, 2.5]),
        (Op::Rem, [7.3, 2.0]),
        (Op::Less, [2.0, 1.3]),
    ];
    for &(op, x) in cases {
        let mut d = both(&|b| {
            let u = b.var(0);
            let v = b.var(1);
            let w = b.un(Op::Sin, v);
            let s = b.bin(Op::Add, w, v);
            let p = b.bin(op, u, s);
            b.bin(Op::Mul, p, u)
        });
        check_fd(&mut d, &x, &format!("{op:?}"));
    }
}

#[test]
fn powers_with_constant_exponent_or_base() {
    // (x0)^3 at x0 = -2: value -8, derivative 12 (valid for a negative base)
    let mut d = both(&|b| {
        let u = b.var(0);
        b.pow_const(u, 3.0)
    });
    assert_eq!(d.objective(&[-2.0, 0.0]).unwrap(), -8.0);
    let mut g = [0.0; 2];
    d.gradient(&[-2.0, 0.0], &mut g).unwrap();
    assert_eq!(g, [12.0, 0.0]);
    check_fd(&mut d, &[-2.0, 0.5], "x^3");
    // 2^x0 at 3: value 8, derivative 8 ln 2
    let mut d = both(&|b| {
        let u = b.var(0);
        b.const_pow(2.0, u)
    });
    assert_eq!(d.objective(&[3.0, 0.0]).unwrap(), 8.0);
    d.gradient(&[3.0, 0.0], &mut g).unwrap();
    assert_close(g[0], 8.0 * 2f64.ln(), 1e-15, "2^x");
    check_fd(&mut d, &[3.0, 0.5], "2^x");
    // Pow with a constant exponent node behaves like PowConstExp, also for a < 0
    let mut d = both(&|b| {
        let u = b.var(0);
        let c = b.num(3.0);
        b.bin(Op::Pow, u, c)
    });
    d.gradient(&[-2.0, 0.0], &mut g).unwrap();
    assert_eq!(g, [12.0, 0.0]);
    // 2 x0^2 written as Mul(2, Square): gradient 4x, Hessian 4
    let mut d = both(&|b| {
        let c = b.num(2.0);
        let u = b.var(0);
        let s = b.pow_const(u, 2.0);
        b.bin(Op::Mul, c, s)
    });
    d.gradient(&[1.5, 0.0], &mut g).unwrap();
    assert_eq!(g, [6.0, 0.0]);
    let mut h = vec![0.0; d.hessian_structure().0.len()];
    d.hessian_values(&[1.5, 0.0], 1.0, &[0.0], &mut h).unwrap();
    assert_eq!(h, vec![4.0]);
}

#[test]
fn asl_conventions_at_kinks() {
    let grad_at = |d: &mut Derivatives<'_>, x: [f64; 2]| {
        let mut g = [0.0; 2];
        d.gradient(&x, &mut g).unwrap();
        g
    };
    // abs'(0) = +1
    let mut d = both(&|b| {
        let u = b.var(0);
        b.un(Op::Abs, u)
    });
    assert_eq!(grad_at(&mut d, [0.0, 0.0]), [1.0, 0.0]);
    // min/max follow the first extreme operand
    for op in [Op::Min, Op::Max] {
        let mut d = both(&|b| {
            let u = b.var(0);
            let v = b.var(1);
            b.node(op, 0, &[u, v])
        });
        assert_eq!(grad_at(&mut d, [1.0, 1.0]), [1.0, 0.0], "{op:?} tie");
        let want = if op == Op::Min {
            [0.0, 1.0]
        } else {
            [1.0, 0.0]
        };
        assert_eq!(grad_at(&mut d, [2.0, 1.0]), want, "{op:?}");
    }
    // piecewise-linear term: slopes (-1, 0.5, 2), breakpoints (1, 3)
    let mut d = both(&|b| {
        let u = b.var(0);
        b.plterm(&[-1.0, 0.5, 2.0], &[1.0, 3.0], u)
    });
    assert_eq!(d.objective(&[2.0, 0.0]).unwrap(), -0.5);
    assert_eq!(d.objective(&[5.0, 0.0]).unwrap(), 4.0);
    assert_eq!(grad_at(&mut d, [2.0, 0.0])[0], 0.5);
    assert_eq!(
        grad_at(&mut d, [1.0, 0.0])[0],
        -1.0,
        "breakpoint > 0 takes the left slope"
    );
    assert_eq!(grad_at(&mut d, [3.0, 0.0])[0], 0.5);
    let mut d = both(&|b| {
        let u = b.var(0);
        b.plterm(&[-1.0, 2.0], &[0.0], u)
    });
    assert_eq!(d.objective(&[-3.0, 0.0]).unwrap(), 3.0);
    assert_eq!(d.objective(&[4.0, 0.0]).unwrap(), 8.0);
    assert_eq!(grad_at(&mut d, [-3.0, 0.0])[0], -1.0);
    let mut d = both(&|b| {
        let u = b.var(0);
        b.plterm(&[-1.0, 2.0], &[-1.0], u)
    });
    assert_eq!(d.objective(&[-3.0, 0.0]).unwrap(), 0.0);
    assert_eq!(
        grad_at(&mut d, [-1.0, 0.0])[0],
        2.0,
        "breakpoint < 0 takes the right slope"
    );
    // if-then-else takes the branch's derivative; floor has derivative 0
    let mut d = both(&|b| {
        let u = b.var(0);
        let v = b.var(1);
        let z = b.num(0.0);
        let c = b.bin(Op::Gt, u, z);
        let sq = b.un(Op::Square, v);
        let fl = b.un(Op::Floor, u);
        let then = b.bin(Op::Add, sq, fl);
        b.node(Op::If, 0, &[c, then, u])
    });
    assert_eq!(grad_at(&mut d, [1.5, 3.0]), [0.0, 6.0]);
    assert_eq!(grad_at(&mut d, [-1.5, 3.0]), [1.0, 0.0]);
}

#[test]
fn piecewise_constant_and_logical_operations_have_zero_derivative() {
    let ops: &[Op] = &[Op::Floor, Op::Ceil, Op::Not];
    for &op in ops {
        let mut d = both(&|b| {
            let u = b.var(0);
            let e = b.un(Op::Exp, u);
            b.un(op, e)
        });
        let mut g = [1.0; 2];
        d.gradient(&[0.3, 0.0], &mut g).unwrap();
        assert_eq!(g, [0.0, 0.0], "{op:?}");
        assert!(d.hessian_structure().0.is_empty(), "{op:?}");
    }
    let binary: &[Op] = &[
        Op::IntDiv,
        Op::Round,
        Op::Trunc,
        Op::Precision,
        Op::Lt,
        Op::Le,
        Op::Eq,
        Op::Ge,
        Op::Gt,
        Op::Ne,
        Op::And,
        Op::Or,
        Op::Iff,
    ];
    for &op in binary {
        let mut d = both(&|b| {
            let u = b.var(0);
            let v = b.var(1);
            b.bin(op, u, v)
        });
        let mut g = [1.0; 2];
        d.gradient(&[7.3, 2.0], &mut g).unwrap();
        assert_eq!(g, [0.0, 0.0], "{op:?}");
    }
}

#[test]
fn rounding_operations_follow_the_spec_values() {
    let value = |op: Op, a: f64, c: f64| {
        let mut d = both(&|b| {
            let u = b.var(0);
            let v = b.var(1);
            b.bin(op, u, v)
        });
        d.objective(&[a, c]).unwrap()
    };
    assert_eq!(value(Op::Round, 2.5, 0.0), 2.0);
    assert_eq!(value(Op::Round, 3.5, 0.0), 4.0);
    assert_eq!(value(Op::Round, -2.5, 0.0), -2.0);
    assert_eq!(value(Op::Round, 1.235, 2.0), 1.24);
    assert_eq!(value(Op::Round, 1.245, 2.0), 1.25);
    assert_eq!(value(Op::Trunc, -2.75, 0.0), -2.0);
    // the spec prints this value with 17 digits as -2.7000000000000002
    assert_eq!(value(Op::Trunc, -2.75, 1.0), -2.7);
    assert_eq!(value(Op::Precision, 123456.0, 2.0), 120000.0);
    assert_eq!(value(Op::Rem, -7.0, 2.0), -1.0);
    assert_eq!(value(Op::IntDiv, -7.0, 2.0), -3.0);
    assert_eq!(value(Op::Less, 3.0, 5.0), 0.0);
    assert_eq!(value(Op::Less, 7.0, 5.0), 2.0);
}
