//! Ridge terms: terms of a piece that are functions of one affine form, `g(aᵀx)`,
//! whose Hessian `w g'' a aᵀ` is added into fixed positions instead of by edge
//! pushing. What the recognizer takes and what it must leave to edge pushing, the
//! values against closed forms and finite differences, and a generated model with
//! n = 10⁵.

mod autodiff_support;

use autodiff_support::*;
use pounce::autodiff::Derivatives;
use pounce::autodiff::check::{CheckOptions, check};
use pounce::nl::tape::{NodeId, Op};

/// `v (v (v² − 20) − 0.1)` = v⁴ − 20 v² − 0.1 v, as the AMPL-written curly models
/// spell it, with `v` a new leaf each time `leaf` is called.
fn curly_term(b: &mut TapeBuilder, mut leaf: impl FnMut(&mut TapeBuilder) -> NodeId) -> NodeId {
    let v = leaf(b);
    let sq = b.pow_const(v, 2.0);
    let twenty = b.num(20.0);
    let s = b.bin(Op::Sub, sq, twenty);
    let v2 = leaf(b);
    let m = b.bin(Op::Mul, v2, s);
    let tenth = b.num(0.1);
    let s2 = b.bin(Op::Sub, m, tenth);
    let v3 = leaf(b);
    b.bin(Op::Mul, v3, s2)
}

/// Second derivative of `t⁴ − 20 t² − 0.1 t`.
fn curly_g2(t: f64) -> f64 {
    12.0 * t * t - 40.0
}

/// Sum of the variables `first..first + len`.
fn window(b: &mut TapeBuilder, first: u32, len: u32) -> NodeId {
    let xs: Vec<_> = (first..first + len).map(|j| b.var(j)).collect();
    b.node(Op::Sum, 0, &xs)
}

/// The objective `Σ_i g(v_i)` over the first `count` defined variables, `g` as in curly10.
fn curly_objective(b: &mut TapeBuilder, count: u32) {
    b.begin();
    let terms: Vec<_> = (0..count).map(|i| curly_term(b, |b| b.def(i))).collect();
    b.node(Op::Sum, 0, &terms);
    b.end_objective();
}

/// The defined variables `v_i = x_i + … + x_{i+len−1}`, `i = 0..=n − len`.
fn window_defined_variables(b: &mut TapeBuilder, n: u32, len: u32) {
    for i in 0..=n - len {
        b.begin();
        window(b, i, len);
        b.end_defined();
    }
}

fn second_order_report(d: &mut Derivatives<'_>, x: &[f64]) -> String {
    let opts = CheckOptions {
        second_order: true,
        ..Default::default()
    };
    let report = check(d, x, &opts).unwrap();
    assert!(report.suspicious.is_empty(), "{report}");
    format!("{report}")
}

#[test]
fn window_sums_and_proportional_leaves_are_ridges() {
    // v_i = x_i + x_{i+1} + x_{i+2} (defined variables), f = Σ_i g(v_i) with g as in
    // curly10 and v_i read three times; c0 = (x0 − 2 x3) exp(0.5 x0 − x3), whose two
    // affine leaves are proportional (factor 0.5); c1 = the same g of a window sum
    // written out three times inside the term (as the Pyomo-written files do).
    let (n, k) = (8u32, 3u32);
    let mut b = TapeBuilder::default();
    window_defined_variables(&mut b, n, k);
    b.begin();
    let x0 = b.var(0);
    let two = b.num(2.0);
    let x3 = b.var(3);
    let t = b.bin(Op::Mul, two, x3);
    let l1 = b.bin(Op::Sub, x0, t);
    let half = b.num(0.5);
    let x0b = b.var(0);
    let hx = b.bin(Op::Mul, half, x0b);
    let x3b = b.var(3);
    let l2 = b.bin(Op::Sub, hx, x3b);
    let e = b.un(Op::Exp, l2);
    b.bin(Op::Mul, l1, e);
    b.end_constraint();
    b.begin();
    curly_term(&mut b, |b| window(b, 4, 4));
    b.end_constraint();
    curly_objective(&mut b, n - k + 1);
    let jac = [vec![(0, 0.0), (3, 0.0)], (4..8).map(|j| (j, 0.0)).collect()];
    let m = model(n as usize, b.tape, &jac, &[vec![]]);
    let mut d = Derivatives::new(&m).unwrap();
    assert_eq!(d.ridge_term_count(), (n - k + 1) as usize + 2);

    let x: Vec<f64> = (0..n)
        .map(|j| 0.3 + 0.2 * f64::from(j) - 0.05 * f64::from(j * j))
        .collect();
    let (sigma, y) = (0.5, [1.5, -0.25]);
    let (hr, hc) = d.hessian_structure();
    let (hr, hc) = (hr.to_vec(), hc.to_vec());
    let mut hv = vec![0.0; hr.len()];
    d.hessian_values(&x, sigma, &y, &mut hv).unwrap();
    let h = dense_lower(n as usize, &hr, &hc, &hv);
    let mut want = vec![vec![0.0; n as usize]; n as usize];
    let mut add_block = |vars: &[(usize, f64)], s: f64| {
        for &(r, a) in vars {
            for &(c, b) in vars.iter().filter(|v| v.0 <= r) {
                want[r][c] += s * a * b;
            }
        }
    };
    for i in 0..=(n - k) as usize {
        let win: Vec<(usize, f64)> = (i..i + k as usize).map(|j| (j, 1.0)).collect();
        let q: f64 = win.iter().map(|&(j, _)| x[j]).sum();
        add_block(&win, sigma * curly_g2(q));
    }
    let t = x[0] - 2.0 * x[3];
    add_block(
        &[(0, 1.0), (3, -2.0)],
        y[0] * (0.5 * t).exp() * (1.0 + 0.25 * t),
    );
    let win: Vec<(usize, f64)> = (4..8).map(|j| (j, 1.0)).collect();
    add_block(&win, y[1] * curly_g2(x[4..8].iter().sum()));
    for r in 0..n as usize {
        for c in 0..=r {
            assert_close(h[r][c], want[r][c], 1e-13, &format!("h[{r}][{c}]"));
        }
    }
    second_order_report(&mut d, &x);
}

