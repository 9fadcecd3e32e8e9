//! The predictor–corrector iteration on the homogeneous self-dual embedding.
//!
//! Each iteration factors the KKT matrix once and solves with it three times:
//! once for the right-hand side `[−q; b]`, which depends only on the
//! factorization, and once each for the predictor (affine) and corrector
//! (combined) directions. The `τ` component of a direction follows from a scalar
//! equation, so the `(x, z)` part is the first solution plus `Δτ` times the
//! constant one ("two-solve" strategy). Mehrotra's heuristic sets the centring
//! `σ = (1 − α_aff)³`; the corrector adds the second-order term of the predictor.
//! A problem with only zero cones (equality rows and fixed variables) is first
//! solved by one KKT solve ([`Engine::solve_equality_constrained`]).

use std::io::Write;
use std::time::Instant;

use super::cones::CompositeCone;
use super::conic::ConicProblem;
use super::equilibrate::Equilibration;
use super::info::{ConvexStatus, Info};
use super::kkt::KktSystem;
use super::residuals::{Residuals, ScaledData};
use super::settings::Settings;
use super::variables::{Variables, dot, norm_inf};

/// The iteration's state and every workspace it uses, allocated once.
pub(crate) struct Engine<'a> {
    pub data: ScaledData,
    pub eq: Equilibration,
    pub cones: CompositeCone,
    kkt: KktSystem,
    settings: &'a Settings,
    pub v: Variables,
    prev_v: Variables,
    /// The iterate closest to meeting the full tolerances (see
    /// [`Info::optimality_score`]), returned when the solve ends without meeting them.
    best_v: Variables,
    best_score: f64,
    step_aff: Variables,
    step: Variables,
    pub res: Residuals,
    pub info: Info,
    prev_info: Info,
    /// Smallest convergence measure so far (see [`Engine::check_stall`]) and the
    /// iteration it was reached at.
    best_measure: f64,
    best_iter: usize,
    /// Shortest step taken since `best_iter`.
    shortest_step: f64,
    /// `‖rz‖∞` (scaled) at the point the last step was taken from.
    rz_before_step: f64,
    mu_initial: f64,
    /// Whether KKT solves are refined to the end-game tolerances, and since which
    /// iteration.
    endgame: bool,
    endgame_iter: usize,
    rhs: Vec<f64>,
    sol: Vec<f64>,
    /// Solution for the right-hand side `[−q; b]`: `(x₂, z₂)`.
    sol_const: Vec<f64>,
    /// `κ/τ`-free part of the `Δτ` denominator, `(x₂−ξ)ᵀP(x₂−ξ) + ‖W z₂‖²`.
    tau_den_base: f64,
    work_m: Vec<f64>,
    ds_aff: Vec<f64>,
    ds: Vec<f64>,
}

/// Largest [`Info::optimality_score`] of an earlier iterate that a stalled solve
/// returns to.
const RESTORE_SCORE: f64 = 10.0;

/// How an iteration loop ended before the termination tests decided.
enum StepFailure {
    Numerical,
    TooShort,
}

impl<'a> Engine<'a> {
    pub fn new(conic: &ConicProblem, settings: &'a Settings) -> Result<Self, ConvexStatus> {
        let (n, m) = (conic.num_vars(), conic.num_rows());
        let (mut p, mut q, mut a, mut b) = (
            conic.p.clone(),
            conic.q.clone(),
            conic.a.clone(),
            conic.b.clone(),
        );
        let eq = Equilibration::apply(&mut p, &mut q, &mut a, &mut b, &conic.cones, settings);
        let data = ScaledData {
            at: a.transpose(),
            p,
            q,
            a,
            b,
        };
        let cones = CompositeCone::new(&conic.cones);
        // Single-entry rows leave the KKT matrix on the second-order cone route only:
        // the LP/QP route keeps the form its corpus results were measured with.
        let eliminate = !conic.quadratic.is_empty();
        let kkt = KktSystem::new(&data.p, &data.a, &cones, settings, eliminate)
            .map_err(|_| ConvexStatus::NumericalError)?;
        Ok(Self {
            data,
            eq,
            cones,
            kkt,
            settings,
            v: Variables::new(n, m),
            prev_v: Variables::new(n, m),
            best_v: Variables::new(n, m),
            best_score: f64::INFINITY,
            step_aff: Variables::new(n, m),
            step: Variables::new(n, m),
            res: Residuals::new(n, m),
            info: Info::default(),
            prev_info: Info::default(),
            best_measure: f64::INFINITY,
            best_iter: 0,
            shortest_step: f64::INFINITY,
            rz_before_step: f64::INFINITY,
            mu_initial: f64::NAN,
            endgame: false,
            endgame_iter: 0,
            rhs: vec![0.0; n + m],
            sol: vec![0.0; n + m],
            sol_const: vec![0.0; n + m],
            tau_den_base: 0.0,
            work_m: vec![0.0; m],
            ds_aff: vec![0.0; m],
            ds: vec![0.0; m],
        })
    }

