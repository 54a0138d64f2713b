//! Symmetric eigensolver with a fixed order of every floating-point operation: the same bits
//! natively (any x86 SIMD width, any number of threads) and in wasm32 (simd128), so that a
//! report's spectrum is byte-identical in every browser and in the CLI (docs/PROTOCOL.md §5.2).
//!
//! The classical two-step method (Golub & Van Loan, *Matrix Computations*, 4th ed., §8.3):
//!
//! 1. [`tridiag`]: blocked Householder reduction A = Q T Qᵀ (LAPACK `dsytrd`/`dlatrd`);
//! 2. [`ql`]: the implicit QL iteration on T (EISPACK `tql2`), eigenvalues in O(n²);
//! 3. with eigenvectors, [`vectors`]: Qᵀ from the reflectors (LAPACK `dorgtr`), then the QL
//!    iteration's plane rotations, giving the eigenvectors as contiguous rows.
//!
//! Everything returned here is sorted **descending** (λ₁ ≥ λ₂ ≥ …; equal values keep the QL
//! order). The eigenvalues of [`eigenvalues_desc`] and [`eigen_desc`] are the same bits (the same
//! reduction and QL iteration; the rotations only change the vectors).
//!
//! **Why hand-written.** A report is only byte-identical across platforms if every sum runs in
//! the same order everywhere. faer (the solver before this one) and every BLAS/LAPACK pick their
//! kernels at run time — AVX2/AVX-512 with FMA and rayon threads natively, other blockings in
//! wasm32 — so their results agreed to ~1e-12 only. Here only IEEE `+ − × ÷` and `sqrt` (correctly
//! rounded everywhere) are used, no transcendental, no fused multiply-add, and every reduction
//! has a fixed lane blocking ([`kernels`]); natively the large steps run as tasks of the current
//! rayon pool (`nn::linalg::threads()`), split so that no sum depends on the split.
//!
//! **Accuracy.** Householder reduction and QL are backward stable: computed eigenvalues are
//! those of A + E with ‖E‖₂ = O(n ε ‖A‖₂) (G&VL §8.3.7, Wilkinson), so every eigenvalue is exact
//! to about n·ε·|λ|_max; tested against faer on random, Wishart, power-law, degenerate and
//! rank-deficient matrices (`tests/spectrum_eigen.rs`).
//!
//! **Range.** The matrix is scaled by a power of two (exact) so that its largest entry is in
//! [½, 1): no sum of squares can overflow, no significant square underflows, and because every
//! step is homogeneous in the scale, the scaled run gives exactly 2⁻ᵏ times the bits the unscaled
//! one would wherever that one neither over- nor underflows. Eigenvalues that do not fit in f64
//! after scaling back are an error.

mod kernels;
mod ql;
mod tridiag;
mod vectors;

#[cfg(test)]
mod tests;

use super::{square_entries, SpectrumError};
use kernels::Kernels;
use ndarray::ArrayView2;

/// Runs `f` on every task: natively as tasks of the current rayon pool when `parallel` and the
/// pool has more than one thread, else in order on the calling thread. Every task's arithmetic
/// is fixed and tasks write disjoint data, so the result is the same bits either way.
fn for_each_task<T: Send>(tasks: Vec<T>, parallel: bool, f: impl Fn(T) + Sync + Send) {
    #[cfg(not(target_arch = "wasm32"))]
    if parallel && tasks.len() > 1 && crate::nn::linalg::threads() > 1 {
        use rayon::prelude::*;
        tasks.into_par_iter().with_max_len(1).for_each(f);
        return;
    }
    let _ = parallel;
    tasks.into_iter().for_each(f);
}

