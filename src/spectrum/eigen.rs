//! Symmetric eigensolver wrapper (faer 0.24, pure Rust, builds for wasm32).
//!
//! faer was measured against nalgebra 0.35 `symmetric_eigenvalues` on this machine (2000 × 2000
//! symmetric matrix, eigenvalues only, native, one thread): faer 0.95 s, nalgebra 3.6 s, equal
//! to 6e-14 (`docs/PROTOCOL.md` §4), so faer is the one kept and nalgebra is not a dependency. faer returns eigenvalues in
//! non-decreasing order; everything here returns them **descending** (λ₁ ≥ λ₂ ≥ …).

use super::SpectrumError;
use crate::libm_f64::LibmF64;
use faer::diag::Diag;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::{self_adjoint_evd, self_adjoint_evd_scratch, ComputeEigenvectors};
use faer::{Mat, MatRef, Par};

/// How faer may split its work: natively between the threads of the current rayon pool
/// (`nn::linalg::threads()`: the global pool, sized by `RAYON_NUM_THREADS` — 1 makes it
/// sequential — or the pool the caller installed), in wasm32 sequentially. The reduction to
/// tridiagonal form is the O(n³) part of a spectrum; two threads take the N = 2000 spectrum of
/// the bench from 0.73 s to 0.6 s (docs/BENCHMARKS.md). Results agree with the sequential
/// ones to round-off, not bit for bit.
pub(crate) fn par() -> Par {
    #[cfg(not(target_arch = "wasm32"))]
    {
        match crate::nn::linalg::threads() {
            1 => Par::Seq,
            t => Par::rayon(t),
        }
    }
    #[cfg(target_arch = "wasm32")]
    {
        Par::Seq
    }
}

/// faer's symmetric eigendecomposition of the lower triangle of `a` with [`par`]: eigenvalues
/// ascending, and the eigenvectors (columns) when asked for.
fn faer_evd(a: MatRef<'_, f64>, vectors: bool, par: Par) -> Result<(Vec<f64>, Option<Mat<f64>>), SpectrumError> {
    let n = a.nrows();
    let want = if vectors {
        ComputeEigenvectors::Yes
    } else {
        ComputeEigenvectors::No
    };
    let mut s = Diag::<f64>::zeros(n);
    let mut u = vectors.then(|| Mat::<f64>::zeros(n, n));
    let mut mem = MemBuffer::try_new(self_adjoint_evd_scratch::<f64>(n, want, par, Default::default()))
        .map_err(|_| SpectrumError::Eigen(format!("out of memory for the {n} × {n} eigensolver's workspace")))?;
    self_adjoint_evd(
        a,
        s.as_mut(),
        u.as_mut().map(|u| u.as_mut()),
        par,
        MemStack::new(&mut mem),
        Default::default(),
    )
    .map_err(|e| SpectrumError::Eigen(format!("{e:?}")))?;
    Ok((s.column_vector().iter().copied().collect(), u))
}

/// Upper bound of the bytes one eigendecomposition of an `n × n` matrix allocates besides its
/// input ([`eigenvalues_desc`] when `vectors` is false, [`eigen_desc`] when true), for
/// [`crate::experiment::memory::measurement_bytes`]: faer's scratch for sequential execution
/// (`self_adjoint_evd_scratch(n, …, Par::Seq)`, exact in wasm32, plus its alignment — natively
/// each further thread adds about 8 n bytes, which this leaves out so that a configuration gets
/// the same memory decision on every platform and thread count), the n eigenvalues and,
/// with vectors, faer's n × n eigenvector matrix (columns padded to a multiple of 8) and the
/// n² descending copy; plus the n × n power-of-two scaled copy [`scaled`] makes for extreme
/// entries and the n output values.
pub fn evd_bytes(n: usize, vectors: bool) -> u64 {
    let want = if vectors {
        ComputeEigenvectors::Yes
    } else {
        ComputeEigenvectors::No
    };
    let req = self_adjoint_evd_scratch::<f64>(n, want, Par::Seq, Default::default());
    let n = n as u64;
    let scratch = req.size_bytes() as u64 + req.align_bytes() as u64;
    let padded = n.div_ceil(8) * 8;
    let vecs = if vectors { n * padded * 8 + n * n * 8 } else { 0 };
    scratch + vecs + n * n * 8 + 2 * n * 8
}

