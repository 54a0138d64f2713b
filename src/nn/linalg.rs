//! Matrix products on row-major slices with a **fixed summation order**, so that results are
//! bit-identical natively and in wasm32 (no FMA contraction, no reassociation, no
//! CPU-dependent summation order — unlike BLAS or `matrixmultiply`, whose kernels differ by CPU).
//!
//! Contract: C[i,j] ← β·C[i,j] + α·s_ij, with s_ij = (((0 + A[i,0]B[0,j]) + A[i,1]B[1,j]) + …)
//! accumulated sequentially over p = 0..k−1 (β = 0 writes 0 first, so NaN/inf in C are not
//! propagated). Every kernel below computes exactly this sum for every entry; tests check it bit
//! for bit against the scalar definition, in every vector width.
//!
//! **Exact zero skipping.** A term A[i,p]·B[p,j] with A[i,p] = ±0 and B[p,j] finite is ±0, and
//! adding ±0 to the running sum never changes it (the sum starts at +0, and IEEE
//! round-to-nearest gives −0 only for (−0) + (−0), so the sum is never −0), so such terms are
//! skipped whenever the whole row p of op(B) is finite: the bits are those of the full sum.
//! ReLU activations, their back-propagated errors and constant (always-black) pixels make a
//! third to a half of the operands of a training step exact zeros.
//!
//! **Layout.** op(B) is used in place when it is row-major with whole vectors per row, else
//! packed once per call into column panels (at most 8 vectors and 256 bytes wide, zero padded).
//! The rows of op(A) are planned in blocks of 4: a block whose rows share most of their
//! non-zero positions runs the 4-row register-blocked kernel (4 rows × 2–4 vectors of C in
//! registers, over the union of the rows' non-zero positions); other rows run the one-row
//! kernel (1 row × up to 8 vectors, over that row's own non-zero positions). Either is the same
//! sequential sum per entry, so the choice (made from the data) changes the speed only. Groups
//! of row blocks sweep chunks of panels that stay in cache. Vectors are explicit SIMD types —
//! AVX-512 (16 f32 / 8 f64 lanes) or AVX2 (8 / 4) picked at run time on x86-64, simd128 (4 / 2)
//! in wasm32, plain arrays elsewhere — with lane-wise `mul` then `add` only: the lane count
//! changes which columns share a register, never the arithmetic of an entry.
//!
//! [`syrk_lower`] is the same product for op(A)·op(A)ᵀ restricted to the lower triangle (the
//! spectrum's Gram matrices).
//!
//! **Threads** (native only): above [`PAR_MIN_WORK`] multiply-adds the row blocks are shared
//! out between the calling thread and helper threads (see `par`); each output entry
//! is still computed by one kernel call in the same order, so the bits do not depend on the
//! thread count (`SGN_LAB_THREADS=1` disables it).

use super::Scalar;
use num_traits::Zero;
use std::any::TypeId;

/// Which operand layout: `N` = as stored (row-major), `T` = transposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    N,
    T,
}

/// Rows per dense block.
const MR: usize = 4;
/// Whether the kernels read A from a planned copy (`vals`: a block's values interleaved, in
/// the order of its position list, and the lists holding panel offsets p·ld) rather than in
/// place. In place needs no copy but more address arithmetic per position, which x86 has the
/// registers for and V8 (wasm) has not (measured: 20 % slower there). Tests run both.
const COPY_A: bool = cfg!(target_arch = "wasm32");
/// Most lanes in a vector.
const MAX_L: usize = 16;
/// Bytes of packed B a chunk of panels spans (see `serial`).
const PANEL_CHUNK: usize = 192 << 10;
/// Plans (row blocks) that run together over a chunk of panels.
const GROUP: usize = 8;
/// Below this many multiply-adds (m·k·n) a product runs on the calling thread only: the
/// products of a training step (≤ 10⁷) ran no faster on two threads (moving the packed operands
/// to the other core costs as much as it saves); per-sample and full-batch passes (4–8·10⁷)
/// gain 1.2–1.3× on an idle machine.
pub const PAR_MIN_WORK: usize = 1 << 24;

/// C (m×n) ← α·op(A)·op(B) + β·C, where op(A) is m×k and op(B) is k×n; A is stored row-major
/// as m×k (`Op::N`) or k×m (`Op::T`), likewise B as k×n or n×k. See the module doc for the
/// exact (platform-independent) arithmetic.
///
/// Sizes are internal invariants of the network code (never user input); a mismatch is a bug
/// and panics with a message.
#[allow(clippy::too_many_arguments)]
pub fn gemm<T: Scalar>(
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: &[T],
    op_a: Op,
    b: &[T],
    op_b: Op,
    beta: T,
    c: &mut [T],
) {
    assert!(
        a.len() == m * k && b.len() == k * n && c.len() == m * n,
        "internal gemm shape mismatch"
    );
    if m == 0 || n == 0 {
        return;
    }
    // β = 0: every entry is written as 0 + α·s (the kernels do not read C); β ≠ 0, 1: C is
    // scaled first, then the kernels add α·s.
    let overwrite = beta == T::zero();
    if !overwrite && beta != T::one() {
        c.iter_mut().for_each(|v| *v *= beta);
    }
    dispatch(
        &Args {
            m,
            k,
            n,
            alpha,
            a,
            op_a,
            b,
            op_b,
            lower: false,
            overwrite,
        },
        c,
    );
}

/// The kernels for T's vector type on this CPU.
fn dispatch<T: Scalar>(args: &Args<'_, T>, c: &mut [T]) {
    if let (Some(args), Some(c)) = (cast_args::<T, f32>(args), cast_mut::<T, f32>(c)) {
        gemm_f32(&args, c);
    } else if let (Some(args), Some(c)) = (cast_args::<T, f64>(args), cast_mut::<T, f64>(c)) {
        gemm_f64(&args, c);
    } else {
        run::<simd::Arr<T, 1>>(
            args,
            c,
            8,
            2,
            Costs {
                row_cost: 3,
                copy_a: COPY_A,
            },
            serial_safe::<simd::Arr<T, 1>>,
        );
    }
}

/// C (m×m, row-major) ← op(A)·op(A)ᵀ on and below the diagonal, with the summation order and
/// zero skipping of [`gemm`] (op(A) is m×k: A stored as m×k for `Op::N`, k×m for `Op::T`).
/// Only the lower triangle (j ≤ i) is written for sure; entries above it keep their old values
/// or get the product's. Roughly half the work of the full product (whole column panels
/// above the diagonal are skipped).
pub fn syrk_lower<T: Scalar>(m: usize, k: usize, a: &[T], op_a: Op, c: &mut [T]) {
    assert!(a.len() == m * k && c.len() == m * m, "internal syrk shape mismatch");
    if m == 0 {
        return;
    }
    let op_b = match op_a {
        Op::N => Op::T,
        Op::T => Op::N,
    };
    let args = Args {
        m,
        k,
        n: m,
        alpha: T::one(),
        a,
        op_a,
        b: a,
        op_b,
        lower: true,
        overwrite: true,
    };
    dispatch(&args, c);
}

/// `x` as a slice of `U` when `T` is `U`.
fn cast<T: 'static, U: 'static>(x: &[T]) -> Option<&[U]> {
    // SAFETY: T and U are the same type.
    (TypeId::of::<T>() == TypeId::of::<U>())
        .then(|| unsafe { std::slice::from_raw_parts(x.as_ptr().cast::<U>(), x.len()) })
}

fn cast_mut<T: 'static, U: 'static>(x: &mut [T]) -> Option<&mut [U]> {
    // SAFETY: T and U are the same type.
    (TypeId::of::<T>() == TypeId::of::<U>())
        .then(|| unsafe { std::slice::from_raw_parts_mut(x.as_mut_ptr().cast::<U>(), x.len()) })
}

fn cast_args<'a, T: Scalar, U: Scalar>(x: &Args<'a, T>) -> Option<Args<'a, U>> {
    let alpha = *cast::<T, U>(std::slice::from_ref(&x.alpha))?.first()?;
    Some(Args {
        m: x.m,
        k: x.k,
        n: x.n,
        alpha,
        a: cast(x.a)?,
        op_a: x.op_a,
        b: cast(x.b)?,
        op_b: x.op_b,
        lower: x.lower,
        overwrite: x.overwrite,
    })
}

