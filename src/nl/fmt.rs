//! C-style `%.<p>g` formatting of reals, for JSON output (17 digits) and for
//! evaluation error messages (6 digits, as the ASL prints them).

use std::fmt::Write;

/// Appends `x` formatted like C's `printf("%.<prec>g", x)` (`prec` ≥ 1).
pub fn write_g(out: &mut String, x: f64, prec: usize) {
    if !x.is_finite() {
        out.push_str(if x.is_nan() {
            "nan"
        } else if x > 0.0 {
            "inf"
        } else {
            "-inf"
        });
        return;
    }
    let prec = prec.max(1);
    let start = out.len();
    write!(out, "{:.*e}", prec - 1, x).expect("write to String");
    let epos = start + out[start..].find('e').expect("exponent");
    let exp: i32 = out[epos + 1..].parse().expect("exponent digits");
    if exp < -4 || exp >= prec as i32 {
        let exp_text = format!("e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
        out.truncate(epos);
        strip_fraction_zeros(out, start);
        out.push_str(&exp_text);
    } else {
        out.truncate(start);
        write!(out, "{:.*}", (prec as i32 - 1 - exp) as usize, x).expect("write to String");
        strip_fraction_zeros(out, start);
    }
}

/// `x` formatted like `%.<prec>g`.
pub fn format_g(x: f64, prec: usize) -> String {
    let mut s = String::new();
    write_g(&mut s, x, prec);
    s
}

/// Removes trailing zeros of a fraction (and a bare trailing point) after `start`.
fn strip_fraction_zeros(out: &mut String, start: usize) {
    if out[start..].contains('.') {
        let keep = out.trim_end_matches('0').len();
        out.truncate(keep);
        if out.ends_with('.') {
            out.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::format_g;

    #[test]
    fn matches_printf_g() {
        assert_eq!(format_g(-0.004745089, 6), "-0.00474509");
        assert_eq!(format_g(1e20, 6), "1e+20");
        assert_eq!(format_g(0.1, 17), "0.10000000000000001");
        assert_eq!(format_g(24.2, 17), "24.199999999999999");
        assert_eq!(format_g(100.0, 17), "100");
        assert_eq!(format_g(1.5e-5, 17), "1.5e-05");
        assert_eq!(format_g(-2.7, 17), "-2.7000000000000002");
        assert_eq!(format_g(-0.0, 17), "-0");
        assert_eq!(format_g(123456.0, 2), "1.2e+05");
        assert_eq!(format_g(9.9999999, 3), "10");
    }
}
