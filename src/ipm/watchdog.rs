//! The watchdog: after several consecutive shortened steps, full steps are taken
//! without the filter test for a few iterations (Chamberlain et al.'s watchdog as in
//! Ipopt). If none of them becomes acceptable relative to the point where the watchdog
//! started, that point is restored and an ordinary backtracking search follows along
//! its stored direction. Shortened steps are typical of the Maratos effect, which
//! this cures where second-order corrections did not.

use super::iterate::Iterate;
use super::solver::{Direction, PointEval};

/// Reference values of the iterate a line search starts from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reference {
    pub theta: f64,
    pub phi: f64,
    /// Directional derivative `∇φᵀdw` of the barrier function.
    pub gbd: f64,
}

/// The watchdog's state and its copy of the iterate it started from.
pub(crate) struct Watchdog {
    pub active: bool,
    /// Consecutive accepted steps shorter than the fraction-to-the-boundary step.
    pub shortened: usize,
    /// Watchdog steps taken since it started.
    pub trials: usize,
    pub reference: Reference,
    /// Step size of the first trial at the start point (for the switching condition).
    pub alpha_test: f64,
    pub it: Iterate,
    pub cur: PointEval,
    pub grad: Vec<f64>,
    pub jac: Vec<f64>,
    pub grad_barrier: Vec<f64>,
    pub dir: Direction,
}

impl Watchdog {
    pub fn new(n_w: usize, n_y: usize, m_d: usize, n_jac: usize) -> Self {
        Watchdog {
            active: false,
            shortened: 0,
            trials: 0,
            reference: Reference {
                theta: 0.0,
                phi: 0.0,
                gbd: 0.0,
            },
            alpha_test: 0.0,
            it: Iterate::zeros(n_w, n_y),
            cur: PointEval::new(n_y, m_d),
            grad: vec![0.0; n_w],
            jac: vec![0.0; n_jac],
            grad_barrier: vec![0.0; n_w],
            dir: Direction::zeros(n_w, n_y),
        }
    }
}

impl super::solver::Solver<'_, '_, '_> {
    /// Remembers the current iterate, its direction and reference values.
    pub(crate) fn start_watchdog(&mut self, reference: Reference, alpha_test: f64) {
        let wd = &mut self.watchdog;
        wd.active = true;
        wd.trials = 0;
        wd.reference = reference;
        wd.alpha_test = alpha_test;
        copy_iterate(&mut wd.it, &self.it);
        copy_eval(&mut wd.cur, &self.cur);
        wd.grad.copy_from_slice(&self.grad);
        wd.jac.copy_from_slice(&self.jac);
        wd.grad_barrier.copy_from_slice(&self.grad_barrier);
        copy_direction(&mut wd.dir, &self.dir);
    }

    /// Goes back to the iterate where the watchdog started.
    pub(crate) fn restore_watchdog(&mut self) {
        let wd = &mut self.watchdog;
        wd.active = false;
        wd.shortened = 0;
        std::mem::swap(&mut wd.it, &mut self.it);
        std::mem::swap(&mut wd.cur, &mut self.cur);
        std::mem::swap(&mut wd.grad, &mut self.grad);
        std::mem::swap(&mut wd.jac, &mut self.jac);
        std::mem::swap(&mut wd.grad_barrier, &mut self.grad_barrier);
        std::mem::swap(&mut wd.dir, &mut self.dir);
    }
}

fn copy_iterate(to: &mut Iterate, from: &Iterate) {
    to.w.copy_from_slice(&from.w);
    to.y.copy_from_slice(&from.y);
    to.zl.copy_from_slice(&from.zl);
    to.zu.copy_from_slice(&from.zu);
}

fn copy_eval(to: &mut PointEval, from: &PointEval) {
    to.f = from.f;
    to.r.copy_from_slice(&from.r);
    to.d.copy_from_slice(&from.d);
}

fn copy_direction(to: &mut Direction, from: &Direction) {
    to.dw.copy_from_slice(&from.dw);
    to.dy.copy_from_slice(&from.dy);
    to.dzl.copy_from_slice(&from.dzl);
    to.dzu.copy_from_slice(&from.dzu);
}
