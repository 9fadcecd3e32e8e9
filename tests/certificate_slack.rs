//! A row's complementarity measured on a slack, as Ipopt measures it: a row value within
//! the constraint-violation tolerance of its bound may be taken onto the bound, so a
//! value that rounding keeps a few units in the last place away from the bound does not
//! fail the certificate, while a real gap still does.
//!
//! The model: minimize a·λ·(x₁ − x₀) subject to a·(x₀ − x₁) ≤ 0, x free. Every point with
//! x₀ = x₁ is optimal, with row multiplier λ (Ipopt's sign: `∇f + Jᵀλ = 0` holds exactly
//! for the objective's coefficients ∓a·λ). Measured without NLP scaling, with Ipopt's
//! default tolerances: s_c = s_d = max(100, λ)/100.
//!
//! Maros–Meszaros STADAT1 is the large-magnitude case: rows of terms 1e7 whose computed
//! value at an active row is 2⁻³⁰ (the spacing of x near 5326 times 1000), multiplier
//! about 3600.

use pounce::certificate::{Certificate, Entry, Multipliers, NlpScaling, Tolerances, certify_point};

/// The model above, for row coefficient `a` and multiplier `lambda`.
fn model(a: f64, lambda: f64) -> pounce::nl::model::Model {
    let c = a * lambda;
    let nl = format!(
        "g3 1 1 0\t# problem slack\n 2 1 1 0 0\n 0 0\n 0 0\n 0 0 0\n 0 0 0 1\n 0 0 0 0 0\n \
         2 2\n 0 0\n 0 0 0 0 0\nC0\nn0\nO0 0\nn0\nr\n1 0\nb\n3\n3\nk1\n1\nJ0 2\n0 {a:e}\n1 {:e}\n\
         G0 2\n0 {:e}\n1 {c:e}\n",
        -a, -c
    );
    pounce::nl::read_bytes("slack.nl", nl.as_bytes()).expect("a valid model")
}

/// The certificate of `x` with row multiplier `lambda`, bound multipliers zero.
fn certificate(a: f64, lambda: f64, x: [f64; 2]) -> Certificate {
    let multipliers = Multipliers {
        lambda: vec![lambda],
        bounds: None,
    };
    certify_point(
        &model(a, lambda),
        &x,
        Some(&multipliers),
        Tolerances::default(),
        &NlpScaling::None,
        None,
    )
}

/// `x` one unit in the last place (2⁻⁴⁰ near 5326) times `k` from `x₀ = x₁ = 5326`.
fn near_5326(k: f64) -> [f64; 2] {
    [5326.0 + k * 2f64.powi(-40), 5326.0]
}

#[test]
fn a_rounding_floor_on_a_large_row_is_accepted() {
    // Row value −2000·2⁻⁴⁰ rounded at 1.07e7: a few 1e-9 inside the feasible side.
    let c = certificate(2000.0, 3600.0, near_5326(-1.0));
    let r = &c.residuals;
    let g_gap = r.rows[0].complementarity / 3600.0;
    assert!(g_gap > 1e-9 && g_gap < 4e-9, "row gap {g_gap}");
    // Measured on the row value itself, complementarity over s_c = 36 is 1.9e-7 > tol;
    // with the slack on the bound, violation ≈ complementarity ≈ 1.8e-9.
    assert!(r.rows[0].complementarity / 36.0 > 1e-7);
    assert!(r.overall_error() < 3e-9, "{}", r.overall_error());
    assert!(c.verified(), "{}", c.log_block());
}

#[test]
fn a_row_just_beyond_its_relaxed_bound_counts_once() {
    // Row value 7·2000·2⁻⁴⁰ ≈ 1.3e-8 above the bound 0, 3e-9 beyond its relaxation 1e-8:
    // Ipopt's slack sits on the relaxed bound, so the 3e-9 is violation, not also
    // complementarity (which would be 3600·3e-9 / 36 = 3e-7).
    let c = certificate(2000.0, 3600.0, near_5326(7.0));
    let r = &c.residuals;
    assert!(r.relaxed_constraint_violation > 1e-9 && r.relaxed_constraint_violation < 5e-9);
    assert_eq!(r.rows[0].complementarity, 0.0);
    assert!(c.verified(), "{}", c.log_block());
}

#[test]
fn a_real_gap_of_the_same_complementarity_on_a_small_row_is_rejected() {
    // Row value −1.86e-6 with terms of size 1 and multiplier 3.6: complementarity
    // 6.7e-6, as in the large case above, but the row is measurably off its bound:
    // on any slack, violation or complementarity stays above 1.4e-6.
    let c = certificate(1.0, 3.6, [1.0 - 1.86e-6, 1.0]);
    let r = &c.residuals;
    assert!((r.rows[0].complementarity - 6.7e-6).abs() < 1e-8);
    assert!(r.overall_error() > 1e-6, "{}", r.overall_error());
    assert!(!c.verified());
    assert_eq!(c.worst_entry(), Some(Entry::Row(0)));
}

#[test]
fn a_real_gap_on_a_large_row_is_rejected() {
    // The large row again, now 2e-3 off its bound (x₀ moved by 1e-6): the magnitude of
    // its terms buys nothing.
    let c = certificate(2000.0, 3600.0, [5326.0 - 1e-6, 5326.0]);
    assert!(c.residuals.overall_error() > 1e-4);
    assert!(!c.verified());
    assert_eq!(c.worst_entry(), Some(Entry::Row(0)));
}