/// The operands of one call.
struct Args<'a, T> {
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: &'a [T],
    op_a: Op,
    b: &'a [T],
    op_b: Op,
    /// Only blocks on or below the diagonal are needed (m = n, [`syrk_lower`]).
    lower: bool,
    /// C ← 0 + α·s instead of C + α·s (C is not read).
    overwrite: bool,
}

// Panel width (elements): ≤ 8 vectors and ≤ 256 bytes a row. Dense width: vectors per row of a
// 4-row block (16 accumulators with AVX-512's 32 registers, 8 with 16 registers).
fn gemm_f32(args: &Args<'_, f32>, c: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F (checked just above).
            return unsafe { x86::f32_avx512(args, c) };
        }
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { x86::f32_avx2(args, c) };
        }
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        run::<simd::wasm::F32x4>(
            args,
            c,
            32,
            2,
            Costs {
                row_cost: 3,
                copy_a: COPY_A,
            },
            serial_safe::<simd::wasm::F32x4>,
        )
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        run::<simd::Arr<f32, 4>>(
            args,
            c,
            32,
            2,
            Costs {
                row_cost: 3,
                copy_a: COPY_A,
            },
            serial_safe::<simd::Arr<f32, 4>>,
        )
    }
}

fn gemm_f64(args: &Args<'_, f64>, c: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F (checked just above).
            return unsafe { x86::f64_avx512(args, c) };
        }
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { x86::f64_avx2(args, c) };
        }
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        run::<simd::wasm::F64x2>(
            args,
            c,
            16,
            2,
            Costs {
                row_cost: 3,
                copy_a: COPY_A,
            },
            serial_safe::<simd::wasm::F64x2>,
        )
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        run::<simd::Arr<f64, 2>>(
            args,
            c,
            16,
            2,
            Costs {
                row_cost: 3,
                copy_a: COPY_A,
            },
            serial_safe::<simd::Arr<f64, 2>>,
        )
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::simd::x86::*;
    use super::{run, serial, Args, Costs, Job, Plan};

    macro_rules! isa {
        ($feature:literal, $entry:ident, $serial:ident, $v:ty, $e:ty, $width:literal, $dense:literal, $row_cost:literal, $copy_a:literal) => {
            #[target_feature(enable = $feature)]
            pub(super) unsafe fn $entry(args: &Args<'_, $e>, c: &mut [$e]) {
                run::<$v>(args, c, $width, $dense, Costs { row_cost: $row_cost, copy_a: $copy_a }, $serial)
            }
            /// The kernels compiled for this feature; also what other threads run.
            #[target_feature(enable = $feature)]
            unsafe fn $serial(job: &Job<'_, $e>, plans: &[Plan], c: &mut [$e], row0: usize) {
                serial::<$v>(job, plans, c, row0)
            }
        };
    }
    // (feature, …, vector, element, panel width, dense vectors per row, row cost, copy A): A
    // is read in place only with AVX-512's 32 registers.
    isa!("avx512f", f32_avx512, serial_f32_avx512, F32x16, f32, 64, 4, 5, false);
    isa!("avx512f", f64_avx512, serial_f64_avx512, F64x8, f64, 32, 4, 5, false);
    isa!("avx2", f32_avx2, serial_f32_avx2, F32x8, f32, 64, 2, 3, true);
    isa!("avx2", f64_avx2, serial_f64_avx2, F64x4, f64, 32, 2, 3, true);
}

/// Explicit vectors: lane-wise IEEE `mul` and `add`, nothing fused.
pub(crate) mod simd {
    use super::Scalar;

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
}

use simd::Simd;

/// op(B) as column panels `width` columns wide: panel q (columns q·width ..) starts at
/// `data[q·step]`, its row p `ld` values further on. Either B itself (`Op::N` with whole
/// vectors: ld = n, step = width) or a zero-padded packed copy (ld = width, step = k·width).
struct PackedB<'s, E> {
    data: &'s [E],
    ld: usize,
    step: usize,
    width: usize,
    panels: usize,
}

impl<E> PackedB<'_, E> {
    /// Panel q, from its first value to the end of the data.
    fn panel(&self, q: usize) -> &[E] {
        self.data.get(q * self.step..).unwrap_or(&[])
    }
}

/// Whether op(B) is used in place: stored row-major with a multiple of `lanes` columns, so
/// that every vector a kernel loads lies inside the matrix.
fn b_in_place(n: usize, op: Op, lanes: usize) -> bool {
    op == Op::N && n.is_multiple_of(lanes)
}

/// 1 when `row` has a non-finite value, else 0 (no early exit: the loop vectorises).
#[inline(always)]
fn not_finite<E: Scalar>(row: &[E]) -> u8 {
    !row.iter().fold(true, |ok, v| ok & v.is_finite()) as u8
}

/// Sets `nf[p]` to 1 when row p of op(B) (stored row-major, `Op::N`) has a non-finite value.
fn scan_b<E: Scalar>(n: usize, b: &[E], nf: &mut [u8]) {
    for (f, row) in nf.iter_mut().zip(b.chunks_exact(n)) {
        *f = not_finite(row);
    }
}

/// Packs op(B) into `data` (panels·k·width values) and sets `nf[p]` to 1 when row p of op(B)
/// has a non-finite value, else 0.
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn pack_b<'s, E: Scalar>(
    k: usize,
    n: usize,
    b: &[E],
    op: Op,
    width: usize,
    data: &'s mut [E],
    nf: &mut [u8],
) -> PackedB<'s, E> {
    let panels = n.div_ceil(width);
    debug_assert_eq!(data.len(), panels * k * width);
    debug_assert!(width.is_multiple_of(4), "4-column tiles must not straddle panels");
    nf.iter_mut().for_each(|f| *f = 0);
    if k > 0 {
        match op {
            Op::N => {
                for (p, row) in b.chunks_exact(n).enumerate() {
                    nf[p] = not_finite(row);
                    for (q, dst) in data.chunks_exact_mut(k * width).enumerate() {
                        let j0 = q * width;
                        let w = (n - j0).min(width);
                        let d = &mut dst[p * width..(p + 1) * width];
                        d[..w].copy_from_slice(&row[j0..j0 + w]);
                        d[w..].iter_mut().for_each(|v| *v = E::zero());
                    }
                }
            }
            Op::T => {
                // Stored n×k: column j of op(B) is row j of the buffer. 4×4 tiles (4 columns ×
                // 4 positions: four loads of 4, four stores of 4 — a transpose LLVM turns into
                // shuffles), then the edges one by one.
                let (n4, k4) = (n - n % 4, k - k % 4);
                for j0 in (0..n4).step_by(4) {
                    let (q, l) = (j0 / width, j0 % width);
                    let dst = &mut data[q * k * width..(q + 1) * k * width];
                    let row = |t: usize| &b[(j0 + t) * k..(j0 + t + 1) * k];
                    let src = [row(0), row(1), row(2), row(3)];
                    for p0 in (0..k4).step_by(4) {
                        let (s0, s1, s2, s3) = (
                            &src[0][p0..p0 + 4],
                            &src[1][p0..p0 + 4],
                            &src[2][p0..p0 + 4],
                            &src[3][p0..p0 + 4],
                        );
                        for u in 0..4 {
                            let o = (p0 + u) * width + l;
                            dst[o..o + 4].copy_from_slice(&[s0[u], s1[u], s2[u], s3[u]]);
                        }
                    }
                    for p in k4..k {
                        for (t, s) in src.iter().enumerate() {
                            dst[p * width + l + t] = s[p];
                        }
                    }
                }
                for j in n4..n {
                    let (q, l) = (j / width, j % width);
                    for (p, &v) in b[j * k..(j + 1) * k].iter().enumerate() {
                        data[(q * k + p) * width + l] = v;
                    }
                }
                // Non-finite rows of op(B) (= columns of the buffer), in a pass of its own.
                for col in b.chunks_exact(k) {
                    for (f, v) in nf.iter_mut().zip(col) {
                        *f |= !v.is_finite() as u8;
                    }
                }
                let pad = panels * width - n;
                if pad > 0 {
                    for row in data[(panels - 1) * k * width..].chunks_exact_mut(width) {
                        row[width - pad..].iter_mut().for_each(|v| *v = E::zero());
                    }
                }
            }
        }
    }
    PackedB {
        data,
        ld: width,
        step: k * width,
        width,
        panels,
    }
}

