//! Clauset, Shalizi & Newman (2009), *Power-law distributions in empirical data*, SIAM Review
//! 51(4), §3.3: x_min minimising the KS distance over every unique value but the largest leaving
//! ≥ 50 values (a geometric grid of 1000 tail sizes above 10⁴ values, see
//! [`ClausetOptions::grid_above`] and `docs/PROTOCOL.md` §2), α̂ = 1 + n_tail / Σ ln(x/x_min) at
//! each candidate from prefix sums of ln x.

use serde::{Deserialize, Serialize};

use super::check_positive;
use super::ks::{ks_scan, ks_scan_hint, KsConvention};
use super::Level;
use crate::libm_f64::{ln_ratio, LibmF64};
use crate::stats::StatsError;

/// Options of the Clauset x_min scan (validated by [`ClausetOptions::new`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClausetOptions {
    /// Smallest tail a candidate x_min may leave (default 50).
    pub min_tail: usize,
    /// Above this many values the candidates are a grid (default 10 000): `grid_size` tail sizes
    /// spaced geometrically from `min_tail` to n, n_tail,k = round(min_tail·(n/min_tail)^(k/(G−1))),
    /// each snapped down to the first occurrence of its x_min value (`docs/PROTOCOL.md` §2).
    pub grid_above: usize,
    /// Number of grid candidates above `grid_above` values (default 1000).
    pub grid_size: usize,
    /// KS convention (default two-sided).
    pub ks: KsConvention,
    /// Level of the KS critical value c(level)/√n_tail reported beside the fit.
    pub level: Level,
}

impl Default for ClausetOptions {
    fn default() -> Self {
        ClausetOptions {
            min_tail: 50,
            grid_above: 10_000,
            grid_size: 1000,
            ks: KsConvention::TwoSided,
            level: Level::P05,
        }
    }
}

impl ClausetOptions {
    /// Validated options: `min_tail ≥ 2`, `grid_size ≥ 2`.
    pub fn new(
        min_tail: usize,
        grid_above: usize,
        grid_size: usize,
        ks: KsConvention,
        level: Level,
    ) -> Result<Self, StatsError> {
        if min_tail < 2 {
            return Err(StatsError::InvalidParameter {
                name: "min_tail",
                reason: "must be at least 2".into(),
            });
        }
        if grid_size < 2 {
            return Err(StatsError::InvalidParameter {
                name: "grid_size",
                reason: "must be at least 2".into(),
            });
        }
        Ok(ClausetOptions {
            min_tail,
            grid_above,
            grid_size,
            ks,
            level,
        })
    }
}

/// Result of the Clauset x_min scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClausetFit {
    /// Number of values fitted (all positive).
    pub n: usize,
    /// Number of values ≥ x_min.
    pub n_tail: usize,
    /// The x_min minimising the KS distance.
    pub xmin: f64,
    /// α̂ = 1 + n_tail / Σ_{x ≥ x_min} ln(x/x_min).
    pub alpha: f64,
    /// (α̂ − 1)/√n_tail.
    pub alpha_stderr: f64,
    /// KS distance at the chosen x_min.
    pub ks_d: f64,
    /// c(level)/√n_tail (a reference only: x_min was chosen to minimise D, so this is anti-conservative).
    pub ks_critical: f64,
    /// The level as a number.
    pub level: f64,
    /// Number of candidate x_min values scanned.
    pub candidates: usize,
}

/// Reusable buffers for the scan (the bootstrap calls it a thousand times).
#[derive(Default)]
pub(crate) struct Scratch {
    pub(super) logs: Vec<f64>,
    suffix: Vec<f64>,
    cands: Vec<usize>,
}

/// Candidate x_min indices into ascending `x` (first occurrences of each value):
/// * n ≤ `grid_above`: every unique value except the largest that leaves ≥ `min_tail` values.
/// * n > `grid_above`: a grid of `grid_size` tail sizes spaced geometrically from `min_tail` to n,
///   n_tail,k = round(min_tail · (n/min_tail)^(k/(G−1))), each snapped down to the first occurrence
///   of its x_min value; duplicates removed. Relative spacing of tail sizes is (n/min_tail)^(1/(G−1))
///   (1.2 % at n = 10⁶, G = 1000), dense where tails are short.
fn candidates(x: &[f64], opts: &ClausetOptions, out: &mut Vec<usize>) {
    out.clear();
    let n = x.len();
    if n < opts.min_tail || n < 2 {
        return;
    }
    let min_tail = opts.min_tail.max(2); // fields are public: never trust them unvalidated
    if n < min_tail {
        return;
    }
    let largest = x[n - 1];
    let last = n - min_tail; // largest admissible index
    let first_occ = |mut j: usize| {
        while j > 0 && x[j - 1] == x[j] {
            j -= 1;
        }
        j
    };
    if n <= opts.grid_above {
        for j in 0..=last {
            if (j == 0 || x[j] != x[j - 1]) && x[j] < largest {
                out.push(j);
            }
        }
    } else {
        let g = opts.grid_size.max(2);
        let ratio = (n as f64 / min_tail as f64).ln_();
        for k in (0..g).rev() {
            let nt = (min_tail as f64 * (ratio * k as f64 / (g - 1) as f64).exp_()).round() as usize;
            let nt = nt.clamp(min_tail, n);
            let j = first_occ(n - nt);
            if x[j] < largest && out.last() != Some(&j) {
                out.push(j);
            }
        }
        out.dedup();
    }
}

