//! Blocked Householder reduction of a symmetric matrix to tridiagonal form, A = Q T Qᵀ, with a
//! fixed order of every operation (so the same bits on every platform and thread count).
//!
//! The algorithm is LAPACK's `dsytrd` with `dlatrd` panels, lower form (Dongarra, Hammarling &
//! Sorensen, "Block reduction of matrices to condensed forms for eigenvalue computations",
//! J. Comput. Appl. Math. 27, 1989; Golub & Van Loan, *Matrix Computations*, 4th ed., §8.3.1
//! and §5.1). The matrix is held in the upper triangle of a row-major array, which is the lower
//! triangle read column-major, so "column i below the diagonal" is the contiguous row i right of
//! the diagonal. For i = 0 … n − 2, with A⁽ⁱ⁾ the matrix after i steps:
//!
//! - the Householder reflector of x = A⁽ⁱ⁾[i+1.., i] (LAPACK `dlarfg`, §5.1.2):
//!   α = x₀, σ² = Σ_{t≥1} x_t², β = −sign(α)·√(α² + σ²), τ = (β − α)/β, u = (1, x₁.. / (α − β));
//!   H_i = I − τ u uᵀ maps x to β e₁. e_i = β is T's sub-diagonal entry, d_i = A⁽ⁱ⁾_ii its
//!   diagonal. σ² = 0 gives τ = 0 (H_i = I, e_i = α).
//! - the update A⁽ⁱ⁺¹⁾ = H_i A⁽ⁱ⁾ H_i = A⁽ⁱ⁾ − u wᵀ − w uᵀ on the trailing block, with
//!   p = τ A⁽ⁱ⁾ u and w = p − ½ τ (pᵀu) u (G&VL eq. 8.3.2).
//!
//! Blocking (`dlatrd`): the updates of a panel of [`NB`] steps are kept as the vectors u and w
//! (V, W) and applied at the end of the panel as one rank-2·NB update A ← A − V Wᵀ − W Vᵀ; inside
//! the panel, column i is first brought up to date with the earlier steps of the panel, and
//! A⁽ⁱ⁾u = A u − V (Wᵀu) − W (Vᵀu) with A the matrix at the start of the panel. The product
//! A u is the memory-bound half of the work (the trailing triangle is read once per column), the
//! rank-2·NB update the compute-bound half.
//!
//! Fixed order, as stated by the kernels ([`super::kernels`]): dot products in eight lanes; the
//! product p = A u row block by row block — rows in fixed blocks of [`SYMV_ROWS`] (by absolute
//! index), each block summing its rows' contributions to later entries sequentially into its own
//! vector y_b, then p_c = ((y_{b₀}[c] + y_{b₀+1}[c]) + … ) + (a_cc u_c + Σ_{c'>c} a_cc' u_c'),
//! blocks in increasing order — so that natively the blocks can run on different threads with
//! the same bits; every update a sum over the panel's vectors in order.

use super::for_each_task;
use super::kernels::{Kernels, MAX_Q};

/// Columns per panel of the blocked reduction.
pub(super) const NB: usize = 32;
/// Rows per block of the product A u (part of the summation order: never change it lightly).
pub(super) const SYMV_ROWS: usize = 64;
/// Below this many entries of the trailing triangle a step runs on the calling thread only.
const PAR_MIN_ENTRIES: usize = 1 << 17;
/// Rows per task of the rank-2·NB update.
const UPDATE_TASK_ROWS: usize = 16;

const _: () = assert!(NB <= MAX_Q);

/// T = Qᵀ A Q: `d` its diagonal, `e[i]` = T_{i+1,i} (e[n − 1] = 0), and the reflectors'
/// τ_i (τ_{n−2} = τ_{n−1} = 0); the reflectors' vectors u_i are left in the working array
/// (row i, from column i + 2 on; u_i[i+1] = 1 is implicit).
pub(super) struct Tridiagonal {
    pub d: Vec<f64>,
    pub e: Vec<f64>,
    pub tau: Vec<f64>,
}

/// f64 values of scratch [`tridiagonalize`] allocates for an n × n matrix (besides the matrix).
pub(super) fn scratch_len(n: usize) -> usize {
    let nb = NB.min(n.max(1));
    3 * n + 2 * nb * n + 2 * n + n.div_ceil(SYMV_ROWS) * n
}

/// The reflector of `x` (LAPACK `dlarfg`, see the module doc): x₀ ← β, x₁.. ← u₁..; returns τ.
fn householder(x: &mut [f64], k: &Kernels) -> f64 {
    let alpha = x[0];
    let sigma2 = k.dot(&x[1..], &x[1..]);
    if sigma2 == 0.0 {
        // Already reduced (or entries so small that their squares vanish next to ‖A‖ ≈ 1).
        x[1..].fill(0.0);
        return 0.0;
    }
    let norm = (alpha * alpha + sigma2).sqrt();
    let beta = if alpha >= 0.0 { -norm } else { norm };
    let tau = (beta - alpha) / beta;
    let scale = 1.0 / (alpha - beta);
    for t in &mut x[1..] {
        *t *= scale;
    }
    x[0] = beta;
    tau
}