/// op(A) read in place: A(i, p) = a[i·row + p·col].
#[derive(Clone, Copy)]
struct ViewA<'a, E> {
    a: &'a [E],
    row: usize,
    col: usize,
}

/// How one block of rows of op(A) is computed: over the `len` kept positions `idx[at..]`
/// (increasing p; `at = 0, len = k` is the list of all positions), with [`COPY_A`] their A
/// values from `vals[vat..]`.
#[derive(Clone, Copy)]
enum Plan {
    /// Rows `i0..i0 + MR` together over the union of their kept positions (`vals`: MR values
    /// per position).
    Dense {
        i0: usize,
        at: usize,
        vat: usize,
        len: usize,
    },
    /// One row alone over its own kept positions.
    Row {
        i: usize,
        at: usize,
        vat: usize,
        len: usize,
    },
}

impl Plan {
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    fn first_row(&self) -> usize {
        match *self {
            Plan::Dense { i0, .. } => i0,
            Plan::Row { i, .. } => i,
        }
    }
    fn last_row(&self) -> usize {
        match *self {
            Plan::Dense { i0, .. } => i0 + MR - 1,
            Plan::Row { i, .. } => i,
        }
    }
    fn list_end(&self) -> usize {
        match *self {
            Plan::Dense { at, len, .. } | Plan::Row { at, len, .. } => at + len,
        }
    }
}

/// How a vector type's kernels are best fed (measured per instruction set).
#[derive(Clone, Copy)]
struct Costs {
    /// Relative cost of a multiply-add in the one-row kernel against the 4-row kernel, as the
    /// fraction `row_cost / 2`: a block runs row by row when 2·4·(union of its kept positions)
    /// exceeds `row_cost`·(sum of its rows' kept positions). The one-row kernel loads one B
    /// vector per multiply-add instead of one per four rows and has fewer accumulators:
    /// measured ≈ 2.3× the 4-row kernel's cost per multiply-add with AVX-512, ≈ 1.3× in V8.
    row_cost: usize,
    /// See [`COPY_A`].
    copy_a: bool,
}

/// Plans the rows of op(A): which positions each block keeps — p with A[i,p] ≠ 0, or with row
/// p of op(B) not finite (0·inf = NaN must still be added) — and which kernel runs it. `idx`
/// starts with the list of all positions 0..k (shared by every block that keeps them all);
/// the other lists follow, written without branches (`idx` must hold k + m·k + 1 entries).
/// With [`COPY_A`] the lists finally hold p·ld (the offset of row p in a panel) instead of p.
/// With [`COPY_A`] the blocks' A values go to `vals` (m·k + 1 entries), else it is unused.
/// `nf[p]` = 1 when row p of op(B) is not finite; `keep` is scratch of k bytes.
#[allow(clippy::too_many_arguments)]
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn plan_a<E: Scalar>(
    m: usize,
    k: usize,
    a: ViewA<'_, E>,
    nf: &[u8],
    ld: usize,
    costs: Costs,
    idx: &mut [u32],
    vals: &mut [E],
    keep: &mut [u8],
    plans: &mut Vec<Plan>,
) {
    let copy_a = costs.copy_a;
    for (p, v) in idx[..k].iter_mut().enumerate() {
        *v = p as u32;
    }
    if a.col == 1 {
        plan_rows::<E, false>(m, k, a, nf, costs, idx, vals, keep, plans)
    } else {
        plan_rows::<E, true>(m, k, a, nf, costs, idx, vals, keep, plans)
    }
    if copy_a {
        // The kernels reading the copy need only where row p starts in the panel: p·ld.
        let used = plans.iter().map(|p| p.list_end()).max().unwrap_or(0).max(k);
        for v in &mut idx[..used] {
            *v *= ld as u32;
        }
    }
}

/// [`plan_a`] for one layout of A: `TRANS` = op(A) is Aᵀ (its 4 rows at a position are 4
/// consecutive values), else each row is contiguous.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn plan_rows<E: Scalar, const TRANS: bool>(
    m: usize,
    k: usize,
    a: ViewA<'_, E>,
    nf: &[u8],
    costs: Costs,
    idx: &mut [u32],
    vals: &mut [E],
    keep: &mut [u8],
    plans: &mut Vec<Plan>,
) {
    let Costs { row_cost, copy_a } = costs;
    let zero = E::zero();
    let (nf, keep) = (&nf[..k], &mut keep[..k]);
    // Cursors into `idx` (after the shared list of all positions) and `vals`.
    let (mut w, mut wv) = (k, 0usize);
    // The last compacted dense list (start, length) and its mask.
    let (mut last, mut last_keep): (Option<(usize, usize)>, Vec<u8>) = (None, vec![0; k]);
    let mut i0 = 0;
    while i0 + MR <= m {
        // keep[p] = the union of the four rows' kept positions; `rows` = the sum of their
        // sizes. Element-wise loops over contiguous rows (vectorised) when op(A) = A.
        let mut rows = 0u32;
        // (Written out: closures through `array::map` were not inlined here.)
        if TRANS {
            for (p, (kp, &f)) in keep.iter_mut().zip(nf).enumerate() {
                let v = &a.a[p * a.col + i0..p * a.col + i0 + MR];
                let (n0, n1, n2, n3) = (
                    (v[0] != zero) as u8,
                    (v[1] != zero) as u8,
                    (v[2] != zero) as u8,
                    (v[3] != zero) as u8,
                );
                rows += ((n0 + n1 + n2 + n3) as u32).max(4 * f as u32);
                *kp = n0 | n1 | n2 | n3 | f;
            }
        } else {
            let at = |r: usize| &a.a[(i0 + r) * a.row..(i0 + r) * a.row + k];
            let (r0, r1, r2, r3) = (at(0), at(1), at(2), at(3));
            for (p, (kp, &f)) in keep.iter_mut().zip(nf).enumerate() {
                *kp = (r0[p] != zero) as u8 | (r1[p] != zero) as u8 | (r2[p] != zero) as u8 | (r3[p] != zero) as u8 | f;
            }
            for row in [r0, r1, r2, r3] {
                for (&x, &f) in row.iter().zip(nf) {
                    rows += ((x != zero) as u8 | f) as u32;
                }
            }
        }
        let union: usize = keep.iter().map(|&x| x as usize).sum();
        if 2 * MR * union <= row_cost * rows as usize {
            let (at, len) = if union == k {
                (0, k)
            } else if last.is_some_and(|(_, len)| len == union) && keep[..] == last_keep[..] {
                // The same positions as the previous dense block (typically the input's
                // constant pixels): share its list.
                last.unwrap_or_default()
            } else {
                let len = compact(&mut idx[w..w + k + 1], keep);
                w += len;
                last = Some((w - len, len));
                last_keep.copy_from_slice(keep);
                (w - len, len)
            };
            if copy_a {
                for (q, &p) in idx[at..at + len].iter().enumerate() {
                    let o = p as usize * a.col;
                    for r in 0..MR {
                        vals[wv + MR * q + r] = a.a[(i0 + r) * a.row + o];
                    }
                }
            }
            plans.push(Plan::Dense { i0, at, vat: wv, len });
            wv += if copy_a { MR * len } else { 0 };
        } else {
            for r in 0..MR {
                let len = plan_row(k, a, i0 + r, nf, copy_a, &mut idx[w..w + k + 1], &mut vals[wv..]);
                plans.push(Plan::Row {
                    i: i0 + r,
                    at: w,
                    vat: wv,
                    len,
                });
                w += len;
                wv += if copy_a { len } else { 0 };
            }
        }
        i0 += MR;
    }
    for i in i0..m {
        let len = plan_row(k, a, i, nf, copy_a, &mut idx[w..w + k + 1], &mut vals[wv..]);
        plans.push(Plan::Row { i, at: w, vat: wv, len });
        w += len;
        wv += if copy_a { len } else { 0 };
    }
}