    fn n(&self) -> usize {
        self.v.x.len()
    }

    /// Sets `W = I` and factors the KKT matrix there: the matrix of the starting
    /// point's solves and, with only zero cones, of the direct solve.
    fn factor_at_identity(&mut self) -> Result<(), StepFailure> {
        self.cones.set_identity_scaling();
        self.factor()
    }

    /// Factors the KKT matrix at the cones' current scaling.
    fn factor(&mut self) -> Result<(), StepFailure> {
        self.kkt.update_and_factor(&self.cones).map_err(|e| {
            log::debug!("KKT factorization failed: {e}");
            StepFailure::Numerical
        })
    }

    /// Writes the right-hand side `[−q; b]` of the optimality conditions into `rhs`.
    fn set_constant_rhs(&mut self) {
        let n = self.n();
        for (r, q) in self.rhs[..n].iter_mut().zip(&self.data.q) {
            *r = -q;
        }
        self.rhs[n..].copy_from_slice(&self.data.b);
    }

    /// With only zero cones (equality rows and fixed variables, no inequality and no
    /// finite bound) the optimality conditions are linear, `Px + Aᵀz = −q`, `Ax = b`,
    /// and `WᵀW = 0` at any scaling: the factorization at the identity solves them
    /// at once (refined against the unregularized matrix). The point
    /// `(x, s = 0, z, τ = 1, κ = 0)` is taken when it meets the full tolerances in
    /// the unscaled problem. When it does not, the conditions have no solution
    /// (inconsistent rows, or a direction in the null spaces of both `A` and `P`
    /// along which the objective decreases: an infeasible or unbounded problem) or
    /// the solve is too inaccurate, and the iteration, whose end points carry the
    /// certificates, decides.
    fn solve_equality_constrained(&mut self) -> bool {
        let n = self.n();
        self.set_constant_rhs();
        self.kkt.solve(&self.rhs, &mut self.sol);
        let (x, z) = self.sol.split_at(n);
        self.v.x.copy_from_slice(x);
        self.v.z.copy_from_slice(z);
        self.v.s.fill(0.0);
        self.v.tau = 1.0;
        self.v.kappa = 0.0;
        self.evaluate();
        self.info.check_full(self.settings) == ConvexStatus::Solved
    }

    /// Starting point: the least-squares primal `(x, s)` with `Ax + s = b` and the
    /// least-squares dual `z`, each shifted into its cone's interior; `τ = κ = 1`.
    /// Expects the KKT matrix factored at the identity scaling
    /// ([`Self::factor_at_identity`]).
    fn initialize(&mut self) -> Result<(), StepFailure> {
        let n = self.n();
        self.rhs[..n].fill(0.0);
        self.rhs[n..].copy_from_slice(&self.data.b);
        self.kkt.solve(&self.rhs, &mut self.sol);
        self.v.x.copy_from_slice(&self.sol[..n]);
        for (s, z) in self.v.s.iter_mut().zip(&self.sol[n..]) {
            *s = -z;
        }
        self.cones.shift_primal_to_interior(&mut self.v.s);
        for (r, q) in self.rhs[..n].iter_mut().zip(&self.data.q) {
            *r = -q;
        }
        self.rhs[n..].fill(0.0);
        self.kkt.solve(&self.rhs, &mut self.sol);
        self.v.z.copy_from_slice(&self.sol[n..]);
        self.cones.shift_dual_to_interior(&mut self.v.z);
        self.v.tau = 1.0;
        self.v.kappa = 1.0;
        if self
            .v
            .x
            .iter()
            .chain(&self.v.s)
            .chain(&self.v.z)
            .all(|v| v.is_finite())
        {
            Ok(())
        } else {
            Err(StepFailure::Numerical)
        }
    }