/// Reduces the symmetric matrix held in the upper triangle of the row-major `n × n` array `a`
/// (the lower triangle is neither read nor kept) to tridiagonal form; see the module doc.
pub(super) fn tridiagonalize(a: &mut [f64], n: usize, k: &Kernels) -> Tridiagonal {
    assert_eq!(a.len(), n * n, "internal: tridiagonalize needs an n × n array");
    let mut d = vec![0.0; n];
    let mut e = vec![0.0; n];
    let mut tau = vec![0.0; n];
    let nb = NB.min(n.max(1));
    let mut vt = vec![0.0; nb * n];
    let mut wt = vec![0.0; nb * n];
    let mut p = vec![0.0; n];
    let mut dots = vec![0.0; n];
    let mut y = vec![0.0; n.div_ceil(SYMV_ROWS) * n];
    let mut k0 = 0;
    while k0 < n {
        let kb = nb.min(n - k0);
        for j in 0..kb {
            let i = k0 + j;
            // Column i (row i of the array) up to date with the panel's earlier steps:
            // a_ic ← a_ic − Σ_{q<j} ((u_q[i]·w_q[c]) + (w_q[i]·u_q[c])), c ≥ i.
            if j > 0 {
                let mut alpha = [0.0; MAX_Q];
                let mut beta = [0.0; MAX_Q];
                for q in 0..j {
                    alpha[q] = vt[q * n + i];
                    beta[q] = wt[q * n + i];
                }
                k.rank2_vec(
                    &mut a[i * n..(i + 1) * n],
                    &alpha[..j],
                    &beta[..j],
                    &vt[..j * n],
                    &wt[..j * n],
                    n,
                    (i, n),
                );
            }
            d[i] = a[i * n + i];
            if i + 1 == n {
                break;
            }
            let t = householder(&mut a[i * n + i + 1..(i + 1) * n], k);
            e[i] = a[i * n + i + 1];
            tau[i] = t;
            let (v_done, v_rest) = vt.split_at_mut(j * n);
            let v = &mut v_rest[..n];
            v[..=i].fill(0.0);
            v[i + 1] = 1.0;
            v[i + 2..].copy_from_slice(&a[i * n + i + 2..(i + 1) * n]);
            let (w_done, w_rest) = wt.split_at_mut(j * n);
            let w = &mut w_rest[..n];
            w.fill(0.0);
            if t == 0.0 {
                continue;
            }
            // p = A u over the trailing block (A as at the start of the panel) …
            symv(a, n, i + 1, v, &mut p, &mut dots, &mut y, k);
            // … minus V (Wᵀu) + W (Vᵀu): p_c ← p_c − Σ_{q<j} ((Vᵀu)_q·w_q[c] + (Wᵀu)_q·u_q[c]).
            if j > 0 {
                let mut vtu = [0.0; MAX_Q];
                let mut wtu = [0.0; MAX_Q];
                for q in 0..j {
                    wtu[q] = k.dot(&w_done[q * n + i + 1..(q + 1) * n], &v[i + 1..]);
                    vtu[q] = k.dot(&v_done[q * n + i + 1..(q + 1) * n], &v[i + 1..]);
                }
                k.rank2_vec(&mut p, &vtu[..j], &wtu[..j], v_done, w_done, n, (i + 1, n));
            }
            // w = τ p, then w ← w + (−½ τ (wᵀu)) u.
            for c in i + 1..n {
                w[c] = t * p[c];
            }
            let half = -0.5 * t * k.dot(&w[i + 1..], &v[i + 1..]);
            for c in i + 1..n {
                w[c] += half * v[c];
            }
        }
        // The rank-2·kb update of the rows after the panel.
        let r0 = k0 + kb;
        if r0 < n {
            let m = n - r0;
            let rows = &mut a[r0 * n..];
            let tasks: Vec<(usize, &mut [f64])> = rows
                .chunks_mut(UPDATE_TASK_ROWS * n)
                .enumerate()
                .map(|(t, c)| (r0 + t * UPDATE_TASK_ROWS, c))
                .collect();
            let (vt, wt) = (&vt[..kb * n], &wt[..kb * n]);
            for_each_task(tasks, m * m / 2 >= PAR_MIN_ENTRIES, |(r, rows)| {
                k.rank2_rows(rows, n, r, vt, wt, kb)
            });
        }
        k0 += kb;
    }
    Tridiagonal { d, e, tau }
}

/// p[start..n] = A u for the trailing block rows/columns ≥ `start` of the upper-triangle matrix
/// `a`, in the fixed block order of the module doc (`dots` and `y` are scratch).
#[allow(clippy::too_many_arguments)]
fn symv(a: &[f64], n: usize, start: usize, u: &[f64], p: &mut [f64], dots: &mut [f64], y: &mut [f64], k: &Kernels) {
    let b0 = start / SYMV_ROWS;
    let blocks = (n - 1) / SYMV_ROWS + 1 - b0;
    let bounds = |b: usize| (((b0 + b) * SYMV_ROWS).max(start), ((b0 + b + 1) * SYMV_ROWS).min(n));
    {
        let mut tasks = Vec::with_capacity(blocks);
        let mut dots_rest = &mut dots[start..n];
        for (b, yb) in y.chunks_mut(n).take(blocks).enumerate() {
            let (r0, r1) = bounds(b);
            let (mine, rest) = dots_rest.split_at_mut(r1 - r0);
            dots_rest = rest;
            tasks.push((r0, r1, mine, yb));
        }
        let m = n - start;
        for_each_task(tasks, m * m / 2 >= PAR_MIN_ENTRIES, |(r0, r1, dots, yb)| {
            yb[r0 + 1..n].fill(0.0);
            k.symv_rows(a, n, u, (r0, r1), dots, yb);
        });
    }
    let p = &mut p[..n];
    p[start..].fill(0.0);
    for (b, yb) in y.chunks(n).take(blocks).enumerate() {
        let r0 = bounds(b).0;
        for (pc, yc) in p[r0 + 1..].iter_mut().zip(&yb[r0 + 1..n]) {
            *pc += yc;
        }
    }
    for (pc, dc) in p[start..].iter_mut().zip(&dots[start..n]) {
        *pc += dc;
    }
}
