//! The float type layers are generic over: `f32` for training, `f64` for finite-difference
//! checks and gradient measurements. One small trait on top of `num_traits::Float` and
//! `ndarray::LinalgScalar` (so matrix products go to `matrixmultiply`'s sgemm/dgemm).

use std::fmt::Debug;
use std::ops::{AddAssign, MulAssign, SubAssign};

/// A floating-point scalar usable by the network code.
pub trait Scalar:
    num_traits::Float + ndarray::LinalgScalar + Default + Debug + Send + Sync + AddAssign + SubAssign + MulAssign + 'static
{
    /// Conversion from f64 (rounding to nearest for f32).
    fn of(x: f64) -> Self;
    /// Conversion to f64 (exact for f32 and f64).
    fn f64(self) -> f64;
    /// The IEEE-754 bit pattern widened to u64 (for fingerprints).
    fn bits(self) -> u64;
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
}
