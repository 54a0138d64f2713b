//! Covariance spectra of stochastic gradients (Xie et al. 2023 §4; `docs/PROTOCOL.md` §4).
//!
//! C₁(θ) = (1/N) Σ_j (∇ℓ_j − ∇L)(∇ℓ_j − ∇L)ᵀ over N samples. Its non-zero eigenvalues are those
//! of the centred N × N Gram matrix (1/N) H K H ([`gram`]); for dense layers K is built from
//! the factored per-sample gradients with no N × P matrix. The pipeline:
//!
//! 1. [`spectrum_of_grads`] / [`spectrum_of_matrix`] / [`spectrum_of_gram`] → [`Spectrum`]
//!    (all min(N, P) eigenvalues, descending, round-off zeros clamped, numerical rank);
//! 2. [`analyze`] → [`SpectrumReport`]: power-law fit ([`fit`]), Marchenko–Pastur parameters
//!    ([`marchenko_pastur`]) and the "flat" flag — the CLI's JSON;
//! 3. [`gaussian_baseline`]: an i.i.d. Gaussian matrix of the same shape and total variance
//!    through the same pipeline; [`theory`]: eigengaps, Davis–Kahan, trace share, effective rank.

pub mod eigen;
pub mod fit;
pub mod given;
pub mod gram;
pub mod marchenko_pastur;
pub mod theory;

pub use eigen::SymEigen;
pub use fit::{fit_spectrum, k_sweep, k_sweep_grid, FitParams, SpectrumFit};
pub use marchenko_pastur::MpParams;
pub use theory::{davis_kahan, effective_rank, eigengaps, power_law_bound, trace_share, DavisKahan, Eigengaps};

use crate::nn::PerSampleGrads;
use crate::stats::StatsError;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a spectrum could not be computed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SpectrumError {
    /// A covariance needs at least two samples.
    #[error("need at least 2 samples (rows), got {0}")]
    TooFewSamples(usize),
    /// The input holds NaN or ±inf.
    #[error("the input holds a value that is not finite (NaN or infinity)")]
    NonFinite,
    /// Buffers that do not match their declared shapes.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// A parameter out of range (K, skip, batch size …).
    #[error("{0}")]
    InvalidParam(String),
    /// The eigensolver did not converge.
    #[error("eigensolver failed: {0}")]
    Eigen(String),
    /// The power-law fit failed.
    #[error("power-law fit: {0}")]
    Stats(#[from] StatsError),
}

/// The entries of `a` in row-major order, after the checks every matrix passes once where it
/// enters this module: standard layout (row-major and contiguous, as every `Array2` the crate
/// builds is; the fixed-order kernels read contiguous rows) and finite values.
pub(crate) fn entries<'a>(a: ArrayView2<'a, f64>) -> Result<&'a [f64], SpectrumError> {
    let data = row_major(a)?;
    if data.iter().all(|x| x.is_finite()) {
        Ok(data)
    } else {
        Err(SpectrumError::NonFinite)
    }
}

/// The entries of `a` in row-major order; a shape error unless `a` is in standard layout.
pub(crate) fn row_major<'a>(a: ArrayView2<'a, f64>) -> Result<&'a [f64], SpectrumError> {
    let (rows, cols) = a.dim();
    a.to_slice().ok_or_else(|| {
        SpectrumError::Shape(format!(
            "the {rows} × {cols} matrix is not in standard (row-major, contiguous) layout"
        ))
    })
}

/// [`entries`] of a matrix that must be square (a Gram or covariance matrix), with its side n.
pub(crate) fn square_entries<'a>(a: ArrayView2<'a, f64>) -> Result<(usize, &'a [f64]), SpectrumError> {
    let (rows, cols) = a.dim();
    if rows != cols {
        return Err(SpectrumError::Shape(format!(
            "a {rows} × {cols} matrix where a square one is needed"
        )));
    }
    Ok((rows, entries(a)?))
}

