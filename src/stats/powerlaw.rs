//! Power-law tail tests on positive values.
//!
//! Conventions follow Clauset, Shalizi & Newman (2009), *Power-law distributions in empirical
//! data*, SIAM Review 51(4) ("CSN"): the continuous power law on x ≥ x_min is
//! p(x) = (α−1)/x_min · (x/x_min)^(−α), with CDF P(x) = 1 − (x/x_min)^(1−α).
//!
//! * [`fit_top_k`] — the paper's rule (Xie et al. 2023, following the sibling Hessian paper):
//!   the tail is the K largest values, x_min the K-th largest, α̂ by MLE, and the verdict is the
//!   plain one-sample KS comparison d_ks < d_c with d_c = c(level)/√K.
//! * [`fit_clauset`] / [`fit_clauset_bootstrap`] — CSN §3.3 and §4.1: x_min minimising the KS
//!   distance over every unique value but the largest leaving ≥ 50 values (a geometric grid of
//!   1000 tail sizes above 10⁴ values, see [`ClausetOptions::grid_above`]), the semi-parametric
//!   bootstrap p-value with x_min re-fitted in every replicate.
//! * [`power_law_test`] — the whole test on a signed sample (|x|, zeros dropped, either rule,
//!   optional bootstrap, Vuong tests from [`super::vuong`]).

use serde::{Deserialize, Serialize};

use super::vuong::LikelihoodRatio;
use super::StatsError;
use crate::libm_f64::{ln_ratio, LibmF64};

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
    let _ = xmin; // the tail starts at x_min
    let logs: Vec<f64> = tail.iter().map(|v| v.ln_()).collect();
    ks_scan(&logs, 0, alpha, KsConvention::TwoSided, f64::INFINITY)
}

