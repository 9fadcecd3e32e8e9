//! Primal-dual iterates and the barrier quantities computed from them.
//!
//! Bound multipliers are stored at full length of `w` (zero where a bound is absent) so
//! that variables and slacks, lower and upper bounds, all go through the same loops.

/// A primal-dual point: `w = (x, s)`, constraint multipliers `y`, bound multipliers.
#[derive(Clone, Debug)]
pub(crate) struct Iterate {
    pub w: Vec<f64>,
    pub y: Vec<f64>,
    pub zl: Vec<f64>,
    pub zu: Vec<f64>,
}

impl Iterate {
    pub fn zeros(n_w: usize, n_y: usize) -> Self {
        Iterate {
            w: vec![0.0; n_w],
            y: vec![0.0; n_y],
            zl: vec![0.0; n_w],
            zu: vec![0.0; n_w],
        }
    }
}

/// Which components of `w` carry a lower / upper bound.
pub(crate) struct BoundSet {
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub has_l: Vec<bool>,
    pub has_u: Vec<bool>,
    /// Number of finite bounds (lower plus upper).
    pub count: usize,
}

impl BoundSet {
    pub fn new(lower: &[f64], upper: &[f64]) -> Self {
        let has_l: Vec<bool> = lower.iter().map(|v| v.is_finite()).collect();
        let has_u: Vec<bool> = upper.iter().map(|v| v.is_finite()).collect();
        let count = has_l.iter().chain(&has_u).filter(|&&b| b).count();
        BoundSet {
            lower: lower.to_vec(),
            upper: upper.to_vec(),
            has_l,
            has_u,
            count,
        }
    }

    /// Barrier function `φ_μ(w) = f − μ Σ ln(slacks) + κ_d μ Σ (one-sided slacks)`.
    /// `None` if `w` is not strictly inside the bounds.
    pub fn barrier(&self, f: f64, w: &[f64], mu: f64, kappa_d: f64) -> Option<f64> {
        let mut phi = f;
        for (k, &wk) in w.iter().enumerate() {
            if self.has_l[k] {
                let s = wk - self.lower[k];
                if s <= 0.0 {
                    return None;
                }
                phi -= mu * s.ln();
                if !self.has_u[k] {
                    phi += kappa_d * mu * s;
                }
            }
            if self.has_u[k] {
                let s = self.upper[k] - wk;
                if s <= 0.0 {
                    return None;
                }
                phi -= mu * s.ln();
                if !self.has_l[k] {
                    phi += kappa_d * mu * s;
                }
            }
        }
        phi.is_finite().then_some(phi)
    }

    /// Gradient of the barrier terms, added to `grad` (which holds `∇f`).
    pub fn add_barrier_gradient(&self, w: &[f64], mu: f64, kappa_d: f64, grad: &mut [f64]) {
        for (k, g) in grad.iter_mut().enumerate() {
            if self.has_l[k] {
                *g -= mu / (w[k] - self.lower[k]);
                if !self.has_u[k] {
                    *g += kappa_d * mu;
                }
            }
            if self.has_u[k] {
                *g += mu / (self.upper[k] - w[k]);
                if !self.has_l[k] {
                    *g -= kappa_d * mu;
                }
            }
        }
    }

    /// Primal-dual barrier diagonal `Σ = Z_L/S_L + Z_U/S_U`.
    pub fn sigma(&self, it: &Iterate, sigma: &mut [f64]) {
        for (k, s) in sigma.iter_mut().enumerate() {
            *s = 0.0;
            if self.has_l[k] {
                *s += it.zl[k] / (it.w[k] - self.lower[k]);
            }
            if self.has_u[k] {
                *s += it.zu[k] / (self.upper[k] - it.w[k]);
            }
        }
    }

    /// Max-norm of `slack·z − mu` over all bounds.
    pub fn complementarity(&self, it: &Iterate, mu: f64) -> f64 {
        let mut c: f64 = 0.0;
        for k in 0..it.w.len() {
            if self.has_l[k] {
                c = c.max(((it.w[k] - self.lower[k]) * it.zl[k] - mu).abs());
            }
            if self.has_u[k] {
                c = c.max(((self.upper[k] - it.w[k]) * it.zu[k] - mu).abs());
            }
        }
        c
    }

