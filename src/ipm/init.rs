//! The starting point: primal values pushed strictly inside their bounds, slacks from
//! the constraint values, bound multipliers constant (or μ-based), and constraint
//! multipliers from a least-squares estimate of the stationarity condition.

use super::iterate::push_into_bounds;
use super::kkt::{HessianBlock, inf_norm};
use super::options::BoundMultInitMethod;
use super::solver::Solver;
use crate::outcome::SolveStatus;

impl Solver<'_, '_, '_> {
    /// Sets the initial iterate and evaluates the problem there.
    pub fn initialize(&mut self) -> Result<(), SolveStatus> {
        let opt = &self.opt;
        let warm = opt.warm_start_init_point;
        let (push, frac, spush, sfrac) = if warm {
            (
                opt.warm_start_bound_push,
                opt.warm_start_bound_frac,
                opt.warm_start_slack_bound_push,
                opt.warm_start_slack_bound_frac,
            )
        } else {
            (
                opt.bound_push,
                opt.bound_frac,
                opt.slack_bound_push,
                opt.slack_bound_frac,
            )
        };
        let n_x = self.nlp.n_x;
        self.nlp.initial_x(&mut self.it.w[..n_x]);
        for k in 0..n_x {
            let b = &self.bounds;
            self.it.w[k] = push_into_bounds(self.it.w[k], b.lower[k], b.upper[k], push, frac);
        }
        self.it.w[n_x..].fill(0.0);
        let t = std::time::Instant::now();
        let ok = self
            .nlp
            .eval_constraints(&self.it.w, &mut self.cur.r, &mut self.cur.d)
            .is_ok();
        self.eval_seconds += t.elapsed().as_secs_f64();
        if !ok {
            return Err(SolveStatus::InvalidNumberDetected);
        }
        let m_c = self.nlp.m_c;
        for (k, &dk) in self.cur.d.iter().enumerate() {
            let i = n_x + k;
            let b = &self.bounds;
            self.it.w[i] = push_into_bounds(dk, b.lower[i], b.upper[i], spush, sfrac);
            self.cur.r[m_c + k] = dk - self.it.w[i];
        }
        let t = std::time::Instant::now();
        let f = self.nlp.eval_f(&self.it.w);
        self.eval_seconds += t.elapsed().as_secs_f64();
        match f {
            Ok(f) => self.cur.f = f,
            Err(_) => return Err(SolveStatus::InvalidNumberDetected),
        }
        if !self.eval_derivatives() {
            return Err(SolveStatus::InvalidNumberDetected);
        }
        self.init_bound_multipliers();
        self.init_constraint_multipliers();
        Ok(())
    }

    fn init_bound_multipliers(&mut self) {
        let b = &self.bounds;
        let given = self.opt.warm_start_init_point
            && self.nlp.start.z_lower.is_some()
            && self.nlp.start.z_upper.is_some();
        if given {
            self.nlp
                .internal_bound_multipliers(&mut self.it.zl, &mut self.it.zu);
        }
        for k in 0..self.n_w {
            let sl = self.it.w[k] - b.lower[k];
            let su = b.upper[k] - self.it.w[k];
            let init = |s: f64, g: f64| {
                if given {
                    g.max(self.opt.warm_start_mult_bound_push)
                } else {
                    match self.opt.bound_mult_init_method {
                        BoundMultInitMethod::Constant => self.opt.bound_mult_init_val,
                        BoundMultInitMethod::MuBased => self.opt.mu_init / s,
                    }
                }
            };
            self.it.zl[k] = if b.has_l[k] {
                init(sl, self.it.zl[k])
            } else {
                0.0
            };
            self.it.zu[k] = if b.has_u[k] {
                init(su, self.it.zu[k])
            } else {
                0.0
            };
        }
    }

    fn init_constraint_multipliers(&mut self) {
        self.it.y.fill(0.0);
        if self.n_y == 0 {
            return;
        }
        if self.opt.warm_start_init_point && self.nlp.start.lambda.is_some() {
            self.nlp.internal_constraint_multipliers(&mut self.it.y);
            if inf_norm(&self.it.y) > self.opt.warm_start_mult_init_max {
                self.it.y.fill(0.0);
            }
            return;
        }
        // A square problem's steps in x are set by its equations alone (while their
        // Jacobian is nonsingular): as Ipopt, it starts from zero multipliers instead of
        // factoring the least-squares system.
        if self.opt.constr_mult_init_max > 0.0 && !self.is_square() {
            self.least_squares_multipliers(self.opt.constr_mult_init_max);
        }
    }

    /// Sets `y` to the least-squares estimate `min ‖∇f + Aᵀy − z_L + z_U‖` at the current
    /// point, through `[I Aᵀ; A 0][v; y] = [−(∇f − z_L + z_U); 0]`; keeps `y = 0` when the
    /// system is singular or the estimate exceeds `max_norm` (a poor estimate is worse
    /// than none).
    pub fn least_squares_multipliers(&mut self, max_norm: f64) {
        self.it.y.fill(0.0);
        self.sigma.fill(1.0);
        self.kkt
            .assemble(HessianBlock::Identity(0.0), &self.jac, &self.sigma);
        if !self.kkt.factor_plain() {
            return;
        }
        for k in 0..self.n_w {
            self.rhs[k] = -(self.grad[k] - self.it.zl[k] + self.it.zu[k]);
        }
        self.rhs[self.n_w..].fill(0.0);
        if !self.kkt.solve(&self.rhs, &mut self.sol, &self.opt) {
            return;
        }
        let y = &self.sol[self.n_w..];
        if inf_norm(y) <= max_norm {
            self.it.y.copy_from_slice(y);
        }
    }
}
