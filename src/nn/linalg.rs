//! Matrix products on row-major slices, through `ndarray::linalg::general_mat_mul`
//! (which dispatches f32/f64 to `matrixmultiply`'s blocked sgemm/dgemm, pure Rust, wasm-safe).

use super::Scalar;
use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2};

/// Which operand layout: `N` = as stored (row-major), `T` = transposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    N,
    T,
}

/// C (m×n) ← α·op(A)·op(B) + β·C, where op(A) is m×k and op(B) is k×n; A is stored row-major
/// as m×k (`Op::N`) or k×m (`Op::T`), likewise B as k×n or n×k.
///
/// Sizes are internal invariants of the network code (never user input); a mismatch is a bug
/// and panics with a message.
#[allow(clippy::too_many_arguments)]
pub fn gemm<T: Scalar>(m: usize, k: usize, n: usize, alpha: T, a: &[T], op_a: Op, b: &[T], op_b: Op, beta: T, c: &mut [T]) {
    assert!(a.len() == m * k && b.len() == k * n && c.len() == m * n, "internal gemm shape mismatch");
    if m == 0 || n == 0 {
        return;
    }
    let av = match op_a {
        Op::N => ArrayView2::from_shape((m, k), a),
        Op::T => ArrayView2::from_shape((k, m), a).map(|v| v.reversed_axes()),
    };
    let bv = match op_b {
        Op::N => ArrayView2::from_shape((k, n), b),
        Op::T => ArrayView2::from_shape((n, k), b).map(|v| v.reversed_axes()),
    };
    let cv = ArrayViewMut2::from_shape((m, n), c);
    match (av, bv, cv) {
        (Ok(av), Ok(bv), Ok(mut cv)) => general_mat_mul(alpha, &av, &bv, beta, &mut cv),
        _ => panic!("internal gemm view error"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
