//! Matrix products on row-major slices with a **fixed summation order**, so that results are
//! bit-identical natively and in wasm32, on every CPU and with any number of threads (no FMA
//! contraction, no reassociation, no CPU-dependent summation order — unlike BLAS or
//! `matrixmultiply`, whose kernels differ by CPU).
//!
//! **What is computed.** [`Workspace::gemm`]: C ← α·op(A)·op(B) + β·C with
//! C[i,j] ← β·C[i,j] + α·s_ij, s_ij = (((0 + A[i,0]B[0,j]) + A[i,1]B[1,j]) + …) accumulated
//! sequentially over p = 0..k−1 in IEEE arithmetic (β = 0 writes 0 first, so NaN/inf in C are not
//! propagated). [`Workspace::syrk_lower`] is the same product for op(A)·op(A)ᵀ restricted to the
//! lower triangle (the spectrum's Gram matrices in wasm32). Every kernel computes exactly this
//! sum for every entry; the tests check it bit for bit against the scalar definition, in every
//! vector width and every kernel set the CPU has. The operation is BLAS's GEMM (Dongarra, Du Croz,
//! Hammarling & Duff, "A set of level 3 basic linear algebra subprograms", ACM TOMS 16(1), 1990)
//! with the summation order of the textbook inner product pinned down, while the loops around
//! it are blocked.
//!
//! **Why hand-written.** No crate this project may use gives a summation order that is fixed per
//! entry *and* identical across x86 SIMD widths (AVX-512, AVX2) and wasm simd128: BLAS,
//! `matrixmultiply`, faer's and gemm's kernels use FMA and split k by CPU-dependent block sizes,
//! and none skips exact zeros (a third to a half of a training step's operands).
//!
//! **Exact zero skipping.** A term A[i,p]·B[p,j] with A[i,p] = ±0 and B[p,j] finite is ±0, and
//! adding ±0 to the running sum never changes it (the sum starts at +0, and IEEE 754-2019 §6.3
//! round-to-nearest gives −0 only for (−0) + (−0), so the sum is never −0), so such terms are
//! skipped whenever the whole row p of op(B) is finite: the bits are those of the full sum.
//! ReLU activations, their back-propagated errors and constant (always-black) pixels make a
//! third to a half of the operands of a training step exact zeros.
//!
//! **Layout** ([`plan`], [`kernels`]). op(B) is used in place when it is row-major with whole
//! vectors per row, else packed once per call into column panels (at most 8 vectors and 256 bytes
//! wide, zero padded). The rows of op(A) are planned in blocks of 4: a block whose rows share most
//! of their non-zero positions runs the 4-row register-blocked kernel (4 rows × 2–4 vectors of C
//! in registers, over the union of the rows' non-zero positions); other rows run the one-row
//! kernel (1 row × up to 8 vectors, over that row's own non-zero positions). Either is the same
//! sequential sum per entry, so the choice (made from the data) changes the speed only. Groups of
//! row blocks sweep chunks of panels that stay in cache. Vectors are explicit SIMD types
//! ([`simd`]) — AVX-512 (16 f32 / 8 f64 lanes) or AVX2 (8 / 4) picked at run time on x86-64,
//! simd128 (4 / 2) in wasm32, plain arrays elsewhere — with lane-wise `mul` then `add` only: the
//! lane count changes which columns share a register, never the arithmetic of an entry.
//!
//! **Scratch** ([`Workspace`]): the packed panels of op(B), the position lists and plans live in
//! a workspace owned by the caller (the network's [`Tape`](super::Tape), so the trainer or a
//! measurement), reused from product to product and freed when its owner is dropped.
//!
//! **Threads** (native only): above [`PAR_MIN_WORK`] multiply-adds the planned row blocks are cut
//! into chunks of whole blocks that run as tasks of the current rayon pool (the global one, or
//! the pool a caller entered with `ThreadPool::install`; [`threads`] reports its size). Each row
//! of C belongs to exactly one chunk, and its entries are computed by the same kernel call over
//! the same position list whatever the chunking, so the bits do not depend on the thread count.
//! The tasks only read the shared plan and packed panels and write their own rows: they need no
//! scratch of their own. wasm32 runs single-threaded.

mod kernels;
mod plan;
mod simd;
#[cfg(test)]
mod tests;
mod workspace;

pub use workspace::Workspace;

use super::Scalar;
use plan::{b_in_place, pack_b, plan_a, scan_b, Costs, PackedB, Plan, ViewA};
use simd::Simd;
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
/// Bytes of packed B a chunk of panels spans (see `kernels::serial`).
const PANEL_CHUNK: usize = 192 << 10;
/// Plans (row blocks) that run together over a chunk of panels.
const GROUP: usize = 8;
/// Below this many multiply-adds (m·k·n) a product runs on the calling thread only: the
/// products of a training step (≤ 10⁷) ran no faster on two threads (moving the packed operands
/// to the other core costs as much as it saves); per-sample and full-batch passes (4–8·10⁷)
/// gain 1.2–1.3× on an idle machine.
pub const PAR_MIN_WORK: usize = 1 << 24;
/// Chunks per thread a large product is cut into (so that a thread slowed by other work on the
/// machine leaves its share to the others).
#[cfg(not(target_arch = "wasm32"))]
const CHUNKS_PER_THREAD: usize = 4;