#[test]
fn terms_that_are_not_ridges_are_left_to_edge_pushing() {
    // Objective terms, none a ridge:
    //   exp(x0) x1                 two affine leaves that are not proportional
    //   (x2 + 0.5)⁴                a univariate chain (left to the chain rule)
    //   abs(x3 + x4)               no second derivative
    //   v (x0 + x1), v = exp(x0)   reads a defined variable that is not affine
    //   (Σ_{j<300} x_j)³           an affine form longer than the limit
    //   s, s x8 with s = (x5 + x7)²  s is read twice, by the sum and by s x8
    // c0 = log(10 + (x0 + x1)² + (x1 + x2)²): the root is nonlinear and its leaves
    // differ, so the piece is no ridge either. c1 = (x5 − x6)⁴ + sin(x5 − x6): two
    // ridges, for contrast.
    let n = 300;
    let mut b = TapeBuilder::default();
    b.begin();
    let x0 = b.var(0);
    b.un(Op::Exp, x0);
    b.end_defined();
    b.begin();
    let x0 = b.var(0);
    let x1 = b.var(1);
    let sq = |b: &mut TapeBuilder, i: u32, j: u32| {
        let (xi, xj) = (b.var(i), b.var(j));
        let s = b.bin(Op::Add, xi, xj);
        b.un(Op::Square, s)
    };
    let s1 = sq(&mut b, 0, 1);
    let s2 = sq(&mut b, 1, 2);
    let ten = b.num(10.0);
    let s = b.node(Op::Sum, 0, &[ten, s1, s2]);
    let _ = (x0, x1);
    b.un(Op::Log, s);
    b.end_constraint();
    b.begin();
    let diff = |b: &mut TapeBuilder| {
        let (x5, x6) = (b.var(5), b.var(6));
        b.bin(Op::Sub, x5, x6)
    };
    let d1 = diff(&mut b);
    let p = b.pow_const(d1, 4.0);
    let d2 = diff(&mut b);
    let s = b.un(Op::Sin, d2);
    b.bin(Op::Add, p, s);
    b.end_constraint();
    b.begin();
    let x0 = b.var(0);
    let e = b.un(Op::Exp, x0);
    let x1 = b.var(1);
    let t0 = b.bin(Op::Mul, e, x1);
    let x2 = b.var(2);
    let half = b.num(0.5);
    let a = b.bin(Op::Add, x2, half);
    let t1 = b.pow_const(a, 4.0);
    let (x3, x4) = (b.var(3), b.var(4));
    let a = b.bin(Op::Add, x3, x4);
    let t2 = b.un(Op::Abs, a);
    let v = b.def(0);
    let (x0, x1) = (b.var(0), b.var(1));
    let a = b.bin(Op::Add, x0, x1);
    let t3 = b.bin(Op::Mul, v, a);
    let all = window(&mut b, 0, n);
    let t4 = b.pow_const(all, 3.0);
    let (x5, x7) = (b.var(5), b.var(7));
    let a = b.bin(Op::Add, x5, x7);
    let t5 = b.un(Op::Square, a);
    let x8 = b.var(8);
    let t6 = b.bin(Op::Mul, t5, x8);
    b.node(Op::Sum, 0, &[t0, t1, t2, t3, t4, t5, t6]);
    b.end_objective();
    let jac = [(0..3).map(|j| (j, 0.0)).collect(), vec![(5, 0.0), (6, 0.0)]];
    let m = model(n as usize, b.tape, &jac, &[vec![]]);
    let mut d = Derivatives::new(&m).unwrap();
    assert_eq!(d.ridge_term_count(), 2);
    assert_eq!(d.univariate_term_count(), 1);
    let x: Vec<f64> = (0..n).map(|j| 0.01 * f64::from(j % 17) - 0.03).collect();
    second_order_report(&mut d, &x);
}

