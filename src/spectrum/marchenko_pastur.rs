//! Marchenko–Pastur law: the random-matrix baseline for a covariance spectrum.
//!
//! For an n × d matrix with i.i.d. entries of mean 0 and variance σ², the eigenvalues of the
//! sample covariance (1/n) XᵀX follow, as n, d → ∞ with d/n → γ, the density
//! ρ(λ) = √((λ₊ − λ)(λ − λ₋)) / (2π σ² γ λ) on [λ₋, λ₊], λ± = σ²(1 ± √γ)², plus a point mass
//! 1 − 1/γ at 0 when γ > 1 (Marchenko & Pastur 1967; Bai & Silverstein, *Spectral Analysis of
//! Large Dimensional Random Matrices*, 2010, Thm 3.6). σ² is chosen so that the total variance
//! matches the data: σ² = tr(C)/d.

use super::eigen::{eigenvalues_desc, SymMatrix};
use super::SpectrumError;
use crate::libm_f64::LibmF64;
use crate::rng::substream;
use rand::RngExt;
use rand_distr::{ChiSquared, Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// Parameters and edges of the Marchenko–Pastur law for a given shape and total variance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MpParams {
    /// Aspect ratio γ = d/n (dimensions per sample).
    pub gamma: f64,
    /// Entry variance σ² = tr(C)/d.
    pub sigma2: f64,
    /// Lower edge σ²(1 − √γ)².
    pub lambda_minus: f64,
    /// Upper edge σ²(1 + √γ)².
    pub lambda_plus: f64,
}

impl MpParams {
    /// The law for `n` samples of dimension `d` and total variance `trace` (= Σ λ_k).
    pub fn new(n: usize, d: usize, trace: f64) -> Result<Self, SpectrumError> {
        if n == 0 || d == 0 || !(trace.is_finite() && trace >= 0.0) {
            return Err(SpectrumError::InvalidParam(format!(
                "Marchenko–Pastur needs n, d ≥ 1 and a finite trace ≥ 0 (n = {n}, d = {d}, trace = {trace})"
            )));
        }
        let gamma = d as f64 / n as f64;
        let sigma2 = trace / d as f64;
        let r = gamma.sqrt();
        Ok(MpParams {
            gamma,
            sigma2,
            lambda_minus: sigma2 * (1.0 - r) * (1.0 - r),
            lambda_plus: sigma2 * (1.0 + r) * (1.0 + r),
        })
    }

    /// Continuous part of the density ρ(λ) (0 outside [λ₋, λ₊]); it integrates to min(1, 1/γ).
    pub fn density(&self, lambda: f64) -> f64 {
        if !(lambda > self.lambda_minus && lambda < self.lambda_plus) || self.sigma2 <= 0.0 || lambda <= 0.0 {
            return 0.0;
        }
        ((self.lambda_plus - lambda) * (lambda - self.lambda_minus)).sqrt()
            / (2.0 * std::f64::consts::PI * self.sigma2 * self.gamma * lambda)
    }

    /// Point mass at 0: max(0, 1 − 1/γ).
    pub fn zero_mass(&self) -> f64 {
        (1.0 - 1.0 / self.gamma).max(0.0)
    }

    /// `points` (≥ 2) equally spaced (λ, ρ(λ)) pairs across [λ₋, λ₊] (endpoints included).
    pub fn density_curve(&self, points: usize) -> Vec<(f64, f64)> {
        let m = points.max(2);
        (0..m)
            .map(|i| {
                let l = self.lambda_minus + (self.lambda_plus - self.lambda_minus) * i as f64 / (m - 1) as f64;
                (l, self.density(l))
            })
            .collect()
    }