impl<T: Scalar> Workspace<T> {
    /// C (m×n) ← α·op(A)·op(B) + β·C, where op(A) is m×k and op(B) is k×n; A is stored row-major
    /// as m×k (`Op::N`) or k×m (`Op::T`), likewise B as k×n or n×k. See the module doc for the
    /// exact (platform- and thread-count-independent) arithmetic.
    ///
    /// Sizes are internal invariants of the network code (never user input); a mismatch is a bug
    /// and panics with a message.
    #[allow(clippy::too_many_arguments)]
    pub fn gemm(
        &mut self,
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
        let args = Args {
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
        };
        dispatch(&args, self, c);
    }

    /// C (m×m, row-major) ← op(A)·op(A)ᵀ on and below the diagonal, with the summation order and
    /// zero skipping of [`Workspace::gemm`] (op(A) is m×k: A stored as m×k for `Op::N`, k×m for
    /// `Op::T`). Only the lower triangle (j ≤ i) is written for sure; entries above it keep their
    /// old values or get the product's. Roughly half the work of the full product (whole column
    /// panels above the diagonal are skipped).
    pub fn syrk_lower(&mut self, m: usize, k: usize, a: &[T], op_a: Op, c: &mut [T]) {
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
        dispatch(&args, self, c);
    }
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
    /// Only blocks on or below the diagonal are needed (m = n, [`Workspace::syrk_lower`]).
    lower: bool,
    /// C ← 0 + α·s instead of C + α·s (C is not read).
    overwrite: bool,
}

/// The kernels for T's vector type on this CPU.
fn dispatch<T: Scalar>(args: &Args<'_, T>, ws: &mut Workspace<T>, c: &mut [T]) {
    if let (Some(args), Some(ws), Some(c)) = (cast_args::<T, f32>(args), ws.cast_mut::<f32>(), cast_mut::<T, f32>(c)) {
        gemm_f32(&args, ws, c);
    } else if let (Some(args), Some(ws), Some(c)) =
        (cast_args::<T, f64>(args), ws.cast_mut::<f64>(), cast_mut::<T, f64>(c))
    {
        gemm_f64(&args, ws, c);
    } else {
        let costs = Costs {
            row_cost: 3,
            copy_a: COPY_A,
        };
        run::<simd::Arr<T, 1>>(args, ws, c, 8, 2, costs, serial_safe::<simd::Arr<T, 1>>);
    }
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

/// `gemm_f32` / `gemm_f64`: the widest x86 kernel set the CPU has, else simd128 (wasm32) or the
/// portable vectors. Panel width (elements): ≤ 8 vectors and ≤ 256 bytes a row. Dense width:
/// vectors per row of a 4-row block (16 accumulators with AVX-512's 32 registers, 8 with 16).
macro_rules! portable_entry {
    ($name:ident, $e:ty, $avx512:ident, $avx2:ident, $wasm:ty, $arr:ty, $width:literal) => {
        fn $name(args: &Args<'_, $e>, ws: &mut Workspace<$e>, c: &mut [$e]) {
            #[cfg(target_arch = "x86_64")]
            {
                if std::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the CPU supports AVX-512F (checked just above).
                    return unsafe { x86::$avx512(args, ws, c) };
                }
                if std::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU supports AVX2 (checked just above).
                    return unsafe { x86::$avx2(args, ws, c) };
                }
            }
            let costs = Costs {
                row_cost: 3,
                copy_a: COPY_A,
            };
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            type V = $wasm;
            #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
            type V = $arr;
            run::<V>(args, ws, c, $width, 2, costs, serial_safe::<V>)
        }
    };
}
portable_entry!(gemm_f32, f32, f32_avx512, f32_avx2, simd::wasm::F32x4, simd::Arr<f32, 4>, 32);
portable_entry!(gemm_f64, f64, f64_avx512, f64_avx2, simd::wasm::F64x2, simd::Arr<f64, 2>, 16);

