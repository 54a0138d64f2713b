//! Matrix products on row-major slices with a **fixed summation order**, so that results are
//! bit-identical natively and in wasm32 (no FMA contraction, no reassociation, no
//! runtime-selected kernels — unlike BLAS or `matrixmultiply`, whose kernels differ by CPU).
//!
//! Contract: C[i,j] ← β·C[i,j] + α·s_ij, with s_ij = (((0 + A[i,0]B[0,j]) + A[i,1]B[1,j]) + …)
//! accumulated sequentially over p = 0..k−1 (β = 0 writes 0 first, so NaN/inf in C are not
//! propagated). The register-blocked kernel (4 rows × 8 columns of C held in accumulators — 16
//! columns in the AVX2 build selected at run time on x86-64 — vectorised by LLVM across the
//! independent columns, never fused multiply-adds) computes exactly this sum for every entry,
//! and so do the edge loops; a test checks it bit for bit against the scalar definition.

use super::Scalar;
use std::borrow::Cow;

/// Which operand layout: `N` = as stored (row-major), `T` = transposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    N,
    T,
}

const MR: usize = 4;

/// Transposes a `rows × cols` row-major matrix.
fn transpose<T: Scalar>(x: &[T], rows: usize, cols: usize) -> Vec<T> {
    let mut out = vec![T::zero(); rows * cols];
    for r in 0..rows {
        for (c, &v) in x[r * cols..(r + 1) * cols].iter().enumerate() {
            out[c * rows + r] = v;
        }
    }
    out
}

/// C (m×n) ← α·op(A)·op(B) + β·C, where op(A) is m×k and op(B) is k×n; A is stored row-major
/// as m×k (`Op::N`) or k×m (`Op::T`), likewise B as k×n or n×k. See the module doc for the
/// exact (platform-independent) arithmetic.
///
/// Sizes are internal invariants of the network code (never user input); a mismatch is a bug
/// and panics with a message.
#[allow(clippy::too_many_arguments)]
pub fn gemm<T: Scalar>(m: usize, k: usize, n: usize, alpha: T, a: &[T], op_a: Op, b: &[T], op_b: Op, beta: T, c: &mut [T]) {
    assert!(a.len() == m * k && b.len() == k * n && c.len() == m * n, "internal gemm shape mismatch");
    if m == 0 || n == 0 {
        return;
    }
    if beta == T::zero() {
        c.iter_mut().for_each(|v| *v = T::zero());
    } else if beta != T::one() {
        c.iter_mut().for_each(|v| *v *= beta);
    }
    let a: Cow<[T]> = match op_a {
        Op::N => Cow::Borrowed(a),
        Op::T => Cow::Owned(transpose(a, k, m)),
    };
    let b: Cow<[T]> = match op_b {
        Op::N => Cow::Borrowed(b),
        Op::T => Cow::Owned(transpose(b, n, k)),
    };
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            unsafe { all_rows_avx2(m, k, n, alpha, &a, &b, c) };
            return;
        }
    }
    all_rows::<T, 8>(m, k, n, alpha, &a, &b, c);
}

/// The same kernel compiled with AVX2 (wider vectors, 16 columns per block). Results are
/// identical to the portable path: lanes are independent columns and no FMA is used.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn all_rows_avx2<T: Scalar>(m: usize, k: usize, n: usize, alpha: T, a: &[T], b: &[T], c: &mut [T]) {
    all_rows::<T, 16>(m, k, n, alpha, a, b, c)
}

#[inline(always)]
fn all_rows<T: Scalar, const NR: usize>(m: usize, k: usize, n: usize, alpha: T, a: &[T], b: &[T], c: &mut [T]) {
    let mut i0 = 0;
    while i0 + MR <= m {
        rows::<T, MR, NR>(i0, k, n, alpha, a, b, c);
        i0 += MR;
    }
    match m - i0 {
        1 => rows::<T, 1, NR>(i0, k, n, alpha, a, b, c),
        2 => rows::<T, 2, NR>(i0, k, n, alpha, a, b, c),
        3 => rows::<T, 3, NR>(i0, k, n, alpha, a, b, c),
        _ => {}
    }
}

