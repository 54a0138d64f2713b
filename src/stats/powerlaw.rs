//! Power-law tail tests on positive values.
//!
//! Conventions follow Clauset, Shalizi & Newman (2009), *Power-law distributions in empirical
//! data*, SIAM Review 51(4) ("CSN"): the continuous power law on x ≥ x_min is
//! p(x) = (α−1)/x_min · (x/x_min)^(−α), with CDF P(x) = 1 − (x/x_min)^(1−α).
//!
//! * [`fit_top_k`] — the paper's rule (Xie et al. 2023, following the sibling Hessian paper):
//!   the tail is the K largest values, x_min the K-th largest, α̂ by MLE, and the verdict is the
//!   plain one-sample KS comparison d_ks < d_c with d_c = c(level)/√K.

use serde::Serialize;

use super::StatsError;

/// Significance level of the KS decision (α = 0.10, 0.05 or 0.01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum Level {
    /// α = 0.10, c = 1.22.
    P10,
    /// α = 0.05, c = 1.36 (the paper's default).
    #[default]
    P05,
    /// α = 0.01, c = 1.63.
    P01,
}

impl Level {
    /// The significance level α as a number.
    pub fn alpha(self) -> f64 {
        match self {
            Level::P10 => 0.10,
            Level::P05 => 0.05,
            Level::P01 => 0.01,
        }
    }

    /// The large-sample one-sample KS coefficient c(α), so that d_c = c/√n
    /// (Massey 1951: 1.22, 1.36, 1.63 at α = 0.10, 0.05, 0.01).
    pub fn ks_coefficient(self) -> f64 {
        match self {
            Level::P10 => 1.22,
            Level::P05 => 1.36,
            Level::P01 => 1.63,
        }
    }

    /// Large-sample KS critical value c(α)/√n.
    pub fn ks_critical(self, n: usize) -> f64 {
        self.ks_coefficient() / (n as f64).sqrt()
    }
}

impl TryFrom<f64> for Level {
    type Error = StatsError;
    /// Accepts 0.10, 0.05 or 0.01 (within 1e-9).
    fn try_from(a: f64) -> Result<Self, StatsError> {
        for l in [Level::P10, Level::P05, Level::P01] {
            if (a - l.alpha()).abs() < 1e-9 {
                return Ok(l);
            }
        }
        Err(StatsError::InvalidParameter {
            name: "level",
            reason: format!("{a} is not one of 0.10, 0.05, 0.01"),
        })
    }
}

/// Result of the paper's top-K rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
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

/// Validates positive finite values.
pub(crate) fn check_positive(values: &[f64]) -> Result<(), StatsError> {
    for (index, &v) in values.iter().enumerate() {
        if !v.is_finite() {
            return Err(StatsError::NonFinite { index });
        }
        if v <= 0.0 {
            return Err(StatsError::NonPositive { index, value: v });
        }
    }
    Ok(())
}

/// KS distance between the empirical CDF of an ascending tail `tail` (all ≥ `xmin`) and the
/// fitted power-law CDF P(x) = 1 − (x/x_min)^(1−α), taking both sides of each ECDF step:
/// D = max_i max(i/n − P(x_(i)), P(x_(i)) − (i−1)/n), i = 1..n (CSN §3.3).
pub(crate) fn ks_distance_sorted(tail: &[f64], xmin: f64, alpha: f64) -> f64 {
    let n = tail.len() as f64;
    let e = 1.0 - alpha;
    let mut d: f64 = 0.0;
    for (i, &x) in tail.iter().enumerate() {
        let p = 1.0 - (x / xmin).powf(e);
        let lo = i as f64 / n;
        let hi = (i + 1) as f64 / n;
        d = d.max(hi - p).max(p - lo);
    }
    d
}

/// The paper's rule on positive values (any order): the tail is the `k` largest values,
/// x_min = the k-th largest, β̂ = 1 + k / Σ ln(x_i/x_min) (continuous MLE, CSN eq. 3.1),
/// σ = (β̂ − 1)/√k, d_ks = KS distance to 1 − (x/x_min)^(1−β̂) ([`ks_distance_sorted`]),
/// d_c = c(level)/√k (1.22, 1.36, 1.63), verdict d_ks < d_c.
///
/// `k` is clamped to `values.len()`; it must be at least 2. Errors on non-positive or
/// non-finite values, and when the k tail values are all equal.
pub fn fit_top_k(values: &[f64], k: usize, level: Level) -> Result<TopKFit, StatsError> {
    check_positive(values)?;
    let k = k.min(values.len());
    if k < 2 {
        return Err(StatsError::TooFew { test: "power-law top-K fit", needed: 2, got: k });
    }
    // The k largest, ascending.
    let mut v = values.to_vec();
    let split = v.len() - k;
    if split > 0 {
        v.select_nth_unstable_by(split, |a, b| a.total_cmp(b));
    }
    let mut tail = v.split_off(split);
    tail.sort_unstable_by(|a, b| a.total_cmp(b));
    let xmin = tail[0];
    let s: f64 = tail.iter().map(|&x| (x / xmin).ln()).sum();
    if s <= 0.0 {
        return Err(StatsError::AllEqual { what: "power-law tail" });
    }
    let kf = k as f64;
    let alpha = 1.0 + kf / s;
    if !alpha.is_finite() {
        return Err(StatsError::Numerical("power-law MLE"));
    }
    let ks_d = ks_distance_sorted(&tail, xmin, alpha);
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

    #[test]
    fn level_round_trip() {
        assert_eq!(Level::try_from(0.05).unwrap(), Level::P05);
        assert_eq!(Level::try_from(0.1).unwrap(), Level::P10);
        assert!(Level::try_from(0.2).is_err());
        assert!((Level::P05.ks_critical(1000) - 0.0430).abs() < 1e-4);
    }

    #[test]
    fn exact_pareto_quantiles_pass() {
        // Deterministic Pareto quantiles, α = 2.5, x_min = 1.
        let n = 2000;
        let v: Vec<f64> = (0..n)
            .map(|i| (1.0 - (i as f64 + 0.5) / n as f64).powf(-1.0 / 1.5))
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
        assert!(matches!(fit_top_k(&[3.0, 3.0, 1.0], 2, Level::P05), Err(StatsError::AllEqual { .. })));
    }
}
