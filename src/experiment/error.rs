//! Why an experiment was refused or failed ([`ExperimentError`]), with the memory fit a refused
//! measurement carries ([`Fit`], [`FitSetting`]). Its own module so that the configuration, its
//! checks and the memory estimate all name it without importing each other.

use crate::data::DataError;
use crate::experiment::measure::{analysis, MeasureError};
use crate::params::OutOfRange;
use crate::spectrum::SpectrumError;
use crate::train::ConfigError;
use serde::Serialize;
use thiserror::Error;

/// Why an experiment configuration was refused or failed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ExperimentError {
    /// [`OutOfRange`], the one range error (from every part's `check()`).
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
    /// Both in MiB with one decimal and in exact bytes (a rounded MiB alone can print the same
    /// number twice).
    #[error("the experiment would need about {:.1} MiB ({estimate} bytes), above the cap of {:.1} MiB ({cap} bytes)", mib(*estimate), mib(*cap))]
    Memory { estimate: u64, cap: u64 },
    /// The measurement would take data + training + measurement (`estimate`) above the cap
    /// (training alone fits): `fit` names the setting that drives it and the largest value that
    /// fits ([`crate::experiment::memory::fit_measurement`]), `None` when no single setting does.
    #[error("{}", measurement_memory_text(*estimate, *cap, fit.as_ref()))]
    MeasurementMemory { estimate: u64, cap: u64, fit: Option<Fit> },
    /// A setting above what the data or the model hold (a batch larger than the training set,
    /// more tracked parameters than the network has): `largest` is the most it can be.
    #[error("{name} = {value} is more than {limit}: the largest value is {largest} ({field} ≤ {largest})")]
    AboveLimit {
        field: &'static str,
        name: &'static str,
        value: usize,
        largest: usize,
        limit: String,
    },
    /// LeNet-5 on data that are not 1×28×28 images.
    #[error("model LeNet-5 needs 28×28 images, and the dataset {dataset} has {features}: choose the dataset \"MNIST subset, 28×28\" (data.dataset = mnist, downsample 1) or an FCN model")]
    ModelNeedsImages { dataset: String, features: String },
    #[error("configuration: {0}")]
    Json(String),
    #[error("URL state: {0}")]
    Url(String),
    #[error("unknown preset {0:?} (see `sgn-lab presets`)")]
    UnknownPreset(String),
    #[error("dataset needs asset {0} which was not provided")]
    MissingAsset(&'static str),
    #[error("data: {0}")]
    Data(#[from] DataError),
    #[error("training configuration: {0}")]
    Train(#[from] ConfigError),
    #[error("training: {0}")]
    Run(#[from] crate::train::TrainError),
    #[error("measurement: {0}")]
    Measure(MeasureError),
    #[error("spectrum: {0}")]
    Spectrum(#[from] SpectrumError),
    #[error("cancelled")]
    Cancelled,
    /// A broken invariant of the library (a bug, not bad input): reported, never a panic.
    #[error("internal error (please report): {0}")]
    Internal(String),
    /// An arm trained but could not be measured (e.g. every gradient coordinate is exactly
    /// zero because the f32 softmax saturated on a memorised training set).
    #[error("{arm}: measurement failed: {message}")]
    ArmFailed { arm: String, message: String },
}

impl From<MeasureError> for ExperimentError {
    fn from(e: MeasureError) -> Self {
        match e {
            MeasureError::Cancelled => ExperimentError::Cancelled,
            e => ExperimentError::Measure(e),
        }
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1u32 << 20)
}

/// [`ExperimentError::MeasurementMemory`]'s message: both numbers in MiB and bytes, then the
/// setting with its configuration key and the largest value that fits (the CLI's user edits the
/// key; the page offers the value).
fn measurement_memory_text(estimate: u64, cap: u64, fit: Option<&Fit>) -> String {
    let head = format!(
        "the measurement would need about {:.1} MiB ({estimate} bytes) with the data and training, above the cap of {:.1} MiB ({cap} bytes)",
        mib(estimate),
        mib(cap)
    );
    match fit {
        Some(f) => {
            let off = if f.largest == 0 && matches!(f.setting, FitSetting::NCov | FitSetting::DavisKahanTop) {
                " (off)"
            } else {
                ""
            };
            format!(
                "{head}; {} = {} drives it: the largest value that fits is {}{off} ({} = {}, everything else unchanged)",
                f.name, f.value, f.largest, f.field, f.largest
            )
        }
        None => format!(
            "{head}; no single measurement setting (spectrum N_cov, draws M, tracked parameters m, Davis–Kahan top) brings it under the cap: lower several, or raise memory_cap (at most 4 GiB)"
        ),
    }
}

/// Refuses `estimate` above `cap` with [`ExperimentError::Memory`].
pub fn check_memory(estimate: u64, cap: u64) -> Result<(), ExperimentError> {
    if estimate > cap {
        Err(ExperimentError::Memory { estimate, cap })
    } else {
        Ok(())
    }
}

/// A measurement setting that [`crate::experiment::memory::fit_measurement`] can lower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FitSetting {
    /// `analysis.n_cov`: per-sample gradients of the spectrum (N_cov × P) and its N_cov² matrices.
    NCov,
    /// `analysis.draws`: the M × m minibatch draws of the iteration-wise SGN.
    Draws,
    /// `logging.n_tracked`: the N × m per-sample block and the log's T × m columns (training too).
    Tracked,
    /// `analysis.davis_kahan_top`: Davis–Kahan's ≈ 8 N_cov² of blocks and eigenvectors (0 = off).
    DavisKahanTop,
}

impl FitSetting {
    /// In the order a tie is decided (the one that trains last).
    pub const ALL: [FitSetting; 4] = [
        FitSetting::NCov,
        FitSetting::Draws,
        FitSetting::Tracked,
        FitSetting::DavisKahanTop,
    ];

    /// The configuration key.
    pub fn field(self) -> &'static str {
        match self {
            FitSetting::NCov => "analysis.n_cov",
            FitSetting::Draws => "analysis.draws",
            FitSetting::Tracked => "logging.n_tracked",
            FitSetting::DavisKahanTop => "analysis.davis_kahan_top",
        }
    }

    /// The name the page gives it.
    pub fn name(self) -> &'static str {
        match self {
            FitSetting::NCov => "spectrum N_cov",
            FitSetting::Draws => "draws M",
            FitSetting::Tracked => "tracked parameters m",
            FitSetting::DavisKahanTop => "Davis–Kahan top",
        }
    }

    /// Whether it changes training too (m: the gradient log records m coordinates every step),
    /// so that lowering it needs a new run.
    pub fn trains(self) -> bool {
        self == FitSetting::Tracked
    }

    /// The least value of its range: N_cov 0 (no spectrum), M's [`analysis::DRAWS`], m's
    /// [`crate::train::TRACKED`], Davis–Kahan's [`analysis::DAVIS_KAHAN_TOP`] (0, off).
    pub fn least(self) -> usize {
        match self {
            FitSetting::NCov => 0,
            FitSetting::DavisKahanTop => *analysis::DAVIS_KAHAN_TOP.start(),
            FitSetting::Draws => *analysis::DRAWS.start(),
            FitSetting::Tracked => *crate::train::TRACKED.start(),
        }
    }
}

/// The setting that drives a measurement over the memory cap and the largest value of it that
/// fits, everything else unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fit {
    pub setting: FitSetting,
    /// [`FitSetting::field`], for the page.
    pub field: &'static str,
    /// [`FitSetting::name`], for the page.
    pub name: &'static str,
    /// The value that does not fit.
    pub value: usize,
    /// The largest value that fits.
    pub largest: usize,
    /// The largest multiple of 100 (of 10 below 100) at most `largest` that fits, else `largest`:
    /// the value the page applies after a choice from its menus.
    pub round: usize,
}
