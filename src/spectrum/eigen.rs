//! Symmetric eigensolver wrapper (faer 0.24, pure Rust, builds for wasm32).
//!
//! faer was measured against nalgebra 0.35 `symmetric_eigenvalues` on this machine (2000 × 2000
//! symmetric matrix, eigenvalues only, native, one thread): faer 0.95 s, nalgebra 3.6 s, equal
//! to 6e-14 (`docs/PROTOCOL.md` §4), so faer is the one kept and nalgebra is not a dependency. faer returns eigenvalues in
//! non-decreasing order; everything here returns them **descending** (λ₁ ≥ λ₂ ≥ …).

use super::SpectrumError;
use faer::{MatRef, Side};

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
        SymMatrix { n, data: vec![0.0; n * n] }
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
            return Err(SpectrumError::Shape(format!("{} values for a {} × {} matrix", self.data.len(), self.n, self.n)));
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

/// All eigenvalues of the symmetric matrix `a`, descending.
pub fn eigenvalues_desc(a: &SymMatrix) -> Result<Vec<f64>, SpectrumError> {
    a.validate()?;
    if a.n == 0 {
        return Ok(Vec::new());
    }
    let mut v = a
        .as_faer()
        .self_adjoint_eigenvalues(Side::Lower)
        .map_err(|e| SpectrumError::Eigen(format!("{e:?}")))?;
    v.reverse();
    Ok(v)
}

/// Eigenvalues and eigenvectors of the symmetric matrix `a`, descending.
pub fn eigen_desc(a: &SymMatrix) -> Result<SymEigen, SpectrumError> {
    a.validate()?;
    let n = a.n;
    if n == 0 {
        return Ok(SymEigen { values: Vec::new(), vectors: Vec::new(), n });
    }
    let evd = a
        .as_faer()
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| SpectrumError::Eigen(format!("{e:?}")))?;
    let s = evd.S();
    let u = evd.U();
    let mut values = Vec::with_capacity(n);
    let mut vectors = Vec::with_capacity(n * n);
    for k in (0..n).rev() {
        values.push(s[k]);
        for i in 0..n {
            vectors.push(u[(i, k)]);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_by_two_descending() {
        // [[2,1],[1,2]] has eigenvalues 3 and 1 with eigenvectors (1,1)/√2 and (1,−1)/√2.
        let a = SymMatrix { n: 2, data: vec![2.0, 1.0, 1.0, 2.0] };
        let v = eigenvalues_desc(&a).unwrap();
        assert!((v[0] - 3.0).abs() < 1e-12 && (v[1] - 1.0).abs() < 1e-12);
        let e = eigen_desc(&a).unwrap();
        let u = e.vector(0);
        assert!((u[0].abs() - 0.5f64.sqrt()).abs() < 1e-12 && (u[0] - u[1]).abs() < 1e-12);
    }

    #[test]
    fn non_finite_is_an_error() {
        let a = SymMatrix { n: 1, data: vec![f64::NAN] };
        assert!(matches!(eigenvalues_desc(&a), Err(SpectrumError::NonFinite)));
    }

    #[test]
    fn clamp_sets_roundoff_to_zero() {
        let mut v = vec![2.0, 1.0, 1e-17, -1e-15];
        assert_eq!(clamp_and_rank(&mut v, 4, 4), 2);
        assert_eq!(v, vec![2.0, 1.0, 0.0, 0.0]);
    }
}
