//! Explicit vectors: lane-wise IEEE `mul` and `add`, nothing fused. The lane count decides which
//! columns of C share a register, never the arithmetic of an entry (see [`super`]).

use crate::nn::Scalar;

/// `L` lanes of `E`.
pub trait Simd: Copy {
    type E: Scalar;
    const L: usize;
    fn zero() -> Self;
    fn splat(x: Self::E) -> Self;
    /// # Safety
    /// `p..p + L` must be readable.
    unsafe fn load(p: *const Self::E) -> Self;
    /// # Safety
    /// `p..p + L` must be writable.
    unsafe fn store(self, p: *mut Self::E);
    fn add(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
}

/// The portable vector: an array, lane by lane (also the reference in tests).
#[derive(Clone, Copy)]
pub struct Arr<E, const L: usize>([E; L]);

impl<E: Scalar, const L: usize> Simd for Arr<E, L> {
    type E = E;
    const L: usize = L;
    #[inline(always)]
    fn zero() -> Self {
        Arr([E::zero(); L])
    }
    #[inline(always)]
    fn splat(x: E) -> Self {
        Arr([x; L])
    }
    #[inline(always)]
    unsafe fn load(p: *const E) -> Self {
        Arr(std::array::from_fn(|l| *p.add(l)))
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut E) {
        for (l, v) in self.0.into_iter().enumerate() {
            *p.add(l) = v;
        }
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        Arr(std::array::from_fn(|l| self.0[l] + o.0[l]))
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        Arr(std::array::from_fn(|l| self.0[l] * o.0[l]))
    }
}

#[cfg(target_arch = "x86_64")]
pub mod x86 {
    use super::Simd;
    use std::arch::x86_64::*;

    macro_rules! vector {
        ($name:ident, $e:ty, $l:literal, $v:ty, $zero:ident, $set1:ident, $load:ident, $store:ident, $add:ident, $mul:ident) => {
            /// Only constructed inside functions compiled with the matching target feature.
            #[derive(Clone, Copy)]
            pub struct $name($v);
            impl Simd for $name {
                type E = $e;
                const L: usize = $l;
                #[inline(always)]
                fn zero() -> Self {
                    // SAFETY: only reached from code compiled for this feature (see `x86`).
                    $name(unsafe { $zero() })
                }
                #[inline(always)]
                fn splat(x: $e) -> Self {
                    // SAFETY: as above.
                    $name(unsafe { $set1(x) })
                }
                #[inline(always)]
                unsafe fn load(p: *const $e) -> Self {
                    $name($load(p))
                }
                #[inline(always)]
                unsafe fn store(self, p: *mut $e) {
                    $store(p, self.0)
                }
                #[inline(always)]
                fn add(self, o: Self) -> Self {
                    // SAFETY: as above.
                    $name(unsafe { $add(self.0, o.0) })
                }
                #[inline(always)]
                fn mul(self, o: Self) -> Self {
                    // SAFETY: as above.
                    $name(unsafe { $mul(self.0, o.0) })
                }
            }
        };
    }
    vector!(
        F32x16,
        f32,
        16,
        __m512,
        _mm512_setzero_ps,
        _mm512_set1_ps,
        _mm512_loadu_ps,
        _mm512_storeu_ps,
        _mm512_add_ps,
        _mm512_mul_ps
    );
    vector!(
        F64x8,
        f64,
        8,
        __m512d,
        _mm512_setzero_pd,
        _mm512_set1_pd,
        _mm512_loadu_pd,
        _mm512_storeu_pd,
        _mm512_add_pd,
        _mm512_mul_pd
    );
    vector!(
        F32x8,
        f32,
        8,
        __m256,
        _mm256_setzero_ps,
        _mm256_set1_ps,
        _mm256_loadu_ps,
        _mm256_storeu_ps,
        _mm256_add_ps,
        _mm256_mul_ps
    );
    vector!(
        F64x4,
        f64,
        4,
        __m256d,
        _mm256_setzero_pd,
        _mm256_set1_pd,
        _mm256_loadu_pd,
        _mm256_storeu_pd,
        _mm256_add_pd,
        _mm256_mul_pd
    );
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod wasm {
    use super::Simd;
    use core::arch::wasm32::*;

    macro_rules! vector {
        ($name:ident, $e:ty, $l:literal, $splat:ident, $add:ident, $mul:ident) => {
            #[derive(Clone, Copy)]
            pub struct $name(v128);
            impl Simd for $name {
                type E = $e;
                const L: usize = $l;
                #[inline(always)]
                fn zero() -> Self {
                    $name($splat(0.0))
                }
                #[inline(always)]
                fn splat(x: $e) -> Self {
                    $name($splat(x))
                }
                #[inline(always)]
                unsafe fn load(p: *const $e) -> Self {
                    $name(v128_load(p.cast()))
                }
                #[inline(always)]
                unsafe fn store(self, p: *mut $e) {
                    v128_store(p.cast(), self.0)
                }
                #[inline(always)]
                fn add(self, o: Self) -> Self {
                    $name($add(self.0, o.0))
                }
                #[inline(always)]
                fn mul(self, o: Self) -> Self {
                    $name($mul(self.0, o.0))
                }
            }
        };
    }
    vector!(F32x4, f32, 4, f32x4_splat, f32x4_add, f32x4_mul);
    vector!(F64x2, f64, 2, f64x2_splat, f64x2_add, f64x2_mul);
}
