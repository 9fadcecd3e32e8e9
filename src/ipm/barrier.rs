//! Barrier parameter update.
//!
//! Monotone (Fiacco–McCormick) rule of Wächter & Biegler (2006, eq. (7)): μ is decreased
//! once the barrier subproblem is solved to `κ_ε·μ`, linearly at first and
//! superlinearly near the solution, never below what the termination tolerance needs.

use super::options::MuStrategy;
use super::solver::Solver;
use crate::outcome::SolveStatus;

impl Solver<'_, '_, '_> {
    /// Updates μ and τ before the step computation. A tiny step that cannot be answered
    /// by a smaller μ ends the solve.
    pub fn update_barrier_parameter(&mut self) -> Result<(), SolveStatus> {
        match self.opt.mu_strategy {
            MuStrategy::Monotone | MuStrategy::Adaptive => self.monotone_update(),
        }
    }

    fn monotone_update(&mut self) -> Result<(), SolveStatus> {
        let o = &self.opt;
        let mu_floor = o.tol.min(o.compl_inf_tol) / (o.barrier_tol_factor + 1.0);
        loop {
            let sub_error = self.barrier_error(self.mu);
            if !(sub_error <= self.opt.barrier_tol_factor * self.mu || self.tiny_step_flag) {
                return Ok(());
            }
            let o = &self.opt;
            let new_mu = (o.mu_linear_decrease_factor * self.mu)
                .min(self.mu.powf(o.mu_superlinear_decrease_power))
                .max(mu_floor)
                .max(o.mu_target);
            let changed = new_mu < self.mu;
            if !changed && self.tiny_step_flag {
                return Err(SolveStatus::StopAtTinyStep);
            }
            self.tiny_step_flag = false;
            if !changed {
                return Ok(());
            }
            self.mu = new_mu;
            self.tau = o.tau_min.max(1.0 - new_mu);
            self.filter.clear();
            if !self.opt.mu_allow_fast_monotone_decrease {
                return Ok(());
            }
        }
    }
}
