//! Inertia correction: the choice of the perturbations `δw` (Hessian block) and `δc`
//! (constraint block) of the KKT matrix, after Ipopt's perturbation handler.
//!
//! For the first matrices it also finds out whether the Hessian or the Jacobian is
//! structurally degenerate (needing a perturbation every time); once known, later
//! matrices start directly with the perturbation they are bound to need, which saves
//! factorizations.

use super::options::IpmOptions;

/// Consecutive matrices that must show a degeneracy before it is taken as permanent.
const DEGEN_ITERS_MAX: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Degeneracy {
    Unknown,
    No,
    Yes,
}

/// Which trial of the degeneracy test the current factorization is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Test {
    None,
    Unperturbed,
    DeltaCOnly,
    DeltaWOnly,
    Both,
}

pub(crate) struct Perturbation {
    hess: Degeneracy,
    jac: Degeneracy,
    test: Test,
    degen_iters: usize,
    /// Perturbations of the current trial.
    pub delta_w: f64,
    pub delta_c: f64,
    /// Last nonzero `δw` of an accepted matrix.
    delta_w_last: f64,
    /// `δc` to use when the constraint block needs regularization (`δ̄c μ^κc`).
    delta_cd: f64,
}

impl Perturbation {
    pub fn new() -> Self {
        Perturbation {
            hess: Degeneracy::Unknown,
            jac: Degeneracy::Unknown,
            test: Test::None,
            degen_iters: 0,
            delta_w: 0.0,
            delta_c: 0.0,
            delta_w_last: 0.0,
            delta_cd: 0.0,
        }
    }

    /// Closes the degeneracy test with what the last matrix needed.
    fn finalize_test(&mut self) {
        use Degeneracy::*;
        match self.test {
            Test::None => {}
            Test::Unperturbed => {
                if self.hess == Unknown {
                    self.hess = No;
                }
                if self.jac == Unknown {
                    self.jac = No;
                }
            }
            Test::DeltaCOnly => {
                if self.hess == Unknown {
                    self.hess = No;
                }
                if self.jac == Unknown {
                    self.degen_iters += 1;
                    if self.degen_iters >= DEGEN_ITERS_MAX {
                        self.jac = Yes;
                    }
                }
            }
            Test::DeltaWOnly => {
                if self.jac == Unknown {
                    self.jac = No;
                }
                if self.hess == Unknown {
                    self.degen_iters += 1;
                    if self.degen_iters >= DEGEN_ITERS_MAX {
                        self.hess = Yes;
                    }
                }
            }
            Test::Both => {
                self.degen_iters += 1;
                if self.degen_iters >= DEGEN_ITERS_MAX {
                    self.hess = Yes;
                    self.jac = Yes;
                }
            }
        }
    }

    /// Starts a new matrix; returns `false` if no admissible perturbation exists.
    pub fn new_system(&mut self, mu: f64, opt: &IpmOptions) -> bool {
        self.finalize_test();
        if self.delta_w > 0.0 {
            self.delta_w_last = self.delta_w;
        }
        self.delta_cd =
            opt.jacobian_regularization_value * mu.powf(opt.jacobian_regularization_exponent);
        self.test = if self.hess == Degeneracy::Unknown || self.jac == Degeneracy::Unknown {
            Test::Unperturbed
        } else {
            Test::None
        };
        self.delta_c = if self.jac == Degeneracy::Yes || opt.perturb_always_cd {
            self.delta_cd
        } else {
            0.0
        };
        self.delta_w = 0.0;
        if self.hess == Degeneracy::Yes {
            return self.increase_delta_w(opt);
        }
        true
    }

    /// The matrix had too many negative eigenvalues: more Hessian perturbation.
    pub fn wrong_inertia(&mut self, opt: &IpmOptions) -> bool {
        self.finalize_test();
        self.test = Test::None;
        self.increase_delta_w(opt)
    }

    /// The matrix was singular (or had too few negative eigenvalues).
    pub fn singular(&mut self, opt: &IpmOptions) -> bool {
        let testing = self.hess == Degeneracy::Unknown || self.jac == Degeneracy::Unknown;
        match self.test {
            Test::Unperturbed if testing => {
                if self.jac == Degeneracy::Unknown {
                    self.delta_c = self.delta_cd;
                    self.test = Test::DeltaCOnly;
                    true
                } else {
                    self.test = Test::DeltaWOnly;
                    self.increase_delta_w(opt)
                }
            }
            Test::DeltaCOnly if testing => {
                self.delta_c = 0.0;
                self.test = Test::DeltaWOnly;
                self.increase_delta_w(opt)
            }
            Test::DeltaWOnly if testing => {
                self.delta_c = self.delta_cd;
                self.test = Test::Both;
                self.increase_delta_w(opt)
            }
            Test::Both if testing => self.increase_delta_w(opt),
            _ => {
                if self.delta_c > 0.0 {
                    self.increase_delta_w(opt)
                } else {
                    self.delta_c = self.delta_cd;
                    true
                }
            }
        }
    }

    fn increase_delta_w(&mut self, opt: &IpmOptions) -> bool {
        self.delta_w = if self.delta_w == 0.0 {
            if self.delta_w_last == 0.0 {
                opt.first_hessian_perturbation
            } else {
                (opt.perturb_dec_fact * self.delta_w_last).max(opt.min_hessian_perturbation)
            }
        } else if self.delta_w_last == 0.0 || 1e5 * self.delta_w_last < self.delta_w {
            opt.perturb_inc_fact_first * self.delta_w
        } else {
            opt.perturb_inc_fact * self.delta_w
        };
        if self.delta_w > opt.max_hessian_perturbation {
            self.delta_w = 0.0;
            return false;
        }
        true
    }
}