/// Upper bound of the bytes one eigendecomposition of an `n × n` matrix allocates besides its
/// input ([`eigenvalues_desc`] when `vectors` is false, [`eigen_desc`] when true), for
/// [`crate::experiment::memory::measurement_bytes`]. Eigenvalues: the scaled working copy W
/// (n²), the reduction's scratch (d, e, τ, the panel's 2·32·n vectors, the product's
/// n + n + ⌈n/64⌉·n partial sums), the eigenvalues and the sort's index (2n), the task lists (one
/// entry of at most 48 bytes per 16 rows). With vectors, the largest of three phases: the
/// reduction (as above), Qᵀ built next to W (W + d, e, τ + Qᵀ), and the QL iteration after W is
/// freed (Qᵀ, which becomes the returned vectors, + d, e, τ + the rotation log + the per-segment
/// row slices of a rotation batch, ⌈n/128⌉·n slices of 16 bytes, + the sort and the
/// permutation's scratch, 4n). The same on every platform and thread count (threads share the
/// scratch; a task allocates nothing); `tests/spectrum_memory.rs` checks it against a counting
/// allocator.
pub fn evd_bytes(n: usize, vectors: bool) -> u64 {
    let n64 = n as u64;
    let f = 8u64;
    let sq = n64 * n64 * f;
    let tasks = (n64 / 16 + 2) * 48;
    let reduction = sq + tridiag::scratch_len(n) as u64 * f + tasks;
    if !vectors {
        return reduction + 2 * n64 * f;
    }
    let q_built = sq + 3 * n64 * f + sq + tasks;
    let ql = sq
        + 3 * n64 * f
        + vectors::rotation_log_bytes().min(n * n * 20) as u64
        + vectors::flush_bytes(n) as u64
        + 4 * n64 * f;
    reduction.max(q_built).max(ql)
}

/// Eigenvalues and (unit-norm) eigenvectors of a symmetric matrix, descending.
#[derive(Debug, Clone, PartialEq)]
pub struct SymEigen {
    /// λ₁ ≥ λ₂ ≥ … ≥ λ_n.
    pub values: Vec<f64>,
    /// `n × n`, column-major: column k (`vectors[k * n..(k + 1) * n]`) is the eigenvector of `values[k]`.
    pub vectors: Vec<f64>,
    pub n: usize,
}

impl SymEigen {
    /// Eigenvector k (unit norm).
    pub fn vector(&self, k: usize) -> &[f64] {
        &self.vectors[k * self.n..(k + 1) * self.n]
    }
}

/// The working copy of the upper triangle of the row-major `n × n` matrix `a` (the lower
/// triangle is not copied), scaled by 2⁻ᵏ so that its largest entry is in [½, 1), and k (0 for a
/// zero matrix).
fn scaled_copy(a: &[f64], n: usize) -> (Vec<f64>, i32) {
    let m = a.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let k = if m > 0.0 { libm::ilogb(m) + 1 } else { 0 };
    let mut w = vec![0.0; n * n];
    for r in 0..n {
        let (src, dst) = (&a[r * n + r..(r + 1) * n], &mut w[r * n + r..(r + 1) * n]);
        if k == 0 {
            dst.copy_from_slice(src);
        } else {
            for (d, s) in dst.iter_mut().zip(src) {
                *d = libm::scalbn(*s, -k);
            }
        }
    }
    (w, k)
}

/// Multiplies the eigenvalues back by 2ᵏ (exact); eigenvalues beyond f64 are an error.
fn unscale(values: &mut [f64], k: i32) -> Result<(), SpectrumError> {
    if k != 0 {
        values.iter_mut().for_each(|v| *v = libm::scalbn(*v, k));
    }
    if values.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(SpectrumError::Eigen("eigenvalues beyond the range of f64".into()))
    }
}

/// Indices of `d` ordered by value descending (a stable sort: equal values keep their order).
fn descending_order(d: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..d.len()).collect();
    idx.sort_by(|&x, &y| d[y].total_cmp(&d[x]));
    idx
}

/// All eigenvalues of the symmetric matrix `a`, descending. Only the upper triangle is read (as
/// LAPACK's `dsyev` with `UPLO = 'U'`); `a` must be square, finite and in standard layout
/// (row-major, contiguous), else a [`SpectrumError`].
pub fn eigenvalues_desc(a: ArrayView2<'_, f64>) -> Result<Vec<f64>, SpectrumError> {
    eigenvalues_with(a, &Kernels::get())
}

