//! Number formats of AMPL solver output (spec B.1): the shortest decimal that reads back
//! to the same double, laid out as the ASL's `g_fmt` (values) and `%.g` (suffix values).
//!
//! Rust's `{:e}` already yields the shortest round-trip digit string; only the layout
//! (where to switch to exponent notation, two-digit signed exponents) is done here.

/// A finite nonzero `|x|` as its shortest digit string `D` and decimal exponent `e` with
/// `|x| = 0.D × 10^e`.
fn digits(x: f64) -> (String, i32) {
    let s = format!("{:e}", x.abs());
    let (mantissa, exp) = s.split_once('e').expect("`{:e}` has an exponent");
    let exp: i32 = exp.parse().expect("`{:e}` exponent is an integer");
    (mantissa.replace('.', ""), exp + 1)
}

fn special(x: f64) -> Option<&'static str> {
    if x.is_nan() {
        Some("NaN")
    } else if x == f64::INFINITY {
        Some("Infinity")
    } else if x == f64::NEG_INFINITY {
        Some("-Infinity")
    } else if x == 0.0 {
        Some("0")
    } else {
        None
    }
}

fn layout(x: f64, use_exponent: impl Fn(i32, usize) -> bool) -> String {
    if let Some(s) = special(x) {
        return s.to_string();
    }
    let (d, e) = digits(x);
    let c = d.len();
    let mut out = String::with_capacity(c + 8);
    if x < 0.0 {
        out.push('-');
    }
    if use_exponent(e, c) {
        out.push_str(&d[..1]);
        if c > 1 {
            out.push('.');
            out.push_str(&d[1..]);
        }
        let p = e - 1;
        out.push('e');
        out.push(if p < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", p.unsigned_abs()));
    } else if e <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', e.unsigned_abs() as usize));
        out.push_str(&d);
    } else {
        let e = e as usize;
        if e >= c {
            out.push_str(&d);
            out.extend(std::iter::repeat_n('0', e - c));
        } else {
            out.push_str(&d[..e]);
            out.push('.');
            out.push_str(&d[e..]);
        }
    }
    out
}

/// A primal or dual value as the ASL's `g_fmt` writes it: `0.5522936588816064`, `1e+20`,
/// `1.5e-05`, `100000`.
pub fn g_fmt(x: f64) -> String {
    layout(x, |e, c| e <= -4 || e > c as i32 + 5)
}

/// A real suffix value as the ASL's `%.g` writes it: like [`g_fmt`] but a single digit
/// switches to exponent form one place earlier (`100000` → `1e+05`).
pub fn short_g(x: f64) -> String {
    layout(x, |e, c| {
        let limit = if c == 1 { c as i32 + 4 } else { c as i32 + 5 };
        e <= -4 || e > limit
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pitfall_29_forms() {
        let cases = [
            (0.1, "0.1"),
            (1e20, "1e+20"),
            (1e-5, "1e-05"),
            (1.5e-5, "1.5e-05"),
            (123456.0, "123456"),
            (1234567.0, "1234567"),
            (-0.0, "0"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (0.001, "0.001"),
            (0.0001, "0.0001"),
            (12.5, "12.5"),
            (100000.0, "100000"),
            (1e6, "1e+06"),
            (-3.0, "-3"),
            (-2.345e100, "-2.345e+100"),
            (0.5522936588816064, "0.5522936588816064"),
            (-6.262653086171725e-10, "-6.262653086171725e-10"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (x, want) in cases {
            assert_eq!(g_fmt(x), want, "{x:e}");
            if x.is_finite() {
                assert_eq!(g_fmt(x).parse::<f64>().unwrap(), x);
            }
        }
    }

    #[test]
    fn suffix_form_switches_earlier_for_one_digit() {
        assert_eq!(short_g(100000.0), "1e+05");
        assert_eq!(short_g(10000.0), "10000");
        assert_eq!(short_g(120000.0), "120000");
        assert_eq!(short_g(1.0878712258659013), "1.0878712258659013");
        assert_eq!(short_g(6.693166200640359e-10), "6.693166200640359e-10");
        assert_eq!(short_g(2e-9), "2e-09");
    }

    #[test]
    fn round_trips() {
        let mut x = 1.234_567_890_123_456_7e-300;
        while x < 1e300 {
            for v in [x, -x, x * 3.7, 1.0 / x] {
                assert_eq!(g_fmt(v).parse::<f64>().unwrap(), v);
                assert_eq!(short_g(v).parse::<f64>().unwrap(), v);
            }
            x *= 13.1;
        }
    }
}
