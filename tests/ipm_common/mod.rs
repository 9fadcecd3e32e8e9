//! Shared pieces of the interior-point tests: small dense problems written by hand and
//! a run helper.
#![allow(dead_code)]

use pounce::ipm::{
    self, EvalError, EvalResult, IpmOptions, LinearSolverFactory, Nlp, StartingPoint,
};
use pounce::linsol::SymmetricIndefiniteSolver;
use pounce::linsol::dense::DenseLdlt;
use pounce::linsol::sparse::SparseLdlt;
use pounce::outcome::Solution;

type F = fn(&[f64]) -> Option<f64>;
type V = fn(&[f64], &mut [f64]) -> Option<()>;
type H = fn(&[f64], f64, &[f64], &mut [f64]);

/// A small problem with dense derivatives: Jacobian row-major `m × n`, Hessian lower
/// triangle packed by rows.
pub struct Dense {
    pub n: usize,
    pub m: usize,
    pub xl: Vec<f64>,
    pub xu: Vec<f64>,
    pub gl: Vec<f64>,
    pub gu: Vec<f64>,
    pub x0: Vec<f64>,
    pub maximize: bool,
    pub f: F,
    pub grad: V,
    pub g: V,
    pub jac: V,
    pub hess: Option<H>,
}

pub fn no_g(_: &[f64], _: &mut [f64]) -> Option<()> {
    Some(())
}

impl Nlp for Dense {
    fn num_variables(&self) -> usize {
        self.n
    }
    fn num_constraints(&self) -> usize {
        self.m
    }
    fn variable_bounds(&self, l: &mut [f64], u: &mut [f64]) {
        l.copy_from_slice(&self.xl);
        u.copy_from_slice(&self.xu);
    }
    fn constraint_bounds(&self, l: &mut [f64], u: &mut [f64]) {
        l.copy_from_slice(&self.gl);
        u.copy_from_slice(&self.gu);
    }
    fn starting_point(&self) -> StartingPoint {
        StartingPoint {
            x: self.x0.clone(),
            ..Default::default()
        }
    }
    fn maximize(&self) -> bool {
        self.maximize
    }
    fn eval_f(&self, x: &[f64]) -> EvalResult<f64> {
        (self.f)(x).ok_or(EvalError)
    }
    fn eval_grad_f(&self, x: &[f64], g: &mut [f64]) -> EvalResult<()> {
        (self.grad)(x, g).ok_or(EvalError)
    }
    fn eval_g(&self, x: &[f64], g: &mut [f64]) -> EvalResult<()> {
        (self.g)(x, g).ok_or(EvalError)
    }
    fn jacobian_structure(&self) -> Vec<(usize, usize)> {
        (0..self.m)
            .flat_map(|i| (0..self.n).map(move |j| (i, j)))
            .collect()
    }
    fn eval_jacobian(&self, x: &[f64], v: &mut [f64]) -> EvalResult<()> {
        (self.jac)(x, v).ok_or(EvalError)
    }
    fn hessian_structure(&self) -> Option<Vec<(usize, usize)>> {
        self.hess?;
        Some(
            (0..self.n)
                .flat_map(|i| (0..=i).map(move |j| (i, j)))
                .collect(),
        )
    }
    fn eval_hessian(&self, x: &[f64], of: f64, l: &[f64], v: &mut [f64]) -> EvalResult<()> {
        (self.hess.ok_or(EvalError)?)(x, of, l, v);
        Ok(())
    }
}

/// Solves with the sparse multifrontal LDLᵀ; returns the solution and the log.
pub fn run(p: &dyn Nlp, opt: &IpmOptions) -> (Solution, String) {
    let make = || Box::new(SparseLdlt::new()) as Box<dyn SymmetricIndefiniteSolver>;
    run_with(p, opt, "sparse-ldlt", &make)
}

/// Solves with the dense LDLᵀ; returns the solution and the log.
pub fn run_dense(p: &dyn Nlp, opt: &IpmOptions) -> (Solution, String) {
    let make = || Box::new(DenseLdlt::new()) as Box<dyn SymmetricIndefiniteSolver>;
    run_with(p, opt, "dense-ldlt", &make)
}