    /// Factors the KKT matrix at the current scaling and prepares the constant
    /// solution `(x₂, z₂)` and the `Δτ` denominator.
    fn prepare_directions(&mut self) -> Result<(), StepFailure> {
        let n = self.n();
        self.cones.update_scaling(&self.v.s, &self.v.z);
        self.factor()?;
        self.set_constant_rhs();
        self.kkt.solve(&self.rhs, &mut self.sol_const);
        // −(q + 2Pξ)ᵀx₂ − bᵀz₂ + ξᵀPξ with ξ = x/τ: in exact arithmetic this equals
        // (x₂ − ξ)ᵀP(x₂ − ξ) + ‖W z₂‖² ≥ 0, but computing it from the solved x₂, z₂
        // keeps the linearized τ equation exact for the directions actually used.
        let (x2, z2) = self.sol_const.split_at(n);
        let tau = self.v.tau;
        let q_px: f64 = (0..n)
            .map(|j| (self.data.q[j] + 2.0 * self.res.px[j] / tau) * x2[j])
            .sum();
        self.tau_den_base = -q_px - dot(&self.data.b, z2) + self.res.dot_xpx / (tau * tau);
        Ok(())
    }

    /// Solves for a direction with residual weight `weight` (1 for the predictor,
    /// `1 − σ` for the corrector) and complementarity terms `ds`, `dκ`. The
    /// predictor reads `ds_aff` and writes `step_aff`; the corrector reads `ds` and
    /// writes `step`.
    fn direction(&mut self, predictor: bool, weight: f64, dkappa: f64) {
        let n = self.n();
        let ds = if predictor { &self.ds_aff } else { &self.ds };
        self.cones.complementarity_rhs(ds, &mut self.work_m);
        for (r, rx) in self.rhs[..n].iter_mut().zip(&self.res.rx) {
            *r = -weight * rx;
        }
        for ((r, rz), c) in self.rhs[n..].iter_mut().zip(&self.res.rz).zip(&self.work_m) {
            *r = -weight * rz + c;
        }
        self.kkt.solve(&self.rhs, &mut self.sol);
        let (x1, z1) = self.sol.split_at(n);
        let (x2, z2) = self.sol_const.split_at(n);
        let (tau, kappa) = (self.v.tau, self.v.kappa);
        // (q + 2Pξ)ᵀx₁ + bᵀz₁ with Pξ = (P x)/τ.
        let qx1: f64 = (0..n)
            .map(|j| (self.data.q[j] + 2.0 * self.res.px[j] / tau) * x1[j])
            .sum();
        let num = weight * self.res.rtau - dkappa / tau + qx1 + dot(&self.data.b, z1);
        let den = kappa / tau + self.tau_den_base;
        let dtau = num / den;
        let step = if predictor {
            &mut self.step_aff
        } else {
            &mut self.step
        };
        for j in 0..n {
            step.x[j] = x1[j] + dtau * x2[j];
        }
        for (i, dz) in step.z.iter_mut().enumerate() {
            *dz = z1[i] + dtau * z2[i];
        }
        let ds = if predictor { &self.ds_aff } else { &self.ds };
        self.cones.slack_step(ds, &step.z, &mut step.s);
        step.tau = dtau;
        step.kappa = -(dkappa + kappa * dtau) / tau;
    }

    /// Largest step in `[0, 1]` keeping `(s, z, τ, κ)` in the cone interior's closure.
    fn max_step(&self, step: &Variables) -> f64 {
        let mut alpha = 1.0f64;
        if step.tau < 0.0 {
            alpha = alpha.min(-self.v.tau / step.tau);
        }
        if step.kappa < 0.0 {
            alpha = alpha.min(-self.v.kappa / step.kappa);
        }
        self.cones
            .max_step(&self.v.s, &self.v.z, &step.s, &step.z, alpha)
    }

    fn evaluate(&mut self) {
        self.res.update(&self.data, &self.v);
        self.info.update(&self.data, &self.eq, &self.v, &self.res);
        self.info.mu = self.v.mu(self.cones.degree());
    }

