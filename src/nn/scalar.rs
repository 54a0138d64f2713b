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
    /// Takes this thread's reusable scratch buffer of this type (empty the first time, or while
    /// taken), so hot loops need not allocate per call; give it back with [`Scalar::put_scratch`].
    fn take_scratch() -> Vec<Self>;
    /// Returns a buffer taken with [`Scalar::take_scratch`].
    fn put_scratch(v: Vec<Self>);
}

/// Frees this thread's scratch buffers (they grow to the largest product since the last call).
/// Called when a measurement ends: one full-batch MNIST measurement leaves ≈ 118 MiB of
/// buffers, which in the page (wasm memory never shrinks) no later allocation could use.
/// Returns the bytes freed.
pub fn release_scratch() -> usize {
    let f = SCRATCH_F32.with(|c| c.take()).capacity() * 4;
    f + SCRATCH_F64.with(|c| c.take()).capacity() * 8
}

thread_local! {
    static SCRATCH_F32: std::cell::Cell<Vec<f32>> = const { std::cell::Cell::new(Vec::new()) };
    static SCRATCH_F64: std::cell::Cell<Vec<f64>> = const { std::cell::Cell::new(Vec::new()) };
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
    fn take_scratch() -> Vec<Self> {
        SCRATCH_F32.with(|c| c.take())
    }
    fn put_scratch(v: Vec<Self>) {
        SCRATCH_F32.with(|c| c.replace(v));
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
    fn take_scratch() -> Vec<Self> {
        SCRATCH_F64.with(|c| c.take())
    }
    fn put_scratch(v: Vec<Self>) {
        SCRATCH_F64.with(|c| c.replace(v));
    }
}
