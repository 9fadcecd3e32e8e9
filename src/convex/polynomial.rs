//! Polynomials of degree ≤ 2 read from tape pieces.
//!
//! A node's polynomial is a list of terms in which a variable (or a pair of
//! variables) may repeat: a sum appends its operands' lists, which costs the
//! length of the shorter side rather than a hash-map insertion per term. Repeated
//! terms are summed where it matters: a linear form before it enters a product
//! (so a product expands each variable once) and the root's lists once per piece,
//! through a dense per-variable accumulator that the reader keeps across pieces.

use super::extract::NotQp;
use crate::nl::tape::{NodeId, Op, Tape};

/// A polynomial of degree ≤ 2: a constant, linear terms `(j, c)` for `c·x_j` and
/// quadratic terms `(i, j, c)` with `i ≤ j` for `c·x_i·x_j`. Before
/// [`QuadraticReader::read`] returns it, a variable or pair may appear several
/// times; the polynomial is the sum of its terms.
#[derive(Clone, Debug, Default)]
pub(super) struct Quadratic {
    pub(super) constant: f64,
    pub(super) linear: Vec<(u32, f64)>,
    pub(super) quadratic: Vec<(u32, u32, f64)>,
}

impl Quadratic {
    fn constant(c: f64) -> Self {
        Self {
            constant: c,
            ..Self::default()
        }
    }

    fn is_constant(&self) -> bool {
        self.linear.is_empty() && self.quadratic.is_empty()
    }

    fn scale(mut self, c: f64) -> Self {
        self.constant *= c;
        self.linear.iter_mut().for_each(|t| t.1 *= c);
        self.quadratic.iter_mut().for_each(|t| t.2 *= c);
        self
    }

    /// `self + sign·other`, appending the shorter term lists to the longer ones.
    fn add(mut self, mut other: Quadratic, sign: f64) -> Self {
        if sign != 1.0 {
            other = other.scale(sign);
        }
        self.constant += other.constant;
        append_shorter(&mut self.linear, other.linear);
        append_shorter(&mut self.quadratic, other.quadratic);
        self
    }

    /// The product of two polynomials whose linear lists have no repeated
    /// variable; an error when its degree exceeds two.
    fn mul(&self, other: &Quadratic) -> Result<Self, NotQp> {
        if self.is_constant() {
            return Ok(other.clone().scale(self.constant));
        }
        if other.is_constant() {
            return Ok(self.clone().scale(other.constant));
        }
        if !self.quadratic.is_empty() || !other.quadratic.is_empty() {
            return Err(NotQp::NonQuadraticObjective("product of degree above two"));
        }
        let mut out = Quadratic::constant(self.constant * other.constant);
        out.linear.reserve(self.linear.len() + other.linear.len());
        out.linear
            .extend(self.linear.iter().map(|&(k, v)| (k, v * other.constant)));
        out.linear
            .extend(other.linear.iter().map(|&(k, v)| (k, v * self.constant)));
        out.quadratic
            .reserve(self.linear.len() * other.linear.len());
        for &(i, a) in &self.linear {
            out.quadratic.extend(
                other
                    .linear
                    .iter()
                    .map(|&(j, b)| (i.min(j), i.max(j), a * b)),
            );
        }
        Ok(out)
    }
}

/// Appends `b` to `a`, keeping whichever buffer is larger (terms are unordered).
fn append_shorter<T>(a: &mut Vec<T>, mut b: Vec<T>) {
    if b.len() > a.len() {
        std::mem::swap(a, &mut b);
    }
    a.append(&mut b);
}

/// Reads tape pieces as [`Quadratic`]s, with scratch kept across pieces.
pub(super) struct QuadraticReader {
    /// Remaining uses of each node of the piece being read.
    uses: Vec<u32>,
    /// Each node's polynomial, moved into its last consumer.
    values: Vec<Quadratic>,
    /// Dense accumulator over the variables, zero between merges.
    dense: Vec<f64>,
    /// Whether slot `j` of `dense` is in `touched`.
    seen: Vec<bool>,
    /// Slots of `dense` in use, in order of first touch.
    touched: Vec<u32>,
}

impl QuadraticReader {
    /// A reader for models with `n` variables.
    pub(super) fn new(n: usize) -> Self {
        Self {
            uses: Vec::new(),
            values: Vec::new(),
            dense: vec![0.0; n],
            seen: vec![false; n],
            touched: Vec::new(),
        }
    }

