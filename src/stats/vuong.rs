//! Vuong's likelihood-ratio test of the power law against alternatives fitted on the same tail
//! (Clauset, Shalizi & Newman 2009, §5.1; Vuong 1989).
//!
//! On the n tail values x ≥ x_min, with per-point log-likelihoods ℓ_i(PL) and ℓ_i(alt):
//! LLR = Σ (ℓ_i(PL) − ℓ_i(alt)) (> 0 favours the power law), σ² = (1/n) Σ (d_i − d̄)²,
//! R = LLR/(σ√n), two-sided p = erfc(|R|/√2). Both alternatives are fitted by maximum likelihood
//! on the tail *truncated at x_min*:
//! * exponential p(x) = λ e^{−λ(x − x_min)}: closed form λ̂ = 1/mean(x − x_min);
//! * lognormal p(x) = φ((ln x − μ)/σ) / (x σ Q((ln x_min − μ)/σ)), Q the normal survival function:
//!   no closed form; Nelder–Mead (Nelder & Mead 1965; standard coefficients 1, 2, ½, ½) on
//!   (μ, ln σ) from the untruncated MLE of ln x, with box bounds enforced by rejection
//!   (|μ − mean ln x| ≤ 50(1 + sd ln x), σ ∈ [10⁻⁶·sd, 10³(1 + sd)]) so a power-law tail that
//!   pushes μ → −∞ stops at the bound instead of running off.

use crate::libm_f64::erfc;
use serde::{Deserialize, Serialize};

use super::StatsError;
use crate::libm_f64::LibmF64;

/// A likelihood-ratio comparison: power law vs an alternative.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LikelihoodRatio {
    /// Σ (ℓ_PL − ℓ_alt); > 0 favours the power law.
    pub llr: f64,
    /// R = LLR/(σ√n) (0 when σ = 0).
    pub llr_normalized: f64,
    /// Two-sided p = erfc(|R|/√2) (1 when σ = 0).
    pub p: f64,
}

/// Fitted truncated lognormal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LognormalFit {
    pub mu: f64,
    pub sigma: f64,
    /// Whether the optimum lies on a bound (the lognormal degenerates toward a power law).
    pub at_bound: bool,
}

/// Per-point power-law log-likelihoods: ln(α−1) − ln x_min − α ln(x/x_min).
fn ll_power_law(tail: &[f64], xmin: f64, alpha: f64, out: &mut Vec<f64>) {
    let c = (alpha - 1.0).ln_() - xmin.ln_();
    out.clear();
    out.extend(tail.iter().map(|&x| c - alpha * crate::libm_f64::ln_ratio(x, xmin)));
}

/// Vuong statistic from two per-point log-likelihood vectors.
pub fn vuong(l1: &[f64], l2: &[f64]) -> LikelihoodRatio {
    let n = l1.len().min(l2.len());
    if n == 0 {
        return LikelihoodRatio {
            llr: 0.0,
            llr_normalized: 0.0,
            p: 1.0,
        };
    }
    let nf = n as f64;
    let llr: f64 = l1.iter().zip(l2).map(|(a, b)| a - b).sum();
    let mean = llr / nf;
    let var: f64 = l1.iter().zip(l2).map(|(a, b)| (a - b - mean).powi(2)).sum::<f64>() / nf;
    let sd = var.sqrt();
    if !(sd > 0.0) || !llr.is_finite() {
        return LikelihoodRatio {
            llr,
            llr_normalized: 0.0,
            p: 1.0,
        };
    }
    let r = llr / (sd * nf.sqrt());
    LikelihoodRatio {
        llr,
        llr_normalized: r,
        p: erfc(r.abs() / std::f64::consts::SQRT_2),
    }
}

/// ln Q(z), Q(z) = P(N(0,1) > z), accurate far into the upper tail (asymptotic series for z > 30).
pub(crate) fn ln_normal_sf(z: f64) -> f64 {
    if z < 30.0 {
        (0.5 * erfc(z / std::f64::consts::SQRT_2)).ln_()
    } else {
        let z2 = z * z;
        -0.5 * z2 - z.ln_() - 0.5 * (2.0 * std::f64::consts::PI).ln_()
            + (1.0 - 1.0 / z2 + 3.0 / (z2 * z2) - 15.0 / (z2 * z2 * z2)).ln_()
    }
}

/// Sufficient statistics of ln x on the tail: n, Σ ln x, the mean m and S₂ = Σ (ln x − m)².
struct LogMoments {
    n: f64,
    sum: f64,
    mean: f64,
    s2: f64,
}

impl LogMoments {
    fn new(lx: &[f64]) -> Self {
        let n = lx.len() as f64;
        let sum: f64 = lx.iter().sum();
        let mean = sum / n;
        let s2 = lx.iter().map(|l| (l - mean) * (l - mean)).sum();
        LogMoments { n, sum, mean, s2 }
    }
}