/// The row-major `n × n` buffer `data` seen as a matrix (no copy).
pub(crate) fn square_view(data: &[f64], n: usize) -> Result<ArrayView2<'_, f64>, SpectrumError> {
    ArrayView2::from_shape((n, n), data)
        .map_err(|e| SpectrumError::Shape(format!("{} values for a {n} × {n} matrix: {e}", data.len())))
}

/// The `rows × cols` matrix whose row-major entries are `data` (the Vec is taken, not copied).
pub(crate) fn from_row_major(rows: usize, cols: usize, data: Vec<f64>) -> Result<Array2<f64>, SpectrumError> {
    let len = data.len();
    Array2::from_shape_vec((rows, cols), data)
        .map_err(|e| SpectrumError::Shape(format!("{len} values for a {rows} × {cols} matrix: {e}")))
}

/// Eigenvalues of the sample covariance C₁ (divisor n) of n samples of dimension d.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spectrum {
    /// Samples N.
    pub n: usize,
    /// Dimension d (number of parameters P).
    pub d: usize,
    /// Numerical rank: eigenvalues above [`eigen::zero_tolerance`] (≤ min(n − 1, d)).
    pub rank: usize,
    /// All min(n, d) eigenvalues, descending; those at or below the tolerance are exactly 0.
    pub eigenvalues: Vec<f64>,
}

impl Spectrum {
    /// tr C₁ = Σ λ_k (total variance).
    pub fn trace(&self) -> f64 {
        self.eigenvalues.iter().sum()
    }

    /// The non-zero eigenvalues λ₁..λ_rank.
    pub fn nonzero(&self) -> &[f64] {
        &self.eigenvalues[..self.rank.min(self.eigenvalues.len())]
    }

    /// The spectrum multiplied by `factor` (e.g. [`gram::minibatch_factor`] to go from C₁ to
    /// C_B = C₁ (N − B)/(B(N − 1))); the rank is unchanged for factor > 0.
    pub fn scaled(&self, factor: f64) -> Spectrum {
        let mut s = self.clone();
        s.eigenvalues.iter_mut().for_each(|v| *v *= factor);
        if factor <= 0.0 {
            s.rank = 0;
        }
        s
    }
}

/// Spectrum, fit, Marchenko–Pastur parameters and the "flat" flag: the `sgn-lab spectrum` JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpectrumReport {
    pub n: usize,
    pub d: usize,
    pub rank: usize,
    /// All min(n, d) eigenvalues of C₁ (divisor n), descending.
    pub eigenvalues: Vec<f64>,
    pub fit: SpectrumFit,
    /// Marchenko–Pastur law for the same n, d and total variance.
    pub mp: MpParams,
    /// ŝ < 0.3: "flat, not a meaningful power law".
    pub flat: bool,
}

/// Eigen-decomposes the **centred** covariance-side matrix `a` scaled to C₁, keeps min(n, d).
pub(crate) fn finish(mut a: Array2<f64>, n: usize, d: usize) -> Result<Spectrum, SpectrumError> {
    let c = 1.0 / n as f64;
    a.iter_mut().for_each(|x| *x *= c);
    let mut v = eigen::eigenvalues_desc(a.view())?;
    v.truncate(n.min(d));
    let rank = eigen::clamp_and_rank_centred(&mut v, n, d);
    Ok(Spectrum {
        n,
        d,
        rank,
        eigenvalues: v,
    })
}

/// Spectrum of C₁ from an **uncentred** Gram matrix K_ij = ⟨g_i, g_j⟩ of n samples of dimension d
/// (square, finite, standard layout; symmetric — the eigensolver reads the upper triangle).
pub fn spectrum_of_gram(k: ArrayView2<'_, f64>, d: usize) -> Result<Spectrum, SpectrumError> {
    let (n, _) = square_entries(k)?;
    if n < 2 {
        return Err(SpectrumError::TooFewSamples(n));
    }
    let mut kc = k.to_owned();
    gram::centre(&mut kc);
    finish(kc, n, d)
}

/// Spectrum of C₁ from factored per-sample gradients (Gram route, [`gram::gram`]).
pub fn spectrum_of_grads(grads: &PerSampleGrads) -> Result<Spectrum, SpectrumError> {
    if grads.n < 2 {
        return Err(SpectrumError::TooFewSamples(grads.n));
    }
    let k = gram::gram(grads)?;
    spectrum_of_gram(k.view(), grads.p())
}