#[test]
fn banded_ridges_with_n_1e5_stay_linear() {
    // f  = Σ_i g(v_i), v_i = x_i + … + x_{i+4} (defined variables), g as in curly10
    // c0 = Σ_i (x_i − x_{i+1})⁴      ridges whose form has coefficients ±1
    // c1 = abs(Σ_j x_j)             a dense row without second derivative: its
    //                               Hessian block must not enter the structure
    const N: u32 = 100_000;
    const K: u32 = 5;
    let mut b = TapeBuilder::default();
    window_defined_variables(&mut b, N, K);
    b.begin();
    let terms: Vec<_> = (0..N - 1)
        .map(|i| {
            let (xi, xj) = (b.var(i), b.var(i + 1));
            let s = b.bin(Op::Sub, xi, xj);
            b.pow_const(s, 4.0)
        })
        .collect();
    b.node(Op::Sum, 0, &terms);
    b.end_constraint();
    b.begin();
    let all = window(&mut b, 0, N);
    b.un(Op::Abs, all);
    b.end_constraint();
    curly_objective(&mut b, N - K + 1);
    let all: Vec<(u32, f64)> = (0..N).map(|j| (j, 0.0)).collect();
    let m = model(N as usize, b.tape, &[all.clone(), all], &[vec![]]);
    let mut d = Derivatives::new(&m).unwrap();
    let n = N as usize;
    assert_eq!(d.ridge_term_count(), (N - K + 1 + N - 1) as usize);

    let (hr, hc) = d.hessian_structure();
    assert_eq!(
        hr.len(),
        5 * n - 10,
        "the band of width 5, nothing of the dense row"
    );
    assert!(hr.iter().zip(hc).all(|(r, c)| r - c < K));
    assert!(
        d.edge_pattern_size() <= 6 * n,
        "edge pattern {} not linear in n",
        d.edge_pattern_size()
    );

    let x: Vec<f64> = (0..N).map(|j| 0.5 * (f64::from(j) * 0.37).sin()).collect();
    let (sigma, y) = (0.75, [0.5, 2.0]);
    let mut h = vec![0.0; hr.len()];
    d.hessian_values(&x, sigma, &y, &mut h).unwrap();
    let (hr, hc) = d.hessian_structure();
    let q: Vec<f64> = (0..=n - K as usize)
        .map(|i| x[i..i + K as usize].iter().sum())
        .collect();
    for e in (0..h.len()).step_by(101) {
        let (r, c) = (hr[e] as usize, hc[e] as usize);
        // windows i containing both r and c: max(0, r − 4) ≤ i ≤ min(c, N − 5)
        let windows = r.saturating_sub(K as usize - 1)..=c.min(n - K as usize);
        let mut want: f64 = windows.map(|i| sigma * curly_g2(q[i])).sum();
        let quartic = |i: usize| 12.0 * y[0] * (x[i] - x[i + 1]).powi(2);
        if r == c {
            want += if r > 0 { quartic(r - 1) } else { 0.0 };
            want += if r + 1 < n { quartic(r) } else { 0.0 };
        } else if r == c + 1 {
            want -= quartic(c);
        }
        assert_close(h[e], want, 1e-12, &format!("h[{r}][{c}]"));
    }
}

#[test]
fn defined_variables_read_many_times_over_are_not_expanded_without_bound() {
    // d1 = Σ (64 times) u with u = x0 + x1, d_{k+1} = Σ (64 times) d_k up to d5, so
    // d5 = 2³⁰ (x0 + x1); f = sin(1e-9 d5). Expanding d5 into its affine form read by
    // read would visit 64⁵ ≈ 10⁹ reads: the term is left to edge pushing instead.
    let mut b = TapeBuilder::default();
    b.begin();
    let (x0, x1) = (b.var(0), b.var(1));
    b.bin(Op::Add, x0, x1);
    b.end_defined();
    for k in 0..5 {
        b.begin();
        let reads: Vec<_> = (0..64).map(|_| b.def(k)).collect();
        b.node(Op::Sum, 0, &reads);
        b.end_defined();
    }
    b.begin();
    let c = b.num(1e-9);
    let d5 = b.def(5);
    let t = b.bin(Op::Mul, c, d5);
    b.un(Op::Sin, t);
    b.end_objective();
    let m = model(2, b.tape, &[], &[vec![]]);
    let mut d = Derivatives::new(&m).unwrap();
    assert_eq!(d.ridge_term_count(), 0);
    let x = [0.3, 0.45];
    let (hr, hc) = d.hessian_structure();
    let (hr, hc) = (hr.to_vec(), hc.to_vec());
    let mut hv = vec![0.0; hr.len()];
    d.hessian_values(&x, 1.0, &[], &mut hv).unwrap();
    let h = dense_lower(2, &hr, &hc, &hv);
    let c = 1e-9 * 2f64.powi(30);
    let want = -c * c * (c * (x[0] + x[1])).sin();
    for (r, col) in [(0, 0), (1, 0), (1, 1)] {
        assert_close(h[r][col], want, 1e-12, &format!("h[{r}][{col}]"));
    }
}