/// A symmetric `n × n` matrix stored densely (row-major = column-major, since it is symmetric).
#[derive(Debug, Clone, PartialEq)]
pub struct SymMatrix {
    pub n: usize,
    /// `n × n` values; `data[i * n + j] == data[j * n + i]`.
    pub data: Vec<f64>,
}

impl SymMatrix {
    /// The zero matrix.
    pub fn zeros(n: usize) -> Self {
        SymMatrix {
            n,
            data: vec![0.0; n * n],
        }
    }

    /// Entry (i, j).
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.n + j]
    }

    /// Trace Σ_i A_ii.
    pub fn trace(&self) -> f64 {
        (0..self.n).map(|i| self.get(i, i)).sum()
    }

    pub(crate) fn as_faer(&self) -> MatRef<'_, f64> {
        MatRef::from_column_major_slice(&self.data, self.n, self.n)
    }

    /// Multiplies every entry by `c`.
    pub fn scale(&mut self, c: f64) {
        self.data.iter_mut().for_each(|x| *x *= c);
    }

    /// Checks `data.len() == n²` and that every entry is finite.
    pub fn validate(&self) -> Result<(), SpectrumError> {
        if self.n.checked_mul(self.n) != Some(self.data.len()) {
            return Err(SpectrumError::Shape(format!(
                "{} values for a {} × {} matrix",
                self.data.len(),
                self.n,
                self.n
            )));
        }
        self.check_finite()
    }

    fn check_finite(&self) -> Result<(), SpectrumError> {
        if self.data.iter().all(|x| x.is_finite()) {
            Ok(())
        } else {
            Err(SpectrumError::NonFinite)
        }
    }
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

/// Entries whose largest magnitude is outside [`SCALE_BELOW`, `SCALE_ABOVE`] are scaled by a
/// power of two before the eigensolver: its intermediate sums of squares overflow (NaN / −inf
/// eigenvalues for entries near f64::MAX) or underflow otherwise. Scaling by 2^k is exact, and
/// matrices inside the range (every covariance the lab computes) are not touched.
const SCALE_ABOVE: f64 = 1e150;
const SCALE_BELOW: f64 = 1e-150;

/// x · 2^k, exact (libm's `scalbn`; 2^k alone over- or underflows for |k| > 1022).
fn mul_pow2(x: f64, k: i32) -> f64 {
    libm::scalbn(x, k)
}

/// `a` scaled into the safe range when needed, and the power of two `k` to multiply the
/// eigenvalues by (0 when `a` is used as it is).
fn scaled(a: &SymMatrix) -> (std::borrow::Cow<'_, SymMatrix>, i32) {
    let m = a.data.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if m > SCALE_ABOVE || (m > 0.0 && m < SCALE_BELOW) {
        let k = m.log2_().round() as i32;
        let mut b = a.clone();
        b.data.iter_mut().for_each(|x| *x = mul_pow2(*x, -k));
        (std::borrow::Cow::Owned(b), k)
    } else {
        (std::borrow::Cow::Borrowed(a), 0)
    }
}

/// Multiplies the eigenvalues back by 2^k; NaN from the solver or eigenvalues beyond f64 are an
/// error.
fn unscale(values: &mut [f64], k: i32) -> Result<(), SpectrumError> {
    if k != 0 {
        values.iter_mut().for_each(|v| *v = mul_pow2(*v, k));
    }
    if values.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(SpectrumError::Eigen("eigenvalues beyond the range of f64".into()))
    }
}