/// Rows i0..i0+R of C (A: m×k, B: k×n, both row-major).
#[inline(always)]
fn rows<T: Scalar, const R: usize, const NR: usize>(i0: usize, k: usize, n: usize, alpha: T, a: &[T], b: &[T], c: &mut [T]) {
    // Interleave the R rows of A (apack[p·R + r] = A[i0 + r, p]) so the hot loop reads both
    // operands through exact-size chunks, without bounds checks, and vectorises across columns.
    let mut apack = vec![T::zero(); k * R];
    for r in 0..R {
        for (p, &v) in a[(i0 + r) * k..(i0 + r + 1) * k].iter().enumerate() {
            apack[p * R + r] = v;
        }
    }
    let b = &b[..k * n];
    let mut j0 = 0;
    while j0 + NR <= n {
        let mut acc = [[T::zero(); NR]; R];
        for (ap, brow) in apack.chunks_exact(R).zip(b.chunks_exact(n)) {
            let bp: &[T; NR] = match brow[j0..j0 + NR].try_into() {
                Ok(v) => v,
                Err(_) => unreachable!(),
            };
            for r in 0..R {
                let av = ap[r];
                for l in 0..NR {
                    acc[r][l] += av * bp[l];
                }
            }
        }
        for r in 0..R {
            let crow = &mut c[(i0 + r) * n + j0..(i0 + r) * n + j0 + NR];
            for l in 0..NR {
                crow[l] += alpha * acc[r][l];
            }
        }
        j0 += NR;
    }
    // Remaining columns: the same sequential sums, one entry at a time.
    for r in 0..R {
        for j in j0..n {
            let mut s = T::zero();
            for (ap, brow) in apack.chunks_exact(R).zip(b.chunks_exact(n)) {
                s += ap[r] * brow[j];
            }
            c[(i0 + r) * n + j] += alpha * s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

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

    /// Bit-for-bit against the scalar definition of the contract, for shapes hitting every
    /// edge path, with α, β ≠ 1.
    #[test]
    fn gemm_matches_the_sequential_definition_bit_for_bit() {
        let mut rng = crate::rng::seeded(1);
        for &(m, k, n) in &[(1, 1, 1), (3, 5, 7), (4, 8, 8), (9, 17, 21), (13, 64, 10), (128, 30, 100)] {
            let a: Vec<f32> = (0..m * k).map(|_| rng.random::<f32>() - 0.5).collect();
            let b: Vec<f32> = (0..k * n).map(|_| rng.random::<f32>() - 0.5).collect();
            let c0: Vec<f32> = (0..m * n).map(|_| rng.random::<f32>() - 0.5).collect();
            let (alpha, beta) = (0.7f32, 0.3f32);
            let mut want = c0.clone();
            for i in 0..m {
                for j in 0..n {
                    let mut s = 0f32;
                    for p in 0..k {
                        s += a[i * k + p] * b[p * n + j];
                    }
                    want[i * n + j] = beta * c0[i * n + j] + alpha * s;
                }
            }
            let at = transpose(&a, m, k);
            let bt = transpose(&b, k, n);
            for (aa, oa) in [(&a, Op::N), (&at, Op::T)] {
                for (bb, ob) in [(&b, Op::N), (&bt, Op::T)] {
                    let mut c = c0.clone();
                    gemm(m, k, n, alpha, aa, oa, bb, ob, beta, &mut c);
                    let same = c.iter().zip(&want).all(|(x, y)| x.to_bits() == y.to_bits());
                    assert!(same, "shape {m}×{k}×{n}, ops {oa:?} {ob:?}");
                }
            }
            // The portable kernel explicitly (the dispatcher may have picked the AVX2 one).
            let mut c = c0.clone();
            c.iter_mut().for_each(|v| *v *= beta);
            all_rows::<f32, 8>(m, k, n, alpha, &a, &b, &mut c);
            assert!(c.iter().zip(&want).all(|(x, y)| x.to_bits() == y.to_bits()), "portable {m}×{k}×{n}");
        }
    }
}