/// The positions p with keep[p] = 1 into the start of `out` (k + 1 entries); returns how many.
#[inline(always)]
fn compact(out: &mut [u32], keep: &[u8]) -> usize {
    let op = out[..keep.len() + 1].as_mut_ptr();
    let mut w = 0;
    for (p, &kp) in keep.iter().enumerate() {
        // SAFETY: w ≤ p < k, and `out` holds k + 1 entries (checked by the slicing above).
        unsafe { *op.add(w) = p as u32 };
        w += kp as usize;
    }
    w
}

/// Row i's kept positions into the start of `out` (k + 1 entries), with [`COPY_A`] their
/// values into the start of `vals` (k + 1 entries); returns how many.
#[inline(always)]
fn plan_row<E: Scalar>(
    k: usize,
    a: ViewA<'_, E>,
    i: usize,
    nf: &[u8],
    copy_a: bool,
    out: &mut [u32],
    vals: &mut [E],
) -> usize {
    let op = out[..k + 1].as_mut_ptr();
    let vp = if copy_a {
        vals[..k + 1].as_mut_ptr()
    } else {
        vals.as_mut_ptr()
    };
    let mut w = 0;
    for (p, &f) in nf[..k].iter().enumerate() {
        let v = a.a[i * a.row + p * a.col];
        // SAFETY: w ≤ p < k and both lists hold k + 1 entries (checked by the slicing above).
        unsafe {
            *op.add(w) = p as u32;
            if copy_a {
                *vp.add(w) = v;
            }
        }
        w += ((v != E::zero()) as u8 | f) as usize;
    }
    w
}

/// Per-thread reusable buffers: position lists, non-finite rows of op(B), kept positions of a
/// block, plans.
type Buffers = (Vec<u32>, Vec<u8>, Vec<u8>, Vec<Plan>);

thread_local! {
    static BUFFERS: std::cell::Cell<Buffers> = const { std::cell::Cell::new((Vec::new(), Vec::new(), Vec::new(), Vec::new())) };
}

/// Frees this thread's product buffers and scratch (see [`super::scalar::release_scratch`]);
/// returns the bytes freed. The next product allocates them again.
pub fn release_buffers() -> usize {
    let (idx, nf, keep, plans) = BUFFERS.with(|s| s.take());
    idx.capacity() * 4
        + nf.capacity()
        + keep.capacity()
        + plans.capacity() * std::mem::size_of::<Plan>()
        + super::scalar::release_scratch()
}

/// The whole product for one vector type: `width` = panel width (elements, a multiple of the
/// lanes, ≤ 8 vectors), `dense` = vectors per row of a dense block (2 or 4).
#[inline(always)]
fn run<S: Simd>(args: &Args<'_, S::E>, c: &mut [S::E], width: usize, dense: usize, costs: Costs, serial: Serial<S::E>) {
    let copy_a = costs.copy_a;
    let &Args {
        m,
        k,
        n,
        alpha,
        a,
        op_a,
        b,
        op_b,
        lower,
        overwrite,
    } = args;
    let view = match op_a {
        Op::N => ViewA { a, row: k, col: 1 },
        Op::T => ViewA { a, row: 1, col: m },
    };
    assert!(k <= u32::MAX as usize, "internal gemm: inner size too large");
    // Reused buffers (taken, so that a nested call would simply start with empty ones).
    let (mut idx, mut nf, mut keep, mut plans) = BUFFERS.with(|s| s.take());
    let in_place = b_in_place(n, op_b, S::L);
    // The scratch holds the packed B (unless in place), then the planned A values (with
    // COPY_A; + 1 for the branch-free compaction).
    let packed = if in_place { 0 } else { n.div_ceil(width) * k * width };
    let nvals = if copy_a { m * k + 1 } else { 0 };
    let mut buf = if packed + nvals > 0 {
        S::E::take_scratch()
    } else {
        Vec::new()
    };
    if buf.len() < packed + nvals {
        buf.resize(packed + nvals, S::E::zero());
    }
    let (bbuf, vals) = buf.split_at_mut(packed);
    // The list of all positions, then up to m·k kept ones (+ 1: a list may be written one
    // position past its end by the branch-free compaction).
    if idx.len() < k + m * k + 1 {
        idx.resize(k + m * k + 1, 0);
    }
    nf.clear();
    nf.resize(k, 0);
    keep.clear();
    keep.resize(k, 0);
    plans.clear();
    let pb = if in_place {
        if k > 0 {
            scan_b(n, b, &mut nf);
        }
        PackedB {
            data: b,
            ld: n,
            step: width,
            width,
            panels: n.div_ceil(width),
        }
    } else {
        pack_b(k, n, b, op_b, width, bbuf, &mut nf)
    };
    assert!(
        k.saturating_mul(pb.ld) <= u32::MAX as usize,
        "internal gemm: inner size too large"
    );
    plan_a(m, k, view, &nf, pb.ld, costs, &mut idx, vals, &mut keep, &mut plans);
    let job = Job {
        a: view,
        idx: &idx,
        vals,
        pb: &pb,
        k,
        n,
        alpha,
        dense,
        copy_a,
        lower,
        overwrite,
    };
    run_plans(&job, &plans, c, 0, m * k * n, serial);
    if packed + nvals > 0 {
        S::E::put_scratch(buf);
    }
    BUFFERS.with(|s| s.set((idx, nf, keep, plans)));
}

/// What every part of one product shares.
struct Job<'a, E> {
    a: ViewA<'a, E>,
    idx: &'a [u32],
    /// Planned A values (when `copy_a`).
    vals: &'a [E],
    pb: &'a PackedB<'a, E>,
    k: usize,
    n: usize,
    alpha: E,
    dense: usize,
    /// Kernels read A from `vals` and lists hold p·ld (see [`COPY_A`]).
    copy_a: bool,
    /// Skip (rows, panel) pairs entirely above the diagonal.
    lower: bool,
    /// C ← 0 + α·s (see [`Args`]).
    overwrite: bool,
}

/// The kernels over some plans, compiled for one instruction set: `(job, plans, c, row0)`
/// with `c` holding the rows of C from `row0` on.
type Serial<E> = unsafe fn(&Job<'_, E>, &[Plan], &mut [E], usize);

/// `serial` for vector types that need no target feature.
unsafe fn serial_safe<S: Simd>(job: &Job<'_, S::E>, plans: &[Plan], c: &mut [S::E], row0: usize) {
    serial::<S>(job, plans, c, row0)
}

/// Runs `plans` (rows from `row0` of the full C; `c` holds rows row0.. only): on this thread,
/// helped by other threads when the work is large enough (see [`par`]).
fn run_plans<E: Scalar>(job: &Job<'_, E>, plans: &[Plan], c: &mut [E], row0: usize, work: usize, serial: Serial<E>) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        if work >= PAR_MIN_WORK && plans.len() >= 2 && threads() > 1 {
            return par::run(job, plans, c, row0, serial);
        }
    }
    let _ = work;
    // SAFETY: `serial` was chosen for an instruction set this CPU has (see `gemm_f32`).
    unsafe { serial(job, plans, c, row0) }
}

