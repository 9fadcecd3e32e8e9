//! A row's term in the overall NLP error, measured as Ipopt measures it: on a slack.
//!
//! Ipopt writes an inequality row `lo ≤ g(x) ≤ up` as `g(x) − s = 0` with `s` between the
//! (relaxed) bounds; its overall error counts `|g(x) − s|` as constraint violation and
//! `(s − bound)·v` as complementarity, never the distance of `g(x)` itself from the bound.
//! The certificate has no slack of its own to read, so it asks whether some slack within
//! the relaxed bounds gives the row a small term, and takes the smallest (the convex
//! solver's complementarity stopping test measures its rows the same way):
//!
//! `e = min over s of max(w_v·|g − s|, w_c·v·gap(s))`,
//!
//! with `gap(s)` the distance of `s` from the band between the bound the multiplier `v`
//! points at and its relaxation, `w_v` the row's weight in the violation term and `w_c`
//! the weight of complementarity (`1/s_c`, times the NLP scaling's factors when it
//! applies). Moving `s` from the nearest point `p` of the relaxed bounds towards that band
//! by `t` makes the violation `V + t` and the complementarity `v·(G − t)`, where `V` is
//! the distance of `g` beyond the relaxed bounds and `G` the gap at `p`; the larger of the
//! two is smallest where they are equal, or at `t = 0` when the violation already weighs
//! more.
//!
//! What this accepts: a point whose row values lie within the tolerance on constraint
//! violation of values complementary to the multipliers, which is what Ipopt's own
//! termination test accepts. It matters where a row's value cannot be computed closer to
//! its bound than the rounding of its terms (Maros–Meszaros STADAT1: terms of 1e7, a row
//! value of 2⁻³⁰ at an active row whose multiplier is 3.6e3). A row that is genuinely
//! off its bound pays the whole gap as violation or as complementarity, whichever is
//! smaller (never less than half the smaller of the two), so a point with a real gap
//! beyond the tolerances is still rejected.

/// The row's term `e` (see the module documentation): `violation` is `V`, the distance of
/// the row value beyond the relaxed bounds; `complementarity` is `v·G`, measured at the
/// nearest point of the relaxed bounds; `multiplier` is `v`; `w_v`, `w_c` the weights.
/// Never more than `max(w_v·V, w_c·v·G)`, the term at `s = p`; NaN counts as infinite.
pub fn row_error(violation: f64, complementarity: f64, multiplier: f64, w_v: f64, w_c: f64) -> f64 {
    let at_nearest_violation = w_v * violation;
    let at_nearest_complementarity = w_c * complementarity;
    let e = if at_nearest_complementarity <= at_nearest_violation {
        at_nearest_violation
    } else {
        // Equal terms at t = (w_c·v·G − w_v·V) / (w_v + w_c·v):
        // e = w_v·w_c·(v·V + v·G) / (w_v + w_c·v).
        w_v * w_c * (multiplier * violation + complementarity) / (w_v + w_c * multiplier)
    };
    if e.is_nan() { f64::INFINITY } else { e }
}

#[cfg(test)]
mod tests {
    use super::row_error;

    #[test]
    fn balances_violation_and_complementarity() {
        // A feasible row 1e-9 from its bound with multiplier 3600 (s_c = 5): moving the
        // slack onto the bound costs 1e-9 of violation; at the balance point both terms
        // are 1e-9·3600/3605.
        let e = row_error(0.0, 3.6e-6, 3600.0, 1.0, 0.2);
        assert!((e - 1e-9 * 720.0 / 721.0).abs() < 1e-24, "{e}");
        // A small multiplier: the complementarity term is the smaller one, nearly kept.
        let e = row_error(0.0, 1e-9, 1e-3, 1.0, 1.0);
        assert!(e < 1e-9 && e > 0.99e-9, "{e}");
        // Violation beyond the relaxed bound on the multiplier's side: no complementarity.
        assert_eq!(row_error(3e-9, 0.0, 3000.0, 1.0, 0.2), 3e-9);
    }

    #[test]
    fn a_real_gap_is_not_traded_away() {
        // A row 1e-6 from its bound with multiplier 3.4: complementarity 3.4e-6; on a slack
        // anywhere, violation or complementarity stays far above 1e-8.
        let e = row_error(0.0, 3.4e-6, 3.4, 1.0, 1.0);
        assert!(e > 7e-7, "{e}");
    }

    #[test]
    fn never_above_the_term_at_the_nearest_point() {
        for &(v, c, m, wv, wc) in &[
            (1e-9, 2e-6, 50.0, 1.0, 0.1),
            (0.0, 1e-3, 1e-2, 0.5, 1.0),
            (1e-5, 1e-12, 1e5, 1.0, 1.0),
            (0.0, 0.0, 0.0, 1.0, 1.0),
        ] {
            let e = row_error(v, c, m, wv, wc);
            assert!(e <= (wv * v).max(wc * c) * (1.0 + 1e-15), "{v} {c} {m}");
            assert!(e >= wv * v, "{v} {c} {m}");
        }
        assert_eq!(row_error(f64::NAN, 0.0, 1.0, 1.0, 1.0), f64::INFINITY);
    }
}
