//! Limited-memory BFGS approximation of the Lagrangian Hessian (used when second
//! derivatives are absent or `hessian_approximation = limited-memory`).
//!
//! The approximation is kept in compact form (Byrd, Nocedal & Schnabel 1994)
//! `B = σI − V N⁻¹ Vᵀ` with `V = [σS  Y]` and `N = [[σSᵀS, L], [Lᵀ, −D]]`, where `S`, `Y`
//! hold the last steps and gradient differences, `L` is the strictly lower part of
//! `SᵀY` and `D` its diagonal. The KKT matrix is factored with `σI` only; the low-rank
//! term enters through the Sherman–Morrison–Woodbury formula (see `kkt.rs`), so the
//! sparse factorization never sees a dense block.

use nalgebra::DMatrix;

use super::options::{IpmOptions, LimitedMemoryInitialization};

pub(crate) struct Lbfgs {
    max_history: usize,
    /// Stored pairs, oldest first.
    s: Vec<Vec<f64>>,
    y: Vec<Vec<f64>>,
    len: usize,
    pub sigma: f64,
    skipped: usize,
    init: LimitedMemoryInitialization,
    init_val: f64,
    sigma_min: f64,
    sigma_max: f64,
    max_skipping: usize,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl Lbfgs {
    pub fn new(n: usize, opt: &IpmOptions) -> Self {
        let h = opt.limited_memory_max_history;
        Lbfgs {
            max_history: h,
            s: vec![vec![0.0; n]; h],
            y: vec![vec![0.0; n]; h],
            len: 0,
            sigma: opt.limited_memory_init_val,
            skipped: 0,
            init: opt.limited_memory_initialization,
            init_val: opt.limited_memory_init_val,
            sigma_min: opt.limited_memory_init_val_min,
            sigma_max: opt.limited_memory_init_val_max,
            max_skipping: opt.limited_memory_max_skipping,
        }
    }

    /// Number of stored pairs.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Adds the pair `(s, y)`; pairs without positive curvature are skipped (BFGS would
    /// lose positive definiteness), and too many skips in a row restart the memory.
    pub fn update(&mut self, s: &[f64], y: &[f64]) {
        if self.max_history == 0 {
            return;
        }
        let sy = dot(s, y);
        let ss = dot(s, s);
        let yy = dot(y, y);
        let curvature_ok = sy.is_finite() && sy > f64::EPSILON.sqrt() * (ss * yy).sqrt();
        if !curvature_ok {
            self.skipped += 1;
            if self.skipped > self.max_skipping {
                self.len = 0;
                self.skipped = 0;
                self.sigma = self.init_val;
            }
            return;
        }
        self.skipped = 0;
        if self.len == self.max_history {
            self.s.rotate_left(1);
            self.y.rotate_left(1);
            self.len -= 1;
        }
        self.s[self.len].copy_from_slice(s);
        self.y[self.len].copy_from_slice(y);
        self.len += 1;
        self.sigma = match self.init {
            LimitedMemoryInitialization::Constant => self.init_val,
            LimitedMemoryInitialization::Scalar1 => sy / ss,
            LimitedMemoryInitialization::Scalar2 => yy / sy,
            LimitedMemoryInitialization::Scalar3 => 0.5 * (sy / ss + yy / sy),
            LimitedMemoryInitialization::Scalar4 => (sy / ss * yy / sy).sqrt(),
        }
        .clamp(self.sigma_min, self.sigma_max);
    }

    /// `V` (column-major, `n × 2ℓ`) and `N` of the compact form.
    pub fn compact(&self, v: &mut Vec<f64>) -> DMatrix<f64> {
        let l = self.len;
        v.clear();
        for s in &self.s[..l] {
            v.extend(s.iter().map(|x| self.sigma * x));
        }
        for y in &self.y[..l] {
            v.extend_from_slice(y);
        }
        let mut m = DMatrix::<f64>::zeros(2 * l, 2 * l);
        for i in 0..l {
            for j in 0..l {
                m[(i, j)] = self.sigma * dot(&self.s[i], &self.s[j]);
                if i > j {
                    let sy = dot(&self.s[i], &self.y[j]);
                    m[(i, l + j)] = sy;
                    m[(l + j, i)] = sy;
                }
            }
            m[(l + i, l + i)] = -dot(&self.s[i], &self.y[i]);
        }
        m
    }
}
