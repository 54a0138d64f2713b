//! The paper's tail rule (Xie et al. 2023, following the sibling Hessian paper): the tail is the
//! K largest values, x_min the K-th largest, β̂ = 1 + K / Σ ln(x_i/x_min) by MLE (Clauset, Shalizi
//! & Newman 2009, eq. 3.1), σ = (β̂ − 1)/√K (eq. 3.2), and the verdict is the plain one-sample
//! KS comparison d_ks < d_c with d_c = c(level)/√K (c = 1.22, 1.36, 1.63; Massey 1951).

use serde::{Deserialize, Serialize};

use super::ks::ks_distance_sorted;
use super::{check_positive, Level};
use crate::libm_f64::ln_ratio;
use crate::stats::StatsError;

/// Result of the paper's top-K rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopKFit {
    /// Number of tail values tested (K).
    pub k: usize,
    /// x_min = the K-th largest value.
    pub xmin: f64,
    /// Fitted power-law exponent β̂ = 1 + K / Σ ln(x_i/x_min).
    pub alpha: f64,
    /// Standard error (β̂ − 1)/√K (CSN eq. 3.2).
    pub alpha_stderr: f64,
    /// KS distance between the tail's empirical CDF and the fitted CDF.
    pub ks_d: f64,
    /// Critical value c(level)/√K.
    pub ks_critical: f64,
    /// The significance level as a number (0.10, 0.05, 0.01).
    pub level: f64,
    /// Verdict: `ks_d < ks_critical` (power law not rejected).
    pub power_law: bool,
}

/// The least K of the top-K rule (one spacing ln(x_(1)/x_min) needs two values); also the least
/// K of the spectrum fit, which runs this rule on the top eigenvalues.
pub const MIN_K: usize = 2;

/// The paper's rule on positive values (any order): the tail is the `k` largest values,
/// x_min = the k-th largest, β̂ = 1 + k / Σ ln(x_i/x_min) (continuous MLE, CSN eq. 3.1),
/// σ = (β̂ − 1)/√k, d_ks = KS distance to 1 − (x/x_min)^(1−β̂) (both sides of each ECDF step, see
/// [`KsConvention::TwoSided`](super::KsConvention::TwoSided)),
/// d_c = c(level)/√k (1.22, 1.36, 1.63), verdict d_ks < d_c.
///
/// `k` is clamped to `values.len()`; it must be at least [`MIN_K`]. Errors on non-positive or
/// non-finite values, and when the k tail values are all equal.
pub fn fit_top_k(values: &[f64], k: usize, level: Level) -> Result<TopKFit, StatsError> {
    check_positive(values)?;
    let k = k.min(values.len());
    if k < MIN_K {
        return Err(StatsError::TooFew {
            test: "power-law top-K fit",
            needed: MIN_K,
            got: k,
        });
    }
    // The k largest, ascending.
    // Validated finite and positive above: partial_cmp never fails.
    let cmp = |a: &f64, b: &f64| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal);
    let mut v = values.to_vec();
    let split = v.len() - k;
    if split > 0 {
        v.select_nth_unstable_by(split, cmp);
    }
    let tail = &mut v[split..];
    tail.sort_unstable_by(cmp);
    let tail: &[f64] = tail;
    let xmin = tail[0];
    let s: f64 = tail.iter().map(|&x| ln_ratio(x, xmin)).sum();
    if s <= 0.0 {
        return Err(StatsError::AllEqual { what: "power-law tail" });
    }
    let kf = k as f64;
    let alpha = 1.0 + kf / s;
    if !alpha.is_finite() {
        return Err(StatsError::Numerical("power-law MLE"));
    }
    let ks_d = ks_distance_sorted(tail, xmin, alpha);
    let ks_critical = level.ks_critical(k);
    Ok(TopKFit {
        k,
        xmin,
        alpha,
        alpha_stderr: (alpha - 1.0) / kf.sqrt(),
        ks_d,
        ks_critical,
        level: level.alpha(),
        power_law: ks_d < ks_critical,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::libm_f64::LibmF64;
    use crate::stats::StatsError;

    #[test]
    fn exact_pareto_quantiles_pass() {
        // Deterministic Pareto quantiles, α = 2.5, x_min = 1.
        let n = 2000;
        let v: Vec<f64> = (0..n)
            .map(|i| (1.0 - (i as f64 + 0.5) / n as f64).powf_(-1.0 / 1.5))
            .collect();
        let f = fit_top_k(&v, n, Level::P05).unwrap();
        assert!((f.alpha - 2.5).abs() < 0.05, "{f:?}");
        assert!(f.power_law);
        assert_eq!(f.k, n);
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(fit_top_k(&[1.0, f64::NAN], 2, Level::P05).is_err());
        assert!(fit_top_k(&[1.0, 0.0], 2, Level::P05).is_err());
        assert!(fit_top_k(&[1.0], 2, Level::P05).is_err());
        assert!(matches!(
            fit_top_k(&[3.0, 3.0, 1.0], 2, Level::P05),
            Err(StatsError::AllEqual { .. })
        ));
    }
}
