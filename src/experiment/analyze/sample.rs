//! One sample's statistics accumulated value by value, so a sample need not be held in memory
//! (a 25 M-coordinate gradient in the page, a 2 GB dump natively). What streams and what not:
//!
//! - **paper rule** (top-K KS test, `stats::powerlaw`): needs only the K largest |x| (a min-heap
//!   of K values), the count of non-zero values and whether they are all equal. The report is
//!   *identical* to [`power_law_test`] on the whole sample: the same K values reach the same
//!   [`fit_top_k`] and Vuong tests (which see only the tail).
//! - **moments** (mean, std, skewness, kurtosis; Pébay 2008, "Formulas for robust, one-pass
//!   parallel computation of covariances and arbitrary-order statistical moments", SAND2008-6212,
//!   eq. 1.1–1.3), hence D'Agostino–Pearson K² and Jarque–Bera: one pass, agreeing with the
//!   two-pass [`moments`](crate::stats::normality::moments) to round-off.
//! - **CCDF** for the chart: exact P(|X| ≥ x) at the top K ranks (the heap) and at the lower
//!   edges of logarithmic bins (the exponent and top 3 mantissa bits of |x|: 8 bins per octave,
//!   a count per bin).
//! - **not streamed**: Clauset's x_min scan and bootstrap, Shapiro–Wilk, Anderson–Darling and
//!   Lilliefors need every value sorted. They run on the whole sample when it is kept
//!   ([`Keep`]: at most [`EXACT_MAX`] values); above that the Gaussianity report carries the
//!   moment tests only (`streamed: true`) and the Clauset rule is refused.

use crate::experiment::measure::ccdf_summary;
use crate::stats::normality::{
    dagostino_pearson_from_moments, jarque_bera_from_moments, AndersonDarling, DagostinoPearson, JarqueBera,
    Lilliefors, Moments, ShapiroWilk,
};
use crate::stats::powerlaw::{fit_top_k, power_law_test, PowerLawOptions, PowerLawReport, Rule, PAPER_MIN_N};
use crate::stats::{normality, StatsError};
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Largest sample kept whole for the tests that need every value (8 bytes per value: 32 MiB).
pub const EXACT_MAX: usize = 1 << 22;

/// Gaussianity of one sample: every test when the sample was kept whole, else (`streamed`) the
/// moment-based ones only (Shapiro–Wilk is `null` above 5000 values in either case).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gaussianity {
    pub n: usize,
    pub mean: f64,
    pub std: f64,
    pub skewness: f64,
    pub excess_kurtosis: f64,
    pub shapiro_wilk: Option<ShapiroWilk>,
    pub dagostino_pearson: DagostinoPearson,
    pub jarque_bera: JarqueBera,
    pub anderson_darling: Option<AndersonDarling>,
    pub lilliefors: Option<Lilliefors>,
    /// True when the sample exceeded [`EXACT_MAX`] values and only its streamed moments were used.
    pub streamed: bool,
}

impl From<crate::stats::NormalityReport> for Gaussianity {
    fn from(r: crate::stats::NormalityReport) -> Self {
        Gaussianity {
            n: r.n,
            mean: r.mean,
            std: r.std,
            skewness: r.skewness,
            excess_kurtosis: r.excess_kurtosis,
            shapiro_wilk: r.shapiro_wilk,
            dagostino_pearson: r.dagostino_pearson,
            jarque_bera: r.jarque_bera,
            anderson_darling: Some(r.anderson_darling),
            lilliefors: Some(r.lilliefors),
            streamed: false,
        }
    }
}

/// What an accumulator keeps besides the power-law tail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// The verdict only (paper rule: the top-K heap; Clauset: every value).
    Verdict,
    /// Verdict, Gaussianity and CCDF: every value up to [`EXACT_MAX`], moments and the CCDF bins.
    Full,
}

/// Logarithmic bins of |x| > 0: the f64 bits above the 49th (sign, exponent, 3 mantissa bits).
const BIN_SHIFT: u32 = 49;
const BINS: usize = 1 << (63 - BIN_SHIFT);

/// One-pass moments M₂, M₃, M₄ about the running mean (Pébay 2008, eq. 1.1–1.3).
#[derive(Debug, Clone, Default)]
struct OnePass {
    n: u64,
    mean: f64,
    m2: f64,
    m3: f64,
    m4: f64,
}

impl OnePass {
    #[inline]
    fn push(&mut self, x: f64) {
        let n1 = self.n as f64;
        self.n += 1;
        let n = self.n as f64;
        let delta = x - self.mean;
        let dn = delta / n;
        let dn2 = dn * dn;
        let t1 = delta * dn * n1;
        self.mean += dn;
        self.m4 += t1 * dn2 * (n * n - 3.0 * n + 3.0) + 6.0 * dn2 * self.m2 - 4.0 * dn * self.m3;
        self.m3 += t1 * dn * (n - 2.0) - 3.0 * dn * self.m2;
        self.m2 += t1;
    }