/// The paper's rule on positive values (any order): the tail is the `k` largest values,
/// x_min = the k-th largest, β̂ = 1 + k / Σ ln(x_i/x_min) (continuous MLE, CSN eq. 3.1),
/// σ = (β̂ − 1)/√k, d_ks = KS distance to 1 − (x/x_min)^(1−β̂) (both sides of each ECDF step, see [`KsConvention::TwoSided`]),
/// d_c = c(level)/√k (1.22, 1.36, 1.63), verdict d_ks < d_c.
///
/// `k` is clamped to `values.len()`; it must be at least 2. Errors on non-positive or
/// non-finite values, and when the k tail values are all equal.
pub fn fit_top_k(values: &[f64], k: usize, level: Level) -> Result<TopKFit, StatsError> {
    check_positive(values)?;
    let k = k.min(values.len());
    if k < 2 {
        return Err(StatsError::TooFew {
            test: "power-law top-K fit",
            needed: 2,
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

// ---------------------------------------------------------------------------------------------
// Clauset–Shalizi–Newman: x_min by minimum KS distance, bootstrap p-value.
// ---------------------------------------------------------------------------------------------

/// Which empirical CDF the KS distance uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum KsConvention {
    /// Both sides of each ECDF step: D = max_i max(i/n − P(x_(i)), P(x_(i)) − (i−1)/n), the exact
    /// sup-distance to the step function (the default everywhere in sgn-lab).
    #[default]
    TwoSided,
    /// The lower side only, D = max_i |P(x_(i)) − (i−1)/n|, as Clauset's `plfit.m` and the
    /// `powerlaw` Python package (2.0.0) compute it. Offered to reproduce their x_min exactly.
    Plfit,
}

/// Options of the Clauset x_min scan (validated by [`ClausetOptions::new`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    logs: Vec<f64>,
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

/// KS distance for the tail starting at index `j` of ascending logs `lx`, aborting (returning a
/// value > `bound`) as soon as the running maximum exceeds `bound`: D is a maximum, so it can only
/// grow, and a candidate that already exceeds the best D cannot win.
#[inline]
fn ks_scan(lx: &[f64], j: usize, alpha: f64, ks: KsConvention, bound: f64) -> f64 {
    let mut hint = usize::MAX;
    ks_scan_hint(lx, j, alpha, ks, bound, &mut hint)
}

/// [`ks_scan`] that first looks at absolute index `*hint` (where the previous candidate's
/// running maximum ended, which is usually where this candidate's large deviation is too) and
/// leaves there the index of this candidate's largest deviation seen.
#[inline]
fn ks_scan_hint(lx: &[f64], j: usize, alpha: f64, ks: KsConvention, bound: f64, hint: &mut usize) -> f64 {
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

/// Scan result: (index of x_min, α̂, D, number of candidates).
type ScanResult = (usize, f64, f64, usize);

/// The x_min scan on ascending positive `x`. Exact argmin of D over the candidates (first one on
/// ties), made cheap by branch and bound: a few candidates spread over the range are evaluated
/// first to get a bound, then every candidate's KS loop stops once its D exceeds the best so far.
fn scan_sorted(x: &[f64], opts: &ClausetOptions, s: &mut Scratch) -> Result<ScanResult, StatsError> {
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
fn sorted_positive(values: &[f64]) -> Result<Vec<f64>, StatsError> {
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

/// Options of the semi-parametric bootstrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BootstrapOptions {
    /// Number of replicates (default 1000; CSN: 2500 for p to ±0.01).
    pub replicates: usize,
    /// Seed of the replicates (replicate r uses `rng::substream(seed, r)`).
    pub seed: u64,
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        BootstrapOptions {
            replicates: 1000,
            seed: 0,
        }
    }
}

/// Result of the bootstrap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BootstrapResult {
    /// p = (number of replicates with D ≥ observed D) / replicates used.
    pub p_value: f64,
    /// Replicates used (replicates whose re-fit failed, e.g. too few distinct values, are dropped).
    pub replicates: usize,
    /// Replicates with D ≥ observed.
    pub at_least_as_far: usize,
}

/// How each bootstrap replicate is re-fitted.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Refit<'a> {
    /// Top-K with this K (the paper rule).
    TopK(usize),
    /// Full Clauset scan.
    Clauset(&'a ClausetOptions),
}

/// Semi-parametric bootstrap (CSN §4.1) shared by both rules. `x` ascending positive, the fit is
/// (x_min = x[j], α̂, observed D).
#[allow(clippy::too_many_arguments)]
pub(crate) fn bootstrap_sorted<F: FnMut(usize, usize) -> bool>(
    x: &[f64],
    j: usize,
    alpha: f64,
    d_obs: f64,
    refit: Refit<'_>,
    ks: KsConvention,
    boot: &BootstrapOptions,
    mut progress: F,
) -> Result<BootstrapResult, StatsError> {
    use rand::RngExt;
    let n = x.len();
    let body = &x[..j];
    let xmin = x[j];
    let p_tail = (n - j) as f64 / n as f64;
    let inv_exp = -1.0 / (alpha - 1.0);
    let mut s = Scratch::default();
    let mut buf: Vec<f64> = Vec::with_capacity(n);
    let mut used = 0usize;
    let mut ge = 0usize;
    let total = boot.replicates;
    for r in 0..total {
        if r % 8 == 0 && !progress(r, total) {
            return Err(StatsError::Cancelled);
        }
        let mut rng = crate::rng::substream(boot.seed, r as u64);
        buf.clear();
        for _ in 0..n {
            let u: f64 = rng.random();
            if body.is_empty() || u < p_tail {
                let v: f64 = rng.random();
                // x_min (1 − v)^(−1/(α−1)), v ∈ [0, 1)
                buf.push(xmin * (1.0 - v).powf_(inv_exp));
            } else {
                buf.push(body[rng.random_range(0..body.len())]);
            }
        }
        buf.sort_unstable_by(|a, b| a.total_cmp(b));
        if buf.iter().any(|v| !v.is_finite()) {
            continue;
        }
        let d = match refit {
            Refit::Clauset(o) => match scan_sorted(&buf, o, &mut s) {
                Ok((_, _, d, _)) => d,
                Err(_) => continue,
            },
            Refit::TopK(k) => {
                let k = k.min(n);
                let tail = &buf[n - k..];
                let x0 = tail[0];
                let sum: f64 = tail.iter().map(|&v| ln_ratio(v, x0)).sum();
                if !(sum > 0.0) {
                    continue;
                }
                let a = 1.0 + k as f64 / sum;
                s.logs.clear();
                s.logs.extend(tail.iter().map(|v| v.ln_()));
                ks_scan(&s.logs, 0, a, ks, f64::INFINITY)
            }
        };
        used += 1;
        if d >= d_obs {
            ge += 1;
        }
    }
    progress(total, total);
    if used == 0 {
        return Err(StatsError::Numerical("bootstrap (no replicate could be re-fitted)"));
    }
    Ok(BootstrapResult {
        p_value: ge as f64 / used as f64,
        replicates: used,
        at_least_as_far: ge,
    })
}

/// Clauset fit plus the semi-parametric bootstrap p-value (CSN §4.1): each replicate has n values;
/// with probability n_tail/n a value is drawn from the fitted power law
/// (x_min·(1−u)^(−1/(α̂−1))), otherwise uniformly from the observed values below x_min; x_min and
/// α̂ are re-fitted on every replicate by the same scan, and p = share of replicates whose D ≥
/// the observed D. `progress(done, total)` is called every 8 replicates; return `false` to cancel
/// ([`StatsError::Cancelled`]).
pub fn fit_clauset_bootstrap<F: FnMut(usize, usize) -> bool>(
    values: &[f64],
    opts: &ClausetOptions,
    boot: &BootstrapOptions,
    progress: F,
) -> Result<(ClausetFit, BootstrapResult), StatsError> {
    if boot.replicates == 0 {
        return Err(StatsError::InvalidParameter {
            name: "replicates",
            reason: "must be at least 1".into(),
        });
    }
    let x = sorted_positive(values)?;
    let mut s = Scratch::default();
    let (j, alpha, d, nc) = scan_sorted(&x, opts, &mut s)?;
    let n_tail = x.len() - j;
    let fit = ClausetFit {
        n: x.len(),
        n_tail,
        xmin: x[j],
        alpha,
        alpha_stderr: (alpha - 1.0) / (n_tail as f64).sqrt(),
        ks_d: d,
        ks_critical: opts.level.ks_critical(n_tail),
        level: opts.level.alpha(),
        candidates: nc,
    };
    let b = bootstrap_sorted(&x, j, alpha, d, Refit::Clauset(opts), opts.ks, boot, progress)?;
    Ok((fit, b))
}

// ---------------------------------------------------------------------------------------------
// One call for a sample of signed values: |x|, zeros dropped, the chosen rule, Vuong tests.
// ---------------------------------------------------------------------------------------------

/// Which tail rule (`docs/PROTOCOL.md` §2); in configurations and links `"paper"` or `"clauset"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Rule {
    /// Top-K tail, KS verdict d_ks < d_c (the paper's rule, default).
    #[default]
    Paper,
    /// Clauset–Shalizi–Newman x_min scan, bootstrap p-value.
    Clauset,
}

impl std::str::FromStr for Rule {
    type Err = StatsError;
    fn from_str(s: &str) -> Result<Self, StatsError> {
        match s {
            "paper" => Ok(Rule::Paper),
            "clauset" => Ok(Rule::Clauset),
            _ => Err(StatsError::InvalidParameter {
                name: "rule",
                reason: format!("'{s}' is not 'paper' or 'clauset'"),
            }),
        }
    }
}

/// Options of [`power_law_test`] (build with [`PowerLawOptions::new`], which validates).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PowerLawOptions {
    pub rule: Rule,
    /// Paper rule: K (default min(1000, n)). Ignored by the Clauset rule.
    pub k: Option<usize>,
    /// Bootstrap replicates; `None` = the rule's default (0 for paper, 1000 for Clauset).
    pub bootstrap: Option<usize>,
    pub seed: u64,
    pub level: Level,
    /// The Clauset scan's options (its `level` is overwritten by `level`).
    pub clauset: ClausetOptions,
}

impl Default for PowerLawOptions {
    fn default() -> Self {
        PowerLawOptions {
            rule: Rule::Paper,
            k: None,
            bootstrap: None,
            seed: 0,
            level: Level::P05,
            clauset: ClausetOptions::default(),
        }
    }
}

impl PowerLawOptions {
    /// Validated options: `k ≥ 2` when given.
    pub fn new(
        rule: Rule,
        k: Option<usize>,
        bootstrap: Option<usize>,
        seed: u64,
        level: Level,
    ) -> Result<Self, StatsError> {
        if let Some(k) = k {
            if k < 2 {
                return Err(StatsError::InvalidParameter {
                    name: "k",
                    reason: "must be at least 2".into(),
                });
            }
        }
        Ok(PowerLawOptions {
            rule,
            k,
            bootstrap,
            seed,
            level,
            clauset: ClausetOptions {
                level,
                ..ClausetOptions::default()
            },
        })
    }

    /// Replicates that will be run.
    pub fn replicates(&self) -> usize {
        self.bootstrap.unwrap_or(match self.rule {
            Rule::Paper => 0,
            Rule::Clauset => 1000,
        })
    }
}

/// The full power-law verdict on a sample (the `sgn-lab powerlaw` JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PowerLawReport {
    /// Non-zero values tested.
    pub n: usize,
    /// Exact zeros dropped.
    pub n_zero: usize,
    pub rule: Rule,
    pub n_tail: usize,
    pub xmin: f64,
    /// Fitted exponent α̂ (β̂ in the paper).
    pub alpha: f64,
    pub alpha_stderr: f64,
    pub ks_d: f64,
    /// c(level)/√n_tail.
    pub ks_critical: f64,
    pub level: f64,
    /// Paper rule, or Clauset without bootstrap: d_ks < d_c. Clauset with bootstrap: p > 0.1.
    pub power_law: bool,
    /// Bootstrap p-value (`None` without bootstrap).
    pub p_value: Option<f64>,
    /// Replicates used (0 = none).
    pub bootstrap: usize,
    pub vs_lognormal: LikelihoodRatio,
    pub vs_exponential: LikelihoodRatio,
}