    /// Runs the method; returns the final status with `self.v`, `self.info` at the
    /// returned point. `accept_early` is asked at each iterate that the termination
    /// tests do not end whether the caller can finish the solve from it (the QCQP
    /// route's Newton polish does from a nearly converged iterate); if so the run
    /// ends as solved there.
    pub fn run(
        &mut self,
        log: &mut dyn Write,
        c0: f64,
        start: Instant,
        accept_early: &mut dyn FnMut(&Self) -> bool,
    ) -> ConvexStatus {
        let s = self.settings;
        self.info.objective_constant = c0;
        if self.factor_at_identity().is_err() {
            return ConvexStatus::NumericalError;
        }
        // The direct solve takes the starting point's place, with the same
        // factorization: a point it makes optimal ends the solve at iteration 0.
        // Barrier degree 0: zero cones only.
        if self.cones.degree() == 0 && self.solve_equality_constrained() {
            if s.verbose {
                let _ = super::output::iteration(log, &self.info, c0);
            }
            return ConvexStatus::Solved;
        }
        if self.initialize().is_err() {
            return ConvexStatus::NumericalError;
        }
        let mut iter = 0;
        let status = loop {
            self.info.iterations = iter;
            self.evaluate();
            if s.verbose {
                // Console output is best effort: a closed pipe must not stop the solve.
                let _ = super::output::iteration(log, &self.info, c0);
            }
            if iter > 0 {
                self.check_direction_accuracy();
            }
            if !self.endgame && self.optimality_measure() < s.endgame_threshold {
                self.enter_endgame();
            }
            let score = self.info.optimality_score(s);
            if score < self.best_score {
                self.best_score = score;
                self.best_v.copy_from(&self.v);
            }
            let mut status = self.info.check_full(s);
            if status == ConvexStatus::Unsolved && accept_early(self) {
                break ConvexStatus::Solved;
            }
            if status == ConvexStatus::Unsolved && iter > 1 {
                status = self.check_progress();
            }
            if status == ConvexStatus::Unsolved {
                status = self.check_stall(iter);
            }
            if status != ConvexStatus::Unsolved {
                break status;
            }
            if iter >= s.max_iter {
                break ConvexStatus::MaxIterations;
            }
            if start.elapsed().as_secs_f64() > s.time_limit {
                break ConvexStatus::MaxTime;
            }
            if let Some(reason) = s.stop.check() {
                break ConvexStatus::Stopped(reason);
            }
            match self.iterate() {
                Ok(()) => iter += 1,
                Err(StepFailure::Numerical) => break ConvexStatus::NumericalError,
                Err(StepFailure::TooShort) => break ConvexStatus::InsufficientProgress,
            }
        };
        log::debug!("convex loop ended: {status:?} at iteration {iter}");
        match status {
            ConvexStatus::MaxIterations
            | ConvexStatus::MaxTime
            | ConvexStatus::Stopped(_)
            | ConvexStatus::InsufficientProgress
            | ConvexStatus::NumericalError => match self.info.check_reduced(s) {
                infeasible
                    if infeasible.is_primal_infeasible() || infeasible.is_dual_infeasible() =>
                {
                    infeasible
                }
                _ => {
                    self.restore_best();
                    match self.info.check_reduced(s) {
                        ConvexStatus::Unsolved => status,
                        almost => almost,
                    }
                }
            },
            _ => status,
        }
    }

    /// Returns to the best iterate (by [`Info::optimality_score`]) when it is better
    /// than the current one: in the end game of a badly conditioned model the
    /// iterates can drift (the primal residual, times large multipliers, grows the
    /// complementarity measure) after passing a point that nearly met the tests.
    ///
    /// Only a point that nearly met every test (within [`RESTORE_SCORE`] times each
    /// tolerance) is returned to: farther back, a better score says nothing about
    /// which point is closer to the optimum.
    fn restore_best(&mut self) {
        let iterations = self.info.iterations;
        if self.best_score <= RESTORE_SCORE
            && self.best_score < self.info.optimality_score(self.settings)
        {
            self.v.copy_from(&self.best_v);
            self.evaluate();
            self.info.iterations = iterations;
        }
    }

    /// Stalling tests on a residual increase: tiny `κ/τ` with the previous gap
    /// already converged, or residuals blowing up; in the latter case the previous
    /// iterate is restored.
    fn check_progress(&mut self) -> ConvexStatus {
        let (s, info, prev) = (self.settings, &self.info, &self.prev_info);
        if info.res_dual <= prev.res_dual && info.res_primal <= prev.res_primal {
            return ConvexStatus::Unsolved;
        }
        if info.kappa_over_tau < 100.0 * f64::EPSILON
            && (prev.gap_abs < s.tol_gap_abs || prev.gap_rel < s.tol_gap_rel)
        {
            self.restore_previous();
            return ConvexStatus::InsufficientProgress;
        }
        let blew_up = |now: f64, before: f64| now > 100.0 * s.tol_feas && now > 100.0 * before;
        if info.kappa_over_tau < 1.0
            && (blew_up(info.res_dual, prev.res_dual) || blew_up(info.res_primal, prev.res_primal))
        {
            self.restore_previous();
            return ConvexStatus::InsufficientProgress;
        }
        ConvexStatus::Unsolved
    }