    /// The same quantities as `stats::normality::moments` (std with n − 1; biased g₁, g₂).
    fn moments(&self) -> Result<Moments, StatsError> {
        let n = self.n as f64;
        let (m2, m3, m4) = (self.m2 / n, self.m3 / n, self.m4 / n);
        if m2.is_nan() || m2 <= 0.0 {
            return Err(StatsError::AllEqual { what: "sample moments" });
        }
        let (skewness, excess_kurtosis, std) = (
            m3 / crate::libm_f64::LibmF64::powf_(m2, 1.5),
            m4 / (m2 * m2) - 3.0,
            (self.m2 / (n - 1.0)).sqrt(),
        );
        if !(skewness.is_finite() && excess_kurtosis.is_finite() && std.is_finite() && self.mean.is_finite()) {
            return Err(StatsError::Numerical("sample moments"));
        }
        Ok(Moments {
            n: self.n as usize,
            mean: self.mean,
            std,
            skewness,
            excess_kurtosis,
        })
    }
}

/// The statistics of one sample, fed value by value ([`SampleAcc::push`]).
#[derive(Debug, Clone)]
pub struct SampleAcc {
    rule: Rule,
    keep: Keep,
    /// K of the paper rule.
    k: usize,
    len: usize,
    n_zero: usize,
    /// Smallest and largest |x| over the non-zero values.
    lo: f64,
    hi: f64,
    /// The K largest |x| (bits of positive finite f64 order like the numbers).
    top: BinaryHeap<Reverse<u64>>,
    /// Every value, while there are at most `keep_max` of them.
    values: Option<Vec<f64>>,
    keep_max: usize,
    moments: Option<OnePass>,
    bins: Vec<u64>,
}

impl SampleAcc {
    /// An accumulator for a sample of (at most) `len_hint` values under `opts`.
    pub fn new(opts: &PowerLawOptions, keep: Keep, len_hint: usize) -> SampleAcc {
        let k = opts.k.unwrap_or(1000);
        let keep_max = match (opts.rule, keep) {
            (Rule::Clauset, _) => usize::MAX,
            (Rule::Paper, Keep::Full) => EXACT_MAX,
            (Rule::Paper, Keep::Verdict) => 0,
        };
        let full = keep == Keep::Full;
        SampleAcc {
            rule: opts.rule,
            keep,
            k,
            len: 0,
            n_zero: 0,
            lo: f64::INFINITY,
            hi: 0.0,
            top: BinaryHeap::with_capacity(if opts.rule == Rule::Paper {
                k.min(len_hint) + 1
            } else {
                0
            }),
            // A sample known to exceed the limit is not kept at all (it would be dropped anyway).
            values: (keep_max > 0 && len_hint <= keep_max).then(|| Vec::with_capacity(len_hint)),
            keep_max,
            moments: full.then(OnePass::default),
            bins: if full { vec![0; BINS] } else { Vec::new() },
        }
    }

    /// Bytes an accumulator allocates for a sample of `len` values (memory estimates).
    pub fn bytes(opts: &PowerLawOptions, keep: Keep, len: usize) -> u64 {
        let k = opts.k.unwrap_or(1000).min(len) as u64;
        let kept = match (opts.rule, keep) {
            (Rule::Clauset, _) => len,
            (Rule::Paper, Keep::Full) if len <= EXACT_MAX => len,
            (Rule::Paper, _) => 0,
        } as u64;
        let bins = if keep == Keep::Full { BINS as u64 * 8 } else { 0 };
        256 + 8 * (k + 1) + 8 * kept + bins
    }