    /// The polynomial computed by the tape piece `nodes` (its root is the last
    /// node), each variable and each pair appearing once in its term lists.
    ///
    /// A node's polynomial is moved into its (last) consumer rather than copied:
    /// a chain of binary sums would otherwise copy its growing partial sum at
    /// every node, quadratic work in the number of terms.
    pub(super) fn read(
        &mut self,
        tape: &Tape,
        nodes: std::ops::Range<NodeId>,
    ) -> Result<Quadratic, NotQp> {
        let start = nodes.start;
        self.uses.clear();
        self.uses.resize(nodes.len(), 0);
        for id in nodes.clone() {
            for &a in tape.args_of(&tape.nodes[id as usize]) {
                self.uses[(a - start) as usize] += 1;
            }
        }
        self.values.clear();
        for id in nodes {
            let node = &tape.nodes[id as usize];
            let args = tape.args_of(node);
            let (uses, values) = (&mut self.uses, &mut self.values);
            // The value of argument `k`, moved out at its last use.
            let mut take = |k: usize| -> Quadratic {
                let slot = (args[k] - start) as usize;
                uses[slot] -= 1;
                if uses[slot] == 0 {
                    std::mem::take(&mut values[slot])
                } else {
                    values[slot].clone()
                }
            };
            let value = match node.op {
                Op::Const => Quadratic::constant(tape.consts[node.aux as usize]),
                Op::Var => Quadratic {
                    linear: vec![(node.aux, 1.0)],
                    ..Quadratic::default()
                },
                Op::Neg => take(0).scale(-1.0),
                Op::Add => {
                    let a = take(0);
                    a.add(take(1), 1.0)
                }
                Op::Sub => {
                    let a = take(0);
                    a.add(take(1), -1.0)
                }
                Op::Sum if args.is_empty() => Quadratic::default(),
                Op::Sum => (1..args.len()).fold(take(0), |acc, k| acc.add(take(k), 1.0)),
                Op::Mul => {
                    let (a, b) = (take(0), take(1));
                    self.product(a, b)?
                }
                Op::Square => {
                    let a = take(0);
                    self.square(a)?
                }
                Op::Div => {
                    let (a, b) = (take(0), take(1));
                    if !(b.is_constant() && b.constant != 0.0) {
                        return Err(NotQp::NonQuadraticObjective("nonpolynomial operation"));
                    }
                    a.scale(1.0 / b.constant)
                }
                Op::PowConstExp => {
                    let e = tape.consts[node.aux as usize];
                    let a = take(0);
                    if e == 0.0 {
                        Quadratic::constant(1.0)
                    } else if e == 1.0 {
                        a
                    } else if e == 2.0 {
                        self.square(a)?
                    } else {
                        return Err(NotQp::NonQuadraticObjective("power other than 0, 1, 2"));
                    }
                }
                Op::DefVar => return Err(NotQp::NonQuadraticObjective("defined variable")),
                _ => return Err(NotQp::NonQuadraticObjective("nonpolynomial operation")),
            };
            self.values.push(value);
        }
        let mut poly = self.values.pop().unwrap_or_default();
        self.merge_linear(&mut poly.linear);
        merge_quadratic(&mut poly.quadratic);
        Ok(poly)
    }

    fn product(&mut self, mut a: Quadratic, mut b: Quadratic) -> Result<Quadratic, NotQp> {
        self.merge_linear(&mut a.linear);
        self.merge_linear(&mut b.linear);
        a.mul(&b)
    }

    fn square(&mut self, mut a: Quadratic) -> Result<Quadratic, NotQp> {
        self.merge_linear(&mut a.linear);
        a.mul(&a)
    }

    /// Sums the repeated variables of `terms` in the dense accumulator; the
    /// result lists the variables in order of first appearance.
    fn merge_linear(&mut self, terms: &mut Vec<(u32, f64)>) {
        if terms.len() < 2 {
            return;
        }
        for &(j, v) in terms.iter() {
            let slot = j as usize;
            if !self.seen[slot] {
                self.seen[slot] = true;
                self.touched.push(j);
            }
            self.dense[slot] += v;
        }
        terms.clear();
        for j in self.touched.drain(..) {
            let slot = j as usize;
            terms.push((j, self.dense[slot]));
            self.dense[slot] = 0.0;
            self.seen[slot] = false;
        }
    }
}

/// Sums the repeated pairs of `terms`, leaving them sorted by `(i, j)`; the
/// stable sort keeps the summation in the order the terms were produced.
fn merge_quadratic(terms: &mut Vec<(u32, u32, f64)>) {
    terms.sort_by_key(|&(i, j, _)| (i, j));
    terms.dedup_by(|next, kept| {
        let same = (next.0, next.1) == (kept.0, kept.1);
        if same {
            kept.2 += next.2;
        }
        same
    });
}