/// Splitting a product between threads (native only). The plans are cut into chunks of whole
/// row blocks, which write disjoint rows of C; the calling thread and `threads() − 1` helper
/// threads claim chunks from an atomic counter. The caller never waits for a helper that has
/// not started (on a busy machine it simply does every chunk itself): it closes the job when
/// no chunk is left and waits only for helpers inside a chunk. Each entry of C is computed by
/// one kernel call either way, so the bits do not depend on the threads.
///
/// The helpers are plain threads started on first use that sleep between jobs (no spinning:
/// on a machine shared with other work a spinning helper would take CPU time from the caller,
/// and a woken one joins only if a core is free — which is exactly when it helps).
#[cfg(not(target_arch = "wasm32"))]
mod par {
    use super::{Job, Plan, Scalar, Serial};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Condvar, Mutex, OnceLock};

    /// A job a helper can join.
    trait Help: Send + Sync {
        fn help(&self);
    }

    /// Raw view of one call's data, valid while the job is open (see `Shared`).
    struct Work<E: 'static> {
        job: *const Job<'static, E>,
        plans: *const Plan,
        n_plans: usize,
        c: *mut E,
        row0: usize,
        serial: Serial<E>,
        /// Chunk boundaries (plan indices), `bounds.len() − 1` chunks.
        bounds: Vec<usize>,
        next: AtomicUsize,
    }

    // SAFETY: the pointers are only dereferenced while the owner keeps the data alive (the job
    // is open, or a helper that entered before it closed is still counted as active), and
    // chunks write disjoint rows of C.
    unsafe impl<E: Send + 'static> Send for Work<E> {}
    unsafe impl<E: Sync + 'static> Sync for Work<E> {}

    struct Shared<E: 'static> {
        work: Work<E>,
        /// (open, helpers inside)
        state: Mutex<(bool, usize)>,
        idle: Condvar,
    }

    impl<E: Scalar> Work<E> {
        /// Claims and runs chunks until none is left.
        ///
        /// # Safety
        /// The data behind the pointers must be alive.
        unsafe fn drain(&self) {
            let plans = std::slice::from_raw_parts(self.plans, self.n_plans);
            let n = (*self.job).n;
            loop {
                let i = self.next.fetch_add(1, Ordering::Relaxed);
                if i + 1 >= self.bounds.len() {
                    return;
                }
                let part = &plans[self.bounds[i]..self.bounds[i + 1]];
                let first = part[0].first_row();
                let end = plans.get(self.bounds[i + 1]).map_or(usize::MAX, |p| p.first_row());
                // Rows first..end of C (the last chunk runs to the end of `c`).
                let rows = part.iter().map(|p| p.last_row() + 1).max().unwrap_or(first).min(end);
                let c = std::slice::from_raw_parts_mut(self.c.add((first - self.row0) * n), (rows - first) * n);
                (self.serial)(&*self.job, part, c, first);
            }
        }
    }

    impl<E: Scalar> Help for Shared<E> {
        fn help(&self) {
            {
                let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
                if !st.0 {
                    return; // closed: the data may be gone, touch nothing
                }
                st.1 += 1;
            }
            // SAFETY: the job is open and counts this helper, so the caller is still inside
            // `run` and its data alive.
            unsafe { self.work.drain() };
            let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
            st.1 -= 1;
            if st.1 == 0 {
                self.idle.notify_all();
            }
        }
    }

    /// The posted job (with its generation) and the helpers' wake-up.
    struct Pool {
        slot: Mutex<(u64, Option<Arc<dyn Help>>)>,
        wake: Condvar,
    }

    fn pool(helpers: usize) -> &'static Pool {
        static POOL: OnceLock<Pool> = OnceLock::new();
        POOL.get_or_init(|| {
            for h in 0..helpers {
                let spawned = std::thread::Builder::new()
                    .name(format!("sgn-lab-gemm-{h}"))
                    .spawn(|| helper(pool(0)));
                if spawned.is_err() {
                    break; // fewer helpers: the caller does the rest
                }
            }
            Pool {
                slot: Mutex::new((0, None)),
                wake: Condvar::new(),
            }
        })
    }

    fn helper(pool: &'static Pool) {
        let mut seen = 0;
        loop {
            let job = {
                let mut slot = pool.slot.lock().unwrap_or_else(|e| e.into_inner());
                while slot.0 == seen {
                    slot = pool.wake.wait(slot).unwrap_or_else(|e| e.into_inner());
                }
                seen = slot.0;
                slot.1.clone()
            };
            if let Some(job) = job {
                job.help();
            }
        }
    }

    pub(super) fn run<E: Scalar>(job: &Job<'_, E>, plans: &[Plan], c: &mut [E], row0: usize, serial: Serial<E>) {
        let helpers = super::threads() - 1;
        let chunks = plans.len().min(4 * (helpers + 1));
        let bounds: Vec<usize> = (0..=chunks).map(|i| i * plans.len() / chunks).collect();
        let work = Work {
            // Lifetime erased: see the safety comments on `Work` and below.
            job: (job as *const Job<'_, E>).cast::<Job<'static, E>>(),
            plans: plans.as_ptr(),
            n_plans: plans.len(),
            c: c.as_mut_ptr(),
            row0,
            serial,
            bounds,
            next: AtomicUsize::new(0),
        };
        let shared = Arc::new(Shared {
            work,
            state: Mutex::new((true, 0)),
            idle: Condvar::new(),
        });
        let pool = pool(helpers);
        {
            let mut slot = pool.slot.lock().unwrap_or_else(|e| e.into_inner());
            let g = slot.0 + 1;
            *slot = (g, Some(Arc::clone(&shared) as Arc<dyn Help>));
            pool.wake.notify_all();
        }
        // SAFETY: the data is alive for the whole call.
        unsafe { shared.work.drain() };
        let mut st = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        st.0 = false;
        while st.1 > 0 {
            st = shared.idle.wait(st).unwrap_or_else(|e| e.into_inner());
        }
        drop(st);
        // Let go of the job (helpers that have not looked yet will find it closed or gone).
        let mut slot = pool.slot.lock().unwrap_or_else(|e| e.into_inner());
        if slot
            .1
            .as_ref()
            .is_some_and(|j| std::ptr::addr_eq(Arc::as_ptr(j), Arc::as_ptr(&shared)))
        {
            slot.1 = None;
        }
    }
}

/// Every panel × every plan, on this thread.
#[inline(always)]
fn serial<S: Simd>(job: &Job<'_, S::E>, plans: &[Plan], c: &mut [S::E], row0: usize) {
    let n = job.n;
    let pb = job.pb;
    // Blocking: a chunk of panels (≈ PANEL_CHUNK bytes of B, kept in L2) against groups of
    // GROUP plans, each group running over the chunk's panels one by one (the panel stays in
    // L1 for the group's rows, the group's rows of C stay in cache across the chunk).
    let per_panel = (job.k * pb.width * std::mem::size_of::<S::E>()).max(1);
    let chunk = (PANEL_CHUNK / per_panel).max(1);
    for q0 in (0..pb.panels).step_by(chunk) {
        for group in plans.chunks(GROUP) {
            for q in q0..(q0 + chunk).min(pb.panels) {
                let panel = pb.panel(q);
                let j0 = q * pb.width;
                let cols = (n - j0).min(pb.width);
                for plan in group {
                    if job.lower && plan.last_row() < j0 {
                        continue;
                    }
                    match *plan {
                        Plan::Dense { i0, at, vat, len } => {
                            let crows = &mut c[(i0 - row0) * n + j0..(i0 - row0 + MR - 1) * n + j0 + cols];
                            let vals = if job.copy_a {
                                &job.vals[vat..vat + MR * len]
                            } else {
                                &[]
                            };
                            dense_panel::<S>(job, i0, &job.idx[at..at + len], vals, panel, cols, crows);
                        }
                        Plan::Row { i, at, vat, len } => {
                            let crow = &mut c[(i - row0) * n + j0..(i - row0) * n + j0 + cols];
                            let vals = if job.copy_a { &job.vals[vat..vat + len] } else { &[] };
                            row_panel::<S>(job, i, &job.idx[at..at + len], vals, panel, crow);
                        }
                    }
                }
            }
        }
    }
}

/// Threads used for large products: `SGN_LAB_THREADS` if set (≥ 1), else the machine's.
#[cfg(not(target_arch = "wasm32"))]
pub fn threads() -> usize {
    static N: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *N.get_or_init(|| {
        std::env::var("SGN_LAB_THREADS")
            .ok()
            .and_then(|s| s.parse().ok())
            .filter(|&t| t >= 1)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |t| t.get()))
    })
}

/// Threads used for large products (always 1 in wasm32).
#[cfg(target_arch = "wasm32")]
pub fn threads() -> usize {
    1
}

