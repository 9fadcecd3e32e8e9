//! Barrier parameter update.
//!
//! Monotone (Fiacco–McCormick) rule of Wächter & Biegler (2006, eq. (7)): μ is decreased
//! once the barrier subproblem is solved to `κ_ε·μ`, linearly at first and
//! superlinearly near the solution, never below what the termination tolerance needs.
//!
//! Adaptive rule (Nocedal, Wächter & Waltz 2009): in "free mode" an oracle proposes
//! `μ = σ·(average complementarity)` every iteration (LOQO's formula, Mehrotra's probing
//! step, or the minimizer of a quality function of the step); a globalization test
//! falls back to monotone "fixed mode" when the iterates stop making progress.

use super::kkt::inf_norm;
use super::options::{AdaptiveMuGlobalization, MuOracle, MuStrategy};
use super::solver::{Direction, Solver};
use crate::outcome::SolveStatus;

/// State of the adaptive update.
pub(crate) struct AdaptiveMu {
    initialized: bool,
    free_mode: bool,
    mu_max: f64,
    /// Objective/violation pairs (obj-constr-filter) of free-mode iterates.
    filter: Vec<(f64, f64)>,
    /// Recent optimality errors (kkt-error globalization).
    kkt_refs: Vec<f64>,
}

impl AdaptiveMu {
    pub fn new() -> Self {
        AdaptiveMu {
            initialized: false,
            free_mode: true,
            mu_max: f64::INFINITY,
            filter: Vec::with_capacity(64),
            kkt_refs: Vec::with_capacity(8),
        }
    }
}

