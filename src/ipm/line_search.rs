//! Backtracking filter line search (Wächter & Biegler 2006, §2.3–2.4) with second-order
//! corrections and tiny-step handling.

use super::filter::compare_le;
use super::kkt::inf_norm;
use super::solver::{Direction, Solver};
use super::watchdog::Reference;

/// Step-type letter for an accepted step: `f` (Armijo on the barrier function) or `h`
/// (filter / sufficient decrease of θ or φ); upper case after a second-order correction.
fn tag(ftype: bool, soc: bool) -> char {
    match (ftype, soc) {
        (true, false) => 'f',
        (false, false) => 'h',
        (true, true) => 'F',
        (false, true) => 'H',
    }
}

/// Constraint violation above which a step is never "tiny".
const TINY_STEP_MAX_VIOLATION: f64 = 1e-4;

impl Solver<'_, '_, '_> {
    /// Finds an acceptable trial point along `self.dir` and records it in `self.trial`
    /// and `self.step`. `Err(())` when the step size falls below its minimum: the
    /// restoration phase has to take over.
    pub fn line_search(&mut self) -> Result<(), ()> {
        let theta = self.theta(&self.cur.r);
        if self.theta_max < 0.0 {
            self.theta_max = self.opt.theta_max_fact * theta.max(1.0);
            self.theta_min = self.opt.theta_min_fact * theta.max(1.0);
        }
        let reference = Reference {
            theta,
            phi: self.current_barrier(),
            gbd: dot(&self.grad_barrier, &self.dir.dw),
        };
        let alpha_max = self.step_limits();

        if self.is_tiny_step() {
            self.set_trial(alpha_max);
            if self.eval_trial() {
                // A second tiny step in a row forces a smaller barrier parameter.
                self.step.tag = if self.tiny_step_last { 'T' } else { 't' };
                self.tiny_step_flag = self.tiny_step_last;
                self.tiny_step_last = true;
                self.step.alpha_pr = alpha_max;
                self.step.ls = 1;
                return Ok(());
            }
        }
        self.tiny_step_last = false;

        let mut reference = reference;
        let mut alpha_max = alpha_max;
        let trigger = self.opt.watchdog_shortened_iter_trigger;
        if !self.watchdog.active && trigger > 0 && self.watchdog.shortened >= trigger {
            self.start_watchdog(reference, alpha_max);
        }
        // After a failed watchdog the first trial of the restored iterate is known to be
        // unacceptable; the search resumes with the second.
        let mut resumed = false;
        if self.watchdog.active {
            self.set_trial(alpha_max);
            let evaluated = self.eval_trial();
            let wd_ref = self.watchdog.reference;
            if evaluated && let Ok(ftype) = self.trial_acceptable(self.watchdog.alpha_test, wd_ref)
            {
                self.watchdog.active = false;
                self.watchdog.shortened = 0;
                self.finish_step(alpha_max, 1, ftype, false, wd_ref);
                return Ok(());
            }
            self.watchdog.trials += 1;
            if evaluated && self.watchdog.trials <= self.opt.watchdog_trial_iter_max {
                self.step.alpha_pr = alpha_max;
                self.step.ls = 1;
                self.step.tag = 'w';
                return Ok(());
            }
            self.restore_watchdog();
            reference = wd_ref;
            alpha_max = self.step_limits();
            resumed = true;
        }

        let alpha_min = self.alpha_min(reference);
        let mut alpha = alpha_max;
        let mut trials = 0usize;
        if resumed {
            alpha *= self.opt.alpha_red_factor;
            trials = 1;
        }
        let mut filter_rejected = false;
        loop {
            // A limit or an interrupt ends the search; `run` reports it at the current point.
            if self.stop.check().is_some() {
                return Err(());
            }
            trials += 1;
            self.set_trial(alpha);
            let evaluated = self.eval_trial();
            if evaluated {
                if self.opt.accept_every_trial_step
                    || (self.opt.accept_after_max_steps >= 0
                        && trials > self.opt.accept_after_max_steps as usize)
                {
                    self.finish_step(alpha, trials, true, false, reference);
                    return Ok(());
                }
                match self.trial_acceptable(alpha, reference) {
                    Ok(ftype) => {
                        self.count_filter_rejections(filter_rejected);
                        self.watchdog.shortened = if alpha < alpha_max {
                            self.watchdog.shortened + 1
                        } else {
                            0
                        };
                        self.finish_step(alpha, trials, ftype, false, reference);
                        return Ok(());
                    }
                    Err(by_filter) => filter_rejected = by_filter,
                }
                if trials == 1
                    && !resumed
                    && self.try_second_order_correction(alpha, reference, trials)
                {
                    self.count_filter_rejections(filter_rejected);
                    self.watchdog.shortened = 0;
                    return Ok(());
                }
            }
            alpha *= self.opt.alpha_red_factor;
            if alpha < alpha_min {
                self.watchdog.shortened = 0;
                self.step.alpha_pr = alpha;
                self.step.alpha_du = 0.0;
                self.step.ls = trials + 1;
                self.step.tag = 'R';
                return Err(());
            }
        }
    }

    /// Filter reset heuristic: when the filter alone keeps rejecting trial points for
    /// `filter_reset_trigger` iterations, it is cleared (at most `max_filter_resets`
    /// times), because stale entries can block progress.
    fn count_filter_rejections(&mut self, last_rejection_by_filter: bool) {
        if self.filter_resets >= self.opt.max_filter_resets {
            return;
        }
        if last_rejection_by_filter {
            self.filter_rejections += 1;
            if self.filter_rejections >= self.opt.filter_reset_trigger {
                self.filter.clear();
                self.filter_resets += 1;
                self.filter_rejections = 0;
            }
        } else {
            self.filter_rejections = 0;
        }
    }

    /// Fraction-to-the-boundary step sizes of `self.dir`: records `‖dw‖` and the dual
    /// step size, returns the largest primal step size.
    fn step_limits(&mut self) -> f64 {
        self.step.d_norm = inf_norm(&self.dir.dw);
        self.step.alpha_du =
            self.bounds
                .dual_step_max(&self.it, &self.dir.dzl, &self.dir.dzu, self.tau);
        self.bounds
            .primal_step_max(&self.it.w, &self.dir.dw, self.tau)
    }

    fn set_trial(&mut self, alpha: f64) {
        for k in 0..self.n_w {
            self.trial.w[k] = self.it.w[k] + alpha * self.dir.dw[k];
        }
    }

    /// Evaluates the trial point; `false` on an evaluation error (the step is cut back).
    fn eval_trial(&mut self) -> bool {
        Self::eval_point(
            &mut self.nlp,
            &self.trial.w,
            &mut self.tri,
            &mut self.eval_seconds,
        )
    }

    /// Records the accepted step; h-type steps augment the filter with the current point.
    fn finish_step(&mut self, alpha: f64, trials: usize, ftype: bool, soc: bool, r: Reference) {
        if !ftype {
            self.filter.add(
                (1.0 - self.opt.gamma_theta) * r.theta,
                r.phi - self.opt.gamma_phi * r.theta,
            );
        }
        self.step.alpha_pr = alpha;
        self.step.ls = trials;
        self.step.tag = tag(ftype, soc);
    }

    /// Ipopt's minimal step size before the restoration phase is called.
    fn alpha_min(&self, r: Reference) -> f64 {
        let o = &self.opt;
        let mut a = o.gamma_theta;
        if r.gbd < 0.0 {
            a = a.min(o.gamma_phi * r.theta / -r.gbd);
            if r.theta <= self.theta_min {
                a = a.min(o.delta * r.theta.powf(o.s_theta) / (-r.gbd).powf(o.s_phi));
            }
        }
        o.alpha_min_frac * a
    }

    /// Switching condition: the step promises enough decrease of φ relative to θ.
    fn is_ftype(&self, alpha: f64, r: Reference) -> bool {
        let o = &self.opt;
        r.gbd < 0.0 && alpha * (-r.gbd).powf(o.s_phi) > o.delta * r.theta.powf(o.s_theta)
    }

    /// Armijo condition on the barrier function.
    fn armijo(&self, alpha: f64, phi_t: f64, r: Reference) -> bool {
        compare_le(phi_t - r.phi, self.opt.eta_phi * alpha * r.gbd, r.phi)
    }

    /// Acceptance test of the evaluated trial point (`alpha` is the step size the
    /// switching condition is tested with). Returns the step type on acceptance:
    /// `true` (f-type) when the switching condition and Armijo hold, in which case the
    /// filter is left alone.
    fn trial_acceptable(&self, alpha: f64, r: Reference) -> Result<bool, bool> {
        let o = &self.opt;
        let theta_t = self.theta(&self.tri.r);
        if theta_t > self.theta_max {
            return Err(false);
        }
        let phi_t = self
            .bounds
            .barrier(self.tri.f, &self.trial.w, self.mu, o.kappa_d)
            .ok_or(false)?;
        let ftype = self.is_ftype(alpha, r);
        let accept = if ftype && r.theta <= self.theta_min {
            self.armijo(alpha, phi_t, r)
        } else {
            if phi_t > r.phi {
                let base = r.phi.abs().max(1.0);
                if (phi_t - r.phi).log10() > o.obj_max_inc + base.log10() {
                    return Err(false);
                }
            }
            compare_le(theta_t, (1.0 - o.gamma_theta) * r.theta, r.theta)
                || compare_le(phi_t - r.phi, -o.gamma_phi * r.theta, r.phi)
        };
        if !accept {
            return Err(false);
        }
        if !self.filter.acceptable(theta_t, phi_t) {
            return Err(true);
        }
        Ok(ftype && self.armijo(alpha, phi_t, r))
    }

    /// Second-order corrections after a rejected full step: re-solve with the constraint
    /// residual accumulated along the corrections (Wächter & Biegler 2006, §2.4).
    fn try_second_order_correction(&mut self, alpha: f64, r: Reference, trials: usize) -> bool {
        if self.opt.max_soc == 0 || self.n_y == 0 {
            return false;
        }
        self.c_soc.copy_from_slice(&self.cur.r);
        let mut alpha_soc = alpha;
        let mut theta_trial = self.theta(&self.tri.r);
        let mut theta_old = 0.0;
        let mut dir = std::mem::replace(&mut self.dir_soc, Direction::empty());
        let mut accepted = false;
        let mut count = 0;
        while count < self.opt.max_soc
            && (count == 0 || theta_trial <= self.opt.kappa_soc * theta_old)
        {
            theta_old = theta_trial;
            count += 1;
            for (c, t) in self.c_soc.iter_mut().zip(&self.tri.r) {
                *c = alpha_soc * *c + t;
            }
            if !self.solve_soc(&mut dir) {
                break;
            }
            alpha_soc = self.bounds.primal_step_max(&self.it.w, &dir.dw, self.tau);
            for k in 0..self.n_w {
                self.trial.w[k] = self.it.w[k] + alpha_soc * dir.dw[k];
            }
            if !self.eval_trial() {
                break;
            }
            theta_trial = self.theta(&self.tri.r);
            if let Ok(ftype) = self.trial_acceptable(alpha, r) {
                std::mem::swap(&mut self.dir, &mut dir);
                self.step.alpha_du =
                    self.bounds
                        .dual_step_max(&self.it, &self.dir.dzl, &self.dir.dzu, self.tau);
                self.finish_step(alpha_soc, trials, ftype, true, r);
                accepted = true;
                break;
            }
        }
        self.dir_soc = dir;
        accepted
    }

    /// A step negligible relative to the iterate, taken without a line search.
    fn is_tiny_step(&self) -> bool {
        if inf_norm(&self.cur.r) > TINY_STEP_MAX_VIOLATION {
            return false;
        }
        self.dir
            .dw
            .iter()
            .zip(&self.it.w)
            .all(|(d, w)| d.abs() / (1.0 + w.abs()) <= self.opt.tiny_step_tol)
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
