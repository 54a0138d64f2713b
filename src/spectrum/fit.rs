//! Power-law fit of the top of a covariance spectrum, λ_k ∝ k^(−s).
//!
//! The top-K eigenvalues (after skipping the first m) are treated as K samples of a density
//! p(λ) ∝ λ^(−β) with λ_min = λ_{m+K} and fitted by the statistics module's paper rule
//! ([`crate::stats::fit_top_k`]): β̂ = 1 + K / Σ ln(λ_k/λ_min), σ = (β̂ − 1)/√K, d_ks against
//! d_c = c(level)/√K. A rank plot λ_k ∝ k^(−s) and a density λ^(−β) are the same law with
//! s = 1/(β − 1) (Xie et al. 2023 §4; sibling arXiv 2201.13011 §2.3), so ŝ = 1/(β̂ − 1).
//! Cross-check: the ordinary least-squares slope of ln λ_k on ln k over the same ranks
//! (≈ −ŝ when the power law holds) and its r². A spectrum with ŝ < 0.3 is flagged "flat"
//! (an i.i.d. Gaussian baseline gives ŝ ≈ 0.02–0.3; paper.md §4.5).

use super::SpectrumError;
use crate::libm_f64::LibmF64;
use crate::stats::powerlaw::MIN_K;
use crate::stats::{fit_top_k, Level};
use serde::{Deserialize, Serialize};

/// Largest default K.
pub const DEFAULT_MAX_K: usize = 1000;
/// ŝ below this is "flat, not a meaningful power law".
pub const FLAT_S: f64 = 0.3;

/// Fit settings, validated on construction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FitParams {
    k: Option<usize>,
    skip: usize,
    level: Level,
}

impl Default for FitParams {
    fn default() -> Self {
        FitParams {
            k: None,
            skip: 0,
            level: Level::P05,
        }
    }
}

impl FitParams {
    /// `k`: number of eigenvalues fitted (None = min(1000, rank/2, rank − skip)); must be ≥ 2.
    /// `skip`: number of top eigenvalues left out of the fit (outliers).
    pub fn new(k: Option<usize>, skip: usize, level: Level) -> Result<Self, SpectrumError> {
        if let Some(k) = k {
            if k < MIN_K {
                return Err(SpectrumError::InvalidParam(format!(
                    "--k must be at least {MIN_K}, got {k}"
                )));
            }
        }
        Ok(FitParams { k, skip, level })
    }

    pub fn k(&self) -> Option<usize> {
        self.k
    }
    pub fn skip(&self) -> usize {
        self.skip
    }
    pub fn level(&self) -> Level {
        self.level
    }

    /// (K, skip) for a spectrum of numerical rank `rank`, or why no fit is possible.
    pub fn resolve(&self, rank: usize) -> Result<(usize, usize), SpectrumError> {
        let avail = rank.saturating_sub(self.skip);
        let k = match self.k {
            Some(k) => k,
            None => DEFAULT_MAX_K.min(rank / 2).min(avail),
        };
        if k < MIN_K || self.skip + k > rank {
            return Err(SpectrumError::InvalidParam(format!(
                "cannot fit K = {k} eigenvalues after skipping {} of a spectrum of rank {rank} (need {MIN_K} ≤ K ≤ rank − skip)",
                self.skip
            )));
        }
        Ok((k, self.skip))
    }
}

/// Power-law fit of ranks skip+1 ..= skip+K.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpectrumFit {
    /// Number of eigenvalues fitted (K).
    pub k: usize,
    /// Number of top eigenvalues skipped (m).
    pub skip: usize,
    /// λ_min = λ_{skip+K}.
    pub xmin: f64,
    /// β̂ = 1 + K / Σ ln(λ_k/λ_min).
    pub beta: f64,
    /// σ = (β̂ − 1)/√K.
    pub beta_stderr: f64,
    /// ŝ = 1/(β̂ − 1).
    pub s: f64,
    /// KS distance d_ks.
    pub ks_d: f64,
    /// Critical value d_c = c(level)/√K.
    pub ks_critical: f64,
    /// Significance level of the KS decision.
    pub level: f64,
    /// d_ks < d_c.
    pub power_law: bool,
    /// OLS slope of ln λ_k on ln k (≈ −ŝ for a power law).
    pub ls_slope: f64,
    /// r² of that regression.
    pub ls_r2: f64,
}

