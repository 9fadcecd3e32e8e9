//! The Newton step of the primal-dual barrier equations.
//!
//! The bound multipliers are eliminated, the augmented system is solved (with inertia
//! correction and iterative refinement) for `(dw, dy)`, and `dz` is recovered from the
//! linearized complementarity `Z·dw ± S·dz = μe − SZe`.

use super::kkt::HessianBlock;
use super::solver::{Direction, Solver};

impl Solver<'_, '_, '_> {
    /// Factors the KKT matrix and computes the search direction into `self.dir`.
    /// `false` if no usable factorization could be found.
    pub fn compute_direction(&mut self) -> bool {
        self.bounds.sigma(&self.it, &mut self.sigma);
        let h = if self.nlp.has_hessian() {
            HessianBlock::Exact(&self.hess)
        } else {
            HessianBlock::Identity(0.0)
        };
        self.kkt.assemble(h, &self.jac, &self.sigma);
        self.grad_barrier.copy_from_slice(&self.grad);
        self.bounds.add_barrier_gradient(
            &self.it.w,
            self.mu,
            self.opt.kappa_d,
            &mut self.grad_barrier,
        );
        for k in 0..self.n_w {
            // −(∇φ + Aᵀy) = −(grad_lag + z_L − z_U + ∇φ − ∇f)
            self.rhs[k] = -(self.grad_lag[k] + self.it.zl[k] - self.it.zu[k]
                + self.grad_barrier[k]
                - self.grad[k]);
        }
        for (i, r) in self.cur.r.iter().enumerate() {
            self.rhs[self.n_w + i] = -r;
        }
        // An inaccurate solve is retried once with a larger perturbation, then accepted
        // as it is (Ipopt does the same: refusing it would end the solve).
        let mut retry = false;
        loop {
            if self
                .kkt
                .factor_corrected(self.mu, &self.opt, retry)
                .is_err()
            {
                return false;
            }
            let accurate = self.kkt.solve(&self.rhs, &mut self.sol, &self.opt);
            if accurate || (retry && self.sol.iter().all(|v| v.is_finite())) {
                break;
            }
            if retry {
                return false;
            }
            retry = true;
        }
        self.step.reg = self.kkt.delta_w;
        let mut dir = std::mem::replace(&mut self.dir, Direction::empty());
        self.direction_from_solution(&mut dir);
        self.dir = dir;
        true
    }

    /// Solves with the current factorization for the same `w` right-hand side and the
    /// constraint right-hand side `−c_soc` (second-order correction) into `dir`.
    pub fn solve_soc(&mut self, dir: &mut Direction) -> bool {
        for (i, c) in self.c_soc.iter().enumerate() {
            self.rhs[self.n_w + i] = -c;
        }
        let ok = self.kkt.solve(&self.rhs, &mut self.sol, &self.opt);
        if ok {
            self.direction_from_solution(dir);
        }
        ok
    }

    /// Splits `self.sol` into `(dw, dy)` and recovers `dz`.
    fn direction_from_solution(&self, dir: &mut Direction) {
        let (dw, dy) = self.sol.split_at(self.n_w);
        dir.dw.copy_from_slice(dw);
        dir.dy.copy_from_slice(dy);
        let b = &self.bounds;
        for k in 0..self.n_w {
            dir.dzl[k] = 0.0;
            dir.dzu[k] = 0.0;
            if b.has_l[k] {
                let s = self.it.w[k] - b.lower[k];
                dir.dzl[k] = self.mu / s - self.it.zl[k] - self.it.zl[k] / s * dw[k];
            }
            if b.has_u[k] {
                let s = b.upper[k] - self.it.w[k];
                dir.dzu[k] = self.mu / s - self.it.zu[k] + self.it.zu[k] / s * dw[k];
            }
        }
    }
}
