//! The Newton step of the primal-dual barrier equations.
//!
//! The bound multipliers are eliminated, the augmented system is solved (with inertia
//! correction and iterative refinement) for `(dw, dy)`, and `dz` is recovered from the
//! linearized complementarity `Z·dw ± S·dz = μe − SZe`.

use super::kkt::HessianBlock;
use super::solver::{Direction, Solver};

impl Solver<'_, '_, '_> {
    /// Assembles and factors the KKT matrix with inertia correction; `retry` asks for a
    /// larger perturbation of the same matrix. `false` if no usable factorization exists.
    pub fn factor_kkt(&mut self, retry: bool) -> bool {
        if !retry {
            self.bounds.sigma(&self.it, &mut self.sigma);
            let h = match &self.lbfgs {
                None => HessianBlock::Exact(&self.hess),
                Some(q) => HessianBlock::Identity(q.sigma),
            };
            self.kkt.assemble(h, &self.jac, &self.sigma);
        }
        if self
            .kkt
            .factor_corrected(self.mu, &self.opt, retry)
            .is_err()
        {
            return false;
        }
        self.kkt_factored = self.attach_low_rank();
        self.kkt_factored
    }

    /// Adds the quasi-Newton low-rank term to a fresh factorization; `false` if it fails.
    fn attach_low_rank(&mut self) -> bool {
        match self.lbfgs.as_ref().filter(|q| q.len() > 0) {
            Some(q) => {
                let n = q.compact(self.kkt.low_rank_v());
                self.kkt.set_low_rank(n)
            }
            None => true,
        }
    }

    /// Newton direction for barrier parameter `mu` with the current factorization, into
    /// `dir`; also leaves `∇φ_μ` in `grad_barrier`. Returns whether the solve was accurate.
    pub fn solve_direction(&mut self, mu: f64, dir: &mut Direction) -> bool {
        self.grad_barrier.copy_from_slice(&self.grad);
        self.bounds
            .add_barrier_gradient(&self.it.w, mu, self.opt.kappa_d, &mut self.grad_barrier);
        for k in 0..self.n_w {
            // −(∇φ + Aᵀy) = −(grad_lag + z_L − z_U + ∇φ − ∇f)
            self.rhs[k] = -(self.grad_lag[k] + self.it.zl[k] - self.it.zu[k]
                + self.grad_barrier[k]
                - self.grad[k]);
        }
        for (i, r) in self.cur.r.iter().enumerate() {
            self.rhs[self.n_w + i] = -r;
        }
        let accurate = self.kkt.solve(&self.rhs, &mut self.sol, &self.opt);
        self.direction_from_solution(mu, dir);
        accurate
    }

    /// Factors the KKT matrix (unless the barrier update already did) and computes the
    /// search direction for the current μ into `self.dir`.
    pub fn compute_direction(&mut self) -> bool {
        if !self.kkt_factored && !self.factor_kkt(false) {
            return false;
        }
        // An inaccurate solve is retried with a stricter pivot test in the linear solver
        // (kept for the rest of the solve) while it can be tightened, then once with a
        // larger perturbation, then accepted as it is (Ipopt does the same: refusing it
        // would end the solve).
        let mut retry = false;
        let mut dir = std::mem::replace(&mut self.dir, Direction::empty());
        let ok = loop {
            let accurate = self.solve_direction(self.mu, &mut dir);
            if accurate || (retry && self.sol.iter().all(|v| v.is_finite())) {
                break true;
            }
            if self.kkt.refactor_more_accurately() {
                if !self.attach_low_rank() {
                    break false;
                }
                continue;
            }
            if retry || !self.factor_kkt(true) {
                break false;
            }
            retry = true;
        };
        self.dir = dir;
        self.kkt_factored = false;
        self.step.reg = self.kkt.delta_w;
        let iter = self.iter + self.iter_offset;
        if ok
            && self.opt.kkt_dump_iter == Some(iter)
            && let Err(e) = self.kkt.dump(&self.opt.kkt_dump_file, iter, &self.rhs)
        {
            eprintln!(
                "cannot write the KKT matrix to {}: {e}",
                self.opt.kkt_dump_file
            );
        }
        ok
    }

    /// Solves with the current factorization for the same `w` right-hand side and the
    /// constraint right-hand side `−c_soc` (second-order correction) into `dir`.
    pub fn solve_soc(&mut self, dir: &mut Direction) -> bool {
        for (i, c) in self.c_soc.iter().enumerate() {
            self.rhs[self.n_w + i] = -c;
        }
        let ok = self.kkt.solve(&self.rhs, &mut self.sol, &self.opt);
        if ok {
            self.direction_from_solution(self.mu, dir);
        }
        ok
    }

    /// Splits `self.sol` into `(dw, dy)` and recovers `dz`.
    fn direction_from_solution(&self, mu: f64, dir: &mut Direction) {
        let (dw, dy) = self.sol.split_at(self.n_w);
        dir.dw.copy_from_slice(dw);
        dir.dy.copy_from_slice(dy);
        let b = &self.bounds;
        for k in 0..self.n_w {
            dir.dzl[k] = 0.0;
            dir.dzu[k] = 0.0;
            if b.has_l[k] {
                let s = self.it.w[k] - b.lower[k];
                dir.dzl[k] = mu / s - self.it.zl[k] - self.it.zl[k] / s * dw[k];
            }
            if b.has_u[k] {
                let s = b.upper[k] - self.it.w[k];
                dir.dzu[k] = mu / s - self.it.zu[k] + self.it.zu[k] / s * dw[k];
            }
        }
    }
}