fn eigenvalues_with(a: ArrayView2<'_, f64>, k: &Kernels) -> Result<Vec<f64>, SpectrumError> {
    let (n, a) = square_entries(a)?;
    let (mut w, scale) = scaled_copy(a, n);
    let t = tridiag::tridiagonalize(&mut w, n, k);
    drop(w);
    let (mut d, mut e) = (t.d, t.e);
    ql::tql2(&mut d, &mut e, |_, _, _| {})?;
    let mut v: Vec<f64> = descending_order(&d).into_iter().map(|i| d[i]).collect();
    unscale(&mut v, scale)?;
    Ok(v)
}

/// Eigenvalues and eigenvectors of the symmetric matrix `a`, descending; the input contract of
/// [`eigenvalues_desc`].
pub fn eigen_desc(a: ArrayView2<'_, f64>) -> Result<SymEigen, SpectrumError> {
    eigen_with(a, &Kernels::get())
}

fn eigen_with(a: ArrayView2<'_, f64>, k: &Kernels) -> Result<SymEigen, SpectrumError> {
    let (n, a) = square_entries(a)?;
    let (mut w, scale) = scaled_copy(a, n);
    let t = tridiag::tridiagonalize(&mut w, n, k);
    let mut u = vectors::q_transposed(&w, n, &t.tau, k);
    drop(w);
    let (mut d, mut e) = (t.d, t.e);
    {
        let mut rotations = vectors::Rotations::new(&mut u, n, *k);
        ql::tql2(&mut d, &mut e, |i, c, s| rotations.push(i, c, s))?;
        rotations.flush();
    }
    let order = descending_order(&d);
    vectors::permute_rows(&mut u, n, &order);
    let mut values: Vec<f64> = order.iter().map(|&i| d[i]).collect();
    unscale(&mut values, scale)?;
    if !u.iter().all(|x| x.is_finite()) {
        return Err(SpectrumError::Eigen("non-finite eigenvectors".into()));
    }
    Ok(SymEigen { values, vectors: u, n })
}

/// Relative tolerance below which an eigenvalue of a covariance is treated as zero:
/// `tol = λ₁ · max(1e-10, max(n, d) · ε_f64)`.
///
/// Round-off in forming and centring the Gram matrix leaves the exact zeros at about
/// `N · ε · ‖K‖` (Golub & Van Loan, *Matrix Computations*, §8.1 on the perturbation of symmetric
/// eigenvalues), and ‖K‖ before centring can exceed λ₁ by the squared norm of the mean
/// gradient; the floor 1e-10 keeps that round-off out of the rank. Genuine eigenvalues below
/// 1e-10·λ₁ are far outside anything a power-law fit or a plot uses.
pub fn zero_tolerance(lambda_max: f64, n: usize, d: usize) -> f64 {
    let rel = (n.max(d) as f64 * f64::EPSILON).max(1e-10);
    lambda_max.max(0.0) * rel
}

/// Sets eigenvalues at or below [`zero_tolerance`] (including round-off negatives) to exactly 0
/// and returns the numerical rank (the number of eigenvalues above it). `values` must be
/// descending.
pub fn clamp_and_rank(values: &mut [f64], n: usize, d: usize) -> usize {
    let lmax = values.first().copied().unwrap_or(0.0);
    let tol = zero_tolerance(lmax, n, d);
    let mut rank = 0;
    for v in values.iter_mut() {
        if *v > tol {
            rank += 1;
        } else {
            *v = 0.0;
        }
    }
    rank
}

/// [`clamp_and_rank`] for the spectrum of a **centred** covariance of `n` samples, whose rank is
/// at most n − 1 (the centring annihilates the all-ones direction): eigenvalues beyond the first
/// n − 1 are round-off of the centring and are set to 0 too. When the samples share a mean far
/// larger than their spread (entries of the uncentred Gram ≫ λ₁), that round-off can exceed the
/// relative tolerance; the cap keeps the documented bound rank ≤ min(n − 1, d). Spectra that
/// already satisfy it are unchanged.
pub fn clamp_and_rank_centred(values: &mut [f64], n: usize, d: usize) -> usize {
    let rank = clamp_and_rank(values, n, d);
    let max = n.saturating_sub(1);
    if rank > max {
        values[max..].iter_mut().for_each(|v| *v = 0.0);
        max
    } else {
        rank
    }
}