impl SpectrumFit {
    /// ŝ < 0.3.
    pub fn is_flat(&self) -> bool {
        self.s < FLAT_S
    }
}

/// Ordinary least squares of y on x: (slope, intercept, r²). r² is 1 when y is constant on a
/// non-degenerate x (a perfect, if flat, fit) and NaN-free in every case.
pub fn least_squares(x: &[f64], y: &[f64]) -> (f64, f64, f64) {
    let n = x.len().min(y.len()) as f64;
    if n < 2.0 {
        return (0.0, y.first().copied().unwrap_or(0.0), 0.0);
    }
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxx += (a - mx) * (a - mx);
        sxy += (a - mx) * (b - my);
        syy += (b - my) * (b - my);
    }
    if sxx <= 0.0 {
        return (0.0, my, 0.0);
    }
    let slope = sxy / sxx;
    let r2 = if syy > 0.0 {
        (sxy * sxy / (sxx * syy)).clamp(0.0, 1.0)
    } else {
        1.0
    };
    (slope, my - slope * mx, r2)
}

/// Fits a descending spectrum of numerical rank `rank` (eigenvalues beyond it are 0).
pub fn fit_spectrum(eigenvalues: &[f64], rank: usize, params: &FitParams) -> Result<SpectrumFit, SpectrumError> {
    let rank = rank.min(eigenvalues.len());
    let (k, skip) = params.resolve(rank)?;
    let top = &eigenvalues[skip..skip + k];
    let f = fit_top_k(top, k, params.level())?;
    let xs: Vec<f64> = (skip + 1..=skip + k).map(|r| (r as f64).ln_()).collect();
    let ys: Vec<f64> = top.iter().map(|v| v.ln_()).collect();
    let (ls_slope, _, ls_r2) = least_squares(&xs, &ys);
    Ok(SpectrumFit {
        k: f.k,
        skip,
        xmin: f.xmin,
        beta: f.alpha,
        beta_stderr: f.alpha_stderr,
        s: 1.0 / (f.alpha - 1.0),
        ks_d: f.ks_d,
        ks_critical: f.ks_critical,
        level: f.level,
        power_law: f.power_law,
        ls_slope,
        ls_r2,
    })
}

/// K values for a sensitivity sweep (`docs/PROTOCOL.md` §4): from min(50, K_max) to
/// K_max = min(1000, rank − skip) in `steps` log-spaced, de-duplicated steps (K ≥ 2).
pub fn k_sweep_grid(rank: usize, skip: usize, steps: usize) -> Vec<usize> {
    let kmax = DEFAULT_MAX_K.min(rank.saturating_sub(skip));
    if kmax < 2 {
        return Vec::new();
    }
    let kmin = 50.min(kmax).max(2);
    let steps = steps.max(2);
    let mut out: Vec<usize> = (0..steps)
        .map(|i| {
            let t = i as f64 / (steps - 1) as f64;
            ((kmin as f64) * (kmax as f64 / kmin as f64).powf_(t)).round() as usize
        })
        .collect();
    out.dedup();
    out
}

/// The fit for every K in `ks` (same skip and level as `params`): d_ks/d_c and ŝ as K varies,
/// so a learner sees over which top ranks the power-law verdict holds. K values that cannot
/// be fitted are skipped.
pub fn k_sweep(eigenvalues: &[f64], rank: usize, params: &FitParams, ks: &[usize]) -> Vec<SpectrumFit> {
    ks.iter()
        .filter_map(|&k| {
            let p = FitParams::new(Some(k), params.skip(), params.level()).ok()?;
            fit_spectrum(eigenvalues, rank, &p).ok()
        })
        .collect()
}
