//! Generated models with n = 10⁵: a dense nonlinear row, and defined variables read by
//! many functions. The cost of a Hessian evaluation is proportional to the size of the
//! edge-pushing pattern and of a gradient/Jacobian to the slot count plus the stored
//! defined-variable gradients, so these sizes are asserted to grow linearly.

mod autodiff_support;

use autodiff_support::*;
use pounce::autodiff::Derivatives;
use pounce::nl::tape::Op;

const N: usize = 100_000;

fn point() -> Vec<f64> {
    (0..N).map(|i| 0.5 + (i as f64 * 0.37).sin()).collect()
}

#[test]
fn dense_nonlinear_row_stays_linear() {
    // c0 = Σ_i (x_i² + sin x_i)   (a nonlinear budget row over every variable)
    // c1 = Σ_i x_i x_{i+1}        (a chain: tridiagonal Hessian)
    // f  = Σ_i exp(x_i) + Σ_i x_i (linear part in G)
    let mut b = TapeBuilder::default();
    b.begin();
    let terms: Vec<_> = (0..N as u32)
        .map(|i| {
            let x = b.var(i);
            let s = b.un(Op::Square, x);
            let t = b.un(Op::Sin, x);
            b.bin(Op::Add, s, t)
        })
        .collect();
    b.node(Op::Sum, 0, &terms);
    b.end_constraint();
    b.begin();
    let terms: Vec<_> = (0..N as u32 - 1)
        .map(|i| {
            let x = b.var(i);
            let y = b.var(i + 1);
            b.bin(Op::Mul, x, y)
        })
        .collect();
    b.node(Op::Sum, 0, &terms);
    b.end_constraint();
    b.begin();
    let terms: Vec<_> = (0..N as u32)
        .map(|i| {
            let x = b.var(i);
            b.un(Op::Exp, x)
        })
        .collect();
    b.node(Op::Sum, 0, &terms);
    b.end_objective();
    let all: Vec<(u32, f64)> = (0..N as u32).map(|i| (i, 0.0)).collect();
    let ones: Vec<(u32, f64)> = (0..N as u32).map(|i| (i, 1.0)).collect();
    let m = model(N, b.tape, &[all.clone(), all], &[ones]);
    let mut d = Derivatives::new(&m).unwrap();

    let (hr, hc) = d.hessian_structure();
    assert_eq!(hr.len(), 2 * N - 1, "diagonal plus one subdiagonal");
    assert!(hr.iter().zip(hc).all(|(r, c)| r - c <= 1));
    assert!(
        d.edge_pattern_size() <= 3 * N,
        "edge pattern {} not linear in n",
        d.edge_pattern_size()
    );
    assert!(d.slot_count() <= 8 * N);
    assert_eq!(d.jacobian_structure().0.len(), 2 * N);

    let x = point();
    let y = [0.25, -0.5];
    let mut h = vec![0.0; hr.len()];
    d.hessian_values(&x, 2.0, &y, &mut h).unwrap();
    let (hr, hc) = d.hessian_structure();
    for k in (0..h.len()).step_by(997) {
        let (r, c) = (hr[k] as usize, hc[k] as usize);
        let want = if r == c {
            2.0 * x[r].exp() + y[0] * (2.0 - x[r].sin())
        } else {
            y[1]
        };
        assert_close(h[k], want, 1e-14, &format!("h[{r}][{c}]"));
    }
    let mut g = vec![0.0; N];
    d.gradient(&x, &mut g).unwrap();
    assert_close(g[N / 2], x[N / 2].exp() + 1.0, 1e-15, "gradient");
    let mut j = vec![0.0; 2 * N];
    d.jacobian_values(&x, &mut j).unwrap();
    assert_close(j[7], 2.0 * x[7] + x[7].cos(), 1e-15, "jacobian row 0");
    assert_close(j[N + 7], x[6] + x[8], 1e-15, "jacobian row 1");
}