fn run_with(
    p: &dyn Nlp,
    opt: &IpmOptions,
    name: &str,
    make: &dyn Fn() -> Box<dyn SymmetricIndefiniteSolver>,
) -> (Solution, String) {
    let factory = LinearSolverFactory { name, make };
    let mut out = Vec::new();
    let sol = ipm::solve(p, opt, &factory, &mut out);
    (sol, String::from_utf8(out).expect("utf-8 log"))
}

pub fn quiet() -> IpmOptions {
    IpmOptions {
        sb: true,
        ..IpmOptions::default()
    }
}

const INF: f64 = f64::INFINITY;

/// HS071 (Hock & Schittkowski 71), as in Ipopt's documentation.
pub fn hs071() -> Dense {
    Dense {
        n: 4,
        m: 2,
        xl: vec![1.0; 4],
        xu: vec![5.0; 4],
        gl: vec![25.0, 40.0],
        gu: vec![INF, 40.0],
        x0: vec![1.0, 5.0, 5.0, 1.0],
        maximize: false,
        f: |x| Some(x[0] * x[3] * (x[0] + x[1] + x[2]) + x[2]),
        grad: |x, g| {
            g[0] = x[3] * (2.0 * x[0] + x[1] + x[2]);
            g[1] = x[0] * x[3];
            g[2] = x[0] * x[3] + 1.0;
            g[3] = x[0] * (x[0] + x[1] + x[2]);
            Some(())
        },
        g: |x, g| {
            g[0] = x[0] * x[1] * x[2] * x[3];
            g[1] = x.iter().map(|v| v * v).sum();
            Some(())
        },
        jac: |x, v| {
            v[0] = x[1] * x[2] * x[3];
            v[1] = x[0] * x[2] * x[3];
            v[2] = x[0] * x[1] * x[3];
            v[3] = x[0] * x[1] * x[2];
            for j in 0..4 {
                v[4 + j] = 2.0 * x[j];
            }
            Some(())
        },
        hess: Some(|x, of, l, v| {
            // Packed lower triangle: (0,0) (1,0) (1,1) (2,0) (2,1) (2,2) (3,0) (3,1) (3,2) (3,3)
            v[0] = of * 2.0 * x[3] + l[1] * 2.0;
            v[1] = of * x[3] + l[0] * x[2] * x[3];
            v[2] = l[1] * 2.0;
            v[3] = of * x[3] + l[0] * x[1] * x[3];
            v[4] = l[0] * x[0] * x[3];
            v[5] = l[1] * 2.0;
            v[6] = of * (2.0 * x[0] + x[1] + x[2]) + l[0] * x[1] * x[2];
            v[7] = of * x[0] + l[0] * x[0] * x[2];
            v[8] = of * x[0] + l[0] * x[0] * x[1];
            v[9] = l[1] * 2.0;
        }),
    }
}

/// Rosenbrock's function from (−1.2, 1), unconstrained.
pub fn rosenbrock() -> Dense {
    Dense {
        n: 2,
        m: 0,
        xl: vec![-INF; 2],
        xu: vec![INF; 2],
        gl: vec![],
        gu: vec![],
        x0: vec![-1.2, 1.0],
        maximize: false,
        f: |x| Some(100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2)),
        grad: |x, g| {
            g[0] = -400.0 * x[0] * (x[1] - x[0] * x[0]) - 2.0 * (1.0 - x[0]);
            g[1] = 200.0 * (x[1] - x[0] * x[0]);
            Some(())
        },
        g: no_g,
        jac: no_g,
        hess: Some(|x, of, _, v| {
            v[0] = of * (1200.0 * x[0] * x[0] - 400.0 * x[1] + 2.0);
            v[1] = of * (-400.0 * x[0]);
            v[2] = of * 200.0;
        }),
    }
}

