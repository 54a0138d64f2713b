//! Marchenko–Pastur law: the random-matrix baseline for a covariance spectrum.
//!
//! For an n × d matrix with i.i.d. entries of mean 0 and variance σ², the eigenvalues of the
//! sample covariance (1/n) XᵀX follow, as n, d → ∞ with d/n → γ, the density
//! ρ(λ) = √((λ₊ − λ)(λ − λ₋)) / (2π σ² γ λ) on [λ₋, λ₊], λ± = σ²(1 ± √γ)², plus a point mass
//! 1 − 1/γ at 0 when γ > 1 (Marchenko & Pastur 1967; Bai & Silverstein, *Spectral Analysis of
//! Large Dimensional Random Matrices*, 2010, Thm 3.6). σ² is chosen so that the total variance
//! matches the data: σ² = tr(C)/d.

use super::eigen::eigenvalues_desc;
use super::SpectrumError;
use crate::data::standard_normal;
use crate::libm_f64::LibmF64;
use crate::rng::{substream, SeededRng};
use ndarray::Array2;
use rand::RngExt;
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
pub fn gaussian_gram(n: usize, d: usize, sigma2: f64, seed: u64) -> Result<Array2<f64>, SpectrumError> {
    if n == 0 || d == 0 || !(sigma2.is_finite() && sigma2 >= 0.0) {
        return Err(SpectrumError::InvalidParam(format!(
            "Gaussian baseline needs n, d ≥ 1 and σ² ≥ 0 (n = {n}, d = {d})"
        )));
    }
    let mut rng = substream(seed, 0x5_BEC7_0002);
    let s = sigma2.sqrt();
    if n.saturating_mul(d) <= MAX_MATERIALISED || d < n {
        let x: Vec<f64> = (0..n * d).map(|_| s * standard_normal(&mut rng)).collect();
        return super::gram::gram_dense(super::from_row_major(n, d, x)?.view());
    }
    // Bartlett: L row-major lower triangular.
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..i {
            l[i * n + j] = standard_normal(&mut rng);
        }
        l[i * n + i] = chi_squared(&mut rng, (d - i) as f64).sqrt();
    }
    let mut k = super::gram::gram_dense(super::square_view(&l, n)?)?;
    k.iter_mut().for_each(|x| *x *= sigma2);
    Ok(k)
}

/// One χ²_ν draw (ν ≥ 1) as 2·Gamma(ν/2, 1), Gamma by Marsaglia & Tsang ("A simple method for
/// generating gamma variables", ACM TOMS 26(3), 2000): for shape a ≥ 1, with δ = a − ⅓ and
/// c = 1/√(9δ), draw x ~ N(0, 1) and u ~ U(0, 1), v = (1 + c x)³, and accept δ·v when v > 0 and
/// u < 1 − 0.0331 x⁴ or ln u < ½x² + δ(1 − v + ln v); for a < 1, Gamma(a + 1)·u^(1/a). Normals
/// from [`standard_normal`] and `ln`/`pow` from the `libm` crate, so the same seed gives the same
/// bits natively and in wasm32 (`rand_distr`'s samplers call the platform's `exp`/`ln`).
fn chi_squared(rng: &mut SeededRng, nu: f64) -> f64 {
    let a = 0.5 * nu;
    let (shape, boost) = if a >= 1.0 { (a, None) } else { (a + 1.0, Some(a)) };
    let delta = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * delta).sqrt();
    let g = loop {
        let x = standard_normal(rng);
        let t = 1.0 + c * x;
        if t <= 0.0 {
            continue;
        }
        let v = t * t * t;
        let u = 1.0 - rng.random::<f64>();
        let x2 = x * x;
        if u < 1.0 - 0.0331 * x2 * x2 || u.ln_() < 0.5 * x2 + delta * (1.0 - v + v.ln_()) {
            break delta * v;
        }
    };
    let g = match boost {
        Some(a) => g * (1.0 - rng.random::<f64>()).powf_(1.0 / a),
        None => g,
    };
    2.0 * g
}

/// Eigenvalues (descending) of the sample covariance, divisor n, centred like the data, of an
/// i.i.d. Gaussian n × d matrix with entry variance σ²: the baseline pushed through the same
/// pipeline (centring, eigensolver, zero clamp) as the data. Returns min(n, d) values.
pub fn gaussian_baseline_eigenvalues(n: usize, d: usize, sigma2: f64, seed: u64) -> Result<Vec<f64>, SpectrumError> {
    let mut k = gaussian_gram(n, d, sigma2, seed)?;
    super::gram::centre(&mut k);
    let c = 1.0 / n as f64;
    k.iter_mut().for_each(|x| *x *= c);
    let mut v = eigenvalues_desc(k.view())?;
    v.truncate(n.min(d));
    super::eigen::clamp_and_rank_centred(&mut v, n, d);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// χ²_ν draws against the law's moments: mean ν and variance 2ν, over 40,000 draws each,
    /// to 5 standard errors (mean: √(2ν/N); variance: √((48ν + 8ν²)/N), from the fourth central
    /// moment 12ν(ν + 4) of χ²_ν), for ν on both sides of the boosted shape a < 1 (ν = 1).
    #[test]
    fn chi_squared_has_the_moments_of_the_law() {
        let draws = 40_000;
        for nu in [1.0f64, 3.0, 50.0, 10_000.0] {
            let mut rng = substream(7, nu as u64);
            let x: Vec<f64> = (0..draws).map(|_| chi_squared(&mut rng, nu)).collect();
            assert!(x.iter().all(|v| v.is_finite() && *v >= 0.0));
            let n = draws as f64;
            let mean = x.iter().sum::<f64>() / n;
            let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
            let se_mean = (2.0 * nu / n).sqrt();
            let se_var = ((48.0 * nu + 8.0 * nu * nu) / n).sqrt();
            assert!((mean - nu).abs() < 5.0 * se_mean, "ν = {nu}: mean {mean}");
            assert!((var - 2.0 * nu).abs() < 5.0 * se_var, "ν = {nu}: variance {var}");
        }
    }
}
