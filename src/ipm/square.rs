//! Square problems: as many equality constraints as free variables.
//!
//! Such a problem has nothing to optimize; its solution is the root of the equations,
//! and the multipliers only have to make the optimality conditions consistent. Ipopt
//! therefore treats it specially, and so does this method:
//!
//! - after every accepted step at a point that is feasible to `constr_viol_tol` but not
//!   yet optimal, the bound multipliers are set to zero and the constraint multipliers
//!   to their least-squares estimate; the new multipliers are kept only if the point
//!   then passes the optimality test (otherwise the iterate is restored);
//! - the restoration phase is left only at a point feasible to `min(tol,
//!   constr_viol_tol)` (the filter is not consulted), and such a point ends the solve
//!   with the status "feasible point for square problem found", its multipliers
//!   recomputed the same way.

use super::solver::Solver;

impl Solver<'_, '_, '_> {
    /// `true` for the regular phase of a square problem.
    pub fn is_square(&self) -> bool {
        self.monitor.is_none() && self.nlp.n_x == self.nlp.m_c
    }

    /// Zero bound multipliers and least-squares constraint multipliers at the current
    /// point (left unchanged where the estimate cannot be computed); updates the
    /// gradient of the Lagrangian.
    ///
    /// A system of equations usually has a constant objective: its gradient is zero, so
    /// is the least-squares estimate, and the factorization it would take (a fifth of
    /// the solve's factorizations on `broydn3d`) is skipped.
    pub fn square_multipliers(&mut self) {
        self.it.zl.fill(0.0);
        self.it.zu.fill(0.0);
        if self.grad.iter().all(|&g| g == 0.0) {
            self.it.y.fill(0.0);
        } else {
            self.least_squares_multipliers(f64::INFINITY);
        }
        self.compute_grad_lag();
    }

    /// After an accepted step of a square problem: tries the multipliers of
    /// [`Solver::square_multipliers`] and keeps them if they make the point optimal.
    pub fn square_feasibility_multipliers(&mut self) {
        self.compute_grad_lag();
        let e = self.errors();
        if e.constr_viol_u > self.opt.constr_viol_tol || self.is_optimal() {
            return;
        }
        // The trial iterate is free until the next line search: it keeps the backup.
        self.trial.y.copy_from_slice(&self.it.y);
        self.trial.zl.copy_from_slice(&self.it.zl);
        self.trial.zu.copy_from_slice(&self.it.zu);
        self.square_multipliers();
        if !self.is_optimal() {
            self.it.y.copy_from_slice(&self.trial.y);
            self.it.zl.copy_from_slice(&self.trial.zl);
            self.it.zu.copy_from_slice(&self.trial.zu);
            self.compute_grad_lag();
        }
    }
}