/// HS006: `min (1 − x0)²` s.t. `10 (x1 − x0²) = 0`, from (−1.2, 1); f* = 0 at (1, 1).
pub fn hs006() -> Dense {
    Dense {
        n: 2,
        m: 1,
        xl: vec![-INF; 2],
        xu: vec![INF; 2],
        gl: vec![0.0],
        gu: vec![0.0],
        x0: vec![-1.2, 1.0],
        maximize: false,
        f: |x| Some((1.0 - x[0]).powi(2)),
        grad: |x, g| {
            g[0] = -2.0 * (1.0 - x[0]);
            g[1] = 0.0;
            Some(())
        },
        g: |x, g| {
            g[0] = 10.0 * (x[1] - x[0] * x[0]);
            Some(())
        },
        jac: |x, v| {
            v[0] = -20.0 * x[0];
            v[1] = 10.0;
            Some(())
        },
        hess: Some(|_, of, l, v| {
            v[0] = 2.0 * of - 20.0 * l[0];
            v[1] = 0.0;
            v[2] = 0.0;
        }),
    }
}

/// HS035: convex QP with one `≤` row and `x ≥ 0`; f* = 1/9 at (4/3, 7/9, 4/9).
pub fn hs035() -> Dense {
    Dense {
        n: 3,
        m: 1,
        xl: vec![0.0; 3],
        xu: vec![INF; 3],
        gl: vec![-INF],
        gu: vec![3.0],
        x0: vec![0.5; 3],
        maximize: false,
        f: |x| {
            Some(
                9.0 - 8.0 * x[0] - 6.0 * x[1] - 4.0 * x[2]
                    + 2.0 * x[0] * x[0]
                    + 2.0 * x[1] * x[1]
                    + x[2] * x[2]
                    + 2.0 * x[0] * x[1]
                    + 2.0 * x[0] * x[2],
            )
        },
        grad: |x, g| {
            g[0] = -8.0 + 4.0 * x[0] + 2.0 * x[1] + 2.0 * x[2];
            g[1] = -6.0 + 4.0 * x[1] + 2.0 * x[0];
            g[2] = -4.0 + 2.0 * x[2] + 2.0 * x[0];
            Some(())
        },
        g: |x, g| {
            g[0] = x[0] + x[1] + 2.0 * x[2];
            Some(())
        },
        jac: |_, v| {
            v.copy_from_slice(&[1.0, 1.0, 2.0]);
            Some(())
        },
        hess: Some(|_, of, _, v| {
            v.copy_from_slice(&[4.0, 2.0, 4.0, 2.0, 0.0, 2.0]);
            v.iter_mut().for_each(|e| *e *= of);
        }),
    }
}

/// `min (x0 − 2)² + (x1 + 1)²` on `[0, 1]²`: both solution components at a bound.
pub fn box_qp() -> Dense {
    Dense {
        n: 2,
        m: 0,
        xl: vec![0.0; 2],
        xu: vec![1.0; 2],
        gl: vec![],
        gu: vec![],
        x0: vec![0.5; 2],
        maximize: false,
        f: |x| Some((x[0] - 2.0).powi(2) + (x[1] + 1.0).powi(2)),
        grad: |x, g| {
            g[0] = 2.0 * (x[0] - 2.0);
            g[1] = 2.0 * (x[1] + 1.0);
            Some(())
        },
        g: no_g,
        jac: no_g,
        hess: Some(|_, of, _, v| {
            v.copy_from_slice(&[2.0 * of, 0.0, 2.0 * of]);
        }),
    }
}

/// `max −(x − 1)²` s.t. `x ≤ 0.5` (spec B.6): x* = 0.5, objective −0.25, λ = +1.
pub fn max_concave() -> Dense {
    Dense {
        n: 1,
        m: 1,
        xl: vec![-INF],
        xu: vec![INF],
        gl: vec![-INF],
        gu: vec![0.5],
        x0: vec![0.0],
        maximize: true,
        f: |x| Some(-(x[0] - 1.0).powi(2)),
        grad: |x, g| {
            g[0] = -2.0 * (x[0] - 1.0);
            Some(())
        },
        g: |x, g| {
            g[0] = x[0];
            Some(())
        },
        jac: |_, v| {
            v[0] = 1.0;
            Some(())
        },
        hess: Some(|_, of, _, v| {
            v[0] = -2.0 * of;
        }),
    }
}