/// Spectrum of the sample covariance (divisor n) of a data matrix, one sample per row: the
/// n × n Gram route when d ≥ n, the d × d covariance XᶜᵀXᶜ otherwise (same non-zero spectrum).
pub fn spectrum_of_matrix(m: ArrayView2<'_, f64>) -> Result<Spectrum, SpectrumError> {
    let (n, d) = m.dim();
    if n < 2 {
        return Err(SpectrumError::TooFewSamples(n));
    }
    if d == 0 {
        return Err(SpectrumError::Shape("the matrix has no columns".into()));
    }
    if d < n {
        finish(gram::cross_product_centred(m)?, n, d)
    } else {
        let mut k = gram::gram_dense(m)?;
        gram::centre(&mut k);
        finish(k, n, d)
    }
}

/// Spectrum of the empirical covariance of M minibatch mean gradients (batch size B, drawn
/// without replacement, seeded) at the same θ, from the **uncentred** per-sample Gram K of
/// dimension d: the unbiased sample covariance (divisor M − 1, so `n` in the result is M and
/// the divisor differs from C₁'s), which estimates C_B = C₁ (N − B)/(B(N − 1)). Rank ≤ M − 1.
pub fn spectrum_of_minibatch_draws(
    k: ArrayView2<'_, f64>,
    d: usize,
    b: usize,
    m: usize,
    seed: u64,
) -> Result<Spectrum, SpectrumError> {
    let mut kd = gram::minibatch_draw_gram(k, b, m, seed)?;
    gram::centre(&mut kd);
    let c = 1.0 / (m - 1) as f64;
    kd.iter_mut().for_each(|x| *x *= c);
    let mut v = eigen::eigenvalues_desc(kd.view())?;
    v.truncate(m.min(d));
    let rank = eigen::clamp_and_rank_centred(&mut v, m, d);
    Ok(Spectrum {
        n: m,
        d,
        rank,
        eigenvalues: v,
    })
}

/// Fit, Marchenko–Pastur parameters and the flat flag for a spectrum.
pub fn analyze(spectrum: Spectrum, params: &FitParams) -> Result<SpectrumReport, SpectrumError> {
    let fit = fit_spectrum(&spectrum.eigenvalues, spectrum.rank, params)?;
    let mp = MpParams::new(spectrum.n, spectrum.d, spectrum.trace())?;
    let flat = fit.is_flat();
    Ok(SpectrumReport {
        n: spectrum.n,
        d: spectrum.d,
        rank: spectrum.rank,
        eigenvalues: spectrum.eigenvalues,
        fit,
        mp,
        flat,
    })
}

/// [`spectrum_of_matrix`] then [`analyze`] (the CLI and "analyze your own gradients").
pub fn analyze_matrix(m: ArrayView2<'_, f64>, params: &FitParams) -> Result<SpectrumReport, SpectrumError> {
    analyze(spectrum_of_matrix(m)?, params)
}

/// [`spectrum_of_grads`] then [`analyze`].
pub fn analyze_grads(grads: &PerSampleGrads, params: &FitParams) -> Result<SpectrumReport, SpectrumError> {
    analyze(spectrum_of_grads(grads)?, params)
}

/// The random-matrix baseline for a spectrum: an i.i.d. N(0, σ²) matrix of the same shape
/// (n × d) with σ² = tr(C₁)/d (same total variance), drawn with `seed` and pushed through the
/// same pipeline ([`marchenko_pastur::gaussian_baseline_eigenvalues`]) and the same fit.
pub fn gaussian_baseline(spectrum: &Spectrum, params: &FitParams, seed: u64) -> Result<SpectrumReport, SpectrumError> {
    let mp = MpParams::new(spectrum.n, spectrum.d, spectrum.trace())?;
    let eigenvalues = marchenko_pastur::gaussian_baseline_eigenvalues(spectrum.n, spectrum.d, mp.sigma2, seed)?;
    let rank = eigenvalues.iter().filter(|v| **v > 0.0).count();
    analyze(
        Spectrum {
            n: spectrum.n,
            d: spectrum.d,
            rank,
            eigenvalues,
        },
        params,
    )
}

