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
//!
//! # Layout
//!
//! - this file: the [`Level`] of the KS decision, the tail [`Rule`], [`PowerLawOptions`],
//!   [`PowerLawReport`] and [`power_law_test`];
//! - [`paper`]: the top-K rule [`fit_top_k`];
//! - [`clauset`]: the CSN x_min scan [`fit_clauset`] and its [`ClausetOptions`];
//! - [`ks`]: the KS distance to the fitted power law ([`KsConvention`], the bounded scan);
//! - [`bootstrap`]: the semi-parametric bootstrap p-value ([`fit_clauset_bootstrap`]).

use serde::{Deserialize, Serialize};

use super::vuong::LikelihoodRatio;
use super::StatsError;

pub mod bootstrap;
pub mod clauset;
pub mod ks;
pub mod paper;

pub use bootstrap::{
    fit_clauset_bootstrap, BootstrapCounts, BootstrapJob, BootstrapOptions, BootstrapResult, Refit, CHUNK,
};
pub use clauset::{fit_clauset, ClausetFit, ClausetOptions};
pub use ks::KsConvention;
pub use paper::{fit_top_k, TopKFit, MIN_K};

use clauset::{scan_sorted, Scratch};

/// Significance level of the KS decision (α = 0.10, 0.05 or 0.01). Serialised as α, the JSON
/// number (`0.05`), and read from it (any other number is refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(into = "f64", try_from = "f64")]
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
    /// Every level, largest α first.
    pub const ALL: [Level; 3] = [Level::P10, Level::P05, Level::P01];

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
        for l in Level::ALL {
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

impl From<Level> for f64 {
    fn from(l: Level) -> f64 {
        l.alpha()
    }
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Validated options: `k ≥` [`MIN_K`] when given.
    pub fn new(
        rule: Rule,
        k: Option<usize>,
        bootstrap: Option<usize>,
        seed: u64,
        level: Level,
    ) -> Result<Self, StatsError> {
        if let Some(k) = k {
            if k < MIN_K {
                return Err(StatsError::InvalidParameter {
                    name: "k",
                    reason: format!("must be at least {MIN_K}"),
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
/// The same as [`power_law_test_deferred`] followed by [`BootstrapJob::run`] and
/// [`PowerLawReport::with_bootstrap`].
pub fn power_law_test<F: FnMut(usize, usize) -> bool>(
    values: &[f64],
    opts: &PowerLawOptions,
    progress: F,
) -> Result<PowerLawReport, StatsError> {
    let (report, job) = power_law_test_deferred(values, opts)?;
    match job {
        Some(job) => Ok(report.with_bootstrap(&job.run(progress)?)),
        None => Ok(report),
    }
}

impl PowerLawReport {
    /// The report with its bootstrap's result: p, the replicates used and, for the Clauset
    /// rule, the verdict p > [`CLAUSET_P_PLAUSIBLE`] (CSN §4.1).
    pub fn with_bootstrap(mut self, b: &BootstrapResult) -> PowerLawReport {
        self.p_value = Some(b.p_value);
        self.bootstrap = b.replicates;
        if self.rule == Rule::Clauset {
            self.power_law = b.p_value > CLAUSET_P_PLAUSIBLE;
        }
        self
    }
}

/// [`power_law_test`] without running its bootstrap: the report as it stands before the
/// bootstrap (no p-value) and the bootstrap still to run, when `opts` asks for one, to be run
/// anywhere — on this thread, on rayon, or split between the page's pool workers — and applied
/// with [`PowerLawReport::with_bootstrap`].
pub fn power_law_test_deferred(
    values: &[f64],
    opts: &PowerLawOptions,
) -> Result<(PowerLawReport, Option<BootstrapJob>), StatsError> {
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
    let (j, alpha, ks_d, ks_critical, power_law) = match opts.rule {
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
    let (vs_lognormal, _) = super::vuong::vs_lognormal(tail, xmin, alpha)?;
    let (vs_exponential, _) = super::vuong::vs_exponential(tail, xmin, alpha)?;
    let report = PowerLawReport {
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
        p_value: None,
        bootstrap: 0,
        vs_lognormal,
        vs_exponential,
    };
    let job = (reps > 0).then(|| {
        let co = ClausetOptions {
            level: opts.level,
            ..opts.clauset.clone()
        };
        BootstrapJob {
            ks: co.ks,
            refit: match opts.rule {
                Rule::Paper => Refit::TopK(n_tail),
                Rule::Clauset => Refit::Clauset(co),
            },
            x,
            j,
            alpha,
            d_obs: ks_d,
            seed: opts.seed,
            replicates: reps,
        }
    });
    Ok((report, job))
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
}