/// Contradictory equalities `x² + y = −1`, `x² − y = −1` (spec G.2): locally infeasible.
pub fn infeasible() -> Dense {
    Dense {
        n: 2,
        m: 2,
        xl: vec![-INF; 2],
        xu: vec![INF; 2],
        gl: vec![-1.0, -1.0],
        gu: vec![-1.0, -1.0],
        x0: vec![0.0, 0.0],
        maximize: false,
        f: |_| Some(0.0),
        grad: |_, g| {
            g.fill(0.0);
            Some(())
        },
        g: |x, g| {
            g[0] = x[0] * x[0] + x[1];
            g[1] = x[0] * x[0] - x[1];
            Some(())
        },
        jac: |x, v| {
            v.copy_from_slice(&[2.0 * x[0], 1.0, 2.0 * x[0], -1.0]);
            Some(())
        },
        hess: Some(|_, _, l, v| {
            v.copy_from_slice(&[2.0 * (l[0] + l[1]), 0.0, 0.0]);
        }),
    }
}

/// `min −x0² − x1²` on `[−1, 1]²` from (0.1, 0.2): negative curvature everywhere, so
/// every step needs a Hessian perturbation; f* = −2 at (1, 1).
pub fn concave_box() -> Dense {
    Dense {
        n: 2,
        m: 0,
        xl: vec![-1.0; 2],
        xu: vec![1.0; 2],
        gl: vec![],
        gu: vec![],
        x0: vec![0.1, 0.2],
        maximize: false,
        f: |x| Some(-x[0] * x[0] - x[1] * x[1]),
        grad: |x, g| {
            g[0] = -2.0 * x[0];
            g[1] = -2.0 * x[1];
            Some(())
        },
        g: no_g,
        jac: no_g,
        hess: Some(|_, of, _, v| {
            v.copy_from_slice(&[-2.0 * of, 0.0, -2.0 * of]);
        }),
    }
}

/// `min x0² + x1²` s.t. `x0 + x1 = 1`, `2x0 + 2x1 = 2`: rank-deficient Jacobian, so the
/// KKT matrix is singular without a constraint regularization; f* = 0.5.
pub fn duplicate_constraints() -> Dense {
    Dense {
        n: 2,
        m: 2,
        xl: vec![-INF; 2],
        xu: vec![INF; 2],
        gl: vec![1.0, 2.0],
        gu: vec![1.0, 2.0],
        x0: vec![3.0, -1.0],
        maximize: false,
        f: |x| Some(x[0] * x[0] + x[1] * x[1]),
        grad: |x, g| {
            g[0] = 2.0 * x[0];
            g[1] = 2.0 * x[1];
            Some(())
        },
        g: |x, g| {
            g[0] = x[0] + x[1];
            g[1] = 2.0 * x[0] + 2.0 * x[1];
            Some(())
        },
        jac: |_, v| {
            v.copy_from_slice(&[1.0, 1.0, 2.0, 2.0]);
            Some(())
        },
        hess: Some(|_, of, _, v| {
            v.copy_from_slice(&[2.0 * of, 0.0, 2.0 * of]);
        }),
    }
}

/// `min x0 + x1` s.t. `x0² + x1² = 1` from the origin, where the constraint gradient
/// vanishes: f* = −√2.
pub fn circle() -> Dense {
    Dense {
        n: 2,
        m: 1,
        xl: vec![-INF; 2],
        xu: vec![INF; 2],
        gl: vec![1.0],
        gu: vec![1.0],
        x0: vec![0.0, 0.0],
        maximize: false,
        f: |x| Some(x[0] + x[1]),
        grad: |_, g| {
            g.fill(1.0);
            Some(())
        },
        g: |x, g| {
            g[0] = x[0] * x[0] + x[1] * x[1];
            Some(())
        },
        jac: |x, v| {
            v[0] = 2.0 * x[0];
            v[1] = 2.0 * x[1];
            Some(())
        },
        hess: Some(|_, _, l, v| {
            v.copy_from_slice(&[2.0 * l[0], 0.0, 2.0 * l[0]]);
        }),
    }
}

