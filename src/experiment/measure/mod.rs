//! The paper's measurements at one frozen θ of a trainer (Xie et al. 2023 §3–§4;
//! `docs/PROTOCOL.md` §5):
//!
//! - **dimension-wise** samples: all P coordinates of a minibatch gradient g_B(θ) and of its
//!   noise ξ = g_B(θ) − ∇L(θ), for `dim_draws` independent minibatches;
//! - **iteration-wise** samples: for each of m tracked parameters, its gradient over the T
//!   logged training steps (from the trainer's [`GradientLog`](crate::train::GradientLog)), and
//!   its ξ over M independent minibatch draws at the frozen θ;
//! - **Table A**: the power-law rate of each of the four kinds of sample;
//! - the **covariance spectrum** of C₁(θ) over N_cov per-sample gradients (Gram route), with its
//!   power-law fit, the Gaussian baseline and the theory views.
//!
//! This file holds what is measured and reported ([`MeasureParams`], [`GradientStructure`],
//! [`TableA`]); [`sample`] the test of one sample ([`TailTest`]) and its compact CCDF
//! ([`ccdf_summary`]); [`run`] the measurement itself ([`measure`]) and the seeded choice of
//! tracked parameters.

pub mod analysis;
pub mod run;
pub mod sample;

pub use analysis::AnalysisConfig;

pub use run::{choose_tracked, measure, measure_deferred, Example, PendingBootstrap, PendingMeasurement};
pub use sample::{ccdf_summary, TailTest, CCDF_POINTS};

use crate::params::{within, OutOfRange};
use crate::spectrum::{SpectrumAnalysis, SpectrumError, SpectrumOptions};
use crate::stats::powerlaw::PowerLawOptions;
use crate::stats::{PowerLawRate, StatsError};
use crate::train::TrainError;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Stream ids of this module's random draws (xored into the seed, see [`crate::rng::substream`]).
const DIM_DRAW_STREAM: u64 = 0x4449_4d00;
const TRACK_STREAM: u64 = 0x4d54_524b;
const COV_STREAM: u64 = 0x434f_5600;

/// Most tracked parameters m of a measurement (the end of [`crate::train::TRACKED`]).
pub const MAX_TRACKED: usize = *crate::train::TRACKED.end();
/// Most bootstrap replicates of the example tail tests (the end of [`analysis::BOOTSTRAP`]).
pub const MAX_BOOTSTRAP: usize = *analysis::BOOTSTRAP.end();

/// What to measure; validate with [`MeasureParams::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureParams {
    /// Minibatch size B of every draw at the frozen θ.
    pub batch_size: usize,
    /// M: minibatch draws for the iteration-wise SGN samples ([`analysis::DRAWS`]).
    pub draws: usize,
    /// Draws whose full g and ξ are tested dimension-wise ([`analysis::DIM_DRAWS`]).
    pub dim_draws: usize,
    /// m: tracked parameters when the trainer has no log ([`crate::train::TRACKED`]).
    pub n_tracked: usize,
    /// N_cov: samples in the covariance estimate (2..=n_train; 0 skips the spectrum).
    pub n_cov: usize,
    /// The tail test (rule, K, level). Power-law *rates* never bootstrap (Clauset's verdict is
    /// then d_ks < c(α)/√n_tail); see `example_bootstrap`.
    pub tail: PowerLawOptions,
    /// Bootstrap replicates for the goodness-of-fit p-value of the two iteration-wise example
    /// samples (0 = none; the dimension-wise samples, with ~10⁵ values, are never bootstrapped).
    pub example_bootstrap: usize,
    /// Spectrum fit, baseline and theory options.
    pub spectrum: SpectrumOptions,
    /// Seed of every draw made here.
    pub seed: u64,
}

