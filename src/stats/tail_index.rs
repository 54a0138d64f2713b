//! The α-stable tail index estimator of Mohammadi, Mohammadpour & Ogata (2015), *On estimating
//! the tail index and the spectral measure of multivariate α-stable distributions*, Metrika
//! 78(5), Corollary 2.4, as used by Şimşekli, Sagun & Gürbüzbalaban (2019), *A tail-index
//! analysis of stochastic gradient noise in deep neural networks* (ICML), §4.
//!
//! Split n = K₁·K₂ values X into K₁ blocks of K₂ consecutive values and let Yᵢ be the block sums.
//! For i.i.d. symmetric α-stable X, Y =ᵈ K₂^{1/α} X, so
//! 1/α̂ = (1/ln K₂) · ( (1/K₁) Σᵢ ln|Yᵢ| − (1/n) Σⱼ ln|Xⱼ| ).
//! (Şimşekli et al. write the blocks as K₁ values each; we follow Mohammadi et al.'s notation:
//! the logarithm is of the block size.) The block size defaults to the largest divisor of n not
//! above √n (Şimşekli et al. use K₁ = K₂ ≈ √n); trailing values that do not fill a block are
//! dropped. Exact zeros are dropped first (ln 0 is undefined) and counted.
//!
//! The estimate is only meaningful for α ∈ (0, 2]: Gaussian data give ≈ 2, Cauchy ≈ 1. It is
//! the pooled estimate the paper warns about: a mixture of Gaussians with different variances
//! (the mechanism demo) also yields α̂ < 2.

use serde::{Deserialize, Serialize};

use super::StatsError;
use crate::libm_f64::LibmF64;

/// Result of the tail-index estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TailIndex {
    /// α̂ (clamped to no bound; may exceed 2 on light tails).
    pub alpha: f64,
    /// Block size K₂ (values per block).
    pub block_size: usize,
    /// Number of blocks K₁.
    pub blocks: usize,
    /// Values used (K₁·K₂).
    pub n_used: usize,
    /// Exact zeros dropped.
    pub n_zero: usize,
}

/// Mohammadi et al. (2015) estimator with block size `block_size` (`None` = ⌊√n⌋ so K₁ ≈ K₂).
/// Needs at least 2 blocks of at least 2 values; values are used in the given order.
pub fn tail_index(values: &[f64], block_size: Option<usize>) -> Result<TailIndex, StatsError> {
    super::check_finite(values)?;
    let x: Vec<f64> = values.iter().copied().filter(|v| *v != 0.0).collect();
    let n_zero = values.len() - x.len();
    let n = x.len();
    let k2 = match block_size {
        Some(b) => b,
        None => (n as f64).sqrt().floor() as usize,
    };
    if k2 < 2 {
        return Err(StatsError::InvalidParameter {
            name: "block_size",
            reason: format!("block size {k2} < 2 (need at least 4 non-zero values)"),
        });
    }
    let k1 = n / k2;
    if k1 < 2 {
        return Err(StatsError::TooFew {
            test: "α-stable tail index",
            needed: 2 * k2,
            got: n,
        });
    }
    let used = &x[..k1 * k2];
    let mean_log_x = used.iter().map(|v| v.abs().ln_()).sum::<f64>() / used.len() as f64;
    let mut s = 0.0;
    for block in used.chunks_exact(k2) {
        let y: f64 = block.iter().sum();
        if y == 0.0 {
            return Err(StatsError::Numerical("α-stable tail index (a block sums to exactly 0)"));
        }
        s += y.abs().ln_();
    }
    let mean_log_y = s / k1 as f64;
    let inv = (mean_log_y - mean_log_x) / (k2 as f64).ln_();
    if !(inv > 0.0) || !inv.is_finite() {
        return Err(StatsError::Numerical("α-stable tail index (non-positive 1/α)"));
    }
    Ok(TailIndex {
        alpha: 1.0 / inv,
        block_size: k2,
        blocks: k1,
        n_used: k1 * k2,
        n_zero,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;
    use rand_distr::{Cauchy, Distribution, StandardNormal};

    #[test]
    fn gaussian_two_cauchy_one() {
        let mut r = crate::rng::seeded(11);
        let g: Vec<f64> = (0..40_000).map(|_| r.sample::<f64, _>(StandardNormal)).collect();
        let a = tail_index(&g, None).unwrap().alpha;
        assert!((a - 2.0).abs() < 0.15, "{a}");
        let c = Cauchy::new(0.0, 1.0).unwrap();
        let v: Vec<f64> = (0..40_000).map(|_| c.sample(&mut r)).collect();
        let a = tail_index(&v, None).unwrap().alpha;
        assert!((a - 1.0).abs() < 0.15, "{a}");
    }

    #[test]
    fn errors() {
        assert!(tail_index(&[1.0, 2.0, 3.0], None).is_err());
        assert!(tail_index(&[1.0, f64::INFINITY, 3.0, 4.0], None).is_err());
    }
}
