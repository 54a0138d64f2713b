//! Number formatting for every text the lab shows — the page's verdicts and tables, the charts'
//! hover read-outs and tick labels, the CLI's Markdown and the generated docs — so a number
//! reads the same everywhere (`www/` formats none itself).

use crate::stats::proportion::Proportion;
use crate::stats::PowerLawRate;

/// A number with `digits` significant digits: plain notation for 10⁻³ ≤ |v| < 10⁵ (trailing
/// zeros dropped), scientific otherwise; "—" for a missing or non-finite value, "0" for zero.
///
/// ```
/// use sgn_lab::format::num;
/// assert_eq!(num(0.123456, 3), "0.123");
/// assert_eq!(num(2.50, 3), "2.5");
/// assert_eq!(num(1.5e-5, 3), "1.50e-5");
/// assert_eq!(num(f64::NAN, 3), "—");
/// ```
pub fn num(v: f64, digits: usize) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "—".into()
        } else if v > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    if v == 0.0 {
        return "0".into();
    }
    let digits = digits.max(1);
    let a = v.abs();
    if (1e-3..1e5).contains(&a) {
        let magnitude = libm::log10(a).floor() as i32;
        let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
        let s = format!("{v:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    } else {
        format!("{v:.prec$e}", prec = digits - 1)
    }
}

/// A tick label: 3 significant digits in plain notation for 10⁻³ ≤ |v| < `plain_below`,
/// otherwise the compact `2.5e-5` style (two significant digits, `2e-5` when the second is 0).
///
/// ```
/// use sgn_lab::format::tick;
/// assert_eq!(tick(0.0012, 1e4), "0.0012");
/// assert_eq!(tick(2.0e-5, 1e4), "2e-5");
/// assert_eq!(tick(2.5e-5, 1e4), "2.5e-5");
/// ```
pub fn tick(v: f64, plain_below: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if (1e-3..plain_below).contains(&a) {
        num(v, 3)
    } else {
        format!("{v:.1e}").replace(".0e", "e")
    }
}

/// A value in a chart's hover read-out: integers (steps, ranks) exactly, else 4 significant
/// digits.
pub fn readout(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e7 {
        format!("{v}")
    } else {
        num(v, 4)
    }
}

/// [`num`] with 3 significant digits.
pub fn n3(v: f64) -> String {
    num(v, 3)
}

/// A power-law rate as "80 % (8/10) [49–94 %]" — the share, the count, and its 95 % Wilson
/// interval ([`crate::stats::proportion::wilson95`]), so a rate from a few draws shows how little
/// it pins down — or "—" when nothing could be tested.
///
/// ```
/// use sgn_lab::format::rate;
/// use sgn_lab::stats::rate_from_verdicts;
/// let r = rate_from_verdicts(&[true, true, true, true, true, true, true, true, false, false], 0);
/// assert_eq!(rate(&r), "80 % (8/10) [49–94 %]");
/// ```
pub fn rate(r: &PowerLawRate) -> String {
    proportion(&crate::stats::proportion::wilson95(r.power_law, r.tested))
}

/// A share k/n with its interval, "87 % (261/300) [83–90 %]" (a rate pooled over replicates
/// reads like one run's, [`rate`]), or "—" when n = 0.
pub fn proportion(p: &Proportion) -> String {
    if p.n == 0 {
        return "—".into();
    }
    format!(
        "{} % ({}/{}) [{}–{} %]",
        (100.0 * p.p).round(),
        p.k,
        p.n,
        (100.0 * p.lo).round(),
        (100.0 * p.hi).round()
    )
}

/// A power-law rate as "0.80 (8/10)" (the findings' form), or "–" when nothing was tested.
pub fn rate_fraction(r: &PowerLawRate) -> String {
    match r.rate {
        Some(v) => format!("{v:.2} ({}/{})", r.power_law, r.tested),
        None => "–".into(),
    }
}

/// A share in [0, 1] as a whole percentage, "87 %".
pub fn percent(v: f64) -> String {
    if v.is_finite() {
        format!("{} %", (100.0 * v).round())
    } else {
        "—".into()
    }
}

/// A significance level as written in the text: 0.1, 0.05, 0.01.
pub fn level(alpha: f64) -> String {
    num(alpha, 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rate_from_verdicts;

    #[test]
    fn numbers_read_the_same_everywhere() {
        assert_eq!(num(123456.0, 3), "1.23e5");
        assert_eq!(num(-0.5, 3), "-0.5");
        assert_eq!(num(99.96, 3), "100");
        assert_eq!(num(0.001, 3), "0.001");
        assert_eq!(num(f64::INFINITY, 3), "∞");
        assert_eq!(
            rate(&rate_from_verdicts(&[true, true, false, true], 0)),
            "75 % (3/4) [30–95 %]"
        );
        assert_eq!(rate(&rate_from_verdicts(&[], 2)), "—");
        assert_eq!(level(0.05), "0.05");
        assert_eq!(level(0.1), "0.1");
        assert_eq!(percent(0.866), "87 %");
    }
}