impl Default for MeasureParams {
    /// The protocol's defaults (`docs/PROTOCOL.md` §5.1), those of the configuration: the
    /// training batch size B ([`crate::train::SgdParams`]), m of the log
    /// ([`crate::train::LogParams`]), and [`AnalysisConfig::default`]'s M, dimension-wise draws,
    /// N_cov, tail rule and level, spectrum fit and Gaussian baseline, no Davis–Kahan view; seed 0.
    fn default() -> Self {
        let batch_size = crate::train::SgdParams::default().batch_size;
        let n_tracked = crate::train::LogParams::default().n_tracked;
        AnalysisConfig::default()
            .measure_params(batch_size, n_tracked, 0)
            .expect("the default analysis settings are in range")
    }
}

/// Why a measurement failed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MeasureError {
    /// [`OutOfRange`], the one range error.
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
    #[error("cancelled")]
    Cancelled,
    #[error("every coordinate of the full-batch gradient is zero at this θ: nothing to track")]
    NoSignal,
    #[error(transparent)]
    Train(#[from] TrainError),
    #[error(transparent)]
    Stats(StatsError),
    #[error(transparent)]
    Spectrum(#[from] SpectrumError),
}

impl From<StatsError> for MeasureError {
    fn from(e: StatsError) -> Self {
        match e {
            StatsError::Cancelled => MeasureError::Cancelled,
            e => MeasureError::Stats(e),
        }
    }
}

/// Checked [`MeasureParams`].
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureConfig(MeasureParams);

impl MeasureParams {
    /// Validates every range against the training set size `n_train` (the ranges of
    /// [`AnalysisConfig`] and [`crate::train::LogParams`], B ≤ N, N_cov 0 or in 2..=N).
    pub fn check(self, n_train: usize) -> Result<MeasureConfig, MeasureError> {
        within("batch_size", self.batch_size, &(1..=n_train.max(1)))?;
        within("draws", self.draws, &analysis::DRAWS)?;
        within("dim_draws", self.dim_draws, &analysis::DIM_DRAWS)?;
        within("n_tracked", self.n_tracked, &crate::train::TRACKED)?;
        within("example_bootstrap", self.example_bootstrap, &analysis::BOOTSTRAP)?;
        if self.n_cov != 0 {
            within("n_cov", self.n_cov, &(2..=n_train))?;
        }
        Ok(MeasureConfig(self))
    }
}

impl MeasureConfig {
    pub fn params(&self) -> &MeasureParams {
        &self.0
    }
}
/// The paper's Table A at one θ: power-law rates of the four kinds of sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableA {
    pub dimension_g: PowerLawRate,
    pub dimension_sgn: PowerLawRate,
    /// `None` without a training log.
    pub iteration_g: Option<PowerLawRate>,
    pub iteration_sgn: PowerLawRate,
}

/// Everything measured at one θ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradientStructure {
    /// Training steps taken before θ.
    pub step: u64,
    pub n_params: usize,
    pub batch_size: usize,
    /// M.
    pub draws: usize,
    /// T, iteration-wise g sample length (0 without a log).
    pub logged_steps: usize,
    /// The tracked parameter indices (flattening order).
    pub tracked: Vec<usize>,
    /// Mean data loss over the training set at θ.
    pub full_loss: f64,
    /// The tail rule and level α of every tail test here.
    pub rule: crate::stats::Rule,
    pub level: f64,
    /// The first dimension-wise draw whose g (and whose ξ) could be tested (`None`: none could;
    /// see `untested`).
    pub dimension_g: Option<TailTest>,
    pub dimension_sgn: Option<TailTest>,
    /// The first tracked parameter that could be tested, over the logged steps.
    pub iteration_g: Option<TailTest>,
    /// The first tracked parameter that could be tested, over the M draws.
    pub iteration_sgn: Option<TailTest>,
    pub table_a: TableA,
    pub spectrum: Option<SpectrumAnalysis>,
    /// Samples that could not be tested and why (a degenerate sample is reported, never an
    /// error of the whole measurement).
    pub untested: Vec<Untested>,
}

/// A sample that could not be tested.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Untested {
    pub sample: String,
    pub reason: String,
}
/// Stage names reported to the progress callback, in order.
pub const STAGES: [&str; 6] = [
    "full-batch gradient",
    "dimension-wise tests",
    "iteration-wise tests",
    "per-sample gradients",
    "spectrum",
    "bootstrap p-values",
];