    /// Adds one value (finite: the sources refuse non-finite values before they get here).
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.len += 1;
        if let Some(v) = &mut self.values {
            if v.len() < self.keep_max {
                v.push(x);
            } else {
                self.values = None;
            }
        }
        if let Some(m) = &mut self.moments {
            m.push(x);
        }
        if x == 0.0 {
            self.n_zero += 1;
            return;
        }
        let a = x.abs();
        self.lo = self.lo.min(a);
        self.hi = self.hi.max(a);
        if self.rule == Rule::Paper {
            let bits = a.to_bits();
            if self.top.len() < self.k {
                self.top.push(Reverse(bits));
            } else if self.top.peek().is_some_and(|r| bits > r.0) {
                self.top.pop();
                self.top.push(Reverse(bits));
            }
        }
        if !self.bins.is_empty() {
            self.bins[(a.to_bits() >> BIN_SHIFT) as usize] += 1;
        }
    }

    /// Values pushed.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no value was pushed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The whole sample when it was kept.
    pub fn values(&self) -> Option<&[f64]> {
        self.values.as_deref()
    }

    /// The power-law report, identical to [`power_law_test`] on the whole sample (module doc).
    pub fn power_law(&self, opts: &PowerLawOptions) -> Result<PowerLawReport, StatsError> {
        if let Some(v) = &self.values {
            return power_law_test(v, opts, |_, _| true);
        }
        if self.rule != Rule::Paper || opts.rule != Rule::Paper || opts.replicates() > 0 {
            return Err(StatsError::TooMany {
                test: "Clauset's rule and the bootstrap (they need the whole sample in memory)",
                max: EXACT_MAX,
                got: self.len,
            });
        }
        let n = self.len - self.n_zero;
        if n > 0 && self.lo == self.hi {
            return Err(StatsError::AllEqual { what: "power-law test" });
        }
        if n < PAPER_MIN_N {
            return Err(StatsError::TooFew {
                test: "power-law test (non-zero values)",
                needed: PAPER_MIN_N,
                got: n,
            });
        }
        let tail = self.tail_ascending();
        let k = tail.len();
        let f = fit_top_k(&tail, k, opts.level)?;
        let xmin = tail[0];
        let (vs_lognormal, _) = crate::stats::vuong::vs_lognormal(&tail, xmin, f.alpha)?;
        let (vs_exponential, _) = crate::stats::vuong::vs_exponential(&tail, xmin, f.alpha)?;
        Ok(PowerLawReport {
            n,
            n_zero: self.n_zero,
            rule: Rule::Paper,
            n_tail: k,
            xmin,
            alpha: f.alpha,
            alpha_stderr: (f.alpha - 1.0) / (k as f64).sqrt(),
            ks_d: f.ks_d,
            ks_critical: f.ks_critical,
            level: opts.level.alpha(),
            power_law: f.power_law,
            p_value: None,
            bootstrap: 0,
            vs_lognormal,
            vs_exponential,
        })
    }

    fn tail_ascending(&self) -> Vec<f64> {
        let mut t: Vec<f64> = self.top.iter().map(|r| f64::from_bits(r.0)).collect();
        t.sort_unstable_by(|a, b| a.total_cmp(b));
        t
    }

    /// Gaussianity (module doc); `None` when the sample is too small or constant.
    pub fn gaussianity(&self) -> Option<Gaussianity> {
        if let Some(v) = &self.values {
            return normality(v).ok().map(Gaussianity::from);
        }
        let m = self.moments.as_ref()?;
        if m.n < crate::stats::normality::NORMALITY_MIN_N as u64 {
            return None;
        }
        let mo = m.moments().ok()?;
        Some(Gaussianity {
            n: mo.n,
            mean: mo.mean,
            std: mo.std,
            skewness: mo.skewness,
            excess_kurtosis: mo.excess_kurtosis,
            shapiro_wilk: None,
            dagostino_pearson: dagostino_pearson_from_moments(&mo).ok()?,
            jarque_bera: jarque_bera_from_moments(&mo),
            anderson_darling: None,
            lilliefors: None,
            streamed: true,
        })
    }

    /// The CCDF of |x| as points `[x, P(|X| ≥ x)]`, x ascending: `measure::ccdf_summary` of
    /// the whole sample when it was kept, else exact values at the heap's ranks and at the
    /// lower edges of the bins below them (at most ~400 points either way).
    pub fn ccdf(&self, n_tail: usize) -> Vec<[f64; 2]> {
        if let Some(v) = &self.values {
            return ccdf_summary(v, n_tail);
        }
        let n = self.len - self.n_zero;
        if n == 0 || self.bins.is_empty() {
            return Vec::new();
        }
        let nf = n as f64;
        let tail = self.tail_ascending();
        let k = tail.len();
        let mut pts: Vec<[f64; 2]> = Vec::new();
        // Bins strictly below the smallest heap value: P(|X| ≥ edge) = (values in bins ≥ it)/n.
        let cut = tail.first().map_or(u64::MAX, |v| v.to_bits() >> BIN_SHIFT) as usize;
        let mut above: u64 = self.bins[cut.min(BINS)..].iter().sum();
        let mut edges = Vec::new();
        for b in (0..cut.min(BINS)).rev() {
            if self.bins[b] > 0 {
                above += self.bins[b];
                edges.push([f64::from_bits((b as u64) << BIN_SHIFT).max(self.lo), above as f64 / nf]);
            }
        }
        edges.reverse();
        let step = edges.len().div_ceil(250).max(1);
        let last = edges.len().saturating_sub(1);
        pts.extend(
            edges
                .iter()
                .enumerate()
                .filter(|(i, _)| i % step == 0 || *i == last)
                .map(|(_, p)| *p),
        );
        // The heap's ranks: the r-th largest of n, P = #{≥ x}/n counting ties in full.
        let keep = (0..k).filter(|&i| k <= 150 || i >= k - 100 || i % (k / 50).max(1) == 0);
        for i in keep {
            let x = tail[i];
            let ge = k - tail.partition_point(|v| *v < x);
            let p = [x, ge as f64 / nf];
            if pts.last() != Some(&p) {
                pts.push(p);
            }
        }
        pts
    }

    /// What the sample was accumulated for.
    pub fn keep(&self) -> Keep {
        self.keep
    }
}
