//! Multipliers in the solver's (Ipopt's) convention, and their conversion from AMPL's.

use crate::nl::model::Sense;
use crate::outcome::Solution;

/// Multipliers of the variable bounds: `z_lower, z_upper ≥ 0`, zero where a bound is absent.
#[derive(Clone, Debug, PartialEq)]
pub struct BoundMultipliers {
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// Multipliers of a point, in Ipopt's convention: at a KKT point of `min σ·f(x)`,
/// `σ·∇f(x) + J(x)ᵀ·lambda − z_lower + z_upper = 0`.
///
/// Bound multipliers may be unknown (a `.sol` from a solver that writes only row duals);
/// the certificate then takes the ones that fit best: each column's residual
/// `σ·∇f + Jᵀλ` goes to the bound that can hold it (sign and presence of the bound), and
/// whatever no bound can hold is dual infeasibility.
#[derive(Clone, Debug, PartialEq)]
pub struct Multipliers {
    pub lambda: Vec<f64>,
    pub bounds: Option<BoundMultipliers>,
}

/// σ of Ipopt's internal problem `min σ·f`.
pub(crate) fn sigma(sense: Sense) -> f64 {
    match sense {
        Sense::Minimize => 1.0,
        Sense::Maximize => -1.0,
    }
}

impl Multipliers {
    /// The multipliers of a solver result (already in Ipopt's convention).
    pub fn of_solution(solution: &Solution) -> Multipliers {
        Multipliers {
            lambda: solution.lambda.clone(),
            bounds: Some(BoundMultipliers {
                lower: solution.z_lower.clone(),
                upper: solution.z_upper.clone(),
            }),
        }
    }

    /// Converts AMPL's conventions (spec B.3) to Ipopt's: with σ = 1 for minimize and −1 for
    /// maximize, `λ = −σ·dual`, `z_L = σ·ipopt_zL_out`, `z_U = −σ·ipopt_zU_out`. This is the
    /// inverse of what the `.sol` writer does. Without either bound suffix the bound
    /// multipliers are unknown; a missing one of the two is all zeros.
    pub fn from_ampl(
        sense: Sense,
        duals: &[f64],
        zl_out: Option<&[f64]>,
        zu_out: Option<&[f64]>,
        n_var: usize,
    ) -> Multipliers {
        let s = sigma(sense);
        let scaled = |v: Option<&[f64]>, factor: f64| -> Vec<f64> {
            v.map_or_else(
                || vec![0.0; n_var],
                |v| v.iter().map(|z| factor * z).collect(),
            )
        };
        Multipliers {
            lambda: duals.iter().map(|d| -s * d).collect(),
            bounds: (zl_out.is_some() || zu_out.is_some()).then(|| BoundMultipliers {
                lower: scaled(zl_out, s),
                upper: scaled(zu_out, -s),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ampl::sol::SolContents;
    use crate::outcome::SolveStatus;

    /// Writing a solution to AMPL's conventions and converting back gives it unchanged.
    #[test]
    fn from_ampl_inverts_the_writer() {
        for sense in [Sense::Minimize, Sense::Maximize] {
            let solution = Solution {
                status: SolveStatus::Success,
                x: vec![1.0, 2.0],
                lambda: vec![-0.5, 0.25],
                z_lower: vec![3.0, 0.0],
                z_upper: vec![0.0, 4.0],
                objective: 0.0,
                iterations: 1,
            };
            let c = SolContents::new("t", sense, 2, 2, &solution);
            let dense = |k: usize| {
                let mut v = vec![0.0; 2];
                for &(i, z) in &c.suffixes[k].entries {
                    v[i] = z;
                }
                v
            };
            let (zu, zl) = (dense(0), dense(1));
            let m =
                Multipliers::from_ampl(sense, c.duals.as_deref().unwrap(), Some(&zl), Some(&zu), 2);
            assert_eq!(m, Multipliers::of_solution(&solution), "{sense:?}");
        }
    }
}