    /// The expected rank plot: λ at the quantile level (k − ½)/r of the continuous part for
    /// k = 1..r, r = min(n, d), descending (by numerical integration of ρ on a fine grid).
    pub fn expected_rank_plot(&self, r: usize) -> Vec<f64> {
        if r == 0 || self.sigma2 <= 0.0 {
            return vec![0.0; r];
        }
        // CDF of the continuous part normalised to 1, on a grid dense near the edges (λ = λ₋ + w·sin²).
        let g = 4096;
        let w = self.lambda_plus - self.lambda_minus;
        let mut lam = Vec::with_capacity(g + 1);
        let mut cdf = Vec::with_capacity(g + 1);
        let mut acc = 0.0;
        let mut prev_l = self.lambda_minus;
        let mut prev_d = 0.0;
        for i in 0..=g {
            let t = std::f64::consts::FRAC_PI_2 * i as f64 / g as f64;
            let l = self.lambda_minus + w * t.sin_() * t.sin_();
            let d = self.density(l);
            acc += 0.5 * (d + prev_d) * (l - prev_l);
            lam.push(l);
            cdf.push(acc);
            prev_l = l;
            prev_d = d;
        }
        let total = acc.max(f64::MIN_POSITIVE);
        (1..=r)
            .map(|k| {
                let q = 1.0 - (k as f64 - 0.5) / r as f64; // upper quantile → descending
                let target = q * total;
                let i = cdf.partition_point(|&c| c < target).min(g);
                if i == 0 {
                    lam[0]
                } else {
                    let (c0, c1) = (cdf[i - 1], cdf[i]);
                    let f = if c1 > c0 { (target - c0) / (c1 - c0) } else { 0.0 };
                    lam[i - 1] + f * (lam[i] - lam[i - 1])
                }
            })
            .collect()
    }
}

/// Largest number of entries materialised for the Gaussian baseline (8 million f64 = 64 MB).
pub const MAX_MATERIALISED: usize = 8_000_000;

/// Uncentred Gram matrix X Xᵀ (n × n) of an n × d matrix X with i.i.d. N(0, σ²) entries (seeded).
///
/// When n·d ≤ [`MAX_MATERIALISED`] or d < n the matrix is drawn entry by entry and multiplied
/// out (the same route as user data). Otherwise the Gram is drawn directly from its exact law,
/// the Wishart W_n(σ² I, d), by the Bartlett decomposition X Xᵀ ~ σ² L Lᵀ with L lower
/// triangular, L_ii = √χ²_{d−i+1}, L_ij ~ N(0, 1) for i > j (Bartlett 1933; Anderson,
/// *An Introduction to Multivariate Statistical Analysis*, 3rd ed., Cor. 7.2.1): the same
/// distribution, O(n³) instead of O(n² d) work and no n × d buffer.
pub fn gaussian_gram(n: usize, d: usize, sigma2: f64, seed: u64) -> Result<SymMatrix, SpectrumError> {
    if n == 0 || d == 0 || !(sigma2.is_finite() && sigma2 >= 0.0) {
        return Err(SpectrumError::InvalidParam(format!(
            "Gaussian baseline needs n, d ≥ 1 and σ² ≥ 0 (n = {n}, d = {d})"
        )));
    }
    let mut rng = substream(seed, 0x5_BEC7_0002);
    let s = sigma2.sqrt();
    if n.saturating_mul(d) <= MAX_MATERIALISED || d < n {
        let x: Vec<f64> = (0..n * d)
            .map(|_| {
                let z: f64 = rng.sample(StandardNormal);
                s * z
            })
            .collect();
        return super::gram::gram_dense(&x, n, d);
    }
    // Bartlett: L row-major lower triangular.
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..i {
            let z: f64 = rng.sample(StandardNormal);
            l[i * n + j] = z;
        }
        let chi = ChiSquared::new((d - i) as f64)
            .map_err(|e| SpectrumError::InvalidParam(format!("χ² degrees of freedom: {e}")))?;
        l[i * n + i] = chi.sample(&mut rng).sqrt();
    }
    let mut k = super::gram::gram_dense(&l, n, n)?;
    k.scale(sigma2);
    Ok(k)
}

/// Eigenvalues (descending) of the sample covariance, divisor n, centred like the data, of an
/// i.i.d. Gaussian n × d matrix with entry variance σ²: the baseline pushed through the same
/// pipeline (centring, eigensolver, zero clamp) as the data. Returns min(n, d) values.
pub fn gaussian_baseline_eigenvalues(n: usize, d: usize, sigma2: f64, seed: u64) -> Result<Vec<f64>, SpectrumError> {
    let mut k = gaussian_gram(n, d, sigma2, seed)?;
    super::gram::centre(&mut k);
    k.scale(1.0 / n as f64);
    let mut v = eigenvalues_desc(&k)?;
    v.truncate(n.min(d));
    super::eigen::clamp_and_rank_centred(&mut v, n, d);
    Ok(v)
}