    /// Max-norm of `slack·v` over the bounds of the slacks `w[n_x..]`, with `v` the bound
    /// multipliers that the constraint multipliers imply (`z_L − z_U = −y` where the slack
    /// gradient of the Lagrangian vanishes). The solution reports `y`, not the slacks' own
    /// `z`, so complementarity of the returned point is this figure: `z` and `−y` differ by
    /// the slack part of the dual infeasibility, which a large slack can magnify past `tol`.
    pub fn implied_slack_complementarity(&self, it: &Iterate, n_x: usize, m_c: usize) -> f64 {
        let mut c: f64 = 0.0;
        for (k, &y) in it.y[m_c..].iter().enumerate() {
            let k = n_x + k;
            if self.has_l[k] && y < 0.0 {
                c = c.max((it.w[k] - self.lower[k]) * -y);
            }
            if self.has_u[k] && y > 0.0 {
                c = c.max((self.upper[k] - it.w[k]) * y);
            }
        }
        c
    }

    /// Largest `α ∈ (0, 1]` with `w + α·dw` keeping at least the fraction `1 − τ` of
    /// every slack.
    pub fn primal_step_max(&self, w: &[f64], dw: &[f64], tau: f64) -> f64 {
        let mut alpha: f64 = 1.0;
        for k in 0..w.len() {
            if self.has_l[k] && dw[k] < 0.0 {
                alpha = alpha.min(-tau * (w[k] - self.lower[k]) / dw[k]);
            }
            if self.has_u[k] && dw[k] > 0.0 {
                alpha = alpha.min(tau * (self.upper[k] - w[k]) / dw[k]);
            }
        }
        alpha
    }

    /// Largest `α ∈ (0, 1]` keeping the bound multipliers positive (fraction `1 − τ`).
    pub fn dual_step_max(&self, it: &Iterate, dzl: &[f64], dzu: &[f64], tau: f64) -> f64 {
        let mut alpha: f64 = 1.0;
        for k in 0..it.w.len() {
            if self.has_l[k] && dzl[k] < 0.0 {
                alpha = alpha.min(-tau * it.zl[k] / dzl[k]);
            }
            if self.has_u[k] && dzu[k] < 0.0 {
                alpha = alpha.min(-tau * it.zu[k] / dzu[k]);
            }
        }
        alpha
    }

    /// Keeps each `z` within a factor `κ_σ` of its centrality value `μ/slack`, so the
    /// primal-dual Σ cannot drift arbitrarily far from the primal barrier Hessian.
    pub fn reset_multipliers(&self, it: &mut Iterate, mu: f64, kappa_sigma: f64) {
        for k in 0..it.w.len() {
            if self.has_l[k] {
                let s = it.w[k] - self.lower[k];
                it.zl[k] = it.zl[k]
                    .min(kappa_sigma * mu / s)
                    .max(mu / (kappa_sigma * s));
            }
            if self.has_u[k] {
                let s = self.upper[k] - it.w[k];
                it.zu[k] = it.zu[k]
                    .min(kappa_sigma * mu / s)
                    .max(mu / (kappa_sigma * s));
            }
        }
    }

    /// Moves a bound slightly outward where the slack has become tiny relative to the
    /// bound, so that rounding cannot make a slack zero or negative.
    pub fn relax_tiny_slacks(&mut self, w: &[f64], slack_move: f64, mu: f64) {
        for k in 0..w.len() {
            if self.has_l[k] {
                let tiny = slack_move * self.lower[k].abs().max(1.0);
                if w[k] - self.lower[k] < tiny && mu <= tiny {
                    self.lower[k] -= tiny;
                }
            }
            if self.has_u[k] {
                let tiny = slack_move * self.upper[k].abs().max(1.0);
                if self.upper[k] - w[k] < tiny && mu <= tiny {
                    self.upper[k] += tiny;
                }
            }
        }
    }

    /// `‖z‖₁` over the present bounds.
    pub fn z_one_norm(&self, it: &Iterate) -> f64 {
        let mut s = 0.0;
        for k in 0..it.w.len() {
            if self.has_l[k] {
                s += it.zl[k].abs();
            }
            if self.has_u[k] {
                s += it.zu[k].abs();
            }
        }
        s
    }
}

/// Pushes `v` strictly inside `[l, u]` as Ipopt's initializer does: by at least
/// `push·max(1, |bound|)`, but by no more than `frac` of the interval.
pub(crate) fn push_into_bounds(v: f64, l: f64, u: f64, push: f64, frac: f64) -> f64 {
    let mut x = v;
    let width = u - l;
    if l.is_finite() {
        let mut p = push * l.abs().max(1.0);
        if u.is_finite() {
            p = p.min(frac * width);
        }
        x = x.max(l + p);
    }
    if u.is_finite() {
        let mut p = push * u.abs().max(1.0);
        if l.is_finite() {
            p = p.min(frac * width);
        }
        x = x.min(u - p);
    }
    x
}
