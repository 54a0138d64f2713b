//! Transcendental functions of `f64` through the pure-Rust [`libm`] crate, for everything whose
//! numbers land in a report (statistics, spectrum fits, measurement schedules).
//!
//! `f64::ln`, `exp`, `powf`, … call the platform's C library natively (glibc here) but
//! compiler-builtins' copy of musl's libm in wasm32: two implementations that differ in the last
//! bit for some arguments, so the same measurement gave reports that differed in the 15th–16th
//! digit between `sgn-lab run` and the page (issue #17). With one implementation everywhere, the
//! report the page downloads in Chromium, Firefox and WebKit is byte-identical to the CLI's
//! (`tests/e2e/engines/determinism.test.mjs`; docs/PROTOCOL.md §5.2). The network code does the
//! same through [`crate::nn::scalar::Scalar`]'s `exp_` / `ln_` / `tanh_`. `sqrt` and the basic
//! operations are correctly rounded by IEEE 754 and need nothing.
//!
//! The trailing underscore keeps each call visibly apart from the platform's method.

/// ln(x/x_min), exact as before when the ratio is finite; ln x − ln x_min when it overflows
/// (x_min subnormal or tiny, x large: the ratio is +inf and its log would make α̂ = 1).
#[inline]
pub fn ln_ratio(x: f64, xmin: f64) -> f64 {
    let r = x / xmin;
    if r.is_finite() {
        r.ln_()
    } else {
        x.ln_() - xmin.ln_()
    }
}

/// `f64` transcendentals that give the same bits on every platform (see the module docs).
pub trait LibmF64 {
    /// ln x.
    fn ln_(self) -> f64;
    /// eˣ.
    fn exp_(self) -> f64;
    /// xʸ.
    fn powf_(self, y: f64) -> f64;
    /// log₂ x.
    fn log2_(self) -> f64;
    /// sin x.
    fn sin_(self) -> f64;
    /// arcsin x.
    fn asin_(self) -> f64;
}

impl LibmF64 for f64 {
    #[inline]
    fn ln_(self) -> f64 {
        libm::log(self)
    }
    #[inline]
    fn exp_(self) -> f64 {
        libm::exp(self)
    }
    #[inline]
    fn powf_(self, y: f64) -> f64 {
        libm::pow(self, y)
    }
    #[inline]
    fn log2_(self) -> f64 {
        libm::log2(self)
    }
    #[inline]
    fn sin_(self) -> f64 {
        libm::sin(self)
    }
    #[inline]
    fn asin_(self) -> f64 {
        libm::asin(self)
    }
}

/// The complementary error function erfc x = 1 − erf x (libm; statrs' `erfc` calls the
/// platform's `exp`).
#[inline]
pub fn erfc(x: f64) -> f64 {
    libm::erfc(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Closed forms (and the platform's functions, which agree to an ulp or two).
    #[test]
    fn agree_with_closed_forms() {
        assert_eq!(1.0f64.ln_(), 0.0);
        assert_eq!(0.0f64.exp_(), 1.0);
        assert_eq!(2.0f64.powf_(10.0), 1024.0);
        assert_eq!(1024.0f64.log2_(), 10.0);
        assert_eq!(0.0f64.sin_(), 0.0);
        assert_eq!(1.0f64.asin_(), std::f64::consts::FRAC_PI_2);
        assert_eq!(erfc(0.0), 1.0);
        for x in [1e-300, 1e-5, 0.3, 1.0, 2.5, 7.0, 1e5, 1e300] {
            let close =
                |a: f64, b: f64| (a - b).abs() <= 4.0 * f64::EPSILON * a.abs().max(b.abs()).max(f64::MIN_POSITIVE);
            assert!(close(x.ln_(), x.ln()), "ln {x}");
            assert!(close((x.ln() / 10.0).exp_(), (x.ln() / 10.0).exp()), "exp {x}");
            assert!(close(x.powf_(0.37), x.powf(0.37)), "pow {x}");
            assert!(close(x.log2_(), x.log2()), "log2 {x}");
        }
        // erfc(x) against its series-free values at a few points (Abramowitz & Stegun table 7.1).
        assert!((erfc(0.5) - 0.479_500_122_186_953_5).abs() < 1e-16);
        assert!((erfc(2.0) - 0.004_677_734_981_047_266).abs() < 1e-18);
    }
}