/// Scan result: (index of x_min, α̂, D, number of candidates).
pub(super) type ScanResult = (usize, f64, f64, usize);

/// The x_min scan on ascending positive `x`. Exact argmin of D over the candidates (first one on
/// ties), made cheap by branch and bound: a few candidates spread over the range are evaluated
/// first to get a bound, then every candidate's KS loop stops once its D exceeds the best so far.
pub(super) fn scan_sorted(x: &[f64], opts: &ClausetOptions, s: &mut Scratch) -> Result<ScanResult, StatsError> {
    let n = x.len();
    if n < opts.min_tail.max(2) {
        return Err(StatsError::TooFew {
            test: "Clauset power-law fit",
            needed: opts.min_tail.max(2),
            got: n,
        });
    }
    s.logs.clear();
    s.logs.extend(x.iter().map(|v| v.ln_()));
    s.suffix.clear();
    s.suffix.resize(n + 1, 0.0);
    for i in (0..n).rev() {
        s.suffix[i] = s.suffix[i + 1] + s.logs[i];
    }
    let mut cands = std::mem::take(&mut s.cands);
    candidates(x, opts, &mut cands);
    if cands.is_empty() {
        s.cands = cands;
        return Err(StatsError::AllEqual {
            what: "Clauset power-law fit (no candidate x_min leaves a tail of distinct values)",
        });
    }
    let lx = &s.logs;
    let alpha_at = |j: usize| {
        let nt = (n - j) as f64;
        let mut sum = s.suffix[j] - nt * lx[j];
        // Σ ln(x/x_min) from prefix sums cancels catastrophically when the tail's values are
        // nearly equal relative to |ln x| (it even came out negative, α̂ ≪ 0): below a bound on
        // that rounding error, sum the logs of the ratios directly.
        if !(sum > 64.0 * f64::EPSILON * (s.suffix[j].abs() + nt * lx[j].abs())) {
            sum = x[j..].iter().map(|&v| ln_ratio(v, x[j])).sum();
        }
        1.0 + nt / sum
    };
    let mut best_d = f64::INFINITY;
    let mut best_j = usize::MAX;
    let mut best_a = f64::NAN;
    // Warm start: ~16 spread candidates.
    let step = (cands.len() / 16).max(1);
    for &j in cands.iter().step_by(step) {
        let a = alpha_at(j);
        if !(a > 1.0 && a.is_finite()) {
            continue;
        }
        let d = ks_scan(lx, j, a, opts.ks, best_d);
        if d < best_d {
            best_d = d;
        }
    }
    let mut hint = usize::MAX;
    for &j in &cands {
        let a = alpha_at(j);
        if !(a > 1.0 && a.is_finite()) {
            continue;
        }
        let d = ks_scan_hint(lx, j, a, opts.ks, best_d, &mut hint);
        if d < best_d || (d == best_d && j < best_j) {
            best_d = d;
            best_j = j;
            best_a = a;
        }
    }
    let nc = cands.len();
    s.cands = cands;
    if best_j == usize::MAX {
        return Err(StatsError::Numerical("Clauset x_min scan"));
    }
    Ok((best_j, best_a, best_d, nc))
}

/// Sorted positive copy of `values`.
pub(super) fn sorted_positive(values: &[f64]) -> Result<Vec<f64>, StatsError> {
    check_positive(values)?;
    let mut x = values.to_vec();
    x.sort_unstable_by(|a, b| a.total_cmp(b));
    Ok(x)
}

/// Clauset, Shalizi & Newman (2009) §3.3: x_min minimises the KS distance D between the tail's
/// empirical CDF and the fitted power law over the candidate x_min values (see the module docs and `docs/PROTOCOL.md` §2);
/// α̂ = 1 + n_tail/Σ ln(x/x_min) at each candidate (O(1) from prefix sums of ln x).
pub fn fit_clauset(values: &[f64], opts: &ClausetOptions) -> Result<ClausetFit, StatsError> {
    let x = sorted_positive(values)?;
    let mut s = Scratch::default();
    let (j, alpha, d, nc) = scan_sorted(&x, opts, &mut s)?;
    let n_tail = x.len() - j;
    Ok(ClausetFit {
        n: x.len(),
        n_tail,
        xmin: x[j],
        alpha,
        alpha_stderr: (alpha - 1.0) / (n_tail as f64).sqrt(),
        ks_d: d,
        ks_critical: opts.level.ks_critical(n_tail),
        level: opts.level.alpha(),
        candidates: nc,
    })
}