/// One dense block against one panel: sub-panels of `job.dense` vectors, then a narrower one.
/// `crows` starts at C[i0, j0] (rows n apart).
// wasm: a function of its own gets V8's registers; x86: inlined into the target-feature code.
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn dense_panel<S: Simd>(
    job: &Job<'_, S::E>,
    i0: usize,
    idx: &[u32],
    vals: &[S::E],
    panel: &[S::E],
    cols: usize,
    crows: &mut [S::E],
) {
    let a = job.a;
    // A(i0 + r, p) = a[base[r] + p·col], in bounds for p < k (asserted once here).
    let base = [i0 * a.row, (i0 + 1) * a.row, (i0 + 2) * a.row, (i0 + 3) * a.row];
    assert!(
        job.k == 0 || base[MR - 1] + (job.k - 1) * a.col < a.a.len(),
        "internal gemm: A rows"
    );
    let mut s = 0;
    while s < cols {
        let nv = (cols - s).div_ceil(S::L).min(job.dense);
        let acc = &mut [[S::zero(); 4]; MR];
        // (k = 0: the panel is empty and so is the position list.)
        let bp = panel.get(s..).unwrap_or(&[]);
        let ld = job.pb.ld;
        if job.copy_a {
            match nv {
                4 => dense_kernel_copied::<S, 4>(vals, idx, bp, acc),
                3 => dense_kernel_copied::<S, 3>(vals, idx, bp, acc),
                2 => dense_kernel_copied::<S, 2>(vals, idx, bp, acc),
                _ => dense_kernel_copied::<S, 1>(vals, idx, bp, acc),
            }
        } else {
            match nv {
                4 => dense_kernel::<S, 4>(a.a, base, a.col, idx, bp, ld, acc),
                3 => dense_kernel::<S, 3>(a.a, base, a.col, idx, bp, ld, acc),
                2 => dense_kernel::<S, 2>(a.a, base, a.col, idx, bp, ld, acc),
                _ => dense_kernel::<S, 1>(a.a, base, a.col, idx, bp, ld, acc),
            }
        }
        let n = job.n;
        for (r, accr) in acc.iter().enumerate() {
            store(
                accr,
                job.alpha,
                &mut crows[r * n + s..r * n + cols.min(s + nv * S::L)],
                job.overwrite,
            );
        }
        s += nv * S::L;
    }
}

/// MR rows × NV vectors from the start of `panel` (rows `ld` apart), summed over the positions
/// `idx` in order into `acc`; A(i0 + r, p) = a[base[r] + p·col].
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn dense_kernel<S: Simd, const NV: usize>(
    a: &[S::E],
    base: [usize; MR],
    col: usize,
    idx: &[u32],
    panel: &[S::E],
    ld: usize,
    acc: &mut [[S; 4]; MR],
) {
    debug_assert!(idx.iter().all(|&p| p as usize * ld + NV * S::L <= panel.len()));
    let mut c = [[S::zero(); NV]; MR];
    let (pp, ap) = (panel.as_ptr(), a.as_ptr());
    for &p in idx {
        let p = p as usize;
        // SAFETY: p < k. The panel slice starts at a column s with s + NV·L ≤ width (packed) or
        // ≤ the columns left in B (in place, n a multiple of L), so NV·L values from row p are
        // inside it (debug-asserted above); the A indices are checked in `dense_panel`.
        unsafe {
            let brow = pp.add(p * ld);
            let bv: [S; NV] = std::array::from_fn(|v| S::load(brow.add(v * S::L)));
            let o = p * col;
            for r in 0..MR {
                let av = S::splat(*ap.add(base[r] + o));
                for v in 0..NV {
                    c[r][v] = c[r][v].add(av.mul(bv[v]));
                }
            }
        }
    }
    for r in 0..MR {
        acc[r][..NV].copy_from_slice(&c[r]);
    }
}

/// [`dense_kernel`] with A from the planned copy: `vals` holds the MR values of each position,
/// `offs` where its row starts in the panel (p·ld), in order.
#[inline(always)]
fn dense_kernel_copied<S: Simd, const NV: usize>(vals: &[S::E], offs: &[u32], panel: &[S::E], acc: &mut [[S; 4]; MR]) {
    debug_assert!(offs.iter().all(|&o| o as usize + NV * S::L <= panel.len()));
    let mut c = [[S::zero(); NV]; MR];
    let pp = panel.as_ptr();
    for (&o, av) in offs.iter().zip(vals.chunks_exact(MR)) {
        // SAFETY: as in `dense_kernel` (`offs` holds p·ld, p < k).
        unsafe {
            let brow = pp.add(o as usize);
            let bv: [S; NV] = std::array::from_fn(|v| S::load(brow.add(v * S::L)));
            for r in 0..MR {
                let a = S::splat(av[r]);
                for v in 0..NV {
                    c[r][v] = c[r][v].add(a.mul(bv[v]));
                }
            }
        }
    }
    for r in 0..MR {
        acc[r][..NV].copy_from_slice(&c[r]);
    }
}

/// c[l] ← c[l] + α·acc[l] (or 0 + α·acc[l] when `overwrite`) for the lanes that exist in `c`
/// (at most `acc.len()` vectors): whole vectors in place, a partial last one through a buffer.
#[inline(always)]
fn store<S: Simd>(acc: &[S], alpha: S::E, c: &mut [S::E], overwrite: bool) {
    let full = c.len() / S::L;
    assert!(
        c.len().div_ceil(S::L) <= acc.len() && S::L <= MAX_L,
        "internal gemm: store width"
    );
    let av = S::splat(alpha);
    for (v, x) in acc[..full].iter().enumerate() {
        // SAFETY: (v + 1)·L ≤ c.len().
        unsafe {
            let p = c.as_mut_ptr().add(v * S::L);
            let old = if overwrite { S::zero() } else { S::load(p) };
            old.add(av.mul(*x)).store(p);
        }
    }
    let rest = &mut c[full * S::L..];
    if !rest.is_empty() {
        let mut tmp = [S::E::zero(); MAX_L];
        // SAFETY: L ≤ MAX_L (asserted).
        unsafe { acc[full].store(tmp.as_mut_ptr()) };
        for (cv, &x) in rest.iter_mut().zip(&tmp) {
            let old = if overwrite { S::E::zero() } else { *cv };
            *cv = old + alpha * x;
        }
    }
}

/// One row against one panel: as many vectors as the panel has columns (≤ 8).
// wasm: a function of its own gets V8's registers; x86: inlined into the target-feature code.
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn row_panel<S: Simd>(job: &Job<'_, S::E>, i: usize, idx: &[u32], vals: &[S::E], panel: &[S::E], crow: &mut [S::E]) {
    let a = job.a;
    // With `copy_a` the row's values are `vals` (one per position of `idx`): read with stride 1
    // in list order; else A in place, indexed by p.
    let (row, col, by_list) = if job.copy_a {
        (vals, 1, true)
    } else {
        (a.a.get(i * a.row..).unwrap_or(&[]), a.col, false)
    };
    assert!(
        if by_list {
            row.len() == idx.len()
        } else {
            job.k == 0 || (job.k - 1) * col < row.len()
        },
        "internal gemm: A row"
    );
    let acc = &mut [S::zero(); 8];
    let ld = job.pb.ld;
    macro_rules! go {
        ($nv:literal) => {
            if by_list {
                row_kernel::<S, $nv, true>(row, col, idx, panel, ld, acc)
            } else {
                row_kernel::<S, $nv, false>(row, col, idx, panel, ld, acc)
            }
        };
    }
    match crow.len().div_ceil(S::L) {
        8 => go!(8),
        7 => go!(7),
        6 => go!(6),
        5 => go!(5),
        4 => go!(4),
        3 => go!(3),
        2 => go!(2),
        _ => go!(1),
    }
    store(acc, job.alpha, crow, job.overwrite);
}