/// Negative log-likelihood of the lognormal truncated at x_min, from the tail's moments of ln x:
///
///   −ℓ(μ, σ) = Σ ln x + [S₂ + n (m − μ)²] / (2σ²) + n [½ ln 2π + ln σ + ln Q((ln x_min − μ)/σ)],
///
/// using Σ (ln x − μ)² = S₂ + n (m − μ)² (exact algebra, and stable since S₂ is centred). One
/// evaluation is O(1) instead of a pass over the tail: the Nelder–Mead search below takes
/// hundreds of them.
fn nll_lognormal(m: &LogMoments, lxmin: f64, mu: f64, sigma: f64) -> f64 {
    let c = 0.5 * (2.0 * std::f64::consts::PI).ln_() + sigma.ln_() + ln_normal_sf((lxmin - mu) / sigma);
    let d = m.mean - mu;
    m.sum + (m.s2 + m.n * d * d) / (2.0 * sigma * sigma) + m.n * c
}

/// Minimises `f` over 2-D with Nelder–Mead; returns (best point, best value).
pub(crate) fn nelder_mead2<F: Fn([f64; 2]) -> f64>(
    f: F,
    x0: [f64; 2],
    step: [f64; 2],
    max_evals: usize,
) -> ([f64; 2], f64) {
    let mut p = [x0, [x0[0] + step[0], x0[1]], [x0[0], x0[1] + step[1]]];
    let mut v = [f(p[0]), f(p[1]), f(p[2])];
    let mut evals = 3;
    let lin = |a: [f64; 2], b: [f64; 2], t: f64| [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
    while evals < max_evals {
        // order
        let mut idx = [0usize, 1, 2];
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        p = [p[idx[0]], p[idx[1]], p[idx[2]]];
        v = [v[idx[0]], v[idx[1]], v[idx[2]]];
        let size = ((p[1][0] - p[0][0]).abs() + (p[2][0] - p[0][0]).abs())
            .max((p[1][1] - p[0][1]).abs() + (p[2][1] - p[0][1]).abs());
        if v[0].is_finite() && (v[2] - v[0]).abs() <= 1e-13 * (1.0 + v[0].abs()) && size < 1e-9 {
            break;
        }
        let c = [(p[0][0] + p[1][0]) / 2.0, (p[0][1] + p[1][1]) / 2.0];
        let xr = lin(c, p[2], -1.0);
        let fr = f(xr);
        evals += 1;
        if fr < v[0] {
            let xe = lin(c, p[2], -2.0);
            let fe = f(xe);
            evals += 1;
            if fe < fr {
                p[2] = xe;
                v[2] = fe;
            } else {
                p[2] = xr;
                v[2] = fr;
            }
        } else if fr < v[1] {
            p[2] = xr;
            v[2] = fr;
        } else {
            let (xc, fc) = if fr < v[2] {
                let xc = lin(c, xr, 0.5);
                (xc, f(xc))
            } else {
                let xc = lin(c, p[2], 0.5);
                (xc, f(xc))
            };
            evals += 1;
            if fc < v[2].min(fr) {
                p[2] = xc;
                v[2] = fc;
            } else {
                for i in 1..3 {
                    p[i] = lin(p[0], p[i], 0.5);
                    v[i] = f(p[i]);
                }
                evals += 2;
            }
        }
    }
    let mut b = 0;
    for i in 1..3 {
        if v[i] < v[b] {
            b = i;
        }
    }
    (p[b], v[b])
}

/// Maximum-likelihood lognormal truncated at x_min, on the tail values (all ≥ x_min > 0).
pub fn fit_truncated_lognormal(tail: &[f64], xmin: f64) -> Result<LognormalFit, StatsError> {
    if tail.len() < 2 {
        return Err(StatsError::TooFew {
            test: "truncated lognormal fit",
            needed: 2,
            got: tail.len(),
        });
    }
    let lx: Vec<f64> = tail.iter().map(|v| v.ln_()).collect();
    let moments = LogMoments::new(&lx);
    let m = moments.mean;
    let sd = (moments.s2 / moments.n).sqrt();
    if !(sd > 0.0) {
        return Err(StatsError::AllEqual {
            what: "truncated lognormal fit",
        });
    }
    let lxmin = xmin.ln_();
    let (mu_lo, mu_hi) = (m - 50.0 * (1.0 + sd), m + 50.0 * (1.0 + sd));
    let (ls_lo, ls_hi) = ((1e-6 * sd).ln_(), (1e3 * (1.0 + sd)).ln_());
    let f = |t: [f64; 2]| {
        if t[0] < mu_lo || t[0] > mu_hi || t[1] < ls_lo || t[1] > ls_hi {
            return f64::INFINITY;
        }
        let v = nll_lognormal(&moments, lxmin, t[0], t[1].exp_());
        if v.is_finite() {
            v
        } else {
            f64::INFINITY
        }
    };
    // Two restarts from the previous optimum guard against a premature collapse of the simplex.
    let (mut t, mut fv) = nelder_mead2(f, [m, sd.ln_()], [sd.max(0.1), 0.5], 4000);
    for _ in 0..2 {
        let (t2, f2) = nelder_mead2(f, t, [0.1 * sd.max(0.1), 0.1], 4000);
        if f2 < fv {
            t = t2;
            fv = f2;
        } else {
            break;
        }
    }
    if !fv.is_finite() {
        return Err(StatsError::Numerical("truncated lognormal fit"));
    }
    let tol = 1e-3;
    let at_bound = t[0] - mu_lo < tol || mu_hi - t[0] < tol || t[1] - ls_lo < tol || ls_hi - t[1] < tol;
    Ok(LognormalFit {
        mu: t[0],
        sigma: t[1].exp_(),
        at_bound,
    })
}

/// Vuong test of the power law (x_min, α) against a lognormal truncated at x_min, fitted on `tail`.
pub fn vs_lognormal(tail: &[f64], xmin: f64, alpha: f64) -> Result<(LikelihoodRatio, LognormalFit), StatsError> {
    let fit = fit_truncated_lognormal(tail, xmin)?;
    let mut l1 = Vec::new();
    ll_power_law(tail, xmin, alpha, &mut l1);
    let lxmin = xmin.ln_();
    let c = 0.5 * (2.0 * std::f64::consts::PI).ln_() + fit.sigma.ln_() + ln_normal_sf((lxmin - fit.mu) / fit.sigma);
    let l2: Vec<f64> = tail
        .iter()
        .map(|&x| {
            let l = x.ln_();
            let z = (l - fit.mu) / fit.sigma;
            -l - 0.5 * z * z - c
        })
        .collect();
    Ok((vuong(&l1, &l2), fit))
}

/// Vuong test of the power law against an exponential truncated at x_min (λ̂ = 1/mean(x − x_min)).
/// Returns the ratio and λ̂ (+inf when the mean is subnormal; the ratio is still computed).
pub fn vs_exponential(tail: &[f64], xmin: f64, alpha: f64) -> Result<(LikelihoodRatio, f64), StatsError> {
    if tail.len() < 2 {
        return Err(StatsError::TooFew {
            test: "truncated exponential fit",
            needed: 2,
            got: tail.len(),
        });
    }
    let nf = tail.len() as f64;
    let mut mean = tail.iter().map(|&x| x - xmin).sum::<f64>() / nf;
    if mean.is_infinite() {
        // The sum overflowed (values near f64::MAX): average without forming it.
        mean = tail.iter().map(|&x| (x - xmin) / nf).sum::<f64>();
    }
    if !(mean > 0.0) {
        return Err(StatsError::AllEqual {
            what: "truncated exponential fit",
        });
    }
    let lambda = 1.0 / mean;
    let mut l1 = Vec::new();
    ll_power_law(tail, xmin, alpha, &mut l1);
    let l2: Vec<f64> = if lambda.is_finite() {
        let ll = lambda.ln_();
        tail.iter().map(|&x| ll - lambda * (x - xmin)).collect()
    } else {
        // mean is subnormal (a tail of subnormal values): 1/mean overflows, so use
        // ln λ̂ = −ln mean and λ̂(x − x_min) = (x − x_min)/mean.
        let ll = -mean.ln_();
        tail.iter().map(|&x| ll - (x - xmin) / mean).collect()
    };
    Ok((vuong(&l1, &l2), lambda))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The moment form of the truncated-lognormal NLL equals the direct sum
    /// Σ [ln x + ½((ln x − μ)/σ)² + ½ ln 2π + ln σ + ln Q((ln x_min − μ)/σ)].
    #[test]
    fn moment_nll_equals_the_direct_sum() {
        let tail: Vec<f64> = (0..500)
            .map(|i| 1.0 + (i as f64 * 0.37).sin_().abs() * 40.0 + i as f64 * 0.01)
            .collect();
        let lx: Vec<f64> = tail.iter().map(|x| x.ln_()).collect();
        let m = LogMoments::new(&lx);
        let lxmin = 1.0f64.ln_();
        for (mu, sigma) in [(0.5, 1.2), (-3.0, 0.4), (2.5, 3.0)] {
            let c = 0.5 * (2.0 * std::f64::consts::PI).ln_() + f64::ln(sigma) + ln_normal_sf((lxmin - mu) / sigma);
            let direct: f64 = lx.iter().map(|l| l + 0.5 * ((l - mu) / sigma).powi(2) + c).sum();
            let fast = nll_lognormal(&m, lxmin, mu, sigma);
            assert!(
                (fast - direct).abs() <= 1e-12 * direct.abs(),
                "μ={mu} σ={sigma}: {fast} vs {direct}"
            );
        }
    }

    #[test]
    fn ln_sf_continuous_at_switch() {
        let a = ln_normal_sf(29.999999);
        let b = ln_normal_sf(30.0);
        assert!((a - b).abs() < 1e-4, "{a} {b}");
        assert!((ln_normal_sf(0.0) - 0.5f64.ln_()).abs() < 1e-14);
    }

    #[test]
    fn nelder_mead_quadratic() {
        let (x, f) = nelder_mead2(
            |t| (t[0] - 1.0).powi(2) + 3.0 * (t[1] + 2.0).powi(2),
            [0.0, 0.0],
            [1.0, 1.0],
            2000,
        );
        assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] + 2.0).abs() < 1e-6 && f < 1e-12);
    }
}