/// The x86-64 entry points, one per (instruction set, element type), each compiled with its
/// target feature so that the inlined kernels use its registers.
#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::simd::x86::*;
    use super::{kernels::serial, run, Args, Costs, Job, Plan, Workspace};

    macro_rules! isa {
        ($feature:literal, $entry:ident, $serial:ident, $v:ty, $e:ty, $width:literal, $dense:literal, $row_cost:literal, $copy_a:literal) => {
            /// # Safety
            /// The CPU must support the target feature.
            #[target_feature(enable = $feature)]
            pub(super) unsafe fn $entry(args: &Args<'_, $e>, ws: &mut Workspace<$e>, c: &mut [$e]) {
                let costs = Costs {
                    row_cost: $row_cost,
                    copy_a: $copy_a,
                };
                run::<$v>(args, ws, c, $width, $dense, costs, $serial)
            }
            /// The kernels compiled for this feature; also what the pool's tasks run.
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

/// The whole product for one vector type: `width` = panel width (elements, a multiple of the
/// lanes, ≤ 8 vectors), `dense` = vectors per row of a dense block (2 or 4). Packs op(B) and
/// plans op(A) into the workspace on the calling thread, then runs the plans ([`run_plans`]).
#[inline(always)]
fn run<S: Simd>(
    args: &Args<'_, S::E>,
    ws: &mut Workspace<S::E>,
    c: &mut [S::E],
    width: usize,
    dense: usize,
    costs: Costs,
    serial: Serial<S::E>,
) {
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
    let in_place = b_in_place(n, op_b, S::L);
    let packed = if in_place { 0 } else { n.div_ceil(width) * k * width };
    let s = ws.start(m, k, packed, copy_a);
    let pb = if in_place {
        if k > 0 {
            scan_b(n, b, s.nf);
        }
        PackedB {
            data: b,
            ld: n,
            step: width,
            width,
            panels: n.div_ceil(width),
        }
    } else {
        pack_b(k, n, b, op_b, width, s.packed, s.nf)
    };
    assert!(
        k.saturating_mul(pb.ld) <= u32::MAX as usize,
        "internal gemm: inner size too large"
    );
    plan_a(m, k, view, s.nf, pb.ld, costs, s.lists);
    let job = Job {
        a: view,
        idx: &s.lists.idx,
        vals: &s.lists.vals,
        pb: &pb,
        k,
        n,
        alpha,
        dense,
        copy_a,
        lower,
        overwrite,
    };
    run_plans(&job, &s.lists.plans, c, m * k * n, serial);
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
    kernels::serial::<S>(job, plans, c, row0)
}

/// Runs every plan (`work` = m·k·n multiply-adds): on the calling thread, or — natively, above
/// [`PAR_MIN_WORK`] with more than one thread in the current rayon pool — as tasks of that pool,
/// one per chunk of whole plans ([`row_chunks`]).
fn run_plans<E: Scalar>(job: &Job<'_, E>, plans: &[Plan], c: &mut [E], work: usize, serial: Serial<E>) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let threads = threads();
        if work >= PAR_MIN_WORK && plans.len() >= 2 && threads > 1 {
            use rayon::prelude::*;
            let chunks = plans.len().min(CHUNKS_PER_THREAD * threads);
            // SAFETY: `serial` was chosen for an instruction set this CPU has (see `gemm_f32`),
            // and every thread of the pool runs on that CPU.
            row_chunks(plans, c, job.n, chunks)
                .into_par_iter()
                .with_max_len(1)
                .for_each(|(plans, c, row0)| unsafe { serial(job, plans, c, row0) });
            return;
        }
    }
    let _ = work;
    // SAFETY: as above.
    unsafe { serial(job, plans, c, 0) }
}

/// Cuts the plans into `chunks` (1 ≤ chunks ≤ plans.len()) runs of consecutive plans and C
/// (rows of n values) into the matching row ranges: (plans, their rows of C, first row). Plans
/// come in increasing row order and cover rows 0..m, so a chunk owns the rows from its first
/// plan's first row to the next chunk's: every row has exactly one owner, and the chunks are
/// disjoint mutable slices (no shared writes).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
fn row_chunks<'p, 'c, E>(
    plans: &'p [Plan],
    c: &'c mut [E],
    n: usize,
    chunks: usize,
) -> Vec<(&'p [Plan], &'c mut [E], usize)> {
    let mut parts = Vec::with_capacity(chunks);
    let (mut rest, mut row) = (c, 0);
    for q in 0..chunks {
        let (from, to) = (q * plans.len() / chunks, (q + 1) * plans.len() / chunks);
        let end = plans.get(to).map_or(row + rest.len() / n, Plan::first_row);
        let (mine, tail) = rest.split_at_mut((end - row) * n);
        parts.push((&plans[from..to], mine, row));
        (rest, row) = (tail, end);
    }
    parts
}

/// Threads a large product is split between: the size of the current rayon pool (the global
/// pool, sized by `RAYON_NUM_THREADS` or the machine's cores, or the pool a caller entered with
/// `ThreadPool::install`, which so caps every product and the spectrum's eigensolver inside it).
#[cfg(not(target_arch = "wasm32"))]
pub fn threads() -> usize {
    rayon::current_num_threads()
}

/// Threads used for large products (always 1 in wasm32).
#[cfg(target_arch = "wasm32")]
pub fn threads() -> usize {
    1
}
