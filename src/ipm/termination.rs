//! Optimality measures and the termination test, as Ipopt's options define them.

use super::kkt::inf_norm;
use super::solver::Solver;
use crate::outcome::{SolveStatus, multiplier_scale};

/// Optimality measures at the current iterate.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Errors {
    /// Scaled max-norms.
    pub dual_inf: f64,
    pub compl: f64,
    /// Scaled overall error `max(dual/s_d, primal, compl/s_c)`.
    pub nlp_error: f64,
    /// The same measures in the user's units.
    pub dual_inf_u: f64,
    pub constr_viol: f64,
    pub constr_viol_u: f64,
    pub compl_u: f64,
    /// The overall error and the unscaled complementarity the termination test bounds:
    /// as above, with the complementarity of the slacks also measured with the
    /// multipliers the solution reports (see
    /// [`super::iterate::BoundSet::implied_slack_complementarity`]).
    pub term_error: f64,
    pub term_compl_u: f64,
}

impl Solver<'_, '_, '_> {
    /// Ipopt's scaling of the dual infeasibility (`s_d`) and complementarity (`s_c`):
    /// large multipliers (a degenerate problem) must not make the error unattainable.
    pub fn error_scalings(&self) -> (f64, f64) {
        let z1 = self.bounds.z_one_norm(&self.it);
        let y1: f64 = self.it.y.iter().map(|v| v.abs()).sum();
        let nb = self.bounds.count;
        let s_max = self.opt.s_max;
        let s_d = multiplier_scale(s_max, y1 + z1, self.n_y + nb);
        let s_c = multiplier_scale(s_max, z1, nb);
        (s_d, s_c)
    }

    /// Barrier subproblem error for barrier parameter `mu`.
    pub fn barrier_error(&self, mu: f64) -> f64 {
        let (s_d, s_c) = self.error_scalings();
        let dual = inf_norm(&self.grad_lag) / s_d;
        let primal = inf_norm(&self.cur.r);
        let compl = self.bounds.complementarity(&self.it, mu) / s_c;
        dual.max(primal).max(compl)
    }

    pub fn errors(&self) -> Errors {
        let (s_d, s_c) = self.error_scalings();
        let dual_inf = inf_norm(&self.grad_lag);
        let primal_inf = inf_norm(&self.cur.r);
        let compl = self.bounds.complementarity(&self.it, 0.0);
        let compl_implied =
            self.bounds
                .implied_slack_complementarity(&self.it, self.nlp.n_x, self.nlp.m_c);
        let nlp_error = (dual_inf / s_d).max(primal_inf).max(compl / s_c);
        let mut dual_inf_u: f64 = 0.0;
        for (k, g) in self.grad_lag.iter().enumerate() {
            dual_inf_u = dual_inf_u.max((g * self.nlp.dual_component_unscale(k)).abs());
        }
        Errors {
            dual_inf,
            compl,
            nlp_error,
            dual_inf_u,
            constr_viol: self
                .nlp
                .constraint_violation(&self.cur.r, &self.cur.d, true),
            constr_viol_u: self
                .nlp
                .constraint_violation(&self.cur.r, &self.cur.d, false),
            compl_u: compl / self.nlp.dual_unscale(),
            term_error: nlp_error.max(compl_implied / s_c),
            term_compl_u: compl.max(compl_implied) / self.nlp.dual_unscale(),
        }
    }

    /// `true` if the current iterate passes the optimality test (`tol` and the
    /// unscaled `dual_inf_tol`, `constr_viol_tol`, `compl_inf_tol`).
    pub fn is_optimal(&self) -> bool {
        self.meets_tolerances(&self.errors())
    }

    fn meets_tolerances(&self, e: &Errors) -> bool {
        let o = &self.opt;
        e.term_error <= o.tol
            && e.dual_inf_u <= o.dual_inf_tol
            && e.constr_viol_u <= o.constr_viol_tol
            && e.term_compl_u <= o.compl_inf_tol
    }

    /// The termination test at the current iterate; `None` to continue.
    pub fn check_convergence(&mut self) -> Option<SolveStatus> {
        let e = self.errors();
        if self.meets_tolerances(&e) {
            return Some(SolveStatus::Success);
        }
        let o = &self.opt;
        let f = self.cur.f;
        let obj_change_ok = !self.last_objective.is_finite()
            || (f - self.last_objective).abs() / f.abs().max(1.0) <= o.acceptable_obj_change_tol;
        self.last_objective = f;
        let acceptable = e.nlp_error <= o.acceptable_tol
            && e.dual_inf_u <= o.acceptable_dual_inf_tol
            && e.constr_viol_u <= o.acceptable_constr_viol_tol
            && e.compl_u <= o.acceptable_compl_inf_tol
            && obj_change_ok;
        if acceptable {
            self.acceptable_count += 1;
        } else {
            self.acceptable_count = 0;
        }
        if o.acceptable_iter > 0 && self.acceptable_count >= o.acceptable_iter {
            return Some(SolveStatus::StopAtAcceptablePoint);
        }
        if self.iter + self.iter_offset >= o.max_iter {
            return Some(SolveStatus::MaxIterExceeded);
        }
        if inf_norm(&self.it.w[..self.nlp.n_x]) > o.diverging_iterates_tol {
            return Some(SolveStatus::DivergingIterates);
        }
        self.stop.status()
    }
}