impl Solver<'_, '_, '_> {
    /// Updates μ and τ before the step computation. A tiny step that cannot be answered
    /// by a smaller μ ends the solve.
    pub fn update_barrier_parameter(&mut self) -> Result<(), SolveStatus> {
        match self.opt.mu_strategy {
            MuStrategy::Monotone => self.monotone_update(),
            MuStrategy::Adaptive if self.bounds.count == 0 => self.monotone_update(),
            MuStrategy::Adaptive => self.adaptive_update(),
        }
    }

    /// Smallest useful μ: the complementarity the termination test needs, with
    /// `compl_inf_tol` (a tolerance in the user's units) converted to the scaled problem.
    fn mu_floor(&self) -> f64 {
        let o = &self.opt;
        let compl_tol = o.compl_inf_tol * self.nlp.dual_unscale();
        (o.tol.min(compl_tol) / (o.barrier_tol_factor + 1.0)).max(o.mu_target)
    }

    fn set_mu(&mut self, mu: f64) {
        if mu != self.mu {
            // A new barrier problem: the filter and the watchdog start afresh.
            self.filter.clear();
            self.watchdog.active = false;
            self.watchdog.shortened = 0;
        }
        self.mu = mu;
        self.tau = self.opt.tau_min.max(1.0 - mu);
        if let Some(m) = self.monitor.as_deref_mut() {
            m.barrier_changed(mu);
        }
    }

    fn monotone_update(&mut self) -> Result<(), SolveStatus> {
        let mu_floor = self.mu_floor();
        loop {
            let sub_error = self.barrier_error(self.mu);
            if !(sub_error <= self.opt.barrier_tol_factor * self.mu || self.tiny_step_flag) {
                return Ok(());
            }
            let o = &self.opt;
            let new_mu = (o.mu_linear_decrease_factor * self.mu)
                .min(self.mu.powf(o.mu_superlinear_decrease_power))
                .max(mu_floor);
            let changed = new_mu < self.mu;
            if !changed && self.tiny_step_flag {
                return Err(SolveStatus::StopAtTinyStep);
            }
            self.tiny_step_flag = false;
            if !changed {
                return Ok(());
            }
            self.set_mu(new_mu);
            if !self.opt.mu_allow_fast_monotone_decrease {
                return Ok(());
            }
        }
    }

    /// Average of `slack·z` over all bounds.
    fn average_complementarity(&self) -> f64 {
        let b = &self.bounds;
        let mut sum = 0.0;
        for k in 0..self.n_w {
            if b.has_l[k] {
                sum += (self.it.w[k] - b.lower[k]) * self.it.zl[k];
            }
            if b.has_u[k] {
                sum += (b.upper[k] - self.it.w[k]) * self.it.zu[k];
            }
        }
        sum / b.count as f64
    }

    /// Globalization test of the adaptive rule: has the current iterate made progress
    /// relative to the free-mode references? Records it as a new reference if so.
    fn sufficient_progress(&mut self) -> bool {
        let error = self.errors().nlp_error;
        let f = self.cur.f;
        let theta = self.theta(&self.cur.r);
        let a = &mut self.adaptive;
        match self.opt.adaptive_mu_globalization {
            AdaptiveMuGlobalization::NeverMonotoneMode => true,
            AdaptiveMuGlobalization::KktError => {
                let ok = a.kkt_refs.is_empty()
                    || a.kkt_refs
                        .iter()
                        .any(|&r| error <= self.opt.adaptive_mu_kkterror_red_fact * r);
                if ok {
                    if a.kkt_refs.len() >= self.opt.adaptive_mu_kkterror_red_iters.max(1) {
                        a.kkt_refs.remove(0);
                    }
                    a.kkt_refs.push(error);
                }
                ok
            }
            AdaptiveMuGlobalization::ObjConstrFilter => {
                let margin = self.opt.filter_margin_fact * self.opt.filter_max_margin.min(error);
                let ok = a
                    .filter
                    .iter()
                    .all(|&(fi, ti)| f <= fi - margin || theta <= ti - margin);
                if ok {
                    a.filter.retain(|&(fi, ti)| !(f <= fi && theta <= ti));
                    a.filter.push((f, theta));
                }
                ok
            }
        }
    }

    fn adaptive_update(&mut self) -> Result<(), SolveStatus> {
        let avg = self.average_complementarity();
        if !self.adaptive.initialized {
            self.adaptive.initialized = true;
            self.adaptive.mu_max = self.opt.mu_max.min(self.opt.mu_max_fact * avg);
        }
        if !self.adaptive.free_mode {
            // Fixed mode: monotone updates until the barrier problem is solved and the
            // iterate shows progress again.
            let solved = self.barrier_error(self.mu) <= self.opt.barrier_tol_factor * self.mu;
            if !(solved && self.sufficient_progress()) {
                return self.monotone_update();
            }
            self.adaptive.free_mode = true;
        } else if !self.sufficient_progress() {
            self.adaptive.free_mode = false;
            let mu = (self.opt.adaptive_mu_monotone_init_factor * avg)
                .max(self.mu_floor())
                .min(self.adaptive.mu_max);
            self.set_mu(mu);
            return Ok(());
        }
        self.tiny_step_flag = false;
        let sigma = match self.opt.mu_oracle {
            MuOracle::Loqo => {
                let xi = self.min_complementarity() / avg;
                0.1 * (0.05 * (1.0 - xi) / xi).min(2.0).powi(3)
            }
            MuOracle::Probing => {
                if !self.factor_kkt(false) {
                    return Ok(());
                }
                self.probing_sigma(avg)
            }
            MuOracle::QualityFunction => {
                if !self.factor_kkt(false) {
                    return Ok(());
                }
                self.quality_function_sigma(avg)
            }
        };
        let mu = (sigma * avg)
            .clamp(self.opt.mu_min, self.adaptive.mu_max)
            .max(self.mu_floor());
        self.set_mu(mu);
        Ok(())
    }

    fn min_complementarity(&self) -> f64 {
        let b = &self.bounds;
        let mut m = f64::INFINITY;
        for k in 0..self.n_w {
            if b.has_l[k] {
                m = m.min((self.it.w[k] - b.lower[k]) * self.it.zl[k]);
            }
            if b.has_u[k] {
                m = m.min((b.upper[k] - self.it.w[k]) * self.it.zu[k]);
            }
        }
        m
    }

    /// Mehrotra's probing: `σ = (μ_aff / avg)³` from the affine-scaling step.
    fn probing_sigma(&mut self, avg: f64) -> f64 {
        let mut d = std::mem::replace(&mut self.dir, Direction::empty());
        self.solve_direction(0.0, &mut d);
        let a_pr = self.bounds.primal_step_max(&self.it.w, &d.dw, 1.0);
        let a_du = self.bounds.dual_step_max(&self.it, &d.dzl, &d.dzu, 1.0);
        let mu_aff = self
            .complementarity_after(&d.dw, &d.dzl, &d.dzu, a_pr, a_du)
            .0;
        self.dir = d;
        (mu_aff / avg)
            .powi(3)
            .clamp(self.opt.sigma_min, self.opt.sigma_max)
    }

    /// Average and squared 2-norm of `(s + α_pr ds)(z + α_du dz)` over all bounds.
    fn complementarity_after(
        &self,
        dw: &[f64],
        dzl: &[f64],
        dzu: &[f64],
        a_pr: f64,
        a_du: f64,
    ) -> (f64, f64) {
        let b = &self.bounds;
        let (mut sum, mut sq) = (0.0, 0.0);
        for k in 0..self.n_w {
            if b.has_l[k] {
                let c =
                    (self.it.w[k] + a_pr * dw[k] - b.lower[k]) * (self.it.zl[k] + a_du * dzl[k]);
                sum += c;
                sq += c * c;
            }
            if b.has_u[k] {
                let c =
                    (b.upper[k] - self.it.w[k] - a_pr * dw[k]) * (self.it.zu[k] + a_du * dzu[k]);
                sum += c;
                sq += c * c;
            }
        }
        (sum / b.count as f64, sq)
    }

    /// Minimizes the quality function (linearized infeasibilities plus complementarity
    /// after the step, squared 2-norms per element) over `σ` by golden-section search on
    /// `log σ`. The step is affine in σ: `d(σ) = d₀ + σ (d₁ − d₀)`.
    fn quality_function_sigma(&mut self, avg: f64) -> f64 {
        let mut d0 = std::mem::replace(&mut self.dir, Direction::empty());
        let mut d1 = std::mem::replace(&mut self.dir_soc, Direction::empty());
        self.solve_direction(0.0, &mut d0);
        self.solve_direction(avg, &mut d1);
        let dual0 = inf_norm(&self.grad_lag).powi(2);
        let primal0: f64 = self.cur.r.iter().map(|v| v * v).sum();
        let (n_w, n_y, n_b) = (
            self.n_w as f64,
            self.n_y.max(1) as f64,
            self.bounds.count as f64,
        );
        let q = |sigma: f64, s: &mut Self| -> f64 {
            for k in 0..s.n_w {
                s.trial.w[k] = d0.dw[k] + sigma * (d1.dw[k] - d0.dw[k]);
                s.trial.zl[k] = d0.dzl[k] + sigma * (d1.dzl[k] - d0.dzl[k]);
                s.trial.zu[k] = d0.dzu[k] + sigma * (d1.dzu[k] - d0.dzu[k]);
            }
            let a_pr = s.bounds.primal_step_max(&s.it.w, &s.trial.w, s.tau);
            let a_du = s
                .bounds
                .dual_step_max(&s.it, &s.trial.zl, &s.trial.zu, s.tau);
            let (_, compl) =
                s.complementarity_after(&s.trial.w, &s.trial.zl, &s.trial.zu, a_pr, a_du);
            (1.0 - a_du).powi(2) * dual0 / n_w + (1.0 - a_pr).powi(2) * primal0 / n_y + compl / n_b
        };
        let o = &self.opt;
        let hi_sigma = o.sigma_max.min(self.adaptive.mu_max / avg).max(o.sigma_min);
        let (mut lo, mut hi) = (o.sigma_min.max(1e-12).log10(), hi_sigma.log10());
        let golden = 0.5 * (5f64.sqrt() - 1.0);
        let mut x1 = hi - golden * (hi - lo);
        let mut x2 = lo + golden * (hi - lo);
        let mut f1 = q(10f64.powf(x1), self);
        let mut f2 = q(10f64.powf(x2), self);
        for _ in 0..self.opt.quality_function_max_section_steps {
            if (10f64.powf(hi) - 10f64.powf(lo))
                <= self.opt.quality_function_section_sigma_tol * 10f64.powf(hi)
            {
                break;
            }
            if f1 <= f2 {
                hi = x2;
                x2 = x1;
                f2 = f1;
                x1 = hi - golden * (hi - lo);
                f1 = q(10f64.powf(x1), self);
            } else {
                lo = x1;
                x1 = x2;
                f1 = f2;
                x2 = lo + golden * (hi - lo);
                f2 = q(10f64.powf(x2), self);
            }
        }
        self.dir = d0;
        self.dir_soc = d1;
        10f64.powf(if f1 <= f2 { x1 } else { x2 })
    }
}
