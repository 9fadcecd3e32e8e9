//! Shared pieces of the interior-point tests: small dense problems written by hand and
//! a run helper.
#![allow(dead_code, clippy::needless_range_loop)]

use pounce::ipm::{
    self, EvalError, EvalResult, IpmOptions, LinearSolverFactory, Nlp, StartingPoint,
};
use pounce::linsol::{Inertia, LinsolError, LowerCsc, SymmetricIndefiniteSolver};
use pounce::outcome::Solution;

/// Reference dense solver for tests: symmetric eigendecomposition, exact inertia.
#[derive(Default)]
pub struct EigenSolver {
    pattern: Option<LowerCsc>,
    eig: Option<nalgebra::SymmetricEigen<f64, nalgebra::Dyn>>,
}

impl SymmetricIndefiniteSolver for EigenSolver {
    fn analyse(&mut self, pattern: &LowerCsc) -> Result<(), LinsolError> {
        self.pattern = Some(pattern.clone());
        Ok(())
    }
    fn factor(&mut self, values: &[f64]) -> Result<Inertia, LinsolError> {
        let p = self.pattern.as_ref().ok_or(LinsolError::NotReady)?;
        let mut a = nalgebra::DMatrix::<f64>::zeros(p.dim, p.dim);
        for c in 0..p.dim {
            for e in p.col_ptr[c]..p.col_ptr[c + 1] {
                let r = p.row_idx[e];
                a[(r, c)] = values[e];
                a[(c, r)] = values[e];
            }
        }
        if values.iter().any(|v| !v.is_finite()) {
            return Err(LinsolError::NonFiniteValue);
        }
        let eig = a.symmetric_eigen();
        let scale = eig
            .eigenvalues
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()))
            .max(1e-300);
        let mut inertia = Inertia::default();
        for &l in eig.eigenvalues.iter() {
            if l.abs() <= 1e-13 * scale {
                inertia.zero += 1;
            } else if l > 0.0 {
                inertia.positive += 1;
            } else {
                inertia.negative += 1;
            }
        }
        self.eig = Some(eig);
        if inertia.zero > 0 {
            return Err(LinsolError::Singular(inertia));
        }
        Ok(inertia)
    }
    fn solve_in_place(&self, rhs: &mut [f64]) -> Result<(), LinsolError> {
        let eig = self.eig.as_ref().ok_or(LinsolError::NotReady)?;
        let v = &eig.eigenvectors;
        let b = nalgebra::DVector::from_column_slice(rhs);
        let mut t = v.transpose() * b;
        for (ti, l) in t.iter_mut().zip(eig.eigenvalues.iter()) {
            *ti /= l;
        }
        let x = v * t;
        rhs.copy_from_slice(x.as_slice());
        Ok(())
    }
}

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

/// Solves with the test options (banner suppressed); returns the solution and the log.
pub fn run(p: &dyn Nlp, opt: &IpmOptions) -> (Solution, String) {
    let make = || Box::new(EigenSolver::default()) as Box<dyn SymmetricIndefiniteSolver>;
    let factory = LinearSolverFactory {
        name: "dense-eigen",
        make: &make,
    };
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