    /// Ends a solve that has stalled near the boundary: `μ` below
    /// `stall_mu_ratio` times its initial value, yet the convergence measure — the
    /// largest of the relative residuals and gap, or `1/(κ/τ)` for an infeasibility
    /// proof in the making — not halved within `stall_iterations`. On badly
    /// conditioned models the iterates can otherwise creep along the boundary for
    /// thousands of iterations with residuals stuck at round-off level; while `μ` is
    /// still large, long plateaus are ordinary progress.
    fn check_stall(&mut self, iter: usize) -> ConvexStatus {
        let (info, s) = (&self.info, self.settings);
        if iter == 0 {
            self.mu_initial = info.mu;
        }
        let measure = self.optimality_measure().min(1.0 / info.kappa_over_tau);
        let improved = measure < 0.5 * self.best_measure;
        if improved {
            self.best_measure = measure;
        }
        let near_boundary = info.mu <= s.stall_mu_ratio * self.mu_initial;
        if improved || !near_boundary {
            self.best_iter = iter;
            self.shortest_step = f64::INFINITY;
            return ConvexStatus::Unsolved;
        }
        self.shortest_step = self.shortest_step.min(info.step_length);
        if self.endgame
            && self.shortest_step >= s.stall_full_step
            && iter - self.best_iter.max(self.endgame_iter) >= s.stall_full_step_iterations
        {
            return ConvexStatus::InsufficientProgress;
        }
        if iter - self.best_iter >= s.stall_iterations {
            // A stall before the end game may be the refinement's error floor: solve
            // to round-off and give the iteration another round.
            if self.endgame {
                return ConvexStatus::InsufficientProgress;
            }
            self.enter_endgame();
            self.best_iter = iter;
            self.shortest_step = f64::INFINITY;
        }
        ConvexStatus::Unsolved
    }

    /// Lowers the static regularization of the KKT matrix for the rest of the solve
    /// when a step of nearly full length (`α(1 − σ)` at least `stall_full_step`) left
    /// more than `regularization_failure_ratio` of the primal residual `rz` while the
    /// iterate is not yet feasible. The residual obeys `rz⁺ = (1 − α(1 − σ)) rz + α e`
    /// exactly, `e` the error of the solved direction in the cone rows, so such a step
    /// shows `e` of the size of `rz`: the factored matrix, regularized by `δ` where `K`
    /// has eigenvalues far below it, is too poor a preconditioner for the refinement
    /// (see [`Settings::static_regularization_reduced_constant`]).
    fn check_direction_accuracy(&mut self) {
        let s = self.settings;
        let rz = norm_inf(&self.res.rz);
        let full_step = self.info.step_length * (1.0 - self.info.sigma) >= s.stall_full_step;
        if full_step
            && rz > s.regularization_failure_ratio * self.rz_before_step
            && self.info.res_primal > s.tol_feas
        {
            self.kkt.reduce_regularization();
        }
    }

    /// The largest of the relative residuals and gap.
    fn optimality_measure(&self) -> f64 {
        let info = &self.info;
        info.res_primal.max(info.res_dual).max(info.gap_rel)
    }

    fn enter_endgame(&mut self) {
        self.endgame = true;
        self.endgame_iter = self.info.iterations;
        self.kkt.enter_endgame();
    }

    fn restore_previous(&mut self) {
        self.v.copy_from(&self.prev_v);
        self.evaluate();
        self.info.iterations = self.prev_info.iterations;
    }

    /// One predictor–corrector iteration from the evaluated current point.
    fn iterate(&mut self) -> Result<(), StepFailure> {
        let mu = self.info.mu;
        self.prepare_directions()?;

        self.cones.affine_ds(&mut self.ds_aff);
        let tau_kappa = self.v.tau * self.v.kappa;
        self.direction(true, 1.0, tau_kappa);
        let alpha_aff = self.max_step(&self.step_aff);
        let sigma = (1.0 - alpha_aff).powi(3);

        self.ds.copy_from_slice(&self.ds_aff);
        self.cones
            .add_corrector(&mut self.ds, &self.step_aff.s, &self.step_aff.z, sigma * mu);
        let dkappa = tau_kappa + self.step_aff.tau * self.step_aff.kappa - sigma * mu;
        self.direction(false, 1.0 - sigma, dkappa);

        let alpha = self.settings.max_step_fraction * self.max_step(&self.step);
        let finite = self
            .step
            .x
            .iter()
            .chain(&self.step.s)
            .chain(&self.step.z)
            .all(|v| v.is_finite())
            && self.step.tau.is_finite()
            && self.step.kappa.is_finite();
        if !finite {
            return Err(StepFailure::Numerical);
        }
        if alpha < self.settings.min_terminate_step_length {
            return Err(StepFailure::TooShort);
        }
        self.rz_before_step = norm_inf(&self.res.rz);
        self.prev_v.copy_from(&self.v);
        self.prev_info = self.info;
        self.v.add_step(alpha, &self.step);
        self.info.step_length = alpha;
        self.info.sigma = sigma;
        Ok(())
    }
}
