//! The measurement's settings ([`AnalysisConfig`], the configuration's `analysis` part as it is),
//! each default and each range written once: the struct's `Default`, the constants below and its
//! one [`AnalysisConfig::check`]. [`AnalysisConfig::measure_params`] builds what [`super::measure`]
//! runs from it (the seeded tail and spectrum options, the [`Level`]); [`super::MeasureParams`]'s
//! defaults and ranges are these.

use super::MeasureParams;
use crate::params::{range_text, within, within_opt, OutOfRange};
use crate::spectrum::{FitParams, SpectrumOptions};
use crate::stats::powerlaw::{PowerLawOptions, Rule, MIN_K};
use crate::stats::Level;
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;

/// Paper rule's K, when given (at least the rule's [`MIN_K`]).
pub const K: RangeInclusive<usize> = MIN_K..=1_000_000;
/// Spectrum fit's K, when given (at least [`MIN_K`]).
pub const SPECTRUM_K: RangeInclusive<usize> = MIN_K..=100_000;
/// Top eigenvalues left out of the spectrum fit (and at least K left to fit: checked against
/// the rank bound once the data are known).
pub const SPECTRUM_SKIP: RangeInclusive<usize> = 0..=100_000;
/// M, the minibatch draws of the iteration-wise SGN.
pub const DRAWS: RangeInclusive<usize> = 10..=5000;
/// Dimension-wise draws.
pub const DIM_DRAWS: RangeInclusive<usize> = 1..=100;
/// Bootstrap replicates of the example tail tests: 2000 resolve a p-value near 0.1 to ±0.007
/// (CSN §4.1 asks for ±0.01 at 2500; more cost minutes in the page).
pub const BOOTSTRAP: RangeInclusive<usize> = 0..=2000;
/// Top eigenvectors of the Davis–Kahan view (0 = off).
pub const DAVIS_KAHAN_TOP: RangeInclusive<usize> = 0..=200;

/// Dimension-wise draws per measurement by default: a power-law rate from n draws has a 95 %
/// Wilson interval about ±1/√n wide at one half (±0.28 at n = 10: a coin; ±0.17 at 30), and
/// pooled over the 10 replicates of a preset ±0.06 — for one minibatch gradient and one tail test
/// per draw (`docs/PROTOCOL.md` §5.1).
pub const DEFAULT_DIM_DRAWS: usize = 30;

/// Analyses at a frozen θ (PROTOCOL §5.1).
///
/// `level` stays the JSON number (f64) at this edge rather than a [`Level`]: a configuration or
/// link with another number (0.2) then reads, and is refused by [`AnalysisConfig::check`] as
/// `analysis.level` out of range like every other setting, instead of failing to parse; the
/// bytes would be the same either way (`Level` serialises as its α).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnalysisConfig {
    pub rule: Rule,
    /// Significance level of the KS decisions: 0.10, 0.05 or 0.01 ([`Level::ALL`]).
    pub level: f64,
    /// Paper rule's K ∈ [`K`] (`None`: min(1000, n)).
    pub k: Option<usize>,
    /// M draws for the iteration-wise SGN ([`DRAWS`]).
    pub draws: usize,
    /// Dimension-wise draws ([`DIM_DRAWS`]).
    pub dim_draws: usize,
    /// N_cov samples of the covariance spectrum, at most (`check` uses min(n_cov, N) on a
    /// training set of N samples; 0 = no spectrum).
    pub n_cov: usize,
    /// Spectrum fit's K ∈ [`SPECTRUM_K`] (`None`: min(1000, rank/2)).
    pub spectrum_k: Option<usize>,
    /// Top eigenvalues left out of the spectrum fit ([`SPECTRUM_SKIP`]).
    pub spectrum_skip: usize,
    /// Gaussian (Marchenko–Pastur) baseline of the same shape and trace.
    pub baseline: bool,
    /// Davis–Kahan view over the top this-many eigenvectors ([`DAVIS_KAHAN_TOP`]; 0 = off).
    pub davis_kahan_top: usize,
    /// Also measure at θ₀ (before training).
    pub measure_init: bool,
    /// Bootstrap replicates for the goodness-of-fit p-value of the two iteration-wise example
    /// tail tests ([`BOOTSTRAP`]; 0 = none, today's behaviour). Power-law *rates* never
    /// bootstrap (Clauset's verdict is then d_ks < c(α)/√n_tail). Cost: each replicate draws and
    /// re-fits a synthetic sample of the example's size (M or T values, the Clauset rule
    /// re-scanning x_min), so 1000 replicates take about 1000 × one tail test. Not serialised
    /// when 0, so reports and URL hashes of configurations without it are unchanged.
    #[serde(skip_serializing_if = "is_zero")]
    pub bootstrap: usize,
}

fn is_zero(v: &usize) -> bool {
    *v == 0
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        AnalysisConfig {
            rule: Rule::Paper,
            level: Level::P05.alpha(),
            k: None,
            draws: 200,
            dim_draws: DEFAULT_DIM_DRAWS,
            n_cov: 1000,
            spectrum_k: None,
            spectrum_skip: 0,
            baseline: true,
            davis_kahan_top: 0,
            measure_init: false,
            bootstrap: 0,
        }
    }
}