/// The bootstrap p-value above which a power law is plausible (Clauset, Shalizi & Newman 2009,
/// SIAM Review 51(4), §4.1: "if p ≤ 0.1 the power law is ruled out").
pub const CLAUSET_P_PLAUSIBLE: f64 = 0.1;

/// Fewest non-zero values [`power_law_test`] accepts with the paper rule (a KS test on fewer
/// than 10 values says nothing; the asymptotic critical values need more still).
pub const PAPER_MIN_N: usize = 10;

/// |x| with exact zeros dropped; returns (values, number of zeros). Errors on non-finite input.
pub fn abs_nonzero(values: &[f64]) -> Result<(Vec<f64>, usize), StatsError> {
    super::check_finite(values)?;
    let v: Vec<f64> = values.iter().filter(|x| **x != 0.0).map(|x| x.abs()).collect();
    let z = values.len() - v.len();
    Ok((v, z))
}

/// The power-law test on a signed sample: |x| with exact zeros dropped, then the paper rule
/// ([`fit_top_k`], K = min(1000, n) unless given) or the Clauset rule ([`fit_clauset`]), the
/// optional semi-parametric bootstrap (re-fitting by the same rule in every replicate), and Vuong
/// tests against lognormal and exponential fitted on the same tail ([`super::vuong`]).
/// `progress(done, total)` reports bootstrap replicates; return `false` to cancel.
pub fn power_law_test<F: FnMut(usize, usize) -> bool>(
    values: &[f64],
    opts: &PowerLawOptions,
    progress: F,
) -> Result<PowerLawReport, StatsError> {
    let (v, n_zero) = abs_nonzero(values)?;
    let mut x = v;
    let n = x.len();
    // Finite and positive: partial_cmp never fails here.
    let cmp = |a: &f64, b: &f64| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal);
    match opts.rule {
        // The paper rule needs only the top K sorted (and the rest below them for a bootstrap).
        Rule::Paper if n > 0 => {
            let k = opts.k.unwrap_or(1000).min(n);
            if k < n {
                x.select_nth_unstable_by(n - k, cmp);
            }
            x[n - k..].sort_unstable_by(cmp);
        }
        _ => x.sort_unstable_by(cmp),
    }
    if n > 0 {
        let (lo, hi) = x
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(l, h), &v| (l.min(v), h.max(v)));
        if lo == hi {
            return Err(StatsError::AllEqual { what: "power-law test" });
        }
    }
    if n == 0 {
        return Err(StatsError::AllZero { what: "power-law test" });
    }
    let needed = match opts.rule {
        Rule::Paper => PAPER_MIN_N,
        Rule::Clauset => opts.clauset.min_tail,
    };
    if n < needed {
        return Err(StatsError::TooFew {
            test: "power-law test (non-zero values)",
            needed,
            got: n,
        });
    }
    let reps = opts.replicates();
    let (j, alpha, ks_d, ks_critical, mut power_law) = match opts.rule {
        Rule::Paper => {
            let k = opts.k.unwrap_or(1000).min(n);
            let f = fit_top_k(&x[n - k..], k, opts.level)?;
            (n - k, f.alpha, f.ks_d, f.ks_critical, f.power_law)
        }
        Rule::Clauset => {
            let co = ClausetOptions {
                level: opts.level,
                ..opts.clauset.clone()
            };
            let mut s = Scratch::default();
            let (j, a, d, _) = scan_sorted(&x, &co, &mut s)?;
            let crit = opts.level.ks_critical(n - j);
            (j, a, d, crit, d < crit)
        }
    };
    let n_tail = n - j;
    let xmin = x[j];
    let tail = &x[j..];
    let mut p_value = None;
    let mut used = 0;
    if reps > 0 {
        let co = ClausetOptions {
            level: opts.level,
            ..opts.clauset.clone()
        };
        let refit = match opts.rule {
            Rule::Paper => Refit::TopK(n_tail),
            Rule::Clauset => Refit::Clauset(&co),
        };
        let b = bootstrap_sorted(
            &x,
            j,
            alpha,
            ks_d,
            refit,
            co.ks,
            &BootstrapOptions {
                replicates: reps,
                seed: opts.seed,
            },
            progress,
        )?;
        p_value = Some(b.p_value);
        used = b.replicates;
        if opts.rule == Rule::Clauset {
            power_law = b.p_value > CLAUSET_P_PLAUSIBLE;
        }
    }
    let (vs_lognormal, _) = super::vuong::vs_lognormal(tail, xmin, alpha)?;
    let (vs_exponential, _) = super::vuong::vs_exponential(tail, xmin, alpha)?;
    Ok(PowerLawReport {
        n,
        n_zero,
        rule: opts.rule,
        n_tail,
        xmin,
        alpha,
        alpha_stderr: (alpha - 1.0) / (n_tail as f64).sqrt(),
        ks_d,
        ks_critical,
        level: opts.level.alpha(),
        power_law,
        p_value,
        bootstrap: used,
        vs_lognormal,
        vs_exponential,
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