/// `min ln(x)² ` without bounds from x = −1: the objective cannot be evaluated at the start.
pub fn log_at_negative_start() -> Dense {
    Dense {
        n: 1,
        m: 0,
        xl: vec![-INF],
        xu: vec![INF],
        gl: vec![],
        gu: vec![],
        x0: vec![-1.0],
        maximize: false,
        f: |x| {
            let v = x[0].ln();
            v.is_finite().then_some(v * v)
        },
        grad: |x, g| {
            g[0] = 2.0 * x[0].ln() / x[0];
            g[0].is_finite().then_some(())
        },
        g: no_g,
        jac: no_g,
        hess: Some(|x, of, _, v| {
            v[0] = of * (2.0 - 2.0 * x[0].ln()) / (x[0] * x[0]);
        }),
    }
}

/// Rosenbrock's function, undefined (evaluation error) for `|x0| > 1.5`: the long
/// steps of the second iteration leave the domain and must be cut back.
pub fn rosenbrock_domain() -> Dense {
    let mut p = rosenbrock();
    p.f = |x| {
        (x[0].abs() <= 1.5).then(|| 100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2))
    };
    p
}

/// HS039: `min −x0` s.t. `x1 − x0³ − x2² = 0`, `x0² − x1 − x3² = 0`; f* = −1.
pub fn hs039() -> Dense {
    Dense {
        n: 4,
        m: 2,
        xl: vec![-INF; 4],
        xu: vec![INF; 4],
        gl: vec![0.0; 2],
        gu: vec![0.0; 2],
        x0: vec![2.0; 4],
        maximize: false,
        f: |x| Some(-x[0]),
        grad: |_, g| {
            g.copy_from_slice(&[-1.0, 0.0, 0.0, 0.0]);
            Some(())
        },
        g: |x, g| {
            g[0] = x[1] - x[0].powi(3) - x[2] * x[2];
            g[1] = x[0] * x[0] - x[1] - x[3] * x[3];
            Some(())
        },
        jac: |x, v| {
            v.copy_from_slice(&[
                -3.0 * x[0] * x[0],
                1.0,
                -2.0 * x[2],
                0.0,
                2.0 * x[0],
                -1.0,
                0.0,
                -2.0 * x[3],
            ]);
            Some(())
        },
        hess: Some(|x, _, l, v| {
            v.fill(0.0);
            v[0] = -6.0 * x[0] * l[0] + 2.0 * l[1];
            v[5] = -2.0 * l[0];
            v[9] = -2.0 * l[1];
        }),
    }
}

/// Chained Rosenbrock function in 10 variables from (−1.2, 1, −1.2, 1, …).
pub fn chained_rosenbrock() -> Dense {
    const N: usize = 10;
    Dense {
        n: N,
        m: 0,
        xl: vec![-INF; N],
        xu: vec![INF; N],
        gl: vec![],
        gu: vec![],
        x0: (0..N)
            .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
            .collect(),
        maximize: false,
        f: |x| {
            Some(
                (0..N - 1)
                    .map(|i| 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2))
                    .sum(),
            )
        },
        grad: |x, g| {
            g.fill(0.0);
            for i in 0..N - 1 {
                let t = x[i + 1] - x[i] * x[i];
                g[i] += -400.0 * x[i] * t - 2.0 * (1.0 - x[i]);
                g[i + 1] += 200.0 * t;
            }
            Some(())
        },
        g: no_g,
        jac: no_g,
        hess: Some(|x, of, _, v| {
            // Packed lower triangle by rows: entry (i, j) at i(i+1)/2 + j.
            v.fill(0.0);
            let at = |i: usize, j: usize| i * (i + 1) / 2 + j;
            for i in 0..N - 1 {
                v[at(i, i)] += of * (1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0);
                v[at(i + 1, i)] += of * (-400.0 * x[i]);
                v[at(i + 1, i + 1)] += of * 200.0;
            }
        }),
    }
}