#[test]
fn defined_variables_read_by_many_functions_are_differentiated_once() {
    // v0 = x0 x1 + exp(x2)          read by N constraints c_k = v0 + x_k²
    // v1 = Σ_i sin(x_i)             read by the objective f = 3 v1 + v0 and 10
    //                               more constraints c = 2 v1 + x_k
    let mut b = TapeBuilder::default();
    b.begin();
    let (x0, x1, x2) = (b.var(0), b.var(1), b.var(2));
    let p = b.bin(Op::Mul, x0, x1);
    let e = b.un(Op::Exp, x2);
    b.bin(Op::Add, p, e);
    b.end_defined();
    b.begin();
    let terms: Vec<_> = (0..N as u32)
        .map(|i| {
            let x = b.var(i);
            b.un(Op::Sin, x)
        })
        .collect();
    b.node(Op::Sum, 0, &terms);
    b.end_defined();
    let mut jac = Vec::new();
    for k in 0..N as u32 {
        b.begin();
        let v = b.def(0);
        let x = b.var(k);
        let s = b.un(Op::Square, x);
        b.bin(Op::Add, v, s);
        b.end_constraint();
        let mut row = vec![(0, 0.0), (1, 0.0), (2, 0.0)];
        if k > 2 {
            row.push((k, 0.0));
        }
        jac.push(row);
    }
    for k in 0..10 {
        b.begin();
        let two = b.num(2.0);
        let v = b.def(1);
        b.bin(Op::Mul, two, v);
        b.end_constraint();
        jac.push(vec![(k, 1.0)]);
    }
    b.begin();
    let three = b.num(3.0);
    let v1 = b.def(1);
    let t = b.bin(Op::Mul, three, v1);
    let v0 = b.def(0);
    b.bin(Op::Add, t, v0);
    b.end_objective();
    let m = model(N, b.tape, &jac, &[vec![]]);
    let mut d = Derivatives::new(&m).unwrap();

    // one stored gradient per defined variable: 3 + N entries, not one per reader
    assert_eq!(d.defined_gradient_size(), 3 + N);
    assert!(d.slot_count() <= 8 * N, "slots {}", d.slot_count());
    // Hessian: the 3×3 block of v0, the diagonal of the x_k² and of v1
    let nnz_h = d.hessian_structure().0.len();
    assert!(nnz_h <= N + 3, "hessian nnz {nnz_h}");
    assert!(
        d.edge_pattern_size() <= 4 * N,
        "edge pattern {}",
        d.edge_pattern_size()
    );
    let nnz_j = d.jacobian_structure().0.len();
    assert_eq!(nnz_j, 4 * N - 3 + 10 * N);

    let x = point();
    let y: Vec<f64> = (0..N + 10)
        .map(|i| if i % 2 == 0 { 0.5 } else { -0.25 })
        .collect();
    let mut h = vec![0.0; nnz_h];
    d.hessian_values(&x, 1.0, &y, &mut h).unwrap();
    let (hr, hc) = d.hessian_structure();
    let sum_y: f64 = y[..N].iter().sum::<f64>() + 1.0; // every reader of v0, objective weight 1
    let sum_y_v1: f64 = 3.0 + 2.0 * y[N..].iter().sum::<f64>();
    for k in 0..h.len() {
        let (r, c) = (hr[k] as usize, hc[k] as usize);
        let want = match (r, c) {
            (1, 0) => sum_y,
            (2, 2) => sum_y * x[2].exp() + 2.0 * y[2] - sum_y_v1 * x[2].sin(),
            _ if r == c => 2.0 * y[r] - sum_y_v1 * x[r].sin(),
            _ => 0.0,
        };
        assert_close(h[k], want, 1e-12, &format!("h[{r}][{c}]"));
    }
    let mut j = vec![0.0; nnz_j];
    d.jacobian_values(&x, &mut j).unwrap();
    // row N + 3 (c = 2 v1 + x3): 2 cos(x_i) + [i = 3]
    let (jr, jc) = d.jacobian_structure();
    let start = jr.iter().position(|&r| r as usize == N + 3).unwrap();
    for k in start..start + N {
        let i = jc[k] as usize;
        let want = 2.0 * x[i].cos() + if i == 3 { 1.0 } else { 0.0 };
        assert_close(j[k], want, 1e-15, "dense row through v1");
    }
}
