//! The certificate's overall error under Ipopt's gradient-based NLP scaling, and the
//! shortcut that skips computing it: with every factor at most 1 the scaled error is at
//! most the unscaled one (`Residuals::bound_scaled_error`), so a point whose unscaled
//! error meets `tol` needs no evaluation at the starting point.
//!
//! The model: minimize 1000·(x₀ − 1)² + (x₁ − 2)² subject to −100 ≤ 200·x₀ + x₁ ≤ 300,
//! 0.5 ≤ x₀ ≤ 10, no starting point (0). At x = 0 the objective's gradient is
//! (−2000, −4) and the row's (200, 1), so Ipopt's gradient-based scaling (largest
//! gradient 100) gives the objective the factor 100/2000 = 0.05 and the row 100/200 =
//! 0.5. The KKT point is x* = (1, 2) with all multipliers 0 (the row, at 202, and the
//! bounds are inactive).

use pounce::certificate::{
    Certificate, Multipliers, NlpScaling, ScaledFigure, Tolerances, certify, certify_point,
};
use pounce::nl::model::Model;
use pounce::options::Options;
use pounce::outcome::{Solution, SolveStatus};

const NL: &str = "g3 1 1 0\t# problem scaled
 2 1 1 1 0\t# vars, constraints, objectives, ranges, eqns
 0 1\t# nonlinear constraints, objectives
 0 0\t# network constraints: nonlinear, linear
 0 2 0\t# nonlinear vars in constraints, objectives, both
 0 0 0 1\t# linear network variables; functions; arith, flags
 0 0 0 0 0\t# discrete variables: binary, integer, nonlinear (b,c,o)
 2 2\t# nonzeros in Jacobian, gradients
 0 0\t# max name lengths: constraints, variables
 0 0 0 0 0\t# common exprs: b,c,o,c1,o1
C0
n0
O0 0
o0
o2
n1000
o5
o0
v0
n-1
n2
o5
o0
v1
n-2
n2
r
0 -100 300
b
0 0.5 10
3
k1
1
J0 2
0 200
1 1
G0 2
0 0
1 0
";

fn model() -> Model {
    pounce::nl::read_bytes("scaled.nl", NL.as_bytes()).expect("a valid model")
}

fn objective(x: &[f64]) -> f64 {
    1000.0 * (x[0] - 1.0).powi(2) + (x[1] - 2.0).powi(2)
}

fn solution(x: [f64; 2], lambda: f64, z_lower: [f64; 2], z_upper: [f64; 2]) -> Solution {
    Solution {
        status: SolveStatus::Success,
        x: x.to_vec(),
        lambda: vec![lambda],
        z_lower: z_lower.to_vec(),
        z_upper: z_upper.to_vec(),
        objective: objective(&x),
        iterations: 1,
    }
}

/// The certificate after a solve (the shortcut allowed) and the full one.
fn both(model: &Model, s: &Solution, scaling: &NlpScaling) -> (Certificate, Certificate) {
    let tolerances = Tolerances::default();
    let after_solve = certify(model, s, tolerances, scaling);
    let full = certify_point(
        model,
        &s.x,
        Some(&Multipliers::of_solution(s)),
        tolerances,
        scaling,
        Some(s.objective),
    );
    (after_solve, full)
}

/// `x*` with `x₀` moved by `delta`: stationarity of column 0 is then `2000·delta`.
fn moved(delta: f64) -> Solution {
    solution([1.0 + delta, 2.0], 0.0, [0.0; 2], [0.0; 2])
}

#[test]
fn the_full_check_uses_the_gradient_based_factors() {
    let model = model();
    let (_, full) = both(&model, &moved(0.0), &NlpScaling::IPOPT_DEFAULT);
    let r = &full.residuals;
    assert_eq!(r.scaled_figure, ScaledFigure::Computed);
    assert_eq!(r.tol_scales.rows.as_deref(), Some(&[0.5][..]));
    // No multiplier is large, so s_d = 1 and stationarity enters the error as sf·d.
    assert!((r.tol_scales.dual - 1.0 / 0.05).abs() < 1e-12, "{r:?}");
}

#[test]
fn the_shortcut_applies_where_the_unscaled_error_meets_tol() {
    let model = model();
    let (after_solve, full) = both(&model, &moved(0.0), &NlpScaling::IPOPT_DEFAULT);
    assert_eq!(after_solve.residuals.scaled_figure, ScaledFigure::AtMost);
    assert!(after_solve.verified() && full.verified());
    assert!(
        full.residuals.scaled_overall_error <= after_solve.residuals.scaled_overall_error,
        "the bound {} is below the scaled error {}",
        after_solve.residuals.scaled_overall_error,
        full.residuals.scaled_overall_error
    );
    assert!(after_solve.summary_line().contains("error <= "));
}