/// One row × NV vectors, summed over the positions `idx` in order into `acc`; A(i, p) =
/// row[p·col], or with `BY_LIST` (`idx` holding p·ld) the q-th value of `row` for the q-th
/// position.
#[inline(always)]
fn row_kernel<S: Simd, const NV: usize, const BY_LIST: bool>(
    row: &[S::E],
    col: usize,
    idx: &[u32],
    panel: &[S::E],
    ld: usize,
    acc: &mut [S; 8],
) {
    debug_assert!(idx
        .iter()
        .all(|&p| if BY_LIST { p as usize } else { p as usize * ld } + NV * S::L <= panel.len()));
    let mut c = [S::zero(); NV];
    let (pp, ap) = (panel.as_ptr(), row.as_ptr());
    for (q, &p) in idx.iter().enumerate() {
        let p = p as usize;
        // SAFETY: as in `dense_kernel` (with BY_LIST, `idx` holds p·ld); the A index is
        // checked in `row_panel`.
        unsafe {
            let brow = pp.add(if BY_LIST { p } else { p * ld });
            let av = S::splat(*ap.add(if BY_LIST { q } else { p * col }));
            for (v, cv) in c.iter_mut().enumerate() {
                *cv = cv.add(av.mul(S::load(brow.add(v * S::L))));
            }
        }
    }
    acc[..NV].copy_from_slice(&c);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    fn transpose<T: Scalar>(x: &[T], rows: usize, cols: usize) -> Vec<T> {
        let mut out = vec![T::zero(); rows * cols];
        for r in 0..rows {
            for (c, &v) in x[r * cols..(r + 1) * cols].iter().enumerate() {
                out[c * rows + r] = v;
            }
        }
        out
    }

    /// A large product leaves its buffers on the thread (reused by the next product) until
    /// `release_buffers` frees them all.
    #[test]
    fn release_buffers_frees_what_a_product_kept() {
        let (m, k, n) = (3000, 2000, 1);
        let a: Vec<f32> = (0..m * k).map(|i| (i % 7) as f32).collect();
        let mut c = vec![0.0f32; m];
        gemm(m, k, n, 1.0, &a, Op::N, &vec![1.0f32; k], Op::N, 0.0, &mut c);
        assert_eq!(c[1], (k..2 * k).map(|i| (i % 7) as f32).sum::<f32>());
        assert!(release_buffers() >= m * k * 4, "the position list alone is m·k u32");
        assert_eq!(release_buffers(), 0, "nothing left");
    }

    #[test]
    fn gemm_all_transposes() {
        // A = [[1,2,3],[4,5,6]] (2×3), B = [[1,0],[0,1],[1,1]] (3×2); AB = [[4,5],[10,11]]
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let at = [1.0, 4.0, 2.0, 5.0, 3.0, 6.0];
        let b = [1.0, 0.0, 0.0, 1.0, 1.0, 1.0];
        let bt = [1.0, 0.0, 1.0, 0.0, 1.0, 1.0];
        let want = [4.0, 5.0, 10.0, 11.0];
        for (aa, oa) in [(&a, Op::N), (&at, Op::T)] {
            for (bb, ob) in [(&b, Op::N), (&bt, Op::T)] {
                let mut c = [1.0f64; 4];
                gemm(2, 3, 2, 1.0, aa, oa, bb, ob, 0.0, &mut c);
                assert_eq!(c, want);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn reference<T: Scalar>(m: usize, k: usize, n: usize, alpha: T, a: &[T], b: &[T], beta: T, c0: &[T]) -> Vec<T> {
        let mut want = c0.to_vec();
        for i in 0..m {
            for j in 0..n {
                let mut s = T::zero();
                for p in 0..k {
                    s += a[i * k + p] * b[p * n + j];
                }
                want[i * n + j] = if beta == T::zero() {
                    T::zero()
                } else {
                    beta * c0[i * n + j]
                } + alpha * s;
            }
        }
        want
    }

    fn same_bits<T: Scalar>(x: &[T], y: &[T]) -> bool {
        x.len() == y.len()
            && x.iter()
                .zip(y)
                .all(|(u, v)| u.bits() == v.bits() || (u.is_nan() && v.is_nan()))
    }

    /// The product through `gemm` (the CPU's vectors) and through the portable vectors of 1 to
    /// 16 lanes with both dense widths, for both layouts of both operands.
    #[allow(clippy::too_many_arguments)]
    fn check_all<T: Scalar>(m: usize, k: usize, n: usize, alpha: T, a: &[T], b: &[T], beta: T, c0: &[T], what: &str) {
        let want = reference(m, k, n, alpha, a, b, beta, c0);
        let at = transpose(a, m, k);
        let bt = transpose(b, k, n);
        for (aa, oa) in [(a, Op::N), (&at[..], Op::T)] {
            for (bb, ob) in [(b, Op::N), (&bt[..], Op::T)] {
                let mut c = c0.to_vec();
                gemm(m, k, n, alpha, aa, oa, bb, ob, beta, &mut c);
                assert!(same_bits(&c, &want), "{what}: shape {m}×{k}×{n}, ops {oa:?} {ob:?}");
                let configs = [(1, 8, 2), (2, 16, 2), (4, 32, 2), (8, 64, 2), (16, 64, 4), (8, 32, 4)];
                // Every layout with A copied or in place, and blocks forced dense (row cost 1000),
                // forced row by row (0) or chosen (3).
                let variants = configs.into_iter().flat_map(|x| {
                    [false, true]
                        .into_iter()
                        .flat_map(move |ca| [0, 3, 1000].map(|rc| (x, ca, rc)))
                });
                for ((lanes, width, dense), copy_a, row_cost) in variants {
                    let mut c = c0.to_vec();
                    let overwrite = beta == T::zero();
                    if !overwrite {
                        c.iter_mut().for_each(|v| *v *= beta);
                    }
                    let args = Args {
                        m,
                        k,
                        n,
                        alpha,
                        a: aa,
                        op_a: oa,
                        b: bb,
                        op_b: ob,
                        lower: false,
                        overwrite,
                    };
                    match lanes {
                        1 => run::<simd::Arr<T, 1>>(
                            &args,
                            &mut c,
                            width,
                            dense,
                            Costs { row_cost, copy_a },
                            serial_safe::<simd::Arr<T, 1>>,
                        ),
                        2 => run::<simd::Arr<T, 2>>(
                            &args,
                            &mut c,
                            width,
                            dense,
                            Costs { row_cost, copy_a },
                            serial_safe::<simd::Arr<T, 2>>,
                        ),
                        4 => run::<simd::Arr<T, 4>>(
                            &args,
                            &mut c,
                            width,
                            dense,
                            Costs { row_cost, copy_a },
                            serial_safe::<simd::Arr<T, 4>>,
                        ),
                        8 => run::<simd::Arr<T, 8>>(
                            &args,
                            &mut c,
                            width,
                            dense,
                            Costs { row_cost, copy_a },
                            serial_safe::<simd::Arr<T, 8>>,
                        ),
                        _ => run::<simd::Arr<T, 16>>(
                            &args,
                            &mut c,
                            width,
                            dense,
                            Costs { row_cost, copy_a },
                            serial_safe::<simd::Arr<T, 16>>,
                        ),
                    }
                    assert!(same_bits(&c, &want), "{what}: {lanes} lanes, width {width}, copy {copy_a}, row cost {row_cost}, shape {m}×{k}×{n}, ops {oa:?} {ob:?}");
                }
            }
        }
    }

    /// Bit-for-bit against the scalar definition of the contract, for shapes hitting every
    /// edge path (and the threaded split), with α, β ≠ 1, dense, sparse (ReLU-like) and
    /// column-sparse (constant-pixel-like) operands.
    #[test]
    fn gemm_matches_the_sequential_definition_bit_for_bit() {
        let mut rng = crate::rng::seeded(1);
        let shapes = [
            (1, 1, 1),
            (3, 5, 7),
            (4, 8, 8),
            (9, 17, 21),
            (13, 64, 10),
            (128, 30, 100),
            (5, 40, 131),
            (8, 3, 300),
            (130, 170, 97),
        ];
        for &(m, k, n) in &shapes {
            for zeros in [0.0, 0.5, 0.9, 1.0, -0.3] {
                // zeros < 0: whole columns of A (positions p) are zero with probability |zeros|.
                let dead: Vec<bool> = (0..k).map(|_| rng.random::<f64>() < -zeros).collect();
                let mut a: Vec<f32> = (0..m * k)
                    .map(|_| {
                        if rng.random::<f64>() < zeros {
                            0.0
                        } else {
                            rng.random::<f32>() - 0.5
                        }
                    })
                    .collect();
                for (i, v) in a.iter_mut().enumerate() {
                    if dead[i % k] {
                        *v = 0.0;
                    }
                }
                let b: Vec<f32> = (0..k * n)
                    .map(|_| {
                        if rng.random::<f64>() < 0.2 {
                            0.0
                        } else {
                            rng.random::<f32>() - 0.5
                        }
                    })
                    .collect();
                let c0: Vec<f32> = (0..m * n).map(|_| rng.random::<f32>() - 0.5).collect();
                check_all(m, k, n, 0.7f32, &a, &b, 0.3f32, &c0, &format!("f32 zeros {zeros}"));
                check_all(
                    m,
                    k,
                    n,
                    1.0f32,
                    &a,
                    &b,
                    0.0f32,
                    &c0,
                    &format!("f32 β = 0, zeros {zeros}"),
                );
                let a64: Vec<f64> = a.iter().map(|&v| v as f64 * 1.1).collect();
                let b64: Vec<f64> = b.iter().map(|&v| v as f64).collect();
                let c64: Vec<f64> = c0.iter().map(|&v| v as f64).collect();
                check_all(
                    m,
                    k,
                    n,
                    -0.7f64,
                    &a64,
                    &b64,
                    1.0f64,
                    &c64,
                    &format!("f64 zeros {zeros}"),
                );
            }
        }
    }

    /// Every x86 instruction set this CPU has, called directly (the dispatcher picks only the
    /// widest): AVX2 and AVX-512, f32 and f64, against the scalar definition.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn every_x86_kernel_matches_the_definition() {
        let mut rng = crate::rng::seeded(9);
        for &(m, k, n) in &[(9, 17, 21), (128, 30, 100), (130, 170, 97), (6, 40, 784)] {
            let a: Vec<f32> = (0..m * k)
                .map(|_| {
                    if rng.random::<f64>() < 0.5 {
                        0.0
                    } else {
                        rng.random::<f32>() - 0.5
                    }
                })
                .collect();
            let b: Vec<f32> = (0..k * n).map(|_| rng.random::<f32>() - 0.5).collect();
            let c0: Vec<f32> = (0..m * n).map(|_| rng.random::<f32>() - 0.5).collect();
            let (a64, b64, c64): (Vec<f64>, Vec<f64>, Vec<f64>) = (
                a.iter().map(|&v| v as f64).collect(),
                b.iter().map(|&v| v as f64).collect(),
                c0.iter().map(|&v| v as f64).collect(),
            );
            let want32 = reference(m, k, n, 0.5f32, &a, &b, 1.0, &c0);
            let want64 = reference(m, k, n, 0.5f64, &a64, &b64, 1.0, &c64);
            let args32 = Args {
                m,
                k,
                n,
                alpha: 0.5f32,
                a: &a,
                op_a: Op::N,
                b: &b,
                op_b: Op::N,
                lower: false,
                overwrite: false,
            };
            let args64 = Args {
                m,
                k,
                n,
                alpha: 0.5f64,
                a: &a64,
                op_a: Op::N,
                b: &b64,
                op_b: Op::N,
                lower: false,
                overwrite: false,
            };
            let mut runs: Vec<(&str, Vec<f32>, Vec<f64>)> = Vec::new();
            if std::is_x86_feature_detected!("avx2") {
                let (mut c, mut d) = (c0.clone(), c64.clone());
                // SAFETY: AVX2 is present (checked just above).
                unsafe { (x86::f32_avx2(&args32, &mut c), x86::f64_avx2(&args64, &mut d)) };
                runs.push(("avx2", c, d));
            }
            if std::is_x86_feature_detected!("avx512f") {
                let (mut c, mut d) = (c0.clone(), c64.clone());
                // SAFETY: AVX-512F is present (checked just above).
                unsafe { (x86::f32_avx512(&args32, &mut c), x86::f64_avx512(&args64, &mut d)) };
                runs.push(("avx512", c, d));
            }
            for (isa, c, d) in runs {
                assert!(same_bits(&c, &want32) && same_bits(&d, &want64), "{isa}: {m}×{k}×{n}");
            }
        }
    }

    /// A product above [`PAR_MIN_WORK`] (shared between threads when the machine has more than
    /// one) gives the bits of the scalar definition, for both kernels and both layouts.
    #[test]
    fn products_split_between_threads_keep_the_bits() {
        let mut rng = crate::rng::seeded(13);
        let (m, k, n) = (300, 300, 190);
        assert!(m * k * n >= PAR_MIN_WORK);
        for zeros in [0.0, 0.7] {
            let a: Vec<f32> = (0..m * k)
                .map(|_| {
                    if rng.random::<f64>() < zeros {
                        0.0
                    } else {
                        rng.random::<f32>() - 0.5
                    }
                })
                .collect();
            let b: Vec<f32> = (0..k * n).map(|_| rng.random::<f32>() - 0.5).collect();
            let want = reference(m, k, n, 1.0f32, &a, &b, 0.0, &vec![0.0; m * n]);
            let bt = transpose(&b, k, n);
            for (bb, ob) in [(&b, Op::N), (&bt, Op::T)] {
                let mut c = vec![f32::NAN; m * n];
                gemm(m, k, n, 1.0, &a, Op::N, bb, ob, 0.0, &mut c);
                assert!(same_bits(&c, &want), "zeros {zeros}, {ob:?}");
            }
        }
    }

    /// The lower triangle of op(A)·op(A)ᵀ equals the full product's, bit for bit, for both
    /// layouts, with and without zeros, across the threaded size.
    #[test]
    fn syrk_lower_matches_gemm() {
        let mut rng = crate::rng::seeded(5);
        for &(m, k) in &[(1, 3), (7, 5), (37, 64), (130, 9), (300, 40)] {
            for zeros in [0.0, 0.6] {
                let x: Vec<f64> = (0..m * k)
                    .map(|_| {
                        if rng.random::<f64>() < zeros {
                            0.0
                        } else {
                            rng.random::<f64>() - 0.5
                        }
                    })
                    .collect();
                let mut full = vec![0.0; m * m];
                gemm(m, k, m, 1.0, &x, Op::N, &x, Op::T, 0.0, &mut full);
                let xt = transpose(&x, m, k);
                for (a, op) in [(&x, Op::N), (&xt, Op::T)] {
                    let mut c = vec![f64::NAN; m * m];
                    syrk_lower(m, k, a, op, &mut c);
                    for i in 0..m {
                        for j in 0..=i {
                            assert_eq!(
                                c[i * m + j].to_bits(),
                                full[i * m + j].to_bits(),
                                "{m}×{k} {op:?} ({i}, {j})"
                            );
                        }
                    }
                }
            }
        }
    }

    /// Zeros next to non-finite B rows are not skipped (0·inf = NaN must appear); −0 inputs
    /// and a C of −0 keep their IEEE results; k = 0 adds α·(+0).
    #[test]
    fn zero_skipping_keeps_ieee_special_cases() {
        let (m, k, n) = (6, 5, 19);
        let mut a = vec![0.0f32; m * k];
        a[1] = -0.0;
        a[7] = 2.0;
        a[k * 5 + 4] = -3.0;
        let mut b: Vec<f32> = (0..k * n).map(|i| (i % 7) as f32 - 3.0).collect();
        b[2 * n + 3] = f32::INFINITY;
        b[4 * n] = -0.0;
        let c0 = vec![-0.0f32; m * n];
        check_all(m, k, n, 1.0f32, &a, &b, 1.0f32, &c0, "special");
        check_all(m, k, n, -1.0f32, &a, &b, 1.0f32, &c0, "special, α < 0");
        b[2 * n + 3] = f32::NAN;
        check_all(m, k, n, 0.5f32, &a, &b, 0.0f32, &c0, "special, NaN");
        check_all(m, 0, n, -1.0f32, &[], &[], 1.0f32, &c0, "k = 0");
    }
}
