//! Hand-built tapes and models for the derivative tests, plus finite differences.
#![allow(dead_code)]

use pounce::nl::model::{Model, Sense, SparseRows};
use pounce::nl::tape::{Node, NodeId, Op, Piece, PlTerm, Tape};

/// Builds a tape one piece at a time; nodes of a piece must be created between
/// `begin` and `end_*`.
#[derive(Default)]
pub struct TapeBuilder {
    pub tape: Tape,
    start: u32,
}

impl TapeBuilder {
    pub fn begin(&mut self) {
        self.start = self.tape.nodes.len() as u32;
    }

    fn finish(&mut self) -> Piece {
        Piece {
            nodes: self.start..self.tape.nodes.len() as u32,
        }
    }

    pub fn end_defined(&mut self) {
        let p = self.finish();
        self.tape.defined.push(p);
    }

    pub fn end_constraint(&mut self) {
        let p = self.finish();
        self.tape.constraints.push(p);
    }

    pub fn end_objective(&mut self) {
        let p = self.finish();
        self.tape.objectives.push(p);
    }

    pub fn node(&mut self, op: Op, aux: u32, args: &[NodeId]) -> NodeId {
        let first_arg = self.tape.args.len() as u32;
        self.tape.args.extend_from_slice(args);
        self.tape.nodes.push(Node {
            op,
            aux,
            first_arg,
            nargs: args.len() as u32,
        });
        self.tape.nodes.len() as NodeId - 1
    }

    pub fn var(&mut self, i: u32) -> NodeId {
        self.node(Op::Var, i, &[])
    }

    pub fn def(&mut self, k: u32) -> NodeId {
        self.node(Op::DefVar, k, &[])
    }

    pub fn num(&mut self, c: f64) -> NodeId {
        self.tape.consts.push(c);
        let k = self.tape.consts.len() as u32 - 1;
        self.node(Op::Const, k, &[])
    }

    pub fn un(&mut self, op: Op, a: NodeId) -> NodeId {
        self.node(op, 0, &[a])
    }

    pub fn bin(&mut self, op: Op, a: NodeId, b: NodeId) -> NodeId {
        self.node(op, 0, &[a, b])
    }

    pub fn pow_const(&mut self, a: NodeId, c: f64) -> NodeId {
        self.tape.consts.push(c);
        let k = self.tape.consts.len() as u32 - 1;
        self.node(Op::PowConstExp, k, &[a])
    }

    pub fn const_pow(&mut self, c: f64, a: NodeId) -> NodeId {
        self.tape.consts.push(c);
        let k = self.tape.consts.len() as u32 - 1;
        self.node(Op::PowConstBase, k, &[a])
    }

    pub fn plterm(&mut self, slopes: &[f64], breakpoints: &[f64], a: NodeId) -> NodeId {
        self.tape.plterms.push(PlTerm {
            slopes: slopes.to_vec(),
            breakpoints: breakpoints.to_vec(),
        });
        let k = self.tape.plterms.len() as u32 - 1;
        self.node(Op::PlTerm, k, &[a])
    }
}

/// Sparse rows from per-row lists of (index, value), sorted by index.
pub fn rows(rows: &[Vec<(u32, f64)>]) -> SparseRows {
    let mut s = SparseRows {
        start: vec![0],
        ..Default::default()
    };
    for r in rows {
        let mut r = r.clone();
        r.sort_by_key(|e| e.0);
        for (j, v) in r {
            s.index.push(j);
            s.value.push(v);
        }
        s.start.push(s.index.len());
    }
    s
}

/// A model around `tape` with linear parts `jac` (one list per constraint) and `grad`
/// (one list per objective); constraint rows get the union of the given entries and
/// every variable they use nonlinearly is listed by the caller.
pub fn model(n: usize, tape: Tape, jac: &[Vec<(u32, f64)>], grad: &[Vec<(u32, f64)>]) -> Model {
    let m = tape.constraints.len();
    assert_eq!(jac.len(), m);
    Model {
        n_var: n,
        n_con: m,
        var_lower: vec![f64::NEG_INFINITY; n],
        var_upper: vec![f64::INFINITY; n],
        con_lower: vec![f64::NEG_INFINITY; m],
        con_upper: vec![f64::INFINITY; m],
        x0: vec![None; n],
        y0: vec![None; m],
        objective_sense: vec![Sense::Minimize; tape.objectives.len()],
        jacobian: rows(jac),
        gradient: rows(grad),
        tape,
        suffixes: Vec::new(),
        header: Default::default(),
        format: pounce::nl::header::Format::Text,
    }
}

/// Dense lower-triangle matrix from a sparse (rows, cols, values) list, duplicates summed.
pub fn dense_lower(n: usize, r: &[u32], c: &[u32], v: &[f64]) -> Vec<Vec<f64>> {
    let mut h = vec![vec![0.0; n]; n];
    for k in 0..v.len() {
        assert!(r[k] >= c[k], "entry above the diagonal");
        h[r[k] as usize][c[k] as usize] += v[k];
    }
    h
}

/// Central difference of a scalar function along coordinate j.
pub fn central(f: &mut dyn FnMut(&[f64]) -> f64, x: &[f64], j: usize, h: f64) -> f64 {
    let mut xp = x.to_vec();
    xp[j] = x[j] + h;
    let fp = f(&xp);
    xp[j] = x[j] - h;
    let fm = f(&xp);
    (fp - fm) / (2.0 * h)
}

pub fn assert_close(got: f64, want: f64, rtol: f64, what: &str) {
    let scale = got.abs().max(want.abs()).max(1.0);
    assert!(
        (got - want).abs() <= rtol * scale,
        "{what}: got {got}, want {want}"
    );
}