/// All eigenvalues of the symmetric matrix `a`, descending.
pub fn eigenvalues_desc(a: &SymMatrix) -> Result<Vec<f64>, SpectrumError> {
    a.validate()?;
    if a.n == 0 {
        return Ok(Vec::new());
    }
    let (a, k) = scaled(a);
    let (mut v, _) = faer_evd(a.as_faer(), false, par())?;
    v.reverse();
    unscale(&mut v, k)?;
    Ok(v)
}

/// Eigenvalues and eigenvectors of the symmetric matrix `a`, descending.
pub fn eigen_desc(a: &SymMatrix) -> Result<SymEigen, SpectrumError> {
    a.validate()?;
    let n = a.n;
    if n == 0 {
        return Ok(SymEigen {
            values: Vec::new(),
            vectors: Vec::new(),
            n,
        });
    }
    let (a, k) = scaled(a);
    let (s, u) = faer_evd(a.as_faer(), true, par())?;
    let u = u.ok_or_else(|| SpectrumError::Eigen("no eigenvectors".into()))?;
    let mut values = Vec::with_capacity(n);
    let mut vectors = Vec::with_capacity(n * n);
    for k in (0..n).rev() {
        values.push(s[k]);
        for i in 0..n {
            vectors.push(u[(i, k)]);
        }
    }
    unscale(&mut values, k)?;
    if !vectors.iter().all(|x| x.is_finite()) {
        return Err(SpectrumError::Eigen("non-finite eigenvectors".into()));
    }
    Ok(SymEigen { values, vectors, n })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A = H·diag(λ)·H with the Householder reflector H = I − 2vvᵀ/(vᵀv) has exactly the
    /// eigenvalues λ (H is orthogonal and symmetric). With λ_k = k^(−1.2), n = 600, the threaded
    /// and the sequential solver both return λ to 1e-12·λ₁ (Weyl: round-off in forming A is
    /// ~n·ε·λ₁), and they agree with each other to the same bound.
    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn threaded_and_sequential_solvers_recover_a_known_spectrum() {
        let n = 600;
        let lambda: Vec<f64> = (1..=n).map(|k| (k as f64).powf_(-1.2)).collect();
        let v: Vec<f64> = (0..n).map(|i| ((i * 7919 % 613) as f64 / 613.0) - 0.4).collect();
        let vv: f64 = v.iter().map(|x| x * x).sum();
        let h = |i: usize, j: usize| f64::from(u8::from(i == j)) - 2.0 * v[i] * v[j] / vv;
        let hm: Vec<f64> = (0..n * n).map(|ij| h(ij / n, ij % n)).collect();
        let mut data = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..=i {
                let x: f64 = (0..n).map(|k| hm[i * n + k] * lambda[k] * hm[j * n + k]).sum();
                data[i * n + j] = x;
                data[j * n + i] = x;
            }
        }
        let a = SymMatrix { n, data };
        let (mut seq, _) = faer_evd(a.as_faer(), false, Par::Seq).unwrap();
        let (mut thr, _) = faer_evd(a.as_faer(), false, Par::rayon(2)).unwrap();
        seq.reverse();
        thr.reverse();
        for k in 0..n {
            assert!(
                (seq[k] - lambda[k]).abs() < 1e-12,
                "seq λ_{k}: {} vs {}",
                seq[k],
                lambda[k]
            );
            assert!(
                (thr[k] - lambda[k]).abs() < 1e-12,
                "threaded λ_{k}: {} vs {}",
                thr[k],
                lambda[k]
            );
        }
        let (_, u) = faer_evd(a.as_faer(), true, Par::rayon(2)).unwrap();
        assert!(u.is_some_and(|u| u.nrows() == n && u.ncols() == n));
    }

    #[test]
    fn two_by_two_descending() {
        // [[2,1],[1,2]] has eigenvalues 3 and 1 with eigenvectors (1,1)/√2 and (1,−1)/√2.
        let a = SymMatrix {
            n: 2,
            data: vec![2.0, 1.0, 1.0, 2.0],
        };
        let v = eigenvalues_desc(&a).unwrap();
        assert!((v[0] - 3.0).abs() < 1e-12 && (v[1] - 1.0).abs() < 1e-12);
        let e = eigen_desc(&a).unwrap();
        let u = e.vector(0);
        assert!((u[0].abs() - 0.5f64.sqrt()).abs() < 1e-12 && (u[0] - u[1]).abs() < 1e-12);
    }

    #[test]
    fn non_finite_is_an_error() {
        let a = SymMatrix {
            n: 1,
            data: vec![f64::NAN],
        };
        assert!(matches!(eigenvalues_desc(&a), Err(SpectrumError::NonFinite)));
    }

    /// Fuzz finding (`stats` target): a finite symmetric matrix with entries near f64::MAX made
    /// faer's intermediate sums overflow, and `eigenvalues_desc` returned `[NaN, -inf]` as if
    /// they were eigenvalues. Such matrices are now scaled by a power of two (exactly), and
    /// eigenvalues that do not fit in f64 are a typed error.
    #[test]
    fn extreme_entries_are_scaled_not_nan() {
        let a = SymMatrix {
            n: 2,
            data: vec![1e308, 5e307, 5e307, 1e307],
        };
        let v = eigenvalues_desc(&a).unwrap();
        let b = SymMatrix {
            n: 2,
            data: vec![1.0, 0.5, 0.5, 0.1],
        };
        let w = eigenvalues_desc(&b).unwrap();
        for (x, y) in v.iter().zip(&w) {
            assert!((x / 1e308 - y).abs() < 1e-12, "{v:?} vs {w:?}");
        }
        let e = eigen_desc(&a).unwrap();
        assert!(e.values.iter().zip(&v).all(|(x, y)| x == y));
        let tiny = SymMatrix {
            n: 2,
            data: vec![2e-310, 1e-310, 1e-310, 5e-324],
        };
        let t = eigenvalues_desc(&tiny).unwrap();
        assert!(t[0] > 0.0 && t[0] >= t[1] && t.iter().all(|x| x.is_finite()), "{t:?}");
        // λ₁ = 2·f64::MAX does not exist in f64.
        let huge = SymMatrix {
            n: 2,
            data: vec![f64::MAX, f64::MAX, f64::MAX, f64::MAX],
        };
        assert!(matches!(eigenvalues_desc(&huge), Err(SpectrumError::Eigen(_))));
        // Ordinary matrices are not scaled: bit-identical to faer's own answer.
        assert_eq!(scaled(&b).1, 0);
    }

    /// Fuzz finding (`stats` target): a 2 × 2 "Gram" matrix with entries ~1e7 and a tiny
    /// spread kept centring round-off (1.4 % of λ₁) as a second eigenvalue, i.e. rank 2 for
    /// n = 2 samples. The centred clamp caps the rank at n − 1.
    #[test]
    fn centred_rank_is_at_most_n_minus_one() {
        let mut v = vec![2.57e-7, 3.67e-9];
        assert_eq!(clamp_and_rank(&mut v.clone(), 2, 9), 2);
        assert_eq!(clamp_and_rank_centred(&mut v, 2, 9), 1);
        assert_eq!(v, vec![2.57e-7, 0.0]);
        let mut w = vec![3.0, 2.0, 1.0, 0.0];
        assert_eq!(clamp_and_rank_centred(&mut w, 4, 9), 3);
        assert_eq!(w, vec![3.0, 2.0, 1.0, 0.0]);
    }

    #[test]
    fn clamp_sets_roundoff_to_zero() {
        let mut v = vec![2.0, 1.0, 1e-17, -1e-15];
        assert_eq!(clamp_and_rank(&mut v, 4, 4), 2);
        assert_eq!(v, vec![2.0, 1.0, 0.0, 0.0]);
    }
}