impl AnalysisConfig {
    /// Every range that needs no data (the spectrum fit's rank bound needs N and P:
    /// [`crate::experiment::config::check_spectrum_skip`]; N_cov is capped at N).
    pub fn check(&self) -> Result<(), OutOfRange> {
        self.level()?;
        within_opt("analysis.k", self.k, &K)?;
        within_opt("analysis.spectrum_k", self.spectrum_k, &SPECTRUM_K)?;
        within("analysis.draws", self.draws, &DRAWS)?;
        within("analysis.dim_draws", self.dim_draws, &DIM_DRAWS)?;
        within("analysis.bootstrap", self.bootstrap, &BOOTSTRAP)?;
        if !SPECTRUM_SKIP.contains(&self.spectrum_skip) {
            return Err(OutOfRange::new(
                "analysis.spectrum_skip",
                self.spectrum_skip,
                format!("{}, leaving at least K eigenvalues to fit", range_text(&SPECTRUM_SKIP)),
            ));
        }
        within("analysis.davis_kahan_top", self.davis_kahan_top, &DAVIS_KAHAN_TOP)
    }

    /// `level` as a [`Level`], else `analysis.level` out of range.
    pub fn level(&self) -> Result<Level, OutOfRange> {
        level("analysis.level", self.level)
    }

    /// What [`super::measure`] runs for these settings, with minibatch size `batch_size`
    /// (normally the training batch size), `n_tracked` parameters when the trainer has no log,
    /// and every draw seeded by `seed`: the settings themselves and the values built from them
    /// (the [`Level`], the tail test's options, the spectrum fit's, the baseline's and
    /// Davis–Kahan's seeds). Ranges are [`AnalysisConfig::check`]'s.
    pub fn measure_params(&self, batch_size: usize, n_tracked: usize, seed: u64) -> Result<MeasureParams, OutOfRange> {
        let level = self.level()?;
        let tail = PowerLawOptions::new(self.rule, self.k, Some(self.bootstrap), seed, level)
            .map_err(|e| OutOfRange::new("analysis.k", e, "≥ 2"))?;
        let fit = FitParams::new(self.spectrum_k, self.spectrum_skip, level)
            .map_err(|e| OutOfRange::new("analysis.spectrum_k", e, range_text(&SPECTRUM_K)))?;
        let spectrum = SpectrumOptions {
            fit,
            baseline_seed: self.baseline.then_some(seed),
            davis_kahan: (self.davis_kahan_top > 0).then_some((self.davis_kahan_top, seed)),
            batch_size: None,
        };
        Ok(MeasureParams {
            batch_size,
            draws: self.draws,
            dim_draws: self.dim_draws,
            n_tracked,
            n_cov: self.n_cov,
            tail,
            example_bootstrap: self.bootstrap,
            spectrum,
            seed,
        })
    }
}

/// α ∈ {0.10, 0.05, 0.01} → [`Level`] (`Level::try_from`), else [`OutOfRange`] naming `field`.
pub fn level(field: &'static str, alpha: f64) -> Result<Level, OutOfRange> {
    Level::try_from(alpha).map_err(|_| OutOfRange::new(field, alpha, "0.10, 0.05 or 0.01"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each range of the measurement is enforced at its edges by the one check, with the one
    /// error type naming the configuration key, and the default passes.
    #[test]
    fn each_range_is_enforced_at_its_edges() {
        assert_eq!(AnalysisConfig::default().check(), Ok(()));
        type Set = fn(&mut AnalysisConfig, usize);
        let cases: [(&str, &RangeInclusive<usize>, Set); 7] = [
            ("analysis.k", &K, |a, v| a.k = Some(v)),
            ("analysis.spectrum_k", &SPECTRUM_K, |a, v| a.spectrum_k = Some(v)),
            ("analysis.spectrum_skip", &SPECTRUM_SKIP, |a, v| a.spectrum_skip = v),
            ("analysis.draws", &DRAWS, |a, v| a.draws = v),
            ("analysis.dim_draws", &DIM_DRAWS, |a, v| a.dim_draws = v),
            ("analysis.bootstrap", &BOOTSTRAP, |a, v| a.bootstrap = v),
            ("analysis.davis_kahan_top", &DAVIS_KAHAN_TOP, |a, v| {
                a.davis_kahan_top = v
            }),
        ];
        for (field, r, set) in cases {
            let at = |v: usize| {
                let mut a = AnalysisConfig::default();
                set(&mut a, v);
                a.check()
            };
            assert_eq!(at(*r.start()), Ok(()), "{field}");
            assert_eq!(at(*r.end()), Ok(()), "{field}");
            let above = at(r.end() + 1).unwrap_err();
            assert_eq!(
                (above.field, above.value.as_str()),
                (field, (r.end() + 1).to_string().as_str())
            );
            assert!(above.range.starts_with(&range_text(r)), "{above}");
            if *r.start() > 0 {
                assert_eq!(at(r.start() - 1).unwrap_err().field, field);
            }
        }
        for l in Level::ALL {
            let a = AnalysisConfig {
                level: l.alpha(),
                ..AnalysisConfig::default()
            };
            assert_eq!(a.level(), Ok(l));
        }
        let a = AnalysisConfig {
            level: 0.2,
            ..AnalysisConfig::default()
        };
        assert_eq!(a.check().unwrap_err().field, "analysis.level");
    }

    /// `Level` (de)serialises as its α, the bytes the configuration's f64 would give.
    #[test]
    fn level_is_its_alpha_in_json() {
        for l in Level::ALL {
            let j = serde_json::to_string(&l).unwrap();
            assert_eq!(j, serde_json::to_string(&l.alpha()).unwrap());
            assert_eq!(serde_json::from_str::<Level>(&j).unwrap(), l);
        }
        assert!(serde_json::from_str::<Level>("0.2").is_err());
    }
}
