//! Solver-independent description of how a solve ended.
//!
//! Both solver paths (`ipm`, `convex`) report through [`SolveStatus`]; the AMPL
//! interface maps it to Ipopt's console `EXIT:` line, the `.sol` message and
//! AMPL's `solve_result_num` (spec section C.2). Ipopt's measures that the solvers'
//! own tests and the certificate share live here too.

pub mod slack;

/// Ipopt's scale `max(s_max, mean)/s_max` of the dual infeasibility (`s_d`) or of the
/// complementarity (`s_c`) over `count` multipliers whose absolute values sum to `sum`:
/// large multipliers (a degenerate problem) must not make the overall error
/// unattainable. 1 without multipliers, and where the mean is not finite, so that a
/// non-finite multiplier cannot scale an error down to zero.
pub fn multiplier_scale(s_max: f64, sum: f64, count: usize) -> f64 {
    let scale = if count == 0 {
        1.0
    } else {
        s_max.max(sum / count as f64) / s_max
    };
    if scale.is_finite() { scale } else { 1.0 }
}

/// Final status of a solve, one variant per Ipopt `SolverReturn` that pounce can produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SolveStatus {
    Success,
    StopAtAcceptablePoint,
    FeasiblePointFound,
    LocalInfeasibility,
    DivergingIterates,
    MaxIterExceeded,
    CpuTimeExceeded,
    WallTimeExceeded,
    UserRequestedStop,
    StopAtTinyStep,
    RestorationFailure,
    ErrorInStepComputation,
    InvalidNumberDetected,
    TooFewDegreesOfFreedom,
    InvalidOption,
    OutOfMemory,
    InternalError,
    /// Inconsistent variable bounds or constraint sides, found before iterating.
    InvalidProblemDefinition,
}

impl SolveStatus {
    /// The line Ipopt prints after `EXIT: ` (exact text, spec C.2).
    pub fn exit_line(self) -> &'static str {
        use SolveStatus::*;
        match self {
            Success => "Optimal Solution Found.",
            StopAtAcceptablePoint => "Solved To Acceptable Level.",
            FeasiblePointFound => "Feasible point for square problem found.",
            LocalInfeasibility => {
                "Converged to a point of local infeasibility. Problem may be infeasible."
            }
            DivergingIterates => "Iterates diverging; problem might be unbounded.",
            MaxIterExceeded => "Maximum Number of Iterations Exceeded.",
            CpuTimeExceeded => "Maximum CPU time exceeded.",
            WallTimeExceeded => "Maximum wallclock time exceeded.",
            UserRequestedStop => "Stopping optimization at current point as requested by user.",
            StopAtTinyStep => "Search Direction is becoming Too Small.",
            RestorationFailure => "Restoration Failed!",
            ErrorInStepComputation => "Error in step computation!",
            InvalidNumberDetected => "Invalid number in NLP function or derivative detected.",
            TooFewDegreesOfFreedom => "Problem has too few degrees of freedom.",
            InvalidOption => "Invalid option encountered.",
            OutOfMemory => "Not enough memory.",
            InternalError => "INTERNAL ERROR: Unknown SolverReturn value - Notify IPOPT Authors.",
            InvalidProblemDefinition => {
                "Problem has inconsistent variable bounds or constraint sides."
            }
        }
    }

    /// The message Ipopt's AMPL driver writes into the `.sol` (exact text, spec C.2).
    pub fn sol_message(self) -> &'static str {
        use SolveStatus::*;
        match self {
            Success => "Optimal Solution Found",
            StopAtAcceptablePoint => "Solved To Acceptable Level.",
            FeasiblePointFound => "Found feasible point for square problem.",
            LocalInfeasibility | InvalidProblemDefinition => {
                "Converged to a locally infeasible point. Problem may be infeasible."
            }
            DivergingIterates => "Iterates diverging; problem might be unbounded.",
            MaxIterExceeded => "Maximum Number of Iterations Exceeded.",
            CpuTimeExceeded => "Maximum CPU Time Exceeded.",
            WallTimeExceeded => "Maximum Wallclock Time Exceeded.",
            UserRequestedStop => "User requested stop.",
            StopAtTinyStep => "Search Direction becomes Too Small.",
            RestorationFailure => "Restoration Phase Failed.",
            ErrorInStepComputation => "Error in step computation.",
            InvalidNumberDetected => "Invalid number in NLP function or derivative detected.",
            TooFewDegreesOfFreedom => "NLP has too few degrees of freedom.",
            InvalidOption => "Invalid option setting.",
            OutOfMemory => "Out of memory.",
            InternalError => "Internal error.",
        }
    }

    /// AMPL's `solve_result_num` for this outcome (spec C.2).
    pub fn solve_result_num(self) -> i32 {
        use SolveStatus::*;
        match self {
            Success => 0,
            StopAtAcceptablePoint => 1,
            FeasiblePointFound => 2,
            LocalInfeasibility | InvalidProblemDefinition => 200,
            DivergingIterates => 300,
            MaxIterExceeded => 400,
            CpuTimeExceeded => 401,
            WallTimeExceeded => 402,
            UserRequestedStop => 403,
            StopAtTinyStep => 500,
            RestorationFailure => 501,
            ErrorInStepComputation => 502,
            InvalidNumberDetected => 550,
            TooFewDegreesOfFreedom => 551,
            InvalidOption => 552,
            OutOfMemory => 553,
            InternalError => 554,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SolveStatus;

    #[test]
    fn result_codes_fall_in_ampl_ranges() {
        assert_eq!(SolveStatus::Success.solve_result_num(), 0);
        assert_eq!(SolveStatus::StopAtAcceptablePoint.solve_result_num(), 1);
        assert_eq!(SolveStatus::LocalInfeasibility.solve_result_num() / 100, 2);
        assert_eq!(SolveStatus::DivergingIterates.solve_result_num() / 100, 3);
        assert_eq!(SolveStatus::MaxIterExceeded.solve_result_num() / 100, 4);
        assert_eq!(
            SolveStatus::InvalidNumberDetected.solve_result_num() / 100,
            5
        );
    }
}

/// The result of a solve, in the solver's internal convention (Ipopt's): the problem is
/// `min s·f(x)` with `s = −1` for a maximize model and `s = 1` otherwise, and at a KKT point
/// `s·∇f(x) + J(x)ᵀ·lambda − z_lower + z_upper = 0` with `z_lower, z_upper ≥ 0`.
/// The AMPL interface converts these to AMPL's sign conventions when writing the `.sol`.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    pub status: SolveStatus,
    /// Primal values, one per model variable (fixed variables included).
    pub x: Vec<f64>,
    /// Constraint multipliers, one per model constraint.
    pub lambda: Vec<f64>,
    /// Multipliers of the variable lower bounds (0 where there is no bound).
    pub z_lower: Vec<f64>,
    /// Multipliers of the variable upper bounds (0 where there is no bound).
    pub z_upper: Vec<f64>,
    /// Objective value of the model as written (not negated for maximize).
    pub objective: f64,
    /// Iterations taken.
    pub iterations: usize,
}