/// Eigengaps, cumulative trace share and effective rank of a spectrum (the cheap theory views;
/// Davis–Kahan needs the Gram matrix, see [`theory::davis_kahan`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TheoryViews {
    pub eigengaps: Eigengaps,
    /// Cumulative share of the trace in the top-k eigenvalues, k = 1..rank.
    pub trace_share: Vec<f64>,
    /// exp(entropy of λ/Σλ).
    pub effective_rank: f64,
}

/// [`TheoryViews`] of a spectrum.
pub fn theory_views(spectrum: &Spectrum) -> TheoryViews {
    let nz = spectrum.nonzero();
    TheoryViews {
        eigengaps: eigengaps(nz, nz.len()),
        trace_share: trace_share(nz),
        effective_rank: effective_rank(nz),
    }
}

/// What [`analyze_grads_full`] computes besides the spectrum and its fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpectrumOptions {
    /// K, skip and level of the power-law fit.
    pub fit: FitParams,
    /// Seed of the Gaussian baseline; `None` skips it.
    pub baseline_seed: Option<u64>,
    /// Number of top eigenvectors in the Davis–Kahan view and the seed of the half split;
    /// `None` skips it (it costs three N-sized eigendecompositions with vectors).
    pub davis_kahan: Option<(usize, u64)>,
    /// Minibatch size B for the C_B factor (N − B)/(B(N − 1)); `None` leaves it out.
    pub batch_size: Option<usize>,
}

impl Default for SpectrumOptions {
    fn default() -> Self {
        SpectrumOptions {
            fit: FitParams::default(),
            baseline_seed: Some(0),
            davis_kahan: Some((50, 0)),
            batch_size: None,
        }
    }
}

/// Everything the Spectrum view shows for one set of per-sample gradients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpectrumAnalysis {
    /// Spectrum of C₁, its fit, Marchenko–Pastur parameters, flat flag.
    pub report: SpectrumReport,
    /// The same pipeline on an i.i.d. Gaussian matrix of the same shape and total variance.
    pub baseline: Option<SpectrumReport>,
    /// Eigengaps, cumulative trace share, effective rank.
    pub theory: TheoryViews,
    /// Davis–Kahan view (two disjoint halves of the samples).
    pub davis_kahan: Option<DavisKahan>,
    /// Minibatch size B and the factor that turns C₁'s eigenvalues into C_B's (ŝ, d_ks and the
    /// verdict are scale invariant, so only the eigenvalues move: by this factor).
    pub batch: Option<(usize, f64)>,
}

/// The full Spectrum view for per-sample gradients: one Gram matrix (Hadamard route), its
/// spectrum and fit, the Gaussian baseline, the theory views and Davis–Kahan.
pub fn analyze_grads_full(grads: &PerSampleGrads, opts: &SpectrumOptions) -> Result<SpectrumAnalysis, SpectrumError> {
    if grads.n < 2 {
        return Err(SpectrumError::TooFewSamples(grads.n));
    }
    let k = gram::gram(grads)?;
    let spectrum = spectrum_of_gram(k.view(), grads.p())?;
    let theory = theory_views(&spectrum);
    let baseline = match opts.baseline_seed {
        Some(seed) => Some(gaussian_baseline(&spectrum, &opts.fit, seed)?),
        None => None,
    };
    let davis_kahan = match opts.davis_kahan {
        Some((top, seed)) if grads.n >= 4 => Some(theory::davis_kahan(k.view(), top, seed)?),
        _ => None,
    };
    let batch = match opts.batch_size {
        Some(b) => Some((b, gram::minibatch_factor(grads.n, b)?)),
        None => None,
    };
    let report = analyze(spectrum, &opts.fit)?;
    Ok(SpectrumAnalysis {
        report,
        baseline,
        theory,
        davis_kahan,
        batch,
    })
}
