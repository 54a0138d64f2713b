//! The float type layers are generic over: `f32` for training, `f64` for finite-difference
//! checks and gradient measurements. One small trait on top of `num_traits::Float` and
//! a few conversions.
//!
//! Transcendentals go through the pure-Rust `libm` crate ([`Scalar::exp_`], [`Scalar::ln_`],
//! [`Scalar::tanh_`]) rather than `std`, whose `exp`/`ln`/`tanh` call the platform's C library
//! natively but a different implementation in wasm32: with one implementation everywhere, and
//! IEEE arithmetic in a fixed order (see [`super::linalg`]), native and browser runs are bit-identical.

use std::fmt::Debug;
use std::ops::{AddAssign, MulAssign, SubAssign};

/// A floating-point scalar usable by the network code.
pub trait Scalar:
    num_traits::Float + Default + Debug + Send + Sync + AddAssign + SubAssign + MulAssign + 'static
{
    /// Conversion from f64 (rounding to nearest for f32).
    fn of(x: f64) -> Self;
    /// Conversion to f64 (exact for f32 and f64).
    fn f64(self) -> f64;
    /// The IEEE-754 bit pattern widened to u64 (for fingerprints).
    fn bits(self) -> u64;
    /// e^x (libm).
    fn exp_(self) -> Self;
    /// ln x (libm).
    fn ln_(self) -> Self;
    /// tanh x (libm).
    fn tanh_(self) -> Self;
    /// `src` as a slice of this type when it is f32 (no conversion needed), else `None`.
    fn from_f32_slice(src: &[f32]) -> Option<&[Self]>;
    /// Appends `src` converted to this type (exact: every f32 is an f64, and f32 → f32 is a copy).
    fn extend_from_f32(dst: &mut Vec<Self>, src: &[f32]);
}

impl Scalar for f32 {
    #[inline]
    fn of(x: f64) -> Self {
        x as f32
    }
    #[inline]
    fn f64(self) -> f64 {
        self as f64
    }
    #[inline]
    fn bits(self) -> u64 {
        self.to_bits() as u64
    }
    #[inline]
    fn exp_(self) -> Self {
        libm::expf(self)
    }
    #[inline]
    fn ln_(self) -> Self {
        libm::logf(self)
    }
    #[inline]
    fn tanh_(self) -> Self {
        libm::tanhf(self)
    }
    fn from_f32_slice(src: &[f32]) -> Option<&[Self]> {
        Some(src)
    }
    fn extend_from_f32(dst: &mut Vec<Self>, src: &[f32]) {
        dst.extend_from_slice(src);
    }
}

impl Scalar for f64 {
    #[inline]
    fn of(x: f64) -> Self {
        x
    }
    #[inline]
    fn f64(self) -> f64 {
        self
    }
    #[inline]
    fn bits(self) -> u64 {
        self.to_bits()
    }
    #[inline]
    fn exp_(self) -> Self {
        libm::exp(self)
    }
    #[inline]
    fn ln_(self) -> Self {
        libm::log(self)
    }
    #[inline]
    fn tanh_(self) -> Self {
        libm::tanh(self)
    }
    fn from_f32_slice(_: &[f32]) -> Option<&[Self]> {
        None
    }
    fn extend_from_f32(dst: &mut Vec<Self>, src: &[f32]) {
        dst.extend(src.iter().map(|&v| v as f64));
    }
}