#[test]
fn the_full_check_runs_where_only_the_scaled_error_meets_tol() {
    let model = model();
    // Unscaled stationarity 1e-7 > tol; scaled 0.05·1e-7 = 5e-9 ≤ tol.
    let (after_solve, full) = both(&model, &moved(1e-7 / 2000.0), &NlpScaling::IPOPT_DEFAULT);
    assert!(after_solve.residuals.overall_error() > 5e-8);
    assert_eq!(after_solve.residuals.scaled_figure, ScaledFigure::Computed);
    assert!(after_solve.verified(), "{}", after_solve.log_block());
    assert!(full.verified());
    assert_eq!(after_solve, full);
}

#[test]
fn a_point_failing_the_scaled_test_fails_either_way() {
    let model = model();
    // Unscaled stationarity 1e-6, scaled 5e-8 > tol.
    let (after_solve, full) = both(&model, &moved(1e-6 / 2000.0), &NlpScaling::IPOPT_DEFAULT);
    assert!(!after_solve.verified() && !full.verified());
    assert_eq!(after_solve.residuals.scaled_figure, ScaledFigure::Computed);
    let f = &after_solve.shortfalls(&Tolerances::default())[0];
    assert_eq!(f.option, "tol");
}

#[test]
fn no_shortcut_where_a_factor_may_exceed_one() {
    let model = model();
    let targets = [
        NlpScaling::GradientBased {
            max_gradient: 100.0,
            min_value: 1e-8,
            obj_target_gradient: 1e4,
            constr_target_gradient: 0.0,
        },
        NlpScaling::GradientBased {
            max_gradient: 100.0,
            min_value: 1e-8,
            obj_target_gradient: 0.0,
            constr_target_gradient: 1e4,
        },
        NlpScaling::GradientBased {
            max_gradient: 100.0,
            min_value: 2.0,
            obj_target_gradient: 0.0,
            constr_target_gradient: 0.0,
        },
    ];
    for scaling in &targets {
        let (after_solve, full) = both(&model, &moved(0.0), scaling);
        assert_eq!(after_solve.residuals.scaled_figure, ScaledFigure::Computed);
        assert_eq!(after_solve, full);
    }
    // A target gradient scales the objective up: 1e4/2000 = 5, so an unscaled
    // stationarity of 4e-9 meets tol only unscaled.
    let (after_solve, _) = both(&model, &moved(4e-9 / 2000.0), &targets[0]);
    assert!(after_solve.residuals.overall_error() <= 1e-8);
    assert!(!after_solve.verified(), "{}", after_solve.log_block());
}

#[test]
fn target_gradients_are_read_from_the_options() {
    let options = Options::with(&[
        ("nlp_scaling_obj_target_gradient", "7"),
        ("nlp_scaling_constr_target_gradient", "3"),
        ("nlp_scaling_min_value", "1e-6"),
    ])
    .expect("valid options");
    assert_eq!(
        NlpScaling::from_options(&options, &model()),
        NlpScaling::GradientBased {
            max_gradient: 100.0,
            min_value: 1e-6,
            obj_target_gradient: 7.0,
            constr_target_gradient: 3.0,
        }
    );
}

/// A deterministic sequence in [0, 1).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// ± 10^e with e uniform in [lo, hi).
    fn signed_scale(&mut self, lo: f64, hi: f64) -> f64 {
        let s = if self.next() < 0.5 { -1.0 } else { 1.0 };
        s * 10f64.powf(lo + (hi - lo) * self.next())
    }
}

#[test]
fn the_scaled_error_never_exceeds_the_unscaled_one() {
    let model = model();
    let mut rng = Lcg(12);
    let mut scaled_below = 0;
    for _ in 0..2000 {
        // Points near and far from x*, on and off the bounds and the row's sides,
        // multipliers of either sign and of sizes that move s_d and s_c.
        let x = [
            if rng.next() < 0.2 {
                0.5
            } else {
                1.0 + rng.signed_scale(-12.0, 0.0)
            },
            2.0 + rng.signed_scale(-12.0, 3.0),
        ];
        let lambda = rng.signed_scale(-10.0, 5.0);
        let z_lower = [rng.next() * 10f64.powf(8.0 * rng.next() - 6.0), 0.0];
        let z_upper = [rng.next() * 1e-3, 0.0];
        let s = solution(x, lambda, z_lower, z_upper);
        let (_, full) = both(&model, &s, &NlpScaling::IPOPT_DEFAULT);
        let r = &full.residuals;
        assert_eq!(r.scaled_figure, ScaledFigure::Computed);
        assert!(
            r.scaled_overall_error <= r.overall_error() * (1.0 + 1e-12),
            "scaled {} > unscaled {} at {s:?}",
            r.scaled_overall_error,
            r.overall_error()
        );
        if r.scaled_overall_error < 0.5 * r.overall_error() {
            scaled_below += 1;
        }
    }
    // The bound is not trivially tight: scaling lowers the error on many points.
    assert!(scaled_below > 100, "{scaled_below}");
}
