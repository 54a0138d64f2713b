//! Kolmogorov–Smirnov distance between the empirical CDF of an ascending tail and the fitted
//! power-law CDF P(x) = 1 − (x/x_min)^(1−α) (Clauset, Shalizi & Newman 2009, §3.3), in two
//! conventions ([`KsConvention`]); the scan works on logs and can stop early once D exceeds a
//! bound (branch and bound for the x_min scan of [`super::clauset`]).

use serde::{Deserialize, Serialize};

use crate::libm_f64::LibmF64;

/// Which empirical CDF the KS distance uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum KsConvention {
    /// Both sides of each ECDF step: D = max_i max(i/n − P(x_(i)), P(x_(i)) − (i−1)/n), the exact
    /// sup-distance to the step function (the default everywhere in sgn-lab).
    #[default]
    TwoSided,
    /// The lower side only, D = max_i |P(x_(i)) − (i−1)/n|, as Clauset's `plfit.m` and the
    /// `powerlaw` Python package (2.0.0) compute it. Offered to reproduce their x_min exactly.
    Plfit,
}

/// KS distance between the empirical CDF of an ascending tail `tail` (all ≥ `xmin`) and the
/// fitted power-law CDF P(x) = 1 − (x/x_min)^(1−α), taking both sides of each ECDF step:
/// D = max_i max(i/n − P(x_(i)), P(x_(i)) − (i−1)/n), i = 1..n (CSN §3.3).
pub(crate) fn ks_distance_sorted(tail: &[f64], xmin: f64, alpha: f64) -> f64 {
    let _ = xmin; // the tail starts at x_min
    let logs: Vec<f64> = tail.iter().map(|v| v.ln_()).collect();
    ks_scan(&logs, 0, alpha, KsConvention::TwoSided, f64::INFINITY)
}

/// KS distance for the tail starting at index `j` of ascending logs `lx`, aborting (returning a
/// value > `bound`) as soon as the running maximum exceeds `bound`: D is a maximum, so it can only
/// grow, and a candidate that already exceeds the best D cannot win.
#[inline]
pub(super) fn ks_scan(lx: &[f64], j: usize, alpha: f64, ks: KsConvention, bound: f64) -> f64 {
    let mut hint = usize::MAX;
    ks_scan_hint(lx, j, alpha, ks, bound, &mut hint)
}

/// [`ks_scan`] that first looks at absolute index `*hint` (where the previous candidate's
/// running maximum ended, which is usually where this candidate's large deviation is too) and
/// leaves there the index of this candidate's largest deviation seen.
#[inline]
pub(super) fn ks_scan_hint(lx: &[f64], j: usize, alpha: f64, ks: KsConvention, bound: f64, hint: &mut usize) -> f64 {
    let tail = &lx[j..];
    let nt = tail.len() as f64;
    let inv = 1.0 / nt;
    let e = 1.0 - alpha;
    let l0 = tail[0];
    let dev = |r: usize, l: f64| -> f64 {
        let p = 1.0 - (e * (l - l0)).exp_();
        let lo = r as f64 * inv;
        match ks {
            KsConvention::TwoSided => (lo + inv - p).max(p - lo),
            KsConvention::Plfit => (p - lo).abs(),
        }
    };
    let mut d: f64 = 0.0;
    let mut arg = j;
    if bound.is_finite() {
        if *hint >= j && *hint < lx.len() {
            let r = *hint - j;
            let dd = dev(r, tail[r]);
            if dd > bound {
                return dd;
            }
            d = dd;
            arg = *hint;
        }
        // Then every STRIDE-th point: a candidate that cannot win usually shows a large
        // deviation somewhere, and a coarse pass finds it in 1/STRIDE of the work.
        const STRIDE: usize = 16;
        if tail.len() > 4 * STRIDE {
            for r in (STRIDE / 2..tail.len()).step_by(STRIDE) {
                let dd = dev(r, tail[r]);
                if dd > d {
                    d = dd;
                    arg = j + r;
                    if d > bound {
                        *hint = arg;
                        return d;
                    }
                }
            }
        }
    }
    for (r, &l) in tail.iter().enumerate() {
        let dd = dev(r, l);
        if dd > d {
            d = dd;
            arg = j + r;
            if d > bound {
                *hint = arg;
                return d;
            }
        }
    }
    *hint = arg;
    d
}
